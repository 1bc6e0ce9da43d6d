"""Commands that set up the office: init and roster."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dangwu.cli import common, complete, output
from dangwu.i18n import _, pair, term

if TYPE_CHECKING:
    from dangwu.app.keys import KeyReady


def register(app: typer.Typer) -> None:
    app.command(
        "init",
        help=_(
            "Create an office repository; you become its office head.\n\n"
            "Example: dangwu init ./office --unit 江城市司法局"
        ),
    )(init)
    roster = common.group(_("Show and change the roster: who may do what."))
    roster.command(
        "add",
        help=_(
            "Add a person to the roster (a leader, office head or deputy only).\n\n"
            "Example: dangwu roster add liuxm --name 刘晓敏 --email liuxm@example.org "
            "--role clerk"
        ),
    )(roster_add)
    roster.command(
        "set",
        help=_(
            "Change what the roster says of a person: title, signing key, server account "
            "(a leader, office head or deputy only).\n\n"
            "Example: dangwu roster set dumy --signing-key ~/dumy.pub"
        ),
    )(roster_set)
    roster.command("list", help=_("List the roster.\n\nExample: dangwu roster list"))(roster_list)
    roster.command(
        "remove",
        help=_(
            "Remove a person from the roster; their past acts stay valid.\n\n"
            "Example: dangwu roster remove liuxm"
        ),
    )(roster_remove)
    app.add_typer(roster, name="roster")
    app.command(
        "key",
        help=_(
            "Make your signing key (or take one you have with --file), set git up to sign "
            "with it in this office, and say what the office head adds to the roster.\n\n"
            "Example: dangwu key"
        ),
    )(key)


def init(
    directory: Annotated[Path, typer.Argument(help=_("Folder of the new office."))] = Path(),
    unit: Annotated[str, typer.Option("--unit", help=_("The unit's name."))] = "",
    key: Annotated[
        str | None, typer.Option("--key", help=_("Your roster key (default: from your email)."))
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help=_("Your name (default: git's user.name)."))
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help=_("Your title."))] = None,
    no_signing: Annotated[
        bool,
        typer.Option(
            "--no-signing",
            help=_(
                "Do not require the leading group's acts (decide, approve, reject, withdraw) and "
                "publications to be signed (the history then proves who acted only where the "
                "server knows who pushes)."
            ),
        ),
    ] = False,
    signing_key: Annotated[
        Path | None,
        typer.Option(
            "--signing-key",
            metavar="PATH",
            help=_("Your SSH key to sign with (default: ~/.ssh/dangwu_KEY, made if missing)."),
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=_(
                "The office's language, zh_CN (中文) or en: what dangwu says to everyone in it "
                "(default: the language dangwu speaks to you now)."
            ),
        ),
    ] = None,
) -> None:
    from dangwu.app.roster import init_office
    from dangwu.errors import UsageError
    from dangwu.i18n import use_office_language

    if not unit:
        raise UsageError(_("missing --unit: the name of the unit, e.g. --unit 江城市司法局"))
    done = init_office(
        directory,
        unit=unit,
        key=key,
        name=name,
        title=title,
        signing=not no_signing,
        signing_key=signing_key,
        language=lang,
    )
    use_office_language(done.language)  # say the rest as the new office will hear it
    output.say(
        _("Created the disclosure office of {unit} in {path}.").format(unit=unit, path=done.root)
    )
    output.say(
        _("You are on its roster as '{key}' ({name}), office head.").format(
            key=done.person.key, name=done.person.name
        )
    )
    if no_signing:
        output.say(
            _(
                "The leading group's acts and publications need not be signed: anyone who can "
                "set git's "
                "email can act as anyone, and only a server that knows who pushes can tell. "
                "To require signatures later: rules.require_signing: true in dangwu.yaml."
            )
        )
    else:
        output.say(
            _(
                "Approvals, publications and changes to the roster must be signed with each "
                "person's own key: whoever approves or publishes makes one with 'dangwu key'."
            )
        )
        if done.made_key:
            output.say(
                _(
                    "Made your signing key {path} (without a passphrase: keep it private); "
                    "the roster lists it, and git signs with it in this office."
                ).format(path=done.key)
            )
        elif done.key is not None:
            output.say(
                _("The roster lists your key {path}; git signs with it in this office.").format(
                    path=done.key
                )
            )
    output.say(
        _(
            "Next: add the leading group and clerks, e.g.\n"
            "  dangwu roster add KEY --name NAME --email EMAIL --role leader"
        )
    )


def key(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="PATH",
            help=_("An SSH key you have already (its private key or its .pub)."),
        ),
    ] = None,
) -> None:
    import sys

    from dangwu.app.keys import set_up

    say_key(set_up(common.office(ctx), file=file, interactive=file is None and sys.stdin.isatty()))


def say_key(ready: KeyReady) -> None:
    """What ``dangwu key`` did, and what the roster still needs."""
    if ready.made:
        if ready.passphrase:
            output.say(_("Made the signing key {path}.").format(path=ready.path))
        else:
            output.say(
                _(
                    "Made the signing key {path}, without a passphrase: keep the file private."
                ).format(path=ready.path)
            )
    output.say(
        _("git signs in this office with {path} ({fingerprint}).").format(
            path=ready.path, fingerprint=ready.fingerprint
        )
    )
    if ready.person is None:
        output.say(
            _(
                "You are not on the roster yet. The office head adds you with:\n"
                "  dangwu roster add KEY --name NAME --email EMAIL --role ROLE "
                "--signing-key '{public}'"
            ).format(public=ready.public)
        )
        return
    if ready.listed:
        output.say(
            _(
                "The roster lists this key for you: the steps you take (an approval, a "
                "publication) will be signed."
            )
        )
        return
    command = f"dangwu roster set {ready.person.key} --signing-key '{ready.public}'"
    if ready.other:
        output.say(_("The roster lists another key for you; to list this one instead:"))
    elif ready.may_register:
        output.say(_("You may add it to the roster yourself:"))
    else:
        output.say(_("Give this line to your office head, who adds it to the roster:"))
    output.say(f"  {command}")


# what roster add and roster set both take
_Title = Annotated[str | None, typer.Option("--title", help=_("Title or post."))]
_SigningKey = Annotated[
    str | None,
    typer.Option("--signing-key", help=_("Public key (or .pub file) that signs their approvals.")),
]
_Account = Annotated[
    str | None,
    typer.Option(
        "--account",
        help=_("Their account on the office's git server, if it is not their roster key."),
    ),
]


_TermStart = Annotated[
    str | None,
    typer.Option(
        "--term-start",
        help=_(
            "A supervisor's first day in office, in this run of terms (roster add: today, "
            "for a supervisor)."
        ),
    ),
]
_TermEnd = Annotated[
    str | None,
    typer.Option(
        "--term-end",
        help=_(
            "The last day of a supervisor's current term (default: one term from the "
            "first day); set it later to renew the term."
        ),
    ),
]


def roster_set(
    ctx: typer.Context,
    key: Annotated[
        str,
        typer.Argument(help=_("Roster key of the person."), autocompletion=complete.roster_keys),
    ],
    title: _Title = None,
    signing_key: _SigningKey = None,
    account: _Account = None,
    term_start: _TermStart = None,
    term_end: _TermEnd = None,
) -> None:
    from dangwu.app.roster import change_person

    person, changes = change_person(
        common.office(ctx),
        key=key,
        title=title,
        signing_key=signing_key,
        account=account,
        term_start=common.day("--term-start", term_start),
        term_end=common.day("--term-end", term_end),
    )
    output.say(_("Changed {key} ({name}):").format(key=person.key, name=person.name))
    for line in changes:
        output.say(f"  {line}")


def roster_add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=_("Short ASCII key, e.g. pinyin initials."))],
    name: Annotated[str, typer.Option("--name", help=_("Full name."))],
    email: Annotated[
        str, typer.Option("--email", help=_("The email of the person's git identity."))
    ],
    role: Annotated[
        list[str],
        typer.Option(
            "--role",
            help=_(
                "leader, member, office-head, office-deputy, clerk or supervisor; "
                "repeat for several."
            ),
        ),
    ],
    title: _Title = None,
    signing_key: _SigningKey = None,
    account: _Account = None,
    term_start: _TermStart = None,
    term_end: _TermEnd = None,
) -> None:
    from dangwu.app.roster import add_person

    person = add_person(
        common.office(ctx),
        key=key,
        name=name,
        email=email,
        roles=role,
        title=title,
        signing_key=signing_key,
        account=account,
        term_start=common.day("--term-start", term_start),
        term_end=common.day("--term-end", term_end),
    )
    from dangwu.model.office import ROLE_TITLES

    line = _("Added {key} ({name}) as {roles}.").format(
        key=person.key,
        name=person.name,
        roles=_(", ").join(term(ROLE_TITLES[r]) for r in person.roles),
    )
    if person.id_block:
        gap = "" if line.endswith("。") else " "  # Chinese sentences follow without a space
        line += gap + _("Their records are numbered from {n}.").format(n=person.id_block * 100 + 1)
    output.say(line)


def roster_list(
    ctx: typer.Context,
    as_json: common.AsJson = False,
) -> None:
    from dangwu.model.office import ROLE_TITLES
    from dangwu.rules.terms import term_end

    settings = common.office(ctx).settings
    people = list(settings.roster.values())
    ends = {p.key: term_end(p, settings.rules) for p in people}
    shown = {key: day.isoformat() if day else None for key, day in ends.items()}
    if as_json:
        output.emit_json(
            [
                {
                    "key": p.key,
                    "name": p.name,
                    "title": p.title,
                    "email": p.email,
                    "roles": list(p.roles),
                    "signing_key": p.signing_key,
                    "account": p.account,
                    "id_block": p.id_block,
                    "term_start": p.term_start.isoformat() if p.term_start else None,
                    "term_end": shown[p.key],
                }
                for p in people
            ]
        )
        return
    headers = [_("key"), _("name"), _("position"), _("roles"), _("email"), _("signing")]
    rows = [
        [
            p.key,
            p.name,
            p.title or "",
            _(", ").join(f"{pair(ROLE_TITLES[r])}" for r in p.roles),
            p.email,
            _("yes") if p.signing_key else "",
        ]
        for p in people
    ]
    if any(ends.values()):  # the supervisors' terms, where the roster gives them
        headers.append(_("term ends"))
        for row, p in zip(rows, people, strict=True):
            row.append(shown[p.key] or "")
    output.table(headers, rows, title=_("Roster of {unit}").format(unit=settings.unit))


def roster_remove(
    ctx: typer.Context,
    key: Annotated[
        str,
        typer.Argument(help=_("Roster key of the person."), autocompletion=complete.roster_keys),
    ],
) -> None:
    from dangwu.app.roster import remove_person

    person = remove_person(common.office(ctx), key=key)
    output.say(
        _("Removed {key} ({name}) from the roster; what they did stays valid.").format(
            key=person.key, name=person.name
        )
    )
