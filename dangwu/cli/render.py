"""Commands that print: board, bulletin, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dangwu.cli import common, output
from dangwu.errors import UsageError
from dangwu.i18n import _, ngettext


def register(app: typer.Typer) -> None:
    app.command(
        "board",
        help=_(
            "Print the notice board (党务公开栏) as it stands on a date: one A4 sheet per "
            "category, each with a verification code.\n\n"
            "Example: dangwu board --scope public --format pdf -o out/"
        ),
    )(board)
    app.command(
        "bulletin",
        help=_(
            "Print the quarterly bulletin (季度公报): everything published in the quarter.\n\n"
            "Example: dangwu bulletin 2026Q3 --format html -o out/"
        ),
    )(bulletin)
    app.command(
        "circular",
        help=_(
            "Issue a circular (印发党务公开信息) of records published on the circular "
            "channel, under the office's next 发文字号, laid out by GB/T 9704 as PDF or "
            "DOCX. Naming an issued circular's number with its records prints it again.\n\n"
            "Example: dangwu circular ZD-2026-102 --format docx"
        ),
    )(circular)
    app.command(
        "manuscript",
        help=_(
            "Write a record published on the newspaper channel as a manuscript (稿件) for "
            "the paper named in dangwu.yaml: title, lead, text, the unit, contact, date, "
            "length and a verification code.\n\n"
            "Example: dangwu manuscript ZD-2026-101 --format txt"
        ),
    )(manuscript)
    app.command(
        "form",
        help=_(
            "Print the approval form (党务公开审批表) of a record, PDF or DOCX: what was "
            "proposed, the collective decision, the secrecy, necessity and accuracy "
            "reviews, the approval and its signature, and the publication, from the "
            "history.\n\n"
            "Example: dangwu form ZZ-2026-102 --format docx"
        ),
    )(form)
    app.command(
        "ledger",
        help=_(
            "Print the year's four ledgers (台账): the disclosures, the meetings, the "
            "opinions received and their handling, as PDF, DOCX or CSV (a file each).\n\n"
            "Example: dangwu ledger --year 2026 --format csv"
        ),
    )(ledger)
    app.command(
        "dossier",
        help=_(
            "Lay the year out by the plan's five checkpoints (考核): content complete and "
            "true, forms effective, procedure in order, time limits met, opinions answered; "
            "each with its evidence from the history and what falls short.\n\n"
            "Example: dangwu dossier --year 2026 --format pdf"
        ),
    )(dossier)
    app.command(
        "verify",
        help=_(
            "Check a printed sheet's verification code: genuine or not, current or superseded.\n\n"
            "Example: dangwu verify 7f3a9c2e-PZZ1-261126-QX4TK"
        ),
    )(verify)


def board(
    ctx: typer.Context,
    scope: Annotated[
        str, typer.Option("--scope", help=_("public (社会公开) or internal (党内公开)."))
    ] = "public",
    on: Annotated[str | None, typer.Option("--on", help=_("The day (default: today)."))] = None,
    fmt: Annotated[str, typer.Option("--format", help=_("html or pdf."))] = "html",
    out: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help=_("Folder to write to (default: printed/ in the office).")
        ),
    ] = None,
    audience: common.Audience = None,
) -> None:
    from dangwu.app import printing

    office = common.office(ctx)
    done = printing.print_board(
        office,
        scope=scope,
        on=common.day("--on", on),
        fmt=fmt,
        out=out or office.root / printing.PRINTED,
        audience=audience,
    )
    output.say(
        _("{path}: {sheets} sheets, {records} records, from commit {commit}").format(
            path=done.path, sheets=len(done.sheets), records=done.records, commit=done.commit[:10]
        )
    )
    for sheet in done.sheets:
        output.say(
            f"  {sheet.number:>2}  {sheet.code}{sheet.page}  {sheet.verification}"
            f"  ({len(sheet.entries)})"
        )
    boxes(done.missing)


def boxes(missing: list[str]) -> None:
    """Warn of the characters a PDF prints as empty boxes: no installed font has them."""
    if not missing:
        return
    from dangwu.render.typeset import FONT_PACKAGES

    shown = "、".join(f"{char}（U+{ord(char):04X}）" for char in missing[:20])
    more = "…" if len(missing) > 20 else ""
    output.warning(
        ngettext(
            "{n} character prints as an empty box, no installed font has it: {chars}",
            "{n} characters print as empty boxes, no installed font has them: {chars}",
            len(missing),
        ).format(n=len(missing), chars=shown + more)
    )
    output.hint_line(
        _("apt-get install {packages}, or write them another way").format(
            packages=" ".join(FONT_PACKAGES)
        )
    )


def bulletin(
    ctx: typer.Context,
    period: Annotated[str, typer.Argument(metavar="PERIOD", help=_("The quarter, e.g. 2026Q3."))],
    scope: Annotated[str, typer.Option("--scope", help=_("public or internal."))] = "public",
    fmt: Annotated[str, typer.Option("--format", help=_("md, html or pdf."))] = "html",
    out: common.Output = None,
    audience: common.Audience = None,
) -> None:
    from dangwu.app import printing

    office = common.office(ctx)
    done = printing.print_bulletin(
        office,
        period=period,
        scope=scope,
        fmt=fmt,
        out=out or office.root / printing.PRINTED,
        audience=audience,
    )
    output.say(
        _("{path}: {records} records, from commit {commit}").format(
            path=done.path, records=done.records, commit=done.commit[:10]
        )
    )
    if not done.records:
        output.warning(_("nothing was published in that quarter: the bulletin is empty"))
    boxes(done.missing)


def verify(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help=_("The code printed on the sheet."))],
) -> None:
    from dangwu.app import printing

    verdict = printing.verify(common.office(ctx), code)
    for line in verdict.lines:
        output.say(line)
    for warning in verdict.warnings:
        output.warning(warning)
    if not verdict.genuine:
        raise typer.Exit(1)


def circular(
    ctx: typer.Context,
    ids: Annotated[
        list[str], typer.Argument(metavar="ID...", help=_("The records it carries, in order."))
    ],
    number: Annotated[
        str | None,
        typer.Option(
            "--number",
            help=_("The 发文字号 (default: the next of the year), e.g. 江司党〔2026〕12号."),
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help=_("The 标题 (default: the record's title).")),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help=_("pdf or docx."))] = "pdf",
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help=_("A file, or a folder to write to (default: printed/circulars/)."),
        ),
    ] = None,
) -> None:
    from dangwu.app import circulars

    office = common.office(ctx)
    done = circulars.issue(office, ids, number=number, title=title, fmt=fmt, out=out)
    said = _("printed again") if done.reprinted else _("issued")
    output.say(
        _("{label} {title}: {said}, commit {commit}").format(
            label=done.label, title=done.circular.title, said=said, commit=done.commit[:10]
        )
    )
    output.say(_("  {path}  verification code {code}").format(path=done.path, code=done.code))
    boxes(done.missing)
    faces(done.path)


def faces(path: Path | None) -> None:
    """Say so when a paper GB/T 9704 sets in 仿宋 was set in another face: none is
    installed (the standard's faces are not free; offices have them with Word or WPS)."""
    from dangwu.render.typeset import has_fangsong

    if path is None or path.suffix != ".pdf" or has_fangsong():
        return
    output.note(
        _(
            "note: no 仿宋 font is installed, so the text is set in a 宋体-style face; "
            "GB/T 9704 asks for 仿宋: install FangSong_GB2312 and print again"
        )
    )


# a paper of one record (a manuscript, an approval form): the record, and where it goes
Record = Annotated[str, typer.Argument(metavar="ID", help=_("The record."))]


def paper_out(folder: str) -> Any:
    return typer.Option(
        "-o",
        "--output",
        help=_("A file, or a folder to write to (default: {folder}).").format(folder=folder),
    )


def manuscript(
    ctx: typer.Context,
    record_id: Record,
    fmt: Annotated[str, typer.Option("--format", help=_("docx or txt."))] = "docx",
    out: Annotated[Path | None, paper_out("printed/manuscripts/")] = None,
) -> None:
    from dangwu.app import manuscripts

    office = common.office(ctx)
    done = manuscripts.write(office, record_id, fmt=fmt, out=out)
    output.say(
        _("{path}: a manuscript of {id} for {paper}, from commit {commit}").format(
            path=done.path, id=done.record, paper=done.paper, commit=done.commit[:10]
        )
    )
    output.say(_("  verification code {code}").format(code=done.code))


def form(
    ctx: typer.Context,
    record_id: Record,
    fmt: Annotated[str, typer.Option("--format", help=_("pdf or docx."))] = "pdf",
    out: Annotated[Path | None, paper_out("printed/forms/")] = None,
) -> None:
    from dangwu.app import forms

    office = common.office(ctx)
    done = forms.print_form(office, record_id, fmt=fmt, out=out)
    output.say(
        _("{path}: the approval form of {id}, from commit {commit}").format(
            path=done.path, id=done.record, commit=done.commit[:10]
        )
    )
    boxes(done.missing)
    faces(done.path)


def ledger(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", help=_("The year, e.g. 2026."))],
    fmt: Annotated[str, typer.Option("--format", help=_("pdf, docx or csv."))] = "pdf",
    out: Annotated[Path | None, paper_out("printed/ledgers/")] = None,
) -> None:
    from dangwu.app import ledgers

    office = common.office(ctx)
    done = ledgers.print_ledgers(office, year=year, fmt=fmt, out=out)
    counts = _(", ").join(f"{x.name} {len(x.rows)}" for x in done.ledgers)
    for path in done.paths:
        output.say(str(path))
    output.say(
        _("the ledgers of {year}, from commit {commit}: {counts}").format(
            year=year, commit=done.commit[:10], counts=counts
        )
    )
    boxes(done.missing)


def dossier(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", help=_("The year, e.g. 2026."))],
    fmt: Annotated[str, typer.Option("--format", help=_("text or pdf."))] = "text",
    out: Annotated[Path | None, paper_out("printed/")] = None,
    as_json: common.AsJson = False,
) -> None:
    from dangwu.app import dossier as use_case

    office = common.office(ctx)
    if out is not None and fmt == "text" and not as_json:
        # -o names where the PDF goes: a .pdf asks for one; anything else is a mistake
        # to say, never a file quietly not written
        if out.suffix.lower() != ".pdf":
            raise UsageError(
                _("-o {path}: the dossier is written to a file as a PDF").format(path=out),
                hint=_("add --format pdf, or leave out -o to read it here"),
            )
        fmt = "pdf"
    done = use_case.dossier(office, year=year, fmt=fmt, out=out)
    if as_json:
        output.emit_json(
            {
                "year": year,
                "commit": done.commit,
                "checks": [
                    {
                        "key": c.key,
                        "title": c.title,
                        "met": c.met,
                        "evidence": list(c.evidence),
                        "shortfalls": list(c.shortfalls),
                    }
                    for c in done.checks
                ],
            }
        )
        return
    if done.path is not None:
        output.say(
            _("{path}: the dossier of {year}, from commit {commit}").format(
                path=done.path, year=year, commit=done.commit[:10]
            )
        )
        boxes(done.missing)
        return
    for check in done.checks:
        verdict = _("met") if check.met else _("falls short")
        output.say(f"{check.title}: {verdict}")
        for line in check.evidence:
            output.say(f"  {line}")
        for line in check.shortfalls:
            output.say(f"  ✗ {line}")
