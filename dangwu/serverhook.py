"""The server's pre-receive hook [SPEC 9]: ``python -I -m dangwu.serverhook``.

git runs it in the bare repository with one line per pushed ref on stdin
(``<old> <new> <ref>``). A branch may only move forward, and every commit it gains
is audited (``dangwu audit --range old..new``); anything else refuses the whole push,
with dangwu's reasons shown to the pusher as ``remote:`` lines. Nothing the pusher's
shell sets decides the outcome: the environment is rebuilt here, keeping only what
git needs to see the pushed objects.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dangwu.gitstore import GitStore

ZERO = "0" * 40
# what git gives a pre-receive hook so it can read the objects of the push
GIT_KEEPS = ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH")


def _clean_environment(repo: Path, language: str | None) -> None:
    kept = {k: v for k, v in os.environ.items() if k in GIT_KEEPS or k.startswith("GIT_PUSH_")}
    path = os.environ.get("PATH") or "/usr/local/bin:/usr/bin:/bin"
    os.environ.clear()
    os.environ.update(kept)
    os.environ.update(
        {
            "PATH": path,
            "HOME": str(repo),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "NO_COLOR": "1",
        }
    )
    if language:
        os.environ["DANGWU_LANG"] = language


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    # --lang when the hook was installed with one; else the office's setting (judge)
    language = args[args.index("--lang") + 1] if "--lang" in args[:-1] else None
    repo = Path.cwd()
    _clean_environment(repo, language)
    from dangwu import i18n

    i18n.set_language(language or "en")  # whatever the pusher's shell had chosen
    lines = [line.split() for line in sys.stdin.read().splitlines() if line.strip()]
    if "--after" in args:
        return after(repo)
    try:
        refusals = judge(repo, [(old, new, ref) for old, new, ref in lines])
    except Exception as exc:  # a hook that cannot judge must not let the push through
        refusals = [f"dangwu: could not check this push ({type(exc).__name__}: {exc})"]
    if refusals:
        for line in refusals:
            print(line, file=sys.stderr)
        return 1
    return 0


def judge(repo: Path, updates: list[tuple[str, str, str]]) -> list[str]:
    """The reasons to refuse these ref updates (none: accept)."""
    from dangwu import inspector
    from dangwu.errors import DangwuError
    from dangwu.gitstore import GitStore
    from dangwu.i18n import _
    from dangwu.office import Office

    office = Office(repo, bare=True)
    out: list[str] = []
    with GitStore(repo, office.state_dir) as git:
        if updates:
            _speak_the_office_language(git, updates[0])
        for old, new, ref in updates:
            if not ref.startswith("refs/heads/"):
                continue
            name = ref[len("refs/heads/") :]
            if new == ZERO:
                out.append(
                    _("dangwu: refusing to delete {branch}: an office's history is kept").format(
                        branch=name
                    )
                )
                continue
            if old != ZERO and not git.is_ancestor(old, new):
                lost = git.run("rev-list", "--count", f"{new}..{old}")
                out.append(
                    _(
                        "dangwu: refusing {branch}: the push rewrites history the server holds "
                        "({n} commits would be lost); an office's history is never rewritten"
                    ).format(branch=name, n=lost.strip())
                )
                continue
            if old == ZERO:
                heads = [
                    h
                    for h in git.run("for-each-ref", "--format=%(objectname)", "refs/heads").split()
                    if h
                ]
                bases = [git.try_run("merge-base", h, new) for h in heads]
                known = [b for b in bases if b]
                span = f"{known[0]}..{new}" if known else f"{ZERO}..{new}"
            else:
                span = f"{old}..{new}"
            try:
                result = inspector.audit(office, span=span)
            except DangwuError as exc:
                out.append(f"dangwu: {exc}")
                continue
            if result.violations:
                out.append(
                    _(
                        "dangwu: refusing {branch}: {n} violation(s) of the disclosure rules "
                        "in the {count} commit(s) pushed"
                    ).format(branch=name, n=len(result.violations), count=result.commits)
                )
                out += [v.line() for v in result.violations]
    if out:
        out.append(_("dangwu: nothing was changed on the server; 'dangwu audit' shows the same"))
    return out


def _speak_the_office_language(git: GitStore, update: tuple[str, str, str]) -> None:
    """Unless the hook was installed with --lang, answer in the office's language: the
    ``language:`` of the settings the branch holds (or, for a first push, brings)."""
    from dangwu import i18n
    from dangwu.entry import language_setting

    if os.environ.get("DANGWU_LANG"):
        return
    old, new, _ref = update
    raw = git.blob(old if old != ZERO else new, "dangwu.yaml")
    # read as the command line reads it (entry.py): a broken file is the audit's to report
    language = language_setting(raw.decode("utf-8", "replace")) if raw else None
    if language in ("en", "zh_CN"):
        i18n.use_office_language(language)


def after(repo: Path) -> int:
    """post-receive: the push is in. Bring the server's own audit up to its new head,
    so the next push is judged against what this one left (no history to re-read),
    and keep git's commit-graph current for the history lookups."""
    from dangwu import inspector
    from dangwu.errors import DangwuError
    from dangwu.gitstore import GitStore
    from dangwu.office import Office

    office = Office(repo, bare=True)
    try:
        with GitStore(repo, office.state_dir) as git:
            git.attempt("commit-graph", "write", "--reachable", "--changed-paths", "--split")
        inspector.audit(office)
    except DangwuError as exc:  # the push stands; the next one re-reads what it must
        print(f"dangwu: {exc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
