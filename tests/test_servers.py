"""The test servers are real: two people share a repository over gitolite (ssh) and
over smart HTTP (nginx), a server hook is told who pushes and speaks to them, the
door refuses strangers, and of two pushes that meet one loses, in the words git
prints (which dangwu's sync will have to read)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import Gitolite, HttpUser, SmartHttp, SshUser, keygen

User = SshUser | HttpUser


def git(
    cwd: Path, *args: str, user: User | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """git in ``cwd`` as ``user`` (their way in and their name on commits), in English."""
    full = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    if user is not None:
        email = f"{user.name}@example.org"
        full.update(user.env)
        full.update(
            GIT_AUTHOR_NAME=user.name,
            GIT_AUTHOR_EMAIL=email,
            GIT_COMMITTER_NAME=user.name,
            GIT_COMMITTER_EMAIL=email,
        )
    full.update(env or {})
    return subprocess.run(
        ["git", *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=60, check=False
    )


def ok(cwd: Path, *args: str, user: User | None = None) -> str:
    done = git(cwd, *args, user=user)
    assert done.returncode == 0, f"git {' '.join(args)}:\n{done.stderr}"
    return done.stdout.strip()


def commit(clone: Path, user: User, name: str) -> str:
    (clone / name).write_text(f"{name}\n", "utf-8")
    ok(clone, "add", "--", name)
    ok(clone, "commit", "-q", "-m", name, user=user)
    return ok(clone, "rev-parse", "HEAD")


def server_ref(bare: Path, branch: str) -> str:
    return ok(bare, "rev-parse", "--verify", "-q", f"refs/heads/{branch}")


def install_hook(bare: Path, body: str) -> None:
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\n" + body, "utf-8")
    hook.chmod(0o755)


@dataclass
class Server:
    """One of the two servers, as these tests drive it."""

    kind: str
    pusher_variable: str  # where the server names the pusher to its hooks
    gitolite: Gitolite | None = None
    http: SmartHttp | None = None

    def repo(self, *names: str) -> tuple[list[User], str, Path]:
        """A new repository that ``names`` may push to: (users, repo name, bare path)."""
        if self.gitolite is not None:
            bare = self.gitolite.create_repo(writers=names)
            users: list[User] = [self.gitolite.user(n) for n in names]
        else:
            assert self.http is not None
            bare = self.http.create_repo()
            users = [self.http.users.get(n) or self.http.add_user(n) for n in names]
        return users, bare.name.removesuffix(".git"), bare


def start(kind: str, request: pytest.FixtureRequest) -> Server:
    if kind == "gitolite":
        return Server(kind, "GL_USER", gitolite=request.getfixturevalue("gitolite"))
    return Server(kind, "REMOTE_USER", http=request.getfixturevalue("smart_http"))


@pytest.fixture(params=["gitolite", "smart_http"])
def server(request: pytest.FixtureRequest) -> Server:
    return start(request.param, request)


def test_two_people_share_a_repository(server: Server, tmp_path: Path) -> None:
    (alice, bob), repo, bare = server.repo("alice", "bob")
    ok(tmp_path, "clone", "-q", alice.url(repo), "a", user=alice)
    ok(tmp_path, "clone", "-q", bob.url(repo), "b", user=bob)
    a, b = tmp_path / "a", tmp_path / "b"
    branch = ok(a, "symbolic-ref", "--short", "HEAD")
    pushed = commit(a, alice, "first")
    ok(a, "push", "-q", "origin", "HEAD", user=alice)
    assert server_ref(bare, branch) == pushed
    ok(b, "fetch", "-q", "origin", user=bob)
    assert ok(b, "rev-parse", f"origin/{branch}") == pushed


# The server's HEAD is what `git init` defaults to (master with git 2.39, no
# init.defaultBranch on the server); the fixtures leave it so. An empty clone learns
# it over HTTP (protocol v2 advertises the unborn HEAD) but not over ssh (sshd does
# not accept GIT_PROTOCOL, as Debian's stock sshd_config, so protocol v0): there the
# clone takes the client's own init.defaultBranch, main in these tests.
@pytest.mark.parametrize(
    ("server_kind", "cloned"), [("gitolite", "main"), ("smart_http", "master")]
)
def test_an_empty_repository_and_the_branch_of_its_first_clone(
    server_kind: str, cloned: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    (alice,), repo, bare = start(server_kind, request).repo("alice")
    assert (bare / "HEAD").read_text("utf-8") == "ref: refs/heads/master\n"
    assert "main" in ok(tmp_path, "config", "--global", "init.defaultBranch")
    ok(tmp_path, "clone", "-q", alice.url(repo), "a", user=alice)
    assert ok(tmp_path / "a", "symbolic-ref", "--short", "HEAD") == cloned


def test_a_server_hook_is_told_who_pushes_and_is_heard(server: Server, tmp_path: Path) -> None:
    (alice,), repo, bare = server.repo("alice")
    ok(tmp_path, "clone", "-q", alice.url(repo), "a", user=alice)
    clone = tmp_path / "a"
    seen = tmp_path / "hook-env"
    install_hook(bare, f"cat >/dev/null\nenv > '{seen}'\necho 'checked by the server' >&2\n")
    first = commit(clone, alice, "first")
    pushed = git(clone, "push", "origin", "HEAD", user=alice)
    assert pushed.returncode == 0, pushed.stderr
    assert re.search(r"^remote: checked by the server\s*$", pushed.stderr, re.M), pushed.stderr
    env = dict(line.split("=", 1) for line in seen.read_text().splitlines() if "=" in line)
    assert env[server.pusher_variable] == "alice"

    install_hook(bare, "cat >/dev/null\necho 'refused: not today' >&2\nexit 1\n")
    commit(clone, alice, "second")
    refused = git(clone, "push", "origin", "HEAD", user=alice)
    assert refused.returncode == 1
    assert re.search(r"^remote: refused: not today\s*$", refused.stderr, re.M), refused.stderr
    assert " ! [remote rejected] HEAD -> " in refused.stderr
    assert "(pre-receive hook declined)" in refused.stderr
    branch = ok(clone, "symbolic-ref", "--short", "HEAD")
    assert server_ref(bare, branch) == first


# A hook that holds each push until both have arrived, so the two reach the ref
# update together, after both were told the same old value.
BARRIER = """\
cat >/dev/null
mkdir -p '{folder}' && touch '{folder}/'$$
n=0
while [ "$(ls '{folder}' | wc -l)" -lt 2 ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n+1)); done
"""


def test_of_two_pushes_that_meet_one_loses_the_ref_lock(server: Server, tmp_path: Path) -> None:
    (alice, bob), repo, bare = server.repo("alice", "bob")
    ok(tmp_path, "clone", "-q", alice.url(repo), "a", user=alice)
    a, b = tmp_path / "a", tmp_path / "b"
    base = commit(a, alice, "base")
    ok(a, "push", "-q", "origin", "HEAD", user=alice)
    branch = ok(a, "symbolic-ref", "--short", "HEAD")
    ok(tmp_path, "clone", "-q", bob.url(repo), "b", user=bob)
    theirs = {"alice": commit(a, alice, "from-alice"), "bob": commit(b, bob, "from-bob")}
    install_hook(bare, BARRIER.format(folder=tmp_path / "barrier"))

    people = {"alice": (alice, a), "bob": (bob, b)}
    pushes = {
        name: subprocess.Popen(
            ["git", "push", "origin", "HEAD"],
            cwd=clone,
            env={**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **user.env},
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (user, clone) in people.items()
    }
    said = {name: p.communicate(timeout=60)[1] for name, p in pushes.items()}
    codes = {name: p.returncode for name, p in pushes.items()}
    assert sorted(codes.values()) == [0, 1], said
    winner = min(codes, key=codes.__getitem__)
    loser = max(codes, key=codes.__getitem__)
    assert server_ref(bare, branch) == theirs[winner]
    lost = said[loser]
    expected = (
        f"remote: error: cannot lock ref 'refs/heads/{branch}': "
        f"is at {theirs[winner]} but expected {base}"
    )
    assert expected in lost, lost
    assert f" ! [remote rejected] HEAD -> {branch} (failed to update ref)" in lost, lost

    # Pushed again as it was, it is refused before it is sent; after a fetch, as
    # not a fast-forward.
    install_hook(bare, "cat >/dev/null\n")
    who, clone = people[loser]
    late = git(clone, "push", "origin", "HEAD", user=who)
    assert late.returncode == 1
    assert f" ! [rejected]        HEAD -> {branch} (fetch first)" in late.stderr, late.stderr
    ok(clone, "fetch", "-q", "origin", user=who)
    late = git(clone, "push", "origin", "HEAD", user=who)
    assert late.returncode == 1
    assert f" ! [rejected]        HEAD -> {branch} (non-fast-forward)" in late.stderr, late.stderr


# -- at the door: ssh ------------------------------------------------------------------


def test_ssh_refuses_a_host_it_does_not_know(gitolite: Gitolite, tmp_path: Path) -> None:
    repo = gitolite.create_repo(writers=["alice"]).name.removesuffix(".git")
    done = git(
        tmp_path,
        "ls-remote",
        gitolite.url(repo),
        env=gitolite.stranger_env(host_known=False, key_known=True),
    )
    assert done.returncode == 128
    assert (
        f"No ED25519 host key is known for [127.0.0.1]:{gitolite.port} "
        "and you have requested strict checking.\nHost key verification failed.\n"
    ) in done.stderr, done.stderr
    assert "fatal: Could not read from remote repository." in done.stderr


def test_ssh_refuses_a_host_whose_key_changed(gitolite: Gitolite, tmp_path: Path) -> None:
    other = keygen(tmp_path / "other-host", "other")
    key_type, key_text = other.with_suffix(".pub").read_text().split()[:2]
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{gitolite.port} {key_type} {key_text}\n")
    alice = gitolite.users.get("alice") or gitolite.add_user("alice")
    done = git(tmp_path, "ls-remote", gitolite.url("x"), env=gitolite.env_for(alice.key, known))
    assert done.returncode == 128
    assert "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!" in done.stderr, done.stderr
    assert (
        f"Host key for [127.0.0.1]:{gitolite.port} has changed "
        "and you have requested strict checking.\nHost key verification failed.\n"
    ) in done.stderr, done.stderr


def test_ssh_refuses_a_key_gitolite_does_not_know(gitolite: Gitolite, tmp_path: Path) -> None:
    repo = gitolite.create_repo(writers=["alice"]).name.removesuffix(".git")
    done = git(tmp_path, "ls-remote", gitolite.url(repo), env=gitolite.stranger_env())
    assert done.returncode == 128
    assert f"{gitolite.login}@127.0.0.1: Permission denied (publickey).\n" in done.stderr, (
        done.stderr
    )


def test_gitolite_refuses_who_may_not(gitolite: Gitolite, tmp_path: Path) -> None:
    bare = gitolite.create_repo(writers=["alice"], readers=["carol"])
    repo = bare.name.removesuffix(".git")
    dave = gitolite.users.get("dave") or gitolite.add_user("dave")
    done = git(tmp_path, "ls-remote", gitolite.url(repo), user=dave)
    assert done.returncode == 128
    assert f"FATAL: R any {repo} dave DENIED by fallthru\n" in done.stderr, done.stderr

    carol = gitolite.user("carol")
    ok(tmp_path, "clone", "-q", carol.url(repo), "c", user=carol)
    commit(tmp_path / "c", carol, "by-carol")
    done = git(tmp_path / "c", "push", "origin", "HEAD", user=carol)
    assert done.returncode == 128
    assert f"FATAL: W any {repo} carol DENIED by fallthru\n" in done.stderr, done.stderr


def test_a_kept_connection_is_its_keys_alone(gitolite: Gitolite, tmp_path: Path) -> None:
    """The tests' ssh keeps a connection for each key (servers.ssh_command): a key's
    next command never goes out on another's. alice may write, carol only read; each
    logs in on their own, and stays who they are, however their commands take turns."""
    bare = gitolite.create_repo(writers=["alice"], readers=["carol"])
    repo = bare.name.removesuffix(".git")
    alice, carol = gitolite.user("alice"), gitolite.user("carol")
    ok(tmp_path, "clone", "-q", alice.url(repo), "a", user=alice)
    ok(tmp_path, "clone", "-q", carol.url(repo), "c", user=carol)
    for turn in range(2):
        commit(tmp_path / "a", alice, f"by-alice-{turn}")
        ok(tmp_path / "a", "push", "-q", "origin", "HEAD", user=alice)
        commit(tmp_path / "c", carol, f"by-carol-{turn}")
        done = git(tmp_path / "c", "push", "origin", "HEAD", user=carol)
        assert f"FATAL: W any {repo} carol DENIED by fallthru\n" in done.stderr, done.stderr
        ok(tmp_path / "c", "fetch", "-q", "origin", user=carol)  # carol reads
    sockets = sorted(p.name for p in gitolite.shared.iterdir())
    assert len(sockets) >= 2 and len(set(sockets)) == len(sockets)
    # one login for each key, however many commands it ran
    logins = re.findall(r"Accepted publickey for \S+ from 127.0.0.1 port \d+ ssh2: (\S+ \S+)",
                        gitolite.log.read_text("utf-8", "replace"))  # fmt: skip
    for user in (alice, carol):
        print_ = subprocess.run(
            ["ssh-keygen", "-lf", str(user.key)], capture_output=True, text=True, check=True
        ).stdout.split()[1]
        assert sum(print_ in login for login in logins) == 1, (user.name, logins)


# -- at the door: HTTP -----------------------------------------------------------------


def test_http_refuses_a_wrong_password(smart_http: SmartHttp, tmp_path: Path) -> None:
    smart_http.add_user("alice", "right")
    repo = smart_http.create_repo("office").name.removesuffix(".git")
    wrong = HttpUser("alice", "wrong", smart_http)
    done = git(tmp_path, "ls-remote", wrong.url(repo))
    assert done.returncode == 128
    url = smart_http.url(repo)
    assert done.stderr == f"fatal: Authentication failed for '{url}/'\n"
    stranger = HttpUser("mallory", "x", smart_http)
    assert git(tmp_path, "ls-remote", stranger.url(repo)).stderr == done.stderr


def test_http_asks_for_what_the_url_does_not_say(smart_http: SmartHttp, tmp_path: Path) -> None:
    smart_http.add_user("alice", "right")
    repo = smart_http.create_repo("office").name.removesuffix(".git")
    url = smart_http.url(repo)
    done = git(tmp_path, "ls-remote", url)
    assert done.returncode == 128
    assert done.stderr == (
        f"fatal: could not read Username for 'http://127.0.0.1:{smart_http.port}': "
        "terminal prompts disabled\n"
    )
    askpass = tmp_path / "askpass"
    askpass.write_text('#!/bin/sh\ncase "$1" in Username*) echo alice;; *) echo right;; esac\n')
    askpass.chmod(0o755)
    assert git(tmp_path, "ls-remote", url, env={"GIT_ASKPASS": str(askpass)}).returncode == 0
