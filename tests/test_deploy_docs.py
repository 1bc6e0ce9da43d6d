"""docs/deploy.md and docs/deploy.zh-CN.md: the walk was run on a whole machine (accounts,
system sshd, nginx), which a test cannot redo; what it can keep true is that every
dangwu command the guides show is one dangwu takes (its command and options exist), and
that the two guides show the same commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main

from dangwu.cli import app

DOCS = Path(__file__).resolve().parent.parent / "docs"
GUIDES = ("deploy.md", "deploy.zh-CN.md")
# "$ dangwu ...", "# /opt/dangwu/bin/dangwu ...": a person's or root's command
SHOWN = re.compile(r"^[$#] (?:\S*/)?dangwu (.+)$")


def commands(guide: str) -> list[tuple[int, str]]:
    found, inside = [], False
    for number, line in enumerate((DOCS / guide).read_text("utf-8").splitlines(), 1):
        if line.startswith("```"):
            inside = line.strip() == "```console"
            continue
        shown = SHOWN.match(line) if inside else None
        if shown:
            found.append((number, shown.group(1).split(" > ")[0].split(" && ")[0]))
    return found


def parse(command: Any, args: list[str], parent: Any = None) -> None:
    """What Typer's click does with ``args`` up to running the command: an unknown
    command or option, or a missing value, raises its UsageError."""
    ctx = command.make_context(command.name or "dangwu", args, parent=parent)
    if hasattr(command, "resolve_command"):
        rest = [*ctx._protected_args, *ctx.args]
        _name, sub, rest = command.resolve_command(ctx, rest)
        assert sub is not None
        parse(sub, rest, ctx)


@pytest.mark.parametrize("guide", GUIDES)
def test_every_dangwu_command_the_guide_shows_is_one_dangwu_takes(guide: str):
    shown = commands(guide)
    assert len(shown) >= 15, shown
    cli = typer.main.get_command(app)
    for number, command in shown:
        try:
            parse(cli, shlex.split(command))
        except Exception as exc:  # click's UsageError, vendored by Typer
            why = exc.format_message() if hasattr(exc, "format_message") else repr(exc)
            pytest.fail(f"docs/{guide}:{number}: dangwu {command}: {why}")


def test_both_guides_show_the_same_commands():
    english, chinese = ([c for _n, c in commands(g)] for g in GUIDES)
    # the Chinese walk fixes the hook's language where the English one leaves it be
    assert [c.replace(" --lang zh_CN", "") for c in chinese] == english
