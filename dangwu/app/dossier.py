"""The year's evaluation dossier (``dossier --year Y``, 考核材料) [SPEC 13]: the five
checkpoints, each with its evidence from the history and what falls short."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dangwu import clock
from dangwu.app import auditing, printing
from dangwu.app.deadlines import papers_at
from dangwu.app.figures import stats
from dangwu.model.catalogue import CHANNELS
from dangwu.model.words import one_of
from dangwu.render import sheets
from dangwu.rules import dossier as rules
from dangwu.rules import due as due_rules
from dangwu.rules.requests import tally
from dangwu.rules.stats import Stated
from dangwu.rules.workdays import Calendar
from dangwu.store import snapshot
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office

FORMATS = ("text", "pdf")


@dataclass
class Dossier:
    unit: str
    year: int
    commit: str
    checks: list[rules.Check]
    path: Path | None = None
    missing: list[str] = field(default_factory=list)


def dossier(
    office: Office,
    *,
    year: int,
    fmt: str = "text",
    out: Path | None = None,
    stated: Stated | None = None,
) -> Dossier:
    """The year by the five checkpoints; printed as PDF when ``fmt`` is pdf. The
    year's figures are ``stated`` when they are known already."""
    fmt = one_of("--format", fmt, FORMATS)
    stated = stated or stats(office, year=year)
    found = auditing.audit(office)
    with GitStore(office.root, office.state_dir) as git:
        snap = snapshot.at(office, git, stated.commit)
        commits = git.commits(sorted({v.commit for v in found.violations}))
        in_year = [
            (v.rule, v.record)
            for v in found.violations
            if v.commit in commits and commits[v.commit].author_date.year == year
        ]
        every = snap.summaries()
        touched = [
            s.path
            for s in every
            if any(d is not None and d.year == year for d in (s.published_on, s.consulted_on))
            or s.status == "approved"
        ]
        approvals = []
        for data in snap.records(touched).values():
            approval = data.get("approval")
            if isinstance(approval, dict) and str(approval.get("at", ""))[:4] == str(year):
                approvals.append((str(data.get("id")), bool(approval.get("signed"))))
        papers = papers_at(git, snap.commit)
        unproduced = [
            (kind, s.id)
            for kind, s in due_rules.unproduced(every, papers, date(year, 12, 31))
            if s.published_on is not None and s.published_on.year == year
        ]
        _reports, opinions, _problems = snap.supervision()
        requests, _unread = snap.requests()
        calendar = Calendar(snap.settings.rules)
        asked = tally(requests, calendar, year, stated.figures.as_of)
    facts = rules.Facts(
        figures=stated.figures,
        silent=stated.figures.silent,
        items=sum(len(c.items) for c in stated.catalogue),
        violations=in_year,
        approvals=approvals,
        unproduced=unproduced,
        opinions=sum(1 for o in opinions if o.received.year == year),
        answered=sum(1 for o in opinions if o.received.year == year and o.disposition),
        channel_names=dict(
            zip(CHANNELS, sheets.channel_names(stated.settings, CHANNELS), strict=True)
        ),
        requests=asked,
    )
    done = Dossier(stated.settings.unit, year, stated.commit, rules.checks(facts))
    if fmt == "pdf":
        today = clock.today(clock.office_zone(office.settings.timezone))
        page = sheets.dossier_page(office, done.unit, year, done.checks, done.commit, today)
        target = (
            out
            if out is not None and out.suffix
            else printing.place_in(out or office.root / printing.PRINTED, f"dossier-{year}.pdf")
        )
        done.path = target
        done.missing = printing.write_page(page, target, office)
    return done
