"""Signing keys: what the roster lists, what git signs with, and whether they match.

The stamp (审核盖章) is a signature by the approver's own key. git signs and
verifies; dangwu checks that the key that signed is the one the roster lists
for the person who acted, which git itself never compares.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
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


def _signed_data(hash_name: bytes, payload: bytes) -> bytes:
    """What an SSH signature in git's namespace signs: the magic, the namespace, the
    hash's name and ``payload``'s hash (PROTOCOL.sshsig)."""
    digest = hashlib.new(hash_name.decode(), payload).digest()
    return b"SSHSIG" + _wire(b"git", b"", hash_name, digest)


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

    try:
        Ed25519PublicKey.from_public_bytes(key[1]).verify(sig[1], _signed_data(hash_name, payload))
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


# --- signing a commit in this process ---------------------------------------------------
#
# git signs a commit with ssh-keygen (``-Y sign -n git -f KEY``): a git and an
# ssh-keygen process for each signed step, about 13 ms, and `dangwu demo` signs 59.
# An Ed25519 signature is the same bytes every time for the same key and text, so
# where the key is an unencrypted Ed25519 key file, the signature is made here as
# ssh-keygen makes it (PROTOCOL.sshsig, SHA-512, armoured in lines of 70), and git's
# commit-tree -S is asked only for the rest: another kind of key, a passphrase, an
# agent at hand, a certificate, another signing program.

_ARMOUR_WIDTH = 70  # ssh-keygen's lines of base64


def ssh_signing_file(user: dict[str, str], *, root: Path) -> Path | None:
    """The key file git would hand ssh-keygen to sign with, where git's config (as
    ``git config --get-regexp`` gives it: gpg.format, gpg.ssh.program, user.signingkey)
    says to sign with ssh-keygen and a file; else None."""
    if user.get("gpg.format") != "ssh" or user.get("gpg.ssh.program", "ssh-keygen") != (
        "ssh-keygen"
    ):
        return None
    configured = user.get("user.signingkey", "")
    if not configured or configured.startswith(("key::", "ssh-")):  # a key git writes out
        return None
    if os.environ.get("SSH_AUTH_SOCK"):
        return None  # ssh-keygen asks the agent first, which may want the user to confirm
    path = Path(configured).expanduser()
    return path if path.is_absolute() else root / path


def ed25519_signature(payload: bytes, key_file: Path) -> bytes | None:
    """The armoured signature ``ssh-keygen -Y sign -n git -f key_file`` writes of
    ``payload``, byte for byte, where ``key_file`` (or the private key beside a
    ``.pub``) is an unencrypted Ed25519 key whose ``.pub``, if any, is its own public
    half, and which no one else may read where it is the user's own; else None
    (ssh-keygen would ask for a passphrase, use a certificate or an agent, or
    refuse)."""
    private_file = key_file.with_suffix("") if key_file.suffix == ".pub" else key_file
    public_file = key_file if key_file.suffix == ".pub" else Path(f"{key_file}.pub")
    try:
        private_text = private_file.read_bytes()
        mode = private_file.stat()
    except OSError:
        return None
    if mode.st_uid == os.getuid() and mode.st_mode & 0o077:
        return None  # others may read it: ssh-keygen ignores such a key (git then fails)
    try:
        public_text: bytes | None = public_file.read_bytes()
    except FileNotFoundError:
        public_text = None
    except OSError:
        return None
    if b"BEGIN OPENSSH PRIVATE KEY" not in private_text:
        return None
    # imported only to sign (12 ms): most commands sign nothing
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
        load_ssh_private_key,
    )

    try:
        key = load_ssh_private_key(private_text, password=None)
    except (ValueError, TypeError):  # not a key, or one with a passphrase
        return None
    if not isinstance(key, Ed25519PrivateKey):
        return None
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    public = _wire(_ED25519, raw)
    if public_text is not None:
        fields = public_text.split(b"\n", 1)[0].split()
        try:
            beside = base64.b64decode(fields[1], validate=True) if len(fields) > 1 else b""
        except ValueError:
            return None
        if fields[:1] != [_ED25519] or beside != public:
            return None  # a certificate, another key: ssh-keygen's to judge
    signature = key.sign(_signed_data(b"sha512", payload))
    blob = (
        b"SSHSIG"
        + (1).to_bytes(4, "big")
        + _wire(public, b"git", b"", b"sha512", _wire(_ED25519, signature))
    )
    text = base64.b64encode(blob)
    lines = [text[at : at + _ARMOUR_WIDTH] for at in range(0, len(text), _ARMOUR_WIDTH)]
    return b"\n".join([_BEGIN, *lines, _END]) + b"\n"


def with_signature(commit: bytes, armoured: bytes) -> bytes:
    """A commit object with ``armoured`` as its ``gpgsig`` header, placed as git's
    commit-tree -S places it: last in the header, each line after the first indented
    by one blank."""
    head, _blank, body = commit.partition(b"\n\n")
    lines = armoured.rstrip(b"\n").split(b"\n")
    header = b"gpgsig" + b"".join(b" " + line + b"\n" for line in lines)
    return head + b"\n" + header + b"\n" + body
