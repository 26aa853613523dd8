"""Tokens and cost of a report's model calls.

Tokens come from each reply's LangChain ``usage_metadata`` (a server that sends none counts as 0
and the report says the counts are incomplete). Cost is tokens times the model's price in
``Settings.llm_prices`` (USD per million input and output tokens); a model without a price is
costed at 0 and the report says so rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.messages import AIMessage

from copilot.research.report import Usage


@dataclass
class Meter:
    """Tokens of the calls of one step, and their cost under a price (None = unknown)."""

    price: tuple[float, float] | None
    tokens_in: int = 0
    tokens_out: int = 0
    calls: int = 0
    unreported: int = 0  # replies without usage metadata

    def record(self, reply: AIMessage) -> None:
        self.calls += 1
        usage = reply.usage_metadata
        if not usage:
            self.unreported += 1
            return
        self.tokens_in += int(usage.get("input_tokens", 0))
        self.tokens_out += int(usage.get("output_tokens", 0))

    @property
    def cost(self) -> float:
        if self.price is None:
            return 0.0
        return (self.tokens_in * self.price[0] + self.tokens_out * self.price[1]) / 1_000_000


@dataclass
class UsageBook:
    """The meters of every step of a report, summed into the report's ``Usage``."""

    model: str | None
    price: tuple[float, float] | None
    meters: list[Meter] = field(default_factory=list)

    def meter(self) -> Meter:
        meter = Meter(self.price)
        self.meters.append(meter)
        return meter

    def usage(self) -> Usage:
        tokens_in = sum(m.tokens_in for m in self.meters)
        tokens_out = sum(m.tokens_out for m in self.meters)
        notes: list[str] = []
        if self.model is None:
            notes.append("No model was called: the deterministic writer costs nothing.")
        elif self.price is None:
            notes.append(f"No price is known for the model {self.model}: its cost is shown as 0.")
        unreported = sum(m.unreported for m in self.meters)
        if unreported:
            notes.append(f"{unreported} model replies reported no token usage: the counts are incomplete.")
        return Usage(
            model=self.model,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost=sum(m.cost for m in self.meters),
            priced=self.model is None or self.price is not None,
            note=" ".join(notes),
        )
