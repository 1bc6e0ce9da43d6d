"""Benchmarks for dangwu, measured against plain git on the same repository.

    python bench/run.py                 # everything: records, history, signatures
    python bench/run.py --sizes 2000 --runs 7
    python bench/run.py --only history --history 10000
    python bench/run.py --only paperwork --runs 3   # ledger, dossier, archive
    python bench/run.py --only suite --runs 3       # the whole test suite
    python bench/run.py --only demo --runs 5        # `dangwu demo`, the quickstart's job

It builds offices of N records (realistic Chinese content derived from the
sample office, all six categories, committed in batches as a clerk would over
a year), then times whole ``dangwu`` processes the way a user meets them.
Reported: the median wall time of each command, and its ratio to a plain git
baseline (``git ls-files``, ``git log``) timed in the same run, since these
machines are noisy. Results are also written to bench/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from dangwu import yamlio
from dangwu.store import records as records_mod
from dangwu.store.records import record_files

CLERKS = [
    ("dumy", "杜明远", "dumy@example.org", 1),
    ("linht", "林海涛", "linht@example.org", 2),
    ("hexy", "何晓燕", "hexy@example.org", 3),
]
TARGETS = {  # issue 13: --help 80 ms, show 90 ms, validate of 10,000 cold 2 s, suite 90 s
    "suite": 90.0,
    "help": 0.080,
    "show": 0.090,
    "validate-cold-10000": 2.0,
    "validate-warm-10000": 0.5,
}


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    ).stdout


def sample_records() -> list[dict[str, object]]:
    return [yamlio.load((ROOT / p).read_text("utf-8")).data for p in record_files(ROOT)]


def build_office(root: Path, n: int, seed: int = 7) -> list[str]:
    """An office of ``n`` records, committed in batches; returns the ids."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    shutil.copy(ROOT / "dangwu.yaml", root / "dangwu.yaml")
    base_env = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    git(root, "add", "dangwu.yaml")
    git(
        root,
        "commit",
        "-q",
        "-m",
        "init: 江城市司法局",
        env={
            **base_env,
            "GIT_AUTHOR_NAME": "林海涛",
            "GIT_AUTHOR_EMAIL": "linht@example.org",
            "GIT_COMMITTER_NAME": "林海涛",
            "GIT_COMMITTER_EMAIL": "linht@example.org",
            "GIT_AUTHOR_DATE": "2026-01-02T09:00:00+08:00",
            "GIT_COMMITTER_DATE": "2026-01-02T09:00:00+08:00",
        },
    )
    samples = sample_records()
    from history import CODES as codes

    next_number: dict[tuple[str, int], int] = {}
    ids: list[str] = []
    batch: list[str] = []
    batches = max(1, n // 200)
    per_batch = -(-n // batches)
    for index in range(n):
        template = samples[index % len(samples)]
        clerk = CLERKS[rng.randrange(len(CLERKS))]
        category = str(template["category"])
        year = 2024 + (index * 3) // n
        key = (f"{category}-{clerk[0]}", year)
        number = next_number.get(key, clerk[3] * 100)
        number += 1
        if number % 100 == 0:
            number = (number // 100 + 8) * 100 + 1
        next_number[key] = number
        record_id = f"{codes[category]}-{year}-{number:03d}"
        fields = dict(template)
        fields["id"] = record_id
        fields.pop("follows", None)
        fields["title"] = f"{template['title']}（{year}年第{index % 4 + 1}期）"
        if "period" in fields:
            fields["period"] = f"{year}Q{index % 4 + 1}"
        if "event_date" in fields:
            fields["event_date"] = f"{year}-{index % 12 + 1:02d}-{index % 28 + 1:02d}"
        fields["status"] = "draft"
        day = f"{year}-{index % 12 + 1:02d}-{index % 28 + 1:02d}"
        fields["created"] = {"by": clerk[0], "at": f"{day}T09:30:00+08:00"}
        relpath = f"records/{category}/{record_id}.yaml"
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(records_mod.new_record_text(fields), "utf-8")
        ids.append(record_id)
        batch.append(relpath)
        if len(batch) >= per_batch or index == n - 1:
            name, email = clerk[1], clerk[2]
            stamp = fields["created"]["at"]  # type: ignore[index]
            git(root, "add", "--", *batch)
            git(
                root,
                "commit",
                "-q",
                "-m",
                f"records: {len(batch)} drafts",
                env={
                    **base_env,
                    "GIT_AUTHOR_NAME": name,
                    "GIT_AUTHOR_EMAIL": email,
                    "GIT_COMMITTER_NAME": name,
                    "GIT_COMMITTER_EMAIL": email,
                    "GIT_AUTHOR_DATE": stamp,
                    "GIT_COMMITTER_DATE": stamp,
                },
            )
            batch = []
    return ids


def timed(
    command: list[str],
    cwd: Path,
    runs: int,
    before: object = None,
    env_extra: dict[str, str] | None = None,
) -> list[float]:
    times = []
    # as installed for a user: Python keeps the compiled bytecode of dangwu
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"DANGWU_LANG": "en", "NO_COLOR": "1", **(env_extra or {})}
    for _ in range(runs):
        if callable(before):
            before()
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if result.returncode not in (0,):
            raise SystemExit(
                f"{' '.join(command)} failed ({result.returncode}):\n"
                f"{result.stderr.decode()[:2000]}"
            )
    return times


_ASIDE: set[Path] = set()  # folders holding what set_aside() moved, emptied at the end


def set_aside(path: Path) -> None:
    """Take ``path`` out of the way of the next timed run without deleting it: it is
    deleted when the benchmark ends (clear_aside). Deleting thousands of files just
    before a timed build made ext4 pass over each of those "recently deleted" inodes
    while the build made its own: 2.8 s more system time in a cold site build (perf:
    find_inode_bit, recently_deleted), the cost of the bench's clean-up, not of the
    command measured."""
    if path.exists():
        aside = path.parent / ".set-aside"
        aside.mkdir(exist_ok=True)
        path.rename(aside / f"{path.name}-{time.time_ns()}")
        _ASIDE.add(aside)


def clear_aside() -> None:
    for aside in sorted(_ASIDE):
        shutil.rmtree(aside, ignore_errors=True)
    _ASIDE.clear()


# Runs a command and prints the most memory it (or its largest waited-for child) held.
# The command must be started from a small process: a child forked from this one (which
# holds the built offices) starts out holding all of this one's pages, and the kernel
# counts them in its peak until it execs, so the bench's own size would be measured.
_PEAK = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_pid, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_memory(command: list[str], cwd: Path, before: object = None) -> float:
    """The most memory (resident, MiB) ``command`` held at once, as the kernel reports
    it for the process when it ends (its largest waited-for child, if larger)."""
    if callable(before):
        before()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"DANGWU_LANG": "en", "NO_COLOR": "1"}
    said = subprocess.run(
        [sys.executable, "-S", "-c", _PEAK, *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    code, kib = (int(word) for word in said.stdout.split())
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed ({code})")
    return kib / 1024  # KiB on Linux


def dangwu() -> list[str]:
    exe = shutil.which("dangwu")
    return [exe] if exe else [sys.executable, "-m", "dangwu"]


def forget_caches(office: Path) -> None:
    """A cold start: what validate and selection remember, whatever its version."""
    for pattern in ("records-v*.json", "valid-v*.json", "summaries-v*.json"):
        for cache in (office / ".git" / "dangwu").glob(pattern):
            cache.unlink()


def measure(office: Path, label: str, ids: list[str], runs: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}

    def record(name: str, times: list[float], baseline: float | None = None) -> None:
        median = statistics.median(times)
        entry = {"median_s": round(median, 4), "min_s": round(min(times), 4)}
        if baseline:
            entry["ratio_to_baseline"] = round(median / baseline, 2)
        results[name] = entry
        ratio = f"  ({entry['ratio_to_baseline']}x baseline)" if baseline else ""
        print(f"  {label:>6}  {name:<22} median {median * 1000:8.1f} ms{ratio}", flush=True)

    ls_files = statistics.median(timed(["git", "ls-files"], office, runs))
    log = statistics.median(timed(["git", "log", "--format=%H %s"], office, runs))
    record("git ls-files", [ls_files])
    record("git log", [log])
    exe = dangwu()
    record("help", timed([*exe, "--help"], office, runs), ls_files)
    record("show", timed([*exe, "show", ids[len(ids) // 2]], office, runs), ls_files)
    # the same in Chinese: the catalogue is loaded and Typer's words are translated
    chinese = {"DANGWU_LANG": "zh_CN"}
    record("help zh_CN", timed([*exe, "--help"], office, runs, env_extra=chinese), ls_files)
    shown = [*exe, "show", ids[len(ids) // 2]]
    record("show zh_CN", timed(shown, office, runs, env_extra=chinese), ls_files)
    record(
        "validate-cold",
        timed([*exe, "validate"], office, runs, before=lambda: forget_caches(office)),
        ls_files,
    )
    timed([*exe, "validate"], office, 1)
    record("validate-warm", timed([*exe, "validate"], office, runs), ls_files)
    record("list", timed([*exe, "list", "--json"], office, runs), ls_files)
    record(
        "list --category",
        timed([*exe, "list", "--category", "ZZ", "--status", "draft"], office, runs),
        ls_files,
    )
    if label == "sample":  # issue 14: the whole public board typeset as PDF
        board = [*exe, "board", "--format", "pdf", "-o", str(office / "printed")]
        record("board pdf", timed(board, office, runs), ls_files)
        site = [*exe, "site", "build", "-o", str(office / "printed" / "site")]
        record("site build", timed(site, office, runs), ls_files)
    return results


def recorder(results: dict[str, dict[str, float]]):  # type: ignore[no-untyped-def]
    """A function that keeps a measurement's median (and its ratio to a baseline
    measured in the same run) in ``results`` and prints it."""

    def record(name: str, times: list[float], baseline: float | None = None) -> None:
        median = statistics.median(times)
        entry = {"median_s": round(median, 4), "min_s": round(min(times), 4), "runs": len(times)}
        if baseline:
            entry["ratio_to_baseline"] = round(median / baseline, 2)
        results[name] = entry
        ratio = f"  ({entry['ratio_to_baseline']}x baseline)" if baseline else ""
        print(f"  {name:<34} median {median * 1000:8.1f} ms{ratio}", flush=True)

    return record


def measure_history(n: int, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """SPEC section 5 on an office whose every record went through the procedure."""
    from history import build as build_history

    office = work / f"history-{n}"
    start = time.perf_counter()
    ids, commits = build_history(office, n)
    print(
        f"history of {n:,} records: {commits:,} commits (built in "
        f"{time.perf_counter() - start:.1f} s)",
        flush=True,
    )
    results: dict[str, dict[str, float]] = {"commits": {"count": commits}}
    exe = dangwu()

    record = recorder(results)

    baseline_times = timed(["git", "log", "--name-status"], office, runs)
    baseline = statistics.median(baseline_times)
    record("git log --name-status", baseline_times)

    def cold() -> None:
        for path in (office / ".git" / "dangwu").glob("history-v2.sqlite*"):
            path.unlink()

    record("audit, first time", timed([*exe, "audit"], office, runs, before=cold), baseline)
    peak = statistics.median(peak_memory([*exe, "audit"], office, before=cold) for _ in range(runs))
    results["audit, first time, peak memory"] = {"median_mib": round(peak, 1)}
    print(f"  {'audit, first time, peak memory':<34} {peak:8.1f} MiB", flush=True)
    timed([*exe, "audit"], office, 1)
    record("audit, history unchanged", timed([*exe, "audit"], office, runs), baseline)
    # printing (SPEC 7): the board on the history's last day, that quarter's bulletin
    last = git(office, "log", "-1", "--format=%aI").strip()[:10]
    quarter = f"{last[:4]}Q{(int(last[5:7]) - 1) // 3 + 1}"
    out = work / "printed"

    def forget_summaries() -> None:
        for path in (office / ".git" / "dangwu").glob("summaries-v*.json"):
            path.unlink()

    board = [*exe, "board", "--on", last, "-o", str(out)]
    record("board html, nothing cached", timed(board, office, 1, before=forget_summaries))
    record("board html", timed(board, office, runs))
    record("bulletin html", timed([*exe, "bulletin", quarter, "-o", str(out)], office, runs))
    record("board pdf (whole public board)", timed([*board, "--format", "pdf"], office, runs))
    # issue 14: the bulletin of the quarter with the most publications, as PDF
    busiest = busiest_quarter(office)
    pdf = [*exe, "bulletin", busiest, "--format", "pdf", "-o", str(out)]
    record(f"bulletin pdf (busiest quarter, {busiest})", timed(pdf, office, runs))
    results["busiest quarter"] = {"quarter": busiest}  # type: ignore[dict-item]
    # what is owed on the history's last day, and that year's figures (SPEC 6 and 8)
    clock = {"DANGWU_NOW": f"{last}T18:00:00+08:00"}
    record("due", timed([*exe, "due"], office, runs, env_extra=clock))
    year = [*exe, "stats", "--year", last[:4]]
    record("stats --year", timed(year, office, runs, env_extra=clock))
    html = [*year, "--format", "html", "-o", str(out)]
    record("stats --year --format html", timed(html, office, runs, env_extra=clock))
    measure_site(office, work, runs, record, clock, baseline)
    first = timed([*exe, "log", ids[len(ids) // 2]], office, 1)
    record("log ID, first (writes commit-graph)", first)
    # git's changed-path filters let it skip most commits, but how many depends on
    # the path (false positives vary from 0 to ~15% of commits), so one record says
    # little: take nine spread over the history, and git alone on each
    sample = [ids[i * (len(ids) - 1) // 8] for i in range(9)]
    per_record, git_alone = [], []
    for rid in sample:
        path = next(office.glob(f"records/*/{rid}.yaml")).relative_to(office).as_posix()
        per_record.append(statistics.median(timed([*exe, "log", rid], office, runs)))
        plain = ["git", "log", "--format=%H", "HEAD", "--", path]
        git_alone.append(statistics.median(timed(plain, office, runs)))
    record("log ID (9 records)", per_record)
    results["log ID (9 records)"]["max_s"] = round(max(per_record), 4)
    record("git log -- path (same 9)", git_alone)
    results["git log -- path (same 9)"]["max_s"] = round(max(git_alone), 4)
    print(
        f"  {'':<34} slowest record {max(per_record) * 1000:.1f} ms, "
        f"git alone on it {git_alone[per_record.index(max(per_record))] * 1000:.1f} ms",
        flush=True,
    )
    return results


def measure_site(
    office: Path,
    work: Path,
    runs: int,
    record: Any,
    clock: dict[str, str],
    baseline: float,
) -> None:
    """Issue 15: the public web site, its search index and verify data included; from
    nothing, and again after one published record changed."""
    exe = dangwu()
    site = work / "site"
    build = [*exe, "site", "build", "-o", str(site)]

    def from_nothing() -> None:
        set_aside(site)
        from dangwu.app.sitecodes import CACHE, LINE_CACHE

        for kept in (CACHE, LINE_CACHE):  # what a site build keeps for the next
            (office / ".git" / "dangwu" / kept).unlink(missing_ok=True)

    record("site build, cold", timed(build, office, runs, from_nothing, clock), baseline)
    record("site build, nothing changed", timed(build, office, runs, env_extra=clock), baseline)
    change_one = corrector(office, "status: published", clock["DANGWU_NOW"])
    record(
        "site build, one record changed",
        timed(build, office, runs, change_one, clock),
        baseline,
    )
    from dangwu.store.search import indexer

    program = indexer()
    if program:
        # into a new folder, as a build does: into the folder of its last run, Pagefind
        # skips the files it would write the same, half its work
        alone = [program, "--site", str(site), "--output-path", str(work / "pf"), "--quiet"]

        def no_index() -> None:
            set_aside(work / "pf")

        record("pagefind alone, same pages", timed(alone, office, runs, no_index), baseline)
    pages = sum(1 for p in site.rglob("*") if p.is_file())
    print(f"  site: {pages:,} files", flush=True)


def corrector(office: Path, holding: str, when: str) -> Any:
    """A function that corrects the summary of the first record holding ``holding``
    and commits it, dated ``when``: one record changed, again at each call."""
    changed = next(
        p for p in sorted(office.glob("records/*/*.yaml")) if holding in p.read_text("utf-8")
    )
    who = {"GIT_AUTHOR_NAME": "杜明阳", "GIT_AUTHOR_EMAIL": "dumy@example.org"}
    who |= {"GIT_COMMITTER_NAME": "杜明阳", "GIT_COMMITTER_EMAIL": "dumy@example.org"}
    stamp = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, **who}
    count = [0]

    def change_one() -> None:
        count[0] += 1
        text = changed.read_text("utf-8").replace("summary: ", f"summary: 更正{count[0]}：", 1)
        changed.write_text(text, "utf-8")
        git(office, "commit", "-q", "-am", f"correct {changed.stem}", env=stamp)

    return change_one


def measure_site_alone(n: int, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """The site benchmark by itself, on the office taken through the procedure."""
    from history import build as build_history

    office = work / f"history-{n}"
    if not (office / ".git").exists():
        build_history(office, n)
    results: dict[str, dict[str, float]] = {}
    record = recorder(results)
    baseline_times = timed(["git", "log", "--name-status"], office, runs)
    record("git log --name-status", baseline_times)
    last = git(office, "log", "-1", "--format=%aI").strip()[:10]
    clock = {"DANGWU_NOW": f"{last}T18:00:00+08:00"}
    measure_site(office, work, runs, record, clock, statistics.median(baseline_times))
    return results


def measure_portal(count: int, n: int, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """Issue 15: the city portal of ``count`` offices of ``n`` records each, every one
    taken through the procedure (copies of one such office: one a working clone, the
    rest bare repositories as on a server), search indexes included."""
    from history import build as build_history

    model = work / f"history-{n}"
    if not (model / ".git").exists():
        build_history(model, n)
    folder = work / f"portal-offices-{count}"
    offices = [folder / "office-000"] + [folder / f"office-{i:03d}.git" for i in range(1, count)]
    if not folder.exists():
        folder.mkdir(parents=True)
        git(folder, "clone", "-q", str(model), str(offices[0]))
        for bare in offices[1:]:
            git(folder, "clone", "-q", "--bare", str(model), str(bare))
    results: dict[str, dict[str, float]] = {}
    record = recorder(results)
    heads = [
        "sh",
        "-c",
        'for d in "$@"; do git -C "$d" rev-parse HEAD; done',
        "-",
        *map(str, offices),
    ]
    baseline_times = timed(heads, work, runs)
    record(f"git rev-parse HEAD in each of {count}", baseline_times)
    baseline = statistics.median(baseline_times)
    last = git(model, "log", "-1", "--format=%aI").strip()[:10]
    clock = {"DANGWU_NOW": f"{last}T18:00:00+08:00"}
    out = work / "portal"
    build = [*dangwu(), "portal", "build", *map(str, offices), "-o", str(out)]

    def from_nothing() -> None:
        set_aside(out)
        for office in offices:
            state = office / ".git" / "dangwu" if (office / ".git").is_dir() else office / "dangwu"
            set_aside(state)

    record(
        f"portal build, {count} offices, cold",
        timed(build, work, runs, from_nothing, clock),
        baseline,
    )
    record("portal build, nothing changed", timed(build, work, runs, env_extra=clock), baseline)
    change_one = corrector(offices[0], "city-portal", clock["DANGWU_NOW"])
    record(
        "portal build, one office changed",
        timed(build, work, runs, change_one, clock),
        baseline,
    )
    return results


def measure_suite(runs: int) -> dict[str, dict[str, float]]:
    """Issue 13: the whole test suite, as the README runs it (``python -m pytest``,
    on every core), against what every run pays before its first test: collecting
    the tests."""
    results: dict[str, dict[str, float]] = {}
    record = recorder(results)
    collect = [sys.executable, "-m", "pytest", "-q", "--collect-only", "-n0"]
    baseline_times = timed(collect, ROOT, runs)
    record("collecting the tests", baseline_times)
    suite = timed([sys.executable, "-m", "pytest", "-q"], ROOT, runs)
    record("python -m pytest", suite, statistics.median(baseline_times))
    return results


def measure_demo(runs: int, work: Path) -> dict[str, dict[str, float]]:
    """The quickstart's job: ``dangwu demo`` into a new folder (59 signed steps, the
    board and the bulletin printed), against making an empty repository with git."""
    results: dict[str, dict[str, float]] = {}
    record = recorder(results)
    target = work / "demo-office"
    home = work / "demo-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {"HOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull}

    def fresh() -> None:
        shutil.rmtree(target, ignore_errors=True)

    baseline = timed(["git", "init", "-q", str(target)], work, runs, before=fresh, env_extra=env)
    record("git init", baseline)
    made = timed([*dangwu(), "demo", str(target)], work, runs, before=fresh, env_extra=env)
    record("dangwu demo", made, statistics.median(baseline))
    return results


def measure_circular(n: int, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """Issue 16: a circular of five records published on the circular channel, as PDF
    and as DOCX (issued once, then printed again by its number: the same reading and
    typesetting, without the commit), against reading one record (`dangwu show`)."""
    from history import build as build_history

    model = work / f"history-{n}"
    if not (model / ".git").exists():
        build_history(model, n)
    office = work / "circular-office"
    shutil.rmtree(office, ignore_errors=True)
    git(work, "clone", "-q", str(model), str(office))
    last = git(model, "log", "-1", "--format=%aI").strip()
    env = {
        "DANGWU_NOW": last,
        "GIT_AUTHOR_NAME": "杜明阳",
        "GIT_AUTHOR_EMAIL": "dumy@example.org",
        "GIT_COMMITTER_NAME": "杜明阳",
        "GIT_COMMITTER_EMAIL": "dumy@example.org",
    }
    listed = subprocess.run(
        [*dangwu(), "list", "--json"], cwd=office, capture_output=True, check=True
    )
    ids = [
        r["id"]
        for r in json.loads(listed.stdout)
        if r["status"] == "published" and "circular" in r["channels"]
    ][-5:]
    assert len(ids) == 5, ids
    first = subprocess.run(
        [*dangwu(), "circular", *ids],
        cwd=office,
        env={**os.environ, **env, "DANGWU_LANG": "en"},
        capture_output=True,
        text=True,
        check=True,
    )
    number = first.stdout.split(" ", 1)[0]
    results: dict[str, dict[str, float]] = {}
    record = recorder(results)
    baseline_times = timed([*dangwu(), "show", ids[0]], office, runs, env_extra=env)
    record("dangwu show (one record)", baseline_times)
    baseline = statistics.median(baseline_times)
    for fmt in ("pdf", "docx"):
        again = [*dangwu(), "circular", *ids, "--number", number, "--format", fmt]
        record(f"circular of 5 records, {fmt}", timed(again, office, runs, env_extra=env), baseline)
    # a meeting on those records, held and minuted; its minutes printed again
    call = ["meeting", "new", "--kind", "disclosure", "--title", "党务公开会议"]
    call += ["--at", last[:16], "--place", "会议室", "--chair", "hanzg"]
    call += ["--invite", "zhoulx,sunhm", *(a for i in ids for a in ("--matter", i))]
    minutes = ["meeting", "minutes", "1", "--present", "hanzg,zhoulx"]
    minutes += ["--absent", "sunhm=出差", "--decisions", "同意公开"]
    for step in (call, minutes):
        subprocess.run(
            [*dangwu(), *step],
            cwd=office,
            env={**os.environ, **env, "DANGWU_LANG": "en"},
            capture_output=True,
            check=True,
        )
    again = [*dangwu(), "meeting", "minutes", "1", "--format", "pdf"]
    record("meeting minutes, pdf", timed(again, office, runs, env_extra=env), baseline)
    return results


def measure_paperwork(n: int, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """Issue 17: what the inspector reads, for a whole year of the office whose every
    record went through the procedure: the ledgers, the dossier, the archive and its
    check, against git's own walk of the history (`git log --name-status`)."""
    from history import build as build_history

    office = work / f"history-{n}"
    if not (office / ".git").exists():
        build_history(office, n)
    year = "2025"  # a whole year, before today: the history runs from 2024 on
    results: dict[str, dict[str, float]] = {}
    record = recorder(results)
    baseline_times = timed(["git", "log", "--name-status"], office, runs)
    record("git log --name-status", baseline_times)
    baseline = statistics.median(baseline_times)
    exe = dangwu()
    timed([*exe, "audit"], office, 1)  # the audit the dossier reads, cached once
    for fmt in ("csv", "pdf", "docx"):
        ledger = [*exe, "ledger", "--year", year, "--format", fmt, "-o", str(work / "ledgers")]
        record(f"ledger --year {year} --format {fmt}", timed(ledger, office, runs), baseline)
    dossier = [*exe, "dossier", "--year", year, "--json"]
    record(f"dossier --year {year}", timed(dossier, office, runs), baseline)
    target = work / f"archive-{year}"

    def fresh() -> None:
        shutil.rmtree(target, ignore_errors=True)

    archive = [*exe, "archive", "--year", year, "-o", str(target)]
    record(f"archive --year {year}", timed(archive, office, min(runs, 3), before=fresh), baseline)
    peak = peak_memory(archive, office, before=fresh)
    results[f"archive --year {year}, peak memory"] = {"median_mib": round(peak, 1)}
    print(f"  {'archive, peak memory (largest process)':<34} {peak:8.1f} MiB", flush=True)
    check = [*exe, "archive", "check", str(target)]
    record("archive check", timed(check, office, runs), baseline)
    return results


def measure_signatures(n: int, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """Audit of a history with signed approvals: signature checks cached by commit."""
    office = work / "signed"
    if office.exists():
        shutil.rmtree(office)
    # the sample office signs its approvals and publications with its people's demo keys
    subprocess.run([*dangwu(), "demo", str(office)], check=True, capture_output=True)
    key = office / ".git" / "dangwu" / "demo-keys" / "zhoulx"
    env = {
        **os.environ,
        "DANGWU_LANG": "en",
        "NO_COLOR": "1",
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "gpg.format",
        "GIT_CONFIG_VALUE_0": "ssh",
        "GIT_CONFIG_KEY_1": "user.signingkey",
        "GIT_CONFIG_VALUE_1": str(key),
    }
    from datetime import datetime, timedelta, timezone

    clock = datetime(2026, 11, 22, 9, 0, tzinfo=timezone(timedelta(hours=8)))

    def tick() -> str:  # time runs forwards: each step a minute after the last
        nonlocal clock
        clock += timedelta(minutes=1)
        return clock.isoformat()

    for index in range(n):
        who = {"GIT_AUTHOR_NAME": "杜明远", "GIT_AUTHOR_EMAIL": "dumy@example.org"}
        out = subprocess.run(
            [
                *dangwu(),
                "new",
                "ZD",
                "--item",
                "integrity-rules",
                "--title",
                f"廉洁自律规定（第{index + 1}号）",
                # a record of a title alone is not submitted: the board would print
                # an empty notice
                "--summary",
                f"第{index + 1}号廉洁自律规定，自印发之日起施行。",
                "--json",
            ],
            cwd=office,
            env={**env, **who, "DANGWU_NOW": tick()},
            capture_output=True,
            text=True,
            check=True,
        )
        rid = json.loads(out.stdout)["id"]
        subprocess.run(
            [*dangwu(), "submit", rid],
            cwd=office,
            env={**env, **who, "DANGWU_NOW": tick()},
            check=True,
            capture_output=True,
        )
        signer = {"GIT_AUTHOR_NAME": "周立新", "GIT_AUTHOR_EMAIL": "zhoulx@example.org"}
        subprocess.run(
            [*dangwu(), "approve", rid, "--sign"],
            cwd=office,
            env={**env, **signer, "DANGWU_NOW": tick()},
            check=True,
            capture_output=True,
        )
    results: dict[str, dict[str, float]] = {"signed_approvals": {"count": n}}

    def forget_all() -> None:
        for path in (office / ".git" / "dangwu").glob("history-v2.sqlite*"):
            path.unlink()

    def forget_verdicts() -> None:  # keep the signature checks, forget the audit itself
        import sqlite3

        db = sqlite3.connect(office / ".git" / "dangwu" / "history-v2.sqlite")
        db.execute("DELETE FROM meta WHERE key LIKE 'audit.%'")
        db.commit()
        db.close()

    for name, before in (
        ("audit, nothing cached", forget_all),
        ("audit, signature checks cached", forget_verdicts),
        ("audit, history unchanged", None),
    ):
        times = timed([*dangwu(), "audit"], office, runs, before=before)
        median = statistics.median(times)
        results[name] = {"median_s": round(median, 4), "runs": len(times)}
        print(f"  {name:<34} median {median * 1000:8.1f} ms", flush=True)
    return results


def measure_sharing(n: int, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """SPEC 9 on the office of ``n`` records taken through the procedure: a sync with
    nothing new against git's own fetch, and the server's hook on a push of 100
    commits against the same push to a server without it."""
    from history import build as build_history

    office = work / f"history-{n}"
    if not (office / ".git").exists():
        build_history(office, n)
    share = work / "sharing"
    shutil.rmtree(share, ignore_errors=True)
    share.mkdir()
    results: dict[str, dict[str, float]] = {}

    record = recorder(results)

    server = share / "server.git"
    git(share, "clone", "-q", "--bare", str(office), str(server))
    clone = share / "clerk"
    git(share, "clone", "-q", str(server), str(clone))
    clerk = {"GIT_AUTHOR_NAME": "杜明远", "GIT_AUTHOR_EMAIL": "dumy@example.org"}
    fetch = timed(["git", "fetch", "-q", "origin"], clone, runs)
    record("git fetch (nothing new)", fetch)
    record(
        "sync, nothing new",
        timed([*dangwu(), "sync"], clone, runs, env_extra=clerk),
        statistics.median(fetch),
    )
    # 100 commits of a clerk drafting by hand: what the hook audits on a push
    for i in range(100):
        rid = f"ZD-2029-{101 + i}"
        text = records_mod.new_record_text(
            {
                "id": rid,
                "category": "zhidu-jianshe",
                "item": "integrity-rules",
                "title": f"廉洁自律规定草稿{i}",
                "summary": "草稿",
                "scope": "public",
                "channels": ["website"],
                "cadence": "standing",
            }
        )
        (clone / "records" / "zhidu-jianshe" / f"{rid}.yaml").write_text(text, "utf-8")
        git(clone, "add", "-A")
        git(clone, "commit", "-q", "-m", f"a draft {rid}", env=identity_env(clerk))
    plain = share / "plain.git"
    git(share, "clone", "-q", "--bare", str(server), str(plain))
    git(clone, "remote", "add", "plain", str(plain))
    base = git(server, "rev-parse", "HEAD").strip()

    # the server as it stands between pushes: hooked, its audit at its head (the
    # catch-up after installing, run here to its end), and nothing left running
    subprocess.run([*dangwu(), "hook", "install", str(server)], check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-I", "-m", "dangwu.serverhook", "--catch-up"], cwd=server, check=True
    )
    state = server / "dangwu"
    kept = share / "server-state"
    shutil.copytree(state, kept)

    def server_at_base() -> None:
        settle(server)
        git(server, "update-ref", "refs/heads/main", base)
        git(server, "update-ref", "-d", "refs/notes/dangwu/received")
        shutil.rmtree(state)
        shutil.copytree(kept, state)

    def plain_at_base() -> None:
        git(plain, "update-ref", "refs/heads/main", base)

    for size, rev in ((1, "HEAD~99"), (100, "HEAD")):
        push = ["git", "push", "-q", "{remote}", f"{rev}:refs/heads/main"]
        unhooked = timed(
            [a.replace("{remote}", "plain") for a in push], clone, runs, before=plain_at_base
        )
        record(f"git push of {size} commit(s), no hook", unhooked)
        hooked = timed(
            [a.replace("{remote}", "origin") for a in push], clone, runs, before=server_at_base
        )
        record(f"git push of {size} commit(s), hooked", hooked, statistics.median(unhooked))
        name = f"hook on {size} commit(s)"
        results[name] = {
            "median_s": round(statistics.median(hooked) - statistics.median(unhooked), 4)
        }
        print(
            f"  {'the hook itself (difference)':<34} median "
            f"{results[name]['median_s'] * 1000:8.1f} ms",
            flush=True,
        )
    settle(server)
    return results


def settle(server: Path) -> None:
    """Wait for the server's catch-up (started by a post-receive) to finish."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        busy = False
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
                busy = b"--catch-up" in argv and (proc / "cwd").resolve() == server.resolve()
            except OSError:
                continue
            if busy:
                break
        if not busy:
            return
        time.sleep(0.05)


def busiest_quarter(office: Path) -> str:
    """The quarter with the most publications in the office's history."""
    step = "%(trailers:key=Dangwu-Step,valueonly)"
    counts: dict[str, int] = {}
    for line in git(office, "log", f"--format=%aI %{step[1:]}").splitlines():
        stamp, _space, what = line.partition(" ")
        if what.strip() == "publish":
            quarter = f"{stamp[:4]}Q{(int(stamp[5:7]) - 1) // 3 + 1}"
            counts[quarter] = counts.get(quarter, 0) + 1
    return max(sorted(counts), key=lambda q: counts[q])


def identity_env(who: dict[str, str]) -> dict[str, str]:
    return {
        **who,
        "GIT_COMMITTER_NAME": who["GIT_AUTHOR_NAME"],
        "GIT_COMMITTER_EMAIL": who["GIT_AUTHOR_EMAIL"],
    }


def measure_supervision(n: int, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """Issue 18: `due` on the office of ``n`` records with 2,000 opinions and 500
    requests for disclosure, and the consultation report of a plan with 20 opinions,
    against `git log -1` (one process of git) and `dangwu due` on the office without
    them, measured in the same run."""
    from history import build as build_history

    base = work / f"history-{n}"
    if not (base / ".git").exists():
        build_history(base, n)
    office = work / f"supervision-{n}"
    shutil.rmtree(office, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(base), str(office)], check=True)
    exe = dangwu()
    results: dict[str, dict[str, float]] = {}
    record = recorder(results)
    last = git(office, "log", "-1", "--format=%aI").strip()[:10]
    clock = {"DANGWU_NOW": f"{last}T18:00:00+08:00"}
    record("git log -1", timed(["git", "log", "-1"], office, runs))
    timed([*exe, "due"], office, 1, env_extra=clock)
    plain = timed([*exe, "due"], office, runs, env_extra=clock)
    record("due, no opinions or requests", plain)
    published = sorted(p.relative_to(office).as_posix() for p in office.glob("records/*/*.yaml"))
    ids = [Path(p).stem for p in published]
    clerk = {"GIT_AUTHOR_NAME": "杜明远", "GIT_AUTHOR_EMAIL": "dumy@example.org",
             "GIT_COMMITTER_NAME": "杜明远", "GIT_COMMITTER_EMAIL": "dumy@example.org"}  # fmt: skip
    at = f"{last}T10:00:00+08:00"
    day = date.fromisoformat(last)
    for number in range(1, 2001):
        rid = ids[(number * 7919) % len(ids)]
        folder = office / "feedback" / rid
        folder.mkdir(parents=True, exist_ok=True)
        received = (day - timedelta(days=number % 300)).isoformat()
        text = (
            f"record: {rid}\nnumber: {number}\nreceived: '{received}'\nfrom: chensh\n"
            f"text: 第{number}条意见建议。\nlogged: {{by: dumy, at: '{at}'}}\n"
        )
        if number % 2:
            text += (
                f"disposition: {{outcome: adopted, reason: 已采纳。, notified: 电话告知,"
                f" on: '{last}', by: dumy, at: '{at}'}}\n"
            )
        (folder / f"20240101T000000-{number}.yaml").write_text(text, "utf-8")
    (office / "requests").mkdir(exist_ok=True)
    for i in range(500):
        number = 101 + (i % 99) + (i // 99) * 900  # the clerk's blocks: 101-199, 1001-1099, …
        received = (day - timedelta(days=i % 200)).isoformat()
        text = (
            f"number: {number}\nreceived: '{received}'\nname: 申请人{i}\ncontact: 电话{i}\n"
            f"text: 申请公开第{i}项内容。\nlogged: {{by: dumy, at: '{at}'}}\n"
        )
        if i % 5:
            text += (
                f"answer: {{outcome: answered, text: 已书面答复。, on: '{last}', by: dumy,"
                f" at: '{at}'}}\n"
            )
        (office / "requests" / f"{number}.yaml").write_text(text, "utf-8")
    git(office, "add", "feedback", "requests")
    git(office, "commit", "-q", "-m", "opinions and requests, as logged", env=clerk)
    print("  2,000 opinions and 500 requests added", flush=True)
    heavy = timed([*exe, "due"], office, runs, env_extra=clock)
    record("due, 2,000 opinions and 500 requests", heavy, statistics.median(plain))

    # a plan put out for comment, heard 20 times, answered, and published again
    def step(*args: str, who: str = "dumy", minute: int = 0, later: int = 0) -> str:
        name, email = {"dumy": ("杜明远", "dumy@example.org"),
                       "zhoulx": ("周立新", "zhoulx@example.org")}[who]  # fmt: skip
        hour, mins = 12 + minute // 60, minute % 60
        on = (day + timedelta(days=later)).isoformat()
        env = {"DANGWU_LANG": "en", "DANGWU_NOW": f"{on}T{hour:02d}:{mins:02d}:00+08:00",
               **identity_env({"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email})}  # fmt: skip
        done = subprocess.run([*exe, *args], cwd=office, env={**os.environ, **env},
                              capture_output=True, text=True, check=False)  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
        return done.stdout.strip()

    rid = step("new", "mubiao-renwu", "--item", "key-policies", "--pre-disclosure",
               "--title", "关于调整窗口服务时间的初步方案（征求意见稿）", "--summary", "拟调整。",
               "--body", "\n\n".join(f"第{i}条：拟调整第{i}项服务。" for i in range(1, 41)),
               minute=1).splitlines()[0]  # fmt: skip
    step("submit", rid, minute=2)
    step("approve", rid, who="zhoulx", minute=3)
    step("publish", rid, minute=4)
    for i in range(20):
        step("feedback", "add", rid, "--public", f"群众{i}", "--text", f"建议{i}。",
             minute=5 + 2 * i)  # fmt: skip
        step("feedback", "answer", str(2001 + i), "--outcome", "采纳", "--reason", "已采纳。",
             "--notified", "电话告知", minute=6 + 2 * i)  # fmt: skip
    body = "\n\n".join(f"第{i}条：调整第{i}项服务{'，周末照常' if i % 3 == 0 else ''}。"
                        for i in range(1, 41))  # fmt: skip
    # the formal plan, once the window (15 days) has closed
    step("set", rid, "title=关于调整窗口服务时间的方案", f"body={body}", minute=50, later=16)
    step("submit", rid, minute=51, later=16)
    step("approve", rid, who="zhoulx", minute=52, later=16)
    step("publish", rid, minute=53, later=16)
    report = [*exe, "feedback", "report", rid]
    baseline = timed([*exe, "--help"], office, runs)
    record("dangwu --help (baseline)", baseline)
    # the first reading of a path's history writes git's changed-path filters, once
    record("feedback report, first (writes commit-graph)", timed(report, office, 1))
    record(
        "feedback report (20 opinions)", timed(report, office, runs), statistics.median(baseline)
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dangwu-bench"))
    parser.add_argument(
        "--history",
        type=int,
        default=10000,
        help="records in the office taken through the procedure (0: skip)",
    )
    parser.add_argument(
        "--signed",
        type=int,
        default=100,
        help="signed approvals in the signature benchmark (0: skip)",
    )
    parser.add_argument(
        "--only",
        choices=[
            "records",
            "history",
            "signatures",
            "sharing",
            "site",
            "portal",
            "circular",
            "paperwork",
            "supervision",
            "suite",
            "demo",
        ],
        default=None,
    )
    args = parser.parse_args()
    report: dict[str, object] = {
        "machine": os.uname().nodename,
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "sizes": {},
    }
    args.work.mkdir(parents=True, exist_ok=True)
    timed([*dangwu(), "--help"], args.work, 1)  # compile the bytecode once, as an install does
    if args.only in (None, "history") and args.history:
        report["history"] = measure_history(args.history, min(args.runs, 5), args.work)
    if args.only in (None, "signatures") and args.signed:
        print(f"signed office ({args.signed} signed approvals):", flush=True)
        report["signatures"] = measure_signatures(args.signed, args.runs, args.work)
    if args.only in (None, "sharing") and args.history:
        print(f"sharing the office of {args.history:,} records:", flush=True)
        report["sharing"] = measure_sharing(args.history, args.runs, args.work)
    if args.only == "site" and args.history:
        print(f"the web site of the office of {args.history:,} records:", flush=True)
        report["site"] = measure_site_alone(args.history, min(args.runs, 5), args.work)
    if args.only == "portal":
        print("the city portal of 100 offices of 1,000 records:", flush=True)
        report["portal"] = measure_portal(100, 1000, min(args.runs, 5), args.work)
    if args.only == "circular":
        print("a circular of 5 records and a meeting's minutes, office of 1,000:", flush=True)
        report["circular"] = measure_circular(1000, args.runs, args.work)
    if args.only == "paperwork" and args.history:
        print(f"the inspector's paperwork, office of {args.history:,} records:", flush=True)
        report["paperwork"] = measure_paperwork(args.history, args.runs, args.work)
    if args.only == "supervision" and args.history:
        print(f"opinions, requests and a consultation, office of {args.history:,}:", flush=True)
        report["supervision"] = measure_supervision(args.history, args.runs, args.work)
    if args.only == "suite":
        print("the whole test suite (python -m pytest):", flush=True)
        report["suite"] = measure_suite(args.runs)
    if args.only == "demo":
        print("the sample office (dangwu demo):", flush=True)
        report["demo"] = measure_demo(args.runs, args.work)
    if args.only in (
        "history", "signatures", "sharing", "site", "portal", "circular", "paperwork",
        "supervision", "suite", "demo",
    ):  # fmt: skip
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"results-{args.only}.json").write_text(
            json.dumps(report, indent=2, ensure_ascii=False), "utf-8"
        )
        show_checks(report_checks(report))
        return
    sample = args.work / "sample"
    if not sample.exists():
        subprocess.run([*dangwu(), "demo", str(sample)], check=True, capture_output=True)
    print("sample office (dangwu demo):")
    sample_ids = [p.split("/")[-1][:-5] for p in record_files(sample)]
    report["sample"] = measure(sample, "sample", sample_ids, args.runs)
    for n in args.sizes:
        office = args.work / f"office-{n}"
        start = time.perf_counter()
        ids = build_office(office, n)
        print(
            f"N = {n:,} (built in {time.perf_counter() - start:.1f} s, "
            f"{len(git(office, 'rev-list', 'HEAD').split())} commits):"
        )
        report["sizes"][str(n)] = measure(office, f"{n}", ids, args.runs)  # type: ignore[index]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")
    print("\ntargets:")
    sample_res = report["sample"]
    checks = [
        ("dangwu --help on the sample office", sample_res["help"]["median_s"], TARGETS["help"]),  # type: ignore[index]
        ("dangwu show ID on the sample office", sample_res["show"]["median_s"], TARGETS["show"]),
        ("dangwu --help in Chinese", sample_res["help zh_CN"]["median_s"], TARGETS["help"]),
        ("dangwu show ID in Chinese", sample_res["show zh_CN"]["median_s"], TARGETS["show"]),
        ("board --format pdf on the sample office", sample_res["board pdf"]["median_s"], 3.0),
    ]  # type: ignore[index]
    big = report["sizes"].get("10000")  # type: ignore[union-attr]
    if big:
        checks += [
            (
                "validate 10,000 cold",
                big["validate-cold"]["median_s"],
                TARGETS["validate-cold-10000"],
            ),
            (
                "validate 10,000 unchanged",
                big["validate-warm"]["median_s"],
                TARGETS["validate-warm-10000"],
            ),
        ]
    show_checks(checks + report_checks(report))


def report_checks(report: dict[str, object]) -> list[tuple[str, float, float]]:
    """The targets of what ``report`` measured (a whole run's, or one --only part's)."""
    checks: list[tuple[str, float, float]] = []
    history = report.get("history")
    if isinstance(history, dict):
        base = history["git log --name-status"]["median_s"]
        checks += [
            (
                "audit, first time (2.5x git log)",
                history["audit, first time"]["median_s"],
                2.5 * base,
            ),
            ("audit, history unchanged", history["audit, history unchanged"]["median_s"], 0.5),
            ("log ID (median of 9 records)", history["log ID (9 records)"]["median_s"], 0.3),
            ("board html", history["board html"]["median_s"], 1.0),
            ("bulletin html", history["bulletin html"]["median_s"], 1.0),
            ("board pdf", history["board pdf (whole public board)"]["median_s"], 5.0),
            (
                "bulletin pdf, busiest quarter",
                next(v for k, v in history.items() if k.startswith("bulletin pdf"))["median_s"],
                3.0,
            ),
            ("due", history["due"]["median_s"], 1.0),
            ("stats --year", history["stats --year"]["median_s"], 1.0),
        ]
    # issue 15: the site (measured with the history, or by itself) and the portal
    for site in (report.get("site"), history):
        if isinstance(site, dict) and "site build, cold" in site:
            changed = site["site build, one record changed"]["median_s"]
            checks += [
                ("site build, cold", site["site build, cold"]["median_s"], 10.0),
                ("site build, one record changed", changed, 2.0),
            ]
    portal = report.get("portal")
    if isinstance(portal, dict):
        cold = next(v for k, v in portal.items() if k.startswith("portal") and "cold" in k)
        changed = portal["portal build, one office changed"]["median_s"]
        checks += [
            ("portal build, 100 offices, cold", cold["median_s"], 60.0),
            ("portal build, one office changed", changed, 5.0),
        ]
    suite = report.get("suite")
    if isinstance(suite, dict):
        took = suite["python -m pytest"]["median_s"]
        checks += [("the whole test suite", took, TARGETS["suite"])]
    sharing = report.get("sharing")
    if not isinstance(sharing, dict):
        return checks
    fetch = sharing["git fetch (nothing new)"]["median_s"]
    return [
        *checks,
        (
            "sync, nothing new (0.5 s + fetch)",
            sharing["sync, nothing new"]["median_s"],
            0.5 + fetch,
        ),
        ("the hook on a push of 100 commits", sharing["hook on 100 commit(s)"]["median_s"], 1.0),
        ("the hook on a push of 1 commit", sharing["hook on 1 commit(s)"]["median_s"], 0.3),
    ]


def show_checks(checks: list[tuple[str, float, float]]) -> None:
    for name, value, target in checks:
        verdict = "ok" if value <= target else "MISSED"
        print(f"  {name:<40} {value * 1000:8.1f} ms  (target {target * 1000:.0f} ms)  {verdict}")


if __name__ == "__main__":
    try:
        main()
    finally:
        clear_aside()
