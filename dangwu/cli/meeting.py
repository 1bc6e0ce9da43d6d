"""Commands of meetings: meeting new, notice, minutes, list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dangwu.cli import common, output
from dangwu.i18n import _

if TYPE_CHECKING:
    from dangwu.model.meeting import Meeting

Format = Annotated[str, typer.Option("--format", help=_("pdf or docx."))]
Out = Annotated[
    Path | None,
    typer.Option(
        "-o", "--output", help=_("A file, or a folder to write to (default: printed/meetings/).")
    ),
]
Ref = Annotated[str, typer.Argument(metavar="N", help=_("The meeting: 3, or 2026-3."))]


def register(app: typer.Typer) -> None:
    meeting = common.group(
        _(
            "Meetings of the disclosure programme (党务公开会议, the leading group's, the "
            "supervisors', 通报会): called, noticed, minuted once."
        )
    )
    meeting.command(
        "new",
        help=_(
            "Call a meeting: its kind, title, time, place, chair and who is invited, and the "
            "records it discloses or decides.\n\n"
            "Example: dangwu meeting new --kind disclosure --title 2026年第四季度党务公开会议 "
            "--at '2026-12-05 09:30' --place 局机关三楼会议室 --chair hanzg "
            "--invite zhoulx,sunhm --matter ZD-2026-102"
        ),
    )(new)
    meeting.command(
        "notice",
        help=_("Print a meeting's notice (会议通知).\n\nExample: dangwu meeting notice 1"),
    )(notice)
    meeting.command(
        "minutes",
        help=_(
            "Take a held meeting's minutes (会议记录), once, and print them: who was present, "
            "who was absent and why, who attended without a vote, what was decided. Without "
            "them, print the minutes taken before.\n\n"
            "Example: dangwu meeting minutes 1 --present hanzg,zhoulx --absent sunhm=出差 "
            "--decisions 同意公开ZD-2026-102"
        ),
    )(minutes)
    meeting.command(
        "list",
        help=_("The meetings, with their minutes or not.\n\nExample: dangwu meeting list"),
    )(listing)
    app.add_typer(meeting, name="meeting")


def new(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Option("--kind", help=_("disclosure, leading-group, supervisors or briefing.")),
    ],
    title: Annotated[str, typer.Option("--title", help=_("The meeting's name."))],
    at: Annotated[str, typer.Option("--at", help=_("When it is held: '2026-12-05 09:30'."))],
    place: Annotated[str, typer.Option("--place", help=_("Where it is held."))],
    chair: Annotated[str, typer.Option("--chair", help=_("Who chairs it (a roster key)."))],
    invite: Annotated[
        str, typer.Option("--invite", help=_("Who is invited: roster keys, comma-separated."))
    ] = "",
    matter: Annotated[
        list[str] | None,
        typer.Option("--matter", help=_("A record it discloses or decides (repeatable).")),
    ] = None,
) -> None:
    from dangwu.app import meetings

    office = common.office(ctx)
    done = meetings.call(
        office,
        kind=kind,
        title=title,
        when=at,
        place=place,
        chair=chair,
        invited=invite,
        matters=list(matter or []),
    )
    m = done.meeting
    output.say(
        _("meeting {year}-{n} {title}: called for {when}, {count} invited, commit {commit}").format(
            year=m.year,
            n=m.number,
            title=m.title,
            when=m.when.isoformat(timespec="minutes"),
            count=len(m.invited),
            commit=done.commit[:10],
        )
    )


def notice(ctx: typer.Context, ref: Ref, fmt: Format = "pdf", out: Out = None) -> None:
    _print(ctx, ref, "notice", fmt, out)


def minutes(
    ctx: typer.Context,
    ref: Ref,
    present: Annotated[
        str | None,
        typer.Option("--present", help=_("Who was there: roster keys, comma-separated.")),
    ] = None,
    decisions: Annotated[
        str | None, typer.Option("--decisions", help=_("What was disclosed or decided."))
    ] = None,
    absent: Annotated[
        str | None,
        typer.Option("--absent", help=_("Who was away and why: KEY=REASON, comma-separated.")),
    ] = None,
    attending: Annotated[
        str | None,
        typer.Option("--attending", help=_("Who attended without a vote (列席).")),
    ] = None,
    fmt: Format = "pdf",
    out: Out = None,
) -> None:
    from dangwu.app import meetings

    office = common.office(ctx)
    if present is None and decisions is None and absent is None and attending is None:
        _print(ctx, ref, "minutes", fmt, out)  # taken before: printed again
        return
    done = meetings.take_minutes(
        office,
        ref,
        present=present or "",
        absent=absent,
        attending=attending,
        decisions=decisions or "",
        out=out,
    )
    output.say(
        _("meeting {year}-{n}: minutes taken, commit {commit}").format(
            year=done.meeting.year, n=done.meeting.number, commit=done.commit[:10]
        )
    )
    _print(ctx, f"{done.meeting.year}-{done.meeting.number}", "minutes", fmt, out)


def _print(ctx: typer.Context, ref: str, part: str, fmt: str, out: Path | None) -> None:
    from dangwu.app import meetings
    from dangwu.cli.render import boxes, faces

    office = common.office(ctx)
    done = meetings.print_part(office, ref, part, fmt=fmt, out=out)
    output.say(_("  {path}  verification code {code}").format(path=done.path, code=done.code))
    boxes(done.missing)
    faces(done.path)


def listing(ctx: typer.Context, as_json: common.AsJson = False) -> None:
    from dangwu.app import meetings
    from dangwu.model.meeting import KINDS

    office = common.office(ctx)
    found = meetings.listing(office)
    if as_json:
        output.emit_json([_listed(m) for m in found])
        return
    if not found:
        output.say(_("No meetings."))
        return
    output.table(
        [_("number"), _("held"), _("kind"), _("title"), _("minutes")],
        [
            [
                f"{m.year}-{m.number}",
                m.when.strftime("%Y-%m-%d %H:%M"),  # in the office's time, as log says it
                KINDS.get(m.kind, (m.kind, m.kind))[1],
                m.title,
                m.minutes.at[:10] if m.minutes else "-",
            ]
            for m in found
        ],
    )


def _listed(m: Meeting) -> dict[str, Any]:
    """One row of ``meeting list --json``: every key always there, null when none."""
    minutes = m.minutes
    return {
        "number": f"{m.year}-{m.number}",
        "held": m.when.isoformat(timespec="minutes"),
        "kind": m.kind,
        "title": m.title,
        "place": m.place,
        "chair": m.chair,
        "invited": list(m.invited),
        "matters": list(m.matters),
        "called": {"by": m.by, "at": m.at},
        "minutes": None
        if minutes is None
        else {
            "present": list(minutes.present),
            "absent": [{"key": key, "reason": reason} for key, reason in minutes.absent],
            "attending": list(minutes.attending),
            "decisions": minutes.decisions,
            "by": minutes.by,
            "at": minutes.at,
        },
    }
