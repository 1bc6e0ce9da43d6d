"""The office repository, its settings and roster; who may act."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PEOPLE, Office, commit_as, git


def test_init_creates_a_repository_with_one_commit_by_the_actor(tmp_path):
    office = Office(tmp_path)
    result = office.run(
        "init", "new-office", "--unit", "江城市司法局", as_="linht", now="2026-01-05T09:00:00+08:00"
    )
    assert result.exit_code == 0, result.output
    root = tmp_path / "new-office"
    assert (root / "dangwu.yaml").is_file()
    log = git(root, "log", "--format=%an|%ae|%cn|%ce|%aI|%s")
    assert log == (
        "林海涛|linht@example.org|林海涛|linht@example.org|"
        "2026-01-05T09:00:00+08:00|init: 江城市司法局"
    )
    assert git(root, "status", "--porcelain") == ""
    roster = json.loads(Office(root).run("roster", "list", "--json").stdout)
    # a new office requires signing: the office head's key is made and listed at once
    key = Path(os.environ["HOME"]) / ".ssh" / "dangwu_linht"
    public = key.with_name("dangwu_linht.pub").read_text().split()
    assert roster == [
        {
            "key": "linht",
            "name": "林海涛",
            "title": None,
            "email": "linht@example.org",
            "roles": ["office-head"],
            "signing_key": " ".join(public[:2]),
            "account": None,
            "id_block": 1,
            "term_start": None,
            "term_end": None,
        }
    ]
    assert git(root, "config", "--local", "user.signingkey") == str(key)
    trailers = git(root, "log", "-1", "--format=%(trailers:key=Dangwu-Step,valueonly)")
    assert trailers == "init"


def test_init_in_an_existing_repository_keeps_its_history(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README").write_text("notes\n")
    commit_as(tmp_path, "linht", "first", "README")
    (tmp_path / "scratch.txt").write_text("unstaged\n")
    result = Office(tmp_path).run("init", ".", "--unit", "江城市司法局", as_="linht")
    assert result.exit_code == 0, result.output
    assert len(git(tmp_path, "log", "--format=%H").splitlines()) == 2
    assert git(tmp_path, "status", "--porcelain") == "?? scratch.txt"


def test_init_refuses_an_existing_office(office):
    before = office.state()
    result = office.run("init", ".", "--unit", "x", as_="linht")
    assert result.exit_code == 1
    assert "already an office repository" in result.output
    assert office.state() == before


def test_init_without_git_identity_is_refused(tmp_path):
    result = Office(tmp_path).run("init", "o", "--unit", "江城市司法局", as_=None)
    assert result.exit_code == 1
    assert "git does not know who you are" in result.output
    assert "git config --global user.email" in result.output
    assert not (tmp_path / "o").exists(), "an empty repository is left for the next try"
    # in a folder of the user's own, the folder stays as it was
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x", "utf-8")
    result = Office(tmp_path).run("init", "mine", "--unit", "江城市司法局", as_=None)
    assert result.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


def test_init_needs_a_unit(tmp_path):
    result = Office(tmp_path).run("init", "o", as_="linht")
    assert result.exit_code == 2
    assert "--unit" in result.output


def test_init_inside_another_repository_is_refused(office):
    result = office.run("init", "records/sub", "--unit", "x", as_="linht")
    assert result.exit_code == 2
    assert "inside the git repository" in result.output


def test_init_beside_the_office_from_inside_it(office):
    """../sibling is beside the office, not inside it: the path is read as meant."""
    result = office.run("init", "../sibling", "--unit", "x", "--no-signing", as_="linht")
    assert result.exit_code == 0, result.output
    assert (office.root.parent / "sibling" / "dangwu.yaml").is_file()
    assert not (office.root / ".." / "sibling").resolve().is_relative_to(office.root)


def _init(tmp_path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    from conftest import dangwu_process

    ours = {"LANG": "C.UTF-8", **identity(), **env}
    return dangwu_process(
        "init",
        *args,
        "--unit",
        "测试局",
        "--no-signing",
        cwd=tmp_path,
        env=ours,
        drop=("LANG", "LC_", "DANGWU_"),
    )


def identity() -> dict[str, str]:
    name, email = PEOPLE["linht"]
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}


@pytest.mark.parametrize(
    ("args", "env", "language"),
    [
        (("--lang", "中文"), {}, "zh_CN"),  # a machine with no Chinese locale
        (("--lang", "zh"), {}, "zh_CN"),
        (("--lang", "en"), {"DANGWU_LANG": "zh_CN"}, "en"),
        ((), {"DANGWU_LANG": "zh_CN"}, "zh_CN"),  # the language spoken to its founder
        ((), {"DANGWU_LANG": "cn"}, "zh_CN"),
        ((), {}, "en"),
    ],
)
def test_init_writes_the_offices_language_and_speaks_it(tmp_path, args, env, language):
    from lang import english_left

    made = _init(tmp_path, "office", *args, env=env)
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "office" / "dangwu.yaml").read_text("utf-8")
    assert f"\nlanguage: {language}\n" in text, text
    comments = "\n".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
    if language == "zh_CN":
        assert english_left(comments, {"seed", "dangwu", "sync", "working", "calendar"}) == []
    else:
        assert "comment window of a pre-disclosure" in comments
    # the founder hears their DANGWU_LANG if they set one, else the office's language
    spoken = "en" if env.get("DANGWU_LANG") == "en" else env.get("DANGWU_LANG") or language
    chinese = spoken in ("zh_CN", "cn")
    assert ("已在" in made.stdout) == chinese and ("Created" in made.stdout) != chinese
    # a colleague with another locale hears the office's language
    listed = subprocess.run(
        [sys.executable, "-m", "dangwu", "list"],
        cwd=tmp_path / "office",
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("DANGWU_")}
        | {"LANG": "en_US.UTF-8" if language == "zh_CN" else "zh_CN.UTF-8"},
        check=False,
    )
    assert ("尚无公开记录" in listed.stdout) == (language == "zh_CN"), listed.stdout


def test_a_language_dangwu_does_not_speak_is_refused_or_ignored(tmp_path):
    refused = _init(tmp_path, "one", "--lang", "klingon", env={})
    assert refused.returncode == 2
    assert "--lang: 'klingon' is not one of zh_CN (中文), en (英文)" in refused.stderr
    assert not (tmp_path / "one").exists()
    ignored = _init(tmp_path, "two", "--lang", "zh_CN", env={"DANGWU_LANG": "klingon"})
    assert ignored.returncode == 0, ignored.stderr
    assert "DANGWU_LANG=klingon is not a language dangwu speaks" in ignored.stderr
    assert "已在" in ignored.stdout


def test_roster_add_is_one_commit_by_the_office_head(office):
    before = office.commits()
    result = office.run(
        "roster",
        "add",
        "liuxm",
        "--name",
        "刘晓敏",
        "--email",
        "liuxm@example.org",
        "--role",
        "clerk",
        "--title",
        "科员",
        as_="linht",
    )
    assert result.exit_code == 0, result.output
    assert "numbered from 401" in result.stdout  # blocks 1-3 are taken in the sample
    assert len(office.commits()) == len(before) + 1
    assert office.git("log", "-1", "--format=%ae %s") == (
        "linht@example.org roster add: liuxm 刘晓敏 (clerk)"
    )
    assert office.git("show", "--name-only", "--format=", "HEAD") == "dangwu.yaml"
    text = office.read("dangwu.yaml")
    assert "# 党务公开领导小组及其办公室 [seed 六]" in text  # comments survive
    assert (
        "  liuxm:\n    name: 刘晓敏\n    title: 科员\n    email: liuxm@example.org\n"
        "    roles: [clerk]\n    id_block: 4\n" in text
    )


def test_leader_may_change_the_roster(office):
    result = office.run(
        "roster",
        "add",
        "sup3",
        "--name",
        "监督员三",
        "--email",
        "sup3@example.org",
        "--role",
        "supervisor",
        as_="hanzg",
    )
    assert result.exit_code == 0, result.output


def test_clerk_may_not_change_the_roster(office):
    before = office.state()
    result = office.run(
        "roster",
        "add",
        "x",
        "--name",
        "某",
        "--email",
        "x@example.org",
        "--role",
        "leader",
        as_="dumy",
    )
    assert result.exit_code == 1
    assert "杜明远 (dumy) may not change the roster" in result.output
    assert "leader, office deputy or office head" in result.output
    assert office.state() == before


def test_someone_not_on_the_roster_is_refused(office):
    before = office.state()
    result = office.run("roster", "remove", "dumy", as_="stranger")
    assert result.exit_code == 1
    assert "stranger@example.org is not on the roster of 江城市司法局" in result.output
    assert "dangwu roster add" in result.output
    assert office.state() == before


def test_missing_identity_is_refused_with_the_fix(office):
    before = office.state()
    result = office.run("roster", "remove", "dumy", as_=None)
    assert result.exit_code == 1
    assert "no user.email is set" in result.output
    assert office.state() == before


def test_who_acts_is_who_git_would_commit_as(office, monkeypatch):
    """GIT_AUTHOR_* first, then user.* config (its last value, as git commit takes
    it), then EMAIL: one git process reads both names."""
    from dangwu.store.gitstore import GitStore

    def who() -> tuple[str | None, str]:
        with GitStore(office.root, office.root / ".git" / "dangwu") as git:
            found = git.identity()
        return found.name, found.email

    monkeypatch.setenv("EMAIL", "fallback@example.org")
    assert who() == (None, "fallback@example.org")
    office.git("config", "user.email", "first@example.org")
    office.git("config", "--add", "user.email", "linht@example.org")
    office.git("config", "user.name", "林海涛")
    assert who() == ("林海涛", "linht@example.org")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "hanzg@example.org")
    assert who() == ("林海涛", "hanzg@example.org")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "韩振国")
    assert who() == ("韩振国", "hanzg@example.org")


def test_identity_from_git_config_is_honoured(office):
    office.git("config", "user.email", "linht@example.org")
    office.git("config", "user.name", "林海涛")
    result = office.run("roster", "remove", "chensh", as_=None)
    assert result.exit_code == 0, result.output
    assert office.git("log", "-1", "--format=%an %ae") == "林海涛 linht@example.org"


def test_uncommitted_roster_edits_grant_nothing(office):
    text = office.read("dangwu.yaml").replace("roles: [clerk]", "roles: [clerk, leader]")
    office.write("dangwu.yaml", text)
    result = office.run("roster", "remove", "chensh", as_="dumy")
    assert result.exit_code == 1
    assert "may not change the roster" in result.output


def test_roster_add_refuses_duplicates_and_bad_values(office):
    before = office.state()
    cases = [
        (
            ["dumy", "--name", "x", "--email", "new@example.org", "--role", "clerk"],
            1,
            "'dumy' is already on the roster",
        ),
        (
            ["newp", "--name", "x", "--email", "DUMY@example.org", "--role", "clerk"],
            1,
            "already belongs to 'dumy'",
        ),
        (
            ["Bad Key", "--name", "x", "--email", "b@example.org", "--role", "clerk"],
            2,
            "not a valid roster key",
        ),
        (
            ["newp", "--name", "x", "--email", "b@example.org", "--role", "clerck"],
            2,
            "did you mean 'clerk (办公室工作人员)'?",
        ),
        (
            ["newp", "--name", "x", "--email", "not-an-email", "--role", "clerk"],
            2,
            "not an email address",
        ),
        (
            [
                "newp",
                "--name",
                "x",
                "--email",
                "b@example.org",
                "--role",
                "clerk",
                "--signing-key",
                "hello",
            ],
            2,
            "neither an SSH public key",
        ),
    ]
    new_clerk = ["newp", "--name", "x", "--email", "b@example.org", "--role", "clerk"]
    real = "AAAAC3NzaC1lZDI1NTE5AAAAIH1rXyJ0ZXN0IGtleSBmb3IgZGFuZ3d1IHRlc3Rz"
    cases += [
        # looks like a key, but git could never check a signature with it
        ([*new_clerk, "--signing-key", "ssh-ed25519 AAAAgarbage"], 2, "not a key of that type"),
        ([*new_clerk, "--signing-key", f"ssh-rsa {real}"], 2, "not a key of that type"),
        ([*new_clerk, "--signing-key", "/nonexistent/k.pub"], 2, "no such signing key file"),
    ]
    for args, code, message in cases:
        result = office.run("roster", "add", *args, as_="linht")
        assert result.exit_code == code, (args, result.output)
        assert message in result.output, (args, result.output)
    assert office.state() == before


def test_a_signing_key_written_by_hand_that_git_could_never_check_is_refused(office):
    from plaingit import edit_settings

    edit_settings(office, lambda d: d["roster"]["dumy"].__setitem__("signing_key", "ssh-rsa AAAAx"))
    lines = office.read("dangwu.yaml").splitlines()
    line = next(n for n, t in enumerate(lines, 1) if t.endswith("signing_key: ssh-rsa AAAAx"))
    col = lines[line - 1].index("ssh-rsa") + 1
    said = office.run("validate")
    assert said.exit_code == 1
    found = f"dangwu.yaml:{line}:{col}: roster.dumy.signing_key: neither a GPG key id"
    assert found in said.stdout, said.output


def test_two_people_may_not_share_a_signing_key(office):
    from plaingit import edit_settings

    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH1rXyJ0ZXN0IGtleSBmb3IgZGFuZ3d1IHRlc3Rz"

    def share(data) -> None:
        data["roster"]["hanzg"]["signing_key"] = key
        data["roster"]["hexy"]["signing_key"] = key

    edit_settings(office, share)
    said = office.run("validate")
    assert said.exit_code == 1
    assert "roster.hexy.signing_key: the same key as 'hanzg''s" in said.stdout, said.output


def test_roster_add_reads_a_signing_key_file(office, tmp_path):
    key = tmp_path / "k"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    result = office.run(
        "roster",
        "add",
        "newp",
        "--name",
        "新人",
        "--email",
        "n@example.org",
        "--role",
        "member",
        "--signing-key",
        str(key) + ".pub",
        as_="linht",
    )
    assert result.exit_code == 0, result.output
    public = (tmp_path / "k.pub").read_text().strip()
    assert f"signing_key: {public}" in office.read("dangwu.yaml")


def test_roster_remove_keeps_the_last_roster_keeper(office_factory):
    office = office_factory()
    for key in ("hexy", "hanzg"):
        assert office.run("roster", "remove", key, as_="linht").exit_code == 0
    before = office.state()
    result = office.run("roster", "remove", "linht", as_="linht")
    assert result.exit_code == 1
    assert "last person who may change the roster" in result.output
    assert office.state() == before


def test_roster_remove_unknown_key_suggests(office):
    result = office.run("roster", "remove", "dumyy", as_="linht")
    assert result.exit_code == 1
    assert "did you mean 'dumy'?" in result.output


def test_roster_list_shows_everyone(office):
    result = office.run("roster", "list")
    assert result.exit_code == 0
    for key, (name, _email) in PEOPLE.items():
        assert key in result.stdout and name in result.stdout


def test_office_is_found_from_a_subfolder_and_with_C(office, tmp_path):
    from typer.testing import CliRunner

    from dangwu.cli import app

    sub = office.root / "records"
    sub.mkdir()
    runner = CliRunner()
    import os

    old = os.getcwd()
    try:
        os.chdir(sub)
        assert runner.invoke(app, ["roster", "list", "--json"]).exit_code == 0
        os.chdir(tmp_path)
        assert runner.invoke(app, ["roster", "list"]).exit_code == 1
        assert runner.invoke(app, ["-C", str(office.root), "roster", "list"]).exit_code == 0
        result = runner.invoke(app, ["roster", "list"], env={"DANGWU_REPO": str(office.root)})
        assert result.exit_code == 0
    finally:
        os.chdir(old)


def test_not_an_office_says_how_to_make_one(tmp_path):
    result = Office(tmp_path).run("list")
    assert result.exit_code == 1
    assert "no dangwu.yaml here or in any parent folder" in result.output
    assert "dangwu init" in result.output


def test_roster_change_refused_while_dangwu_yaml_has_local_edits(office):
    office.write("dangwu.yaml", office.read("dangwu.yaml") + "# my note\n")
    before = office.state()
    result = office.run("roster", "remove", "chensh", as_="linht")
    assert result.exit_code == 1
    assert "dangwu.yaml has uncommitted changes (modified)" in result.output
    assert office.state() == before


def test_settings_checked_once_are_kept_until_their_text_or_schema_changes(tmp_path):
    """A process that takes many steps checks dangwu.yaml once: the same text under
    the same schema is the same Settings. An office's own schema, changed, judges
    the text again; a refusal is never kept."""
    from dangwu.check.settings import parse_settings
    from dangwu.errors import InvalidFiles

    text = (
        "unit: 测试单位\nroster:\n  li:\n"
        "    name: 李四\n    email: li@example.org\n    roles: [leader]\n"
    )
    first = parse_settings(text, office_root=tmp_path)
    assert parse_settings(text, office_root=tmp_path) is first

    schemas = tmp_path / "schemas"
    schemas.mkdir()
    shipped = Path(__file__).parent.parent / "schemas" / "office.schema.yaml"
    own = schemas / "office.schema.yaml"
    own.write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    second = parse_settings(text, office_root=tmp_path)
    assert second is not first and second == first

    # the office narrows its schema: the unit's name may be at most two characters
    narrowed = shipped.read_text(encoding="utf-8").replace(
        "    minLength: 1\n    maxLength: 100\n", "    minLength: 1\n    maxLength: 2\n", 1
    )
    assert narrowed != shipped.read_text(encoding="utf-8")
    own.write_text(narrowed, encoding="utf-8")
    os.utime(own, ns=(own.stat().st_atime_ns, own.stat().st_mtime_ns + 10**9))
    for _ in range(2):  # said again, not remembered as an answer
        with pytest.raises(InvalidFiles) as refused:
            parse_settings(text, office_root=tmp_path)
        assert refused.value.problems[0].path == "dangwu.yaml"
