"""What the history proves, against a dishonest clerk with plain git [SPEC 11].

Each test is one attack that once worked: a merge that quietly takes history back,
a forged or backdated date, a ref that is not a branch, somebody acting as somebody
else. Each is tried on the clerk's machine (``dangwu audit``, the live commands)
and on a server guarded by dangwu's hook, and each must be refused or flagged,
naming the commit and the rule, while the honest way still works.

One small office is built with dangwu's own commands once for the module; each
test attacks its own copy of it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import Office, commit_as, make_office, settled
from gitserver import smart_http
from plaingit import (
    commit,
    edit_record,
    edit_settings,
    facts,
    flagged,
    forge_step,
    give_signing_keys,
    identity,
    keygen,
    put,
    sign_env,
    violations,
    who,
)
from steps import ok, refused


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> str:
    return f"2026-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00+08:00"


TAMPER = at(10, 6)  # after the honest history


@dataclass
class Built:
    office: Office
    keys: Path
    ids: dict[str, str] = field(default_factory=dict)
    early: str = ""  # A and W published; nothing else yet
    head: str = ""
    report: str = ""


def _build(office: Office, keys: Path) -> Built:
    b = Built(office, keys)
    keygen(keys, "zhoulx")
    keygen(keys, "dumy")
    give_signing_keys(office, {"zhoulx": keys / "zhoulx", "dumy": keys / "dumy"}, date=at(9, 30))
    public = ("--scope", "public", "--channel", "public-board", "--channel", "website")

    def published(label: str, title: str, day: int, hour: int) -> None:
        b.ids[label] = office.new(
            *public,
            "--summary",
            f"{title}的摘要",
            "--body",
            f"{title}的正文。",
            category="zuofeng-jianshe",
            item="annual-budget",
            title=title,
            now=at(10, day, hour),
        )
        ok(office, "submit", b.ids[label], now=at(10, day, hour, 10))
        ok(office, "approve", b.ids[label], as_="zhoulx", now=at(10, day, hour, 20))
        ok(office, "publish", b.ids[label], now=at(10, day, hour, 30))

    published("A", "机关作风建设情况", 1, 9)
    published("W", "窗口服务情况通报", 1, 10)
    b.early = office.head()
    b.ids["P"] = office.new(
        "--pre-disclosure",
        "--summary",
        "征求意见稿",
        "--body",
        "初步方案。",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="机关廉洁自律若干规定",
        now=at(10, 2, 9),
    )
    ok(office, "submit", b.ids["P"], now=at(10, 2, 10))
    ok(office, "approve", b.ids["P"], as_="sunhm", now=at(10, 2, 11))
    ok(office, "publish", b.ids["P"], now=at(10, 2, 12))  # open for comment to 10-16
    ok(
        office,
        "feedback",
        "add",
        b.ids["P"],
        "--text",
        "建议增加公示期。",
        as_="chensh",
        now=at(10, 3),
    )
    reported = ok(
        office,
        "report",
        "new",
        "--name",
        "赵建国",
        "--contact",
        "13912345678",
        "--about",
        b.ids["A"],
        "--text",
        "反映窗口人员态度。",
        now=at(10, 3, 11),
    )
    b.report = re.search(r"(\d+)", reported.stdout).group(1)
    ok(
        office,
        "report",
        "answer",
        b.report,
        "--text",
        "已核实",
        "--notified",
        "电话",
        now=at(10, 4),
    )
    ok(office, "withdraw", b.ids["W"], "--reason", "数据有误", as_="hanzg", now=at(10, 5))
    b.head = office.head()
    return b


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    with pytest.MonkeyPatch.context() as mp:
        from conftest import isolate

        isolate(mp, tmp_path_factory.mktemp("trust-home"))
        base = tmp_path_factory.mktemp("trust")
        office = make_office(base / "office")
        b = _build(office, base / "keys")
        assert office.run("audit", now=at(10, 5, 12)).exit_code == 0
        return b


@dataclass
class Case(Office):
    built: Built | None = None

    @property
    def b(self) -> Built:
        assert self.built is not None
        return self.built


@pytest.fixture
def case(built: Built, tmp_path: Path) -> Case:
    target = tmp_path / "office"
    shutil.copytree(built.office.root, target, symlinks=True)
    return Case(target, built=built)


def audit(office: Office, *args: str):
    return office.run("audit", *args, now=at(10, 7))


def git_in(path: Path, *args: str, env: dict[str, str] | None = None, check: bool = True):
    import os

    return subprocess.run(
        ["git", "-C", str(path), *args],
        capture_output=True,
        text=True,
        check=check,
        env={**os.environ, **(env or {})},
    )


def guarded_server(office: Office, *, base: str, server: str = "disk", name: str = "server"):
    """A bare repository holding the office up to ``base``, guarded by the hook."""
    bare = office.root.parent / f"{name}.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git_in(office.root, "push", "-q", str(bare), f"{base}:refs/heads/main")
    kind = () if server == "disk" else ("--server", server)  # a folder on a disk is recognised
    ok(office, "hook", "install", "--lang", "en", *kind, str(bare))
    return bare


def push(office: Office, bare: Path | str, *refspecs: str, env: dict[str, str] | None = None):
    return git_in(office.root, "push", str(bare), *refspecs, env=env, check=False)


def server_ref(bare: Path, ref: str = "refs/heads/main") -> str:
    return git_in(bare, "rev-parse", "--verify", "-q", ref, check=False).stdout.strip()


# --- 1. a merge that takes history back ------------------------------------------------


def _merge_ours(case: Case, onto: str) -> str:
    """``git checkout -b old <early>; git merge -s ours main; git checkout main;
    git merge --ff-only old``: main now holds the early tree, and its history looks
    unbroken."""
    env = identity("dumy", TAMPER)
    case.git("checkout", "-q", "-b", "old", onto)
    case.git("merge", "-q", "-s", "ours", "-m", "merge main", "main", env=env)
    case.git("checkout", "-q", "main")
    case.git("merge", "-q", "--ff-only", "old")
    return case.head()


def test_a_merge_that_keeps_the_old_tree_is_flagged_on_the_clerks_machine(case: Case):
    merge = _merge_ours(case, case.b.early)
    result = audit(case)
    assert result.exit_code == 1, result.output
    p, w = case.b.ids["P"], case.b.ids["W"]
    clerk = who("dumy")
    assert flagged(result.stdout, merge, None, "merge", clerk), result.output
    # the pre-disclosure in its comment window, and its opinion: gone
    assert flagged(result.stdout, merge, p, "deleted", clerk), result.output
    assert f"{merge[:10]} - [feedback-changed] the opinion feedback/{p}/" in result.stdout
    # the answered report: gone
    assert f"[report-deleted] the report reports/{case.b.report}.yaml" in result.stdout
    # the withdrawal undone: W is published again
    assert flagged(result.stdout, merge, w, "tool-fields", clerk), result.output
    # a range audit (what a server runs) sees the same
    ranged = audit(case, "--range", f"{case.b.head}..HEAD")
    assert flagged(ranged.stdout, merge, p, "deleted", clerk), ranged.output


def test_a_merge_that_keeps_the_old_tree_is_refused_by_the_server(case: Case):
    bare = guarded_server(case, base=case.b.head)
    _merge_ours(case, case.b.early)
    pushed = push(case, bare, "HEAD:refs/heads/main")
    assert pushed.returncode != 0, pushed.stderr
    assert "[merge]" in pushed.stderr and "[report-deleted]" in pushed.stderr, pushed.stderr
    assert "to push without commit" in pushed.stderr
    assert server_ref(bare) == case.b.head


def test_a_merge_of_two_honest_lines_is_judged_side_by_side(case: Case):
    """Two people drafting on two branches, merged with plain git: where the office
    allows merges, nothing is wrong; where it keeps a straight line, only the merge is."""
    case.git("checkout", "-q", "-b", "side")
    theirs = case.new("--summary", "摘要", "--body", "正文。", as_="linht", now=at(10, 6, 9))
    case.git("checkout", "-q", "main")
    mine = case.new("--summary", "摘要", "--body", "正文。", title="另一项", now=at(10, 6, 10))
    case.git("merge", "-q", "--no-edit", "side", env=identity("dumy", at(10, 6, 11)))
    merge = case.head()
    result = audit(case)
    assert result.exit_code == 1
    assert [line.split(" [")[1].split("]")[0] for line in result.stdout.splitlines()] == ["merge"]
    assert flagged(result.stdout, merge, None, "merge", who("dumy"))
    assert {r["id"] for r in json.loads(ok(case, "list", "--json").stdout)} >= {mine, theirs}

    # an office that allows merges (its head says so before the branches part)
    other = Case(case.root.parent / "allowing", built=case.b)
    shutil.copytree(case.b.office.root, other.root, symlinks=True)
    edit_settings(other, lambda d: d["rules"].__setitem__("allow_merges", True))
    commit(other, "linht", "rules: merges allowed", "dangwu.yaml", date=at(10, 5, 18))
    other.git("checkout", "-q", "-b", "side")
    other.new("--summary", "摘要", "--body", "正文。", as_="linht", now=at(10, 6, 9))
    other.git("checkout", "-q", "main")
    other.new("--summary", "摘要", "--body", "正文。", title="另一项", now=at(10, 6, 10))
    other.git("merge", "-q", "--no-edit", "side", env=identity("dumy", at(10, 6, 11)))
    assert audit(other).exit_code == 0


def test_a_merge_that_resolves_a_conflict_by_changing_published_content(case: Case):
    """Both sides of a merge keep a published record as it was; the merge itself
    rewrites it: a change to published content, by the merge's author."""
    a = case.b.ids["A"]
    case.git("checkout", "-q", "-b", "side")
    case.new("--summary", "摘要", "--body", "正文。", as_="linht", now=at(10, 6, 9))
    case.git("checkout", "-q", "main")
    case.new("--summary", "摘要", "--body", "正文。", title="另一项", now=at(10, 6, 10))
    case.git("merge", "-q", "--no-commit", "side", env=identity("dumy", at(10, 6, 11)), check=False)
    path = edit_record(case, a, lambda d: d.update(title="机关作风建设情况（改）"))
    case.git("add", path)
    case.git("commit", "-q", "--no-edit", env=identity("dumy", at(10, 6, 11)))
    result = audit(case)
    assert flagged(result.stdout, case.head(), a, "manual-edit", who("dumy")), result.output


# --- 2. time runs forwards ---------------------------------------------------------------


def _approved(case: Case, day: int = 6) -> str:
    rid = case.new(
        "--pre-disclosure",
        "--summary",
        "征求意见稿",
        "--body",
        "初步方案。",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="机关公务接待管理办法",
        now=at(10, day, 9),
    )
    ok(case, "submit", rid, now=at(10, day, 10))
    ok(case, "approve", rid, as_="zhoulx", now=at(10, day, 11))
    return rid


def test_a_step_dated_before_the_history_it_builds_on_is_refused(case: Case):
    """The preliminary plan 'published for comment' days before it was drafted and
    approved, so that its window looks closed: refused, nothing written."""
    rid = _approved(case)
    refused(case, "publish", rid, now=at(9, 20), expect="never dated before the history")
    refused(case, "publish", rid, now=at(10, 6, 10), expect="before the history it builds on")
    ok(case, "publish", rid, now=at(10, 6, 11, 5))  # minutes of slack for clocks


def test_a_backdated_step_written_with_plain_git_is_flagged(case: Case):
    rid = _approved(case)

    def publish(data) -> None:
        put(data, "status", "consulting")
        content = data["approval"]["content"]
        closes = "2026-10-05"
        chans = list(data["channels"])
        put(
            data,
            "consultation",
            facts(by="dumy", at=at(9, 21), channels=chans, content=content, closes=closes),
        )

    # dated before the record was drafted, committed before the commit it builds on
    bad = forge_step(case, "dumy", "publish", rid, publish, date=at(9, 21))
    result = audit(case)
    assert flagged(result.stdout, bad, rid, "time-order", who("dumy")), result.output
    assert "before the commit it builds on" in result.stdout


def test_a_backdated_act_committed_at_the_right_time_is_flagged(case: Case):
    """git commit --date: the commit is made today, the act claims an earlier day,
    before the record's own last step."""
    rid = _approved(case)

    def publish(data) -> None:
        put(data, "status", "consulting")
        content = data["approval"]["content"]
        chans = list(data["channels"])
        put(
            data,
            "consultation",
            facts(by="dumy", at=at(9, 21), channels=chans, content=content, closes="2026-10-05"),
        )

    bad = forge_step(case, "dumy", "publish", rid, publish, date=at(9, 21), committed=at(10, 7))
    result = audit(case)
    assert flagged(result.stdout, bad, rid, "time-order", who("dumy")), result.output
    assert "before the record's last step" in result.stdout


def test_a_step_dated_after_it_was_committed_is_flagged(case: Case):
    rid = _approved(case)

    def publish(data) -> None:
        put(data, "status", "consulting")
        content = data["approval"]["content"]
        chans = list(data["channels"])
        put(
            data,
            "consultation",
            facts(by="dumy", at=at(12, 21), channels=chans, content=content, closes="2027-01-04"),
        )

    bad = forge_step(case, "dumy", "publish", rid, publish, date=at(12, 21), committed=at(10, 7))
    result = audit(case)
    assert flagged(result.stdout, bad, rid, "time-order", who("dumy")), result.output
    assert "after it was committed" in result.stdout


def test_the_server_refuses_commits_dated_ahead_of_its_clock(case: Case):
    """The server's clock is the real one: a commit dated a day ahead is refused, one
    five minutes ahead (clocks differ) is not."""
    bare = guarded_server(case, base=case.b.head)
    zone = timezone(timedelta(hours=8))
    ahead = (datetime.now(zone) + timedelta(days=20)).replace(microsecond=0)
    rid = case.new("--summary", "摘要", "--body", "正文。", now=ahead.isoformat())
    pushed = push(case, bare, "HEAD:refs/heads/main")
    assert pushed.returncode != 0
    assert "ahead of the server's clock" in pushed.stderr, pushed.stderr
    assert f"commit {case.head()[:10]} is dated" in pushed.stderr
    assert "to push without commit" in pushed.stderr
    assert server_ref(bare) == case.b.head

    soon = Case(case.root.parent / "soon", built=case.b)
    shutil.copytree(case.b.office.root, soon.root, symlinks=True)
    nearly = (datetime.now(zone) + timedelta(minutes=5)).replace(microsecond=0)
    soon.new("--summary", "摘要", "--body", "正文。", now=nearly.isoformat())
    accepted = push(soon, bare, "HEAD:refs/heads/main")
    assert accepted.returncode == 0, accepted.stderr
    assert rid  # the refused one was a real draft


def _rehearsal_server(case: Case, name: str = "server") -> Path:
    """A server whose clock is the pusher's DANGWU_NOW (git config dangwu.rehearsal),
    so a test can say when each push arrives."""
    bare = guarded_server(case, base=case.b.head, name=name)
    git_in(bare, "config", "dangwu.rehearsal", "true")
    return bare


def test_the_server_notes_when_it_received_each_commit(case: Case):
    bare = _rehearsal_server(case)
    rid = case.new("--summary", "摘要", "--body", "正文。", now=at(10, 6, 9))
    ok(case, "submit", rid, now=at(10, 6, 10))
    pushed = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(10, 8, 15)})
    assert pushed.returncode == 0, pushed.stderr
    settled(bare)
    for commit_id in git_in(bare, "rev-list", f"{case.b.head}..main").stdout.split():
        note = git_in(bare, "notes", "--ref=refs/notes/dangwu/received", "show", commit_id)
        assert note.stdout.startswith(f"received: {at(10, 8, 15)}"), note.stdout
    # the notes are the server's own: adding one and pushing it is refused
    case.git("fetch", "-q", str(bare), "+refs/notes/dangwu/*:refs/notes/dangwu/*")
    # the record's log says when each step reached the server, two days after its date
    logged = json.loads(ok(case, "log", rid, "--json", now=at(10, 9)).stdout)
    assert [e["received"] for e in logged] == [at(10, 8, 15)] * 2, logged
    table = ok(case, "log", rid, now=at(10, 9)).stdout
    assert table.count("09:00 (received 2026-10-08 15:00)") == 1, table
    case.git(
        "notes",
        "--ref=refs/notes/dangwu/received",
        "add",
        "-f",
        "-m",
        "received: 2020",
        env=identity("dumy", TAMPER),
    )
    forged = push(case, bare, "refs/notes/dangwu/received:refs/notes/dangwu/received")
    assert forged.returncode != 0 and "notes on this server are its own" in forged.stderr


@pytest.mark.parametrize("staged", [False, True], ids=["backdated", "staged-on-a-side-branch"])
def test_a_preliminary_plan_backdated_and_pushed_late_gains_nothing(case: Case, staged: bool):
    """Published 'for comment' on 10-06 by the clerk's clock but received on 10-20: the
    window counts from 10-20, so a formal plan out on 10-25 is refused by the server.
    ``staged``: pushed on 10-06 too, but to a side branch no one reads; a commit is
    received when it reaches the office's branch."""
    bare = _rehearsal_server(case)
    rid = _approved(case)
    ok(case, "publish", rid, now=at(10, 6, 12))  # window 10-06 .. 10-20 by its own date
    if staged:
        aside = push(case, bare, "HEAD:refs/heads/staging", env={"DANGWU_NOW": at(10, 6, 13)})
        assert aside.returncode == 0, aside.stderr
    arrived = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(10, 20, 9)})
    assert arrived.returncode == 0, arrived.stderr
    ok(case, "set", rid, "body=正式方案。", now=at(10, 21, 9))
    ok(case, "submit", rid, now=at(10, 21, 10))
    ok(case, "approve", rid, as_="sunhm", now=at(10, 22))
    # the clerk's clone has not heard of the receipt: it lets the formal plan out
    ok(case, "publish", rid, now=at(10, 25))
    refused_push = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(10, 25, 12)})
    assert refused_push.returncode != 0
    assert "[pre-disclosure-window]" in refused_push.stderr, refused_push.stderr
    assert "open until 2026-11-03" in refused_push.stderr, refused_push.stderr
    # once the clone has the server's notes, it refuses the same step itself
    settled(bare)
    clone = Office(case.root.parent / "colleague")
    git_in(case.root.parent, "clone", "-q", str(bare), str(clone.root))
    git_in(clone.root, "fetch", "-q", "origin", "+refs/notes/dangwu/*:refs/notes/dangwu/*")
    # what the office shows and posts counts from the receipt as well
    shown = ok(clone, "show", rid, now=at(10, 21))
    assert "comments until 2026-11-03" in shown.stdout, shown.stdout
    board = clone.root.parent / "board"
    ok(clone, "board", "-o", str(board), now=at(10, 21))
    assert "征求意见截止：2026年11月3日" in next(board.glob("*.html")).read_text("utf-8")
    # and the site, whose verify page lays the board out again from commit after commit,
    # reads when the steps were received once, not the whole history per commit
    log = clone.root.parent / "git-calls"
    wrapper = clone.root.parent / "bin" / "git"
    wrapper.parent.mkdir()
    real = shutil.which("git")
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n', "utf-8")
    wrapper.chmod(0o755)
    path = f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}"
    site = clone.root.parent / "site"
    ok(clone, "site", "build", "-o", str(site), now=at(10, 21), env={"PATH": path})
    page = (site / "records" / f"{rid}.html").read_text("utf-8")
    assert "意见截止2026年11月3日" in page, page
    calls = log.read_text("utf-8").splitlines()
    assert not [c for c in calls if "--topo-order" in c], calls  # no history walk per commit
    assert len([c for c in calls if "--grep=" in c]) <= 2, calls
    ok(clone, "set", rid, "body=正式方案。", now=at(10, 21, 9))
    ok(clone, "submit", rid, now=at(10, 21, 10))
    ok(clone, "approve", rid, as_="sunhm", now=at(10, 22))
    refused(clone, "publish", rid, now=at(10, 25), expect="open until 2026-11-03")


def test_a_step_backdated_and_pushed_late_is_no_sheet_of_the_days_before(case: Case):
    """Published on 10-06 by the clerk's clock, received by the server on 10-20. A
    board printed from that commit 'for 10-10' is a sheet the office could not have
    put up that day: the site's verify page, built where the server's notes are,
    answers for that commit from 10-20 only. (A clone without the notes has only the
    commit's own date to go by, and answers for it from 10-06.)"""
    from dangwu.app.sitecodes import key_of

    bare = _rehearsal_server(case)
    rid = case.new(
        "--summary", "摘要", "--body", "正文。", category="zhidu-jianshe",
        item="integrity-rules", title="机关公务用车管理办法", now=at(10, 6, 9),
    )  # fmt: skip
    ok(case, "submit", rid, now=at(10, 6, 10))
    ok(case, "approve", rid, as_="zhoulx", now=at(10, 6, 11))
    ok(case, "publish", rid, now=at(10, 6, 12))
    arrived = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(10, 20, 9)})
    assert arrived.returncode == 0, arrived.stderr
    settled(bare)
    clone = Office(case.root.parent / "colleague")
    git_in(case.root.parent, "clone", "-q", str(bare), str(clone.root))
    git_in(clone.root, "fetch", "-q", "origin", "+refs/notes/dangwu/*:refs/notes/dangwu/*")

    def answered(office: Office, day: str) -> bool:
        """Whether the site built in ``office`` answers the first public sheet printed
        from its head for ``day`` (YYYY-MM-DD)."""
        out = office.root.parent / f"{office.root.name}-{day}"
        ok(office, "board", "--on", day, "-o", str(out), now=at(10, 21))
        printed = next(out.glob("board-public-*.html")).read_text("utf-8")
        code = re.search(r"[0-9a-f]{8}-P[A-Z]{2}\d+-\d{6}-[A-Z0-9]{5}", printed)
        assert code is not None and code.group(0).startswith(office.head()[:8])
        site = office.root.parent / f"{office.root.name}-site"
        ok(office, "site", "build", "-o", str(site), now=at(10, 21))
        codes = site / "verify" / "codes" / f"{day[2:].replace('-', '')}.json"
        return key_of(code.group(0)) in json.loads(codes.read_text("utf-8"))["codes"]

    assert not answered(clone, "2026-10-10")
    assert answered(clone, "2026-10-20")
    assert answered(case, "2026-10-10")  # no notes: the commit's own date


def test_a_comment_window_whose_date_is_rewritten_by_hand_keeps_its_receipt(case: Case):
    """The preliminary plan reached the server on 10-20 though its step says 10-06. A
    clerk who has the server's notes then rewrites the date in the record's file by
    hand (plain git, never pushed: the server would refuse it). The board printed
    from that clone still closes the window 14 days after the receipt, not after the
    date the hand wrote: a moment no step gave takes the record's latest receipt."""
    bare = _rehearsal_server(case)
    rid = _approved(case)
    ok(case, "publish", rid, now=at(10, 6, 12))
    arrived = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(10, 20, 9)})
    assert arrived.returncode == 0, arrived.stderr
    settled(bare)  # the server writes its receipts after the push
    clone = Office(case.root.parent / "colleague")
    git_in(case.root.parent, "clone", "-q", str(bare), str(clone.root))
    git_in(clone.root, "fetch", "-q", "origin", "+refs/notes/dangwu/*:refs/notes/dangwu/*")
    board = clone.root.parent / "board"

    def closes() -> str:
        shutil.rmtree(board, ignore_errors=True)
        ok(clone, "board", "-o", str(board), now=at(10, 21))
        text = "".join(p.read_text("utf-8") for p in sorted(board.glob("*.html")))
        found = re.findall(r"征求意见截止：(\d+年\d+月\d+日)", text)
        assert len(found) == 1, text
        return str(found[0])

    assert closes() == "2026年11月3日"
    for written in (at(10, 5, 12), at(10, 6, 12, 1)):  # a day earlier; a minute later
        path = edit_record(clone, rid, lambda data, w=written: data["consultation"].update(at=w))
        commit_as(clone.root, "dumy", "correct the date", path, date=at(10, 21, 8))
        assert written in clone.read(path)
        assert closes() == "2026年11月3日", written


def _request_on_the_server(case: Case) -> Path:
    """Request 101, received on Monday 11-02 (due 11-05), pushed that day to a
    rehearsal server."""
    bare = _rehearsal_server(case)
    ok(case, "request", "new", "--name", "某某", "--contact", "电话 0000-1234567",
       "--text", "申请公开本局2026年党费收缴情况。", now=at(11, 2, 10))  # fmt: skip
    arrived = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(11, 2, 11)})
    assert arrived.returncode == 0, arrived.stderr
    return bare


def test_a_request_extension_backdated_and_pushed_late_is_refused(case: Case):
    """A request received on 11-02 (a Monday) must be answered by 11-05, or its time
    extended before then. The clerk extends it on 11-09 with his clock set back to
    11-04: the server received it on 11-09, after the time ran out, and refuses it;
    a clone with the server's notes finds it too, and the clerk's own audit, which
    has not heard of the receipt, does not."""
    bare = _request_on_the_server(case)
    ok(case, "request", "extend", "101", "--reason", "需调取材料", now=at(11, 4, 10))
    audited = case.run("audit", now=at(11, 9, 9))
    assert audited.exit_code == 0, audited.output  # by its own dates, the step was in time
    late = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(11, 9, 9)})
    assert late.returncode != 0
    assert "[late-extension]" in late.stderr, late.stderr
    assert "reached the server on 2026-11-09" in late.stderr, late.stderr
    assert "the time ran out on 2026-11-05" in late.stderr, late.stderr
    # in time by the server's clock as well: accepted
    case.git("reset", "-q", "--hard", "HEAD~1")
    ok(case, "request", "extend", "101", "--reason", "需调取材料", now=at(11, 4, 10))
    timely = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(11, 5, 17)})
    assert timely.returncode == 0, timely.stderr


def test_a_request_answer_backdated_and_pushed_late_counts_as_late(case: Case):
    """A request received on 11-02 is due by 11-05. The clerk answers it on 11-09 with
    his clock set back to 11-04. A late answer is still an answer, so the server takes
    it, but it counts from the day the server received it: once a clone holds the
    server's notes, the list, the dossier and the archive say it was late. The same
    answer received on 11-05 is in time."""
    bare = _request_on_the_server(case)
    ok(case, "request", "answer", "101", "--text", "已书面答复。", now=at(11, 4, 10))
    # by its own dates, the answer was in time
    said = json.loads(ok(case, "request", "list", "--json", now=at(11, 9, 9)).stdout)
    assert said[0]["settled"] == "2026-11-04" and not said[0]["late"], said

    def seen_from_a_clone(name: str) -> Office:
        settled(bare)  # the server writes its receipts after the push
        clone = Office(case.root.parent / name)
        git_in(case.root.parent, "clone", "-q", str(bare), str(clone.root))
        git_in(clone.root, "fetch", "-q", "origin", "+refs/notes/dangwu/*:refs/notes/dangwu/*")
        return clone

    late = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(11, 9, 9)})
    assert late.returncode == 0, late.stderr
    clone = seen_from_a_clone("late")
    listed = json.loads(ok(clone, "request", "list", "--json", now=at(11, 10)).stdout)
    assert listed[0]["settled"] == "2026-11-04", listed  # the day it says
    assert listed[0]["reached"] == "2026-11-09" and listed[0]["late"], listed
    table = ok(clone, "request", "list", now=at(11, 10)).stdout
    assert "late: the server received it on 2026-11-09" in table, table
    dossier = json.loads(ok(clone, "dossier", "--year", "2026", "--json", now=at(11, 10)).stdout)
    time_limits = {c["key"]: c for c in dossier["checks"]}["time"]
    assert "依申请公开逾期答复1件" in time_limits["shortfalls"], time_limits
    ok(clone, "archive", "--year", "2026", "-o", str(case.root.parent / "arch"), now=at(11, 10))
    rows = (case.root.parent / "arch" / "requests" / "requests-2026.csv").read_text("utf-8-sig")
    assert rows.splitlines()[1].endswith(",2026-11-04,2026-11-05,否"), rows

    # the same answer, received on the day it was due: in time
    timely_bare = _rehearsal_server(case, name="timely")
    logged = push(case, timely_bare, "HEAD~1:refs/heads/main", env={"DANGWU_NOW": at(11, 2, 11)})
    assert logged.returncode == 0, logged.stderr
    timely = push(case, timely_bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(11, 5, 17)})
    assert timely.returncode == 0, timely.stderr
    bare = timely_bare
    on_time = seen_from_a_clone("timely")
    listed = json.loads(ok(on_time, "request", "list", "--json", now=at(11, 10)).stdout)
    assert listed[0]["reached"] == "2026-11-05" and not listed[0]["late"], listed


def test_a_quarterly_update_backdated_and_pushed_late_counts_as_late(case: Case):
    """The third quarter's dues are due on 10-20 (ten working days after the quarter,
    National Day aside). The clerk publishes them on 10-28 with his clock set back to
    10-19; the server takes the push (a late update is still an update), and once a
    clone holds the server's notes the year's figures, and the dossier with them,
    count it late. Received on 10-20, it is in time."""
    bare = _rehearsal_server(case)
    rid = case.new("--summary", "三季度党费", "--body", "收缴情况。", now=at(10, 16, 9))
    ok(case, "submit", rid, now=at(10, 16, 10))
    ok(case, "approve", rid, as_="zhoulx", now=at(10, 16, 11))
    ok(case, "publish", rid, now=at(10, 19, 9))

    def quarterly(office: Office) -> tuple[int, int]:
        said = json.loads(ok(office, "stats", "--year", "2026", "--json", now=at(11, 2)).stdout)
        return said["quarterly"]["on_time"], said["quarterly"]["late"]

    def seen_from_a_clone(server: Path, name: str) -> Office:
        settled(server)  # the server writes its receipts after the push
        clone = Office(case.root.parent / name)
        git_in(case.root.parent, "clone", "-q", str(server), str(clone.root))
        git_in(clone.root, "fetch", "-q", "origin", "+refs/notes/dangwu/*:refs/notes/dangwu/*")
        return clone

    assert quarterly(case) == (1, 0)  # by its own date
    late = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(10, 28, 9)})
    assert late.returncode == 0, late.stderr
    clone = seen_from_a_clone(bare, "colleague")
    assert quarterly(clone) == (0, 1)
    dossier = json.loads(ok(clone, "dossier", "--year", "2026", "--json", now=at(11, 2)).stdout)
    time_limits = {c["key"]: c for c in dossier["checks"]}["time"]
    assert "季度更新逾期公开1项" in time_limits["shortfalls"], time_limits
    timely_bare = _rehearsal_server(case, name="timely")
    timely = push(case, timely_bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(10, 20, 17)})
    assert timely.returncode == 0, timely.stderr
    assert quarterly(seen_from_a_clone(timely_bare, "on-time")) == (1, 0)


# --- 3. only branches carry history ------------------------------------------------------


def _unsigned_approval_with_a_signed_twin(case: Case) -> tuple[str, str, str]:
    """On an office that requires signing: an approval commit made unsigned with plain
    git (X), and a signed copy of it (S) with the same tree, parent and message."""
    edit_settings(case, lambda d: d["rules"].__setitem__("require_signing", True))
    commit(case, "linht", "rules: approvals are signed", "dangwu.yaml", date=at(10, 5, 18))
    rid = case.new("--summary", "摘要", "--body", "正文。", now=at(10, 6, 9))
    ok(case, "submit", rid, now=at(10, 6, 10))
    signing = sign_env(case.b.keys / "zhoulx")
    ok(case, "approve", rid, as_="zhoulx", now=at(10, 6, 11), env=signing)
    signed = case.head()
    raw = case.git("cat-file", "commit", signed)
    assert "gpgsig" in raw
    tree = case.git("rev-parse", f"{signed}^{{tree}}")
    parent = case.git("rev-parse", f"{signed}^")
    message = case.git("log", "-1", "--format=%B", signed)
    env = identity("zhoulx", at(10, 6, 11))
    unsigned = subprocess.run(
        ["git", "-C", str(case.root), "commit-tree", tree, "-p", parent, "-m", message],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, **env},
    ).stdout.strip()
    case.git("update-ref", "refs/heads/main", unsigned)
    case.git("replace", unsigned, signed)
    return rid, unsigned, signed


def test_dangwu_never_honours_replace_refs(case: Case):
    rid, unsigned, _signed = _unsigned_approval_with_a_signed_twin(case)
    # plain git is fooled: it shows the signed twin in place of the unsigned commit
    assert "gpgsig" in case.git("cat-file", "commit", unsigned)
    result = audit(case)
    assert flagged(result.stdout, unsigned, rid, "signature-required", who("zhoulx")), result.output
    logged = json.loads(ok(case, "log", rid, "--json").stdout)
    assert [e["signature"] for e in logged if e["step"] == "approve"] == ["none"]


def test_the_server_refuses_replace_refs_and_the_unsigned_commit_behind_them(case: Case):
    bare = guarded_server(case, base=case.b.head)
    _rid, unsigned, _signed = _unsigned_approval_with_a_signed_twin(case)
    pushed = push(case, bare, f"refs/replace/{unsigned}:refs/replace/{unsigned}")
    assert pushed.returncode != 0
    assert "a replace ref makes git show one object in place of another" in pushed.stderr
    both = push(case, bare, "HEAD:refs/heads/main", f"refs/replace/{unsigned}")
    assert both.returncode != 0
    assert "[signature-required]" in both.stderr, both.stderr
    assert server_ref(bare) == case.b.head
    assert server_ref(bare, f"refs/replace/{unsigned}") == ""


def test_tags_only_name_what_a_branch_holds(case: Case):
    bare = guarded_server(case, base=case.b.head)
    a = case.b.ids["A"]
    # a tampered published record, kept off the branch, pushed as a tag
    case.git("checkout", "-q", "-b", "tampered")
    path = edit_record(case, a, lambda d: d.update(title="机关作风建设情况（篡改）"))
    forged = commit(case, "dumy", "fix", path, date=TAMPER)
    tagger = identity("dumy", TAMPER)
    case.git("tag", "-a", "-m", "archive", "archive-2026", forged, env=tagger)
    tagged = push(case, bare, "refs/tags/archive-2026")
    assert tagged.returncode != 0
    assert "which no branch of the office holds" in tagged.stderr, tagged.stderr
    assert server_ref(bare, "refs/tags/archive-2026") == ""
    # a tag on what the branch holds is fine, once; it never moves
    case.git("tag", "-f", "-a", "-m", "archive", "archive-2026", case.b.head, env=tagger)
    assert push(case, bare, "refs/tags/archive-2026").returncode == 0
    case.git("tag", "-f", "-a", "-m", "again", "archive-2026", case.b.early, env=tagger)
    moved = push(case, bare, "--force", "refs/tags/archive-2026")
    assert moved.returncode != 0 and "never moved or deleted" in moved.stderr


def test_notes_and_unknown_refs_are_refused(case: Case):
    bare = guarded_server(case, base=case.b.head)
    a = case.b.ids["A"]
    note = f"{a} 的标题应为：机关作风建设情况（篡改）"
    case.git("notes", "add", "-m", note, case.b.head, env=identity("dumy", TAMPER))
    noted = push(case, bare, "refs/notes/commits")
    assert noted.returncode != 0 and "refusing refs/notes/commits" in noted.stderr
    other = push(case, bare, f"{case.b.head}:refs/archive/main")
    assert other.returncode != 0
    assert "only branches (refs/heads/) and tags (refs/tags/)" in other.stderr


# --- 4. the actor is proven --------------------------------------------------------------

USERS = {"dumy": "pw-dumy", "zhoulx": "pw-zhoulx", "linht": "pw-linht"}


def _http_office(case: Case, root: Path) -> Path:
    bare = root / "office.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git_in(case.root, "push", "-q", str(bare), f"{case.b.head}:refs/heads/main")
    ok(case, "hook", "install", "--lang", "en", "--server", "http", str(bare))
    return bare


def _self_approval_as_zhoulx(case: Case, *, signed: bool) -> str:
    """The clerk drafts a record and approves it himself as 周立新, by setting git's
    author email to the member's: dangwu takes him for 周立新."""
    rid = case.new("--summary", "摘要", "--body", "正文。", now=at(10, 6, 9))
    ok(case, "submit", rid, now=at(10, 6, 10))
    env = sign_env(case.b.keys / "zhoulx") if signed else None
    ok(
        case,
        "approve",
        rid,
        *(["--sign"] if signed else []),
        as_="zhoulx",
        now=at(10, 6, 11),
        env=env,
    )
    ok(case, "publish", rid, now=at(10, 6, 12))
    return rid


def test_a_step_made_as_someone_else_is_refused_by_a_server_that_knows_the_pusher(
    case: Case, tmp_path: Path
):
    root = tmp_path / "srv"
    root.mkdir()
    bare = _http_office(case, root)
    _self_approval_as_zhoulx(case, signed=False)
    with smart_http(root, USERS) as base:
        pushed = push(case, f"http://dumy:pw-dumy@{base[7:]}/office.git", "HEAD:refs/heads/main")
    assert pushed.returncode != 0, pushed.stderr
    assert "[not-the-pusher]" in pushed.stderr, pushed.stderr
    assert "pushed by 杜明远 (dumy), but made as 周立新 (zhoulx)" in pushed.stderr
    assert server_ref(bare) == case.b.head


def test_a_step_signed_by_its_actor_may_be_pushed_by_anyone(case: Case, tmp_path: Path):
    root = tmp_path / "srv"
    root.mkdir()
    bare = _http_office(case, root)
    _self_approval_as_zhoulx(case, signed=True)
    with smart_http(root, USERS) as base:
        pushed = push(case, f"http://dumy:pw-dumy@{base[7:]}/office.git", "HEAD:refs/heads/main")
    assert pushed.returncode == 0, pushed.stderr
    assert server_ref(bare) == case.head()


def test_each_person_pushes_their_own_steps_unsigned(case: Case, tmp_path: Path):
    root = tmp_path / "srv"
    root.mkdir()
    bare = _http_office(case, root)
    rid = case.new("--summary", "摘要", "--body", "正文。", now=at(10, 6, 9))
    ok(case, "submit", rid, now=at(10, 6, 10))
    with smart_http(root, USERS) as base:
        url = f"http://{{}}@{base[7:]}/office.git"
        assert push(case, url.format("dumy:pw-dumy"), "HEAD:refs/heads/main").returncode == 0
        ok(case, "approve", rid, as_="zhoulx", now=at(10, 6, 11))
        by_member = push(case, url.format("zhoulx:pw-zhoulx"), "HEAD:refs/heads/main")
        assert by_member.returncode == 0, by_member.stderr
        ok(case, "publish", rid, now=at(10, 6, 12))
        by_other = push(case, url.format("linht:pw-linht"), "HEAD:refs/heads/main")
        assert by_other.returncode != 0 and "[not-the-pusher]" in by_other.stderr
        # no password, no push
        anonymous = push(
            case, f"{base}/office.git", "HEAD:refs/heads/main", env={"GIT_TERMINAL_PROMPT": "0"}
        )
        assert anonymous.returncode != 0
    assert server_ref(bare) != case.head()


def _request(case: Case) -> None:
    """Request 101, logged by the clerk after the honest history."""
    ok(case, "request", "new", "--name", "孙立", "--contact", "0000-2345678", "--text",
       "申请公开党员志愿服务安排", now=at(10, 6, 9))  # fmt: skip


def test_a_request_refused_in_someone_elses_name_is_refused_by_the_server(
    case: Case, tmp_path: Path
):
    """The clerk refuses a request as the office head, by giving git the head's email:
    on his machine dangwu takes him for her; the server knows who pushes."""
    root = tmp_path / "srv"
    root.mkdir()
    bare = _http_office(case, root)
    _request(case)
    ok(case, "request", "refuse", "101", "--reason", "不属于公开范围", "--format", "docx",
       "-o", str(tmp_path / "letter.docx"), as_="linht", now=at(10, 6, 10))  # fmt: skip
    with smart_http(root, USERS) as base:
        pushed = push(case, f"http://dumy:pw-dumy@{base[7:]}/office.git", "HEAD:refs/heads/main")
    assert pushed.returncode != 0, pushed.stderr
    assert "[not-the-pusher]" in pushed.stderr, pushed.stderr
    assert server_ref(bare) == case.b.head


def test_a_request_answer_rewritten_with_plain_git_is_refused_by_the_server(case: Case):
    """An answer given, then reworded by hand with the answer step's trailer and a
    date of its own: the server's audit says the request was settled before."""
    _request(case)
    ok(case, "request", "answer", "101", "--text", "已书面答复。", now=at(10, 6, 10))
    bare = guarded_server(case, base=case.head())
    path = case.root / "requests" / "101.yaml"
    path.write_text(path.read_text("utf-8").replace("已书面答复。", "已当面答复。"), "utf-8")
    commit(case, "dumy", "answer: 101\n\nDangwu-Step: answer", "requests/101.yaml",
           date=at(10, 6, 11))  # fmt: skip
    pushed = push(case, bare, "HEAD:refs/heads/main")
    assert pushed.returncode != 0, pushed.stderr
    assert "[request-changed]" in pushed.stderr, pushed.stderr
    assert server_ref(bare) != case.head()


def test_a_roster_account_names_the_server_login(case: Case, tmp_path: Path):
    """周立新's server login is 'lxzhou': that account, and not the roster key, is him."""
    edit_settings(case, lambda d: d["roster"]["zhoulx"].__setitem__("account", "lxzhou"))
    commit(case, "linht", "roster: zhoulx's account", "dangwu.yaml", date=at(10, 5, 18))
    root = tmp_path / "srv"
    root.mkdir()
    bare = root / "office.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git_in(case.root, "push", "-q", str(bare), "HEAD:refs/heads/main")
    ok(case, "hook", "install", "--lang", "en", "--server", "http", str(bare))
    rid = case.new("--summary", "摘要", "--body", "正文。", now=at(10, 6, 9))
    ok(case, "submit", rid, now=at(10, 6, 10))
    users = {**USERS, "lxzhou": "pw-lx"}
    with smart_http(root, users) as base:
        url = f"http://{{}}@{base[7:]}/office.git"
        assert push(case, url.format("dumy:pw-dumy"), "HEAD:refs/heads/main").returncode == 0
        ok(case, "approve", rid, as_="zhoulx", now=at(10, 6, 11))
        as_key = push(case, url.format("zhoulx:pw-zhoulx"), "HEAD:refs/heads/main")
        assert as_key.returncode != 0 and "[not-the-pusher]" in as_key.stderr
        as_account = push(case, url.format("lxzhou:pw-lx"), "HEAD:refs/heads/main")
        assert as_account.returncode == 0, as_account.stderr


def test_a_disk_server_believes_no_pusher_variable(case: Case):
    """On a bare repository on a disk the pusher's own shell runs the hook: a GL_USER or
    REMOTE_USER it sets proves nothing, and is not asked."""
    bare = guarded_server(case, base=case.b.head)
    _self_approval_as_zhoulx(case, signed=False)
    pushed = push(
        case, bare, "HEAD:refs/heads/main", env={"REMOTE_USER": "zhoulx", "GL_USER": "zhoulx"}
    )
    assert pushed.returncode == 0, pushed.stderr  # only signatures could tell; not required
    assert "not-the-pusher" not in pushed.stderr


# --- 5. private stays private in what is printed ----------------------------------------

REPORTER, PHONE = "赵建国", "13912345678"


def test_a_reason_that_names_a_reporter_is_refused(case: Case):
    a = case.b.ids["A"]
    refused(
        case,
        "withdraw",
        a,
        "--reason",
        f"应举报人{REPORTER}（{PHONE}）要求撤回",
        as_="hanzg",
        now=at(10, 6),
        expect="--reason would print what may not be disclosed",
    )
    # written another way, it is read as it prints
    refused(
        case,
        "withdraw",
        a,
        "--reason",
        "应举报人赵**建**国要求撤回",
        as_="hanzg",
        now=at(10, 6),
        expect="names a real-name reporter",
    )
    for written in ("赵·建国", "赵-建-国", "赵/建/国", "赵（建）国", "赵<span>建</span>国"):
        refused(
            case,
            "withdraw",
            a,
            "--reason",
            f"应{written}要求撤回",
            as_="hanzg",
            now=at(10, 6),
            expect="names a real-name reporter",
        )
    ok(case, "withdraw", a, "--reason", "应举报人要求撤回", as_="hanzg", now=at(10, 6))


def _printed_texts(case: Case, tmp_path: Path, now: str) -> dict[str, str]:
    """The public board and the quarter's bulletin, HTML, Markdown and PDF, as text."""
    from conftest import need_pdf
    from test_board import pdftotext

    need_pdf()
    out = tmp_path / "printed"
    ok(case, "board", "--format", "html", "-o", str(out), now=now)
    ok(case, "board", "--format", "pdf", "-o", str(out), now=now)
    for fmt in ("html", "md", "pdf"):
        ok(case, "bulletin", "2026Q4", "--format", fmt, "-o", str(out / f"b.{fmt}"), now=now)
    texts = {}
    for path in sorted(out.iterdir()):
        texts[path.name] = pdftotext(path) if path.suffix == ".pdf" else path.read_text("utf-8")
    return texts


BYPASSES = "\n\n".join(
    [
        "其一：赵**建**国来信。",  # emphasis inside the name
        "其二：赵&#24314;国来信。",  # an entity for one character
        "其三：[赵](#x)建国来信。",  # a link drawn across the name
        "其四：联系电话139&#49;2345678。",  # an entity inside the number
        "其五：联系电话１３９１２３４５６７８。",  # full-width digits
    ]
)


def test_the_secrecy_review_reads_a_body_as_it_prints(case: Case):
    rid = case.new(
        "--scope",
        "public",
        "--channel",
        "public-board",
        "--event-date",
        "2026-10-05",
        "--summary",
        "来信办理情况",
        "--body",
        BYPASSES,
        category="zuofeng-jianshe",
        item="hot-issues",
        title="群众来信办理情况",
        now=at(10, 6, 9),
    )
    checked = case.run("check", rid, now=at(10, 6, 10))
    assert checked.exit_code == 1, checked.output
    path = next(case.root.glob(f"records/*/{rid}.yaml")).relative_to(case.root).as_posix()
    rows = case.read(path).splitlines()
    for label, kind in (
        ("其一", "names a real-name reporter"),
        ("其二", "names a real-name reporter"),
        ("其三", "names a real-name reporter or their contact (赵**), once its Markdown"),
        ("其四", "mobile phone number"),
        ("其五", "mobile phone number"),
    ):
        line = next(i for i, row in enumerate(rows, 1) if label in row)
        assert re.search(
            rf"^{re.escape(path)}:{line}:\d+: .*{re.escape(kind)}", checked.stdout, re.M
        ), (
            label,
            checked.stdout,
        )
    ok(case, "submit", rid, now=at(10, 6, 10))
    refused(case, "approve", rid, as_="zhoulx", now=at(10, 6, 11), expect="secrecy review found")


def test_what_is_printed_never_names_a_reporter_however_it_is_written(case: Case, tmp_path: Path):
    """A record published before the report came in, and the withdrawal of another
    with a reason written before its writer became a reporter: on paper, on the board,
    in the bulletin, every way of writing the name or number is blotted."""
    rid = case.new(
        "--scope",
        "public",
        "--channel",
        "public-board",
        "--event-date",
        "2026-10-05",
        "--summary",
        "钱**秀**英等来信的办理情况",
        "--body",
        BYPASSES.replace("赵", "钱").replace("建国", "秀英").replace("139", "137"),
        category="zuofeng-jianshe",
        item="hot-issues",
        title="群众来信办理情况",
        now=at(10, 6, 9),
    )
    ok(case, "submit", rid, now=at(10, 6, 10))
    ok(case, "approve", rid, "--override", "经核对为公开信息", as_="zhoulx", now=at(10, 6, 11))
    ok(case, "publish", rid, now=at(10, 6, 12))
    a = case.b.ids["A"]
    ok(case, "withdraw", a, "--reason", "应钱秀英同志要求撤回", as_="hanzg", now=at(10, 6, 13))
    ok(
        case,
        "report",
        "new",
        "--name",
        "钱秀英",
        "--contact",
        "13712345678",
        "--about",
        rid,
        "--text",
        "反映情况。",
        now=at(10, 7, 9),
    )
    texts = _printed_texts(case, tmp_path, now=at(10, 7, 10))
    assert len(texts) == 5, sorted(texts)
    for name, text in texts.items():
        flat = re.sub(r"[\s*\\]", "", text)
        for secret in ("钱秀英", "13712345678", "钱&#31168;英", "137&#49;2345678"):
            assert secret not in flat, (name, secret)
        assert "１３７１２３４５６７８" not in text, name
        assert "＊＊＊" in text, name
    assert "应＊＊＊同志要求撤回" in texts["b.html"]


def test_a_body_with_a_remote_image_fetches_nothing(case: Case, tmp_path: Path):
    """![x](http://127.0.0.1:PORT/x.png) in a body: the HTML embeds no remote picture
    and the PDF renderer sends no request; the server started here hears nothing."""
    import http.server
    import threading

    asked: list[str] = []

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        rid = _record_with_body(
            case,
            f"活动照片：![合影](http://127.0.0.1:{port}/x.png)\n\n"
            f"![又一张](//127.0.0.1:{port}/y.png)",
        )
        ok(case, "submit", rid, now=at(10, 6, 10))
        ok(case, "approve", rid, as_="zhoulx", now=at(10, 6, 11))
        ok(case, "publish", rid, now=at(10, 6, 12))
        texts = _printed_texts(case, tmp_path, now=at(10, 7))
    finally:
        server.shutdown()
        server.server_close()
    assert asked == [], asked  # nothing reached the server
    from dangwu.render.sheets import remote_reference

    for name, text in texts.items():
        if name.endswith(".html"):
            assert remote_reference(text) is None, name
            assert f"127.0.0.1:{port}" not in text, name
    assert "［图：合影］" in texts["b.html"] and "［图：又一张］" in texts["b.html"]
    assert "!\\[合影]" in texts["b.md"]  # the Markdown names the picture, shows none


def test_a_picture_among_the_offices_own_files_is_printed_from_the_page(case: Case, tmp_path: Path):
    """A picture committed with the office is put into the page itself: the HTML needs
    nothing beside it, and the PDF renderer reads it without fetching anything."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(b"\x00" + bytes([200, 30, 30]) * 40 for _ in range(20))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40, 20, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    case.write("files/emblem.png", png)
    commit(case, "dumy", "会标", "files/emblem.png", date=at(10, 6, 8))
    rid = _record_with_body(case, "会标如下：![会标](files/emblem.png)")
    ok(case, "submit", rid, now=at(10, 6, 10))
    ok(case, "approve", rid, as_="zhoulx", now=at(10, 6, 11))
    ok(case, "publish", rid, now=at(10, 6, 12))
    html = tmp_path / "b.html"
    ok(case, "bulletin", "2026Q4", "--format", "html", "-o", str(html), now=at(10, 7))
    assert '<img src="data:image/png;base64,' in html.read_text("utf-8")
    pdf = tmp_path / "b.pdf"
    ok(case, "bulletin", "2026Q4", "--format", "pdf", "-o", str(pdf), now=at(10, 7))
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "   40    20 " in images, images  # the picture, 40 x 20, in the PDF


def _record_with_body(case: Case, body: str) -> str:
    return case.new(
        "--scope",
        "public",
        "--channel",
        "public-board",
        "--summary",
        "活动",
        "--body",
        body,
        "--event-date",
        "2026-10-05",
        category="gongzuo-dongtai",
        item="party-activities",
        title="主题党日活动",
        now=at(10, 6, 9),
    )


def test_an_office_template_that_fetches_from_elsewhere_is_refused(case: Case, tmp_path: Path):
    case.write(
        "templates/board.html.j2",
        '<html><body><img src="http://127.0.0.1:9/track.gif">{{ board.unit }}</body></html>\n',
    )
    out = tmp_path / "out"
    result = case.run("board", "-o", str(out), now=at(10, 7))
    assert result.exit_code == 1
    assert "board.html.j2 makes a page that reaches beyond itself: http://127.0.0.1:9/" in (
        result.stderr
    )
    assert not out.exists() or not any(out.iterdir())
    # nor may it run or load anything, however it is written; and whatever it puts in
    # its head, the page forbids a browser to fetch
    for sneaky in (
        '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/?leak">',
        '<script>fetch("http://127.0.0.1:9/")</script>',
        '<iframe srcdoc="<img src=http://127.0.0.1:9/>"></iframe>',
        "<style>p { background: url(\\68 ttp://127.0.0.1:9/x) }</style>",
        '<p onmouseover="x()">{{ board.unit }}</p>',
    ):
        case.write("templates/board.html.j2", f"<html><body>{sneaky}</body></html>\n")
        refused_again = case.run("board", "-o", str(out), now=at(10, 7))
        assert refused_again.exit_code == 1, (sneaky, refused_again.output)
        assert "reaches beyond itself" in refused_again.stderr
    case.write(
        "templates/board.html.j2",
        '<html><head><meta http-equiv="Content-Security-Policy" content="default-src *">'
        "</head><body>{{ board.unit }}</body></html>\n",
    )
    ok(case, "board", "-o", str(out), now=at(10, 7))
    page = next(out.glob("board-*.html")).read_text("utf-8")
    from dangwu.render.sheets import PAGE_POLICY

    assert PAGE_POLICY in page.split("</head>")[0]


# --- 6. invisible characters -------------------------------------------------------------

RLO = "\u202e"


def test_a_bidi_control_or_an_invisible_character_is_refused_where_it_stands(case: Case):
    refused(
        case,
        "new",
        "zhidu-jianshe",
        "--item",
        "integrity-rules",
        "--title",
        f"关于{RLO}规定",
        now=at(10, 6),
        expect="invisible character U+202E RIGHT-TO-LEFT OVERRIDE",
    )
    rid = case.new("--summary", "摘要", "--body", "正文。", now=at(10, 6))
    refused(
        case,
        "set",
        rid,
        "summary=赵\u200b建国",
        now=at(10, 6, 11),
        expect="invisible character U+200B ZERO WIDTH SPACE",
    )
    # and what prints as nothing without being a format character
    for blank, name in (("\u17b4", "KHMER VOWEL INHERENT AQ"), ("\u2800", "BRAILLE PATTERN BLANK")):
        said = f"invisible character U+{ord(blank):04X} {name}"
        refused(case, "set", rid, f"summary=赵{blank}建国", now=at(10, 6, 11), expect=said)
    # written into the file by hand, validate says where
    path = next(case.root.glob(f"records/*/{rid}.yaml"))
    text = path.read_text("utf-8").replace("摘要", f"摘{RLO}要")
    path.write_text(text, "utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if RLO in row)
    col = text.splitlines()[line - 1].index(RLO) + 1
    result = case.run("validate", now=at(10, 6, 12))
    assert result.exit_code == 1
    relpath = path.relative_to(case.root).as_posix()
    assert f"{relpath}:{line}:{col}: invisible character U+202E" in result.stdout + result.stderr
    # an escape in a quoted string is found too, and an HTML entity, which Markdown
    # would print as the character itself
    path.write_text(text.replace(f"摘{RLO}要", '"摘\\u202e要"'), "utf-8")
    again = case.run("validate", now=at(10, 6, 12))
    assert again.exit_code == 1 and "U+202E" in again.output
    path.write_text(text.replace(f"摘{RLO}要", "摘&#x202e;要"), "utf-8")
    entity = case.run("validate", now=at(10, 6, 12))
    assert entity.exit_code == 1 and "U+202E" in entity.output
    # and in a reason
    case.git("checkout", "--", relpath)
    ok(case, "submit", rid, now=at(10, 6, 13))
    refused(
        case,
        "reject",
        rid,
        "--reason",
        f"请{RLO}修改",
        as_="zhoulx",
        now=at(10, 6, 14),
        expect="--reason holds an invisible character (U+202E)",
    )


# --- 7. paper tells the truth ------------------------------------------------------------


def test_a_sheet_printed_from_a_side_branch_is_not_genuine_once_merged(case: Case, tmp_path: Path):
    a = case.b.ids["A"]
    case.git("checkout", "-q", "-b", "side")
    path = edit_record(case, a, lambda d: d.update(title="机关作风建设情况（已整改完毕）"))
    commit(case, "dumy", "title", path, date=at(10, 6, 9))
    printed = ok(case, "board", "-o", str(tmp_path / "side"), now=at(10, 6, 10))
    codes = re.findall(r"[0-9a-f]{8}-P[A-Z]{2}\d-\d{6}-[0-9A-Z]{4}", printed.stdout)
    sheet = next(c for c in codes if "-PZF1-" in c)
    case.git("checkout", "-q", "main")
    case.git(
        "merge", "-q", "-s", "ours", "-m", "merge", "side", env=identity("dumy", at(10, 6, 11))
    )
    result = case.run("verify", sheet, now=at(10, 7))
    assert result.exit_code == 1, result.output
    assert f"not genuine: {a} on this sheet was printed from a history that breaks the rules" in (
        result.output
    )
    # an honest sheet of the same office is still genuine
    honest = ok(case, "board", "-o", str(tmp_path / "main"), now=at(10, 7))
    fine = next(
        c
        for c in re.findall(r"[0-9a-f]{8}-P[A-Z]{2}\d-\d{6}-[0-9A-Z]{4}", honest.stdout)
        if "-PZD1-" in c
    )
    assert ok(case, "verify", fine, now=at(10, 7)).stdout.startswith("genuine")


# --- 8. signing is the default -----------------------------------------------------------


def test_a_new_office_requires_signing_unless_told_what_is_lost(tmp_path: Path):
    where = Office(tmp_path)
    made = ok(where, "init", str(tmp_path / "signed"), "--unit", "江城市司法局", as_="linht")
    assert "must be signed with each person's own key" in made.stdout
    assert "dangwu key" in made.stdout
    settings = (tmp_path / "signed" / "dangwu.yaml").read_text("utf-8")
    assert re.search(r"^  require_signing: true\b", settings, re.M)
    assert re.search(r"^  allow_merges: false\b", settings, re.M)
    loose = ok(
        where,
        "init",
        str(tmp_path / "loose"),
        "--unit",
        "江城市司法局",
        "--no-signing",
        as_="linht",
    )
    assert "anyone who can set git's email can act as anyone" in loose.stdout
    text = (tmp_path / "loose" / "dangwu.yaml").read_text("utf-8")
    assert re.search(r"^  require_signing: false\b", text, re.M)


def test_dangwu_key_makes_a_key_sets_git_up_and_says_what_the_roster_needs(case: Case):
    """A member without a key makes one; the office head registers it; the member's
    next approval is signed, and the history says so."""
    edit_settings(case, lambda d: d["roster"]["sunhm"].pop("signing_key", None))
    commit(case, "linht", "roster: no key yet", "dangwu.yaml", date=at(10, 5, 18))
    made = ok(case, "key", as_="sunhm", now=at(10, 6, 8))
    home = Path(__import__("os").environ["HOME"])
    key = home / ".ssh" / "dangwu_sunhm"
    assert key.exists() and key.with_name("dangwu_sunhm.pub").exists()
    assert f"Made the signing key {key}, without a passphrase" in made.stdout
    assert "Give this line to your office head" in made.stdout
    line = next(li.strip() for li in made.stdout.splitlines() if "roster set" in li)
    assert line.startswith("dangwu roster set sunhm --signing-key 'ssh-ed25519 ")
    assert case.git("config", "--local", "user.signingkey") == str(key)
    assert case.git("config", "--local", "gpg.format") == "ssh"
    public = line.split("'")[1]
    refused(
        case,
        "roster",
        "set",
        "sunhm",
        "--signing-key",
        public,
        as_="sunhm",
        now=at(10, 6, 9),
        expect="may not change the roster",
    )
    changed = ok(
        case, "roster", "set", "sunhm", "--signing-key", public, as_="linht", now=at(10, 6, 9)
    )
    assert "signing_key: - -> ssh-ed25519" in changed.stdout
    again = ok(case, "key", as_="sunhm", now=at(10, 6, 10))
    assert "The roster lists this key for you" in again.stdout
    assert "Made" not in again.stdout  # the key is kept, not made again
    rid = case.new("--summary", "摘要", "--body", "正文。", now=at(10, 6, 11))
    ok(case, "submit", rid, now=at(10, 6, 12))
    ok(case, "approve", rid, "--sign", as_="sunhm", now=at(10, 6, 13))
    logged = json.loads(ok(case, "log", rid, "--json").stdout)
    assert [e["signature"] for e in logged if e["step"] == "approve"] == ["good"]
    assert audit(case).exit_code == 0


def test_a_server_account_names_one_person(case: Case):
    edit_settings(case, lambda d: d["roster"]["zhoulx"].__setitem__("account", "sunhm"))
    result = case.run("validate", now=at(10, 6))
    assert result.exit_code == 1
    assert "the server account sunhm is also 'sunhm''s" in result.output
    case.git("checkout", "--", "dangwu.yaml")
    refused(
        case,
        "roster",
        "set",
        "zhoulx",
        "--account",
        "bad account",
        as_="linht",
        now=at(10, 6),
        expect="is not a server account name",
        code=2,
    )
    ok(case, "roster", "set", "zhoulx", "--account", "lxzhou", as_="linht", now=at(10, 6))
    listed = json.loads(ok(case, "roster", "list", "--json").stdout)
    assert next(p for p in listed if p["key"] == "zhoulx")["account"] == "lxzhou"


# --- 9. what else was tried ----------------------------------------------------------------


def test_a_grafts_file_or_a_shallow_clone_cannot_be_audited(case: Case, tmp_path: Path):
    """A grafts file gives commits other parents (the tampered commits vanish from
    git log); a shallow clone has lost its beginning. Neither is judged as if whole."""
    grafts = case.root / ".git" / "info" / "grafts"
    grafts.parent.mkdir(exist_ok=True)
    grafts.write_text(f"{case.b.head} {case.b.early}\n", "utf-8")
    result = audit(case)
    assert result.exit_code == 1
    assert "this repository's history cannot be audited" in result.stderr
    assert "gives commits other parents" in result.stderr
    grafts.unlink()
    shallow = tmp_path / "shallow"
    git_in(tmp_path, "clone", "-q", "--depth", "3", f"file://{case.root}", str(shallow))
    cut = Office(shallow).run("audit", now=at(10, 7))
    assert cut.exit_code == 1 and "shallow clone" in cut.stderr


def test_a_merge_with_another_repositorys_history_is_flagged_even_where_merges_are_allowed(
    case: Case, tmp_path: Path
):
    edit_settings(case, lambda d: d["rules"].__setitem__("allow_merges", True))
    commit(case, "linht", "rules: merges allowed", "dangwu.yaml", date=at(10, 5, 18))
    other = Office(tmp_path / "elsewhere")
    other.root.mkdir()
    other.git("init", "-q", "-b", "main")
    shutil.copy(case.root / "dangwu.yaml", other.root / "dangwu.yaml")
    commit(other, "linht", "init: 另一个单位", "dangwu.yaml", date=at(10, 5, 19))
    other.new("--summary", "别处", "--body", "别处的正文。", as_="linht", now=at(10, 5, 20))
    case.git("fetch", "-q", str(other.root), "main:elsewhere")
    case.git(
        "merge",
        "-q",
        "--allow-unrelated-histories",
        "-s",
        "ours",
        "-m",
        "merge",
        "elsewhere",
        env=identity("dumy", at(10, 6)),
    )
    result = audit(case)
    assert flagged(result.stdout, case.head(), None, "merge", who("dumy")), result.output
    assert "histories that share no commit" in result.stdout


def test_a_clone_brings_the_servers_receipts(case: Case, tmp_path: Path):
    bare = _rehearsal_server(case)
    rid = case.new("--summary", "摘要", "--body", "正文。", now=at(10, 6, 9))
    pushed = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(10, 9)})
    assert pushed.returncode == 0, pushed.stderr
    settled(bare)
    where = Office(tmp_path)
    ok(where, "clone", str(bare), str(tmp_path / "inspector"), as_="linht")
    notes = git_in(tmp_path / "inspector", "notes", "--ref=refs/notes/dangwu/received", "list")
    assert case.head() in notes.stdout
    assert rid


def test_an_office_brings_its_past_to_an_empty_server(case: Case, tmp_path: Path):
    """An office moves to a new server months after its plans went out for comment:
    its history predates the server, so the server does not take its arrival for the
    day each step was done (and notes none of it), but judges it all the same."""
    rid = _approved(case)
    ok(case, "publish", rid, now=at(10, 6, 12))
    ok(case, "set", rid, "body=正式方案。", now=at(10, 21, 9))
    ok(case, "submit", rid, now=at(10, 21, 10))
    ok(case, "approve", rid, as_="sunhm", now=at(10, 22))
    ok(case, "publish", rid, now=at(10, 22, 11))
    bare = tmp_path / "new-server.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    ok(case, "hook", "install", "--lang", "en", str(bare))
    git_in(bare, "config", "dangwu.rehearsal", "true")
    moved = push(case, bare, "HEAD:refs/heads/main", env={"DANGWU_NOW": at(12, 20)})
    assert moved.returncode == 0, moved.stderr
    settled(bare)
    notes = git_in(bare, "notes", "--ref=refs/notes/dangwu/received", "list", check=False)
    assert notes.stdout.strip() == ""
    # and what it judges is judged: a tampered history is refused there too
    other = Case(tmp_path / "other", built=case.b)
    shutil.copytree(case.b.office.root, other.root, symlinks=True)
    _merge_ours(other, other.b.early)
    empty = tmp_path / "empty.git"
    subprocess.run(["git", "init", "-q", "--bare", str(empty)], check=True)
    ok(other, "hook", "install", "--lang", "en", str(empty))
    refused_push = push(other, empty, "HEAD:refs/heads/main")
    assert refused_push.returncode != 0 and "[report-deleted]" in refused_push.stderr


# --- 10. the settings and roster under signing ---------------------------------------------


def _signing_office(case: Case) -> Path:
    """The office head lists a key of their own and makes signing compulsory (the last
    change the office makes unsigned); returns the office head's key."""
    head_key = keygen(case.root.parent / "head-key", "linht")

    def change(data) -> None:
        data["rules"]["require_signing"] = True
        data["roster"]["linht"]["signing_key"] = Path(f"{head_key}.pub").read_text().strip()

    edit_settings(case, change)
    commit(case, "linht", "rules: signing required", "dangwu.yaml", date=at(10, 5, 18))
    return head_key


def test_a_forged_change_of_the_roster_is_flagged_where_signing_is_required(case: Case):
    """The clerk sets git's email to the office head's and lists his own key for the
    leader, then approves as the leader with it: the roster change is not signed by
    the office head, so it is flagged, and so is everything it was meant to allow."""
    _signing_office(case)
    clerk_key = case.b.keys / "dumy"

    def swap(data) -> None:
        data["roster"]["hanzg"]["signing_key"] = Path(f"{clerk_key}.pub").read_text().strip()

    edit_settings(case, swap)
    forged = commit(case, "linht", "roster set", "dangwu.yaml", date=at(10, 6, 8))
    result = audit(case)
    assert flagged(result.stdout, forged, None, "signature-required", who("linht")), result.output
    assert "the settings or roster were changed without 林海涛's signature" in result.stdout
    # turning signing off the same way is flagged the same way
    edit_settings(case, lambda d: d["rules"].__setitem__("require_signing", False))
    off = commit(case, "linht", "rules", "dangwu.yaml", date=at(10, 6, 9))
    again = audit(case)
    assert flagged(again.stdout, off, None, "signature-required", who("linht")), again.output
    bare = guarded_server(case, base=case.b.head)
    pushed = push(case, bare, "HEAD:refs/heads/main")
    assert pushed.returncode != 0 and "[signature-required]" in pushed.stderr


def test_a_roster_change_that_broke_the_rules_does_not_count_afterwards(case: Case):
    """The clerk makes himself a leader with plain git. The audit flags it, and from
    then on judges by the roster as it stood: the member he then adds with dangwu's own
    command, and that member's approval, count for nothing, however clean their own
    commits look. The audit that found the first change is the one continued."""
    edit_settings(case, lambda d: d["roster"]["dumy"].__setitem__("roles", ["clerk", "leader"]))
    forged = commit(case, "dumy", "roster", "dangwu.yaml", date=at(10, 6, 8))
    first = audit(case)
    assert flagged(first.stdout, forged, None, "role", who("dumy")), first.output
    assert flagged(first.stdout, forged, None, "settings-not-in-force", who("dumy"))
    assert "does not count" in first.stdout
    new_member = ("--name", "辛然", "--email", "xinr@example.org", "--role", "member")
    ok(case, "roster", "add", "xinr", *new_member, now=at(10, 6, 9))
    added = case.head()
    rid = case.new("--summary", "摘要", now=at(10, 6, 10))
    ok(case, "submit", rid, now=at(10, 6, 11))
    ok(case, "approve", rid, as_="xinr", now=at(10, 6, 12))
    approved = case.head()
    again = audit(case)
    assert again.exit_code == 1
    assert flagged(again.stdout, added, None, "role", who("dumy")), again.output
    assert flagged(again.stdout, approved, rid, "not-on-roster", "xinr@example.org")
    # the log an inspector reads says so beside each step the audit flagged
    logged = {e["commit"]: e["findings"] for e in json.loads(ok(case, "log", "--json").stdout)}
    assert logged[approved] == ["not-on-roster"]
    assert logged[added] == ["role", "settings-not-in-force"]
    assert logged[forged] == ["role", "settings-not-in-force"]
    assert "not-on-roster" in ok(case, "log", rid).stdout
    # the same verdict read afresh, with no findings kept from before
    shutil.rmtree(case.root / ".git" / "dangwu")
    assert json.loads(ok(case, "log", "--json").stdout)[-1]["findings"] == []  # none kept
    afresh = audit(case)
    assert violations(afresh.stdout) == violations(again.stdout)
    # a range audit (as a colleague's sync makes) judges its commits the same way
    ranged = audit(case, "--range", f"{forged}..{approved}")
    assert flagged(ranged.stdout, approved, rid, "not-on-roster", "xinr@example.org")
    assert not flagged(ranged.stdout, forged, None, "role", who("dumy"))  # not in the range
    # the office head puts the roster right, in order: from there the file counts again
    edit_settings(case, lambda d: d["roster"]["dumy"].__setitem__("roles", ["clerk"]))
    commit(case, "linht", "roster: dumy is a clerk", "dangwu.yaml", date=at(10, 6, 13))
    also = ("--name", "钱然", "--email", "qianr@example.org", "--role", "member")
    ok(case, "roster", "add", "qianr", *also, as_="linht", now=at(10, 6, 13, 30))
    later = case.new("--summary", "摘要", now=at(10, 6, 14))
    ok(case, "submit", later, now=at(10, 6, 15))
    ok(case, "approve", later, as_="qianr", now=at(10, 6, 16))
    settled_audit = audit(case)
    assert later not in settled_audit.stdout, settled_audit.output


def test_the_roster_is_changed_with_the_office_heads_signature(case: Case):
    head_key = _signing_office(case)
    refused(
        case,
        "roster",
        "set",
        "zhoulx",
        "--account",
        "lxzhou",
        as_="linht",
        now=at(10, 6),
        expect="git has no signing key set up",
    )
    ok(
        case,
        "roster",
        "set",
        "zhoulx",
        "--account",
        "lxzhou",
        as_="linht",
        now=at(10, 6),
        env=sign_env(head_key),
    )
    assert "gpgsig" in case.git("cat-file", "commit", "HEAD")
    assert audit(case).exit_code == 0


def test_the_settings_are_never_deleted_nor_the_office_founded_again(case: Case):
    case.git("rm", "-q", "dangwu.yaml")
    gone = commit(case, "linht", "remove settings", date=at(10, 6, 8))
    text = (
        (case.b.office.root / "dangwu.yaml")
        .read_text("utf-8")
        .replace("roles: [clerk]", "roles: [clerk, leader, office-head]")
    )
    case.write("dangwu.yaml", text)
    again = commit(case, "dumy", "settings", "dangwu.yaml", date=at(10, 6, 9))
    result = audit(case)
    assert flagged(result.stdout, gone, None, "settings-deleted", who("linht")), result.output
    assert f"{again[:10]} - [founded-again]" in result.stdout, result.output


def test_init_lists_the_office_heads_key_and_signs_roster_changes(tmp_path: Path):
    where = Office(tmp_path)
    made = ok(where, "init", str(tmp_path / "office"), "--unit", "江城市司法局", as_="linht")
    assert "Made your signing key" in made.stdout
    office = Office(tmp_path / "office")
    ok(
        office,
        "roster",
        "add",
        "hanzg",
        "--name",
        "韩振国",
        "--email",
        "hanzg@example.org",
        "--role",
        "leader",
        as_="linht",
        now=None,
    )
    raw = office.git("cat-file", "commit", "HEAD")
    assert "gpgsig" in raw
    logged = json.loads(ok(office, "log", "--json", now=None).stdout)
    assert logged[-1]["signature"] == "good"
    assert ok(office, "audit", now=None).stderr.startswith("history in order")


def test_the_server_keeps_one_history_and_says_plainly_why_it_refuses(case: Case, tmp_path: Path):
    bare = guarded_server(case, base=case.b.head)
    stranger = Office(tmp_path / "stranger")
    stranger.root.mkdir()
    stranger.git("init", "-q", "-b", "main")
    shutil.copy(case.root / "dangwu.yaml", stranger.root / "dangwu.yaml")
    commit(stranger, "dumy", "init: 另一个档案库", "dangwu.yaml", date=at(10, 6, 8))
    pushed = push(stranger, bare, "HEAD:refs/heads/evil")
    assert pushed.returncode != 0
    assert "refusing evil: it shares no history with the office's" in pushed.stderr
    assert "'dangwu audit' shows the same" not in pushed.stderr
    # a tag on a tree is refused as what it is, not as a failure to check
    tree = case.git("rev-parse", "HEAD^{tree}")
    case.git("tag", "tree-tag", tree)
    tagged = push(case, bare, "refs/tags/tree-tag")
    assert tagged.returncode != 0
    assert "refusing tag tree-tag: it does not name a commit" in tagged.stderr
    assert "could not check" not in tagged.stderr


def test_an_office_moves_its_past_to_a_server_that_knows_its_pushers(case: Case, tmp_path: Path):
    """The IT person pushes the office's whole history into a new, empty repository:
    its steps were made by many people; only what is pushed later is held to the
    pusher rule."""
    root = tmp_path / "srv"
    root.mkdir()
    bare = root / "office.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    ok(case, "hook", "install", "--lang", "en", "--server", "http", str(bare))
    with smart_http(root, USERS) as base:
        url = f"http://linht:pw-linht@{base[7:]}/office.git"
        moved = push(case, url, "HEAD:refs/heads/main")
        assert moved.returncode == 0, moved.stderr
        _self_approval_as_zhoulx(case, signed=False)
        later = push(case, url, "HEAD:refs/heads/main")
        assert later.returncode != 0 and "[not-the-pusher]" in later.stderr
