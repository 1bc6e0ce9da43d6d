"""``dangwu new`` asks for what is missing when a person is at a terminal."""

from __future__ import annotations

import json
import os
import sys

import pexpect
from conftest import DEFAULT_NOW, identity_env


def spawn(office, *args):
    env = {**os.environ, **identity_env("dumy"), "DANGWU_NOW": DEFAULT_NOW, "COLUMNS": "120"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "dangwu", *args],
        cwd=str(office.root),
        env=env,
        encoding="utf-8",
        timeout=20,
    )


def test_new_prompts_for_category_item_title_and_period(office):
    child = spawn(office, "new")
    child.expect("Category")
    child.expect("组织建设")
    child.expect("Choose 1-6")
    child.sendline("3")
    child.expect("党费收缴管理情况")
    child.expect("Choose 1-17")
    child.sendline("99")  # not in the list: asked again
    child.expect("Please type a number from the list")
    child.sendline("ZZ16")
    child.expect("Title")
    child.sendline("2026年第三季度党费收缴管理情况")
    child.expect("Quarter it covers")
    child.sendline("2026Q3")
    child.expect("ZZ-2026-101")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    data = json.loads(office.run("show", "ZZ-2026-101", "--json").stdout)
    assert (data["item"], data["period"]) == ("party-dues", "2026Q3")
    assert data["title"] == "2026年第三季度党费收缴管理情况"


def test_flags_alone_never_prompt_even_at_a_terminal(office):
    child = spawn(office, "new", "ZD", "--item", "integrity-rules", "--title", "廉洁自律规定")
    child.expect("ZD-2026-101")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_timely_record_asks_for_the_date_of_the_matter(office):
    child = spawn(office, "new", "ZZ", "--item", "recruitment", "--title", "人员录用公示")
    child.expect("Date of the matter")
    child.sendline("2026-09-30")
    child.expect("ZZ-2026-101")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
