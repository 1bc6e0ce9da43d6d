"""The consultation report (`feedback report ID`, 征求意见情况报告) [seed 五, SPEC 14]:
every opinion and what became of it, the adoption counts, and what changed from the
plan put out for comment to the formal plan, read from the texts the history recorded
as put out; a member of the public who asked not to be named is not."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import Office, copy_demo
from steps import at, consulting, ok, refused

from dangwu.model.supervision import Feedback
from dangwu.rules.consultation import Line, Piece, adoption, changes, compare


def test_unchanged_fields_are_left_out_and_a_reworded_line_shows_its_words():
    before = {
        "title": "初步方案（征求意见稿）",
        "summary": "摘要",
        "body": "## 一\n\n甲乙丙丁。\n旧的一行。",
    }
    after = {"title": "方案", "summary": "摘要", "body": "## 一\n\n甲乙丙丁戊。\n全新的另一段话。"}
    found = {c.field: c.lines for c in changes(before, after)}
    assert set(found) == {"title", "body"}
    assert found["title"] == (
        Line("~", "方案", (Piece("-", "初步"), Piece(" ", "方案"), Piece("-", "（征求意见稿）"))),
    )
    body = found["body"]
    assert body[0] == Line(" ", "一")  # the heading, without its marks
    assert body[1] == Line(
        "~", "甲乙丙丁戊。", (Piece(" ", "甲乙丙丁"), Piece("+", "戊"), Piece(" ", "。"))
    )
    assert body[2:] == (Line("-", "旧的一行。"), Line("+", "全新的另一段话。"))


def test_a_short_run_kept_between_rewritten_runs_joins_them():
    (line,) = compare(["定于五月召开会议。"], ["改于七月召开会议。"])
    assert line.pieces == (Piece("-", "定于五"), Piece("+", "改于七"), Piece(" ", "月召开会议。"))
    # kept between words only taken out, a word stays in sight
    (line,) = compare(["截至2026年5月31日。"], ["自2026年7月1日起。"])
    assert Piece(" ", "月") in line.pieces


def opinion(number: int, outcome: str | None) -> Feedback:
    answer = {"outcome": outcome, "on": "2026-06-02"} if outcome else None
    return Feedback(f"feedback/X/{number}.yaml", "X", __import__("datetime").date(2026, 5, 20),
                    "意见", "dumy", "2026-05-20T10:00:00+08:00", number=number,
                    disposition=answer)  # fmt: skip


@pytest.mark.parametrize(
    ("outcomes", "said"),
    [
        ([], "征求意见期间未收到意见建议。"),
        (["adopted", "partly"], "征求意见期间共收到意见建议2条，其中采纳1条、部分采纳1条。"),
        (["declined", None], "征求意见期间共收到意见建议2条，其中不采纳1条，1条尚未答复。"),
    ],
)
def test_the_adoption_summary_counts_and_names_nobody(outcomes, said):
    found = adoption([opinion(i, o) for i, o in enumerate(outcomes, 1)])
    assert found.summary_zh() == said
    assert found.received == len(outcomes)


# --- on the sample office ------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(audited_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Office:
    return Office(copy_demo(audited_demo, tmp_path_factory.mktemp("consultation") / "office"))


def test_the_sample_plan_report_tells_the_whole_consultation(sample: Office):
    found = json.loads(ok(sample, "feedback", "report", "MB-2026-102", "--json").stdout)
    assert (found["opened"], found["closes"], found["published"]) == (
        "2026-05-14", "2026-05-31", "2026-06-04",
    )  # fmt: skip
    assert found["adoption"] | {"summary": ""} == {
        "received": 2, "adopted": 1, "partly": 1, "declined": 0, "unanswered": 0, "summary": "",
    }  # fmt: skip
    assert [o["disposition"]["outcome"] for o in found["opinions"]] == ["partly", "adopted"]
    fields = {c["field"]: c["lines"] for c in found["changes"]}
    assert set(fields) == {"title", "summary", "body"}
    # the formal plan no longer asks for comments by a day long gone
    taken_out = [line["text"] for line in fields["body"] if line["op"] == "-"]
    assert any("请于2026年5月31日前" in text for text in taken_out)
    summary = "".join(p[1] for p in fields["summary"][0]["pieces"] if p[0] == "-")
    assert "现公开征求意见" in summary
    # the texts compared are those the consultation and the publication recorded
    for key in ("preliminary_commit", "formal_commit"):
        subject = sample.git("log", "-1", "--format=%s", found[key])
        assert subject.startswith("publish: MB-2026-102"), subject


def test_the_markdown_report_is_written_to_a_file(sample: Office, tmp_path: Path):
    target = tmp_path / "report.md"
    said = ok(sample, "feedback", "report", "MB-2026-102", "--format", "md", "-o", str(target))
    assert str(target) in said.stdout
    text = target.read_text("utf-8")
    assert text.startswith("# 关于推出法律援助“绿色通道”便民服务措施的方案征求意见情况报告")
    assert "征求意见期间共收到意见建议2条，其中采纳1条、部分采纳1条。" in text
    assert "~~初步~~" in text and "**、城乡低保对象**" in text


def test_the_report_is_fast(sample: Office):
    started = time.perf_counter()
    ok(sample, "feedback", "report", "MB-2026-102", "--json")
    assert time.perf_counter() - started < 5  # the measured figure is bench/run.py's


@pytest.mark.parametrize(
    ("args", "expect", "code"),
    [
        (["ZD-2026-104"], "never put out for comment", 1),
        (["ZD-2026-999"], "ZD-2026-999", 1),
        (["MB-2026-102", "--format", "pdf"], "--format", 2),
        (["MB-2026-102", "-o", "x.md"], "--format md", 2),
    ],
)
def test_a_report_that_cannot_be_made_is_refused_in_one_line(sample: Office, args, expect, code):
    result = refused(sample, "feedback", "report", *args, expect=expect, code=code)
    assert len(result.stderr.strip().splitlines()) <= 2


# --- a plan still out for comment, and a giver who asked not to be named ----------------


def test_a_plan_in_hand_is_compared_as_it_stands_and_private_givers_stay_private(office: Office):
    rid = consulting(office)
    ok(office, "feedback", "add", rid, "--public", "隐名者", "--private", "--text", "建议延长",
       now=at(8))  # fmt: skip
    ok(office, "feedback", "add", rid, "--public", "王先生", "--text", "建议公布电话", now=at(9))
    ok(office, "set", rid, "body=正式方案。", now=at(20, 11))
    found = json.loads(ok(office, "feedback", "report", rid, "--json", now=at(20, 12)).stdout)
    assert found["published"] is None and found["formal_commit"] is None
    assert found["adoption"]["unanswered"] == 2
    assert [line["text"] for line in found["changes"][0]["lines"]] == ["正式方案。"]
    givers = [o["from"] for o in found["opinions"]]
    assert "隐名者" not in json.dumps(found, ensure_ascii=False)
    assert any("王先生" in g for g in givers)
    for fmt in ("text", "md"):
        said = ok(office, "feedback", "report", rid, "--format", fmt, now=at(20, 12)).stdout
        assert "隐名者" not in said and "王先生" in said
    # the office's own list still shows who it was
    assert "隐名者" in ok(office, "feedback", "list", rid).stdout


def test_a_private_givers_name_written_into_the_plan_is_found_by_the_secrecy_review(
    office: Office,
):
    rid = consulting(office)
    ok(office, "feedback", "add", rid, "--public", "隐名者", "--private", "--text", "建议延长",
       now=at(8))  # fmt: skip
    ok(office, "feedback", "add", rid, "--public", "王先生", "--text", "建议公布电话", now=at(9))
    ok(office, "set", rid, "body=采纳了隐名者提出的延长建议。", now=at(20, 11))
    review = office.run("check", rid, now=at(20, 12))
    assert review.exit_code == 1, review.output
    assert "reporter" in review.output and "隐名者" not in review.output
    # one who was content to be named is not kept out
    ok(office, "set", rid, "body=采纳了王先生提出的建议。", now=at(20, 13))
    assert office.run("check", rid, now=at(20, 14)).exit_code == 0


def test_an_opinion_after_the_window_is_kept_but_counted_apart(office: Office):
    rid = consulting(office)  # out for comment 10-05 to 10-19
    ok(office, "feedback", "add", rid, "--public", "王先生", "--text", "建议公布电话", now=at(9))
    late = ok(office, "feedback", "add", rid, "--public", "赵先生", "--text", "迟到的意见",
              now=at(25))  # fmt: skip
    assert "received after the comment window closed on 2026-10-19" in late.stdout
    assert "closed on 2026-10-19" in office.git("log", "-1", "--format=%b")
    found = json.loads(ok(office, "feedback", "report", rid, "--json", now=at(25, 12)).stdout)
    assert found["adoption"]["received"] == 1
    assert [o["text"] for o in found["opinions"]] == ["建议公布电话"]
    assert [o["text"] for o in found["after_the_window"]] == ["迟到的意见"]
    md = ok(office, "feedback", "report", rid, "--format", "md", now=at(25, 12)).stdout
    assert "征求意见期间共收到意见建议1条" in md
    assert "征求意见期结束后另收到1条，单独列出，不计入上述统计。" in md
    assert md.index("迟到的意见") > md.index("## 征求意见期结束后收到的意见建议")
    text = ok(office, "feedback", "report", rid, now=at(25, 12)).stdout
    assert "Received after the window closed on 2026-10-19 (not counted above)" in text


def test_private_is_for_the_public_only(office: Office):
    rid = consulting(office)
    refused(office, "feedback", "add", rid, "--private", "--text", "意见", as_="chensh",
            now=at(8), expect="--public NAME", code=2)  # fmt: skip


def test_a_bulletins_code_vouches_for_its_adoption_summaries():
    """A bulletin without a formal plan keeps the code it always had; one with a plan
    whose 采纳情况 were printed otherwise would not check out."""
    from dangwu.model.catalogue import Catalogue
    from dangwu.model.office import Rules
    from dangwu.rules.board import bulletin
    from dangwu.rules.schedule import Quarter

    made = bulletin([], period=Quarter(2026, 2), scope="public", rules=Rules(),
                    catalogue=Catalogue((), Path("catalogue.yaml")))  # fmt: skip
    plain = made.content_key()
    made.adoptions = {}
    assert made.content_key() == plain
    made.adoptions = {"MB-2026-102": "征求意见期间共收到意见建议2条，其中采纳1条、部分采纳1条。"}
    heard = made.content_key()
    made.adoptions = {"MB-2026-102": "征求意见期间共收到意见建议2条，其中采纳2条。"}
    assert len({plain, heard, made.content_key()}) == 3
