"""The READMEs show real commands with their real output, and this keeps them true.

Each ``console`` block of README.md (English) and README.zh-CN.md (Chinese) is replayed
with real git and a real ``dangwu`` process, and what the commands print is compared with
what the block shows. Blocks of one *part* of the walk run in one shell, so a block
continues the office, the folder and the exported variables of the block before it;
each part starts from a fresh copy of the sample office where the README says so. What a
reader does not see (the fresh office, an identity, a file written wrong on purpose) is
declared here, block by block, as hidden set-up.

Paths the README names under /tmp, /srv and /home are moved into a temporary folder
(and back, in what is printed). Only what differs on every run is set aside before
comparing: the hash of a commit made with the real clock, a freshly made SSH key and its
fingerprint, the versions and fonts `dangwu doctor` finds on this machine, and trailing
blanks; a README output line "..." stands for the lines it leaves out. Everything else
must match.

``DANGWU_README_DIR=DIR`` points the test at copies of the READMEs in DIR.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README_DIR = Path(os.environ.get("DANGWU_README_DIR", ROOT))
READMES = {"README.md": "en", "README.zh-CN.md": "zh_CN"}
ELISION = "..."  # an output line the README shortened: stands for one or more lines


# --- what the READMEs hold --------------------------------------------------------


@dataclass(frozen=True)
class Command:
    shown: str  # after "$ "
    output: tuple[str, ...]  # the lines up to the next command


@dataclass(frozen=True)
class Block:
    readme: str
    line: int  # of the opening fence
    kind: str  # console or sh
    lines: tuple[str, ...]  # between the fences
    commands: tuple[Command, ...]

    @property
    def first(self) -> str:
        return self.commands[0].shown if self.commands else self.lines[0]

    @property
    def name(self) -> str:
        return f"{self.readme}:{self.line}"


def read_blocks(readme: str) -> list[Block]:
    """The shell blocks of a README: ``console`` (commands and output) and ``sh``."""
    found = []
    lines = (README_DIR / readme).read_text("utf-8").splitlines()
    number = 0
    while number < len(lines):
        fence = re.fullmatch(r"```(\w*)\s*", lines[number])
        number += 1
        if fence is None:
            continue
        start = number
        while not lines[number].startswith("```"):
            number += 1
        body = lines[start:number]
        number += 1
        if fence[1] in ("console", "sh"):
            found.append(Block(readme, start, fence[1], tuple(body), commands(body)))
    return found


def commands(body: list[str]) -> tuple[Command, ...]:
    found: list[Command] = []
    for text in body:
        if text.startswith("$ "):
            found.append(Command(text[2:], ()))
        elif found:
            found[-1] = Command(found[-1].shown, (*found[-1].output, text))
    return tuple(found)


# --- how each block is replayed ---------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One shell session: its blocks run in README order, each continuing the last."""

    demo: str | None = None  # where a fresh sample office is put (as the README names it)
    setup: str = ""  # hidden shell run first, in the temporary root


@dataclass(frozen=True)
class Replay:
    """How one block is replayed. Keys of ``before``, ``after`` and ``instead`` are the
    starts of the block's commands (as shown); each must match a command in at least
    one README."""

    part: str
    setup: str = ""  # hidden shell run before the block's first command
    before: Mapping[str, str] = field(default_factory=dict)  # hidden, before a command
    after: Mapping[str, str] = field(default_factory=dict)  # hidden, after a command
    # what is run differs from what is shown: (old, new) replaced in the command
    instead: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    real_clock: tuple[str, ...] = ()  # commands that commit with the real clock
    fresh_keys: bool = False  # the block makes SSH keys: keys and fingerprints differ
    machine: bool = False  # the block reports this machine's Python, git, Typst, fonts
    # the block shows SHA-256 digests of PDFs, whose bytes depend on this machine's fonts
    digests: bool = False


PARTS = {
    "doctor": Part(demo="/tmp/walk/office", setup="cd /tmp/walk/office"),
    "first steps": Part(setup="mkdir -p /tmp/walk"),
    "procedure": Part(demo="/tmp/walk/office", setup="cd /tmp/walk/office"),
    "merge": Part(
        demo="/tmp/walk/office",
        setup="cd /tmp/walk/office\n"
        "export GIT_AUTHOR_DATE=2026-11-26T10:00:00+08:00 "
        "GIT_COMMITTER_DATE=2026-11-26T10:00:00+08:00",
    ),
    "board": Part(demo="/tmp/demo6", setup="cd /tmp/demo6"),
    "deadlines": Part(demo="/tmp/demo7", setup="cd /tmp/demo7"),
    "circular": Part(demo="/tmp/demo8", setup="cd /tmp/demo8"),
    "own office": Part(
        setup="mkdir -p /home/linht /home/hanzg /tmp/walk\n"
        'cp "$GIT_CONFIG_GLOBAL" /home/linht/.gitconfig\n'
        'cp "$GIT_CONFIG_GLOBAL" /home/hanzg/.gitconfig\n'
        "export HOME=/home/linht GIT_CONFIG_GLOBAL=/home/linht/.gitconfig\n"
        "cd /tmp/walk"
    ),
    "sharing": Part(
        demo="/tmp/w/office",
        setup="mkdir -p /srv/git\ncd /tmp/w\nexport DANGWU_NOW=2026-11-26T10:00:00+08:00",
    ),
    "conflict": Part(
        demo="/tmp/s/office",
        # the clerk and the office head both change ZZ-2026-108; the head syncs first
        setup="""mkdir -p /srv/git
cd /tmp/s
git init -q --bare /srv/git/s.git
dangwu hook install /srv/git/s.git
export DANGWU_NOW=2026-11-29T09:00:00+08:00
(cd office && as linht dangwu remote add /srv/git/s.git && as linht dangwu sync)
as dumy dangwu clone /srv/git/s.git clerk
as linht dangwu clone /srv/git/s.git head
cd clerk
as dumy dangwu new zuzhi-jianshe --item party-dues --title 测试记录 --period 2026Q4 --summary 原摘要
as dumy dangwu sync
cd ../head
as linht dangwu sync
export DANGWU_NOW=2026-11-29T10:00:00+08:00
as linht dangwu set ZZ-2026-108 summary=主任改的摘要
as linht dangwu sync
cd ../clerk
export DANGWU_NOW=2026-11-29T11:00:00+08:00
as dumy dangwu set ZZ-2026-108 summary=科员改的摘要""",
    ),
}

# a record written wrong on purpose, for `dangwu validate` to find
BAD_RECORD = """cat > records/zuzhi-jianshe/ZZ-2026-150.yaml <<'EOF'
id: ZZ-2026-150
category: zuzhi-jianshe
item: party-dues
title: 测试
cadence: quarterly
scope: internal
channels: [website]
status: draft
scpoe: public
EOF"""

HANZG = "GIT_AUTHOR_NAME=韩振国 GIT_AUTHOR_EMAIL=hanzg@example.org"
LINHT = "GIT_AUTHOR_NAME=林海涛 GIT_AUTHOR_EMAIL=linht@example.org"

# console blocks, by the start of their first command (each must start one block)
REPLAYS = {
    "dangwu doctor": Replay("doctor", machine=True),
    "dangwu demo /tmp/walk/office": Replay("first steps"),
    "export GIT_AUTHOR_NAME=杜明远": Replay("first steps"),
    "dangwu set ZZ-2026-108 scope=publik": Replay(
        "first steps",
        before={"dangwu validate": BAD_RECORD},
        after={"dangwu validate": "rm records/zuzhi-jianshe/ZZ-2026-150.yaml"},
    ),
    "export DANGWU_NOW=2026-11-24T09:30:00+08:00": Replay("procedure"),
    "dangwu show ZD-2026-105": Replay("procedure"),
    "as dumy dangwu new gongzuo-dongtai": Replay("procedure"),
    "dangwu audit": Replay("procedure", real_clock=("git commit -qam typo",)),
    "git checkout -q -b old HEAD~30": Replay("merge"),
    "export DANGWU_NOW=2026-11-18T17:00:00+08:00": Replay("board"),
    "dangwu site build": Replay("board"),
    "export DANGWU_NOW=2026-11-26T10:00:00+08:00": Replay("deadlines"),
    "export DANGWU_NOW=2026-12-03T10:00:00+08:00": Replay("circular"),
    "dangwu meeting new": Replay("circular"),
    "dangwu catalogue --format pdf": Replay("circular"),
    "dangwu form ZZ-2026-102": Replay("circular"),
    "dangwu ledger --year 2026": Replay("circular"),
    "dangwu dossier --year 2026": Replay("circular"),
    "dangwu archive --year 2026 -o ../archive-2026": Replay(
        "circular",
        digests=True,
        # the digest registered is this machine's: its PDFs embed its fonts
        # (and the rest of the line, the digest shown, is a comment to the shell)
        instead={
            "dangwu archive check ../archive-2026 --expect": (
                "--expect ",
                '--expect "$(sha256sum < ../archive-2026/manifest.sha256 | cut -c1-64)" # ',
            )
        },
    ),
    "printf x >> ../archive-2026/catalogue.pdf": Replay("circular", digests=True),
    "as chensh dangwu feedback add": Replay("deadlines"),
    "dangwu feedback report MB-2026-102": Replay("deadlines"),
    "dangwu stats --year 2026": Replay("deadlines"),
    "export GIT_AUTHOR_NAME=林海涛": Replay("own office"),
    "dangwu key": Replay(
        "own office",
        # 韩振国 joins from his own computer: his home, his identity, his clone
        setup=f"""(cd /tmp/walk && HOME=/home/hanzg GIT_CONFIG_GLOBAL=/home/hanzg/.gitconfig \\
  {HANZG} dangwu clone /tmp/walk/myoffice hanzg-office)
cd /tmp/walk/hanzg-office
export HOME=/home/hanzg GIT_CONFIG_GLOBAL=/home/hanzg/.gitconfig
export {HANZG}""",
        # and 林海涛 lists the key he gave her, in her own office
        before={
            "dangwu roster set hanzg": f"""read -r kind blob _ < /home/hanzg/.ssh/dangwu_hanzg.pub
cd /tmp/walk/myoffice
export HOME=/home/linht GIT_CONFIG_GLOBAL=/home/linht/.gitconfig
export {LINHT}"""
        },
        instead={"dangwu roster set hanzg": ("'...'", '"$kind $blob"')},
        fresh_keys=True,
    ),
    "git init -q --bare /srv/git/sfj-office.git": Replay(
        "sharing", real_clock=("sed -i s/强基铸魂/强基固本/",)
    ),
    "dangwu sync": Replay("conflict"),
}

# shell blocks not replayed, by the start of their first line, and why
NOT_REPLAYED = {
    "python3 -m venv .venv && .venv/bin/pip install -q -e . ": (
        "installs dangwu with pip; the replay runs the dangwu of this checkout"
    ),
    "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'": (
        "runs the whole test suite, this test included"
    ),
    "KEYS=/tmp/walk/office/.git/dangwu/demo-keys": (
        "defines `as`; not replayed as a block, but every part defines `as` from it"
    ),
    "sudo apt-get install python3-venv git": (
        "installs Debian packages; .ci/run installs the missing ones before the tests"
    ),
    "git config --global user.name": (
        "tells git who you are for good; the replay's git config already says it"
    ),
}


# --- running a part ---------------------------------------------------------------

RELOCATED = re.compile(r"(?<![\w.~/-])/(tmp|srv|home)(?=/)")


def place(text: str, root: Path) -> str:
    """The README's absolute paths, moved under the part's temporary root."""
    return RELOCATED.sub(lambda m: f"{root}/{m[1]}", text)


def declared(block: Block) -> str | None:
    """The key that declares how the block is replayed (or why not), if one does."""
    starts = [s for s in (*REPLAYS, *NOT_REPLAYED) if block.first.startswith(s)]
    return starts[0] if len(starts) == 1 else None


def undeclared(block: Block) -> str:
    starts = [s for s in (*REPLAYS, *NOT_REPLAYED) if block.first.startswith(s)]
    why = f"matches several declarations {starts}" if starts else "is not declared"
    return (
        f"{block.name}: the {block.kind} block starting `{block.first}` {why}: add it to "
        "REPLAYS (with its hidden set-up) or to NOT_REPLAYED (with the reason) in "
        "tests/test_readme.py"
    )


def part_of(block: Block) -> str | None:
    """The part a console block is replayed in; None when it is not replayed."""
    key = declared(block)
    return REPLAYS[key].part if key in REPLAYS and block.kind == "console" else None


def the_as_function(readme: str) -> str:
    for block in read_blocks(readme):
        if block.kind == "sh" and any(line.startswith("as() {") for line in block.lines):
            return "\n".join(block.lines)
    raise AssertionError(f"{readme} no longer defines the shell function `as`")


def shell_env(root: Path, lang: str) -> dict[str, str]:
    """A clean environment with a home and a git config of its own, and the README's
    language, colours and width; nothing of the developer's reaches git or dangwu."""
    home = root / "home" / "dumy"
    home.mkdir(parents=True)
    config = home / ".gitconfig"
    config.write_text(
        "[user]\n\tname = 杜明远\n\temail = dumy@example.org\n[init]\n\tdefaultBranch = main\n",
        "utf-8",
    )
    (root / "tmp").mkdir(exist_ok=True)
    return {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "TMPDIR": str(root / "tmp"),
        "LANG": "C.UTF-8",
        "PYTHONUTF8": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # in a terminal each line shows as it is printed; written to a file, Python
        # would hold stdout back and stderr's lines would come first
        "PYTHONUNBUFFERED": "1",
        "DANGWU_LANG": lang,
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }


def matching(starts: Iterable[str], command: str) -> list[str]:
    return [start for start in starts if command.startswith(start)]


@dataclass
class Transcript:
    """What each command of a part printed, and what its hidden steps printed."""

    root: Path
    outputs: dict[tuple[int, int], str]  # (block line, command index) -> output
    clock_commits: list[str]  # full hashes, in the order they were made
    hidden: str


def script(
    readme: str, part: Part, blocks: list[Block], root: Path, out: Path
) -> tuple[str, dict[tuple[int, int], Path]]:
    """The part as one bash script: each shown command's output goes to a file of its
    own, the hidden steps' output to one log."""
    lines = [f"exec 3>>{out / 'hidden.log'}", 'cd "$TMPDIR"']

    def hidden(text: str) -> None:
        lines.extend(["{", place(text, root), "} >&3 2>&1"])

    hidden(the_as_function(readme))
    if part.demo:
        # the sample people's keys are the same in every sample office; the README's
        # KEYS names the walk's office, which a part built elsewhere does not have
        hidden(f"KEYS={part.demo}/.git/dangwu/demo-keys")
    hidden(part.setup)
    files = {}
    for block in blocks:
        replay = REPLAYS[str(declared(block))]
        if replay.setup:
            hidden(replay.setup)
        for index, command in enumerate(block.commands):
            for start in matching(replay.before, command.shown):
                hidden(replay.before[start])
            run = command.shown
            for start in matching(replay.instead, run):
                old, new = replay.instead[start]
                run = run.replace(old, new, 1)
            files[(block.line, index)] = out / f"{block.line}-{index}"
            lines.extend(["{", place(run, root), f"}} >{files[(block.line, index)]} 2>&1"])
            if matching(replay.real_clock, command.shown):
                lines.append(f"git rev-parse HEAD >>{out / 'clock-commits'}")
            for start in matching(replay.after, command.shown):
                hidden(replay.after[start])
    return "\n".join(lines) + "\n", files


def replay_part(readme: str, name: str, seed: Future[Path] | None, root: Path) -> Transcript:
    part = PARTS[name]
    blocks = [b for b in read_blocks(readme) if part_of(b) == name]
    env = shell_env(root, READMES[readme])
    if part.demo:
        assert seed is not None
        shutil.copytree(seed.result(), place(part.demo, root), symlinks=True)
    out = root / "transcript"
    out.mkdir()
    text, files = script(readme, part, blocks, root, out)
    (out / "walk.sh").write_text(text, "utf-8")
    subprocess.run(
        ["bash", "--noprofile", "--norc", str(out / "walk.sh")],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=600,
        check=False,
    )
    clock = out / "clock-commits"
    return Transcript(
        root=root,
        outputs={key: path.read_text("utf-8") for key, path in files.items() if path.exists()},
        clock_commits=clock.read_text("utf-8").split() if clock.exists() else [],
        hidden=(out / "hidden.log").read_text("utf-8", errors="replace").replace(str(root), ""),
    )


# --- comparing --------------------------------------------------------------------

SSH_KEY = re.compile(r"ssh-ed25519 AAAA[0-9A-Za-z+/]+=*")
FINGERPRINT = re.compile(r"SHA256:[0-9A-Za-z+/]{43}")
HEX = re.compile(r"\b[0-9a-f]{7,40}\b")
DIGEST = re.compile(r"\b[0-9a-f]{64}\b")
CLOCK = "<commit made with the real clock {}>"
# what `dangwu doctor` finds on this machine, not what dangwu says about it
MACHINE = (
    (re.compile(r"^(✓ Python\s+)\S+$"), r"\1<version>"),
    (re.compile(r"^(✓ git\s+)\S+$"), r"\1<version>"),
    (re.compile(r"^(✓ PDF\W+Typst\W+)\S+$"), r"\1<version>"),
    (re.compile(r"^(✓ (?:Chinese font|中文字体)\s+).+$"), r"\1<fonts>"),
)


def hide_the_machine(lines: list[str]) -> list[str]:
    for pattern, replacement in MACHINE:
        lines = [pattern.sub(replacement, line) for line in lines]
    return lines


def number_fresh(lines: list[str], pattern: re.Pattern[str], what: str) -> list[str]:
    """Each distinct match becomes ``<what 1>``, ``<what 2>``...: which one it is may
    differ, but where the same one appears again may not."""
    seen: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        return seen.setdefault(match[0], f"<{what} {len(seen) + 1}>")

    return [pattern.sub(name, line) for line in lines]


def numbered_digests(lines: list[str]) -> list[str]:
    """The digests printed, numbered; a digest typed in a command is the one the replay
    worked out on this machine, so it stands for whichever was printed (that the
    README types the one it shows is a test of its own)."""
    commands = {i for i, line in enumerate(lines) if line.startswith("$ ")}
    printed = number_fresh(
        [line for i, line in enumerate(lines) if i not in commands], DIGEST, "digest"
    )
    shown = iter(printed)
    return [
        DIGEST.sub("<digest>", line) if i in commands else next(shown)
        for i, line in enumerate(lines)
    ]


def hide_clock_commits(
    expected: list[str], actual: list[str], commits: list[str]
) -> tuple[list[str], list[str]]:
    """A commit made with the real clock has another hash on each run: in the output its
    hash becomes a placeholder, and the README's line counts as the same where it
    differs only by a hash in that place (the same hash wherever the same commit is)."""

    def hide(match: re.Match[str]) -> str:
        for number, commit in enumerate(commits, 1):
            if commit.startswith(match[0]):
                return CLOCK.format(number)
        return match[0]

    actual = [HEX.sub(hide, line) for line in actual] if commits else actual
    expected = list(expected)
    placeholder = re.compile(re.escape(CLOCK).replace(r"\{\}", r"(\d+)"))
    for index, line in enumerate(actual[: len(expected)]):
        pattern, named = "", set()
        # split() gives the text around the placeholders and, between, their numbers
        for piece_index, piece in enumerate(placeholder.split(line)):
            if piece_index % 2 == 0:
                pattern += re.escape(piece)
            else:
                group = f"c{piece}"
                pattern += f"(?P={group})" if group in named else f"(?P<{group}>[0-9a-f]{{7,40}})"
                named.add(group)
        if named and re.fullmatch(pattern, expected[index]):
            expected[index] = line
    return expected, actual


def fit_elisions(expected: list[str], actual: list[str]) -> list[str]:
    """The actual lines, with each run the README shortened to "..." shortened the same
    way, when everything around the runs matches."""
    if not any(line.strip() == ELISION for line in expected):
        return actual
    pattern = "".join(
        r"(?:.*\n)+?" if line.strip() == ELISION else re.escape(line) + r"\n" for line in expected
    )
    return list(expected) if re.fullmatch(pattern, "".join(f"{a}\n" for a in actual)) else actual


def each_line(
    commands: list[list[str]], change: Callable[[list[str]], list[str]]
) -> list[list[str]]:
    """``change`` applied to all the block's lines at once, kept per command."""
    changed = iter(change([line for lines in commands for line in lines]))
    return [[next(changed) for _line in lines] for lines in commands]


def compare(block: Block, replay: Replay, transcript: Transcript) -> str | None:
    """None when the replay prints what the block shows, else a unified diff whose
    hunks name the README's lines."""
    expected, actual = [], []
    for index, command in enumerate(block.commands):
        printed = transcript.outputs.get((block.line, index), "<not run>\n")
        printed = printed.replace(str(transcript.root), "")
        # trailing blanks are invisible in a README, and editors take them away
        expected.append([f"$ {command.shown}", *(line.rstrip() for line in command.output)])
        actual.append([f"$ {command.shown}", *(line.rstrip() for line in printed.splitlines())])
    changes: list[Callable[[list[str]], list[str]]] = []
    if replay.fresh_keys:
        changes.append(lambda lines: number_fresh(lines, SSH_KEY, "key"))
        changes.append(lambda lines: number_fresh(lines, FINGERPRINT, "print"))
    if replay.machine:
        changes.append(hide_the_machine)
    if replay.digests:
        changes.append(numbered_digests)
    for change in changes:
        expected, actual = each_line(expected, change), each_line(actual, change)
    for index in range(len(block.commands)):
        expected[index], actual[index] = hide_clock_commits(
            expected[index], actual[index], transcript.clock_commits
        )
        actual[index] = fit_elisions(expected[index], actual[index])
    if actual == expected:
        return None
    diff = difflib.unified_diff(
        [line for lines in expected for line in lines],
        [line for lines in actual for line in lines],
        f"{block.name} (README)",
        "replayed",
        n=2,
    )
    # the first line of the block is the one after its fence
    return "\n".join(
        re.sub(r"^@@ -(\d+)", lambda m: f"@@ -{int(m[1]) + block.line}", line.rstrip("\n"))
        for line in diff
    )


# --- the tests --------------------------------------------------------------------


def console_blocks() -> list[pytest.ParameterSet]:
    return [
        pytest.param(block, id=block.name)
        for readme in READMES
        for block in read_blocks(readme)
        if block.kind == "console"
    ]


@pytest.fixture(scope="module")
def replayed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str, str], Transcript]]:
    """Each part of each README, replayed once. The sample office (built once for the
    run) is copied for each part that starts fresh; the parts the selected tests need run side
    by side, each in a shell and a temporary root of its own."""
    selected: dict[tuple[str, str], None] = {}  # in README order, once each
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        block = callspec.params.get("block") if callspec else None
        if isinstance(block, Block) and (name := part_of(block)) is not None:
            selected[(block.readme, name)] = None
    # the parts that build their own office go first: they need not wait for the sample
    wanted = sorted(selected, key=lambda key: PARTS[key[1]].demo is not None)
    seed: Future[Path] | None = None
    if any(PARTS[part].demo for _readme, part in wanted):
        seed = Future()
        seed.set_result(request.getfixturevalue("demo_seed"))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        running: dict[tuple[str, str], Future[Transcript]] = {}

        def start(readme: str, part: str) -> Future[Transcript]:
            if (readme, part) not in running:
                folder = f"walk-{READMES[readme]}-{part.replace(' ', '-')}"
                root = tmp_path_factory.mktemp(folder)
                running[(readme, part)] = pool.submit(replay_part, readme, part, seed, root)
            return running[(readme, part)]

        for readme, part in wanted:
            start(readme, part)
        yield lambda readme, part: start(readme, part).result()
        for future in running.values():
            future.cancel()


@pytest.mark.parametrize("block", console_blocks())
def test_the_block_shows_what_dangwu_prints(
    block: Block, replayed: Callable[[str, str], Transcript]
) -> None:
    key = declared(block)
    if key is None:
        pytest.fail(undeclared(block), pytrace=False)
    if key in NOT_REPLAYED:
        pytest.skip(f"not replayed: {NOT_REPLAYED[key]}")
    replay = REPLAYS[key]
    transcript = replayed(block.readme, replay.part)
    diff = compare(block, replay, transcript)
    if diff is not None:
        hidden = transcript.hidden.strip()
        pytest.fail(
            f"{block.name}: the README's output is not what dangwu prints now\n{diff}"
            + (f"\n\nthe hidden set-up of this part printed:\n{hidden}" if hidden else ""),
            pytrace=False,
        )


def test_every_shell_block_is_replayed_or_listed() -> None:
    used: set[str] = set()
    shown: list[str] = []
    for readme in READMES:
        for block in read_blocks(readme):
            key = declared(block)
            if key is None:
                pytest.fail(undeclared(block), pytrace=False)
            if key in REPLAYS and block.kind != "console":
                pytest.fail(f"{block.name}: only a console block can be replayed")
            used.add(key)
            shown.extend(c.shown for c in block.commands)
    unused = (set(REPLAYS) | set(NOT_REPLAYED)) - used
    assert not unused, f"declared in tests/test_readme.py, but no block starts so: {unused}"
    for first, replay in REPLAYS.items():
        assert replay.part in PARTS, f"the block starting `{first}` names no part"
        for start in (*replay.before, *replay.after, *replay.instead, *replay.real_clock):
            assert any(command.startswith(start) for command in shown), (
                f"the block starting `{first}` declares `{start}`, which starts no command"
            )


@pytest.mark.parametrize("readme", list(READMES))
def test_the_readme_names_every_package_ci_installs(readme: str) -> None:
    """The one line a new machine needs, and .ci/run's list, are the same packages."""
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text("utf-8")
    installed = {
        p for line in re.findall(r'need_apt="\$need_apt ([^"]+)"', ci) for p in line.split()
    }
    text = (Path(__file__).parent.parent / readme).read_text("utf-8")
    line = re.search(r"^sudo apt-get install (.+)$", text, re.MULTILINE)
    assert line, f"{readme} has no apt-get line for the tests"
    assert set(line[1].split()) == installed


@pytest.mark.parametrize("readme", list(READMES))
def test_the_digest_registered_for_the_archive_is_the_one_the_readme_shows(
    readme: str,
) -> None:
    """The replay puts the real digest in ``--expect``, so only this test sees that the
    digest the README tells a reader to type is the one it shows `archive` printing."""
    commands = [c for block in read_blocks(readme) for c in block.commands]
    made = next(c for c in commands if c.shown.startswith("dangwu archive --year"))
    printed = [m[1] for line in made.output if (m := re.search(r"sha256 ([0-9a-f]{64})", line))]
    check = next(c for c in commands if c.shown.startswith("dangwu archive check "))
    typed = re.search(r"--expect ([0-9a-f]{64})", check.shown)
    assert printed and typed, f"{readme}: the archive block no longer shows its digest"
    assert typed[1] == printed[0], f"{readme}: --expect {typed[1]} is not the digest shown"
