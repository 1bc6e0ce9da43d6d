"""``dangwu doctor``: is this machine ready to work in the office?"""

from __future__ import annotations

import typer

from dangwu.cli import output
from dangwu.i18n import _


def register(app: typer.Typer) -> None:
    app.command(
        "doctor",
        help=_(
            "Check what this machine needs (git, your identity on the roster, signing, PDF "
            "and a Chinese font, the holiday calendar) and say how to fix what is missing."
            "\n\nExample: dangwu doctor"
        ),
    )(doctor)


def doctor(ctx: typer.Context) -> None:
    from dangwu import clock
    from dangwu.app import doctor
    from dangwu.errors import DangwuError
    from dangwu.store.office import find_office

    repo = (ctx.find_root().obj or {}).get("repo")
    try:
        office = find_office(repo)
    except DangwuError:
        office = None
    checks = doctor.run(office, clock.today())
    marks = {doctor.OK: ("✓", "green"), doctor.WARN: ("!", "yellow"), doctor.FAIL: ("✗", "red")}
    width = max(output.width(c.what) for c in checks)
    for check in checks:
        mark, colour = marks[check.status]
        output.say(f"{output.paint(mark, colour)} {output.pad(check.what, width)}  {check.found}")
        if check.fix:
            output.say(f"  {' ' * width}  → {check.fix}")
    failed = [c for c in checks if c.status == doctor.FAIL]
    if office is None:
        output.note(_("(not inside an office: the office checks were left out)"))
    if failed:
        raise typer.Exit(1)
