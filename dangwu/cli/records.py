"""Commands on records: catalogue, new, show, list, validate, edit, set."""

from __future__ import annotations

import dataclasses
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dangwu.cli import common, complete, output
from dangwu.i18n import _, names, ngettext, os_reason, pair

if TYPE_CHECKING:
    from collections.abc import Callable

    from dangwu.model.catalogue import Catalogue, Category
    from dangwu.model.record import Summary
    from dangwu.store.office import Office


def register(app: typer.Typer) -> None:
    app.command(
        "catalogue",
        help=_(
            "Show the disclosure catalogue (党务公开目录): categories and item types; "
            "--format html or pdf prints it with each item's form, time limit, "
            "department and basis.\n\n"
            "Example: dangwu catalogue zuzhi-jianshe"
        ),
    )(catalogue)
    app.command(
        "new",
        help=_(
            "Draft a new record; prints its id. Asks for what is missing when run at a "
            "terminal.\n\n"
            "Example: dangwu new zuzhi-jianshe --item party-dues --title "
            "2026年第三季度党费收缴管理情况 --period 2026Q3"
        ),
    )(new)
    app.command("show", help=_("Show one record.\n\nExample: dangwu show ZZ-2026-101"))(show)
    app.command(
        "list",
        help=_(
            "List records, optionally filtered.\n\n"
            "Example: dangwu list --category zuzhi-jianshe --status draft"
        ),
    )(list_records)
    app.command(
        "validate",
        help=_(
            "Check records (all, or the files and folders given) and report every problem "
            "with file:line:col.\n\nExample: dangwu validate records/zuzhi-jianshe"
        ),
    )(validate_cmd)
    app.command(
        "edit",
        help=_(
            "Edit a record in your $EDITOR; it is committed only if it still validates.\n\n"
            "Example: dangwu edit ZZ-2026-101"
        ),
    )(edit)
    app.command(
        "set",
        help=_(
            "Change fields of a record: FIELD=VALUE, and LIST+=VALUE or LIST-=VALUE for "
            "channels and attachments.\n\n"
            "Example: dangwu set ZZ-2026-101 title=新标题 channels+=circular"
        ),
    )(set_cmd)
    app.command(
        "discard",
        help=_(
            "Remove a draft that was never submitted (a duplicate, a mistake), in one "
            "commit that says so. A record the leading group has seen is withdrawn or "
            "withheld instead.\n\n"
            "Example: dangwu discard ZZ-2026-108"
        ),
    )(discard)


# --- catalogue ---------------------------------------------------------------------


def catalogue(
    ctx: typer.Context,
    category: Annotated[
        str | None, typer.Argument(help=_("Only this category (slug, code or Chinese name)."))
    ] = None,
    as_json: common.AsJson = False,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help=_("text, or html or pdf to print the 党务公开目录 as offices post it."),
        ),
    ] = "text",
    out: common.Output = None,
) -> None:
    from dangwu.model.catalogue import CADENCE_TITLES, SCOPE_TITLES

    if fmt != "text":
        from dangwu.app import printing
        from dangwu.cli.render import boxes

        office = common.office(ctx)
        done = printing.print_catalogue(office, fmt=fmt, out=out or office.root / printing.PRINTED)
        output.say(
            _("{path}: the catalogue of {n} items, from commit {commit}").format(
                path=done.path, n=done.records, commit=done.commit[:10]
            )
        )
        boxes(done.missing)
        return
    cat = _catalogue(ctx)
    chosen = [cat.category(category)] if category else list(cat)
    if as_json:
        output.emit_json(
            [
                {
                    "slug": c.slug,
                    "code": c.code,
                    "zh": c.zh,
                    "en": c.en,
                    "items": [
                        {
                            "code": i.code,
                            "slug": i.slug,
                            "zh": i.zh,
                            "en": i.en,
                            "scope": i.scope,
                            "cadence": i.cadence,
                            "channels": list(i.channels),
                            "days": i.days,
                            "time_limit": i.time_limit or None,
                            "department": i.department or None,
                            "basis": i.basis or None,
                        }
                        for i in c.items
                    ],
                }
                for c in chosen
            ]
        )
        return
    for number, c in enumerate(chosen):
        if number:
            output.say("")
        output.table(
            [_("code"), _("slug"), _("scope"), _("cadence"), _("item")],
            [
                [
                    i.code,
                    i.slug,
                    f"{pair(SCOPE_TITLES[i.scope])}",
                    f"{pair(CADENCE_TITLES[i.cadence])}",
                    names(i.zh, i.en),
                ]
                for i in c.items
            ],
            title=f"{c.code} {names(c.zh, c.en)} ({c.slug})",
        )


def _catalogue(ctx: typer.Context) -> Catalogue:
    """The office's catalogue, or the shipped one outside an office."""
    from dangwu.errors import NotAnOffice

    try:
        return common.office(ctx).catalogue
    except NotAnOffice:
        from dangwu import yamlio
        from dangwu.model.catalogue import from_data
        from dangwu.resources import shipped

        path = shipped("schemas", "catalogue.yaml")
        return from_data(yamlio.load(path.read_text(encoding="utf-8")).data, path)


# --- new ---------------------------------------------------------------------------


def _interactive() -> bool:
    return sys.stdin.isatty() and not os.environ.get("DANGWU_NO_PROMPT")


def _menu(title: str, rows: list[tuple[str, str]]) -> int:
    output.say(title, "bold")
    for number, (code, label) in enumerate(rows, 1):
        output.say(f"  {number:>2}  {code:<5} {label}")
    while True:
        answer = typer.prompt(_("Choose 1-{n}").format(n=len(rows))).strip()
        if answer.isdigit() and 1 <= int(answer) <= len(rows):
            return int(answer) - 1
        # or what the row says: its code, its name, or the start of one of them
        named = [
            i
            for i, (code, label) in enumerate(rows)
            if answer and (answer.upper() == code.upper() or answer in label)
        ]
        exact = [i for i in named if answer.upper() == rows[i][0].upper() or rows[i][1] == answer]
        if len(exact) == 1 or len(named) == 1:
            return (exact or named)[0]
        output.say(_("Please type a number from the list, or a name in it."), "yellow")


def _ask(question: str, read: Callable[[str], str], *, empty: bool = False) -> str:
    """Ask until the answer reads (``read`` gives the value kept, or refuses with a
    UsageError, which is said and the question asked again); nothing typed so far is
    lost to one bad answer."""
    from dangwu.errors import UsageError

    while True:
        answer = typer.prompt(question, default="" if empty else None, show_default=False)
        if empty and not answer.strip():
            return ""
        try:
            return read(answer)
        except UsageError as exc:
            output.say(exc.message, "yellow")
            if exc.hint:
                output.say(exc.hint, "yellow")


def _ask_category(cat: Catalogue) -> Category:
    index = _menu(_("Category (公开类别):"), [(c.code, names(c.zh, c.en)) for c in cat])
    return cat.categories[index]


def _ask_item(category: Category) -> str:
    index = _menu(
        _("Item (公开事项) of {zh}:").format(zh=category.zh),
        [(i.code, names(i.zh, i.en)) for i in category.items],
    )
    return category.items[index].slug


def new(
    ctx: typer.Context,
    category: Annotated[
        str | None,
        typer.Argument(
            help=_("Category: slug (zuzhi-jianshe), code (ZZ) or name (组织建设)."),
            autocompletion=complete.categories,
        ),
    ] = None,
    item: Annotated[
        str | None, typer.Option("--item", help=_("Item type: slug, code (ZZ16), number or name."))
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help=_("One-line title."))] = None,
    summary: Annotated[
        str | None, typer.Option("--summary", help=_("Short text for the notice board."))
    ] = None,
    body: Annotated[str | None, typer.Option("--body", help=_("Full text (Markdown)."))] = None,
    body_file: Annotated[
        Path | None,
        typer.Option(
            "--body-file", help=_("Read the full text from a UTF-8 file ('-' for stdin).")
        ),
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option(
            "--scope", help=_("internal (党内公开) or public (社会公开); default from the item.")
        ),
    ] = None,
    cadence: Annotated[
        str | None,
        typer.Option(
            "--cadence", help=_("standing, quarterly, timely or follow-up; default from the item.")
        ),
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option(
            "--channel",
            help=_(
                "Where it is disclosed, by code or Chinese name; repeat for several: "
                "meeting 党务公开会议, circular 印发党务公开信息, internal-board 内部党务公开栏, "
                "intranet 内部网, newspaper 报纸, city-portal 市公众信息网, website 单位对外网站, "
                "public-board 对外党务公开栏."
            ),
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", help=_("Quarter of a quarterly record: 2026Q3 or 2026年第三季度.")
        ),
    ] = None,
    event_date: Annotated[
        str | None,
        typer.Option(
            "--event-date",
            help=_("Date of the matter (2026-12-04 or 2026年12月4日); needed for timely records."),
        ),
    ] = None,
    follows: Annotated[
        str | None,
        typer.Option("--follows", help=_("Id of the record this one continues or corrects.")),
    ] = None,
    final: Annotated[
        bool,
        typer.Option(
            "--final", help=_("The last report of a follow-up chain: the matter is concluded.")
        ),
    ] = False,
    major: Annotated[
        bool, typer.Option("--major", help=_("全局性重大问题: needs a collective decision."))
    ] = False,
    pre_disclosure: Annotated[
        bool,
        typer.Option(
            "--pre-disclosure", help=_("预公开: publish a preliminary plan for comment first.")
        ),
    ] = False,
    attach: Annotated[
        list[str] | None,
        typer.Option(
            "--attach", help=_("A file in the office repository to attach; repeat for several.")
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help=_('Print {"id": ..., "path": ...}.'))
    ] = False,
) -> None:
    from dangwu import clock
    from dangwu.app import drafting
    from dangwu.errors import UsageError
    from dangwu.model import words

    office = common.office(ctx)
    ask = _interactive()
    cat = office.catalogue
    if body is not None and body_file is not None:
        raise UsageError(_("give --body or --body-file, not both"))
    if category is None:
        if not ask:
            raise UsageError(_("missing CATEGORY"), hint=_("see: dangwu catalogue"))
        chosen = _ask_category(cat)
    else:
        chosen = cat.category(category)
    if item is None:
        if not ask:
            raise UsageError(
                _("missing --item"), hint=_("see: dangwu catalogue {c}").format(c=chosen.slug)
            )
        item = _ask_item(chosen)
    if title is None:
        if not ask:
            raise UsageError(_("missing --title"))
        title = _ask(_("Title (标题)"), _one_line)
        if summary is None and body is None and body_file is None:
            summary = (
                _ask(
                    _("Summary for the notice board (摘要; Enter to leave it out)"),
                    str.strip,
                    empty=True,
                )
                or None
            )
    picked = chosen.item(item)
    effective_cadence = cadence or picked.cadence
    if ask and effective_cadence == "quarterly" and period is None:
        today = clock.now().date()
        period = _ask(
            _("Quarter it covers (e.g. 2026Q3 or 2026年第三季度)"),
            lambda text: words.quarter(_("the quarter"), text, today),
        )
    if ask and effective_cadence == "timely" and event_date is None:
        event_date = _ask(
            _("Date of the matter (e.g. 2026-12-04 or 2026年12月4日)"),
            lambda text: words.day(_("the date"), text),
        )
    if body_file is not None:
        body = _read_body(body_file)
    written = drafting.create(
        office,
        drafting.NewRecord(
            category=chosen.slug,
            item=picked.slug,
            title=title,
            summary=summary,
            body=body,
            scope=scope,
            cadence=cadence,
            channels=tuple(channel or ()),
            period=period,
            event_date=event_date,
            follows=follows,
            final=final,
            major=major,
            pre_disclosure=pre_disclosure,
            attachments=tuple(attach or ()),
        ),
    )
    if as_json:
        output.emit_json({"id": written.record_id, "path": written.relpath})
    else:
        output.say(written.record_id)
        for warning in written.warnings:
            output.warning(warning)
        output.note(
            _("Drafted {path}. Edit it with: dangwu edit {id}").format(
                path=written.relpath, id=written.record_id
            )
        )


def _one_line(text: str) -> str:
    from dangwu.errors import UsageError

    if not text.strip():
        raise UsageError(_("the title must not be empty"))
    return text.strip()


def _read_body(path: Path) -> str:
    from dangwu import yamlio
    from dangwu.errors import UsageError

    try:
        if str(path) == "-":
            raw = sys.stdin.buffer.read(yamlio.MAX_BYTES + 1)
            if len(raw) > yamlio.MAX_BYTES:
                raise yamlio.YamlProblem(
                    None,
                    None,
                    _("the text is larger than {limit}").format(
                        limit=yamlio.human_size(yamlio.MAX_BYTES)
                    ),
                )
        else:
            raw = yamlio.read_bytes(path, plain_file=False)
        return yamlio.decode(raw)
    except yamlio.YamlProblem as exc:
        where = str(path) if exc.line is None else f"{path}:{exc.line}:{exc.col}"
        raise UsageError(f"--body-file {where}: {exc.message}", hint=exc.hint) from None
    except OSError as exc:
        raise UsageError(
            _("--body-file: cannot read {path}: {error}").format(path=path, error=os_reason(exc))
        ) from None


# --- show / list -------------------------------------------------------------------


def show(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(metavar="ID", help=_("Record id."), autocompletion=complete.record_ids),
    ],
    as_json: common.AsJson = False,
) -> None:
    from dangwu.store import records

    office = common.office(ctx)
    relpath, data = records.read_fields(office, record_id)
    if as_json:
        output.emit_json({"path": relpath, **data})
        return
    closes = None
    from dangwu.store.gitenv import RECEIVED_NOTES, holds_ref

    # a window the server received late closes later than the file says [SPEC 11]
    if isinstance(data.get("consultation"), dict) and holds_ref(office.git_dir, RECEIVED_NOTES):
        from dangwu.app.procedure import comment_closes

        closes = comment_closes(office, relpath, data)
    _render_record(office, relpath, data, closes)


def _render_record(
    office: Office, relpath: str, data: dict[str, Any], closes: date | None = None
) -> None:
    from dangwu.model.catalogue import CADENCE_TITLES, CHANNEL_TITLES, SCOPE_TITLES

    settings = office.settings
    category = office.catalogue.by_slug(str(data.get("category")))
    item_label = str(data.get("item"))
    if category is not None:
        for item in category.items:
            if item.slug == data.get("item"):
                item_label = f"{item.zh} ({item.code})"
    status = str(data.get("status", "draft"))
    rows: list[tuple[str, str]] = [
        (_("status"), _(status)),
        (
            _("category"),
            names(category.zh, category.en) if category else str(data.get("category")),
        ),
        (_("item"), item_label),
    ]
    scope = data.get("scope")
    if scope in SCOPE_TITLES:
        rows.append((_("scope"), f"{pair(SCOPE_TITLES[scope])}"))
    audience = data.get("audience")
    if isinstance(audience, str):  # disclosed to one part of the organisation only
        rows.append((_("audience"), f"{settings.audiences.get(audience, audience)} ({audience})"))
    cadence = data.get("cadence")
    if cadence in CADENCE_TITLES:
        when = data.get("period") or data.get("event_date") or ""
        rows.append(
            (
                _("cadence"),
                f"{pair(CADENCE_TITLES[cadence])} {when}".rstrip(),
            )
        )
    channels = data.get("channels") or []
    rows.append(
        (
            _("channels"),
            _(", ").join(
                settings.channels.get(c)
                or (CHANNEL_TITLES[c][1] if c in CHANNEL_TITLES else str(c))
                for c in channels
            ),
        )
    )
    for flag, label in (
        ("major", _("major matter (collective decision)")),
        ("pre_disclosure", _("pre-disclosure (预公开)")),
    ):
        if data.get(flag):
            rows.append((_("needs"), label))
    if data.get("follows"):
        rows.append((_("follows"), str(data["follows"])))
    if data.get("final"):
        rows.append((_("chain"), _("final report: the follow-up is concluded")))
    for attachment in data.get("attachments") or []:
        rows.append((_("attachment"), str(attachment)))
    rows += _steps(settings, data, closes)
    rows.append((_("file"), relpath))

    output.say(f"{data.get('id')}  {data.get('title')}", "bold")
    columns = max(output.width(label) for label, _value in rows)
    for label, value in rows:
        output.say(f"  {output.paint(output.pad(label, columns), 'dim')}  {value}")
    for block in (data.get("summary"), data.get("body")):
        if block:
            output.say("")
            output.say(str(block).rstrip())


def _steps(settings: Any, data: dict[str, Any], closes: date | None) -> list[tuple[str, str]]:
    """The facts of each step the record went through, one line each (``closes``: the
    comment window's last day, as it stands)."""
    from dangwu.model.record import OUTCOME_TITLES

    def who(facts: dict[str, Any]) -> str:
        person = settings.roster.get(str(facts.get("by")))
        name = f"{person.name} ({person.key})" if person else str(facts.get("by"))
        return f"{name} {str(facts.get('at', ''))[:16].replace('T', ' ')}"

    def channels(facts: dict[str, Any]) -> str:
        return _(", ").join(settings.channels.get(c, c) for c in facts.get("channels") or [])

    lines: list[tuple[str, str, str]] = []
    for name, label in (
        ("created", _("drafted")),
        ("submitted", _("submitted")),
        ("rejection", _("sent back")),
        ("decision", _("decided")),
        ("approval", _("approved")),
        ("consultation", _("for comment")),
        ("publication", _("published")),
        ("withdrawal", _("withdrawn")),
    ):
        facts = data.get(name)
        if not isinstance(facts, dict):
            continue
        line = who(facts)
        if name == "decision":
            line += " · " + _("meeting {date}, {n} of {size} present: {outcome}").format(
                date=facts.get("meeting"),
                n=len(facts.get("attendees") or []),
                size=facts.get("group"),
                outcome=pair(OUTCOME_TITLES[str(facts.get("outcome"))])
                if facts.get("outcome") in OUTCOME_TITLES
                else str(facts.get("outcome")),
            )
        elif name == "approval" and facts.get("signed"):
            line += " · " + _("signed")
        elif name == "consultation":
            line += " · " + _("comments until {date}").format(date=closes or facts.get("closes"))
            line += " · " + channels(facts)
        elif name == "publication":
            line += " · " + channels(facts)
        if facts.get("reason"):
            line += " · " + str(facts["reason"])
        lines.append((str(facts.get("at", "")), label, line))
    return [(label, line) for _at, label, line in sorted(lines, key=lambda x: x[0])]


def list_records(
    ctx: typer.Context,
    category: Annotated[
        str | None, typer.Option("--category", help=_("Only this category."))
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help=_(
                "Only records in this state: draft (草稿), submitted (已报送), ..., "
                "published (已公开)."
            ),
        ),
    ] = None,
    scope: Annotated[str | None, typer.Option("--scope", help=_("internal or public."))] = None,
    cadence: Annotated[
        str | None, typer.Option("--cadence", help=_("standing, quarterly, timely or follow-up."))
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help=_("Quarter: 2026Q3 or 2026年第三季度."))
    ] = None,
    audience: Annotated[
        str | None,
        typer.Option(
            "--audience",
            help=_(
                "Only records disclosed to this audience (a branch, a group of members, "
                "as dangwu.yaml's audiences: names them)."
            ),
        ),
    ] = None,
    as_json: common.AsJson = False,
) -> None:
    from dangwu.app import listing

    office = common.office(ctx)
    bar = output.ProgressBar(_("reading records"))
    try:
        found = listing.select(
            office,
            category=category,
            status=status,
            scope=scope,
            cadence=cadence,
            period=period,
            audience=audience,
            progress=bar,
        )
    finally:
        bar.close()
    if as_json:
        output.emit_json([row.summary.listed() for row in found.rows])
    elif not found.rows:
        output.say(
            _("No records match.")
            if any((category, status, scope, cadence, period, audience))
            else _("No records yet. Draft one with: dangwu new")
        )
    else:
        from dangwu.model.catalogue import scope_term

        audiences = office.settings.audiences

        def disclosed_to(s: Summary) -> str:  # internal · 第一党支部, for one audience's
            return scope_term(s.scope, s.audience, audiences)

        output.table(
            [_("id"), _("status"), _("scope"), _("cadence"), _("when"), _("title")],
            [
                [
                    s.id,
                    _(s.status),
                    disclosed_to(s),
                    _(s.cadence),
                    s.period or s.event_date or "",
                    s.title,
                ]
                for s in (row.summary for row in found.rows)
            ],
        )
        output.note(
            ngettext("{n} record", "{n} records", len(found.rows)).format(n=len(found.rows))
        )
    if found.invalid:
        output.note(
            ngettext(
                "{n} file has problems and is not listed; see: dangwu validate",
                "{n} files have problems and are not listed; see: dangwu validate",
                found.invalid,
            ).format(n=found.invalid)
        )


# --- validate ----------------------------------------------------------------------


def validate_cmd(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help=_("Record files or folders (default: the whole office).")),
    ] = None,
    as_json: common.AsJson = False,
) -> None:
    from dangwu.app import listing

    office = common.office(ctx)
    bar = output.ProgressBar(_("checking records"))
    try:
        report = listing.validate_paths(office, paths or None, progress=bar)
    finally:
        bar.close()
    if as_json:
        output.emit_json(
            {
                "files": report.files,
                "problems": [
                    {
                        "path": p.path,
                        "line": p.line,
                        "col": p.col,
                        "message": p.message,
                        "hint": p.hint,
                    }
                    for p in report.problems
                ],
            }
        )
    else:
        output.problems(report.problems, stream=sys.stdout)
        if report.problems:
            output.note(
                ngettext(
                    "{n} problem in {bad} of {files} files",
                    "{n} problems in {bad} of {files} files",
                    len(report.problems),
                ).format(n=len(report.problems), bad=report.bad_files, files=report.files)
            )
        else:
            output.note(_("{files} files checked, no problems").format(files=report.files))
    if report.problems:
        raise typer.Exit(1)


# --- edit / set --------------------------------------------------------------------


def edit(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(metavar="ID", help=_("Record id."), autocompletion=complete.record_ids),
    ],
) -> None:
    from dangwu.app import drafting
    from dangwu.store import editor

    office = common.office(ctx)
    record, who = drafting.begin_edit(office, record_id)
    text = _edit_until_valid(office, record, who)
    if text is None:
        output.say(_("No changes."))
        return
    written = drafting.replace(office, record_id, text, base=record.raw)
    editor.forget(office, who, written.record_id)
    output.say(
        _("Saved {id}.").format(id=written.record_id) if written.commit else _("No changes.")
    )


def _edit_until_valid(office: Office, record: Any, who: str) -> str | None:
    """Open the editor until the text validates; None when nothing changed.
    Problems are placed in the copy being edited, where their lines are."""
    from dangwu import yamlio
    from dangwu.app import drafting
    from dangwu.errors import DangwuError, InvalidFiles
    from dangwu.store import editor

    record_id = str(record.data.get("id"))
    draft = editor.start(office, who, record_id, record.raw)
    path, shown = draft.path, editor.shown(office, draft.path)
    if draft.resumed:
        output.note(_("Continuing your unsaved edit of {id} from before.").format(id=record_id))
    if draft.earlier is not None:
        output.note(
            _(
                "{id} changed since your unsaved edit, so you start from it as it is now; "
                "your earlier text is in {path}"
            ).format(id=record_id, path=editor.shown(office, draft.earlier))
        )
    while True:
        editor.run_editor(path)
        try:
            text = yamlio.decode(yamlio.read_bytes(path))
        except yamlio.YamlProblem as exc:
            problems = [exc.at(shown)]
        else:
            if text == record.text:
                editor.forget(office, who, record_id)
                return None
            problems = [
                dataclasses.replace(p, path=shown) if p.path == record.relpath else p
                for p in drafting.edit_problems(office, record, text)
            ]
            if not problems:
                return text
        if not _interactive():
            raise InvalidFiles(
                problems,
                _("not saved"),
                hint=_(
                    "your text is kept in {path}; the next dangwu edit {id} starts from it"
                ).format(path=shown, id=record_id),
            )
        output.problems(problems)
        if not typer.confirm(_("The record is not valid. Open the editor again?"), default=True):
            raise DangwuError(
                _("not saved; your text is kept for next time in {path}").format(path=shown)
            )


def set_cmd(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(metavar="ID", help=_("Record id."), autocompletion=complete.record_ids),
    ],
    assignments: Annotated[
        list[str], typer.Argument(metavar="FIELD=VALUE...", help=_("Fields to change."))
    ],
) -> None:
    from dangwu.app import drafting

    parsed = [drafting.Assignment.parse(a) for a in assignments]
    written = drafting.set_fields(common.office(ctx), record_id, parsed)
    if not written.commit:
        output.say(_("No changes."))
        return
    for change in written.changes:
        output.say(f"{written.record_id}  {change}")


def discard(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(metavar="ID", help=_("Record id."), autocompletion=complete.record_ids),
    ],
) -> None:
    from dangwu.app import drafting

    written = drafting.discard(common.office(ctx), record_id)
    output.say(
        _("{id} discarded: {path} removed in commit {commit}").format(
            id=written.record_id, path=written.relpath, commit=str(written.commit)[:10]
        )
    )
