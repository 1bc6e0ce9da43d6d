"""Parsing many records on every core.

Parsing YAML is the cost of a first run over a large office; above a few hundred
files a forked worker per core pays for itself. Workers are forked, so they inherit
the parent's state (a catalogue, a compiled schema) instead of receiving it pickled.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TypeVar

PARALLEL_FROM = 300  # files to parse before a second process pays for itself
MAX_WORKERS = 4

Item = TypeVar("Item")
Result = TypeVar("Result")
Progress = Callable[[int, int], None]


_in_worker = False  # a worker maps what it is given by itself: no pool within a pool


def _worker() -> None:
    global _in_worker
    _in_worker = True


def workers() -> int:
    """How many processes fork_map spreads its work over."""
    return min(os.cpu_count() or 1, MAX_WORKERS)


def fork_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    progress: Progress | None = None,
    *,
    parallel_from: int = PARALLEL_FROM,
    chunk: int | None = None,
) -> Generator[Result, None, None]:
    """``map(function, items)`` in order, spread over forked workers when there are
    at least ``parallel_from`` items and more than one core; ``progress(done,
    total)`` every hundred. A worker is handed ``chunk`` items at a time (by default
    an eighth of its share): items that are each much work are best handed one by
    one, so that no worker is left with the last few while the others wait."""
    total = len(items)
    count = workers()
    if progress:
        progress(0, total)
    if total < parallel_from or count < 2 or _in_worker or not hasattr(os, "fork"):
        mapped: Iterator[Result] = map(function, items)
        pool = None
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(
            max_workers=count,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker,
        )
        chunksize = chunk or max(1, total // (count * 8))
        mapped = pool.map(function, items, chunksize=chunksize)
    try:
        for done, outcome in enumerate(mapped, 1):
            yield outcome
            if progress and done % 100 == 0:
                progress(done, total)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if progress:
        progress(total, total)
