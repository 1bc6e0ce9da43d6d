"""Listing and checking many records at once, through the blob-id cache."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dangwu import clock
from dangwu.app.validating import check_office
from dangwu.check.supervision import read_all, read_requests
from dangwu.errors import InvalidFiles, Problem, UsageError
from dangwu.i18n import _
from dangwu.model import words
from dangwu.model.catalogue import CADENCE_TITLES, SCOPE_TITLES
from dangwu.model.office import SETTINGS_FILE
from dangwu.model.record import RECORDS_DIR, Summary
from dangwu.model.words import one_of
from dangwu.rules.board import known_audience
from dangwu.rules.workflow import STATUS_TITLES
from dangwu.store.cache import SUPERVISION_MARKERS, Markers
from dangwu.store.office import Office
from dangwu.store.pool import Progress
from dangwu.store.records import record_files


@dataclass
class Row:
    relpath: str
    summary: Summary


@dataclass
class Selection:
    rows: list[Row]
    invalid: int


def select(
    office: Office,
    *,
    category: str | None = None,
    status: str | None = None,
    scope: str | None = None,
    cadence: str | None = None,
    period: str | None = None,
    audience: str | None = None,
    progress: Progress | None = None,
) -> Selection:
    catalogue = office.catalogue
    slug = catalogue.category(category).slug if category else None
    if audience is not None:
        audience = known_audience(office.settings.audiences, audience)
    wanted = {
        "category": slug,
        "status": one_of("--status", status, STATUS_TITLES) if status else None,
        "scope": one_of("--scope", scope, SCOPE_TITLES) if scope else None,
        "cadence": one_of("--cadence", cadence, CADENCE_TITLES) if cadence else None,
        "period": words.quarter("--period", period, clock.now().date()) if period else None,
        "audience": audience,
    }
    order = {c.slug: n for n, c in enumerate(catalogue)}
    rows = []
    invalid = 0
    for checked in check_office(office, progress=progress):
        if checked.problems or checked.summary is None:
            invalid += 1
            continue
        summary = checked.summary
        if all(v is None or getattr(summary, k) == v for k, v in wanted.items()):
            rows.append(Row(checked.relpath, summary))
    rows.sort(key=lambda r: (order.get(r.summary.category, 99), r.summary.id))
    return Selection(rows, invalid)


@dataclass
class Report:
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def bad_files(self) -> int:
        return len({p.path for p in self.problems})


def validate_paths(
    office: Office, paths: Sequence[Path] | None, progress: Progress | None = None
) -> Report:
    """Check the office (or the given files and folders): every problem of every file."""
    report = Report()
    root = office.root.resolve()
    wanted: list[str] | None = None
    check_settings = check_catalogue = paths is None
    # reports/, requests/ and feedback/ files to check (None: all)
    supervised: list[str] | None = None
    if paths is not None:
        wanted = []
        supervised = []
        every = list(record_files(office.root))
        for path in paths:
            resolved = path.resolve() if path.is_absolute() else (Path.cwd() / path).resolve()
            if not resolved.is_relative_to(root):
                raise UsageError(
                    _("{path} is outside the office repository {root}").format(path=path, root=root)
                )
            rel = resolved.relative_to(root).as_posix()
            if rel == SETTINGS_FILE:
                check_settings = True
            elif rel == "schemas/catalogue.yaml":
                check_catalogue = True
            elif not resolved.exists():
                raise UsageError(_("{path} does not exist").format(path=path))
            elif resolved.is_dir():
                prefix = "" if rel == "." else rel + "/"
                wanted += [p for p in every if p.startswith(prefix)]
            elif rel in every:
                wanted.append(rel)
            elif rel.startswith(("reports/", "requests/", "feedback/")) and rel.endswith(".yaml"):
                supervised.append(rel)
            else:
                report.files += 1
                report.problems.append(
                    Problem(
                        rel,
                        None,
                        None,
                        _("not a record file: records live in {dir}/<category>/<id>.yaml").format(
                            dir=RECORDS_DIR
                        ),
                    )
                )
    if check_settings:
        report.files += 1
        try:
            office.settings  # noqa: B018 - loading validates
        except InvalidFiles as exc:
            report.problems += exc.problems
    try:
        office.catalogue  # noqa: B018
        if check_catalogue:
            report.files += 1
    except InvalidFiles as exc:
        report.files += 1
        report.problems += exc.problems
        return report  # records cannot be judged without a catalogue
    records = check_office(office, wanted, progress=progress)
    for checked in records:
        report.files += 1
        report.problems += checked.problems
    if supervised is None or supervised:
        _check_supervision(office, supervised, report)
    return report


def _check_supervision(office: Office, only: Sequence[str] | None, report: Report) -> None:
    """Reports, requests and opinions: their schema, and that the records they name
    exist."""

    # the supervision files only when validate checks them: list needs none of it
    from dangwu.app.supervision import working_tree

    try:
        files = working_tree(office)
    except InvalidFiles as exc:
        report.files += len(exc.problems)
        report.problems += exc.problems
        return
    if only is not None:
        files = {p: b for p, b in files.items() if p in only}
    known = {p.rsplit("/", 1)[-1][:-5] for p in record_files(office.root)}
    # a file found valid before is not checked against its schema again
    checked = Markers(office, SUPERVISION_MARKERS)
    reports, opinions, problems = read_all(files, office.root, checked)
    requests, unread = read_requests(files, office.root, checked)
    report.files += len(files)
    report.problems += problems + unread
    for asked in requests:
        disclosed = (asked.answer or {}).get("record")
        for name, named in (("about", asked.about), ("answer.record", disclosed)):
            if named is not None and named not in known:
                said = _("{field}: no record {id}").format(field=name, id=named)
                report.problems.append(Problem(asked.path, None, None, said))
    for item in reports:
        if item.about not in known:
            report.problems.append(
                Problem(item.path, None, None, _("about: no record {id}").format(id=item.about))
            )
    for opinion in opinions:
        if opinion.record not in known:
            report.problems.append(
                Problem(
                    opinion.path, None, None, _("record: no record {id}").format(id=opinion.record)
                )
            )
