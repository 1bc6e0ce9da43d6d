"""How dangwu prints: plain lines (styled on a terminal), rich tables, JSON on request.

Plain lines never import rich, which costs ~25 ms at start-up: ``show`` and the
messages of write commands stay fast. Colour only on a terminal, never under
NO_COLOR.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, TextIO

from dangwu.errors import DangwuError, InvalidFiles, Problem
from dangwu.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


def _colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def paint(text: str, *styles: str, stream: TextIO | None = None) -> str:
    """``text`` in the given styles when ``stream`` is a colour terminal."""
    if not styles or not _colour(stream or sys.stdout):
        return text
    codes = ";".join(_CODES[s] for s in styles)
    return f"\x1b[{codes}m{text}\x1b[0m"


def width(text: str) -> int:
    """Columns a text takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def say(message: str, *styles: str) -> None:
    """A line of the command's output (stdout)."""
    print(paint(message, *styles), file=sys.stdout)


def note(message: str) -> None:
    """A side remark that is not the command's output (stderr)."""
    print(paint(message, "dim", stream=sys.stderr), file=sys.stderr)


def plain_error(message: str) -> None:
    label = paint(_("error") + ":", "bold", "red", stream=sys.stderr)
    print(f"{label} {message}", file=sys.stderr)


def hint_line(text: str) -> None:
    label = paint(_("hint") + ":", "yellow", stream=sys.stderr)
    print(f"{label} {text}", file=sys.stderr)


def problem_line(problem: Problem, stream: TextIO) -> str:
    where = paint(problem.location() + ":", "bold", stream=stream)
    hint = paint(f" ({problem.hint})", "dim", stream=stream) if problem.hint else ""
    return f"{where} {problem.message}{hint}"


def problems(items: Iterable[Problem], stream: TextIO | None = None) -> None:
    out = stream or sys.stderr
    for problem in items:
        print(problem_line(problem, out), file=out)


def error(exc: DangwuError) -> None:
    if isinstance(exc, InvalidFiles):
        problems(exc.problems)
        if exc.summary:
            plain_error(exc.summary)
        if exc.hint:
            hint_line(exc.hint)
        return
    plain_error(exc.message)
    if exc.hint:
        hint_line(exc.hint)


def bug(exc: BaseException, *, debug: bool) -> None:
    plain_error(
        _("this is a bug in dangwu ({kind}: {message}); nothing was changed").format(
            kind=type(exc).__name__, message=str(exc)[:200]
        )
    )
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    else:
        hint_line(_("run again with --debug to see where, and report it"))


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


@cache
def console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def table(
    columns: Sequence[str], rows: Iterable[Sequence[str]], *, title: str | None = None
) -> None:
    """A table, measured by rich so Chinese text lines up."""
    from rich.table import Table

    grid = Table(title=title, show_edge=False, header_style="bold", pad_edge=False, expand=False)
    for name in columns:
        grid.add_column(name, overflow="fold")
    for row in rows:
        grid.add_row(*(escape(cell) for cell in row))
    console().print(grid)
