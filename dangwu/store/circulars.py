"""The office's circulars as committed: ``circulars/<year>-<number>.yaml``, one file
each, written once by ``dangwu circular`` and never changed [SPEC 12]."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from dangwu import yamlio
from dangwu.errors import InvalidFiles, Problem
from dangwu.i18n import _
from dangwu.model.circular import CIRCULARS_DIR, Circular, numbered
from dangwu.store.gitstore import GitStore

FIELDS = ("number", "year", "label", "title", "to", "records", "issued", "logged")
Paper = TypeVar("Paper")


def at(git: GitStore, commit: str) -> dict[tuple[int, int], Circular]:
    """Every circular in ``commit``, by year and number."""
    return {(c.year, c.number): c for c in papers(git, commit, CIRCULARS_DIR, numbered, parse)}


def papers(
    git: GitStore,
    commit: str,
    folder: str,
    named: Callable[[str], tuple[int, int] | None],
    read: Callable[[bytes, str], Paper],
) -> list[Paper]:
    """The numbered papers (circulars, meetings) of a folder in ``commit``, read."""
    tree = git.tree_blobs(commit, [folder])
    wanted = {path: blob for path, blob in tree.items() if named(path)}
    raw = git.objects(sorted(set(wanted.values())))
    return [read(raw.get(blob, b""), path) for path, blob in sorted(wanted.items())]


def parse(raw: bytes, path: str) -> Circular:
    """A circular's file; a file that is not one is refused at its line."""
    try:
        doc = yamlio.load(yamlio.decode(raw))
    except yamlio.YamlProblem as exc:
        raise InvalidFiles([exc.at(path)]) from None
    data = doc.data
    named = numbered(path)
    try:
        if not isinstance(data, Mapping) or named is None:
            raise ValueError
        year, number = int(data["year"]), int(data["number"])
        if (year, number) != named:
            raise ValueError
        logged = data["logged"]
        records = tuple((str(r["id"]), str(r["content"])) for r in data["records"])
        return Circular(
            year=year,
            number=number,
            title=str(data["title"]),
            to=str(data["to"]),
            records=records,
            issued=date.fromisoformat(str(data["issued"])),
            by=str(logged["by"]),
            at=str(logged["at"]),
        )
    except (KeyError, TypeError, ValueError):
        problem = Problem(path, 1, 1, _("this is not a circular as dangwu writes one"))
        raise InvalidFiles([problem]) from None


def text(circular: Circular, label: str) -> str:
    """The file of a circular, as committed."""
    data: dict[str, Any] = {
        "number": circular.number,
        "year": circular.year,
        "label": label,
        "title": circular.title,
        "to": circular.to,
        "records": [{"id": i, "content": c} for i, c in circular.records],
        "issued": circular.issued.isoformat(),
        "logged": {"by": circular.by, "at": circular.at},
    }
    from ruamel.yaml.comments import CommentedMap

    tree = CommentedMap()
    for key in FIELDS:
        tree[key] = yamlio.as_yaml_tree(data[key])
    head = "# 印发党务公开信息 · a circular as issued: written once by dangwu circular\n"
    return head + yamlio.dump_round_trip(tree)
