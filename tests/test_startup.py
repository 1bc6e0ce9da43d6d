"""Start-up: a command line builds only the command it runs, and --help imports none
of the store. Real processes, as a user's shell starts them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

from dangwu.cli import _command_named


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["show", "ZZ-2026-102"], "show"),
        (["-C", "/tmp/x", "show", "ZZ-2026-102"], "show"),
        (["-C/tmp/x", "--debug", "list"], "list"),
        (["roster", "add"], "roster"),
        (["--help"], None),
        (["--version"], None),
        (["-C", "/tmp/x"], None),
        ([], None),
        (["shw"], "shw"),
    ],
)
def test_the_command_a_line_runs(args, named):
    assert _command_named(args) == named


def python(*code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", *code], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_help_imports_no_store_and_no_yaml():
    ran = python(
        "import sys; sys.argv = ['dangwu', '--help']\n"
        "from dangwu.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('dangwu.store', 'yaml', 'git'))))"
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "[]"


def test_a_record_shown_again_is_read_without_a_yaml_parser(office):
    """PyYAML's import is a tenth of `show`: the second showing of an unchanged record
    takes its fields from what the first one parsed."""
    rid = office.new()
    script = (
        "import sys\n"
        f"sys.argv = ['dangwu', '-C', {str(office.root)!r}, 'show', {rid!r}]\n"
        "from dangwu.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    print('exit', exit.code)\n"
        "print(sorted(m for m in sys.modules if m == 'yaml' or m.startswith('yaml.')))"
    )
    first, second = python(script), python(script)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout.splitlines()[-2] == "exit 0" and "'yaml'" in first.stdout
    assert second.stdout.splitlines()[-2] == "exit 0", second.stdout
    assert second.stdout.splitlines()[-1] == "[]", second.stdout
    assert second.stdout.split("\nexit")[0] == first.stdout.split("\nexit")[0]


def test_one_command_is_built_and_the_others_still_answer(tmp_path):
    def dangwu(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dangwu", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": "/usr/bin:/bin", "DANGWU_LANG": "en", "HOME": str(tmp_path)},
        )

    shown = dangwu("-C", str(ROOT), "show", "ZZ-2026-102")
    assert shown.returncode == 0 and shown.stdout.startswith("ZZ-2026-102"), shown.stderr
    wrong = dangwu("shw")
    assert wrong.returncode == 2 and "(did you mean 'show'?)" in wrong.stderr, wrong.stderr
    group = dangwu("roster", "--help")
    assert group.returncode == 0 and "Usage: dangwu roster" in group.stdout
    every = dangwu("--help")
    assert all(f"  {name} " in every.stdout for name in ("show", "roster", "verify", "hook"))


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_top_level_help_is_the_same_when_only_listed(lang):
    """`dangwu --help` builds each command as a name and a help only; what it prints
    must be what the fully built app prints."""
    script = (
        "import os, sys\n"
        f"os.environ['DANGWU_LANG'] = {lang!r}\n"
        "from typer.testing import CliRunner\n"
        "import dangwu.cli as cli\n"
        "if sys.argv[1] == 'listed':\n    cli.list_only()\n"
        "env = {'COLUMNS': '100'}\n"
        "result = CliRunner().invoke(cli.app, ['--help'], prog_name='dangwu', env=env)\n"
        "print(result.exit_code)\nprint(result.output)\n"
    )
    full, listed = (python(script, how) for how in ("full", "listed"))
    assert full.returncode == 0 and listed.returncode == 0, full.stderr + listed.stderr
    assert full.stdout.startswith("0\n") and "  roster " in full.stdout
    assert listed.stdout == full.stdout


def test_start_up_is_not_collected_and_the_command_is():
    """What start-up imports lives as long as the process: it is frozen out of the
    collector (whose passes over it were a sixth of `show`), and the collector is on
    again for the command, whose garbage is its own."""
    ran = python(
        "import gc, sys\n"
        "sys.argv = ['dangwu', '--version']\n"
        "import dangwu.cli\n"
        "seen = []\n"
        "dangwu.cli.main = lambda: seen.append((gc.isenabled(), gc.get_freeze_count()))\n"
        "from dangwu.entry import main\n"
        "main()\n"
        "enabled, frozen = seen[0]\n"
        "print(enabled, frozen > 10000)"
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["True", "True"]
