"""Write the command reference from the CLI itself, so it cannot drift.

    DANGWU_LANG=en python tools/cli_reference.py > docs/cli.md
    DANGWU_LANG=zh_CN python tools/cli_reference.py > docs/cli.zh-CN.md

tests/test_cli_reference.py regenerates both and compares. Help texts are written
when the CLI is built, so the language is chosen by DANGWU_LANG before importing it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

WIDTH = 100


def commands(group: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    from typer.core import TyperGroup

    for name in group.list_commands(None):
        command = group.get_command(None, name)
        if command is None or getattr(command, "hidden", False):
            continue
        yield [*path, name], command
        if isinstance(command, TyperGroup):
            yield from commands(command, [*path, name])


def reference() -> str:
    import typer.main
    from typer._click.core import Context

    from dangwu.cli import app
    from dangwu.i18n import _, language

    root = typer.main.get_command(app)
    zh = language() == "zh_CN"
    title = "# dangwu 命令参考" if zh else "# dangwu command reference"
    note = (
        "由 `tools/cli_reference.py` 根据命令行程序本身生成，请勿手工修改。"
        if zh
        else "Generated from the CLI by `tools/cli_reference.py`; do not edit by hand."
    )
    parts = [title, "", note, ""]
    top = Context(root, info_name="dangwu", max_content_width=WIDTH, terminal_width=WIDTH)
    parts += ["```text", root.get_help(top).rstrip(), "```", ""]
    for path, command in commands(root, []):
        parent = Context(root, info_name="dangwu", max_content_width=WIDTH, terminal_width=WIDTH)
        for name in path[:-1]:
            group = parent.command.get_command(parent, name)  # type: ignore[attr-defined]
            parent = Context(group, info_name=name, parent=parent, max_content_width=WIDTH)
        ctx = Context(
            command,
            info_name=path[-1],
            parent=parent,
            max_content_width=WIDTH,
            terminal_width=WIDTH,
        )
        parts += [
            f"## dangwu {' '.join(path)}",
            "",
            "```text",
            command.get_help(ctx).rstrip(),
            "```",
            "",
        ]
    del _
    return "\n".join(parts)


if __name__ == "__main__":
    os.environ.setdefault("DANGWU_LANG", "en")
    os.environ["COLUMNS"] = str(WIDTH)
    sys.stdout.write(reference())
