"""The exchange clock: what "today" means for analysis dates (the US market's calendar day).

One ``ExchangeClock`` lives on ``Services`` and is handed to the market data and the chat service,
so the date a request is checked against and the date the tools count back from never disagree
(in the New York evening the UTC date is already tomorrow, which has no close yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

EXCHANGE_TZ = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class ExchangeClock:
    """Dates and times on the exchange's clock; ``fixed`` pins today (tests, reproducible runs);
    ``stops`` is the last day of a recorded world (a snapshot's last session): today is never later."""

    tz: ZoneInfo = field(default=EXCHANGE_TZ)
    fixed: date | None = None
    stops: date | None = None

    def now(self) -> datetime:
        """The current time in the exchange's time zone."""
        return datetime.now(self.tz)

    def today(self) -> date:
        """Today's date on the exchange's calendar (the newest possible analysis date)."""
        day = self.fixed or self.now().date()
        return min(day, self.stops) if self.stops is not None else day

    @property
    def stopped(self) -> bool:
        """The calendar has run past the recorded world: every answer is as of its last day."""
        return self.stops is not None and (self.fixed or self.now().date()) > self.stops
