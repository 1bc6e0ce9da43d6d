"""Acting on an office with plain git, as someone who bypasses dangwu would.

Helpers for the procedure and audit tests: make SSH signing keys, put them in
the roster, edit a record file by hand, and write a step commit by hand (its
facts and trailers copied from what dangwu writes), optionally signed with any
key. Nothing here calls dangwu's commands.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from conftest import DEFAULT_NOW, PEOPLE, Office, git

from dangwu import yamlio
from dangwu.model.record import content_hash as hash_of_content
from dangwu.store import records


def discard_message(rid: str, title: str, actor: str, before: str = "draft") -> str:
    """The message of a discard step, as dangwu writes it (``before``: the state the
    record is said to have left)."""
    return (
        f"discard: {rid} {title}\n\nDangwu-Step: discard\nDangwu-Record: {rid}\n"
        f"Dangwu-From: {before}\nDangwu-To: none\nDangwu-Actor: {actor}\n"
    )


def person(key: str) -> tuple[str, str]:
    return PEOPLE.get(key, (key, f"{key}@example.org"))


def identity(
    key: str, date: str = DEFAULT_NOW, email: str | None = None, committed: str | None = None
) -> dict[str, str]:
    """The environment of a plain git commit by ``key`` (or any ``email``) at ``date``
    (committed then too, unless ``committed`` says when)."""
    name, mail = person(key)
    mail = email or mail
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": mail,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": mail,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": committed or date,
    }


def keygen(folder: Path, key: str) -> Path:
    """A fresh ed25519 key pair <folder>/<key> and <key>.pub."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / key
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", key, "-f", str(path)],
        check=True,
        capture_output=True,
    )
    return path


def sign_env(private_key: Path) -> dict[str, str]:
    """What makes git (and so dangwu) sign with ``private_key``."""
    return {
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "gpg.format",
        "GIT_CONFIG_VALUE_0": "ssh",
        "GIT_CONFIG_KEY_1": "user.signingkey",
        "GIT_CONFIG_VALUE_1": str(private_key),
    }


def demo_signer(office: Office, key: str) -> dict[str, str]:
    """What makes a person of the sample office sign with their own sample key, as the
    README's ``as`` does: the sample office signs the leading group's acts."""
    return sign_env(office.root / ".git" / "dangwu" / "demo-keys" / key)


def edit_settings(office: Office, change: Callable[[Any], None]) -> None:
    """Change dangwu.yaml in the working tree (round-trip, comments kept)."""
    data = yamlio.load_round_trip(office.read("dangwu.yaml"))
    change(data)
    office.write("dangwu.yaml", yamlio.dump_round_trip(data))


def give_signing_keys(
    office: Office, keys: Mapping[str, Path], *, by: str = "linht", date: str = DEFAULT_NOW
) -> str:
    """A committed roster change (by the office head) listing each person's public key."""

    def change(data: Any) -> None:
        for key, private in keys.items():
            data["roster"][key]["signing_key"] = Path(f"{private}.pub").read_text().strip()

    edit_settings(office, change)
    return commit(office, by, "roster: signing keys", "dangwu.yaml", date=date)


def commit(
    office: Office,
    key: str,
    message: str,
    *paths: str,
    date: str = DEFAULT_NOW,
    email: str | None = None,
    sign_with: Path | None = None,
    amend: bool = False,
    committed: str | None = None,
) -> str:
    """``git add`` the paths (all with -A when none) and ``git commit`` as ``key``."""
    env = identity(key, date, email, committed)
    if paths:
        git(office.root, "add", "-A", "--", *paths)
    else:
        git(office.root, "add", "-A")
    message_file = office.root.parent / f".message-{os.getpid()}"
    message_file.write_text(message, encoding="utf-8")
    args = ["commit", "-q", "--allow-empty-message", "-F", str(message_file)]
    if amend:
        args.append("--amend")
    if sign_with is not None:
        args = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={sign_with}", *args, "-S"]
    try:
        git(office.root, *args, env=env)
    finally:
        message_file.unlink(missing_ok=True)
    return git(office.root, "rev-parse", "HEAD")


def relpath(office: Office, record_id: str) -> str:
    found = list((office.root / "records").glob(f"*/{record_id}.yaml"))
    assert len(found) == 1, record_id
    return found[0].relative_to(office.root).as_posix()


def load(office: Office, record_id: str) -> Any:
    return yamlio.load_round_trip(office.read(relpath(office, record_id)))


def edit_record(office: Office, record_id: str, change: Callable[[Any], None]) -> str:
    """Change a record file in the working tree; returns its path."""
    path = relpath(office, record_id)
    data = yamlio.load_round_trip(office.read(path))
    change(data)
    office.write(path, yamlio.dump_round_trip(data))
    return path


def facts(**values: Any) -> Any:
    """A mapping of step facts written the way dangwu writes them."""
    from ruamel.yaml.comments import CommentedMap

    out = CommentedMap()
    for name, value in values.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[name] = yamlio.flow_list(value)
        else:
            out[name] = value
    return out


def put(data: Any, name: str, value: Any) -> None:
    records.place(data, name, value)


def content_hash(office: Office, record_id: str) -> str:
    return hash_of_content(dict(load(office, record_id)))


def step_message(
    step: str,
    record_id: str,
    title: str,
    *,
    before: str,
    after: str,
    actor: str,
    content: str,
    body: Sequence[str] = (),
) -> str:
    """A step commit's message, trailers and all, as dangwu writes it."""
    lines = [f"{step}: {record_id} {title}", ""]
    if body:
        lines += [*body, ""]
    lines += [
        f"Dangwu-Step: {step}",
        f"Dangwu-Record: {record_id}",
        f"Dangwu-From: {before}",
        f"Dangwu-To: {after}",
        f"Dangwu-Actor: {actor}",
        f"Dangwu-Content: {content}",
    ]
    return "\n".join(lines) + "\n"


def forge_step(
    office: Office,
    key: str,
    step: str,
    record_id: str,
    change: Callable[[Any], None],
    *,
    date: str = DEFAULT_NOW,
    actor: str | None = None,
    sign_with: Path | None = None,
    email: str | None = None,
    also: Sequence[str] = (),
    committed: str | None = None,
) -> str:
    """Write a step commit by hand: ``change`` edits the record's data (status and
    facts); the trailers state the step as dangwu would. ``also`` are further paths
    (already changed in the working tree) swept into the same commit."""
    path = relpath(office, record_id)
    data = yamlio.load_round_trip(office.read(path))
    before = str(data.get("status", "draft"))
    title = str(data["title"])
    change(data)
    office.write(path, yamlio.dump_round_trip(data))
    message = step_message(
        step,
        record_id,
        title,
        before=before,
        after=str(data.get("status", "draft")),
        actor=actor or key,
        content=hash_of_content(dict(data)),
    )
    return commit(
        office,
        key,
        message,
        path,
        *also,
        date=date,
        email=email,
        sign_with=sign_with,
        committed=committed,
    )


def violations(output: str) -> list[str]:
    """The violation lines of ``dangwu audit``'s output."""
    return [line for line in output.splitlines() if " [" in line and "] " in line]


def flagged(output: str, commit_id: str, record: str | None, rule: str, who: str) -> bool:
    """Whether audit printed '<commit10> <record> [<rule>] ... (<person>)'."""
    head = f"{commit_id[:10]} {record or '-'} [{rule}] "
    return any(line.startswith(head) and f"({who})" in line for line in violations(output))


def _roster_names() -> dict[str, str]:
    from conftest import SAMPLE_SETTINGS

    data = yamlio.load_round_trip(SAMPLE_SETTINGS.read_text(encoding="utf-8"))
    return {str(k): str(v["name"]) for k, v in data["roster"].items()}


NAMES = _roster_names()


def who(key: str) -> str:
    """How audit names a roster person: '<name> (<key>)'."""
    return f"{NAMES[key]} ({key})"
