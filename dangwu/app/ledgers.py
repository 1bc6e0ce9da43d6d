"""The year's four ledgers (``ledger --year Y``, 台账) [SPEC 13], from the office as
committed: as PDF or DOCX (one document, a part each) or CSV (a file each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dangwu import clock
from dangwu.app import printing
from dangwu.errors import UsageError
from dangwu.i18n import _
from dangwu.model.words import one_of, zh_date
from dangwu.render import ledger as render
from dangwu.render.sheets import blot, channel_names
from dangwu.rules import ledger as rules
from dangwu.store import meetings as stored_meetings
from dangwu.store import snapshot
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office

FORMATS = ("pdf", "docx", "csv")
FOLDER = "ledgers"  # under printed/


@dataclass
class Done:
    year: int
    commit: str
    paths: list[Path]
    ledgers: list[rules.Ledger]
    missing: list[str] = field(default_factory=list)


def build(office: Office, year: int) -> tuple[str, str, list[rules.Ledger]]:
    """The unit, the commit and the year's four ledgers."""
    with GitStore(office.root, office.state_dir) as git:
        snap = snapshot.at(office, git, git.require_head())
        every = snap.summaries()
        # the texts of the records decided in the year, for what was decided (who
        # approved each, the summaries say)
        wanted = [s.path for s in every if (s.decided or "")[:4] == str(year)]
        texts = {str(d.get("id")): d for d in snap.records(wanted).values()}
        _reports, opinions, _problems = snap.supervision()
        meetings = stored_meetings.at(git, snap.commit).values()
        settings = snap.settings

        built = rules.build(
            year,
            every,
            texts,
            meetings,
            opinions,
            catalogue=snap.catalogue,
            name_of=settings.name_of,
            channel_of=lambda code: channel_names(settings, [code])[0],
            shown=lambda text: blot(snap, text),
        )
        return settings.unit, snap.commit, built


def print_ledgers(
    office: Office,
    *,
    year: int,
    fmt: str,
    out: Path | None,
    built: tuple[str, str, list[rules.Ledger]] | None = None,
) -> Done:
    """Print the year's ledgers (``built`` already, when given) as ``fmt``."""
    fmt = one_of("--format", fmt, FORMATS)
    if not 2000 <= year <= 2100:
        raise UsageError(_("--year must be a year, e.g. --year 2026"))
    unit, commit, ledgers = built or build(office, year)
    folder = out if out is not None and not out.suffix else None
    folder = folder or (out.parent if out else office.root / printing.PRINTED / FOLDER)
    today = clock.today(clock.office_zone(office.settings.timezone))
    doc = render.Ledgers(unit, year, ledgers, commit, zh_date(today))
    if fmt == "csv":
        paths = [printing.place_in(folder, f"ledger-{year}-{ledger.key}.csv") for ledger in ledgers]
        for path, ledger in zip(paths, ledgers, strict=True):
            render.write_csv(ledger, path)
        return Done(year, commit, paths, ledgers)
    target = (
        out if out is not None and out.suffix else printing.place_in(folder, f"ledger-{year}.{fmt}")
    )
    when = clock.now(clock.office_zone(office.settings.timezone))
    missing = render.write(doc, target, fmt, when=when)
    return Done(year, commit, [target], ledgers, missing)
