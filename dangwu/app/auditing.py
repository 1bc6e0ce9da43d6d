"""The inspector's first question, asked by ``audit`` and by the server at each push:
is the whole history (or a range of it) in order?"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dangwu import i18n, yamlio
from dangwu.errors import DangwuError, InvalidFiles, UsageError
from dangwu.i18n import _
from dangwu.model.circular import CIRCULARS_DIR, numbered
from dangwu.model.meeting import MEETINGS_DIR, Meeting
from dangwu.model.meeting import numbered as meeting_numbered
from dangwu.model.office import Settings
from dangwu.rules.audit import WENT_OUT, Auditor, Violation
from dangwu.store import meetings as stored_meetings
from dangwu.store import snapshot
from dangwu.store.gitstore import GitStore
from dangwu.store.history import Reader, Receipts, Store, background
from dangwu.store.office import Office

if TYPE_CHECKING:
    from dangwu.rules.audit import Pusher


Progress = Callable[[int, int], None]


@dataclass
class AuditResult:
    violations: list[Violation]
    commits: int
    from_cache: bool = False
    head: str | None = None
    earlier: int = 0  # commits checked by earlier audits, whose findings were kept
    # the settings in force at ``head``, where a change to them did not count (see
    # Auditor.in_force); known where the history was read, not kept findings taken up
    in_force: Settings | None = None

    @property
    def covered(self) -> int:
        """The commits the verdict stands for: checked now or by earlier audits."""
        return self.commits + self.earlier


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


def _restore(auditor: Auditor, cache: Store, reader: Reader) -> None:
    """The audit's findings about the records up to the cached head."""
    in_force = cache.get("audit.in_force")
    if isinstance(in_force, str) and in_force != UNKEPT:  # a change up to there did not count
        auditor.in_force = reader.settings(in_force)[0]
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

    def continuable() -> bool:
        return bool(
            start
            and cache.get("audit.head") == start
            and _notes_unchanged(cache, receipts)
            and _continuable(cache)
        )

    continued = continuable()
    carried: Settings | None = None
    if start and not continued:
        # the history before the range, audited too (and kept for next time): a
        # settings change there that did not count decides how the range is judged,
        # as a colleague's sync and a range audit judge it [SPEC 11]
        carried = _audit_all(office, git, cache, None, receipts, head=start).in_force
        continued = continuable()
    if start:
        _before(auditor, office, git, start)
    if continued:
        # the whole history up to the range's start was audited here before (a server
        # audits what it accepted): its findings about the records are the background
        _restore(auditor, cache, reader)
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
        auditor.in_force = carried
    violations: list[Violation] = []
    count = 0
    for event in reader.events(revisions, start=start, progress=progress):
        violations += auditor.judge(event)
        count += 1
    if continued and not violations:
        # what the audit of the whole history will be once this range is in: a server's
        # post-receive takes it up (keep_range) instead of reading the range again
        cache.put("audit.pending", {"base": start, "head": end, **_findings(auditor, reader)})
    return AuditResult(violations, count, head=end)


def _before(auditor: Auditor, office: Office, git: GitStore, start: str) -> None:
    """What the commits before ``start`` left that the range's own are judged against:
    the circulars and meetings (its own take the next numbers), and where each record
    stood (a circular carries only what was published)."""
    auditor.circulars = _circulars_at(git, start)
    auditor.meetings, auditor.minuted, auditor.held = _meetings_at(git, start)
    auditor.before_range = _standing_at(office, git, start)
    auditor.stamps_before = _stamps_at(office, git, start)
    auditor.blobs_before = _blobs_at(git, start)


def _standing_at(
    office: Office, git: GitStore, commit: str
) -> Callable[[str], tuple[str, tuple[str, ...], str | None] | None]:
    """Where each record stood at ``commit``, read once if a circular asks."""
    known: dict[str, tuple[str, tuple[str, ...], str | None]] | None = None

    def standing(record: str) -> tuple[str, tuple[str, ...], str | None] | None:
        nonlocal known
        if known is None:
            known = {
                s.id: (s.status, s.published_channels, s.content)
                for s in snapshot.at(office, git, commit).summaries()
            }
        return known.get(record)

    return standing


def _stamps_at(office: Office, git: GitStore, commit: str) -> Callable[[str], dict[str, str]]:
    """The attached files of what had gone out at ``commit``, as their approvals
    stamped them (path -> {record id: blob}), read once if a commit changes a file."""
    known: dict[str, dict[str, str]] | None = None

    def stamps(path: str) -> dict[str, str]:
        nonlocal known
        if known is None:
            known = {}
            for s in snapshot.at(office, git, commit).summaries():
                if s.status in WENT_OUT:
                    for name, blob in s.stamps().items():
                        known.setdefault(name, {})[s.id] = blob
        return known.get(path, {})

    return stamps


def _blobs_at(git: GitStore, commit: str) -> Callable[[str], str | None]:
    """Each file's blob at ``commit`` ("" where it has none), asked for by path."""
    known: dict[str, str] = {}

    def blob(path: str) -> str:
        if path not in known:
            known[path] = git.tree_blobs(commit, [path]).get(path, "")
        return known[path]

    return blob


def _circulars_at(git: GitStore, commit: str) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for path in git.tree_blobs(commit, [CIRCULARS_DIR]):
        named = numbered(path)
        if named is not None:
            found.setdefault(named[0], set()).add(named[1])
    return found


def _meetings_at(
    git: GitStore, commit: str
) -> tuple[dict[int, set[int]], set[str], dict[tuple[int, int], Meeting]]:
    """The meetings at ``commit`` by year, those whose minutes were taken, and what
    each says (a decision names one)."""
    numbers: dict[int, set[int]] = {}
    tree = {p: b for p, b in git.tree_blobs(commit, [MEETINGS_DIR]).items() if meeting_numbered(p)}
    for path in tree:
        year, number = meeting_numbered(path) or (0, 0)
        numbers.setdefault(year, set()).add(number)
    raw = git.objects(sorted(set(tree.values())))
    minuted = {p for p, b in tree.items() if b"\nminutes:" in raw.get(b, b"")}
    held: dict[tuple[int, int], Meeting] = {}
    for path, blob in tree.items():
        try:
            meeting = stored_meetings.parse(raw.get(blob, b""), path)
        except InvalidFiles:
            continue  # flagged when the commit that wrote it was judged
        held[(meeting.year, meeting.number)] = meeting
    return numbers, minuted, held


def _findings(auditor: Auditor, reader: Reader) -> dict[str, Any]:
    """What the audit knows of the records and the settings, as kept between runs."""
    return {
        "in_force": _in_force(auditor, reader),
        "authors": {k: sorted(v) for k, v in auditor.authors.items()},
        "opened": auditor.opened,
        "openers": auditor.openers,
        "answered": sorted(auditor.answered),
    }


# the settings in force are those of no one file (a change in order adopted over a
# file that held one that did not count): the next audit reads the history afresh
UNKEPT = "*"


def _in_force(auditor: Auditor, reader: Reader) -> str | None:
    """How the settings in force are kept between runs: the blob they were read from
    (None: the file's own), or UNKEPT."""
    if auditor.in_force is None:
        return None
    return reader.blob_of(auditor.in_force) or UNKEPT


def _continuable(cache: Store) -> bool:
    return bool(cache.get("audit.in_force") != UNKEPT)


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
        for key in ("authors", "opened", "openers", "answered", "in_force"):
            cache.put(f"audit.{key}", pending.get(key))
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
    head: str | None = None,
) -> AuditResult:
    """The whole history up to ``head`` (the branch's), continuing what was kept."""
    head = head or git.require_head()
    last = cache.get("audit.head")
    notes = receipts.tip()
    # the findings kept are in the language they were found in; none found is none in
    # every language, and findings in another language are found again in this one
    kept = _violations(cache.get("audit.violations"))
    trusted = _notes_unchanged(cache, receipts) and kept is not None
    if last == head and trusted and kept is not None and _continuable(cache):
        if notes != cache.get("audit.notes"):
            cache.put("audit.notes", notes)
        covered = cache.get("audit.commits")
        if not isinstance(covered, int):  # a cache from before it counted
            covered = git.count_commits(head)
        return AuditResult(kept, 0, True, head, covered)
    auditor = _auditor(receipts)
    reader = Reader(office, git, cache)
    violations: list[Violation] = []
    revisions, start = [head], None
    if (
        last
        and trusted
        and kept is not None
        and _continuable(cache)
        and git.is_ancestor(last, head)
    ):
        revisions, start = [f"{last}..{head}"], last
        violations = kept
        _restore(auditor, cache, reader)
        _before(auditor, office, git, last)
    count = 0
    for event in reader.events(revisions, start=start, progress=progress):
        violations += auditor.judge(event)
        count += 1
    cache.put("audit.head", head)
    cache.put("audit.notes", notes)
    cache.put("audit.violations", _stored(violations))
    for key, value in _findings(auditor, reader).items():
        cache.put(f"audit.{key}", value)
    earlier = git.count_commits(start) if start else 0
    cache.put("audit.commits", earlier + count)
    return AuditResult(violations, count, False, head, earlier, auditor.in_force)


def kept_findings(office: Office, git: GitStore) -> dict[str, list[str]]:
    """The rules the office's last audit found broken, by commit: kept in the office's
    cache, and still true of the history while the branch holds the commit that audit
    stood at (nothing when no audit was kept, or the history went elsewhere)."""
    cache = Store(office)
    try:
        head, stored = cache.get("audit.head"), cache.get("audit.violations")
    finally:
        cache.close()
    if not isinstance(head, str) or not isinstance(stored, dict):
        return {}
    if not git.is_ancestor(head, git.require_head()):
        return {}
    found: dict[str, list[str]] = {}
    for item in stored.get("items") or []:
        if isinstance(item, dict) and isinstance(item.get("commit"), str):
            rules = found.setdefault(item["commit"], [])
            if item.get("rule") not in rules:
                rules.append(str(item.get("rule")))
    return found


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
