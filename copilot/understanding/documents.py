"""Document filters from a question: which kind of document, whose, which meeting, how recent.

"What did the Fed do at the January meeting?" -> the FOMC statement of the latest January
meeting; "What has Waller said recently on cuts?" -> Waller's newest speeches; "What does the
latest statement say on inflation?" -> the newest FOMC statement, not a speech.
"""

from __future__ import annotations

import re
from datetime import date

from copilot.lexicon import FED_SPEAKER_NAMES, FED_SPEAKERS
from copilot.understanding.reading import DECISION_TOPIC, DocFilter, DocKind
from copilot.understanding.when import When, with_reference

_KINDS: tuple[tuple[DocKind, re.Pattern[str]], ...] = (
    ("minutes", re.compile(r"\bminutes\b|\bactas\b|会议纪要", re.I)),
    (
        "projections",
        re.compile(r"\bprojections?\b|\bdot plot\b|\bSEP\b|\bsummary of economic\b|点阵图", re.I),
    ),
    ("speech", re.compile(r"\bspeech(?:es)?\b|\bspoke\b|\bremarks\b|\btestimony\b|\bdiscurso\b|讲话", re.I)),
    ("10-K", re.compile(r"\b10-?K\b|\bannual report\b", re.I)),
    ("10-Q", re.compile(r"\b10-?Q\b|\bquarterly report\b", re.I)),
    ("20-F", re.compile(r"\b20-?F\b", re.I)),
    ("filing", re.compile(r"\bfilings?\b|\bsec\b", re.I)),
    (
        "statement",
        re.compile(
            r"\bstatements?\b|\bcomunicado\b|声明|\bdecid\w*|\bdecision\b|\bdo\b.{0,30}\bmeeting"
            r"|\bwhat did (?:the )?(?:fed|fomc)\b.{0,12}\bdo\b|\bdo with rates\b"
            r"|\bdid (?:the )?(?:fed|fomc) (?:cut|hike|raise|lower|hold|move)\b"
            r"|\bhold or cut\b|\bcut or hold\b"
            r"|\boutcome\b|\bwhat happened at\b|\bdecidi[oó]\b|决定",
            re.I,
        ),
    ),
)
_FED = re.compile(
    r"\b(?:fed|fomc|federal reserve|central bank|reserva federal|la fed)\b|美联储|议息", re.IGNORECASE
)
# words asking what the Fed decided over a period, meeting by meeting
_DECISIONS = re.compile(
    r"\b(?:rate (?:cuts?|hikes?|increases?|decisions?)|cut rates|raised? rates|hiked?|decisions?|decided?"
    r"|how many (?:times|cuts|hikes)|each meeting|every meeting|meetings)\b|降息|加息",
    re.IGNORECASE,
)
# the policy rate is the Fed's, named or not ("how many rate cuts in 2025")
_POLICY_RATE = re.compile(
    r"\b(?:rate (?:cuts?|hikes?|increases?|decisions?)|(?:fed|federal) funds(?: rate)?|policy rate)\b", re.I
)
_MEETING = re.compile(r"\bmeeting\b|\breuni[oó]n\b|议息会议|会议", re.IGNORECASE)
_SPEAKER = re.compile(
    r"\b(" + "|".join(FED_SPEAKERS) + r")\b|(" + "|".join(FED_SPEAKER_NAMES) + ")", re.IGNORECASE
)
_STOP_WORDS = (
    "a about after again all an and any are as at be been by can could did do does for from had has "
    "have how i in into is it its latest me most new of on or our recent recently said say says "
    "should statement statements tell that the their them there this to was we were what when which "
    "who why will with would fed fomc federal reserve committee minutes speech speeches document "
    "documents stored last newest current meeting meetings lately talk talked spoke remarks on show "
    "give january february march april may june july august september october november december "
)
_STOP = frozenset(_STOP_WORDS.split())


# Words the Fed uses for what people ask about, so "rates" also finds "federal funds rate".
TOPIC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "rate": ("federal funds rate", "target range", "policy rate", "interest rate"),
    "decide": ("decided", "decision", "target range"),
    "decision": ("decided", "decision", "target range"),
    "outcome": ("decided", "decision", "target range"),
    "happened": ("decided", "decision", "target range"),
    "hold": ("decided", "maintain the target range", "target range"),
    "decidió": ("decided", "decision", "target range"),
    "tasa": ("federal funds rate", "target range", "policy rate"),
    "inflación": ("inflation", "prices", "pce"),
    "决定": ("decided", "decision", "target range"),
    "利率": ("federal funds rate", "target range", "policy rate"),
    "通胀": ("inflation", "prices", "pce"),
    "inflation": ("inflation", "prices", "pce"),
    "jobs": ("labor market", "employment", "unemployment", "job gains"),
    "job": ("labor market", "employment", "unemployment", "job gains"),
    "labor": ("labor market", "employment", "unemployment", "job gains"),
    "employment": ("labor market", "employment", "unemployment"),
    "economy": ("economic activity", "growth", "outlook"),
    "balance": ("balance sheet", "securities holdings", "treasury securities"),
    "cut": (
        "rate cut",
        "cut rates",
        "cutting rates",
        "lower the target range",
        "lower the policy rate",
        "lowering the policy rate",
        "reduce the policy rate",
        "reductions in the policy rate",
        "policy rate",
        "easing",
    ),
    "hike": ("raise the target range", "rate increase", "raising the policy rate", "tightening"),
}


def expanded_query(topic: str) -> str:
    """The topic with the Fed's own words for it ("cuts" -> "rate cut ... policy rate"), for search."""
    words = re.findall(r"[a-z]+", topic.lower())
    extra = [w for word in words for w in TOPIC_SYNONYMS.get(word.rstrip("s"), TOPIC_SYNONYMS.get(word, ()))]
    return " ".join(dict.fromkeys([topic, *extra]))[:300]


def read_documents(text: str, when: When | None, subjects: tuple[str, ...], reference: date) -> DocFilter:
    """The filters a document question implies (kind, speaker, meeting, recency, dates)."""
    speaker_match = _SPEAKER.search(text)
    speaker = None
    if speaker_match:
        speaker = (
            speaker_match.group(1).capitalize()
            if speaker_match.group(1)
            else FED_SPEAKER_NAMES[speaker_match.group(2)]
        )
    kind: DocKind | None = next((k for k, pattern in _KINDS if pattern.search(text)), None)
    said_at_meeting = None
    if speaker and kind in (None, "statement") and _MEETING.search(text):
        said_at_meeting, speaker, kind = speaker, None, "statement"
    if speaker and kind in (None, "statement"):
        kind = "speech"
    publisher = "Federal Reserve" if (_FED.search(text) or speaker or _POLICY_RATE.search(text)) else None
    if publisher and kind is None and _MEETING.search(text):
        kind = "statement"  # "what did the Fed do at its last meeting": the decision is the statement
    meeting = meeting_month = None
    since = until = None
    latest = False
    if (
        when is not None
        and when.kind == "month"
        and (kind in ("statement", "minutes", "projections") or _MEETING.search(text))
    ):
        explicit_year = bool(re.search(r"(?:19|20)\d{2}", when.text))
        if explicit_year:
            meeting = when.label
        else:
            meeting_month = int(when.label.split("-")[1])
        kind = kind or "statement"
    elif when is not None and when.kind == "since" and when.start is None:
        latest = True  # "since the last Fed meeting": the latest statement gives the day
        kind = kind or "statement"
    elif when is not None and when.kind == "to_date":  # "rate cuts this year": since January 1
        fixed = with_reference(when, reference)
        since, until = fixed.start, fixed.end
    elif when is not None and when.kind in ("range", "since", "year", "month", "quarter", "day"):
        since, until = when.start, when.end
        if when.kind == "year" and when.start:
            since = when.start
    elif when is not None and when.kind == "latest":
        latest = True
    elif when is None and (publisher or kind):
        latest = True  # "what did the Fed say about jobs?" means its latest word
    ticker = subjects[0] if subjects and kind in ("10-K", "10-Q", "20-F", "filing") else None
    topic = topic_words(text)
    if (not topic and kind == "statement") or (when is not None and when.event == "meeting"):
        topic = DECISION_TOPIC  # "what did the Fed do", "since the last meeting": its decision
    each = bool(
        publisher
        and kind in (None, "statement")
        and not speaker
        and meeting is None
        and meeting_month is None
        and since is not None
        and when is not None
        and when.kind in ("range", "since", "year", "quarter", "to_date")
        and _DECISIONS.search(text)
    )
    if each:  # "how many rate cuts did the Fed make in 2025": the decision of every meeting in it
        kind, topic = "statement", DECISION_TOPIC
    return DocFilter(
        each=each,
        topic=topic,
        kind=kind,
        speaker=speaker,
        publisher=publisher,
        meeting=meeting,
        meeting_month=meeting_month,
        latest=latest,
        since=since,
        until=until,
        ticker=ticker,
        said_at_meeting=said_at_meeting,
    )


def topic_words(text: str) -> str:
    """The content words of a document question ("inflation", "rate cuts")."""
    words = re.findall(r"[A-Za-z][A-Za-z\-]+|[\u4e00-\u9fff]+", text)
    kept = [w for w in words if w.lower() not in _STOP and not _SPEAKER.fullmatch(w)]
    return " ".join(kept)
