"""FOMC meetings as people name them: "2026-01-28", "2026-01", "January 2026", or just "January".

A meeting without a year is the newest meeting in that month available at the analysis date
(resolved by the search, which knows the documents and the date); with a year it is that month's
meeting(s) (March 2020 had two unscheduled ones); with a day it is that meeting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from copilot.errors import BadInputError

MONTHS: tuple[str, ...] = (
    *("january", "february", "march", "april", "may", "june", "july", "august", "september"),
    *("october", "november", "december"),
)
_MONTH_WORD = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"((?:19|20)\d{2})"
# "January 2026", "January 27-28, 2026", "Jan. 28 2026" (days are skipped: the month names the meeting)
_MONTH_YEAR = rf"{_MONTH_WORD}(?:\s+\d{{1,2}}(?:\s*[-–—]\s*\d{{1,2}})?)?(?:,?\s+{_YEAR})?"
_BEFORE_MEETING = re.compile(
    rf"\b{_MONTH_YEAR}\s+(?:(?:FOMC|Fed|Federal Reserve|policy|monetary policy|rate)\s+)?meetings?\b",
    re.IGNORECASE,
)
_AFTER_MEETING = re.compile(rf"\bmeetings?\s+(?:in|of|held in|on)\s+{_MONTH_YEAR}\b", re.IGNORECASE)
_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class MeetingSpec:
    """Which meeting: a month, with a year or not, and with a day or not."""

    month: int
    year: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        if self.day is not None and self.year is not None:
            return date(self.year, self.month, self.day).isoformat()
        name = MONTHS[self.month - 1].capitalize()
        return f"{name} {self.year}" if self.year else name


def month_number(word: str) -> int:
    """'Sept' -> 9, 'january' -> 1."""
    lowered = word.lower().rstrip(".")[:3]
    return next(n for n, name in enumerate(MONTHS, 1) if name.startswith(lowered))


def parse_meeting(value: str) -> MeetingSpec:
    """A meeting given as an argument: YYYY-MM-DD, YYYY-MM, 'January 2026' or 'January'."""
    text = " ".join(value.split())
    iso = _ISO.match(text)
    try:
        if iso:
            year, month, day = int(iso.group(1)), int(iso.group(2)), iso.group(3)
            if day is not None:
                date(year, month, int(day))  # validates the day
            elif not 1 <= month <= 12:
                raise ValueError(month)
            return MeetingSpec(month, year, int(day) if day else None)
        words = re.fullmatch(rf"{_MONTH_YEAR}", text, re.IGNORECASE)
        if words:
            return MeetingSpec(month_number(words.group(1)), int(words.group(2)) if words.group(2) else None)
    except ValueError:
        pass
    raise BadInputError(
        f"meeting must be a date (2026-01-28), a month (2026-01, January 2026) or a month name, not {value!r}"
    )


def read_meeting(text: str) -> MeetingSpec | None:
    """A meeting a question names: 'the January meeting', 'the March 2025 FOMC meeting', 'meeting in June'."""
    for pattern in (_BEFORE_MEETING, _AFTER_MEETING):
        for match in pattern.finditer(text):
            if match.group(1) == "may":  # the verb ("members may meet"), not the month
                continue
            return MeetingSpec(month_number(match.group(1)), int(match.group(2)) if match.group(2) else None)
    return None
