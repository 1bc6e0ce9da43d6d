"""``dangwu stats``: the figures of a disclosure year or quarter."""

from __future__ import annotations

from typing import Annotated

import typer

from dangwu.cli import common, output
from dangwu.i18n import _, term


def register(app: typer.Typer) -> None:
    app.command(
        "stats",
        help=_(
            "The figures of a year or a quarter: publications by category, cadence, scope "
            "and channel; quarterly updates on time; days from submission to publication; "
            "pre-disclosures and opinions; reports answered in time. --format html writes "
            "the yearly report.\n\nExample: dangwu stats --year 2026 --format html"
        ),
    )(stats)


def stats(
    ctx: typer.Context,
    year: Annotated[
        str | None, typer.Option("--year", help=_("A year, e.g. 2026 or 2026年."))
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help=_("A quarter, e.g. 2026Q3."))
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=_("html or pdf: write the report instead of a summary.")),
    ] = None,
    out: common.Output = None,
    as_json: common.AsJson = False,
) -> None:
    from dangwu.app import figures
    from dangwu.model.catalogue import CADENCE_TITLES, SCOPE_TITLES
    from dangwu.rules.due import KIND_TITLES

    office = common.office(ctx)
    from dangwu.model.words import year as a_year

    stated = figures.stats(
        office, year=a_year("--year", year) if year is not None else None, period=period
    )
    for problem in stated.problems:
        output.warning(_("{problem} (left out)").format(problem=problem))
    f = stated.figures
    if fmt is not None:
        from dangwu.app import printing  # only to print the report
        from dangwu.cli.render import boxes

        done = printing.print_stats(
            office, stated, fmt=fmt, out=out or office.root / printing.PRINTED
        )
        output.say(
            _("{path}: {span}, {n} publications, from commit {commit}").format(
                path=done.path, span=f.span.label, n=f.published, commit=stated.commit[:10]
            )
        )
        boxes(done.missing)
        return
    if as_json:
        output.emit_json(f.as_dict())
        return
    output.say(
        _("{unit}, {span} (counted to {day})").format(
            unit=stated.settings.unit, span=term((f.span.label, f.span.zh)), day=f.as_of.isoformat()
        ),
        "bold",
    )
    output.table(
        [_("category"), _("public"), _("internal"), _("total")],
        [
            [f"{code} {zh}", str(pub), str(inner), str(pub + inner)]
            for code, _slug, zh, pub, inner in f.by_category
        ]
        + [
            [
                _("total"),
                str(f.by_scope.get("public", 0)),
                str(f.by_scope.get("internal", 0)),
                str(f.published),
            ]
        ],
    )
    output.say("")
    cadences = "  ".join(
        f"{CADENCE_TITLES[c][1]} {n}" for c, n in f.by_cadence.items() if c in CADENCE_TITLES
    )
    scopes = "  ".join(
        f"{SCOPE_TITLES[s][1]} {n}" for s, n in f.by_scope.items() if s in SCOPE_TITLES
    )
    channels = "  ".join(
        f"{stated.settings.channels.get(c, c)} {n}" for c, n in f.by_channel.items() if n
    )
    rows = [
        (_("by cadence"), cadences),
        (_("by scope"), scopes),
        (_("by channel"), channels or "—"),
        (
            _("quarterly updates"),
            _(
                "{on} published on time, {late} published late, "
                "{missing} overdue and not yet published"
            ).format(
                on=f.quarterly_on_time, late=f.quarterly_late, missing=len(f.quarterly_missing)
            ),
        ),
        (
            _("overdue"),
            _("{n} not done by their deadline: {kinds} (see dangwu due)").format(
                n=sum(f.overdue.values()),
                kinds=_(", ").join(
                    f"{term(KIND_TITLES[k])} {n}" for k, n in f.overdue.items() if k in KIND_TITLES
                ),
            )
            if f.overdue
            else _("none"),
        ),
        (
            _("catalogue items without a disclosure"),
            _("{n}: {codes}").format(n=len(f.silent), codes=" ".join(c for c, _zh in f.silent))
            if f.silent
            else _("none"),
        ),
        (
            _("submission to publication"),
            _("median {median} days, longest {longest} (of {n})").format(
                median=f"{f.median_days:g}", longest=f.max_days, n=len(f.submit_to_publish)
            )
            if f.submit_to_publish
            else "—",
        ),
        (
            _("pre-disclosures"),
            _("{n}, with {opinions} opinions received in their windows").format(
                n=f.pre_disclosures, opinions=f.opinions
            ),
        ),
        (
            _("reports"),
            _(
                "{n} received ({real} real-name): {in_time} answered in time, {late} late, "
                "{overdue} overdue, {open} open"
            ).format(
                n=f.reports,
                real=f.real_name_reports,
                in_time=f.answered_in_time,
                late=f.answered_late,
                overdue=f.overdue_reports,
                open=f.open_reports,
            ),
        ),
        (
            _("requests for disclosure"),
            _(
                "{n} received: {in_time} answered in time, {late} late, {overdue} overdue "
                "({refused} refused)"
            ).format(
                n=f.requests.received,
                in_time=f.requests.in_time,
                late=f.requests.late,
                overdue=f.requests.overdue,
                refused=f.requests.refused,
            ),
        ),
        (
            _("withdrawn, withheld"),
            _("{withdrawn} withdrawn, {withheld} withheld").format(
                withdrawn=f.withdrawn, withheld=f.withheld
            ),
        ),
    ]
    output.fields(rows)
