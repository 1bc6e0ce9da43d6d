"""What happened, commit by commit (``log``): who did which step to which record, in
which role as the roster stood, and whether it was signed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dangwu.app import auditing
from dangwu.i18n import _
from dangwu.model.fingerprint import roster_fingerprint
from dangwu.model.history import CommitObject, Trailer
from dangwu.store import records
from dangwu.store.gitstore import GitStore
from dangwu.store.history import Reader, Receipts, Store
from dangwu.store.office import Office


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
    # when the server received it, where that was later than its date by more than
    # clocks may disagree: a step dated back on a stale clone says so [SPEC 11]
    received: str | None = None
    # the rules the office's last audit found this commit broke (where that audit
    # covers it): a step that looks clean here, made under a forged roster, says so
    findings: list[str] = field(default_factory=list)


def log(office: Office, *, record: str | None = None, limit: int | None = None) -> list[Entry]:
    """The history of one record, or of the office, oldest first."""

    with GitStore(office.root, office.state_dir) as git:
        git.refresh_commit_graph(git.require_head())
        paths: list[str] = []
        if record:
            found = records.find(office, record)
            paths = [found.relpath]
        ids = git.history_ids(paths=paths, limit=limit)
        ids.reverse()
        shown = entries(office, git, ids)
        flagged = auditing.kept_findings(office, git)
        for entry in shown:
            entry.findings = flagged.get(entry.commit, [])
        return shown


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
    receipts = Receipts(git).many(ids)
    return [_entry(objects[i], rosters[i], signatures.get(i), receipts.get(i)) for i in ids]


def _entry(
    commit: CommitObject,
    settings: Any,
    signature: tuple[str, str] | None,
    receipt: datetime | None = None,
) -> Entry:

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
        received=_later(commit, receipt, settings),
    )


def _later(commit: CommitObject, receipt: datetime | None, settings: Any) -> str | None:
    """The receipt, in the step's own time zone, if it came later than the step's date
    by more than the office lets clocks disagree."""
    if receipt is None:
        return None
    slack = settings.rules.clock_skew_minutes if settings is not None else 10
    if receipt <= commit.author_date + timedelta(minutes=slack):
        return None
    return receipt.astimezone(commit.author_date.tzinfo).isoformat()
