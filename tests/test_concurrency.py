"""Two dangwu processes at once, crashes half-way, and git failing under us."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from conftest import DEFAULT_NOW, clerk_commit, commit_as, identity_env

NEW = [
    "new",
    "ZZ",
    "--item",
    "party-dues",
    "--title",
    "党费收缴情况",
    "--period",
    "2026Q3",
    "--json",
]


def spawn(office, *args, who="dumy", extra=None):
    env = {**os.environ, **identity_env(who), "DANGWU_NOW": DEFAULT_NOW, **(extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "dangwu", *args],
        cwd=office.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_parallel_writers_all_land_with_distinct_ids(office):
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda who: spawn(office, *NEW, who=who), ["dumy", "dumy", "linht", "hexy"])
        )
    for result in results:
        assert result.returncode == 0, result.stderr
    ids = sorted(json.loads(r.stdout)["id"] for r in results)
    assert ids == ["ZZ-2026-101", "ZZ-2026-102", "ZZ-2026-201", "ZZ-2026-301"]
    assert len(office.commits()) == 5
    assert office.git("status", "--porcelain") == ""
    assert not list((office.root / ".git").glob("*.lock"))
    assert office.run("validate").exit_code == 0


def test_a_writer_that_cannot_get_the_lock_is_told_to_retry(office):
    lock = office.root / ".git" / "dangwu" / "lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    before = office.state()
    with lock.open("a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        held.write("4242")
        held.flush()
        result = spawn(office, *NEW, extra={"DANGWU_LOCK_WAIT": "0.3"})
    assert result.returncode == 1
    assert "another dangwu (process 4242) is writing to this office" in result.stderr
    assert "try again" in result.stderr
    assert office.state() == before


def test_crash_after_writing_the_file_is_undone_by_the_next_command(office):
    before = office.state()
    result = spawn(office, *NEW, extra={"DANGWU_FAULT": "after-files"})
    assert result.returncode == 70  # died on purpose, between the file and the commit
    assert office.head() == before["head"]
    assert (office.root / ".git" / "dangwu" / "journal.json").exists()
    listing = office.run("list", "--json")  # any command notices and undoes the half step
    assert listing.exit_code == 0
    assert json.loads(listing.stdout) == []
    assert office.state() == before


def test_crash_after_the_commit_is_finished_by_the_next_command(office):
    result = spawn(office, *NEW, extra={"DANGWU_FAULT": "after-ref"})
    assert result.returncode == 70
    assert office.git("log", "-1", "--format=%s").startswith("new: ZZ-2026-101")
    assert office.run("list").exit_code == 0
    assert office.git("status", "--porcelain") == ""
    assert not (office.root / ".git" / "dangwu" / "journal.json").exists()


def test_failing_git_commit_leaves_the_repository_as_it_was(office):
    before = office.state()
    ref_lock = office.root / ".git" / "refs" / "heads" / "main.lock"
    ref_lock.write_text("someone else\n")  # git update-ref refuses to move main
    try:
        result = spawn(office, *NEW)
    finally:
        ref_lock.unlink()
    assert result.returncode == 1
    # git's advice follows its complaint: the line that names the lock is the one said
    assert "git update-ref failed: " in result.stderr
    assert f"Unable to create '{ref_lock}': File exists." in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert office.state() == before


def test_unwritable_object_store_changes_nothing(office):
    objects = office.root / ".git" / "objects"
    before = office.state()
    modes = {}
    for path in [objects, *objects.iterdir()]:
        modes[path] = path.stat().st_mode
        path.chmod(0o555)
    try:
        if os.access(objects, os.W_OK):  # running as root: permissions do not bind
            return
        result = spawn(office, *NEW)
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert office.state() == before


def _submitted(office):
    rid = office.new("--summary", "摘要")
    assert office.run("submit", rid).exit_code == 0
    return rid


def test_a_step_interrupted_after_writing_the_file_is_undone(office):
    rid = _submitted(office)
    before = office.state()
    result = spawn(office, "approve", rid, who="zhoulx", extra={"DANGWU_FAULT": "after-files"})
    assert result.returncode == 70
    assert "status: approved" in office.read(f"records/zuzhi-jianshe/{rid}.yaml")  # half done
    shown = office.run("show", rid, "--json")  # the next command puts things back
    assert json.loads(shown.stdout)["status"] == "submitted"
    assert office.state() == before


def test_a_step_whose_commit_fails_leaves_the_repository_as_it_was(office):
    rid = _submitted(office)
    assert office.run("approve", rid, as_="zhoulx").exit_code == 0
    before = office.state()
    ref_lock = office.root / ".git" / "refs" / "heads" / "main.lock"
    ref_lock.write_text("someone else\n")
    try:
        result = spawn(office, "publish", rid)
    finally:
        ref_lock.unlink()
    assert result.returncode == 1
    assert "git update-ref failed: " in result.stderr
    assert f"Unable to create '{ref_lock}': File exists." in result.stderr, result.stderr
    assert office.state() == before
    assert office.run("publish", rid).exit_code == 0  # and the step works once git does


def test_a_library_caller_that_opens_the_office_finds_a_crash_undone(office):
    """Recovery is where the office is opened, not in the command line: a program that
    uses dangwu as a library never reads an office half-way through a write."""
    from dangwu.app.listing import select
    from dangwu.store.office import find_office

    before = office.state()
    result = spawn(office, *NEW, extra={"DANGWU_FAULT": "after-files"})
    assert result.returncode == 70
    assert office.state() != before  # the file is there, the commit is not
    opened = find_office(office.root)
    assert office.state() == before
    assert select(opened).rows == []


def test_a_library_caller_finds_a_killed_sync_undone(office):
    office.git("checkout", "-q", "-b", "side")
    office.write("notes.txt", "side\n")
    commit_as(office.root, "dumy", "side", "notes.txt")
    office.git("checkout", "-q", "main")
    office.write("notes.txt", "main\n")
    commit_as(office.root, "dumy", "main", "notes.txt")
    head = office.head()
    # a sync that died in the middle of its rebase, leaving the conflict behind
    who = {"GIT_COMMITTER_NAME": "杜明远", "GIT_COMMITTER_EMAIL": "dumy@example.org"}
    office.git("rebase", "side", env=who, check=False)
    assert (office.root / ".git" / "rebase-merge").exists()
    (office.root / ".git" / "dangwu").mkdir(exist_ok=True)
    (office.root / ".git" / "dangwu" / "sync.json").write_text("{}", "utf-8")
    from dangwu.store.office import find_office

    assert find_office(office.root).recover() == []  # done once, on opening
    assert not (office.root / ".git" / "rebase-merge").exists()
    assert office.head() == head
    assert office.read("notes.txt") == "main\n"


def test_a_step_prepared_on_a_head_that_moved_since_changes_nothing(office):
    """A step is prepared on HEAD as read under the lock; if plain git moves HEAD
    before the step lands (a commit in another shell takes no dangwu lock), the step
    is refused as a whole and the clone stays as that commit left it."""
    import pytest

    from dangwu.errors import Busy
    from dangwu.store.gitstore import GitStore
    from dangwu.store.office import find_office

    prepared_on = office.head()
    office.write("notes.txt", "a note\n")
    moved = commit_as(office.root, "linht", "a note", "notes.txt")
    before = office.state()
    opened = find_office(office.root)
    refused = pytest.raises(Busy, match="the office changed while this step was prepared")
    with refused, GitStore(opened.root, opened.state_dir) as git, git.writing():
        record = "records/zuzhi-jianshe/ZZ-2026-999.yaml"
        clerk_commit(git, prepared_on, record, b"id: ZZ-2026-999\n")
    assert office.head() == moved
    assert office.state() == before
