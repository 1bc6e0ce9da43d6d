"""The office's history read once: each commit, the records it changed, what each
version of a record said, and the settings and roster in force at the time.

One ``git log --raw`` pass gives the commits and the blob ids of every changed
file; the commit objects and the blobs are read by ``git cat-file --batch``.
What a blob says is parsed once and kept in ``.git/dangwu/history-v1.sqlite``
by blob id, as are signature checks by commit id, so a second look at an
unchanged history costs almost nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dangwu import __version__, i18n, records, yamlio
from dangwu.gitstore import CommitObject, GitStore
from dangwu.office import SETTINGS_FILE, Office, Settings, parse_settings

RELEVANT = ("records/", SETTINGS_FILE)
KEPT_FIELDS = ("id", "title", "category", "item", "scope", "channels", "major", "pre_disclosure")


@dataclass(frozen=True)
class Version:
    """What one version (blob) of a record file says, as far as the procedure cares."""

    blob: str
    data: dict[str, Any]
    content: str | None
    findings: tuple[str, ...] = ()
    error: str | None = None

    @property
    def status(self) -> str:
        return str(self.data.get("status", "draft"))

    @property
    def record_id(self) -> str | None:
        value = self.data.get("id")
        return str(value) if value is not None else None

    def facts(self) -> dict[str, Any]:
        return {k: self.data[k] for k in records.TOOL_FIELDS if k in self.data}


@dataclass(frozen=True)
class Change:
    path: str
    before: Version | None
    after: Version | None

    @property
    def record_id(self) -> str | None:
        for version in (self.after, self.before):
            if version is not None and version.record_id:
                return version.record_id
        stem = self.path.rsplit("/", 1)[-1]
        return stem[:-5] if stem.endswith(".yaml") else None


@dataclass
class Event:
    """One commit as the audit sees it."""

    commit: CommitObject
    settings: Settings | None  # in force before the commit (the roster as it stood)
    settings_after: Settings | None
    settings_error: str | None
    changes: list[Change] = field(default_factory=list)
    settings_changed: bool = False
    signature: tuple[str, str] | None = None  # (git %G?, key fingerprint) when signed
    merge: bool = False


def describe(finding: Any) -> str:
    return f"{finding.kind} {finding.field} {finding.line}:{finding.col} {finding.excerpt}"


def version_of(blob: str, raw: bytes) -> Version:
    """Parse one record blob into what the procedure needs."""
    from dangwu import secrecy

    try:
        doc = yamlio.load(yamlio.decode(raw))
    except yamlio.YamlProblem as exc:
        return Version(blob, {}, None, error=exc.message)
    if not isinstance(doc.data, dict):
        return Version(blob, {}, None, error="not a mapping")
    data = doc.data
    kept = {k: data[k] for k in (*KEPT_FIELDS, *records.TOOL_FIELDS) if k in data}
    findings = tuple(describe(f) for f in secrecy.scan(doc))
    return Version(blob, kept, records.content_hash(data), findings)


class Store:
    """The history cache: versions by blob id, signatures by commit id, audit results."""

    def __init__(self, office: Office) -> None:
        self.path = office.state_dir / "history-v1.sqlite"
        self.db: sqlite3.Connection | None = None
        try:
            office.state_dir.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=10)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
                "CREATE TABLE IF NOT EXISTS versions (blob TEXT PRIMARY KEY, value TEXT);"
                "CREATE TABLE IF NOT EXISTS signatures (commit_id TEXT PRIMARY KEY, "
                "status TEXT, key TEXT);"
            )
            stamp = f"{__version__}:{i18n.language()}"
            row = self.db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if row is None or row[0] != stamp:
                self.db.executescript(
                    "DELETE FROM meta; DELETE FROM versions; DELETE FROM signatures;"
                )
                self.db.execute("INSERT INTO meta VALUES ('version', ?)", (stamp,))
                self.db.commit()
        except sqlite3.Error:
            self.db = None  # a cache only: work without it

    def close(self) -> None:
        if self.db is not None:
            self.db.commit()
            self.db.close()
            self.db = None

    def versions(self, blobs: Iterable[str]) -> dict[str, Version]:
        found: dict[str, Version] = {}
        if self.db is None:
            return found
        wanted = list(blobs)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for blob, value in self.db.execute(
                f"SELECT blob, value FROM versions WHERE blob IN ({marks})",
                chunk,
            ):
                raw = json.loads(value)
                found[blob] = Version(
                    blob, raw["data"], raw["content"], tuple(raw["findings"]), raw["error"]
                )
        return found

    def keep_versions(self, versions: Iterable[Version]) -> None:
        if self.db is None:
            return
        rows = [
            (
                v.blob,
                json.dumps(
                    {
                        "data": v.data,
                        "content": v.content,
                        "findings": list(v.findings),
                        "error": v.error,
                    },
                    ensure_ascii=False,
                    default=str,
                ),
            )
            for v in versions
        ]
        self.db.executemany("INSERT OR REPLACE INTO versions VALUES (?, ?)", rows)

    def signatures(self, commits: Iterable[str]) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        if self.db is None:
            return found
        wanted = list(commits)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for commit, status, key in self.db.execute(
                f"SELECT commit_id, status, key FROM signatures WHERE commit_id IN ({marks})",
                chunk,
            ):
                found[commit] = (status, key)
        return found

    def keep_signatures(self, found: Mapping[str, tuple[str, str]]) -> None:
        if self.db is not None:
            self.db.executemany(
                "INSERT OR REPLACE INTO signatures VALUES (?, ?, ?)",
                [(c, s, k) for c, (s, k) in found.items()],
            )

    def get(self, key: str) -> Any:
        if self.db is None:
            return None
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, value: Any) -> None:
        if self.db is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                (key, json.dumps(value, ensure_ascii=False)),
            )


def _relevant(path: str) -> bool:
    return path == SETTINGS_FILE or (path.startswith("records/") and path.endswith(".yaml"))


_WORK: dict[str, bytes] = {}


def _parse_one(blob: str) -> Version:
    return version_of(blob, _WORK[blob])


def _parse_versions(raw: Mapping[str, bytes]) -> list[Version]:
    """Parse many blobs, on every core when there are many."""
    global _WORK
    ids = list(raw)
    workers = min(os.cpu_count() or 1, 4)
    if len(ids) < 300 or workers < 2:
        return [version_of(b, raw[b]) for b in ids]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _WORK = dict(raw)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(_parse_one, ids, chunksize=max(1, len(ids) // (workers * 8))))
    finally:
        _WORK = {}


class Reader:
    """Replays the office's history as a sequence of :class:`Event`."""

    def __init__(self, office: Office, store: GitStore, cache: Store) -> None:
        self.office = office
        self.git = store
        self.cache = cache
        self._settings: dict[str, tuple[Settings | None, str | None]] = {}

    def settings(self, blob: str | None) -> tuple[Settings | None, str | None]:
        """The settings a dangwu.yaml blob holds, or why they cannot be read."""
        if blob is None:
            return None, None
        if blob not in self._settings:
            raw = self.git.objects([blob]).get(blob, b"")
            from dangwu.errors import InvalidFiles

            try:
                parsed = parse_settings(yamlio.decode(raw), SETTINGS_FILE, self.office.root)
                self._settings[blob] = (parsed, None)
            except InvalidFiles as exc:
                self._settings[blob] = (None, str(exc.problems[0]) if exc.problems else "invalid")
            except yamlio.YamlProblem as exc:
                self._settings[blob] = (None, exc.message)
        return self._settings[blob]

    def events(
        self,
        revisions: Sequence[str],
        start: str | None = None,
        progress: Any = None,
    ) -> Iterator[Event]:
        """Events for the commits of ``revisions``, oldest first. ``start`` is the
        commit whose tree the first commit builds on (None: from nothing)."""
        raws = self.git.walk(revisions)
        objects = self.git.commits([r.id for r in raws])
        state: dict[str, str] = self.git.tree_blobs(start, list(RELEVANT)) if start else {}
        previous = start
        plan: list[
            tuple[
                CommitObject, list[tuple[str, str | None, str | None]], bool, str | None, str | None
            ]
        ] = []
        for raw in raws:
            commit = objects[raw.id]
            parent = commit.parents[0] if commit.parents else None
            if parent != previous:
                state = self.git.tree_blobs(parent, list(RELEVANT)) if parent else {}
            settings_before = state.get(SETTINGS_FILE)
            changes: list[tuple[str, str | None, str | None]] = []
            merge = len(commit.parents) > 1
            if merge:
                after = self.git.tree_blobs(commit.id, list(RELEVANT))
                others = [self.git.tree_blobs(p, list(RELEVANT)) for p in commit.parents[1:]]
                for path in sorted(set(state) | set(after)):
                    new = after.get(path)
                    if new != state.get(path) and all(new != o.get(path) for o in others):
                        changes.append((path, state.get(path), new))  # resolved by hand
                state = after
            else:
                for change in raw.changes:
                    if not _relevant(change.path):
                        continue
                    changes.append((change.path, change.old, change.new))
                    if change.new is None:
                        state.pop(change.path, None)
                    else:
                        state[change.path] = change.new
            plan.append((commit, changes, merge, settings_before, state.get(SETTINGS_FILE)))
            previous = commit.id
        versions = self._versions(
            {
                b
                for _c, changes, _m, _s, _a in plan
                for _p, old, new in changes
                for b in (old, new)
                if b and _p != SETTINGS_FILE
            }
        )
        signatures = self._signatures([c for c, *_rest in plan if c.signed])
        for done, (commit, changes, merge, before_blob, after_blob) in enumerate(plan):
            in_force, error = self.settings(before_blob)
            made, after_error = self.settings(after_blob)
            event = Event(
                commit=commit,
                settings=in_force,
                settings_after=made,
                settings_error=after_error if after_blob != before_blob else error,
                settings_changed=after_blob != before_blob,
                signature=signatures.get(commit.id),
                merge=merge,
            )
            for path, old, new in changes:
                if path == SETTINGS_FILE:
                    continue
                event.changes.append(
                    Change(
                        path, versions.get(old) if old else None, versions.get(new) if new else None
                    )
                )
            if progress and done % 500 == 0:
                progress(done, len(plan))
            yield event
        if progress:
            progress(len(plan), len(plan))

    def _versions(self, blobs: set[str]) -> dict[str, Version]:
        known = self.cache.versions(blobs)
        missing = [b for b in blobs if b not in known]
        if missing:
            parsed = _parse_versions(self.git.objects(missing))
            self.cache.keep_versions(parsed)
            known.update({v.blob: v for v in parsed})
        return known

    def _signatures(self, commits: Sequence[CommitObject]) -> dict[str, tuple[str, str]]:
        ids = [c.id for c in commits]
        known = self.cache.signatures(ids)
        missing = [i for i in ids if i not in known]
        if missing:
            from dangwu.signing import allowed_signers

            people = {
                (p.email, p.signing_key)
                for settings, _error in self._all_settings()
                if settings is not None
                for p in settings.roster.values()
                if p.signing_key
            }
            found = self.git.signatures(missing, allowed_signers(people))
            self.cache.keep_signatures(found)
            known.update(found)
        return known

    def _all_settings(self) -> list[tuple[Settings | None, str | None]]:
        blobs = self.git.walk(["--all"], [SETTINGS_FILE])
        for raw in blobs:
            for change in raw.changes:
                if change.path == SETTINGS_FILE and change.new:
                    self.settings(change.new)
        return list(self._settings.values())
