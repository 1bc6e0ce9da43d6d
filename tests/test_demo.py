"""The sample office and ``dangwu demo``, the first thing a new user runs."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import ROOT, Office, copy_demo, demo_printed, git

from dangwu import yamlio
from dangwu.store.records import record_files


def sample():
    return [yamlio.load((ROOT / p).read_text("utf-8")).data for p in record_files(ROOT)]


def test_sample_office_covers_every_category_cadence_and_scope():
    records = sample()
    per_category = Counter(r["category"] for r in records)
    assert len(per_category) == 6 and min(per_category.values()) >= 3
    assert {r["cadence"] for r in records} == {"standing", "quarterly", "timely", "follow-up"}
    assert {r["scope"] for r in records} == {"internal", "public"}
    assert any(r.get("major") for r in records)
    assert any(r.get("pre_disclosure") for r in records)
    assert any(r.get("follows") for r in records)


def test_sample_roster_is_shaped_like_the_seed():
    settings = yamlio.load((ROOT / "dangwu.yaml").read_text("utf-8")).data
    roles = Counter(role for p in settings["roster"].values() for role in p["roles"])
    assert roles == {
        "leader": 1,
        "member": 6,
        "office-head": 1,
        "office-deputy": 1,
        "clerk": 1,
        "supervisor": 2,
    }
    assert all(p["email"].endswith("@example.org") for p in settings["roster"].values())


def test_the_project_checkout_is_a_valid_sample_office():
    result = Office(ROOT).run("validate")
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def demo(demo_seed, tmp_path_factory):
    """The office ``dangwu demo`` built for this run (a real process, in English), a
    copy to read, and what the command printed and where it built it."""
    stdout, stderr = demo_printed(demo_seed)
    assert stderr == ""
    target = copy_demo(demo_seed, tmp_path_factory.mktemp("demo") / "office")
    return target, stdout, demo_seed


def test_demo_builds_the_sample_office(demo):
    target, stdout, built_at = demo
    assert "Built the sample office of 江城市司法局" in stdout
    assert f"cd {built_at}" in stdout and "dangwu list" in stdout
    built = sorted(p.split("/")[-1] for p in record_files(target))
    shipped = sorted(p.split("/")[-1] for p in record_files(ROOT))
    assert built == shipped
    assert git(target, "status", "--porcelain") == ""
    office = Office(target)
    assert office.run("validate").exit_code == 0
    assert len(json.loads(office.run("list", "--json").stdout)) == len(shipped)


def test_demo_commits_are_made_by_the_roster(demo):
    target, _stdout, _built_at = demo
    log = git(target, "log", "--reverse", "--format=%ae|%ce|%aI|%s").splitlines()
    assert log[0].startswith("linht@example.org|linht@example.org|")
    assert log[0].endswith("|init: 江城市司法局")
    roster = yamlio.load((ROOT / "dangwu.yaml").read_text("utf-8")).data["roster"]
    emails = {p["email"]: p["roles"] for p in roster.values()}
    for line in log[1:]:
        author, committer, _date, subject = line.split("|", 3)
        assert author == committer and author in emails
        step = subject.split(":")[0]
        if step in ("approve", "decide", "reject", "withdraw"):
            assert {"leader", "member"} & set(emails[author]), line
        elif step == "feedback":
            assert {"supervisor", "clerk"} & set(emails[author]), line
        else:
            assert "clerk" in emails[author], line
    dates = [line.split("|")[2] for line in log]
    assert dates == sorted(dates)


def test_demo_takes_records_through_the_procedure(demo):
    target, _stdout, _built_at = demo
    office = Office(target)
    rows = {r["id"]: r["status"] for r in json.loads(office.run("list", "--json").stdout)}
    statuses = set(rows.values())
    assert {
        "published",
        "draft",
        "submitted",
        "approved",
        "consulting",
        "withheld",
        "withdrawn",
    } <= statuses
    assert list(rows.values()).count("consulting") == 1
    assert list(rows.values()).count("withheld") == 1
    major = json.loads(office.run("show", "ZZ-2026-102", "--json").stdout)
    assert major["decision"]["outcome"] == "publish" and major["approval"]["by"] == "hanzg"
    assert len(major["decision"]["attendees"]) * 2 > major["decision"]["group"]
    formal = json.loads(office.run("show", "MB-2026-102", "--json").stdout)
    assert formal["status"] == "published"
    assert formal["consultation"]["at"] < formal["publication"]["at"]
    audit = office.run("audit")
    assert audit.exit_code == 0, audit.output
    assert "history in order" in audit.output


def test_demo_has_opinions_and_reports_and_owes_what_they_imply(demo):
    target, _stdout, _built_at = demo
    office = Office(target)
    now = "2026-11-26T10:00:00+08:00"
    reports = json.loads(office.run("report", "list", "--json", now=now).stdout)
    assert [(r["number"], r["real_name"], bool(r["answered"])) for r in reports] == [
        (101, True, True),
        (102, False, False),
        (103, True, False),
    ]
    opinions = json.loads(office.run("feedback", "list", "--json", now=now).stdout)
    assert sorted(o["record"] for o in opinions) == ["MB-2026-102", "MB-2026-102", "ZD-2026-105"]
    plan = json.loads(office.run("show", "MB-2026-102", "--json", now=now).stdout)
    assert plan["approval"]["opinions"] == 2
    owed = json.loads(office.run("due", "--json", now=now).stdout)
    report_rows = [o for o in owed if o["kind"] == "report"]
    assert [(o["report"], o["due"], o["overdue"]) for o in report_rows] == [
        (103, "2026-12-03", False)
    ]
    assert owed[0]["overdue"] and not owed[-1]["overdue"]
    assert office.run("audit", now=now).exit_code == 0


def test_the_samples_approvals_and_publications_are_signed_by_their_people(demo):
    """The sample requires signing; the demo's people sign with keys made from fixed
    seeds, which the shipped roster lists, so every reader's demo is the same."""
    from dangwu.app.demo import demo_key_pair

    roster = yamlio.load((ROOT / "dangwu.yaml").read_text("utf-8")).data
    assert roster["rules"]["require_signing"] is True
    for key, person in roster["roster"].items():
        if "signing_key" in person:
            assert person["signing_key"] == demo_key_pair(key)[1], key
    target, _stdout, _built_at = demo
    entries = json.loads(Office(target).run("log", "--json").stdout)
    stamps = [e for e in entries if e["step"] in ("approve", "publish")]
    assert len(stamps) > 40
    assert {e["signature"] for e in stamps} == {"good"}
    keys = target / ".git" / "dangwu" / "demo-keys"
    assert (keys / "hanzg").stat().st_mode & 0o077 == 0  # ssh refuses an open private key


def test_a_new_user_of_the_demo_is_told_where_their_key_is(demo, tmp_path):
    """The sample requires signing: doctor says which key the demo made for you, and
    dangwu key --file sets git up with it (in a copy of the demo office)."""
    import shutil

    target, _stdout, _built_at = demo
    office = Office(tmp_path / "office")
    shutil.copytree(target, office.root, symlinks=True)
    doctor = office.run("doctor", as_="dumy")
    assert doctor.exit_code == 1
    assert "dangwu key --file .git/dangwu/demo-keys/dumy" in doctor.stdout
    keyed = office.run("key", "--file", ".git/dangwu/demo-keys/dumy", as_="dumy")
    assert keyed.exit_code == 0, keyed.output
    assert "The roster lists this key for you" in keyed.stdout
    assert "✓ signing key" in office.run("doctor", as_="dumy").stdout


def test_demo_content_equals_the_sample(demo):
    target, _stdout, _built_at = demo
    revised = {"MB-2026-102", "ZZ-2026-104"}  # the demo revises these along the way
    for relpath in record_files(ROOT):
        shipped = yamlio.load((ROOT / relpath).read_text("utf-8")).data
        if shipped["id"] in revised:
            continue
        built = yamlio.load((target / relpath).read_text("utf-8")).data
        assert {k: built[k] for k in shipped} == shipped


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    result = Office(tmp_path).run("demo", str(tmp_path / "x"), as_=None)
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["keep.txt"]
