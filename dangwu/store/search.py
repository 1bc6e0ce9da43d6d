"""The site's search index: Pagefind, built into the site's own files.

Pagefind (from PyPI, its "extended" build, which splits Chinese text into words)
reads the built pages and writes an index the browser searches by itself: no
server, no network. Only what a page marks ``data-pagefind-body`` is indexed,
the record pages. The index is made in parts (a site's: one per category), each
built beside the old one and then renamed into its place, so a reader searching
while the site is rebuilt never reads half of one.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Collection, Mapping
from pathlib import Path

from dangwu.errors import DangwuError
from dangwu.i18n import _

FOLDER = "pagefind"


def indexer() -> str | None:
    """The Pagefind program that reads Chinese, or None when it is not installed."""
    try:
        from pagefind_bin_extended import get_executable

        return str(get_executable())
    except (ImportError, FileNotFoundError):
        return shutil.which("pagefind_extended")


def build_index(site: Path, parts: Mapping[str, str], stale: Collection[str]) -> bool:
    """Index the pages of ``site`` part by part: each part (a name, and the glob of its
    pages) into its own bundle, ``site/pagefind/<name>/``, which the search page
    merges in the browser. Only the parts in ``stale``, and those without a bundle,
    are indexed again: one changed record costs its part, not the whole site.
    Bundles of parts no longer named are removed. False when Pagefind is not
    installed (the site then has no search, and says so)."""
    program = indexer()
    if program is None:
        return False
    root = site / FOLDER
    root.mkdir(exist_ok=True)
    for name, glob in sorted(parts.items()):
        current = root / name
        if name not in stale and (current / "pagefind-entry.json").is_file():
            continue
        fresh = root / f".{name}.new"
        old = root / f".{name}.old"
        for leftover in (fresh, old):
            shutil.rmtree(leftover, ignore_errors=True)
        argv = [program, "--site", str(site), "--glob", glob, "--output-path", str(fresh)]
        done = subprocess.run(
            [*argv, "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            shutil.rmtree(fresh, ignore_errors=True)
            said = (done.stderr or done.stdout).strip().splitlines() or [str(done.returncode)]
            raise DangwuError(
                _("the search index could not be built: {error}").format(error=said[-1])
            )
        if current.exists():
            current.rename(old)
        fresh.rename(current)
        shutil.rmtree(old, ignore_errors=True)
    for gone in root.iterdir():
        if gone.is_dir() and gone.name not in parts:
            shutil.rmtree(gone, ignore_errors=True)
    return True


class Indexing:
    """``build_index`` under way beside the caller's own work: Pagefind is a program
    of its own, so the two share the machine's cores. ``wait`` gives its answer, or
    raises what it raised."""

    def __init__(self, site: Path, parts: Mapping[str, str], stale: Collection[str]) -> None:
        self._answer: bool | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(site, parts, stale), daemon=True)
        self._thread.start()

    def _run(self, site: Path, parts: Mapping[str, str], stale: Collection[str]) -> None:
        try:
            self._answer = build_index(site, parts, stale)
        except BaseException as exc:  # handed to the caller by wait()
            self._error = exc

    def wait(self) -> bool:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return bool(self._answer)


def start_index(site: Path, parts: Mapping[str, str], stale: Collection[str]) -> Indexing:
    """Start ``build_index`` and return at once."""
    return Indexing(site, parts, stale)
