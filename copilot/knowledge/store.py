"""The vector store: one Chroma collection of chunks, embedded (PersistentClient) or a server (HttpClient)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from copilot.config import Settings
from copilot.errors import ConfigError, ProviderUnavailableError
from copilot.knowledge.embeddings import build_embedding_function

# the catalog's schema version is part of the name: a rebuilt knowledge base never mixes with the old one
COLLECTION = "verity_chunks_v2"
SHARED = ""  # the owner metadata of the shared corpus (Chroma metadata cannot be null)
_BATCH = 2000  # Chroma caps one add at its max batch size; stay well below it
_VECTOR_CACHE = 100_000  # vectors kept in memory for exact scoring of small filtered sets (~100 MB)


@contextmanager
def _chroma_errors(action: str) -> Iterator[None]:
    """Chroma and its HTTP client fail with many exception types: all mean the store is unavailable."""
    try:
        yield
    except ProviderUnavailableError:
        raise
    except ValueError as exc:
        if "Embedding function conflict" in str(exc):  # the store was built with other embeddings
            raise ConfigError(
                f"the knowledge base was built with other embeddings ({exc}); use the same "
                "VERITY_EMBEDDINGS as when it was built, or a new data dir"
            ) from exc
        raise ProviderUnavailableError(f"vector store {action} failed: {exc}", provider="chroma") from exc
    except Exception as exc:
        raise ProviderUnavailableError(f"vector store {action} failed: {exc}", provider="chroma") from exc


class VectorStore:
    """Chunks with their embeddings and metadata; similarity search with metadata filters."""

    def __init__(self, settings: Settings) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.embedding_function = build_embedding_function(settings)
        self._vectors: dict[str, np.ndarray] = {}
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        with _chroma_errors("connection"):
            if settings.chroma_url:
                from urllib.parse import urlparse

                url = urlparse(settings.chroma_url)
                self.client: Any = chromadb.HttpClient(
                    host=url.hostname or "localhost",
                    port=url.port or 8000,
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
                self.client.heartbeat()
            else:
                path = settings.data_dir / "knowledge" / "chroma"
                path.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            self.collection = self.client.get_or_create_collection(
                COLLECTION,
                embedding_function=self.embedding_function,
                metadata={"hnsw:space": "cosine"},
            )

    def embed(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Embeddings of the given texts (title-prefixed chunk text at ingest, the question at search)."""
        return list(self.embedding_function(list(texts)))

    def add(self, ids: list[str], embed_texts: list[str], metadatas: list[dict[str, Any]]) -> None:
        """Store chunk vectors and metadata; embeddings come from ``embed_texts`` (chunk text with its title).

        The chunk text itself lives in the catalog: Chroma's full-text index of documents would cost
        three quarters of the ingest time and nothing here searches it.
        """
        for start in range(0, len(ids), _BATCH):
            end = start + _BATCH
            vectors = self.embed(embed_texts[start:end])
            with _chroma_errors("write"):
                self.collection.upsert(
                    ids=ids[start:end],
                    embeddings=vectors,
                    metadatas=metadatas[start:end],
                )

    def delete(self, ids: list[str]) -> None:
        """Remove chunks by id."""
        self.forget(ids)
        for start in range(0, len(ids), _BATCH):
            with _chroma_errors("delete"):
                self.collection.delete(ids=ids[start : start + _BATCH])

    def query(self, text: str, n: int, viewer: str | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks the viewer may see (shared + their own).

        The owner filter runs inside the store's query, so another user's chunks never take a place.
        """
        if n <= 0:
            return []
        where: dict[str, Any] = {"owner": {"$in": [SHARED, viewer]}} if viewer else {"owner": SHARED}
        with _chroma_errors("query"):
            result = self.collection.query(
                query_embeddings=self.embed([text]),
                n_results=n,
                where=where,
                include=["distances"],
            )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[1.0] * len(ids)])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def similarities(self, text: str, chunk_ids: Sequence[str]) -> np.ndarray:
        """Exact cosine similarity of the query to each given chunk (for small filtered sets, where
        Chroma's metadata-filtered query is slower than fetching the vectors by id)."""
        missing = [i for i in chunk_ids if i not in self._vectors]
        if missing:
            with _chroma_errors("read"):
                got = self.collection.get(ids=missing, include=["embeddings"])
            if len(self._vectors) + len(missing) > _VECTOR_CACHE:
                self._vectors.clear()
            self._vectors.update(
                zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32), strict=True)
            )
        if not chunk_ids:
            return np.zeros(0, dtype=np.float32)
        matrix = np.stack([self._vectors[i] for i in chunk_ids])
        query = np.asarray(self.embed([text])[0], dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(query) or 1.0)
        return np.asarray(matrix @ query / np.where(norms == 0, 1.0, norms), dtype=np.float32)

    def forget(self, chunk_ids: Sequence[str]) -> None:
        """Drop cached vectors of deleted chunks."""
        for chunk_id in chunk_ids:
            self._vectors.pop(chunk_id, None)

    def drop(self) -> None:
        """Delete the whole collection (a rebuild starts from an empty one)."""
        with _chroma_errors("delete"):
            self.client.delete_collection(COLLECTION)
            self.collection = self.client.get_or_create_collection(
                COLLECTION, embedding_function=self.embedding_function, metadata={"hnsw:space": "cosine"}
            )
        self._vectors.clear()

    def count(self) -> int:
        with _chroma_errors("count"):
            return int(self.collection.count())
