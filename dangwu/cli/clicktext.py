"""Typer's own words (usage lines, help headings, usage errors) in the user's language.

Typer 0.28 vendors click without gettext: its usage errors are English f-strings,
and only a few help headings go through the standard library's gettext. This module
routes those headings through dangwu's catalogue and rewrites the usage errors by
their (stable) English patterns, as far as Typer allows.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from dangwu import i18n
from dangwu.i18n import N_, _

# the strings Typer passes through gettext, and click's built-in help line
N_("Arguments")
N_("Options")
N_("Commands")
N_("required")
N_("default: {default}")
N_("env var: {var}")
N_("(dynamic)")
N_("Show this message and exit.")
N_("Aborted!")
# Typer's own options of the root command, for shell completion
COMPLETION_HELP = {
    "install_completion": N_("Install completion for the current shell."),
    "show_completion": N_(
        "Show completion for the current shell, to copy it or customize the installation."
    ),
}


def translate_params(params: list[Any]) -> list[Any]:
    """The root command's parameters, Typer's completion options said in the user's
    language (and what --install-completion answers)."""
    for param in params:
        english = COMPLETION_HELP.get(getattr(param, "name", "") or "")
        if english is not None:
            param.help = _(english)
        if getattr(param, "name", "") == "install_completion":
            param.callback = _install_completion
    return params


def _install_completion(ctx: Any, param: Any, value: Any) -> Any:
    """Typer's --install-completion, answering in the user's language."""
    if not value or ctx.resilient_parsing:
        return value
    import os
    from pathlib import PurePath

    from typer._completion_shared import _get_shell_name, install

    shells = ("bash", "zsh", "fish", "powershell", "pwsh")
    shell = value if isinstance(value, str) else None
    if shell is None:  # the shell running dangwu, else the user's login shell
        found = _get_shell_name()
        login = PurePath(os.environ.get("SHELL", "")).name
        shell = found if found in shells else login if login in shells else None
    if shell not in shells:
        print(
            _("error: cannot tell which shell this is; name it: {example}").format(
                example="dangwu --install-completion bash"
            ),
            file=sys.stderr,
        )
        sys.exit(1)
    shell, path = install(shell=shell)
    print(_("completion for {shell} installed in {path}").format(shell=shell, path=path))
    print(_("it works in a new terminal window (or after: source {path})").format(path=path))
    sys.exit(0)


# what an option's value is, in its help line, by click's name of its type (click
# would show "<str>", "<path>")
VALUE_NAMES = {
    "str": N_("TEXT"),
    "text": N_("TEXT"),
    "path": N_("PATH"),
    "int": N_("N"),
    "integer": N_("N"),
    "filename": N_("FILE"),
}


def name_usage(command: Any) -> None:
    """The usage line's words in the user's language: ``dangwu new [选项] [category]``."""
    command.options_metavar = _("[OPTIONS]")
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = _("COMMAND [ARGS]...")


def name_values(command: Any) -> None:
    """Name the value of every option of ``command`` (and of a group's commands) that
    its declaration leaves unnamed, in the user's language: ``--title TEXT``."""
    name_usage(command)
    for sub in getattr(command, "commands", {}).values():
        name_values(sub)
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") != "option" or param.metavar is not None:
            continue
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        english = VALUE_NAMES.get(getattr(param.type, "name", ""))
        if english is not None:
            param.metavar = _(english)


def chinese(text: str) -> bool:
    """Whether ``text`` holds a Chinese character (then it is Chinese). A loop, not a
    regular expression: compiling ``[\u4e00-\u9fff]`` takes a millisecond of start-up."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# click's usage errors, by their English shape -> a message of our catalogue (patterns
# compiled when an error is said, not at every start-up)
_ERRORS: list[tuple[str, str]] = [
    (r"^Missing option '(?P<name>[^']+)'\.?$", N_("missing option '{name}'")),
    (r"^Missing argument '(?P<name>[^']+)'\.?$", N_("missing argument '{name}'")),
    (r"^Missing parameter: (?P<name>.+)$", N_("missing {name}")),
    (
        r"^No such option: (?P<name>\S+)(?: \(Possible options: (?P<close>.+)\))?$",
        N_("no such option: '{name}'"),
    ),
    (
        r"^No such command '(?P<name>[^']+)'\.?(?: Did you mean (?P<close>.+)\?)?$",
        N_("no such command: '{name}'"),
    ),
    (
        r"^Got unexpected extra arguments?(?:\(s\))? \((?P<name>.+)\)$",
        N_("unexpected extra argument: '{name}'"),
    ),
    (
        r"^Option '(?P<name>[^']+)' requires an argument\.?$",
        N_("option '{name}' needs a value"),
    ),
    (
        r"^Invalid value for '(?P<name>[^']+)': '(?P<value>.*)' is not a valid int(?:eger)?\.?$",
        N_("{name}: '{value}' is not a whole number"),
    ),
    (
        r"^Invalid value for '(?P<name>[^']+)': (?P<value>.*)$",
        N_("{name}: invalid value: {value}"),
    ),
]
N_("did you mean {close}?")


def translate_error(message: str) -> str:
    """A click usage error in the user's language (unchanged when not known)."""
    for pattern, template in _ERRORS:
        found = re.match(pattern, message.strip())
        if found:
            fields = {k: v for k, v in found.groupdict().items() if v is not None}
            text = _(template).format(**{"name": "", "value": "", **fields})
            if fields.get("close"):
                close = _("did you mean {close}?").format(close=fields["close"])
                text += _(" ({hint})").format(hint=close)
            return text
    return message


def show_usage_error(error: Any) -> None:
    """What click's UsageError.show() prints, in the user's language."""
    from dangwu.cli import output

    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        print(ctx.get_usage(), file=sys.stderr)
        command = ctx.command_path
        print(_("Try '{command} -h' for help.").format(command=command), file=sys.stderr)
        print("", file=sys.stderr)
    print(
        output.labelled(_("error:"), translate_error(error.format_message()), "red"),
        file=sys.stderr,
    )


def install() -> None:
    """Route Typer's help words through dangwu's catalogue (once, at start-up)."""
    import typer.core
    from typer._click import core as click_core
    from typer._click import formatting

    # (typer.rich_utils is never used: the app has no rich markup, and importing it
    # would load rich's markdown and traceback machinery, 60 ms at every start)
    typer.core._ = _  # type: ignore[attr-defined]

    write_usage: Callable[..., None] = formatting.HelpFormatter.write_usage

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = usage  # type: ignore[method-assign]

    def write_heading(self: Any, heading: str) -> None:
        """A help heading: "Options:", or "选项：" with a Chinese colon."""
        colon = "：" if chinese(heading) else ":"
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    formatting.HelpFormatter.write_heading = write_heading  # type: ignore[method-assign]
    help_option: Callable[..., Any] = click_core.Command.get_help_option

    def translated_help(self: Any, ctx: Any) -> Any:
        option = help_option(self, ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    click_core.Command.get_help_option = translated_help  # type: ignore[method-assign]
    english_short_help: Callable[..., str] = vars(click_core)["make_default_short_help"]

    def short_help(help: str, max_length: int = 45) -> str:
        """The first sentence of a help text, as wide as the terminal allows; click
        counts words by spaces, which Chinese has none of, and characters as one
        column, where a Chinese one takes two."""
        from dangwu.cli.output import width

        first = help.split("\n\n", 1)[0].strip()
        if not chinese(first):
            return english_short_help(help, max_length)
        first = first.split("。", 1)[0] + "。" if "。" in first else first
        for stop in "。；：":
            if width(first) <= max_length:
                break
            if stop in first[:-1]:
                first = first[: first.index(stop) + (1 if stop == "。" else 0)]
        if width(first) <= max_length:
            return first
        kept = used = 0  # the longest start (not the last two characters) with "…" that fits
        for char in first[:-2]:
            used += width(char)
            if used + 1 > max_length:
                break
            kept += 1
        return first[:kept] + "…"

    vars(click_core)["make_default_short_help"] = short_help


N_("Usage: ")


# --- help text in a terminal: Chinese takes two columns, and breaks between characters


_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes (as ``i18n.columns`` counts them), its
    colour codes none, as click's own measure leaves them out."""
    return i18n.columns(_COLOUR.sub("", text) if "\x1b" in text else text)


# a line may not start with these, nor end with the opening ones (中文排版的禁则)
_NO_START = set("，。、；：？！）》」』】〉”’…—·%")
_NO_END = set("（《「『【〈“‘")


def _pieces(chunk: str) -> list[str]:
    """A chunk of text as the pieces a line may break between: each Chinese character
    alone, with the punctuation that must not start or end a line kept at its side."""
    if not chinese(chunk) and not any(c in _NO_START or c in _NO_END for c in chunk):
        return [chunk]
    pieces: list[str] = []
    glued = False  # the last piece ends in an opening sign: the next char joins it
    for char in chunk:
        wide = columns(char) == 2
        if pieces and (glued or char in _NO_START or (not wide and columns(pieces[-1][-1]) == 1)):
            pieces[-1] += char
        else:
            pieces.append(char)
        glued = char in _NO_END
    return pieces


def install_wrapping() -> None:
    """Make click wrap help text by terminal columns, between Chinese characters, and
    never at a hyphen (``follow-up`` is one word)."""
    import textwrap

    from typer._click import _textwrap, formatting

    class Wrapper(_textwrap.TextWrapper):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["break_on_hyphens"] = False
            super().__init__(*args, **kwargs)

        def _split(self, text: str) -> list[str]:
            return [p for chunk in super()._split(text) for p in _pieces(chunk)]

        def _wrap_chunks(self, chunks: list[str]) -> list[str]:
            lines: list[str] = []
            chunks.reverse()
            while chunks:
                indent = self.subsequent_indent if lines else self.initial_indent
                width = self.width - columns(indent)
                if self.drop_whitespace and chunks[-1].strip() == "" and lines:
                    del chunks[-1]
                line: list[str] = []
                used = 0
                while chunks and used + columns(chunks[-1]) <= width:
                    used += columns(chunks[-1])
                    line.append(chunks.pop())
                if chunks and not line:  # one word wider than the line: it goes alone
                    line.append(chunks.pop())
                if self.drop_whitespace and line and line[-1].strip() == "":
                    del line[-1]
                if line:
                    lines.append(indent + "".join(line))
            return lines

    assert issubclass(Wrapper, textwrap.TextWrapper)
    # click takes its wrapper and its measure of text from these two names
    setattr(_textwrap, "TextWrapper", Wrapper)  # noqa: B010
    setattr(formatting, "term_len", columns)  # noqa: B010
