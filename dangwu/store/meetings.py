"""The office's meetings as committed: ``meetings/<year>-<number>.yaml``, written by
``dangwu meeting new`` and, once, completed by ``dangwu meeting minutes``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dangwu import yamlio
from dangwu.errors import InvalidFiles, Problem
from dangwu.i18n import _
from dangwu.model.meeting import MEETINGS_DIR, Meeting, Minutes, numbered
from dangwu.store.circulars import papers
from dangwu.store.gitstore import GitStore

FIELDS = ("number", "year", "kind", "title", "when", "place", "chair", "invited", "matters")


def at(git: GitStore, commit: str) -> dict[tuple[int, int], Meeting]:
    """Every meeting in ``commit``, by year and number."""
    return {(m.year, m.number): m for m in papers(git, commit, MEETINGS_DIR, numbered, parse)}


def parse(raw: bytes, path: str) -> Meeting:
    try:
        data = yamlio.load(yamlio.decode(raw)).data
    except yamlio.YamlProblem as exc:
        raise InvalidFiles([exc.at(path)]) from None
    try:
        if not isinstance(data, Mapping) or numbered(path) != (data["year"], data["number"]):
            raise ValueError
        minutes = None
        if data.get("minutes") is not None:
            m = data["minutes"]
            minutes = Minutes(
                present=tuple(str(k) for k in m["present"]),
                absent=tuple((str(a["who"]), str(a["reason"])) for a in m["absent"]),
                attending=tuple(str(k) for k in m["attending"]),
                decisions=str(m["decisions"]),
                by=str(m["by"]),
                at=str(m["at"]),
            )
        return Meeting(
            year=int(data["year"]),
            number=int(data["number"]),
            kind=str(data["kind"]),
            title=str(data["title"]),
            when=datetime.fromisoformat(str(data["when"])),
            place=str(data["place"]),
            chair=str(data["chair"]),
            invited=tuple(str(k) for k in data["invited"]),
            matters=tuple(str(k) for k in data["matters"]),
            by=str(data["logged"]["by"]),
            at=str(data["logged"]["at"]),
            minutes=minutes,
        )
    except (KeyError, TypeError, ValueError):
        problem = Problem(path, 1, 1, _("this is not a meeting as dangwu writes one"))
        raise InvalidFiles([problem]) from None


def text(meeting: Meeting) -> str:
    """A meeting's file, as committed."""
    from ruamel.yaml.comments import CommentedMap

    data: dict[str, Any] = {
        "number": meeting.number,
        "year": meeting.year,
        "kind": meeting.kind,
        "title": meeting.title,
        "when": meeting.when.isoformat(),
        "place": meeting.place,
        "chair": meeting.chair,
        "invited": list(meeting.invited),
        "matters": list(meeting.matters),
    }
    tree = CommentedMap()
    for key in FIELDS:
        tree[key] = yamlio.as_yaml_tree(data[key])
    tree["logged"] = yamlio.as_yaml_tree({"by": meeting.by, "at": meeting.at})
    if meeting.minutes is not None:
        m = meeting.minutes
        tree["minutes"] = yamlio.as_yaml_tree(
            {
                "present": list(m.present),
                "absent": [{"who": k, "reason": r} for k, r in m.absent],
                "attending": list(m.attending),
                "decisions": m.decisions,
                "by": m.by,
                "at": m.at,
            }
        )
    head = "# 党务公开会议 · a meeting: called by dangwu meeting new, minuted once\n"
    return head + yamlio.dump_round_trip(tree)
