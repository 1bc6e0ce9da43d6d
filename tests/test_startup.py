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
