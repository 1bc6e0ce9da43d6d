"""Running on the server an office already has [SPEC 9, 11, 15]: dangwu's hooks in
the place each kind of server keeps them, on real servers started here (gitolite
behind sshd, git's smart HTTP behind nginx), a post-receive that never makes the
pusher wait, and the words a clerk reads when the server or the network says no."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import marshal
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Office, Result, eventually, make_office, settled, settled_in
from plaingit import commit, discard_message
from servers import Gitolite, SmartHttp, running_gitolite
from steps import at, ok, refused

from dangwu.rules import network

# --- helpers ----------------------------------------------------------------------------


def git_in(path: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True)
    if check:
        assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def bare(path: Path, branch: str = "master") -> Path:
    """An empty server repository whose HEAD names ``branch`` (gitolite's, and git's
    own default without init.defaultBranch, is master)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    git_in(path.parent, "init", "-q", "--bare", "-b", branch, str(path))
    return path


def head_ref(repo: Path) -> str:
    return git_in(repo, "symbolic-ref", "HEAD")


def server_head(repo: Path, branch: str = "main") -> str:
    return git_in(repo, "rev-parse", f"refs/heads/{branch}")


def audited_head(state: Path) -> str | None:
    path = state / "history-v2.sqlite"
    if not path.exists():
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT value FROM meta WHERE key='audit.head'").fetchone()
    finally:
        db.close()
    return json.loads(row[0]) if row else None


def after_log(repo: Path) -> str:
    """What stopped the server's post-receive, as it kept it (for a failing test)."""
    log = repo / "dangwu" / "after.log"
    return log.read_text("utf-8") if log.exists() else "the post-receive kept no after.log"


@pytest.fixture
def founder(tmp_path: Path) -> Office:
    """The office head's first clone: the sample roster, no records, language zh_CN."""
    return make_office(tmp_path / "founding")


def drafted(office: Office, key: str, now: str, title: str = "机关廉洁自律若干规定") -> str:
    return office.new(
        "--summary",
        "摘要",
        "--body",
        "正文。",
        category="zhidu-jianshe",
        item="integrity-rules",
        title=title,
        as_=key,
        now=now,
    )


# --- hook print ---------------------------------------------------------------------------


def test_hook_print_shows_the_hooks_to_place_by_hand(office: Office):
    pre = ok(office, "hook", "print", "--server", "gitlab", "--lang", "zh_CN").stdout
    assert pre.startswith("#!/bin/sh\n# dangwu pre-receive hook")
    assert pre.rstrip().endswith(
        f'exec "{sys.executable}" -I -m dangwu.serverhook --server gitlab --lang zh_CN'
    )
    after = ok(office, "hook", "print", "--after").stdout
    assert "# dangwu post-receive hook" in after
    assert after.rstrip().endswith("-m dangwu.serverhook --after --server disk")
    result = office.run("hook", "print", "--server", "svn")
    assert result.exit_code == 2 and result.stdout == ""
    assert "--server must be one of gitolite, http, gitea, gitlab, disk" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert office.run("hook", "print", "--lang", "fr").exit_code == 2


# --- where each kind of server keeps hooks --------------------------------------------------


def test_gitea_keeps_its_own_hooks_and_runs_dangwus_beside_them(office: Office, tmp_path: Path):
    repo = bare(tmp_path / "gitea" / "office.git", "main")
    platform = "#!/bin/sh\n# gitea's own\n"
    for hook in ("pre-receive", "post-receive"):
        (repo / "hooks" / f"{hook}.d").mkdir()
        (repo / "hooks" / hook).write_text(platform, "utf-8")
        (repo / "hooks" / f"{hook}.d" / "gitea").write_text(platform, "utf-8")
    result = ok(office, "hook", "install", str(repo))
    for hook in ("pre-receive", "post-receive"):
        assert (repo / "hooks" / hook).read_text("utf-8") == platform
        assert (repo / "hooks" / f"{hook}.d" / "gitea").read_text("utf-8") == platform
        mine = repo / "hooks" / f"{hook}.d" / "dangwu"
        assert os.access(mine, os.X_OK)
        assert f"Installed {mine}." in result.stdout
    assert "--server gitea" in (repo / "hooks" / "pre-receive.d" / "dangwu").read_text("utf-8")
    assert "GITEA_PUSHER_NAME" in result.stdout
    assert "Still to do:\n  set the project's default branch" in result.stdout


def test_gitlab_gets_custom_hooks(office: Office, tmp_path: Path):
    repo = tmp_path / "repositories" / "@hashed" / "6b" / "86"
    repo.mkdir(parents=True)
    repo = bare(repo / "6b86b273ff34fce19d6b804eff5a3f57.git", "main")
    ok(office, "hook", "install", str(repo))
    for hook in ("pre-receive", "post-receive"):
        assert not (repo / "hooks" / hook).exists()
        text = (repo / "custom_hooks" / f"{hook}.d" / "dangwu").read_text("utf-8")
        assert "--server gitlab" in text


def test_a_hook_that_is_not_dangwus_is_kept_unless_forced(office: Office, tmp_path: Path):
    repo = bare(tmp_path / "server.git", "main")
    mailer = "#!/bin/sh\n# mails the team\n"
    (repo / "hooks" / "post-receive").write_text(mailer, "utf-8")
    before = sorted(p.name for p in (repo / "hooks").iterdir())
    config = (repo / "config").read_text("utf-8")
    result = office.run("hook", "install", str(repo))
    assert result.exit_code == 1
    assert f"{repo / 'hooks' / 'post-receive'} is there already and is not dangwu's" in (
        result.stderr
    )
    assert "dangwu hook print" in result.stderr
    # nothing was written: not even the pre-receive, which had no one's in its place
    assert sorted(p.name for p in (repo / "hooks").iterdir()) == before
    assert (repo / "config").read_text("utf-8") == config
    ok(office, "hook", "install", "--force", str(repo))
    assert "post-receive hook" in (repo / "hooks" / "post-receive").read_text("utf-8")


def test_head_names_the_offices_branch(office: Office, tmp_path: Path):
    empty = bare(tmp_path / "empty.git")
    result = ok(office, "hook", "install", str(empty))
    assert head_ref(empty) == "refs/heads/main"
    assert "The server's HEAD names the office's branch, main." in result.stdout

    trunk = bare(tmp_path / "trunk.git")
    office.git("push", "-q", str(trunk), "HEAD:refs/heads/trunk")
    ok(office, "hook", "install", str(trunk))
    assert head_ref(trunk) == "refs/heads/trunk"

    two = bare(tmp_path / "two.git")
    office.git("push", "-q", str(two), "HEAD:refs/heads/a", "HEAD:refs/heads/b")
    ok(office, "hook", "install", str(two))
    assert head_ref(two) == "refs/heads/master"  # the keeper's choice stands
    result = office.run("hook", "install", "--force", "--branch", "c", str(two))
    assert result.exit_code == 2
    assert "--branch: the repository has no branch 'c' (it has a, b)" in result.stderr
    ok(office, "hook", "install", "--force", "--branch", "b", str(two))
    assert head_ref(two) == "refs/heads/b"


def test_a_repository_made_on_master_is_pointed_at_main_by_the_first_push(
    founder: Office, tmp_path: Path
):
    """Installed by hand (hook print) on a server that starts repositories on master:
    the first push points HEAD at the branch it brought, and the server audits it."""
    repo = bare(tmp_path / "server.git")
    hooks = repo / "hooks"
    for name, after in (("pre-receive", []), ("post-receive", ["--after"])):
        text = ok(founder, "hook", "print", "--lang", "en", *after).stdout
        (hooks / name).write_text(text, "utf-8")
        (hooks / name).chmod(0o755)
    ok(founder, "remote", "add", str(repo), as_="linht")
    pushed = founder.run("sync", as_="linht")
    assert pushed.exit_code == 0, pushed.output
    assert "no commits yet" not in pushed.output
    settled(repo)
    assert head_ref(repo) == "refs/heads/main"
    assert eventually(lambda: audited_head(repo / "dangwu") == server_head(repo)), after_log(repo)


# --- the post-receive never makes the pusher wait ---------------------------------------------


@pytest.fixture
def guarded(founder: Office, tmp_path: Path) -> tuple[Office, Path]:
    repo = bare(tmp_path / "server.git", "main")
    ok(founder, "hook", "install", "--lang", "en", str(repo))
    ok(founder, "remote", "add", str(repo), as_="linht")
    return founder, repo


@contextlib.contextmanager
def catching_up_held(repo: Path) -> Iterator[None]:
    """Hold the lock of the server's catch-up: the one a post-receive starts finds it
    taken and leaves, so what the server's audit says is the post-receive's own doing."""
    state = repo / "dangwu"
    state.mkdir(exist_ok=True)
    with (state / "catch-up.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
        # the ones started meanwhile find the lock taken and leave: see them go
        assert eventually(lambda: not catch_ups(repo), 30), catch_ups(repo)


def catch_ups(repo: Path) -> list[int]:
    """The post-receive and catch-up processes at work in ``repo``."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            working = b"--catch-up" in argv or b"--after" in argv
            if working and (proc / "cwd").resolve() == repo.resolve():
                found.append(int(proc.name))
    return found


def catch_up(repo: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-I", "-m", "dangwu.serverhook", "--catch-up"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_the_post_receive_stands_the_servers_audit_at_each_push_without_reading_history(
    guarded: tuple[Office, Path],
):
    office, repo = guarded
    state = repo / "dangwu"
    with catching_up_held(repo):
        ok(office, "sync", as_="linht", now=at(1, 8))
        settled(repo)
        # the first push: nothing audited the whole history yet, and the post-receive
        # did not do it (the catch-up it went on to found the lock taken)
        assert audited_head(state) is None
    catch_up(repo)
    assert audited_head(state) == server_head(repo)
    with catching_up_held(repo):
        for hour in (9, 10):
            drafted(office, "linht", at(1, hour), title=f"制度{hour}")
            ok(office, "sync", as_="linht", now=at(1, hour))
            settled(repo)
            # the pre-receive's findings, taken up by the post-receive: no catch-up ran
            assert audited_head(state) == server_head(repo) == office.head()
    first = ok(office, "audit", "--json").stdout
    assert json.loads(first)["violations"] == []


def test_what_stopped_the_post_receive_is_kept_in_the_hooks_folder(
    guarded: tuple[Office, Path],
):
    """The post-receive's work runs detached, and what it prints goes nowhere. A lock
    left on the server's receipts (by a git that died writing them) stops it noting a
    push: the push stands, the hook's folder says why, and once the lock is gone the
    next push is noted and audited as before."""
    office, repo = guarded
    state = repo / "dangwu"
    ok(office, "sync", as_="linht", now=at(1, 8))
    settled_in(state)
    stale = repo / "refs" / "notes" / "dangwu" / "received.lock"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("", "utf-8")
    drafted(office, "linht", at(1, 9), title="制度9")
    ok(office, "sync", as_="linht", now=at(1, 9))
    settled_in(state)
    assert server_head(repo) == office.head()
    said = (state / "after.log").read_text("utf-8")
    assert said.count("\n") == 1, said
    assert "the server's audit was not brought to its head: " in said, said
    assert "received.lock" in said, said
    assert audited_head(state) != server_head(repo)
    stale.unlink()
    drafted(office, "linht", at(1, 10), title="制度10")
    ok(office, "sync", as_="linht", now=at(1, 10))
    settled_in(state)
    assert audited_head(state) == server_head(repo) == office.head()
    assert (state / "after.log").read_text("utf-8") == said  # nothing more to say


def test_what_the_post_receive_keeps_is_one_line_per_stop(tmp_path: Path):
    """An error that spans lines (git's, or one that quotes what was pushed) is kept
    as one line: a line of after.log is one stop, never a second one forged."""
    from dangwu.serverhook import AFTER_LOG, _keep_failure
    from dangwu.store.office import Office as Opened

    repo = bare(tmp_path / "server.git", "main")
    _keep_failure(Opened(repo, bare=True), ValueError("first\n2026-01-01T00:00:00+08:00 forged"))
    kept = (repo / "dangwu" / AFTER_LOG).read_text("utf-8")
    assert kept.count("\n") == 1
    assert kept.endswith(": ValueError: first 2026-01-01T00:00:00+08:00 forged\n"), kept


def test_a_catch_up_already_at_work_is_left_to_it(guarded: tuple[Office, Path]):
    office, repo = guarded
    with catching_up_held(repo):
        ok(office, "sync", as_="linht", now=at(1, 8))
        catch_up(repo)  # finds the lock taken: returns at once, having done nothing
        assert audited_head(repo / "dangwu") is None
    catch_up(repo)
    assert audited_head(repo / "dangwu") == server_head(repo)


def test_a_push_that_lands_as_the_catch_up_lets_go_is_audited(
    guarded: tuple[Office, Path], monkeypatch: pytest.MonkeyPatch
):
    """A push whose head lands after the catch-up's last look at the head, but before
    it lets its lock go, finds the lock taken and leaves its head to that catch-up:
    the catch-up looks once more with the lock let go, and audits it."""
    from dangwu import serverhook
    from dangwu.store.gitstore import GitStore

    office, repo = guarded
    with catching_up_held(repo):
        ok(office, "sync", as_="linht", now=at(1, 8))
        settled(repo)
        first = server_head(repo)
        drafted(office, "linht", at(1, 9))
        ok(office, "sync", as_="linht", now=at(1, 9))
        settled(repo)
    second = server_head(repo)
    git_in(repo, "update-ref", "refs/heads/main", first)  # as the server stood then

    real = GitStore.commit_of
    landed = []

    def looking(self: GitStore, rev: str) -> str | None:
        found = real(self, rev)
        if found == first and audited_head(repo / "dangwu") == first and not landed:
            # the catch-up's look that finds the head still: the push lands just after
            git_in(repo, "update-ref", "refs/heads/main", second)
            landed.append(second)
        return found

    monkeypatch.setattr(GitStore, "commit_of", looking)
    assert serverhook.catch_up(repo, None) == 0
    assert landed == [second]
    assert audited_head(repo / "dangwu") == second


def test_the_history_cache_serves_readers_of_either_language(office: Office):
    drafted(office, "dumy", at(1, 9))
    english = json.loads(ok(office, "audit", "--json", env={"DANGWU_LANG": "en"}).stdout)
    assert english["commits_checked"] == 2 and english["violations"] == []
    chinese = office.run("audit", env={"DANGWU_LANG": "zh_CN"})
    assert chinese.exit_code == 0
    assert "历史记录无违规（自上次审计以来没有变化）" in chinese.stderr, chinese.stderr

    # a finding is said again in the reader's language, not served in the other's
    path = next((office.root / "records").rglob("*.yaml"))
    path.write_text(path.read_text("utf-8").replace("status: draft", "status: published"))
    office.git("-c", "user.name=杜明远", "-c", "user.email=dumy@example.org",
               "commit", "-qam", "published by hand")  # fmt: skip
    said = {}
    for lang in ("en", "zh_CN", "en"):
        result = office.run("audit", "--json", env={"DANGWU_LANG": lang})
        assert result.exit_code == 1
        report = json.loads(result.stdout)
        assert report["commits_checked"] == 3, report
        (finding,) = report["violations"]
        said[lang] = finding["message"]
    assert said["en"].isascii() and not said["zh_CN"].isascii()


# --- the hook's cache where its account cannot write ------------------------------------------


def other_account() -> pwd.struct_passwd:
    if os.geteuid() != 0:
        pytest.skip("needs root, to run git as another account as a server does")
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("this machine has no account 'nobody'")


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another account can reach (pytest's own are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="dangwu-deploy-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def as_account(who: pwd.struct_passwd, home: Path, *argv: str, cwd: Path):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "LC_ALL": "C",
    }
    return subprocess.run(
        list(argv),
        cwd=cwd,
        env=env,
        user=who.pw_uid,
        group=who.pw_gid,
        extra_groups=[],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_root_installs_as_the_repositorys_owner_and_says_when_it_cannot_run_python(
    founder: Office, shared_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    nobody = other_account()
    repo = bare(shared_folder / "server.git")
    subprocess.run(["chown", "-R", f"{nobody.pw_uid}:{nobody.pw_gid}", str(repo)], check=True)
    before = sorted(p.name for p in (repo / "hooks").iterdir())

    # a Python the owner cannot reach (under a folder only root may enter)
    hidden = tmp_path / "private"
    hidden.mkdir(mode=0o700)
    (hidden / "python").symlink_to(sys.executable)
    monkeypatch.setattr(sys, "executable", str(hidden / "python"))
    result = founder.run("hook", "install", str(repo))
    assert result.exit_code == 1
    assert (
        f"nothing was installed: the repository's owner {nobody.pw_name} cannot run "
        f"{hidden / 'python'}"
    ) in result.stderr, result.stderr
    assert sorted(p.name for p in (repo / "hooks").iterdir()) == before
    assert head_ref(repo) == "refs/heads/master"


def test_root_installs_with_a_python_the_owner_can_run(
    founder: Office, shared_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    """A dangwu in a place the repository's owner can read: installed by root, the
    files are the owner's, the hooks run as the owner on a push, and where the owner
    may not write the repository's dangwu/ folder, the hook keeps its cache in a folder
    of its own and says so."""
    nobody = other_account()
    python = public_python(shared_folder)
    repo = bare(shared_folder / "server.git")
    subprocess.run(["chown", "-R", f"{nobody.pw_uid}:{nobody.pw_gid}", str(repo)], check=True)
    monkeypatch.setattr(sys, "executable", str(python))
    result = founder.run("hook", "install", "--lang", "en", str(repo))
    assert result.exit_code == 0, result.output
    assert f"The hooks run as {nobody.pw_name}, who owns the repository." in result.stdout
    for hook in ("pre-receive", "post-receive"):
        assert (repo / "hooks" / hook).stat().st_uid == nobody.pw_uid
        assert str(python) in (repo / "hooks" / hook).read_text("utf-8")
    assert head_ref(repo) == "refs/heads/main"
    assert (repo / "dangwu").stat().st_uid == nobody.pw_uid

    # the push, as the owner (a clone of theirs, their git)
    clone = shared_folder / "clone"
    founder.git("clone", "-q", str(founder.root), str(clone))
    subprocess.run(["chown", "-R", f"{nobody.pw_uid}:{nobody.pw_gid}", str(clone)], check=True)
    home = shared_folder / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[safe]\n\tdirectory = *\n", "utf-8")
    subprocess.run(["chown", "-R", str(nobody.pw_uid), str(home)], check=True)
    pushed = as_account(nobody, home, "git", "push", str(repo), "HEAD:refs/heads/main", cwd=clone)
    assert pushed.returncode == 0, pushed.stderr
    assert "cannot keep the hook's cache" not in pushed.stderr

    # a cache folder the account cannot write: the push is still judged, and it says so
    assert eventually(lambda: audited_head(repo / "dangwu") == server_head(repo)), after_log(repo)
    kept = repo / "dangwu" / "cache" / "dangwu" / "validators"
    checks = sorted(p.name for p in kept.glob("*.code"))  # the schemas' compiled checks
    assert checks
    shutil.rmtree(repo / "dangwu")
    (repo / "dangwu").mkdir(mode=0o755)  # root's
    # and root's folder offers checks of its own making, under the names the hook's had:
    # the hook, which does not keep its cache there, must never run them
    marks = shared_folder / "marks"
    marks.mkdir(mode=0o777)
    marks.chmod(0o777)
    planted = compile(f"open({str(marks / 'ran')!r}, 'w').close()\n", "<planted>", "exec")
    (repo / "dangwu" / "cache" / "dangwu" / "validators").mkdir(parents=True)
    for name in checks:
        (repo / "dangwu" / "cache" / "dangwu" / "validators" / name).write_bytes(
            marshal.dumps(planted)
        )
    offered = sorted(p.relative_to(repo) for p in (repo / "dangwu").rglob("*"))
    (clone / "records").mkdir()
    (clone / "records" / "x.yaml").write_text("title: [\n", "utf-8")
    git_in(clone, "add", "records")
    git_in(clone, "-c", "user.name=x", "-c", "user.email=x@example.org", "commit", "-q",
           "-m", "not a dangwu step")  # fmt: skip
    subprocess.run(["chown", "-R", f"{nobody.pw_uid}:{nobody.pw_gid}", str(clone)], check=True)
    pushed = as_account(nobody, home, "git", "push", str(repo), "HEAD:refs/heads/main", cwd=clone)
    assert "remote: dangwu: cannot keep the hook's cache in" in pushed.stderr, pushed.stderr
    assert "let the account that runs git own" in pushed.stderr
    assert pushed.returncode == 1 and "[not-on-roster]" in pushed.stderr, pushed.stderr
    assert sorted(p.relative_to(repo) for p in (repo / "dangwu").rglob("*")) == offered
    assert not (marks / "ran").exists()
    # said once: the next push is judged as well, without the warning again
    pushed = as_account(nobody, home, "git", "push", str(repo), "HEAD:refs/heads/main", cwd=clone)
    assert pushed.returncode == 1 and "[not-on-roster]" in pushed.stderr, pushed.stderr
    assert "cannot keep the hook's cache" not in pushed.stderr
    digest = hashlib.sha256(str(repo.resolve()).encode()).hexdigest()[:16]
    for folder in Path(tempfile.gettempdir()).glob(f"dangwu-hook-{nobody.pw_uid}-{digest}"):
        shutil.rmtree(folder)


def public_python(folder: Path) -> Path:
    """A virtual environment with dangwu in a folder everyone can read, as an IT person
    makes one for the server's git account: made from a Python of this version that
    others can run (the tests' own may sit in a home only root may enter), seeing the
    tests' packages."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for base in (Path(sys.base_prefix) / "bin" / version, Path("/usr/bin") / version):
        if base.exists() and all(p.stat().st_mode & 0o005 == 0o005 for p in base.parents):
            break
    else:
        pytest.skip(f"no {version} that other accounts can run (install Debian's {version})")
    venv = folder / "venv"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"

    def purelib(interpreter: str | Path) -> Path:
        script = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        done = subprocess.run([str(interpreter), "-c", script], capture_output=True, text=True)
        return Path(done.stdout.strip())

    root = Path(__file__).resolve().parent.parent
    (purelib(python) / "dangwu-tests.pth").write_text(
        f"{root}\n{purelib(sys.executable)}\n", "utf-8"
    )
    return python


# --- what git says when the server or the network says no -----------------------------------

BOILERPLATE = (
    "fatal: Could not read from remote repository.\n\n"
    "Please make sure you have the correct access rights\nand the repository exists.\n"
)
SSH_URL = "ssh://git@127.0.0.1:2222/office"


@pytest.mark.parametrize(
    ("said", "url", "cause", "words"),
    [
        (
            "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested "
            "strict checking.\nHost key verification failed.\n" + BOILERPLATE,
            SSH_URL,
            "host-key",
            ("does not know the server 127.0.0.1", "ssh -p 2222 git@127.0.0.1"),
        ),
        (
            "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
            "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
            "Host key for [127.0.0.1]:2222 has changed and you have requested strict "
            "checking.\nHost key verification failed.\n" + BOILERPLATE,
            SSH_URL,
            "host-key-changed",
            ("another machine", "ssh-keygen -R [127.0.0.1]:2222"),
        ),
        (
            "git@127.0.0.1: Permission denied (publickey).\r\n" + BOILERPLATE,
            "git@127.0.0.1:office",
            "key-refused",
            ("does not know your SSH key", "ssh-keygen -t ed25519"),
        ),
        (
            "FATAL: W any office carol DENIED by fallthru\n(or you mis-spelled the reponame)\n"
            + BOILERPLATE,
            SSH_URL,
            "denied",
            ("(W any office carol DENIED by fallthru)",),
        ),
        (
            "fatal: Authentication failed for 'http://127.0.0.1:8080/git/office.git/'\n",
            "http://127.0.0.1:8080/git/office.git",
            "password",
            ("wants a user name and password", "credential.helper"),
        ),
        (
            "fatal: could not read Username for 'http://127.0.0.1:8080': terminal prompts "
            "disabled\n",
            "http://127.0.0.1:8080/git/office.git",
            "password",
            ("wants a user name and password",),
        ),
        (
            "fatal: unable to access 'https://git.example.org/office.git/': The requested "
            "URL returned error: 403\n",
            "https://git.example.org/office.git",
            "forbidden",
            ("refuses your account",),
        ),
        (
            "fatal: repository 'http://127.0.0.1:8080/git/nothing.git/' not found\n",
            "http://127.0.0.1:8080/git/nothing.git",
            "not-found",
            ("there is no repository at http://127.0.0.1:8080/git/nothing.git",),
        ),
        (
            "fatal: '/srv/nowhere.git' does not appear to be a git repository\n" + BOILERPLATE,
            "/srv/nowhere.git",
            "not-found",
            ("there is no repository at /srv/nowhere.git",),
        ),
        (
            "ssh: connect to host 127.0.0.1 port 2222: Connection refused\n" + BOILERPLATE,
            SSH_URL,
            "unreachable",
            ("127.0.0.1 cannot be reached (nothing answers there)",),
        ),
        (
            "ssh: Could not resolve hostname git.office.invalid: Name or service not known\n"
            + BOILERPLATE,
            "git@git.office.invalid:office",
            "unreachable",
            ("git.office.invalid cannot be reached (its name is not known)",),
        ),
        (
            "fatal: the remote end hung up unexpectedly\n" + BOILERPLATE,
            SSH_URL,
            "other",
            ("the server could not be used: fatal: the remote end hung up unexpectedly",),
        ),
    ],
)
def test_a_network_failure_keeps_its_cause(said: str, url: str, cause: str, words: tuple):
    failure = network.explain(said, url)
    assert failure.cause == cause
    told = f"{failure.message}\n{failure.hint}"
    for word in words:
        assert word in told, told
    assert "and the repository exists" not in told


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ssh://git@host.example:2222/srv/office.git", ("host.example", "2222", "git", True)),
        ("git@host.example:office.git", ("host.example", None, "git", True)),
        ("host.example:office.git", ("host.example", None, None, True)),
        ("https://u@host.example/office.git", ("host.example", None, "u", False)),
        ("/srv/git/office.git", None),
        ("file:///srv/git/office.git", None),
        ("./office.git", None),
    ],
)
def test_the_address_of_a_remote(url: str, expected: tuple | None):
    where = network.address(url)
    assert (where and (where.host, where.port, where.user, where.ssh)) == expected


# --- on the servers offices run: gitolite over ssh, smart HTTP behind nginx ------------------

STAFF = ["linht", "dumy", "hanzg", "zhoulx", "hexy"]


@dataclass
class Hosted:
    """The office on a real server: how each of its people reaches it."""

    kind: str
    path: Path  # the bare repository on the server
    url: Callable[[str], str]  # the address, as the person with this roster key uses it
    env: Callable[[str], dict[str, str]]  # and what their git needs besides

    def sync(self, office: Office, key: str, now: str | None = None, **kw):
        return office.run("sync", as_=key, now=now, env=self.env(key), **kw)

    def clone(self, where: Path, key: str) -> Office:
        ok(Office(where), "clone", self.url(key), key, as_=key, env=self.env(key))
        return Office(where / key)


@pytest.fixture
def on_gitolite(gitolite: Gitolite, founder: Office) -> Hosted:
    """The office on gitolite: a repository its staff may push to (gitolite accounts
    named as their roster keys), dangwu's hooks installed by the office head, who
    pushed the office there."""
    path = gitolite.create_repo(writers=STAFF)
    name = path.name.removesuffix(".git")
    assert head_ref(path) == "refs/heads/master"
    installed = ok(founder, "hook", "install", str(path), as_="linht").stdout
    assert f"Installed {path / 'hooks' / 'pre-receive'}." in installed
    assert "The server's HEAD names the office's branch, main." in installed
    assert "GL_USER" in installed
    hosted = Hosted("gitolite", path, lambda _key: gitolite.url(name),
                    lambda key: gitolite.user(key).env)  # fmt: skip
    ok(founder, "remote", "add", gitolite.url(name), as_="linht")
    ok(founder, "sync", as_="linht", env=hosted.env("linht"))
    assert server_head(path) == founder.head()
    return hosted


@pytest.fixture
def on_http(smart_http: SmartHttp, founder: Office) -> Hosted:
    """The office behind nginx's basic auth: each person's password in their URL."""
    path = put_on_http(smart_http, founder)
    hosted = Hosted("http", path, lambda key: smart_http.user(key).url("office"),
                    lambda _key: {})  # fmt: skip
    ok(founder, "sync", as_="linht")
    assert server_head(path) == founder.head()
    return hosted


@pytest.fixture(params=["gitolite", "http"])
def hosted(request: pytest.FixtureRequest) -> Hosted:
    return request.getfixturevalue(f"on_{request.param}")


def test_an_office_works_through_the_server(hosted: Hosted, tmp_path: Path):
    clerk, member = hosted.clone(tmp_path, "dumy"), hosted.clone(tmp_path, "zhoulx")
    rid = drafted(clerk, "dumy", at(1, 9))
    ok(clerk, "submit", rid, as_="dumy", now=at(1, 10))
    sent = hosted.sync(clerk, "dumy", at(1, 11))
    assert sent.exit_code == 0 and "2 commit(s) sent" in sent.stdout, sent.output
    assert hosted.sync(member, "zhoulx", at(2, 9)).exit_code == 0
    ok(member, "approve", rid, as_="zhoulx", now=at(2, 10))
    assert hosted.sync(member, "zhoulx", at(2, 11)).exit_code == 0
    arrived = hosted.sync(clerk, "dumy", at(3, 9))
    assert f"周立新 (member)  approve  {rid}" in arrived.stdout, arrived.output
    ok(clerk, "publish", rid, as_="dumy", now=at(3, 10))
    assert hosted.sync(clerk, "dumy", at(3, 11)).exit_code == 0
    assert server_head(hosted.path) == clerk.head()
    assert json.loads(ok(clerk, "show", rid, "--json").stdout)["status"] == "published"
    assert eventually(lambda: audited_head(hosted.path / "dangwu") == server_head(hosted.path))
    ok(clerk, "audit")


def sync_refused(hosted: Hosted, clerk: Office, now: str) -> Result:
    """The clerk's sync, which the server's hook refuses."""
    return refused(
        clerk,
        "sync",
        as_="dumy",
        now=now,
        env=hosted.env("dumy"),
        expect="the server refused what this clone sends",
    )


def test_a_step_pushed_by_someone_else_is_refused(hosted: Hosted, tmp_path: Path):
    clerk = hosted.clone(tmp_path, "dumy")
    rid = drafted(clerk, "dumy", at(1, 9))
    ok(clerk, "submit", rid, as_="dumy", now=at(1, 10))
    assert hosted.sync(clerk, "dumy", at(1, 11)).exit_code == 0
    before = server_head(hosted.path)
    # the clerk approves on the leader's behalf, as the leader, and pushes it
    ok(clerk, "approve", rid, as_="hanzg", now=at(2, 9))
    result = sync_refused(hosted, clerk, at(2, 10))
    assert "[not-the-pusher]" in result.stderr
    # the server speaks the office's language (its hook was installed without --lang)
    if hosted.kind == "gitolite":
        assert "dangwu: 拒绝接收 main：推送的 1 个提交中有 1 处违反党务公开规定" in result.stderr
    assert "git reset --keep origin/main" in result.stderr
    assert server_head(hosted.path) == before
    clerk.git("reset", "-q", "--keep", "origin/main")
    assert clerk.head() == before


def test_a_submitted_record_discarded_with_plain_git_is_refused(hosted: Hosted, tmp_path: Path):
    """The clerk removes a record the leading group has already seen, with plain git and
    a forged discard step, and pushes it: the server keeps the record."""
    clerk = hosted.clone(tmp_path, "dumy")
    rid = drafted(clerk, "dumy", at(1, 9))
    ok(clerk, "submit", rid, as_="dumy", now=at(1, 10))
    assert hosted.sync(clerk, "dumy", at(1, 11)).exit_code == 0
    before = server_head(hosted.path)
    path = next(clerk.root.glob(f"records/*/{rid}.yaml")).relative_to(clerk.root).as_posix()
    (clerk.root / path).unlink()
    # the step claims the record was still a draft
    commit(clerk, "dumy", discard_message(rid, "机关廉洁自律若干规定", "dumy"), path, date=at(2, 9))
    result = sync_refused(hosted, clerk, at(2, 10))
    assert rid in result.stderr and "discard" in result.stderr, result.stderr
    assert server_head(hosted.path) == before
    listed = subprocess.run(
        ["git", "-C", str(hosted.path), "ls-tree", "-r", "--name-only", before],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert path in listed.splitlines()


def test_two_clerks_syncing_at_once_both_land(hosted: Hosted, tmp_path: Path):
    """Both pushes are judged against the same old head and reach the ref update
    together (the server holds each until both are there); the one git refuses with
    'cannot lock ref' is sent again by its sync, on top of the other."""
    hooks = hosted.path / "hooks"
    (hooks / "pre-receive").rename(hooks / "dangwu-pre-receive")
    barrier = tmp_path / "barrier"
    (hooks / "pre-receive").write_text(
        f"""#!/bin/sh
input=$(cat)
mkdir -p '{barrier}' && touch '{barrier}/'$$
n=0
while [ "$(ls '{barrier}' | wc -l)" -lt 2 ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n+1)); done
printf '%s\\n' "$input" | exec '{hooks / "dangwu-pre-receive"}'
""",
        "utf-8",
    )
    (hooks / "pre-receive").chmod(0o755)
    clones = {key: hosted.clone(tmp_path, key) for key in ("dumy", "hexy")}
    drafted(clones["dumy"], "dumy", at(2, 9))
    drafted(clones["hexy"], "hexy", at(2, 9), title="党员教育管理制度")
    env = {k: v for k, v in os.environ.items() if k != "DANGWU_LANG"}
    syncs = {
        key: subprocess.Popen(
            [sys.executable, "-m", "dangwu", "sync"],
            cwd=office.root,
            env={
                **env,
                **hosted.env(key),
                "DANGWU_LANG": "en",
                "DANGWU_NOW": at(2, 10),
                "GIT_AUTHOR_NAME": key,
                "GIT_AUTHOR_EMAIL": f"{key}@example.org",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for key, office in clones.items()
    }
    said = {key: p.communicate(timeout=120) for key, p in syncs.items()}
    assert all(p.returncode == 0 for p in syncs.values()), said
    assert len(list(barrier.iterdir())) == 3  # two that met, and the loser's second push
    log = git_in(hosted.path, "log", "--format=%s", "-2").splitlines()
    assert [line.split(":")[0] for line in log] == ["new", "new"] and log[0] != log[1]


# --- gitolite's own ways ----------------------------------------------------------------------


def test_a_server_account_other_than_the_roster_key(
    on_gitolite: Hosted, gitolite: Gitolite, founder: Office, tmp_path: Path
):
    path = on_gitolite.path
    name = path.name.removesuffix(".git")
    gitolite.create_repo(name, writers=["xiaodu"])  # a second rule for the same repository
    ok(founder, "roster", "set", "dumy", "--account", "xiaodu", as_="linht", now=at(1, 8))
    ok(founder, "sync", as_="linht", now=at(1, 8), env=gitolite.user("linht").env)
    xiaodu = gitolite.user("xiaodu").env
    ok(Office(tmp_path), "clone", gitolite.url(name), "c", as_="dumy", env=xiaodu)
    clerk = Office(tmp_path / "c")
    drafted(clerk, "dumy", at(1, 9))
    ok(clerk, "sync", as_="dumy", now=at(1, 10), env=xiaodu)
    assert server_head(path) == clerk.head()
    # the account named for dumy is xiaodu's now: the key 'dumy' no longer speaks for them
    drafted(clerk, "dumy", at(1, 11), title="另一项制度")
    result = clerk.run("sync", as_="dumy", now=at(1, 12), env=gitolite.user("dumy").env)
    assert result.exit_code == 1 and "[not-the-pusher]" in result.stderr, result.output


def test_sync_explains_an_unknown_host_and_an_unknown_key(
    on_gitolite: Hosted, gitolite: Gitolite, founder: Office
):
    for env, expect in (
        (gitolite.stranger_env(host_known=False, key_known=True), "does not know the server"),
        (gitolite.stranger_env(), "the server 127.0.0.1 does not know your SSH key"),
    ):
        result = refused(founder, "sync", as_="linht", env=env, expect=expect)
        assert "and the repository exists" not in result.stderr


def test_gitolite_repo_specific_hooks(founder: Office, tmp_path: Path):
    """A server that keeps hooks in gitolite's LOCAL_CODE: dangwu's go there, and the
    repository's conf names them; gitolite links them in and they judge pushes."""
    with running_gitolite(tmp_path / "gl") as gitolite:
        rc = gitolite.home / ".gitolite.rc"
        text = rc.read_text("utf-8")
        text = text.replace('# LOCAL_CODE                =>  "$ENV{HOME}/local",',
                            'LOCAL_CODE                =>  "$ENV{HOME}/local",', 1)  # fmt: skip
        text = text.replace("# 'repo-specific-hooks',", "'repo-specific-hooks',", 1)
        rc.write_text(text, "utf-8")
        (gitolite.home / "local" / "hooks" / "repo-specific").mkdir(parents=True)
        path = gitolite.create_repo("office", writers=["linht"])
        result = ok(founder, "hook", "install", str(path), as_="linht")
        local = gitolite.home / "local" / "hooks" / "repo-specific"
        assert f"Installed {local / 'dangwu-pre-receive'}." in result.stdout
        assert "option hook.pre-receive  = dangwu-pre-receive" in result.stdout
        assert not (path / "hooks" / "pre-receive").exists()
        conf = gitolite.admin_clone / "conf" / "gitolite.conf"
        with conf.open("a", encoding="utf-8") as out:
            out.write(
                "repo office\n    option hook.pre-receive = dangwu-pre-receive\n"
                "    option hook.post-receive = dangwu-post-receive\n"
            )
        gitolite._publish("dangwu's hooks for office")
        again = ok(founder, "hook", "install", str(path), as_="linht").stdout
        assert "Still to do" not in again
        linht = gitolite.user("linht").env
        ok(founder, "remote", "add", gitolite.url("office"), as_="linht")
        ok(founder, "sync", as_="linht", env=linht)
        before = server_head(path)
        (founder.root / "records").mkdir()
        (founder.root / "records" / "x.yaml").write_text("title: [\n", "utf-8")
        founder.git("add", "records")
        founder.git("-c", "user.name=林海涛", "-c", "user.email=linht@example.org",
                    "commit", "-qm", "by hand")  # fmt: skip
        result = founder.run("sync", as_="linht", env=linht)
        assert result.exit_code == 1 and "[unreadable]" in result.stderr, result.output
        assert server_head(path) == before


# --- over smart HTTP, behind nginx -------------------------------------------------------------


def put_on_http(smart_http: SmartHttp, founder: Office, url: str | None = None) -> Path:
    """The office behind nginx's basic auth, pushed there by the office head."""
    for key in STAFF:
        if key not in smart_http.users:
            smart_http.add_user(key)
    path = smart_http.create_repo("office")
    ok(founder, "hook", "install", "--server", "http", "--lang", "en", str(path), as_="linht")
    ok(founder, "remote", "add", url or smart_http.user("linht").url("office"), as_="linht")
    return path


def counting_askpass(folder: Path, user: str, password: str) -> tuple[Path, Path]:
    """A GIT_ASKPASS that answers as ``user`` and writes down every question."""
    asked = folder / "asked"
    script = folder / "askpass"
    script.write_text(
        f"#!/bin/sh\necho \"$1\" >> '{asked}'\n"
        f'case "$1" in Username*) echo {user};; *) echo {password};; esac\n',
        "utf-8",
    )
    script.chmod(0o755)
    return script, asked


def test_sync_over_http_asks_for_the_password_once(
    smart_http: SmartHttp, founder: Office, tmp_path: Path
):
    path = put_on_http(smart_http, founder, url=smart_http.url("office"))
    script, asked = counting_askpass(tmp_path, "linht", smart_http.user("linht").password)
    env = {"GIT_ASKPASS": str(script), "GIT_TERMINAL_PROMPT": "0"}
    ok(founder, "sync", as_="linht", now=at(1, 8), env=env)
    assert server_head(path) == founder.head()
    drafted(founder, "linht", at(1, 9))
    ok(founder, "sync", as_="linht", now=at(1, 10), env=env)
    assert server_head(path) == founder.head()
    # a fetch and a push each time, one question of each kind each time
    questions = asked.read_text("utf-8").splitlines()
    assert [q.split()[0] for q in questions] == ["Username", "Password"] * 2, questions
    assert not list((founder.root / ".git" / "dangwu" / "credentials").glob("socket"))

    # a wrong password: one clear line, nothing changed
    drafted(founder, "linht", at(1, 11), title="另一项制度")
    (tmp_path / "wrong").mkdir()
    wrong, _asked = counting_askpass(tmp_path / "wrong", "linht", "not-it")
    result = refused(
        founder,
        "sync",
        as_="linht",
        now=at(1, 12),
        env={**env, "GIT_ASKPASS": str(wrong)},
        expect="wants a user name and password, and did not get right ones",
    )
    assert "Traceback" not in result.output


def test_a_clone_in_a_deep_folder_is_asked_once_too(
    smart_http: SmartHttp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """git's credential cache listens on a socket, whose path may not be long: an
    office deep in folders keeps it in a short private folder instead, and removes
    it. (The temporary folders are this test's own: the other worker's tests make
    theirs meanwhile.)"""
    office = make_office(tmp_path / ("深" * 20) / ("folder-" * 8) / "office")
    assert len(str(office.root / ".git" / "dangwu" / "credentials" / "socket")) > 108
    put_on_http(smart_http, office, url=smart_http.url("office"))
    script, asked = counting_askpass(tmp_path, "linht", smart_http.user("linht").password)
    env = {"GIT_ASKPASS": str(script), "GIT_TERMINAL_PROMPT": "0"}
    temporary = Path(tempfile.mkdtemp(prefix="dwt-"))  # short, as /tmp is
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    try:
        ok(office, "sync", as_="linht", now=at(1, 8), env=env)
        assert [q.split()[0] for q in asked.read_text("utf-8").splitlines()] == [
            "Username",
            "Password",
        ]
        assert list(temporary.iterdir()) == []
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def test_clone_answers_in_the_offices_language(founder: Office, tmp_path: Path):
    repo = bare(tmp_path / "server.git", "main")
    ok(founder, "hook", "install", str(repo))
    founder.git("push", "-q", str(repo), "HEAD:refs/heads/main")
    # a clerk whose computer says nothing of a language (no DANGWU_LANG, LANG=C)
    result = Office(tmp_path).run(
        "clone", str(repo), "c", as_="dumy", env={"DANGWU_LANG": None, "LANG": "C.UTF-8"}
    )
    assert result.exit_code == 0, result.output
    assert "已将 江城市司法局 的公开档案库克隆到" in result.stdout, result.stdout


def test_clone_over_http_asks_for_the_password_once(
    smart_http: SmartHttp, founder: Office, tmp_path: Path
):
    put_on_http(smart_http, founder)
    ok(founder, "sync", as_="linht", now=at(1, 8))
    smart_http.users.get("dumy") or smart_http.add_user("dumy")
    script, asked = counting_askpass(tmp_path, "dumy", smart_http.user("dumy").password)
    env = {"GIT_ASKPASS": str(script), "GIT_TERMINAL_PROMPT": "0"}
    ok(Office(tmp_path), "clone", smart_http.url("office"), "c", as_="dumy", env=env)
    assert [q.split()[0] for q in asked.read_text("utf-8").splitlines()] == [
        "Username",
        "Password",
    ]
    assert (tmp_path / "c" / "dangwu.yaml").exists()


def test_what_the_server_says_of_a_push_it_took_is_passed_on(founder: Office, tmp_path: Path):
    """A hook that cannot keep its cache where it should says so once; sync shows it
    to the pusher, who passes it on."""
    repo = bare(tmp_path / "server.git", "main")
    ok(founder, "hook", "install", "--lang", "en", str(repo))
    shutil.rmtree(repo / "dangwu")
    (repo / "dangwu").write_text("not a folder\n", "utf-8")  # nobody can keep files there
    ok(founder, "remote", "add", str(repo), as_="linht")
    result = ok(founder, "sync", as_="linht", now=at(1, 8))
    assert "the server said (pass it on to whoever runs it):" in result.stderr, result.output
    assert f"dangwu: cannot keep the hook's cache in {repo / 'dangwu'}" in result.stderr
    assert server_head(repo) == founder.head()
    digest = hashlib.sha256(str(repo.resolve()).encode()).hexdigest()[:16]
    for folder in Path(tempfile.gettempdir()).glob(f"dangwu-hook-{os.getuid()}-{digest}"):
        settled_in(folder)
        shutil.rmtree(folder)


def test_hook_print_comments_in_the_hooks_language(office: Office):
    chinese = ok(office, "hook", "print", "--lang", "zh_CN").stdout
    assert "# 拒绝违反党务公开规定的推送" in chinese
    assert "# dangwu pre-receive hook" in chinese  # the mark install looks for
    english = ok(office, "hook", "print", "--lang", "en").stdout
    assert "# Refuses a push that breaks the disclosure rules" in english
