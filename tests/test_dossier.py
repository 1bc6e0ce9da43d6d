"""The evaluation dossier (考核) [SPEC 13]: the five checkpoints, each met only when
nothing falls short, with the evidence the history holds; the rule called directly,
then the command on the sample office with a forged commit in it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import Office, commit_as, copy_demo, need_pdf

from dangwu.rules.dossier import CHECKPOINTS, Facts, checks
from dangwu.rules.stats import Figures, Span

NOW = "2026-12-06T12:00:00+08:00"


def facts(**changes: object) -> Facts:
    figures = Figures(Span.year(2026), date(2026, 12, 31), published=3)
    figures.by_channel = {"website": 3}
    base = dict(
        figures=figures, silent=(), items=2, violations=(), approvals=(("ZD-2026-101", True),),
        unproduced=(), opinions=0, answered=0, channel_names={"website": "门户网站"},
    )  # fmt: skip
    return Facts(**{**base, **changes})  # type: ignore[arg-type]


def verdicts(found: Facts) -> dict[str, bool]:
    return {c.key: c.met for c in checks(found)}


def test_a_year_with_nothing_short_meets_every_checkpoint():
    found = checks(facts())
    assert [c.key for c in found] == list(CHECKPOINTS)
    assert all(c.met and c.evidence for c in found)
    assert "门户网站3条" in found[1].evidence[0]


@pytest.mark.parametrize(
    ("changes", "short"),
    [
        ({"silent": (("ZD07", "党费"),)}, {"content"}),
        ({"violations": (("content-changed", "ZD-2026-101"),)}, {"content", "procedure"}),
        ({"unproduced": (("circular", "ZD-2026-101"),)}, {"forms"}),
        ({"violations": (("quorum", "ZZ-2026-102"),)}, {"procedure"}),
        ({"opinions": 2, "answered": 1}, {"opinions"}),
    ],
)
def test_each_shortfall_fails_its_checkpoint_and_no_other(changes: dict, short: set[str]):
    met = verdicts(facts(**changes))
    assert {key for key, ok in met.items() if not ok} == short


def test_late_and_overdue_work_fails_the_time_checkpoint():
    figures = Figures(Span.year(2026), date(2026, 12, 31), quarterly_late=1)
    figures.overdue = {"timely": 2}
    found = {c.key: c for c in checks(facts(figures=figures))}
    assert not found["time"].met
    assert "季度更新逾期公开1项" in found["time"].shortfalls
    assert "及时公开逾期未办2项" in found["time"].shortfalls


def test_the_dossier_of_the_sample_year_names_what_falls_short(audited_demo: Path, tmp_path: Path):
    demo = Office(copy_demo(audited_demo, tmp_path / "office"))
    said = demo.run("dossier", "--year", "2026", "--json", now=NOW)
    assert said.exit_code == 0, said.output
    found = {c["key"]: c for c in json.loads(said.stdout)["checks"]}
    figures = json.loads(demo.run("stats", "--year", "2026", "--json", now=NOW).stdout)
    silent = [i["code"] for i in figures["silent_items"]]
    assert found["content"]["shortfalls"][0].endswith("：" + "、".join(silent))
    assert found["procedure"]["met"], found["procedure"]
    # a published record changed by hand: the procedure and the content fall short
    path = demo.root / "records" / "zhidu-jianshe" / "ZD-2026-102.yaml"
    path.write_text(path.read_text("utf-8").replace("2026年修订", "2025年修订", 1), "utf-8")
    commit_as(demo.root, "dumy", "typo", "records", date="2026-12-05T10:00:00+08:00")
    after = json.loads(demo.run("dossier", "--year", "2026", "--json", now=NOW).stdout)
    again = {c["key"]: c for c in after["checks"]}
    assert not again["procedure"]["met"]
    assert any("manual-edit" in line for line in again["procedure"]["shortfalls"])
    assert any("与审核内容不符" in line for line in again["content"]["shortfalls"])
    need_pdf()
    printed = demo.run("dossier", "--year", "2026", "--format", "pdf", now=NOW)
    assert printed.exit_code == 0 and "dossier-2026.pdf" in printed.stdout, printed.output
    # -o names where the PDF goes: a .pdf asks for one, anything else is said, never
    # a file quietly not written
    named = demo.run("dossier", "--year", "2026", "-o", str(tmp_path / "d.pdf"), now=NOW)
    assert named.exit_code == 0 and (tmp_path / "d.pdf").read_bytes()[:5] == b"%PDF-"
    wrong = demo.run("dossier", "--year", "2026", "-o", str(tmp_path / "d.txt"), now=NOW)
    assert wrong.exit_code == 2 and "is written to a file as a PDF" in wrong.stderr
    assert not (tmp_path / "d.txt").exists()
