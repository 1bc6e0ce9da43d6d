"""The store's door to git (store/gitstore.py): a GitStore keeps one ``git cat-file
--batch`` for its reads while it is open, reads through it what one-shot readers
read, and stops it when it is closed."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import clerk_commit, commit_as, git
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dangwu.errors import GitError
from dangwu.store.gitstore import BATCH_CHUNK, GRAPH_LAG, GitStore

WHO = {
    "GIT_AUTHOR_NAME": "杜明远",
    "GIT_AUTHOR_EMAIL": "dumy@example.org",
    "GIT_COMMITTER_NAME": "杜明远",
    "GIT_COMMITTER_EMAIL": "dumy@example.org",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = new_repo(tmp_path / "repo")
    (root / "big.txt").write_bytes(os.urandom(300_000))  # more than a pipe holds
    (root / "a file.txt").write_text("有空格的文件名\n", "utf-8")
    for n in range(BATCH_CHUNK + 6):  # more names than are asked at a time
        (root / f"n{n:03d}.txt").write_text(f"第{n}个\n", "utf-8")
    commit_as(root, "dumy", "init", ".")
    return root


def new_repo(root: Path) -> Path:
    """An empty repository at ``root``, on main."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return root


def first_commit(root: Path) -> str:
    """A new repository at ``root`` with one commit (a.txt) by the clerk; its id."""
    new_repo(root)
    (root / "a.txt").write_text("a", "utf-8")
    return commit_as(root, "dumy", "a", "a.txt")


def store(root: Path) -> GitStore:
    return GitStore(root, root / ".git" / "dangwu")


def empty_commits(root: Path, count: int) -> str:
    """``count`` commits that change nothing, on HEAD; the last one's id."""
    for n in range(count):
        git(root, "commit", "-q", "--allow-empty", "-m", f"empty {n}", env=WHO)
    return git(root, "rev-parse", "HEAD")


def test_every_read_of_an_open_store_is_answered_by_one_git(repo, tmp_path, monkeypatch):
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    names = [f"HEAD:n{n:03d}.txt" for n in range(BATCH_CHUNK + 6)]
    with store(repo) as opened:
        many = opened.batch(names)
        big = opened.batch(["HEAD:big.txt", "HEAD:a file.txt", "HEAD:no such file", "f" * 40])
        ids = [said[0] for said in many if said is not None]
        contents = opened.objects(ids[:3])
        process = opened._reader._process  # type: ignore[union-attr]
    assert [said[2] for said in many if said] == [f"第{n}个\n".encode() for n in range(len(names))]
    assert big[0] is not None and big[0][1] == "blob"
    assert big[0][2] == (repo / "big.txt").read_bytes()
    assert big[1] is not None and big[1][2] == "有空格的文件名\n".encode()
    assert big[2:] == [None, None]  # missing, with a space in its name, and unknown
    assert list(contents.values()) == [f"第{n}个\n".encode() for n in range(3)]
    cat_files = [line for line in trace.read_text("utf-8").splitlines() if "git cat-file" in line]
    assert len([line for line in cat_files if "built-in" in line]) == 1
    assert process.poll() is not None  # stopped, and reaped, when the store closed


def test_a_file_at_a_commit_is_read_by_the_running_reader(repo, tmp_path, monkeypatch):
    """blob() reads through the store's cat-file --batch: a file without its last
    newline, None for no file or a folder; a name holding a line break (which would
    be two names to the batch) is read by a git of its own, and the reader after it
    still answers in step."""
    (repo / "sub").mkdir()
    (repo / "sub" / "x.txt").write_text("x\n", "utf-8")
    (repo / "two\nlines.txt").write_text("换行\n", "utf-8")
    commit_as(repo, "dumy", "more", ".")
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    with store(repo) as opened:
        assert opened.blob("HEAD", "a file.txt") == "有空格的文件名".encode()
        assert opened.blob("HEAD", "sub") is None
        assert opened.blob("HEAD", "no such file") is None
        assert opened.blob("HEAD", "two\nlines.txt") == "换行".encode()
        assert opened.blob("HEAD", "sub/x.txt") == b"x"
        assert opened.blob("HEAD", "n000.txt") == "第0个".encode()
    started = [line for line in trace.read_text("utf-8").splitlines() if "built-in" in line]
    assert len([line for line in started if "cat-file --batch" in line]) == 1
    assert len([line for line in started if "cat-file blob" in line]) == 1  # the line break


def ls_tree(root: Path, rev: str, *paths: str) -> dict[str, str]:
    """What ``git ls-tree -r`` says: path -> blob id, in its order."""
    out = git(root, "ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths)
    rows = [row.partition("\t") for row in out.split("\0") if row]
    return {path: meta.split()[2] for meta, _tab, path in rows if meta.split()[1] == "blob"}


def test_the_files_under_folders_are_read_from_the_trees_as_ls_tree_lists_them(
    repo, tmp_path, monkeypatch
):
    """tree_blobs() walks the trees through the running reader and says what
    ls-tree says, in its order: nested folders, names with spaces, Chinese and a line
    break, a link, an executable file, a submodule (no file), a folder whose name
    sorts between its neighbours' (a-b, a.yaml, a/), a file named directly, a name
    that is not there. A rev git does not know is still refused in git's words."""
    for name in ("a/b/c.yaml", "a/b/d 空格.yaml", "a-b/x.yaml", "a.yaml", "a/z\nline.yaml"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(f"{name}\n", "utf-8")
    (repo / "a" / "run.sh").write_text("#!/bin/sh\n", "utf-8")
    (repo / "a" / "run.sh").chmod(0o755)
    (repo / "a" / "link").symlink_to("b/c.yaml")
    commit_as(repo, "dumy", "folders", ".")
    module = git(repo, "rev-parse", "HEAD")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{module},a/b/module")
    commit_as(repo, "dumy", "a submodule", "a.yaml")  # the index holds it
    asked = [["a"], ["a", "a-b"], ["a.yaml", "a/b"], ["a-b", "nothing here"], ["a/b/c.yaml"]]
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    with store(repo) as opened:
        for paths in asked:
            got = opened.tree_blobs("HEAD", paths)
            assert list(got.items()) == list(ls_tree(repo, "HEAD", *paths).items()), paths
        assert "a/b/module" not in opened.tree_blobs("HEAD", ["a"])
        assert "a/z\nline.yaml" in opened.tree_blobs("HEAD", ["a"])
        with pytest.raises(GitError):
            opened.tree_blobs("no-such-rev", ["a"])
    ls_trees = [line for line in trace.read_text("utf-8").splitlines() if "ls-tree" in line]
    # the store's own: none; the rev git does not know: one, to say why (the rest
    # are this test's own ls-tree, run with GIT_TRACE set too)
    assert len([line for line in ls_trees if "no-such-rev" in line]) == 1
    assert len(ls_trees) == len(asked) + 1


def test_a_reader_that_died_is_an_error_in_one_line(repo):
    with store(repo) as opened:
        assert opened.batch(["HEAD:n000.txt"])[0] is not None
        opened._reader._process.kill()  # type: ignore[union-attr]
        opened._reader._process.wait()  # type: ignore[union-attr]
        with pytest.raises(GitError) as failed:
            opened.batch(["HEAD:n001.txt"])
        # the store starts another git for what it is asked next
        assert opened.batch(["HEAD:n002.txt"])[0][2] == "第2个\n".encode()  # type: ignore[index]
    assert "cat-file" in str(failed.value)
    assert "\n" not in str(failed.value).strip()


@pytest.mark.parametrize("parent_read_first", [True, False])
def test_a_forked_child_reads_with_a_git_of_its_own(repo, parent_read_first):
    """A worker forked while the store is open must not speak on its parent's pipe,
    nor keep a git running once it has gone, even when it leaves without its exit
    handlers (os._exit): its git reads from a pipe only the child held."""
    with store(repo) as opened:
        if parent_read_first:
            opened.batch(["HEAD:n000.txt"])
        before = opened._reader
        reading, writing = os.pipe()
        child = os.fork()
        if child == 0:  # the child: reads, answers through the pipe, and leaves
            try:
                said = opened.batch(["HEAD:n005.txt"])
                kept = opened._reader is not before  # it took the parent's for its own
                own = opened._forked[1]._process.pid if opened._forked else 0
                text = b"kept" if kept else said[0][2] if said[0] else b"none"
                os.write(writing, text + b"|" + str(own).encode())
            finally:
                os._exit(0)
        os.close(writing)
        answer, _bar, own = os.read(reading, 100).partition(b"|")
        os.waitpid(child, 0)
        # the parent's git still answers, in order
        assert opened.batch(["HEAD:n007.txt"])[0][2] == "第7个\n".encode()  # type: ignore[index]
    assert answer == "第5个\n".encode()
    assert _ended(int(own))


def _ended(pid: int) -> bool:
    """Whether process ``pid`` has ended within 5 s (gone, or a zombie not reaped yet)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.01)
    return False


_SHARED: dict[str, GitStore] = {}  # the store fork_map's workers inherit


def _read_in_worker(name: str) -> tuple[int, int, bytes]:
    opened = _SHARED["store"]
    said = opened.batch([name])[0]
    assert said is not None and opened._forked is not None
    return os.getpid(), opened._forked[1]._process.pid, said[2]


def test_a_pool_worker_keeps_one_git_for_its_reads_and_stops_it(repo):
    """Each of fork_map's workers reads through one git of its own, whatever the
    number of reads it is given (git keeps what it rebuilt from deltas between
    them), and that git is stopped when the worker ends."""
    from dangwu.store.pool import fork_map

    with store(repo) as opened:
        _SHARED["store"] = opened
        try:
            names = [f"HEAD:n{n:03d}.txt" for n in range(12)]
            read = list(fork_map(_read_in_worker, names, parallel_from=2, chunk=1))
        finally:
            _SHARED.clear()
        assert opened._forked is None  # the parent's own reads are not the workers'
    assert [r[2] for r in read] == [f"第{n}个\n".encode() for n in range(12)]
    workers = {r[0] for r in read}
    gits = {r[1] for r in read}
    assert os.getpid() not in workers and len(gits) == len(workers)
    for pid in gits:  # stopped and waited for: no such process, not even a zombie
        assert not Path(f"/proc/{pid}").exists()


def test_the_paths_a_history_deleted_are_kept_and_never_fewer_than_git_says(tmp_path, monkeypatch):
    """removed() keeps what it read for each folder with its head: a head moved on
    costs git its new commits only; a head reset or rewritten answers at least what git
    says (a number once given stays given); a spoilt or crafted file is read again."""
    root = new_repo(tmp_path / "gone")

    def put(name: str) -> str:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name, "utf-8")
        return commit_as(root, "dumy", f"add {name}", name)

    def drop(name: str) -> str:
        git(root, "rm", "-q", name)
        return commit_as(root, "dumy", f"drop {name}")

    def fresh(under: str, head: str) -> set[str]:
        out = git(root, "log", "--diff-filter=D", "--format=", "--name-only", head, "--", under)
        return set(out.split())

    opened = GitStore(root, root / ".git" / "dangwu")
    asked: list[list[str]] = []
    running = opened.try_run, opened.run

    def logged(run):  # type: ignore[no-untyped-def]
        def spy(*args: str, **kwargs):  # type: ignore[no-untyped-def]
            if args[0] == "log":
                asked.append([a for a in args if ".." in a or len(a) == 40])
            return run(*args, **kwargs)

        return spy

    monkeypatch.setattr(opened, "try_run", logged(running[0]))
    monkeypatch.setattr(opened, "run", logged(running[1]))
    put("records/a/A-1.yaml")
    put("records/b/B-1.yaml")
    first = drop("records/a/A-1.yaml")
    assert (
        opened.removed("records/a/", first) == {"records/a/A-1.yaml"} == fresh("records/a/", first)
    )
    assert opened.removed("records/a/", first) == {"records/a/A-1.yaml"}  # as kept: no git
    assert asked == [[first]]
    assert opened.removed("records/b/", first) == set()  # each folder its own
    put("records/a/A-2.yaml")
    second = drop("records/a/A-2.yaml")
    asked.clear()
    assert opened.removed("records/a/", second) == fresh("records/a/", second)
    assert asked == [[f"{first}..{second}"]]  # the new commits only
    assert opened.removed("records/b/", first) == set()
    # a reset behind the kept head, and a rewrite: never fewer than git says
    git(root, "reset", "-q", "--hard", first)
    rewritten = drop("records/b/B-1.yaml")
    for under in ("records/a/", "records/b/"):
        assert opened.removed(under, rewritten) >= fresh(under, rewritten)
    assert "records/b/B-1.yaml" in opened.removed("records/b/", rewritten)
    # a kept file spoilt, or crafted to hand git an option, is read again from git
    kept = root / ".git" / "dangwu" / "removed-v1.json"
    for text in ("{", '{"records/a/": {"head": "--output=/tmp/x", "paths": ["x"]}}', "[1]"):
        kept.write_text(text, "utf-8")
        asked.clear()
        assert opened.removed("records/a/", rewritten) == fresh("records/a/", rewritten)
        assert asked == [[rewritten]]
    # a kept head git no longer has: read again
    kept.write_text('{"records/a/": {"head": "%s", "paths": []}}' % ("1" * 40), "utf-8")
    assert opened.removed("records/a/", rewritten) == fresh("records/a/", rewritten)


def test_a_remembered_line_is_the_line_read_afresh(tmp_path):
    """line_changes(remember=...) answers from what it kept only where that is the
    same answer: a head moved on, a window moved on; a head reset or rewritten, a
    branch merged, other paths or a spoilt file read the line again."""
    root = new_repo(tmp_path / "line")
    watched = ("records/", "dangwu.yaml")

    def change(name: str, text: str, day: int) -> str:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        return commit_as(
            root, "dumy", f"{name} {text}", name, date=f"2026-11-{day:02d}T10:00:00+08:00"
        )

    commits = [change(f"records/a/{n % 3}.yaml", f"v{n}", 1 + n) for n in range(6)]
    commits.append(change("other.txt", "not watched", 8))
    opened = GitStore(root, root / ".git" / "dangwu")
    reading = opened._line_changes
    spans: list[tuple[str | None, str]] = []

    def read(since, head, paths):  # type: ignore[no-untyped-def]
        spans.append((since, head))
        return reading(since, head, paths)

    opened._line_changes = read  # type: ignore[method-assign]

    def both(since: str | None, head: str, paths=watched) -> list[tuple[str | None, str]]:
        fresh = opened.line_changes(since, head, paths)
        spans.clear()
        assert opened.line_changes(since, head, paths, remember="line.json") == fresh
        assert [c for c, _t, _ch in fresh][-1:] == ([head] if head != since else [])
        return list(spans)

    assert both(commits[1], commits[4]) == [(commits[1], commits[4])]  # read, kept
    assert both(commits[1], commits[4]) == []  # as kept
    # the head moved on: only its new commits read; the window moved on: none
    assert both(commits[1], commits[6]) == [(commits[4], commits[6])]
    assert both(commits[2], commits[6]) == []
    both(None, commits[6])  # a window from the first commit
    both(commits[2], commits[3])  # the head reset to an ancestor
    git(root, "reset", "-q", "--hard", commits[5])
    rewritten = change("records/a/9.yaml", "rewritten", 20)  # a line that left the kept
    both(commits[2], rewritten)
    git(root, "checkout", "-q", "-b", "side", commits[3])
    side = change("records/b/1.yaml", "side", 21)
    git(root, "checkout", "-q", "main")
    who = {"GIT_AUTHOR_NAME": "杜明远", "GIT_AUTHOR_EMAIL": "dumy@example.org"}
    who |= {"GIT_COMMITTER_NAME": "杜明远", "GIT_COMMITTER_EMAIL": "dumy@example.org"}
    git(root, "merge", "-q", "--no-ff", "-m", "merge side", side, env=who)
    merged = git(root, "rev-parse", "HEAD")
    both(commits[2], merged)  # a merge: its changes against its first parent
    git(root, "checkout", "-q", side)
    both(commits[2], side)  # a head whose line does not pass the kept one
    both(commits[2], side, paths=("records/b/",))  # other paths
    (root / ".git" / "dangwu" / "line.json").write_text('{"paths": ["records/b/"], "line": 7}')
    both(commits[2], side, paths=("records/b/",))  # a spoilt file
    # a file crafted to hand git an option as the kept head: read afresh, never passed
    crafted = {"paths": ["records/b/"], "since": commits[2], "head": f"--output={root}/out"}
    (root / ".git" / "dangwu" / "line.json").write_text(json.dumps({**crafted, "line": []}))
    assert both(commits[2], side, paths=("records/b/",)) == [(commits[2], side)]
    assert not list(root.glob("out*"))


def traced(trace: Path, command: str) -> list[str]:
    """The git processes running ``command`` (its words as the trace shows them) that
    a GIT_TRACE file holds."""
    if not trace.exists():
        return []
    lines = trace.read_text("utf-8").splitlines()
    return [line for line in lines if f"trace: built-in: git {command}" in line]


HEAD_REV_PARSE = "rev-parse --verify --quiet 'HEAD^{commit}'"


def test_the_head_is_what_rev_parse_says_asked_of_the_running_reader(tmp_path, monkeypatch):
    """head() asks the store's running cat-file, which reads the refs again for each
    question: an unborn branch, a detached HEAD, packed refs, and a head moved by
    another process (loose or packed) while the reader runs are all answered as
    ``rev-parse`` answers them; a ref naming a tree is refused in rev-parse's words.
    Only what the reader cannot answer as a commit starts a rev-parse."""
    root = new_repo(tmp_path / "heads")
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))

    def rev_parse() -> str | None:
        untraced = {"GIT_TRACE": "0"}
        said = git(root, *HEAD_REV_PARSE.replace("'", "").split(), env=untraced, check=False)
        return said or None

    def put(text: str) -> str:
        (root / "a.txt").write_text(text, "utf-8")
        return commit_as(root, "dumy", text, "a.txt")

    with store(root) as opened:
        assert opened.head() is None is rev_parse()  # unborn: the reader says missing
        assert len(traced(trace, HEAD_REV_PARSE)) == 1
        first = put("one")
        assert opened.head() == first == rev_parse()
        second = put("two")  # moved by another process, the reader running
        assert opened.head() == second == rev_parse()
        git(root, "pack-refs", "--all")  # the branch only in packed-refs
        assert not (root / ".git" / "refs" / "heads" / "main").exists()
        assert opened.head() == second == rev_parse()
        git(root, "update-ref", "refs/heads/main", first)  # a packed ref moved
        assert opened.head() == first == rev_parse()
        git(root, "update-ref", "refs/heads/main", second)
        git(root, "pack-refs", "--all")  # and packed again: packed-refs rewritten
        assert opened.head() == second == rev_parse()
        git(root, "checkout", "-q", "--detach", first)  # a detached HEAD
        assert opened.head() == first == rev_parse()
        assert len(traced(trace, HEAD_REV_PARSE)) == 1  # none of these started one
        git(root, "checkout", "-q", "--orphan", "empty")  # unborn again
        assert opened.head() is None is rev_parse()
        git(root, "checkout", "-q", "-f", "main")
        assert opened.head() == second == rev_parse()
        tree = git(root, "rev-parse", "HEAD^{tree}")
        git(root, "pack-refs", "--all")
        (root / ".git" / "refs" / "heads" / "main").write_text(tree + "\n", "ascii")
        with pytest.raises(GitError, match="expected commit type"):
            opened.head()  # in rev-parse's words, not "no commits yet"
        process = opened._reader._process  # type: ignore[union-attr]
    assert len(traced(trace, HEAD_REV_PARSE)) == 3
    assert len(traced(trace, "cat-file --batch")) == 1
    assert process.poll() is not None


def test_a_named_commit_is_what_rev_parse_says_asked_of_the_running_reader(tmp_path, monkeypatch):
    """peeled() answers as ``rev-parse --verify --quiet NAME^{commit}`` for a ref
    that is not there, one made, moved or packed while the reader runs, an annotated
    tag, a dangling ref and whole ids, without a rev-parse; a short id, which may be
    ambiguous, and a ref naming a tree are asked of rev-parse, and the tree refused
    in its words."""
    root = tmp_path / "named"
    first = first_commit(root)
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    notes = "refs/notes/dangwu/received"
    server = {"GIT_AUTHOR_NAME": "server", "GIT_AUTHOR_EMAIL": "git@example.org"}
    server |= {"GIT_COMMITTER_NAME": "server", "GIT_COMMITTER_EMAIL": "git@example.org"}

    def rev_parse(name: str) -> str | None:
        asked = ("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
        return git(root, *asked, env={"GIT_TRACE": "0"}, check=False) or None

    def asked() -> int:
        return len(traced(trace, "rev-parse"))

    with store(root) as opened:
        assert opened.peeled(notes) is None is rev_parse(notes)  # no receipts yet
        git(root, "notes", "--ref", notes, "add", "-m", "received", first, env=server)
        made = rev_parse(notes)
        assert made is not None and opened.peeled(notes) == made  # made meanwhile
        git(root, "notes", "--ref", notes, "add", "-f", "-m", "again", first, env=server)
        moved = rev_parse(notes)
        assert moved != made and opened.peeled(notes) == moved
        git(root, "pack-refs", "--all")
        assert opened.peeled(notes) == moved
        git(root, "tag", "-a", "-m", "v1", "v1", first, env=server)
        assert opened.peeled("refs/tags/v1") == first == rev_parse("refs/tags/v1")
        assert opened.peeled(first) == first and opened.peeled("HEAD") == first
        nothing = "0123456789" * 4
        assert opened.peeled(nothing) is None is rev_parse(nothing)
        (root / ".git" / "refs" / "dangling").write_text(nothing + "\n", "ascii")
        assert opened.peeled("refs/dangling") is None is rev_parse("refs/dangling")
        assert asked() == 0
        assert opened.peeled(first[:7]) == first  # a short id: rev-parse's to judge
        assert asked() == 1
        tree = git(root, "rev-parse", "HEAD^{tree}", env={"GIT_TRACE": "0"})
        (root / ".git" / "refs" / "tree").write_text(tree + "\n", "ascii")
        with pytest.raises(GitError, match="expected commit type"):
            opened.peeled("refs/tree")
        assert asked() == 2
    assert len(traced(trace, "cat-file --batch")) == 1


def test_a_head_moved_by_plain_git_while_the_reader_runs_refuses_the_step(tmp_path):
    """The head is read again after a refused update-ref to tell a concurrent commit
    from a failure: read by a reader started before plain git moved it, it is the
    new head, and the step is refused as changed meanwhile."""
    from dangwu.errors import Busy

    root = tmp_path / "moved"
    prepared_on = first_commit(root)
    with store(root) as opened, opened.writing():
        assert opened.head() == prepared_on  # the reader is running from here
        (root / "b.txt").write_text("b", "utf-8")
        moved = commit_as(root, "linht", "b", "b.txt")
        with pytest.raises(Busy, match="changed while this step was prepared"):
            clerk_commit(opened, prepared_on, "c.txt", b"c")
    assert git(root, "rev-parse", "HEAD") == moved
    assert not (root / "c.txt").exists()


def test_the_commit_graph_is_written_when_it_lags_the_head(tmp_path, monkeypatch):
    """refresh_commit_graph(head) writes git's commit-graph only when the head has gone
    more than GRAPH_LAG commits past the one it was last written at: a sync's many
    commits, a merge, or a graph whose layers changed since write it again; a call
    without a head writes it as it always did."""
    root = tmp_path / "graph"
    first_commit(root)
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    kept = root / ".git" / "dangwu" / "graph-v1.json"

    def writes(head: str | None) -> int:
        before = len(traced(trace, "commit-graph write"))
        opened.refresh_commit_graph(head)
        return len(traced(trace, "commit-graph write")) - before

    with store(root) as opened:
        head = opened.require_head()
        assert writes(head) == 1  # nothing kept yet
        assert json.loads(kept.read_text("utf-8"))["head"] == head
        assert writes(head) == 0
        head = empty_commits(root, GRAPH_LAG)
        assert writes(head) == 0  # as far behind as it may be
        head = empty_commits(root, 1)
        assert writes(head) == 1
        head = empty_commits(root, 3 * GRAPH_LAG)  # a sync that brought many
        assert writes(head) == 1
        assert writes(empty_commits(root, 1)) == 0
        git(root, "checkout", "-q", "-b", "side", f"{head}~2")
        side = empty_commits(root, 2)
        git(root, "checkout", "-q", "main")
        git(root, "merge", "-q", "--no-ff", "-m", "merge side", side, env=WHO)
        assert writes(opened.require_head()) == 1  # a merge: its other line not counted
        head = empty_commits(root, 1)
        assert writes(head) == 0
        graphs = root / ".git" / "objects" / "info" / "commit-graphs"
        shutil.rmtree(graphs)  # the graph removed (or replaced by a gc)
        assert writes(head) == 1
        assert (graphs / "commit-graph-chain").is_file()
        assert writes(None) == 1  # the server's catch-up asks for it as it is


def test_a_crafted_or_spoilt_graph_file_costs_a_write_never_an_option(tmp_path, monkeypatch):
    """The kept head is compared with what git names, never handed to git: a file
    that names an option, or is not of its shape, makes the graph be written; and a
    file that lies (the graph gone, the file saying it is up to date) leaves the
    answers as git gives them, only found by a longer walk."""
    root = new_repo(tmp_path / "crafted")
    (root / "r.yaml").write_text("v1", "utf-8")
    changed = commit_as(root, "dumy", "r v1\n\nDangwu-Step: set", "r.yaml")
    head = empty_commits(root, 3)
    kept = root / ".git" / "dangwu" / "graph-v1.json"
    kept.parent.mkdir()
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    with store(root) as opened:
        layers = opened._graph_layers()
        option = f"--output={root}/out"
        for text in (
            json.dumps({"head": option, "layers": layers}),
            json.dumps({"head": f"{head}\n--output={root}/out", "layers": layers}),
            json.dumps({"head": head, "layers": None}),
            json.dumps({"head": [head], "layers": layers}),
            "{",
            "[1]",
            "",
        ):
            kept.write_text(text, "utf-8")
            before = len(traced(trace, "commit-graph write"))
            opened.refresh_commit_graph(head)
            assert len(traced(trace, "commit-graph write")) == before + 1, text
        assert "--output" not in trace.read_text("utf-8")
        assert not list(root.glob("out*"))
        # a lie: no graph at all, and a file saying it was written at the head
        shutil.rmtree(root / ".git" / "objects" / "info" / "commit-graphs")
        kept.write_text(json.dumps({"head": head, "layers": ""}), "utf-8")
        before = len(traced(trace, "commit-graph write"))
        opened.refresh_commit_graph(head)
        assert len(traced(trace, "commit-graph write")) == before  # believed
        assert opened.last_step(head, "r.yaml") == changed  # and still the right answer
        assert opened.last_change(head, "r.yaml") == changed


def test_the_graph_of_a_linked_worktree_is_its_repository_s(tmp_path):
    """An office checked out as a linked worktree (a .git file) keeps its commit-graph
    in the main repository's object folder: its layers are read from there."""
    root = tmp_path / "main"
    first_commit(root)
    linked = tmp_path / "linked"
    git(root, "worktree", "add", "-q", "-b", "other", str(linked))
    with GitStore(linked, tmp_path / "state") as opened:
        opened.refresh_commit_graph(opened.require_head())
        layers = opened._graph_layers()
    chain = root / ".git" / "objects" / "info" / "commit-graphs" / "commit-graph-chain"
    assert layers and layers == chain.read_text("ascii")


def traced_step(office, trace: Path, monkeypatch, *args: str) -> list[str]:
    """The git commands a dangwu command ran (GIT_TRACE), each as git's words."""
    trace.unlink(missing_ok=True)
    monkeypatch.setenv("GIT_TRACE", str(trace))
    done = office.run(*args)
    monkeypatch.delenv("GIT_TRACE")
    assert done.exit_code == 0, done.output
    return [line.partition("trace: built-in: git ")[2] for line in trace.read_text().splitlines()]


def test_a_step_starts_no_rev_parse_and_writes_the_graph_only_when_it_lags(
    office, tmp_path, monkeypatch
):
    """The git processes of a step: the head read by the step's cat-file, the
    commit-graph written by the first step that finds none kept, not by the next."""
    record = office.new()
    trace = tmp_path / "trace"
    started = [
        traced_step(office, trace, monkeypatch, "set", record, f"summary=第{n}次改写")
        for n in range(3)
    ]
    assert [len([c for c in s if c.startswith("commit-graph")]) for s in started] == [1, 0, 0]
    assert not [c for s in started for c in s if c.startswith("rev-parse")]
    assert [len([c for c in s if c.startswith("cat-file --batch")]) for s in started] == [1, 1, 1]


def test_log_and_steps_keep_the_graph_by_the_same_head(office, tmp_path, monkeypatch):
    """dangwu log (and the consultation report) keep the commit-graph as the steps
    do: a log between two steps writes no layer, and so leaves the next step none
    to write either."""
    record = office.new()
    trace = tmp_path / "trace"
    writes = []
    for args in (("set", record, "summary=一"), ("log", record), ("set", record, "summary=二")):
        started = traced_step(office, trace, monkeypatch, *args)
        writes.append(len([c for c in started if c.startswith("commit-graph write")]))
    assert writes == [1, 0, 0]


# --- the trees a step writes -------------------------------------------------------

# names whose order in a tree is git's own: a folder sorts as if it ended in "/", which
# comes after "-" and "." and before "0"; CJK and a space as offices name files
NAMES = st.sampled_from(["a", "a.txt", "a-b", "a0", "ab", "b", "中", "中文.yaml", "x y"])
PATHS = st.lists(NAMES, min_size=1, max_size=3).map("/".join)
FILES = st.dictionaries(PATHS, st.binary(max_size=40), max_size=8).filter(
    lambda files: not any(other.startswith(f"{path}/") for path in files for other in files)
)  # no name both a file and a folder


def truth(root: Path, files: dict[str, bytes]) -> str:
    """The tree of exactly ``files``, as git's own commands make it: a fresh index."""
    index = root / ".git" / "truth-index"
    index.unlink(missing_ok=True)
    env = {"GIT_INDEX_FILE": str(index)}
    for path, data in files.items():
        blob = subprocess.run(
            ["git", "-C", str(root), "hash-object", "-w", "--stdin"],
            input=data, capture_output=True, check=True,
        ).stdout.decode().strip()  # fmt: skip
        git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
    return git(root, "write-tree", env=env)


def committed(root: Path, files: dict[str, bytes]) -> str:
    (root / ".git" / "dangwu").mkdir(exist_ok=True)  # the store's folder, as a step has it
    tree = truth(root, files)
    return git(root, "commit-tree", tree, "-m", "base", env=WHO)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=FILES, final=FILES)
def test_the_tree_a_step_writes_is_the_one_git_would(base, final, tmp_path_factory):
    """Any files before and after (added, changed, removed, a file become a folder
    and back): the tree the store writes itself is the tree git's own index writes,
    and git finds every object it wrote sound."""
    root = new_repo(tmp_path_factory.mktemp("trees") / "repo")
    start = committed(root, base)
    changes = {p: final.get(p) for p in {*base, *final} if base.get(p) != final.get(p)}
    with store(root) as opened:
        made = opened._tree_of(start, changes, None)
    assert made == truth(root, final)
    git(root, "fsck", "--strict", "--no-dangling")
    assert not list((root / ".git" / "objects").glob("*/tmp_obj_*"))


# names and addresses as a roster, a hand or an attacker may write them: mostly as a
# roster has them (Chinese, Latin, dots and dashes inside), else with blanks and
# controls, and what git strips from an identity's ends or takes out of it anywhere
ROSTER_LIKE = st.text(alphabet=st.sampled_from("李小明abZ-_@"), min_size=1, max_size=8)
CRUDDY = st.text(alphabet=st.sampled_from("李ab. ,:;<>\"\\'\t\n\x7f@"), min_size=1, max_size=6)
IDENT = st.one_of(ROSTER_LIKE, ROSTER_LIKE, ROSTER_LIKE, CRUDDY)
THIS_CENTURY = st.integers(946_684_800, 4_102_444_799)
MOMENTS = st.builds(
    lambda seconds, minutes, micro: datetime.fromtimestamp(
        seconds, timezone(timedelta(minutes=minutes))
    ).replace(microsecond=micro),
    st.one_of(THIS_CENTURY, THIS_CENTURY, THIS_CENTURY, st.integers(0, 5_000_000_000)),
    st.sampled_from([0, 480, -300, 345, -570, 840]),
    st.sampled_from([0, 0, 0, 0, 0, 250_000]),
)


def git_commit_tree(root: Path, tree: str, parent: str | None, message: str, name: str,
                    email: str, when: datetime, sign: bool = False) -> str | None:  # fmt: skip
    """The commit git's own commit-tree makes of the same (None where git refuses it)."""
    stamp = when.isoformat()
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
           "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_NAME": name,
           "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": stamp}  # fmt: skip
    done = subprocess.run(
        ["git", "-C", str(root), "commit-tree", *(["-S"] if sign else []), tree,
         *(["-p", parent] if parent else [])],
        input=message.encode(), env=env, capture_output=True, check=False,
    )  # fmt: skip
    return done.stdout.decode().strip() if done.returncode == 0 else None


def store_commit(opened: GitStore, tree: str, parent: str | None, message: str, name: str,
                 email: str, when: datetime, *, sign: bool,
                 without_git: bool) -> str | None:  # fmt: skip
    """The commit the store makes of the same (None where it refuses it); with
    ``without_git``, a git started for it fails the test."""
    from dangwu.store.gitstore import Identity

    if without_git:
        opened.run = None  # type: ignore[method-assign]
    try:
        return opened._commit_tree(tree, parent, message, Identity(name, email), when, sign)
    except GitError:
        return None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=IDENT, email=IDENT, when=MOMENTS, message=st.text(max_size=30), first=st.booleans())
def test_a_commit_the_store_writes_is_the_one_git_would(
    name, email, when, message, first, tmp_path_factory
):
    """A step's unsigned commit, written by the store where that is plain and by git
    where not, is byte for byte the commit ``git commit-tree`` makes of the same."""
    from dangwu.store.gitstore import _plain_ident

    root = new_repo(tmp_path_factory.mktemp("commits") / "repo")
    (root / ".git" / "dangwu").mkdir()  # the store's folder, as a step has it
    parent = None if first else committed(root, {"a.txt": b"a"})
    tree = truth(root, {"b.txt": b"b"})
    expected = git_commit_tree(root, tree, parent, message if message.endswith("\n")
                               else message + "\n", name, email, when)  # fmt: skip
    plain = _plain_ident(name) and _plain_ident(email) and when.microsecond == 0
    plain = plain and 2000 <= when.year < 2100 and "\0" not in message
    event("written by the store" if plain else "left to git")
    with store(root) as opened:
        made = store_commit(opened, tree, parent, message, name, email, when, sign=False,
                            without_git=plain)  # fmt: skip
    assert made == expected
    if made:
        git(root, "fsck", "--strict", "--no-dangling", made)


def ssh_key(folder: Path, name: str, kind: str = "ed25519", passphrase: str = "") -> Path:
    key = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", kind, "-N", passphrase, "-C", name, "-f", str(key)],
        check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return key


# How a person's git may be set up to sign: user.signingkey (KEYS: the keys' folder,
# ~: the home, else a path in the office) with any more of the repository's config,
# and whether the store signs it itself
SETUPS = {
    "a private key file": ("{KEYS}/plain", True),
    "its public half": ("{KEYS}/plain.pub", True),
    "a key with no .pub beside it": ("{KEYS}/bare", True),
    "a path in the office": ("mine/plain", True),
    "a path from home": ("~/plain", True),
    "a key with a passphrase": ("{KEYS}/locked", False),
    "a key others may read": ("{KEYS}/open", False),
    "a key an agent holds": ("{KEYS}/plain", False),
    "a .pub that is another key": ("{KEYS}/crossed", False),
    "a certificate": ("{KEYS}/certified", False),
    "an ECDSA key": ("{KEYS}/ecdsa", False),
    "another signing program": ("{KEYS}/plain\ngpg.ssh.program={KEYS}/program", False),
    "OpenPGP": ("{KEYS}/plain\ngpg.format=openpgp", False),
}


@pytest.fixture(scope="module")
def signing_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The keys of :data:`SETUPS`, made once."""
    keys = tmp_path_factory.mktemp("keys")
    for name in ("plain", "bare", "other", "crossed", "ca", "certified", "open"):
        ssh_key(keys, name)
    (keys / "open").chmod(0o644)
    ssh_key(keys, "locked", passphrase="口令 secret")
    ssh_key(keys, "ecdsa", kind="ecdsa")
    (keys / "bare.pub").unlink()  # ssh-keygen reads the public half from the key
    (keys / "crossed.pub").write_bytes((keys / "other.pub").read_bytes())
    subprocess.run(
        ["ssh-keygen", "-q", "-s", str(keys / "ca"), "-I", "clerk", "-n", "dumy",
         str(keys / "certified.pub")],
        check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    # the certificate where ssh-keygen looks for the public half: it signs with it
    (keys / "certified.pub").write_bytes((keys / "certified-cert.pub").read_bytes())
    program = keys / "program"
    program.write_text('#!/bin/sh\necho "$@" >> "$0.log"\nexec ssh-keygen "$@"\n', "utf-8")
    program.chmod(0o755)
    return keys


@pytest.mark.parametrize("setup", SETUPS)
def test_a_signed_commit_the_store_writes_is_the_one_git_would(
    setup: str,
    signing_keys: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
):
    """A signed step's commit: where the key is an unencrypted Ed25519 key file git
    would hand ssh-keygen, the store signs it itself, and the commit is byte for byte
    the one ``git commit-tree -S`` makes (an Ed25519 signature is the same every
    time). Any other set-up (a passphrase, a key others may read, an agent, another
    key behind the .pub, a certificate, another kind of key, another signing
    program, OpenPGP) is git's, whatever it makes of it."""
    from dangwu.store import signing

    root = new_repo(tmp_path / "repo")
    for folder in (root / "mine", Path.home()):
        folder.mkdir(exist_ok=True)
        for name in ("plain", "plain.pub"):
            shutil.copy2(signing_keys / name, folder / name)
    value, here = SETUPS[setup]
    if setup == "a key an agent holds":  # ssh-keygen asks the agent, as git runs it
        agent = subprocess.run(["ssh-agent", "-s"], capture_output=True, text=True, check=True)
        found = dict(re.findall(r"(SSH_AUTH_SOCK|SSH_AGENT_PID)=([^;]+);", agent.stdout))
        monkeypatch.setenv("SSH_AUTH_SOCK", found["SSH_AUTH_SOCK"])
        request.addfinalizer(lambda: os.kill(int(found["SSH_AGENT_PID"]), signal.SIGTERM))
        subprocess.run(["ssh-add", "-q", str(signing_keys / "plain")], check=True,
                       capture_output=True)  # fmt: skip
    key, *rest = value.replace("{KEYS}", str(signing_keys)).split("\n")
    git(root, "config", "gpg.format", "ssh")
    git(root, "config", "user.signingkey", key)
    for line in rest:
        git(root, "config", *line.split("=", 1))
    parent = committed(root, {"a.txt": b"a"})
    tree = truth(root, {"b.txt": b"b"})
    message = "approve: ZZ-2026-101 党费收缴情况\n\nDangwu-Step: approve\n"
    when = datetime(2026, 11, 24, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    name, email = "韩振国", "hanzg@example.org"
    with store(root) as opened:
        file = signing.ssh_signing_file(opened._user_config(), root=root)
        payload = (f"tree {tree}\nparent {parent}\n").encode()
        made_here = file is not None and signing.ed25519_signature(payload, file) is not None
        assert made_here == here
        if setup == "a key with a passphrase":
            return  # git would ask for the passphrase, which nobody types here
        made = store_commit(opened, tree, parent, message, name, email, when, sign=True,
                            without_git=here)  # fmt: skip
    expected = git_commit_tree(root, tree, parent, message, name, email, when, sign=True)
    if setup in ("a .pub that is another key", "a key others may read", "OpenPGP"):
        assert expected is None and made is None  # git refuses, and so does the step
        return
    assert made is not None and b"\ngpgsig -----BEGIN SSH SIGNATURE-----\n" in git_bytes(root, made)
    if setup == "an ECDSA key":  # ECDSA signs differently each time: git's is checked
        signers = root.parent / "allowed"
        public = (signing_keys / "ecdsa.pub").read_text("utf-8").split()
        signers.write_text(f'{email} namespaces="git" {public[0]} {public[1]}\n', "utf-8")
        git(root, "config", "gpg.ssh.allowedSignersFile", str(signers))
        assert git(root, "log", "-1", "--format=%G?", made) == "G"
    else:
        assert made == expected
    if setup == "another signing program":
        assert "-Y sign" in (signing_keys / "program.log").read_text("utf-8")
    git(root, "fsck", "--strict", "--no-dangling", made)


def git_bytes(root: Path, commit: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(root), "cat-file", "commit", commit], capture_output=True, check=True
    ).stdout


RECORD = "records/zuzhi-jianshe/ZZ-2026-101.yaml"
# what a commit does to the record, by hand or as a step
CHANGES = st.sampled_from(["write", "write", "nothing", "other file", "chmod", "delete"])


def git_logs_last_step(opened: GitStore, rev: str, path: str) -> str | None:
    """last_step as git's own log answers it (the store's walk left out)."""
    walk = opened._last_step_walked
    opened._last_step_walked = lambda *_args: (False, None)  # type: ignore[method-assign]
    try:
        return opened.last_step(rev, path)
    finally:
        opened._last_step_walked = walk  # type: ignore[method-assign]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=st.lists(st.tuples(CHANGES, st.booleans()), min_size=1, max_size=9))
def test_the_last_step_read_by_the_running_reader_is_the_one_git_log_finds(
    history, tmp_path_factory
):
    """Any straight history of a record (written, left alone, deleted, its mode
    changed, other files changed), each commit a step or by hand: the store's walk
    through cat-file names the commit git log names."""
    root = new_repo(tmp_path_factory.mktemp("steps") / "repo")
    record = root / RECORD
    for number, (change, step) in enumerate(history):
        if change == "write":
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(f"status: v{number}\n", "utf-8")
        elif change == "other file":
            (root / "other.txt").write_text(f"{number}", "utf-8")
        elif change == "chmod" and record.exists():
            record.chmod(record.stat().st_mode ^ 0o111)
        elif change == "delete":
            record.unlink(missing_ok=True)
        git(root, "add", "-A")
        trailer = "\n\nDangwu-Step: submit" if step else "\n\ndangwu-step: submit"
        git(root, "commit", "-q", "--allow-empty", "-m", f"c{number}{trailer}", env=WHO)
    with store(root) as opened:
        answered, walked = opened._last_step_walked("HEAD", RECORD)
        assert answered
        assert walked == git_logs_last_step(opened, "HEAD", RECORD)


def test_the_walk_leaves_a_merge_and_a_long_way_back_to_git_log(tmp_path):
    root = new_repo(tmp_path / "repo")
    record = root / RECORD
    record.parent.mkdir(parents=True)
    record.write_text("a\n", "utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "new\n\nDangwu-Step: new", env=WHO)
    for number in range(3):
        git(root, "commit", "-q", "--allow-empty", "-m", f"by hand {number}", env=WHO)
    with store(root) as opened:
        assert opened._last_step_walked("HEAD", RECORD, reach=2) == (False, None)
        found = opened._last_step_walked("HEAD", RECORD)
        assert found == (True, git(root, "rev-list", "--max-parents=0", "HEAD"))
    git(root, "checkout", "-q", "-b", "side", "HEAD~1")
    git(root, "commit", "-q", "--allow-empty", "-m", "side", env=WHO)
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "merged", "side", env=WHO)
    with store(root) as opened:
        assert opened._last_step_walked("HEAD", RECORD) == (False, None)
        assert opened.last_step("HEAD", RECORD) == found[1]  # git log says it


def test_a_sha256_repository_gets_sha256_trees(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "--object-format=sha256", "-b", "main")
    start = committed(root, {"records/a.yaml": b"a", "records/b.yaml": b"b"})
    assert len(start) == 64
    with store(root) as opened:
        made = opened._tree_of(start, {"records/a.yaml": b"A", "c.txt": b"c"}, None)
    assert made == truth(root, {"records/a.yaml": b"A", "records/b.yaml": b"b", "c.txt": b"c"})
    git(root, "fsck", "--strict", "--no-dangling")


WRITERS = ("hash-object", "update-index --add --cacheinfo", "write-tree")


def test_a_step_writes_its_blob_and_trees_without_starting_git(office, tmp_path, monkeypatch):
    """They are written as git writes loose objects: read-only, whole, and sound."""
    record = office.new()
    started = traced_step(office, tmp_path / "trace", monkeypatch, "set", record, "summary=改")
    assert not [c for c in started if c.startswith(WRITERS)], started
    assert office.git("status", "--porcelain") == ""
    blob = office.git("rev-parse", f"HEAD:records/zuzhi-jianshe/{record}.yaml")
    kept = office.root / ".git" / "objects" / blob[:2] / blob[2:]
    assert kept.stat().st_mode & 0o777 == 0o444
    assert office.git("cat-file", "-p", blob) == office.read(
        f"records/zuzhi-jianshe/{record}.yaml"
    ).rstrip("\n")
    office.git("fsck", "--strict", "--no-dangling")


def test_a_shared_repository_is_left_to_git(office, tmp_path, monkeypatch):
    """A repository shared with a group (core.sharedRepository) gets its objects from
    git, which gives them the group's permissions."""
    record = office.new()
    office.git("config", "core.sharedRepository", "group")
    objects = office.root / ".git" / "objects"
    objects.chmod(0o2775)  # as git init --shared=group makes it
    started = traced_step(office, tmp_path / "trace", monkeypatch, "set", record, "summary=改")
    assert [c for c in started if c.startswith("hash-object")], started
    assert [c for c in started if c.startswith("write-tree")], started
    assert office.git("status", "--porcelain") == ""


@pytest.mark.parametrize("path", [".hidden/a.yaml", "records/.a.yaml", "a\\b.yaml"])
def test_a_name_git_weighs_itself_is_left_to_git(tmp_path, path):
    root = new_repo(tmp_path / "repo")
    start = committed(root, {"records/a.yaml": b"a"})
    with store(root) as opened:
        made = opened._tree_of(start, {path: b"x"}, None)
    assert made == truth(root, {"records/a.yaml": b"a", path: b"x"})


def test_a_file_where_a_folder_is_wanted_is_gits_error(tmp_path):
    root = new_repo(tmp_path / "repo")
    start = committed(root, {"records": b"a file"})
    with store(root) as opened, pytest.raises(GitError):
        opened._tree_of(start, {"records/a.yaml": b"x"}, None)
    start = committed(root, {"records/a.yaml": b"a"})
    with store(root) as opened, pytest.raises(GitError):
        opened._tree_of(start, {"records": b"x"}, None)


@pytest.mark.parametrize("path", [".git/config", "a/.git/x", "git~1/config", "GIT~1/x", "a/../b"])
def test_a_name_git_refuses_is_refused(tmp_path, path):
    """Names that would reach into .git on some system: git's own refusal, nothing
    written in the store's name."""
    root = new_repo(tmp_path / "repo")
    start = committed(root, {"records/a.yaml": b"a"})
    with store(root) as opened, pytest.raises(GitError, match="cannot add"):
        opened._tree_of(start, {path: b"x"}, None)


def test_an_object_folder_that_cannot_be_written_is_gits_to_say(tmp_path):
    """Where the store cannot write an object (here a file stands where its folder
    goes; for another user, permissions), git's own commands try, and say why not."""
    import hashlib

    root = new_repo(tmp_path / "repo")
    start = committed(root, {"records/a.yaml": b"a"})
    # a blob whose folder holds no object yet (the base commit's id, dated by the
    # clock, may fall in any folder)
    objects = root / ".git" / "objects"

    def blob_id(data: bytes) -> str:
        return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()

    for n in range(1000):
        content = b"new%d" % n
        if not (objects / blob_id(content)[:2]).exists():
            break
    blob = blob_id(content)
    (objects / blob[:2]).write_text("in the way", "utf-8")
    with store(root) as opened, pytest.raises(GitError, match="hash-object"):
        opened._tree_of(start, {"records/a.yaml": content}, None)
    assert not list((root / ".git" / "objects").glob("*/tmp_obj_*"))  # nothing half-made
