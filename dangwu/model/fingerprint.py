"""Signing keys as text: an SSH key line or a GPG key id, and the fingerprint git
prints for it."""

from __future__ import annotations

import base64
import binascii
import re

SSH_KEY = re.compile(
    r"^(?P<type>ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+)\s+(?P<blob>[A-Za-z0-9+/=]+)"
)


GPG_ID = re.compile(r"^(?:0x)?([0-9A-Fa-f]{16,40})$")


def _ssh_key(public_key: str) -> tuple[str, bytes] | None:
    """An SSH public key line's type and decoded key, or None if it is not one."""
    match = SSH_KEY.match(public_key.strip())
    if not match:
        return None
    try:
        return match.group("type"), base64.b64decode(match.group("blob"), validate=True)
    except (binascii.Error, ValueError):
        return None


def ssh_fingerprint(public_key: str) -> str | None:
    """'SHA256:…' of an SSH public key line, as ssh-keygen -l and git %GK print it."""
    found = _ssh_key(public_key)
    return blob_fingerprint(found[1]) if found else None


def blob_fingerprint(blob: bytes) -> str:
    """'SHA256:…' of an SSH public key in its wire form (the key line's base64, read)."""
    import hashlib

    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    return f"SHA256:{digest}"


def well_formed(signing_key: str) -> bool:
    """Whether a roster's signing key is one git could ever check a signature with: a
    GPG key id, or an SSH public key whose base64 is the key of the type it names (the
    wire format starts with that type's name), not a line that merely looks like one."""
    if GPG_ID.match(signing_key.strip()):
        return True
    found = _ssh_key(signing_key)
    if found is None:
        return False
    kind, blob = found[0].encode("ascii"), found[1]
    named = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else -1
    return named == len(kind) and blob[4 : 4 + named] == kind and len(blob) > 4 + named + 16


def roster_fingerprint(signing_key: str) -> str | None:
    gpg = GPG_ID.match(signing_key.strip())
    if gpg:
        return gpg.group(1).upper()
    return ssh_fingerprint(signing_key)
