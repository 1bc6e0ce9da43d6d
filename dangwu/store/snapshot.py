"""The office as it stood at one commit: settings, catalogue and records.

Printed sheets and bulletins are made from a commit, never from the working
tree, so that each sheet can name the commit it came from and be checked later.
What each record says is read from git by blob id and summarised once (kept in
``.git/dangwu/summaries-v4.json``); full texts are read only for the records a
sheet or bulletin shows.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dangwu import __version__, yamlio
from dangwu.check.supervision import read_all, read_requests
from dangwu.clock import office_zone
from dangwu.errors import DangwuError, GitError, Problem
from dangwu.i18n import _
from dangwu.model.catalogue import Catalogue, from_data
from dangwu.model.office import SETTINGS_FILE, Settings, settings_from_data
from dangwu.model.record import RECORDS_DIR, Summary, is_record_path, summarize
from dangwu.model.supervision import FEEDBACK_DIR, PRIVATE_DIRS, REPORTS_DIR, REQUESTS_DIR
from dangwu.resources import shipped
from dangwu.rules.secrecy import private_giver, reporter_strings
from dangwu.store.cache import read_json, write_json
from dangwu.store.gitstore import GitStore
from dangwu.store.history import StepReceipts, answers_received, step_table
from dangwu.store.office import Office
from dangwu.store.pool import fork_map

if TYPE_CHECKING:
    from dangwu.model.supervision import Feedback, Report, Request

Paper = TypeVar("Paper", "Report", "Request")


def with_answers_received(
    git: GitStore, rev: str, papers: list[Paper], settings: Settings
) -> list[Paper]:
    """``papers`` with the day each answer reached the server (in the office's time
    zone), where that was after the day the answer gives and this clone holds the
    receipt of the commit that wrote it."""
    settled = [p.path for p in papers if p.answered_on is not None]
    received = answers_received(git, rev, settled)
    if not received:
        return papers
    zone = office_zone(settings.timezone)
    out = []
    for paper in papers:
        moment = received.get(paper.path)
        day = None if moment is None else moment.astimezone(zone).date()
        if day is not None and paper.answered_on is not None and day > paper.answered_on:
            paper = replace(paper, answer_reached=day)
        out.append(paper)
    return out


CATALOGUE_FILE = "schemas/catalogue.yaml"


@dataclass
class Snapshot:
    office: Office
    git: GitStore
    commit: str
    settings: Settings
    catalogue: Catalogue
    blobs: dict[str, str]  # record path -> blob id
    _summaries: dict[str, Summary] | None = field(default=None, repr=False)
    _texts: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _sensitive: list[str] | None = field(default=None, repr=False)
    _supervision: tuple[list[Report], list[Feedback], list[Problem]] | None = field(
        default=None, repr=False
    )
    _requests: tuple[list[Request], list[Problem]] | None = field(default=None, repr=False)
    # record texts by blob, shared by the snapshots of one line walked commit by commit
    _by_blob: dict[str, dict[str, Any]] | None = field(default=None, repr=False)
    # when the server received the steps that put records out (see step_table)
    _steps: StepReceipts | None = field(default=None, repr=False)

    @property
    def when(self) -> datetime:
        return self.git.commits([self.commit])[self.commit].author_date

    def summaries(self) -> list[Summary]:
        """Every usable record at this commit."""
        if self._summaries is None:
            loaded = _load_summaries(self.office, self.git, self.blobs)
            self._summaries = self._windows_as_received(loaded)
        return list(self._summaries.values())

    def _windows_as_received(self, found: dict[str, Summary]) -> dict[str, Summary]:
        """A comment window counts from the later of its step and the day the server
        received the preliminary plan [SPEC 11]: where that was later, the window
        closes later than the record's file says."""
        steps = self.step_table()
        if not steps:
            return found
        days = self.settings.rules.pre_disclosure_days
        for path, summary in found.items():
            opened = steps.received(summary.id, "consulting", summary.consulted)
            if opened is None:
                continue
            closes = opened.date() + timedelta(days=days - 1)
            if summary.closes_on is None or closes > summary.closes_on:
                found[path] = replace(summary, closes=closes.isoformat())
        return found

    def publications_as_received(self, found: list[Summary]) -> list[Summary]:
        """``found`` with each publication dated the later of its step and the moment
        the server received it [SPEC 11], where this clone holds the receipt: what a
        time limit judges (a quarterly update published after its deadline with the
        clerk's clock set back counts from the day it reached the server)."""
        steps = self.step_table()
        if not steps:
            return found
        zone = office_zone(self.settings.timezone)
        out = []
        for summary in found:
            moment = steps.received(summary.id, "published", summary.published)
            day = summary.published_on
            if moment is not None and day is not None and moment.astimezone(zone).date() > day:
                summary = replace(summary, published=moment.astimezone(zone).isoformat())
            out.append(summary)
        return out

    def step_table(self) -> StepReceipts:
        """When the server received each step that put a record out (see
        history.step_table), read once for this snapshot and those moved from it."""
        if self._steps is None:
            self._steps = step_table(self.git, self.office.state_dir, self.commit)
        return self._steps

    def preliminary(self, summary: Summary) -> dict[str, Any] | None:
        """A pre-disclosure's text as it was published for comment (the office may
        be revising it into the formal plan meanwhile)."""
        if not summary.consulted:
            return None
        commit = self.git.try_run(
            "log",
            "-1",
            "--format=%H",
            f"--until={summary.consulted}",
            self.commit,
            "--",
            summary.path,
        )
        if not commit:
            return None
        raw = self.git.blob(commit, summary.path)
        if raw is None:
            return None
        with contextlib.suppress(yamlio.YamlProblem):
            doc = yamlio.load(yamlio.decode(raw))
            if isinstance(doc.data, dict):
                return doc.data
        return None

    def sensitive(self) -> list[str]:
        """Names and contacts of the real-name reporters and the requesters, and the
        names of the members of the public who gave an opinion and asked not to be
        named, at this commit and at the branch's head: a page printed today of an
        earlier day (the archive's boards, ``board --on``) blots a reporter who came
        forward since, as the board printed today does."""

        if self._sensitive is None:
            found: list[str] = []
            head = self.git.head()
            commits = [self.commit] if head in (None, self.commit) else [self.commit, head]
            for commit in commits:
                found += sensitive_in(
                    self._yaml_files(list(PRIVATE_DIRS), commit).values(),
                    self._yaml_files([FEEDBACK_DIR], commit).values(),
                )
            self._sensitive = list(dict.fromkeys(found))
        return self._sensitive

    def supervision(self) -> tuple[list[Report], list[Feedback], list[Problem]]:
        """The reports and opinions at this commit, and the files that could not be read."""

        if self._supervision is None:
            files = self._yaml_files([REPORTS_DIR, FEEDBACK_DIR])
            reports, opinions, problems = read_all(files, self.office.root)
            self._supervision = (self._answers_as_received(reports), opinions, problems)
        return self._supervision

    def reports(self) -> tuple[list[Report], list[Problem]]:
        """The reports at this commit, without reading the opinions (which may be
        thousands), and the files that could not be read."""
        if self._supervision is not None:
            return self._supervision[0], self._supervision[2]
        files = self._yaml_files([REPORTS_DIR])
        reports, _opinions, problems = read_all(files, self.office.root)
        return self._answers_as_received(reports), problems

    def _yaml_files(self, folders: list[str], commit: str | None = None) -> dict[str, bytes]:
        tree = self.git.tree_blobs(commit or self.commit, folders)
        wanted = {p: b for p, b in tree.items() if p.endswith(".yaml")}
        raw = self.git.objects(sorted(set(wanted.values())))
        return {p: raw.get(b, b"") for p, b in wanted.items()}

    def opinions_on(self, record_ids: Iterable[str]) -> dict[str, list[Feedback]]:
        """The opinions on some records at this commit (only their folders read)."""
        folders = [f"{FEEDBACK_DIR}/{rid}" for rid in sorted(set(record_ids))]
        if not folders:
            return {}
        _reports, opinions, _problems = read_all(self._yaml_files(folders), self.office.root)
        found: dict[str, list[Feedback]] = {}
        for opinion in opinions:
            found.setdefault(opinion.record, []).append(opinion)
        return found

    def requests(self) -> tuple[list[Request], list[Problem]]:
        """The requests for disclosure at this commit, and the files that could not be
        read."""
        if self._requests is None:
            found, problems = read_requests(self._yaml_files([REQUESTS_DIR]), self.office.root)
            self._requests = (self._answers_as_received(found), problems)
        return self._requests

    def _answers_as_received(self, papers: list[Paper]) -> list[Paper]:
        """An answer's time limit is judged by the later of its day and the day the
        server received it [SPEC 11]: each settled paper with the day its answer
        reached the server, where this clone holds the receipt."""
        return with_answers_received(self.git, self.commit, papers, self.settings)

    def records(self, paths: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The full data of some records, read in one go."""
        paths = list(paths)
        wanted = [p for p in paths if p not in self._texts and p in self.blobs]
        if wanted and self._by_blob is not None:
            for path in wanted:
                known = self._by_blob.get(self.blobs[path])
                if known is not None:
                    self._texts[path] = known
            wanted = [p for p in wanted if p not in self._texts]
        if wanted:
            raw = self.git.objects([self.blobs[p] for p in wanted])
            for path in wanted:
                with contextlib.suppress(yamlio.YamlProblem):
                    doc = yamlio.load(yamlio.decode(raw.get(self.blobs[path], b"")))
                    if isinstance(doc.data, dict):
                        self._texts[path] = doc.data
                        if self._by_blob is not None:
                            self._by_blob[self.blobs[path]] = doc.data
        return {p: self._texts[p] for p in paths if p in self._texts}


def sensitive_in(private: Iterable[bytes], opinions: Iterable[bytes]) -> list[str]:
    """What never reaches a disclosure, from the files that hold it: the names and
    contacts in the reports and requests (``private``), and the names of the members
    of the public among the opinions' givers who asked not to be named (only an
    opinion that says ``private`` is read). A file that cannot be read names nobody
    here; validation says why."""
    found: list[str] = []
    for raw in private:
        found += reporter_strings(_fields(raw))
    for raw in opinions:
        if b"private:" in raw:
            found += private_giver(_fields(raw))
    return found


def _fields(raw: bytes) -> Mapping[str, Any]:
    with contextlib.suppress(yamlio.YamlProblem):
        data = yamlio.load(yamlio.decode(raw)).data
        if isinstance(data, Mapping):
            return data
    return {}


def moved(
    base: Snapshot,
    commit: str,
    blobs: dict[str, str],
    summaries: dict[str, Summary],
    texts: dict[str, dict[str, Any]],
) -> Snapshot:
    """``base`` walked forward to ``commit``, where the records are ``blobs`` and
    summarised as ``summaries`` (settings, catalogue and reports as in ``base``):
    for reading many commits of one line without reading each whole. ``texts``
    keeps the record texts read, by blob, for the next commit's snapshot."""
    base.step_table()  # read once for the whole walk, and shared by its snapshots
    moved_to = replace(base, commit=commit, blobs=blobs, _summaries=None, _texts={}, _by_blob=texts)
    moved_to._summaries = moved_to._windows_as_received(dict(summaries))
    return moved_to


def summary_entries(
    office: Office, git: GitStore, blobs: Iterable[str]
) -> dict[str, Summary | None]:
    """The summaries of record blobs, by blob id, without a path (None: not a record)."""
    wanted = set(blobs)
    entries = _entries(office, git, wanted, whole=False)
    return {
        blob: Summary.from_cache("", blob, entry) if entry else None
        for blob in wanted
        for entry in (entries.get(blob),)
    }


def _summary_of(item: tuple[str, bytes]) -> list[Any] | None:
    """A record's summary as the cache keeps it (without path and blob), or None."""
    blob, text = item
    try:
        doc = yamlio.load(yamlio.decode(text))
    except yamlio.YamlProblem:
        return None
    summary = summarize("", blob, doc.data) if isinstance(doc.data, dict) else None
    if summary is None:
        return None
    return summary.cached()


SUMMARIES = "summaries-v4.json"
KEPT_BESIDE = 2000  # summaries the cache keeps beyond twice a commit's records


def _entries(office: Office, git: GitStore, blobs: Iterable[str], *, whole: bool) -> dict[str, Any]:
    """Cached summaries of record blobs, by blob id (None: not a record), those asked
    for read and kept first. The cache keeps what other commits' records said too,
    up to about twice a ``whole`` commit's records (a few versions, read by a walk
    along the history, do not cut it back): a site's verify page reads the office at
    its head and where its window starts, and each would otherwise push the other's
    records out of the cache, to be read again every time."""
    path = office.state_dir / SUMMARIES
    stored = read_json(path)
    known: dict[str, Any] = {}
    # the cache is good for this dangwu and this shape of Summary only
    stamp = f"{__version__}:{','.join(Summary.__dataclass_fields__)}"
    if isinstance(stored, dict) and stored.get("version") == stamp:
        known = stored.get("summaries") or {}
    wanted = set(blobs)
    missing = sorted(wanted - known.keys())
    if missing:
        raw = git.objects(missing)
        texts = [(blob, raw.get(blob, b"")) for blob in missing]
        raw.clear()
        known.update(zip(missing, fork_map(_summary_of, texts), strict=True))
        if whole and len(known) > 2 * len(wanted) + KEPT_BESIDE:
            known = {b: v for b, v in known.items() if b in wanted}
        write_json(path, {"version": stamp, "summaries": known})
    return known


def _load_summaries(office: Office, git: GitStore, blobs: Mapping[str, str]) -> dict[str, Summary]:
    known = _entries(office, git, blobs.values(), whole=True)
    found: dict[str, Summary] = {}
    for record_path, blob in blobs.items():
        entry = known.get(blob)
        if entry:
            found[record_path] = Summary.from_cache(record_path, blob, entry)
    return found


def at(office: Office, git: GitStore, revision: str = "HEAD") -> Snapshot:
    """The office as committed at ``revision``."""
    commit = git.peeled(revision)
    if commit is None:
        if revision == "HEAD":
            raise GitError(_("the repository has no commits yet"))
        raise DangwuError(_("'{rev}' is not a commit of this office").format(rev=revision))
    tree = git.tree_blobs(commit, [RECORDS_DIR, SETTINGS_FILE, CATALOGUE_FILE])
    raw = git.objects([b for p, b in tree.items() if p in (SETTINGS_FILE, CATALOGUE_FILE)])
    if SETTINGS_FILE not in tree:
        raise DangwuError(_("commit {commit} has no dangwu.yaml").format(commit=commit[:10]))
    settings = _settings_of(raw[tree[SETTINGS_FILE]])
    if CATALOGUE_FILE in tree:
        catalogue = _catalogue_of(raw[tree[CATALOGUE_FILE]], office.root / CATALOGUE_FILE)
    else:
        shipped_path = shipped("schemas", "catalogue.yaml")
        catalogue = _catalogue_of(shipped_path.read_bytes(), shipped_path)
    blobs = {p: b for p, b in tree.items() if is_record_path(p)}
    return Snapshot(office, git, commit, settings, catalogue, blobs)


# A process that reads many snapshots (the demo, which prints as it goes; a site or an
# archive, a board for each day; the tests) parsed the same settings and catalogue for
# each. They are kept by their bytes (and the catalogue's path, which it names); the
# values made are never changed.
@functools.lru_cache(maxsize=16)
def _settings_of(raw: bytes) -> Settings:
    return settings_from_data(yamlio.load(yamlio.decode(raw)).data)


@functools.lru_cache(maxsize=16)
def _catalogue_of(raw: bytes, path: Path) -> Catalogue:
    return from_data(yamlio.load(yamlio.decode(raw)).data, path)


def as_of(office: Office, git: GitStore, day: date) -> Snapshot:
    """The office as it stood at the end of ``day`` (its last commit by then)."""

    zone = office_zone(office.settings.timezone)
    end = datetime.combine(day, datetime.max.time(), zone).replace(microsecond=0)
    commit = git.try_run("rev-list", "-1", f"--before={end.isoformat()}", "HEAD")
    if not commit:
        raise DangwuError(_("the office had no commits by {date}").format(date=day.isoformat()))
    return at(office, git, commit)
