"""How dangwu prints: rich on a terminal, plain text elsewhere, JSON on request."""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from dangwu.errors import DangwuError, InvalidFiles, Problem
from dangwu.i18n import _

if TYPE_CHECKING:
    from rich.console import Console


@cache
def console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


@cache
def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _styled() -> bool:
    return err_console().is_terminal and not os.environ.get("NO_COLOR")


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def say(message: str, style: str | None = None) -> None:
    """A line for the person at the terminal (stdout)."""
    console().print(escape(message), style=style, soft_wrap=True)


def note(message: str) -> None:
    """A side remark that is not the command's output (stderr)."""
    err_console().print(escape(message), style="dim" if _styled() else None)


def plain_error(message: str) -> None:
    label = _("error")
    if _styled():
        err_console().print(f"[bold red]{escape(label)}:[/] {escape(message)}")
    else:
        print(f"{label}: {message}", file=sys.stderr)


def problem_lines(problems: Sequence[Problem]) -> list[str]:
    return [str(p) for p in problems]


def problems(items: Iterable[Problem]) -> None:
    for p in items:
        if _styled():
            hint = f" [dim]({escape(p.hint)})[/]" if p.hint else ""
            err_console().print(f"[bold]{escape(p.location())}:[/] {escape(p.message)}{hint}")
        else:
            print(str(p), file=sys.stderr)


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


def hint_line(text: str) -> None:
    label = _("hint")
    if _styled():
        err_console().print(f"[yellow]{escape(label)}:[/] {escape(text)}")
    else:
        print(f"{label}: {text}", file=sys.stderr)


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


def table(
    columns: Sequence[str], rows: Iterable[Sequence[str]], *, title: str | None = None
) -> None:
    from rich.table import Table

    grid = Table(title=title, show_edge=False, header_style="bold", pad_edge=False, expand=False)
    for name in columns:
        grid.add_column(name, overflow="fold")
    for row in rows:
        grid.add_row(*(escape(cell) for cell in row))
    console().print(grid)
