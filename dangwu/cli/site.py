"""Commands for the office's web site: site build, site serve."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dangwu.cli import common, output
from dangwu.errors import UsageError
from dangwu.i18n import _

if TYPE_CHECKING:
    from dangwu.app.website import Built

Scope = Annotated[
    str,
    typer.Option(
        "--scope", help=_("public (the web site, 单位对外网站) or internal (the intranet, 内部网).")
    ),
]
Folder = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help=_("Folder to build into (default: printed/site, or printed/intranet)."),
    ),
]


def register(app: typer.Typer) -> None:
    site = common.group(_("The office's web site and intranet, built from the last commit."))
    site.command(
        "build",
        help=_(
            "Build the web site: a home page, a column per category, a page per record, the "
            "disclosure catalogue, the bulletins, an Atom feed, search and a verify page. "
            "Only what was published on the site's channel; what changed since the last "
            "build is written again, nothing else.\n\n"
            "Example: dangwu site build -o /var/www/dangwu"
        ),
    )(build)
    site.command(
        "serve",
        help=_(
            "Build the site and show it at http://127.0.0.1:PORT/ to look at before it "
            "goes out; only this computer can open it. Ctrl-C stops it.\n\n"
            "Example: dangwu site serve"
        ),
    )(serve)
    app.add_typer(site, name="site")
    portal = common.group(
        _("The city's public information portal (市公众信息网), built from many offices.")
    )
    portal.command(
        "build",
        help=_(
            "Build the city portal from the offices' repositories (clones or a server's bare "
            "repositories): a section per office with what it published on the city-portal "
            "channel, the latest of all, a combined feed and a search across every office. "
            "An office that has not changed since the last build is not read again.\n\n"
            "Example: dangwu portal build /srv/git/*.git -o /var/www/portal"
        ),
    )(portal_build)
    app.add_typer(portal, name="portal")


def _report(done: Built) -> None:
    output.say(
        _(
            "{path}: {records} records, {pages} files ({written} written, {removed} removed), "
            "from commit {commit}"
        ).format(
            path=done.path,
            records=done.records,
            pages=done.pages,
            written=done.written,
            removed=done.removed,
            commit=done.commit[:10],
        )
    )
    for note in done.notes:
        output.warning(note)


def portal_build(
    offices: Annotated[
        list[Path], typer.Argument(metavar="OFFICE...", help=_("The offices' repositories."))
    ],
    out: Annotated[
        Path, typer.Option("-o", "--output", help=_("Folder to build the portal into."))
    ],
    title: Annotated[
        str | None,
        typer.Option("--title", help=_("The portal's name (default: 市公众信息网).")),
    ] = None,
) -> None:
    from dangwu.app import portal

    done = portal.build(offices, out, title=title or "")
    for section in done.sections:
        state = _("rebuilt") if section.rebuilt else _("unchanged")
        output.say(
            f"  {section.name:<24} {section.unit}  "
            + _("{records} records, {state}").format(records=section.records, state=state)
        )
    output.say(
        _("{path}: {offices} offices, {rebuilt} rebuilt, in {seconds:.1f} s").format(
            path=done.path, offices=len(done.sections), rebuilt=done.rebuilt, seconds=done.seconds
        )
    )
    for note in done.notes:
        output.warning(note)


def build(
    ctx: typer.Context,
    scope: Scope = "public",
    out: Folder = None,
    audience: common.Audience = None,
) -> None:
    from dangwu.app import website

    _report(website.build(common.office(ctx), scope=scope, out=out, audience=audience))


def serve(
    ctx: typer.Context,
    scope: Scope = "public",
    out: Folder = None,
    port: Annotated[int, typer.Option("--port", help=_("The port to listen on."))] = 8000,
) -> None:
    from dangwu.app import website

    if not 0 <= port <= 65535:  # said before the site is built, not by the socket after
        raise UsageError(
            _("{name}: {value} is not between {low} and {high}").format(
                name="--port", value=port, low=0, high=65535
            )
        )
    office = common.office(ctx)
    done = website.build(office, scope=scope, out=out)
    _report(done)
    with website.server(done.path, port) as server:
        output.say(
            _("Serving {path} at http://127.0.0.1:{port}/ (Ctrl-C stops)").format(
                path=done.path, port=server.server_address[1]
            )
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            output.say(_("Stopped."))
