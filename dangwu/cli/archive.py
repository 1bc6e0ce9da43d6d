"""Commands of the year's archive: archive --year Y -o DIR, archive check DIR."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dangwu.cli import common, output
from dangwu.errors import RuleViolation, UsageError
from dangwu.i18n import _


def register(app: typer.Typer) -> None:
    archive = typer.Typer(
        help=_(
            "The year's archive (归档): every output as printed, each record with its "
            "history and approval form, the ledgers, the dossier and the web site, with a "
            "table of contents and the SHA-256 of every file.\n\n"
            "Example: dangwu archive --year 2026 -o archive-2026"
        ),
        invoke_without_command=True,
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    archive.callback()(make)
    archive.command(
        "check",
        help=_(
            "Check that an archive is as it was made: every file its manifest names is "
            "there and unchanged, and nothing was added; with --expect, that the manifest "
            "is the one written in the register. Needs no office.\n\n"
            "Example: dangwu archive check archive-2026"
        ),
    )(check)
    app.add_typer(archive, name="archive")


def make(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", help=_("The year, e.g. 2026."))] = None,
    out: Annotated[
        Path | None,
        typer.Option("-o", "--output", help=_("A new folder to write the archive into.")),
    ] = None,
    internal: Annotated[
        bool,
        typer.Option(
            "--internal", help=_("Keep the reporters' names and contacts (an internal archive).")
        ),
    ] = False,
) -> None:
    if ctx.invoked_subcommand is not None:
        if year is not None or out is not None or internal:
            raise UsageError(_("--year, -o and --internal make an archive; 'check' takes none"))
        return
    if year is None or out is None:
        raise UsageError(_("give --year and -o, e.g. dangwu archive --year 2026 -o archive-2026"))
    from dangwu.app import archive as use_case

    office = common.office(ctx)
    bar = output.ProgressBar(_("archiving"), threshold=0)
    try:
        done = use_case.build(office, year=year, out=out, internal=internal, progress=bar)
    finally:
        bar.close()
    for key, heading in use_case.SECTIONS.items():
        if done.sections.get(key):
            output.say(f"  {done.sections[key]:>5}  {heading}")
    output.say(
        _("{path}: the archive of {year}, {files} files, from commit {commit}").format(
            path=done.path, year=year, files=done.files, commit=done.commit[:10]
        )
    )
    output.say(_("  manifest sha256 {digest}").format(digest=done.manifest))
    for note in done.notes:
        output.warning(note)
    if done.missing:
        from dangwu.cli.render import boxes

        boxes(done.missing)


def check(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help=_("The archive's folder."))],
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            metavar="SHA256",
            help=_("The manifest's SHA-256 as the register has it."),
        ),
    ] = None,
) -> None:
    from dangwu.app import archive as use_case

    done = use_case.check(folder, expect=expect)
    words = {"changed": _("changed"), "missing": _("gone"), "added": _("added")}
    for bad in done.malformed:
        output.plain_error(
            _("{path}:{line}:1: not a line of a manifest: {text}").format(
                path=folder / "manifest.sha256", line=bad.line, text=bad.text[:60]
            )
        )
    for finding in done.findings:
        output.plain_error(f"{folder / finding.path}: {words[finding.what]}")
    if not done.expected:
        output.plain_error(
            _("{path}: the manifest is not the one registered ({digest})").format(
                path=folder / "manifest.sha256", digest=done.manifest
            )
        )
    if not done.untouched:
        raise RuleViolation(
            _("{path}: the archive is not as it was made").format(path=folder), rule="archive"
        )
    output.say(
        _("{path}: {files} files, all as they were made; manifest sha256 {digest}").format(
            path=folder, files=done.files, digest=done.manifest
        )
    )
