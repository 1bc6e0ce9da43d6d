"""Build an office whose records have all been through the procedure, fast.

Every version of every record is what dangwu's own rules (dangwu.rules.workflow)
produce for that step, every commit carries the trailers dangwu writes, and
the whole history goes into git with one ``git fast-import`` -- so a 50,000
commit office takes about a minute instead of the hours the CLI would need.
``dangwu audit`` finds such a history in order; the benchmark times it.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dangwu import (
    clock,
    yamlio,
)
from dangwu.check.settings import parse_settings
from dangwu.model.record import CONTENT_FIELDS, FIELD_ORDER, content_hash
from dangwu.rules import workflow
from dangwu.store import records

CODES = {
    "mubiao-renwu": "MB",
    "sixiang-jianshe": "SX",
    "zuzhi-jianshe": "ZZ",
    "zuofeng-jianshe": "ZF",
    "zhidu-jianshe": "ZD",
    "gongzuo-dongtai": "DT",
}
MEMBERS = ("zhoulx", "sunhm", "qianwb", "wujh", "zhenggq", "wanglp")
QUORUM = ["hanzg", "zhoulx", "sunhm", "qianwb", "wujh"]


def _text(data: dict[str, Any]) -> bytes:
    ordered = {k: data[k] for k in FIELD_ORDER if k in data}
    return (
        records.HEADER
        + yaml.dump(
            ordered, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=4096
        )
    ).encode("utf-8")


def _message(step: str, data: dict[str, Any], actor: str, before: str, after: str) -> str:
    lines = [
        f"{step}: {data['id']} {data['title']}",
        "",
        f"Dangwu-Step: {step}",
        f"Dangwu-Record: {data['id']}",
        f"Dangwu-From: {before}",
        f"Dangwu-To: {after}",
        f"Dangwu-Actor: {actor}",
        f"Dangwu-Content: {content_hash(data)}",
    ]
    return "\n".join(lines) + "\n"


def build(root: Path, n: int, seed: int = 11) -> tuple[list[str], int]:
    """An office of ``n`` records, each drafted, submitted, (decided,) approved and
    published; returns the ids and the number of commits."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    # the sample requires signatures; this history is unsigned (signature checks are
    # timed by run.py's signature benchmark), so its office does not
    settings_text = (
        (ROOT / "dangwu.yaml")
        .read_text("utf-8")
        .replace("  require_signing: true ", "  require_signing: false")
    )
    settings = parse_settings(settings_text)
    roster = settings.roster
    samples = [yamlio.load((ROOT / p).read_text("utf-8")).data for p in records.record_files(ROOT)]
    stream: list[bytes] = []
    moment = datetime(2024, 1, 2, 9, 0, tzinfo=clock.CHINA)
    count = 0

    def commit(who: str, message: str, files: dict[str, bytes]) -> None:
        nonlocal count, moment
        person = roster[who]
        stamp = f"{int(moment.timestamp())} +0800"
        ident = f"{person.name} <{person.email}> {stamp}"
        body = message.encode("utf-8")
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"author {ident}\ncommitter {ident}\n".encode())
        stream.append(b"data %d\n" % len(body) + body + b"\n")
        for path, data in files.items():
            stream.append(f"M 100644 inline {path}\n".encode())
            stream.append(b"data %d\n" % len(data) + data + b"\n")
        count += 1

    commit(
        "linht",
        "init: 江城市司法局\n\nDangwu-Step: init\nDangwu-Actor: linht\n",
        {"dangwu.yaml": settings_text.encode("utf-8")},
    )
    numbers: dict[tuple[str, int], int] = {}
    ids: list[str] = []
    wave = 20
    for start in range(0, n, wave):
        batch = []
        for index in range(start, min(n, start + wave)):
            template = samples[index % len(samples)]
            category = str(template["category"])
            year = moment.year
            number = numbers.get((category, year), 100) + 1
            if number % 100 == 0:
                number = (number // 100 + 9) * 100 + 1  # the clerk's next block
            numbers[(category, year)] = number
            rid = f"{CODES[category]}-{year}-{number:03d}"
            data = {k: v for k, v in template.items() if k in CONTENT_FIELDS}
            data.pop("follows", None)
            data["id"] = rid
            data["title"] = f"{template['title']}（第{index + 1}号）"
            if "period" in data:
                data["period"] = f"{year}Q{(moment.month - 1) // 3 + 1}"
            if "event_date" in data:
                data["event_date"] = moment.date().isoformat()
            data["pre_disclosure"] = False
            data.pop("pre_disclosure")
            data["major"] = index % 10 == 0
            if not data["major"]:
                data.pop("major")
            data["status"] = "draft"
            data["created"] = {"by": "dumy", "at": moment.isoformat()}
            path = f"records/{category}/{rid}.yaml"
            commit("dumy", _message("new", data, "dumy", "none", "draft"), {path: _text(data)})
            moment += timedelta(minutes=rng.randint(3, 30))
            batch.append((path, data, index))
            ids.append(rid)
        steps = ["revise", "submit", "decide", "approve", "publish"]
        for step in steps:
            for path, data, index in batch:
                if step == "decide" and not data.get("major"):
                    continue
                if step == "revise":  # the clerk revises the draft once before submitting
                    data["summary"] = f"{data.get('summary', '')}（修订）"
                    ctx = workflow.Context(roster["dumy"], roster, settings.rules, moment)
                    outcome = workflow.edit(data, ctx)
                    commit(
                        "dumy",
                        _message("set", data, "dumy", "draft", outcome.status),
                        {path: _text(data)},
                    )
                    moment += timedelta(minutes=rng.randint(3, 30))
                    continue
                who = {"submit": "dumy", "publish": "dumy", "decide": "zhoulx"}.get(
                    step, "hanzg" if data.get("major") else MEMBERS[index % len(MEMBERS)]
                )
                ctx = workflow.Context(roster[who], roster, settings.rules, moment)
                before = str(data["status"])
                if step == "submit":
                    outcome = workflow.submit(data, ctx)
                elif step == "decide":
                    outcome = workflow.decide(
                        data, ctx, meeting=moment.date(), attendees=QUORUM, outcome="publish"
                    )
                elif step == "approve":
                    outcome = workflow.approve(
                        data, ctx, content=content_hash(data), authors={"dumy"}
                    )
                else:
                    outcome = workflow.publish(data, ctx, content=content_hash(data))
                data["status"] = outcome.status
                data.update(outcome.facts)
                commit(who, _message(step, data, who, before, outcome.status), {path: _text(data)})
                moment += timedelta(minutes=rng.randint(3, 30))
            moment += timedelta(hours=rng.randint(1, 20))
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True, env=env
    )
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True, env=env)
    return ids, count


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"/tmp/dangwu-history-{size}")
    built_ids, commits = build(target, size)
    print(f"{target}: {len(built_ids)} records, {commits} commits")
