"""The audit: every commit judged against the rules as they stood when it was made.

Pure: it takes the events :mod:`dangwu.store.history` reads and returns violations.
A step commit (one with Dangwu-* trailers) is judged by running the very rule
of :mod:`dangwu.rules.workflow` that the live command runs, with the actor, roster,
settings and time of the commit, and by comparing what the rule would have
written with what the commit wrote. A commit made with plain git is judged as
a change by its author: editing a draft is fine; touching approved or
published content, or any fact only dangwu writes, is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from dangwu.errors import DangwuError
from dangwu.i18n import N_, _
from dangwu.model.circular import CIRCULARS_DIR, Circular, numbered
from dangwu.model.fingerprint import roster_fingerprint
from dangwu.model.history import Change, Event, Trailer, Version
from dangwu.model.meeting import MEETINGS_DIR, Meeting
from dangwu.model.meeting import numbered as meeting_numbered
from dangwu.model.office import DRAFTING_ROLES, ROSTER_ROLES, Person, Rules, Settings
from dangwu.model.record import approved_attachments
from dangwu.model.supervision import REQUESTS_DIR, Feedback, Request, answer_day
from dangwu.model.words import day_written
from dangwu.rules import meeting as meeting_rules
from dangwu.rules import secrecy, workflow
from dangwu.rules.requests import first_due
from dangwu.rules.workdays import Calendar
from dangwu.zone import office_zone

# States whose content is fixed: approved, or out in the world.
SEALED = frozenset({"approved", "consulting", "published", "withheld", "withdrawn"})
RECORD_STEPS = ("new", "set", "edit", "discard", *workflow.STEPS)
OFFICE_STEPS = ("init", "roster add", "roster remove", "roster set")
CONTENT_STEPS = ("new", "set", "edit")

RULES = {
    "not-on-roster": N_("act by someone not on the roster"),
    "role": N_("act without the role"),
    "actor-mismatch": N_("step names another actor"),
    "self-approval": N_("approval of one's own record"),
    "order": N_("step out of order"),
    "major-needs-decision": N_("major record without a collective decision"),
    "major-needs-leader": N_("major record approved by someone other than the leader"),
    "quorum": N_("decision without a quorum"),
    "attendee-not-member": N_("non-member at the decision"),
    "pre-disclosure-window": N_("comment window shorter than required"),
    "pre-disclosure-approval": N_("formal plan not approved again"),
    "content-changed": N_("published content differs from the approved"),
    "attachment-changed": N_("attachment of what went out changed after approval"),
    "manual-edit": N_("approved or published content changed outside dangwu"),
    "tool-fields": N_("procedure facts written outside dangwu"),
    "forged-facts": N_("step facts that the rule would not have written"),
    "content-hash": N_("content hash does not match"),
    "secrecy": N_("secrecy findings approved without a reason"),
    "signature-required": N_("missing signature"),
    "signature-bad": N_("bad signature"),
    "signature-not-actor": N_("signed with someone else's key"),
    "deleted": N_("approved or published record deleted"),
    "discard": N_("a record discarded after it went to the leading group"),
    "settings-invalid": N_("office settings that do not validate"),
    "unreadable": N_("record that cannot be read"),
    "step-scope": N_("step that changes other files"),
    "report-deleted": N_("report deleted"),
    "report-changed": N_("report changed outside 'dangwu report answer'"),
    "report-rewritten": N_("answered report answered again"),
    "feedback-changed": N_("opinion changed or deleted"),
    "unanswered": N_("formal plan approved while an opinion on it had no answer"),
    "request-changed": N_("request changed other than by its extension and answer"),
    "late-extension": N_("request extended after its time ran out"),
    "circular-changed": N_("issued circular changed or deleted"),
    "circular-number": N_("circular numbered out of turn"),
    "meeting-changed": N_("meeting changed other than by its one set of minutes"),
    "meeting-number": N_("meeting numbered out of turn"),
    "paper-forged": N_("circular or meeting that misstates who made it or when"),
    "circular-content": N_("circular carrying what was not published on the circular channel"),
    "meeting-minutes": N_("minutes taken before the meeting or not accounting for everyone"),
    "meeting-called-late": N_("meeting called after the time it was held"),
    "merge": N_("merge commit in a history kept straight"),
    "settings-deleted": N_("office settings deleted"),
    "settings-not-in-force": N_("settings change that does not count, being out of order"),
    "founded-again": N_("office founded a second time"),
    "time-order": N_("step dated before what it follows"),
    "not-the-pusher": N_("pushed by someone other than the actor, without the actor's signature"),
}


@dataclass(frozen=True)
class Violation:
    commit: str
    record: str | None
    rule: str
    person: str
    message: str

    def line(self) -> str:
        return (
            f"{self.commit[:10]} {self.record or '-'} [{self.rule}] {self.message} ({self.person})"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "record": self.record,
            "rule": self.rule,
            "rule_title": _(RULES.get(self.rule, self.rule)),
            "person": self.person,
            "message": self.message,
        }


@dataclass
class Auditor:
    """Judges events in order; remembers who wrote each record's content."""

    authors: dict[str, set[str]] = field(default_factory=dict)
    # when each pre-disclosure's comment window really opened: the date of the
    # publish step, whatever the file says later
    opened: dict[str, str] = field(default_factory=dict)
    # the reports/ files an answer has already changed: an answer is given once
    answered: set[str] = field(default_factory=set)
    # the opinions on each record not yet answered (path -> number): what a formal
    # plan's approval waits on [SPEC 14]
    unanswered: dict[str, dict[str, int]] = field(default_factory=dict)
    # the circulars issued so far, by year: numbered from 1 without a gap [SPEC 12]
    circulars: dict[int, set[int]] = field(default_factory=dict)
    # the meetings called so far, by year, and those whose minutes were taken
    meetings: dict[int, set[int]] = field(default_factory=dict)
    minuted: set[str] = field(default_factory=set)
    # each meeting as it stands so far, by year and number: a decision names one
    held: dict[tuple[int, int], Meeting] = field(default_factory=dict)
    # each record as it stands so far: its status, where it was published and the
    # content published (a circular carries only that); ``before_range`` says the same
    # of a record the range being audited has not touched
    standing: dict[str, tuple[str, tuple[str, ...], str | None]] = field(default_factory=dict)
    before_range: Callable[[str], tuple[str, tuple[str, ...], str | None] | None] = field(
        default=lambda _record: None
    )
    # each attached file of what went out (published, or out for comment) as the
    # approvals stamped it: path -> {record id: blob} (two records may attach one
    # file). ``stamps_before`` says the same at the commit a range starts from
    stamped: dict[str, dict[str, str]] = field(default_factory=dict)
    stamps_before: Callable[[str], dict[str, str]] = field(default=lambda _path: {})
    # each other file's blob as the commits judged so far left it ("" where deleted),
    # for the files they changed; ``blobs_before`` says it at the commit a range starts
    # from (None: not known, and then an approval's stamp is taken at its word)
    blobs: dict[str, str | None] = field(default_factory=dict)
    blobs_before: Callable[[str], str | None] = field(default=lambda _path: None)
    # the commit that opened each pre-disclosure's window (its notes may move "opened")
    openers: dict[str, str] = field(default_factory=dict)
    # when the server received a commit, where it says (git notes) [SPEC 11]
    received: Callable[[str], datetime | None] = field(default=lambda _commit: None)
    # who pushed (on a server that knows): a step by anyone else needs their signature
    pusher: Pusher | None = None
    # the office has been founded (its settings existed at some commit judged so far)
    founded: bool = False
    # the settings as the last change to them that was in order left them, while the
    # file says otherwise: a change that broke the rules (a clerk making himself leader
    # with plain git, a key swapped, signing turned off) is flagged once and then does
    # not count, so no later act can lean on it (None: the file's own) [SPEC 11]
    in_force: Settings | None = None
    _compared: dict[tuple[int, int], tuple[Any, Any, bool]] = field(default_factory=dict)

    def judge(self, event: Event) -> list[Violation]:
        kept = self.in_force
        file_before = event.settings
        if (
            kept is not None
            and event.settings_changed
            and event.settings_after is not None
            and not self._differs(event.settings_after, kept)
        ):
            # the file put back as the settings in force have it (a forgery or a broken
            # file reverted): nothing is changed, whoever does it
            self.in_force = None
            return self._judge(
                replace(event, settings=kept, settings_changed=False, settings_error=None)
            )
        existed = (
            event.settings is not None
            or event.settings_before_error is not None
            or (not event.settings_changed and event.settings_error is not None)
        )
        if kept is not None and existed and self._differs(event.settings, kept):
            event = replace(event, settings=kept)
        out = self._judge(event)
        if not event.settings_changed:
            return out
        if not out:
            # in order: what this commit changed counts; over a file that still holds a
            # change that did not, only what this commit changed (a harmless edit by the
            # office head does not make the clerk's forged member count)
            after = event.settings_after
            if kept is None or file_before is None or after is None:
                self.in_force = None
            else:
                adopted = _adopted(kept, file_before, after)
                self.in_force = adopted if self._differs(after, adopted) else None
        elif event.settings is not None:
            self.in_force = event.settings
            if event.settings_after is None:
                return out  # deleted or unreadable: plain enough that it does not count
            out.append(
                Violation(
                    event.commit.id,
                    None,
                    "settings-not-in-force",
                    out[0].person,
                    _(
                        "this change to dangwu.yaml does not count: later commits are judged "
                        "by the settings and roster as they stood before it, until someone "
                        "who may change them does so in order"
                    ),
                )
            )
        return out

    def _differs(self, settings: Settings | None, kept: Settings) -> bool:
        """Whether the file's settings say otherwise than those in force; asked once
        per pair (the reader hands the same object for the same file), not once per
        commit of a long history."""
        if settings is kept:
            return False
        key = (id(settings), id(kept))
        if key not in self._compared:
            self._compared[key] = (settings, kept, settings != kept)
        return self._compared[key][2]

    def _judge(self, event: Event) -> list[Violation]:
        commit = event.commit
        settings = event.settings
        out: list[Violation] = []
        person = _person(settings, commit.author_email)
        who = f"{person.name} ({person.key})" if person else commit.author_email

        def flag(rule: str, message: str, record: str | None = None) -> None:
            out.append(Violation(commit.id, record, rule, who, message))

        trailers = commit.trailers()
        step = trailers.get(Trailer.STEP)
        self._attachments(event, flag)
        self._keep_standing(event)
        if event.settings_changed and event.settings_error:
            flag("settings-invalid", event.settings_error)
        if event.unrelated:
            flag(
                "merge",
                _(
                    "a merge of histories that share no commit: another repository's history "
                    "joined to the office's"
                ),
            )
        elif event.merge and settings is not None and not settings.rules.allow_merges:
            flag(
                "merge",
                _(
                    "a merge of {n} lines of history; the office keeps one straight line "
                    "(dangwu sync rebases), unless rules.allow_merges says otherwise"
                ).format(n=len(commit.parents)),
            )
        founded_before = self.founded
        if event.settings_after is not None:
            self.founded = True
        if not event.changes and not event.settings_changed and not event.supervision:
            return out
        if self.pusher is not None:
            acted = person or _person(event.settings_after, commit.author_email)
            self._pushed_by(event, acted, flag)
        if settings is None:
            # The commit that founds the office: its author must be on the roster it sets up.
            if founded_before and event.settings_after is not None:
                flag(
                    "founded-again",
                    _(
                        "dangwu.yaml was written anew after the office's settings were gone: "
                        "a second founding, with a roster of its own"
                    ),
                )
            founder = _person(event.settings_after, commit.author_email)
            if founder is None or not ROSTER_ROLES.intersection(founder.roles):
                flag(
                    "not-on-roster",
                    _(
                        "the office was founded by someone its roster does not "
                        "list as a leader or office head"
                    ),
                )
            for change in event.changes:
                self._plain_change(change, founder, event, flag)
            return out
        named = trailers.get(Trailer.RECORD) or next(
            (c.record_id for c in event.changes if c.record_id), None
        )
        if person is None:
            flag(
                "not-on-roster",
                _("{email} is not on the roster at this commit").format(email=commit.author_email),
                named,
            )
            return out
        if step and trailers.get(Trailer.ACTOR) not in (None, person.key):
            flag(
                "actor-mismatch",
                _("the step names {actor} but was made by {key}").format(
                    actor=trailers.get(Trailer.ACTOR), key=person.key
                ),
                named,
            )
        if not event.merge:  # a step, or a commit made with plain git: time runs forwards
            self._in_time(event, settings, flag, named)
        if event.supervision:
            self._supervision(None if event.merge else step, event, person, flag)
        if step in RECORD_STEPS and not event.merge:
            self._record_step(step, trailers, event, person, settings, flag)
        else:
            if event.settings_changed:
                self._settings_change(event, person, settings, flag)
            for change in event.changes:
                self._plain_change(change, person, event, flag)
        return out

    # --- the settings and roster -------------------------------------------------------

    def _settings_change(self, event: Event, person: Person, settings: Settings, flag: Any) -> None:
        """Who may change the settings and roster; where the office requires signing, a
        change must be signed by its author's key as the roster stood (otherwise anyone
        who sets git's email could list their own key for a leader, or turn signing
        off) [SPEC 11]; and the settings are never deleted."""
        if not ROSTER_ROLES.intersection(person.roles):
            flag(
                "role",
                _("the office settings or roster were changed by someone who may not change them"),
            )
        if event.settings_after is None and event.settings_error is None:
            flag(
                "settings-deleted", _("dangwu.yaml, the office's settings and roster, was deleted")
            )
        if settings.rules.require_signing and not _signed_by(event, person):
            if event.signature is None:
                said = _(
                    "the settings or roster were changed without {name}'s signature; the office "
                    "requires changes to them to be signed"
                )
            else:
                said = _(
                    "the settings or roster were changed with a signature that is not by "
                    "{name}'s key on the roster; the office requires changes to them to be "
                    "signed by whoever makes them"
                )
            flag("signature-required", said.format(name=person.name))

    # --- who pushed, and when ----------------------------------------------------------

    def _pushed_by(self, event: Event, person: Person | None, flag: Any) -> None:
        """On a server that knows who pushes, a commit made as someone else stands only
        with that person's own signature [SPEC 11]."""
        pusher = self.pusher
        assert pusher is not None
        if person is not None and pusher.person is not None and person.key == pusher.person.key:
            return
        if person is not None and _signed_by(event, person):
            return
        acted = f"{person.name} ({person.key})" if person else event.commit.author_email
        flag(
            "not-the-pusher",
            _(
                "pushed by {pusher}, but made as {acted} and not signed with {acted}'s key "
                "from the roster"
            ).format(pusher=pusher.describe(), acted=acted),
            event.changes[0].record_id if event.changes else None,
        )

    def _in_time(self, event: Event, settings: Settings, flag: Any, record: str | None) -> None:
        """A step is not made before the commit it builds on, nor claims a time after it
        was made [SPEC 11] (beyond what clocks may disagree by)."""
        commit = event.commit
        slack = settings.rules.clock_skew_minutes * 60
        latest = max(event.parent_times, default=None)
        if latest is not None and commit.committed < latest - slack:
            parent = datetime.fromtimestamp(latest, commit.committer_date.tzinfo)
            flag(
                "time-order",
                _(
                    "made {when}, before the commit it builds on ({parent}); time runs forwards"
                ).format(
                    when=commit.committer_date.isoformat(timespec="minutes"),
                    parent=parent.isoformat(timespec="minutes"),
                ),
                record,
            )
        if commit.author_date.timestamp() > commit.committed + slack:
            flag(
                "time-order",
                _("claims to have been done {when}, after it was committed ({made})").format(
                    when=commit.author_date.isoformat(timespec="minutes"),
                    made=commit.committer_date.isoformat(timespec="minutes"),
                ),
                record,
            )

    def _attachments(self, event: Event, flag: Any) -> None:
        """What went out with a record is the attached file its approval stamped: a
        commit that changes or deletes that file while the record is out changes what
        the office published [SPEC 4]. Then the stamps the commit's records make or end."""
        for path, _old, new in event.files:
            self.blobs[path] = new or ""
            for carrier, stamp in sorted(self._stamps_on(path).items()):
                if stamp != new:
                    flag(
                        "attachment-changed",
                        _(
                            "{path} went out with {id} as approved ({blob}); this commit "
                            "changes it: put the approved file back, or attach the new one "
                            "under another name and take {id} through the procedure again"
                        ).format(path=path, id=carrier, blob=stamp[:10]),
                        carrier,
                    )
        for change in event.changes:
            record = change.record_id
            if record is None:
                continue
            for path in _stamps(change.before):
                self._stamps_on(path).pop(record, None)
            for path, blob in _stamps(change.after).items():
                self._stamps_on(path)[record] = blob

    def _attached(self, names: Any, stamped: Mapping[str, str]) -> dict[str, str]:
        """Each of these attached files as the commit being judged holds it, as far
        as the history read tells (a missing file as ""); where it does not tell, the
        blob an approval ``stamped``, taken at its word."""
        out: dict[str, str] = {}
        for name in (str(n) for n in names or ()):
            known = self.blobs[name] if name in self.blobs else self.blobs_before(name)
            blob = known if known is not None else stamped.get(name)
            if blob is not None:
                out[name] = blob
        return out

    def _stamps_on(self, path: str) -> dict[str, str]:
        """The records that went out with ``path`` attached, and its blob each stamped."""
        if path not in self.stamped:
            self.stamped[path] = dict(self.stamps_before(path))
        return self.stamped[path]

    def _keep_standing(self, event: Event) -> None:
        for change in event.changes:
            record = change.record_id
            if record is None:
                continue
            after = change.after
            if after is None or after.error:
                self.standing.pop(record, None)
                continue
            published = _mapping(after.data.get("publication"))
            channels = published.get("channels")
            self.standing[record] = (
                after.status,
                tuple(str(c) for c in channels) if isinstance(channels, list) else (),
                str(published["content"]) if published.get("content") else None,
            )

    # --- opinions and reports --------------------------------------------------------

    def _supervision(self, step: str | None, event: Event, person: Person, flag: Any) -> None:
        """Who may log opinions and reports, and that what is logged stays as it was:
        each changed only by its one answer (an opinion's disposition)."""
        for path, old, new in event.supervision:
            if path.startswith("schemas/"):
                # the office's own catalogue sets what is disclosed and by when (its
                # items' days count in due, stats and the dossier): changed, like the
                # settings, only by those who may change the settings [SPEC 13]
                if not ROSTER_ROLES.intersection(person.roles):
                    flag(
                        "role",
                        _("{path} was changed by someone who may not change the catalogue").format(
                            path=path
                        ),
                    )
                continue
            if path.startswith(f"{CIRCULARS_DIR}/"):
                self._circular(path, old, new, event, person, flag)
                continue
            if path.startswith(f"{MEETINGS_DIR}/"):
                self._meeting(path, old, new, step, event, person, flag)
                continue
            if path.startswith(f"{REQUESTS_DIR}/"):
                self._request(path, old, new, step, event, person, flag)
                continue
            report = path.startswith("reports/")
            action = "report" if report else "feedback"
            if not report and old is not None and new is not None and step == "answer":
                action = "answer"  # an opinion's disposition: the office's to give
            if not workflow.MAY[action].intersection(person.roles):
                flag(
                    "role",
                    _("{path} was written by someone who may not {action}").format(
                        path=path, action=_(workflow.ACTION_TITLES[action])
                    ),
                )
            if not report:
                self._opinion(path, old, new, step, event, person, flag)
                continue
            if new is None:
                flag("report-deleted", _("the report {path} was deleted").format(path=path))
            elif old is not None:
                if step != "answer":
                    flag(
                        "report-changed",
                        _("the report {path} was changed, but not by an answer").format(path=path),
                    )
                elif path in self.answered:
                    flag(
                        "report-rewritten",
                        _("the report {path} was answered before").format(path=path),
                    )
                self.answered.add(path)

    def _opinion(
        self,
        path: str,
        old: str | None,
        new: str | None,
        step: str | None,
        event: Event,
        person: Person,
        flag: Any,
    ) -> None:
        """An opinion is logged without an answer and changed only by its one
        disposition, which adds only itself, written by whoever committed it, when they
        did, and dated neither before the opinion came in nor after its commit. The
        opinions still unanswered are what a formal plan's approval waits on."""
        answering = new is not None and step == "answer" and path not in self.answered
        if old is not None and not answering:
            flag(
                "feedback-changed",
                _("the opinion {path} was {how}").format(
                    path=path, how=_("deleted") if new is None else _("changed")
                ),
            )
        before = event.papers.get(old) if old is not None else None
        after = event.papers.get(new) if new is not None else None
        for waiting in self.unanswered.values():
            waiting.pop(path, None)
        if isinstance(after, Feedback) and not after.disposition:
            self.unanswered.setdefault(after.record, {})[path] = after.number or 0
        if old is None:
            if isinstance(after, Feedback) and after.disposition:
                flag(
                    "feedback-changed",
                    _("the opinion {path} was logged with its answer").format(path=path),
                )
            return
        if not answering:
            return
        self.answered.add(path)
        if not isinstance(before, Feedback) or not isinstance(after, Feedback):
            return  # what could not be read is validate's to say
        only = bool(after.disposition) and replace(after, disposition=None) == before
        _answered_as_said(path, after.disposition or {}, before, only, "feedback-changed",
                          event, person, flag)  # fmt: skip

    def _request(
        self,
        path: str,
        old: str | None,
        new: str | None,
        step: str | None,
        event: Event,
        person: Person,
        flag: Any,
    ) -> None:
        """A request for disclosure is logged once, then changed only by its one
        extension (before the first time limit ran out) and its one answer or refusal,
        each adding only itself, written by whoever committed it, when they did, and an
        answer not dated before the request was logged [SPEC 14]."""
        _may("request", path, person, flag)
        if new is None:
            flag("request-changed", _("the request {path} was deleted").format(path=path))
            return
        after = event.papers.get(new)
        if not isinstance(after, Request):
            flag("paper-forged", _("{path}: {why}").format(path=path, why=after or "?"))
            return
        if old is None:
            if step not in (None, "request") or after.extension or after.answer:
                flag(
                    "request-changed",
                    _("the request {path} was logged with its extension or answer").format(
                        path=path
                    ),
                )
            _made_as_said(path, after.logged_by, after.logged_at, event, person, flag)
            if after.received > event.commit.author_date.date():
                flag(
                    "time-order",
                    _("{path}: received on {day}, after it was logged").format(
                        path=path, day=after.received.isoformat()
                    ),
                )
            return
        before = event.papers.get(old)
        if not isinstance(before, Request):
            return  # flagged when it was written
        made = event.commit.author_date.date()
        if step == "extend" and after.extension and not before.extension:
            if replace(after, extension=None) != before:
                flag(
                    "request-changed",
                    _("{path}: an extension that changes more than the time").format(path=path),
                )
            extension = after.extension
            _made_as_said(path, str(extension.get("by")), str(extension.get("at")), event,
                          person, flag)  # fmt: skip
            if event.settings is not None:
                first = first_due(before, Calendar(event.settings.rules))
                # the server's receipt bounds a date the clerk's clock gave [SPEC 11]
                received = self.received(event.commit.id)
                zone = office_zone(event.settings.timezone)
                reached = None if received is None else received.astimezone(zone).date()
                if made > first or str(extension.get("on")) != made.isoformat():
                    flag(
                        "late-extension",
                        _("{path}: extended on {day}, after the time ran out on {due}").format(
                            path=path, day=made.isoformat(), due=first.isoformat()
                        ),
                    )
                elif reached is not None and reached > first:
                    flag(
                        "late-extension",
                        _(
                            "{path}: the extension reached the server on {day}, after the "
                            "time ran out on {due}"
                        ).format(path=path, day=reached.isoformat(), due=first.isoformat()),
                    )
            return
        settles = step in ("answer", "refuse") and after.answer and not before.answer
        if not settles:
            flag(
                "request-changed",
                _("the request {path} was changed, but not by its extension or answer").format(
                    path=path
                )
                if not before.answer
                else _("the request {path} was settled before").format(path=path),
            )
            return
        answer = after.answer or {}
        refusing = (step == "refuse") == (answer.get("outcome") == "refused")
        only = refusing and replace(after, answer=None) == before
        _answered_as_said(path, answer, before, only, "request-changed", event, person, flag)

    def _circular(
        self,
        path: str,
        old: str | None,
        new: str | None,
        event: Event,
        person: Person,
        flag: Any,
    ) -> None:
        """A circular is issued once, by someone who may, under the year's next number,
        and never changed or taken back: what was handed out stays as it was. Its file
        names who issued it and when; those are the commit's own [SPEC 11]."""
        _may("circular", path, person, flag)
        if old is not None:
            how = _("deleted") if new is None else _("changed")
            flag("circular-changed", _("the circular {path} was {how}").format(path=path, how=how))
            return
        named = numbered(path)
        if named is None:
            flag("circular-number", _("{path} is not named as a circular is").format(path=path))
            return
        _in_turn(named, self.circulars, "circular-number", flag)
        said = event.papers.get(new or "")
        if not isinstance(said, Circular):
            flag("paper-forged", _("{path}: {why}").format(path=path, why=said or "?"))
            return
        _made_as_said(path, said.by, said.at, event, person, flag)
        for record, content in said.records:
            self._carried(path, record, content, flag)
        logged = _moment(said.at)
        if logged is not None and said.issued != logged.date():
            flag(
                "paper-forged",
                _("{path} is dated {day}, but was issued on {issued}").format(
                    path=path, day=said.issued.isoformat(), issued=logged.date().isoformat()
                ),
            )

    def _carried(self, path: str, record: str, content: str, flag: Any) -> None:
        """A circular carries a record published on the circular channel, with the very
        content that was published [SPEC 12]."""
        standing = self.standing.get(record) or self.before_range(record)
        if standing is None:
            flag(
                "circular-content",
                _("{path} carries {id}, which is not a record").format(path=path, id=record),
                record,
            )
            return
        status, channels, published = standing
        if status != "published" or "circular" not in channels:
            flag(
                "circular-content",
                _("{path} carries {id}, which was not published on the circular channel").format(
                    path=path, id=record
                ),
                record,
            )
        elif published != content:
            flag(
                "circular-content",
                _("{path} carries {id} with a text other than the one published").format(
                    path=path, id=record
                ),
                record,
            )

    def _meeting(
        self,
        path: str,
        old: str | None,
        new: str | None,
        step: str | None,
        event: Event,
        person: Person,
        flag: Any,
    ) -> None:
        """A meeting is called once and its minutes taken once, after it was held:
        nothing else changes it. Who called it, who took the minutes and when are the
        commits' own [SPEC 11]."""
        _may("meeting", path, person, flag)
        named = meeting_numbered(path)
        if new is None:
            flag("meeting-changed", _("the meeting {path} was deleted").format(path=path))
            if named is not None:
                self.held.pop(named, None)
            return
        said = event.papers.get(new)
        if old is not None:
            if step != "minutes":
                flag(
                    "meeting-changed",
                    _("the meeting {path} was changed, but not by its minutes").format(path=path),
                )
            elif path in self.minuted:
                flag(
                    "meeting-changed",
                    _("the minutes of {path} were taken before").format(path=path),
                )
            else:
                self._minutes(path, event.papers.get(old), said, event, person, flag)
            self.minuted.add(path)
        elif named is None:
            flag("meeting-number", _("{path} is not named as a meeting is").format(path=path))
            return
        else:
            _in_turn(named, self.meetings, "meeting-number", flag)
            if isinstance(said, Meeting):
                _made_as_said(path, said.by, said.at, event, person, flag)
                _called_before_held(path, said, event, flag)
                if said.minutes is not None:
                    flag(
                        "meeting-changed",
                        _("{path} has minutes from the day it was called").format(path=path),
                    )
        if isinstance(said, Meeting):
            self.held[(said.year, said.number)] = said
        else:
            flag("paper-forged", _("{path}: {why}").format(path=path, why=said or "?"))
            if named is not None:
                self.held.pop(named, None)

    def _minutes(
        self,
        path: str,
        before: object,
        after: object,
        event: Event,
        person: Person,
        flag: Any,
    ) -> None:
        """The one set of minutes: only they are added, by their taker, after the
        meeting, accounting for everyone invited."""
        if not isinstance(before, Meeting) or not isinstance(after, Meeting):
            return  # flagged as not a meeting where it was read
        minutes = after.minutes
        if minutes is None or replace(after, minutes=None) != replace(before, minutes=None):
            flag(
                "meeting-changed",
                _("the meeting {path} was changed, but not by its minutes").format(path=path),
            )
            return
        _made_as_said(path, minutes.by, minutes.at, event, person, flag)
        said = meeting_rules.check_minutes(
            before,
            minutes.present,
            minutes.absent,
            minutes.attending,
            None,
            event.commit.author_date,
        )
        for message in said:
            flag("meeting-minutes", f"{path}: {message}")

    # --- commits made by dangwu ------------------------------------------------------

    def _record_step(
        self,
        step: str,
        trailers: Mapping[str, str],
        event: Event,
        person: Person,
        settings: Settings,
        flag: Any,
    ) -> None:
        changes = event.changes
        named = trailers.get(Trailer.RECORD)
        target = next((c for c in changes if c.record_id == named), None)
        if target is None or len(changes) != 1 or event.settings_changed or event.supervision:
            flag(
                "step-scope",
                _("this {step} step must change exactly the record it names").format(step=step),
                named,
            )
            if target is None:
                return
        record = target.record_id
        before, after = target.before, target.after
        for version in (before, after):
            if version is not None and version.error:
                flag("unreadable", version.error, record)
                return
        if step == "discard":
            # a discard removes a draft never submitted, and nothing else removes a record
            if after is not None or before is None:
                flag("step-scope", _("a discard step must delete the draft it names"), record)
                return
            _states_match(trailers, before, None, flag, record)
            try:
                workflow.discard(before.data, _context(person, settings, event))
            except DangwuError as refusal:
                flag(refusal.rule or "role", refusal.message, record)
            return
        if after is None:
            flag("step-scope", _("a {step} step deleted the record").format(step=step), record)
            return
        _states_match(trailers, before, after, flag, record)
        if trailers.get(Trailer.CONTENT) != after.content:
            flag("content-hash", _("Dangwu-Content does not match the record's content"), record)
        ctx = _context(person, settings, event)
        if step in CONTENT_STEPS:
            self._content_step(step, before, after, ctx, target.path, flag, record)
            return
        if before is None:
            flag("order", _("{step} of a record that did not exist").format(step=step), record)
            return
        if before.content != after.content:
            flag(
                "manual-edit",
                _("the {step} step also changed the content").format(step=step),
                record,
            )
        try:
            outcome = self._rerun(step, before, after, ctx, target.path, event)
        except DangwuError as refusal:
            flag(refusal.rule or "order", refusal.message, record)
            return
        _compare(outcome, before, after, step, flag, record)
        if step == "publish" and after.status == "consulting":
            received = self.received(event.commit.id)
            opened = ctx.when if received is None or received <= ctx.when else received
            self.opened[target.path] = opened.isoformat()
            self.openers[target.path] = event.commit.id
        if step in workflow.SIGNED_STEPS:
            self._signature(step, after, ctx, event, flag, record)

    def _content_step(
        self,
        step: str,
        before: Version | None,
        after: Version,
        ctx: workflow.Context,
        path: str,
        flag: Any,
        record: str | None,
    ) -> None:
        try:
            if step == "new":
                workflow.require(ctx.actor, "create")
                if before is not None:
                    flag("order", _("new: the record already existed"), record)
                if after.status != "draft":
                    flag("forged-facts", _("a new record must be a draft"), record)
                expected = workflow.Outcome("draft", {"created": ctx.stamp()})
                _compare(expected, None, after, step, flag, record)
            else:
                if before is None:
                    flag(
                        "order",
                        _("{step} of a record that did not exist").format(step=step),
                        record,
                    )
                    return
                outcome = workflow.edit(before.data, ctx)
                _compare(outcome, before, after, step, flag, record)
        except DangwuError as refusal:
            flag(refusal.rule or "role", refusal.message, record)
        self.authors.setdefault(path, set()).add(ctx.actor.key)

    def _rerun(
        self,
        step: str,
        before: Version,
        after: Version,
        ctx: workflow.Context,
        path: str,
        event: Event,
    ) -> workflow.Outcome:
        """Run the rule the live command ran, with the particulars the commit recorded."""
        facts = after.facts()
        data = before.data
        if step == "submit":
            return workflow.submit(data, ctx)
        if step == "decide":
            decision = _mapping(facts.get("decision"))
            named = decision.get("meeting_no")
            held = None
            if named is not None:
                try:
                    held = self.held.get(meeting_rules.reference(str(named), 0))
                except DangwuError:
                    held = None  # the rule says there is no such meeting
            return workflow.decide(
                data,
                ctx,
                meeting=_date(decision.get("meeting")),
                attendees=list(decision.get("attendees") or []),
                outcome=str(decision.get("outcome")),
                note=decision.get("note"),
                named=None if named is None else str(named),
                held=held,
            )
        if step == "approve":
            approval = _mapping(facts.get("approval"))
            stamps = _strings(approval.get("attachments"))  # None: made before stamps were
            names = data.get("attachments")
            overrides = approval.get("overrides") or []
            first = overrides[0] if isinstance(overrides, list) and overrides else None
            return workflow.approve(
                data,
                ctx,
                content=str(before.content),
                authors=self.authors.get(path, set()),
                signed=bool(approval.get("signed")),
                findings=secrecy.what_is_found(before.scanned),
                override=_mapping(first).get("reason") if first is not None else None,
                opinions=approval.get("opinions"),
                necessity=_text(approval.get("necessity")),
                accuracy=_text(approval.get("accuracy")),
                unanswered=sorted(self.unanswered.get(str(data.get("id")), {}).values()),
                # the blobs stamped are the files as committed, where the history read
                # tells; elsewhere the approver's word (the site sends no other file)
                attached=None if stamps is None else _present(self._attached(names, stamps)),
            )
        if step == "reject":
            return workflow.reject(
                data, ctx, reason=str(_mapping(facts.get("rejection")).get("reason", ""))
            )
        if step == "publish":
            name = "consultation" if after.status == "consulting" else "publication"
            published = _mapping(facts.get(name))
            return workflow.publish(
                data,
                ctx,
                content=str(before.content),
                channels=list(published.get("channels") or []) or None,
                signed=bool(published.get("signed")),
                closes=day_written(published.get("closes")) if name == "consultation" else None,
                # the window counts from when it really opened: the step, or the day the
                # server received it if later, whatever a date in the file says
                opened=_moment(self.opened.get(path)),
                # what went out is the file approved: the one committed then
                attached=self._attached(
                    after.data.get("attachments"), approved_attachments(after.data)
                ),
            )
        return workflow.withdraw(
            data, ctx, reason=str(_mapping(facts.get("withdrawal")).get("reason", ""))
        )

    def _signature(
        self,
        step: str,
        after: Version,
        ctx: workflow.Context,
        event: Event,
        flag: Any,
        record: str | None,
    ) -> None:
        facts = after.facts()
        # an approval and a publication say in the file whether they were signed
        name = {"approve": "approval", "publish": "publication"}.get(step, "")
        if step == "publish" and after.status == "consulting":
            name = "consultation"
        claimed = bool(_mapping(facts.get(name)).get("signed")) if name else False
        required = ctx.rules.require_signing
        if not (claimed or required):
            return
        if event.signature is None:
            said = _("the {step} step is not signed").format(step=_(workflow.STEP_TITLES[step][0]))
            flag("signature-required", said, record)
            return
        status, key = event.signature
        if status not in ("G", "U"):
            flag(
                "signature-bad",
                _("git reports the signature as {status}").format(
                    status=_(_SIGNATURE_WORDS[status]) if status in _SIGNATURE_WORDS else status
                ),
                record,
            )
            return
        expected = roster_fingerprint(ctx.actor.signing_key) if ctx.actor.signing_key else None
        if expected is None or (
            key.upper() != expected.upper() and not key.upper().endswith(expected.upper())
        ):
            flag(
                "signature-not-actor",
                _("signed with key {key}, which the roster does not list for {name}").format(
                    key=key, name=ctx.actor.name
                ),
                record,
            )

    # --- commits made with plain git -------------------------------------------------

    def _plain_change(self, change: Change, person: Person | None, event: Event, flag: Any) -> None:
        record = change.record_id
        before, after = change.before, change.after
        for version in (before, after):
            if version is not None and version.error:
                flag("unreadable", version.error, record)
                return
        may_draft = person is not None and bool(DRAFTING_ROLES.intersection(person.roles))
        if after is None:
            if before is not None and before.status in SEALED:
                flag(
                    "deleted",
                    _("{id} was {status} and has been deleted").format(
                        id=record, status=_(before.status)
                    ),
                    record,
                )
            elif not may_draft:
                flag("role", _("records may be deleted only by the office"), record)
            return
        before_facts = before.facts() if before else {}
        after_facts = after.facts()
        if after_facts != before_facts and not _only_created(before, after):
            flag(
                "tool-fields",
                _("procedure facts ({fields}) changed outside dangwu").format(
                    fields=", ".join(sorted(_changed(before_facts, after_facts)))
                ),
                record,
            )
        if before is not None and before.content != after.content:
            if before.status in SEALED:
                flag(
                    "manual-edit",
                    _("the content of {id} was {status} and was changed with plain git").format(
                        id=record, status=_(before.status)
                    ),
                    record,
                )
            elif not may_draft:
                flag("role", _("record content may be changed only by the office"), record)
            if person is not None:
                self.authors.setdefault(change.path, set()).add(person.key)
        if before is None:
            if not may_draft:
                flag("role", _("records may be created only by the office"), record)
            if person is not None:
                self.authors.setdefault(change.path, set()).add(person.key)
            skew = (event.settings.rules if event.settings else Rules()).clock_skew_minutes
            claimed = _created_otherwise(after, person, event.commit.author_date, skew)
            if claimed:
                flag(
                    "tool-fields",
                    _(
                        "a draft added with plain git says it was drafted by {claimed}, "
                        "but the commit is {name}'s of {when}"
                    ).format(
                        claimed=claimed,
                        name=person.name if person else event.commit.author_email,
                        when=event.commit.author_date.isoformat(timespec="minutes"),
                    ),
                    record,
                )


_SIGNATURE_WORDS = {
    "B": N_("bad"),
    "X": N_("expired"),
    "Y": N_("made by an expired key"),
    "R": N_("made by a revoked key"),
    "E": N_("impossible to check"),
    "N": N_("missing"),
}


@dataclass(frozen=True)
class Pusher:
    """Who pushed, as the server knows them: its account, and the person it is."""

    account: str | None
    person: Person | None

    def describe(self) -> str:
        if self.person is not None:
            return f"{self.person.name} ({self.person.key})"
        return self.account or _("an unknown account")


def _adopted(in_force: Settings, before: Settings, after: Settings) -> Settings:
    """The settings in force with what one change in order made to the file, and
    nothing else: each setting, and each field of each person on the roster, that
    the change altered is taken from it; what it left as the file had it stays as in
    force. A person the file held but the settings in force do not (added by a
    change that did not count) stays out, whatever the change did to them: they are
    added in order or not at all."""
    roster = dict(in_force.roster)
    for key in sorted(set(before.roster) | set(after.roster)):
        was, now = before.roster.get(key), after.roster.get(key)
        if was == now:
            continue
        if now is None:
            roster.pop(key, None)
        elif was is None:
            roster[key] = now
        elif key in roster:
            roster[key] = _merged(roster[key], was, now)
    changed = {
        f.name: _merged(getattr(in_force, f.name), getattr(before, f.name), getattr(after, f.name))
        for f in fields(Settings)
        if f.name != "roster" and getattr(after, f.name) != getattr(before, f.name)
    }
    return replace(in_force, roster=roster, **changed)


def _merged(in_force: Any, before: Any, after: Any) -> Any:
    """One setting (or a person on the roster) as a change in order leaves it: where it
    holds values of its own (a person's fields, the rules, the channels, the
    audiences), each of those it changed, and only those; otherwise the whole of what
    it wrote. A forged ``require_signing: false`` does not come into force because the
    office head then changed ``timely_days``."""
    kind = type(after)
    if is_dataclass(after) and type(before) is kind and type(in_force) is kind:
        edits = {
            f.name: getattr(after, f.name)
            for f in fields(after)
            if getattr(after, f.name) != getattr(before, f.name)
        }
        return replace(in_force, **edits)
    if isinstance(after, Mapping) and isinstance(before, Mapping) and isinstance(in_force, Mapping):
        merged = dict(in_force)
        for key in set(before) | set(after):
            if before.get(key) == after.get(key):
                continue
            if key in after:
                merged[key] = after[key]
            else:
                merged.pop(key, None)
        return merged
    return after


def _signed_by(event: Event, person: Person) -> bool:
    """Whether the commit carries a good signature by the person's roster key."""
    if event.signature is None or not person.signing_key:
        return False
    status, key = event.signature
    expected = roster_fingerprint(person.signing_key)
    return (
        status in ("G", "U")
        and expected is not None
        and (key.upper() == expected.upper() or key.upper().endswith(expected.upper()))
    )


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _person(settings: Settings | None, email: str) -> Person | None:
    return settings.person_by_email(email) if settings is not None else None


def _date(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return date.max


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}


def _only_created(before: Version | None, after: Version) -> bool:
    """A draft added by hand may say who created it, and nothing more."""
    if before is not None:
        return False
    facts = after.facts()
    return set(facts) <= {"status", "created"} and facts.get("status", "draft") == "draft"


def _created_otherwise(
    after: Version, person: Person | None, committed: datetime, skew: int
) -> str:
    """What a draft added by hand claims of its drafting that its commit does not say
    (empty when nothing): the approval form prints 拟稿 from it, so it must name whoever
    commits it, on the day before the commit at most (written, then committed), and
    not after it by more than clocks may disagree (``skew`` minutes)."""
    created = _mapping(after.facts().get("created"))
    if not created:
        return ""
    by, at = created.get("by"), _moment(created.get("at"))
    who_ok = person is not None and by == person.key
    when_ok = (
        at is not None
        and at.tzinfo is not None
        and committed - timedelta(days=1) <= at <= committed + timedelta(minutes=skew)
    )
    if who_ok and when_ok:
        return ""
    return f"{by} {created.get('at')}"


# Facts whose exact value the audit cannot recompute from the history alone.
_UNCHECKED = {"overrides", "opinions"}


def _compare(
    outcome: workflow.Outcome,
    before: Version | None,
    after: Version,
    step: str,
    flag: Any,
    record: str | None,
) -> None:
    """What the commit wrote must be what the rule would have written."""
    if outcome.status != after.status:
        flag(
            "forged-facts",
            _("{step} leads to {expected}, the file says {actual}").format(
                step=step, expected=outcome.status, actual=after.status
            ),
            record,
        )
    before_facts = before.facts() if before else {}
    after_facts = after.facts()
    for name in _changed(before_facts, after_facts) - {"status"}:
        if name not in outcome.facts:
            flag(
                "tool-fields",
                _("{step} changed {field}, which it never writes").format(step=step, field=name),
                record,
            )
    for name, expected in outcome.facts.items():
        actual = after_facts.get(name)
        if (
            not isinstance(actual, Mapping)
            or _strip(actual) != _strip(expected)
            or not _overrides_well_formed(actual.get("overrides"))
        ):
            flag(
                "forged-facts",
                _("{field} is not what the {step} step writes").format(field=name, step=step),
                record,
            )


def _overrides_well_formed(overrides: Any) -> bool:
    """Absent, or what approve writes: a list of mappings, each with its reason."""
    if overrides is None:
        return True
    return isinstance(overrides, list) and all(
        isinstance(o, Mapping) and isinstance(o.get("reason"), str) and o["reason"].strip()
        for o in overrides
    )


def _strip(facts: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in facts.items() if k not in _UNCHECKED}


def _context(person: Person, settings: Settings, event: Event) -> workflow.Context:
    """The rules' view of a step: who, the roster and rules of its time, and when."""
    return workflow.Context(
        actor=person, roster=settings.roster, rules=settings.rules, when=event.commit.author_date
    )


def _states_match(
    trailers: Mapping[str, str],
    before: Version | None,
    after: Version | None,
    flag: Any,
    record: str | None,
) -> None:
    """The states the step's trailers name are the ones its file shows."""
    was = before.status if before else "none"
    now = after.status if after else "none"
    if trailers.get(Trailer.FROM) != was or trailers.get(Trailer.TO) != now:
        flag(
            "forged-facts",
            _("the trailers say {a} → {b}, the file says {c} → {d}").format(
                a=trailers.get(Trailer.FROM) or _("(nothing)"),
                b=trailers.get(Trailer.TO) or _("(nothing)"),
                c=was,
                d=now,
            ),
            record,
        )


def summarize(violations: Iterable[Violation]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in violations:
        counts[v.rule] = counts.get(v.rule, 0) + 1
    return counts


def _text(value: Any) -> str | None:
    """A line a step wrote, or None (what else a file put there shows in the comparison)."""
    return str(value) if value is not None else None


# what has gone out: a record published, or out for comment
WENT_OUT = ("published", "consulting")


def stamps_of(status: str, data: Mapping[str, Any]) -> dict[str, str]:
    """The attached files a record that went out carries, as its approval stamped
    them (path -> blob id); none while it is not out."""
    return approved_attachments(data) if status in WENT_OUT else {}


def _stamps(version: Version | None) -> dict[str, str]:
    if version is None or version.error:
        return {}
    return stamps_of(version.status, version.data)


def _present(blobs: Mapping[str, str]) -> dict[str, str]:
    """The files among these that exist (a missing one stops validation, not stamps)."""
    return {path: blob for path, blob in blobs.items() if blob}


def _strings(value: Any) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        return None
    return {str(k): str(v) for k, v in value.items()}


def _mapping(value: Any) -> Mapping[str, Any]:
    """A step's facts as a mapping: what a hand-written file put there instead (a word,
    a list) reads as no facts, and the comparison with what the rule writes flags it."""
    return value if isinstance(value, Mapping) else {}


def _in_turn(named: tuple[int, int], seen: dict[int, set[int]], rule: str, flag: Any) -> None:
    """A numbered paper (a circular, a meeting) takes its year's next number."""
    year, number = named
    taken = seen.setdefault(year, set())
    expected = max(taken, default=0) + 1
    if number != expected:
        flag(
            rule,
            _("number {n} of {year} was taken where {expected} was next").format(
                n=number, year=year, expected=expected
            ),
        )
    taken.add(number)


def _called_before_held(path: str, meeting: Meeting, event: Event, flag: Any) -> None:
    """A meeting is called, and its notice printed, before it is held: one called
    after the day it names is a meeting entered afterwards, whose notice nobody had
    [seed 四]. Clocks may disagree by the office's slack."""
    slack = event.settings.rules.clock_skew_minutes if event.settings else 0
    called = event.commit.author_date
    if meeting.when < called - timedelta(minutes=slack):
        flag(
            "meeting-called-late",
            _("{path} was called {called}, after the time it names ({held})").format(
                path=path,
                called=called.isoformat(timespec="minutes"),
                held=meeting.when.isoformat(timespec="minutes"),
            ),
        )


def _made_as_said(path: str, by: str, at: str, event: Event, person: Person, flag: Any) -> None:
    """A paper's file says who wrote it and when: the commit's author and time, as
    dangwu writes them both from one clock. A file written with plain git that names
    someone else, or a day the commit was not made on, is caught here."""
    if by != person.key:
        flag(
            "paper-forged",
            _("{path} says it was written by {key}, but {who} committed it").format(
                path=path, key=by, who=person.key
            ),
        )
    logged = _moment(at)
    slack = event.settings.rules.clock_skew_minutes * 60 if event.settings else 0
    made = event.commit.author_date
    if logged is None or logged.tzinfo is None or abs((logged - made).total_seconds()) > slack:
        flag(
            "paper-forged",
            _("{path} says it was written {at}, but the commit was made {made}").format(
                path=path, at=at, made=made.isoformat(timespec="minutes")
            ),
        )


def _answered_as_said(
    path: str,
    answer: Mapping[str, Any],
    before: Feedback | Request,
    only: bool,
    changed: str,
    event: Event,
    person: Person,
    flag: Any,
) -> None:
    """An answer (an opinion's disposition, a request's settlement) adds only itself
    (``only``; else the rule ``changed``), names who gave it and when as its commit
    does, and the day it says the person was answered lies between the day what it
    answers came in and was logged, and its commit: an answer backdated to look timely
    is caught here [SPEC 11, 14]."""
    if not only:
        flag(changed, _("{path}: an answer that changes more than the answer").format(path=path))
    _made_as_said(path, str(answer.get("by")), str(answer.get("at")), event, person, flag)
    day = answer_day(answer)
    logged = _moment(before.logged_at)
    received = before.received
    earliest = max(received, logged.date()) if logged else received
    if day is None or day > event.commit.author_date.date() or day < earliest:
        flag(
            "time-order",
            _("{path}: answered on {day}, outside the days it could have been").format(
                path=path, day=answer.get("on")
            ),
        )


def _may(action: str, path: str, person: Person, flag: Any) -> None:
    """A file of the office's papers written by someone whose roles allow ``action``."""
    if not workflow.MAY[action].intersection(person.roles):
        flag(
            "role",
            _("{path} was written by someone who may not {action}").format(
                path=path, action=_(workflow.ACTION_TITLES[action])
            ),
        )
