"""How dangwu prints: plain lines and aligned tables (styled on a terminal), or JSON.

Nothing here imports rich at start-up (~25 ms): plain lines and tables are
written directly, measuring Chinese characters as two columns the way terminals
draw them; a table of ten thousand records prints in a few tens of
milliseconds. Colour only on a terminal, never under NO_COLOR.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from dangwu import i18n
from dangwu.errors import DangwuError, InvalidFiles, Problem
from dangwu.i18n import _

# Terminal columns, CJK characters counting two: what every aligned output measures with.
width = i18n.columns
pad = i18n.pad

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


def say(message: str, *styles: str) -> None:
    """A line of the command's output (stdout)."""
    print(paint(message, *styles), file=sys.stdout)


def fields(rows: Sequence[tuple[str, str]]) -> None:
    """Labelled lines, the labels padded to one width (CJK characters counting two)."""
    label = max((width(k) for k, _v in rows), default=0)
    for key, value in rows:
        say(f"  {pad(key, label)}  {value}")


def note(message: str) -> None:
    """A side remark that is not the command's output (stderr)."""
    print(paint(message, "dim", stream=sys.stderr), file=sys.stderr)


def labelled(label: str, text: str, *styles: str) -> str:
    """``error: text``; a Chinese label ends in a full-width colon and takes no space."""
    gap = "" if label.endswith("：") else " "
    return paint(label, *styles, stream=sys.stderr) + gap + text


def plain_error(message: str) -> None:
    print(labelled(_("error:"), message, "bold", "red"), file=sys.stderr)


def warning(text: str) -> None:
    """Something done, but worth a second look (stderr)."""
    print(labelled(_("warning:"), text, "bold", "yellow"), file=sys.stderr)


def hint_line(text: str) -> None:
    print(labelled(_("hint:"), text, "yellow"), file=sys.stderr)


def problem_line(problem: Problem, stream: TextIO) -> str:
    where = paint(problem.location() + ":", "bold", stream=stream)
    aside = _(" ({hint})").format(hint=problem.hint)
    hint = paint(aside, "dim", stream=stream) if problem.hint else ""
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


def made() -> list[str]:
    """The commits this process made, if any (git was never touched: none)."""
    store = sys.modules.get("dangwu.store.gitstore")
    return list(getattr(store, "MADE", [])) if store is not None else []


def what_changed(since: int = 0) -> str:
    """What an error cut short leaves behind, in words: nothing, or the commit made
    (of those after the first ``since``)."""
    commits = made()[since:]
    if not commits:
        return _("nothing was changed")
    return _("commit {commit} was made before it: see it with git show {commit}").format(
        commit=commits[-1][:10]
    )


def bug(exc: BaseException, *, debug: bool, since: int = 0) -> None:
    plain_error(
        _("this is a bug in dangwu ({kind}: {message}); {changed}").format(
            kind=type(exc).__name__, message=str(exc)[:200], changed=what_changed(since)
        )
    )
    if debug:
        import traceback  # only for a bug's traceback: not at every start-up

        traceback.print_exception(exc, file=sys.stderr)
    else:
        hint_line(_("run again with --debug to see where, and report it"))


def emit_json(value: Any) -> None:
    import json  # only for --json: not at every start-up

    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def _fit(text: str, columns: int) -> str:
    """Cut ``text`` to ``columns`` terminal columns, marking the cut with '…'."""
    if width(text) <= columns:
        return text
    out, used = [], 0
    for ch in text:
        w = width(ch)
        if used + w > columns - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def table(
    columns: Sequence[str], rows: Iterable[Sequence[str]], *, title: str | None = None
) -> None:
    """An aligned table; Chinese characters count double. On a terminal the last
    column is cut to the window's width; in a pipe every line is whole."""
    body = [[cell.replace("\n", " ") for cell in row] for row in rows]
    widths = [width(c) for c in columns]
    for row in body:
        for index, cell in enumerate(row):
            cell_width = len(cell) if cell.isascii() else width(cell)
            if cell_width > widths[index]:
                widths[index] = cell_width
    limit = None
    if _colour(sys.stdout) or sys.stdout.isatty():
        import shutil

        fixed = sum(widths[:-1]) + 2 * (len(widths) - 1)
        limit = max(12, shutil.get_terminal_size((100, 24)).columns - fixed)
        widths[-1] = min(widths[-1], limit)
    out = sys.stdout
    if title:
        print(paint(title, "bold"), file=out)
    print(
        paint("  ".join(pad(c, w) for c, w in zip(columns, widths, strict=True)).rstrip(), "bold"),
        file=out,
    )
    print(paint("  ".join("─" * w for w in widths), "dim"), file=out)
    lines = []
    for row in body:
        cells = [pad(cell, w) for cell, w in zip(row[:-1], widths, strict=False)]
        last = row[-1] if limit is None else _fit(row[-1], limit)
        lines.append("  ".join([*cells, last]).rstrip())
    if lines:
        out.write("\n".join(lines) + "\n")


class ProgressBar:
    """A progress bar on stderr for work that takes more than a second.

    Shown only on a terminal and only when there is much to do; callable as the
    core's ``progress(done, total)`` callback.
    """

    def __init__(self, label: str, *, threshold: int = 300) -> None:
        self.label = label
        self.threshold = threshold
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if total < self.threshold or not _colour(sys.stderr):
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=total)
        self._bar.update(self._task, completed=done)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
