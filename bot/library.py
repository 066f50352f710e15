"""The live script library of one gateway process.

The database holds the library.  With ``matcher.library = "bundled"`` it is seeded
with the bundled default on first start and edited through the API; with a file
path, the file is the library: it is imported at start and whenever it changes.
Each process keeps an immutable :class:`Index` and swaps in a new one when the
library's version in the database moves, so a change made by any process takes
effect everywhere for the next query, without a restart.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.logs import Incident
from bot.matcher_pool import MatcherPool, match_all, match_batch
from bot.semantic import Encoder, digest, load_encoder
from bot.settings import MatcherSettings
from scripts_library.bundled import bundled_scripts
from scripts_library.files import LibraryError, Problem, parse
from scripts_library.matcher import Index, Match, build_index
from scripts_library.model import Script
from scripts_library.search import SearchIndex, build_search, search
from storage import learning, library_repo
from storage.ingest import Suggested

log = logging.getLogger(__name__)


def suggestion_item(found: Match, customer: str | None = None) -> dict[str, Any]:
    """A match as the contract's suggestion item, with ``{customer}`` filled when known."""
    text = found.text.replace("{customer}", customer or "").replace("{agent}", "")
    return {
        "script_id": found.script_id,
        "title": found.title,
        "text": text,
        "score": found.score,
        "category": found.category,
        "template": found.text,
    }


@dataclass(eq=False)
class _Request:
    """Texts waiting for the next batch, and where their suggestions go."""

    texts: list[tuple[str, str | None]]
    k: int
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[list[Suggested]] = field(init=False)

    def __post_init__(self) -> None:
        self.future = self.loop.create_future()


class Library:
    """The library as this process sees it: the current index, kept in step with storage."""

    def __init__(self, engine: AsyncEngine, settings: MatcherSettings) -> None:
        self._engine = engine
        self._settings = settings
        self._index = build_index(())
        self._version = -1
        self._lock = asyncio.Lock()
        self._file_digest: str | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="replywatch-matcher")
        # Rebuilding a large library's index takes seconds (12 s at 10,000 entries): it
        # runs beside the matcher thread, which keeps answering from the current index.
        self._builder = ThreadPoolExecutor(1, thread_name_prefix="replywatch-indexer")
        self._searchable: tuple[Index, SearchIndex] | None = None
        self._by_id: tuple[Index, dict[str, Script]] | None = None
        self._waiting: list[_Request] = []
        self._batching: asyncio.Task[None] | None = None
        self._incident = Incident(log, "the script library refresh")
        self._encoder: Encoder | None = load_encoder(settings.semantic)
        self._pool = MatcherPool(settings.workers, settings.semantic) if settings.workers else None

    @property
    def semantic(self) -> str | None:
        """The sentence encoder's name when semantic matching is on."""
        return self._encoder.name if self._encoder else None

    def script(self, script_id: str) -> Script | None:
        """The current library's entry ``script_id``, or None."""
        index = self._index
        if self._by_id is None or self._by_id[0] is not index:
            self._by_id = (index, {s.id: s for s in index.scripts})
        return self._by_id[1].get(script_id)

    @property
    def index(self) -> Index:
        """The current index (replaced whole, never modified)."""
        return self._index

    @property
    def file(self) -> Path | None:
        """The library file, when the library is file-backed."""
        source = self._settings.library
        return None if source == "bundled" else Path(source).expanduser()

    async def start(self) -> None:
        """Seed or import the configured source, then load the index."""
        if self.file is None:
            if await library_repo.seed_if_empty(self._engine, bundled_scripts()):
                log.info("script library seeded with the bundled default")
        else:
            await self.sync_file()
        await self.refresh()

    async def sync_file(self, *, strict: bool = True) -> bool:
        """Import the library file if it changed; True when it was imported.

        A bad file raises at start (``strict``) and is logged and skipped later,
        keeping the library as it was.
        """
        path = self.file
        if path is None:
            return False
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return self._reject(LibraryError([Problem(None, None, f"cannot read: {exc}")]), strict)
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest == self._file_digest:
            return False
        try:
            scripts = parse(text, "csv" if path.suffix == ".csv" else "toml")
        except LibraryError as exc:
            return self._reject(exc, strict)
        result = await library_repo.import_scripts(self._engine, scripts, replace=True)
        self._file_digest = digest
        log.info("script library imported from %s: %s", path, result)
        return True

    def _reject(self, error: LibraryError, strict: bool) -> bool:
        if strict:
            raise error
        log.error(
            "script library file %s not reloaded, keeping the current library: %s", self.file, error
        )
        return False

    async def refresh(self) -> bool:
        """Rebuild the index if the stored library changed; True when it did."""
        async with self._lock:
            current = await library_repo.version(self._engine)
            if current == self._version:
                return False
            found, scripts = await library_repo.load(self._engine)
            embeddings = await self._embeddings(scripts)
            loop = asyncio.get_running_loop()
            self._index = await loop.run_in_executor(
                self._builder, build_index, scripts, embeddings
            )
            self._version = found
            if self._pool is not None:
                first = self._pool.snapshot is None
                await loop.run_in_executor(self._builder, self._pool.publish, found, self._index)
                if first:
                    self._pool.warm_up()
            log.info("script library at version %d: %d entries", found, len(scripts))
            return True

    async def _embeddings(self, scripts: list[Script]) -> npt.NDArray[np.float32] | None:
        """Every question's embedding: stored ones read back, new ones encoded and stored."""
        encoder = self._encoder
        if encoder is None:
            return None
        questions = [q for s in scripts for q in s.questions]
        keys = [digest(q) for q in questions]
        stored = await learning.embeddings(self._engine, encoder.name, keys)
        pairs = zip(questions, keys, strict=True)
        missing = list(dict.fromkeys(q for q, k in pairs if k not in stored))
        if missing:
            loop = asyncio.get_running_loop()
            vectors = await loop.run_in_executor(self._builder, encoder.encode, missing)
            made = {digest(q): v.tobytes() for q, v in zip(missing, vectors, strict=True)}
            await learning.save_embeddings(self._engine, encoder.name, made)
            stored.update(made)
            log.info("encoded %d new library questions (%s)", len(missing), encoder.name)
        if not keys:
            return None
        return np.stack([np.frombuffer(stored[k], dtype=np.float32) for k in keys])

    async def tick(self) -> None:
        """Periodic job: pick up file changes and other processes' edits."""
        try:
            await self.sync_file(strict=False)
            await self.refresh()
        except Exception as exc:
            self._incident.failed(exc)  # the current index stays in use
            return
        self._incident.ok()

    def matches(self, texts: list[str], k: int) -> list[list[Match]]:
        """The ``k`` best entries for each text, every score shown (runs on the caller's
        thread: the messages' embeddings are computed in one batch)."""
        return match_all(self._index, self._encoder, texts, k)

    def _suggested(
        self, texts: list[tuple[str, str | None]], found_all: list[list[Match]]
    ) -> list[Suggested]:
        out = []
        for (_text, customer), found in zip(texts, found_all, strict=True):
            items = [suggestion_item(m, customer) for m in found]
            out.append(Suggested(items, found[0].score if found else 0.0, bool(items)))
        return out

    async def suggest_many(
        self, texts: list[tuple[str, str | None]], k: int | None = None
    ) -> list[Suggested]:
        """Suggestions for several ``(text, customer name)`` pairs, off the event loop.

        Requests that arrive while a batch is being matched wait for the next batch and
        are matched together (one call, one encoder pass), so under load the matcher
        works in batches without a timer adding latency when it is idle.
        """
        if not texts:
            return []
        request = _Request(texts, k or self._settings.top_k, asyncio.get_running_loop())
        self._waiting.append(request)
        if self._batching is None or self._batching.done():
            self._batching = asyncio.create_task(self._drain(), name="replywatch-matcher-batch")
        return await request.future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            plain = [text for request in batch for text, _ in request.texts]
            try:
                found = await self._match(plain, max(request.k for request in batch))
            except Exception as exc:
                for request in batch:
                    if not request.future.done():
                        request.future.set_exception(exc)
                continue
            offset = 0
            for request in batch:
                mine = [f[: request.k] for f in found[offset : offset + len(request.texts)]]
                offset += len(request.texts)
                if not request.future.done():
                    request.future.set_result(self._suggested(request.texts, mine))

    async def _match(self, texts: list[str], k: int) -> list[list[Match]]:
        # Entries under the cutoff are never shown: the matcher skips scoring them exactly.
        loop, floor = asyncio.get_running_loop(), self._settings.min_score
        pool = self._pool
        if pool is not None and pool.snapshot is not None:
            try:
                return await loop.run_in_executor(
                    pool.executor, match_batch, *pool.snapshot, texts, k, floor
                )
            except BrokenProcessPool:
                pool.replace()
        index, encoder = self._index, self._encoder
        return await loop.run_in_executor(self._thread, match_all, index, encoder, texts, k, floor)

    async def search(self, query: str, k: int = 10) -> list[tuple[Script, float]]:
        """Entries containing ``query`` in any field (the console's library search)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._search_sync, query, k)

    def _search_sync(self, query: str, k: int) -> list[tuple[Script, float]]:
        index = self._index
        if self._searchable is None or self._searchable[0] is not index:
            self._searchable = (index, build_search(index.scripts))
        return search(query, self._searchable[1], k)

    async def suggest(self, text: str, k: int | None = None) -> Suggested:
        """Suggestions for one text."""
        return (await self.suggest_many([(text, None)], k))[0]

    def close(self) -> None:
        """Stop the matcher and indexer threads."""
        if self._batching is not None:
            self._batching.cancel()
        self._thread.shutdown(wait=True)
        self._builder.shutdown(wait=True)
        if self._pool is not None:
            self._pool.close()
