"""The audit [SPEC section 5]: an honest history passes; every kind of tampering with
plain git is found and named (commit, record, rule, person).

One honest office is built with the CLI once for the module; each case tampers
with its own copy of it, using plain git only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import Office, make_office
from plaingit import (
    commit,
    edit_record,
    edit_settings,
    facts,
    flagged,
    forge_step,
    give_signing_keys,
    keygen,
    put,
    relpath,
    sign_env,
    violations,
    who,
)

from dangwu.model.record import content_hash


def at(month: int, day: int, hour: int = 10) -> str:
    return f"2026-{month:02d}-{day:02d}T{hour:02d}:00:00+08:00"


TAMPER = at(10, 3)  # when the tampering happens: after the whole honest history


@dataclass
class Honest:
    """The honest office and what is in it."""

    office: Office
    keys: Path
    ids: dict[str, str] = field(default_factory=dict)
    head: str = ""
    first: str = ""
    steps: dict[tuple[str, str], str] = field(default_factory=dict)  # (label, step) -> commit


def _ok(office: Office, *args: str, as_: str = "dumy", now: str, env=None) -> str:
    result = office.run(*args, as_=as_, now=now, env=env)
    assert result.exit_code == 0, (args, result.output)
    return office.head()


def _build(office: Office, keys: Path) -> Honest:
    h = Honest(office, keys, first=office.head())
    for key in ("hanzg", "zhoulx"):
        keygen(keys, key)
    keygen(keys, "stranger")
    give_signing_keys(office, {"hanzg": keys / "hanzg", "zhoulx": keys / "zhoulx"}, date=at(9, 1))

    # Each record's way is written out below, record by record; the office lives it
    # day by day: the acts are queued and done in the order of their times.
    queue: list[tuple[str, int, object]] = []

    def later(now: str, act) -> None:
        queue.append((now, len(queue), act))

    def new(label: str, *extra: str, now: str, **kw: str) -> None:
        def act() -> None:
            h.ids[label] = office.new(*extra, now=now, **kw)

        later(now, act)

    def step(label: str, name: str, *args: str, as_: str = "dumy", now: str, env=None) -> None:
        def act() -> None:
            h.steps[(label, name)] = _ok(
                office, name, h.ids[label], *args, as_=as_, now=now, env=env
            )

        later(now, act)

    quorum = ["--attendee", "hanzg", "--attendee", "zhoulx", "--attendee", "sunhm"]
    quorum += ["--attendee", "qianwb"]

    # A: published after a signed approval
    new("A", "--summary", "三季度党费", "--body", "按时足额收缴。", now=at(9, 2, 9))
    step("A", "submit", now=at(9, 2, 11))
    step("A", "approve", "--sign", as_="zhoulx", now=at(9, 3), env=sign_env(keys / "zhoulx"))
    step("A", "publish", now=at(9, 4))

    # B: a major record, decided by a quorum, approved by the leader, published
    new(
        "B",
        "--major",
        "--event-date",
        "2026-09-01",
        "--summary",
        "科级干部任用",
        "--body",
        "任命决定。",
        item="section-appointments",
        title="2026年9月科级干部任用情况",
        now=at(9, 2, 12),
    )
    step("B", "submit", now=at(9, 3))
    step(
        "B",
        "decide",
        "--meeting",
        "2026-09-05",
        *quorum,
        "--outcome",
        "publish",
        as_="hanzg",
        now=at(9, 5),
    )
    step("B", "approve", as_="hanzg", now=at(9, 6))
    step("B", "publish", now=at(9, 7))

    # C: a pre-disclosure through both publications
    new(
        "C",
        "--pre-disclosure",
        "--summary",
        "征求意见稿",
        "--body",
        "初步方案。",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="机关廉洁自律若干规定",
        now=at(9, 2, 13),
    )
    step("C", "submit", now=at(9, 3, 11))
    step("C", "approve", as_="sunhm", now=at(9, 4, 11))
    step("C", "publish", now=at(9, 5, 11))  # consulting until 09-19
    step("C", "set", "body=正式方案。", now=at(9, 10))
    step("C", "submit", now=at(9, 11))
    step("C", "approve", as_="qianwb", now=at(9, 12))
    step("C", "publish", now=at(9, 20))

    # D: published, then withdrawn by the leader
    new("D", "--summary", "二季度党费", "--body", "数据。", "--period", "2026Q2", now=at(9, 8))
    step("D", "submit", now=at(9, 8, 11))
    step("D", "approve", as_="wujh", now=at(9, 9))
    step("D", "publish", now=at(9, 9, 11))
    step("D", "withdraw", "--reason", "数据有误，另行更正", as_="hanzg", now=at(9, 13))

    # E: withheld by the leading group
    new("E", "--summary", "不宜公开", "--body", "内容。", now=at(9, 13, 11))
    step("E", "submit", now=at(9, 13, 12))
    step(
        "E",
        "decide",
        "--meeting",
        "2026-09-14",
        *quorum,
        "--outcome",
        "withhold",
        as_="hanzg",
        now=at(9, 14),
    )

    # G: a draft; S: submitted; M: a major record submitted, awaiting its decision
    new("G", "--summary", "草稿", "--body", "草稿正文。", now=at(9, 15))
    new("S", "--summary", "待审", "--body", "待审正文。", now=at(9, 15, 11))
    step("S", "submit", now=at(9, 15, 12))
    new(
        "M",
        "--major",
        "--event-date",
        "2026-09-10",
        "--summary",
        "重大事项",
        "--body",
        "待决定。",
        item="section-appointments",
        title="重大人事事项",
        now=at(9, 16),
    )
    step("M", "submit", now=at(9, 16, 11))

    # the office head is made a member too (after every decision above), and drafts
    def roster() -> None:
        h.steps[("roster", "member")] = _roster_change(office, at(9, 21))

    later(at(9, 21), roster)
    new("L", "--summary", "林的稿件", "--body", "正文。", as_="linht", now=at(9, 22))
    step("L", "submit", as_="linht", now=at(9, 22, 11))

    # P: a pre-disclosure whose formal plan is approved, the window still open (to 10-09)
    new(
        "P",
        "--pre-disclosure",
        "--summary",
        "征求意见稿",
        "--body",
        "初步方案。",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="机关公务接待管理办法",
        now=at(9, 23),
    )
    step("P", "submit", now=at(9, 23, 11))
    step("P", "approve", as_="zhoulx", now=at(9, 24))
    step("P", "publish", now=at(9, 25))
    step("P", "set", "body=正式方案。", now=at(9, 28))
    step("P", "submit", now=at(9, 29))
    step("P", "approve", as_="sunhm", now=at(9, 30))

    # F: sent back, revised, approved, edited (approval void), approved again: the last commit
    new("F", "--summary", "整改", "--body", "整改情况。", now=at(9, 26))
    step("F", "submit", now=at(9, 26, 11))
    step("F", "reject", "--reason", "请补充数据", as_="zhenggq", now=at(9, 27))
    step("F", "set", "summary=整改（补充）", now=at(9, 27, 11))
    step("F", "submit", now=at(9, 27, 12))
    step("F", "approve", as_="wanglp", now=at(9, 28, 11))
    step("F", "set", "body=整改情况，已补充。", now=at(9, 29, 11))
    step("F", "approve", as_="wanglp", now=at(10, 1))
    for _now, _order, act in sorted(queue, key=lambda q: (q[0], q[1])):
        act()  # type: ignore[operator]
    h.head = office.head()
    return h


def _roster_change(office: Office, date: str) -> str:
    def change(data) -> None:
        data["roster"]["linht"]["roles"] = ["office-head", "member"]

    edit_settings(office, change)
    return commit(
        office, "linht", "roster: 林海涛 joins the leading group", "dangwu.yaml", date=date
    )


@pytest.fixture(scope="module")
def honest(tmp_path_factory: pytest.TempPathFactory) -> Honest:
    with pytest.MonkeyPatch.context() as mp:
        home = tmp_path_factory.mktemp("audit-home")
        config = home / ".gitconfig"
        config.write_text("[init]\n\tdefaultBranch = main\n[safe]\n\tdirectory = *\n", "utf-8")
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_GLOBAL", str(config))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("DANGWU_LANG", "en")
        mp.setenv("NO_COLOR", "1")
        mp.setenv("COLUMNS", "200")
        for name in ("GIT_AUTHOR_EMAIL", "GIT_AUTHOR_NAME", "DANGWU_REPO", "DANGWU_NOW"):
            mp.delenv(name, raising=False)
        base = tmp_path_factory.mktemp("honest")
        office = make_office(base / "office")
        h = _build(office, base / "keys")
        result = office.run("audit", now=at(10, 2))
        assert result.exit_code == 0, result.output
        return h


@dataclass
class Case(Office):
    base: str = ""  # the honest history's last commit


@pytest.fixture
def case(honest: Honest, tmp_path: Path) -> Case:
    """A copy of the honest office to tamper with."""
    target = tmp_path / "office"
    shutil.copytree(honest.office.root, target, symlinks=True)
    return Case(target, base=honest.head)


def forget_the_cache(office: Office) -> None:
    for path in (office.root / ".git" / "dangwu").glob("history-v2.sqlite*"):
        path.unlink()


def audit(office: Office, *args: str):
    return office.run("audit", *args, now=at(10, 5))


def assert_flags(office: Case, bad: str, record: str | None, rule: str, person: str) -> None:
    """The whole history's audit names the bad commit; so does the audit of only the
    commits made since the honest history; and a server holding the honest history,
    guarded by dangwu's hook, refuses the push and keeps its history as it was."""
    for args in ((), ("--range", f"{office.base}..HEAD")):
        result = audit(office, *args)
        assert result.exit_code == 1, (args, result.output)
        assert flagged(result.stdout, bad, record, rule, person), (
            f"audit {' '.join(args)}: expected {bad[:10]} {record or '-'} [{rule}] ... "
            f"({person}) in:\n{result.output}"
        )
    assert_refused_by_the_server(office, rule)


def assert_refused_by_the_server(office: Case, rule: str) -> None:
    server = office.root.parent / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", str(server)], check=True)
    office.git("push", "-q", str(server), f"{office.base}:refs/heads/main")
    installed = office.run("hook", "install", "--lang", "en", str(server))
    assert installed.exit_code == 0, installed.output
    pushed = subprocess.run(
        ["git", "-C", str(office.root), "push", "--force", str(server), "HEAD:refs/heads/main"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pushed.returncode != 0, pushed.stderr
    assert "pre-receive hook declined" in pushed.stderr, pushed.stderr
    assert f"[{rule}]" in pushed.stderr or "rewrites history" in pushed.stderr, pushed.stderr
    kept = subprocess.run(
        ["git", "-C", str(server), "rev-parse", "refs/heads/main"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert kept.stdout.strip() == office.base


# --- the honest history ---------------------------------------------------------------


def test_the_honest_history_is_in_order(honest: Honest, case: Case):
    assert len(honest.office.commits()) >= 50
    statuses = {
        label: json.loads(case.run("show", rid, "--json").stdout)["status"]
        for label, rid in honest.ids.items()
    }
    assert statuses == {
        "A": "published",
        "B": "published",
        "C": "published",
        "D": "withdrawn",
        "E": "withheld",
        "G": "draft",
        "S": "submitted",
        "M": "submitted",
        "L": "submitted",
        "P": "approved",
        "F": "approved",
    }
    forget_the_cache(case)  # a full replay
    result = audit(case)
    assert result.exit_code == 0, result.output
    assert "history in order" in result.output
    assert violations(result.stdout) == []
    again = audit(case)
    assert again.exit_code == 0, again.output
    assert "unchanged since the last audit" in again.output


def test_the_honest_history_has_a_good_signature(honest: Honest, case: Case):
    result = case.run("log", honest.ids["A"], "--json")
    entries = json.loads(result.stdout)
    approve = next(e for e in entries if e["step"] == "approve")
    assert approve["signature"] == "good" and approve["key"] == "zhoulx"
    assert {e["signature"] for e in entries if e["step"] != "approve"} == {"none"}


def test_audit_json_of_the_honest_history(honest: Honest, case: Case):
    forget_the_cache(case)
    result = case.run("audit", "--json", now=at(10, 5))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["head"] == honest.head
    assert report["violations"] == []
    assert report["commits_checked"] == len(honest.office.commits())
    assert report["commits_checked_now"] == report["commits_checked"]
    # run again: the verdict still stands for the whole history, none checked anew
    again = json.loads(case.run("audit", "--json", now=at(10, 5)).stdout)
    assert again["commits_checked"] == report["commits_checked"]
    assert again["commits_checked_now"] == 0


# --- tampering with record content ------------------------------------------------------


def test_manual_edit_of_published_content(honest: Honest, case: Case):
    rid = honest.ids["A"]
    path = edit_record(case, rid, lambda d: d.update(body="按时足额收缴。（已改）"))
    bad = commit(case, "dumy", "fix a typo", path, date=TAMPER)
    assert_flags(case, bad, rid, "manual-edit", who("dumy"))


def test_manual_edit_of_approved_content(honest: Honest, case: Case):
    rid = honest.ids["F"]
    path = edit_record(case, rid, lambda d: d.update(summary="改过的摘要"))
    bad = commit(case, "dumy", "better summary", path, date=TAMPER)
    assert_flags(case, bad, rid, "manual-edit", who("dumy"))


def test_hand_written_status_change_without_a_step(honest: Honest, case: Case):
    rid = honest.ids["G"]
    path = edit_record(case, rid, lambda d: d.update(status="published"))
    bad = commit(case, "dumy", "publish it", path, date=TAMPER)
    assert_flags(case, bad, rid, "tool-fields", who("dumy"))


def test_deleting_a_published_record(honest: Honest, case: Case):
    rid = honest.ids["A"]
    case.git("rm", "-q", relpath(case, rid))
    bad = commit(case, "dumy", "remove old record", date=TAMPER)
    assert_flags(case, bad, rid, "deleted", who("dumy"))


def test_tool_facts_in_a_new_file_added_by_hand(honest: Honest, case: Case):
    text = case.read(relpath(case, honest.ids["G"])).replace(honest.ids["G"], "ZZ-2026-150")
    text = text.replace("status: draft\n", "status: approved\n")
    text += "approval:\n  by: hanzg\n  at: '2026-10-03T10:00:00+08:00'\n  signed: false\n"
    case.write("records/zuzhi-jianshe/ZZ-2026-150.yaml", text)
    bad = commit(case, "dumy", "add approved record", date=TAMPER)
    assert_flags(case, bad, "ZZ-2026-150", "tool-fields", who("dumy"))


# --- tampering with approvals ------------------------------------------------------------


def _approval(by: str, content: str, when: str = TAMPER, signed: bool = False):
    return facts(by=by, at=when, content=content, signed=signed)


def _approve(by: str, when: str = TAMPER, signed: bool = False):
    def change(data) -> None:

        put(data, "status", "approved")
        put(data, "approval", _approval(by, content_hash(dict(data)), when, signed))

    return change


def test_forged_approve_by_a_clerk(honest: Honest, case: Case):
    rid = honest.ids["S"]
    bad = forge_step(case, "dumy", "approve", rid, _approve("dumy"), date=TAMPER)
    assert_flags(case, bad, rid, "role", who("dumy"))


def test_forged_approve_by_the_author(honest: Honest, case: Case):
    rid = honest.ids["L"]  # drafted by linht, who is also a member
    bad = forge_step(case, "linht", "approve", rid, _approve("linht"), date=TAMPER)
    assert_flags(case, bad, rid, "self-approval", who("linht"))


def test_approver_changed_after_the_fact(honest: Honest, case: Case):
    rid = honest.ids["A"]
    path = edit_record(case, rid, lambda d: d["approval"].update(by="hanzg"))
    bad = commit(case, "dumy", "correct the approver", path, date=TAMPER)
    assert_flags(case, bad, rid, "tool-fields", who("dumy"))


def test_approval_date_changed_by_a_later_commit(honest: Honest, case: Case):
    rid = honest.ids["A"]
    path = edit_record(case, rid, lambda d: d["approval"].update(at="2026-09-02T10:00:00+08:00"))
    bad = commit(case, "dumy", "approval date", path, date=TAMPER)
    assert_flags(case, bad, rid, "tool-fields", who("dumy"))


def test_approve_commit_amended(honest: Honest, case: Case):
    rid = honest.ids["F"]
    assert case.head() == honest.steps[("F", "approve")]
    path = edit_record(case, rid, lambda d: d["approval"].update(at="2026-09-30T10:00:00+08:00"))
    message = case.git("log", "-1", "--format=%B")
    bad = commit(case, "wanglp", message, path, date=at(10, 1), amend=True)
    assert bad != honest.head
    assert_flags(case, bad, rid, "forged-facts", who("wanglp"))


def test_approve_commit_with_a_rewritten_content_hash(honest: Honest, case: Case):
    rid = honest.ids["F"]
    path = edit_record(case, rid, lambda d: d["approval"].update(content="sha256:" + "0" * 64))
    message = case.git("log", "-1", "--format=%B")
    bad = commit(case, "wanglp", message, path, date=at(10, 1), amend=True)
    assert_flags(case, bad, rid, "forged-facts", who("wanglp"))


def test_approve_rebuilt_under_later_commits(honest: Honest, case: Case):
    """The approval of A is rewritten in its own commit and the commits after it are
    replayed on top (git rebase): the rewritten approve commit is flagged."""
    rid = honest.ids["A"]
    target = honest.steps[("A", "approve")]
    env = {
        "GIT_SEQUENCE_EDITOR": f"sed -i '1s/^pick {target[:7]}/edit {target[:7]}/'",
        "GIT_COMMITTER_NAME": "周立新",
        "GIT_COMMITTER_EMAIL": "zhoulx@example.org",
    }
    case.git("rebase", "-q", "-i", f"{target}~1", env=env)
    path = edit_record(case, rid, lambda d: d["approval"].update(by="hanzg"))
    case.git("add", path)
    case.git("commit", "-q", "--amend", "--no-edit", env=env)
    bad = case.head()
    case.git("rebase", "--continue", env={**env, "GIT_EDITOR": "true"})
    assert case.git("log", "--format=%s", "-1") == honest.office.git("log", "--format=%s", "-1")
    assert_flags(case, bad, rid, "forged-facts", who("zhoulx"))


def test_publish_step_of_content_that_differs_from_the_approved(honest: Honest, case: Case):
    rid = honest.ids["F"]
    path = edit_record(case, rid, lambda d: d.update(body="与审核稿不同的正文。"))
    commit(case, "dumy", "last-minute change", path, date=TAMPER)

    def publish(data) -> None:

        put(data, "status", "published")
        channels = list(data["channels"])
        content = content_hash(dict(data))
        put(data, "publication", facts(by="dumy", at=at(10, 4), channels=channels, content=content))

    bad = forge_step(case, "dumy", "publish", rid, publish, date=at(10, 4))
    assert_flags(case, bad, rid, "content-changed", who("dumy"))


# --- the collective decision and pre-disclosure ---------------------------------------


def test_major_record_decided_with_a_non_member_attendee(honest: Honest, case: Case):
    rid = honest.ids["M"]
    attendees = ["hanzg", "zhoulx", "sunhm", "dumy", "linht"]

    def decide(data) -> None:
        put(data, "status", "decided")
        decision = facts(by="hanzg", at=TAMPER, meeting="2026-10-03", attendees=attendees, group=8)
        decision["outcome"] = "publish"
        put(data, "decision", decision)

    bad = forge_step(case, "hanzg", "decide", rid, decide, date=TAMPER)
    assert case.run("approve", rid, as_="hanzg", now=at(10, 4)).exit_code == 0
    assert case.run("publish", rid, now=at(10, 4, 11)).exit_code == 0
    assert_flags(case, bad, rid, "attendee-not-member", who("hanzg"))


def test_formal_plan_published_inside_the_window(honest: Honest, case: Case):
    rid = honest.ids["P"]  # consulting from 09-25, window closes 10-09

    def publish(data) -> None:
        put(data, "status", "published")
        content = data["approval"]["content"]
        channels = list(data["channels"])
        put(data, "publication", facts(by="dumy", at=at(10, 4), channels=channels, content=content))

    bad = forge_step(case, "dumy", "publish", rid, publish, date=at(10, 4))
    assert_flags(case, bad, rid, "pre-disclosure-window", who("dumy"))


def test_comment_window_shortened_by_hand_written_dates(honest: Honest, case: Case):
    """The consultation is back-dated by hand so that the formal plan could go out early.
    With plain git, the step sees facts no step wrote and refuses; written as a step
    (trailers and all), the CLI counts the window from the step that opened it, not
    from the file, and refuses. The hand-written dates are flagged either way."""
    rid = honest.ids["P"]

    def backdate(d) -> None:
        d["consultation"].update(at="2026-09-10T10:00:00+08:00", closes="2026-09-24")

    path = edit_record(case, rid, backdate)
    forged = commit(case, "dumy", "consultation dates", path, date=TAMPER)
    published = case.run("publish", rid, now=at(10, 4))
    assert published.exit_code == 1, published.output
    assert f"{rid} (consultation) were changed outside dangwu" in published.stderr
    result = audit(case)
    assert result.exit_code == 1
    assert flagged(result.stdout, forged, rid, "tool-fields", who("dumy")), result.output
    case.git("reset", "-q", "--hard", "HEAD~1")
    forged = forge_step(case, "dumy", "edit", rid, backdate, date=TAMPER)
    published = case.run("publish", rid, now=at(10, 4))
    assert published.exit_code == 1, published.output
    assert "open until 2026-10-09" in published.stderr
    result = audit(case)
    assert result.exit_code == 1
    assert forged[:10] in result.stdout, result.output


def _approved_pre_disclosure(case: Case) -> str:
    rid = case.new(
        "--pre-disclosure",
        "--body",
        "初步方案。",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="窗口期规定",
        now=at(10, 3, 9),
    )
    assert case.run("submit", rid, now=at(10, 3, 10)).exit_code == 0
    assert case.run("approve", rid, as_="zhoulx", now=at(10, 3, 11)).exit_code == 0
    return rid


@pytest.mark.parametrize(("closes", "shorter"), [("2026-10-06", True), ("2026-10-31", False)])
def test_a_comment_window_the_step_itself_wrote_short(case: Case, closes: str, shorter: bool):
    """A consultation forged with a closing day before the office's minimum is flagged;
    one the office kept open longer (publish --closes) is not."""
    rid = _approved_pre_disclosure(case)

    def consult(data) -> None:
        put(data, "status", "consulting")
        content = data["approval"]["content"]
        channels = list(data["channels"])
        put(
            data,
            "consultation",
            facts(by="dumy", at=at(10, 4), channels=channels, content=content, closes=closes),
        )

    step = forge_step(case, "dumy", "publish", rid, consult, date=at(10, 4))
    if shorter:
        assert_flags(case, step, rid, "pre-disclosure-window", who("dumy"))
    else:
        result = audit(case)
        assert result.exit_code == 0, result.output


# --- who acted ----------------------------------------------------------------------------


def test_act_by_someone_not_on_the_roster(honest: Honest, case: Case):
    rid = honest.ids["G"]
    path = edit_record(case, rid, lambda d: d.update(summary="陌生人改的"))
    bad = commit(case, "stranger", "edit", path, date=TAMPER, email="stranger@example.org")
    assert_flags(case, bad, rid, "not-on-roster", "stranger@example.org")


def test_step_naming_another_actor(honest: Honest, case: Case):
    rid = honest.ids["G"]

    def submit(data) -> None:
        put(data, "status", "submitted")
        put(data, "submitted", facts(by="dumy", at=TAMPER))

    bad = forge_step(case, "dumy", "submit", rid, submit, date=TAMPER, actor="hexy")
    assert_flags(case, bad, rid, "actor-mismatch", who("dumy"))


def test_step_that_changes_two_records(honest: Honest, case: Case):
    rid = honest.ids["G"]
    other = edit_record(case, honest.ids["S"], lambda d: d.update(summary="顺手改的"))

    def submit(data) -> None:
        put(data, "status", "submitted")
        put(data, "submitted", facts(by="dumy", at=TAMPER))

    bad = forge_step(case, "dumy", "submit", rid, submit, date=TAMPER, also=[other])
    assert_flags(case, bad, rid, "step-scope", who("dumy"))


def test_clerk_changes_the_roster(honest: Honest, case: Case):
    edit_settings(case, lambda d: d["roster"]["dumy"].update(roles=["clerk", "member"]))
    bad = commit(case, "dumy", "roster", "dangwu.yaml", date=TAMPER)
    assert_flags(case, bad, None, "role", who("dumy"))


def test_pre_disclosure_days_lowered(honest: Honest, case: Case):
    edit_settings(case, lambda d: d["rules"].update(pre_disclosure_days=10))
    bad = commit(case, "linht", "shorter window", "dangwu.yaml", date=TAMPER)
    assert_flags(case, bad, None, "settings-invalid", who("linht"))


# --- signatures -----------------------------------------------------------------------------


def test_unsigned_approval_where_signing_is_required(honest: Honest, case: Case):
    edit_settings(case, lambda d: d["rules"].update(require_signing=True))
    commit(case, "linht", "approvals must be signed", "dangwu.yaml", date=TAMPER)
    rid = honest.ids["S"]
    bad = forge_step(case, "zhoulx", "approve", rid, _approve("zhoulx", at(10, 4)), date=at(10, 4))
    assert_flags(case, bad, rid, "signature-required", who("zhoulx"))


def test_approval_claimed_signed_but_not_signed(honest: Honest, case: Case):
    rid = honest.ids["S"]
    change = _approve("zhoulx", signed=True)
    bad = forge_step(case, "zhoulx", "approve", rid, change, date=TAMPER)
    assert_flags(case, bad, rid, "signature-required", who("zhoulx"))


def test_approval_signed_with_someone_elses_key(honest: Honest, case: Case):
    rid = honest.ids["S"]
    change = _approve("zhoulx", signed=True)
    bad = forge_step(
        case, "zhoulx", "approve", rid, change, date=TAMPER, sign_with=honest.keys / "hanzg"
    )
    assert case.git("log", "-1", "--format=%G?", env=_allowed(case, honest)) == "G"
    assert_flags(case, bad, rid, "signature-not-actor", who("zhoulx"))


def test_approval_signed_with_a_key_not_in_the_roster(honest: Honest, case: Case):
    rid = honest.ids["S"]
    change = _approve("zhoulx", signed=True)
    bad = forge_step(
        case, "zhoulx", "approve", rid, change, date=TAMPER, sign_with=honest.keys / "stranger"
    )
    assert_flags(case, bad, rid, "signature-not-actor", who("zhoulx"))


def test_signature_that_does_not_verify(honest: Honest, case: Case):
    """A good signed approval whose commit object is changed afterwards."""
    rid = honest.ids["S"]
    change = _approve("zhoulx", signed=True)
    signed = forge_step(
        case, "zhoulx", "approve", rid, change, date=TAMPER, sign_with=honest.keys / "zhoulx"
    )
    raw = case.git("cat-file", "commit", signed) + "\n"
    changed = raw.replace(f"approve: {rid} ", f"approve:  {rid} ", 1)
    assert changed != raw
    made = subprocess.run(
        ["git", "-C", str(case.root), "hash-object", "-t", "commit", "-w", "--stdin"],
        input=changed.encode("utf-8"),
        capture_output=True,
        check=True,
    )
    bad = made.stdout.decode().strip()
    case.git("reset", "-q", "--hard", bad)
    assert case.git("log", "-1", "--format=%G?", env=_allowed(case, honest)) == "B"
    assert_flags(case, bad, rid, "signature-bad", who("zhoulx"))


def _allowed(case: Case, honest: Honest) -> dict[str, str]:
    signers = case.root.parent / "allowed_signers"
    lines = [
        f"{key}@example.org {(honest.keys / f'{key}.pub').read_text().strip()}"
        for key in ("hanzg", "zhoulx")
    ]
    signers.write_text("\n".join(lines) + "\n")
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "gpg.ssh.allowedSignersFile",
        "GIT_CONFIG_VALUE_0": str(signers),
    }


# --- ranges and the cache ---------------------------------------------------------------------


def test_range_over_the_tampered_commit_and_over_honest_commits(honest: Honest, case: Case):
    rid = honest.ids["A"]
    path = edit_record(case, rid, lambda d: d.update(body="改过。"))
    bad = commit(case, "dumy", "edit", path, date=TAMPER)
    only_bad = audit(case, "--range", f"{honest.head}..{bad}")
    assert only_bad.exit_code == 1, only_bad.output
    assert flagged(only_bad.stdout, bad, rid, "manual-edit", who("dumy")), only_bad.output
    assert len(violations(only_bad.stdout)) == 1
    honest_part = audit(case, "--range", f"{honest.first}..{honest.head}")
    assert honest_part.exit_code == 0, honest_part.output
    assert violations(honest_part.stdout) == []
    a_to_c = audit(
        case, "--range", f"{honest.steps[('A', 'approve')]}..{honest.steps[('C', 'publish')]}"
    )
    assert a_to_c.exit_code == 0, a_to_c.output


def test_range_audit_knows_who_edited_a_record_before_the_range(honest: Honest, case: Case):
    """linht (office head and member) edits a record; later a push carries linht's own
    approval of it. The server's hook audits only the pushed commits, and must still
    see a self-approval, as the full audit and the approve command itself do."""
    rid = honest.ids["G"]
    ok = case.run("set", rid, "summary=林海涛改的摘要", as_="linht", now=at(10, 2))
    assert ok.exit_code == 0, ok.output
    assert case.run("submit", rid, now=at(10, 2, 11)).exit_code == 0
    pushed_from = case.head()
    refusal = case.run("approve", rid, as_="linht", now=at(10, 3))
    assert refusal.exit_code == 1 and "cannot approve it" in refusal.stderr
    bad = forge_step(case, "linht", "approve", rid, _approve("linht"), date=TAMPER)
    for args in ((), ("--range", f"{pushed_from}..HEAD")):
        result = audit(case, *args)
        assert result.exit_code == 1, (args, result.output)
        assert flagged(result.stdout, bad, rid, "self-approval", who("linht")), (
            args,
            result.output,
        )


def test_second_audit_answers_from_the_cache_and_finds_what_is_new(honest: Honest, case: Case):
    first = audit(case)
    assert first.exit_code == 0, first.output
    assert "unchanged since the last audit" in first.output  # the copy carries the cache
    rid = honest.ids["A"]
    path = edit_record(case, rid, lambda d: d.update(body="第一次改。"))
    one = commit(case, "dumy", "edit", path, date=TAMPER)
    found = audit(case)
    assert found.exit_code == 1
    assert flagged(found.stdout, one, rid, "manual-edit", who("dumy")), found.output
    again = audit(case)
    assert again.exit_code == 1
    assert again.stdout == found.stdout
    assert "1 violation" in again.output
    path = edit_record(case, honest.ids["F"], lambda d: d.update(body="再改。"))
    two = commit(case, "dumy", "edit again", path, date=at(10, 4))
    both = audit(case)
    assert both.exit_code == 1
    assert flagged(both.stdout, one, rid, "manual-edit", who("dumy")), both.output
    assert flagged(both.stdout, two, honest.ids["F"], "manual-edit", who("dumy")), both.output
    assert len(violations(both.stdout)) == 2
    case.git("reset", "-q", "--hard", honest.head)  # the tampering taken out of history
    clean = audit(case)
    assert clean.exit_code == 0, clean.output


def test_audit_json_names_each_violation(honest: Honest, case: Case):
    rid = honest.ids["A"]
    path = edit_record(case, rid, lambda d: d.update(body="改过。"))
    bad = commit(case, "dumy", "edit", path, date=TAMPER)
    result = case.run("audit", "--json", now=at(10, 5))
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["head"] == bad
    [violation] = report["violations"]
    assert violation["commit"] == bad and violation["record"] == rid
    assert violation["rule"] == "manual-edit" and violation["person"] == who("dumy")
    assert violation["rule_title"] and violation["message"]


def test_new_record_with_a_multi_line_body_is_in_order(case: Case):
    """`new --body` with lines and no final newline: the file holds a block scalar,
    and the commit's content hash must be the hash of what the file holds."""
    rid = case.new("--body", "第一行\n第二行", now=at(10, 4))
    result = audit(case)
    assert result.exit_code == 0, (rid, result.output)


# --- opinions and reports ------------------------------------------------------------------


def _report(case: Case, about: str) -> None:
    new = ("report", "new", "--about", about, "--name", "欧阳明轩", "--text", "反映情况")
    assert case.run(*new, now=at(10, 3, 11)).exit_code == 0


def _answer(case: Case, hour: int = 12) -> None:
    answer = ("report", "answer", "101", "--text", "已核实", "--notified", "电话告知本人")
    assert case.run(*answer, now=at(10, 3, hour)).exit_code == 0


def test_reports_logged_and_answered_by_dangwu_are_in_order(honest: Honest, case: Case):
    _report(case, honest.ids["A"])
    _answer(case)
    for args in ((), ("--range", f"{case.base}..HEAD")):
        result = audit(case, *args)
        assert result.exit_code == 0, (args, result.output)


def test_a_report_deleted_by_hand(honest: Honest, case: Case):
    _report(case, honest.ids["A"])
    case.git("rm", "-q", "reports/101.yaml")
    bad = commit(case, "dumy", "remove a report", date=TAMPER)
    assert_flags(case, bad, None, "report-deleted", who("dumy"))


def test_a_report_changed_by_hand(honest: Honest, case: Case):
    _report(case, honest.ids["A"])
    path = case.root / "reports" / "101.yaml"
    path.write_text(path.read_text("utf-8").replace("反映情况", "没什么事"), "utf-8")
    bad = commit(case, "dumy", "tidy the report", "reports/101.yaml", date=TAMPER)
    assert_flags(case, bad, None, "report-changed", who("dumy"))


def test_an_answered_report_answered_again(honest: Honest, case: Case):
    _report(case, honest.ids["A"])
    _answer(case)
    answered = case.head()
    path = case.root / "reports" / "101.yaml"
    path.write_text(path.read_text("utf-8").replace("已核实", "未核实"), "utf-8")
    message = "answer: 101 about X\n\nDangwu-Step: answer\nDangwu-Actor: dumy\n"
    bad = commit(case, "dumy", message, "reports/101.yaml", date=TAMPER)
    assert_flags(case, bad, None, "report-rewritten", who("dumy"))
    # a server that audits only the push still knows the report was answered before
    result = audit(case, "--range", f"{answered}..HEAD")
    assert flagged(result.stdout, bad, None, "report-rewritten", who("dumy")), result.output


def test_a_report_logged_by_someone_without_the_role(honest: Honest, case: Case):
    _report(case, honest.ids["A"])
    (case.root / "reports" / "301.yaml").write_text(
        case.read("reports/101.yaml").replace("number: 101", "number: 301"), "utf-8"
    )
    bad = commit(case, "zhoulx", "a report", "reports/301.yaml", date=TAMPER)
    assert_flags(case, bad, None, "role", who("zhoulx"))


@pytest.mark.parametrize("how", ["changed", "deleted"])
def test_an_opinion_changed_or_deleted(honest: Honest, case: Case, how: str):
    rid = honest.ids["A"]
    given = ("feedback", "add", rid, "--text", "建议公开到支部", "--received", "2026-10-03")
    assert case.run(*given, as_="chensh", now=at(10, 3, 11)).exit_code == 0
    (path,) = (case.root / "feedback" / rid).iterdir()
    if how == "changed":
        path.write_text(path.read_text("utf-8").replace("建议公开到支部", "没有意见"), "utf-8")
    else:
        path.unlink()
    bad = commit(case, "dumy", "tidy the opinions", date=TAMPER)
    assert_flags(case, bad, None, "feedback-changed", who("dumy"))


def test_signatures_read_in_batches_judge_as_read_at_the_end(
    honest: Honest, case: Case, monkeypatch: pytest.MonkeyPatch
):
    """The audit reads signatures a batch at a time as it walks (so it need not hold
    the whole history); a batch of one says what one batch of all says."""
    from dangwu.store import history

    path = edit_record(case, honest.ids["A"], lambda d: d.update(body="按时足额收缴。（已改）"))
    commit(case, "dumy", "fix a typo", path, date=TAMPER)
    whole = audit(case)
    monkeypatch.setattr(history, "SIGNED_BATCH", 1)
    forget_the_cache(case)
    batched = audit(case)
    assert batched.exit_code == whole.exit_code == 1
    assert batched.stdout == whole.stdout
    assert "[manual-edit]" in whole.stdout and "signature" not in whole.stdout


def test_a_published_text_changed_by_hand_and_put_back_later(
    honest: Honest, case: Case, monkeypatch: pytest.MonkeyPatch
):
    """A version the audit has let go of (no file holds it any more) and that comes
    back later, byte for byte, is read again and judged like any other: putting the
    published text back by hand is a plain-git change of published content too."""
    from dangwu.store import history

    monkeypatch.setattr(history, "SIGNED_BATCH", 1)  # judge as the walk goes
    rid = honest.ids["A"]
    path = relpath(case, rid)
    published = (case.root / path).read_bytes()
    edit_record(case, rid, lambda d: d.update(body="按时足额收缴。（已改）"))
    bad = commit(case, "dumy", "fix a typo", path, date=TAMPER)
    # other work between the two: more commits than the audit reads ahead of what it
    # judges, so the published version is let go before it comes back
    for n in range(200):
        case.write(f"notes/{n}.txt", f"{n}\n")
        commit(case, "dumy", f"notes {n}", f"notes/{n}.txt", date=TAMPER)
    (case.root / path).write_bytes(published)
    back = commit(case, "dumy", "put it back", path, date=TAMPER)
    forget_the_cache(case)
    said = audit(case).stdout
    assert flagged(said, bad, rid, "manual-edit", who("dumy")), said
    assert flagged(said, back, rid, "manual-edit", who("dumy")), said
    assert len(violations(said)) == 2, said


def test_an_audit_after_new_commits_says_how_many_were_checked_before(office: Office):
    """An audit that takes up where the last one stopped says how many commits it read
    and how many earlier audits had checked: "1 commit checked" of a long history
    read as if almost nothing had been."""
    first = office.run("audit")
    assert first.exit_code == 0, first.output
    total = int(office.git("rev-list", "--count", "HEAD"))
    office.new("--summary", "摘要")
    again = office.run("audit")
    assert again.exit_code == 0, again.output
    said = f"1 new commit checked, {total} before it by earlier audits"
    assert said in again.stderr, again.output


def test_a_plain_git_edit_dated_back_is_flagged(office: Office):
    """Both of git's dates set back a season: the edit would show in the record's log
    before the steps it came after. A draft is the office's own business, its dates
    are not."""
    rid = office.new()
    path = next((office.root / "records").rglob(f"{rid}.yaml"))
    path.write_text(path.read_text("utf-8").replace("title:", "# 初稿\ntitle:", 1), "utf-8")
    back = "2026-01-01T10:00:00+08:00"
    office.git("add", "-A")
    office.git(
        "-c", "user.email=dumy@example.org", "commit", "-qm", "x",
        env={"GIT_AUTHOR_DATE": back, "GIT_COMMITTER_DATE": back},
    )  # fmt: skip
    result = office.run("audit")
    assert result.exit_code == 1, result.output
    assert "[time-order]" in result.stdout and "time runs forwards" in result.stdout
