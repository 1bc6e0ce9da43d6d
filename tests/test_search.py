"""The search index (store/search.py): Pagefind, run as one service per build, or one
for a whole block of builds (a portal's offices), writing what its command line
writes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dangwu.errors import DangwuError
from dangwu.store import search

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
</head><body><main data-pagefind-body><h1>{title}</h1><p>{body}</p></main></body></html>
"""


@pytest.fixture(autouse=True)
def as_a_command_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside the Pagefind the test run keeps for each worker (conftest): these tests
    see a build as one command makes it, with services of its own."""
    monkeypatch.setattr(search, "_kept", None)


@pytest.fixture
def program() -> str:
    found = search.indexer()
    if found is None:
        pytest.skip("Pagefind is not installed: pip install 'pagefind[extended]'")
    return found


def site(root: Path, pages: dict[str, tuple[str, str]]) -> Path:
    for name, (title, body) in pages.items():
        path = root / "records" / f"{name}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PAGE.format(title=title, body=body), "utf-8")
    return root


def counting(tmp_path: Path, program: str) -> tuple[Path, Path]:
    """A Pagefind that notes each time it is started, then is the real one."""
    log = tmp_path / "started"
    wrapper = tmp_path / "pagefind-counting"
    wrapper.write_text(f'#!/bin/sh\necho "$$" >> "{log}"\nexec "{program}" "$@"\n', "utf-8")
    wrapper.chmod(0o755)
    return wrapper, log


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_service_writes_what_the_command_line_writes(tmp_path, program):
    pages = {"ZZ-1": ("党费收缴", "第三季度党费收缴情况"), "DT-1": ("动态", "工作动态")}
    made = site(tmp_path / "a", pages)
    assert search.build_index(made, {"zz": "records/ZZ-*.html", "dt": "records/DT-*.html"}, ())
    by_hand = tmp_path / "by-hand"
    subprocess.run(
        [program, "--site", str(made), "--glob", "records/ZZ-*.html", "--output-path",
         str(by_hand), "--quiet"],
        capture_output=True, check=True,
    )  # fmt: skip
    assert files(made / "pagefind" / "zz") == files(by_hand)
    assert (made / "pagefind" / "dt" / "pagefind-entry.json").is_file()


def test_one_pagefind_serves_every_index_of_the_block(tmp_path, program, monkeypatch):
    wrapper, log = counting(tmp_path, program)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    sites = [site(tmp_path / f"office{n}", {f"ZZ-{n}": (f"标题{n}", f"正文{n}")}) for n in range(3)]
    with search.one_pagefind():
        for made in sites:
            assert search.build_index(made, {"all": "records/*.html"}, ())
    assert len(log.read_text().split()) == 1
    # outside the block, a build starts its own
    assert search.build_index(sites[0], {"all": "records/*.html"}, {"all"})
    assert len(log.read_text().split()) == 2
    for made in sites:
        assert (made / "pagefind" / "all" / "pagefind-entry.json").is_file()


def test_a_block_inside_another_is_the_same_block(tmp_path, program, monkeypatch):
    wrapper, log = counting(tmp_path, program)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    sites = [site(tmp_path / f"office{n}", {f"ZZ-{n}": (f"标题{n}", f"正文{n}")}) for n in range(2)]
    with search.one_pagefind():
        assert search.build_index(sites[0], {"all": "records/*.html"}, ())
        with search.one_pagefind():  # a portal built where one was kept already
            assert search.build_index(sites[1], {"all": "records/*.html"}, ())
        assert search.build_index(sites[0], {"all": "records/*.html"}, {"all"})
    assert len(log.read_text().split()) == 1


def test_a_block_keeps_one_pagefind_for_each_program(tmp_path, program, monkeypatch):
    """A service is the program a build asks for: another named meanwhile
    (PAGEFIND_BINARY_PATH) is started for the builds that name it."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first, first_log = counting(tmp_path / "one", program)
    second, second_log = counting(tmp_path / "two", program)
    made = site(tmp_path / "office", {"ZZ-1": ("标题", "正文")})
    with search.one_pagefind():
        for wrapper in (first, second, first, second):
            monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
            assert search.build_index(made, {"all": "records/*.html"}, {"all"})
    assert len(first_log.read_text().split()) == 1
    assert len(second_log.read_text().split()) == 1


def test_a_kept_pagefind_that_failed_or_died_is_replaced_and_the_block_goes_on(
    tmp_path, program, monkeypatch
):
    """One that fails mid-answer is stopped at once, one that died meanwhile is let go:
    the block's next build starts another."""
    log = tmp_path / "started"
    flaky = tmp_path / "pagefind-flaky"  # the first one started leaves at once
    flaky.write_text(
        f'#!/bin/sh\necho "$$" >> "{log}"\n'
        f'[ -e "{tmp_path}/once" ] || {{ touch "{tmp_path}/once"; exit 3; }}\n'
        f'exec "{program}" "$@"\n',
        "utf-8",
    )
    flaky.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(flaky))
    made = site(tmp_path / "office", {"ZZ-1": ("标题", "正文")})
    with search.one_pagefind():
        with pytest.raises(DangwuError, match="the search index could not be built"):
            search.build_index(made, {"all": "records/*.html"}, ())
        assert search.build_index(made, {"all": "records/*.html"}, ())
        second = int(log.read_text().split()[1])
        os.kill(second, signal.SIGKILL)  # as the machine's memory killer would
        os.waitpid(second, 0)
        assert search.build_index(made, {"all": "records/*.html"}, {"all"})
    assert len(log.read_text().split()) == 3
    assert (made / "pagefind" / "all" / "pagefind-entry.json").is_file()


def test_a_process_forked_in_a_block_keeps_its_own_pagefind(tmp_path, program, monkeypatch):
    """A child shares its parent's pipes: were it to ask the parent's service, their
    requests and answers would mix. It starts its own; the parent's goes on."""
    wrapper, log = counting(tmp_path, program)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    sites = [site(tmp_path / f"office{n}", {f"ZZ-{n}": (f"标题{n}", f"正文{n}")}) for n in range(3)]
    with search.one_pagefind():
        assert search.build_index(sites[0], {"all": "records/*.html"}, ())
        child = os.fork()
        if child == 0:  # pragma: no cover - the child's own report is its exit status
            try:
                with search.one_pagefind():
                    ok = search.build_index(sites[1], {"all": "records/*.html"}, ())
                os._exit(0 if ok else 1)
            except BaseException:
                os._exit(2)
        assert os.waitpid(child, 0)[1] == 0
        assert search.build_index(sites[2], {"all": "records/*.html"}, ())
    assert len(log.read_text().split()) == 2
    for made in sites:
        assert (made / "pagefind" / "all" / "pagefind-entry.json").is_file()


def test_a_kept_pagefind_outlives_the_folder_it_was_started_from(tmp_path, program, monkeypatch):
    """A block's service serves sites anywhere, named relative to where the build
    runs, and goes on after the folder the first build ran in is gone (a property
    test builds each office in a folder of its own, and deletes it)."""
    first = tmp_path / "first"
    site(first / "site", {"ZZ-1": ("党费收缴", "第三季度党费收缴情况")})
    second = site(tmp_path / "second", {"ZZ-2": ("动态", "工作动态")})
    with search.one_pagefind():
        monkeypatch.chdir(first)
        assert search.build_index(Path("site"), {"all": "records/*.html"}, ())
        monkeypatch.chdir(tmp_path)
        shutil.rmtree(first)
        assert search.build_index(Path("second"), {"all": "records/*.html"}, ())
    assert (second / "pagefind" / "all" / "pagefind-entry.json").is_file()


def test_a_sites_parts_are_shared_between_two_pagefinds(tmp_path, program, monkeypatch):
    """Pagefind indexes on one core: a site of several parts has two, each with
    about half the pages, and each bundle is what Pagefind alone would write."""
    wrapper, log = counting(tmp_path, program)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(search, "TWO_LANES_FROM", 1)  # as if it were a large site
    pages = {f"ZZ-{n}": (f"党费{n}", f"收缴{n}") for n in range(4)}
    pages |= {"DT-1": ("动态", "工作动态"), "MB-1": ("目标", "任务")}
    made = site(tmp_path / "a", pages)
    parts = {"zz": "records/ZZ-*.html", "dt": "records/DT-*.html", "mb": "records/MB-*.html"}
    assert search._lanes(made, parts) == [
        {"zz": parts["zz"]},
        {"dt": parts["dt"], "mb": parts["mb"]},
    ]
    assert search.build_index(made, parts, ())
    assert len(set(log.read_text().split())) == 2
    for name, glob in parts.items():
        by_hand = tmp_path / f"by-hand-{name}"
        subprocess.run(
            [program, "--site", str(made), "--glob", glob, "--output-path", str(by_hand),
             "--quiet"],
            capture_output=True, check=True,
        )  # fmt: skip
        assert files(made / "pagefind" / name) == files(by_hand), name
    # the sizes the site knows are taken as they are, not counted again
    known = {"zz": 1, "dt": 3, "mb": 3}
    shared = search._lanes(made, parts, known)
    assert shared == [{"dt": parts["dt"], "zz": parts["zz"]}, {"mb": parts["mb"]}]
    # one core, or one part: one Pagefind
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert search._lanes(made, parts) == [parts]
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert search._lanes(made, {"zz": parts["zz"]}) == [{"zz": parts["zz"]}]
    # or too few pages for a second Pagefind to pay for its start
    monkeypatch.setattr(search, "TWO_LANES_FROM", 200)
    assert search._lanes(made, parts) == [parts]
    assert len(search._lanes(made, parts, {"zz": 150, "dt": 30, "mb": 20})) == 2
    assert search._lanes(made, parts, {"zz": 150, "dt": 30, "mb": 19}) == [parts]


def test_a_small_site_is_indexed_by_one_pagefind(tmp_path, program, monkeypatch):
    wrapper, log = counting(tmp_path, program)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    made = site(tmp_path / "a", {"ZZ-1": ("党费", "收缴"), "DT-1": ("动态", "工作动态")})
    parts = {"zz": "records/ZZ-*.html", "dt": "records/DT-*.html"}
    assert search.build_index(made, parts, ())
    assert len(log.read_text().split()) == 1
    assert sorted(p.name for p in (made / "pagefind").iterdir()) == ["dt", "zz"]


def test_a_lane_that_fails_is_said_after_both_lanes_end(tmp_path, monkeypatch):
    """Two Pagefinds that cannot index: the failure is raised once both have ended,
    in Pagefind's words, and no half-made bundle is left."""
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\nsleep 0.2\necho 'Error: the disk is full' >&2\nexit 3\n", "utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(search, "TWO_LANES_FROM", 1)
    made = site(tmp_path / "a", {"ZZ-1": ("党费", "收缴"), "DT-1": ("动态", "工作")})
    parts = {"zz": "records/ZZ-*.html", "dt": "records/DT-*.html"}
    assert len(search._lanes(made, parts)) == 2
    with pytest.raises(DangwuError, match="the disk is full"):
        search.build_index(made, parts, ())
    assert [p.name for p in (made / "pagefind").iterdir()] == []


def test_a_failure_in_the_block_stops_its_pagefind(tmp_path, program, monkeypatch):
    wrapper, log = counting(tmp_path, program)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    made = site(tmp_path / "office", {"ZZ-1": ("标题", "正文")})
    failing = pytest.raises(DangwuError, match="the search index could not be built")
    with failing, search.one_pagefind():
        assert search.build_index(made, {"all": "records/*.html"}, ())
        # a bundle that cannot be written where it is asked to be
        (made / "pagefind").rename(made / "elsewhere")
        (made / "pagefind").write_text("a file, not a folder", "utf-8")
        search.build_index(made, {"all": "records/*.html"}, {"all"})
    (pid,) = log.read_text().split()
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid), 0)  # gone, and reaped


def test_what_cannot_be_written_is_said_in_the_systems_words(tmp_path, program):
    made = site(tmp_path / "office", {"ZZ-1": ("标题", "正文")})
    (tmp_path / "a-file").write_text("", "utf-8")
    with pytest.raises(DangwuError) as refused, search._service(program) as service:
        service.index(made, "records/*.html", tmp_path / "a-file" / "index")
    assert str(refused.value) == "the search index could not be built: Not a directory"


@pytest.mark.parametrize(
    ("said", "why"),
    [
        (["Error: the disk is full"], "Error: the disk is full"),
        # the notes every Chinese index gets are no reason
        (
            [
                "Note: Pagefind doesn't support stemming for the language zh-cn. ",
                "Search will still work, but will not match across root words.",
            ],
            "Pagefind stopped",
        ),
        # a panic: its message, not the pointers to its backtrace
        (
            [
                "",
                "thread 'main' (28065) panicked at pagefind/src/output/mod.rs:422:46:",
                "called `Result::unwrap()` on an `Err` value: Os { code: 28, kind: "
                'StorageFull, message: "No space left on device" }',
                "stack backtrace:",
                "note: Some details are omitted, run with `RUST_BACKTRACE=full`.",
            ],
            "No space left on device",
        ),
        (["thread 'main' panicked at src/main.rs:1:1:", "out of memory"], "out of memory"),
        ([], "Pagefind stopped"),
    ],
)
def test_the_reason_is_found_in_what_pagefind_wrote(said, why):
    assert search._why(said, "Pagefind stopped") == why


# a Pagefind service that answers every request as the real one would, except that the
# bundle it gives names a file outside itself
HOSTILE = r"""#!{python}
import base64, json, sys
pending = b""
while True:
    chunk = sys.stdin.buffer.read1(65536)
    if not chunk:
        sys.exit(0)
    pending += chunk
    while b"," in pending:
        raw, pending = pending.split(b",", 1)
        asked = json.loads(base64.b64decode(raw))
        kind = asked["payload"]["type"]
        said = {{"type": kind, "index_id": 0}}
        if kind == "GetFiles":
            said["files"] = [
                {{"path": "pagefind-entry.json", "content": base64.b64encode(b"{{}}").decode()}},
                {{"path": {path!r}, "content": {content!r}}},
            ]
        answer = json.dumps({{"message_id": asked["message_id"], "payload": said}})
        sys.stdout.buffer.write(base64.b64encode(answer.encode()) + b",")
        sys.stdout.buffer.flush()
"""


PLANTED = "cGxhbnRlZA=="  # b"planted"


@pytest.mark.parametrize(
    ("path", "content", "said"),
    [
        ("../../escaped", PLANTED, "Pagefind named a file outside the index: '../../escaped'"),
        ("/tmp/escaped-absolute", PLANTED, "Pagefind named a file outside the index: '/tmp/"),
        ("", PLANTED, "Pagefind named a file outside the index: '.'"),
        (
            "index/x.pf_index",
            "no base64!",
            "Pagefind gave 'index/x.pf_index' in what is not base64",
        ),
    ],
)
def test_a_bundle_naming_a_file_outside_itself_or_in_no_base64_is_refused(
    tmp_path, monkeypatch, path, content, said
):
    fake = tmp_path / "pagefind-hostile"
    fake.write_text(HOSTILE.format(python=sys.executable, path=path, content=content), "utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    made = site(tmp_path / "site", {"ZZ-1": ("标题", "正文")})
    with pytest.raises(DangwuError) as refused:
        search.build_index(made, {"all": "records/*.html"}, ())
    assert str(refused.value).startswith(f"the search index could not be built: {said}")
    assert not (tmp_path / "escaped").exists()
    assert not Path("/tmp/escaped-absolute").exists()
    # nothing half-made is left where the bundle goes
    assert not (made / "pagefind" / "all").exists()
