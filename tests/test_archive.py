"""The year's archive (归档) [SPEC 13]: its manifest and the days of its board as pure
rules, then ``archive --year`` on the sample office, read back file by file, checked
by ``archive check`` and by coreutils' own ``sha256sum -c``, and tampered with."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import Office, commit_as, copy_demo, need_pdf
from plaingit import sign_env

from dangwu.model.office import Rules
from dangwu.model.record import Summary
from dangwu.rules.archive import (
    Finding,
    board_days,
    compare,
    fit_name,
    in_year,
    manifest,
    read_manifest,
)

NOW = "2026-12-06T12:00:00+08:00"
A, B = "a" * 64, "b" * 64


def summary(**changes: object) -> Summary:
    base: dict[str, object] = dict(
        path="records/x/ZD-2026-101.yaml", blob="0" * 40, id="ZD-2026-101", category="x",
        item="y", title="t", scope="public", cadence="timely", status="published",
        channels=("public-board",), content="c",
    )  # fmt: skip
    return Summary(**{**base, **changes})  # type: ignore[arg-type]


# --- the rules ---------------------------------------------------------------------------


def test_a_manifest_reads_back_as_written_in_sha256sums_form():
    digests = {"records/ZD-2026-101/ZD-2026-101.yaml": A, "catalogue.pdf": B}
    text = manifest(digests)
    assert text == f"{B}  catalogue.pdf\n{A}  records/ZD-2026-101/ZD-2026-101.yaml\n"
    assert read_manifest(text) == (digests, [])


@pytest.mark.parametrize(
    "line",
    [
        f"{A}  ../outside.pdf",
        f"{A}  /etc/passwd",
        f"{A}  records/./x.pdf",
        f"{A}  a\\b.pdf",
        f"{'A' * 64}  upper-case-digest.pdf",
        f"{A[:63]}  short-digest.pdf",
        f"{A} no-two-spaces.pdf",
        "",
    ],
)
def test_a_manifest_line_that_is_not_a_files_is_refused_by_number(line: str):
    digests, bad = read_manifest(f"{B}  index.html\n{line}\n")
    assert digests == {"index.html": B}
    assert [(m.line, m.text) for m in bad] == [(2, line)]


def test_a_file_named_twice_in_a_manifest_is_refused():
    _digests, bad = read_manifest(f"{A}  x.pdf\n{B}  x.pdf\n")
    assert [m.line for m in bad] == [2]


def test_names_an_archive_may_hold():
    assert fit_name("records/ZD-2026-101/files/附件 一.pdf")
    for bad in ("", "/x", "x/", "x//y", "..", "a/../b", "a\nb", "a\\b", "./a"):
        assert not fit_name(bad), bad


def test_compare_names_what_changed_went_and_came():
    listed = {"a.pdf": A, "b.pdf": A, "c.pdf": A}
    found = {"a.pdf": A, "b.pdf": B, "d.pdf": A}
    assert compare(listed, found) == [
        Finding("b.pdf", "changed"),
        Finding("c.pdf", "missing"),
        Finding("d.pdf", "added"),
    ]
    assert compare(listed, dict(listed)) == []


def test_what_belongs_to_a_year():
    assert in_year(summary(published="2026-03-01T09:00:00+08:00"), 2026)
    assert not in_year(summary(published="2025-12-31T09:00:00+08:00"), 2026)
    assert in_year(summary(status="approved", decided="2026-01-05"), 2026)
    assert in_year(summary(withdrawn="2026-02-01T09:00:00+08:00", status="withdrawn"), 2026)
    assert not in_year(summary(status="draft"), 2026)


def test_the_board_is_looked_at_on_each_day_it_may_have_changed():
    rules = Rules()
    timely = summary(published="2026-03-02T09:00:00+08:00")
    consulting = summary(
        id="ZD-2026-102", consulted="2026-05-01T09:00:00+08:00", closes="2026-05-31",
        status="approved",
    )  # fmt: skip
    days = board_days(
        2026,
        [date(2025, 12, 30), date(2026, 2, 10), date(2027, 1, 4)],
        [timely, consulting],
        rules,
        until=date(2026, 12, 6),
    )
    fall_off = date(2026, 3, 2).toordinal() + rules.board_recent_days
    assert days == sorted(
        [
            date(2026, 1, 1),
            date(2026, 2, 10),
            date(2026, 3, 2),
            date.fromordinal(fall_off),
            date(2026, 5, 1),
            date(2026, 6, 1),
        ]
    )
    assert board_days(2026, [date(2026, 12, 20)], [], rules, until=date(2026, 12, 6)) == [
        date(2026, 1, 1)
    ]


# --- the command on the sample office ----------------------------------------------------


@pytest.fixture(scope="module")
def filed(audited_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, Path, str]:
    """The sample office and its archive of 2026, made once for this module's tests
    (each test that tampers with it takes a copy)."""
    need_pdf()
    root = tmp_path_factory.mktemp("archive")
    demo = Office(copy_demo(audited_demo, root / "office"))
    before = demo.state()
    said = demo.run("archive", "--year", "2026", "-o", str(root / "archive-2026"), now=NOW)
    assert said.exit_code == 0, said.output
    assert demo.state() == before  # made from the history; the office is as it was
    return demo, root / "archive-2026", said.output


def copied(archive: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(archive, target)
    return target


def run_check(demo: Office, folder: Path, *more: str):  # type: ignore[no-untyped-def]
    return demo.run("archive", "check", str(folder), *more, now=NOW)


def test_the_archive_holds_each_record_of_the_year_with_its_history_and_form(filed):
    demo, archive, said = filed
    about = json.loads((archive / "archive.json").read_text("utf-8"))
    assert about["year"] == 2026 and about["commit"] == demo.head() and not about["internal"]
    listed = demo.run("list", "--json", now=NOW)
    published = [r for r in json.loads(listed.stdout) if r["status"] == "published"]
    assert published
    for row in published:
        base = archive / "records" / row["id"]
        committed = demo.git("show", f"HEAD:{row['path']}")
        assert (base / f"{row['id']}.yaml").read_text("utf-8").strip() == committed.strip()
        history = (base / f"{row['id']}-history.csv").read_text("utf-8-sig").splitlines()
        commits = demo.git("log", "--format=%H", "--", row["path"]).split()
        assert len(history) == 1 + len(commits)  # a heading, then a line per commit
        assert {line.split(",")[5] for line in history[1:]} == set(commits)
        assert (base / f"{row['id']}-form.pdf").read_bytes().startswith(b"%PDF")
    assert f"from commit {demo.head()[:10]}" in said


def test_the_archive_holds_every_printed_output_of_the_year(filed):
    _demo, archive, _said = filed
    names = {p.relative_to(archive).as_posix() for p in archive.rglob("*") if p.is_file()}
    for expected in (
        "index.html",
        "contents.pdf",
        "manifest.sha256",
        "catalogue.pdf",
        "figures/stats-2026.pdf",
        "figures/dossier-2026.pdf",
        "ledgers/ledger-2026.pdf",
        "reports/reports-2026.csv",
        "requests/requests-2026.csv",
        "site/index.html",
        *(f"bulletins/2026Q{q}-{s}.pdf" for q in (1, 2, 3, 4) for s in ("public", "internal")),
    ):
        assert expected in names, expected
    boards = sorted(n for n in names if n.startswith("boards/public/"))
    # the board as it stood after each change: the first day of the year, then each
    # change, never a day after the archive was made
    assert boards[0] == "boards/public/2026-01-01.pdf" or boards[0] > "boards/public/2026-01-01"
    assert len(boards) >= 5 and boards[-1] <= "boards/public/2026-12-06.pdf"
    assert any(n.startswith("boards/internal/") for n in names)
    assert sum(1 for n in names if n.startswith("ledgers/") and n.endswith(".csv")) == 4
    contents = (archive / "index.html").read_text("utf-8")
    for name in names - {"manifest.sha256"}:
        if not name.startswith("site/") and not name.startswith("records/"):
            assert f'href="{name}"' in contents, name


def test_every_pdf_of_the_archive_says_it_is_pdf_a(filed):
    _demo, archive, _said = filed
    pdfs = sorted(archive.rglob("*.pdf"))
    assert len(pdfs) > 20
    for pdf in pdfs[:: max(1, len(pdfs) // 12)]:
        meta = subprocess.run(
            ["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        assert "<pdfaid:part>2</pdfaid:part>" in meta, pdf
        assert "<pdfaid:conformance>B</pdfaid:conformance>" in meta, pdf


def test_the_archive_checks_untouched_by_dangwu_and_by_sha256sum(filed):
    demo, archive, said = filed
    checked = run_check(demo, archive)
    assert checked.exit_code == 0, checked.output
    registered = hashlib.sha256((archive / "manifest.sha256").read_bytes()).hexdigest()
    assert registered in checked.stdout and registered in said
    plain = subprocess.run(
        ["sha256sum", "--check", "--strict", "--quiet", "manifest.sha256"],
        cwd=archive,
        capture_output=True,
        text=True,
    )
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert run_check(demo, archive, "--expect", registered).exit_code == 0


@pytest.mark.parametrize("victim", ["records", "boards", "contents.pdf", "archive.json", "site"])
def test_one_byte_changed_anywhere_is_caught(filed, tmp_path: Path, victim: str):
    demo, archive, _said = filed
    folder = copied(archive, tmp_path)
    target = (
        sorted(p for p in (folder / victim).rglob("*") if p.is_file())[0]
        if (folder / victim).is_dir()
        else folder / victim
    )
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    checked = run_check(demo, folder)
    assert checked.exit_code == 1
    assert f"{target}: changed" in checked.stderr
    assert checked.stderr.count(": changed") == 1


def test_a_file_taken_out_or_slipped_in_is_caught(filed, tmp_path: Path):
    demo, archive, _said = filed
    folder = copied(archive, tmp_path)
    gone = next((folder / "boards" / "public").iterdir())
    gone.unlink()
    (folder / "records" / "extra.yaml").write_text("title: 后补\n", "utf-8")
    checked = run_check(demo, folder)
    assert checked.exit_code == 1
    assert f"{gone}: gone" in checked.stderr
    assert f"{folder / 'records' / 'extra.yaml'}: added" in checked.stderr


def test_a_manifest_rewritten_to_match_a_forgery_is_caught_by_the_registered_digest(
    filed, tmp_path: Path
):
    demo, archive, _said = filed
    folder = copied(archive, tmp_path)
    registered = hashlib.sha256((folder / "manifest.sha256").read_bytes()).hexdigest()
    form = next((folder / "records").rglob("*-form.pdf"))
    form.write_bytes(form.read_bytes() + b"\n% forged\n")
    name = form.relative_to(folder).as_posix()
    digest = hashlib.sha256(form.read_bytes()).hexdigest()
    lines = (folder / "manifest.sha256").read_text("utf-8").splitlines()
    lines = [f"{digest}  {name}" if line.endswith(f"  {name}") else line for line in lines]
    (folder / "manifest.sha256").write_text("\n".join(lines) + "\n", "utf-8")
    assert run_check(demo, folder).exit_code == 0  # consistent with itself
    checked = run_check(demo, folder, "--expect", registered)
    assert checked.exit_code == 1
    assert "not the one registered" in checked.stderr


def test_a_broken_manifest_line_is_named_by_file_line_and_column(filed, tmp_path: Path):
    demo, archive, _said = filed
    folder = copied(archive, tmp_path)
    manifest_path = folder / "manifest.sha256"
    lines = manifest_path.read_text("utf-8").splitlines()
    lines[2] = lines[2].replace("  ", "  ../", 1)
    manifest_path.write_text("\n".join(lines) + "\n", "utf-8")
    checked = run_check(demo, folder)
    assert checked.exit_code == 1
    assert f"{manifest_path}:3:1: " in checked.stderr
    assert "Traceback" not in checked.output


def test_check_refuses_what_is_not_an_archive(filed, tmp_path: Path):
    demo, _archive, _said = filed
    empty = tmp_path / "empty"
    empty.mkdir()
    said = run_check(demo, empty)
    assert said.exit_code == 1 and "manifest.sha256" in said.stderr
    assert len(said.stderr.strip().splitlines()) == 1
    said = run_check(demo, tmp_path / "nowhere")
    assert said.exit_code == 2


def test_reporters_stay_out_of_an_archive_unless_it_is_internal(filed, tmp_path: Path):
    """Nor requesters [SPEC 14]: the archive says what was asked and how it was
    settled, in time or not, without who asked."""
    demo, archive, _said = filed
    names = []
    for folder in ("reports", "requests"):
        for path in sorted((demo.root / folder).rglob("*.yaml")):
            given = yaml.safe_load(path.read_text("utf-8"))
            names += [given["name"]] if given.get("name") else []
    assert len(names) == 4, "the sample office has two real-name reports, two requests"
    for path in archive.rglob("*"):
        if path.suffix in (".yaml", ".csv", ".html", ".json", ".xml"):
            text = path.read_text("utf-8-sig")
        elif path.suffix == ".pdf":
            text = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True
            ).stdout
        else:
            continue
        for name in names:
            assert name not in text, (path, name)
    inside = demo.run(
        "archive", "--year", "2026", "--internal", "-o", str(tmp_path / "internal"), now=NOW
    )
    assert inside.exit_code == 0, inside.output
    tables = "".join(
        (tmp_path / "internal" / folder / f"{folder}-2026.csv").read_text("utf-8-sig")
        for folder in ("reports", "requests")
    )
    assert all(name in tables for name in names)
    asked = (archive / "requests" / "requests-2026.csv").read_text("utf-8-sig").splitlines()
    assert asked[1].split(",")[:3] == ["101", "2026-08-17", "ZZ-2026-105"]
    assert asked[1].endswith(",是") and "不予公开" in asked[2]


def test_a_reporter_named_in_a_published_record_is_blotted_throughout_the_archive(
    audited_demo: Path, tmp_path: Path
):
    """The board command blots a real-name reporter named in a record; the archive's
    boards of earlier days, its contents and its index did not (its walk through the
    year knew only the reports of the year's first day)."""
    need_pdf()
    demo = Office(copy_demo(audited_demo, tmp_path / "office"))
    name = yaml.safe_load((demo.root / "reports" / "101.yaml").read_text("utf-8"))["name"]
    rid = demo.new(
        "--summary", f"经核实，{name}反映属实。", "--event-date", "2026-12-05",
        "--channel", "public-board", "--channel", "website",
        category="gongzuo-dongtai", item="party-activities",
        title=f"关于{name}同志反映问题的处理情况", now="2026-12-05T09:00:00+08:00",
    )  # fmt: skip
    said = demo.run("submit", rid, now="2026-12-05T10:00:00+08:00")
    assert said.exit_code == 0, said.output
    keys = demo.root / ".git" / "dangwu" / "demo-keys"
    said = demo.run("approve", rid, "--override", "已征得本人同意", as_="zhoulx",
                    now="2026-12-05T11:00:00+08:00", env=sign_env(keys / "zhoulx"))  # fmt: skip
    assert said.exit_code == 0, said.output
    said = demo.run("publish", rid, now="2026-12-05T12:00:00+08:00", env=sign_env(keys / "dumy"))
    assert said.exit_code == 0, said.output
    board = demo.run("board", "--format", "html", "-o", str(tmp_path / "board"), now=NOW)
    assert board.exit_code == 0, board.output
    posted = "".join(p.read_text("utf-8") for p in (tmp_path / "board").glob("*.html"))
    assert rid in posted and name not in posted
    made = demo.run("archive", "--year", "2026", "-o", str(tmp_path / "a"), now=NOW)
    assert made.exit_code == 0, made.output
    seen = 0
    for path in (tmp_path / "a").rglob("*"):
        if path.suffix in (".html", ".json", ".csv", ".yaml"):
            text = path.read_text("utf-8-sig")
        elif path.suffix == ".pdf":
            text = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
        else:
            continue
        seen += rid in text
        assert name not in text, path
    assert seen >= 4  # the record's own files, its board, the contents and the index


def test_a_plain_git_edit_shows_in_the_records_history(audited_demo: Path, tmp_path: Path):
    need_pdf()
    demo = Office(copy_demo(audited_demo, tmp_path / "office"))
    path = demo.root / "records" / "zhidu-jianshe" / "ZD-2026-102.yaml"
    path.write_text(path.read_text("utf-8").replace("2026年修订", "2025年修订", 1), "utf-8")
    forged = commit_as(demo.root, "dumy", "typo", "records", date="2026-12-05T10:00:00+08:00")
    said = demo.run("archive", "--year", "2026", "-o", str(tmp_path / "a"), now=NOW)
    assert said.exit_code == 0, said.output
    history = tmp_path / "a" / "records" / "ZD-2026-102" / "ZD-2026-102-history.csv"
    last = history.read_text("utf-8-sig").splitlines()[-1].split(",")
    assert last[5] == forged and last[4] == "无"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--year", "2027", "-o", "x"], "--year"),
        (["--year", "2026"], "-o"),
        (["-o", "x"], "--year"),
    ],
)
def test_wrong_asks_are_refused_in_one_line_and_write_nothing(
    filed, tmp_path: Path, args: list[str], says: str
):
    demo, _archive, _said = filed
    before = demo.state()
    said = demo.run("archive", *args, now=NOW)
    assert said.exit_code == 2 and says in said.stderr, said.output
    assert len(said.stderr.strip().splitlines()) == 1
    assert demo.state() == before and not (demo.root / "x").exists()


def test_an_archive_is_never_written_over(filed, tmp_path: Path):
    demo, archive, _said = filed
    kept = {p: p.read_bytes() for p in archive.rglob("*") if p.is_file()}
    said = demo.run("archive", "--year", "2026", "-o", str(archive), now=NOW)
    assert said.exit_code == 2 and "not empty" in said.stderr
    assert {p: p.read_bytes() for p in archive.rglob("*") if p.is_file()} == kept
    assert not [p for p in archive.parent.iterdir() if p.name.startswith(".archive-2026")]


def test_a_template_pdf_a_forbids_is_kept_as_plain_pdf_and_said(audited_demo: Path, tmp_path: Path):
    need_pdf()
    demo = Office(copy_demo(audited_demo, tmp_path / "office"))
    shipped = (Path(__file__).parent.parent / "templates" / "catalogue.typ.j2").read_text("utf-8")
    demo.write(
        "templates/catalogue.typ.j2", shipped + "\n#text(fill: cmyk(0%, 100%, 100%, 0%))[印]\n"
    )
    said = demo.run("archive", "--year", "2026", "-o", str(tmp_path / "a"), now=NOW)
    assert said.exit_code == 0, said.output
    assert "not PDF/A" in said.stderr and "catalogue.pdf" in said.stderr

    def meta(name: str) -> str:
        return subprocess.run(
            ["pdfinfo", "-meta", str(tmp_path / "a" / name)], capture_output=True, text=True
        ).stdout

    assert "pdfaid:part" not in meta("catalogue.pdf")
    assert "<pdfaid:part>2</pdfaid:part>" in meta("contents.pdf")


def test_a_page_that_cannot_be_typeset_leaves_no_archive(audited_demo: Path, tmp_path: Path):
    need_pdf()
    demo = Office(copy_demo(audited_demo, tmp_path / "office"))
    demo.write("templates/catalogue.typ.j2", "#let broken = (\n")
    said = demo.run("archive", "--year", "2026", "-o", str(tmp_path / "a"), now=NOW)
    assert said.exit_code == 1
    assert "cannot be typeset" in said.stderr and "Traceback" not in said.output
    assert [p.name for p in tmp_path.iterdir()] == ["office"]  # nothing half-written


def test_each_board_of_the_archive_is_the_board_of_its_day(filed, tmp_path: Path):
    """Every sheet filed for a day carries the verification code `board --on DAY`
    prints for that day: the same commit, the same sheet."""
    demo, archive, _said = filed
    code = re.compile(r"\b[0-9a-f]{8}-[PI][A-Z]{2}\d+-\d{6}-[A-Z0-9]{5}\b")
    boards = sorted((archive / "boards").rglob("*.pdf"))
    assert len(boards) >= 4
    for pdf in boards[:: max(1, len(boards) // 4)]:
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        filed_codes = set(code.findall(text))
        assert filed_codes, pdf
        scope, day = pdf.parent.name, pdf.stem
        said = demo.run("board", "--scope", scope, "--on", day, "-o", str(tmp_path), now=NOW)
        assert said.exit_code == 0, said.output
        assert filed_codes <= set(code.findall(said.stdout)), (pdf, said.stdout)


def test_an_archive_is_not_written_into_the_offices_own_files(filed):
    demo, _archive, _said = filed
    before = demo.state()
    for inside in ("archive-2026", "records/archive", str(demo.root / "x")):
        said = demo.run("archive", "--year", "2026", "-o", inside, now=NOW)
        assert said.exit_code == 2 and "inside the office" in said.stderr, said.output
    assert demo.state() == before
