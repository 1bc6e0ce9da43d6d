"""The server's hooks [SPEC 9, 11]: ``python -I -m dangwu.serverhook``.

git runs the pre-receive hook in the bare repository with one line per pushed ref
on stdin (``<old> <new> <ref>``), and judges every ref the push touches:

* a branch (``refs/heads/*``) may only move forward, and every commit it gains is
  audited (``dangwu audit --range old..new``), knowing who pushed it (on a server
  that says: gitolite, smart HTTP behind a web server, Gitea/Forgejo, GitLab) and
  that it arrived now; no commit may be dated ahead of the server's clock;
* a tag may only be created, and only on a commit a branch holds;
* replace refs, notes and anything else are refused: only branches carry the
  history, and the server's own notes (when it received each commit) are written
  by the server alone.

Anything refused refuses the whole push, with dangwu's reasons shown to the pusher
as ``remote:`` lines. The post-receive hook (``--after``) returns at once; a process
of its own, which nobody waits for, notes when the push's commits were received
(``refs/notes/dangwu/received``), takes up what the pre-receive found, so the
server's own audit stands at the new head without reading history again, and then
does what is left (the first audit after installing, git's commit-graph; what
``--catch-up`` does). Nothing the
pusher's shell sets decides the outcome: the environment is rebuilt here, keeping
only what git needs to see the pushed objects and the one variable through which the
server names the pusher. The hook needs no home, and keeps its cache in the
repository's ``dangwu/`` folder, or, where its account may not write there, in a
folder of its own (and says so).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

from dangwu.model.servers import SERVERS

# What the post-receive's first process needs before it forks is imported here, and
# nothing else: git, and the pusher, wait for that process (hashlib, json, datetime
# and the office's modules are imported where they are used).

if TYPE_CHECKING:
    from datetime import datetime

    from dangwu.model.office import Settings
    from dangwu.rules.audit import Pusher
    from dangwu.store.gitstore import GitStore
    from dangwu.store.office import Office

ZERO = "0" * 40
# what git gives a pre-receive hook so it can read the objects of the push
GIT_KEEPS = ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH")
RECEIPTS = "receipts"  # the state folder's pending receipts, pre-receive -> post-receive
# what stopped the post-receive's work, kept in the state folder: that process is
# detached, and what it prints goes nowhere
AFTER_LOG = "after.log"


def _option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args[:-1] else None


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
    language = _option(args, "--lang")
    server = _option(args, "--server") or "disk"
    variable = SERVERS.get(server)
    # read before the environment is rebuilt: who the server says pushes, and the
    # clock a rehearsal server takes from the pusher (only if its config allows)
    account = (os.environ.get(variable) or "").strip() if variable else None
    pushers_clock = os.environ.get("DANGWU_NOW")
    # git runs a bare repository's hooks in it; a server that chains hooks may not
    repo = Path(os.environ.get("GIT_DIR") or ".").resolve()
    _clean_environment(repo, language)
    from dangwu import i18n

    i18n.set_language(language or "en")  # whatever the pusher's shell had chosen
    if "--catch-up" in args:
        return catch_up(repo, _option(args, "--state"))
    text = sys.stdin.read()
    lines = [line.split() for line in text.splitlines() if line.strip()]
    updates = [(old, new, ref) for old, new, ref in lines]
    if "--after" in args:
        # taken before git stops waiting, held by the detached copy until the notes
        # are written: the next push's pre-receive judges with this one's receipts.
        # The usual folder is found without loading the office (its imports are most
        # of what the pusher would wait for here).
        usual = repo / "dangwu"
        if usual.is_dir() and os.access(usual, os.W_OK | os.X_OK):
            lock = _after_lock(usual)
        else:
            lock = _after_lock(_office(repo)[0].state_dir)
        if not _detached():
            return 0  # git, and the pusher, stop waiting here
        return after(_office(repo)[0], updates, lock, site=_option(args, "--site"))
    office, elsewhere = _office(repo)
    if elsewhere:
        print(elsewhere, file=sys.stderr)
    _wait_for_receipts(office)
    try:
        now = _clock(office, pushers_clock)
        refusals = judge(office, updates, account=account, known=variable is not None, now=now)
    except Exception as exc:  # a hook that cannot judge must not let the push through
        refusals = [f"dangwu: could not check this push ({type(exc).__name__}: {exc})"]
    if refusals:
        for line in refusals:
            print(line, file=sys.stderr)
        return 1
    return 0


def _office(repo: Path) -> tuple[Office, str | None]:
    """The office the server keeps, and where its hook keeps its working files: the
    repository's dangwu/ folder, or where its account can write (with the line that
    says so to the pusher, who tells whoever runs the server)."""
    office, said = _where(repo)
    _keep_cache(office)
    return office, said


def _keep_cache(office: Office) -> None:
    """What can be made again (the schemas' compiled checks, which are run) kept with
    the hook's other working files: in a folder _where found this account's to write,
    never one another account may fill (the repository's .cache, a dangwu/ folder
    that is not the hook's)."""
    os.environ["XDG_CACHE_HOME"] = str(office.state_dir / "cache")


def _where(repo: Path) -> tuple[Office, str | None]:
    import contextlib
    import hashlib

    from dangwu.i18n import _
    from dangwu.store.office import Office

    office = Office(repo, bare=True)
    wanted = office.state_dir
    try:
        wanted.mkdir(exist_ok=True)
        probe = wanted / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return office, None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    # a folder of this account's own: made by it, for it alone (a folder another
    # account made there could hold a cache that lies)
    import tempfile

    digest = hashlib.sha256(str(repo.resolve()).encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"dangwu-hook-{os.getuid()}-{digest}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise PermissionError(folder)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="dangwu-hook-"))
    told = folder / "told"
    if told.exists():
        return Office(repo, bare=True, state=folder), None  # said once is enough
    with contextlib.suppress(OSError):
        told.write_bytes(b"")
    return Office(repo, bare=True, state=folder), _(
        "dangwu: cannot keep the hook's cache in {wanted} ({reason}); it keeps it in {folder} "
        "instead. Whoever runs the server: let the account that runs git own {wanted}"
    ).format(wanted=wanted, reason=reason, folder=folder)


def _clock(office: Office, pushers_clock: str | None) -> datetime:
    """The server's clock. A server set up for rehearsals (git config dangwu.rehearsal
    true, never on a real server) takes the pusher's DANGWU_NOW instead."""
    from dangwu import clock
    from dangwu.store.gitstore import GitStore

    with GitStore(office.root, office.state_dir) as git:
        rehearsal = (git.config("dangwu.rehearsal") or "").lower() == "true"
    if rehearsal and pushers_clock:
        os.environ["DANGWU_NOW"] = pushers_clock
        try:
            return clock.now()
        finally:
            os.environ.pop("DANGWU_NOW", None)
    return clock.now()


def judge(
    office: Office,
    updates: list[tuple[str, str, str]],
    *,
    account: str | None = None,
    known: bool = False,
    now: datetime | None = None,
) -> list[str]:
    """The reasons to refuse these ref updates (none: accept). ``known``: the server
    names the pusher (``account``, None if it did not say)."""
    from dangwu import clock
    from dangwu.i18n import _
    from dangwu.store.gitstore import GitStore

    now = now or clock.now()
    out: list[str] = []
    with GitStore(office.root, office.state_dir) as git:
        if updates:
            _speak_the_office_language(git, updates[0])
        branches = [u for u in updates if u[2].startswith("refs/heads/")]
        for _old, _new, ref in updates:
            if not ref.startswith(("refs/heads/", "refs/tags/")):
                out.append(_foreign_ref(ref))
        tips = [new for _old, new, _ref in branches if new != ZERO]
        # what the server receives now: unless it holds no history yet, when the office
        # brings the history it kept before (nothing is known of when that arrived)
        established = git.has_branches()
        arriving = _arriving(git, tips) if established else set()
        # received now: what reaches the office's branch (a commit first pushed to a
        # side branch is received when it gets there)
        reaching = _reaching(git, branches, established)
        arriving |= reaching
        accepted: list[str] = []
        audited = False  # a refusal the audit found, which 'dangwu audit' shows too
        for old, new, ref in branches:
            refused, violations = _judge_branch(
                office, git, old, new, ref, account, known, arriving, now, established
            )
            out += refused
            audited = audited or violations
            if not refused:
                accepted.append(new)
        for old, new, ref in updates:
            if ref.startswith("refs/tags/"):
                out += _judge_tag(git, old, new, ref, accepted)
        if not out:
            _keep_receipts(office, updates, reaching, now, account)
    if out:
        out.append(
            _("dangwu: nothing was changed on the server; 'dangwu audit' shows the same")
            if audited
            else _("dangwu: nothing was changed on the server")
        )
    return out


def _foreign_ref(ref: str) -> str:
    from dangwu.i18n import _

    if ref.startswith("refs/replace/"):
        return _(
            "dangwu: refusing {ref}: a replace ref makes git show one object in place of "
            "another; the office's history is what its commits say"
        ).format(ref=ref)
    if ref.startswith("refs/notes/"):
        return _(
            "dangwu: refusing {ref}: notes on this server are its own (when it received "
            "each commit); nobody pushes them"
        ).format(ref=ref)
    return _(
        "dangwu: refusing {ref}: only branches (refs/heads/) and tags (refs/tags/) are kept here"
    ).format(ref=ref)


def _arriving(git: GitStore, tips: list[str]) -> set[str]:
    """The commits this push brings that the server does not hold yet."""
    if not tips:
        return set()
    return git.unknown_commits(tips)


def _reaching(git: GitStore, branches: list[tuple[str, str, str]], established: bool) -> set[str]:
    """The commits this push brings onto the office's branch (the one HEAD names), where
    the board, the site and every clone read them: each is received when it gets there
    [SPEC 11]. A commit first pushed to another branch, out of everyone's sight, is not
    received until it reaches the office's branch, so staging a preliminary plan on a
    side branch does not start its comment window early."""
    office = git.current_branch()
    if not established or office is None:
        return set()
    found: set[str] = set()
    for old, new, ref in branches:
        if ref == f"refs/heads/{office}" and new != ZERO:
            found |= set(git.commits_of(new, *([f"^{old}"] if old != ZERO else [])))
    return found


def _judge_branch(
    office: Office,
    git: GitStore,
    old: str,
    new: str,
    ref: str,
    account: str | None,
    known: bool,
    arriving: set[str],
    now: datetime,
    established: bool = True,
) -> tuple[list[str], bool]:
    """The reasons to refuse a branch's update, and whether the audit gave any."""
    from dangwu.app import auditing
    from dangwu.errors import DangwuError
    from dangwu.i18n import _

    name = ref[len("refs/heads/") :]
    if new == ZERO:
        return [
            _("dangwu: refusing to delete {branch}: an office's history is kept").format(
                branch=name
            )
        ], False
    if old != ZERO and not git.is_ancestor(old, new):
        lost = git.count_between(new, old)
        return [
            _(
                "dangwu: refusing {branch}: the push rewrites history the server holds "
                "({n} commits would be lost); an office's history is never rewritten"
            ).format(branch=name, n=lost)
        ], False
    if old == ZERO:
        heads = [h for h in git.branch_tips() if h]
        bases = [git.merge_base([h, new]) for h in heads]
        known_bases = [b for b in bases if b]
        if established and not known_bases:
            return [
                _(
                    "dangwu: refusing {branch}: it shares no history with the office's; an "
                    "office keeps one history"
                ).format(branch=name)
            ], False
        span = f"{known_bases[0]}..{new}" if known_bases else f"{ZERO}..{new}"
    else:
        span = f"{old}..{new}"
    settings = _settings(git, old if old != ZERO else new)
    new_here = arriving if established else set(git.commits_of(new))
    out = _future(git, name, span, new_here, now, settings)
    # who pushes the office's past to an empty server is not who did each step in it
    pusher = _pusher(account, settings) if known and established else None
    try:
        result = auditing.audit(office, span=span, pusher=pusher, arriving=arriving, now=now)
    except DangwuError as exc:
        return [*out, f"dangwu: {exc}"], False
    if result.violations:
        out.append(
            _(
                "dangwu: refusing {branch}: {n} violation(s) of the disclosure rules "
                "in the {count} commit(s) pushed"
            ).format(branch=name, n=len(result.violations), count=result.commits)
        )
        out += [v.line() for v in result.violations]
        out += _how_to_drop(git, [v.commit for v in result.violations])
    return out, bool(result.violations)


def _settings(git: GitStore, commit: str) -> Settings | None:
    """The office settings the server holds at ``commit`` (None: none readable)."""
    from dangwu import yamlio
    from dangwu.model.office import SETTINGS_FILE, settings_from_data

    raw = git.blob(commit, SETTINGS_FILE)
    if raw is None:
        return None
    try:
        return settings_from_data(yamlio.load(yamlio.decode(raw)).data)
    except (yamlio.YamlProblem, KeyError, TypeError, ValueError, AttributeError):
        return None


def _pusher(account: str | None, settings: Settings | None) -> Pusher:
    """Who the server says pushes, and the roster person that account is."""
    from dangwu.rules.audit import Pusher

    person = settings.person_by_account(account) if account and settings else None
    return Pusher(account or None, person)


def _future(
    git: GitStore,
    branch: str,
    span: str,
    arriving: set[str],
    now: datetime,
    settings: Settings | None,
) -> list[str]:
    """Commits dated ahead of the server's clock: time runs forwards [SPEC 11]."""
    from datetime import timedelta

    from dangwu.i18n import _
    from dangwu.model.office import Rules

    skew = (settings.rules if settings else Rules()).clock_skew_minutes
    limit = now + timedelta(minutes=skew)
    left, right = span.split("..")
    revisions = [right] if set(left) == {"0"} else [f"{left}..{right}"]
    ids = [c for c in git.commits_of(*revisions) if c in arriving]
    out = []
    ahead = []
    for commit in git.commits(ids).values():
        latest = max(commit.author_date, commit.committer_date)
        if latest > limit:
            ahead.append(commit.id)
            out.append(
                _(
                    "dangwu: refusing {branch}: commit {commit} is dated {when}, ahead of the "
                    "server's clock ({now}; clocks may differ by {minutes} minutes)"
                ).format(
                    branch=branch,
                    commit=commit.id[:10],
                    when=latest.isoformat(timespec="minutes"),
                    now=now.isoformat(timespec="minutes"),
                    minutes=skew,
                )
            )
    return out + _how_to_drop(git, ahead)


def _how_to_drop(git: GitStore, commits: list[str]) -> list[str]:
    """How the pusher leaves a bad commit out and pushes the rest."""
    from dangwu.i18n import _

    lines = []
    for commit in dict.fromkeys(commits):
        parent = git.commit_of(f"{commit}^")
        short = commit[:10]
        if parent:
            lines.append(
                _(
                    "dangwu: to push without commit {commit}: git rebase --onto {commit}^ "
                    "{commit}, then push again"
                ).format(commit=short)
            )
    return lines


def _judge_tag(git: GitStore, old: str, new: str, ref: str, accepted: list[str]) -> list[str]:
    """A tag names a commit a branch holds; once on the server it stays."""
    from dangwu.i18n import _

    name = ref[len("refs/tags/") :]
    if old != ZERO:
        return [
            _("dangwu: refusing tag {tag}: a tag on this server is never moved or deleted").format(
                tag=name
            )
        ]
    commit = git.commit_of(new) or ""
    if not commit:
        return [_("dangwu: refusing tag {tag}: it does not name a commit").format(tag=name)]
    heads = git.branch_tips()
    if any(git.is_ancestor(commit, head) for head in [*heads, *accepted]):
        return []
    return [
        _(
            "dangwu: refusing tag {tag}: it names commit {commit}, which no branch of the "
            "office holds; tag only what has been audited"
        ).format(tag=name, commit=commit[:10])
    ]


def _speak_the_office_language(git: GitStore, update: tuple[str, str, str]) -> None:
    """Unless the hook was installed with --lang, answer in the office's language: the
    ``language:`` of the settings the branch holds (or, for a first push, brings)."""
    from dangwu import i18n
    from dangwu.i18n import language_setting

    if os.environ.get("DANGWU_LANG"):
        return
    old, new, _ref = update
    raw = git.blob(old if old != ZERO else new, "dangwu.yaml")
    # read as the command line reads it (entry.py): a broken file is the audit's to report
    language = language_setting(raw.decode("utf-8", "replace")) if raw else None
    if language in ("en", "zh_CN"):
        i18n.use_office_language(language)


# --- receipts: when the server received each commit -----------------------------------


def _receipt_file(office: Office, updates: list[tuple[str, str, str]]) -> Path:
    import hashlib

    key = hashlib.sha256(repr(sorted(updates)).encode()).hexdigest()[:32]
    return office.state_dir / RECEIPTS / f"{key}.json"


def _keep_receipts(
    office: Office,
    updates: list[tuple[str, str, str]],
    arriving: set[str],
    now: datetime,
    account: str | None,
) -> None:
    """Leave the push's receipt for the post-receive hook, which notes it once the push
    is in (a pre-receive hook may not change refs)."""
    import json

    if not arriving:
        return
    target = _receipt_file(office, updates)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = {"received": now.isoformat(), "pusher": account, "commits": sorted(arriving)}
    target.write_text(json.dumps(data), "utf-8")


def _after_lock(state_dir: Path) -> IO[str] | None:
    """The post-receive's lock, taken (None when the state folder will not have it)."""
    import fcntl

    try:
        state_dir.mkdir(exist_ok=True)
        lock = (state_dir / "after.lock").open("a")
        fcntl.flock(lock, fcntl.LOCK_EX)
    except OSError:
        return None
    return lock


def _wait_for_receipts(office: Office, seconds: float = 30) -> None:
    """Wait while an earlier push's post-receive is writing its receipts."""
    import fcntl
    import time

    try:
        lock = (office.state_dir / "after.lock").open("a")
    except OSError:
        return
    with lock:
        deadline = time.monotonic() + seconds
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return
            except OSError:
                if time.monotonic() > deadline:
                    return  # judged without them: a receipt only ever narrows a window
                time.sleep(0.01)


def after(
    office: Office,
    updates: list[tuple[str, str, str]] | None = None,
    lock: IO[str] | None = None,
    *,
    site: str | None = None,
) -> int:
    """post-receive: the push is in. Point HEAD at the office's branch if it points
    nowhere, note when the push's commits were received, and stand the server's own
    audit at the new head with what the pre-receive found, so the next push is judged
    against what this one left; then :func:`catch_up`. It runs detached from git (see
    :func:`_detached`): what it would say goes nowhere, so whatever stops it is kept
    in the hook's folder (:func:`_keep_failure`), and the next push re-reads what it
    must."""
    from dangwu.app import auditing
    from dangwu.store.gitenv import RECEIVED_NOTES
    from dangwu.store.gitstore import GitStore

    updates = updates or []
    try:
        # one post-receive at a time: the notes ref and the audit's cache have one writer
        with lock or _after_lock(office.state_dir) or Path(os.devnull).open():
            with GitStore(office.root, office.state_dir) as git:
                if updates:
                    _speak_the_office_language(git, updates[0])
                _point_head(git, updates)
                _note_receipts(office, git, updates)
                head = git.commit_of("HEAD")
                notes = git.commit_of(RECEIVED_NOTES)
            if head:
                auditing.keep_range(office, head, notes)
                if site:
                    _build_site(office, Path(site))
            # the catch-up's lock is taken before this one is let go: whoever waits
            # for this push's work finds the catch-up at work, never between the two
            catching = _catch_up_lock(office)
        if catching is None:
            return 0  # another catch-up is at work: it goes on until the head stands still
        return catch_up(office.root, str(office.state) if office.state else None, catching)
    except Exception as exc:  # the push stands; the next one re-reads what it must
        _keep_failure(office, exc)
        return 0


def _build_site(office: Office, folder: Path) -> None:
    """The public web site, built into the web server's folder from the head the
    pre-receive hook accepted; what went wrong is kept in the hook's folder
    (``site.log``), since no one is waiting to read it."""
    import contextlib

    from dangwu.app import website
    from dangwu.errors import DangwuError
    from dangwu.i18n import _

    log = office.state_dir / "site.log"
    try:
        built = website.build(office, scope="public", out=folder)
        said = _("{commit}: the site has {records} records ({written} files written)").format(
            commit=built.commit[:10], records=built.records, written=built.written
        )
    except (DangwuError, OSError) as exc:
        said = _("the site was not built: {error}").format(error=exc)
    with contextlib.suppress(OSError), log.open("a", encoding="utf-8") as out:
        out.write(said + "\n")


def _detached() -> bool:
    """Whether this is the copy of the post-receive that does its work. The hook forks;
    the parent returns at once, so neither git nor the pusher waits for what follows
    (notes, the audit's cache, the catch-up); the child lives in a session of its own,
    holding none of git's pipes."""
    try:
        pid = os.fork()
    except OSError:
        return True  # no second process: do the work while git waits
    if pid:
        return False
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    return True


def _point_head(git: GitStore, updates: list[tuple[str, str, str]]) -> None:
    """A server's repository made with another default branch (gitolite's 'master')
    has HEAD pointing at a branch that never comes: point it at the office's branch,
    the one branch there is, so clones check it out and the server audits it."""
    if git.commit_of("HEAD"):
        return
    heads = [f"refs/heads/{name}" for name in git.branches()]
    pushed = [ref for _old, new, ref in updates if ref in heads and new != ZERO]
    if len(heads) == 1 and pushed == heads:
        git.point_head_at(heads[0].removeprefix("refs/heads/"))


def _catch_up_lock(office: Office) -> IO[str] | None:
    """The catch-up's lock, taken; None when another catch-up holds it (or there is
    no folder to hold it in)."""
    import fcntl

    try:
        office.state_dir.mkdir(exist_ok=True)
        lock = (office.state_dir / "catch-up.lock").open("a")
    except OSError:
        return None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        return None
    return lock


def catch_up(repo: Path, state: str | None, held: IO[str] | None = None) -> int:
    """Bring the server's audit to its head and write git's commit-graph, one such
    process at a time (a second finds the first at work and leaves it to it).
    ``held``: its lock, already taken."""
    from dangwu.app import auditing
    from dangwu.errors import DangwuError
    from dangwu.store.gitstore import GitStore
    from dangwu.store.office import Office

    office = Office(repo, bare=True, state=Path(state) if state else None)
    _keep_cache(office)
    lock = held or _catch_up_lock(office)
    done: str | None = None
    try:
        while lock is not None:
            with lock:
                # pushes that came while this one worked were left to it: go on
                # until the head stands still
                while True:
                    with GitStore(repo, office.state_dir) as git:
                        head = git.commit_of("HEAD")
                        if head is None or head == done:
                            break
                        # written when it lags the head, as a clone's: a push of a
                        # few commits leaves it as it was (its walk is short)
                        git.refresh_commit_graph(head)
                    auditing.audit(office)
                    done = head
            # a push that landed after the last look, while the lock was still held,
            # found it taken and left its head to this catch-up: look again with the
            # lock let go (whoever takes it from now on looks after taking it)
            with GitStore(repo, office.state_dir) as git:
                if git.commit_of("HEAD") in (None, done):
                    return 0
            lock = _catch_up_lock(office)
    except DangwuError as exc:
        _keep_failure(office, exc)
        return 0  # the next push re-reads what it must
    return 0


def _keep_failure(office: Office, exc: Exception) -> None:
    """Say what stopped the post-receive's work (or a catch-up's): on stderr, where a
    person may be reading, and in the hook's folder (``after.log``), since the
    detached process's stderr goes nowhere and a server whose audit lags its head
    should say why. dangwu's own errors and the system's say what they are; anything
    else is named by its kind too."""
    import contextlib
    from datetime import datetime

    from dangwu.errors import DangwuError
    from dangwu.i18n import _

    error = str(exc) if isinstance(exc, DangwuError | OSError) else f"{type(exc).__name__}: {exc}"
    said = _("the server's audit was not brought to its head: {error}").format(
        error=" ".join(error.split())  # one line each, whatever the error held
    )
    print(f"dangwu: {said}", file=sys.stderr)
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    with contextlib.suppress(OSError):
        office.state_dir.mkdir(parents=True, exist_ok=True)
        with (office.state_dir / AFTER_LOG).open("a", encoding="utf-8") as out:
            out.write(f"{stamp} {said}\n")


def _note_receipts(office: Office, git: GitStore, updates: list[tuple[str, str, str]]) -> None:
    import json
    from datetime import datetime

    from dangwu.store.gitenv import RECEIVED_NOTES
    from dangwu.store.gitstore import Identity
    from dangwu.store.history import receipt_note

    pending = _receipt_file(office, updates)
    if not pending.exists():
        return
    try:
        data = json.loads(pending.read_text("utf-8"))
        when = datetime.fromisoformat(data["received"])
        commits = [str(c) for c in data["commits"]]
        pusher = data.get("pusher")
    except (OSError, ValueError, KeyError, TypeError):
        pending.unlink(missing_ok=True)
        return
    present = git.commits(commits)  # only what the push really left on the server
    notes = {c: receipt_note(when, pusher) for c in present}
    with git.writing():
        git.add_notes(
            RECEIVED_NOTES,
            notes,
            f"received {len(notes)} commit(s)",
            author=Identity("dangwu", "dangwu@localhost"),
            when=when,
        )
    pending.unlink(missing_ok=True)
    _forget_stale_receipts(pending.parent)


def _forget_stale_receipts(folder: Path) -> None:
    """Receipts of pushes that never landed (git refused a ref after the hook agreed):
    their commits never arrived, and if sent again they arrive then."""
    import time

    for path in folder.glob("*.json"):
        try:
            if time.time() - path.stat().st_mtime > 86400:
                path.unlink()
        except OSError:
            continue


if __name__ == "__main__":
    sys.exit(main())
