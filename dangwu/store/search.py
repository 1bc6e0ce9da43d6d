"""The site's search index: Pagefind, built into the site's own files.

Pagefind (from PyPI, its "extended" build, which splits Chinese text into words)
reads the built pages and writes an index the browser searches by itself: no
server, no network. Only what a page marks ``data-pagefind-body`` is indexed,
the record pages. The index is built beside the old one and then renamed into
its place, so a reader searching while the site is rebuilt never reads half of
an index.
"""

from __future__ import annotations

import shutil
import subprocess
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


def build_index(site: Path) -> bool:
    """Index the pages of ``site`` into ``site/pagefind``; False when Pagefind is not
    installed (the site then has no search, and says so)."""
    program = indexer()
    if program is None:
        return False
    fresh = site / f".{FOLDER}.new"
    old = site / f".{FOLDER}.old"
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    done = subprocess.run(
        [program, "--site", str(site), "--output-path", str(fresh), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(fresh, ignore_errors=True)
        said = (done.stderr or done.stdout).strip().splitlines() or [str(done.returncode)]
        raise DangwuError(_("the search index could not be built: {error}").format(error=said[-1]))
    current = site / FOLDER
    if current.exists():
        current.rename(old)
    fresh.rename(current)
    shutil.rmtree(old, ignore_errors=True)
    return True
