"""Commands for working together: remote, sync, hook, clone."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from dangwu.cli import common, output
from dangwu.i18n import N_, _, ngettext, term

Site = Annotated[
    Path | None,
    typer.Option(
        "--site",
        metavar="DIR",
        help=_(
            "After each accepted push, build the public web site into DIR (a web server's "
            "folder), from what the rules accepted."
        ),
    ),
]


def register(app: typer.Typer) -> None:
    remote = common.group(_("The git server the office is shared through."))
    remote.command(
        "add",
        help=_(
            "Add the server (any git host, or a bare repository on a shared disk).\n\n"
            "Example: dangwu remote add git@git.example.org:sfj/office.git"
        ),
    )(remote_add)
    app.add_typer(remote, name="remote")
    app.command(
        "sync",
        help=_(
            "Fetch what colleagues pushed, say what it did and audit it, put your own "
            "commits on top, and push. A record changed on both sides is explained and "
            "nothing is half done.\n\nExample: dangwu sync"
        ),
    )(sync)
    hook = common.group(
        _("The server's guard: a pre-receive hook that refuses history breaking the rules.")
    )
    hook.command(
        "install",
        help=_(
            "Install dangwu's hooks into the server's bare repository at PATH, where that "
            "kind of server keeps hooks (a plain repository, gitolite, Gitea/Forgejo, "
            "GitLab).\n\n"
            "Example: dangwu hook install /srv/git/sfj-office.git"
        ),
    )(hook_install)
    hook.command(
        "print",
        help=_(
            "Print dangwu's pre-receive hook (or, with --after, its post-receive hook) to "
            "place by hand.\n\n"
            "Example: dangwu hook print --server gitlab > custom_hooks/pre-receive.d/dangwu"
        ),
    )(hook_print)
    app.add_typer(hook, name="hook")
    app.command(
        "clone",
        help=_(
            "Join an office: clone it, check you are on its roster, set up signing if it "
            "is required, and say what to do next.\n\n"
            "Example: dangwu clone git@git.example.org:sfj/office.git office"
        ),
    )(clone)


def remote_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(metavar="URL", help=_("The server's address."))],
    name: Annotated[str, typer.Option("--name", help=_("The remote's name."))] = "origin",
) -> None:
    from dangwu.app import sharing

    sharing.add_remote(common.office(ctx), url, name)
    output.say(_("Added the server '{name}': {url}. Next: dangwu sync").format(name=name, url=url))


def sync(
    ctx: typer.Context,
    remote: Annotated[
        str | None, typer.Option("--remote", help=_("Which remote (default: the branch's)."))
    ] = None,
    theirs: Annotated[
        bool,
        typer.Option(
            "--theirs",
            help=_(
                "Where a record was changed both here and on the server, keep the server's "
                "version; yours is saved under .git/dangwu/kept/."
            ),
        ),
    ] = False,
) -> None:
    from dangwu.app import sharing
    from dangwu.model.office import ROLE_TITLES
    from dangwu.rules.workflow import STATUS_TITLES, STEP_TITLES

    done = sharing.sync(common.office(ctx), remote=remote, theirs=theirs)
    if done.arrived:
        output.say(
            _("{n} commit(s) arrived from {remote}:").format(
                n=len(done.arrived), remote=done.remote
            )
        )
        for e in done.arrived:
            roles = _(", ").join(_(ROLE_TITLES[r][0]) for r in e.roles) or "?"
            state = ""
            if e.after:
                before = _(STATUS_TITLES[e.before][0]) if e.before in STATUS_TITLES else "–"
                after = _(STATUS_TITLES[e.after][0]) if e.after in STATUS_TITLES else e.after
                state = f"  {before} → {after}"
            output.say(
                f"  {e.date[:16].replace('T', ' ')}  {e.name} ({roles})  "
                f"{term(STEP_TITLES[e.step]) if e.step in STEP_TITLES else e.step}  "
                f"{e.record or e.subject.split(': ', 1)[-1]}{state}"
            )
    for path in done.kept:
        output.note(_("your version is saved in {path}").format(path=path))
    if done.dropped:
        output.note(
            ngettext(
                "{n} of your commits was left out in favour of the server's",
                "{n} of your commits were left out in favour of the server's",
                done.dropped,
            ).format(n=done.dropped)
        )
    if done.sent:
        output.say(
            _("{n} commit(s) sent to {remote}{first}.").format(
                n=done.sent,
                remote=done.remote,
                first=_(" (the first push)") if done.first_push else "",
            )
        )
    if not done.arrived and not done.sent:
        output.say(_("Up to date with {remote}.").format(remote=done.remote))
    if done.server_said:
        output.note(_("the server said (pass it on to whoever runs it):"))
        for line in done.server_said:
            output.note(f"  {line}")
    if done.violations:
        output.plain_error(
            _("what arrived breaks the disclosure rules ({n}):").format(n=len(done.violations))
        )
        for v in done.violations:
            output.plain_error(f"  {v.line()}")
        output.hint_line(_("the server should refuse such pushes: dangwu hook install PATH"))
        raise typer.Exit(1)


_LANG_HELP = N_(
    "Language of the hook's messages: en or zh_CN (default: the office's language setting)."
)
_SERVER_HELP = N_(
    "The kind of server, which says who pushes and where hooks go: gitolite, http (git "
    "http-backend behind a web server that asks for a password), gitea (Gitea or "
    "Forgejo), gitlab, or disk (a bare repository on a shared disk; nobody is named). "
    "Default: recognised from PATH."
)


def hook_install(
    path: Annotated[Path, typer.Argument(metavar="PATH", help=_("The bare repository."))],
    lang: Annotated[str | None, typer.Option("--lang", help=_(_LANG_HELP))] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help=_("Replace hooks in dangwu's place that are not dangwu's.")),
    ] = False,
    server: Annotated[
        str | None, typer.Option("--server", metavar="KIND", help=_(_SERVER_HELP))
    ] = None,
    branch: Annotated[
        str | None,
        typer.Option(
            "--branch",
            metavar="NAME",
            help=_(
                "The office's branch, which the server's HEAD names (default: the one branch "
                "there is, or main)."
            ),
        ),
    ] = None,
    site: Site = None,
) -> None:
    from dangwu.app import hosting

    installed = hosting.install(
        path, kind=server, language=lang, force=force, branch=branch, site=site
    )
    for hook in installed.hooks:
        output.say(_("Installed {hook}.").format(hook=hook))
    output.say(
        _(
            "Every push is now audited; a push that breaks the rules, rewrites history or "
            "deletes a branch is refused."
        )
    )
    if installed.account != hosting.account_name(os.geteuid()):
        output.say(
            _("The hooks run as {account}, who owns the repository.").format(
                account=installed.account
            )
        )
    if installed.branch:
        output.say(
            _("The server's HEAD names the office's branch, {branch}.").format(
                branch=installed.branch
            )
        )
    if installed.variable:
        output.say(
            _(
                "The server is {kind}: it names the pusher ({variable}), and a step made as "
                "someone else is refused unless that person signed it."
            ).format(kind=installed.server, variable=installed.variable)
        )
    else:
        output.say(
            _(
                "The server is a bare repository on a disk: it cannot tell who pushes, so "
                "only signatures prove who acted (rules.require_signing)."
            )
        )
    if installed.todo:
        output.say(_("Still to do:"))
        for line in installed.todo:
            output.say(f"  {line}")


def hook_print(
    server: Annotated[
        str,
        typer.Option(
            "--server",
            metavar="KIND",
            help=_("The kind of server: gitolite, http, gitea, gitlab or disk (the default)."),
        ),
    ] = "disk",
    lang: Annotated[str | None, typer.Option("--lang", help=_(_LANG_HELP))] = None,
    after: Annotated[
        bool, typer.Option("--after", help=_("The post-receive hook, not the pre-receive."))
    ] = False,
    site: Site = None,
) -> None:
    from dangwu.app import hosting

    typer.echo(hosting.script(server, lang, after=after, site=site), nl=False)


def clone(
    url: Annotated[str, typer.Argument(metavar="URL", help=_("The office's server address."))],
    directory: Annotated[Path, typer.Argument(metavar="DIR", help=_("A new folder."))],
) -> None:
    from dangwu.app import sharing
    from dangwu.model.office import ROLE_TITLES

    joined = sharing.clone(url, directory)
    output.say(
        _("Cloned the office of {unit} into {path}.").format(unit=joined.unit, path=joined.root)
    )
    for note in joined.notes:
        output.say(f"  {note}")
    if joined.person is None:
        output.warning(
            _("{email} is not on the roster of {unit}: you can read, but not act").format(
                email=joined.email or "?", unit=joined.unit
            )
        )
        output.hint_line(
            _(
                "ask an office head to add you (dangwu roster add KEY --name NAME --email "
                "{email} --role ROLE, then dangwu sync), or set your git email to the one "
                "the roster lists"
            ).format(email=joined.email or "YOU@example.org")
        )
        return
    person = joined.person
    roles = _(", ").join(_(ROLE_TITLES[r][0]) for r in person.roles)
    output.say(
        _("You are {name} ({key}), {roles}.").format(name=person.name, key=person.key, roles=roles)
    )
    steps = [f"cd {joined.root}"]
    if joined.needs_key:
        import sys

        from dangwu.store.office import Office

        if sys.stdin.isatty() and typer.confirm(
            _(
                "The office requires its leading group's acts and publications to be signed. "
                "Make your key now?"
            ),
            default=True,
        ):
            from dangwu.app.keys import set_up
            from dangwu.cli.office import say_key

            say_key(set_up(Office(joined.root), interactive=True))
        else:
            steps.append("dangwu key")
    output.say(_("Next:"))
    for line in (*steps, "dangwu due", "dangwu list", "dangwu sync"):
        output.say(f"  {line}")
