"""The server's side of sharing [SPEC 9, 11, 15]: dangwu's hooks, placed the way each
kind of server keeps hooks.

* a bare repository on a disk, or behind git's smart HTTP: ``hooks/pre-receive`` and
  ``hooks/post-receive``;
* gitolite: the same, beside gitolite's own ``update`` hook; where the server uses
  gitolite's repo-specific hooks, in its ``LOCAL_CODE/hooks/repo-specific/``, with the
  two lines its ``gitolite.conf`` needs;
* Gitea/Forgejo: ``hooks/pre-receive.d/dangwu`` (and post-receive), which the
  platform's own hooks run beside theirs;
* GitLab: ``custom_hooks/pre-receive.d/dangwu`` (and post-receive), Gitaly's server
  hooks.

The hooks run the very Python that installs them (``python -I -m dangwu.serverhook``),
as the account that owns the repository. Installing checks that this account can run
it; run as root, the whole installation is done as that account, so every file it
writes is that account's.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dangwu import __version__, i18n
from dangwu.errors import DangwuError, UsageError
from dangwu.i18n import _
from dangwu.model.servers import SERVERS
from dangwu.store.gitstore import GitStore, is_bare

HOOK_MARK = "dangwu pre-receive hook"
AFTER_MARK = "dangwu post-receive hook"
GITOLITE_HOOKS = ("dangwu-pre-receive", "dangwu-post-receive")


@dataclass
class Installed:
    server: str
    variable: str | None  # how the server names the pusher (None: it cannot)
    account: str  # who runs git, and so the hooks, on the server
    hooks: list[str] = field(default_factory=list)  # the files written
    branch: str | None = None  # where HEAD points, when dangwu set it
    todo: list[str] = field(default_factory=list)  # what is left to whoever runs the server


# --- what kind of server, and where its hooks go ----------------------------------------


def server_kind(path: Path) -> str:
    """What kind of server keeps the bare repository at ``path``, as far as its
    folders tell: Gitea/Forgejo keep their own hooks in hooks/pre-receive.d/, GitLab
    keeps repositories under @hashed/ (or custom_hooks/ beside hooks/), gitolite keeps
    them in its home's repositories/."""
    for name in ("gitea", "forgejo"):
        if (path / "hooks" / "pre-receive.d" / name).exists():
            return "gitea"
    if "@hashed" in path.resolve().parts or (path / "custom_hooks").is_dir():
        return "gitlab"
    if gitolite_home(path) is not None:
        return "gitolite"
    return "disk"


def gitolite_home(path: Path) -> Path | None:
    """The gitolite hosting account's home, if ``path`` is one of its repositories."""
    parts = path.resolve().parts
    if "repositories" not in parts:
        return None
    home = Path(*parts[: len(parts) - 1 - parts[::-1].index("repositories")])
    if (home / ".gitolite.rc").exists() or (home / ".gitolite").is_dir():
        return home
    return None


def script(
    kind: str, language: str | None = None, *, after: bool = False, site: Path | None = None
) -> str:
    """The hook as it is written on the server (``hook print`` shows it); its comments
    are in the hook's language."""

    if kind not in SERVERS:
        raise UsageError(_("--server must be one of {kinds}").format(kinds=", ".join(SERVERS)))
    if language not in (None, "en", "zh_CN"):
        raise UsageError(_("--lang must be en or zh_CN"))
    args = f" --server {kind}" + (f" --lang {language}" if language else "")
    if site is not None:
        if not site.is_absolute() or any(c in str(site) for c in '"$`\\\n'):
            raise UsageError(
                _("--site must be a folder's full path, e.g. /var/www/dangwu: {path}").format(
                    path=site
                )
            )
        args += f' --site "{site}"'
    with i18n.speaking(language or i18n.language()):
        if after:
            first = f"# {AFTER_MARK}, beside the {HOOK_MARK}; dangwu {__version__}."
            said = _(
                "Returns at once; on its own, it then notes when the push's commits were "
                "received (refs/notes/dangwu/received) and keeps the server's audit at its "
                "head, so that the next push is judged quickly. It never refuses a push."
            )
            if site is not None:
                said += (" " if said.isascii() else "") + _(
                    "Then it builds the public web site into {path} from what the push "
                    "left, which the pre-receive hook accepted."
                ).format(path=site)
            command = f'exec "{sys.executable}" -I -m dangwu.serverhook --after{args}'
        else:
            first = f"# {HOOK_MARK}; dangwu {__version__}."
            said = _(
                "Refuses a push that breaks the disclosure rules (every pushed commit is "
                "audited), that rewrites or deletes history this server holds, that is dated "
                "ahead of this server's clock, or that pushes anything but branches and tags. "
                "It needs git and the Python below, with dangwu installed, runnable by the "
                "account that runs git here. Nothing of the pusher's shell decides what it "
                "accepts, except the variable through which a {kind} server names the pusher."
            ).format(kind=kind)
            command = f'exec "{sys.executable}" -I -m dangwu.serverhook{args}'
    # 78 columns: a Chinese character takes two
    lines = textwrap.wrap(said, 78 if said.isascii() else 38, break_on_hyphens=False)
    comments = "\n".join(f"# {line}" for line in lines)
    return f"#!/bin/sh\n{first}\n{comments}\n{command}\n"


# --- installing ------------------------------------------------------------------------


def install(
    path: Path,
    *,
    kind: str | None = None,
    language: str | None = None,
    force: bool = False,
    branch: str | None = None,
    site: Path | None = None,
) -> Installed:
    """Put dangwu's hooks into the server's bare repository at ``path``; with ``site``,
    the post-receive hook builds the public web site into that folder."""
    path = path.resolve()
    if not is_bare(path):
        working = (path / ".git").exists()  # a clone someone works in, an office's folder
        raise UsageError(
            _("{path} is not a bare git repository (what a server keeps)").format(path=path),
            hint=_(
                "the hooks go on the server's repository that clerks push to, not in a "
                "working folder; to start one from this office: git clone --bare {path} "
                "{path}.git"
            ).format(path=path)
            if working
            else _("make one with: git init --bare {path}").format(path=path),
        )
    kind = kind or server_kind(path)
    script(kind, language, after=True, site=site)  # the options are sound first
    owner = path.stat().st_uid
    if os.geteuid() == 0 and owner != 0:
        return _install_as(owner, path, kind, language, force, branch, site)
    installed = _install_here(path, kind, language, force, branch, site)
    _check_runnable(installed.account, owner)
    return installed


def _install_here(
    path: Path,
    kind: str,
    language: str | None,
    force: bool,
    branch: str | None,
    site: Path | None = None,
) -> Installed:
    installed = Installed(kind, SERVERS[kind], account_name(os.geteuid()))
    targets = _targets(path, kind, installed)
    if not force:
        for target, after in targets:
            if _foreign(target, AFTER_MARK if after else HOOK_MARK):
                raise DangwuError(
                    _("{path} is there already and is not dangwu's").format(path=target),
                    hint=_(
                        "run both by hand (dangwu hook print shows dangwu's), or replace it: "
                        "dangwu hook install --force PATH"
                    ),
                )
    for target, after in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_hook(target, script(kind, language, after=after, site=site if after else None))
        installed.hooks.append(str(target))
    with GitStore(path, path / "dangwu") as git:
        git.set_config("receive.denyNonFastForwards", "true")
        git.set_config("receive.denyDeletes", "true")
        # a malformed object (two authors, a broken date) is refused before any hook
        git.set_config("receive.fsckObjects", "true")
        if kind in ("gitea", "gitlab"):
            installed.todo.append(
                _(
                    "set the project's default branch to the office's ({branch}) in the "
                    "platform's settings"
                ).format(branch=branch or "main")
            )
        else:
            installed.branch = _point_head(git, branch)
    (path / "dangwu").mkdir(exist_ok=True)
    return installed


def _targets(path: Path, kind: str, installed: Installed) -> list[tuple[Path, bool]]:
    """Where the two hooks go on this kind of server: (file, is the post-receive)."""
    if kind == "gitea":
        return [
            (path / "hooks" / "pre-receive.d" / "dangwu", False),
            (path / "hooks" / "post-receive.d" / "dangwu", True),
        ]
    if kind == "gitlab":
        return [
            (path / "custom_hooks" / "pre-receive.d" / "dangwu", False),
            (path / "custom_hooks" / "post-receive.d" / "dangwu", True),
        ]
    if kind == "gitolite":
        local = _gitolite_local_code(path)
        if local is not None:
            return _gitolite_targets(path, local, installed)
    return [(path / "hooks" / "pre-receive", False), (path / "hooks" / "post-receive", True)]


def _gitolite_local_code(path: Path) -> Path | None:
    """gitolite's LOCAL_CODE, where the server uses its repo-specific hooks (None:
    it does not, and hooks/pre-receive is the repository's own to set)."""
    home = gitolite_home(path)
    program = shutil.which("gitolite") or "/usr/share/gitolite3/gitolite"
    if home is None or not os.access(program, os.X_OK):
        return None
    env = {**os.environ, "HOME": str(home)}

    def query(name: str) -> str:
        done = subprocess.run(
            [program, "query-rc", name], capture_output=True, text=True, env=env, check=False
        )
        return done.stdout if done.returncode == 0 else ""

    if "repo-specific-hooks" not in query("ENABLE").split():
        return None
    local = query("LOCAL_CODE").strip()
    return Path(local) if local else None


def _gitolite_targets(path: Path, local: Path, installed: Installed) -> list[tuple[Path, bool]]:
    """Under gitolite's repo-specific hooks: the scripts go to LOCAL_CODE, and the
    repository's gitolite.conf entry names them (gitolite links them in)."""
    home = gitolite_home(path)
    assert home is not None
    admin = home / ".gitolite"
    if local.resolve().is_relative_to(admin.resolve()):
        # LOCAL_CODE inside gitolite-admin: files there come from the admin repository
        raise DangwuError(
            _(
                "gitolite keeps its LOCAL_CODE ({local}) in the gitolite-admin repository, "
                "so the hooks must be committed there"
            ).format(local=local),
            hint=_(
                "in a clone of gitolite-admin: dangwu hook print --server gitolite > "
                "local/hooks/repo-specific/dangwu-pre-receive, and with --after to "
                "dangwu-post-receive; make both executable, name them in conf/gitolite.conf "
                "(option hook.pre-receive = dangwu-pre-receive, option hook.post-receive = "
                "dangwu-post-receive) and push"
            ),
        )
    folder = local / "hooks" / "repo-specific"
    repo = path.name.removesuffix(".git")
    linked = all(
        list((path / "hooks").glob(f"{hook.split('-', 1)[1]}.h*-{hook}")) for hook in GITOLITE_HOOKS
    )
    if not linked:
        installed.todo += [
            _(
                "name the hooks in gitolite-admin's conf/gitolite.conf and push it; gitolite "
                "then links them into {repo}:"
            ).format(repo=repo),
            f"    repo {repo}",
            f"        option hook.pre-receive  = {GITOLITE_HOOKS[0]}",
            f"        option hook.post-receive = {GITOLITE_HOOKS[1]}",
        ]
    return [(folder / GITOLITE_HOOKS[0], False), (folder / GITOLITE_HOOKS[1], True)]


def _point_head(git: GitStore, branch: str | None) -> str | None:
    """HEAD names the office's branch: the one given, the one branch there is, or
    'main' in an empty repository (gitolite's start on 'master')."""
    heads = git.branches()
    if branch is None:
        if len(heads) > 1:
            return None  # the server's HEAD stays what its keeper chose
        branch = heads[0] if heads else "main"
    if heads and branch not in heads:
        raise UsageError(
            _("--branch: the repository has no branch '{branch}' (it has {heads})").format(
                branch=branch, heads=", ".join(heads)
            )
        )
    git.point_head_at(branch)
    return branch


def _foreign(target: Path, mark: str) -> bool:
    """A hook someone else put there (a link is never dangwu's: dangwu writes files)."""
    if target.is_symlink():
        return True
    return target.exists() and mark not in target.read_text("utf-8", "replace")


def _write_hook(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text, "utf-8")
    tmp.chmod(0o755)
    tmp.replace(path)


# --- who runs it -----------------------------------------------------------------------


def account_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _check_runnable(account: str, owner: int) -> None:
    """The hook runs this Python isolated (-I): see that it imports dangwu so, and say
    what cannot be checked from here."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", "import dangwu.serverhook"],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
    )
    if done.returncode != 0:
        raise DangwuError(
            _("the hooks were written, but {python} cannot run them: {error}").format(
                python=sys.executable, error=_last_line(done.stderr)
            ),
            hint=_(
                "install dangwu into that Python (not only on PYTHONPATH), or run 'hook install' "
                "with a Python that has it"
            ),
        )
    if owner != os.geteuid():
        owner_name = account_name(owner)
        print(
            _(
                "note: the repository belongs to {owner}, who runs the hooks; check that it can: "
                "sudo -u {owner} {python} -I -c 'import dangwu.serverhook'"
            ).format(owner=owner_name, python=sys.executable),
            file=sys.stderr,
        )


def _install_as(
    owner: int,
    path: Path,
    kind: str,
    language: str | None,
    force: bool,
    branch: str | None,
    site: Path | None,
) -> Installed:
    """Root installs as the repository's owner, who runs the hooks: every file is then
    theirs, git's ownership check is met, and that the hook can run at all is shown by
    running this very Python as them."""
    entry = pwd.getpwuid(owner)
    request = json.dumps(
        {
            "path": str(path),
            "kind": kind,
            "language": language,
            "force": force,
            "branch": branch,
            "site": str(site) if site else None,
        }
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": entry.pw_dir,
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "DANGWU_LANG": _current_language(),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-m", "dangwu.app.hosting", request],
            capture_output=True,
            text=True,
            env=env,
            cwd="/",
            user=owner,
            group=entry.pw_gid,
            extra_groups=os.getgrouplist(entry.pw_name, entry.pw_gid),
            check=False,
        )
    except OSError as exc:
        done = subprocess.CompletedProcess([], 126, "", str(exc))
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise DangwuError(
            _(
                "nothing was installed: the repository's owner {owner} cannot run {python}: {error}"
            ).format(owner=entry.pw_name, python=sys.executable, error=_last_line(done.stderr)),
            hint=_(
                "the hooks run as {owner}: install dangwu where {owner} can run it (e.g. "
                "python3 -m venv /opt/dangwu && /opt/dangwu/bin/pip install dangwu) and run "
                "that dangwu's hook install"
            ).format(owner=entry.pw_name),
        )
    if "error" in answer:
        kind_of_error = UsageError if answer.get("usage") else DangwuError
        raise kind_of_error(answer["error"], hint=answer.get("hint"))
    return Installed(**answer)


def _current_language() -> str:

    return i18n.language()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "?"


def _main(request: str) -> int:
    """What root's install runs as the repository's owner: one JSON answer."""
    wanted = json.loads(request)
    try:
        installed = _install_here(
            Path(wanted["path"]),
            wanted["kind"],
            wanted["language"],
            bool(wanted["force"]),
            wanted["branch"],
            Path(wanted["site"]) if wanted.get("site") else None,
        )
    except DangwuError as exc:
        usage = isinstance(exc, UsageError)
        print(json.dumps({"error": exc.message, "hint": exc.hint, "usage": usage}))
        return 1
    print(json.dumps(asdict(installed)))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))
