"""``dangwu demo``: the first thing a new user runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dangwu.cli import output
from dangwu.i18n import _


def register(app: typer.Typer) -> None:
    app.command(
        "demo",
        help=_(
            "Build a complete sample office repository in DIR, replaying the sample office's "
            "history, and show what to try next.\n\nExample: dangwu demo /tmp/office"
        ),
    )(demo)


def demo(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help=_("A new, empty folder."))],
) -> None:
    from dangwu.demo import build

    built = build(directory)
    output.say(
        _("Built the sample office of {unit} in {path}: {n} records, {c} commits.").format(
            unit=built.unit, path=built.root, n=len(built.records), c=built.commits
        )
    )
    first = built.records[0] if built.records else "ZZ-2026-101"
    output.say(_("Try next:"))
    for line in (
        f"cd {built.root}",
        "dangwu list",
        f"dangwu show {first}",
        "dangwu catalogue",
        "dangwu roster list",
        "dangwu validate",
        "git log --oneline | head",
    ):
        output.say(f"  {line}")
