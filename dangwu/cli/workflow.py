"""Commands of the procedure: submit, decide, approve, reject, publish, withdraw, check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from dangwu.cli import common, complete, output
from dangwu.i18n import _, pair

if TYPE_CHECKING:
    from dangwu.app.procedure import Done

ID = Annotated[
    str,
    typer.Argument(metavar="ID", help=_("Record id."), autocompletion=complete.record_ids),
]


def register(app: typer.Typer) -> None:
    app.command(
        "submit",
        help=_(
            "Hand a draft to the leading group (党务公开领导小组); runs the secrecy review.\n\n"
            "Example: dangwu submit ZZ-2026-101"
        ),
    )(submit)
    app.command(
        "decide",
        help=_(
            "Record the leading group's collective decision (集体讨论决定) taken at a meeting: "
            "publish, revise or withhold. A major record needs one, taken by a quorum.\n\n"
            "Example: dangwu decide ZZ-2026-102 --meeting 2026-03-12 --attendee hanzg "
            "--attendee zhoulx --attendee sunhm --attendee qianwb --outcome publish"
        ),
    )(decide)
    app.command(
        "approve",
        help=_(
            "Review and stamp (审核盖章) a record: a member, or the leader for a major "
            "record, never its author.\n\nExample: dangwu approve ZZ-2026-101 --sign"
        ),
    )(approve)
    app.command(
        "reject",
        help=_(
            "Send a record back to the office for revision.\n\n"
            "Example: dangwu reject ZZ-2026-101 --reason 请补充各支部数据"
        ),
    )(reject)
    app.command(
        "publish",
        help=_(
            "Publish an approved record on its channels; a pre-disclosure's first publication "
            "opens its comment window (征求意见).\n\nExample: dangwu publish ZZ-2026-101"
        ),
    )(publish)
    app.command(
        "withdraw",
        help=_(
            "Take a published record down.\n\n"
            "Example: dangwu withdraw ZZ-2026-101 --reason 数据有误，另行更正"
        ),
    )(withdraw)
    app.command(
        "check",
        help=_(
            "The secrecy review (保密审查): classification marks, ID-card, mobile and bank card "
            "numbers, reporters' names.\n\nExample: dangwu check ZZ-2026-101"
        ),
    )(check)


def _done(done: Done) -> None:
    from dangwu.rules.workflow import STATUS_TITLES

    before = f"{pair(STATUS_TITLES[done.before])}"
    after = f"{pair(STATUS_TITLES[done.after])}"
    output.say(f"{done.record_id}: {before} → {after}")
    for line in done.notes:
        output.say(f"  {line}")
    if done.signed:
        output.say("  " + _("signed with your key"))
    for warning in done.warnings:
        output.warning(warning)


def _findings(relpath: str, findings: list[Any], *, stream: Any = None) -> None:
    from dangwu.errors import Problem

    output.problems([Problem(relpath, f.line, f.col, f.message) for f in findings], stream=stream)


def submit(ctx: typer.Context, record_id: ID) -> None:
    from dangwu.app import procedure
    from dangwu.store import records

    office = common.office(ctx)
    done = procedure.submit(office, record_id)
    if done.findings:
        record = records.find(office, done.record_id)
        _findings(record.relpath, done.findings)
        output.note(
            _(
                "The secrecy review found problems; a public record cannot be approved "
                "with them unless the approver overrides them with a reason."
            )
        )
    _done(done)


def decide(
    ctx: typer.Context,
    record_id: ID,
    meeting: Annotated[
        str,
        typer.Option(
            "--meeting",
            help=_(
                "Date of the meeting (2026-12-04 or 2026年12月4日), or its number (3 or "
                "2026-3) if it was called with dangwu meeting new."
            ),
        ),
    ],
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            help=_(
                "publish (决定公开), revise (退回修改: back to the office) or withhold "
                "(不予公开: final)."
            ),
        ),
    ],
    attendee: Annotated[
        list[str] | None,
        typer.Option(
            "--attendee",
            help=_(
                "A member present, by roster key or name; repeat for each. A meeting named "
                "by its number has them in its minutes."
            ),
            autocompletion=complete.roster_keys,
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help=_("A line for the minutes."))] = None,
) -> None:
    from dangwu.app import procedure
    from dangwu.rules.meeting import is_reference

    day = meeting if is_reference(meeting) else common.day("--meeting", meeting)
    assert day is not None  # the option is required
    _done(
        procedure.decide(
            common.office(ctx),
            record_id,
            meeting=day,
            attendees=attendee or [],
            outcome=outcome,
            note=note,
        )
    )


def approve(
    ctx: typer.Context,
    record_id: ID,
    sign: Annotated[
        bool, typer.Option("--sign", help=_("Sign the approval with your key."))
    ] = False,
    override: Annotated[
        str | None,
        typer.Option("--override", help=_("Approve despite secrecy findings, for this reason.")),
    ] = None,
    necessity: Annotated[
        str | None,
        typer.Option(
            "--necessity",
            help=_("The necessity review's finding (必要性审查), printed on the approval form."),
        ),
    ] = None,
    accuracy: Annotated[
        str | None,
        typer.Option(
            "--accuracy",
            help=_("The accuracy review's finding (准确性审查), printed on the approval form."),
        ),
    ] = None,
) -> None:
    from dangwu.app import procedure

    office = common.office(ctx)
    done = procedure.approve(
        office, record_id, sign=sign, override=override, necessity=necessity, accuracy=accuracy
    )
    _done(done)


def reject(
    ctx: typer.Context,
    record_id: ID,
    reason: Annotated[str, typer.Option("--reason", help=_("Why it goes back."))],
) -> None:
    from dangwu.app import procedure

    _done(procedure.reject(common.office(ctx), record_id, reason=reason))


def publish(
    ctx: typer.Context,
    record_id: ID,
    channel: Annotated[
        list[str] | None,
        typer.Option(
            "--channel",
            help=_("Publish on these channels (code or Chinese name) instead of the record's own."),
        ),
    ] = None,
    sign: Annotated[bool, typer.Option("--sign", help=_("Sign the publication."))] = False,
    closes: Annotated[
        str | None,
        typer.Option(
            "--closes",
            help=_(
                "A pre-disclosure's first publication: the last day of the comment window, "
                "if longer than the office's minimum (YYYY-MM-DD)."
            ),
        ),
    ] = None,
) -> None:
    from dangwu.app import procedure

    _done(
        procedure.publish(
            common.office(ctx),
            record_id,
            channels=channel or (),
            sign=sign,
            closes=common.day("--closes", closes),
        )
    )


def withdraw(
    ctx: typer.Context,
    record_id: ID,
    reason: Annotated[str, typer.Option("--reason", help=_("Why it is taken down."))],
) -> None:
    from dangwu.app import procedure

    _done(procedure.withdraw(common.office(ctx), record_id, reason=reason))


def check(
    ctx: typer.Context,
    record_id: ID,
    as_json: common.AsJson = False,
) -> None:
    import sys

    from dangwu.app import procedure

    record, findings = procedure.check(common.office(ctx), record_id)
    if as_json:
        output.emit_json(
            [
                {
                    "kind": f.kind,
                    "field": f.field,
                    "line": f.line,
                    "col": f.col,
                    "excerpt": f.excerpt,
                    "message": f.message,
                }
                for f in findings
            ]
        )
    elif findings:
        _findings(record.relpath, findings, stream=sys.stdout)
    else:
        output.say(_("{id}: the secrecy review found nothing").format(id=record.data.get("id")))
    if findings:
        raise typer.Exit(1)
