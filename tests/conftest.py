"""Test fixtures: real git repositories in temporary folders, real identities.

Every test runs with an isolated git configuration (no global or system config),
a pinned clock, and the sample office's roster. One seeded office is built per
session and copied for each test that needs it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from servers import gitolite, smart_http  # noqa: F401  (fixtures for every test module)
from typer.testing import CliRunner

from dangwu.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SETTINGS = ROOT / "dangwu.yaml"

# roster key -> (name, email) of the sample office
PEOPLE = {
    "hanzg": ("韩振国", "hanzg@example.org"),  # leader
    "zhoulx": ("周立新", "zhoulx@example.org"),  # member
    "sunhm": ("孙慧敏", "sunhm@example.org"),  # member
    "linht": ("林海涛", "linht@example.org"),  # office head
    "hexy": ("何晓燕", "hexy@example.org"),  # office deputy
    "dumy": ("杜明远", "dumy@example.org"),  # clerk
    "chensh": ("陈淑华", "chensh@example.org"),  # supervisor
}
DEFAULT_NOW = "2026-10-05T10:00:00+08:00"


# Where the tests' folders go when nobody said (--basetemp, PYTEST_DEBUG_TEMPROOT): a
# memory file system with room, if the machine has one. Every test copies offices and
# runs git in them, and the suite deletes what it made: on ext4 the kernel then passes
# over each recently deleted inode whenever it makes a file (perf: find_get_block_common
# and recently_deleted among the kernel's top symbols). test_procedure.py and
# test_records.py: 18.5-39.5 s wall, 5.7-10.0 s system time in /tmp (as much as the
# runs before had deleted); 15.0 s, 3.5 s in /dev/shm.
MEMORY_ROOT = Path("/dev/shm")
MEMORY_ROOM = 4 << 30  # a run makes about 0.9 GiB; pytest keeps the last one


def memory_temp_root() -> Path | None:
    """``/dev/shm`` when it is a tmpfs this user may write to, that runs programs (the
    tests' servers run hooks they write there) and has room; else None."""
    try:
        mounts = Path("/proc/mounts").read_text("utf-8").splitlines()
        room = os.statvfs(MEMORY_ROOT)
    except OSError:
        return None
    fields = [line.split() for line in mounts]
    mounted = [f for f in fields if len(f) > 3 and f[1] == str(MEMORY_ROOT)]
    if not mounted or mounted[-1][2] != "tmpfs" or "noexec" in mounted[-1][3].split(","):
        return None
    if room.f_bavail * room.f_frsize < MEMORY_ROOM or not os.access(MEMORY_ROOT, os.W_OK):
        return None
    return MEMORY_ROOT


def pytest_configure(config: pytest.Config) -> None:
    if config.option.basetemp is None and "PYTEST_DEBUG_TEMPROOT" not in os.environ:
        root = memory_temp_root()
        if root is not None:  # read when the first folder is made (xdist: by the controller)
            os.environ["PYTEST_DEBUG_TEMPROOT"] = str(root)


# The files that take longest, measured, longest first. With --dist loadfile a worker
# takes whole files in collection order: a long file begun last would leave the other
# core idle at the end, so these are handed out first and the short ones fill in.
LONGEST_FIRST = (  # seconds of the file's tests, a run of 2026-12-07
    "test_readme.py",  # 58
    "test_deploy.py",  # 44
    "test_scope_property.py",  # 31
    "test_trust.py",  # 27
    "test_audit.py",  # 23
    "test_site_browser.py",  # 22
    "test_sharing.py",  # 18
    "test_archive.py",  # 17
    "test_site.py",  # 15
    "test_i18n.py",  # 15
    "test_procedure.py",  # 13
    "test_board.py",  # 12
    "test_servers.py",  # 10
    "test_circular.py",  # 8
    "test_supervision.py",  # 8
    "test_bad_input.py",  # 7
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: in-file order kept


@pytest.fixture(autouse=True, scope="session")
def _build_the_cli_once() -> Iterator[None]:
    """Typer builds its click command anew on every CliRunner.invoke (~20 ms, most of
    a short command); a real dangwu process builds it once. Build it once here too."""
    import functools

    import typer.testing

    original = typer.testing._get_command
    typer.testing._get_command = functools.cache(original)
    yield
    typer.testing._get_command = original


@pytest.fixture(autouse=True, scope="session")
def _one_pagefind_per_worker() -> Iterator[None]:
    """Every search index a test builds in this process made by one Pagefind service,
    as a portal's sections are (search.one_pagefind): each Pagefind spends 0.2 s of
    CPU reading its Chinese dictionary as it starts, and the tests build about a
    hundred sites. (Its indexes are the same; tests/test_search.py, which tests the
    services themselves, steps outside it.)"""
    from dangwu.store import search

    with search.one_pagefind():
        yield


def isolate(mp: pytest.MonkeyPatch, home: Path) -> None:
    """Point git and dangwu at an empty home: no developer config, identity, editor or
    language leaks into a test."""
    config = home / ".gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n[safe]\n\tdirectory = *\n", "utf-8")
    mp.setenv("HOME", str(home))
    mp.setenv("GIT_CONFIG_GLOBAL", str(config))
    mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_NAME",
        "EMAIL",
        "DANGWU_REPO",
        "DANGWU_NOW",
        "VISUAL",
        "EDITOR",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "DANGWU_FAULT",
        "XDG_CACHE_HOME",
    ):
        mp.delenv(name, raising=False)
    mp.setenv("DANGWU_LANG", "en")
    mp.setenv("NO_COLOR", "1")
    mp.setenv("COLUMNS", "200")


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's git config, identity or language."""
    isolate(monkeypatch, tmp_path_factory.mktemp("home"))


def settled(bare: Path) -> None:
    """Wait until the server's post-receive, which runs on after the push returns, has
    written its receipts and its audit (it holds this lock from before git returns)."""
    _received(bare / "dangwu")


def _received(state: Path) -> None:
    lock = state / "after.lock"
    if lock.exists():
        with lock.open("a") as held:
            fcntl.flock(held, fcntl.LOCK_SH)


def settled_in(state: Path) -> None:
    """Until all the post-receive's work in the hook's folder ``state`` is done: its
    receipts and audit written (:func:`settled`), and its catch-up finished."""
    _received(state)
    assert eventually(lambda: not list(state.glob("catch-up.lock")) or _caught_up(state))


def _caught_up(state: Path) -> bool:
    with (state / "catch-up.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


def eventually(check: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def identity_env(key: str | None) -> dict[str, str]:
    if key is None:
        return {}
    name, email = PEOPLE.get(key, (key, f"{key}@example.org"))
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}


def git(repo: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True) -> str:
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=full_env, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout.strip()


def commit_as(repo: Path, key: str, message: str, *paths: str, date: str = DEFAULT_NOW) -> str:
    """A plain-git commit, as someone editing by hand would make it."""
    name, email = PEOPLE.get(key, (key, f"{key}@example.org"))
    env = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    git(repo, "add", "--", *(paths or (".",)))
    git(repo, "commit", "-q", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Office:
    """An office repository on disk and a way to run dangwu in it."""

    root: Path
    runner: CliRunner = field(default_factory=CliRunner)

    def run(
        self,
        *args: str,
        as_: str | None = "dumy",
        now: str | None = DEFAULT_NOW,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Result:
        full_env: dict[str, Any] = {**identity_env(as_), **(env or {})}
        if now is not None:
            full_env["DANGWU_NOW"] = now
        old = Path.cwd()
        os.chdir(self.root)
        try:
            result = self.runner.invoke(
                app, list(args), input=input, env=full_env, catch_exceptions=True
            )
        finally:
            os.chdir(old)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr, result.exception)

    def git(self, *args: str, env: Mapping[str, str] | None = None, check: bool = True) -> str:
        return git(self.root, *args, env=env, check=check)

    def write(self, relpath: str, text: str | bytes) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def read(self, relpath: str) -> str:
        return (self.root / relpath).read_text(encoding="utf-8")

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def state(self) -> dict[str, Any]:
        """Everything a user could see of the repository: HEAD, index, working tree."""
        files = {}
        for path in sorted(self.root.rglob("*")):
            if ".git" in path.relative_to(self.root).parts or not path.is_file():
                continue
            files[path.relative_to(self.root).as_posix()] = hashlib.sha1(
                path.read_bytes()
            ).hexdigest()
        # HEAD, the index and the working tree in one git: porcelain v2 with --branch
        # names HEAD's commit and branch, and every entry that differs with its modes
        # and its blobs in HEAD and in the index (the index is HEAD's tree but for
        # those). Left out: how far the branch is from its upstream, which a fetch
        # moves while the clone itself stands.
        said = self.git("status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all")
        status = [f for f in said.split("\0") if not f.startswith(("# branch.ab ", "# branch.up"))]
        oid = next(f for f in status if f.startswith("# branch.oid "))
        return {
            "head": "" if oid.endswith("(initial)") else oid.removeprefix("# branch.oid "),
            "status": status,
            "files": files,
            "locks": sorted(p.name for p in (self.root / ".git").glob("*.lock")),
        }

    def commits(self) -> list[str]:
        return self.git("log", "--format=%H").splitlines()

    def new(
        self,
        *extra: str,
        category: str = "zuzhi-jianshe",
        item: str = "party-dues",
        title: str = "2026年第三季度党费收缴管理情况",
        as_: str = "dumy",
        now: str | None = DEFAULT_NOW,
    ) -> str:
        args = ["new", category, "--item", item, "--title", title, "--json", *extra]
        if item == "party-dues" and "--period" not in extra:
            args += ["--period", "2026Q3"]
        result = self.run(*args, as_=as_, now=now)
        assert result.exit_code == 0, result.output
        import json

        return str(json.loads(result.stdout)["id"])


def clerk_commit(store: Any, prepared_on: str, path: str, content: bytes) -> str:
    """What a step does once it holds the lock: ``path`` committed by the clerk, as
    prepared on ``prepared_on`` (the head read under the lock, GitStore.commit's
    ``expect_head``)."""
    from datetime import datetime

    from dangwu.store.gitstore import Identity

    name, email = PEOPLE["dumy"]
    return str(
        store.commit(
            {path: content},
            f"new: {Path(path).stem}",
            author=Identity(name, email),
            when=datetime.fromisoformat(DEFAULT_NOW),
            expect_head=prepared_on,
        )
    )


def make_office(root: Path, *, signing: bool = False) -> Office:
    """A committed office with the sample roster and no records. The sample requires
    signed decisions, approvals, rejections, withdrawals and publications; most tests
    are about other rules, so their office does not (``signing`` keeps the sample's
    rule; the tests of signing and of the demo use it)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    text = SAMPLE_SETTINGS.read_text("utf-8")
    if not signing:
        text = text.replace("  require_signing: true ", "  require_signing: false")
        assert "require_signing: false" in text
    (root / "dangwu.yaml").write_text(text, "utf-8")
    commit_as(root, "linht", "init: 江城市司法局", "dangwu.yaml", date="2026-01-02T09:00:00+08:00")
    return Office(root)


@pytest.fixture(scope="session")
def _seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("seed") / "office"
    env = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        make_office(root)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return root


@pytest.fixture
def office(_seed: Path, tmp_path: Path) -> Office:
    target = tmp_path / "office"
    shutil.copytree(_seed, target, symlinks=True)
    return Office(target)


@pytest.fixture
def office_factory(_seed: Path, tmp_path: Path) -> Iterator[Any]:
    count = 0

    def make(name: str | None = None) -> Office:
        nonlocal count
        count += 1
        target = tmp_path / (name or f"office{count}")
        shutil.copytree(_seed, target, symlinks=True)
        return Office(target)

    yield make


@pytest.fixture(scope="session")
def demo_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample office as ``dangwu demo`` builds it, built once per test run and
    shared by every xdist worker (the first to ask builds it under a lock); tests copy
    it with :func:`copy_demo`. The demo is the same commits in every language and on
    every machine (tests/test_i18n.py checks that), so one build serves them all."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    target = shared / "demo-seed" / "office"
    done = shared / "demo-seed" / "built"
    target.parent.mkdir(parents=True, exist_ok=True)
    with (shared / "demo-seed.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            home = target.parent / "home"
            home.mkdir(exist_ok=True)
            built = _seed_process("demo", str(target), cwd=target.parent, home=home)
            assert built.returncode == 0, built.stderr
            (target.parent / "stderr").write_text(built.stderr, "utf-8")
            done.write_text(built.stdout, "utf-8")  # last: it says the build is whole
    return target


@pytest.fixture(scope="session")
def audited_demo(demo_seed: Path) -> Path:
    """The sample office after one ``dangwu audit``, for the tests that copy it to
    print, file or check things: its caches hold what the audit read, above all the
    verdicts on its 59 signatures, for which git asks ssh-keygen twice each (118
    processes, about 0.7 s of CPU, in every test whose command reads them from a
    fresh copy). The README's walk and the tests of what ``demo`` builds start from
    ``demo_seed`` itself, as a new user does."""
    target = demo_seed.parent.parent / "demo-audited" / "office"
    done = target.parent / "audited"
    with (demo_seed.parent.parent / "demo-seed.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(target.parent, ignore_errors=True)
            shutil.copytree(demo_seed, target, symlinks=True)
            audited = _seed_process("audit", cwd=target, home=demo_seed.parent / "home")
            assert audited.returncode == 0, audited.stdout + audited.stderr
            done.write_text(audited.stdout, "utf-8")  # last: it says the copy is whole
    return target


def _seed_process(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """dangwu run as its own process for a shared seed: no identity or office of
    ours, English, the seed's own empty home."""
    env = {
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "DANGWU_LANG": "en",
    }
    return dangwu_process(*args, cwd=cwd, env=env, timeout=300, drop=("GIT_", "DANGWU_"))


def demo_printed(seed: Path) -> tuple[str, str]:
    """What ``dangwu demo`` printed when it built the seed: standard output and error."""
    return (seed.parent / "built").read_text("utf-8"), (seed.parent / "stderr").read_text("utf-8")


def need_pdf() -> None:
    """Skip, naming the Debian package, where this machine cannot print PDFs or read
    them back (.ci/run installs them all, so CI runs these tests)."""
    for program in ("pdftotext", "pdffonts"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} not found: install the Debian package poppler-utils")
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list not found: install the Debian packages fontconfig fonts-noto-cjk")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    if not fonts.stdout.strip():
        pytest.skip("no Chinese font: install the Debian package fonts-noto-cjk")


def need_fonts(*families: str) -> None:
    """Skip, naming the Debian package, where a typeface the printed pages ask for
    is not installed (.ci/run installs fonts-noto-cjk and fonts-hanazono)."""
    need_pdf()
    known = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False)
    names = {name.strip() for line in known.stdout.splitlines() for name in line.split(",")}
    packages = {"HanaMinA": "fonts-hanazono", "HanaMinB": "fonts-hanazono"}
    for family in families:
        if family not in names:
            pytest.skip(
                f"{family} not installed: apt-get install {packages.get(family, 'fonts-noto-cjk')}"
            )


def copy_demo(seed: Path, target: Path) -> Path:
    """A private copy of the demo office at ``target``."""
    shutil.copytree(seed, target, symlinks=True)
    return target


def dangwu_process(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
    drop: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """Run dangwu as its own process, as a user's shell would; ``drop`` leaves out the
    variables of ours that start so (the language tests start from no locale)."""
    ours = {k: v for k, v in os.environ.items() if not (drop and k.startswith(drop))}
    full_env = {**ours, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "dangwu", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
