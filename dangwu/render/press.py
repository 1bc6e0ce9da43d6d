"""Typesetting many PDFs at once (an archive's thousands): Typst run in worker
processes of their own, one per core, fed pages while the caller lays out the next.

Workers are started afresh (``python -m dangwu.render.press``), never forked: Typst
typesets on threads, which a process forked from one that has typeset would wait
for in vain. A worker keeps what Typst memoizes for as long as it lives (Typst's
cache is never emptied by its Python binding), so one holding much (``RETIRE_AT``)
is let go and another started. Each page is a folder holding ``page.typ`` and its
images, removed once typeset.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dangwu.i18n import _

RETIRE_AT = 400 * 1024 * 1024  # a worker holding this much memory is let go
AHEAD = 4  # pages waiting per worker before the caller waits


def typeset_page(
    compiler: Any, root: Path, when: datetime | None, standards: list[str], plain_ok: bool
) -> tuple[bytes, bool]:
    """The PDF of ``root/page.typ``, and whether it had to be made plain: with
    ``plain_ok``, a page whose template asks for what PDF/A forbids is made as plain
    PDF rather than refused."""
    try:
        return _compile(compiler, root, when, standards), False
    except (RuntimeError, ValueError) as exc:
        if not standards or not plain_ok or "PDF/A" not in str(exc):
            raise
        return _compile(compiler, root, when, []), True


def _compile(compiler: Any, root: Path, when: datetime | None, standards: list[str]) -> bytes:
    pdf: bytes = compiler.compile(
        input=str(root / "page.typ"),
        root=str(root),
        timestamp=when,
        pdf_tags=False,
        pdf_standards=standards,
        # templates may tell an archival PDF (the circular's red is RGB there)
        sys_inputs={"archival": "1"} if standards else {},
    )
    return pdf


def complaint(exc: Exception) -> tuple[str, str]:
    """What Typst said of a page it could not typeset: its message, and the
    diagnostic that names the line (``page.typ:12:3``), when it gave one."""
    message = getattr(exc, "message", None) or (str(exc).splitlines() or ["?"])[0]
    return str(message), str(getattr(exc, "diagnostic", "") or "")


def new_compiler(packages: Path) -> Any:
    """A Typst compiler that reads the installed fonts once and never fetches a
    package (``packages`` stays empty)."""
    import typst

    packages.mkdir(parents=True, exist_ok=True)
    return typst.Compiler(package_path=str(packages), package_cache_path=str(packages))


@dataclass
class Failure:
    target: Path
    message: str
    diagnostic: str
    source: str


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    pending: dict[int, tuple[Path, Path, str]] = field(default_factory=dict)
    reader: threading.Thread | None = None


class Press:
    """Workers typesetting pages in the background: ``submit`` a page, ``wait`` for
    all; what failed is reported by ``wait``, the first failure as it happened."""

    def __init__(self, workers: int | None = None) -> None:
        self.count = max(1, workers or os.cpu_count() or 1)
        self.workers: list[_Worker] = []  # taking pages
        self.every: list[_Worker] = []  # and those finishing the pages they have
        self.plain: list[Path] = []  # written as plain PDF, not PDF/A
        self.failures: list[Failure] = []
        self.lock = threading.Condition()
        self.next_id = 0

    def submit(
        self, root: Path, target: Path, source: str, when: datetime | None, standards: list[str]
    ) -> None:
        with self.lock:
            worker = self._free()
            self.next_id += 1
            job = {
                "id": self.next_id,
                "root": str(root),
                "target": str(target),
                "when": when.isoformat() if when else None,
                "standards": standards,
            }
            worker.pending[self.next_id] = (root, target, source)
            assert worker.process.stdin is not None
            try:
                worker.process.stdin.write(json.dumps(job).encode() + b"\n")
                worker.process.stdin.flush()
            except OSError:  # the worker is gone: its reader fails what it held
                if worker in self.workers:
                    self.workers.remove(worker)

    def wait(self) -> None:
        """Until every page submitted is typeset (or has failed)."""
        with self.lock:
            while any(w.pending for w in self.every):
                self.lock.wait()

    def close(self) -> None:
        """Let every worker go, once it has typeset what it has."""
        with self.lock:
            for worker in list(self.workers):
                self._retire(worker)
        for worker in self.every:
            if worker.reader is not None:
                worker.reader.join()

    def _free(self) -> _Worker:
        """The worker with least to do, started if there are fewer than wanted; waits
        while every worker has enough ahead of it."""
        while True:
            if len(self.workers) < self.count:
                return self._start()
            worker = min(self.workers, key=lambda w: len(w.pending))
            if len(worker.pending) < AHEAD:
                return worker
            self.lock.wait()

    def _start(self) -> _Worker:
        process = subprocess.Popen(
            [sys.executable, "-m", "dangwu.render.press"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        worker = _Worker(process)
        worker.reader = threading.Thread(target=self._read, args=(worker,), daemon=True)
        worker.reader.start()
        self.workers.append(worker)
        self.every.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        """No more pages for ``worker``: it finishes those it has and ends."""
        self.workers.remove(worker)
        assert worker.process.stdin is not None
        with contextlib.suppress(OSError):  # one that is gone already
            worker.process.stdin.close()

    def _read(self, worker: _Worker) -> None:
        assert worker.process.stdout is not None
        for line in worker.process.stdout:
            said = json.loads(line)
            with self.lock:
                root, target, source = worker.pending.pop(said["id"])
                if "error" in said:
                    self.failures.append(
                        Failure(target, said["error"], said.get("diagnostic", ""), source)
                    )
                elif said.get("plain"):
                    self.plain.append(target)
                if said.get("memory", 0) > RETIRE_AT and worker in self.workers:
                    self._retire(worker)  # it ends after the pages it has
                self.lock.notify_all()
        worker.process.wait()
        with self.lock:  # a worker that died leaves its pages failed
            for root, target, source in worker.pending.values():
                shutil.rmtree(root, ignore_errors=True)
                self.failures.append(Failure(target, _("the typesetter stopped"), "", source))
            worker.pending.clear()
            if worker in self.workers:
                self.workers.remove(worker)
            self.lock.notify_all()


def _serve(reply: Callable[[dict[str, Any]], None]) -> None:
    packages = Path(tempfile.mkdtemp(prefix="dangwu-press-"))
    try:
        compiler = new_compiler(packages)
        for line in sys.stdin.buffer:
            job = json.loads(line)
            root = Path(job["root"])
            when = datetime.fromisoformat(job["when"]) if job["when"] else None
            try:
                pdf, plain = typeset_page(compiler, root, when, job["standards"], True)
                Path(job["target"]).write_bytes(pdf)
                reply({"id": job["id"], "plain": plain, "memory": _memory()})
            except (RuntimeError, ValueError, OSError) as exc:
                message, diagnostic = complaint(exc)
                reply({"id": job["id"], "error": message, "diagnostic": diagnostic})
            finally:
                shutil.rmtree(root, ignore_errors=True)
    finally:
        shutil.rmtree(packages, ignore_errors=True)


def _memory() -> int:
    """The bytes this process holds in memory now (0 where the system does not say)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def main() -> None:
    out = sys.stdout.buffer

    def reply(said: dict[str, Any]) -> None:
        out.write(json.dumps(said).encode() + b"\n")
        out.flush()

    _serve(reply)


if __name__ == "__main__":
    main()
