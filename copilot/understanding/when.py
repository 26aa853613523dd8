"""When a question asks about: a day, a range, a named month/quarter/year, a to-date or trailing
period, "since ...", or the latest document.

The rules people expect, read the way finance sites count them:
- "last year" is the previous calendar year; "the past year" and "the last 12 months" are trailing;
- "this year", "YTD" is year to date; "this month" / "MTD" and "this quarter" / "QTD" likewise;
- "in February 2024", "Q4 2025", "in 2025" are calendar periods (the current one is to date);
- "since March", "since 2025", "since then" start a custom range; "from X to Y" is one;
- "on March 3, 2025", "yesterday", "last Friday" name a day (the tool uses the last trading day on
  or before it and says so);
- "latest", "most recent", "recently" ask for the newest document available.
Explicit dates in other languages ("el 3 de marzo de 2025", "2025年3月3日") are parsed with
dateparser; month and quarter words come from the lexicon.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from copilot.lexicon import MONTH_NAMES, MONTHS, QUARTER_WORDS

WhenKind = Literal["day", "range", "month", "quarter", "year", "to_date", "trailing", "since", "latest"]
Relative = Literal["last", "this"]

TRAILING_WORDS = {
    "1d": "today",
    "5d": "over the past five sessions",
    "1m": "over the past month",
    "3m": "over the past three months",
    "6m": "over the past six months",
    "1y": "over the past year",
    "3y": "over the past three years",
    "5y": "over the past five years",
    "10y": "over the past ten years",
}
TO_DATE_WORDS = {"ytd": "year to date", "mtd": "month to date", "qtd": "quarter to date"}


@dataclass(frozen=True)
class When:
    """A reading of the time a question (or one part of it) is about."""

    kind: WhenKind
    label: str = ""  # the tool's period: ytd, mtd, qtd, 1y, 2025, 2025Q4, 2024-02 ("" for days and ranges)
    start: date | None = None
    end: date | None = None
    text: str = ""  # the words it was read from
    relative: Relative | None = None  # "last quarter": calendar for prices, latest report for statements
    fiscal: bool = False  # "fiscal Q3", "FY2025": the company's fiscal calendar
    event: str | None = None  # "since the January meeting": the event the range starts at

    def performance_args(self) -> dict[str, str]:
        """The arguments of ``compare_performance``/``sector_performance`` for this period."""
        if self.kind in ("range", "since", "day") and self.start is not None:
            args = {"start": self.start.isoformat()}
            if self.end is not None and self.kind != "since":
                args["end"] = self.end.isoformat()
            return args
        return {"period": self.label or "ytd"}

    def describe(self) -> str:
        """How an answer says it: "in 2025", "year to date", "on 2025-03-03", "since 2025-03-01"."""
        if self.kind == "day" and self.start:
            return f"on {self.start.isoformat()}"
        if self.kind == "range" and self.start and self.end:
            return f"from {self.start.isoformat()} to {self.end.isoformat()}"
        if self.kind == "since" and self.start:
            return f"since {self.event or self.start.isoformat()}"
        if self.kind == "to_date":
            return TO_DATE_WORDS.get(self.label, self.label)
        if self.kind == "trailing":
            return TRAILING_WORDS.get(self.label, f"over the past {self.label}")
        if self.kind in ("year", "quarter") and not self.label:
            return f"in the latest fiscal {self.kind}" if self.fiscal else f"in the latest {self.kind}"
        if self.kind == "year":
            return f"in {'fiscal ' if self.fiscal else ''}{self.label}"
        if self.kind == "quarter":
            year, quarter = self.label.split("Q")
            return f"in {'fiscal ' if self.fiscal else ''}Q{quarter} {year}"
        if self.kind == "month" and self.label:
            year, month = self.label.split("-")
            return f"in {MONTH_NAMES[int(month) - 1]} {year}"
        if self.kind == "latest":
            return "latest"
        return self.label or self.text


# -- patterns ---------------------------------------------------------------------------------

_MONTH_WORD = "|".join(
    sorted((re.escape(m) for m in MONTHS if m.isascii() or "月" not in m), key=len, reverse=True)
)
_YEAR = r"(?:19|20)\d{2}"
_DAY_TEXT = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|(?:{_MONTH_WORD})\.?(?:\s+\d{{1,2}}(?!\d)(?:st|nd|rd|th)?)?(?:,?\s+{_YEAR})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_WORD})\.?(?:,?\s+{_YEAR})?|{_YEAR})"
)
_RANGE = re.compile(
    rf"\b(?:from|between|desde|entre)\s+(?:the\s+(?:start|beginning)\s+of\s+)?(?P<a>{_DAY_TEXT})"
    rf"\s*(?:\bto\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b|\band\b|\bhasta\b|\by\b|-|–)\s*"
    rf"(?:the\s+end\s+of\s+)?(?P<b>{_DAY_TEXT})",
    re.IGNORECASE,
)
_ZH_RANGE = re.compile(r"从(?P<a>[\d年月日]+)到(?P<b>[\d年月日]+)")
_SINCE = re.compile(
    rf"\b(?:since|desde)\s+(?:the\s+(?:start|beginning)\s+of\s+)?(?:el\s+|la\s+)?(?P<a>{_DAY_TEXT})",
    re.IGNORECASE,
)
SINCE_THEN = re.compile(r"\bsince\s+then\b|\bdesde\s+entonces\b|自那以后|从那时起", re.IGNORECASE)
_SINCE_MEETING = re.compile(
    rf"\bsince\s+the\s+(?P<m>{_MONTH_WORD})(?:\s+(?P<y>{_YEAR}))?\s+(?:fomc\s+|fed\s+)?meeting\b",
    re.IGNORECASE,
)
_SINCE_LAST_MEETING = re.compile(
    r"\bsince\s+the\s+(?:(?:last|latest|most\s+recent|previous|recent)\s+)?(?:fed\s+|fomc\s+|federal\s+reserve\s+)?"
    r"(?:meeting|(?:rate\s+)?decision)\b",
    re.IGNORECASE,
)
_TO_DATE = (
    (
        re.compile(
            r"\b(?:ytd|year[- ]to[- ]date|this\s+year|so\s+far\s+(?:this|in\s+the)\s+year|"
            r"since\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+year|"
            r"en\s+lo\s+que\s+va\s+del?\s+año|este\s+año|depuis\s+le\s+début\s+de\s+l'année)\b|"
            r"今年以来|年初至今|今年",
            re.IGNORECASE,
        ),
        "ytd",
    ),
    (
        re.compile(
            r"\b(?:mtd|month[- ]to[- ]date|this\s+month|so\s+far\s+this\s+month|este\s+mes)\b|本月|这个月",
            re.IGNORECASE,
        ),
        "mtd",
    ),
    (
        re.compile(
            r"\b(?:qtd|quarter[- ]to[- ]date|this\s+quarter|so\s+far\s+this\s+quarter|"
            r"este\s+trimestre)\b|本季度",
            re.IGNORECASE,
        ),
        "qtd",
    ),
)
_LAST_CALENDAR = re.compile(
    r"(?<!the\s)\b(?:last|previous|prior)\s+(?P<u>year|month|quarter)\b(?!\s*'s\s+high)|"
    r"\b(?:el|la)\s+(?P<es>año|mes|trimestre)\s+pasad[oa]\b|(?P<zh>去年|上个月|上季度|上一季度)",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10,
    "twelve": 12, "un": 1, "uno": 1, "dos": 2, "tres": 3, "cinco": 5, "seis": 6, "doce": 12, "diez": 10,
    "一": 1, "两": 2, "二": 2, "三": 3, "五": 5, "六": 6, "十": 10, "十二": 12,
}  # fmt: skip
_UNIT_WORDS = {
    "day": "d", "days": "d", "session": "d", "sessions": "d", "week": "w", "weeks": "w",
    "month": "m", "months": "m", "year": "y", "years": "y", "yr": "y", "yrs": "y",
    "quarter": "q", "quarters": "q", "día": "d", "días": "d", "dias": "d", "semana": "w",
    "semanas": "w", "mes": "m", "meses": "m", "año": "y", "años": "y", "anos": "y",
    "天": "d", "周": "w", "个月": "m", "月": "m", "年": "y",
}  # fmt: skip
_TRAILING = re.compile(
    r"\b(?:(?:over|in|during)\s+)?(?:the\s+)?(?:past|last|previous|trailing|recent|los\s+últimos|las\s+últimas|"
    r"el\s+último|la\s+última|últimos|últimas)\s+(?:(?P<n>\d{1,2}|one|two|three|four|five|six|ten|twelve|"
    r"a|an|un|uno|dos|tres|cinco|seis|doce|diez)\s+)?(?P<u>days?|sessions?|weeks?|months?|years?|yrs?|"
    r"quarters?|días|dias|semanas?|mes(?:es)?|años?)\b"
    r"|(?:过去|近|最近)(?P<zn>\d+|一|两|二|三|五|六|十|十二)?(?:个)?(?P<zu>天|周|个月|月|年)",
    re.IGNORECASE,
)
_SHORT_TRAILING = re.compile(
    r"(?<![\w-])(?P<n>1|3|5|6|10|12)[- ]?(?P<u>d|day|days|m|mo|month|months|y|yr|year|years)(?![\w-])"
    r"(?!\s*(?:moving|average|sma|ema|high|low|rsi|volatility|range))",
    re.IGNORECASE,
)
_TODAY = re.compile(r"\b(?:today|on\s+the\s+day|this\s+session|intraday|hoy)\b|今天|今日", re.IGNORECASE)
_THIS_WEEK = re.compile(r"\b(?:this\s+week|week[- ]to[- ]date|esta\s+semana)\b|本周|这周", re.IGNORECASE)
_QUARTER = re.compile(
    rf"\b(?:(?P<fy1>fiscal\s+|FY\s?)?Q(?P<q1>[1-4])\s*(?:of\s+)?(?P<fy2>fiscal\s+|FY\s?)?'?(?P<y1>{_YEAR}|\d{{2}})?\b"
    rf"|(?P<y2>{_YEAR})\s*-?\s*Q(?P<q2>[1-4])\b|(?P<q3>[1-4])Q\s*'?(?P<y3>\d{{2}}|{_YEAR})\b"
    rf"|(?P<w>first|second|third|fourth|1st|2nd|3rd|4th|primer|segundo|tercer|cuarto)\s+(?P<fy4>fiscal\s+)?"
    rf"(?:quarter|trimestre)(?:\s+(?:of|de|del)\s+(?P<fy5>fiscal\s+)?(?:el\s+)?(?:año\s+)?)?\s*(?P<y4>{_YEAR})?)"
    rf"|(?P<zy>{_YEAR})年?第(?P<zq>[一二三四1-4])季度|第(?P<zq2>[一二三四1-4])季度",
    re.IGNORECASE,
)
_FISCAL_YEAR = re.compile(rf"\b(?:FY\s?'?(?P<a>{_YEAR}|\d{{2}})|fiscal\s+(?:year\s+)?(?P<b>{_YEAR}))\b", re.I)
_LAST_FISCAL = re.compile(
    r"\b(?:last|previous|prior|latest|most recent)\s+fiscal\s+(?P<u>year|quarter)\b", re.I
)
_MONTH = re.compile(
    rf"(?:\b(?:in|during|for|over|of|en|durante|throughout)\s+(?:the\s+month\s+of\s+)?)?"
    rf"(?<![\w-])(?P<m>{_MONTH_WORD})\.?(?:\s+(?:de|of)\s+|\s*,?\s*)(?P<y>{_YEAR})(?!\d)"
    rf"|\b(?:in|during|for|over|en|durante|throughout)\s+(?P<m2>{_MONTH_WORD})\b(?!\s+\d{{1,2}}\b)"
    rf"|\b(?:(?:the|its|at|de|fomc|fed|fed's)\s+)?(?P<m3>{_MONTH_WORD})\s+(?:fomc\s+|fed\s+|policy\s+)?"
    rf"(?:meeting|reuni[oó]n|minutes|statement|projections|decision|dot plot)\b"
    rf"|\b(?P<m4>{_MONTH_WORD})\s+(?:fomc|fed)\b",
    re.IGNORECASE,
)
_ZH_MONTH = re.compile(rf"(?P<y>{_YEAR})年(?P<m>1[0-2]|[1-9])月(?!\d|份?\d+日)")
_YEAR_IN = re.compile(
    rf"(?:\b(?:in|during|for|over|throughout|calendar|en|durante|del|de|año)\s+(?:the\s+)?(?:year\s+)?"
    rf"|(?<![\w$.,-]))(?P<y>{_YEAR})(?!\d|[-/.]\d|\s*(?:Q[1-4]|年\d))(?:年(?!\d))?",
    re.IGNORECASE,
)
_ISO_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_US_DAY = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d{2}|\d{2})(?![\d/])")
_MONTH_DAY = re.compile(
    rf"\b(?P<m>{_MONTH_WORD})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<y>{_YEAR}))?"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+|de\s+)?(?P<m2>{_MONTH_WORD})\.?(?:,?\s+(?:de\s+)?(?P<y2>{_YEAR}))?",
    re.IGNORECASE,
)
_ZH_DAY = re.compile(rf"(?P<y>{_YEAR})年(?P<m>1[0-2]|0?[1-9])月(?P<d>[0-3]?\d)日?")
_AGO = re.compile(
    r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|ten|twelve|a|an)\s+(?P<u>days?|weeks?|months?|years?)\s+ago\b"
    r"|\bhace\s+(?P<sn>\d{1,2}|un|una|uno|dos|tres|cinco|seis|diez|doce)\s+(?P<su>d[ií]as?|semanas?|mes(?:es)?|años?)\b"
    r"|(?P<zn>\d+|一|两|二|三|五|六|十|十二)(?:个)?(?P<zu>天|周|星期|月|年)(?:以)?前",
    re.IGNORECASE,
)
_YESTERDAY = re.compile(r"\byesterday\b|\bayer\b|昨天", re.IGNORECASE)
_WEEKDAY = re.compile(r"\b(?:last|on|this\s+past)\s+(monday|tuesday|wednesday|thursday|friday)\b", re.I)
_LATEST = re.compile(
    r"\b(?:latest|most\s+recent|recent(?:ly)?|newest|current|lately|last\s+(?:statement|minutes|speech|"
    r"meeting|filing|report|decision|projections?)|últim[oa]s?|reciente(?:mente)?)\b|最新|最近",
    re.IGNORECASE,
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def read_when(text: str, reference: date) -> When | None:
    """The first time expression ``text`` names (None when it names none).

    ``reference`` is the analysis date (or today): "last year", "this month" and "since March"
    count from it. Names of securities ("Russell 2000", "S&P 500") must be masked by the caller.
    """
    for reader in _READERS:
        found = reader(text, reference)
        if found is not None:
            return found
    return None


def _range(text: str, reference: date) -> When | None:
    for match in (*_RANGE.finditer(text), *_ZH_RANGE.finditer(text)):
        first = _parse_day_text(match.group("a"), reference, end=False)
        last = _parse_day_text(match.group("b"), reference, end=True)
        if first is None or last is None:
            continue
        start, stop = first, last
        # a year named once ("from March 3 to April 8, 2025") serves both ends
        if not _has_year(match.group("a")) and _has_year(match.group("b")):
            start = _same_day(start, stop.year)
            if start >= stop:
                start = _same_day(start, stop.year - 1)
        if start < stop:
            return When("range", start=start, end=stop, text=match.group(0))
    return None


def _since(text: str, reference: date) -> When | None:
    last = _SINCE_LAST_MEETING.search(text)
    if last:  # the day comes from the latest statement, once the search has found it
        return When("since", text=last.group(0), event="meeting")
    meeting = _SINCE_MEETING.search(text)
    if meeting:
        month = MONTHS[meeting.group("m").lower()]
        year = int(meeting.group("y")) if meeting.group("y") else _latest_year_of(month, reference)
        return When(
            "since",
            start=date(year, month, 1),
            text=meeting.group(0),
            event=f"the {MONTH_NAMES[month - 1]} {year} FOMC meeting",
        )
    match = _SINCE.search(text)
    if match is None:
        return None
    raw = match.group("a")
    if re.fullmatch(_YEAR, raw.strip()):  # "since 2025": from the last close of 2024
        year = int(raw)
        if year == reference.year:
            return When("to_date", label="ytd", text=match.group(0))
        return When("since", start=date(year - 1, 12, 31), text=match.group(0))
    parsed = _parse_day_text(raw, reference, end=False)
    if parsed is None:
        return None
    if not re.search(
        r"\d{1,2}(?:st|nd|rd|th)?(?:,|\s|$)|\d{4}-\d{2}-\d{2}", raw.strip() + " "
    ) or re.fullmatch(rf"(?:{_MONTH_WORD})\.?(?:,?\s+{_YEAR})?", raw.strip(), re.IGNORECASE):
        # "since March": from the last close before March 1 (a day named is counted from its close)
        parsed -= timedelta(days=1)
    return When("since", start=parsed, text=match.group(0))


def _to_date(text: str, reference: date) -> When | None:
    for pattern, label in _TO_DATE:
        match = pattern.search(text)
        if match:
            return When("to_date", label=label, text=match.group(0), relative="this")
    return None


def _last_calendar(text: str, reference: date) -> When | None:
    match = _LAST_CALENDAR.search(text)
    if match is None:
        return None
    unit = (match.group("u") or "").lower()
    spanish = (match.group("es") or "").lower()
    zh = match.group("zh") or ""
    unit = unit or {"año": "year", "mes": "month", "trimestre": "quarter"}.get(spanish, "")
    unit = unit or {"去年": "year", "上个月": "month", "上季度": "quarter", "上一季度": "quarter"}.get(zh, "")
    if unit == "year":
        year = reference.year - 1
        return When(
            "year",
            label=str(year),
            start=date(year, 1, 1),
            end=date(year, 12, 31),
            text=match.group(0),
            relative="last",
        )
    if unit == "month":
        first = reference.replace(day=1) - timedelta(days=1)
        return _month_when(first.year, first.month, match.group(0), relative="last")
    quarter = (reference.month - 1) // 3  # the previous calendar quarter
    year = reference.year if quarter else reference.year - 1
    return _quarter_when(year, quarter or 4, match.group(0), relative="last")


def _trailing(text: str, reference: date) -> When | None:
    match = _TRAILING.search(text)
    if match:
        count_text = match.group("n") or match.group("zn")
        unit_text = (match.group("u") or match.group("zu") or "").lower()
        count = _count(count_text)
        unit = _UNIT_WORDS.get(unit_text) or _UNIT_WORDS.get(unit_text.rstrip("s"), "")
        label = _trailing_label(count, unit)
        if label:
            return When("trailing", label=label, text=match.group(0))
    short = _SHORT_TRAILING.search(text)
    if short:
        unit = short.group("u").lower()[0]
        label = _trailing_label(int(short.group("n")), "m" if unit == "m" else unit)
        if label:
            return When("trailing", label=label, text=short.group(0))
    if _TODAY.search(text):
        return When("trailing", label="1d", text=_TODAY.search(text).group(0))  # type: ignore[union-attr]
    week = _THIS_WEEK.search(text)
    if week:
        return When("trailing", label="5d", text=week.group(0))
    return None


def _quarter(text: str, reference: date) -> When | None:
    for match in _QUARTER.finditer(text):
        groups = match.groupdict()
        number_text = groups["q1"] or groups["q2"] or groups["q3"] or groups["zq"] or groups["zq2"]
        number = int(number_text) if number_text and number_text.isdigit() else None
        if number is None:
            word = (groups["w"] or number_text or "").lower()
            number = QUARTER_WORDS.get(word)
        if number is None:
            continue
        year_text = groups["y1"] or groups["y2"] or groups["y3"] or groups["y4"] or groups["zy"]
        fiscal = bool(groups["fy1"] or groups["fy2"] or groups["fy4"] or groups["fy5"])
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        else:  # "in Q3": the latest third quarter that has begun by the analysis date
            year = reference.year if 3 * number - 2 <= reference.month else reference.year - 1
        return _quarter_when(year, number, match.group(0), fiscal=fiscal)
    return None


def _last_fiscal(text: str, reference: date) -> When | None:
    last = _LAST_FISCAL.search(text)
    if last is None:
        return None
    kind: WhenKind = "year" if last.group("u").lower() == "year" else "quarter"
    return When(kind, text=last.group(0), relative="last", fiscal=True)  # the latest one reported


def _fiscal_year(text: str, reference: date) -> When | None:
    match = _FISCAL_YEAR.search(text)
    if match is None:
        return None
    raw = match.group("a") or match.group("b")
    year = int(raw) + (2000 if len(raw) == 2 else 0)
    return When("year", label=str(year), text=match.group(0), fiscal=True)


def _day(text: str, reference: date) -> When | None:
    iso = _ISO_DAY.search(text)
    if iso:
        try:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
        return When("day", start=day, end=day, text=iso.group(0))
    us = _US_DAY.search(text)
    if us:  # 8/5/2024: month first, as people in the US write it
        year = int(us.group(3)) + (2000 if len(us.group(3)) == 2 else 0)
        try:
            day = date(year, int(us.group(1)), int(us.group(2)))
        except ValueError:
            return None
        return When("day", start=day, end=day, text=us.group(0))
    zh = _ZH_DAY.search(text)
    if zh:
        try:
            day = date(int(zh.group("y")), int(zh.group("m")), int(zh.group("d")))
        except ValueError:
            return None
        return When("day", start=day, end=day, text=zh.group(0))
    for match in _MONTH_DAY.finditer(text):
        month_word = (match.group("m") or match.group("m2") or "").lower()
        if month_word == "may" and not (match.group("y") or match.group("y2") or match.group("d2")):
            continue  # "may 5 ..." is rarely a date without a year; "May 5, 2025" is
        month = MONTHS.get(month_word.rstrip("."))
        day_number = int(match.group("d") or match.group("d2"))
        year_text = match.group("y") or match.group("y2")
        if month is None:
            continue
        year = int(year_text) if year_text else _latest_year_of(month, reference, day_number)
        try:
            day = date(year, month, day_number)
        except ValueError:
            continue
        return When("day", start=day, end=day, text=match.group(0))
    ago = _AGO.search(text)
    if ago:  # "a month ago": the same day a month before the analysis date
        count = _count(ago.group("n") or ago.group("sn") or ago.group("zn"))
        unit_text = (ago.group("u") or ago.group("su") or ago.group("zu") or "").lower()
        unit = _UNIT_WORDS.get(unit_text) or _UNIT_WORDS.get(unit_text.rstrip("s"), "w")
        if unit_text == "星期":
            unit = "w"
        day = _back(reference, count, unit)
        return When("day", start=day, end=day, text=ago.group(0))
    if _YESTERDAY.search(text):
        day = reference - timedelta(days=1)
        return When("day", start=day, end=day, text="yesterday")
    weekday = _WEEKDAY.search(text)
    if weekday:
        target = _WEEKDAYS.index(weekday.group(1).lower())
        back = (reference.weekday() - target) % 7 or 7
        day = reference - timedelta(days=back)
        return When("day", start=day, end=day, text=weekday.group(0))
    return _foreign_day(text, reference)


def _back(reference: date, count: int, unit: str) -> date:
    """``count`` days, weeks, months or years before ``reference`` (a month's end clamps: March 31
    less a month is February 28)."""
    if unit == "d":
        return reference - timedelta(days=count)
    if unit == "w":
        return reference - timedelta(weeks=count)
    months = count * (12 if unit == "y" else 3 if unit == "q" else 1)
    year, month = divmod(reference.year * 12 + reference.month - 1 - months, 12)
    month += 1
    return date(year, month, min(reference.day, calendar.monthrange(year, month)[1]))


def _month(text: str, reference: date) -> When | None:
    zh = _ZH_MONTH.search(text)
    if zh:
        return _month_when(int(zh.group("y")), int(zh.group("m")), zh.group(0))
    for match in _MONTH.finditer(text):
        word = match.group("m") or match.group("m2") or match.group("m3") or match.group("m4") or ""
        word = word.lower().rstrip(".")
        month = MONTHS.get(word)
        meeting = bool(match.group("m3") or match.group("m4"))
        if month is None or (
            word == "may" and not match.group("y") and not meeting and "in may" not in match.group(0).lower()
        ):
            continue
        if word == "mar" and not match.group("y") and not meeting:
            continue  # "mar" is also Spanish for sea; only with a year
        year = int(match.group("y")) if match.group("y") else _latest_year_of(month, reference)
        return _month_when(year, month, match.group(0))
    return None


def _year(text: str, reference: date) -> When | None:
    for match in _YEAR_IN.finditer(text):
        year = int(match.group("y"))
        if year > reference.year + 1:
            continue
        if year == reference.year:
            return When("to_date", label="ytd", text=match.group(0), relative="this")
        return When(
            "year", label=str(year), start=date(year, 1, 1), end=date(year, 12, 31), text=match.group(0)
        )
    return None


def _latest(text: str, reference: date) -> When | None:
    match = _LATEST.search(text)
    return When("latest", text=match.group(0)) if match else None


# Order matters: the most specific structure first ("from X to Y" before the day X, "since
# March" before "March", "last year" before "past year", "Q4 2025" before "2025").
_READERS = (
    _range,
    _since,
    _to_date,
    _last_fiscal,
    _last_calendar,
    _quarter,
    _fiscal_year,
    _day,
    _month,
    _trailing,
    _year,
    _latest,
)


# -- helpers ----------------------------------------------------------------------------------


def _count(text: str | None) -> int:
    if not text:
        return 1
    return int(text) if text.isdigit() else _NUMBER_WORDS.get(text.lower(), 1)


def _trailing_label(count: int, unit: str) -> str | None:
    months = {"m": count, "q": 3 * count, "y": 12 * count}.get(unit)
    if unit == "d":
        return {1: "1d", 5: "5d"}.get(count)
    if unit == "w":
        return "5d" if count == 1 else {4: "1m", 12: "3m", 13: "3m", 26: "6m", 52: "1y"}.get(count)
    if months is None:
        return None
    return {1: "1m", 3: "3m", 6: "6m", 12: "1y", 36: "3y", 60: "5y", 120: "10y"}.get(months)


def _month_when(year: int, month: int, text: str, relative: Relative | None = None) -> When:
    last = calendar.monthrange(year, month)[1]
    return When(
        "month",
        label=f"{year}-{month:02d}",
        start=date(year, month, 1),
        end=date(year, month, last),
        text=text,
        relative=relative,
    )


def _quarter_when(
    year: int, number: int, text: str, relative: Relative | None = None, fiscal: bool = False
) -> When:
    first = 3 * number - 2
    end = date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    return When(
        "quarter",
        label=f"{year}Q{number}",
        start=date(year, first, 1),
        end=end,
        text=text,
        relative=relative,
        fiscal=fiscal,
    )


def _latest_year_of(month: int, reference: date, day: int = 1) -> int:
    """The year of the latest such month (or day) on or before the reference date."""
    return reference.year if (month, day) <= (reference.month, reference.day) else reference.year - 1


def _has_year(text: str) -> bool:
    return bool(re.search(_YEAR, text))


def _same_day(day: date, year: int) -> date:
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, min(day.day, last))


def _parse_day_text(text: str, reference: date, end: bool) -> date | None:
    """A range end as a date: a month alone is its first (start) or last (end) day; a year alone too."""
    raw = text.strip().rstrip(".,")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return None
    if re.fullmatch(_YEAR, raw):
        year = int(raw)
        return date(year, 12, 31) if end else date(year - 1, 12, 31)
    zh = re.fullmatch(r"(?P<y>\d{4})年(?:(?P<m>\d{1,2})月)?(?:(?P<d>\d{1,2})日)?", raw)
    if zh:
        year, month = int(zh.group("y")), int(zh.group("m") or (12 if end else 1))
        day = int(zh.group("d") or (calendar.monthrange(year, month)[1] if end else 1))
        return date(year, month, day)
    match = _MONTH_DAY.fullmatch(raw) or re.fullmatch(
        rf"(?P<m>{_MONTH_WORD})\.?(?:,?\s+(?P<y>{_YEAR}))?", raw, re.IGNORECASE
    )
    if match is None:
        return None
    groups = match.groupdict()
    found = MONTHS.get((groups.get("m") or groups.get("m2") or "").lower().rstrip("."))
    if found is None:
        return None
    month = found
    year_text = groups.get("y") or groups.get("y2")
    day_text = groups.get("d") or groups.get("d2")
    year = int(year_text) if year_text else _latest_year_of(month, reference)
    if day_text:
        try:
            return date(year, month, int(day_text))
        except ValueError:
            return None
    if end:
        return date(year, month, calendar.monthrange(year, month)[1])
    return date(year, month, 1)


def _foreign_day(text: str, reference: date) -> When | None:
    """An explicit date in another language ("el 3 de marzo de 2025"), through dateparser."""
    if text.isascii() and not re.search(r"\b(?:de|el|le|am|del)\b", text, re.IGNORECASE):
        return None  # English dates were read above; dateparser's search is slow and too eager
    from dateparser.search import search_dates

    settings = {"RELATIVE_BASE": _as_datetime(reference), "PREFER_DATES_FROM": "past"}
    found = search_dates(text, languages=["es", "fr", "de", "zh", "en"], settings=settings)
    for words, moment in found or []:
        if re.search(r"\d", words) and re.search(r"\d{1,2}", words) and _names_a_day(words):
            day = moment.date()
            return When("day", start=day, end=day, text=words)
    return None


def _names_a_day(words: str) -> bool:
    """A day number next to a month word (not a bare year or month)."""
    return bool(re.search(r"\d{1,2}\s*(?:de\s+|日|\.|\s)", words)) and bool(
        re.search(rf"(?:{_MONTH_WORD})|月", words, re.IGNORECASE)
    )


def _as_datetime(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def with_reference(when: When, reference: date) -> When:
    """A "this month"/"this quarter" reading fixed to calendar dates at ``reference``."""
    if when.kind != "to_date":
        return when
    if when.label == "mtd":
        return replace(when, start=reference.replace(day=1), end=reference)
    if when.label == "qtd":
        return replace(
            when, start=date(reference.year, 3 * ((reference.month - 1) // 3) + 1, 1), end=reference
        )
    return replace(when, start=date(reference.year, 1, 1), end=reference)


def point_in_time(when: When | None, reference: date) -> date | None:
    """The day a point-in-time figure (a valuation) is asked at: the day named, or the last day of
    the period named ("in March 2025" -> 2025-03-31); None for now (the analysis date ``reference``),
    a period still open, or "last quarter" said of a report (the latest one)."""
    if when is None or when.kind in ("latest", "to_date", "trailing", "since"):
        return None
    if when.kind == "day":
        return when.start
    if when.kind in ("year", "quarter") and not when.label:
        return None
    end = when.end
    return end if end is not None and end < reference else None
