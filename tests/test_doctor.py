"""dangwu doctor: what a machine needs, each missing thing with the way to fix it;
and shell completion of record ids, roster keys and report numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import Office
from plaingit import edit_settings, give_signing_keys, keygen
from steps import at, ok


def test_doctor_in_an_office_for_someone_on_the_roster(office: Office):
    result = ok(office, "doctor", as_="dumy")
    lines = result.stdout.splitlines()
    assert any(line.startswith("✓ git ") for line in lines), lines
    assert any(
        "✓ on the roster" in line and "杜明远 (dumy): clerk 办公室工作人员" in line
        for line in lines
    )
    assert any(line.startswith("! server") for line in lines), lines
    assert "→ to share the office: dangwu remote add URL" in result.stdout


def test_doctor_fails_for_someone_off_the_roster_and_says_how_to_fix_it(office: Office):
    result = office.run("doctor", as_="stranger")
    assert result.exit_code == 1, result.output
    assert "✗ on the roster" in result.stdout
    assert "stranger@example.org is not on the roster" in result.stdout
    assert "dangwu roster add KEY --name NAME --email stranger@example.org" in result.stdout


def test_doctor_without_a_git_identity_says_to_set_one_first(office: Office):
    result = office.run("doctor", as_=None)
    assert result.exit_code == 1, result.output
    assert "✗ git identity" in result.stdout and "git config --global user.email" in result.stdout
    assert "cannot tell: git does not know who you are" in result.stdout
    assert "?" not in result.stdout


def test_doctor_checks_the_signing_key_when_the_office_requires_signing(
    office: Office, tmp_path: Path
):
    key = keygen(tmp_path / "keys", "zhoulx")
    give_signing_keys(office, {"zhoulx": key})
    edit_settings(office, lambda data: data["rules"].__setitem__("require_signing", True))
    office.git(
        "-c",
        "user.name=林海涛",
        "-c",
        "user.email=linht@example.org",
        "commit",
        "-qam",
        "signing required",
    )
    missing = office.run("doctor", as_="zhoulx")
    assert missing.exit_code == 1
    assert "✗ signing key" in missing.stdout and "git has no signing key set up" in missing.stdout
    other = keygen(tmp_path / "keys", "other")
    wrong = office.run("doctor", as_="zhoulx", env=_signing(other))
    assert wrong.exit_code == 1 and "is not the key the roster lists for you" in wrong.stdout
    right = ok(office, "doctor", as_="zhoulx", env=_signing(key))
    assert "✓ signing key" in right.stdout


def _signing(key: Path) -> dict[str, str]:
    return {
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "gpg.format",
        "GIT_CONFIG_VALUE_0": "ssh",
        "GIT_CONFIG_KEY_1": "user.signingkey",
        "GIT_CONFIG_VALUE_1": f"{key}.pub",
    }


def test_doctor_outside_an_office_checks_the_machine_only(tmp_path: Path):
    where = Office(tmp_path)
    result = ok(where, "doctor", as_="dumy")
    assert "on the roster" not in result.stdout
    assert "not inside an office" in result.stderr
    assert "holiday calendar" in result.stdout


def complete(office: Office, *words: str) -> list[str]:
    env = {
        **os.environ,
        "_DANGWU_COMPLETE": "complete_bash",
        "COMP_WORDS": " ".join(["dangwu", *words]),
        "COMP_CWORD": str(len(words)),
        "DANGWU_LANG": "en",
    }
    done = subprocess.run(
        [sys.executable, "-m", "dangwu"],
        capture_output=True,
        text=True,
        env=env,
        cwd=office.root,
        check=False,
        timeout=60,
    )
    return done.stdout.split()


def test_the_shell_completes_record_ids_roster_keys_and_report_numbers(office: Office):
    first = office.new(now=at(1))
    second = office.new(
        "--summary",
        "摘要",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="规定",
        now=at(1),
    )
    ok(office, "submit", second, now=at(1, 11))
    ok(office, "approve", second, as_="zhoulx", now=at(2))
    ok(office, "publish", second, now=at(3))
    ok(office, "report", "new", "--about", second, "--text", "反映", now=at(4))
    assert complete(office, "show", "ZZ") == [first]
    assert set(complete(office, "show", "")) == {first, second}
    # a step offers only the records it can take: the published one is not submitted
    assert complete(office, "submit", "") == [first]
    assert complete(office, "withdraw", "") == [second]
    assert complete(office, "approve", "") == []
    assert complete(office, "decide", first, "--attendee", "zh") == ["zhoulx", "zhenggq"]
    assert complete(office, "report", "show", "1") == ["101"]
    assert complete(office, "new", "zu") == ["zuzhi-jianshe", "zuofeng-jianshe"]
    # outside an office there is nothing to offer, and nothing breaks
    assert complete(Office(office.root.parent), "show", "ZZ") == []
