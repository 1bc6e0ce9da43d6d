"""A commit's SSH signature read in dangwu's own process says what git says.

git checks a signature with two ssh-keygen processes; the store reads the commonest
kind itself (an Ed25519 signature in git's namespace, by a key the roster lists) and
leaves every other to git. Whatever a clerk crafts (a key nobody lists, a signature
of other bytes or another namespace, a second signature header, a forged S), the
answer is git's own: the store's answer for each commit is compared with git's.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import copy_demo, git

from dangwu.model.office import settings_from_data
from dangwu.store import signing
from dangwu.store.gitstore import GitStore
from dangwu.yamlio import load

# the order of the group Ed25519 works in: S and S + L are the same scalar
ORDER = 2**252 + 27742317777372353535851937790883648493


@pytest.fixture(scope="module")
def office(demo_seed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(demo_seed, tmp_path_factory.mktemp("signatures") / "office")


def allowed(root: Path) -> str:
    settings = settings_from_data(load((root / "dangwu.yaml").read_text("utf-8")).data)
    return signing.allowed_signers(
        (p.email, p.signing_key) for p in settings.roster.values() if p.signing_key
    )


def answers(root: Path, ids: list[str]) -> tuple[dict, dict]:
    """The store's answer for each commit, and git's alone."""
    with GitStore(root, root / ".git" / "dangwu") as store:
        ours = store.signatures(ids, allowed(root))
        theirs = store._signatures_by_git(ids, allowed(root))
    return ours, theirs


def raw(root: Path, commit: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(root), "cat-file", "commit", commit], capture_output=True, check=True
    ).stdout


def written(root: Path, data: bytes) -> str:
    """A commit object with exactly these bytes (git takes it as it is)."""
    return (
        subprocess.run(
            ["git", "-C", str(root), "hash-object", "-t", "commit", "-w", "--literally", "--stdin"],
            input=data,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )


def sign(
    root: Path, payload: bytes, key: Path, namespace: str = "git", hashed: str = "sha512"
) -> bytes:
    """``payload`` signed with ssh-keygen -Y sign, armored as git puts it in gpgsig."""
    target = root.parent / "payload"
    target.write_bytes(payload)
    subprocess.run(
        [
            *("ssh-keygen", "-q", "-Y", "sign", "-n", namespace),
            *("-O", f"hashalg={hashed}", "-f", str(key), str(target)),
        ],
        check=True,
        capture_output=True,
    )
    signature = (root.parent / "payload.sig").read_bytes()
    (root.parent / "payload.sig").unlink()
    return signature


def with_signature(payload: bytes, signature: bytes, header: bytes = b"gpgsig") -> bytes:
    head, _blank, body = payload.partition(b"\n\n")
    lines = signature.rstrip(b"\n").split(b"\n")
    folded = header + b" " + b"\n ".join(lines)
    return head + b"\n" + folded + b"\n\n" + body


def unsigned(data: bytes) -> bytes:
    parts = signing.signed_parts(data)
    assert parts, data
    return parts[0]


def test_the_demos_history_is_read_as_git_reads_it(office: Path):
    ids = git(office, "rev-list", "HEAD").split()
    ours, theirs = answers(office, ids)
    assert ours == theirs
    statuses = [status for status, _key in ours.values()]
    assert statuses.count("G") >= 20 and "N" in statuses


def test_what_is_read_here_is_only_good_or_unsigned(office: Path):
    ids = git(office, "rev-list", "HEAD").split()
    listed = signing.listed_ed25519_keys(allowed(office))
    said = [signing.checked_here(raw(office, c), listed) for c in ids]
    assert {s[0] for s in said if s} == {"G", "N"}
    assert None not in said  # the demo's signatures are all read here


def crafted(office: Path) -> dict[str, bytes]:
    """Commits a clerk could craft from one the approver signed."""
    keys = office / ".git" / "dangwu" / "demo-keys"
    signed = next(
        c
        for c in git(office, "rev-list", "HEAD").split()
        if b"\ngpgsig " in raw(office, c) and b"approve" in raw(office, c)
    )
    data = raw(office, signed)
    payload = unsigned(data)
    armored = signing.signed_parts(data)[1]  # type: ignore[index]
    stranger = office.parent / "stranger"
    if not stranger.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True
        )
    blob = base64.b64decode(b"".join(armored.split(b"\n")[1:-2]))
    s_at = len(blob) - 32  # S is the last 32 bytes of the signature
    s = int.from_bytes(blob[s_at:], "little")
    malleated = blob[:s_at] + (s + ORDER).to_bytes(32, "little")
    rearmored = b"\n".join(
        [
            b"-----BEGIN SSH SIGNATURE-----",
            *(
                base64.b64encode(malleated)[i : i + 70]
                for i in range(0, len(base64.b64encode(malleated)), 70)
            ),
            b"-----END SSH SIGNATURE-----",
        ]
    )
    other_text = payload.replace(b"\n\n", b"\n\nAPPROVED WITHOUT READING\n", 1)
    return {
        "as signed": data,
        "the text changed after signing": with_signature(other_text, armored),
        "signed by a key nobody lists": with_signature(payload, sign(office, payload, stranger)),
        "signed in another namespace": with_signature(
            payload, sign(office, payload, keys / "zhoulx", "file")
        ),
        "signed with SHA-256": with_signature(
            payload, sign(office, payload, keys / "zhoulx", hashed="sha256")
        ),
        "a second signature header": with_signature(data, armored, b"gpgsig-sha256"),
        "S plus the group order": with_signature(payload, rearmored + b"\n"),
        "the armor folded wrongly": with_signature(payload, armored.replace(b"\n", b"\n\n", 1)),
        "no signature at all": payload,
    }


def test_what_a_clerk_crafts_is_answered_as_git_answers_it(office: Path):
    cases = crafted(office)
    made = {what: written(office, data) for what, data in cases.items()}
    ours, theirs = answers(office, list(made.values()))
    for what, commit in made.items():
        assert ours[commit] == theirs[commit], what
    assert theirs[made["as signed"]][0] == "G"
    assert theirs[made["the text changed after signing"]][0] == "B"
    assert theirs[made["signed by a key nobody lists"]][0] == "U"
    assert theirs[made["no signature at all"]] == ("N", "")
    assert theirs[made["signed with SHA-256"]][0] == "G"
    assert b"sha256" in base64.b64decode(
        b"".join(signing.signed_parts(cases["signed with SHA-256"])[1].split(b"\n")[1:-2])  # type: ignore[index]
    )
    # OpenSSH takes S + L for S; OpenSSL does not, and leaves it to git
    assert theirs[made["S plus the group order"]] == theirs[made["as signed"]]
    listed = signing.listed_ed25519_keys(allowed(office))
    here = {what: signing.checked_here(data, listed) for what, data in cases.items()}
    # only the honest ones are decided in this process; git judges every other
    assert {what for what, said in here.items() if said} == {
        "as signed",
        "signed with SHA-256",
        "no signature at all",
    }


@pytest.mark.parametrize("setting", ["gpg.ssh.revocationFile", "gpg.ssh.program"])
def test_a_check_git_is_told_to_make_otherwise_is_left_to_git(
    office: Path, tmp_path: Path, setting: str
):
    """Where git's config says to check signatures against revoked keys, or with
    another program, no signature is judged in this process: a key the office revoked
    is not good here because the roster lists it."""
    copy = tmp_path / "office"
    shutil.copytree(office, copy, symlinks=True)
    keys = copy / ".git" / "dangwu" / "demo-keys"
    if setting == "gpg.ssh.revocationFile":
        value = keys / "revoked"
        value.write_text((keys / "zhoulx.pub").read_text("utf-8"), "utf-8")
    else:
        value = tmp_path / "program"
        value.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "ran"}\nexec ssh-keygen "$@"\n')
        value.chmod(0o755)
    git(copy, "config", setting, str(value))
    ids = git(copy, "rev-list", "HEAD").split()
    with GitStore(copy, copy / ".git" / "dangwu") as store:
        store._signatures_by_git = lambda *_args: {}  # type: ignore[method-assign]
        assert store.signatures(ids, allowed(copy)) == {}  # nothing was said here
    ours, theirs = answers(copy, ids)
    assert ours == theirs
    if setting == "gpg.ssh.revocationFile":
        zhoulx = base64.b64decode((keys / "zhoulx.pub").read_text("utf-8").split()[1])
        signed = {c: signing.signed_parts(raw(copy, c)) for c in ids}
        by_zhoulx = [
            c for c, parts in signed.items() if parts and signing.ed25519_signer(*parts) == zhoulx
        ]
        assert by_zhoulx and all(ours[c][0] != "G" for c in by_zhoulx), [ours[c] for c in by_zhoulx]
    else:
        assert "-Y" in (tmp_path / "ran").read_text("utf-8")
