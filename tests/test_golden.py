"""The sample office's board and bulletin, compared with files reviewed by eye.

When a change to the templates or the sample is intended, regenerate them with
DANGWU_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py, look at them
(and at their PDFs), and commit them with the change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import Office, copy_demo

GOLDEN = Path(__file__).parent / "golden"
FILES = {
    "board-public-2026-11-18.html": "board-public.html",
    "board-internal-2026-11-18.html": "board-internal.html",
    "bulletin-2026Q3-public.html": "bulletin-2026Q3-public.html",
}


@pytest.fixture(scope="module")
def printed(tmp_path_factory, audited_demo):
    # the demo prints its boards and bulletin into printed/ as it is built
    root = copy_demo(audited_demo, tmp_path_factory.mktemp("golden") / "office")
    office = Office(root)
    result = office.run("bulletin", "2026Q3", "--format", "md", as_=None, now="2026-11-26")
    assert result.exit_code == 0, result.output
    return root / "printed"


@pytest.mark.parametrize(
    ("made", "golden"),
    [*FILES.items(), ("bulletin-2026Q3-public.md", "bulletin-2026Q3-public.md")],
)
def test_sample_output_matches_the_reviewed_file(printed, made, golden):
    text = (printed / made).read_text("utf-8")
    expected = GOLDEN / golden
    if os.environ.get("DANGWU_UPDATE_GOLDEN"):
        expected.write_text(text, "utf-8")
    assert expected.exists(), f"no golden file {expected}; run with DANGWU_UPDATE_GOLDEN=1"
    assert text == expected.read_text("utf-8")


def test_golden_board_reads_like_a_notice(printed):
    html = (GOLDEN / "board-public.html").read_text("utf-8")
    for words in (
        "江城市司法局",
        "党务公开栏",
        "社会公开",
        "征求意见",
        "征求意见截止：2026年12月3日",
        "监督电话",
        "党务公开监督员：陈淑华、黄志坚",
        "核验码",
    ):
        assert words in html
    assert "党内公开" not in html
