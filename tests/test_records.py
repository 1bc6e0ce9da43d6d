"""Drafting, showing, listing and changing records."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from dataclasses import replace

import pytest
from conftest import commit_as

from dangwu import __version__, yamlio
from dangwu.store import records


def trailers(office, rev="HEAD"):
    raw = office.git("log", "-1", "--format=%(trailers:only,unfold)", rev)
    return dict(line.split(": ", 1) for line in raw.splitlines() if line)


# --- new ---------------------------------------------------------------------------


def test_new_drafts_one_commit_touching_only_the_record(office):
    before = office.commits()
    result = office.run(
        "new",
        "zuzhi-jianshe",
        "--item",
        "party-dues",
        "--title",
        "2026年第三季度党费收缴管理情况",
        "--period",
        "2026Q3",
        "--summary",
        "三季度党费收缴情况",
        "--body",
        "## 一、收缴情况\n\n按时足额。",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ZZ-2026-101"
    assert len(office.commits()) == len(before) + 1
    assert office.git("show", "--name-only", "--format=", "HEAD") == (
        "records/zuzhi-jianshe/ZZ-2026-101.yaml"
    )
    assert office.git("log", "-1", "--format=%an|%ae|%cn|%ce|%aI|%s") == (
        "杜明远|dumy@example.org|杜明远|dumy@example.org|2026-10-05T10:00:00+08:00|"
        "new: ZZ-2026-101 2026年第三季度党费收缴管理情况"
    )
    t = trailers(office)
    assert t["Dangwu-Step"] == "new" and t["Dangwu-Record"] == "ZZ-2026-101"
    assert t["Dangwu-From"] == "none" and t["Dangwu-To"] == "draft"
    assert t["Dangwu-Actor"] == "dumy" and t["Dangwu-Content"].startswith("sha256:")
    assert office.git("status", "--porcelain") == ""
    text = office.read("records/zuzhi-jianshe/ZZ-2026-101.yaml")
    assert "body: |\n  ## 一、收缴情况\n\n  按时足额。\n" in text
    assert "scope: internal\n" in text and "cadence: quarterly\n" in text
    assert "channels: [internal-board, intranet]\n" in text  # the office's default


def test_new_json_prints_id_and_path(office):
    result = office.run(
        "new", "ZD", "--item", "integrity-rules", "--title", "廉洁自律规定", "--json"
    )
    assert json.loads(result.stdout) == {
        "id": "ZD-2026-101",
        "path": "records/zhidu-jianshe/ZD-2026-101.yaml",
    }
    show = json.loads(office.run("show", "ZD-2026-101", "--json").stdout)
    assert show["scope"] == "public" and show["cadence"] == "standing"
    assert show["channels"] == ["public-board", "website"]
    assert show["status"] == "draft"
    assert show["created"] == {"by": "dumy", "at": "2026-10-05T10:00:00+08:00"}


def test_new_takes_every_flag(office):
    first = office.new()
    body = office.root.parent / "body.md"
    body.write_text("正文第一段。\n\n正文第二段。\n", "utf-8")
    rid = office.new(
        "--summary",
        "摘要",
        "--body-file",
        str(body),
        "--scope",
        "public",
        "--cadence",
        "follow-up",
        "--channel",
        "website",
        "--channel",
        "meeting",
        "--event-date",
        "2026-09-30",
        "--follows",
        first,
        "--major",
        "--pre-disclosure",
        category="ZZ",
        item="recruitment",
        title="人员录用情况",
    )
    data = json.loads(office.run("show", rid, "--json").stdout)
    assert data["body"] == "正文第一段。\n\n正文第二段。\n"
    assert (data["scope"], data["cadence"], data["channels"]) == (
        "public",
        "follow-up",
        ["website", "meeting"],
    )
    assert (data["event_date"], data["follows"], data["major"], data["pre_disclosure"]) == (
        "2026-09-30",
        first,
        True,
        True,
    )


def test_ids_continue_within_the_clerks_block(office):
    ids = [office.new() for _ in range(3)]
    assert ids == ["ZZ-2026-101", "ZZ-2026-102", "ZZ-2026-103"]
    assert office.new(as_="linht") == "ZZ-2026-201"  # the office head's block
    assert office.new(now="2027-01-04") == "ZZ-2027-101"


def test_ids_move_to_the_next_block_of_the_person_after_99(office):
    for n in range(101, 200):
        office.write(f"records/zuzhi-jianshe/ZZ-2026-{n}.yaml", "placeholder")
    office.git("add", "records")
    commit_as(office.root, "dumy", "bulk", "records")
    assert office.new() == "ZZ-2026-1001"


ATTACHING = ["new", "ZZ", "--item", "party-dues", "--title", "t", "--period", "2026Q3", "--attach"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["new", "ZZ", "--title", "t"], 2, "missing --item"),
        (["new", "--item", "party-dues", "--title", "t"], 2, "missing CATEGORY"),
        (["new", "ZZ", "--item", "party-dues"], 2, "missing --title"),
        (["new", "ZZ", "--item", "party-dues", "--title", "t"], 2, "needs --period"),
        (["new", "ZZ", "--item", "recruitment", "--title", "t"], 2, "needs --event-date"),
        (
            ["new", "ZZ", "--item", "party-dues", "--title", "t", "--period", "2026Q5"],
            2,
            "not a quarter",
        ),
        (
            ["new", "ZZ", "--item", "recruitment", "--title", "t", "--event-date", "2026-02-30"],
            2,
            "not a real date",
        ),
        (
            [
                "new",
                "ZZ",
                "--item",
                "party-dues",
                "--title",
                "t",
                "--period",
                "2026Q3",
                "--scope",
                "publik",
            ],
            2,
            "did you mean 'public (社会公开)'?",
        ),
        (
            [
                "new",
                "ZZ",
                "--item",
                "party-dues",
                "--title",
                "t",
                "--period",
                "2026Q3",
                "--channel",
                "website",
            ],
            1,
            "public channel, but the record is internal",
        ),
        (
            [
                "new",
                "ZZ",
                "--item",
                "party-dues",
                "--title",
                "t",
                "--period",
                "2026Q3",
                "--follows",
                "ZZ-2026-555",
            ],
            1,
            "no record ZZ-2026-555",
        ),
        (
            [
                "new",
                "ZZ",
                "--item",
                "party-dues",
                "--title",
                "t",
                "--period",
                "2026Q3",
                "--follows",
                "../etc",
            ],
            2,
            "not a record id",
        ),
        (
            ["new", "ZZ", "--item", "party-dues", "--title", "a\nb", "--period", "2026Q3"],
            2,
            "single line",
        ),
        (
            [
                "new",
                "ZZ",
                "--item",
                "party-dues",
                "--title",
                "t",
                "--period",
                "2026Q3",
                "--attach",
                "../../etc/passwd",
            ],
            2,
            "outside the office repository",
        ),
        (
            [
                "new",
                "ZZ",
                "--item",
                "party-dues",
                "--title",
                "t",
                "--period",
                "2026Q3",
                "--attach",
                "docs/missing.pdf",
            ],
            1,
            "does not exist",
        ),
        (["new", "XX", "--item", "party-dues", "--title", "t"], 2, "not a category"),
        # the office's own files go out by their own steps, never attached to another
        *(
            ([*ATTACHING, path], 2, "one of the office's own records or settings")
            for path in (
                "dangwu.yaml",
                "records/zuzhi-jianshe/ZZ-2026-101.yaml",
                "meetings/2026/2026-001.yaml",
                "schemas/catalogue.yaml",
            )
        ),
    ],
)
def test_new_refuses_bad_values_and_changes_nothing(office, args, code, message):
    before = office.state()
    result = office.run(*args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert office.state() == before


def test_new_body_file_must_be_utf8(office, tmp_path):
    before = office.state()
    body = tmp_path / "gbk.md"
    body.write_bytes("党费收缴情况".encode("gbk"))
    result = office.run(
        "new",
        "ZZ",
        "--item",
        "party-dues",
        "--title",
        "t",
        "--period",
        "2026Q3",
        "--body-file",
        str(body),
    )
    assert result.exit_code == 2
    assert "not valid UTF-8" in result.output and "GBK" in result.output
    assert office.state() == before


@pytest.mark.parametrize("who", ["hanzg", "zhoulx", "chensh"])
def test_only_drafting_roles_may_create(office, who):
    before = office.state()
    result = office.run(
        "new", "ZZ", "--item", "party-dues", "--title", "t", "--period", "2026Q3", as_=who
    )
    assert result.exit_code == 1
    assert "may not create records" in result.output
    assert office.state() == before


def test_new_leaves_unrelated_staged_and_unstaged_work_alone(office):
    office.write("notes/staged.txt", "staged work\n")
    office.git("add", "notes/staged.txt")
    office.write("dangwu.yaml", office.read("dangwu.yaml") + "# a local note\n")
    office.write("notes/untracked.txt", "untracked\n")
    status = office.git("status", "--porcelain")
    diff_cached = office.git("diff", "--cached")
    diff = office.git("diff")
    rid = office.new()
    assert office.git("show", "--name-only", "--format=", "HEAD") == (
        f"records/zuzhi-jianshe/{rid}.yaml"
    )
    assert office.git("status", "--porcelain") == status
    assert office.git("diff", "--cached") == diff_cached
    assert office.git("diff") == diff


def test_two_clones_never_mint_the_same_id(office_factory, tmp_path):
    origin = office_factory("origin")
    origin.git("config", "receive.denyCurrentBranch", "ignore")
    from conftest import Office, git

    git(tmp_path, "clone", "-q", str(origin.root), "clone-a")
    git(tmp_path, "clone", "-q", str(origin.root), "clone-b")
    a, b = Office(tmp_path / "clone-a"), Office(tmp_path / "clone-b")
    ids_a = [a.new(as_="dumy") for _ in range(2)]
    ids_b = [b.new(as_="linht") for _ in range(2)] + [b.new(as_="hexy")]
    b.git(
        "pull",
        "-q",
        "--no-rebase",
        "--no-edit",
        str(a.root),
        "main",
        env={
            "GIT_AUTHOR_NAME": "x",
            "GIT_AUTHOR_EMAIL": "linht@example.org",
            "GIT_COMMITTER_NAME": "x",
            "GIT_COMMITTER_EMAIL": "linht@example.org",
        },
    )
    files = b.git("ls-files", "records").splitlines()
    ids = [f.rsplit("/", 1)[1][:-5] for f in files]
    assert sorted(ids) == sorted(ids_a + ids_b)
    assert len(set(ids)) == 5
    assert b.run("validate").exit_code == 0


# --- show / list -------------------------------------------------------------------


def test_show_prints_the_record(office):
    rid = office.new("--summary", "本季度党费收缴情况")
    result = office.run("show", rid.lower())
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith(f"{rid}  2026年第三季度党费收缴管理情况")
    for text in (
        "党费收缴管理情况 (ZZ16)",
        "组织建设",
        "党内公开",
        "2026Q3",
        "机关内部党务公开栏",
        "杜明远 (dumy)",
        "本季度党费收缴情况",
        f"records/zuzhi-jianshe/{rid}.yaml",
    ):
        assert text in out


def test_show_reads_the_file_again_whenever_its_text_changed(office):
    """`show` keeps what it parsed beside the text it parsed it from: a changed file,
    a broken one, or a kept answer from another version of dangwu is read afresh."""
    rid = office.new()
    relpath = f"records/zuzhi-jianshe/{rid}.yaml"
    first = office.run("show", rid)
    assert first.exit_code == 0 and "2026年第三季度党费收缴管理情况" in first.stdout
    kept = office.root / ".git/dangwu/parsed-v1" / (relpath.replace("/", "~")[:-5] + ".json")
    version, text, data = json.loads(kept.read_text())
    assert version == __version__
    assert text == (office.root / relpath).read_text() and data["id"] == rid

    original = (office.root / relpath).read_text()
    office.write(relpath, original.replace("党费收缴管理情况", "党费收缴使用情况", 1))
    again = office.run("show", rid)
    assert again.exit_code == 0 and "2026年第三季度党费收缴使用情况" in again.stdout

    office.write(relpath, original.replace("title:", "title: [", 1))
    broken = office.run("show", rid)
    assert (
        broken.exit_code == 1
        and f"{relpath}:" in broken.output
        and "Traceback" not in broken.output
    )

    office.write(relpath, original)
    kept.write_text(json.dumps(["0.0.1", original, {**data, "title": "旧版本读出的标题"}]))
    older = office.run("show", rid)
    assert older.exit_code == 0 and "旧版本读出的标题" not in older.stdout
    assert "2026年第三季度党费收缴管理情况" in older.stdout


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ZZ-2026-101/../x", "ZZ/2026", "..", ""])
def test_show_refuses_ids_that_are_paths(office, bad):
    result = office.run("show", bad)
    assert result.exit_code == 2
    assert "not a record id" in result.output


def test_show_missing_record_suggests(office):
    office.new()
    result = office.run("show", "ZZ-2026-110")
    assert result.exit_code == 1
    assert "no record ZZ-2026-110" in result.output
    assert "did you mean 'ZZ-2026-101'?" in result.output


def test_list_filters(office):
    quarterly = office.new()
    standing = office.new(category="ZD", item="integrity-rules", title="廉洁自律规定")
    timely = office.new("--event-date", "2026-09-01", item="recruitment", title="人员录用公示")
    rows = json.loads(office.run("list", "--json").stdout)
    assert [r["id"] for r in rows] == [quarterly, timely, standing]  # catalogue order

    def ids(*args):
        return [r["id"] for r in json.loads(office.run("list", "--json", *args).stdout)]

    assert ids("--category", "ZD") == [standing]
    assert ids("--category", "组织建设") == [quarterly, timely]
    assert ids("--scope", "public") == [timely, standing]
    assert ids("--cadence", "quarterly") == [quarterly]
    assert ids("--period", "2026q3") == [quarterly]
    assert ids("--status", "draft") == [quarterly, timely, standing]
    assert ids("--status", "published") == []
    table = office.run("list").stdout
    assert "人员录用公示" in table and "2026-09-01" in table


LISTED = [
    "path",
    "id",
    "category",
    "item",
    "title",
    "status",
    "scope",
    "audience",
    "cadence",
    "period",
    "event_date",
    "follows",
    "final",
    "major",
    "pre_disclosure",
    "channels",
    "attachments",
    "created_at",
    "created_by",
]


def test_every_listed_row_has_every_key(office):
    """`list --json` rows have one shape: a field the record leaves out is null."""
    quarterly = office.new()
    timely = office.new("--event-date", "2026-09-01", item="recruitment", title="人员录用公示")
    rows = {r["id"]: r for r in json.loads(office.run("list", "--json").stdout)}
    assert [list(r) for r in rows.values()] == [LISTED, LISTED]
    assert rows[quarterly]["period"] == "2026Q3" and rows[quarterly]["event_date"] is None
    assert rows[timely]["period"] is None and rows[timely]["event_date"] == "2026-09-01"
    assert rows[timely]["path"] == f"records/zuzhi-jianshe/{timely}.yaml"
    assert rows[timely]["created_by"] == "dumy" and rows[timely]["final"] is False
    assert rows[timely]["audience"] is None  # disclosed to no one part of the organisation


def test_the_working_files_and_the_commit_give_one_summary(demo_seed, tmp_path):
    """What `list` reads from the files and what boards read from the last commit are
    one type with the same values, record by record (the demo's 32 records)."""
    from conftest import copy_demo

    from dangwu.app.listing import select
    from dangwu.store import snapshot
    from dangwu.store.gitstore import GitStore
    from dangwu.store.office import find_office

    opened = find_office(copy_demo(demo_seed, tmp_path / "office"))
    listed = {row.summary.path: row.summary for row in select(opened).rows}
    with GitStore(opened.root, opened.state_dir) as git:
        committed = {s.path: s for s in snapshot.at(opened, git).summaries()}
    assert len(listed) == 32 and set(listed) == set(committed)
    for path, summary in listed.items():
        assert type(summary) is type(committed[path])
        # the commit's summary may close a comment window as the server received it
        assert replace(summary, closes=committed[path].closes) == committed[path], path


def test_the_summaries_of_two_commits_stay_cached_side_by_side(demo_seed, tmp_path):
    """A site reads the office at its head and where its verify window starts: the
    cache keeps both commits' records, so neither pushes the other's out to be read
    again on every build; it is cut back to one commit's only when it grows large."""
    from conftest import copy_demo

    from dangwu.store import snapshot
    from dangwu.store.gitstore import GitStore
    from dangwu.store.office import find_office

    opened = find_office(copy_demo(demo_seed, tmp_path / "office"))
    cache = opened.state_dir / "summaries-v4.json"
    with GitStore(opened.root, opened.state_dir) as git:
        early = snapshot.at(opened, git, "HEAD~40")
        late = snapshot.at(opened, git)
        assert set(early.blobs.values()) != set(late.blobs.values())
        early.summaries()
        late.summaries()
        kept = json.loads(cache.read_text("utf-8"))["summaries"]
        assert set(early.blobs.values()) | set(late.blobs.values()) <= set(kept)
        # read again: nothing is missing, so the file is not written again
        written = cache.stat().st_mtime_ns
        snapshot.at(opened, git, "HEAD~40").summaries()
        assert cache.stat().st_mtime_ns == written
        # grown beyond twice what was asked and the room kept beside it: cut back
        stored = json.loads(cache.read_text("utf-8"))
        stored["summaries"].update({f"{n:040x}": None for n in range(snapshot.KEPT_BESIDE + 100)})
        cache.write_text(json.dumps(stored), "utf-8")
        between = snapshot.at(opened, git, "HEAD~20")  # records neither of the two had
        assert set(between.blobs.values()) - set(stored["summaries"])
        between.summaries()
        kept = json.loads(cache.read_text("utf-8"))["summaries"]
        assert set(kept) == set(between.blobs.values())
        # a walk along the history reading a few versions never cuts it back
        stored = json.loads(cache.read_text("utf-8"))
        stored["summaries"].update({f"{n:040x}": None for n in range(snapshot.KEPT_BESIDE + 100)})
        cache.write_text(json.dumps(stored), "utf-8")
        one = sorted(set(late.blobs.values()) - set(kept))[0]
        assert snapshot.summary_entries(opened, git, iter([one]))[one] is not None
        kept = json.loads(cache.read_text("utf-8"))["summaries"]
        assert one in kept and set(stored["summaries"]) <= set(kept)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--status", "publishd", "did you mean 'published (已公开)'?"),
        ("--scope", "pubic", "did you mean 'public (社会公开)'?"),
        ("--cadence", "quartely", "did you mean 'quarterly (每季度更新)'?"),
        ("--period", "2026Q7", "not a quarter"),
        ("--category", "nope", "not a category"),
    ],
)
def test_list_refuses_bad_filters(office, option, value, message):
    result = office.run("list", option, value)
    assert result.exit_code == 2
    assert message in result.output


def test_list_skips_broken_files_and_says_so(office):
    office.new()
    office.write("records/zuzhi-jianshe/ZZ-2026-150.yaml", "id: [unclosed\n")
    result = office.run("list")
    assert result.exit_code == 0
    assert "ZZ-2026-101" in result.stdout
    assert "1 file has problems and is not listed" in result.stderr


# --- set ---------------------------------------------------------------------------

HAND_WRITTEN = textwrap.dedent("""\
    # 三季度党费公示 — drafted by hand
    id: ZZ-2026-101
    category: zuzhi-jianshe   # 组织建设
    item: party-dues
    title: '2026年第三季度党费收缴管理情况'
    summary: "各支部按时足额收缴"
    # the body is Markdown
    body: |
      ## 一、收缴情况
      按时足额。
    scope: internal
    channels:
      - meeting
      - internal-board
    cadence: quarterly
    period: 2026Q3
    """)


@pytest.fixture
def hand_written(office):
    office.write("records/zuzhi-jianshe/ZZ-2026-101.yaml", HAND_WRITTEN)
    commit_as(office.root, "dumy", "draft by hand", "records")
    return office


def test_set_keeps_comments_order_and_quoting(hand_written):
    office = hand_written
    result = office.run(
        "set",
        "ZZ-2026-101",
        "title=2026年三季度党费收缴管理情况",
        "summary=各党支部按时足额收缴",
        "period=2026Q4",
    )
    assert result.exit_code == 0, result.output
    expected = (
        HAND_WRITTEN.replace("'2026年第三季度党费收缴管理情况'", "'2026年三季度党费收缴管理情况'")
        .replace('"各支部按时足额收缴"', '"各党支部按时足额收缴"')
        .replace("period: 2026Q3", "period: 2026Q4")
    )
    assert office.read("records/zuzhi-jianshe/ZZ-2026-101.yaml") == expected
    assert "title: 2026年第三季度党费收缴管理情况 -> 2026年三季度党费收缴管理情况" in result.stdout
    assert office.git("log", "-1", "--format=%s") == "set: ZZ-2026-101 2026年三季度党费收缴管理情况"
    assert "period: 2026Q3 -> 2026Q4" in office.git("log", "-1", "--format=%b")
    assert office.git("status", "--porcelain") == ""


def test_set_adds_fields_in_canonical_place_and_edits_lists(hand_written):
    office = hand_written
    result = office.run(
        "set", "ZZ-2026-101", "channels+=circular", "channels-=meeting", "major=true"
    )
    assert result.exit_code == 0, result.output
    text = office.read("records/zuzhi-jianshe/ZZ-2026-101.yaml")
    assert "period: 2026Q3\nmajor: true\n" in text
    data = json.loads(office.run("show", "ZZ-2026-101", "--json").stdout)
    assert data["channels"] == ["internal-board", "circular"]
    assert office.run("set", "ZZ-2026-101", "major=").exit_code == 0
    assert "major" not in office.read("records/zuzhi-jianshe/ZZ-2026-101.yaml")


def test_set_with_no_change_makes_no_commit(hand_written):
    before = hand_written.state()
    result = hand_written.run("set", "ZZ-2026-101", "period=2026Q3")
    assert result.exit_code == 0
    assert "No changes" in result.stdout
    assert hand_written.state() == before


@pytest.mark.parametrize(
    ("assignment", "code", "message"),
    [
        ("status=published", 1, "written by dangwu"),
        ("created=x", 1, "written by dangwu"),
        ("id=ZZ-2026-999", 1, "never changes"),
        ("category=zhidu-jianshe", 1, "never changes"),
        ("scpoe=public", 2, "did you mean 'scope'?"),
        ("scope=publik", 1, "did you mean 'public'?"),
        ("period=2026Q5", 1, "not a quarter"),
        ("event_date=2026-02-30", 1, "not a real date"),
        ("channels+=website", 1, "public channel"),
        ("channels-=website", 2, "no entry 'website'"),
        ("follows=ZZ-2026-999", 1, "there is no record ZZ-2026-999"),
        ("attachments=../../etc/passwd", 1, "outside the office repository"),
        ("major=maybe", 2, "not true or false"),
        ("title=", 1, "missing required field 'title'"),
        ("title", 2, "is not FIELD=VALUE"),
        ("item=party-due", 1, "did you mean 'party-dues'?"),
    ],
)
def test_set_refuses_and_changes_nothing(hand_written, assignment, code, message):
    before = hand_written.state()
    result = hand_written.run("set", "ZZ-2026-101", assignment)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert hand_written.state() == before


def test_set_refuses_a_record_with_local_changes(hand_written):
    path = "records/zuzhi-jianshe/ZZ-2026-101.yaml"
    hand_written.write(path, hand_written.read(path) + "# my own note\n")
    before = hand_written.state()
    result = hand_written.run("set", "ZZ-2026-101", "title=新标题")
    assert result.exit_code == 1
    assert "has uncommitted changes (modified)" in result.output
    assert hand_written.state() == before


@pytest.mark.parametrize("status", ["published", "withheld", "withdrawn"])
def test_final_records_are_never_edited(hand_written, status):
    from plaingit import forge_step, put

    # the state written as a step would write it (a status written with plain git is
    # refused before this rule is asked: see test_procedure)
    forge_step(hand_written, "dumy", "publish", "ZZ-2026-101", lambda d: put(d, "status", status))
    before = hand_written.state()
    result = hand_written.run("set", "ZZ-2026-101", "title=新标题")
    assert result.exit_code == 1
    assert "can no longer change" in result.output or "never edited in place" in result.output
    assert hand_written.state() == before


def test_leader_may_not_edit(hand_written):
    result = hand_written.run("set", "ZZ-2026-101", "title=新标题", as_="hanzg")
    assert result.exit_code == 1
    assert "may not edit records" in result.output


# --- edit --------------------------------------------------------------------------

FAKE_EDITOR = textwrap.dedent("""\
    import os, sys
    path = sys.argv[1]
    text = open(path, encoding="utf-8").read()
    old, new = os.environ["EDIT_OLD"], os.environ["EDIT_NEW"]
    open(path, "w", encoding="utf-8").write(text.replace(old, new))
    """)


@pytest.fixture
def editor(tmp_path):
    script = tmp_path / "fake_editor.py"
    script.write_text(FAKE_EDITOR, "utf-8")

    def env(old, new):
        return {"EDITOR": f"{sys.executable} {script}", "EDIT_OLD": old, "EDIT_NEW": new}

    return env


def test_edit_commits_a_valid_change_keeping_the_file_as_written(hand_written, editor):
    office = hand_written
    result = office.run("edit", "ZZ-2026-101", env=editor("按时足额。", "按时足额，无欠缴。"))
    assert result.exit_code == 0, result.output
    assert office.read("records/zuzhi-jianshe/ZZ-2026-101.yaml") == HAND_WRITTEN.replace(
        "按时足额。", "按时足额，无欠缴。"
    )
    assert office.git("log", "-1", "--format=%s|%ae") == (
        "edit: ZZ-2026-101 2026年第三季度党费收缴管理情况|dumy@example.org"
    )
    assert not list((office.root / ".git" / "dangwu" / "edit").rglob("*.yaml"))


def test_edit_that_no_longer_validates_is_not_committed(hand_written, editor):
    office = hand_written
    before = office.state()
    result = office.run("edit", "ZZ-2026-101", env=editor("scope: internal", "scope: publik"))
    assert result.exit_code == 1
    # the problem is placed in the text being edited, where its lines are
    assert ".git/dangwu/edit/dumy/ZZ-2026-101.yaml:11:8: scope: 'publik' is not one of" in (
        result.output
    )
    assert "not saved" in result.output
    assert office.state() == before
    kept = office.root / ".git" / "dangwu" / "edit" / "dumy" / "ZZ-2026-101.yaml"
    assert "scope: publik" in kept.read_text("utf-8")
    # the next edit starts from the kept text, so the fix is not lost
    result = office.run("edit", "ZZ-2026-101", env=editor("scope: publik", "scope: internal"))
    assert result.exit_code == 0
    assert "No changes" in result.stdout


def test_a_yaml_error_in_an_edit_names_the_kept_text_not_the_record(hand_written, editor):
    office = hand_written
    before = office.state()
    result = office.run("edit", "ZZ-2026-101", env=editor("period: 2026Q3", "period: [2026Q3"))
    assert result.exit_code == 1
    kept = ".git/dangwu/edit/dumy/ZZ-2026-101.yaml"
    assert f"{kept}:" in result.stderr, result.stderr
    assert "records/zuzhi-jianshe/ZZ-2026-101.yaml:" not in result.stderr
    assert office.state() == before


MARKING_EDITOR = textwrap.dedent("""\
    import os, sys
    open(os.environ["EDIT_MARK"], "w").write("opened")
    path = sys.argv[1]
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("按时足额。", "改过的正文。"))
    """)


@pytest.fixture
def marking_editor(tmp_path):
    """An editor that leaves a mark when it is opened, and changes the body."""
    script = tmp_path / "marking_editor.py"
    script.write_text(MARKING_EDITOR, "utf-8")
    mark = tmp_path / "editor-opened"
    return mark, {"EDITOR": f"{sys.executable} {script}", "EDIT_MARK": str(mark)}


def test_a_person_who_may_not_edit_is_refused_before_the_editor_opens(hand_written, marking_editor):
    office = hand_written
    mark, env = marking_editor
    before = office.state()
    result = office.run("edit", "ZZ-2026-101", as_="hanzg", env=env)
    assert result.exit_code == 1
    assert "may not edit records" in result.output
    assert not mark.exists(), "the editor opened for someone who may not save"
    assert not (office.root / ".git" / "dangwu" / "edit").exists()
    assert office.state() == before


def test_a_record_with_local_changes_is_refused_before_the_editor_opens(
    hand_written, marking_editor
):
    office = hand_written
    mark, env = marking_editor
    path = "records/zuzhi-jianshe/ZZ-2026-101.yaml"
    office.write(path, office.read(path) + "# my own note\n")
    before = office.state()
    result = office.run("edit", "ZZ-2026-101", env={**env, "EDITOR": "true"})
    assert result.exit_code == 1
    assert "has uncommitted changes (modified)" in result.output
    result = office.run("edit", "ZZ-2026-101", env=env)
    assert result.exit_code == 1
    assert not mark.exists()
    assert office.state() == before


def test_an_unsaved_edit_is_never_continued_by_someone_else(hand_written, editor):
    """dumy leaves an edit that could not be saved; hexy (who may edit too) opening
    the record starts from the record, and saving makes nothing of dumy's text under
    hexy's name."""
    office = hand_written
    result = office.run("edit", "ZZ-2026-101", env=editor("scope: internal", "scope: publik"))
    assert result.exit_code == 1
    before = office.state()
    result = office.run("edit", "ZZ-2026-101", as_="hexy", env={"EDITOR": "true"})
    assert result.exit_code == 0, result.output
    assert "Continuing" not in result.output
    assert "No changes" in result.stdout
    assert office.state() == before
    result = office.run("edit", "ZZ-2026-101", as_="hexy", env=editor("按时足额。", "按时足额！"))
    assert result.exit_code == 0, result.output
    assert "scope: internal" in office.read("records/zuzhi-jianshe/ZZ-2026-101.yaml")
    assert office.git("log", "-1", "--format=%an|%ae") == "何晓燕|hexy@example.org"
    # dumy's own text is still theirs to finish, and says the record moved on
    result = office.run("edit", "ZZ-2026-101", env={"EDITOR": "true"})
    assert "changed since your unsaved edit" in result.stderr
    earlier = office.root / ".git/dangwu/edit/dumy/ZZ-2026-101.earlier.yaml"
    assert "scope: publik" in earlier.read_text("utf-8")
    assert "按时足额！" in office.read("records/zuzhi-jianshe/ZZ-2026-101.yaml")


def test_an_unsaved_edit_never_overwrites_a_change_made_since(hand_written, editor):
    office = hand_written
    result = office.run("edit", "ZZ-2026-101", env=editor("scope: internal", "scope: publik"))
    assert result.exit_code == 1
    assert office.run("set", "ZZ-2026-101", "title=后来改的标题", as_="hexy").exit_code == 0
    # dumy fixes the kept text the way they meant to: it is set aside, not saved over
    # the newer title
    result = office.run("edit", "ZZ-2026-101", env=editor("按时足额。", "按时足额，无欠缴。"))
    assert result.exit_code == 0, result.output
    assert "changed since your unsaved edit" in result.stderr
    text = office.read("records/zuzhi-jianshe/ZZ-2026-101.yaml")
    assert "后来改的标题" in text and "按时足额，无欠缴。" in text and "scope: internal" in text


def test_commits_carry_the_roster_name_whatever_git_calls_the_person(hand_written):
    office = hand_written
    result = office.run(
        "set", "ZZ-2026-101", "title=新标题", env={"GIT_AUTHOR_NAME": "Someone Else"}
    )
    assert result.exit_code == 0, result.output
    assert office.git("log", "-1", "--format=%an|%ae|%cn") == ("杜明远|dumy@example.org|杜明远")


def test_edit_may_not_change_tool_fields(hand_written, editor):
    office = hand_written
    before = office.state()
    result = office.run(
        "edit", "ZZ-2026-101", env=editor("period: 2026Q3", "period: 2026Q3\nstatus: published")
    )
    assert result.exit_code == 1
    assert "status is written by dangwu" in result.output
    assert office.state() == before


def test_edit_unchanged_makes_no_commit(hand_written, editor):
    before = hand_written.state()
    result = hand_written.run("edit", "ZZ-2026-101", env=editor("zzz-not-there", "x"))
    assert result.exit_code == 0
    assert "No changes" in result.stdout
    assert hand_written.state() == before


def test_edit_with_a_failing_editor_saves_nothing(hand_written):
    before = hand_written.state()
    result = hand_written.run("edit", "ZZ-2026-101", env={"EDITOR": "false"})
    assert result.exit_code == 1
    assert "editor exited with status 1" in result.output
    assert hand_written.state() == before


WRITES = {
    "new": (["new", "ZD", "--item", "integrity-rules", "--title", "廉洁自律规定"], "dumy"),
    "set": (["set", "ZZ-2026-101", "title=新标题"], "dumy"),
    "roster add": (
        [
            "roster",
            "add",
            "newp",
            "--name",
            "新人",
            "--email",
            "newp@example.org",
            "--role",
            "member",
        ],
        "linht",
    ),
    "roster remove": (["roster", "remove", "chensh"], "linht"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_is_one_commit_by_the_actor_leaving_other_work_alone(hand_written, write):
    office = hand_written
    args, who = WRITES[write]
    office.write("notes/staged.txt", "staged work\n")
    office.git("add", "notes/staged.txt")
    office.write("records/zhidu-jianshe/ZD-2026-150.yaml", "unfinished: draft\n")
    office.write("README.local", "unstaged\n")
    office.git("add", "README.local")
    office.write("README.local", "unstaged, changed again\n")
    status, cached, diff = (
        office.git("status", "--porcelain", "--untracked-files=all"),
        office.git("diff", "--cached"),
        office.git("diff"),
    )
    head = office.head()
    result = office.run(*args, as_=who)
    assert result.exit_code == 0, result.output
    assert office.git("rev-list", "--count", f"{head}..HEAD") == "1"
    assert office.git("log", "-1", "--format=%ae") == f"{who}@example.org"
    changed = office.git("show", "--name-only", "--format=", "HEAD").splitlines()
    assert changed and all(p.startswith("records/") or p == "dangwu.yaml" for p in changed)
    assert "notes/staged.txt" not in changed and "README.local" not in changed
    assert office.git("status", "--porcelain", "--untracked-files=all") == status
    assert office.git("diff", "--cached") == cached
    assert office.git("diff") == diff


def test_a_bug_after_a_commit_says_the_commit_not_that_nothing_changed(hand_written, monkeypatch):
    """The error boundary's "nothing was changed" must be true: a bug that comes after
    the step's commit names the commit (here, printing what `set` did fails)."""
    from dangwu.cli import output

    def broken(*_args, **_kw):
        raise RuntimeError("the terminal went away")

    before = hand_written.git("rev-parse", "HEAD")
    monkeypatch.setattr(output, "say", broken)
    result = hand_written.run("set", "ZZ-2026-101", "title=新标题")
    assert result.exit_code == 3, result.output
    made = hand_written.git("rev-parse", "HEAD")
    assert made != before
    assert f"commit {made[:10]} was made before it: see it with git show {made[:10]}" in (
        result.stderr
    ), result.stderr
    assert "nothing was changed" not in result.stderr
    # the next command of the same process counts its own commits: a bug before it
    # writes says, truly, that nothing was changed
    monkeypatch.undo()
    from dangwu.app import drafting

    monkeypatch.setattr(drafting, "set_fields", broken)
    result = hand_written.run("set", "ZZ-2026-101", "title=又一个标题")
    assert result.exit_code == 3
    assert hand_written.git("rev-parse", "HEAD") == made
    assert "; nothing was changed" in result.stderr, result.stderr


# --- a step's edit: the tool fields after the content ---------------------------------

STEP_FIELDS = [
    {"status": "submitted"},
    {"status": "draft", "rejection": {"by": "hanzg", "at": "2026-10-05T10:00:00+08:00",
                                      "reason": "请补充附件说明"}},
    {"status": "approved", "approval": {"by": "hanzg", "at": "2026-10-05T10:00:00+08:00",
                                        "content": "sha256:" + "ab" * 32, "signed": True}},
    {"status": "published", "publication": {"by": "dumy", "at": "2026-10-06T09:00:00+08:00",
                                            "channels": ["website", "public-board"]}},
    {"status": "withdrawn", "withdrawal": {"by": "zhoulx", "at": "2026-10-07T09:00:00+08:00",
                                           "reason": "内容有误，\n需重新审核"}},
]  # fmt: skip


def whole_round_trip(text: str, fields: dict) -> str:
    """What a step wrote before: the whole file loaded for editing and written again."""
    data = yamlio.load_round_trip(text)
    for key, value in fields.items():
        records.place(data, key, yamlio.as_yaml_tree(value))
    return yamlio.dump_round_trip(data)


def test_a_step_writes_its_tool_fields_as_a_round_trip_of_the_whole_file_would(demo_seed):
    """Every record of the demo (each state a record can be in, written by dangwu's own
    steps), and every kind of step: the tail alone, read and written again, gives the
    file the whole file's round trip gives."""
    demo = [(demo_seed / p).read_text("utf-8") for p in records.record_files(demo_seed)]
    assert len(demo) > 30
    for index, text in enumerate(demo):
        start = records._tool_fields_start(text)
        assert start is not None  # the tail alone
        # two kinds of step for each record, each kind on a dozen records or more
        for fields in (STEP_FIELDS[index % 5], STEP_FIELDS[(index + 2) % 5]):
            made = records.with_tool_fields(
                text, {k: yamlio.as_yaml_tree(v) for k, v in fields.items()}
            )
            assert made == whole_round_trip(text, fields)
            assert made.startswith(text[:start])


@pytest.mark.parametrize(
    "change",
    [
        "a comment among the tool fields",
        "a tool field written among the content",
        "an alias of something in the content",
        "a field dangwu does not know",
        "no status at all",
        "no line end at the end",
        "Windows line ends",
        "a line break an editor may not show",
    ],
)
def test_a_record_laid_out_otherwise_is_edited_whole(demo_seed, change):
    """A file laid out by hand in a way the tail alone cannot be read in is loaded and
    written whole, as it always was."""
    text = (demo_seed / "records" / "zuzhi-jianshe" / "ZZ-2026-102.yaml").read_text("utf-8")
    if change == "a comment among the tool fields":
        text = text.replace("\nsubmitted:", "\n# 已提交\nsubmitted:")
    elif change == "a tool field written among the content":
        status = re.search(r"^status: \w+\n", text, re.M)[0]
        text = status + text.replace(status, "")
    elif change == "an alias of something in the content":
        text = text.replace("cadence: standing", "cadence: &c standing")
        text = text.replace("  channels: [meeting", "  how: *c\n  channels: [meeting", 1)
    elif change == "a field dangwu does not know":
        text = text.replace("\nstatus:", "\nnote: 手写的备注\nstatus:")
    elif change == "no status at all":
        text = re.sub(r"(?s)\nstatus:.*", "\n", text)
    elif change == "Windows line ends":
        text = text.replace("\n", "\r\n")
    elif change == "a line break an editor may not show":  # U+2028, which YAML breaks at
        text = text.replace("\nscope:", "\u2028\nscope:", 1)
    else:
        text = text.rstrip("\n")
    assert records._tool_fields_start(text) is None
    fields = {"status": "submitted"}
    assert records.with_tool_fields(text, fields) == whole_round_trip(text, fields)
