"""dangwu in Chinese and in English [SPEC 10].

* the zh_CN catalogue has every message, with the same placeholders, compiled;
* the language follows DANGWU_LANG, then the office's ``language``, then the locale;
* under DANGWU_LANG=zh_CN the demo, a tour of the commands and every error of the
  bad-input corpus print in Chinese with no English left but identifiers;
  under DANGWU_LANG=en the messages are English;
* Chinese text lines up in tables (checked against a golden capture).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Office, copy_demo, dangwu_process
from lang import chinese_in, english_left
from test_bad_input import RECORD_CASES, install
from test_board import WITHOUT_TYPST

sys.path.insert(0, str(ROOT / "tools"))
import i18n as catalogue_tool

GOLDEN = Path(__file__).resolve().parent / "golden"
NOW = "2026-11-26T10:00:00+08:00"


def test_every_message_has_its_chinese_translation():
    assert catalogue_tool.problems("zh_CN") == []


def test_the_catalogue_says_what_the_standard_librarys_reader_says():
    """dangwu reads its compiled catalogue message by message (a binary search of the
    sorted originals); for every message and plural of the shipped catalogue it says
    what gettext's GNUTranslations says, having decoded the whole file."""
    import gettext

    from dangwu.i18n import DOMAIN, LOCALE_DIR, Catalogue

    path = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as fh:
        standard = gettext.GNUTranslations(fh)
    ours = Catalogue(path.read_bytes())
    plain = [k for k in standard._catalog if isinstance(k, str) and k]  # type: ignore[attr-defined]
    plurals = {k[0] for k in standard._catalog if isinstance(k, tuple)}  # type: ignore[attr-defined]
    assert len(plain) > 1000 and plurals
    for message in plain:
        assert ours.gettext(message) == standard.gettext(message), message
    po = (path.with_suffix(".po")).read_text("utf-8")
    pairs = re.findall(r'^msgid "(.+)"\nmsgid_plural "(.+)"$', po, re.M)
    assert {one for one, _many in pairs} == plurals
    for one, many in pairs:
        for n in (0, 1, 2, 5):
            assert ours.ngettext(one, many, n) == standard.ngettext(one, many, n), (one, n)
    for unknown in ("not a message of dangwu", "", "\u00e9t\u00e9"):
        assert ours.gettext(unknown) == standard.gettext(unknown)
    assert ours.ngettext("{n} apple", "{n} apples", 2) == "{n} apples"
    with pytest.raises(ValueError):
        Catalogue(b"not a catalogue at all")


PLAIN_TERMINAL = {"NO_COLOR": "1", "COLUMNS": "120"}


def dangwu(*args: str, cwd: Path, lang: str | None = "zh_CN", env: dict[str, str] | None = None):
    ours = {**PLAIN_TERMINAL, "DANGWU_NOW": NOW, **(env or {})}
    if lang is not None:
        ours["DANGWU_LANG"] = lang
    return dangwu_process(*args, cwd=cwd, env=ours, timeout=300, drop=LANGUAGE_VARS)


LANGUAGE_VARS = ("LANG", "LC_", "DANGWU_")


@pytest.fixture(scope="module")
def zh_office(tmp_path_factory: pytest.TempPathFactory, demo_seed: Path) -> tuple[Path, str]:
    """The demo office (a copy of the one built for the run), and what building it
    printed on a machine without a Chinese locale, nor Typst: the sample office says
    zh_CN, so it speaks Chinese. (README.zh-CN.md's walk builds it again with
    DANGWU_LANG=zh_CN and Typst, and shows exactly what that prints.)"""
    folder = tmp_path_factory.mktemp("zh")
    home = folder / "home"
    home.mkdir()
    ours = {"NO_COLOR": "1", "COLUMNS": "120", "DANGWU_NOW": NOW, "LANG": "C.UTF-8"}
    ours |= {"HOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    built = subprocess.run(
        [sys.executable, "-c", WITHOUT_TYPST, "demo", str(folder / "built")],
        cwd=folder,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(LANGUAGE_VARS)}, **ours},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    return copy_demo(demo_seed, folder / "office"), built.stdout + built.stderr


def allowed_words(office: Path) -> set[str]:
    """The office's own identifiers: roster keys, and the typefaces doctor names."""
    from dangwu import yamlio

    roster = yamlio.load((office / "dangwu.yaml").read_text("utf-8")).data["roster"]
    catalogue = yamlio.load((ROOT / "schemas" / "catalogue.yaml").read_text("utf-8")).data
    slugs = {c["slug"] for c in catalogue["categories"]}
    slugs |= {i["slug"] for c in catalogue["categories"] for i in c["items"]}
    return set(roster) | slugs | font_words()


def font_words() -> set[str]:
    """The words of the Chinese typefaces this machine has: doctor names them as
    they are called (WenQuanYi Micro Hei, Droid Sans Fallback...), in any language."""
    import shutil

    if shutil.which("fc-list") is None:
        return set()
    listed = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    return {word for line in listed.splitlines() for word in re.findall(r"[A-Za-z]+", line)}


def test_the_demo_speaks_chinese(zh_office: tuple[Path, str]):
    office, said = zh_office
    assert "已在" in said and "示例公开档案库" in said
    assert english_left(said, allowed_words(office)) == []


TOUR = [
    ("list",),
    ("list", "--category", "ZZ"),
    ("show", "ZZ-2026-102"),
    ("show", "ZD-2026-105"),
    ("log", "ZZ-2026-102"),
    ("log", "-n", "20"),
    ("due",),
    ("stats", "--year", "2026"),
    ("report", "list"),
    ("report", "show", "103"),
    ("feedback", "list"),
    ("roster", "list"),
    ("catalogue", "ZZ"),
    ("audit",),
    ("validate",),
    ("check", "DT-2026-103"),
    ("board", "-o", "printed"),
    ("bulletin", "2026Q3", "-o", "printed"),
    ("doctor",),
    ("submit", "ZZ-2026-999"),
    ("approve", "SX-2026-105"),
    ("publish", "ZD-2026-105"),
    (
        "decide",
        "ZZ-2026-107",
        "--meeting",
        "2026-11-20",
        "--attendee",
        "hanzg",
        "--outcome",
        "publish",
    ),
    ("report", "answer", "101", "--text", "再次答复", "--notified", "电话"),
    ("feedback", "add", "SX-2026-105", "--text", "意见"),
    ("new", "zuzhi-jianshe", "--item", "party-dues", "--title", "x"),
    ("show", "../etc/passwd"),
    ("list", "--scope", "publik"),
    ("verify", "00000000-PZZ1-261126-QX4T"),
    ("sync",),
    ("nosuch",),
    ("lst",),  # click suggests 'list', 'set'
    ("show",),
    ("list", "--nosuch"),
    ("list", "--stat", "x"),  # click suggests --status
    ("board", "--on", "2026-13-01"),
]


@pytest.mark.parametrize("args", TOUR, ids=" ".join)
def test_a_tour_of_the_commands_in_chinese(zh_office: tuple[Path, str], args: tuple[str, ...]):
    """Each command run in this process, as the other command tests run them (what a
    process of its own adds, the language chosen at start-up, is tested below): an
    exception no error boundary caught fails the test here, as a traceback would."""
    office, _said = zh_office
    ran = Office(office).run(*args, now=NOW, env={"DANGWU_LANG": "zh_CN", **PLAIN_TERMINAL})
    out = ran.output
    assert "Traceback" not in out, out
    assert ran.exit_code in (0, 1, 2), out
    assert english_left(out, allowed_words(office)) == [], out


@pytest.mark.parametrize(
    "args", [("--help",), ("due", "--help"), ("report", "new", "--help")], ids=" ".join
)
def test_help_is_chinese(zh_office: tuple[Path, str], args: tuple[str, ...]):
    office, _said = zh_office
    ran = dangwu(*args, cwd=office)
    assert ran.returncode == 0
    assert "用法：" in ran.stdout and "选项：" in ran.stdout and "选项:" not in ran.stdout
    commands = {line.split()[0] for line in ran.stdout.splitlines() if line.startswith("  ")}
    allowed = allowed_words(office) | commands | {"shell"}
    assert english_left(ran.stdout, allowed) == [], ran.stdout


@pytest.mark.parametrize("width", [60, 80, 100])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_help_fits_the_terminal_and_names_what_options_take(
    zh_office: tuple[Path, str], lang: str, width: int
):
    """Help is wrapped by terminal columns (a Chinese character takes two), between
    Chinese characters, never at a hyphen; an option's value has a name, not <str>."""
    import unicodedata

    office, _said = zh_office
    ran = dangwu("new", "--help", cwd=office, lang=lang, env={"COLUMNS": str(width)})
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()

    def columns(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    # (a word longer than the line, as the example's title, may stand alone on one)
    too_wide = [line for line in lines if columns(line) > width and " " in line.strip()]
    assert too_wide == [], ran.stdout
    assert not any(line.rstrip().endswith("follow-") for line in lines), ran.stdout
    assert "follow-up" in ran.stdout
    assert "<str>" not in ran.stdout and "<path>" not in ran.stdout
    value = "文字" if lang == "zh_CN" else "TEXT"
    assert any(line.strip().startswith(f"--title {value}") for line in lines), ran.stdout


def test_install_completion_answers_in_the_offices_language(
    zh_office: tuple[Path, str], tmp_path: Path
):
    office, _said = zh_office
    ran = dangwu(
        "--install-completion",
        cwd=office,
        lang=None,
        env={"HOME": str(tmp_path), "SHELL": "/bin/bash", "LANG": "C.UTF-8"},
    )
    assert ran.returncode == 0, ran.stderr
    script = tmp_path / ".bash_completions" / "dangwu.sh"
    assert script.is_file() and "_DANGWU_COMPLETE" in script.read_text("utf-8")
    assert f"已为 bash 安装命令补全：{script}" in ran.stdout, ran.stdout
    assert english_left(ran.stdout, {"bash", "source", "dangwu", "sh", "bash_completions"}) == []


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("c", RECORD_CASES, ids=lambda c: c.id)
def test_every_bad_input_error_is_said_in_the_chosen_language(office: Office, c, lang: str):
    install(office, c)
    result = office.run("validate", env={"DANGWU_LANG": lang})
    assert result.exit_code == 1
    other_language = english_left(result.output) if lang == "zh_CN" else chinese_in(result.output)
    assert other_language == [], result.output


# --- choosing the language ---------------------------------------------------------------


def test_the_office_setting_chooses_the_language_for_everyone(zh_office: tuple[Path, str]):
    office, _said = zh_office
    # the sample office says language: zh_CN; nobody has set DANGWU_LANG or a locale
    ran = dangwu("list", "--category", "ZZ", cwd=office, lang=None, env={"LANG": "C.UTF-8"})
    assert "已公开" in ran.stdout and "published" not in ran.stdout
    helped = dangwu("--help", cwd=office, lang=None, env={"LANG": "C.UTF-8"})
    assert "用法：" in helped.stdout
    # DANGWU_LANG wins over the office
    english = dangwu("list", "--category", "ZZ", cwd=office, lang="en")
    assert "published" in english.stdout and "已公开" not in english.stdout


def test_the_demo_speaks_the_sample_offices_language_once_it_is_built(
    zh_office: tuple[Path, str], demo_seed: Path
):
    # a new user on a machine without a Chinese locale, nor Typst: the sample
    # office says zh_CN, and what could not be printed is said in Chinese too
    office, said = zh_office
    assert "示例公开档案库" in said and "Built the sample office" not in said
    assert "未能打印为 PDF" in said, said
    assert english_left(said, {"tmp"}) == [], said
    # its people write its history in the office's language, whoever builds it and in
    # whichever language: the same commits, so the README's verification codes hold for
    # every reader (built here with no locale, and in English for the run; the README's
    # walk builds it in Chinese and shows the codes)
    built = [office.parent / "built", demo_seed]
    heads = {
        subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for folder in built
    }
    assert len(heads) == 1, heads


def test_the_locale_chooses_when_nothing_else_does(tmp_path: Path):
    chinese = dangwu("--help", cwd=tmp_path, lang=None, env={"LANG": "zh_CN.UTF-8"})
    assert "用法：" in chinese.stdout
    english = dangwu("--help", cwd=tmp_path, lang=None, env={"LANG": "C.UTF-8"})
    assert "Usage:" in english.stdout and "用法" not in english.stdout


# --- width ---------------------------------------------------------------------------------


def test_chinese_tables_line_up(zh_office: tuple[Path, str]):
    """A fixed-width capture of a Chinese table: each column starts at the same
    terminal column on every line (CJK characters count two)."""
    from dangwu.cli.output import width

    office, _said = zh_office
    ran = dangwu("list", "--category", "ZZ", cwd=office)
    golden = GOLDEN / "list-zh.txt"
    if os.environ.get("DANGWU_UPDATE_GOLDEN"):
        golden.write_text(ran.stdout, "utf-8")
    assert ran.stdout == golden.read_text("utf-8")
    lines = ran.stdout.splitlines()
    rule = lines[1]
    starts = [i for i, ch in enumerate(rule) if ch == "─" and i > 0 and rule[i - 1] == " "]
    assert len(starts) == 5, rule  # id, status, scope, cadence, when, title
    for line in lines[2:]:
        for start in starts:
            used, index = 0, 0
            while used < start and index < len(line):
                used += width(line[index])
                index += 1
            # a column starts exactly at its rule's column, after a space
            assert used == start and line[index - 1] == " ", (line, start)
