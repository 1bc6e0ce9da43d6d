"""A person's signing key [SPEC 11]: make one (or take one they have), point git at it
in this office, and say what the roster needs so that the key may sign for them.

The stamp (审核盖章) is a signature by the approver's own key; without a server that
knows who pushes, it is the only proof of who acted. SSH keys need nothing but
``ssh-keygen``, which git itself uses to sign and check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dangwu.errors import DangwuError, UsageError
from dangwu.i18n import _
from dangwu.model.fingerprint import roster_fingerprint, ssh_fingerprint
from dangwu.model.office import ROSTER_ROLES, Person
from dangwu.store.acting import committed_settings
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office
from dangwu.store.signing import public_key_of


@dataclass
class KeyReady:
    path: Path  # what git signs with (user.signingkey)
    public: str  # the public key line, for the roster
    fingerprint: str
    made: bool  # made now (else an existing key was taken)
    passphrase: bool  # made now at a terminal, where ssh-keygen asked for a passphrase
    person: Person | None  # who the roster says you are
    listed: bool  # the roster already lists this key for you
    other: bool  # the roster lists another key for you
    may_register: bool  # you may change the roster yourself


def ssh_keygen() -> str:
    tool = shutil.which("ssh-keygen")
    if tool is None:
        raise DangwuError(
            _("ssh-keygen is not installed; git needs it to sign with an SSH key"),
            hint=_("install it: apt-get install openssh-client"),
        )
    return tool


def default_path(person_key: str) -> Path:
    return Path(os.environ.get("HOME") or "~").expanduser() / ".ssh" / f"dangwu_{person_key}"


def generate(path: Path, comment: str, *, ask_passphrase: bool) -> None:
    """A new ed25519 key pair at ``path`` and ``path``.pub. At a terminal ssh-keygen asks
    for a passphrase (Enter for none); otherwise the key has none."""
    tool = ssh_keygen()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    args = [tool, "-q", "-t", "ed25519", "-C", comment, "-f", str(path)]
    if not ask_passphrase:
        args[2:2] = ["-N", ""]
    done = subprocess.run(
        args,
        check=False,
        stdin=None if ask_passphrase else subprocess.DEVNULL,
        capture_output=not ask_passphrase,
        text=True,
    )
    if done.returncode != 0 or not path.exists():
        said = (done.stderr or "").strip().splitlines() if not ask_passphrase else []
        raise DangwuError(
            _("ssh-keygen could not make the key {path}: {error}").format(
                path=path, error=said[-1] if said else done.returncode
            )
        )


def set_up(office: Office, *, file: Path | None = None, interactive: bool = False) -> KeyReady:
    """Make (or take) this person's signing key and point git at it in this office."""

    with GitStore(office.root, office.state_dir) as git:
        identity = git.identity()
        settings = committed_settings(office, git, git.require_head())
        person = settings.person_by_email(identity.email)
        key_name = person.key if person else identity.email.split("@")[0]
        path = (file or default_path(key_name)).expanduser().absolute()
        made = False
        if file is None and not path.exists():
            generate(path, f"{identity.email} dangwu", ask_passphrase=interactive)
            made = True
        elif not path.exists():
            raise UsageError(_("{path} does not exist").format(path=path))
        public = public_key_of(str(path))
        fingerprint = ssh_fingerprint(public) if public else None
        if public is None or fingerprint is None:
            raise UsageError(
                _("{path} is not an SSH key").format(path=path),
                hint=_("give a key made by ssh-keygen, or leave out --file to make one"),
            )
        git.set_config("gpg.format", "ssh", local=True)
        git.set_config("user.signingkey", str(path), local=True)
    on_roster = person.signing_key if person is not None else None
    listed = bool(on_roster) and roster_fingerprint(on_roster or "") == fingerprint
    return KeyReady(
        path=path,
        public=" ".join(public.split()[:2]),
        fingerprint=fingerprint,
        made=made,
        passphrase=made and interactive,
        person=person,
        listed=listed,
        other=bool(on_roster) and not listed,
        # where changes to the roster are signed, only someone with a key listed
        # already can list one: nobody lists their own first key
        may_register=bool(
            person
            and ROSTER_ROLES.intersection(person.roles)
            and (person.signing_key or not settings.rules.require_signing)
        ),
    )
