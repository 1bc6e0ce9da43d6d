"""Offices large enough that parsing is spread over forked workers (pool.PARALLEL_FROM):
the parallel path must give the same answers, in the same order, as the serial one."""

from __future__ import annotations

import json
import os
import re
import time

import pytest
from conftest import Office, commit_as

from dangwu import yamlio
from dangwu.store import cache
from dangwu.store.pool import PARALLEL_FROM, fork_map

MANY = PARALLEL_FROM + 20

PUBLISHED = """\
id: {id}
category: gongzuo-dongtai
item: party-activities
title: 活动第{n}号
summary: 第{n}号活动的摘要
body: 正文
scope: {scope}
channels: [{channel}]
cadence: timely
event_date: 2026-09-01
status: published
created: {{by: dumy, at: '2026-09-01T09:00:00+08:00'}}
submitted: {{by: dumy, at: '2026-09-01T10:00:00+08:00'}}
approval:
  by: zhoulx
  at: '2026-09-01T11:00:00+08:00'
  content: sha256:{hash}
  signed: false
  opinions: 0
publication:
  by: dumy
  at: '2026-09-02T09:00:00+08:00'
  channels: [{channel}]
  content: sha256:{hash}
"""


def test_fork_map_keeps_the_order_and_counts_progress():
    seen: list[tuple[int, int]] = []
    items = list(range(-MANY, MANY))
    assert list(fork_map(abs, items, lambda done, total: seen.append((done, total)))) == [
        abs(i) for i in items
    ]
    assert seen[0] == (0, 2 * MANY) and seen[-1] == (2 * MANY, 2 * MANY)
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)


def test_fork_map_passes_a_worker_error_on():
    with pytest.raises(ZeroDivisionError):
        list(fork_map((1).__truediv__, [1] * MANY + [0]))


@pytest.fixture
def many(office: Office) -> Office:
    for n in range(1, MANY + 1):
        internal = n % 10 == 0
        office.write(
            f"records/gongzuo-dongtai/DT-2026-{n:03d}.yaml",
            PUBLISHED.format(
                id=f"DT-2026-{n:03d}",
                n=n,
                scope="internal" if internal else "public",
                channel="internal-board" if internal else "public-board",
                hash="0" * 64,
            ),
        )
    commit_as(office.root, "dumy", "many records", date="2026-09-03T09:00:00+08:00")
    return office


def test_validate_in_parallel_finds_every_problem_at_its_place(many: Office):
    assert len(list((many.root / "records/gongzuo-dongtai").iterdir())) >= PARALLEL_FROM
    path = many.write(
        "records/gongzuo-dongtai/DT-2026-007.yaml",
        many.read("records/gongzuo-dongtai/DT-2026-007.yaml").replace(
            "scope: public", "scope: 公开"
        ),
    )
    many.write(
        "records/gongzuo-dongtai/DT-2026-250.yaml",
        many.read("records/gongzuo-dongtai/DT-2026-250.yaml") + "extra: [\n",
    )
    result = many.run("validate")
    assert result.exit_code == 1, result.output
    located = sorted(
        set(re.findall(r"(records/gongzuo-dongtai/DT-2026-\d+\.yaml):(\d+)", result.output))
    )
    assert located == [
        ("records/gongzuo-dongtai/DT-2026-007.yaml", "7"),
        ("records/gongzuo-dongtai/DT-2026-250.yaml", "26"),
    ], result.output
    assert path.is_file()
    # the second run reads the verdicts of the other files from the cache
    again = many.run("validate")
    assert again.output == result.output


def test_the_board_of_many_records_keeps_each_to_its_scope(many: Office, tmp_path):
    for scope, expected in (("public", MANY - MANY // 10), ("internal", MANY // 10)):
        result = many.run(
            "board", "--scope", scope, "--on", "2026-10-01", "-o", str(tmp_path / scope)
        )
        assert result.exit_code == 0, result.output
        assert f", {expected} records," in result.stdout, result.stdout
        html = next((tmp_path / scope).glob("*.html")).read_text("utf-8")
        shown = set(re.findall(r"DT-2026-(\d+)", html))
        assert all((int(n) % 10 == 0) == (scope == "internal") for n in shown), scope
        assert len(shown) == expected
    cache = json.loads((many.root / ".git/dangwu/summaries-v4.json").read_text("utf-8"))
    assert len(cache["summaries"]) == MANY


def test_a_first_validation_of_many_files_says_what_a_later_one_says(office: Office):
    """The first validation of a large office has its workers read the files too; what
    it says must be what validation says when the parent reads them (files named on
    the command line) and what the cache then holds."""
    from dangwu.store.pool import PARALLEL_FROM

    assert PARALLEL_FROM < 710  # enough files for the workers
    for n in range(710):
        rid = f"DT-2026-{1000 + n}"
        office.write(
            f"records/gongzuo-dongtai/{rid}.yaml",
            PUBLISHED.format(id=rid, n=n, scope="public", channel="public-board", hash="0" * 64),
        )
    bad = "records/gongzuo-dongtai/DT-2026-1500.yaml"
    office.write(bad, office.read(bad).replace("scope: public", "scope: 公开"))
    office.write("records/gongzuo-dongtai/DT-2026-1600.yaml", "id: [\n")
    office.write("records/gongzuo-dongtai/notes.yaml", "id: DT-2026-1\n")  # not a record's name
    (office.root / "records/gongzuo-dongtai/DT-2026-1700.yaml").unlink()
    (office.root / "records/gongzuo-dongtai/DT-2026-1700.yaml").symlink_to("/nonexistent")
    commit_as(office.root, "dumy", "many records", date="2026-09-03T09:00:00+08:00")
    for kept in (office.root / ".git" / "dangwu").glob("*.json"):
        kept.unlink()
    first = office.run("validate")
    assert first.exit_code == 1, first.output
    for name in ("DT-2026-1500.yaml:", "DT-2026-1600.yaml:", "notes.yaml", "DT-2026-1700.yaml"):
        assert name in first.output, (name, first.output)
    cached = office.run("validate")
    named = office.run("validate", "records")
    assert cached.output == first.output
    # the same problems (the count below them counts the office's other files too)
    assert named.exit_code == 1 and named.stdout == first.stdout


def test_validate_reads_again_only_what_stat_shows_changed(office: Office, monkeypatch):
    """A file validated before is known unchanged by its stat, as git's index knows
    it, and not read; a file a clerk changes and gives back its size and modification
    time (``touch -r``) is still read, because its change time moved."""
    monkeypatch.setattr(cache, "RACY_NS", 0)  # these files were written just now
    for n in (101, 102):
        office.write(
            f"records/gongzuo-dongtai/DT-2026-{n}.yaml",
            PUBLISHED.format(
                id=f"DT-2026-{n}", n=n, scope="public", channel="public-board", hash="0" * 64
            ),
        )
    target = office.root / "records/gongzuo-dongtai/DT-2026-102.yaml"
    first = office.run("validate")
    assert first.exit_code == 0, first.output
    reads: list[str] = []
    real = yamlio.read_file

    def counted(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "/records/" in str(path):
            reads.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(yamlio, "read_file", counted)
    again = office.run("validate")
    assert again.output == first.output
    assert reads == []

    before = target.stat()
    text = target.read_text("utf-8")
    assert "scope: public" in text
    time.sleep(0.05)  # the change lands on a later tick of the file system's clock
    target.write_text(text.replace("scope: public", "scope: 公开"), "utf-8")  # as many bytes
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    changed = office.run("validate")
    assert changed.exit_code == 1, changed.output
    assert "DT-2026-102.yaml:7:" in changed.output
    assert reads == [str(target)]


def test_a_file_changed_in_the_last_seconds_is_not_known_by_its_stat(tmp_path):
    """A second change within the same tick of the file system's clock could keep every
    figure stat gives, so a file that changed that recently is read again next time."""
    path = tmp_path / "DT-2026-101.yaml"
    path.write_text("id: DT-2026-101\n", "utf-8")
    info = path.stat()
    assert cache.stat_key(info, now_ns=info.st_ctime_ns + 1) is None
    assert cache.stat_key(info, now_ns=info.st_mtime_ns + cache.RACY_NS) is None
    later = info.st_ctime_ns + cache.RACY_NS + 1
    assert cache.stat_key(info, now_ns=later) == [
        info.st_mtime_ns,
        info.st_ctime_ns,
        info.st_size,
        info.st_ino,
        info.st_mode,
    ]
