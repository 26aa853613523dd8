"""How an export names a source: title, publisher, as-of date, and its link or the tool call."""

from __future__ import annotations

from copilot.schemas import Source


def source_origin(source: Source) -> str:
    """The link of a source, or the tool call that produced it (``performance ^RUT ^GSPC ytd``)."""
    if source.url and source.url.startswith(("http://", "https://")):
        return source.url
    shown = [
        " ".join(map(str, v)) if isinstance(v, list) else str(v)
        for k, v in source.arguments.items()
        if k not in ("as_of", "names")
    ]
    call = " ".join([source.tool or "", *shown]).strip()
    return call or (source.url or "")


def source_date(source: Source) -> str:
    """The date a source is as of (a document: its publication date)."""
    day = source.published or source.as_of
    return day.isoformat() if day else "undated"


def source_line(n: int, source: Source) -> str:
    """``[3] Quote: IWM — snapshot, as of 2026-01-09 — quote IWM`` (plain text)."""
    return f"[{n}] {source.title} — {source.provider}, as of {source_date(source)} — {source_origin(source)}"
