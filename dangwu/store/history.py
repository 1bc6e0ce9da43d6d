"""The office's history read once: each commit, the records it changed, what each
version of a record said, and the settings and roster in force at the time.

One ``git log --raw`` pass gives the commits and the blob ids of every changed
file; the commit objects and the blobs are read by ``git cat-file --batch``.
What a blob says is parsed once and kept in ``.git/dangwu/history-v2.sqlite``
by blob id, as are signature checks by commit id, so a second look at an
unchanged history costs almost nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from dangwu import __version__, yamlio
from dangwu.check.settings import parse_settings
from dangwu.check.supervision import parse_feedback, parse_request
from dangwu.errors import InvalidFiles
from dangwu.model.circular import CIRCULARS_DIR
from dangwu.model.history import (
    Change,
    CommitObject,
    Event,
    FileChange,
    Paper,
    Trailer,
    Version,
)
from dangwu.model.meeting import MEETINGS_DIR
from dangwu.model.office import SETTINGS_FILE, Settings, settings_from_data
from dangwu.model.record import TOOL_FIELDS, content_hash, facts_of
from dangwu.model.supervision import FEEDBACK_DIR, REQUESTS_DIR
from dangwu.rules import secrecy
from dangwu.store import circulars, meetings
from dangwu.store.cache import read_json, write_json
from dangwu.store.gitenv import RECEIVED_NOTES
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office
from dangwu.store.signing import allowed_signers

RELEVANT = (
    "records/",
    SETTINGS_FILE,
    "reports/",
    "feedback/",
    f"{REQUESTS_DIR}/",
    "circulars/",
    "meetings/",
    "schemas/",
)
# judged by who changed them and how: opinions, reports, requests, circulars, meetings,
# the catalogue
SUPERVISION = ("reports/", "feedback/", f"{REQUESTS_DIR}/", "circulars/", "meetings/", "schemas/")
# of those, read as well: what a circular, a meeting, a request or an opinion says is
# checked against its commit
PAPERS = (f"{CIRCULARS_DIR}/", f"{MEETINGS_DIR}/", f"{REQUESTS_DIR}/", f"{FEEDBACK_DIR}/")
SIGNED_BATCH = 1000  # signed commits whose signatures one git process reads

KEPT_FIELDS = (
    "id", "title", "category", "item", "scope", "channels", "major", "pre_disclosure",
    "attachments",  # an approval stamps only the record's own files
)  # fmt: skip


_TOOL = frozenset(TOOL_FIELDS)


_SPLIT_FIRST_COLUMN = re.compile(r"\n(?=[^ \t#\r\n])")
_PIECE_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t\n]|\Z)")


_FIRST_KEY_LINE = re.compile(r"^[^ \t#\r\n]", re.MULTILINE)


def top_level_blocks(text: str) -> list[tuple[str, str]] | None:
    """The file cut into its top-level entries, ``(key, text)``, if it is laid out
    plainly: every line in the first column a ``key:`` (or a comment, or a block
    sequence item belonging to the key above). Otherwise None. Cut by one split in C,
    not a walk over the lines: the audit cuts every version of every record."""
    first = _FIRST_KEY_LINE.search(text)
    if first is None:
        return []
    pieces = _SPLIT_FIRST_COLUMN.split(text[first.start() :] if first.start() else text)
    last = len(pieces) - 1
    blocks: list[tuple[str, str]] = []
    for index, piece in enumerate(pieces):
        whole = piece if index == last else piece + "\n"
        if piece == "-" or piece.startswith(("- ", "-\n")):
            if blocks:  # a block sequence in the first column belongs to the key above
                blocks[-1] = (blocks[-1][0], blocks[-1][1] + whole)
            continue
        match = _PIECE_KEY.match(piece)
        if match is None:
            return None
        blocks.append((match.group(1), whole))
    return blocks


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class VersionParser:
    """Parses versions of records cheaply: successive versions of a record share
    most of their text (the content, and the facts of the steps before), so each
    distinct content and each distinct top-level entry is parsed only once."""

    def __init__(self) -> None:
        # by the digest of the content's text: a long history holds tens of thousands
        self._content: dict[bytes, tuple[dict[str, Any], str, tuple[tuple[str, str], ...]]] = {}
        self._entries: dict[str, Any] = {}

    def parse(self, blob: str, raw: bytes) -> Version:
        try:
            text = yamlio.decode(raw)
        except yamlio.YamlProblem as exc:
            return Version(blob, {}, None, error=exc.message)
        if yamlio.has_hidden_break(text):
            # YAML breaks lines there too: cut at "\n" only, a fact hidden behind one
            # would be content here and a fact to the rules
            return self._parse_whole(blob, text)
        cut = text.find("\nstatus:") + 1
        head = _digest(text[:cut]) if cut else None
        if head is not None and head in self._content:
            # the usual case: a record's known content followed by dangwu's facts
            tail = top_level_blocks(text[cut:])
            if tail is not None and all(key in _TOOL for key, _text in tail):
                try:
                    return self._version(blob, self._content[head], tail)
                except (yamlio.YamlProblem, ValueError):
                    pass
        blocks = top_level_blocks(text)
        if blocks is not None:
            try:
                version, known = self._parse_blocks(blob, blocks)
            except (yamlio.YamlProblem, ValueError):
                return self._parse_whole(blob, text)
            keys = [key for key, _text in blocks]
            first = next((i for i, key in enumerate(keys) if key in _TOOL), None)
            if (
                head is not None
                and first is not None
                and keys[first] == "status"
                and all(key in _TOOL for key in keys[first:])
            ):
                self._content[head] = known  # the next version can skip the content
            return version
        return self._parse_whole(blob, text)

    def _parse_blocks(
        self, blob: str, blocks: list[tuple[str, str]]
    ) -> tuple[Version, tuple[dict[str, Any], str, tuple[tuple[str, str], ...]]]:
        content_text = "".join(text for key, text in blocks if key not in _TOOL)
        key = _digest(content_text)
        known = self._content.get(key)
        if known is None:
            doc = yamlio.load(content_text)
            if not isinstance(doc.data, dict):
                raise ValueError("no content")
            known = self._summarize(doc)
            self._content[key] = known
        return self._version(blob, known, blocks), known

    def _version(
        self,
        blob: str,
        known: tuple[dict[str, Any], str, tuple[tuple[str, str], ...]],
        blocks: list[tuple[str, str]],
    ) -> Version:
        facts: dict[str, Any] = {}
        for key, text in blocks:
            if key not in _TOOL:
                continue
            if key in facts:
                raise ValueError("a key twice")  # the whole-file parse names it
            if text not in self._entries:
                entry = yamlio.load_simple(text)
                if entry is None:
                    entry = yamlio.load(text).data
                if not isinstance(entry, dict) or list(entry) != [key]:
                    raise ValueError("not one entry")
                self._entries[text] = entry[key]
            facts[key] = self._entries[text]
        kept, content, scanned = known
        return Version(blob, {**kept, **facts}, content, scanned)

    def _parse_whole(self, blob: str, text: str) -> Version:
        try:
            doc = yamlio.load(text)
        except yamlio.YamlProblem as exc:
            return Version(blob, {}, None, error=exc.message)
        if not isinstance(doc.data, dict):
            return Version(blob, {}, None, error="not a mapping")
        kept, content, scanned = self._summarize(doc)
        facts = facts_of(doc.data)
        return Version(blob, {**kept, **facts}, content, scanned)

    @staticmethod
    def _summarize(
        doc: yamlio.Document,
    ) -> tuple[dict[str, Any], str, tuple[tuple[str, str], ...]]:

        data = doc.data
        kept = {k: data[k] for k in KEPT_FIELDS if k in data}
        return kept, content_hash(data), secrecy.scanned_texts(data)


def version_of(blob: str, raw: bytes) -> Version:
    return VersionParser().parse(blob, raw)


def as_steps_left(git: GitStore, rev: str, path: str) -> tuple[str, Version] | None:
    """The record at ``path`` as dangwu's last step on ``rev``'s line wrote it, and
    that step's commit (None: no step ever wrote it, as with a draft added by hand).
    Its procedure facts are the ones the record must still hold: later commits may
    change only content."""
    commit = git.last_step(rev, path)
    raw = git.blob(commit, path) if commit is not None else None
    if commit is None or raw is None:
        return None
    return commit, version_of("", raw)  # the blob id is not asked for: facts are


CONTENT_STEPS = ("new", "set", "edit")


def receipt_note(when: datetime, pusher: str | None) -> str:
    """The text of a receipt note."""
    lines = [f"received: {when.isoformat()}"]
    if pusher:
        lines.append(f"pusher: {pusher}")
    return "\n".join(lines) + "\n"


def receipt_time(text: str) -> datetime | None:
    for line in text.splitlines():
        key, _sep, value = line.partition(":")
        if key.strip() == "received":
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                return None
            return moment if moment.tzinfo is not None else None
    return None


class Receipts:
    """When the server received each commit, as its notes say. Commits ``arriving`` in
    the push being judged are received ``now``."""

    def __init__(
        self, git: GitStore, arriving: Iterable[str] = (), now: datetime | None = None
    ) -> None:
        self.git = git
        self.arriving = set(arriving)
        self.now = now
        self._blobs: dict[str, str] | None = None

    def tip(self) -> str | None:
        return self.git.peeled(RECEIVED_NOTES)

    def __call__(self, commit: str) -> datetime | None:
        return self.many([commit]).get(commit)

    def many(self, commits: Sequence[str]) -> dict[str, datetime]:
        """The receipts of many commits, read in one go (none for those without)."""
        found = {c: self.now for c in commits if c in self.arriving}  # received now
        rest = [c for c in commits if c not in self.arriving]
        if rest:
            if self._blobs is None:
                self._blobs = self.git.notes(RECEIVED_NOTES)
            blobs = {c: self._blobs[c] for c in rest if c in self._blobs}
            texts = self.git.objects(sorted(set(blobs.values())))
            for commit, blob in blobs.items():
                found[commit] = receipt_time(texts.get(blob, b"").decode("utf-8", "replace"))
        return {c: moment for c, moment in found.items() if moment is not None}

    def changed_since(self, tip: str | None) -> set[str] | None:
        """The commits whose notes changed since the notes ref was at ``tip`` (None: all
        of them may have)."""
        now = self.tip()
        if now == tip:
            return set()
        if tip is None or now is None:
            return None
        out = self.git.try_run("diff-tree", "-r", "--name-only", "--no-commit-id", tip, now)
        if out is None:
            return None
        return {line.replace("/", "") for line in out.split()}


@dataclass
class Background:
    """What the audit of a range needs to know of the records' earlier history."""

    authors: dict[str, set[str]]
    opened: dict[str, str]  # when each pre-disclosure's comment window really opened
    openers: dict[str, str] = field(default_factory=dict)  # the commit that opened it


def background(
    git: GitStore,
    rev: str,
    paths: Sequence[str],
    settings: Settings | None,
    receipts: Receipts | None = None,
) -> Background:
    """Who drafted or changed each record up to ``rev`` (the actors of dangwu's content
    steps, and the authors of plain-git commits), and when comment windows opened: the
    preliminary publication, or the day the server received it if that was later."""
    found = Background({path: set() for path in paths}, {})
    if not paths:
        return found
    for commit, changes in git.history([rev], list(paths)):
        trailers = commit.trailers()
        step = trailers.get(Trailer.STEP)
        touched = [c.path for c in changes if c.path in found.authors]
        if step == "publish" and trailers.get(Trailer.TO) == "consulting":
            received = receipts(commit.id) if receipts is not None else None
            opened = commit.author_date
            if received is not None and received > opened:
                opened = received
            for path in touched:
                found.opened[path] = opened.isoformat()
                found.openers[path] = commit.id
        if step in CONTENT_STEPS:
            who = trailers.get(Trailer.ACTOR) or commit.author_email
        elif step:
            continue  # a procedure step writes facts, not content
        else:
            person = settings.person_by_email(commit.author_email) if settings else None
            who = person.key if person else commit.author_email
        for path in touched:
            found.authors[path].add(who)
    return found


def window_openings(
    git: GitStore, rev: str, paths: Sequence[str], settings: Settings | None
) -> dict[str, datetime]:
    """When each of these pre-disclosures' comment windows really opened, from the
    commits of their steps (not what their files say), where the server received the
    preliminary plan later than its step says (none where this clone holds no
    receipts). A walk of the history for these paths: for a record or two."""
    receipts = Receipts(git)
    if not paths or receipts.tip() is None:
        return {}
    known = background(git, rev, list(paths), settings, receipts)
    return {path: datetime.fromisoformat(stamp) for path, stamp in known.opened.items()}


def answers_received(git: GitStore, rev: str, paths: Sequence[str]) -> dict[str, datetime]:
    """When the server received the answer of each of these settled papers (a
    request, a report): the receipt of the last commit that wrote the file, which is
    the answer's own (a settled paper is never changed after), where this clone holds
    the receipt (none where it holds none, or the commit has not been pushed)."""
    receipts = Receipts(git)
    if not paths or receipts.tip() is None:
        return {}
    # limited by their folders, not by each path: git matches every changed file
    # against every path given, and a log of thousands of paths takes minutes
    folders = sorted({path.rpartition("/")[0] + "/" for path in paths})
    out = git.try_run("log", "--no-renames", "--format=%x00%H", "--name-only", rev, "--", *folders)
    wanted = set(paths)
    last: dict[str, str] = {}
    for entry in (out or "").split("\x00")[1:]:
        commit, *names = entry.split()
        for name in names:
            if name in wanted:
                last.setdefault(name, commit)
    received = receipts.many(sorted(set(last.values())))
    return {path: received[commit] for path, commit in last.items() if commit in received}


# the states a step that puts a record out takes it to, whose receipts bound its day
PUT_OUT = ("consulting", "published")


StepKey = tuple[str, str, datetime]  # a record's id, the state a step took it to, when


@dataclass(frozen=True)
class StepReceipts:
    """When the server received each step that put a record out, as far as this clone
    has heard (see step_table)."""

    # every such step of the history, by the moment its commit gives: its receipt, or
    # None where this clone has heard of none
    steps: dict[StepKey, datetime | None] = field(default_factory=dict)

    @cached_property
    def _latest(self) -> dict[tuple[str, str], datetime]:
        latest: dict[tuple[str, str], datetime] = {}
        for (record, state, _moment), got in self.steps.items():
            if got is not None and ((record, state) not in latest or got > latest[record, state]):
                latest[record, state] = got
        return latest

    def __bool__(self) -> bool:
        return any(got is not None for got in self.steps.values())

    def received(self, record: str, state: str, stamp: object) -> datetime | None:
        """When the server received the step that took ``record`` to ``state`` at
        ``stamp`` (as the record's file says). A stamp no step's commit gave was
        written by hand: the latest receipt of the record's steps to that state then
        holds, so changing the file's moment cannot shed a late receipt (it can only
        make a day later, and the audit flags the hand anyway)."""
        if not stamp:
            return None
        try:
            moment = datetime.fromisoformat(str(stamp))
        except ValueError:
            return None
        key = (record, state, moment)
        if key in self.steps:
            return self.steps[key]
        return self._latest.get((record, state))


def step_receipts(git: GitStore, revs: Sequence[str]) -> StepReceipts:
    """The steps that put a record out, for comment or published, with when the server
    received each, as far as this clone has heard: by the record's id, the state the
    step took it to and the moment the step gives (the record's file says the same
    moment), so the snapshot of any commit finds its own records' steps in it. One
    walk of the commits' messages, no diffs: a log limited to thousands of records'
    paths takes minutes. Empty where the clone holds no receipts."""
    receipts = Receipts(git)
    if receipts.tip() is None:
        return StepReceipts()
    trailer = "%(trailers:key={},valueonly,separator=%x2C)"
    names = (Trailer.STEP, Trailer.TO, Trailer.RECORD)
    fields = "%x00".join(["%H", "%aI", *(trailer.format(name) for name in names)])
    asked = [f"--grep=^{Trailer.TO}: {state}$" for state in PUT_OUT]
    out = git.try_run("log", *asked, f"--format={fields}", *revs)
    steps: dict[str, StepKey] = {}
    for line in (out or "").splitlines():
        commit, stamp, step, to, record = [*line.split("\x00"), "", "", "", ""][:5]
        if step == "publish" and to in PUT_OUT and record:
            with contextlib.suppress(ValueError):
                steps[commit] = (record, to, datetime.fromisoformat(stamp))
    found: dict[StepKey, datetime | None] = dict.fromkeys(steps.values())
    for commit, moment in receipts.many(list(steps)).items():
        # two commits claiming one step (one forged): the later receipt holds
        key = steps[commit]
        before = found.get(key)
        found[key] = moment if before is None else max(moment, before)
    return StepReceipts(found)


# the step tables this process has read, by office: every snapshot of a command finds it
_STEP_TABLES: dict[str, tuple[list[str], StepReceipts]] = {}


def step_table(git: GitStore, state_dir: Path, commit: str) -> StepReceipts:
    """step_receipts over every branch this clone knows (and ``commit``, if it is on
    none): keyed by the step's own moment, it serves the snapshot of any commit of
    those lines, so a command reads it once however many commits it looks at. Kept
    in memory and in ``step-receipts-v2.json`` by what it was read from: the walk
    costs half a second at 50,000 commits. Empty where the clone holds no receipts."""
    tip = Receipts(git).tip()
    if tip is None:
        return StepReceipts()
    refs = git.try_run("for-each-ref", "--format=%(objectname)", "refs/heads", "refs/remotes")
    lines = ["--branches", "--remotes"]
    off_line = git.try_run("rev-list", "-n1", commit, "--not", *lines)
    if off_line and off_line.strip():
        lines.append(commit)
    key = [tip, hashlib.sha256(f"{refs} {lines}".encode()).hexdigest()]
    known = _STEP_TABLES.get(str(state_dir))
    if known is not None and known[0] == key:
        return known[1]
    path = state_dir / "step-receipts-v2.json"
    kept = read_json(path)
    table: StepReceipts | None = None
    if isinstance(kept, dict) and kept.get("key") == key:
        with contextlib.suppress(TypeError, ValueError):
            table = StepReceipts(
                {
                    (str(rid), str(to), datetime.fromisoformat(at)): (
                        datetime.fromisoformat(got) if got is not None else None
                    )
                    for rid, to, at, got in kept["steps"]
                }
            )
    if table is None:
        table = step_receipts(git, lines)
        rows = [
            [r, to, at.isoformat(), got.isoformat() if got is not None else None]
            for (r, to, at), got in table.steps.items()
        ]
        write_json(path, {"key": key, "steps": rows})
    _STEP_TABLES[str(state_dir)] = (key, table)
    return table


class Store:
    """The history cache: versions by blob id, signatures by commit id, audit results."""

    def __init__(self, office: Office) -> None:
        self.path = office.state_dir / "history-v2.sqlite"
        self.db: sqlite3.Connection | None = None
        try:
            office.state_dir.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=10)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
                "CREATE TABLE IF NOT EXISTS signatures (commit_id TEXT PRIMARY KEY, "
                "status TEXT, key TEXT);"
            )
            # what is kept holds in any language (findings say which language they are in)
            stamp = __version__
            row = self.db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if row is None or row[0] != stamp:
                self.db.executescript("DELETE FROM meta; DELETE FROM signatures;")
                self.db.execute("INSERT INTO meta VALUES ('version', ?)", (stamp,))
                self.db.commit()
        except sqlite3.Error:
            self.db = None  # a cache only: work without it

    def close(self) -> None:
        if self.db is not None:
            self.db.commit()
            self.db.close()
            self.db = None

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
    return path == SETTINGS_FILE or (
        path.startswith(("records/", *SUPERVISION)) and path.endswith(".yaml")
    )


def _changes(
    raw: Sequence[FileChange], state: dict[str, str]
) -> list[tuple[str, str | None, str | None]]:
    """The relevant changes of a commit, applied to ``state`` as they are read."""
    changes = []
    for change in raw:
        if not _relevant(change.path):
            continue
        changes.append((change.path, change.old, change.new))
        if change.new is None:
            state.pop(change.path, None)
        else:
            state[change.path] = change.new
    return changes


@dataclass
class _Planned:
    """A commit read from the log, waiting for the blobs it changed."""

    commit: CommitObject
    changes: list[tuple[str, str | None, str | None]]
    merge: bool
    settings_before: str | None
    settings_after: str | None
    blobs: list[str]
    parent_times: tuple[int, ...]
    unrelated: bool = False
    files: list[tuple[str, str | None, str | None]] = field(default_factory=list)


def _paper(path: str, raw: bytes | None) -> Paper:
    """What a circular's, a meeting's, a request's or an opinion's blob says, or why it
    says nothing."""
    if raw is None:
        return "missing from the repository"
    try:
        if path.startswith(f"{REQUESTS_DIR}/"):
            return parse_request(yamlio.decode(raw), path)
        if path.startswith(f"{FEEDBACK_DIR}/"):
            return parse_feedback(yamlio.decode(raw), path)
        parse = meetings.parse if path.startswith(f"{MEETINGS_DIR}/") else circulars.parse
        return parse(raw, path)
    except yamlio.YamlProblem as exc:
        return str(exc.at(path))
    except InvalidFiles as exc:
        return str(exc.problems[0]) if exc.problems else "invalid"


class Reader:
    """Replays the office's history as a sequence of :class:`Event`."""

    def __init__(self, office: Office, store: GitStore, cache: Store) -> None:
        self.office = office
        self.git = store
        self.cache = cache
        self._settings: dict[str, tuple[Settings | None, str | None]] = {}
        self._times: dict[str, int] = {}  # when each commit read so far was made
        self._signers: str | None = None  # the allowed-signers file signatures are read with

    def _parent_times(self, commit: CommitObject) -> tuple[int, ...]:
        missing = [p for p in commit.parents if p not in self._times]
        if missing:  # the commit a range builds on
            self._times.update(self.git.commit_times(missing))
        return tuple(self._times[p] for p in commit.parents if p in self._times)

    def settings(self, blob: str | None) -> tuple[Settings | None, str | None]:
        """The settings a dangwu.yaml blob holds, or why they cannot be read."""
        if blob is None:
            return None, None
        if blob not in self._settings:
            raw = self.git.objects([blob]).get(blob, b"")
            markers = self.office.markers
            try:
                text = yamlio.decode(raw)
                data = markers.checked(SETTINGS_FILE, text)
                if data is not None:  # checked before: skip the schema
                    parsed = settings_from_data(data)
                else:
                    parsed = parse_settings(text, SETTINGS_FILE, self.office.root)
                    markers.mark_valid(SETTINGS_FILE, text, yamlio.load(text).data)
                self._settings[blob] = (parsed, None)
            except InvalidFiles as exc:
                self._settings[blob] = (None, str(exc.problems[0]) if exc.problems else "invalid")
            except yamlio.YamlProblem as exc:
                self._settings[blob] = (None, exc.message)
        return self._settings[blob]

    def blob_of(self, settings: Settings | None) -> str | None:
        """The dangwu.yaml blob these settings were read from (by this reader)."""
        return next((b for b, (s, _e) in self._settings.items() if s is settings), None)

    def events(
        self, revisions: Sequence[str], start: str | None = None, progress: Any = None
    ) -> Iterator[Event]:
        """Events for the commits of ``revisions``, oldest first. ``start`` is the
        commit whose tree the first commit builds on (None: from nothing).

        git log and git cat-file run side by side with the work here: blobs are
        asked for as soon as the log names them, parsed as they arrive, and each
        commit is handed on (to be judged) as soon as all it changed has been read.
        """
        # what each relevant path holds as the walk goes; a commit's own changes come
        # with their old and new blobs, so only the settings are needed, until a merge
        # asks for the whole tree of its first parent
        state: dict[str, str] = self.git.tree_blobs(start, [SETTINGS_FILE]) if start else {}
        whole = not start
        previous = start
        plan: deque[_Planned] = deque()  # read from the log, not yet handed on
        planned = 0
        parser = VersionParser()
        versions: dict[str, Version] = {}
        asked: set[str] = set()
        # A version is kept while a commit not yet handed on names it, or a file holds
        # it (the next change to that file starts from it); then it is let go, so a
        # long history holds about one version per file, not one per commit. One let
        # go and named again later (a revert, another branch) is read again.
        pending: Counter[str] = Counter()
        holders: Counter[str] = Counter()
        held: dict[str, str] = {}  # path -> the blob it holds, as the log walks

        # circulars' and meetings' blobs: read for the commit that names them, then let go
        papers: dict[str, Paper] = {}
        paper_of: dict[str, str] = {}  # blob -> the path it was named at

        def let_go(blob: str) -> None:
            if pending[blob] <= 0 and holders[blob] <= 0:
                versions.pop(blob, None)
                papers.pop(blob, None)
                paper_of.pop(blob, None)
                asked.discard(blob)
                del pending[blob], holders[blob]

        def hold(path: str, blob: str | None) -> None:
            before = held.pop(path, None)
            if blob is not None:
                held[path] = blob
                holders[blob] += 1
            if before is not None:
                holders[before] -= 1
                let_go(before)

        wanted: list[str] = []
        reader = self.git.object_reader()
        emitted = 0
        # signed commits are checked in batches (one git process each), so the walk
        # moves on past them rather than holding every commit until the end
        signatures: dict[str, tuple[str, str]] = {}
        unchecked: list[CommitObject] = []
        log_done = False

        def take(arrived: list[tuple[str, bytes | None]]) -> bool:
            for blob, raw in arrived:
                path = paper_of.get(blob)
                if path is not None:
                    papers[blob] = _paper(path, raw)
                    continue
                versions[blob] = (
                    parser.parse(blob, raw)
                    if raw is not None
                    else Version(blob, {}, None, error="missing from the repository")
                )
            return bool(arrived)

        def idle() -> bool:
            reader.ask(wanted)
            wanted.clear()
            return take(reader.ready())

        def ready() -> Iterator[Event]:
            nonlocal emitted
            while plan:
                first = plan[0]
                if first.commit.signed and first.commit.id not in signatures:
                    if len(unchecked) < SIGNED_BATCH and not log_done:
                        return
                    signatures.update(self._signatures(unchecked))
                    unchecked.clear()
                if any(b not in versions and b not in papers for b in first.blobs):
                    return
                yield self._event(first, versions, papers, signatures)
                plan.popleft()  # handed on: nothing here needs it again
                signatures.pop(first.commit.id, None)
                for blob in first.blobs:
                    pending[blob] -= 1
                    let_go(blob)
                emitted += 1
                if progress and emitted % 1000 == 0:
                    progress(emitted, max(planned, emitted))

        try:
            for commit, raw_changes in self.git.history(revisions, idle=idle):
                parent = commit.parents[0] if commit.parents else None
                if parent != previous:
                    state = self.git.tree_blobs(parent, [SETTINGS_FILE]) if parent else {}
                    whole = not parent
                settings_before = state.get(SETTINGS_FILE)
                merge = len(commit.parents) > 1
                unrelated = False
                if merge:
                    if not whole:
                        state = self.git.tree_blobs(parent, list(RELEVANT)) if parent else {}
                    changes, unrelated = self._merge_changes(commit, state)
                    whole = True
                    # its other files as against the line it continues: what a side
                    # brought in that the line had not (an attachment among them)
                    brought = self.git.blob_changes(parent or "", commit.id, ())
                    files: list[tuple[str, str | None, str | None]] = [
                        (path, None, new) for path, new in brought.items() if not _relevant(path)
                    ]
                else:
                    changes = _changes(raw_changes, state)
                    files = [(c.path, c.old, c.new) for c in raw_changes if not _relevant(c.path)]
                blobs = [
                    b
                    for path, old, new in changes
                    if path != SETTINGS_FILE and not path.startswith(SUPERVISION)
                    for b in (old, new)
                    if b
                ]
                for path, old, new in changes:
                    if path.startswith(PAPERS):
                        for blob in (old, new):
                            if blob:
                                paper_of[blob] = path
                                blobs.append(blob)
                for blob in blobs:
                    pending[blob] += 1
                    if blob not in asked:
                        asked.add(blob)
                        wanted.append(blob)
                for path, _old, new in changes:
                    if path != SETTINGS_FILE and not path.startswith(SUPERVISION):
                        hold(path, new)
                plan.append(
                    _Planned(
                        commit,
                        changes,
                        merge,
                        settings_before,
                        state.get(SETTINGS_FILE),
                        blobs,
                        self._parent_times(commit),
                        unrelated,
                        files,
                    )
                )
                planned += 1
                if commit.signed:
                    unchecked.append(commit)
                self._times[commit.id] = commit.committed
                previous = commit.id
                if planned % 64 == 0:  # ask in batches: one write per batch, not per blob
                    reader.ask(wanted)
                    wanted.clear()
                    take(reader.ready())
                    yield from ready()
            reader.ask(wanted)
            reader.done()
            take(reader.rest())
        finally:
            if reader.process.poll() is None:
                reader.process.kill()
        log_done = True
        yield from ready()
        if progress:
            progress(planned, planned)

    def _event(
        self,
        planned: _Planned,
        versions: Mapping[str, Version],
        papers: Mapping[str, Paper],
        signatures: Mapping[str, tuple[str, str]],
    ) -> Event:
        in_force, error = self.settings(planned.settings_before)
        made, after_error = self.settings(planned.settings_after)
        changed = planned.settings_after != planned.settings_before
        event = Event(
            commit=planned.commit,
            settings=in_force,
            settings_after=made,
            settings_error=after_error if changed else error,
            settings_before_error=error if changed else None,
            settings_changed=changed,
            signature=signatures.get(planned.commit.id),
            merge=planned.merge,
            unrelated=planned.unrelated,
            parent_times=planned.parent_times,
            papers={b: papers[b] for b in planned.blobs if b in papers},
            files=planned.files,
        )
        for path, old, new in planned.changes:
            if path.startswith(SUPERVISION):
                event.supervision.append((path, old, new))
            elif path != SETTINGS_FILE:
                event.changes.append(
                    Change(
                        path,
                        versions.get(old) if old else None,
                        versions.get(new) if new else None,
                    )
                )
        return event

    def _merge_changes(
        self, commit: CommitObject, state: dict[str, str]
    ) -> tuple[list[tuple[str, str | None, str | None]], bool]:
        """What a merge changes, judged against every parent [SPEC 11].

        A file whose result is the version one side made, where the other sides left
        it as it was when the sides parted, is brought in, not changed: that side's
        commits were judged already. Every other difference is a change from a
        parent's version to the result, judged like any other: a file a side had
        changed and the merge deletes, takes back to an older version, or replaces.
        Also says whether the sides share no history at all.
        """
        after = self.git.tree_blobs(commit.id, list(RELEVANT))
        sides = [dict(state)]
        sides += [self.git.tree_blobs(p, list(RELEVANT)) for p in commit.parents[1:]]
        parted = self.git.merge_base(commit.parents)
        base = self.git.tree_blobs(parted, list(RELEVANT)) if parted else {}
        changes: list[tuple[str, str | None, str | None]] = []
        for path in sorted(set(after).union(*sides)):
            result = after.get(path)
            versions = [side.get(path) for side in sides]
            for version in dict.fromkeys(versions):
                if version == result:
                    continue
                if version == base.get(path) and result in versions:
                    continue  # this side never touched it; the result is another side's
                changes.append((path, version, result))
        state.clear()
        state.update(after)
        return changes, parted is None

    def _signatures(self, commits: Sequence[CommitObject]) -> dict[str, tuple[str, str]]:
        ids = [c.id for c in commits]
        known = self.cache.signatures(ids)
        missing = [i for i in ids if i not in known]
        if missing:
            if self._signers is None:  # every key any roster ever listed, on any branch
                people = {
                    (p.email, p.signing_key)
                    for settings, _error in self._all_settings()
                    if settings is not None
                    for p in settings.roster.values()
                    if p.signing_key
                }
                self._signers = allowed_signers(people)
            found = self.git.signatures(missing, self._signers)
            self.cache.keep_signatures(found)
            known.update(found)
        return known

    def _all_settings(self) -> list[tuple[Settings | None, str | None]]:
        for _commit, changes in self.git.history(["--all"], [SETTINGS_FILE]):
            for change in changes:
                if change.path == SETTINGS_FILE and change.new:
                    self.settings(change.new)
        return list(self._settings.values())
