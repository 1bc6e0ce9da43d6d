"""The consultation report of a plan (``feedback report ID``, 征求意见情况报告) [seed 五,
SPEC 14]: every opinion on it with what became of it and why, and what changed from
the plan put out for comment to the plan published, read from the history: the texts
are the ones whose content the consultation and the publication recorded."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dangwu import yamlio
from dangwu.check.supervision import read_all
from dangwu.errors import DangwuError, RuleViolation
from dangwu.i18n import _, os_reason
from dangwu.model.record import content_hash, parse_id
from dangwu.model.supervision import FEEDBACK_DIR, Feedback
from dangwu.model.words import stamped_day
from dangwu.render import consultation as render
from dangwu.rules.consultation import Adoption, FieldChange, adoption, changes
from dangwu.store import records
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office


@dataclass(frozen=True)
class Consultation:
    record: str
    title: str  # as published (or as it stands, before the formal plan is out)
    preliminary_title: str
    status: str
    opened: date | None
    closes: date | None
    published: date | None  # the formal plan's day, once published
    preliminary: str | None  # the commit that put the plan out for comment
    formal: str | None  # the commit that published the formal plan (None: not yet)
    opinions: list[Feedback]  # received in the comment window
    changes: list[FieldChange]
    adoption: Adoption
    commit: str  # HEAD, the report was made from
    late: list[Feedback] = field(default_factory=list)  # received after the window closed


def report(office: Office, ref: str) -> Consultation:
    """The consultation report of the plan ``ref``, as committed."""
    record_id = parse_id(ref)
    relpath = records.find(office, record_id).relpath
    with GitStore(office.root, office.state_dir) as git:
        head = git.require_head()
        git.refresh_commit_graph(head)  # a path's commits, from git's changed-path filters
        texts = _versions(git, relpath)
        now = texts[0][1] if texts else {}
        consulted = now.get("consultation")
        if not isinstance(consulted, dict) or not now.get("pre_disclosure"):
            raise RuleViolation(
                _("{id} was never put out for comment; there is no consultation to report").format(
                    id=record_id
                ),
                hint=_("a consultation report is made of a pre-disclosure (pre_disclosure: true)"),
                record_id=record_id,
                rule="not-consulted",
            )
        published = now.get("publication")
        formal_content = published.get("content") if isinstance(published, dict) else None
        preliminary = _put_out(texts, "consultation", consulted.get("content"))
        formal = _put_out(texts, "publication", formal_content) if formal_content else None
        tree = git.tree_blobs(head, [f"{FEEDBACK_DIR}/{record_id}"])
        wanted = {p: b for p, b in tree.items() if p.endswith(".yaml")}
        raw = git.objects(sorted(set(wanted.values())))
        _reports, opinions, _problems = read_all(
            {p: raw.get(b, b"") for p, b in wanted.items()}, office.root
        )
    before = preliminary[1] if preliminary else {}
    after = formal[1] if formal else now
    opened, closes = stamped_day(consulted.get("at")), stamped_day(consulted.get("closes"))
    in_time = [f for f in opinions if closes is None or f.received <= closes]
    late = [f for f in opinions if closes is not None and f.received > closes]
    return Consultation(
        record=record_id,
        title=str(after.get("title", "")),
        preliminary_title=str(before.get("title", "")),
        status=str(now.get("status", "")),
        opened=opened,
        closes=closes,
        published=stamped_day(published.get("at"))
        if formal and isinstance(published, dict)
        else None,
        preliminary=preliminary[0] if preliminary else None,
        formal=formal[0] if formal else None,
        opinions=sorted(in_time, key=_in_turn),
        changes=changes(before, after),
        adoption=adoption(in_time),
        commit=head,
        late=sorted(late, key=_in_turn),
    )


def _in_turn(opinion: Feedback) -> tuple[int, date]:
    return (opinion.number or 0, opinion.received)


def _versions(git: GitStore, relpath: str) -> list[tuple[str, dict[str, Any]]]:
    """The record's committed texts, newest first, each with the commit that made it."""
    commits = git.history_ids(paths=[relpath])
    blobs = git.resolve([f"{c}:{relpath}" for c in commits])
    raw = git.objects(sorted({b for b in blobs.values() if b}))
    out: list[tuple[str, dict[str, Any]]] = []
    for commit in commits:
        blob = blobs.get(f"{commit}:{relpath}")
        if not blob or blob not in raw:
            continue
        with contextlib.suppress(yamlio.YamlProblem):
            data = yamlio.load(yamlio.decode(raw[blob])).data
            if isinstance(data, dict):
                out.append((commit, data))
    return out


def _put_out(
    texts: list[tuple[str, dict[str, Any]]], step: str, content: Any
) -> tuple[str, dict[str, Any]] | None:
    """The text as it was put out (``step``: for comment, or published) and the commit
    that put it out: the oldest that records the step with the content it has."""
    found = None
    for commit, data in texts:
        facts = data.get(step)
        said = facts.get("content") if isinstance(facts, dict) else None
        if content and said == content and content_hash(data) == content:
            found = (commit, data)
    return found


def markdown(office: Office, report: Consultation) -> str:
    """The report as Markdown, naming nobody who asked not to be named."""
    return render.markdown(report, office.settings.unit, office.settings.roster)


def save(text: str, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DangwuError(
            _("cannot write {path}: {error}").format(path=target, error=os_reason(exc))
        ) from None
