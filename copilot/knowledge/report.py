"""What one ``KnowledgeBase.add`` did: documents added, replaced, unchanged, duplicated, failed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IngestFailure:
    """A file or record that was not ingested: where, why, and the error's code."""

    source: str
    reason: str
    code: str


@dataclass
class IngestReport:
    """What one ``add`` did, document by document."""

    added: list[str] = field(default_factory=list)  # doc ids
    replaced: list[str] = field(default_factory=list)  # doc ids removed because their source changed
    unchanged: list[str] = field(default_factory=list)  # source keys
    duplicates: list[str] = field(default_factory=list)  # source keys whose content was already stored
    failed: list[IngestFailure] = field(default_factory=list)
    # ids of the stored documents the given sources hold: new, unchanged or already stored
    documents: list[str] = field(default_factory=list)
    chunks_added: int = 0
    seconds: float = 0.0

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_added / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.replaced)} replaced, {len(self.unchanged)} unchanged, "
            f"{len(self.duplicates)} duplicates, {len(self.failed)} failed; {self.chunks_added} chunks "
            f"in {self.seconds:.1f}s"
        )
