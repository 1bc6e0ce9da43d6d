"""``dangwu new`` asks for what is missing when a person is at a terminal."""

from __future__ import annotations

import io
import json
import os
import sys

import pexpect
from conftest import DEFAULT_NOW, identity_env
from lang import english_left


def spawn(office, *args, lang: str = "en"):
    env = {**os.environ, **identity_env("dumy"), "DANGWU_NOW": DEFAULT_NOW, "COLUMNS": "120"}
    env["DANGWU_LANG"] = lang
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
    child.expect("Summary for the notice board")
    child.sendline("第三季度应缴党费已全部收缴。")
    child.expect("Quarter it covers")
    child.sendline("2026Q5")  # a bad answer is said, and only that question asked again
    child.expect("'2026Q5' is not a quarter")
    child.expect("Quarter it covers")
    child.sendline("2026年第三季度")
    child.expect("ZZ-2026-101")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    data = json.loads(office.run("show", "ZZ-2026-101", "--json").stdout)
    assert (data["item"], data["period"]) == ("party-dues", "2026Q3")
    assert data["title"] == "2026年第三季度党费收缴管理情况"
    assert data["summary"] == "第三季度应缴党费已全部收缴。"


def test_new_asks_in_chinese_with_the_catalogues_chinese_names(office):
    child = spawn(office, "new", lang="zh_CN")
    child.logfile_read = transcript = io.StringIO()
    child.expect("公开类别")
    child.expect("组织建设")
    child.expect("请选择 1-6")
    child.sendline("建设")  # in several names: asked again
    child.expect("请输入列表中的序号或名称")
    child.sendline("组织建设")  # a name in the list is taken as its number is
    child.expect("党费收缴管理情况")
    child.expect("请选择 1-17")
    child.sendline("99")
    child.expect("请输入列表中的序号")
    child.sendline("党费收缴")
    child.expect("标题")
    child.sendline("2026年第三季度党费收缴管理情况")
    child.expect("摘要")
    child.sendline("")  # left out
    child.expect("所属季度")
    child.sendline("三季度")  # this year's: the clock says 2026-10-05
    child.expect("ZZ-2026-101")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    said = transcript.getvalue()
    assert "Organisation" not in said and "party dues" not in said  # no English names
    assert english_left(said) == [], said
    data = json.loads(office.run("show", "ZZ-2026-101", "--json").stdout)
    assert data["period"] == "2026Q3" and "summary" not in data


def test_flags_alone_never_prompt_even_at_a_terminal(office):
    child = spawn(office, "new", "ZD", "--item", "integrity-rules", "--title", "廉洁自律规定")
    child.expect("ZD-2026-101")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_timely_record_asks_for_the_date_of_the_matter(office):
    child = spawn(office, "new", "ZZ", "--item", "recruitment", "--title", "人员录用公示")
    child.expect("Date of the matter")
    child.sendline("2026年9月31日")
    child.expect("is not a real date")
    child.expect("Date of the matter")
    child.sendline("2026年9月30日")
    child.expect("ZZ-2026-101")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    data = json.loads(office.run("show", "ZZ-2026-101", "--json").stdout)
    assert data["event_date"] == "2026-09-30"


EDITOR_TWICE = """\
import pathlib, sys
count = pathlib.Path(sys.argv[1])
path = pathlib.Path(sys.argv[2])
n = int(count.read_text()) if count.exists() else 0
count.write_text(str(n + 1))
text = path.read_text(encoding="utf-8")
if n == 0:
    text = text.replace("cadence: quarterly", "cadence: quartely")
else:
    text = text.replace("cadence: quartely", "cadence: quarterly").replace(
        "2026Q3", "2026Q4")
path.write_text(text, encoding="utf-8")
"""


def test_edit_reopens_the_editor_until_the_record_is_valid(office, tmp_path):
    rid = office.new()
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_TWICE, "utf-8")
    env_editor = f"{sys.executable} {script} {tmp_path / 'count'}"
    env = {**os.environ, **identity_env("dumy"), "DANGWU_NOW": DEFAULT_NOW, "EDITOR": env_editor}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "dangwu", "edit", rid],
        cwd=str(office.root),
        env=env,
        encoding="utf-8",
        timeout=20,
    )
    child.expect(r"cadence: 'quartely' is not one of")
    child.expect(r"did you mean 'quarterly'\?")
    child.expect("Open the editor again")
    child.sendline("y")
    child.expect(f"Saved {rid}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "count").read_text() == "2"
    assert json.loads(office.run("show", rid, "--json").stdout)["period"] == "2026Q4"
    assert office.git("log", "-1", "--format=%s").startswith(f"edit: {rid}")


def test_edit_given_up_keeps_the_text_and_changes_nothing(office, tmp_path):
    rid = office.new()
    before = office.state()
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_TWICE, "utf-8")
    env = {
        **os.environ,
        **identity_env("dumy"),
        "DANGWU_NOW": DEFAULT_NOW,
        "EDITOR": f"{sys.executable} {script} {tmp_path / 'count'}",
    }
    child = pexpect.spawn(
        sys.executable,
        ["-m", "dangwu", "edit", rid],
        cwd=str(office.root),
        env=env,
        encoding="utf-8",
        timeout=20,
    )
    child.expect("Open the editor again")
    child.sendline("n")
    child.expect("not saved; your text is kept")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert office.state() == before
    kept = office.root / ".git" / "dangwu" / "edit" / "dumy" / f"{rid}.yaml"
    assert "cadence: quartely" in kept.read_text("utf-8")


def test_a_missing_editor_names_one_this_computer_has(office, tmp_path):
    """EDITOR names an editor that is not installed: the hint names one that is."""
    import shutil

    rid = office.new()
    result = office.run("edit", rid, env={"EDITOR": "no-such-editor-here"})
    assert result.exit_code == 2, result.output
    assert "cannot start the editor no-such-editor-here" in result.stderr
    have = [n for n in ("nano", "vim", "vi", "emacs", "editor") if shutil.which(n)]
    if have:
        assert f"export EDITOR={have[0]}" in result.stderr, result.stderr
    else:
        assert "install one (apt-get install nano)" in result.stderr, result.stderr
