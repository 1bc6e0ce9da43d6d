"""The site's search index: Pagefind, built into the site's own files.

Pagefind (from PyPI, its "extended" build, which splits Chinese text into words)
reads the built pages and writes an index the browser searches by itself: no
server, no network. Only what a page marks ``data-pagefind-body`` is indexed,
the record pages. The index is made in parts (a site's: one per category), each
built beside the old one and then renamed into its place, so a reader searching
while the site is rebuilt never reads half of one.

The parts of a build are made by Pagefind run as a service (the protocol its own
Node and Python APIs speak: base64 JSON messages, each followed by a comma, on its
standard input and output): one process, or two sharing the parts where there are
cores for both. A Pagefind process costs about 0.2 s before it reads a page, most
of a small site's build. The service gives each bundle's files and dangwu writes
them: they are the bytes its command line writes. Pagefind's Python API would do
the same, but waits a tenth of a second before reading each answer.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import IO, Any

from dangwu.errors import DangwuError
from dangwu.i18n import _
from dangwu.store.files import write_whole
from dangwu.store.pool import Beside

FOLDER = "pagefind"
# the pages to index from which a second Pagefind pays for its start (0.2 s of CPU
# reading its Chinese dictionary): the sample office's 43 pages build in 0.60 s wall
# either way, 0.87 s of CPU with two and 0.65 s with one; 532 pages in 1.23-1.29 s
# with two, 1.33-1.53 s with one
TWO_LANES_FROM = 200


def indexer() -> str | None:
    """The Pagefind program that reads Chinese, or None when it is not installed
    (``PAGEFIND_BINARY_PATH`` names another, as it does for Pagefind's own APIs)."""
    named = os.environ.get("PAGEFIND_BINARY_PATH")
    if named:
        return named
    try:
        from pagefind_bin_extended import get_executable

        return str(get_executable())
    except (ImportError, FileNotFoundError):
        return shutil.which("pagefind_extended")


def build_index(
    site: Path,
    parts: Mapping[str, str],
    stale: Collection[str],
    sizes: Mapping[str, int] | None = None,
) -> bool:
    """Index the pages of ``site`` part by part: each part (a name, and the glob of its
    pages) into its own bundle, ``site/pagefind/<name>/``, which the search page
    merges in the browser. Only the parts in ``stale``, and those without a bundle,
    are indexed again: one changed record costs its part, not the whole site.
    Bundles of parts no longer named are removed. ``sizes``: how many pages each
    part has, where the caller knows (the parts are shared out by it). False when
    Pagefind is not installed (the site then has no search, and says so)."""
    program = indexer()
    if program is None:
        return False
    try:
        _index_parts(program, site / FOLDER, site, parts, stale, sizes or {})
    except OSError as exc:  # the site's folder, as the disk allows it
        raise _refused(f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc)) from None
    return True


def _refused(error: str) -> DangwuError:
    return DangwuError(_("the search index could not be built: {error}").format(error=error))


def _index_parts(
    program: str,
    root: Path,
    site: Path,
    parts: Mapping[str, str],
    stale: Collection[str],
    sizes: Mapping[str, int],
) -> None:
    root.mkdir(exist_ok=True)
    todo = {
        name: glob
        for name, glob in sorted(parts.items())
        if name in stale or not (root / name / "pagefind-entry.json").is_file()
    }
    lanes = _lanes(site, todo, sizes)
    if len(lanes) == 1:
        _index_lane(program, root, site, lanes[0])
    elif lanes:
        # Pagefind builds an index mostly on one core: two services, each with its
        # share of the parts, use both (the 5,312 pages of the 10,000-record office:
        # 7.8-8.1 s one after another, 6.2-6.6 s in two lanes)
        running = [Beside(_index_lane, program, root, site, lane) for lane in lanes]
        failures: list[BaseException] = []
        for lane in running:  # every lane ends before a failure is raised
            try:
                lane.wait()
            except BaseException as exc:
                failures.append(exc)
        if failures:
            raise failures[0]
    for gone in root.iterdir():
        if gone.is_dir() and gone.name not in parts:
            shutil.rmtree(gone, ignore_errors=True)


def _lanes(
    site: Path, todo: Mapping[str, str], known: Mapping[str, int] | None = None
) -> list[dict[str, str]]:
    """The parts to index shared out between the services that index them: two, each
    with about half the pages, when there are parts enough and cores to spare; one
    where a portal keeps a service for its sections (its workers fill the cores)."""
    if not todo:
        return []
    if len(todo) < 2 or _keeping() is not None or (os.cpu_count() or 1) < 2:
        return [dict(todo)]
    # the caller knows how many pages a part has: counting them here took 0.6 s of a
    # cold build of 10,000 records, while both cores waited for Pagefind to start
    sizes = {
        name: known[name] if known and name in known else sum(1 for _ in site.glob(glob))
        for name, glob in todo.items()
    }
    if sum(sizes.values()) < TWO_LANES_FROM:
        return [dict(todo)]
    lanes: list[dict[str, str]] = [{}, {}]
    loads = [0, 0]
    for name in sorted(todo, key=lambda n: (-sizes[n], n)):
        lightest = loads.index(min(loads))
        lanes[lightest][name] = todo[name]
        loads[lightest] += sizes[name]
    return [lane for lane in lanes if lane]


def _index_lane(program: str, root: Path, site: Path, lane: Mapping[str, str]) -> None:
    """Index the parts of ``lane`` one after another, each beside its old bundle and
    then renamed into its place."""
    with _using(program) as service:
        for name, glob in lane.items():
            current = root / name
            fresh = root / f".{name}.new"
            old = root / f".{name}.old"
            for leftover in (fresh, old):
                shutil.rmtree(leftover, ignore_errors=True)
            try:
                service.index(site, glob, fresh)
            except DangwuError:
                shutil.rmtree(fresh, ignore_errors=True)
                raise
            if current.exists():
                current.rename(old)
            fresh.rename(current)
            shutil.rmtree(old, ignore_errors=True)


class _Kept:
    """The Pagefind services kept for every index built in a block (see one_pagefind):
    one for each program asked for, by the process that began the block."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.services: dict[str, tuple[contextlib.ExitStack, _Service]] = {}

    def let_go(self, program: str, failure: BaseException | None = None) -> None:
        """End the service kept for ``program``, if there is one: told its input has
        ended, or killed on a failure."""
        held = self.services.pop(program, None)
        if held is None:
            return
        if failure is None:
            held[0].close()
        else:
            held[0].__exit__(type(failure), failure, failure.__traceback__)

    def stop(self, failure: BaseException | None) -> None:
        """Let each service go (see let_go)."""
        for program in list(self.services):
            self.let_go(program, failure)


_kept: _Kept | None = None


def _keeping() -> _Kept | None:
    """The block of kept services this process is in (not one it was forked in)."""
    return _kept if _kept is not None and _kept.pid == os.getpid() else None


@contextlib.contextmanager
def one_pagefind() -> Iterator[None]:
    """Inside the block, the indexes this process builds are all made by one Pagefind
    service, started when first needed: a portal's sections, built one after another
    in a worker, pay Pagefind's start once, not once each. A block inside another is
    the outer one's; a process forked inside one keeps services of its own. A
    service that fails is stopped at once (the next index starts another), and a
    failure out of the block stops them all."""
    global _kept
    if _keeping() is not None:
        yield
        return
    outer, kept = _kept, _Kept()
    _kept = kept
    try:
        yield
    except BaseException as exc:
        kept.stop(exc)
        raise
    else:
        kept.stop(None)
    finally:
        _kept = outer


@contextlib.contextmanager
def _using(program: str) -> Iterator[_Service]:
    """The kept service (see one_pagefind) if there is one, else one for this build."""
    kept = _keeping()
    if kept is None:
        with _service(program) as service:
            yield service
        return
    held = kept.services.get(program)
    if held is None or not held[1].alive():
        kept.let_go(program)  # one gone since it was last asked
        stack = contextlib.ExitStack()
        held = kept.services[program] = (stack, stack.enter_context(_service(program)))
    try:
        yield held[1]
    except BaseException as exc:
        kept.let_go(program, exc)  # one that failed mid-answer is asked nothing more
        raise


@contextlib.contextmanager
def _service(program: str) -> Iterator[_Service]:
    """A Pagefind service for the length of the block; killed if the block fails."""
    with tempfile.TemporaryFile() as errors:
        try:
            # in a folder that stays: a kept service (one_pagefind) may outlive the
            # folder it was started from, and Pagefind then reads nothing at all
            process = subprocess.Popen(
                [program, "--service"],
                cwd="/",
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except OSError as exc:
            raise _refused(exc.strerror or str(exc)) from None
        try:
            yield _Service(process, errors)
        except BaseException:
            process.kill()  # it failed, or was interrupted: it has nothing more to write
            raise
        finally:
            with contextlib.suppress(OSError):  # it may have gone already
                if process.stdin is not None:
                    process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()


class _Service:
    """One Pagefind process answering requests: an index per bundle, each made from
    the pages of a glob and written where it is asked to be."""

    def __init__(self, process: subprocess.Popen[bytes], errors: IO[bytes]) -> None:
        self._process = process
        self._errors = errors
        self._sent = 0
        self._pending = bytearray()  # what Pagefind sent after the last whole message

    def alive(self) -> bool:
        return self._process.poll() is None

    def index(self, site: Path, glob: str, output: Path) -> None:
        """The pages of ``site`` that ``glob`` names, indexed into ``output`` (a folder
        that is not there yet).

        Pagefind is asked for the bundle's files and they are written here. Asked to
        write them itself, it answers before its last writes are on disk, and the
        service leaves at once when its input ends: a bundle was left with an empty
        ``pagefind-entry.json`` one build in five on a 2-core machine."""
        made = self._ask({"type": "NewIndex", "config": None})
        number = made["index_id"]
        self._ask({"type": "AddDir", "index_id": number, "path": str(site.resolve()), "glob": glob})
        files = self._ask({"type": "GetFiles", "index_id": number}).get("files")
        self._ask({"type": "DeleteIndex", "index_id": number})
        try:
            _write_bundle(output, files)
        except OSError as exc:
            raise _refused(exc.strerror or str(exc)) from None

    def _ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        self._sent += 1
        message = json.dumps({"message_id": self._sent, "payload": payload})
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(base64.b64encode(message.encode("utf-8")) + b",")
            stdin.flush()
            while True:
                answer = self._read(stdout)
                if answer.get("message_id") in (self._sent, None):
                    break
        except (OSError, ValueError) as exc:
            raise self._failed(str(exc)) from None
        said: dict[str, Any] = answer.get("payload") or {}
        if said.get("type") == "Error" or answer.get("message_id") is None:
            # Pagefind's own words for what it could not do
            raise _refused(str(said.get("message") or said).strip())
        return said

    def _read(self, stdout: IO[bytes]) -> dict[str, Any]:
        """The next message Pagefind sends: base64 JSON up to a comma (a bundle's files
        come as one message of megabytes: read as it comes, not byte by byte)."""
        searched = 0
        while (comma := self._pending.find(b",", searched)) < 0:
            searched = len(self._pending)
            chunk = stdout.read1(1 << 16)  # type: ignore[attr-defined]
            if not chunk:
                raise ValueError("Pagefind stopped")
            self._pending += chunk
        message = bytes(self._pending[:comma])
        del self._pending[: comma + 1]
        answer = json.loads(base64.b64decode(message))
        if not isinstance(answer, dict):
            raise ValueError(f"Pagefind said {answer!r}")
        return answer

    def _failed(self, error: str) -> DangwuError:
        """Pagefind stopped, or said what is not its protocol: what it wrote on its
        error stream says why, else what went wrong here."""
        self._errors.seek(0)
        said = self._errors.read().decode("utf-8", "replace").splitlines()
        return _refused(_why(said, error))


def _write_bundle(output: Path, files: Any) -> None:
    """Write the files Pagefind gave for a bundle (each a path inside it and its bytes in
    base64) into ``output``; a path that would leave the bundle is refused."""
    if not isinstance(files, list):
        said = repr(files)[:200]
        raise _refused(
            _("Pagefind answered with what is not a list of files: {said}").format(said=said)
        )
    output.mkdir()
    folders = {""}
    # a site's index is thousands of small files (5,440: 0.63 s with pathlib, 0.2 s so)
    for file in files:
        relative = PurePosixPath(str(file.get("path", "")) if isinstance(file, dict) else "")
        if not relative.parts or relative.is_absolute() or ".." in relative.parts:
            raise _refused(
                _("Pagefind named a file outside the index: '{path}'").format(path=relative)
            )
        parent = "/".join(relative.parts[:-1])
        if parent not in folders:
            os.makedirs(f"{output}/{parent}", exist_ok=True)  # noqa: PTH103
            folders.add(parent)
        try:
            content = base64.b64decode(str(file.get("content", "")), validate=True)
        except ValueError:
            raise _refused(
                _("Pagefind gave '{path}' in what is not base64").format(path=relative)
            ) from None
        write_whole(f"{output}/{'/'.join(relative.parts)}", content)


def _why(said: list[str], otherwise: str) -> str:
    """The reason in what Pagefind wrote on its error stream: a panic's message (the
    line after "panicked at", its ``message: "..."`` where it has one), else its last
    line that is not one of its notes."""
    for number, line in enumerate(said[:-1]):
        if " panicked at " in line:
            found = re.search(r'message: "([^"]+)"', said[number + 1])
            return found.group(1) if found else said[number + 1].strip()
    meaningful = [line.strip() for line in said if line.strip() and not line.startswith(NOTES)]
    return meaningful[-1] if meaningful else otherwise


# what Pagefind writes on its error stream that is no reason: the notes it gives every
# Chinese index, and a panic's pointers to its backtrace
NOTES = ("Note:", "note:", "Search will still work", "stack backtrace:")


def start_index(
    site: Path,
    parts: Mapping[str, str],
    stale: Collection[str],
    sizes: Mapping[str, int] | None = None,
) -> Beside[bool]:
    """Start ``build_index`` and return at once."""
    return Beside(build_index, site, parts, stale, sizes)
