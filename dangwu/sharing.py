"""Working together through a shared git server [SPEC 9].

* ``sync`` fetches, audits what arrived and says what it did, puts this clone's
  unpushed work on top of it, and pushes. A record changed on both sides is
  explained in the office's terms and nothing is half done: the rebase is undone
  and the clone is as it was, unless ``theirs`` asks to keep the server's version
  (this clone's version is saved, and its commits kept under ``refs/dangwu/kept/``).
* ``install_hook`` puts a ``pre-receive`` hook into the server's bare repository:
  it audits every pushed commit and refuses a push that breaks the rules, or that
  rewrites or deletes history the server holds (:mod:`dangwu.serverhook`).
* ``clone`` is how a colleague joins: clone, find them on the roster, set up
  signing when the office needs it, and say what next.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dangwu import __version__
from dangwu.errors import DangwuError, GitError, UsageError
from dangwu.gitstore import GitStore, is_bare
from dangwu.i18n import _, columns, pad
from dangwu.office import SETTINGS_FILE, Office, Person

if TYPE_CHECKING:
    from dangwu.audit import Violation
    from dangwu.inspector import Entry

HOOK_MARK = "dangwu pre-receive hook"
PUSH_TRIES = 3  # someone else may push between our fetch and our push


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


# --- remotes -----------------------------------------------------------------------


def add_remote(office: Office, url: str, name: str = "origin") -> None:
    url = url.strip()
    if not url:
        raise UsageError(_("give the server's address, e.g. dangwu remote add git@host:office.git"))
    if not name or not all(c.isalnum() or c in "-_." for c in name):
        raise UsageError(_("--name: '{name}' is not a remote name").format(name=name))
    with GitStore(office.root, office.state_dir) as git:
        if name in git.run("remote").split():
            raise UsageError(
                _("the remote '{name}' exists already ({url})").format(
                    name=name, url=git.config(f"remote.{name}.url") or "?"
                ),
                hint=_("change it with: git remote set-url {name} URL").format(name=name),
            )
        git.run("remote", "add", name, url)


# --- sync --------------------------------------------------------------------------


def sync(office: Office, *, remote: str | None = None, theirs: bool = False) -> Synced:
    """Fetch, audit what arrived, put local work on top, push."""
    from dangwu import inspector

    with GitStore(office.root, office.state_dir) as git, git.writing():
        git.require_head()
        branch = git.try_run("symbolic-ref", "--quiet", "--short", "HEAD")
        if not branch:
            raise UsageError(
                _("HEAD is not on a branch, so there is nothing to sync"),
                hint=_("go back to the office's branch: git switch main"),
            )
        if _rebasing(office):
            raise DangwuError(
                _("a git rebase is in progress in this office"),
                hint=_("finish it (git rebase --continue) or undo it (git rebase --abort) first"),
            )
        name = _remote_for(git, branch, remote)
        dirty = [line[3:] for line in git.run("status", "--porcelain", "-uno").splitlines()]
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
        for _attempt in range(PUSH_TRIES):
            _fetch(git, name)
            upstream = git.try_run(
                "rev-parse", "--verify", "--quiet", f"refs/remotes/{name}/{branch}^{{commit}}"
            )
            head = git.require_head()
            if upstream is None:
                done.first_push = True
            else:
                base = git.try_run("merge-base", head, upstream)
                if base is None:
                    raise DangwuError(
                        _(
                            "the server's {branch} holds a different office: no history in common"
                        ).format(branch=branch)
                    )
                incoming = git.run("rev-list", "--reverse", f"{base}..{upstream}").split()
                if incoming:
                    done.arrived += inspector.entries(office, git, incoming)
                    audited = inspector.audit(office, span=f"{base}..{upstream}")
                    done.violations += audited.violations
                    _integrate(office, git, base, head, upstream, theirs, done)
            head = git.require_head()
            ahead = (
                git.run("rev-list", "--count", f"{upstream}..{head}")
                if upstream
                else git.run("rev-list", "--count", head)
            )
            if int(ahead) == 0:
                break
            status, _out, err = git.attempt("push", "--quiet", name, f"{head}:refs/heads/{branch}")
            if status == 0:
                done.sent += int(ahead)
                if git.config(f"branch.{branch}.remote") is None:
                    git.run("config", f"branch.{branch}.remote", name)
                    git.run("config", f"branch.{branch}.merge", f"refs/heads/{branch}")
                # the remote-tracking ref, and the server's receipt of what was sent
                git.attempt(
                    "fetch",
                    "--quiet",
                    name,
                    f"+refs/heads/{branch}:refs/remotes/{name}/{branch}",
                    "+refs/notes/dangwu/*:refs/notes/dangwu/*",
                )
                break
            if not _raced(err):
                raise DangwuError(
                    _("the server refused what this clone sends; nothing was changed there"),
                    hint=_server_says(err),
                )
        else:
            raise DangwuError(
                _("others kept pushing while this clone synced"), hint=_("sync again")
            )
    return done


def _remote_for(git: GitStore, branch: str, wanted: str | None) -> str:
    remotes = git.run("remote").split()
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


def _fetch(git: GitStore, name: str) -> None:
    # the branches, and the server's notes of when it received each commit: its
    # word, taken as it is (a note made in this clone does not survive a sync)
    status, _out, err = git.attempt(
        "fetch",
        "--quiet",
        "--prune",
        name,
        f"+refs/heads/*:refs/remotes/{name}/*",
        "+refs/notes/dangwu/*:refs/notes/dangwu/*",
    )
    if status != 0:
        raise GitError(
            _("could not reach the server '{name}': {error}").format(
                name=name, error=_last_line(err)
            ),
            hint=_("check the address (git remote -v) and the network, then sync again"),
        )


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
    mine = git.run("rev-list", "--reverse", f"{base}..{head}").split()
    if not mine:
        git.run("merge", "--ff-only", "--quiet", upstream)
        return
    signed = any(c.signed for c in git.commits(mine).values())
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


def _rebase(
    git: GitStore,
    upstream: str,
    signed: bool,
    drop: Sequence[str] = (),
    office: Office | None = None,
) -> list[str]:
    """Rebase onto ``upstream`` (leaving out ``drop``); on a conflict undo it and
    return the paths that conflicted."""
    from dangwu import clock

    args = ["rebase", "--quiet"]
    if signed:
        args.append("--gpg-sign")  # the clone's commits were signed: keep them signed
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
        args.append("--interactive")
        script = office.state_dir / "drop-commits.py"
        script.write_text(_DROP_SCRIPT, "utf-8")
        env["GIT_SEQUENCE_EDITOR"] = f'"{sys.executable}" "{script}" {",".join(drop)}'
    status, _out, err = git.attempt(*args, upstream, env=env)
    if status == 0:
        return []
    conflicts = git.run("diff", "--name-only", "--diff-filter=U").split()
    git.attempt("rebase", "--abort")
    if not conflicts:
        raise GitError(
            _("git could not put this clone's work on top of the server's: {error}").format(
                error=_last_line(err)
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
    changed = git.run("diff-tree", "--no-commit-id", "--name-only", "-r", "--root", commit)
    return bool(set(changed.split()) & set(paths))


def _keep(office: Office, git: GitStore, head: str, paths: Sequence[str]) -> list[str]:
    """Save this clone's versions of ``paths`` and a ref to its old work."""
    folder = office.state_dir / "kept"
    folder.mkdir(parents=True, exist_ok=True)
    git.run("update-ref", f"refs/dangwu/kept/{head[:12]}", head)
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
            log = git.run(
                "log", "--reverse", "--format=%ae%x1f%aI%x1f%s%x1f%b%x1e", span, "--", path
            )
            for row in log.split("\x1e"):
                if not row.strip():
                    continue
                email, when, subject, body = row.strip("\n").split("\x1f", 3)
                person = settings.person_by_email(email)
                who = f"{person.name} ({person.key})" if person else email
                stamp = when[:16].replace("T", " ")
                lines.append(f"  {pad(side, side_width)}  {stamp}  {who}  {subject}")
                # what the step changed, as its commit says (e.g. "summary: a -> b")
                for detail in body.splitlines():
                    if detail.strip() and not detail.startswith("Dangwu-"):
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
    text = err.lower()
    return "non-fast-forward" in text or "fetch first" in text or "stale info" in text


def _server_says(err: str) -> str:
    said = [
        line[len("remote: ") :].rstrip()
        for line in err.splitlines()
        if line.startswith("remote: ") and line[len("remote: ") :].strip()
    ]
    return "\n".join(said) if said else _last_line(err)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "?"


def _rebasing(office: Office) -> bool:
    return (office.git_dir / "rebase-merge").exists() or (office.git_dir / "rebase-apply").exists()


def recover_sync(office: Office) -> bool:
    """Undo a rebase that a killed ``sync`` left behind. Returns whether it did."""
    marker = office.state_dir / "sync.json"
    if not marker.exists():
        return False
    if _rebasing(office):
        with GitStore(office.root, office.state_dir) as git:
            git.attempt("rebase", "--abort")
    marker.unlink(missing_ok=True)
    return True


# --- the server's hook ---------------------------------------------------------------


@dataclass
class Installed:
    hook: Path
    server: str
    variable: str | None  # how the server names the pusher (None: it cannot)


def server_kind(path: Path) -> str:
    """What kind of server keeps the bare repository at ``path``, as far as its
    folders tell: Gitea/Forgejo keep their own hooks in hooks/pre-receive.d/, GitLab
    keeps repositories under @hashed/, gitolite under ~git/repositories/."""
    if (path / "hooks" / "pre-receive.d" / "gitea").exists():
        return "gitea"
    parts = path.resolve().parts
    if "@hashed" in parts:
        return "gitlab"
    if "repositories" in parts:
        home = Path(*parts[: parts.index("repositories")])
        if (home / ".gitolite.rc").exists() or (home / ".gitolite").exists():
            return "gitolite"
    return "disk"


def install_hook(
    path: Path, *, language: str | None = None, force: bool = False, server: str | None = None
) -> Installed:
    """Write the pre-receive hook into the bare repository at ``path``."""
    from dangwu.serverhook import SERVERS

    path = path.absolute()
    if not is_bare(path):
        raise UsageError(
            _("{path} is not a bare git repository (what a server keeps)").format(path=path),
            hint=_("make one with: git init --bare {path}").format(path=path),
        )
    if server is not None and server not in SERVERS:
        raise UsageError(
            _("--server must be one of {kinds}").format(kinds=", ".join(SERVERS)),
        )
    kind = server or server_kind(path)
    hook = path / "hooks" / "pre-receive"
    if hook.exists() and HOOK_MARK not in hook.read_text("utf-8", "replace") and not force:
        raise DangwuError(
            _("{path} already has a pre-receive hook that is not dangwu's").format(path=path),
            hint=_("merge the two by hand, or replace it: dangwu hook install --force PATH"),
        )
    if language not in (None, "en", "zh_CN"):
        raise UsageError(_("--lang must be en or zh_CN"))
    # without --lang the hook speaks the office's language, as the pushed settings say
    args = f" --server {kind}" + (f" --lang {language}" if language else "")
    hook.parent.mkdir(exist_ok=True)
    _write_hook(
        hook,
        f"""#!/bin/sh
# {HOOK_MARK}, installed by dangwu {__version__}.
# Refuses a push that breaks the disclosure rules (dangwu audit --range on every pushed
# commit), that rewrites or deletes history this server holds, that is dated ahead of
# this server's clock, or that pushes anything but branches and tags.
# This server needs: git, and the Python below with dangwu installed. The hook runs in
# an environment of its own (python -I; dangwu.serverhook clears the pusher's, keeping
# only the variable through which a {kind} server names the pusher), so nothing of the
# pusher's shell decides what it accepts.
exec "{sys.executable}" -I -m dangwu.serverhook{args}
""",
    )
    after = hook.with_name("post-receive")
    if not after.exists() or HOOK_MARK in after.read_text("utf-8", "replace") or force:
        _write_hook(
            after,
            f"""#!/bin/sh
# dangwu post-receive hook, beside the {HOOK_MARK}; installed by dangwu {__version__}.
# Notes when the push's commits were received (refs/notes/dangwu/received; not for the
# history an office brings to an empty server) and brings the server's audit up to
# date, so the next push is judged quickly; never refuses.
exec "{sys.executable}" -I -m dangwu.serverhook --after{args}
""",
        )
    with GitStore(path, path / "dangwu") as git:
        git.run("config", "receive.denyNonFastForwards", "true")
        git.run("config", "receive.denyDeletes", "true")
        # a malformed object (two authors, a broken date) is refused before any hook
        git.run("config", "receive.fsckObjects", "true")
    return Installed(hook, kind, SERVERS[kind])


def _write_hook(path: Path, script: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(script, "utf-8")
    tmp.chmod(0o755)
    tmp.replace(path)


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
    from dangwu import gitstore
    from dangwu.acting import committed_settings
    from dangwu.errors import IdentityError

    target = target.absolute()
    if target.exists() and any(target.iterdir()):
        raise UsageError(_("{path} is not empty; give a new folder").format(path=target))
    status, said = gitstore.clone(url, target)
    if status != 0:
        raise GitError(
            _("could not clone {url}: {error}").format(url=url, error=_last_line(said)),
            hint=_("check the address and that you may read it"),
        )
    office = Office(target)
    with GitStore(target, office.state_dir) as git:
        # the server's notes of when it received each commit: what windows count from
        git.attempt("fetch", "--quiet", "origin", "+refs/notes/dangwu/*:refs/notes/dangwu/*")
        if git.head() is None or git.blob("HEAD", SETTINGS_FILE) is None:
            raise DangwuError(
                _("{url} is not a disclosure office: it has no dangwu.yaml").format(url=url),
                hint=_("the clone is in {path}; remove it if it was a mistake").format(path=target),
            )
        settings = committed_settings(office, git, git.require_head())
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
    from dangwu.signing import roster_fingerprint

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
            git.run("config", "gpg.format", "ssh")
            git.run("config", "user.signingkey", str(candidate))
            return [
                _("signing: set up with {path}, the key the roster lists").format(path=candidate)
            ]
    note = _("the roster's key for you is not in {folder}").format(folder=home / ".ssh")
    how = _("point git at it: dangwu key --file PATH")
    return [note, how] if required else [note]
