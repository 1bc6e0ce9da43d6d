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
    from dangwu.app.demo import build

    built = build(directory)
    # from here on the sample office is there, and its language: setting counts
    from dangwu.i18n import use_office_language

    use_office_language(built.language)
    output.say(
        _("Built the sample office of {unit} in {path}: {n} records, {c} commits.").format(
            unit=built.unit, path=built.root, n=len(built.records), c=built.commits
        )
    )
    if built.printed:
        output.say(_("Printed the notice boards and the bulletin:"))
        for path in built.printed:
            output.say(f"  {path}")
    for reason in built.not_printed:
        output.note(_("Not printed as {reason}").format(reason=reason))
    first = "ZZ-2026-102" if "ZZ-2026-102" in built.records else built.records[0]
    output.say(_("Try next:"))
    for line in (
        f"cd {built.root}",
        "dangwu list",
        f"dangwu show {first}",
        f"dangwu log {first}",
        "dangwu list --status consulting",
        "dangwu audit",
        "dangwu due",
        "dangwu board --format pdf",
        "dangwu roster list",
        "dangwu catalogue",
    ):
        output.say(f"  {line}")
