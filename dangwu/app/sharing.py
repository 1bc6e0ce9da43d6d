"""Working together through a shared git server [SPEC 9].

* ``sync`` fetches, audits what arrived and says what it did, puts this clone's
  unpushed work on top of it, and pushes. A record changed on both sides is
  explained in the office's terms and nothing is half done: the rebase is undone
  and the clone is as it was, unless ``theirs`` asks to keep the server's version
  (this clone's version is saved, and its commits kept under ``refs/dangwu/kept/``).
* the server's side, its hooks, is :mod:`dangwu.app.hosting` and :mod:`dangwu.serverhook`.
* ``clone`` is how a colleague joins: clone, find them on the roster, set up
  signing when the office needs it, and say what next.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dangwu import clock, i18n
from dangwu.app import auditing, logbook
from dangwu.errors import DangwuError, GitError, IdentityError, UsageError
from dangwu.i18n import _, columns, ngettext, pad
from dangwu.model.fingerprint import roster_fingerprint
from dangwu.model.history import CommitObject, Trailer
from dangwu.model.office import SETTINGS_FILE, Person
from dangwu.rules import network
from dangwu.store import gitstore
from dangwu.store.acting import committed_settings
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office

if TYPE_CHECKING:
    from dangwu.app.logbook import Entry
    from dangwu.rules.audit import Violation

PUSH_TRIES = 5  # someone else may push between our fetch and our push


class SyncConflict(DangwuError):
    """A record changed here and on the server; the clone is as it was."""


@dataclass
class Synced:
    remote: str
    branch: str
    arrived: list[Entry] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    sent: int = 0
    kept: list[str] = field(default_factory=list)  # where dropped local versions were saved
    dropped: int = 0
    first_push: bool = False
    server_said: list[str] = field(default_factory=list)  # dangwu's words from its hook


# --- remotes -----------------------------------------------------------------------


def add_remote(office: Office, url: str, name: str = "origin") -> None:
    url = url.strip()
    if not url:
        raise UsageError(_("give the server's address, e.g. dangwu remote add git@host:office.git"))
    if not name or not all(c.isalnum() or c in "-_." for c in name):
        raise UsageError(_("--name: '{name}' is not a remote name").format(name=name))
    with GitStore(office.root, office.state_dir) as git:
        if name in git.remotes():
            raise UsageError(
                _("the remote '{name}' exists already ({url})").format(
                    name=name, url=git.config(f"remote.{name}.url") or "?"
                ),
                hint=_("change it with: git remote set-url {name} URL").format(name=name),
            )
        git.add_remote(name, url)


# --- sync --------------------------------------------------------------------------


def sync(office: Office, *, remote: str | None = None, theirs: bool = False) -> Synced:
    """Fetch, audit what arrived, put local work on top, push."""
    with GitStore(office.root, office.state_dir) as git, git.writing():
        git.require_head()
        branch = git.current_branch()
        if not branch:
            raise UsageError(
                _("HEAD is not on a branch, so there is nothing to sync"),
                hint=_("go back to the office's branch: git switch main"),
            )
        if office.rebasing:
            raise DangwuError(
                _("a git rebase is in progress in this office"),
                hint=_("finish it (git rebase --continue) or undo it (git rebase --abort) first"),
            )
        name = _remote_for(git, branch, remote)
        dirty = git.tracked_changes()
        if dirty:
            raise DangwuError(
                _("{path} has uncommitted changes; sync carries only what is committed").format(
                    path=dirty[0]
                ),
                hint=_("commit them (or put them back: git restore {path}) and sync again").format(
                    path=dirty[0]
                ),
            )
        done = Synced(name, branch)
        url = git.config(f"remote.{name}.url") or name
        asking = _asking_once(
            url, office.state_dir / "credentials", bool(git.config("credential.helper"))
        )
        with asking as env:
            _sync_rounds(office, git, name, branch, url, env, theirs, done)
    return done


def _sync_rounds(
    office: Office,
    git: GitStore,
    name: str,
    branch: str,
    url: str,
    env: dict[str, str],
    theirs: bool,
    done: Synced,
) -> None:
    """Fetch, put this clone's work on top, push; again if someone pushed between."""

    for attempt in range(PUSH_TRIES):
        if attempt:
            time.sleep(random.uniform(0.05, 0.3) * attempt)  # let the other push finish
        _fetch(git, name, url, env)
        upstream = git.commit_of(f"refs/remotes/{name}/{branch}")
        head = git.require_head()
        if upstream is None:
            done.first_push = True
        else:
            base = git.merge_base([head, upstream])
            if base is None:
                raise DangwuError(
                    _(
                        "the server's {branch} holds a different office: no history in common"
                    ).format(branch=branch)
                )
            incoming = git.commits_between(base, upstream)
            if incoming:
                done.arrived += logbook.entries(office, git, incoming)
                audited = auditing.audit(office, span=f"{base}..{upstream}")
                done.violations += audited.violations
                _integrate(office, git, base, head, upstream, theirs, done)
        head = git.require_head()
        ahead = git.count_between(upstream, head)
        if ahead == 0:
            return
        status, err = git.push(name, f"{head}:refs/heads/{branch}", env=env)
        if status == 0:
            done.sent += ahead
            # what the server's dangwu says of a push it took (its cache, say) is for
            # whoever runs the server: the pusher passes it on
            done.server_said += [line for line in _remote_lines(err) if line.startswith("dangwu:")]
            if git.config(f"branch.{branch}.remote") is None:
                git.set_config(f"branch.{branch}.remote", name)
                git.set_config(f"branch.{branch}.merge", f"refs/heads/{branch}")
            # the server's branch is what was sent; its receipts come with the next sync
            git.update_ref(f"refs/remotes/{name}/{branch}", head)
            return
        if _raced(err):
            continue
        if _refused(err):
            tracking = f"{name}/{branch}" if upstream else None
            raise DangwuError(
                _(
                    "the server refused what this clone sends; nothing was changed there, "
                    "and your commits are still here, unsent"
                ),
                hint=_server_says(err) + "\n" + _dropping(tracking, ahead),
            )
        failure = network.explain(err, url)
        raise GitError(failure.message, hint=failure.hint)
    raise DangwuError(_("others kept pushing while this clone synced"), hint=_("sync again"))


def _remote_for(git: GitStore, branch: str, wanted: str | None) -> str:
    remotes = git.remotes()
    if not remotes:
        raise UsageError(
            _("this office has no server to sync with"),
            hint=_("add one: dangwu remote add URL"),
        )
    name = (
        wanted
        or git.config(f"branch.{branch}.remote")
        or ("origin" if "origin" in remotes else remotes[0])
    )
    if name not in remotes:
        raise UsageError(
            _("there is no remote '{name}'").format(name=name),
            hint=_("the remotes are {names}").format(names=", ".join(remotes)),
        )
    return name


def _fetch(git: GitStore, name: str, url: str, env: dict[str, str]) -> None:
    # the branches, and the server's notes of when it received each commit: its
    # word, taken as it is (a note made in this clone does not survive a sync)
    status, err = git.fetch(
        name,
        f"+refs/heads/*:refs/remotes/{name}/*",
        "+refs/notes/dangwu/*:refs/notes/dangwu/*",
        env=env,
    )
    if status != 0:
        failure = network.explain(err, url)
        raise GitError(failure.message, hint=failure.hint)


@contextlib.contextmanager
def _asking_once(url: str, folder: Path | None, configured: bool) -> Iterator[dict[str, str]]:
    """A server that asks for a password asks once per sync (or clone), not at each
    of its fetches and pushes: where git keeps no password of its own (``configured``:
    a credential helper is set), git's credential-cache holds the one given, in memory,
    behind a socket in ``folder`` (or a private temporary folder), and forgets it when
    the command ends."""

    where = network.address(url)
    if where is None or where.ssh or configured:
        yield {}
        return
    made = None
    if folder is None or len(str(folder / "socket")) > 100:  # a socket's path: 108 bytes
        folder = made = Path(tempfile.mkdtemp(prefix="dangwu-"))  # the owner's alone
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    socket = folder / "socket"
    env = {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "credential.helper",
        "GIT_CONFIG_VALUE_0": f"cache --timeout=600 --socket={socket}",
    }
    try:
        yield env
    finally:
        gitstore.forget_credentials(socket)
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


def _integrate(
    office: Office,
    git: GitStore,
    base: str,
    head: str,
    upstream: str,
    theirs: bool,
    done: Synced,
) -> None:
    """Put this clone's unpushed commits on top of what arrived."""
    mine = git.commits_between(base, head)
    if not mine:
        git.fast_forward(upstream)
        return
    commits = git.commits(mine)
    signed = any(c.signed for c in commits.values())
    if signed:
        _signable(office, git, [commits[c] for c in mine])
    marker = office.state_dir / "sync.json"
    marker.write_text(json.dumps({"head": head, "upstream": upstream}), "utf-8")
    try:
        conflicts = _rebase(git, upstream, signed)
        if conflicts and theirs:
            dropped = [c for c in mine if _touches(git, c, conflicts)]
            done.kept += _keep(office, git, head, conflicts)
            done.dropped += len(dropped)
            conflicts = _rebase(git, upstream, signed, drop=dropped, office=office)
        if conflicts:
            message, hint = _explain(office, git, base, head, upstream, conflicts)
            raise SyncConflict(message, hint=hint)
    finally:
        marker.unlink(missing_ok=True)


def _signable(office: Office, git: GitStore, commits: Sequence[CommitObject]) -> None:
    """Refuse, before anything moves, to put someone else's signed step on top of what
    arrived: it would be signed again with the syncing person's key, and the server
    refuses a step signed by anyone but its actor (two people sharing one clone)."""
    me = git.identity().email.lower()
    theirs = [c for c in commits if c.signed and c.author_email.lower() != me]
    if not theirs:
        return
    first = theirs[0]
    person = office.settings.person_by_email(first.author_email)
    name = person.name if person else first.author_email
    raise DangwuError(
        _(
            "{subject} is signed by {name}: the server has moved on, so it must be put on "
            "top of what arrived and signed again, and only {name}'s key may sign it"
        ).format(subject=first.subject, name=name),
        hint=_(
            "nothing was changed; let {name} sync this clone with their own identity and "
            "key, or give each person a clone of their own"
        ).format(name=name),
        rule="signature-not-actor",
    )


def _rebase(
    git: GitStore,
    upstream: str,
    signed: bool,
    drop: Sequence[str] = (),
    office: Office | None = None,
) -> list[str]:
    """Rebase onto ``upstream`` (leaving out ``drop``); on a conflict undo it and
    return the paths that conflicted."""

    # the commits are re-made by the person syncing, whoever git's config says, and now:
    # each keeps the time its act was done (its author date) and is dated as made on top
    # of what arrived, so the history's commit dates run forwards [SPEC 11]
    who = git.identity()
    env = {
        "GIT_COMMITTER_NAME": who.name or who.email,
        "GIT_COMMITTER_EMAIL": who.email,
        "GIT_COMMITTER_DATE": clock.now().isoformat(),
    }
    if drop:
        assert office is not None
        script = office.state_dir / "drop-commits.py"
        script.write_text(_DROP_SCRIPT, "utf-8")
        env["GIT_SEQUENCE_EDITOR"] = f'"{sys.executable}" "{script}" {",".join(drop)}'
    # the clone's commits were signed: keep them signed
    status, err = git.rebase(upstream, sign=signed, interactive=bool(drop), env=env)
    if status == 0:
        return []
    conflicts = git.conflicted_paths()
    git.abort_rebase()
    if not conflicts:
        raise GitError(
            _("git could not put this clone's work on top of the server's: {error}").format(
                error=network.telling_line(err)
            ),
            hint=_("nothing was changed; if your commits are signed, check your signing setup"),
        )
    return conflicts


_DROP_SCRIPT = """\
# dangwu sync --theirs: leave out the given commits of a rebase's todo list
import sys

drop = sys.argv[1].split(",")
path = sys.argv[2]
with open(path, encoding="utf-8") as fh:
    lines = fh.read().splitlines()
out = []
for line in lines:
    parts = line.split()
    if len(parts) > 1 and parts[0] in ("pick", "p") and any(d.startswith(parts[1]) for d in drop):
        out.append("drop " + " ".join(parts[1:]))
    else:
        out.append(line)
with open(path, "w", encoding="utf-8") as fh:
    fh.write("\\n".join(out) + "\\n")
"""


def _touches(git: GitStore, commit: str, paths: Sequence[str]) -> bool:
    return bool(set(git.changed_paths(commit)) & set(paths))


def _keep(office: Office, git: GitStore, head: str, paths: Sequence[str]) -> list[str]:
    """Save this clone's versions of ``paths`` and a ref to its old work."""
    folder = office.state_dir / "kept"
    folder.mkdir(parents=True, exist_ok=True)
    git.update_ref(f"refs/dangwu/kept/{head[:12]}", head)
    saved = []
    for path in paths:
        raw = git.blob(head, path)
        if raw is None:
            continue
        target = folder / f"{Path(path).stem}-{head[:8]}{Path(path).suffix}"
        target.write_bytes(raw)
        saved.append(str(target))
    return saved


def _explain(
    office: Office, git: GitStore, base: str, head: str, upstream: str, paths: Sequence[str]
) -> tuple[str, str]:
    """The conflict in the office's terms: which record, who changed what, where."""
    settings = office.settings
    lines = []
    for path in paths:
        label = Path(path).stem if path.startswith("records/") else path
        lines.append(_("{what} was changed both here and on the server:").format(what=label))
        sides = ((_("here"), f"{base}..{head}"), (_("server"), f"{base}..{upstream}"))
        side_width = max(columns(side) for side, _span in sides)
        for side, span in sides:
            for email, when, subject, body in git.log_fields(
                span, [path], ["%ae", "%aI", "%s", "%b"]
            ):
                person = settings.person_by_email(email)
                who = f"{person.name} ({person.key})" if person else email
                stamp = when[:16].replace("T", " ")
                lines.append(f"  {pad(side, side_width)}  {stamp}  {who}  {subject}")
                # what the step changed, as its commit says (e.g. "summary: a -> b")
                for detail in body.splitlines():
                    if detail.strip() and not detail.startswith(Trailer.PREFIX):
                        lines.append(f"  {pad('', side_width)}    {detail.strip()}")
    message = "\n".join(
        [
            _("nothing was synced and nothing is lost: this clone is as it was"),
            *lines,
        ]
    )
    hint = _(
        "keep the server's version and redo your change on top of it: dangwu sync --theirs "
        "(your version is saved under .git/dangwu/kept/)"
    )
    return message, hint


def _raced(err: str) -> bool:
    """Someone pushed between this clone's fetch and its push: git says so in words
    that depend on when the other push landed (before ours was sent, or while the
    server was taking it)."""
    text = err.lower()
    return any(
        words in text
        for words in (
            "non-fast-forward",
            "fetch first",
            "stale info",
            "cannot lock ref",
            "failed to update ref",
            "incorrect old value",
        )
    )


def _refused(err: str) -> bool:
    """The server's hook (or its rules) refused the push: it said why."""
    text = err.lower()
    return "hook declined" in text or "[remote rejected]" in text or "remote: " in text


def _dropping(tracking: str | None, unsent: int) -> str:
    """How to see the refused commits and drop them, keeping the server's history."""
    if tracking is None:
        return _(
            "Fix what it names with dangwu and sync again. Nothing of this office is on "
            "the server yet: every commit here was refused with it."
        )
    return ngettext(
        "Fix what it names with dangwu and sync again. The unsent commit: git log "
        "--oneline {tracking}..HEAD; to drop it and go back to the server's history: git "
        "reset --keep {tracking}",
        "Fix what it names with dangwu and sync again. The {n} unsent commits: git log "
        "--oneline {tracking}..HEAD; to drop them all and go back to the server's history: "
        "git reset --keep {tracking}",
        unsent,
    ).format(tracking=tracking, n=unsent)


def _remote_lines(err: str) -> list[str]:
    """What the server's side said during a push (git's ``remote:`` lines)."""
    return [
        line[len("remote: ") :].rstrip()
        for line in err.splitlines()
        if line.startswith("remote: ") and line[len("remote: ") :].strip()
    ]


def _server_says(err: str) -> str:
    said = _remote_lines(err)
    return "\n".join(said) if said else network.telling_line(err)


# --- joining -------------------------------------------------------------------------


@dataclass
class Joined:
    root: Path
    unit: str
    person: Person | None
    email: str | None
    notes: list[str] = field(default_factory=list)
    needs_key: bool = False  # signing is required and git has no key of theirs set up


def clone(url: str, target: Path) -> Joined:
    """Clone an office and see that the colleague can work in it."""

    target = target.absolute()
    if target.exists() and any(target.iterdir()):
        raise UsageError(_("{path} is not empty; give a new folder").format(path=target))
    with _asking_once(url, None, gitstore.has_credential_helper()) as env:
        status, said = gitstore.clone(url, target, env=env)
        if status != 0:
            failure = network.explain(said, url)
            # the hints for an office's remote speak of `git remote -v` and syncing again;
            # a clone has neither yet
            again = failure.cause in ("not-found", "unreachable", "other")
            raise GitError(
                _("could not clone {url}: {why}").format(url=url, why=failure.message),
                hint=_(
                    "check the address with whoever runs the server, and the network, "
                    "then clone again"
                )
                if again
                else failure.hint,
            )
        office = Office(target)
        with GitStore(target, office.state_dir) as git:
            # the server's notes of when it received each commit: what windows count from
            notes = "+refs/notes/dangwu/*:refs/notes/dangwu/*"
            git.fetch("origin", notes, env=env)
    with GitStore(target, office.state_dir) as git:
        if git.head() is None:
            git.check_out_the_only_branch()
        if git.head() is None or git.blob("HEAD", SETTINGS_FILE) is None:
            raise DangwuError(
                _("{url} is not a disclosure office: it has no dangwu.yaml").format(url=url),
                hint=_("the clone is in {path}; remove it if it was a mistake").format(path=target),
            )
        settings = committed_settings(office, git, git.require_head())
        # from here on, the office's own language (unless DANGWU_LANG says otherwise)
        i18n.use_office_language(settings.language)
        joined = Joined(target, settings.unit, None, None)
        try:
            identity = git.identity()
        except IdentityError as exc:
            joined.notes.append(str(exc))
            return joined
        joined.email = identity.email
        joined.person = settings.person_by_email(identity.email)
        if joined.person is None:
            return joined
        person = joined.person
        if settings.rules.require_signing or person.signing_key:
            joined.notes += _signing_setup(git, person, settings.rules.require_signing)
            joined.needs_key = settings.rules.require_signing and not git.config("user.signingkey")
    return joined


def _signing_setup(git: GitStore, person: Person, required: bool) -> list[str]:
    """Point git at the key the roster lists for ``person``, if it is on this machine."""

    if not person.signing_key:
        return [_("the office requires signed approvals, but the roster has no key for you")]
    if git.config("user.signingkey"):
        return [_("signing: git already has a signing key set up")]
    wanted = roster_fingerprint(person.signing_key)
    home = Path(os.environ.get("HOME", "~")).expanduser()
    for candidate in sorted((home / ".ssh").glob("*.pub")):
        try:
            text = candidate.read_text("utf-8").strip()
        except OSError:
            continue
        if wanted and roster_fingerprint(text) == wanted:
            git.set_config("gpg.format", "ssh")
            git.set_config("user.signingkey", str(candidate))
            return [
                _("signing: set up with {path}, the key the roster lists").format(path=candidate)
            ]
    note = _("the roster's key for you is not in {folder}").format(folder=home / ".ssh")
    how = _("point git at it: dangwu key --file PATH")
    return [note, how] if required else [note]
