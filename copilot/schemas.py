"""The typed contracts every layer shares: Fact, Source and the tool result.

A ``Fact`` is one number a tool produced; a ``Source`` is what a citation [n] points to. Tools
return ``(content, artifact)`` where the artifact is a ``ToolArtifact`` (one or more sources);
citations and verification are built from the artifact, never from the model's text.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Unit = Literal["USD", "%", "x", "shares", "points", "ratio", "days", "count", "bps", "currency"]
SourceKind = Literal["market_data", "document", "computation"]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Fact(BaseModel):
    """One number computed by code.

    Percentages are stored in percent (``5.73`` means 5.73%, unit ``%``); multiples in ``x``;
    prices in the quote currency (``USD``); index levels in ``points``; volumes in ``shares``.
    ``precision`` is the number of decimals to display. ``formula``/``inputs`` say how it was
    computed, so the model only ever quotes.
    """

    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    value: float
    unit: Unit
    as_of: date | None = None
    precision: int = 2
    symbol: str | None = None
    formula: str | None = None
    inputs: dict[str, float] = Field(default_factory=dict)

    def display(self) -> str:
        """The figure as an answer shows it, e.g. ``$261.56``, ``+5.73%``, ``19.24x``."""
        from copilot.formatting import format_value

        return format_value(self.value, self.unit, self.precision)


class Source(BaseModel):
    """What a citation points to: a tool result, a document passage or a computation."""

    id: str = ""
    kind: SourceKind
    title: str
    provider: str  # market-data provider or document publisher
    url: str | None = None
    as_of: date | None = None
    retrieved_at: datetime = Field(default_factory=utc_now)
    tool: str | None = None
    arguments: dict[str, Any] = Field(default_factory=dict)
    facts: list[Fact] = Field(default_factory=list)
    snippet: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)  # qualitative results: states, rankings, gaps
    # documents
    published: date | None = None
    page: int | None = None
    section: str | None = None
    document_id: str | None = None
    # freshness
    stale: bool = False
    age_seconds: float | None = None
    notes: list[str] = Field(default_factory=list)

    def model_post_init(self, __context: Any) -> None:
        if not self.id:
            self.id = self.content_hash()

    def content_hash(self) -> str:
        """A stable id from what the source says (not when it was fetched)."""
        payload = {
            "kind": self.kind,
            "title": self.title,
            "provider": self.provider,
            "url": self.url,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "tool": self.tool,
            "arguments": self.arguments,
            "facts": [f.model_dump(mode="json") for f in self.facts],
            "snippet": self.snippet,
            "details": self.details,
            "document_id": self.document_id,
            "page": self.page,
            "section": self.section,
        }
        blob = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def fact(self, key: str) -> Fact | None:
        return next((f for f in self.facts if f.key == key), None)


class ToolArtifact(BaseModel):
    """The artifact half of a tool's ``(content, artifact)``: the sources it produced.

    ``labels`` maps each source id to the [n] number the ledger gave it, when a ledger numbered
    the content; ``error`` is set when the tool failed (content then starts with ``Error:``).
    """

    tool: str
    sources: list[Source] = Field(default_factory=list)
    labels: dict[str, int] = Field(default_factory=dict)
    error: str | None = None
