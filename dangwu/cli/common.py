"""What every command needs: the office it works on."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dangwu.i18n import _

if TYPE_CHECKING:
    from dangwu.store.office import Office

# Options several commands share, said once.
AsJson = Annotated[bool, typer.Option("--json", help=_("Print JSON."))]
Audience = Annotated[
    str | None,
    typer.Option(
        "--audience",
        help=_(
            "With --scope internal: the output of one audience (a branch, a group of "
            "members, as dangwu.yaml's audiences: names them), its own records with the "
            "office's."
        ),
    ),
]
Output = Annotated[
    Path | None,
    typer.Option(
        "-o", "--output", help=_("File or folder to write to (default: printed/ in the office).")
    ),
]


def office(ctx: Any) -> Office:
    obj = ctx.find_root().obj or {}
    # imported here, not above: --help and the commands' set-up need none of the store
    # (~40 ms of every command's start-up on a 2-core machine)
    from dangwu.store.office import find_office

    # finding the office also puts right what a killed command left half-done
    return find_office(obj.get("repo"))


def day(option: str, value: str | None) -> date | None:
    """A date option: 2026-12-04, 2026年12月4日 and the other ways of writing it."""
    from dangwu.model.words import day as read_day

    if value is None:
        return None
    return date.fromisoformat(read_day(option, value))


def group(help: str) -> typer.Typer:
    """A group of commands (``dangwu roster ...``): its help, and its own help when
    it is given no command."""
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None)
