"""Listing and checking many records at once, through the blob-id cache."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dangwu import validate
from dangwu.catalogue import CADENCES, SCOPES, one_of
from dangwu.errors import InvalidFiles, Problem, UsageError
from dangwu.i18n import _
from dangwu.office import SETTINGS_FILE, Office
from dangwu.pool import Progress
from dangwu.records import RECORDS_DIR, record_files
from dangwu.workflow import STATUSES


@dataclass
class Row:
    relpath: str
    summary: dict[str, Any]


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
    progress: Progress | None = None,
) -> Selection:
    catalogue = office.catalogue
    slug = catalogue.category(category).slug if category else None
    if status:
        one_of("--status", status, STATUSES)
    if scope:
        one_of("--scope", scope, SCOPES)
    if cadence:
        one_of("--cadence", cadence, CADENCES)
    if period and not re.fullmatch(r"\d{4}Q[1-4]", period.upper()):
        raise UsageError(
            _("--period: '{value}' is not a quarter; write it like 2026Q3").format(value=period)
        )
    wanted = {
        "category": slug,
        "status": status,
        "scope": scope,
        "cadence": cadence,
        "period": period.upper() if period else None,
    }
    order = {c.slug: n for n, c in enumerate(catalogue)}
    rows = []
    invalid = 0
    for checked in validate.check_office(office, progress=progress):
        if checked.problems or checked.summary is None:
            invalid += 1
            continue
        summary = checked.summary
        if all(v is None or summary.get(k) == v for k, v in wanted.items()):
            rows.append(Row(checked.relpath, summary))
    rows.sort(
        key=lambda r: (order.get(str(r.summary.get("category")), 99), str(r.summary.get("id")))
    )
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
    if paths is not None:
        wanted = []
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
    for checked in validate.check_office(office, wanted, progress=progress):
        report.files += 1
        report.problems += checked.problems
    return report
