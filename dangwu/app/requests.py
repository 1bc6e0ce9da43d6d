"""Disclosure on request (依申请公开) [SPEC 14]: someone asks the office for a
disclosure; the office answers within its working days (3 by default), may extend
the time once (to 10) with a reason before it runs out, and settles the request
once: by a published record that discloses what was asked, by a written answer, or
by a refusal with written reasons (a letter, printed for the requester).

A request is one YAML file, ``requests/<number>.yaml``, numbered from the logger's
id_block like a report; each step is one commit of the person acting. The
requester's name and contact are kept like a real-name reporter's: never in a commit
message, a disclosure, a printed sheet or the web site.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from dangwu import yamlio
from dangwu.app import printing
from dangwu.app.supervision import (
    Logged,
    answered_on,
    dump,
    lateness,
    numbered_text,
    numbers_in,
    working_tree,
)
from dangwu.check.supervision import parse_request, read_requests
from dangwu.errors import Problem, RecordNotFound, RuleViolation, UsageError
from dangwu.i18n import _, pair
from dangwu.model.history import Trailer
from dangwu.model.record import parse_id
from dangwu.model.supervision import EARLIEST, REQUESTS_DIR, SETTLED, Request, request_path
from dangwu.model.words import one_of, zh_date
from dangwu.render import letter as render
from dangwu.rules.requests import answer_due, require_extendable, require_open
from dangwu.rules.supervision import check_day, next_report_number, one_line, text_of
from dangwu.rules.workdays import Calendar
from dangwu.store import records
from dangwu.store.acting import acting, message
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office
from dangwu.store.snapshot import with_answers_received

FOLDER = "requests"  # under printed/: the refusal letters
FORMATS = ("pdf", "docx")


@dataclass(frozen=True)
class Settled:
    """What a request command wrote, and the day the answer is now due."""

    logged: Logged
    due: date | None = None
    letter: Path | None = None
    missing: list[str] = field(default_factory=list)
    request: Request | None = None  # as it now stands


def all_requests(office: Office) -> tuple[list[Request], list[Problem]]:
    """The requests of the working tree, in the order they came in, each answer with
    the day the server received it where that was later than its own [SPEC 11]."""
    found, problems = read_requests(working_tree(office, folders=[REQUESTS_DIR]), office.root)
    if not any(r.answer for r in found):
        return found, problems
    with GitStore(office.root, office.state_dir) as git:
        if git.head() is None:
            return found, problems
        # a file changed since HEAD: its answer is not the one the server has seen
        changed = git.dirty([REQUESTS_DIR])
        same = [r for r in found if r.path not in changed]
        received = {r.path: r for r in with_answers_received(git, "HEAD", same, office.settings)}
        return [received.get(r.path, r) for r in found], problems


def find_request(office: Office, number: int) -> tuple[Request, str]:
    """A request of the working tree by number, with its text."""
    relpath = request_path(number)
    missing = RecordNotFound(
        _("there is no request {n}").format(n=number),
        hint=_("dangwu request list shows the requests"),
    )
    text = numbered_text(office, relpath, missing)
    return parse_request(text, relpath, office.root), text


def new_request(
    office: Office,
    *,
    name: str,
    contact: str,
    text: str | None = None,
    about: str | None = None,
    received: date | None = None,
) -> Settled:
    """Log a request for disclosure; its answer is due in the office's working days."""
    who = one_line("--name", name, longest=100)
    reach = one_line("--contact", contact, longest=200)
    if text is None and about is None:
        raise UsageError(_("say what is asked for: --text, or --about ID (or both)"))
    body = text_of("--text", text) if text is not None else None
    with acting(office, "request") as act:
        record_id = None
        if about is not None:
            record = records.find(office, about)
            record_id = str(record.data.get("id"))
            if body is None:
                body = _("disclosure of {id} {title}").format(
                    id=record_id, title=record.data.get("title")
                )
        assert body is not None and who is not None and reach is not None
        today = act.when.date()
        day = check_day("--received", received or today, today, not_before=EARLIEST)
        number = next_report_number(act.actor, numbers_in(office, REQUESTS_DIR))
        relpath = request_path(number)
        fields: dict[str, Any] = {
            "number": number,
            "received": day.isoformat(),
            "name": who,
            "contact": reach,
        }
        if record_id is not None:
            fields["about"] = record_id
        fields["text"] = body
        fields["logged"] = {"by": act.actor.key, "at": act.when.isoformat()}
        content = dump(fields)
        request = parse_request(content, relpath, office.root)
        due = answer_due(request, Calendar(act.settings.rules))
        # the commit names the number (and the record asked about), never the requester
        subject = str(number) if record_id is None else f"{number} {record_id}"
        commit = act.commit(
            {relpath: content.encode("utf-8")},
            message(
                "request",
                subject,
                actor=act.actor,
                body=[_("received {day}").format(day=day.isoformat())],
                extra=[(Trailer.REQUEST, str(number))],
            ),
        )
    note = _("to be answered by {day}").format(day=due.isoformat())
    return Settled(Logged(relpath, commit, record_id or "", number, notes=(note,)), due)


def extend_request(office: Office, number: int, *, reason: str) -> Settled:
    """Extend the time to answer, once, before it has run out, with a reason."""
    why = text_of("--reason", reason)
    with acting(office, "request") as act:
        request, raw = find_request(office, number)
        calendar = Calendar(act.settings.rules)
        until = require_extendable(request, act.when.date(), calendar)
        rt = yamlio.load_round_trip(raw)
        records.place(
            rt,
            "extension",
            yamlio.as_yaml_tree(
                {
                    "on": act.when.date().isoformat(),
                    "reason": why,
                    "by": act.actor.key,
                    "at": act.when.isoformat(),
                }
            ),
        )
        content = yamlio.dump_round_trip(rt)
        parse_request(content, request.path, office.root)
        commit = act.commit(
            {request.path: content.encode("utf-8")},
            message(
                "extend",
                str(number),
                actor=act.actor,
                body=[_("to be answered by {day}").format(day=until.isoformat())],
                extra=[(Trailer.REQUEST, str(number))],
            ),
        )
    note = _("request {n}: the time to answer is extended to {day}").format(
        n=number, day=until.isoformat()
    )
    return Settled(Logged(request.path, commit, request.about or "", number, (note,)), until)


def answer_request(
    office: Office,
    number: int,
    *,
    disclose: str | None = None,
    text: str | None = None,
    notified: str | None = None,
    on: date | None = None,
) -> Settled:
    """Settle a request by a published record that discloses what was asked
    (``disclose``), or by a written answer (``text``)."""
    if disclose is None and text is None:
        raise UsageError(_("answer with --disclose ID (a published record) or --text"))
    if disclose is not None and text is not None:
        raise UsageError(_("give --disclose ID or --text, not both"))
    body = text_of("--text", text) if text is not None else None
    how = one_line("--notified", notified, longest=200)
    with acting(office, "request") as act:
        request, raw = find_request(office, number)
        require_open(request)
        answer: dict[str, Any] = {}
        if disclose is not None:
            record = records.find(office, parse_id(disclose))
            record_id = str(record.data.get("id"))
            if record.status != "published":
                raise RuleViolation(
                    _(
                        "{id} is {status}; a request is answered by disclosing a published record"
                    ).format(id=record_id, status=_(record.status)),
                    hint=_("publish it first, or answer with --text"),
                    record_id=record_id,
                    rule="not-published",
                )
            answer = {"outcome": "disclosed", "record": record_id}
            body = _("disclosed as {id} {title}").format(
                id=record_id, title=record.data.get("title")
            )
        else:
            answer = {"outcome": "answered"}
        assert body is not None
        settled = _settle(act, request, raw, answer, body, how, on, office)
    if disclose is not None and record.data.get("scope") == "internal":
        # party members may ask for what is disclosed within the party; the file does
        # not say whether this requester is one, so the clerk is reminded
        note = _(
            "{id} is disclosed within the party (党内公开): give it only to a requester "
            "who is a party member"
        ).format(id=record_id)
        logged = replace(settled.logged, notes=(*settled.logged.notes, note))
        settled = replace(settled, logged=logged)
    return settled


def refuse_request(
    office: Office,
    number: int,
    *,
    reason: str,
    notified: str | None = None,
    on: date | None = None,
    fmt: str = "pdf",
    out: Path | None = None,
    letter: bool = True,
) -> Settled:
    """Refuse a request with written reasons, and print the letter that tells the
    requester (不予公开告知书) unless ``letter`` is False."""
    why = text_of("--reason", reason)
    how = one_line("--notified", notified, longest=200)
    fmt = one_of("--format", fmt, FORMATS)
    with acting(office, "request") as act:
        request, raw = find_request(office, number)
        require_open(request)
        settled = _settle(act, request, raw, {"outcome": "refused"}, why, how, on, office)
        settings, when = act.settings, act.when
    if not letter or settled.request is None:
        return settled
    folder = out if out is not None else office.root / printing.PRINTED / FOLDER
    target = (
        out
        if out is not None and out.suffix
        else printing.place_in(folder, f"{number}-refusal.{fmt}")
    )
    written = refusal_letter(settings.unit, settings.contact, settled.request)
    missing = render.write(written, target, fmt, when=when)
    return replace(settled, due=None, letter=target, missing=missing)


def refusal_letter(unit: str, contact: str, request: Request) -> render.Letter:
    """The letter that tells a requester why the office does not disclose what was
    asked (不予公开告知书): written for them, so it names them."""
    assert request.answer is not None
    day = request.answered_on or request.received
    asked = request.text if len(request.text) <= 200 else request.text[:200] + "……"
    paragraphs = [
        f"本单位于{zh_date(request.received)}收到您提出的党务公开申请"
        f"（第{request.number}号），申请公开的内容为：{_stopped(asked)}",
        "经审查，本单位决定不予公开。理由如下：",
        _stopped(str(request.answer.get("text", ""))),
        "如对本决定有异议，可向本单位党务公开领导小组反映"
        + (f"（{contact}）。" if contact else "。"),
    ]
    return render.Letter(
        unit=unit,
        heading="不予公开告知书",
        number=f"依申请第{request.number}号",
        to=request.name,
        paragraphs=paragraphs,
        signed=unit,
        day_zh=zh_date(day),
    )


def _stopped(text: str) -> str:
    """A sentence with its full stop, as a letter prints it."""
    text = text.strip()
    return text if not text or text[-1] in "。！？；…）」』”" else text + "。"


def _settle(
    act: Any,
    request: Request,
    raw: str,
    answer: dict[str, Any],
    body: str,
    how: str | None,
    on: date | None,
    office: Office,
) -> Settled:
    today = act.when.date()
    day = answered_on(on, today, request.received, request.logged_at,
                      _("the day the request was logged"))  # fmt: skip
    answer = {**answer, "text": body, "on": day.isoformat()}
    if how is not None:
        answer["notified"] = how
    answer |= {"by": act.actor.key, "at": act.when.isoformat()}
    rt = yamlio.load_round_trip(raw)
    records.place(rt, "answer", yamlio.as_yaml_tree(answer))
    content = yamlio.dump_round_trip(rt)
    settled = parse_request(content, request.path, office.root)
    outcome = str(answer["outcome"])
    due = answer_due(settled, Calendar(act.settings.rules))
    body_lines = [_("{outcome} on {day}").format(outcome=pair(SETTLED[outcome]), day=day)]
    body_lines += lateness(day, today, due)
    step = "refuse" if outcome == "refused" else "answer"
    commit = act.commit(
        {request.path: content.encode("utf-8")},
        message(
            step,
            str(request.number),
            actor=act.actor,
            body=body_lines,
            extra=[(Trailer.REQUEST, str(request.number))],
        ),
    )
    note = _("request {n}: {outcome}").format(n=request.number, outcome=pair(SETTLED[outcome]))
    notes = (note, *body_lines[1:])  # and when it is late, why
    logged = Logged(request.path, commit, request.about or "", request.number, notes)
    return Settled(logged, due, request=settled)
