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
    """Dates and times on the exchange's clock; ``fixed`` pins today (tests, reproducible runs)."""

    tz: ZoneInfo = field(default=EXCHANGE_TZ)
    fixed: date | None = None

    def now(self) -> datetime:
        """The current time in the exchange's time zone."""
        return datetime.now(self.tz)

    def today(self) -> date:
        """Today's date on the exchange's calendar (the newest possible analysis date)."""
        return self.fixed or self.now().date()
