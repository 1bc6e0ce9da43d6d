"""Signing keys as text: an SSH key line or a GPG key id, and the fingerprint git
prints for it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

SSH_KEY = re.compile(
    r"^(?P<type>ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+)\s+(?P<blob>[A-Za-z0-9+/=]+)"
)


GPG_ID = re.compile(r"^(?:0x)?([0-9A-Fa-f]{16,40})$")


def ssh_fingerprint(public_key: str) -> str | None:
    """'SHA256:…' of an SSH public key line, as ssh-keygen -l and git %GK print it."""
    match = SSH_KEY.match(public_key.strip())
    if not match:
        return None
    try:
        blob = base64.b64decode(match.group("blob"), validate=True)
    except (binascii.Error, ValueError):
        return None
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    return f"SHA256:{digest}"


def roster_fingerprint(signing_key: str) -> str | None:
    gpg = GPG_ID.match(signing_key.strip())
    if gpg:
        return gpg.group(1).upper()
    return ssh_fingerprint(signing_key)
