"""The vector store: Chroma collections of chunks, embedded (PersistentClient) or a server (HttpClient).

The shared corpus is one collection and each owner's documents another: a search queries the shared
collection and the viewer's own, so another user's chunks are never even candidates. (One collection
with an owner filter gives the same results, but Chroma's filtered query took 230 ms instead of 7 ms
at 32,000 chunks.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from copilot.config import Settings
from copilot.errors import ConfigError, ProviderUnavailableError, VerityError
from copilot.knowledge.embeddings import build_embedding_function

# the catalog's schema version is part of the name: a rebuilt knowledge base never mixes with the old one
COLLECTION = "verity_chunks_v2"
SHARED = ""  # the owner metadata of the shared corpus (Chroma metadata cannot be null)
_OWNED = f"{COLLECTION}_owner_"  # + a hash of the owner id (any string; collection names are restricted)
_BATCH = 2000  # Chroma caps one add at its max batch size; stay well below it
_VECTOR_CACHE = 100_000  # vectors kept in memory for exact scoring of small filtered sets (~100 MB)


@contextmanager
def _chroma_errors(action: str) -> Iterator[None]:
    """Chroma and its HTTP client fail with many exception types: all mean the store is unavailable."""
    try:
        yield
    except VerityError:  # already typed (an inner call's error)
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
    """Chunks with their embeddings and metadata; similarity search over what a viewer may see."""

    def __init__(self, settings: Settings) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.embedding_function = build_embedding_function(settings)
        self._vectors: dict[str, np.ndarray] = {}
        self._collections: dict[str, Any] = {}
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
            self.collection = self._collection(None)

    @staticmethod
    def collection_name(owner: str | None) -> str:
        """The shared collection, or the one of an owner."""
        if owner is None:
            return COLLECTION
        return _OWNED + hashlib.sha256(owner.encode()).hexdigest()[:32]

    def _collection(self, owner: str | None, create: bool = True) -> Any:
        name = self.collection_name(owner)
        if name not in self._collections:
            with _chroma_errors("connection"):
                if create:
                    found = self.client.get_or_create_collection(
                        name, embedding_function=self.embedding_function, metadata={"hnsw:space": "cosine"}
                    )
                else:
                    names = {getattr(c, "name", c) for c in self.client.list_collections()}
                    if name not in names:
                        return None
                    found = self.client.get_collection(name, embedding_function=self.embedding_function)
            self._collections[name] = found
        return self._collections[name]

    def embed(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Embeddings of the given texts (title-prefixed chunk text at ingest, the question at search)."""
        return list(self.embedding_function(list(texts)))

    def add(
        self,
        ids: list[str],
        embed_texts: list[str],
        metadatas: list[dict[str, Any]],
        owner: str | None = None,
    ) -> None:
        """Store chunk vectors and metadata; embeddings come from ``embed_texts`` (chunk text with its title).

        The chunk text itself lives in the catalog: Chroma's full-text index of documents would cost
        three quarters of the ingest time and nothing here searches it.
        """
        collection = self._collection(owner)
        for start in range(0, len(ids), _BATCH):
            end = start + _BATCH
            vectors = self.embed(embed_texts[start:end])
            with _chroma_errors("write"):
                collection.upsert(ids=ids[start:end], embeddings=vectors, metadatas=metadatas[start:end])

    def delete(self, ids: list[str], owner: str | None = None) -> None:
        """Remove chunks by id."""
        self.forget(ids)
        collection = self._collection(owner, create=False)
        if collection is None:
            return
        for start in range(0, len(ids), _BATCH):
            with _chroma_errors("delete"):
                collection.delete(ids=ids[start : start + _BATCH])

    def query(self, text: str, n: int, viewer: str | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks the viewer may see (shared + their own)."""
        if n <= 0:
            return []
        query = self.embed([text])
        collections = [self.collection]
        own = self._collection(viewer, create=False) if viewer is not None else None
        if own is not None:
            collections.append(own)
        hits: list[tuple[str, float]] = []
        for collection in collections:
            with _chroma_errors("query"):
                result = collection.query(query_embeddings=query, n_results=n, include=["distances"])
            ids = result["ids"][0]
            distances = (result.get("distances") or [[1.0] * len(ids)])[0]
            hits.extend((i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True))
        return sorted(hits, key=lambda hit: -hit[1])[:n]

    def similarities(self, text: str, chunk_ids: Sequence[str], viewer: str | None = None) -> np.ndarray:
        """Exact cosine similarity of the query to each given chunk (for small filtered sets, where
        a metadata-filtered query is slower than fetching the vectors by id)."""
        missing = [i for i in chunk_ids if i not in self._vectors]
        owners = [None] if viewer is None else [None, viewer]
        for owner in owners:
            collection = self._collection(owner, create=False) if owner is not None else self.collection
            if not missing or collection is None:
                continue
            with _chroma_errors("read"):
                got = collection.get(ids=missing, include=["embeddings"])
            if len(self._vectors) + len(missing) > _VECTOR_CACHE:
                self._vectors.clear()
            self._vectors.update(
                zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32), strict=True)
            )
            missing = [i for i in missing if i not in self._vectors]
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
        """Delete every collection of this knowledge base (a rebuild starts from empty ones)."""
        with _chroma_errors("delete"):
            for found in self.client.list_collections():
                name = getattr(found, "name", found)
                if name == COLLECTION or str(name).startswith(_OWNED):
                    self.client.delete_collection(name)
        self._collections.clear()
        self._vectors.clear()
        self.collection = self._collection(None)

    def count(self, owner: str | None = None) -> int:
        """Chunks stored for the shared corpus, or for one owner."""
        collection = self.collection if owner is None else self._collection(owner, create=False)
        if collection is None:
            return 0
        with _chroma_errors("count"):
            return int(collection.count())
