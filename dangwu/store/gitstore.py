"""The only module that talks to git.

A write is one commit made with plumbing against a private index, so a user's
own staged and unstaged work is never swept in: the new blobs and tree are
built first, the files are written, and HEAD moves with a compare-and-swap
(``update-ref NEW OLD``). A journal in ``.git/dangwu/`` records each write in
flight; if dangwu dies half-way, the next write rolls the working tree back to
the commit HEAD still names. Writers take an exclusive lock, so two dangwu
processes never interleave.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import queue
import re
import stat
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeGuard

from dangwu.errors import Busy, DangwuError, GitError, IdentityError
from dangwu.i18n import _
from dangwu.model.history import CommitObject, FileChange, Trailer, git_time, trailers_of
from dangwu.store import signing
from dangwu.store.cache import write_json
from dangwu.store.gitenv import HONEST_READING, dot_git

LOCK_WAIT_SECONDS = 10.0
ZERO = "0" * 40
# the paths the history deleted, kept with the head they were read at (GitStore.removed)
REMOVED_CACHE = "removed-v1.json"
# the head git's commit-graph was last written at, and the layers it was written as
# (GitStore.refresh_commit_graph)
GRAPH_KEPT = "graph-v1.json"
# How many commits the commit-graph may lag the head. Each commit outside it costs
# 'git log -1 -- PATH' a comparison of trees instead of a look at its changed-path
# filter: on an office of 51,000 commits, 0.05 ms (12.4 ms with none outside, 14.2
# with 32, 17.2 with 64, 28 with 256), where writing the graph's new layer at every
# step cost a process of 11 ms (25 ms at worst).
GRAPH_LAG = 32
# what a commit is written, signed and checked with (GitStore._user_config)
_USER_CONFIG = r"^(user\.(name|email|signingkey)|gpg\.(format|ssh\.(program|revocationfile)))$"
# For the long reads (the whole history's log, objects by the ten thousand): git maps
# its pack a gigabyte at a time and keeps 96 MiB of delta bases, so on a history of
# 51,000 commits (a 100 MiB pack) the log held 250 MiB and cat-file 220 MiB, more than
# dangwu itself. Mapped 4 MiB at a time, at most 32 MiB at once, with 32 MiB of delta
# bases, the log holds 120 MiB in the same time. The history's cat-file, which reads
# the blobs in the order they were written, maps its pack so too (220 -> 160 MiB, same
# time); the store's own cat-file, which reads a commit's records out of pack order,
# keeps git's defaults: mapped 32 MiB at a time, a cold board of 10,000 records took
# 9% longer, and with fewer delta bases 50% longer.
PACK_WINDOWS = ("-c", "core.packedGitLimit=32m", "-c", "core.packedGitWindowSize=4m")
LEAN = (*PACK_WINDOWS, "-c", "core.deltaBaseCacheLimit=32m")


def is_bare(path: Path) -> bool:
    """Whether ``path`` is a bare git repository (what a server keeps)."""
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def clone(url: str, target: Path, env: Mapping[str, str] | None = None) -> tuple[int, str]:
    """``git clone url target``: (exit status, what git said).

    A server on this machine's disk is cloned as any other (``--no-local``): through
    git's own transport, which checks every object it receives, never by linking or
    copying the server's files. A linked clone would share its objects with the
    server's, and a copy made while a push's hook is still writing there (the
    commit-graph) fails: 'hardlink different from source'."""
    done = subprocess.run(
        ["git", "clone", "--quiet", "--no-local", "--", url, str(target)],
        capture_output=True,
        text=True,
        check=False,
        # in English: what network.explain reads
        env={**os.environ, "LANGUAGE": "C", "LC_ALL": "C", **(env or {})},
    )
    return done.returncode, (done.stderr or done.stdout).strip()


def has_credential_helper() -> bool:
    """Whether git keeps passwords for this user (a credential.helper, outside any
    repository)."""
    done = subprocess.run(
        ["git", "config", "--get-all", "credential.helper"],
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
    )
    return bool(done.stdout.strip())


def forget_credentials(socket: Path) -> None:
    """End the git credential-cache daemon listening on ``socket``, if one is."""
    if socket.exists():
        subprocess.run(
            ["git", "credential-cache", f"--socket={socket}", "exit"],
            capture_output=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )


def git_version() -> str | None:
    """What ``git --version`` says, or None when git is not installed."""
    try:
        done = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout


def configured_email(where: Path | None) -> str:
    """The ``user.email`` git would commit with in ``where`` ('' when none is set)."""
    try:
        done = subprocess.run(
            ["git", "config", "--get", "user.email"],
            capture_output=True,
            text=True,
            cwd=where,
            check=False,
        )
    except OSError:
        return ""
    return done.stdout.strip()


@dataclass(frozen=True)
class Identity:
    name: str | None
    email: str


class GitStore:
    """One office repository's git, opened for the length of a command."""

    def __init__(self, root: Path, state_dir: Path) -> None:
        self.root = root
        self.state_dir = state_dir
        if not (root / ".git").exists() and not is_bare(root):
            raise GitError(
                _("{path} is not a git repository").format(path=root),
                hint=_("run 'git init' there, or create a new office with 'dangwu init'"),
            )
        self._git = Runner(root)
        self._reader: _Reader | None = None
        self._reading = threading.Lock()
        self._opened_by = os.getpid()
        self._forked: tuple[int, _Reader] | None = None  # a forked worker's (pid, its git)
        self._user: dict[str, str] | None = None  # _user_config, once read

    def close(self) -> None:
        """Stop the ``git cat-file --batch`` kept for this store's reads, if any."""
        if os.getpid() != self._opened_by:
            return  # a forked child's copy: the kept git is its parent's
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def __enter__(self) -> GitStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- running git -------------------------------------------------------------

    def run(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        done = self._git.run(args, env=env)
        if done.returncode != 0:
            raise _failure(args[0], _text(done.stderr))
        return _text(done.stdout)

    def attempt(self, *args: str, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
        """Run git and return (exit status, stdout, stderr), whatever the status: for
        the commands whose refusal is an answer (fetch, push, rebase)."""
        done = self._git.run(args, env=env)
        return done.returncode, _text(done.stdout), _text(done.stderr)

    def try_run(self, *args: str) -> str | None:
        """git's answer, or None when git quietly says no (a missing ref, an unset
        config value); a git that cannot work at all (bad config, broken repository)
        is an error, not a "no"."""
        done = self._git.run(args)
        if done.returncode != 0:
            said = _text(done.stderr).strip()
            if said:
                raise _failure(args[0], said)
            return None
        return _text(done.stdout)

    # --- reading -----------------------------------------------------------------

    def head(self) -> str | None:
        """The commit HEAD names (None: the branch has no commits yet), as ``rev-parse``
        says it. Asked of the store's running ``cat-file --batch``, which reads the
        refs afresh for every name it is asked (a head another process moved meanwhile
        is the new one): a step, which reads through that git anyway, starts one
        process fewer. What that git cannot answer as a commit (an unborn branch, a
        ref naming a tree, a git that cannot start) is asked of ``rev-parse``, so it
        is answered, or refused, in its words as before."""
        with contextlib.suppress(GitError):
            found = self.batch(["HEAD^{commit}"])[0]
            if found is not None and found[1] == "commit" and _object_id(found[0]):
                return found[0]
        return self.try_run("rev-parse", "--verify", "--quiet", "HEAD^{commit}")

    def require_head(self) -> str:
        head = self.head()
        if head is None:
            raise GitError(
                _("the repository has no commits yet"),
                hint=_("commit dangwu.yaml first; 'dangwu init' does this for you"),
            )
        return head

    def config(self, name: str) -> str | None:
        value = self.try_run("config", "--get", name)
        return value or None

    def _user_config(self) -> dict[str, str]:
        """``user.name``, ``user.email``, ``user.signingkey``, ``gpg.format``,
        ``gpg.ssh.program`` and ``gpg.ssh.revocationFile`` as git would commit, sign
        and check signatures with them (the last value where a key is set more than
        once, as ``git config --get`` gives), read once: a signed step asks for the
        key after the identity."""
        if self._user is not None:
            return self._user
        listed = self.try_run("config", "-z", "--get-regexp", _USER_CONFIG) or ""
        found: dict[str, str] = {}
        for entry in listed.split("\0"):
            key, _newline, value = entry.partition("\n")
            if key:
                found[key] = value
        self._user = found
        return found

    def signing_key(self) -> str | None:
        """``user.signingkey`` (None: not set), as :meth:`config` gives it; no git of
        its own where the identity was read from git's config."""
        return self._user_config().get("user.signingkey") or None

    def _ssh_signing_file(self) -> Path | None:
        """The key file git would sign with through ssh-keygen, if it would."""
        return signing.ssh_signing_file(self._user_config(), root=self.root)

    # --- named operations: the git the layers above ask for, by what it does ------

    def commit_of(self, revision: str) -> str | None:
        """The commit ``revision`` names, or None (also when it names a tree or a blob,
        which git says on stderr); a git that cannot work at all is an error. Asked of
        the running ``cat-file`` first, as :meth:`peeled` asks it (the server's hooks
        ask for HEAD and the receipts' ref a dozen times a push)."""
        answered, commit = self._peeled_by_batch(revision)
        if answered:
            return commit
        status, out, err = self.attempt(
            "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"
        )
        if status == 0:
            return out.strip() or None
        if "fatal:" in err:
            raise _failure("rev-parse", err)
        return None

    def peeled(self, name: str) -> str | None:
        """The commit ``name`` names (None: there is none), as ``rev-parse --verify
        --quiet NAME^{commit}`` answers. A name that cannot be ambiguous (HEAD, a full
        ref name, a whole object id) is asked of the store's running ``cat-file
        --batch``, which resolves names as rev-parse does: the receipts' notes ref is
        read this way at most steps, and was a process each time. The batch says
        "missing" both where nothing is named and where what is named is no commit;
        the name is asked again unpeeled to tell the two apart, and the second (a
        ref naming a tree) is left to rev-parse, to be refused in its words. So is
        any other name, and a git the batch cannot use."""
        answered, commit = self._peeled_by_batch(name)
        if answered:
            return commit
        return self.try_run("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")

    def _peeled_by_batch(self, name: str) -> tuple[bool, str | None]:
        """(True, the commit) or (True, None: nothing by that name) where the running
        ``cat-file`` can say it as rev-parse would (see :meth:`peeled`); else (False,
        None)."""
        exact = name == "HEAD" or name.startswith("refs/") or _object_id(name)
        if exact and not any(ch.isspace() for ch in name):
            with contextlib.suppress(GitError):
                peeled, bare = self.batch([f"{name}^{{commit}}", name])
                if peeled is not None and peeled[1] == "commit" and _object_id(peeled[0]):
                    return True, peeled[0]
                if peeled is None and bare is None:
                    return True, None  # nothing by that name (rev-parse --quiet says nothing)
        return False, None

    def current_branch(self) -> str | None:
        """The branch HEAD is on (None when HEAD is detached)."""
        return self.try_run("symbolic-ref", "--quiet", "--short", "HEAD")

    def point_head_at(self, branch: str) -> None:
        self.run("symbolic-ref", "HEAD", f"refs/heads/{branch}")

    def branches(self) -> list[str]:
        """The names of the branches (refs/heads/...)."""
        refs = self.run("for-each-ref", "--format=%(refname)", "refs/heads").split()
        return [ref.removeprefix("refs/heads/") for ref in refs]

    def check_out_the_only_branch(self, remote: str = "origin") -> str | None:
        """After a clone whose server's HEAD names no branch it has (a bare repository
        made with git's default branch name, the office pushed as main): check out the
        server's one branch, if it has exactly one. Returns its name, or None."""
        refs = self.run("for-each-ref", "--format=%(refname)", f"refs/remotes/{remote}")
        names = [
            r.removeprefix(f"refs/remotes/{remote}/")
            for r in refs.split()
            if not r.endswith("/HEAD")
        ]
        if len(names) != 1:
            return None
        self.run("checkout", "-q", "-b", names[0], "--track", f"{remote}/{names[0]}")
        return names[0]

    def branch_tips(self) -> list[str]:
        """The commits the branches point at."""
        return [h for h in self.run("for-each-ref", "--format=%(objectname)", "refs/heads").split()]

    def has_branches(self) -> bool:
        return bool(self.run("for-each-ref", "--count=1", "refs/heads").strip())

    def unknown_commits(self, tips: Sequence[str]) -> set[str]:
        """The commits of ``tips`` that no ref holds yet (what a push brings)."""
        return set(self.run("rev-list", *tips, "--not", "--all").split())

    def commits_of(self, *revisions: str) -> list[str]:
        """``git rev-list`` of ``revisions``: the commits they reach, newest first."""
        return self.run("rev-list", *revisions).split()

    def remotes(self) -> list[str]:
        return self.run("remote").split()

    def add_remote(self, name: str, url: str) -> None:
        self.run("remote", "add", name, url)

    def set_config(self, name: str, value: str, *, local: bool = False) -> None:
        self._user = None  # read again when next asked
        self.run("config", *(["--local"] if local else []), name, value)

    def tracked_changes(self) -> list[str]:
        """Tracked paths with uncommitted changes (untracked files are not asked)."""
        return [line[3:] for line in self.run("status", "--porcelain", "-uno").splitlines()]

    def commits_between(self, base: str | None, tip: str) -> list[str]:
        """The commits after ``base`` up to ``tip``, oldest first (all of ``tip``'s
        history when ``base`` is None)."""
        span = f"{base}..{tip}" if base else tip
        return self.run("rev-list", "--reverse", span).split()

    def count_between(self, base: str | None, tip: str) -> int:
        span = f"{base}..{tip}" if base else tip
        return int(self.run("rev-list", "--count", span))

    def update_ref(self, ref: str, commit: str) -> None:
        self.run("update-ref", ref, commit)

    def fast_forward(self, upstream: str) -> None:
        self.run("merge", "--ff-only", "--quiet", upstream)

    def blob_changes(self, old: str, new: str, paths: Sequence[str]) -> dict[str, str | None]:
        """What changed under ``paths`` from commit ``old`` to commit ``new``: each
        path's blob at ``new``, None where it is gone."""
        out = self._execute_bytes(
            "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", old, new, "--", *paths
        )
        fields = out.decode("utf-8", "surrogateescape").split("\0")
        found: dict[str, str | None] = {}
        for meta, path in zip(fields[0::2], fields[1::2], strict=False):
            parts = meta.split()
            if len(parts) == 5 and path:
                found[path] = None if parts[4].startswith("D") else parts[3]
        return found

    def changed_paths(self, commit: str) -> list[str]:
        """The paths ``commit`` changed (a root commit: all it holds)."""
        return self.run(
            "diff-tree", "--no-commit-id", "--name-only", "-r", "--root", commit
        ).split()

    def conflicted_paths(self) -> list[str]:
        return self.run("diff", "--name-only", "--diff-filter=U").split()

    def abort_rebase(self) -> None:
        self.attempt("rebase", "--abort")

    def rebase(
        self, upstream: str, *, sign: bool, interactive: bool, env: Mapping[str, str]
    ) -> tuple[int, str]:
        """Rebase HEAD onto ``upstream``: (git's status, what it said on stderr)."""
        args = ["rebase", "--quiet"]
        if sign:
            args.append("--gpg-sign")
        if interactive:
            args.append("--interactive")
        status, _out, err = self.attempt(*args, upstream, env=env)
        return status, err

    def fetch(self, remote: str, *refspecs: str, env: Mapping[str, str]) -> tuple[int, str]:
        """Fetch ``refspecs`` (pruning what the remote deleted): (status, stderr)."""
        status, _out, err = self.attempt("fetch", "--quiet", "--prune", remote, *refspecs, env=env)
        return status, err

    def push(self, remote: str, refspec: str, *, env: Mapping[str, str]) -> tuple[int, str]:
        status, _out, err = self.attempt("push", "--quiet", remote, refspec, env=env)
        return status, err

    def dated(self) -> list[tuple[int, str]]:
        """Every commit of HEAD's history and when it was committed (Unix seconds), in
        the order ``git rev-list`` walks it (newest first, by those times)."""
        found = []
        for line in self.run("log", "--format=%ct %H", "HEAD").split("\n"):
            if line:
                stamp, commit = line.split()
                found.append((int(stamp), commit))
        return found

    def touching(self, under: str) -> Callable[[], dict[str, list[str]]]:
        """Start walking HEAD's history for the commits that touched each file under
        ``under``; the function returned waits for the walk and gives, for each path,
        those commits, oldest first. git walks on its own core meanwhile (on a long
        history, seconds of tree comparisons)."""
        process = self._git.start(
            [*LEAN, "-c", "core.quotePath=false", "log", "--reverse", "--no-renames",
             "--format=%x00%H", "--name-only", "HEAD", "--", under]
        )  # fmt: skip
        said: list[bytes] = []
        reader = threading.Thread(target=lambda: said.extend(process.communicate()), daemon=True)
        reader.start()

        def result() -> dict[str, list[str]]:
            reader.join()
            if process.returncode != 0:
                raise _failure("log", _text(said[1]))
            found: dict[str, list[str]] = {}
            for chunk in _text(said[0]).split("\0")[1:]:
                commit, *paths = chunk.split("\n")
                for path in paths:
                    if path:
                        found.setdefault(path, []).append(commit)
            return found

        return result

    def history_ids(self, *, paths: Sequence[str] = (), limit: int | None = None) -> list[str]:
        """The commits of HEAD's history (touching ``paths``), newest first."""
        args = ["log", "--format=%H"]
        if limit:
            args.append(f"--max-count={limit}")
        return self.run(*args, "HEAD", "--", *paths).split()

    def count_commits(self, revision: str) -> int:
        """How many commits ``revision``'s history holds."""
        return int(self.run("rev-list", "--count", revision).strip() or 0)

    def removed(self, under: str, head: str | None = None) -> set[str]:
        """The paths under ``under`` that some commit of ``head``'s history (HEAD's when
        not given) deleted.

        What was read is kept in the state folder, for each ``under`` with the head it
        was read at: a head moved on since costs git only its new commits (a category
        in an office of 51,000 commits is 1.6 s, read by every ``new``). A head that is
        not a descendant of the kept one (a reset, a rewrite) may keep a path deleted
        only in the history it left: never less than the answer, so a number once
        given stays given. What cannot be read is read again from git."""
        head = head or self.head()
        if head is None:
            return set()
        kept_file = self.state_dir / REMOVED_CACHE
        kept = _kept_removed(kept_file)

        def deleted(revisions: str) -> set[str]:
            args = ("log", "--diff-filter=D", "--format=", "--name-only", revisions, "--", under)
            return {line for line in self.run(*args).splitlines() if line}

        if under in kept and kept[under][0] == head:
            return kept[under][1]
        found = None
        if under in kept:
            with contextlib.suppress(GitError):  # a kept head git no longer has
                found = kept[under][1] | deleted(f"{kept[under][0]}..{head}")
        if found is None:
            found = deleted(head)
        kept[under] = (head, found)
        write_json(kept_file, {u: {"head": h, "paths": sorted(f)} for u, (h, f) in kept.items()})
        return found

    def log_fields(
        self, span: str, paths: Sequence[str], fields: Sequence[str], *, oldest_first: bool = True
    ) -> list[list[str]]:
        """Each commit of ``span`` touching ``paths``: the ``git log`` format fields
        asked for (e.g. %ae, %aI, %s), one list per commit."""
        fmt = "%x1f".join(fields) + "%x1e"
        args = ["log", *(["--reverse"] if oldest_first else []), f"--format={fmt}", span]
        out = self.run(*args, "--", *paths)
        rows = [row.strip("\n") for row in out.split("\x1e") if row.strip()]
        return [row.split("\x1f", len(fields) - 1) for row in rows]

    def last_before(self, head: str, moment: str) -> str | None:
        """The commit of ``head``'s first-parent line that was the last before
        ``moment`` (by the committer's clock), or None."""
        found = self.try_run("rev-list", "-1", "--first-parent", f"--before={moment}", head)
        return found.strip() if found else None

    def line_changes(
        self, since: str | None, head: str, paths: Sequence[str], *, remember: str | None = None
    ) -> list[tuple[str, int, dict[str, str | None]]]:
        """Every commit after ``since`` up to ``head`` along the first-parent line,
        oldest first: each with its committer time (seconds) and the blob that each
        file under ``paths`` it changed now has (None: deleted).

        ``remember`` names a file of the state folder that keeps the line read last
        time: a head moved on along its line then costs git only its new commits
        (reading a quarter's 2,700 commits of a 10,000-record office is 0.7 s), and a
        window moved on drops its first. Anything else (a head reset, a line rewritten,
        other paths) reads the whole line again."""
        if remember is None:
            return self._line_changes(since, head, paths)[0]
        kept_file = self.state_dir / remember
        kept = _kept_line(kept_file, paths)
        line = None
        if kept is not None:
            old_since, old_head, old = kept
            commits = [commit for commit, _seconds, _changed in old]
            if since == old_since:
                start: int | None = 0
            else:
                start = commits.index(since) + 1 if since in commits else None
            if start is not None and head == old_head:
                line = old[start:]
            elif start is not None:
                new, parent = self._line_changes(old_head, head, paths)
                if new and parent == old_head:  # the head moved on along its line
                    line = old[start:] + new
        if line is None:
            line = self._line_changes(since, head, paths)[0]
        if kept is None or (since, head) != kept[:2]:
            write_json(
                kept_file, {"paths": list(paths), "since": since, "head": head, "line": line}
            )
        return line

    def _line_changes(
        self, since: str | None, head: str, paths: Sequence[str]
    ) -> tuple[list[tuple[str, int, dict[str, str | None]]], str | None]:
        """The line (see line_changes), and the first parent of its oldest commit."""
        span = f"{since}..{head}" if since else head
        out = self.run(
            "log",
            "--first-parent",
            "--reverse",
            "--raw",
            "--no-renames",
            "--no-abbrev",
            "-m",
            "--format=%x1e%H %ct %P",
            span,
        )
        wanted = tuple(paths)
        found: list[tuple[str, int, dict[str, str | None]]] = []
        first_parent = None
        for chunk in out.split("\x1e"):
            lines = chunk.strip("\n").splitlines()
            if not lines:
                continue
            commit, seconds, *parents = lines[0].split()
            if not found:
                first_parent = parents[0] if parents else None
            changed: dict[str, str | None] = {}
            for line in lines[1:]:
                if not line.startswith(":"):
                    continue
                meta, _tab, path = line.partition("\t")
                if not path.startswith(wanted):
                    continue
                fields = meta.split()
                changed[path] = None if fields[4].startswith("D") else fields[3]
            found.append((commit, int(seconds), changed))
        return found, first_parent

    def identity(self) -> Identity:
        """Who git says is acting: GIT_AUTHOR_* first, then user.* config, then EMAIL."""
        email, name = os.environ.get("GIT_AUTHOR_EMAIL"), os.environ.get("GIT_AUTHOR_NAME")
        if not (email and name):
            user = self._user_config()  # one git process for both (and the signing key)
            email = email or user.get("user.email") or os.environ.get("EMAIL")
            name = name or user.get("user.name") or None
        if not email:
            raise IdentityError(
                _("git does not know who you are: no user.email is set"),
                hint=_(
                    "run: git config --global user.email you@example.org "
                    "(the address the roster lists for you)"
                ),
            )
        return Identity(name=name, email=email.strip())

    def require_clean(self, paths: Sequence[str]) -> None:
        """Refuse when any of ``paths`` has uncommitted changes: a step never
        commits, or overwrites, work the person has not committed themselves."""
        busy = self.dirty(paths)
        if busy:
            path, code = next(iter(busy.items()))
            raise DangwuError(
                _("{path} has uncommitted changes ({state})").format(
                    path=path, state=_describe_status(code)
                ),
                hint=_("commit or discard them first (git diff -- {path})").format(path=path),
            )

    def dirty(self, paths: Sequence[str]) -> dict[str, str]:
        """Paths among ``paths`` with uncommitted changes, and git's two-letter status."""
        if not paths:
            return {}
        out = self.run(
            "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=no", "--", *paths
        )
        found: dict[str, str] = {}
        entries = out.split("\0")
        i = 0
        while i < len(entries):
            entry = entries[i]
            i += 1
            if len(entry) < 4:
                continue
            code, path = entry[:2], entry[3:]
            if code[0] in "RC":
                i += 1  # the rename source follows
            found[path] = code
        return found

    def blob(self, rev: str, path: str) -> bytes | None:
        """The file ``path`` at ``rev`` (None: there is no such file), without its last
        newline, as dangwu has always read blobs (content hashes are taken of it).
        Read by the store's running ``cat-file --batch``, which reads a name a line: a
        name with a line break in it is read by a git of its own."""
        name = f"{rev}:{path}"
        if "\n" not in name:
            found = self.batch([name])[0]
            return found[2].removesuffix(b"\n") if found and found[1] == "blob" else None
        done = self._git.run(("cat-file", "blob", name))
        if done.returncode != 0:
            return None
        return done.stdout.removesuffix(b"\n")

    def read_object(self, sha: str) -> bytes:
        """A blob's bytes, exactly."""
        return self._execute_bytes("cat-file", "blob", sha)

    # --- history -----------------------------------------------------------------

    def history(
        self,
        revisions: Sequence[str],
        paths: Sequence[str] = (),
        idle: Callable[[], bool] | None = None,
    ) -> Iterator[tuple[CommitObject, tuple[FileChange, ...]]]:
        """Every commit of ``revisions``, oldest first, with the files it changed,
        yielded while git is still producing the rest.

        One ``git log --raw --pretty=raw`` pass gives the commit objects and their
        changes together; in that format every line of a message is indented, so
        no text a person wrote can be taken for structure. Merges list no changes
        (their result is read from their tree instead). While git has nothing new
        to say, ``idle`` is called to do other work (it returns whether it did any).
        """
        process = self._start(
            *LEAN,
            "-c",
            "core.quotePath=false",
            "log",
            "--reverse",
            "--topo-order",
            "--no-renames",
            "--raw",
            "--no-abbrev",
            "--pretty=raw",
            *revisions,
            "--",
            *paths,
        )
        chunks = _pump(process.stdout)
        pending = b""
        while True:
            try:
                chunk = chunks.get_nowait()
            except queue.Empty:
                if idle is not None and idle():
                    continue
                chunk = chunks.get()
            if chunk is None:
                break
            pending += chunk
            blocks = pending.split(b"\ncommit ")
            pending = blocks.pop()
            for block in blocks:
                if block.strip():
                    yield _raw_entry(block.decode("utf-8", "replace"))
        if pending.strip():
            yield _raw_entry(pending.decode("utf-8", "replace"))
        self._finish(process, "log")

    def object_reader(self) -> ObjectReader:
        """A running ``git cat-file --batch`` to ask for objects as they are needed."""
        return ObjectReader(self._start(*PACK_WINDOWS, "cat-file", "--batch", stdin=True))

    def _start(self, *args: str, stdin: bool = False) -> Any:
        return self._git.start(args, stdin=stdin)

    @staticmethod
    def _finish(process: Any, command: str) -> None:
        status = process.wait()
        said = process.stderr.read() if process.stderr else b""
        if status != 0:
            raise _failure(command, _text(said))

    def objects(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The contents of many objects, read by one ``git cat-file --batch``."""
        return {said[0]: said[2] for said in self.batch(ids) if said is not None}

    def batch(self, names: Sequence[str]) -> list[tuple[str, str, bytes] | None]:
        """What git says of each object ``names`` name (ids or ``rev:path``), in their
        order: its id, type and contents, or None where there is none. One
        ``git cat-file --batch``, kept running for the store's later reads, for what
        would be a process each. A forked worker, which inherits the store, keeps one
        of its own (see _worker_reader)."""
        if not names:
            return []
        if os.getpid() != self._opened_by:
            return self._worker_reader(names)
        with self._reading:
            if self._reader is None:
                self._reader = _Reader(self._git)
            try:
                return self._reader.read(names)
            except GitError:
                failed, self._reader = self._reader, None  # a later read starts afresh
                failed.close()
                raise

    def _worker_reader(self, names: Sequence[str]) -> list[tuple[str, str, bytes] | None]:
        """The reads of a forked worker (fork_map's), through a ``git cat-file --batch``
        of its own, kept for the worker's later reads. git keeps the bases of the
        objects it rebuilt from deltas: the 5,312 record pages of the 10,000-record
        office read their texts in 2.5 s of git's CPU, a process for each group of
        100, and in 0.4 s through one. It is stopped as the worker ends (the
        worker's exit handlers), else it ends with the pipe it reads from.
        (The store's lock is not taken: it may have been held by a thread of the
        parent, which the worker does not have, when it was forked.)"""
        pid = os.getpid()
        if self._forked is None or self._forked[0] != pid:
            from multiprocessing.util import Finalize

            reader = _Reader(self._git)
            Finalize(reader, reader.close, exitpriority=0)
            self._forked = (pid, reader)
        try:
            return self._forked[1].read(names)
        except GitError:
            failed, self._forked = self._forked[1], None  # a later read starts afresh
            failed.close()
            raise

    def resolve(self, expressions: Sequence[str]) -> dict[str, str | None]:
        """``rev:path`` expressions -> blob ids (None where there is no such file),
        by one ``git cat-file --batch-check``."""
        if not expressions:
            return {}

        with tempfile.TemporaryFile() as request:
            request.write("".join(f"{e}\n" for e in expressions).encode("utf-8"))
            request.seek(0)
            out = self._execute_bytes("cat-file", "--batch-check=%(objectname)", istream=request)
        answers = out.decode("utf-8", "replace").splitlines()
        found: dict[str, str | None] = {}
        for expression, answer in zip(expressions, answers, strict=False):
            found[expression] = None if answer.endswith(" missing") else answer.strip()
        return found

    def refresh_commit_graph(self, head: str | None = None) -> None:
        """Keep git's commit-graph, with its changed-path filters, up to date: it
        makes 'the history of this one file' a lookup instead of a walk of every
        commit (0.8 s -> 0.03 s on 41,000 commits). New commits are appended in a
        fresh layer, so after the first time this costs milliseconds. A cache only:
        a repository we may not write to is left as it is.

        ``head``: the head the caller reads at. The graph is then written only when
        it lags that head by more than GRAPH_LAG commits: the state folder keeps the
        head it was last written at, with the layers it was written as, and the
        store's running git names the commits of the head's line back to there. A
        kept head that cannot be found near the head (a sync that brought a thousand
        commits, a reset, a merge on the way), layers changed since (a gc, a graph
        removed), or a kept file that cannot be read: the graph is written, as it
        always was. The kept head is only compared with what git names, never
        handed to git."""
        kept_file = self.state_dir / GRAPH_KEPT
        if head is not None and _object_id(head):
            kept = _kept_graph(kept_file, self._graph_layers())
            if kept is not None and not self._lags(head, kept):
                return
        done = self._git.run(
            ("commit-graph", "write", "--reachable", "--changed-paths", "--split", "--no-progress")
        )
        if done.returncode == 0 and head is not None and _object_id(head):
            write_json(kept_file, {"head": head, "layers": self._graph_layers()})

    def _lags(self, head: str, kept: str) -> bool:
        """Whether more than GRAPH_LAG commits of ``head``'s history may not be
        ``kept``'s: ``kept`` is not among the first GRAPH_LAG commits of ``head``'s
        first-parent line, or a merge comes before it (the line a merge brings is
        not counted, so it counts as lagging). One question to the store's running
        git, which names those commits in one answer."""
        if head == kept:
            return False
        line = self.batch([f"{head}~{back}" for back in range(GRAPH_LAG + 1)])
        for said in line:
            if said is None:
                return False  # the line began: the whole history is a few commits
            if said[0] == kept:
                return False
            if said[1] != "commit" or len(parse_commit(said[0], said[2]).parents) > 1:
                return True
        return True

    def _graph_layers(self) -> str:
        """The list of the commit-graph's layers, as git keeps it in the object folder
        ('' when there is none, or it cannot be read)."""
        try:
            chain = self._objects_dir() / "info" / "commit-graphs" / "commit-graph-chain"
            return chain.read_bytes().decode("ascii", "replace")
        except (OSError, ValueError):  # a .git file that names no folder
            return ""

    def _objects_dir(self) -> Path:
        """The repository's object folder, found as git finds it (a linked worktree's
        is its main repository's), without starting git."""
        told = os.environ.get("GIT_OBJECT_DIRECTORY")
        if told:
            return self.root / told
        git_dir = dot_git(self.root) or self.root  # a bare repository is its own
        common = git_dir / "commondir"
        if common.is_file():
            git_dir = git_dir / common.read_text("utf-8").strip()
        return git_dir / "objects"

    def commits(self, ids: Sequence[str]) -> dict[str, CommitObject]:
        raw = self.objects(ids)
        return {i: parse_commit(i, data) for i, data in raw.items()}

    # --- notes ---------------------------------------------------------------------

    def notes(self, ref: str) -> dict[str, str]:
        """commit -> the blob of its note, for every note under ``ref``."""
        out = self.try_run("notes", f"--ref={ref}", "list") or ""
        found: dict[str, str] = {}
        for line in out.splitlines():
            blob, _sp, annotated = line.partition(" ")
            if annotated:
                found[annotated.strip()] = blob.strip()
        return found

    def add_notes(
        self, ref: str, notes: Mapping[str, str], message: str, *, author: Identity, when: datetime
    ) -> None:
        """Add (or replace) the notes of many commits under ``ref`` in one commit of the
        notes ref, by one ``git fast-import``. Call inside :meth:`writing`."""
        if not notes:
            return
        tip = self.peeled(ref)
        stamp = _git_stamp(when)
        lines = [
            f"commit {ref}",
            f"committer {author.name or author.email} <{author.email}> {stamp}",
            _fast_import_data(message),
        ]
        if tip:
            lines.append(f"from {tip}")
        for commit, text in sorted(notes.items()):
            lines.append(f"N inline {commit}")
            lines.append(_fast_import_data(text))
        lines.append("done")
        stream = ("\n".join(lines) + "\n").encode("utf-8")

        with tempfile.TemporaryFile() as request:
            request.write(stream)
            request.seek(0)
            self._execute_bytes("fast-import", "--quiet", "--done", istream=request)

    def last_change(self, rev: str, path: str) -> str | None:
        """The last commit on ``rev``'s line that changed ``path`` (None: none did)."""
        found = self.try_run("log", "-1", "--format=%H", rev, "--", path)
        return (found or "").strip() or None

    def last_step(self, rev: str, path: str) -> str | None:
        """The last commit on ``rev``'s line that changed ``path`` with a dangwu step's
        trailer (None: none did). That is usually the last commit to change it, found
        without walking the older history."""
        answered, walked = self._last_step_walked(rev, path)
        if answered:
            return walked
        # the trailers read as the audit reads them (git's own match ignores case)
        for limit in (("-1",), ()):
            # -z: commits end in NUL, which no message holds (a message may hold any
            # other separator, and pass a commit id of its choosing off as the next)
            out = self.try_run("log", "-z", *limit, "--format=%H%n%B", rev, "--", path)
            for entry in (out or "").split("\0"):
                commit, _sep, message = entry.partition("\n")
                if trailers_of(message).get(Trailer.STEP):
                    return commit
        return None

    def _last_step_walked(self, rev: str, path: str, reach: int = 32) -> tuple[bool, str | None]:
        """:meth:`last_step` found by the store's running ``cat-file`` where that is
        plain, as ``git log rev -- path`` walks a straight line: back from ``rev``,
        each commit whose entry for ``path`` (mode and object) is not its parent's,
        until one with a step's trailer. A step's record was nearly always changed
        by the commit before, and the walk is a few reads where ``git log`` was a
        process. A merge, a commit in another encoding, a missing parent (a shallow
        clone), a name the batch cannot read, or no answer within ``reach`` commits:
        (False, None), and git's own ``log`` answers."""
        folder, _slash, name = path.rpartition("/")
        if not _plain_path(path) or "\n" in rev or any(ch.isspace() for ch in path):
            return _UNANSWERED
        commit = self.peeled(rev)
        if commit is None:
            return _UNANSWERED
        entry_of = _entry_in(name, len(commit) // 2)

        def read(rev: str) -> list[tuple[str, str, bytes] | None]:  # the commit, its folder
            return self.batch([rev, f"{rev}:{folder}" if folder else f"{rev}^{{tree}}"])

        here = read(commit)
        for _step in range(reach):
            found, tree = here
            if found is None or found[1] != "commit":
                return _UNANSWERED
            header, _sep, _message = found[2].partition(b"\n\n")
            lines = header.split(b"\n")
            if any(line.startswith(b"encoding ") for line in lines):
                return _UNANSWERED
            parents = [line[7:].decode() for line in lines if line.startswith(b"parent ")]
            if len(parents) > 1:
                return _UNANSWERED
            mine = entry_of(tree)
            if parents:
                there = read(parents[0])
                if there[0] is None:
                    return _UNANSWERED
                theirs = entry_of(there[1])
            else:
                there, theirs = [None, None], None
            if mine != theirs:
                message = parse_commit(commit, found[2]).message
                if trailers_of(message).get(Trailer.STEP):
                    return True, commit
            if not parents:
                return True, None  # the first commit: no step ever wrote it
            commit, here = parents[0], there
        return _UNANSWERED

    def added_by(self, rev: str, path: str) -> str | None:
        """The commit on ``rev``'s line that added ``path`` (None: none did)."""
        found = self.try_run("log", "--diff-filter=A", "--format=%H", "-1", rev, "--", path)
        return (found or "").strip() or None

    def tree_blobs(self, rev: str, paths: Sequence[str]) -> dict[str, str]:
        """path -> blob id of the files under ``paths`` at ``rev``, in git's order.

        Read from the trees by the store's running ``cat-file --batch``, a folder's
        depth at a time: ``git ls-tree`` was a process for every folder a command
        looked into (the reports, the opinions, a circular's folder), several for
        each printed page. A rev git does not know, and a name the batch cannot
        read as ls-tree does (a line break in it, ``./`` before it, no name at all:
        the whole tree), are left to ``ls-tree``, which says what is wrong as it
        always has."""
        odd = [p for p in paths if not p or "\n" in p or p.startswith((".", "/")) or p[-1] == "/"]
        if not paths or odd or "\n" in rev:
            return self._ls_tree(rev, paths)
        said = self.batch([f"{rev}^{{tree}}", *(f"{rev}:{p}" for p in paths)])
        if said[0] is None:
            return self._ls_tree(rev, paths)
        found: dict[str, str] = {}
        trees: list[tuple[str, bytes]] = []
        for path, answer in zip(paths, said[1:], strict=True):
            if answer is not None and answer[1] == "blob":
                found[path] = answer[0]
            elif answer is not None and answer[1] == "tree":
                trees.append((path, answer[2]))
        width = len(said[0][0]) // 2  # bytes of an object id in a tree: SHA-1 or SHA-256
        while trees:
            inner: list[tuple[str, str]] = []
            for folder, data in trees:
                for mode, name, object_id in _tree_entries(data, width):
                    if mode == b"40000":
                        inner.append((f"{folder}/{name}", object_id))
                    elif mode != b"160000":  # a submodule's commit is no file
                        found[f"{folder}/{name}"] = object_id
            read = self.batch([object_id for _folder, object_id in inner])
            trees = [(f, a[2]) for (f, _o), a in zip(inner, read, strict=True) if a is not None]
        return dict(sorted(found.items()))

    def _ls_tree(self, rev: str, paths: Sequence[str]) -> dict[str, str]:
        out = self._execute_bytes("ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths)
        found: dict[str, str] = {}
        for entry in out.decode("utf-8", "surrogateescape").split("\0"):
            meta, _tab, path = entry.partition("\t")
            fields = meta.split(" ")
            if len(fields) == 3 and fields[1] == "blob":
                found[path] = fields[2]
        return found

    def signatures(self, ids: Sequence[str], allowed_signers: str) -> dict[str, tuple[str, str]]:
        """commit -> (git's %G? status, the signing key's fingerprint) for signed commits.
        A commit that is not signed, or is signed by a listed Ed25519 key, is read here
        (:func:`signing.checked_here`); git checks the rest, with ssh-keygen."""
        if not ids:
            return {}
        found: dict[str, tuple[str, str]] = {}
        if self._checks_signatures_as_git_would():
            listed = signing.listed_ed25519_keys(allowed_signers)
            for read in self.batch(list(ids)):
                # a SHA-256 repository's signature header is another (gpgsig-sha256)
                if read is not None and read[1] == "commit" and len(read[0]) == 40:
                    said = signing.checked_here(read[2], listed)
                    if said is not None:
                        found[read[0]] = said
        rest = [i for i in ids if i not in found]
        if rest:
            found.update(self._signatures_by_git(rest, allowed_signers))
        return found

    def _checks_signatures_as_git_would(self) -> bool:
        """Whether a signature read here is judged as git would judge it: not where git
        is told to check with another program, or against revoked keys."""
        told = self._user_config().keys() & {"gpg.ssh.program", "gpg.ssh.revocationfile"}
        return not told

    def _signatures_by_git(
        self, ids: Sequence[str], allowed_signers: str
    ) -> dict[str, tuple[str, str]]:
        with tempfile.NamedTemporaryFile("w", suffix=".allowed", delete=False) as fh:
            fh.write(allowed_signers)
            allowed = fh.name
        try:
            out = self._execute_bytes(
                "-c",
                f"gpg.ssh.allowedSignersFile={allowed}",
                "log",
                "--no-walk=unsorted",
                "--format=%H%x1f%G?%x1f%GK",
                *ids,
            )
        finally:
            Path(allowed).unlink(missing_ok=True)
        found: dict[str, tuple[str, str]] = {}
        for line in out.decode("utf-8", "replace").splitlines():
            parts = line.split("\x1f")
            if len(parts) == 3:
                found[parts[0]] = (parts[1], parts[2])
        return found

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.try_run("merge-base", "--is-ancestor", older, newer) is not None

    def merge_base(self, commits: Sequence[str]) -> str | None:
        """The best common ancestor of ``commits`` (None: they share no history)."""
        out = self.try_run("merge-base", "--octopus", *commits)
        return out.split()[0] if out else None

    def untrustworthy(self) -> str | None:
        """Why git would show this repository's history other than it is, if it would:
        a grafts file gives commits other parents, and a shallow clone has cut the
        history off. (Replace refs are ignored by every git dangwu runs.)"""
        git_dir = Path(self.run("rev-parse", "--absolute-git-dir").strip())
        if (git_dir / "info" / "grafts").exists():
            return _("{path} gives commits other parents than they have").format(
                path=git_dir / "info" / "grafts"
            )
        if (git_dir / "shallow").exists():
            return _("this is a shallow clone: the history before its first commits is missing")
        return None

    def commit_times(self, ids: Sequence[str]) -> dict[str, int]:
        """When each commit was made (its committer date, Unix seconds)."""
        return {i: c.committed for i, c in self.commits(ids).items()}

    def _execute_bytes(self, *args: str, istream: Any = None, input: bytes | None = None) -> bytes:
        done = self._git.run(args, stdin=istream, input=input)
        if done.returncode != 0:
            raise _failure(args[0], _text(done.stderr))
        return done.stdout

    # --- writing -----------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the office's write lock; finish or undo a write a crash left behind."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        lock_path = self.state_dir / "lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + float(
                os.environ.get("DANGWU_LOCK_WAIT", LOCK_WAIT_SECONDS)
            )
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                        raise Busy(
                            _("another dangwu (process {pid}) is writing to this office").format(
                                pid=holder or "?"
                            ),
                            hint=_("try again in a moment"),
                        ) from None
                    time.sleep(0.05)
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            self.recover()
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing releases the flock

    @property
    def _journal(self) -> Path:
        return self.state_dir / "journal.json"

    def recover(self) -> str | None:
        """Undo (or finish) a write that a crash interrupted. Returns what was done."""
        journal = self._journal
        if not journal.exists():
            return None
        try:
            entry = json.loads(journal.read_text(encoding="utf-8"))
            old, new, files = entry["old"], entry["new"], entry["files"]
        except (OSError, ValueError, KeyError):
            journal.unlink(missing_ok=True)
            return None
        head = self.head()
        if head == new:
            # The commit landed; only the index may lag behind.
            self._sync_index(list(files))
            outcome = "finished"
        else:
            # The commit never landed: put the files back as HEAD has them.
            for path in files:
                blob = self._blob_id(head, path) if head else None
                target = self.root / path
                if blob is None:
                    target.unlink(missing_ok=True)
                else:
                    _atomic_write(target, self.read_object(blob))
            self._sync_index(list(files))
            outcome = "undone" if head == old else "abandoned"
        journal.unlink(missing_ok=True)
        return outcome

    def commit(
        self,
        changes: Mapping[str, bytes | None],
        message: str,
        *,
        author: Identity,
        when: datetime,
        sign: bool = False,
        expect_head: str | None = None,
        expect_tree: str | None = None,
    ) -> str:
        """Commit exactly ``changes`` (path -> new bytes, or None to delete) on HEAD.

        Call inside :meth:`writing`. The paths must have no uncommitted changes.
        ``expect_head``: the commit the step was prepared on (HEAD, read under the
        lock), whose tree is ``expect_tree``; the commit lands only if HEAD is still
        there.
        """
        old = expect_head if expect_head is not None else self.require_head()
        paths = sorted(changes)
        self.require_clean(paths)
        tree = self._tree_of(old, changes, expect_tree)
        commit = self._commit_tree(tree, old, message, author, when, sign)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(
            self._journal,
            json.dumps({"old": old, "new": commit, "files": paths}).encode(),
        )
        try:
            for path, data in changes.items():
                target = self.root / path
                if data is None:
                    target.unlink(missing_ok=True)
                else:
                    _atomic_write(target, data)
            _fault("after-files")
            self.run("update-ref", "-m", message.splitlines()[0], "HEAD", commit, old)
        except BaseException as exc:
            self.recover()
            if isinstance(exc, GitError) and self.head() not in (old, commit):
                # plain git moved HEAD meanwhile, and update-ref refused to pass it by
                raise Busy(
                    _("the office changed while this step was prepared"), hint=_("try again")
                ) from None
            raise
        MADE.append(commit)
        _fault("after-ref")
        self._sync_index(paths)
        self._journal.unlink(missing_ok=True)
        return commit

    def _blob_id(self, rev: str, path: str) -> str | None:
        out = self.try_run("rev-parse", "--verify", "--quiet", f"{rev}:{path}")
        return out or None

    def _store_blob(self, data: bytes) -> str:
        """Write ``data`` as a blob and return its id (git's own hash-object: no
        GitPython to import, and no filters applied)."""
        out = self._execute_bytes("hash-object", "-t", "blob", "-w", "--stdin", input=data)
        return _text(out).strip()

    def _tree_of(
        self, base: str, changes: Mapping[str, bytes | None], base_tree: str | None
    ) -> str:
        """The tree of ``base`` with ``changes`` made (path -> new bytes; None: removed).

        Written here, as git writes loose objects, where that is plain: the new blobs,
        and the trees on their paths (read by the store's running ``cat-file``, the
        rest shared with ``base``). A step used to start three gits for this
        (hash-object, update-index, write-tree), a third of the processes a step
        starts. Anything unusual (a shared repository, a name git would weigh
        itself, a file where a folder is wanted) is left to git's own commands."""
        width = len(base) // 2
        objects = self._objects_dir()
        if width in _HASHES and all(map(_plain_path, changes)) and not _shared(objects):
            if base_tree is None:
                read = self.batch([f"{base}^{{tree}}"])[0]
                base_tree = read[0] if read is not None else None
            if base_tree is not None:
                writer = _LooseObjects(objects, width)
                # a folder it may not write in: git's own commands say so, in its words
                with contextlib.suppress(_NotPlain, OSError):
                    wanted = {
                        tuple(path.split("/")): None if data is None else writer.write("blob", data)
                        for path, data in changes.items()
                    }
                    made = self._tree_written(writer, base_tree, wanted)
                    return made if made is not None else writer.write("tree", b"")
        new_blobs = {
            path: (self._store_blob(data) if data is not None else None)
            for path, data in changes.items()
        }
        return self._tree_with(base, new_blobs, base_tree)

    def _tree_written(
        self,
        writer: _LooseObjects,
        tree: str | None,
        changes: Mapping[tuple[str, ...], str | None],
    ) -> str | None:
        """The id of ``tree`` (None: an empty folder) with ``changes`` (path parts ->
        blob id, None: removed), its changed subtrees written; None when nothing is
        left in it (git keeps no empty folder)."""
        entries: dict[str, tuple[bytes, str]] = {}
        if tree is not None:
            (read,) = self.batch([tree])
            if read is None or read[1] != "tree":
                raise _NotPlain
            entries = {
                name: (mode, object_id)
                for mode, name, object_id in _tree_entries(read[2], writer.width)
            }
        inner: dict[str, dict[tuple[str, ...], str | None]] = {}
        files: dict[str, str] = {}
        for parts, blob in changes.items():
            if len(parts) > 1:
                inner.setdefault(parts[0], {})[parts[1:]] = blob
            elif blob is not None:
                files[parts[0]] = blob
            elif entries.get(parts[0], (b"100644", ""))[0] == b"40000":
                raise _NotPlain  # a folder to remove as a file: git says what it does
            else:
                entries.pop(parts[0], None)
        # files removed first, then folders, then files put: a file may become a
        # folder, and a folder emptied a file, in one step
        for name, below in inner.items():
            mode, object_id = entries.get(name, (b"40000", ""))
            if mode != b"40000":
                raise _NotPlain  # a file where a folder is to go
            made = self._tree_written(writer, object_id or None, below)
            if made is None:
                entries.pop(name, None)
            else:
                entries[name] = (b"40000", made)
        for name, blob in files.items():
            if entries.get(name, (b"100644", ""))[0] == b"40000":
                raise _NotPlain  # a folder where a file is to go
            entries[name] = (b"100644", blob)
        if not entries:
            return None
        # git's order: by name, a folder's as if it ended in "/"
        names = {n: n.encode("utf-8", "surrogateescape") for n in entries}  # as git has them
        order = sorted(entries, key=lambda n: names[n] + b"/" * (entries[n][0] == b"40000"))
        data = b"".join(
            b"%s %s\0%s" % (entries[n][0], names[n], bytes.fromhex(entries[n][1])) for n in order
        )
        return writer.write("tree", data)

    def _tree_with(
        self, base: str, blobs: Mapping[str, str | None], base_tree: str | None = None
    ) -> str:
        """The tree of ``base`` with ``blobs`` (path -> blob id; None: removed), made in
        dangwu's own index (never the user's). That index is kept between steps with
        the id of the tree it holds beside it: when it holds ``base_tree`` (the tree
        of ``base``, which the caller read), the step reads no tree."""
        index = self.state_dir / "index"
        holds = self.state_dir / "index.tree"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            held = holds.read_text("ascii").strip()
        except (OSError, UnicodeDecodeError):
            held = None
        holds.unlink(missing_ok=True)  # until it holds a tree again
        if base_tree is None or held != base_tree or not index.exists():
            self.run("read-tree", base, env=env)
        args: list[str] = []
        removals: list[str] = []
        for path, sha in blobs.items():
            if sha is None:
                removals.append(path)
            else:
                args += ["--cacheinfo", f"100644,{sha},{path}"]
        if args:
            self.run("update-index", "--add", *args, env=env)
        if removals:
            self.run("update-index", "--force-remove", "--", *removals, env=env)
        tree = self.run("write-tree", env=env)
        holds.write_text(tree, "ascii")  # a hint: lost or torn, the next step reads the tree
        return tree

    def _commit_tree(
        self,
        tree: str,
        parent: str | None,
        message: str,
        author: Identity,
        when: datetime,
        sign: bool,
    ) -> str:
        """Make the commit object (on ``parent``; None: the first commit).

        A commit is written here, as ``git commit-tree`` writes it, where that is
        plain (the object folder as for a step's tree, an identity git keeps as it
        is, a moment of this century in whole seconds and minutes): a step started a
        git for it. A signed one too, where its signature can be made here as
        ssh-keygen would make it (:func:`signing.ed25519_signature`, SHA-1
        repositories, whose header is ``gpgsig``): it started a git and an
        ssh-keygen. Anything else is git's."""
        if not message.endswith("\n"):
            message += "\n"
        stamp = when.isoformat()
        name = author.name or author.email
        width = len(tree) // 2
        objects = self._objects_dir()
        offset = when.utcoffset()
        key_file = self._ssh_signing_file() if sign and width == 20 else None
        if (
            (not sign or key_file is not None)
            and width in _HASHES
            and _plain_ident(name)
            and _plain_ident(author.email)
            and "\0" not in message  # (git refuses it)
            and when.microsecond == 0
            and 2000 <= when.year < 2100  # (git's own judgement of other years stands)
            and offset is not None
            and offset.total_seconds() % 60 == 0
            and not _shared(objects)
        ):
            who = f"{name} <{author.email}> {_git_stamp(when)}"
            lines = [f"tree {tree}", *([f"parent {parent}"] if parent else [])]
            lines += [f"author {who}", f"committer {who}", "", message]
            commit = "\n".join(lines).encode()
            armoured = signing.ed25519_signature(commit, key_file) if key_file else None
            if not sign or armoured is not None:
                if armoured is not None:
                    commit = signing.with_signature(commit, armoured)
                with contextlib.suppress(OSError):  # a folder it may not write in: git says so
                    return _LooseObjects(objects, width).write("commit", commit)
        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": author.email,
            "GIT_COMMITTER_DATE": stamp,
        }
        message_file = self.state_dir / f"message.{os.getpid()}"
        message_file.write_bytes(message.encode("utf-8"))
        try:
            args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-F"]
            args.append(str(message_file))
            if sign:
                args.insert(1, "-S")
            return self.run(*args, env=env)
        finally:
            message_file.unlink(missing_ok=True)

    def _sync_index(self, paths: Sequence[str]) -> None:
        """Make the real index agree with HEAD for ``paths`` (and only those)."""
        present = [p for p in paths if (self.root / p).exists()]
        gone = [p for p in paths if p not in present]
        for attempt in range(20):
            try:
                if present:
                    self.run("update-index", "--add", "--", *present)
                if gone:
                    self.run("update-index", "--force-remove", "--", *gone)
                return
            except GitError:
                if attempt == 19:
                    raise
                time.sleep(0.05)

    def make_root_commit(
        self, changes: Mapping[str, bytes], message: str, *, author: Identity, when: datetime
    ) -> str:
        """The first commit of a new office (``dangwu init`` in an empty repository)."""
        index = self.state_dir / f"index.{os.getpid()}"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            args: list[str] = []
            for path, data in changes.items():
                args += ["--cacheinfo", f"100644,{self._store_blob(data)},{path}"]
            self.run("update-index", "--add", *args, env=env)
            tree = self.run("write-tree", env=env)
        finally:
            index.unlink(missing_ok=True)
        commit = self._commit_tree(tree, None, message, author, when, sign=False)
        for path, data in changes.items():
            _atomic_write(self.root / path, data)
        self.run("update-ref", "-m", message.splitlines()[0], "HEAD", commit, "")
        MADE.append(commit)
        self._sync_index(list(changes))
        return commit


# the commits this process put on an office's branch, oldest first: what an error that
# comes after them must not call "nothing was changed"
MADE: list[str] = []

_HASHES = {20: "sha1", 32: "sha256"}  # an object id's bytes -> the repository's hash


class _NotPlain(Exception):
    """A change the store leaves to git's own commands, which say what is wrong."""


def _plain_path(path: str) -> bool:
    """A path whose every name git takes as it is: none empty, none starting with a
    dot or like NTFS's short name of .git (``GIT~1``), none with a backslash or an
    unprintable character. git refuses some such names itself (``.git``, ``..``,
    ``git~1``, forms HFS and NTFS read as .git), and those it alone judges."""
    return all(
        name
        and not name.startswith(".")
        and not name.lower().startswith("git~")
        and "\\" not in name
        and name.isprintable()
        for name in path.split("/")
    )


# what git leaves out of a name or an address: at its ends, and anywhere
_CRUD = frozenset(" ,.:;<>\"\\'")
_BREAKS_IDENT = re.compile(r"[<>\x00-\x1f\x7f]")


def _plain_ident(text: str) -> bool:
    """A name or an address git writes into a commit as it is given: not empty, nothing
    it would strip from the ends (blanks, ``,.:;<>"\\'``), no ``<`` or ``>`` and no
    control character (a line break would end the header)."""
    return bool(
        text and text[0] not in _CRUD and text[-1] not in _CRUD and not _BREAKS_IDENT.search(text)
    )


def _shared(objects: Path) -> bool:
    """Whether the repository may be shared with a group (core.sharedRepository): git
    gives a shared repository's folders the setgid bit, and its objects the group's
    permissions, which git's own commands then give them. (A folder the umask made
    group-writable is no sign: 0775 is Ubuntu's every folder.)"""
    try:
        return bool(objects.stat().st_mode & stat.S_ISGID)
    except OSError:
        return True


class _LooseObjects:
    """Objects written as ``git hash-object -w`` writes them: zlib-compressed under
    their id in ``objects/xx/``, read-only, made whole in a temporary file first and
    not flushed to the disk (git's default, core.fsync without loose-object)."""

    def __init__(self, objects: Path, width: int) -> None:
        self.objects = objects
        self.width = width

    def write(self, kind: str, data: bytes) -> str:
        raw = b"%s %d\0%s" % (kind.encode(), len(data), data)
        object_id = hashlib.new(_HASHES[self.width], raw).hexdigest()
        folder = self.objects / object_id[:2]
        target = folder / object_id[2:]
        if target.exists():  # (one only in a pack is written loose too: git reads either)
            return object_id
        folder.mkdir(exist_ok=True)
        partial = folder / f"tmp_obj_dangwu_{os.getpid()}_{threading.get_ident()}"
        try:
            partial.write_bytes(zlib.compress(raw, 1))
            partial.chmod(0o444)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return object_id


def _parse_ident(line: str) -> tuple[str, str, datetime]:
    """'Name <email> 1795658400 +0800' -> (name, email, aware datetime)."""
    head, _lt, rest = line.partition(" <")
    email, _gt, stamp = rest.rpartition("> ")
    seconds, _sp, offset = stamp.strip().partition(" ")
    moment = git_time(seconds, offset)
    return head.strip(), email.strip(), moment


_EPOCH = datetime.fromtimestamp(0, UTC)


def _git_stamp(when: datetime) -> str:
    """A moment as git writes it in a commit or a note: '1795658400 +0800' (a moment
    with no zone is UTC's)."""
    return f"{int(when.timestamp())} {when.strftime('%z') or '+0000'}"


_UNANSWERED = (False, None)  # a question the store leaves to git's own commands


def _entry_in(name: str, width: int) -> Callable[[tuple[str, str, bytes] | None], Any]:
    """A reader of one name's entry (its mode and object id) in a tree the batch read
    (None: no such entry, or no such tree)."""

    def entry(read: tuple[str, str, bytes] | None) -> tuple[bytes, str] | None:
        if read is None or read[1] != "tree":
            return None
        for mode, entry_name, object_id in _tree_entries(read[2], width):
            if entry_name == name:
                return mode, object_id
        return None

    return entry


def _tree_entries(data: bytes, width: int) -> Iterator[tuple[bytes, str, str]]:
    """The entries of a tree object as git stores it: each its mode, its name and its
    object id (``width`` bytes), as ``mode SP name NUL id``."""
    at, end = 0, len(data)
    while at < end:
        space = data.index(b" ", at)
        nul = data.index(b"\0", space)
        yield (
            data[at:space],
            data[space + 1 : nul].decode("utf-8", "surrogateescape"),
            data[nul + 1 : nul + 1 + width].hex(),
        )
        at = nul + 1 + width


def parse_commit(commit_id: str, raw: bytes) -> CommitObject:
    text = raw.decode("utf-8", "replace")
    header, _sep, message = text.partition("\n\n")
    return _commit(commit_id, header.split("\n"), message)


def _commit(commit_id: str, header: Iterable[str], message: str) -> CommitObject:
    parents: list[str] = []
    author = ("", "", _EPOCH)
    committer_email, committed, offset = "", 0, "+0000"
    signed = False
    for line in header:
        if line.startswith("parent "):
            parents.append(line[7:].strip())
        elif line.startswith("author "):
            author = _parse_ident(line[7:])
        elif line.startswith("committer "):
            _name, _lt, rest = line[10:].partition(" <")
            committer_email, _gt, stamp = rest.rpartition("> ")
            seconds, _sp, offset = stamp.strip().partition(" ")
            committed = int(seconds) if seconds.lstrip("-").isdigit() else 0
        elif line.startswith(("gpgsig ", "gpgsig-sha256 ")):
            signed = True
    return CommitObject(
        id=commit_id,
        parents=tuple(parents),
        author_name=author[0],
        author_email=author[1],
        author_date=author[2],
        committer_email=committer_email.strip(),
        message=message,
        signed=signed,
        committed=committed,
        committer_offset=offset or "+0000",
    )


def _fast_import_data(text: str) -> str:
    data = text.encode("utf-8")
    return f"data {len(data)}\n{text}"


def _pump(stream: Any) -> queue.SimpleQueue[bytes | None]:
    """Read a pipe on a thread into a queue (None at its end), so the process
    writing it never waits for us and we never wait on a full pipe."""
    chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def run() -> None:
        try:
            while True:
                chunk = stream.read1(1 << 16)
                if not chunk:
                    break
                chunks.put(chunk)
        finally:
            chunks.put(None)

    threading.Thread(target=run, daemon=True).start()
    return chunks


class ObjectReader:
    """Objects asked for by id, read by git on its own process in the order asked.

    A thread only moves bytes from the pipe (in C, without holding the GIL for
    long); they are cut into objects here, in the caller's thread.
    """

    def __init__(self, process: Any) -> None:
        self.process = process
        self.chunks = _pump(process.stdout)
        self.buffer = b""
        self.asked = 0
        self.received = 0
        self.ended = False

    def ask(self, ids: Iterable[str]) -> None:
        data = "".join(f"{i}\n" for i in ids).encode("ascii")
        if data:
            self.asked += data.count(b"\n")
            self.process.stdin.write(data)
            self.process.stdin.flush()

    def done(self) -> None:
        self.process.stdin.close()

    def ready(self) -> list[tuple[str, bytes | None]]:
        """Whatever has arrived, without waiting."""
        while not self.ended:
            try:
                chunk = self.chunks.get_nowait()
            except queue.Empty:
                break
            self._add(chunk)
        return self._cut()

    def rest(self) -> list[tuple[str, bytes | None]]:
        """Everything still to come (call after :meth:`done`)."""
        found: list[tuple[str, bytes | None]] = []
        while not self.ended:
            self._add(self.chunks.get())
            found += self._cut()
        found += self._cut()
        GitStore._finish(self.process, "cat-file")
        return found

    def _add(self, chunk: bytes | None) -> None:
        if chunk is None:
            self.ended = True
        else:
            self.buffer += chunk

    def _cut(self) -> list[tuple[str, bytes | None]]:
        found: list[tuple[str, bytes | None]] = []
        buffer, position = self.buffer, 0
        while True:
            end = buffer.find(b"\n", position)
            if end < 0:
                break
            line = buffer[position:end]
            header = _object_header(line)
            if header is None:  # "<id> missing"
                found.append((line.split(b" ")[0].decode("ascii", "replace"), None))
                position = end + 1
                continue
            object_id, _kind, size = header
            if len(buffer) < end + 1 + size + 1:
                break  # the rest of this object has not arrived yet
            found.append((object_id, buffer[end + 1 : end + 1 + size]))
            position = end + 1 + size + 1
        self.buffer = buffer[position:]
        self.received += len(found)
        return found


OBJECT_TYPES = frozenset({"blob", "tree", "commit", "tag"})
BATCH_CHUNK = 64  # names asked at a time: their lines never fill the pipe to git


def _object_header(line: bytes) -> tuple[str, str, int] | None:
    """A ``git cat-file --batch`` answer's first line, without its newline: the
    object's id, type and size; None for "<name> missing" (or ambiguous)."""
    fields = line.decode("utf-8", "replace").split(" ")
    if len(fields) != 3 or fields[1] not in OBJECT_TYPES or not fields[2].isdigit():
        return None
    return fields[0], fields[1], int(fields[2])


class _Reader:
    """One ``git cat-file --batch`` answering a store's reads, in the process that
    started it, until the store is closed."""

    def __init__(self, runner: Runner) -> None:
        # what git says on stderr, read when it fails; closed by close(), with git
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        self._process = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=runner.root,
            env=runner.environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
        )

    def read(self, names: Sequence[str]) -> list[tuple[str, str, bytes] | None]:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        said: list[tuple[str, str, bytes] | None] = []
        try:
            for start in range(0, len(names), BATCH_CHUNK):
                chunk = names[start : start + BATCH_CHUNK]
                stdin.write("".join(f"{name}\n" for name in chunk).encode("utf-8"))
                stdin.flush()
                for _name in chunk:
                    said.append(self._answer(stdout))
        except OSError as exc:  # git has gone: what it said says why
            raise self._failed(str(exc)) from None
        return said

    def _answer(self, stdout: IO[bytes]) -> tuple[str, str, bytes] | None:
        header = stdout.readline()
        if not header.endswith(b"\n"):
            raise self._failed("git cat-file stopped")
        found = _object_header(header[:-1])
        if found is None:
            return None
        object_id, kind, size = found
        data = stdout.read(size + 1)  # and the newline after it
        if len(data) != size + 1:
            raise self._failed("git cat-file stopped")
        return object_id, kind, data[:size]

    def _failed(self, otherwise: str) -> GitError:
        self._errors.seek(0)
        said = _text(self._errors.read()).strip()
        return _failure("cat-file", said or otherwise)

    def close(self) -> None:
        # nothing of it is worth waiting for, and a forked child may hold its input
        # open: it is stopped, not asked to finish
        self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._errors.close()


_MESSAGE_INDENT = re.compile(r"^    ", re.MULTILINE)


def _raw_entry(block: str) -> tuple[CommitObject, tuple[FileChange, ...]]:
    """One commit of ``git log --raw --pretty=raw`` output: headers, a blank line,
    the message (every line indented by four spaces), then ``:``-lines of changes."""
    first, _nl, rest = block.partition("\n")
    commit_id = first.removeprefix("commit ").split(" ")[0].strip()
    header, _sep, body = rest.partition("\n\n")
    cut = body.find("\n:")
    if body.startswith(":"):
        message_part, raw_part = "", body
    elif cut >= 0:
        message_part, raw_part = body[:cut], body[cut + 1 :]
    else:
        message_part, raw_part = body, ""
    message = _MESSAGE_INDENT.sub("", message_part).strip("\n") + "\n"
    changes: list[FileChange] = []
    for line in raw_part.split("\n"):
        if not line.startswith(":"):
            continue
        meta, _tab, path = line.partition("\t")
        fields = meta[1:].split(" ")
        if len(fields) >= 5:
            old, new = fields[2], fields[3]
            changes.append(
                FileChange(
                    _unquote(path),
                    None if old.count("0") == 40 else old,
                    None if new.count("0") == 40 else new,
                    fields[4][:1],
                )
            )
    return _commit(commit_id, header.split("\n"), message), tuple(changes)


def _unquote(path: str) -> str:
    """A path as git prints it: "quoted", with C escapes, when it has odd characters."""
    if not (len(path) >= 2 and path.startswith('"') and path.endswith('"')):
        return path
    body = path[1:-1].encode("utf-8")
    out = bytearray()
    escapes = {
        ord("n"): 10,
        ord("t"): 9,
        ord("r"): 13,
        ord('"'): 34,
        ord("\\"): 92,
        ord("a"): 7,
        ord("b"): 8,
        ord("f"): 12,
        ord("v"): 11,
    }
    i = 0
    while i < len(body):
        byte = body[i]
        if byte == 92 and i + 1 < len(body):
            nxt = body[i + 1]
            if 48 <= nxt <= 55 and i + 3 < len(body) + 0:
                out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
                i += 4
                continue
            out.append(escapes.get(nxt, nxt))
            i += 2
            continue
        out.append(byte)
        i += 1
    return out.decode("utf-8", "replace")


def recover_pending(root: Path, state_dir: Path) -> str | None:
    """Finish or undo a write a crash interrupted, unless a live writer owns it."""
    if not (state_dir / "journal.json").exists():
        return None
    lock_path = state_dir / "lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return None  # a writer is at work; the journal is its own
        with GitStore(root, state_dir) as store:
            return store.recover()
    finally:
        os.close(fd)


def _describe_status(code: str) -> str:
    if code == "??":
        return _("not yet committed")
    if "M" in code:
        return _("modified")
    if "D" in code:
        return _("deleted")
    if "A" in code:
        return _("added but not committed")
    return code.strip()


class Runner:
    """git, run in one repository as GitPython's ``Git.execute`` runs it (there, with
    git's messages in English, which dangwu reads, and nothing replaced), without
    importing GitPython: 55-80 ms of every process that only needs git's commands (a
    server hook's, most of all). GitPython is left only for ``git init``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {**os.environ, "LANGUAGE": "C", "LC_ALL": "C", **HONEST_READING}
        env.update(extra or {})
        return env

    def run(
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        stdin: Any = None,
        input: bytes | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        if input is None and stdin is None:
            stdin = subprocess.DEVNULL
        return subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=self.environment(env),
            stdin=stdin,
            input=input,
            capture_output=True,
            check=False,
        )

    def start(self, args: Sequence[str], *, stdin: bool = False) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            ["git", *args],
            cwd=self.root,
            env=self.environment(),
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )


def _text(raw: bytes) -> str:
    """git's output as GitPython gave it: decoded, without its last newline."""
    return raw.decode("utf-8", "surrogateescape").removesuffix("\n")


def _failure(command: str, said: str) -> GitError:
    """What a git command that failed said, as dangwu reports it."""
    return GitError(
        _("git {command} failed: {stderr}").format(command=command, stderr=_complaint(said))
    )


def _complaint(text: str) -> str:
    """The line of git's stderr that says what went wrong: its last ``fatal:`` or
    ``error:`` line, else its last line. Advice may follow it: after "Unable to
    create '.../main.lock': File exists." git says how to go on ("remove the file
    manually to continue."), which names no file."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    marked = [line for line in lines if line.startswith(("fatal: ", "error: "))]
    return (marked or lines or ["?"])[-1]


def _stderr_text(exc: Any) -> str:
    text = (getattr(exc, "stderr", "") or "").strip()
    return text.removeprefix("stderr:").strip().strip("'").strip()


def _stderr(exc: Any) -> str:
    text = _stderr_text(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else str(getattr(exc, "status", "?"))


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.dangwu-{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            tmp.chmod(path.stat().st_mode & 0o777)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _fault(point: str) -> None:
    """Die here if a test asked for it: proves a crash at this point loses nothing."""
    if os.environ.get("DANGWU_FAULT") == point:
        os._exit(70)


def init_repository(path: Path) -> None:
    """``git init`` a new folder (dangwu init in a folder that is not a repository)."""
    import git

    path.mkdir(parents=True, exist_ok=True)
    try:
        git.Repo.init(path, initial_branch="main").close()
    except git.GitCommandError as exc:
        raise GitError(_("git init failed: {stderr}").format(stderr=_stderr(exc))) from None


def _object_id(value: object) -> TypeGuard[str]:
    """Whether a value read from a kept file is a commit id, and so may be handed to
    git as a revision: never an option (``--output=...``) or a range."""
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{40,64}", value) is not None


def _kept_removed(path: Path) -> dict[str, tuple[str, set[str]]]:
    """What removed() kept in ``path``: under -> (head, paths), leaving out what is not
    of that shape."""
    try:
        kept = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    found: dict[str, tuple[str, set[str]]] = {}
    for under, entry in kept.items() if isinstance(kept, dict) else ():
        head = entry.get("head") if isinstance(entry, dict) else None
        paths = entry.get("paths") if isinstance(entry, dict) else None
        if not _object_id(head):
            continue
        if isinstance(paths, list) and all(isinstance(p, str) for p in paths):
            found[under] = (head, set(paths))
    return found


def _kept_graph(path: Path, layers: str) -> str | None:
    """The head the commit-graph was last written at, as ``path`` keeps it, if the
    graph is still made of the ``layers`` it was written as (None: write it)."""
    try:
        kept = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("layers") != layers:
        return None
    head = kept.get("head")
    return head if _object_id(head) else None


def _kept_line(
    path: Path, paths: Sequence[str]
) -> tuple[str | None, str, list[tuple[str, int, dict[str, str | None]]]] | None:
    """The line a line_changes kept in ``path`` for these ``paths``: (since, head,
    line), or None when the file holds none of that shape (it is a cache like the
    others in the state folder: what cannot be read is read again from git)."""
    try:
        kept = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("paths") != list(paths):
        return None
    since, head, rows = kept.get("since"), kept.get("head"), kept.get("line")
    if not (since is None or isinstance(since, str)) or not _object_id(head):
        return None
    if not isinstance(rows, list):
        return None
    line: list[tuple[str, int, dict[str, str | None]]] = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)):
            return None
        commit, seconds, changed = row
        if not isinstance(seconds, int) or not isinstance(changed, dict):
            return None
        line.append((commit, seconds, changed))
    return since, head, line
