"""What git and ssh say when a server cannot be used, told as its cause and its fix.

Pure: git's words in, a sentence and a hint out (no git, no network). git ends most
failures with the same two sentences ("Please make sure you have the correct access
rights and the repository exists."), whatever happened; the cause is in the lines
before, and each cause wants a different person to do something different.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from dangwu.i18n import _

# git's closing words on every failure of a remote, which say nothing of the cause
_BOILERPLATE = (
    "fatal: could not read from remote repository.",
    "please make sure you have the correct access rights",
    "and the repository exists.",
)


@dataclass(frozen=True)
class Failure:
    cause: str  # host-key, host-key-changed, key-refused, denied, password, forbidden,
    # not-found, unreachable, other
    message: str
    hint: str


@dataclass(frozen=True)
class Address:
    """Where a remote is: what ssh needs to be pointed at it by hand."""

    host: str
    port: str | None
    user: str | None
    ssh: bool


def address(url: str) -> Address | None:
    """The host of a remote URL: ssh://user@host:port/path, user@host:path (scp-like),
    http(s)://host:port/path; None for a local path."""
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme == "file" or not parts.hostname:
            return None
        port = str(parts.port) if parts.port else None
        return Address(parts.hostname, port, parts.username, parts.scheme in ("ssh", "git+ssh"))
    scp = re.fullmatch(r"(?:([^@/:]+)@)?([^/:]+):(?!//).*", url)
    if scp and not url.startswith("/"):
        return Address(scp.group(2), None, scp.group(1), True)
    return None


def explain(said: str, url: str) -> Failure:
    """What went wrong reaching the server at ``url``, from what git said."""
    text = said.lower()
    where = address(url)
    host = where.host if where else url
    if "remote host identification has changed" in text:
        return Failure(
            "host-key-changed",
            _(
                "the server {host} no longer shows the identity (SSH host key) this computer "
                "knows: it may be another machine pretending to be it"
            ).format(host=host),
            _(
                "do not sync; ask whoever runs the server whether its key changed, and only "
                "then remove the old one: ssh-keygen -R {host}"
            ).format(host=_ssh_host(where) if where else host),
        )
    if "host key verification failed" in text or "no matching host key" in text:
        return Failure(
            "host-key",
            _("this computer does not know the server {host} yet (its SSH host key)").format(
                host=host
            ),
            _(
                "ask whoever runs the server for its key's fingerprint, then connect once and "
                "answer 'yes' if it matches: {command}"
            ).format(command=_ssh_command(where) if where else f"ssh {host}"),
        )
    if "permission denied (publickey" in text or "permission denied (password" in text:
        return Failure(
            "key-refused",
            _("the server {host} does not know your SSH key").format(host=host),
            _(
                "give your public key to whoever runs the server (the .pub file in ~/.ssh; "
                "make one with: ssh-keygen -t ed25519)"
            ),
        )
    denied = next((line.strip() for line in said.splitlines() if "denied by" in line.lower()), None)
    if denied is not None:
        return Failure(
            "denied",
            _("the server does not let your account use this repository ({said})").format(
                said=denied.removeprefix("FATAL: ").strip()
            ),
            _("ask whoever runs the server for access to it"),
        )
    if (
        "authentication failed" in text
        or "could not read username" in text
        or "could not read password" in text
        or "returned error: 401" in text
    ):
        return Failure(
            "password",
            _(
                "the server {host} wants a user name and password, and did not get right ones"
            ).format(host=host),
            _(
                "check them with whoever runs the server; to be asked once and not on every "
                "sync, let git keep them: git config --global credential.helper store (kept "
                "in ~/.git-credentials) or cache (for 15 minutes)"
            ),
        )
    if "returned error: 403" in text:
        return Failure(
            "forbidden",
            _("the server {host} refuses your account this repository").format(host=host),
            _("ask whoever runs the server for access to it"),
        )
    if (
        "does not appear to be a git repository" in text
        or "repository not found" in text
        or ("repository" in text and "does not exist" in text)
        or ("not found" in text and ("repository" in text or "returned error: 404" in text))
    ):
        return Failure(
            "not-found",
            _("there is no repository at {url}").format(url=url),
            _("check the address (git remote -v) with whoever runs the server"),
        )
    reason = _unreachable(text)
    if reason is not None:
        return Failure(
            "unreachable",
            _("the server {host} cannot be reached ({reason})").format(host=host, reason=reason),
            _("check the network and the address (git remote -v), then sync again"),
        )
    return Failure(
        "other",
        _("the server could not be used: {said}").format(said=telling_line(said)),
        _("check the address (git remote -v) and the network, then sync again"),
    )


def _unreachable(text: str) -> str | None:
    for words, reason in (
        ("could not resolve", _("its name is not known")),
        ("name or service not known", _("its name is not known")),
        ("connection refused", _("nothing answers there")),
        ("couldn't connect to server", _("nothing answers there")),
        ("failed to connect", _("nothing answers there")),
        ("timed out", _("no answer in time")),
        ("no route to host", _("no way to it from this network")),
        ("network is unreachable", _("no way to it from this network")),
        ("connection reset", _("the connection was cut")),
        ("connection closed", _("the connection was cut")),
    ):
        if words in text:
            return reason
    return None


def telling_line(said: str) -> str:
    """The line of git's answer that says something (not its closing boilerplate)."""
    lines = [
        line.strip()
        for line in said.strip().splitlines()
        if line.strip() and line.strip().lower() not in _BOILERPLATE
    ]
    return lines[-1] if lines else "?"


def _ssh_host(where: Address) -> str:
    return f"[{where.host}]:{where.port}" if where.port else where.host


def _ssh_command(where: Address) -> str:
    target = f"{where.user}@{where.host}" if where.user else where.host
    return f"ssh -p {where.port} {target}" if where.port else f"ssh {target}"
