"""Work spread over the machine's cores: many records parsed or made in forked
workers (fork_map), and one function run in a thread beside the caller (Beside).

Parsing YAML is the cost of a first run over a large office; above a few hundred
files a forked worker per core pays for itself. Workers are forked, so they inherit
the parent's state (a catalogue, a compiled schema) instead of receiving it pickled.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, Generic, TypeVar

PARALLEL_FROM = 300  # files to parse before a second process pays for itself
MAX_WORKERS = 4

Item = TypeVar("Item")
Result = TypeVar("Result")
Answer = TypeVar("Answer")
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


class Beside(Generic[Answer]):
    """A function under way in a thread of its own beside the caller's work (a program
    it runs, as Pagefind, shares the machine's cores with it). ``wait`` gives
    its answer, or raises what it raised."""

    def __init__(self, function: Callable[..., Answer], *args: Any) -> None:
        self._answer: Answer | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(function, args), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[..., Answer], args: tuple[Any, ...]) -> None:
        try:
            self._answer = function(*args)
        except BaseException as exc:  # handed to the caller by wait()
            self._error = exc

    def wait(self) -> Answer | None:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._answer
