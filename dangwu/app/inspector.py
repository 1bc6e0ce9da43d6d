"""The inspector's questions: is the whole history in order (audit), and what
happened to this record (log)?"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dangwu import clock, i18n, yamlio
from dangwu.errors import DangwuError, UsageError
from dangwu.i18n import _
from dangwu.model.fingerprint import roster_fingerprint
from dangwu.model.history import CommitObject, Trailer
from dangwu.rules.audit import Auditor, Violation
from dangwu.rules.due import owed
from dangwu.rules.stats import Span, Stated, figures
from dangwu.rules.workdays import Calendar
from dangwu.store import records, snapshot
from dangwu.store.gitstore import GitStore
from dangwu.store.history import Reader, Receipts, Store, background
from dangwu.store.office import Office

if TYPE_CHECKING:
    from dangwu.errors import Problem
    from dangwu.rules.audit import Auditor, Pusher, Violation
    from dangwu.rules.due import Due
    from dangwu.store.history import Receipts, Store

Progress = Callable[[int, int], None]


@dataclass
class AuditResult:
    violations: list[Violation]
    commits: int
    from_cache: bool = False
    head: str | None = None


def audit(
    office: Office,
    *,
    span: str | None = None,
    progress: Progress | None = None,
    pusher: Pusher | None = None,
    arriving: set[str] | None = None,
    now: datetime | None = None,
) -> AuditResult:
    """Judge the whole history (or the commits of ``span``, 'A..B').

    A server judging a push names who pushed (``pusher``, when it knows) and the
    commits ``arriving`` with it, received ``now``."""

    # Replaying a long history makes hundreds of thousands of small, acyclic
    # objects; the cycle collector would walk them over and over for nothing.
    gc.disable()
    try:
        with GitStore(office.root, office.state_dir) as git:
            why = git.untrustworthy()
            if why is not None:
                raise DangwuError(
                    _("this repository's history cannot be audited: {why}").format(why=why),
                    hint=_(
                        "audit a full clone of the office (dangwu clone, which also brings the "
                        "server's receipts)"
                    ),
                )
            cache = Store(office)
            receipts = Receipts(git, arriving or (), now)
            try:
                if span:
                    return _audit_span(office, git, cache, span, progress, receipts, pusher)
                return _audit_all(office, git, cache, progress, receipts)
            finally:
                cache.close()
    finally:
        gc.enable()


def _auditor(receipts: Receipts, pusher: Pusher | None = None) -> Auditor:

    return Auditor(received=receipts, pusher=pusher)


def _restore(auditor: Auditor, cache: Store) -> None:
    """The audit's findings about the records up to the cached head."""
    auditor.authors = {k: set(v) for k, v in (cache.get("audit.authors") or {}).items()}
    auditor.opened = dict(cache.get("audit.opened") or {})
    auditor.openers = dict(cache.get("audit.openers") or {})
    auditor.answered = set(cache.get("audit.answered") or [])
    auditor.founded = True


def _audit_span(
    office: Office,
    git: GitStore,
    cache: Store,
    span: str,
    progress: Progress | None,
    receipts: Receipts,
    pusher: Pusher | None,
) -> AuditResult:
    if ".." not in span or span.count("..") != 1 or "..." in span:
        raise UsageError(_("--range must be A..B, e.g. --range main..HEAD"))
    left, right = span.split("..")
    start = git.commit_of(left or "HEAD")
    end = git.commit_of(right or "HEAD")
    if start is None and set(left) != {"0"}:
        raise UsageError(_("--range: '{rev}' is not a commit").format(rev=left))
    if end is None:
        raise UsageError(_("--range: '{rev}' is not a commit").format(rev=right))

    revisions = [f"{start}..{end}"] if start else [end]
    auditor = _auditor(receipts, pusher)
    reader = Reader(office, git, cache)
    continued = bool(
        start and cache.get("audit.head") == start and _notes_unchanged(cache, receipts)
    )
    if continued:
        # the whole history up to the range's start was audited here before (a server
        # audits what it accepted): its findings about the records are the background
        _restore(auditor, cache)
    elif start:
        # what the records this range touches went through before the range began;
        # a record the range creates has no past to look up

        touched = {
            change.path
            for _commit, changes in git.history(revisions)
            for change in changes
            if change.path.startswith("records/")
        }
        existing = git.tree_blobs(start, ["records"])
        blob = git.tree_blobs(start, ["dangwu.yaml"]).get("dangwu.yaml")
        settings, _error = reader.settings(blob)
        known = background(git, start, sorted(touched & set(existing)), settings, receipts)
        auditor.authors, auditor.opened = known.authors, known.opened
        auditor.openers = known.openers
        auditor.answered = _answered_by(git, start)
        auditor.founded = True
    violations: list[Violation] = []
    count = 0
    for event in reader.events(revisions, start=start, progress=progress):
        violations += auditor.judge(event)
        count += 1
    if continued and not violations:
        # what the audit of the whole history will be once this range is in: a server's
        # post-receive takes it up (keep_range) instead of reading the range again
        cache.put("audit.pending", {"base": start, "head": end, **_findings(auditor)})
    return AuditResult(violations, count, head=end)


def _findings(auditor: Auditor) -> dict[str, Any]:
    """What the audit knows of the records, as kept between runs."""
    return {
        "authors": {k: sorted(v) for k, v in auditor.authors.items()},
        "opened": auditor.opened,
        "openers": auditor.openers,
        "answered": sorted(auditor.answered),
    }


def keep_range(office: Office, head: str, notes: str | None) -> bool:
    """Take up what a server's pre-receive found auditing the push that brought the
    branch to ``head`` (it started where the audit of the whole history stood and
    found nothing): the whole history is then audited up to ``head``, with no
    history read. Returns whether it could."""

    cache = Store(office)
    try:
        pending = cache.get("audit.pending")
        if (
            not isinstance(pending, dict)
            or pending.get("head") != head
            or pending.get("base") != cache.get("audit.head")
        ):
            return False
        for key in ("authors", "opened", "openers", "answered"):
            cache.put(f"audit.{key}", pending[key])
        cache.put("audit.head", head)
        cache.put("audit.notes", notes)
        cache.put("audit.pending", None)
        return True
    finally:
        cache.close()


def _notes_unchanged(cache: Store, receipts: Receipts) -> bool:
    """Whether the cached findings still stand with the server's notes as they are now:
    a note that moved when a comment window opened changes what was judged after it."""
    changed = receipts.changed_since(cache.get("audit.notes"))
    if changed is None:
        return not (cache.get("audit.openers") or {})
    return not changed.intersection((cache.get("audit.openers") or {}).values())


def _audit_all(
    office: Office,
    git: GitStore,
    cache: Store,
    progress: Progress | None,
    receipts: Receipts,
) -> AuditResult:

    head = git.require_head()
    last = cache.get("audit.head")
    notes = receipts.tip()
    # the findings kept are in the language they were found in; none found is none in
    # every language, and findings in another language are found again in this one
    kept = _violations(cache.get("audit.violations"))
    trusted = _notes_unchanged(cache, receipts) and kept is not None
    if last == head and trusted and kept is not None:
        if notes != cache.get("audit.notes"):
            cache.put("audit.notes", notes)
        return AuditResult(kept, 0, True, head)
    auditor = _auditor(receipts)
    violations: list[Violation] = []
    revisions, start = ["HEAD"], None
    if last and trusted and kept is not None and git.is_ancestor(last, head):
        revisions, start = [f"{last}..{head}"], last
        violations = kept
        _restore(auditor, cache)
    count = 0
    for event in Reader(office, git, cache).events(revisions, start=start, progress=progress):
        violations += auditor.judge(event)
        count += 1
    cache.put("audit.head", head)
    cache.put("audit.notes", notes)
    cache.put("audit.violations", _stored(violations))
    for key, value in _findings(auditor).items():
        cache.put(f"audit.{key}", value)
    return AuditResult(violations, count, False, head)


def _answered_by(git: GitStore, commit: str) -> set[str]:
    """The reports already answered at ``commit``: a range audit's starting point."""

    tree = git.tree_blobs(commit, ["reports"])
    raw = git.objects(sorted(set(tree.values())))
    answered = set()
    for path, blob in tree.items():
        try:
            data = yamlio.load(yamlio.decode(raw.get(blob, b""))).data
        except yamlio.YamlProblem:
            continue
        if isinstance(data, dict) and data.get("answer"):
            answered.add(path)
    return answered


def _stored(violations: list[Violation]) -> dict[str, Any]:

    return {"language": i18n.language(), "items": [v.as_dict() for v in violations]}


def _violations(stored: Any) -> list[Violation] | None:
    """The kept findings, or None when they must be found again: they are in another
    language than the reader's (the cache serves every language: a server's hooks, an
    inspector reading in English)."""

    if stored is None:
        return []
    if not isinstance(stored, dict):
        return None
    items = stored.get("items") or []
    if items and stored.get("language") != i18n.language():
        return None
    return [
        Violation(v["commit"], v["record"], v["rule"], v["person"], v["message"]) for v in items
    ]


# --- log -----------------------------------------------------------------------------


@dataclass
class Entry:
    commit: str
    date: str
    name: str
    key: str | None
    roles: tuple[str, ...]
    step: str
    record: str | None
    before: str | None
    after: str | None
    signature: str  # good, bad, none
    subject: str
    notes: list[str] = field(default_factory=list)


def log(office: Office, *, record: str | None = None, limit: int | None = None) -> list[Entry]:
    """The history of one record, or of the office, oldest first."""

    with GitStore(office.root, office.state_dir) as git:
        git.require_head()
        git.refresh_commit_graph()
        paths: list[str] = []
        if record:
            found = records.find(office, record)
            paths = [found.relpath]
        ids = git.history_ids(paths=paths, limit=limit)
        ids.reverse()
        return entries(office, git, ids)


def entries(office: Office, git: GitStore, ids: list[str]) -> list[Entry]:
    """What each of these commits did, by whom, in which role, as the roster stood."""
    objects = git.commits(ids)
    # each act is shown as the roster stood when it was done
    where = {
        i: (f"{objects[i].parents[0]}:dangwu.yaml" if objects[i].parents else f"{i}:dangwu.yaml")
        for i in ids
    }
    blobs = git.resolve(sorted(set(where.values())))

    cache = Store(office)
    try:
        reader = Reader(office, git, cache)
        signed = [objects[i] for i in ids if objects[i].signed]
        signatures = reader._signatures(signed) if signed else {}
        rosters = {i: reader.settings(blobs.get(where[i]))[0] for i in ids}
    finally:
        cache.close()
    return [_entry(objects[i], rosters[i], signatures.get(i)) for i in ids]


def _entry(commit: CommitObject, settings: Any, signature: tuple[str, str] | None) -> Entry:

    trailers = commit.trailers()
    person = settings.person_by_email(commit.author_email) if settings is not None else None
    step = trailers.get(Trailer.STEP) or _("(plain git)")
    state = "none"
    verdict = "none"
    if signature is not None:
        status, key = signature
        expected = roster_fingerprint(person.signing_key) if person and person.signing_key else None
        good = status in ("G", "U") and expected is not None and key.upper() == expected.upper()
        verdict = "good" if good else "bad"
    body = [line for line in commit.message.split("\n\n", 2)[1:2] for line in line.splitlines()]
    return Entry(
        commit=commit.id,
        date=commit.author_date.isoformat(),
        name=person.name if person else commit.author_name,
        key=person.key if person else None,
        roles=person.roles if person else (),
        step=step,
        record=trailers.get(Trailer.RECORD),
        before=trailers.get(Trailer.FROM, state if step == "new" else None),
        after=trailers.get(Trailer.TO),
        signature=verdict,
        subject=commit.subject,
        notes=[line for line in body if not line.startswith(Trailer.PREFIX)],
    )


# --- due ---------------------------------------------------------------------------


def due(office: Office, *, on: date | None = None) -> tuple[Due, list[Problem]]:
    """What the office owes on ``on`` (default today), from the office as committed
    by the end of that day; and the supervision files that could not be read."""

    today = clock.today(clock.office_zone(office.settings.timezone))
    day = on or today
    with GitStore(office.root, office.state_dir) as git:
        git.require_head()
        shot = snapshot.at(office, git) if day >= today else snapshot.as_of(office, git, day)
        reports, _opinions, problems = shot.supervision()
        result = owed(
            shot.summaries(),
            reports,
            today=day,
            calendar=Calendar(shot.settings.rules),
            catalogue=shot.catalogue,
        )
    return result, problems


# --- stats ---------------------------------------------------------------------------


def stats(office: Office, *, year: int | None = None, period: str | None = None) -> Stated:
    """The figures of a year or a quarter (default: this year), from the office as
    committed."""

    if year is not None and period is not None:
        raise UsageError(_("give --year or --period, not both"))
    today = clock.today(clock.office_zone(office.settings.timezone))
    span = Span.quarter(period) if period else Span.year(year or today.year)
    with GitStore(office.root, office.state_dir) as git:
        git.require_head()
        shot = snapshot.at(office, git)
        reports, opinions, problems = shot.supervision()
        found = figures(
            shot.summaries(),
            reports,
            opinions,
            span=span,
            today=today,
            calendar=Calendar(shot.settings.rules),
            catalogue=shot.catalogue,
        )
        return Stated(found, shot.commit, shot.settings, shot.catalogue, problems)
