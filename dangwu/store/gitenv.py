"""git's surroundings, known without starting git: the variables git must not
inherit, dangwu's own refs by name, and whether a repository holds one (read from
its files: a quick command asks this when, as usual, the answer is no)."""

from __future__ import annotations

import os
from pathlib import Path

# Variables that point git at some other repository or index. dangwu finds its
# repository itself, so when they are inherited (a hook, an IDE) they would
# misdirect every command.
LOCATION_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
)
# git may be told to show other objects than the ones a commit names: replace refs
# (refs/replace/*, pushed or made locally) swap one object for another, and a grafts
# file or GIT_GRAFT_FILE gives commits other parents. The history is the evidence, so
# dangwu reads the objects themselves: every git it runs has replace refs switched off.
HONEST_READING = {"GIT_NO_REPLACE_OBJECTS": "1"}
# Variables that would make git show something else than the repository holds.
MISLEADING_VARIABLES = ("GIT_GRAFT_FILE", "GIT_REPLACE_REF_BASE", "GIT_SHALLOW_FILE")
# Where the server notes when it received each commit [SPEC 11]; only the server writes
# there (its hook refuses pushes to refs/notes/*), and clones fetch it.
RECEIVED_NOTES = "refs/notes/dangwu/received"


def scrub_environment() -> None:
    """Forget the variables above before any command reads git."""
    for name in (*LOCATION_VARIABLES, *MISLEADING_VARIABLES):
        os.environ.pop(name, None)


def holds_ref(git_dir: Path, ref: str) -> bool:
    """Whether a repository has ``ref``, read from its files without starting git."""
    if (git_dir / ref).is_file():
        return True
    try:
        packed = (git_dir / "packed-refs").read_text("utf-8", "replace")
    except OSError:
        return False
    return f" {ref}\n" in packed


def dot_git(root: Path) -> Path | None:
    """The git folder of the work tree ``root``: its ``.git`` folder, or the one a
    ``.git`` file names (a linked worktree, a submodule); None where ``root`` has no
    ``.git`` (a bare repository is its own)."""
    dotgit = root / ".git"
    if dotgit.is_file():
        text = dotgit.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            target = Path(text[len("gitdir:") :].strip())
            return target if target.is_absolute() else (root / target).resolve()
        return dotgit
    return dotgit if dotgit.exists() else None
