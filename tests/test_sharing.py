"""Working together through a shared server [SPEC 9], tested with a bare repository
on the local disk and several clones, each used by one person, as in an office."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from conftest import PEOPLE, Office, dangwu_process, make_office, settled_in
from steps import at, consulting, ok

from dangwu.store.gitstore import GRAPH_LAG, is_bare


def git_in(path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(path), *args], capture_output=True, text=True, check=check
    )


def server_head(server: Path) -> str:
    return git_in(server, "rev-parse", "refs/heads/main").stdout.strip()


@pytest.fixture(scope="module")
def founded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A guarded bare server holding a new office (the sample roster, no records), as
    its head founded it, once for the module: its hooks' work after that first push
    done."""
    with pytest.MonkeyPatch.context() as mp:
        from conftest import isolate

        isolate(mp, tmp_path_factory.mktemp("sharing-home"))
        base = tmp_path_factory.mktemp("founded")
        first = make_office(base / "founding")
        bare = base / "server.git"
        subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
        ok(first, "hook", "install", "--lang", "en", str(bare))  # these tests read English
        ok(first, "remote", "add", str(bare), as_="linht")
        ok(first, "sync", as_="linht")
        settled_in(bare / "dangwu")
        return bare


@pytest.fixture
def server(founded: Path, tmp_path: Path) -> Path:
    """A copy of the founded server, each test's own."""
    bare = tmp_path / "server.git"
    shutil.copytree(founded, bare, symlinks=True)
    return bare


def join(server: Path, folder: Path, key: str) -> Office:
    """A colleague's clone, made with dangwu clone."""
    where = Office(folder.parent)
    result = ok(where, "clone", str(server), str(folder), as_=key)
    assert f"({key})" in result.stdout, result.stdout
    return Office(folder)


def sync(office: Office, key: str, now: str, *, code: int = 0, extra: tuple[str, ...] = ()):
    result = office.run("sync", *extra, as_=key, now=now)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def new(office: Office, key: str, now: str, **kw) -> str:
    kw.setdefault("category", "zhidu-jianshe")
    kw.setdefault("item", "integrity-rules")
    kw.setdefault("title", "机关廉洁自律若干规定")
    return office.new("--summary", "摘要", "--body", "正文。", as_=key, now=now, **kw)


# --- the procedure across three clones --------------------------------------------------


def test_three_colleagues_take_a_major_record_through_the_procedure(server: Path, tmp_path: Path):
    clerk = join(server, tmp_path / "clerk", "dumy")
    member = join(server, tmp_path / "member", "zhoulx")
    leader = join(server, tmp_path / "leader", "hanzg")
    rid = clerk.new(
        "--major",
        "--event-date",
        "2026-10-01",
        "--summary",
        "任用",
        "--body",
        "任命决定。",
        category="zuzhi-jianshe",
        item="section-appointments",
        title="干部任用决定",
        as_="dumy",
        now=at(1, 9),
    )
    ok(clerk, "submit", rid, as_="dumy", now=at(1, 10))
    sent = sync(clerk, "dumy", at(1, 11))
    assert "2 commit(s) sent" in sent.stdout

    arrived = sync(member, "zhoulx", at(2, 9))
    assert "2 commit(s) arrived" in arrived.stdout
    assert f"杜明远 (clerk)  submit  {rid}" in arrived.stdout
    attendees = [a for k in ("hanzg", "zhoulx", "sunhm", "qianwb") for a in ("--attendee", k)]
    ok(
        member,
        "decide",
        rid,
        "--meeting",
        "2026-10-02",
        *attendees,
        "--outcome",
        "publish",
        as_="zhoulx",
        now=at(2, 10),
    )
    sync(member, "zhoulx", at(2, 11))

    sync(leader, "hanzg", at(3, 9))
    ok(leader, "approve", rid, as_="hanzg", now=at(3, 10))
    sync(leader, "hanzg", at(3, 11))

    arrived = sync(clerk, "dumy", at(4, 9))
    assert f"韩振国 (leader)  approve  {rid}" in arrived.stdout
    ok(clerk, "publish", rid, as_="dumy", now=at(4, 10))
    sync(clerk, "dumy", at(4, 11))

    for office, key in ((member, "zhoulx"), (leader, "hanzg")):
        sync(office, key, at(5, 9))
        assert json.loads(ok(office, "show", rid, "--json").stdout)["status"] == "published"
        assert office.head() == server_head(server)
    steps = git_in(server, "log", "--reverse", "--format=%an %s").stdout.splitlines()
    assert [s.split(":")[0] for s in steps[-5:]] == [
        "杜明远 new",
        "杜明远 submit",
        "周立新 decide",
        "韩振国 approve",
        "杜明远 publish",
    ]
    # each sync judged what arrived against the history before it (kept since): the
    # audit stands for all six commits, however many it read now
    verdict = json.loads(ok(leader, "audit", "--json").stdout)
    assert verdict["violations"] == [] and verdict["commits_checked"] == 6, verdict


def test_sync_with_nothing_new_says_so(server: Path, tmp_path: Path):
    clerk = join(server, tmp_path / "clerk", "dumy")
    before = clerk.state()
    result = sync(clerk, "dumy", at(1))
    assert "Up to date with origin." in result.stdout
    assert clerk.state() == before


def test_two_clerks_drafting_at_once_both_land(server: Path, tmp_path: Path):
    clerk = join(server, tmp_path / "clerk", "dumy")
    head = join(server, tmp_path / "head", "linht")
    mine = new(clerk, "dumy", at(1, 9))
    theirs = new(head, "linht", at(1, 9), title="党员教育管理制度")
    assert mine != theirs  # each drafter numbers from their own block
    sync(clerk, "dumy", at(1, 10))
    result = sync(head, "linht", at(1, 11))
    assert "1 commit(s) arrived" in result.stdout and "1 commit(s) sent" in result.stdout
    sync(clerk, "dumy", at(1, 12))
    for office in (clerk, head):
        ids = {r["id"] for r in json.loads(ok(office, "list", "--json").stdout)}
        assert ids == {mine, theirs}
        assert office.head() == server_head(server)
    # the rebased commit kept its author and the time of the act, and is dated as made
    # when the sync put it on top of what arrived: the history's dates run forwards
    line = git_in(server, "log", "-1", "--format=%an|%aI|%cI|%s").stdout.strip()
    assert line == f"林海涛|{at(1, 9)}|{at(1, 11)}|new: {theirs} 党员教育管理制度"
    assert ok(head, "audit").exit_code == 0


# --- a record changed on two clones ------------------------------------------------------


@pytest.fixture
def conflicted(server: Path, tmp_path: Path) -> tuple[Office, Office, str]:
    clerk = join(server, tmp_path / "clerk", "dumy")
    head = join(server, tmp_path / "head", "linht")
    rid = new(clerk, "dumy", at(1, 9))
    sync(clerk, "dumy", at(1, 10))
    sync(head, "linht", at(1, 11))
    ok(head, "set", rid, "summary=主任改的摘要", as_="linht", now=at(2, 9))
    sync(head, "linht", at(2, 10))
    ok(clerk, "set", rid, "summary=科员改的摘要", as_="dumy", now=at(2, 11))
    return clerk, head, rid


def test_an_edit_to_the_same_draft_on_two_clones_is_explained_and_nothing_is_lost(
    conflicted: tuple[Office, Office, str], server: Path
):
    clerk, _head, rid = conflicted
    before, on_server = clerk.state(), server_head(server)
    result = sync(clerk, "dumy", at(2, 12), code=1)
    assert "nothing was synced and nothing is lost" in result.stderr
    assert f"{rid} was changed both here and on the server" in result.stderr
    assert "杜明远 (dumy)" in result.stderr and "林海涛 (linht)" in result.stderr
    assert "summary: 摘要 -> 科员改的摘要" in result.stderr
    assert "summary: 摘要 -> 主任改的摘要" in result.stderr
    assert "dangwu sync --theirs" in result.stderr
    assert clerk.state() == before  # the clone is exactly as it was, mid-rebase nowhere
    assert not (clerk.root / ".git" / "rebase-merge").exists()
    assert server_head(server) == on_server


def test_sync_theirs_keeps_the_servers_version_and_saves_yours(
    conflicted: tuple[Office, Office, str], server: Path
):
    clerk, _head, rid = conflicted
    mine = clerk.head()
    result = sync(clerk, "dumy", at(2, 12), extra=("--theirs",))
    assert "1 of your commits was left out" in result.stderr
    assert json.loads(ok(clerk, "show", rid, "--json").stdout)["summary"] == "主任改的摘要"
    (saved,) = (clerk.root / ".git" / "dangwu" / "kept").iterdir()
    assert "科员改的摘要" in saved.read_text("utf-8")
    assert str(saved) in result.stderr
    kept = git_in(clerk.root, "for-each-ref", "--format=%(objectname)", "refs/dangwu/kept").stdout
    assert kept.split() == [mine]  # the dropped commit is still there to look at
    assert clerk.head() == server_head(server)


def test_a_sync_killed_in_mid_rebase_is_undone_by_the_next_command(
    conflicted: tuple[Office, Office, str],
):
    clerk, _head, rid = conflicted
    mine = clerk.head()
    git_in(clerk.root, "fetch", "-q", "origin")
    stopped = git_in(clerk.root, "rebase", "origin/main", check=False)
    assert stopped.returncode != 0 and (clerk.root / ".git" / "rebase-merge").exists()
    (clerk.root / ".git" / "dangwu" / "sync.json").write_text("{}", "utf-8")
    ok(clerk, "list", as_="dumy", now=at(3))
    assert not (clerk.root / ".git" / "rebase-merge").exists()
    assert clerk.head() == mine
    assert git_in(clerk.root, "status", "--porcelain").stdout == ""
    assert json.loads(ok(clerk, "show", rid, "--json").stdout)["summary"] == "科员改的摘要"


# --- the server's guard ------------------------------------------------------------------


def push(office: Office, *args: str) -> subprocess.CompletedProcess[str]:
    return git_in(office.root, "push", *args, "origin", "HEAD:refs/heads/main", check=False)


def edited_by_hand(office: Office, rid: str, body: str, message: str) -> None:
    """The clerk changes a record's body in an editor and commits it with plain git."""
    path = office.root / "records" / "zhidu-jianshe" / f"{rid}.yaml"
    path.write_text(path.read_text("utf-8").replace("正文。", body), "utf-8")
    author = ("-c", "user.name=杜明远", "-c", "user.email=dumy@example.org")
    git_in(office.root, *author, "commit", "-qam", message)


def published_and_synced(office: Office) -> str:
    rid = new(office, "dumy", at(1, 9))
    ok(office, "submit", rid, as_="dumy", now=at(1, 10))
    ok(office, "approve", rid, as_="zhoulx", now=at(1, 11))
    ok(office, "publish", rid, as_="dumy", now=at(1, 12))
    sync(office, "dumy", at(1, 13))
    return rid


def test_the_servers_commit_graph_is_written_when_it_lags_its_head(server: Path, tmp_path: Path):
    """The post-receive keeps git's commit-graph within GRAPH_LAG commits of the head,
    as a clone does: a push of a few commits leaves it as it was, a longer one adds a
    layer."""
    chain = server / "objects" / "info" / "commit-graphs" / "commit-graph-chain"
    founded = chain.read_text("ascii")  # written when the office was founded
    clerk = join(server, tmp_path / "clerk", "dumy")
    rid = new(clerk, "dumy", at(1, 9))
    sync(clerk, "dumy", at(1, 10))
    settled_in(server / "dangwu")
    assert chain.read_text("ascii") == founded
    path = clerk.root / "records" / "zhidu-jianshe" / f"{rid}.yaml"
    author = ("-c", "user.name=杜明远", "-c", "user.email=dumy@example.org")
    for n in range(GRAPH_LAG + 1):
        path.write_text(re.sub(r"正文\S*。", f"正文第{n}稿。", path.read_text("utf-8")), "utf-8")
        git_in(clerk.root, *author, "commit", "-qam", f"draft {n}")
    pushed = push(clerk)
    assert pushed.returncode == 0, pushed.stderr
    settled_in(server / "dangwu")
    assert chain.read_text("ascii") != founded


def test_good_history_pushed_with_plain_git_is_accepted(server: Path, tmp_path: Path):
    clerk = join(server, tmp_path / "clerk", "dumy")
    rid = new(clerk, "dumy", at(1, 9))
    edited_by_hand(clerk, rid, "正文，修改草稿。", "a draft edited by hand")
    pushed = push(clerk)
    assert pushed.returncode == 0, pushed.stderr
    assert server_head(server) == clerk.head()


def test_a_force_push_that_rewrites_published_history_is_refused(server: Path, tmp_path: Path):
    clerk = join(server, tmp_path / "clerk", "dumy")
    published_and_synced(clerk)
    published = server_head(server)
    git_in(clerk.root, "reset", "-q", "--hard", "HEAD~2")
    pushed = push(clerk, "--force")
    assert pushed.returncode != 0
    assert "rewrites history the server holds (2 commits would be lost)" in pushed.stderr
    assert server_head(server) == published
    deleted = git_in(clerk.root, "push", "origin", ":refs/heads/main", check=False)
    assert deleted.returncode != 0 and "refusing to delete main" in deleted.stderr
    assert server_head(server) == published


def test_the_hook_does_not_take_orders_from_the_pushers_environment(server: Path, tmp_path: Path):
    clerk = join(server, tmp_path / "clerk", "dumy")
    rid = published_and_synced(clerk)
    edited_by_hand(clerk, rid, "正文（已改）。", "quiet fix")
    before = server_head(server)
    # a pusher who points dangwu at another office, another clock and another language
    env = {
        **os.environ,
        "DANGWU_REPO": str(tmp_path),
        "DANGWU_NOW": "2030-01-01",
        "DANGWU_LANG": "zh_CN",
        "PYTHONPATH": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "pushers-cache"),
    }
    pushed = subprocess.run(
        ["git", "-C", str(clerk.root), "push", "origin", "HEAD:refs/heads/main"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert pushed.returncode != 0
    assert "[manual-edit]" in pushed.stderr and "refusing main" in pushed.stderr
    assert server_head(server) == before
    # what the hook can make again it keeps beside its working files, never where the
    # pusher says, nor in a folder of the repository's own
    assert not (tmp_path / "pushers-cache").exists()
    assert list((server / "dangwu" / "cache" / "dangwu" / "validators").glob("*.code"))
    assert not (server / ".cache").exists()


def test_a_check_planted_in_the_pushers_cache_decides_nothing_on_the_server(
    server: Path, tmp_path: Path
):
    """The schemas' compiled checks a clerk's dangwu keeps (~/.cache/dangwu) are the
    clerk's to spoil, as the installed dangwu is: one that passes anything lets a
    comment window shorter than the schema allows through their own ``validate``,
    never through the server, whose hook keeps its own."""
    import marshal

    head = join(server, tmp_path / "head", "linht")
    kept = Path(os.environ["HOME"]) / ".cache" / "dangwu" / "validators"
    made = dangwu_process("validate", cwd=head.root)  # a process: it keeps its checks
    assert made.returncode == 0, made.stderr
    anything = compile(
        "def validate(data, custom_formats={}, name_prefix=None):\n    return data\n",
        "<planted>",
        "exec",
    )
    planted = list(kept.glob("*.code"))
    assert planted
    for path in planted:
        path.write_bytes(marshal.dumps(anything))
    settings = head.root / "dangwu.yaml"
    text = settings.read_text("utf-8")
    settings.write_text(text.replace("pre_disclosure_days: 15", "pre_disclosure_days: 10"), "utf-8")
    assert settings.read_text("utf-8") != text
    fooled = dangwu_process("validate", cwd=head.root)
    assert fooled.returncode == 0, fooled.stderr  # this machine's dangwu is fooled
    author = ("-c", "user.name=林海涛", "-c", "user.email=linht@example.org")
    git_in(head.root, *author, "commit", "-qam", "rules: a shorter comment window")
    before = server_head(server)
    pushed = subprocess.run(
        ["git", "-C", str(head.root), "push", "origin", "HEAD:refs/heads/main"],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(kept.parent.parent)},
        check=False,
    )
    assert pushed.returncode != 0
    assert "[settings-invalid]" in pushed.stderr, pushed.stderr
    assert server_head(server) == before


def test_the_hook_answers_in_the_offices_language_unless_installed_with_one(
    server: Path, tmp_path: Path
):
    head = join(server, tmp_path / "head", "linht")
    ok(head, "hook", "install", "--force", str(server))  # the fixture's speaks English
    rid = published_and_synced(head)
    edited_by_hand(head, rid, "正文（已改）。", "quiet fix")
    before = server_head(server)
    pushed = push(head)
    assert pushed.returncode != 0 and server_head(server) == before
    # the sample office has language: zh_CN
    assert "dangwu: 拒绝接收 main：推送的 1 个提交中有 1 处违反党务公开规定" in pushed.stderr
    assert "refusing" not in pushed.stderr

    # the office changes its setting, and the server follows what the branch holds
    git_in(head.root, "reset", "-q", "--hard", "HEAD~1")
    settings = head.root / "dangwu.yaml"
    settings.write_text(
        settings.read_text("utf-8").replace("language: zh_CN", "language: en"), "utf-8"
    )
    git_in(head.root, "-c", "user.name=林海涛", "-c", "user.email=linht@example.org",
           "commit", "-qam", "the office works in English")  # fmt: skip
    assert push(head).returncode == 0
    edited_by_hand(head, rid, "正文（已改）。", "quiet fix")
    pushed = push(head)
    assert pushed.returncode != 0
    assert "refusing main: 1 violation(s)" in pushed.stderr and "拒绝" not in pushed.stderr

    # installed with --lang, the hook keeps to it
    ok(head, "hook", "install", "--force", "--lang", "zh_CN", str(server))
    pushed = push(head)
    assert pushed.returncode != 0 and "dangwu: 拒绝接收 main" in pushed.stderr


def test_sync_reports_rules_broken_by_what_arrives_from_an_unguarded_server(tmp_path: Path):
    first = make_office(tmp_path / "founding")
    bare = tmp_path / "plain.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)  # no hook
    ok(first, "remote", "add", str(bare), as_="linht")
    ok(first, "sync", as_="linht")
    clerk = join(bare, tmp_path / "clerk", "dumy")
    path = first.root / "records" / "zhidu-jianshe" / "ZD-2026-999.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        "id: ZD-2026-999\ncategory: zhidu-jianshe\nitem: integrity-rules\ntitle: 规定\n"
        "scope: public\nchannels: [website]\ncadence: standing\nstatus: published\n",
        "utf-8",
    )
    git_in(first.root, "add", "-A")
    git_in(
        first.root,
        "-c",
        "user.name=周立新",
        "-c",
        "user.email=zhoulx@example.org",
        "commit",
        "-qm",
        "publish it",
    )
    git_in(first.root, "push", "-q", "origin", "HEAD:refs/heads/main")
    result = sync(clerk, "dumy", at(2), code=1)
    assert "1 commit(s) arrived" in result.stdout
    assert "what arrived breaks the disclosure rules" in result.stderr
    assert "[tool-fields]" in result.stderr
    assert "dangwu hook install" in result.stderr
    assert clerk.head() == first.head()  # it is integrated all the same: it is the office's


# --- setting up ----------------------------------------------------------------------------


def test_hook_install_refuses_what_is_not_a_bare_repository(office: Office, tmp_path: Path):
    result = office.run("hook", "install", str(office.root))
    assert result.exit_code == 2 and "is not a bare git repository" in result.stderr
    # an office's own folder: how to start a server's repository from it, not `git init`
    assert f"git clone --bare {office.root} {office.root}.git" in result.stderr
    assert "git init --bare" not in result.stderr
    bare = tmp_path / "s.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    (bare / "hooks" / "pre-receive").write_text("#!/bin/sh\nexit 0\n", "utf-8")
    result = office.run("hook", "install", str(bare))
    assert result.exit_code == 1 and "not dangwu's" in result.stderr
    assert (bare / "hooks" / "pre-receive").read_text("utf-8") == "#!/bin/sh\nexit 0\n"
    ok(office, "hook", "install", "--force", str(bare))
    assert "dangwu pre-receive hook" in (bare / "hooks" / "pre-receive").read_text("utf-8")
    assert is_bare(bare)
    config = git_in(bare, "config", "--get", "receive.denyNonFastForwards").stdout.strip()
    assert config == "true"


def test_sync_without_a_server_or_with_uncommitted_work_is_refused(office: Office, tmp_path: Path):
    result = office.run("sync")
    assert result.exit_code == 2 and "no server to sync with" in result.stderr
    assert "dangwu remote add URL" in result.stderr
    bare = tmp_path / "s.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    ok(office, "remote", "add", str(bare))
    again = office.run("remote", "add", "/elsewhere.git")
    assert again.exit_code == 2 and "exists already" in again.stderr
    (office.root / "dangwu.yaml").write_text(office.read("dangwu.yaml") + "\n", "utf-8")
    before = office.state()
    result = office.run("sync")
    assert result.exit_code == 1
    assert "dangwu.yaml has uncommitted changes" in result.stderr
    assert office.state() == before
    assert git_in(bare, "rev-parse", "--verify", "-q", "refs/heads/main", check=False).stdout == ""


def test_sync_says_when_the_server_cannot_be_reached(office: Office, tmp_path: Path):
    ok(office, "remote", "add", str(tmp_path / "nowhere.git"))
    before = office.state()
    result = office.run("sync")
    assert result.exit_code == 1
    assert "there is no repository at " in result.stderr and "nowhere.git" in result.stderr
    assert office.state() == before


def test_clone_tells_someone_off_the_roster_what_to_do(server: Path, tmp_path: Path):
    where = Office(tmp_path)
    result = where.run("clone", str(server), str(tmp_path / "mine"), as_="stranger")
    assert result.exit_code == 0, result.output
    assert "stranger@example.org is not on the roster" in result.stderr
    assert "dangwu roster add KEY" in result.stderr
    assert (tmp_path / "mine" / "dangwu.yaml").is_file()
    busy = where.run("clone", str(server), str(tmp_path / "mine"), as_="dumy")
    assert busy.exit_code == 2 and "is not empty" in busy.stderr
    missing = where.run("clone", str(tmp_path / "no.git"), str(tmp_path / "other"), as_="dumy")
    assert missing.exit_code == 1 and "could not clone" in missing.stderr
    assert "there is no repository at" in missing.stderr
    assert "sync again" not in missing.stderr and "then clone again" in missing.stderr


def test_clone_takes_the_offices_branch_from_a_plain_bare_server(tmp_path: Path):
    """A bare repository made with git's default branch name (master) and no hook:
    the office pushed main, so the server's HEAD names a branch it does not have."""
    first = make_office(tmp_path / "founding")
    bare = tmp_path / "plain.git"
    git_in(tmp_path, "-c", "init.defaultBranch=master", "init", "-q", "--bare", str(bare))
    ok(first, "remote", "add", str(bare), as_="linht")
    ok(first, "sync", as_="linht")
    where = Office(tmp_path)
    result = ok(where, "clone", str(bare), str(tmp_path / "mine"), as_="dumy")
    assert "(dumy)" in result.stdout
    mine = Office(tmp_path / "mine")
    assert mine.git("symbolic-ref", "--short", "HEAD") == "main"
    assert mine.head() == first.head()


def test_clone_greets_a_colleague_on_the_roster(server: Path, tmp_path: Path):
    where = Office(tmp_path)
    result = ok(where, "clone", str(server), str(tmp_path / "mine"), as_="chensh")
    name = PEOPLE["chensh"][0]
    assert f"You are {name} (chensh), supervisor." in result.stdout
    assert "dangwu sync" in result.stdout
    # a server on the same disk is cloned through git's transport: no file of the
    # clone is the server's own (linked), so neither can change the other's objects
    theirs = {(f.stat().st_dev, f.stat().st_ino) for f in server.rglob("*") if f.is_file()}
    mine = [f for f in (tmp_path / "mine" / ".git").rglob("*") if f.is_file()]
    assert mine and not [f for f in mine if (f.stat().st_dev, f.stat().st_ino) in theirs]


def signing_required(office: Office, keys: dict[str, Path]) -> None:
    """The office head lists these people's keys and makes signing compulsory."""
    from plaingit import commit, edit_settings, give_signing_keys

    before = "2026-09-30T09:00:00+08:00"  # before the work of October
    give_signing_keys(office, keys, date=before)
    edit_settings(office, lambda data: data["rules"].__setitem__("require_signing", True))
    commit(office, "linht", "roster: approvals are signed", "dangwu.yaml", date=before)


def _signing_server(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A server's bare repository, with the hook, of an office that requires signing;
    and what makes git sign as zhoulx, whose key the roster lists."""
    from plaingit import keygen, sign_env

    first = make_office(tmp_path / "founding")
    keys = {"zhoulx": keygen(tmp_path / "keys", "zhoulx")}
    signing_required(first, keys)
    bare = tmp_path / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    ok(first, "hook", "install", "--lang", "en", str(bare))  # these tests read English
    ok(first, "remote", "add", str(bare), as_="linht")
    ok(first, "sync", as_="linht")
    return bare, sign_env(keys["zhoulx"])


def _submitted(clerk: Office) -> str:
    """A record the clerk drafts and submits on 1 October, and sends to the server."""
    rid = new(clerk, "dumy", at(1, 9))
    ok(clerk, "submit", rid, as_="dumy", now=at(1, 10))
    sync(clerk, "dumy", at(1, 11))
    return rid


def _server_moves_on(clerk: Office) -> None:
    """Another record drafted and sent on 2 October: the server is ahead of the rest."""
    new(clerk, "dumy", at(2, 11), title="党员教育管理制度")
    sync(clerk, "dumy", at(2, 12))


def test_a_signed_approval_stays_signed_when_sync_puts_it_on_top(tmp_path: Path):
    bare, signing = _signing_server(tmp_path)
    clerk = join(bare, tmp_path / "clerk", "dumy")
    member = join(bare, tmp_path / "member", "zhoulx")
    rid = _submitted(clerk)
    sync(member, "zhoulx", at(2, 9))
    ok(member, "approve", rid, "--sign", as_="zhoulx", now=at(2, 10), env=signing)
    member_before = member.git("rev-parse", "HEAD^")
    _server_moves_on(clerk)
    result = member.run("sync", as_="zhoulx", now=at(2, 13), env=signing)
    assert result.exit_code == 0, result.output
    assert "1 commit(s) sent" in result.stdout
    approve = git_in(bare, "log", "-1", "--format=%H", "--grep", "^approve:").stdout.strip()
    raw = git_in(bare, "cat-file", "commit", approve).stdout
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in raw  # still signed after the rebase
    assert git_in(bare, "rev-parse", f"{approve}^").stdout.strip() != member_before
    logged = json.loads(ok(member, "log", rid, "--json").stdout)
    assert [e["signature"] for e in logged if e["step"] == "approve"] == ["good"]


def test_a_colleagues_signed_step_is_not_signed_again_by_whoever_syncs(tmp_path: Path):
    """Two people share one clone: zhoulx approves there with his key, the server moves
    on, and dumy syncs. Putting the approval on top would sign it again with dumy's key,
    which the server refuses; sync says so before anything moves, and zhoulx's own sync
    sends it, still his."""
    bare, signing = _signing_server(tmp_path)
    shared = join(bare, tmp_path / "shared", "dumy")
    other = join(bare, tmp_path / "other", "dumy")
    rid = _submitted(shared)
    ok(shared, "approve", rid, "--sign", as_="zhoulx", now=at(2, 10), env=signing)
    sync(other, "dumy", at(2, 10))
    _server_moves_on(other)
    before, server_before = shared.state(), server_head(bare)
    result = shared.run("sync", as_="dumy", now=at(2, 13))
    assert result.exit_code == 1, result.output
    assert f"approve: {rid}" in result.stderr and "is signed by 周立新" in result.stderr
    assert "only 周立新's key may sign it" in result.stderr
    assert "Traceback" not in result.output
    assert shared.git("log", "-1", "--format=%s").startswith(f"approve: {rid}")
    assert shared.state() == before and server_head(bare) == server_before
    # zhoulx syncs the same clone with his own identity and key: it goes, still his
    result = shared.run("sync", as_="zhoulx", now=at(2, 14), env=signing)
    assert result.exit_code == 0, result.output
    logged = json.loads(ok(shared, "log", rid, "--json").stdout)
    assert [e["signature"] for e in logged if e["step"] == "approve"] == ["good"]


def test_the_server_judges_a_push_by_what_earlier_pushes_left(server: Path, tmp_path: Path):
    """A formal plan published inside a comment window opened two pushes before is
    refused: the server remembers its audit of what it accepted."""
    from plaingit import facts, forge_step, put

    clerk = join(server, tmp_path / "clerk", "dumy")
    rid = consulting(clerk)  # open for comment from 10-05 until 10-19
    sync(clerk, "dumy", at(5, 11))
    ok(clerk, "set", rid, "body=正式方案。", as_="dumy", now=at(8))
    ok(clerk, "submit", rid, as_="dumy", now=at(8, 11))
    ok(clerk, "approve", rid, as_="sunhm", now=at(9))
    sync(clerk, "dumy", at(9, 11))

    # the server keeps its own audit of what it accepted, up to its head (its
    # post-receive, or the catch-up it starts after the first push, puts it there)
    def audited() -> str | None:
        db = sqlite3.connect(server / "dangwu" / "history-v2.sqlite")
        row = db.execute("SELECT value FROM meta WHERE key='audit.head'").fetchone()
        db.close()
        return json.loads(row[0]) if row else None

    deadline = time.monotonic() + 60
    while audited() != server_head(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert audited() == server_head(server)

    def publish(data) -> None:
        put(data, "status", "published")
        put(
            data,
            "publication",
            facts(
                by="dumy",
                at=at(10),
                channels=list(data["channels"]),
                content=data["approval"]["content"],
            ),
        )

    before = server_head(server)
    forge_step(clerk, "dumy", "publish", rid, publish, date=at(10))
    pushed = push(clerk)
    assert pushed.returncode != 0
    assert "[pre-disclosure-window]" in pushed.stderr, pushed.stderr
    assert server_head(server) == before


def test_clone_sets_up_signing_with_the_key_the_roster_lists(tmp_path: Path):
    from plaingit import give_signing_keys, keygen

    home = Path(os.environ["HOME"])  # the test's own empty home
    mine = keygen(home / ".ssh", "id_ed25519")
    first = make_office(tmp_path / "founding")
    signing_required(first, {"zhoulx": mine})
    where = Office(tmp_path)
    result = ok(where, "clone", str(first.root), str(tmp_path / "member"), as_="zhoulx")
    assert f"signing: set up with {mine}.pub, the key the roster lists" in result.stdout
    config = git_in(tmp_path / "member", "config", "--local", "--get", "user.signingkey")
    assert config.stdout.strip() == f"{mine}.pub"
    assert git_in(tmp_path / "member", "config", "--get", "gpg.format").stdout.strip() == "ssh"
    # a colleague whose key is not on this machine is told how to set it up
    give_signing_keys(first, {"sunhm": keygen(tmp_path / "elsewhere", "sunhm")})
    other = ok(where, "clone", str(first.root), str(tmp_path / "sunhm"), as_="sunhm")
    assert "the roster's key for you is not in" in other.stdout
    assert "dangwu key --file PATH" in other.stdout
