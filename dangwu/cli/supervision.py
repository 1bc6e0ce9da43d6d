"""Commands of timing and supervision: due, feedback, report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dangwu.cli import common, complete, output, render
from dangwu.i18n import _, language, pair, term

# when a report or a request came in, as the office says it
CameIn = Annotated[
    str | None, typer.Option("--received", help=_("The day it came in (default: today)."))
]


def register(app: typer.Typer) -> None:
    app.command(
        "due",
        help=_(
            "What the office owes and by when, overdue first: quarterly updates, timely "
            "matters, follow-ups, formal plans after a comment window, real-name reports.\n\n"
            "Example: dangwu due --on 2026-10-09"
        ),
    )(due)
    feedback = common.group(_("Opinions on records from supervisors and the public (意见建议)."))
    feedback.command(
        "add",
        help=_(
            "Log an opinion on a published record or a plan out for comment. A supervisor "
            "gives their own; the office logs anyone's (--from KEY, or --public NAME).\n\n"
            "Example: dangwu feedback add ZD-2026-105 --public 王先生 --text 建议周六全天开放"
        ),
    )(feedback_add)
    feedback.command(
        "list",
        help=_(
            "The opinions on one record, or on all.\n\nExample: dangwu feedback list ZD-2026-105"
        ),
    )(feedback_list)
    feedback.command(
        "answer",
        help=_(
            "Record what became of an opinion: adopted (采纳), partly adopted (部分采纳) or "
            "not adopted (不采纳), why, and how the person was told; once. A formal plan is "
            "approved only when every opinion on its preliminary plan has its answer.\n\n"
            "Example: dangwu feedback answer 2 --outcome 采纳 --reason 已在正式方案中增加周末预约 "
            "--notified 电话告知"
        ),
    )(feedback_answer)
    feedback.command(
        "report",
        help=_(
            "The consultation report of a plan put out for comment (征求意见情况报告): every "
            "opinion and what became of it, how many were adopted, and what changed from the "
            "plan put out to the formal plan, word by word. --format md writes it as Markdown "
            "to file or to put beside the formal plan.\n\n"
            "Example: dangwu feedback report MB-2026-102"
        ),
    )(feedback_report)
    app.add_typer(feedback, name="feedback")
    report = common.group(
        _(
            "Reports about the disclosures (举报). A real-name report is answered and the "
            "reporter told; the name and contact are shown only by 'report show'."
        )
    )
    report.command(
        "new",
        help=_(
            "Log a report about a record; without --name it is anonymous.\n\n"
            "Example: dangwu report new --about ZD-2026-104 --name 张某 --contact 0000-7654321 "
            "--text 接待日安排与实际不符"
        ),
    )(report_new)
    report.command(
        "list",
        help=_("The reports, without names.\n\nExample: dangwu report list --open"),
    )(report_list)
    report.command(
        "show",
        help=_(
            "One report in full, the reporter's name and contact included.\n\n"
            "Example: dangwu report show 101"
        ),
    )(report_show)
    report.command(
        "answer",
        help=_(
            "Record how a report was dealt with and how the reporter was told; once.\n\n"
            "Example: dangwu report answer 101 --text 已核实并更正 --notified 电话告知本人"
        ),
    )(report_answer)
    app.add_typer(report, name="report")
    request = common.group(
        _(
            "Requests for disclosure (依申请公开): answered within the office's working days "
            "(3, extendable once to 10), or refused with written reasons. The requester's name "
            "and contact are shown only by 'request show'."
        )
    )
    request.command(
        "new",
        help=_(
            "Log a request for disclosure: who asked, how to reach them, and what they ask "
            "for (--text, or --about a record).\n\n"
            "Example: dangwu request new --name 李某 --contact 0000-1234567 "
            "--text 申请公开2026年党费收缴使用情况"
        ),
    )(request_new)
    request.command(
        "list",
        help=_("The requests, without names.\n\nExample: dangwu request list --open"),
    )(request_list)
    request.command(
        "show",
        help=_(
            "One request in full, the requester's name and contact included.\n\n"
            "Example: dangwu request show 101"
        ),
    )(request_show)
    request.command(
        "answer",
        help=_(
            "Settle a request: by a published record that discloses what was asked "
            "(--disclose ID), or by a written answer (--text); once.\n\n"
            "Example: dangwu request answer 101 --disclose ZD-2026-104 --notified 电话告知"
        ),
    )(request_answer)
    request.command(
        "extend",
        help=_(
            "Extend the time to answer, once, with a reason, before it runs out.\n\n"
            "Example: dangwu request extend 101 --reason 需向有关处室调取材料"
        ),
    )(request_extend)
    request.command(
        "refuse",
        help=_(
            "Refuse a request with written reasons, and print the letter that tells the "
            "requester (不予公开告知书); once.\n\n"
            "Example: dangwu request refuse 102 --reason 所申请内容涉及干部个人信息，不属于公开范围"
        ),
    )(request_refuse)
    app.add_typer(request, name="request")


# --- due -----------------------------------------------------------------------------


def due(
    ctx: typer.Context,
    on: Annotated[
        str | None,
        typer.Option("--on", help=_("The day to ask about (default: today).")),
    ] = None,
    as_json: common.AsJson = False,
) -> None:
    from dangwu.app import deadlines
    from dangwu.rules.due import KIND_TITLES, RULES

    office = common.office(ctx)
    found, problems = deadlines.due(office, on=common.day("--on", on))
    for problem in problems:
        output.warning(_("{problem} (left out)").format(problem=problem))
    today = found.today
    if as_json:
        output.emit_json(
            [
                {
                    "kind": o.kind,
                    "subject": o.subject,
                    "title": o.title,
                    "due": o.due.isoformat(),
                    "since": o.since.isoformat(),
                    "overdue": o.overdue(today),
                    "days_late": o.late_by(today),
                    "record": o.record,
                    "report": o.report if o.kind == "report" else None,
                    "request": o.report if o.kind == "request" else None,
                    "status": o.status,
                    # the deadline was counted over a year whose 调休 is not yet known
                    "holidays_guessed": any(
                        year in found.guessed_years for year in range(o.since.year, o.due.year + 1)
                    ),
                    "rule": {
                        "seed": RULES[o.kind][0],
                        "zh": RULES[o.kind][1],
                        "en": RULES[o.kind][2],
                    },
                }
                # the catalogue's items with nothing disclosed this year, each
                | ({"items": (o.item or "").split()} if o.kind == "catalogue" else {})
                for o in found.owed
            ]
        )
        return
    for year in found.guessed_years:
        output.note(
            _(
                "note: the State Council has not yet published {year}'s holiday arrangement: "
                "its statutory holidays are days off, but the weekends worked in exchange "
                "(调休) are not known; add them as rules.workdays (and any other day off as "
                "rules.holidays) in dangwu.yaml"
            ).format(year=year)
        )
    if not found.owed:
        output.say(_("Nothing is due on {day}.").format(day=today.isoformat()))
        return
    rows = []
    for o in found.owed:
        if o.overdue(today):
            when = _("{day} ({n} days late)").format(day=o.due.isoformat(), n=o.late_by(today))
        elif o.due == today:
            when = _("{day} (today)").format(day=o.due.isoformat())
        else:
            when = o.due.isoformat()
        rows.append(
            [
                when,
                f"{pair(KIND_TITLES[o.kind])}",
                RULES[o.kind][0],
                o.subject,
                _(o.status) if o.status else "",
                o.title,
            ]
        )
    output.table([_("due"), _("what"), _("seed"), _("subject"), _("state"), _("title")], rows)
    late = len(found.overdue)
    output.say(
        _("{n} due, {late} overdue").format(n=len(found.owed), late=late),
        "red" if late else "green",
    )
    for kind in dict.fromkeys(o.kind for o in found.owed):
        section, words, rule = RULES[kind]
        line = _("{kind}  seed {section}: {words}").format(
            kind=KIND_TITLES[kind][1], section=section, words=words
        )
        if language() != "zh_CN":  # the seed's words are the Chinese reader's explanation
            line += f" ({_(rule)})"
        output.say("  " + line, "dim")


# --- feedback ------------------------------------------------------------------------


def feedback_add(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(metavar="ID", help=_("The record."), autocompletion=complete.record_ids),
    ],
    text: Annotated[str, typer.Option("--text", help=_("The opinion, as given."))],
    from_key: Annotated[
        str | None,
        typer.Option(
            "--from",
            help=_("The roster key of who gave it (default: you)."),
            autocompletion=complete.roster_keys,
        ),
    ] = None,
    public: Annotated[
        str | None,
        typer.Option("--public", help=_("The name a member of the public gave.")),
    ] = None,
    private: Annotated[
        bool,
        typer.Option(
            "--private",
            help=_(
                "With --public: they asked not to be named; the consultation report and "
                "everything put out call them a member of the public."
            ),
        ),
    ] = False,
    received: Annotated[
        str | None,
        typer.Option("--received", help=_("The day it was given (default: today).")),
    ] = None,
    meeting: Annotated[
        str | None,
        typer.Option(
            "--meeting",
            help=_(
                "The supervisors' meeting (or 通报会) it was raised at, by number (3, or "
                "2026-3): held and minuted, with the giver present; received that day."
            ),
        ),
    ] = None,
) -> None:
    from dangwu.app import supervision

    done = supervision.add_feedback(
        common.office(ctx),
        record_id,
        text=text,
        from_key=from_key,
        public=public,
        private=private,
        meeting=meeting,
        received=common.day("--received", received),
    )
    output.say(_("{id}: opinion logged in {path}").format(id=done.record, path=done.path))
    for line in done.notes:
        output.say(f"  {line}")


def feedback_list(
    ctx: typer.Context,
    record_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help=_("Only this record's."))
    ] = None,
    as_json: common.AsJson = False,
) -> None:
    from dangwu.app import supervision
    from dangwu.check.supervision import read_all
    from dangwu.store import records

    office = common.office(ctx)
    wanted = records.find(office, record_id).data.get("id") if record_id else None
    _reports, opinions, problems = read_all(
        supervision.working_tree(office, record=str(wanted) if wanted else None), office.root
    )
    for problem in problems:
        output.warning(_("{problem} (left out)").format(problem=problem))
    roster = office.settings.roster
    if as_json:
        output.emit_json(
            [
                {
                    "record": f.record,
                    "received": f.received.isoformat(),
                    "from": f.from_key,
                    "public": f.public,
                    "text": f.text,
                    "logged_by": f.logged_by,
                    "logged_at": f.logged_at,
                    "path": f.path,
                    "number": f.number,
                    "disposition": dict(f.disposition) if f.disposition else None,
                    "meeting": f.meeting,
                }
                for f in opinions
            ]
        )
        return
    if not opinions:
        output.say(_("No opinions yet."))
        return
    from dangwu.model.supervision import OUTCOMES

    def answered(f: Any) -> str:
        if not f.disposition:
            return "–"
        outcome = str(f.disposition.get("outcome"))
        return term(OUTCOMES[outcome]) if outcome in OUTCOMES else outcome

    output.table(
        [_("no."), _("received"), _("record"), _("from"), _("opinion"), _("answer")],
        [
            [str(f.number or ""), f.received.isoformat(), f.record, f.giver(roster), f.text,
             answered(f)]
            for f in sorted(opinions, key=lambda f: (f.number or 0, f.path))
        ],
    )  # fmt: skip


def feedback_answer(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(metavar="N", help=_("The opinion's number."))],
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome", help=_("adopted (采纳), partly (部分采纳) or declined (不采纳).")
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", help=_("Why: what was changed, or not."))],
    notified: Annotated[
        str, typer.Option("--notified", help=_("How the person was told (e.g. 电话告知)."))
    ],
    on: Annotated[
        str | None,
        typer.Option("--on", help=_("The day the person was told (default: today).")),
    ] = None,
) -> None:
    from dangwu.app import supervision

    done = supervision.answer_feedback(
        common.office(ctx),
        number,
        outcome=outcome,
        reason=reason,
        notified=notified,
        on=common.day("--on", on),
    )
    output.say(f"{done.notes[0]} ({done.record}, {done.commit[:10]})")


def feedback_report(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help=_("The plan (a pre-disclosure)."), autocompletion=complete.record_ids
        ),
    ],
    fmt: Annotated[str, typer.Option("--format", help=_("text or md."))] = "text",
    out: Annotated[
        Path | None, typer.Option("-o", "--output", help=_("Write it to this file (md only)."))
    ] = None,
    as_json: common.AsJson = False,
) -> None:
    from dangwu.app import consultation
    from dangwu.errors import UsageError
    from dangwu.model.words import one_of

    fmt = one_of("--format", fmt, ("text", "md"))
    if out is not None and fmt != "md":
        raise UsageError(_("-o writes the Markdown report: add --format md"))
    office = common.office(ctx)
    c = consultation.report(office, record_id)
    roster = office.settings.roster
    if as_json:
        output.emit_json(_consultation_json(c, roster))
        return
    if fmt == "md":
        text = consultation.markdown(office, c)
        if out is None:
            output.say(text.rstrip("\n"))
            return
        consultation.save(text, out)
        output.say(_("{path}: the consultation report of {id}").format(path=out, id=c.record))
        return
    _consultation_text(c, roster)


def _consultation_json(c: Any, roster: Any) -> dict[str, Any]:
    return {
        "record": c.record,
        "title": c.title,
        "preliminary_title": c.preliminary_title,
        "status": c.status,
        "opened": c.opened.isoformat() if c.opened else None,
        "closes": c.closes.isoformat() if c.closes else None,
        "published": c.published.isoformat() if c.published else None,
        "preliminary_commit": c.preliminary,
        "formal_commit": c.formal,
        "adoption": {
            "received": c.adoption.received,
            **c.adoption.outcomes,
            "unanswered": c.adoption.unanswered,
            "summary": c.adoption.summary_zh(),
        },
        "opinions": [_opinion_json(f, roster) for f in c.opinions],
        "after_the_window": [_opinion_json(f, roster) for f in c.late],
        "changes": [
            {
                "field": change.field,
                "lines": [
                    {"op": line.op, "text": line.text}
                    | ({"pieces": [[p.op, p.text] for p in line.pieces]} if line.pieces else {})
                    for line in change.lines
                    if line.op != " "
                ],
            }
            for change in c.changes
        ],
        "commit": c.commit,
    }


def _opinion_json(f: Any, roster: Any) -> dict[str, Any]:
    return {
        "number": f.number,
        "received": f.received.isoformat(),
        "from": f.giver(roster, put_out=True),
        "text": f.text,
        "disposition": dict(f.disposition) if f.disposition else None,
    }


def _consultation_text(c: Any, roster: Any) -> None:
    output.say(_("Consultation report: {id} {title}").format(id=c.record, title=c.title), "bold")
    rows = [
        (
            _("put out"),
            _("{title}, for comment {opened} to {closes} ({commit})").format(
                title=c.preliminary_title,
                opened=c.opened.isoformat() if c.opened else "?",
                closes=c.closes.isoformat() if c.closes else "?",
                commit=(c.preliminary or "")[:10],
            ),
        ),
        (
            _("formal plan"),
            _("published {day} ({commit})").format(
                day=c.published.isoformat(), commit=(c.formal or "")[:10]
            )
            if c.published
            else _("not yet published ({status}); compared as it stands").format(
                status=_(c.status)
            ),
        ),
        (_("opinions"), c.adoption.summary_zh()),
    ]
    output.fields(rows)
    output.say("")
    output.say(_("Opinions and what became of them"), "bold")
    if not c.opinions:
        output.say("  " + _("none"))
    for f in c.opinions:
        _opinion_text(f, roster)
    if c.late:
        output.say("")
        output.say(
            _("Received after the window closed on {day} (not counted above)").format(
                day=c.closes.isoformat()
            ),
            "bold",
        )
        for f in c.late:
            _opinion_text(f, roster)
    output.say("")
    output.say(_("What changed from the plan put out for comment"), "bold")
    if not c.changes:
        output.say("  " + _("nothing: the formal plan says what the plan put out said"))
    for change in c.changes:
        output.say(f"  {change.field}", "dim")
        for line in change.lines:
            if line.op == " ":
                continue
            if line.op == "~":
                said = "".join(
                    output.paint(f"[-{p.text}-]", "red")
                    if p.op == "-"
                    else output.paint(f"{{+{p.text}+}}", "green")
                    if p.op == "+"
                    else p.text
                    for p in line.pieces
                )
                output.say(f"    ~ {said}")
            else:
                output.say(f"    {line.op} {line.text}", "red" if line.op == "-" else "green")


def _opinion_text(f: Any, roster: Any) -> None:
    """One opinion and what became of it, as the report says it at a terminal."""
    from dangwu.model.supervision import OUTCOMES

    who = f.giver(roster, put_out=True)
    if f.meeting:
        who += "  " + _("(at meeting {n})").format(n=f.meeting)
    output.say(f"  {f.number or '-'}  {f.received.isoformat()}  {who}")
    output.say(f"     {f.text}")
    answer = f.disposition
    if answer:
        outcome = pair(OUTCOMES.get(str(answer.get("outcome")), ("?", "?")))
        output.say(
            "     → "
            + _("{outcome}: {reason} (told {day}, {how})").format(
                outcome=outcome,
                reason=answer.get("reason"),
                day=answer.get("on"),
                how=answer.get("notified"),
            ),
            "green",
        )
    else:
        output.say("     → " + _("no answer yet"), "yellow")


# --- reports -------------------------------------------------------------------------


def report_new(
    ctx: typer.Context,
    about: Annotated[
        str,
        typer.Option(
            "--about",
            help=_("The record the report concerns."),
            autocompletion=complete.record_ids,
        ),
    ],
    text: Annotated[str, typer.Option("--text", help=_("What the report says."))],
    name: Annotated[
        str | None,
        typer.Option("--name", help=_("The reporter's real name (none: anonymous).")),
    ] = None,
    contact: Annotated[
        str | None, typer.Option("--contact", help=_("How to reach the reporter."))
    ] = None,
    received: CameIn = None,
) -> None:
    from dangwu.app import supervision

    done = supervision.new_report(
        common.office(ctx),
        about=about,
        text=text,
        name=name,
        contact=contact,
        received=common.day("--received", received),
    )
    output.say(_("report {n} about {id} logged").format(n=done.number, id=done.record))
    for line in done.notes:
        output.say(f"  {line}")


def _reports(office: Any) -> list[Any]:
    from dangwu.app import supervision
    from dangwu.check.supervision import read_all

    reports, _opinions, problems = read_all(supervision.working_tree(office), office.root)
    for problem in problems:
        output.warning(_("{problem} (left out)").format(problem=problem))
    return reports


def report_list(
    ctx: typer.Context,
    only_open: Annotated[
        bool, typer.Option("--open", help=_("Only reports not yet answered."))
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON (without names)."))] = False,
) -> None:
    from dangwu.rules.workdays import Calendar

    office = common.office(ctx)
    calendar = Calendar(office.settings.rules)
    days = office.settings.rules.report_answer_days
    rows = []
    for r in _reports(office):
        if only_open and r.answer:
            continue
        due = calendar.deadline(r.received, days) if r.real_name and not r.answer else None
        rows.append((r, due))
    if as_json:
        output.emit_json(
            [
                {
                    "number": r.number,
                    "received": r.received.isoformat(),
                    "about": r.about,
                    "real_name": r.real_name,
                    "answered": r.answered_on.isoformat() if r.answered_on else None,
                    "due": due.isoformat() if due else None,
                }
                for r, due in rows
            ]
        )
        return
    if not rows:
        output.say(_("No open reports.") if only_open else _("No reports."))
        return
    output.table(
        [_("number"), _("received"), _("about"), _("kind"), _("state")],
        [
            [
                str(r.number),
                r.received.isoformat(),
                r.about,
                _("real-name") if r.real_name else _("anonymous"),
                _("answered {day}").format(day=r.answered_on.isoformat())
                if r.answered_on
                else _("open, due {day}").format(day=due.isoformat())
                if due
                else _("logged; no answer owed"),
            ]
            for r, due in rows
        ],
    )


def report_show(
    ctx: typer.Context,
    number: Annotated[
        int,
        typer.Argument(
            metavar="N", help=_("The report's number."), autocompletion=complete.report_numbers
        ),
    ],
    as_json: common.AsJson = False,
) -> None:
    from dangwu.app import supervision

    office = common.office(ctx)
    report, _text = supervision.find_report(office, number)
    if as_json:
        output.emit_json(
            {
                "number": report.number,
                "received": report.received.isoformat(),
                "name": report.name,
                "contact": report.contact,
                "about": report.about,
                "text": report.text,
                "logged": {"by": report.logged_by, "at": report.logged_at},
                "answer": dict(report.answer) if report.answer else None,
            }
        )
        return
    roster = office.settings.roster
    logger = roster.get(report.logged_by)
    rows = [
        (_("received"), report.received.isoformat()),
        (_("reporter"), report.name or _("anonymous")),
    ]
    if report.contact:
        rows.append((_("contact"), report.contact))
    rows += [
        (_("about"), report.about),
        (
            _("logged"),
            f"{logger.name if logger else report.logged_by} ({report.logged_by}) "
            f"{report.logged_at[:16].replace('T', ' ')}",
        ),
    ]
    if report.answer:
        answer = report.answer
        rows.append(
            (
                _("answered"),
                f"{answer.get('on')} · {_('notified')}: {answer.get('notified')} · "
                f"{answer.get('by')}",
            )
        )
    elif report.real_name:
        from dangwu.rules.workdays import Calendar

        rules = office.settings.rules
        due = Calendar(rules).deadline(report.received, rules.report_answer_days)
        rows.append((_("due"), _("to be answered by {day}").format(day=due.isoformat())))
    output.say(_("report {n}").format(n=report.number), "bold")
    _written(rows, report.text, report.answer)


def report_answer(
    ctx: typer.Context,
    number: Annotated[
        int,
        typer.Argument(
            metavar="N", help=_("The report's number."), autocompletion=complete.report_numbers
        ),
    ],
    text: Annotated[str, typer.Option("--text", help=_("How it was dealt with."))],
    notified: Annotated[
        str, typer.Option("--notified", help=_("How the reporter was told (e.g. 电话告知本人)."))
    ],
    on: Annotated[
        str | None,
        typer.Option("--on", help=_("The day the reporter was told (default: today).")),
    ] = None,
) -> None:
    from dangwu.app import supervision

    done = supervision.answer_report(
        common.office(ctx), number, text=text, notified=notified, on=common.day("--on", on)
    )
    output.say(_("report {n}: answered").format(n=done.number))
    for said in done.notes:
        output.warning(said)


def _written(rows: list[tuple[str, str]], text: str, answer: Any) -> None:
    """A report or a request in full: its facts, what it says, and its answer."""
    output.fields(rows)
    output.say("")
    output.say(text)
    if answer:
        output.say("")
        output.say(_("Answer:"), "bold")
        output.say(str(answer.get("text")))


# --- requests for disclosure ---------------------------------------------------------

RequestNumber = Annotated[
    int,
    typer.Argument(
        metavar="N", help=_("The request's number."), autocompletion=complete.request_numbers
    ),
]
Notified = Annotated[
    str | None,
    typer.Option("--notified", help=_("How the requester was told (e.g. 电话告知、邮寄).")),
]
AnsweredOn = Annotated[
    str | None,
    typer.Option("--on", help=_("The day the requester was answered (default: today).")),
]


def request_new(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help=_("Who asks (a person or a body)."))],
    contact: Annotated[str, typer.Option("--contact", help=_("How to reach them."))],
    text: Annotated[
        str | None, typer.Option("--text", help=_("What is asked for, in their words."))
    ] = None,
    about: Annotated[
        str | None,
        typer.Option(
            "--about",
            help=_("The record the request asks about, if it names one."),
            autocompletion=complete.record_ids,
        ),
    ] = None,
    received: CameIn = None,
) -> None:
    from dangwu.app import requests

    done = requests.new_request(
        common.office(ctx),
        name=name,
        contact=contact,
        text=text,
        about=about,
        received=common.day("--received", received),
    )
    output.say(_("request {n} logged").format(n=done.logged.number))
    for line in done.logged.notes:
        output.say(f"  {line}")


def request_list(
    ctx: typer.Context,
    only_open: Annotated[
        bool, typer.Option("--open", help=_("Only requests not yet settled."))
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON (without names)."))] = False,
) -> None:
    from dangwu.app import requests
    from dangwu.model.supervision import SETTLED
    from dangwu.rules.requests import answer_due
    from dangwu.rules.workdays import Calendar

    office = common.office(ctx)
    found, problems = requests.all_requests(office)
    for problem in problems:
        output.warning(_("{problem} (left out)").format(problem=problem))
    calendar = Calendar(office.settings.rules)
    rows = [(r, answer_due(r, calendar)) for r in found if not (only_open and r.answer)]
    if as_json:
        output.emit_json(
            [
                {
                    "number": r.number,
                    "received": r.received.isoformat(),
                    "about": r.about,
                    "due": due.isoformat(),
                    "extended": r.extended,
                    "outcome": r.outcome,
                    "record": (r.answer or {}).get("record"),
                    "settled": r.answered_on.isoformat() if r.answered_on else None,
                    "reached": r.answer_reached.isoformat() if r.answer_reached else None,
                    "late": bool(r.settled_on and r.settled_on > due),
                }
                for r, due in rows
            ]
        )
        return
    if not rows:
        output.say(_("No open requests.") if only_open else _("No requests."))
        return

    def state(r: Any, due: Any) -> str:
        if r.answered_on:
            said = _("{outcome} {day}").format(
                outcome=pair(SETTLED[r.outcome]), day=r.answered_on.isoformat()
            )
            if r.settled_on <= due:
                return said
            if r.answered_on <= due and r.settled_on == r.answer_reached:
                # dated in time, but the server had it later
                return said + _(" (late: the server received it on {day})").format(
                    day=r.settled_on.isoformat()
                )
            if r.answered_on <= due:  # dated in time, but recorded after its last day
                return said + _(" (late: recorded on {day})").format(day=r.settled_on.isoformat())
            return said + _(" (late)")
        return (_("open, extended to {day}") if r.extended else _("open, due {day}")).format(
            day=due.isoformat()
        )

    output.table(
        [_("number"), _("received"), _("about"), _("state")],
        [[str(r.number), r.received.isoformat(), r.about or "", state(r, d)] for r, d in rows],
    )


def request_show(ctx: typer.Context, number: RequestNumber, as_json: common.AsJson = False) -> None:
    from dangwu.app import requests
    from dangwu.model.supervision import SETTLED
    from dangwu.rules.requests import answer_due
    from dangwu.rules.workdays import Calendar

    office = common.office(ctx)
    request, _text = requests.find_request(office, number)
    due = answer_due(request, Calendar(office.settings.rules))
    if as_json:
        output.emit_json(
            {
                "number": request.number,
                "received": request.received.isoformat(),
                "name": request.name,
                "contact": request.contact,
                "about": request.about,
                "text": request.text,
                "logged": {"by": request.logged_by, "at": request.logged_at},
                "due": due.isoformat(),
                "extension": dict(request.extension) if request.extension else None,
                "answer": dict(request.answer) if request.answer else None,
            }
        )
        return
    rows = [
        (_("received"), request.received.isoformat()),
        (_("requester"), request.name),
        (_("contact"), request.contact),
    ]
    if request.about:
        rows.append((_("about"), request.about))
    rows.append(
        (
            _("logged"),
            f"{office.settings.name_of(request.logged_by)} ({request.logged_by}) "
            f"{request.logged_at[:16].replace('T', ' ')}",
        )
    )
    if request.extension:
        rows.append(
            (_("extended"), f"{request.extension.get('on')} · {request.extension.get('reason')}")
        )
    rows.append((_("due"), due.isoformat()))
    if request.answer:
        answer = request.answer
        said = f"{pair(SETTLED[str(answer.get('outcome'))])} {answer.get('on')}"
        if answer.get("record"):
            said += f" · {answer.get('record')}"
        if answer.get("notified"):
            said += f" · {_('notified')}: {answer.get('notified')}"
        rows.append((_("settled"), said))
    output.say(_("request {n}").format(n=request.number), "bold")
    _written(rows, request.text, request.answer)


def request_answer(
    ctx: typer.Context,
    number: RequestNumber,
    disclose: Annotated[
        str | None,
        typer.Option(
            "--disclose",
            help=_("The published record that discloses what was asked."),
            autocompletion=complete.record_ids,
        ),
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help=_("A written answer."))] = None,
    notified: Notified = None,
    on: AnsweredOn = None,
) -> None:
    from dangwu.app import requests

    done = requests.answer_request(
        common.office(ctx),
        number,
        disclose=disclose,
        text=text,
        notified=notified,
        on=common.day("--on", on),
    )
    _settled(done)


def request_extend(
    ctx: typer.Context,
    number: RequestNumber,
    reason: Annotated[str, typer.Option("--reason", help=_("Why more time is needed."))],
) -> None:
    from dangwu.app import requests

    done = requests.extend_request(common.office(ctx), number, reason=reason)
    output.say(done.logged.notes[0])


def request_refuse(
    ctx: typer.Context,
    number: RequestNumber,
    reason: Annotated[
        str, typer.Option("--reason", help=_("Why it is not disclosed, as the letter says."))
    ],
    notified: Notified = None,
    on: AnsweredOn = None,
    fmt: Annotated[str, typer.Option("--format", help=_("pdf or docx."))] = "pdf",
    out: Annotated[Path | None, render.paper_out("printed/requests/")] = None,
) -> None:
    from dangwu.app import requests

    done = requests.refuse_request(
        common.office(ctx),
        number,
        reason=reason,
        notified=notified,
        on=common.day("--on", on),
        fmt=fmt,
        out=out,
    )
    _settled(done)
    if done.letter is not None:
        output.say(_("{path}: the letter to the requester").format(path=done.letter))
    render.boxes(done.missing)


def _settled(done: Any) -> None:
    line, *late = done.logged.notes
    output.say(f"{line} ({done.logged.commit[:10]})")
    for said in late:
        output.warning(said)
