"""Validating the whole office: every record file read (on every core when there are
many), checked, remembered by blob id, then the rules between files."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from dangwu import yamlio
from dangwu.check.validate import (
    Checked,
    Schema,
    _path_problem,
    attachment_problems,
    audience_problem,
    check_record_text,
    compile_fast,
    record_path_parts,
    validator,
)
from dangwu.errors import DangwuError, Problem
from dangwu.i18n import _, os_reason
from dangwu.model.catalogue import Catalogue
from dangwu.model.record import ID_RE, Summary, blob_id
from dangwu.model.words import suggest
from dangwu.resources import link_said
from dangwu.store.cache import RecordCache, stat_key
from dangwu.store.office import Office
from dangwu.store.pool import Progress, fork_map
from dangwu.store.records import read_record_file, record_files

# Set in the parent before forking workers, so they inherit it instead of pickling it.
_WORK: tuple[Catalogue, Path | None, Schema] | None = None


def _check_one(item: tuple[str, bytes]) -> tuple[Summary | None, list[Problem]]:
    assert _WORK is not None
    catalogue, root, checker = _WORK
    _doc, summary, problems = check_record_text(item[1], item[0], catalogue, root, checker)
    return summary, problems


def _read_and_check(
    relpath: str,
) -> tuple[str | None, Summary | None, list[Problem], list[int] | None]:
    """One file read, its blob id taken and checked: (blob, summary, problems, the
    file's stat key); blob None when the file could not be read."""
    assert _WORK is not None
    catalogue, root, checker = _WORK
    try:
        raw, info = _read(f"{root}/{relpath}", relpath)
    except _Unreadable as exc:
        return None, None, [exc.problem], None

    _doc, summary, problems = check_record_text(raw, relpath, catalogue, root, checker)
    return summary.blob if summary else blob_id(raw), summary, problems, stat_key(info)


class _Unreadable(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _read(path: str, relpath: str) -> tuple[bytes, os.stat_result]:
    """A record file's bytes and stat, or _Unreadable with the problem to report."""
    try:
        return yamlio.read_file(path)
    except yamlio.YamlProblem as exc:
        raise _Unreadable(exc.at(relpath)) from None
    except OSError as exc:
        message = _("cannot be read: {error}").format(error=os_reason(exc))
        raise _Unreadable(Problem(relpath, None, None, message)) from None


def _check_cold(
    relpaths: list[str], catalogue: Catalogue, root: Path, progress: Progress | None
) -> list[tuple[str | None, Summary | None, list[Problem], list[int] | None]]:
    """A first validation of many files: the workers read them too (no file's bytes
    pass between processes, and the reading is shared out like the checking)."""
    global _WORK
    checker = validator("record.schema.yaml", root)
    compile_fast(checker)
    _WORK = (catalogue, root, checker)  # inherited by the workers
    try:
        return list(fork_map(_read_and_check, relpaths, progress))
    finally:
        _WORK = None


def _check_many(
    items: list[tuple[str, bytes]],
    catalogue: Catalogue,
    root: Path,
    progress: Progress | None = None,
) -> list[tuple[Summary | None, list[Problem]]]:
    """Parse and validate files, on every core when there are many."""
    global _WORK
    if not items:
        return []  # everything was cached: not even the schema's check is compiled
    checker = validator("record.schema.yaml", root)  # built once, inherited by the workers
    compile_fast(checker)
    _WORK = (catalogue, root, checker)
    try:
        return list(fork_map(_check_one, items, progress))
    finally:
        _WORK = None


def _kept(problems: list[Problem]) -> list[list[Any]]:
    """Problems as the cache keeps them."""
    return [[p.line, p.col, p.message, p.hint] for p in problems]


def check_office(
    office: Office, only: Sequence[str] | None = None, progress: Progress | None = None
) -> list[Checked]:
    """Validate every record (or only some), all problems of all files, cached by blob id."""

    cache = RecordCache(office)
    every = list(record_files(office.root))
    if not cache.entries and only is None:
        results = _first_reading(office, every, cache, progress)
    else:
        wanted = set(only) if only is not None else None
        results = _reading(
            office, [r for r in every if wanted is None or r in wanted], cache, progress
        )
    cache.save(set(every))
    _cross_file(office, results, every)
    if only is None:
        results += [Checked(relpath, None, [problem]) for relpath, problem in _links(office.root)]
    return results


def _links(root: Path) -> Iterator[tuple[str, Problem]]:
    """The office's own templates and schemas that are symbolic links (or in a linked
    folder): each would be refused where it is used, since what it leads to may be any
    file of the machine that prints."""
    for folder in ("templates", "schemas"):
        for here, folders, files in os.walk(root / folder):
            for name in sorted([*folders, *files]):
                path = Path(here, name)
                if path.is_symlink():
                    relpath = path.relative_to(root).as_posix()
                    yield relpath, Problem(relpath, None, None, *link_said())


def _first_reading(
    office: Office, every: list[str], cache: RecordCache, progress: Progress | None
) -> list[Checked]:
    """Every file checked, nothing known yet: the workers read the files too."""
    results: list[Checked] = []
    cold: list[Checked] = []  # those whose path is a record's
    for relpath in every:
        problem = _path_problem(relpath, office.catalogue)
        results.append(Checked(relpath, None, [problem] if problem else []))
        if problem is None:
            cold.append(results[-1])
    read = _check_cold([c.relpath for c in cold], office.catalogue, office.root, progress)
    for checked, (blob, summary, problems, key) in zip(cold, read, strict=True):
        checked.summary, checked.problems = summary, problems
        if blob is not None:
            cache.put(checked.relpath, blob, summary, _kept(problems), key)
    return results


def _reading(
    office: Office, relpaths: list[str], cache: RecordCache, progress: Progress | None
) -> list[Checked]:
    """These files checked: read here when stat shows them changed, each judged anew
    only when the cache does not know its bytes."""
    results: list[Checked] = []
    pending: list[tuple[Checked, str, bytes, list[int] | None]] = []
    for relpath in relpaths:
        problem = _path_problem(relpath, office.catalogue)
        if problem is not None:
            results.append(Checked(relpath, None, [problem]))
            continue
        path = f"{office.root}/{relpath}"
        known = cache.unchanged(relpath, path)
        if known is None:
            try:
                raw, info = _read(path, relpath)
            except _Unreadable as exc:
                results.append(Checked(relpath, None, [exc.problem]))
                continue
            blob, key = blob_id(raw), stat_key(info)
            known = cache.get(relpath, blob)
            if known is None:
                checked = Checked(relpath, None, [])
                results.append(checked)
                pending.append((checked, blob, raw, key))
                continue
            cache.restat(relpath, key)
        results.append(Checked(relpath, known[0], [Problem(relpath, *p) for p in known[1]]))
    outcomes = _check_many(
        [(c.relpath, raw) for c, _b, raw, _k in pending], office.catalogue, office.root, progress
    )
    for (checked, blob, _raw, key), (summary, problems) in zip(pending, outcomes, strict=True):
        checked.summary, checked.problems = summary, problems
        cache.put(checked.relpath, blob, summary, _kept(problems), key)
    return results


def _cross_file(office: Office, results: list[Checked], every: Sequence[str]) -> None:
    """Rules between files: follows names a record, no cycles, attachments exist, an
    audience is one the settings name."""

    ids = {}
    for relpath in every:
        parts = record_path_parts(relpath)
        if parts:
            ids[parts[1]] = relpath
    docs: dict[str, yamlio.Document] = {}
    follows_of = {c.summary.id: c.summary.follows for c in results if c.summary}

    def located(relpath: str) -> yamlio.Document | None:
        if relpath not in docs:
            try:
                docs[relpath] = read_record_file(office.root, relpath).doc
            except Exception:
                return None
        return docs[relpath]

    def follows_at(relpath: str) -> tuple[int | None, int | None]:
        doc = located(relpath)
        return doc.locate(["follows"]) if doc else (None, None)

    try:
        audiences: Mapping[str, str] | None = office.settings.audiences
    except DangwuError:
        audiences = None  # settings that cannot be read are reported as such
    for checked in results:
        summary = checked.summary
        if not summary:
            continue
        if audiences is not None and summary.audience is not None:
            doc = located(checked.relpath)
            found = audience_problem(checked.relpath, doc, summary.audience, audiences)
            checked.problems += [found] if found else []
        follows = summary.follows
        if follows is not None and ID_RE.match(follows) and follows not in ids:
            line, col = follows_at(checked.relpath)
            checked.problems.append(
                Problem(
                    checked.relpath,
                    line,
                    col,
                    _("follows: there is no record {id}").format(id=follows),
                    suggest(follows, [i for i in ids if i != summary.id]),
                )
            )
        elif follows is not None and follows != summary.id:
            seen = {summary.id}
            current: str | None = follows
            while current is not None and current not in seen:
                seen.add(current)
                current = follows_of.get(current)
            if current == summary.id:
                line, col = follows_at(checked.relpath)
                checked.problems.append(
                    Problem(
                        checked.relpath,
                        line,
                        col,
                        _("follows: the chain of follows comes back to this record"),
                    )
                )
        if summary.attachments:
            pairs = list(enumerate(summary.attachments))
            missing = attachment_problems(office.root, checked.relpath, None, pairs)
            if missing:
                doc = located(checked.relpath)
                checked.problems.extend(
                    attachment_problems(office.root, checked.relpath, doc, pairs)
                )
