"""Matching in worker processes (``matcher.workers > 0``), off the event loop's process.

Matching is pure Python and numpy work that holds the GIL: in the gateway's own
process it competes with the event loop for one core. With workers, each customer
message batch is matched in another process. The index is built once by the
gateway (as before) and handed over as a pickle file per library version; a worker
loads a version the first time a batch names it and keeps it until the next one,
so a library edit reaches the workers with the first batch after it. A worker that
dies is replaced, and the batch is matched in the gateway's process meanwhile.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from bot.semantic import Encoder, SemanticMode, load_encoder
from scripts_library.matcher import Index, Match, match_many

log = logging.getLogger(__name__)

#: How much lower than the gateway's the worker processes' CPU priority is (nice).
WORKER_NICENESS = 10
#: The worker process's state: the version it holds, its index, its encoder.
_WORKER: dict[str, Any] = {}


def one_blas_thread() -> None:
    """Keep numpy's BLAS to one thread in this process. A batch's matrix products are
    small; a multi-threaded BLAS spreads them over every core and its threads spin
    waiting for work, which cost the gateway ~50 % more CPU per message with the
    semantic scorer for no gain (the event loop and the database need those cores)."""
    threadpool_limits(limits=1, user_api="blas")


def _start_worker(semantic: SemanticMode) -> None:
    one_blas_thread()
    # Below the gateway's priority: when the cores are busy, storing and answering
    # customers' messages comes first and the suggestions follow them a little later.
    os.nice(WORKER_NICENESS)
    _WORKER["encoder"] = load_encoder(semantic)


def _index(version: int, path: str) -> Index:
    if _WORKER.get("version") != version:
        with open(path, "rb") as file:
            _WORKER["index"] = pickle.load(file)
        _WORKER["version"] = version
    index: Index = _WORKER["index"]
    return index


def match_batch(
    version: int, path: str, texts: list[str], k: int, min_score: float = 0.0
) -> list[list[Match]]:
    """In a worker: the ``k`` best entries for each text against library ``version``."""
    return match_all(_index(version, path), _WORKER.get("encoder"), texts, k, min_score)


def warm(version: int, path: str) -> int:
    """In a worker: load ``version`` now (start-up), so no customer waits for it."""
    return len(_index(version, path))


def match_all(
    index: Index, encoder: Encoder | None, texts: list[str], k: int, min_score: float = 0.0
) -> list[list[Match]]:
    """Each text matched (the entries scoring at least ``min_score``), the embeddings of
    the batch computed in one call."""
    vectors = None
    if encoder is not None and index.semantic is not None:
        vectors = encoder.encode(texts)
    return match_many(texts, index, k=k, min_score=min_score, vectors=vectors)


class MatcherPool:
    """The worker processes and the index files they read."""

    def __init__(self, workers: int, semantic: SemanticMode) -> None:
        self._workers = workers
        self._semantic = semantic
        self._folder = Path(tempfile.mkdtemp(prefix="replywatch-index-"))
        self._pool = self._new_pool()
        self.snapshot: tuple[int, str] | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self._semantic,),
        )

    @property
    def executor(self) -> ProcessPoolExecutor:
        """Where batches run."""
        return self._pool

    def publish(self, version: int, index: Index) -> tuple[int, str]:
        """Write ``index`` for the workers (atomically) and drop older versions' files."""
        path = self._folder / f"index-{version}.pickle"
        partial = path.with_suffix(".partial")
        with open(partial, "wb") as file:
            pickle.dump(index, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
        for old in self._folder.glob("index-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
        self.snapshot = (version, str(path))
        return self.snapshot

    def warm_up(self) -> None:
        """Start every worker and have it load the current index."""
        if self.snapshot is not None:
            for _ in range(self._workers):
                self._pool.submit(warm, *self.snapshot)

    def replace(self) -> None:
        """A worker died: start a fresh pool (the broken one is discarded)."""
        log.error("a matcher worker process died: starting new workers")
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()
        self.warm_up()

    def close(self) -> None:
        """Stop the workers and remove the index files."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self._folder, ignore_errors=True)
