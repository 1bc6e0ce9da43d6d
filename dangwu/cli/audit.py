"""The inspector's commands: log and audit."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dangwu.cli import common, output
from dangwu.i18n import _, ngettext, term


def register(app: typer.Typer) -> None:
    app.command(
        "log",
        help=_(
            "The history of a record, or of the office: when, who (name and role), which step, "
            "the change of state, and whether it was signed.\n\n"
            "Example: dangwu log ZZ-2026-101"
        ),
    )(log)
    app.command(
        "audit",
        help=_(
            "Replay the whole history and report every act that broke a rule, one line each "
            "(commit, record, rule, person); exit 1 if there is any.\n\n"
            "Example: dangwu audit --range origin/main..HEAD"
        ),
    )(audit)


def log(
    ctx: typer.Context,
    record_id: Annotated[
        str | None,
        typer.Argument(metavar="[ID]", help=_("A record id; without it, the whole office.")),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("-n", "--max-count", metavar="N", help=_("Only the latest N entries."), min=1),
    ] = None,
    as_json: common.AsJson = False,
) -> None:
    from dangwu.app import logbook
    from dangwu.model.office import ROLE_TITLES
    from dangwu.rules.workflow import STATUS_TITLES, STEP_TITLES

    entries = logbook.log(common.office(ctx), record=record_id, limit=limit)
    if as_json:
        output.emit_json([e.__dict__ for e in entries])
        return

    def state(entry: logbook.Entry) -> str:
        if not entry.after:
            return ""
        before = _(STATUS_TITLES[entry.before][0]) if entry.before in STATUS_TITLES else "–"
        after = _(STATUS_TITLES[entry.after][0]) if entry.after in STATUS_TITLES else entry.after
        return f"{before} → {after}"

    signature_words = {"good": _("good"), "bad": _("BAD"), "none": _("none")}
    # the audit's findings, where the last audit found any in what is shown
    flagged = any(e.findings for e in entries)
    audit_column = [_("audit")] if flagged else []
    headers = [_("date"), _("person"), _("step"), _("record"), _("state"), _("signed")]
    output.table(
        [*headers, *audit_column, _("subject")],
        [
            [
                e.date[:16].replace("T", " ")
                + (
                    " " + _("(received {when})").format(when=e.received[:16].replace("T", " "))
                    if e.received
                    else ""
                ),
                f"{e.name} ({', '.join(_(ROLE_TITLES[r][0]) for r in e.roles) or '?'})",
                term(STEP_TITLES[e.step]) if e.step in STEP_TITLES else e.step,
                e.record or "",
                state(e),
                signature_words[e.signature],
                *([", ".join(e.findings) or "–"] if flagged else []),
                e.subject.split(": ", 1)[-1],
            ]
            for e in entries
        ],
    )


def audit(
    ctx: typer.Context,
    span: Annotated[
        str | None,
        typer.Option(
            "--range", metavar="A..B", help=_("Only the commits of A..B (for a server hook).")
        ),
    ] = None,
    as_json: common.AsJson = False,
) -> None:
    from dangwu.app import auditing

    bar = output.ProgressBar(_("auditing history"), threshold=2000)
    try:
        result = auditing.audit(common.office(ctx), span=span, progress=bar)
    finally:
        bar.close()
    if as_json:
        output.emit_json(
            {
                "head": result.head,
                "commits_checked": result.covered,
                "commits_checked_now": result.commits,
                "violations": [v.as_dict() for v in result.violations],
            }
        )
    else:
        for violation in result.violations:
            print(violation.line(), file=sys.stdout)
        n = len(result.violations)
        if n:
            output.note(ngettext("{n} violation", "{n} violations", n).format(n=n))
        elif result.from_cache:
            output.note(_("history in order (unchanged since the last audit)"))
        elif result.earlier:
            output.note(
                ngettext(
                    "history in order: {n} new commit checked, {earlier} before it by "
                    "earlier audits",
                    "history in order: {n} new commits checked, {earlier} before them by "
                    "earlier audits",
                    result.commits,
                ).format(n=result.commits, earlier=result.earlier)
            )
        else:
            output.note(
                ngettext(
                    "history in order: {n} commit checked",
                    "history in order: {n} commits checked",
                    result.commits,
                ).format(n=result.commits)
            )
    if result.violations:
        raise typer.Exit(1)
