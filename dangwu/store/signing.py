"""Signing keys: what the roster lists, what git signs with, and whether they match.

The stamp (审核盖章) is a signature by the approver's own key. git signs and
verifies; dangwu checks that the key that signed is the one the roster lists
for the person who acted, which git itself never compares.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from dangwu.model.fingerprint import GPG_ID, SSH_KEY, roster_fingerprint, ssh_fingerprint


def public_key_of(configured: str, *, root: Path | None = None) -> str | None:
    """The public key line behind git's user.signingkey (a literal, a .pub or a private key)."""
    value = configured.strip()
    if value.startswith("key::"):
        return value[len("key::") :].strip()
    if SSH_KEY.match(value):
        return value
    path = Path(value).expanduser()
    if not path.is_absolute() and root is not None:
        path = root / path
    candidates = [path] if path.suffix == ".pub" else [Path(f"{path}.pub"), path]
    for candidate in candidates:
        try:
            text = candidate.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if SSH_KEY.match(text):
            return text.splitlines()[0]
    if path.is_file():
        try:
            derived = subprocess.run(
                ["ssh-keygen", "-y", "-f", str(path)],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if derived.returncode == 0 and SSH_KEY.match(derived.stdout.strip()):
            return derived.stdout.strip()
    return None


def key_fingerprint(configured: str, *, root: Path | None = None) -> str | None:
    gpg = GPG_ID.match(configured.strip())
    if gpg:
        return gpg.group(1).upper()
    public = public_key_of(configured, root=root)
    return ssh_fingerprint(public) if public else None


def same_key(configured: str, roster_key: str, *, root: Path | None = None) -> bool:
    mine, theirs = key_fingerprint(configured, root=root), roster_fingerprint(roster_key)
    if not mine or not theirs:
        return False
    if mine.startswith("SHA256:") or theirs.startswith("SHA256:"):
        return mine == theirs
    return mine.endswith(theirs) or theirs.endswith(mine)  # GPG long and short ids


def allowed_signers(people: Iterable[tuple[str, str]]) -> str:
    """An ssh allowed-signers file: each roster email and its SSH key."""
    lines = []
    for email, key in people:
        match = SSH_KEY.match(key.strip())
        if match:
            lines.append(f'{email} namespaces="git" {match.group("type")} {match.group("blob")}')
    return "\n".join(sorted(set(lines))) + "\n"
