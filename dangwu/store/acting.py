"""Acting on the office: who is acting, under the write lock, making one commit.

Every write command runs inside :func:`acting`, which establishes the actor
from git's identity against the roster *as committed* (a roster edited but not
committed grants nothing), checks the role, and makes the one commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dangwu import clock, yamlio
from dangwu.check.settings import parse_settings
from dangwu.errors import GitError, IdentityError, InvalidFiles, RuleViolation
from dangwu.i18n import _
from dangwu.model.history import CommitObject, Trailer
from dangwu.model.office import SETTINGS_FILE, Person, Settings
from dangwu.rules import workflow
from dangwu.store.gitstore import GitStore, Identity, parse_commit
from dangwu.store.office import Office
from dangwu.store.signing import key_fingerprint, same_key


@dataclass
class Act:
    office: Office
    store: GitStore
    settings: Settings
    actor: Person
    identity: Identity
    when: datetime
    head: str
    tree: str | None = None  # the tree of head

    def context(self) -> workflow.Context:
        """The rules' view of this act: who, when, and the roster as committed."""
        return workflow.Context(
            actor=self.actor,
            roster=self.settings.roster,
            rules=self.settings.rules,
            when=self.when,
        )

    def signing(self, wanted: bool = False) -> bool:
        """Whether this act is signed (asked for, or the office requires it), after
        checking the actor can: the roster lists a key for them and git signs with it."""
        if not (wanted or self.settings.rules.require_signing):
            return False
        if not self.actor.signing_key:
            raise IdentityError(
                _("the roster has no signing key for {name} ({key})").format(
                    name=self.actor.name, key=self.actor.key
                ),
                hint=_(
                    "make one with 'dangwu key'; an office head lists it in the roster "
                    "with the line it prints"
                ),
                rule="signature-required",
            )
        configured = self.store.signing_key()
        if not configured:
            raise IdentityError(
                _("git has no signing key set up (user.signingkey)"),
                hint=_("set it up with: dangwu key --file PATH (the key the roster lists)"),
                rule="signature-required",
            )

        if not same_key(configured, self.actor.signing_key, root=self.office.root):
            raise IdentityError(
                _(
                    "your git signing key ({mine}) is not the one the roster lists for {name}"
                ).format(
                    mine=key_fingerprint(configured, root=self.office.root) or configured,
                    name=self.actor.name,
                ),
                hint=_("sign with your own key, or ask an office head to update the roster"),
                rule="signature-not-actor",
            )
        return True

    def commit(self, changes: Mapping[str, bytes | None], message: str, sign: bool = False) -> str:
        # named as the roster names them, whatever git's user.name says
        author = Identity(name=self.actor.name, email=self.identity.email)
        return self.store.commit(
            changes,
            message,
            author=author,
            when=self.when,
            sign=sign,
            expect_head=self.head,
            expect_tree=self.tree,
        )


def committed_settings(office: Office, store: GitStore, head: str) -> Settings:
    """The settings as committed at ``head``."""
    return settings_as_committed(office, store.blob(head, SETTINGS_FILE))


def settings_as_committed(office: Office, raw: bytes | None) -> Settings:
    """The settings from the committed file's bytes (None: it is not committed)."""
    if raw is None:
        raise IdentityError(
            _("dangwu.yaml is not committed yet, so there is no roster to act under"),
            hint=_("commit it first: git add dangwu.yaml && git commit"),
        )

    where = f"{SETTINGS_FILE} (committed)"
    try:
        return parse_settings(yamlio.decode(raw), where, office.root)
    except yamlio.YamlProblem as exc:
        problems = [exc.at(where)]
    except InvalidFiles as exc:
        problems = exc.problems
    raise InvalidFiles(
        problems,
        hint=_(
            "every command acts under the roster as committed; whoever may change the "
            "roster fixes dangwu.yaml and commits the fix (git add dangwu.yaml && git "
            "commit), or takes back the commit that broke it (git log -- dangwu.yaml, "
            "then git revert COMMIT)"
        ),
    )


def actor_of(settings: Settings, identity: Identity) -> Person:
    person = settings.person_by_email(identity.email)
    if person is None:
        raise IdentityError(
            _("{email} is not on the roster of {unit}").format(
                email=identity.email, unit=settings.unit
            ),
            hint=_(
                "ask an office head to add you (dangwu roster add KEY --name NAME "
                "--email {email} --role ROLE), or set the email the roster lists for you "
                "with git config user.email"
            ).format(email=identity.email),
        )
    return person


@contextlib.contextmanager
def acting(office: Office, action: str) -> Iterator[Act]:
    with GitStore(office.root, office.state_dir) as store, store.writing():
        head = store.require_head()
        # the last commit and the settings it holds, in one git process
        last, tree, raw = _commit_and_settings(store, head)
        settings = settings_as_committed(office, raw)
        identity = store.identity()
        actor = actor_of(settings, identity)
        workflow.require(actor, action)
        when = clock.now(clock.office_zone(settings.timezone))
        after_head(last, when, settings.rules.clock_skew_minutes)
        yield Act(office, store, settings, actor, identity, when, head, tree)


def _commit_and_settings(
    store: GitStore, head: str
) -> tuple[CommitObject, str | None, bytes | None]:
    """The commit ``head``, its tree, and its dangwu.yaml (without its last newline,
    as blobs are read), from one git process."""
    commit, settings = store.batch([head, f"{head}:{SETTINGS_FILE}"])
    if commit is None or commit[1] != "commit":
        raise GitError(_("HEAD is not a commit"))
    first = commit[2].split(b"\n", 1)[0].decode("ascii", "replace")
    tree = first.removeprefix("tree ") if first.startswith("tree ") else None
    raw = settings[2].removesuffix(b"\n") if settings and settings[1] == "blob" else None
    return parse_commit(head, commit[2]), tree, raw


def after_head(last: CommitObject, when: datetime, skew_minutes: int) -> None:
    """Time runs forwards [SPEC 11]: a step is never dated before the commit it is
    made on (``last``, beyond what clocks may disagree by)."""
    if when < last.committer_date - timedelta(minutes=skew_minutes):
        raise RuleViolation(
            _(
                "the clock says {when}, but the office's last commit was made {then} "
                "({subject}); a step is never dated before the history it builds on"
            ).format(
                when=when.isoformat(timespec="minutes"),
                then=last.committer_date.isoformat(timespec="minutes"),
                subject=last.subject,
            ),
            hint=_("check the computer's clock (and DANGWU_NOW, if it is set)"),
            rule="time-order",
        )


def message(
    step: str,
    subject: str,
    *,
    actor: Person,
    record_id: str | None = None,
    state: tuple[str, str] | None = None,
    content: str | None = None,
    body: Sequence[str] = (),
    extra: Sequence[tuple[str, str]] = (),
) -> str:
    """A step's commit message: '<step>: <subject>', an optional body, then trailers."""
    lines = [f"{step}: {subject}".replace("\n", " ").strip(), ""]
    if body:
        lines += [*body, ""]
    trailers = [(Trailer.STEP, step)]
    if record_id:
        trailers.append((Trailer.RECORD, record_id))
    if state:
        trailers += [(Trailer.FROM, state[0]), (Trailer.TO, state[1])]
    trailers.append((Trailer.ACTOR, actor.key))
    if content:
        trailers.append((Trailer.CONTENT, content))
    trailers += list(extra)
    lines += [f"{key}: {value}" for key, value in trailers]
    return "\n".join(lines) + "\n"
