"""Signing keys: what the roster lists, what git signs with, and whether they match.

The stamp (审核盖章) is a signature by the approver's own key. git signs and
verifies; dangwu checks that the key that signed is the one the roster lists
for the person who acted, which git itself never compares.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from dangwu.model.fingerprint import (
    GPG_ID,
    SSH_KEY,
    blob_fingerprint,
    roster_fingerprint,
    ssh_fingerprint,
)


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


# --- reading a commit's SSH signature in this process ----------------------------------
#
# git checks a commit's SSH signature with two ssh-keygen processes (find-principals,
# then verify), about 9 ms of CPU each signature: an audit of a year of signed
# approvals spent most of its time there. The commonest case is checked here instead,
# as OpenSSH's sshsig.c does it (PROTOCOL.sshsig): an Ed25519 signature in the "git"
# namespace by a key the roster lists, over the commit as git hands it to ssh-keygen.
# Only "good" (G) and "not signed" (N) are said here; anything else (another key
# type, a key nobody lists, a signature that does not verify, an unusual layout) is
# left to git, which says what it always said. OpenSSL's Ed25519 accepts no signature
# OpenSSH's refuses (it is the stricter about S), so a "good" said here is git's too.

UNSIGNED = ("N", "")
_BEGIN = b"-----BEGIN SSH SIGNATURE-----"
_END = b"-----END SSH SIGNATURE-----"
_ED25519 = b"ssh-ed25519"
_BASE64_LINE = re.compile(rb"[A-Za-z0-9+/]+={0,2}")


def signed_parts(raw: bytes) -> tuple[bytes, bytes] | tuple[()] | None:
    """A commit object's payload and signature as git splits them for ssh-keygen
    (``parse_buffer_signed_by_header``): () when it has no signature, None when its
    headers hold anything but one plain ``gpgsig`` (another algorithm's, or two)."""
    head, blank, body = raw.partition(b"\n\n")
    if not blank:
        return None
    kept: list[bytes] = []
    signature: list[bytes] = []
    lines = head.split(b"\n")
    at = 0
    while at < len(lines):
        line = lines[at]
        at += 1
        if not line.startswith(b"gpgsig"):
            kept.append(line)
            continue
        if signature or not line.startswith(b"gpgsig "):
            return None
        signature.append(line[len(b"gpgsig ") :])
        while at < len(lines) and lines[at].startswith(b" "):
            signature.append(lines[at][1:])
            at += 1
    if not signature:
        return ()
    return b"\n".join(kept) + b"\n\n" + body, b"\n".join(signature) + b"\n"


def _strings(data: bytes, count: int) -> list[bytes] | None:
    """``count`` SSH wire strings (uint32 length, bytes) that are all of ``data``."""
    found, at = [], 0
    for _ in range(count):
        if at + 4 > len(data):
            return None
        size = int.from_bytes(data[at : at + 4], "big")
        at += 4
        if at + size > len(data):
            return None
        found.append(data[at : at + size])
        at += size
    return found if at == len(data) else None


def _wire(*parts: bytes) -> bytes:
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def ed25519_signer(payload: bytes, armored: bytes) -> bytes | None:
    """The public key blob (SSH wire form) whose Ed25519 signature ``armored`` is
    of ``payload`` in the "git" namespace, if it is one and verifies; else None."""
    lines = armored.rstrip(b"\n").split(b"\n")
    if len(lines) < 3 or lines[0] != _BEGIN or lines[-1] != _END:
        return None
    if not all(_BASE64_LINE.fullmatch(line) for line in lines[1:-1]):
        return None
    try:
        blob = base64.b64decode(b"".join(lines[1:-1]), validate=True)
    except ValueError:
        return None
    if blob[:6] != b"SSHSIG" or blob[6:10] != (1).to_bytes(4, "big"):
        return None
    fields = _strings(blob[10:], 5)
    if fields is None:
        return None
    public, namespace, reserved, hash_name, signature = fields
    key = _strings(public, 2)
    sig = _strings(signature, 2)
    if (
        key is None
        or sig is None
        or key[0] != _ED25519
        or len(key[1]) != 32
        or sig[0] != _ED25519
        or len(sig[1]) != 64
        or namespace != b"git"
        or reserved
        or hash_name not in (b"sha256", b"sha512")
    ):
        return None
    # imported only when there is a signature to read (12 ms): most commands read none
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    digest = hashlib.new(hash_name.decode(), payload).digest()
    signed = b"SSHSIG" + _wire(namespace, b"", hash_name, digest)
    try:
        Ed25519PublicKey.from_public_bytes(key[1]).verify(sig[1], signed)
    except InvalidSignature:
        return None
    return public


def listed_ed25519_keys(allowed: str) -> set[bytes]:
    """The Ed25519 key blobs of an allowed-signers text as :func:`allowed_signers`
    writes it (any other line is not read: its keys are left to git)."""
    keys = set()
    for line in allowed.splitlines():
        fields = line.split(" ")
        if len(fields) == 4 and fields[1] == 'namespaces="git"' and fields[2] == "ssh-ed25519":
            with contextlib.suppress(ValueError):
                keys.add(base64.b64decode(fields[3], validate=True))
    return keys


def checked_here(raw: bytes, listed: set[bytes]) -> tuple[str, str] | None:
    """git's %G? and %GK for a commit, where they can be told here: not signed, or
    signed by a listed Ed25519 key that verifies. None: ask git."""
    parts = signed_parts(raw)
    if parts is None:
        return None
    if not parts:
        return UNSIGNED
    signer = ed25519_signer(*parts)
    if signer is None or signer not in listed:
        return None
    return "G", blob_fingerprint(signer)
