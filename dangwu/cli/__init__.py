"""The face of dangwu: a Typer app made of small command groups.

Commands parse options, call one core function and render what it returns.
The one error boundary is :class:`_Group.invoke`: a DangwuError becomes its
message and exit code; anything else is a bug, shown with its traceback only
under ``--debug``.
"""

from __future__ import annotations

import copy
import inspect
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.models import CommandInfo

from dangwu import __version__
from dangwu.cli import clicktext, output
from dangwu.errors import DangwuError, ExitCode
from dangwu.i18n import _, known_language, os_reason


class _Group(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        from typer._click.exceptions import ClickException

        before = len(output.made())  # one command's commits (a test runs many in one process)
        try:
            return super().invoke(ctx)
        except DangwuError as error:
            output.error(error)
            raise typer.Exit(error.exit_code) from None
        except (ClickException, typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            changed = output.what_changed(since=before)
            output.plain_error(_("interrupted; {changed}").format(changed=changed))
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None
        except OSError as exc:
            if exc.filename is None:  # not a file the system refused: a bug
                output.bug(exc, debug=bool(ctx.obj and ctx.obj.get("debug")), since=before)
                raise typer.Exit(3) from None
            # a file or folder the user named, or their system, would not be used
            output.plain_error(
                _("cannot use {path}: {reason}; {changed}").format(
                    path=exc.filename, reason=os_reason(exc), changed=output.what_changed(before)
                )
            )
            raise typer.Exit(1) from None
        except Exception as exc:
            output.bug(exc, debug=bool(ctx.obj and ctx.obj.get("debug")), since=before)
            raise typer.Exit(3) from None

    def get_params(self, ctx: Any) -> list[Any]:
        clicktext.name_usage(self)
        return clicktext.translate_params(super().get_params(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            clicktext.name_values(command)
        return command

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # in the order they were added, not alphabetical

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **kwargs: Any,
    ) -> Any:
        """click's main, with its usage errors said in the user's language."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **kwargs)
        from typer._click.exceptions import ClickException, UsageError
        from typer.exceptions import Abort

        try:
            code = super().main(args, prog_name, complete_var, False, **kwargs)
        except UsageError as error:
            clicktext.show_usage_error(error)
            sys.exit(error.exit_code)
        except ClickException as error:
            output.plain_error(clicktext.translate_error(error.format_message()))
            sys.exit(error.exit_code)
        except Abort:
            output.plain_error(_("Aborted!"))
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


clicktext.install()

# help text wraps by terminal columns, between Chinese characters, never at a hyphen
clicktext.install_wrapping()

app = typer.Typer(
    cls=_Group,
    name="dangwu",
    help=_(
        "Run a party organisation's disclosure programme (党务公开) over a git repository "
        "of YAML records."
    ),
    epilog=_("Start with: dangwu demo /tmp/office"),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    # help as wide as the terminal, up to 120 columns: at 80 (click's cap) every
    # command's line was cut short with "..." however wide the window
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dangwu {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    repo: Annotated[
        Path | None,
        typer.Option("-C", help=_("Run in the office repository at PATH."), metavar="PATH"),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help=_("Show tracebacks of bugs."))] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=_("Show the version.")),
    ] = False,
) -> None:
    # before any command reads git (imported here: --help imports nothing of the store)
    from dangwu.store.gitenv import scrub_environment

    scrub_environment()
    ctx.obj = {"repo": repo, "debug": debug}
    chosen = os.environ.get("DANGWU_LANG")
    if chosen and known_language(chosen) is None:
        output.warning(
            _(
                "DANGWU_LANG={value} is not a language dangwu speaks (zh_CN or en); it is ignored"
            ).format(value=chosen)
        )


def _register() -> None:
    from dangwu.cli import (
        archive,
        audit,
        demo,
        doctor,
        meeting,
        office,
        records,
        render,
        sharing,
        site,
        stats,
        supervision,
        workflow,
    )

    office.register(app)
    records.register(app)
    workflow.register(app)
    audit.register(app)
    supervision.register(app)
    meeting.register(app)
    stats.register(app)
    sharing.register(app)
    render.register(app)
    site.register(app)
    archive.register(app)
    demo.register(app)
    doctor.register(app)


_register()


def _command_named(args: list[str]) -> str | None:
    """The command a command line runs (``dangwu -C PATH show X`` -> show), or None
    when it asks for the top-level help, the version, or no command."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "-C":
            index += 2
        elif arg.startswith("-C") or arg == "--debug":
            index += 1
        elif arg.startswith("-"):
            return None  # --help, --version, or a mistake the full group explains
        else:
            return arg
    return None


def only(name: str | None) -> None:
    """Keep only the command ``name`` in the app, when there is one of that name: Typer
    builds every command it holds before it runs one, about 40 ms of each start-up on
    a 2-core machine. The top-level help, completion and unknown names keep them all."""
    if name is None:
        return
    commands = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if commands or groups:
        app.registered_commands[:] = commands
        app.registered_groups[:] = groups


def _nothing() -> None:
    """Stands in for a command whose options the top-level help does not show."""


def _listed(info: CommandInfo) -> CommandInfo:
    """``info`` as the top-level help lists it: its name, help and panel, without the
    options it takes (reading those is most of the time Typer spends building it)."""
    listed = copy.copy(info)
    listed.callback = _nothing
    if info.help is None:
        listed.help = inspect.getdoc(info.callback)
    return listed


def list_only(typer_app: typer.Typer = app) -> None:
    """Keep of every command (and of every group's commands) only what the top-level
    help shows: it lists each by name and help, and Typer would otherwise read every
    option of all of them (about 50 ms on a 2-core machine). A test checks the help
    is the same either way."""
    typer_app.registered_commands[:] = map(_listed, typer_app.registered_commands)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            list_only(group.typer_instance)


def main() -> None:
    if not any(key.endswith("_COMPLETE") for key in os.environ):
        args = sys.argv[1:]
        named = _command_named(args)
        if named is None and (not args or args[-1] in ("-h", "--help")):
            list_only()
        else:
            only(named)
    try:
        app(prog_name="dangwu")
    except DangwuError as error:  # raised outside a command (e.g. while parsing)
        output.error(error)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(ExitCode.OK)
