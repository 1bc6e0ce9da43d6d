"""The command reference is generated from the CLI and checked here, so it cannot
drift; every command has help, and every command that acts has an example."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = {"en": ROOT / "docs" / "cli.md", "zh_CN": ROOT / "docs" / "cli.zh-CN.md"}
EXAMPLE = {"en": "Example: dangwu ", "zh_CN": "示例：dangwu "}


def generate(lang: str) -> str:
    env = {**os.environ, "DANGWU_LANG": lang, "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "cli_reference.py")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    return done.stdout


@pytest.fixture(scope="module", params=sorted(REFERENCES))
def reference(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param, generate(request.param)


def test_the_checked_in_reference_is_what_the_cli_says(reference: tuple[str, str]):
    lang, text = reference
    path = REFERENCES[lang]
    if os.environ.get("DANGWU_UPDATE_REFERENCE"):
        path.write_text(text, "utf-8")
    assert path.read_text("utf-8") == text, (
        f"{path.name} is out of date: DANGWU_UPDATE_REFERENCE=1 python -m pytest "
        "tests/test_cli_reference.py"
    )


def sections(text: str) -> dict[str, str]:
    found = {}
    for chunk in text.split("\n## ")[1:]:
        title, _sep, body = chunk.partition("\n")
        found[title.strip()] = body
    return found


GROUPS = {
    "dangwu roster",
    "dangwu feedback",
    "dangwu report",
    "dangwu request",
    "dangwu remote",
    "dangwu hook",
    "dangwu site",
    "dangwu portal",
    "dangwu meeting",
}


def test_every_command_has_help_and_every_action_an_example(reference: tuple[str, str]):
    lang, text = reference
    found = sections(text)
    assert len(found) > 35, sorted(found)
    for title, body in found.items():
        description = body.split("\n\n", 2)[1] if "\n\n" in body else ""
        assert description.strip(), f"{title} has no help text"
        if title not in GROUPS:
            assert EXAMPLE[lang] in body, f"{title} has no example"


def test_the_chinese_reference_has_no_english_left_but_identifiers():
    from lang import english_left

    text = generate("zh_CN")
    commands = {title.split()[-1] for title in sections(text)}
    # argument names Typer prints, roster keys in examples, a folder in an example,
    # ".pub", and the slug 'office-deputy' where the help is wrapped
    identifiers = {"directory", "paths", "key", "sunhm", "qianwb", "CODE", "office", "pub"}
    identifiers |= {"deputy", "zh_CN", "shell", "list", "add", "remove", "new", "show"}
    # hook install --server KIND: the kinds of git server, named as the option takes them
    identifiers |= {"KIND", "gitolite", "http", "gitea", "gitlab", "disk"}
    # and the products' own names
    identifiers |= {"Gitea", "Forgejo", "GitLab"}
    # a feed format and a key, named as people see them
    identifiers |= {"Atom", "Ctrl-C"}
    # portal build OFFICE...: the repositories, named as the usage line shows them
    identifiers |= {"OFFICE"}
    # circular, manuscript and ledger --format docx|txt|csv: the file formats, as files
    # are named
    identifiers |= {"DOCX", "docx", "txt", "CSV", "csv", "SHA"}
    identifiers |= {"adopted", "partly", "declined"}  # --outcome's codes, beside their 中文
    identifiers |= {"audiences"}  # the dangwu.yaml key --audience names
    # meeting new --kind KIND, as the option takes it, and roster keys in its examples
    identifiers |= {"disclosure", "leading", "group", "supervisors", "briefing"}
    identifiers |= {"hanzg", "zhoulx"}
    assert english_left(text, commands | identifiers) == []
