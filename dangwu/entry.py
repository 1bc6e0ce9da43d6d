"""The ``dangwu`` command: choose the language, then build and run the CLI.

The help of every command is written when the CLI is built, so the language must
be known before: ``DANGWU_LANG``, then the ``language`` of the office this command
will work in (found as the command will find it: ``-C PATH``, ``DANGWU_REPO``, or
this folder or a parent), then the locale, else English.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from dangwu.i18n import language_setting


def office_language(argv: list[str]) -> str | None:
    """The ``language`` setting of the office the command line points at, read
    without parsing the whole file (a broken file is the command's to report)."""
    start = None
    for index, arg in enumerate(argv):
        if arg == "-C" and index + 1 < len(argv):
            start = Path(argv[index + 1])
            break
        if arg.startswith("-C") and len(arg) > 2:
            start = Path(arg[2:])
            break
    if start is None and os.environ.get("DANGWU_REPO"):
        start = Path(os.environ["DANGWU_REPO"])
    here = (start or Path.cwd()).absolute()
    for folder in [here] if start else [here, *here.parents]:
        settings = folder / "dangwu.yaml"
        if settings.is_file():
            try:
                with settings.open("rb") as fh:
                    text = fh.read(64 * 1024).decode("utf-8", "replace")
            except OSError:
                return None
            return language_setting(text)
    return None


def main() -> None:
    # Start-up makes tens of thousands of objects (Typer's and ours, all kept for the
    # life of the process): the collector's passes over them, during the imports and
    # at exit, found nothing and were a sixth of `show` (93 -> 76 ms without them).
    # They are frozen out of collection; what the command makes is collected as usual.
    gc.disable()
    from dangwu import i18n

    chosen = os.environ.get("DANGWU_LANG")
    if not chosen or i18n.known_language(chosen) is None:
        i18n.set_language(i18n.choose_language(office_language(sys.argv[1:])))
    from dangwu.cli import main as run

    gc.freeze()
    gc.enable()
    run()
