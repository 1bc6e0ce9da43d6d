"""Terse builders for testing the pure rules directly: people, settings, records in each
state, and the commits the audit judges, all plain values (no git, no disk).

The facts each step writes are spelled out here by hand, as the live commands write
them, and never computed by calling the rules under test: an honest history built here
that the auditor passes is two independent accounts of the procedure agreeing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from dangwu.errors import DangwuError
from dangwu.model.circular import Circular
from dangwu.model.fingerprint import roster_fingerprint
from dangwu.model.history import Change, CommitObject, Event, Paper, Trailer, Version
from dangwu.model.meeting import Meeting, Minutes
from dangwu.model.office import Person, Rules, Settings
from dangwu.model.record import content_hash
from dangwu.rules import secrecy
from dangwu.rules.audit import Auditor, Violation
from dangwu.rules.workflow import Context, Outcome
from dangwu.store.history import KEPT_FIELDS

CHINA = timezone(timedelta(hours=8))
T0 = datetime(2026, 9, 1, 9, 0, tzinfo=CHINA)  # the first commit of every history here


def person(key: str, *roles: str, signing_key: str | None = None) -> Person:
    return Person(key, f"{key}-name", f"{key}@example.org", roles, signing_key=signing_key)


# One person per role, shaped like the sample office [seed 六]; GPG-style key ids keep
# the fingerprints readable (roster_fingerprint of a key id is the id itself).
LEADER = person("hanzg", "leader", signing_key="A0A0A0A0A0A0A0A0")
MEMBER = person("zhoulx", "member", signing_key="B1B1B1B1B1B1B1B1")
MEMBER2 = person("sunhm", "member", signing_key="B2B2B2B2B2B2B2B2")
MEMBER3 = person("qianwb", "member", signing_key="B3B3B3B3B3B3B3B3")
HEAD = person("linht", "office-head", signing_key="C0C0C0C0C0C0C0C0")
DEPUTY = person("hexy", "office-deputy", signing_key="D0D0D0D0D0D0D0D0")
CLERK = person("dumy", "clerk", signing_key="E0E0E0E0E0E0E0E0")
SUPERVISOR = person("chensh", "supervisor")
NOBODY = person("guest")  # on the roster, with no role at all
# someone who both drafts and sits in the leading group
BOTH = person("both", "member", "clerk", signing_key="F0F0F0F0F0F0F0F0")
OUTSIDER = person("mallory", "leader")  # never on any roster here

ROLE_NAMES = ("leader", "member", "office-head", "office-deputy", "clerk", "supervisor", "none")
BY_ROLE = {
    "leader": LEADER,
    "member": MEMBER,
    "office-head": HEAD,
    "office-deputy": DEPUTY,
    "clerk": CLERK,
    "supervisor": SUPERVISOR,
    "none": NOBODY,
}
# the leading group is the leader and three members: a quorum is three of four
GROUP = (LEADER, MEMBER, MEMBER2, MEMBER3)
QUORUM = [LEADER.key, MEMBER.key, MEMBER2.key]
EVERYONE = (*GROUP, HEAD, DEPUTY, CLERK, SUPERVISOR, NOBODY)


def roster(*people: Person) -> dict[str, Person]:
    return {p.key: p for p in (people or EVERYONE)}


def office(*people: Person, **rules: Any) -> Settings:
    """The office's settings: ``people`` (default everyone above) and ``rules``."""
    return Settings(unit="江城市司法局", roster=roster(*people), rules=Rules(**rules))


def ctx(actor: Person, when: datetime, *, people: Iterable[Person] = (), **rules: Any) -> Context:
    return Context(actor=actor, roster=roster(*people), rules=Rules(**rules), when=when)


def stamp(who: Person, at: datetime, **more: Any) -> dict[str, Any]:
    """The facts of a step as dangwu writes them: who, when, and the particulars."""
    return {"by": who.key, "at": at.isoformat(), **more}


def content(record_id: str = "ZZ-2026-001", **fields: Any) -> dict[str, Any]:
    """A record's content as people write it (a quarterly public record unless told);
    a field given as None is left out."""
    data: dict[str, Any] = {
        "id": record_id,
        "category": "zuzhi-jianshe",
        "item": "党费收缴、使用和管理情况",
        "title": "2026年第三季度党费收缴管理情况",
        "summary": "本季度党费按时足额收缴。",
        "body": "本季度共收缴党费若干元，按规定上缴和使用。",
        "scope": "public",
        "channels": ["public-board", "website"],
        "cadence": "quarterly",
        "period": "2026Q3",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class Rec:
    """A record at one moment: what people wrote (``content``) and what dangwu wrote
    (``facts``: the status and each step's facts)."""

    content: Mapping[str, Any]
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.content["id"])

    @property
    def path(self) -> str:
        return f"records/{self.content['category']}/{self.id}.yaml"

    @property
    def status(self) -> str:
        return str(self.facts.get("status", "draft"))

    @property
    def data(self) -> dict[str, Any]:
        """The whole file as the live commands read it."""
        return {**self.content, **self.facts}

    @property
    def hash(self) -> str:
        return content_hash(self.data)

    def to(self, status: str, **facts: Any) -> Rec:
        return Rec(self.content, {**self.facts, "status": status, **facts})

    def edited(self, **fields: Any) -> Rec:
        return Rec(content(**{**self.content, **fields}), self.facts)

    def without(self, *names: str) -> Rec:
        return Rec(self.content, {k: v for k, v in self.facts.items() if k not in names})

    def version(self) -> Version:
        """The version as the history reader hands it to the audit: the fields it keeps,
        the facts, the content hash and the texts the secrecy review reads."""
        data = self.data
        blob = hashlib.sha1(
            json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        kept = {k: data[k] for k in KEPT_FIELDS if k in data}
        return Version(
            blob, {**kept, **self.facts}, content_hash(data), secrecy.scanned_texts(data)
        )


def draft(by: Person = CLERK, at: datetime = T0, **fields: Any) -> Rec:
    return Rec(content(**fields), {"status": "draft", "created": stamp(by, at)})


def attempt(run: Callable[[], Outcome]) -> str:
    """A step's verdict as one word: the new status, or '!' and the rule it breaks."""
    try:
        return run().status
    except DangwuError as refusal:
        return f"!{refusal.rule}"


def passes(run: Callable[[], object]) -> str:
    """A check's verdict as one word: 'ok', or '!' and the rule it breaks."""
    try:
        run()
    except DangwuError as refusal:
        return f"!{refusal.rule}"
    return "ok"


# --- histories ---------------------------------------------------------------------


def fingerprint(who: Person) -> str:
    assert who.signing_key
    found = roster_fingerprint(who.signing_key)
    assert found
    return found


def good(who: Person) -> tuple[str, str]:
    """A good signature by ``who``'s roster key, as git reports it (%G?, %GK)."""
    return ("G", fingerprint(who))


OUTCOME_STATUS = {"publish": "decided", "revise": "draft", "withhold": "withheld"}


class History:
    """A straight history written commit by commit, each handed over as the history
    reader hands it to the auditor: an Event with the settings as they stood before and
    after, the files it changed (old and new versions), its signature and its parents'
    times. The step methods write the facts dangwu's live commands write; every one
    takes ``facts=`` and ``trailers=`` overrides for forging."""

    def __init__(self, settings: Settings | None = None, *, start: datetime = T0) -> None:
        self.settings: Settings | None = settings or office()
        self.now = start
        self.events: list[Event] = []
        self.records: dict[str, Rec] = {}
        self.papers: dict[str, Paper] = {}  # circulars' and meetings' blobs so far
        self._last: int | None = None

    # the clock and the commits

    def tick(self, at: datetime | None = None, **step: float) -> datetime:
        self.now = at if at is not None else self.now + timedelta(**(step or {"hours": 1}))
        return self.now

    def commit(
        self,
        author: Person,
        message: str,
        *,
        signed: bool = False,
        committed: datetime | None = None,
    ) -> CommitObject:
        number = len(self.events) + 1
        return CommitObject(
            id=hashlib.sha1(f"commit {number}".encode()).hexdigest(),
            parents=(hashlib.sha1(f"commit {number - 1}".encode()).hexdigest(),)
            if number > 1
            else (),
            author_name=author.name,
            author_email=author.email,
            author_date=self.now,
            committer_email=author.email,
            message=message,
            signed=signed,
            committed=int((committed or self.now).timestamp()),
            committer_offset="+0800",
        )

    def add(self, commit: CommitObject, **event: Any) -> Event:
        before = event.pop("settings", self.settings)
        after = event.pop("settings_after", before)
        made = Event(
            commit=commit,
            settings=before,
            settings_after=after,
            settings_error=event.pop("settings_error", None),
            parent_times=(self._last,) if self._last is not None else (),
            **event,
        )
        self.events.append(made)
        self._last = commit.committed
        self.settings = after  # None once deleted or invalid: the next commit finds none
        return made

    @staticmethod
    def message(step: str, subject: str, trailers: Mapping[str, str | None]) -> str:
        lines = [f"{step}: {subject}", ""]
        lines += [f"{k}: {v}" for k, v in trailers.items() if v is not None]
        return "\n".join(lines) + "\n"

    # the office

    def found(self, by: Person = HEAD, settings: Settings | None = None) -> Event:
        """The commit that writes the office's settings where there were none."""
        if self.events:
            self.tick()
        message = self.message(
            "init", "江城市司法局", {Trailer.STEP: "init", Trailer.ACTOR: by.key}
        )
        commit = self.commit(by, message)
        after = settings or self.settings or office()
        return self.add(commit, settings=None, settings_after=after, settings_changed=True)

    def change_settings(
        self,
        by: Person,
        after: Settings | None,
        *,
        step: str | None = "roster add",
        error: str | None = None,
        signature: tuple[str, str] | None = None,
    ) -> Event:
        self.tick()
        trailers = {Trailer.STEP: step, Trailer.ACTOR: by.key} if step else {}
        commit = self.commit(by, self.message(step or "settings", "roster", trailers))
        return self.add(
            commit,
            settings_after=after,
            settings_error=error,
            settings_changed=True,
            signature=signature,
        )

    # the steps of a record

    def step(
        self,
        step: str,
        by: Person,
        before: Rec | None,
        after: Rec | None,
        *,
        trailers: Mapping[str, str | None] | None = None,
        signature: tuple[str, str] | None = None,
        also: Iterable[Change] = (),
        committed: datetime | None = None,
        **event: Any,
    ) -> Event:
        """One step commit changing one record from ``before`` to ``after``."""
        shown = after or before
        assert shown is not None
        written: dict[str, str | None] = {
            Trailer.STEP: step,
            Trailer.RECORD: shown.id,
            Trailer.FROM: before.status if before else "none",
            Trailer.TO: after.status if after else None,
            Trailer.ACTOR: by.key,
            Trailer.CONTENT: after.hash if after else None,
        }
        written.update(trailers or {})
        commit = self.commit(
            by,
            self.message(step, f"{shown.id} {shown.content['title']}", written),
            signed=signature is not None,
            committed=committed,
        )
        change = Change(shown.path, _version(before), _version(after))
        if after is not None:
            self.records[after.id] = after
        return self.add(commit, changes=[change, *also], signature=signature, **event)

    def _do(
        self,
        step: str,
        record_id: str,
        by: Person,
        status: str,
        name: str,
        particulars: Mapping[str, Any],
        *,
        at: datetime | None = None,
        facts: Mapping[str, Any] | None = None,
        signed: bool = False,
        **options: Any,
    ) -> Event:
        when = self.tick(at)
        before = self.records[record_id]
        after = before.to(status, **{name: stamp(by, when, **particulars)}, **(facts or {}))
        if "signature" in options:
            signature = options.pop("signature")
        else:
            signature = good(by) if signed else None
        return self.step(step, by, before, after, signature=signature, **options)

    def new(self, rec: Rec | None = None, by: Person = CLERK, **options: Any) -> Event:
        when = self.tick(options.pop("at", None))
        rec = rec or Rec(content())
        made = rec.to("draft", created=stamp(by, when))
        return self.step("new", by, None, made, **options)

    def edit(
        self, record_id: str, by: Person = CLERK, *, step: str = "edit", **fields: Any
    ) -> Event:
        """A content change through dangwu; an approved record falls back a state."""
        self.tick()
        before = self.records[record_id]
        after = before.edited(**fields)
        if before.status == "approved":
            decided = before.facts.get("decision", {}).get("outcome") == "publish" and (
                "consultation" not in before.facts
                or before.facts["decision"]["at"] > before.facts["consultation"]["at"]
            )
            after = after.to("decided" if decided else "submitted")
        return self.step(step, by, before, after)

    def discard(self, record_id: str, by: Person = CLERK, **options: Any) -> Event:
        """dangwu discard: the record file removed, the step saying so."""
        self.tick()
        before = self.records.pop(record_id)
        trailers = {Trailer.TO: "none", **options.pop("trailers", {})}
        return self.step("discard", by, before, None, trailers=trailers, **options)

    def submit(self, record_id: str, by: Person = CLERK, **options: Any) -> Event:
        return self._do("submit", record_id, by, "submitted", "submitted", {}, **options)

    def decide(
        self,
        record_id: str,
        by: Person = LEADER,
        *,
        attendees: Iterable[str] = QUORUM,
        outcome: str = "publish",
        meeting: str | None = None,
        group: int | None = None,
        meeting_no: str | None = None,
        **options: Any,
    ) -> Event:
        when = self.tick(options.pop("at", None))
        if group is None:  # the leading group as the roster stands
            assert self.settings is not None
            group = sum(p.has("leader", "member") for p in self.settings.roster.values())
        particulars: dict[str, Any] = {"meeting": meeting or when.date().isoformat()}
        if meeting_no is not None:  # taken at a meeting called with meeting new
            particulars["meeting_no"] = meeting_no
        particulars |= {
            "attendees": list(attendees),
            "group": group,
            "outcome": outcome,
        }
        status = OUTCOME_STATUS.get(outcome, "decided")
        return self._do(
            "decide", record_id, by, status, "decision", particulars, at=when, **options
        )

    def approve(
        self, record_id: str, by: Person = MEMBER, *, signed: bool = False, **options: Any
    ) -> Event:
        particulars = {"content": self.records[record_id].hash, "signed": signed}
        particulars.update(options.pop("particulars", {}))
        return self._do(
            "approve", record_id, by, "approved", "approval", particulars, signed=signed, **options
        )

    def publish(
        self,
        record_id: str,
        by: Person = CLERK,
        *,
        signed: bool = False,
        closes: str | None = None,
        **options: Any,
    ) -> Event:
        rec = self.records[record_id]
        particulars: dict[str, Any] = {
            "channels": list(rec.content["channels"]),
            "content": rec.hash,
        }
        if signed:
            particulars["signed"] = True
        particulars.update(options.pop("particulars", {}))
        if rec.content.get("pre_disclosure") and "consultation" not in rec.facts:
            when = self.tick(options.pop("at", None))
            days = self.settings.rules.pre_disclosure_days if self.settings else 15
            shortest = when.date() + timedelta(days=days - 1)
            particulars["closes"] = closes or shortest.isoformat()
            return self._do(
                "publish",
                record_id,
                by,
                "consulting",
                "consultation",
                particulars,
                at=when,
                signed=signed,
                **options,
            )
        return self._do(
            "publish",
            record_id,
            by,
            "published",
            "publication",
            particulars,
            signed=signed,
            **options,
        )

    def reject(
        self, record_id: str, by: Person = MEMBER, reason: str = "内容不全", **o: Any
    ) -> Event:
        return self._do("reject", record_id, by, "draft", "rejection", {"reason": reason}, **o)

    def withdraw(
        self, record_id: str, by: Person = MEMBER, reason: str = "内容有误", **o: Any
    ) -> Event:
        return self._do(
            "withdraw", record_id, by, "withdrawn", "withdrawal", {"reason": reason}, **o
        )

    # what plain git does

    def file(self, by: Person, path: str, old: str | None, new: str | None) -> Event:
        """A plain commit changing a file that is no record (an attachment, say)."""
        self.tick()
        return self.add(self.commit(by, f"files: {path}\n"), files=[(path, old, new)])

    def plain(self, by: Person, before: Rec | None, after: Rec | None, **event: Any) -> Event:
        """A commit made with plain git (no trailers) changing one record file."""
        self.tick()
        shown = after or before
        assert shown is not None
        commit = self.commit(by, f"fix {shown.id}\n")
        if after is not None:
            self.records[after.id] = after
        else:
            self.records.pop(shown.id, None)
        return self.add(
            commit, changes=[Change(shown.path, _version(before), _version(after))], **event
        )

    def supervise(
        self,
        by: Person,
        path: str,
        old: str | None,
        new: str | None,
        *,
        step: str | None,
        paper: Paper | Callable[[datetime], Paper] | None = None,
        **trailers: str,
    ) -> Event:
        """A commit that adds, changes or deletes a file of feedback/, reports/,
        circulars/ or meetings/ (its old and new blob ids); ``step`` None is plain git.
        A circular's, meeting's or request's new blob says ``paper`` (or what it makes
        of the commit's moment), or by default what dangwu would have written: by
        ``by``, now, and minutes that account for everyone."""
        self.tick()
        written = {Trailer.STEP: step, Trailer.ACTOR: by.key, **trailers} if step else {}
        commit = self.commit(by, self.message(step or "fix", path, written))
        papers: dict[str, Paper] = {}
        read = ("circulars/", "meetings/", "requests/")
        if path.startswith(read) or (path.startswith("feedback/") and paper is not None):
            if old is not None:
                papers[old] = self.papers[old]
            if new is not None:
                was = self.papers.get(old) if old is not None else None
                made = paper(self.now) if callable(paper) else paper
                papers[new] = made if made is not None else self._paper(path, by, was)
                self.papers[new] = papers[new]
        return self.add(commit, supervision=[(path, old, new)], papers=papers)

    def _paper(self, path: str, by: Person, was: Paper | None) -> Paper:
        """What dangwu writes in a circular's or meeting's file, made now by ``by``."""
        year, number = (int(n) for n in path.rsplit("/", 1)[1][:-5].split("-"))
        at = self.now.isoformat()
        if path.startswith("circulars/"):
            return Circular(year, number, "通报", "各支部", (), self.now.date(), by.key, at)
        if isinstance(was, Meeting):  # its minutes, taken now
            minutes = Minutes(was.invited, (), (), "通过", by.key, at)
            return replace(was, minutes=minutes)
        return Meeting(
            year,
            number,
            "leading-group",
            "领导小组会议",
            self.now,
            "会议室",
            LEADER.key,
            (LEADER.key, MEMBER.key, MEMBER2.key),
            (),
            by.key,
            at,
        )

    # the verdict

    def settle(self, auditor: Auditor) -> Auditor:
        """Judge the events so far with ``auditor`` and keep only those to come, as a range
        audit takes up where the last one stopped; the events so far must be in order."""
        assert [v for event in self.events for v in auditor.judge(event)] == []
        self.events.clear()
        return auditor

    def audit(self, auditor: Auditor | None = None) -> list[Violation]:
        """Judge every event in order, as the inspector's audit does."""
        judge = auditor or Auditor()
        return [v for event in self.events for v in judge.judge(event)]

    def rules(self, auditor: Auditor | None = None) -> list[str]:
        """The rules the audit finds broken, one per violation, sorted."""
        return sorted(v.rule for v in self.audit(auditor))


def _version(rec: Rec | None) -> Version | None:
    return rec.version() if rec is not None else None


def broken(change: Change, *, which: str = "after") -> Change:
    """The same change with one side of it unreadable (bad YAML in the file)."""
    version = change.after if which == "after" else change.before
    assert version is not None
    bad = Version(version.blob, {}, None, error="line 3: mapping values are not allowed here")
    return replace(change, after=bad) if which == "after" else replace(change, before=bad)
