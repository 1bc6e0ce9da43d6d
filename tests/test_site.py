"""The office's web site [SPEC 12]: `site build` and `site serve`, on real offices.

The pages are read back as files here; tests/test_site_browser.py drives them in
a real browser.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import Office, commit_as, copy_demo, isolate
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pdfs import text_pdf
from steps import at, ok, refused

from dangwu.app.sitecodes import key_of
from dangwu.store import search

ATOM = "{http://www.w3.org/2005/Atom}"
DEMO_NOW = "2026-12-01T10:00:00+08:00"


def site_files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes().decode("utf-8", "replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def public_record(
    office: Office,
    title: str,
    *extra: str,
    day: int = 1,
    category: str = "zhidu-jianshe",
    item: str = "integrity-rules",
) -> str:
    rid = office.new(
        "--summary",
        f"{title}的摘要。",
        "--body",
        f"## 一、情况\n\n{title}的正文，设立法律援助绿色通道。\n",
        *extra,
        category=category,
        item=item,
        title=title,
        now=at(day),
    )
    ok(office, "submit", rid, now=at(day, 11))
    ok(office, "approve", rid, as_="zhoulx", now=at(day + 1))
    ok(office, "publish", rid, now=at(day + 2))
    return rid


RULES_PDF = text_pdf("the rules in full")


@pytest.fixture
def small(office: Office, _small_seed: tuple[Path, dict[str, str]]) -> dict[str, str]:
    """An office with a public record carrying an attachment, another public one, an
    internal one, all published in October 2026: a copy of one built for the module."""
    built, ids = _small_seed
    shutil.rmtree(office.root)
    shutil.copytree(built, office.root, symlinks=True)
    return ids


@pytest.fixture(scope="module")
def _small_seed(
    _seed: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, str]]:
    """``small``'s office, built once (0.7 s: twelve steps) in a home of its own."""
    folder = tmp_path_factory.mktemp("small")
    office = Office(shutil.copytree(_seed, folder / "office", symlinks=True))
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, folder)
        return office.root, fill_small(office)


def fill_small(office: Office) -> dict[str, str]:
    """What ``small`` puts in ``office``: the records' ids."""
    office.write("files/2026/廉洁自律规定全文.pdf", RULES_PDF)
    commit_as(office.root, "dumy", "files: the rules in full", "files", date=at(1, 9))
    first = public_record(
        office, "机关廉洁自律若干规定", "--attach", "files/2026/廉洁自律规定全文.pdf"
    )
    second = public_record(office, "领导干部信访接待日安排", day=5)
    internal = office.new(
        "--summary",
        "党内摘要INTERNALMARK。",
        "--body",
        "党内正文INTERNALMARK。",
        category="zuzhi-jianshe",
        title="2026年第三季度党费收缴管理情况",
        now=at(8),
    )
    ok(office, "submit", internal, now=at(8, 11))
    ok(office, "approve", internal, as_="zhoulx", now=at(9))
    ok(office, "publish", internal, now=at(10))
    return {"first": first, "second": second, "internal": internal}


def build(office: Office, *args: str, now: str = at(20)) -> str:
    return ok(office, "site", "build", *args, now=now).output


def test_an_attachment_swapped_after_publication_never_goes_out(office, small, tmp_path):
    """The site carries the file the approval stamped: a file put in its place later with
    plain git is not published, on a site built from nothing or on top of the last."""
    build(office, "-o", str(tmp_path / "kept"))
    swapped = text_pdf("someone else's rules")
    office.write("files/2026/廉洁自律规定全文.pdf", swapped)
    commit_as(office.root, "dumy", "swap", "files", date=at(15, 9))
    for folder in ("kept", "fresh"):
        said = build(office, "-o", str(tmp_path / folder))
        assert "1 attached file changed since its record was approved is left off" in said
        assert f"{small['first']} files/2026/廉洁自律规定全文.pdf" in said
        on_site = tmp_path / folder / "records" / small["first"] / "廉洁自律规定全文.pdf"
        assert not on_site.exists() or on_site.read_bytes() == RULES_PDF, folder
        for path in (tmp_path / folder).rglob("*"):
            assert not path.is_file() or b"someone else" not in path.read_bytes(), path


def test_two_attachments_of_one_name_are_both_on_the_site(office, tmp_path):
    """a/说明.pdf and b/说明.pdf: each its own file, linked from the page."""
    office.write("files/a/说明.pdf", text_pdf("first"))
    office.write("files/b/说明.pdf", text_pdf("second"))
    commit_as(office.root, "dumy", "files", "files", date=at(1, 9))
    rid = public_record(
        office,
        "机关廉洁自律若干规定",
        "--attach",
        "files/a/说明.pdf",
        "--attach",
        "files/b/说明.pdf",
    )
    build(office, "-o", str(tmp_path / "site"))
    folder = tmp_path / "site" / "records" / rid
    first, second = folder / "files_a_说明.pdf", folder / "files_b_说明.pdf"
    assert first.read_bytes() == text_pdf("first") and second.read_bytes() == text_pdf("second")
    page = (tmp_path / "site" / "records" / f"{rid}.html").read_text("utf-8")
    assert f"{rid}/files_a_说明.pdf" in page and f"{rid}/files_b_说明.pdf" in page
    # and the reader can tell the two links apart
    assert ">files_a_说明.pdf</a>" in page and ">files_b_说明.pdf</a>" in page


def test_a_record_dated_after_the_day_built_for_is_left_out_and_said(office, tmp_path):
    """A publication recorded on a computer whose clock ran ahead is not out yet on the
    day the site is built for: left out, and the build says which and why."""
    early = public_record(office, "领导干部信访接待日安排", day=1)
    ahead = public_record(office, "机关廉洁自律若干规定", day=25)  # published on the 27th
    said = build(office, "-o", str(tmp_path / "site"), now=at(20))
    assert "1 record is dated after today (2026-10-20)" in said, said
    assert ahead in said and early not in said
    pages = site_files(tmp_path / "site")
    assert f"records/{early}.html" in pages and f"records/{ahead}.html" not in pages
    # on the day it came out, it is on the site and nothing is said
    said = build(office, "-o", str(tmp_path / "site"), now=at(27))
    assert "dated after today" not in said and f"records/{ahead}.html" in site_files(
        tmp_path / "site"
    )


def test_a_site_holds_what_went_out_on_its_channel_and_nothing_else(office, small, tmp_path):
    said = build(office, "-o", str(tmp_path / "site"))
    assert re.search(r"2 records, \d+ files \(\d+ written, 0 removed\)", said), said
    files = site_files(tmp_path / "site")
    for page in ("index.html", "catalogue.html", "bulletins/index.html", "search.html"):
        assert page in files, page
    assert "bulletins/2026Q4.html" in files
    assert {p for p in files if p.startswith("records/") and p.endswith(".html")} == {
        f"records/{small['first']}.html",
        f"records/{small['second']}.html",
    }
    # a column per category, in the catalogue's order, each linked from every page
    assert "columns/zhidu-jianshe.html" in files and "columns/zuzhi-jianshe.html" in files
    assert 'href="../columns/zhidu-jianshe.html"' in files[f"records/{small['first']}.html"]
    # the internal record is nowhere, not even its id
    for path, text in files.items():
        assert small["internal"] not in text and "INTERNALMARK" not in text, path
    page = files[f"records/{small['first']}.html"]
    for label in ("索引号", "发布机构", "主题分类", "公开范围", "公开方式", "成文日期", "发布日期"):
        assert f"<dt>{label}</dt>" in page, label
    assert "社会公开" in page and "公开发布" in page and "2026年10月3日" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # the attachment is the office's file, beside its record
    attached = tmp_path / "site" / "records" / small["first"] / "廉洁自律规定全文.pdf"
    assert attached.read_bytes() == RULES_PDF
    assert f'href="../records/{small["first"]}/廉洁自律规定全文.pdf"' in page
    # no page refers to anything outside the site
    for path, text in files.items():
        if path.endswith(".html"):
            assert not re.search(r'(?:src|href)="(?:https?:)?//', text), path


def searched_text(site: Path) -> dict[str, str]:
    """What Pagefind indexed of each page, as its fragments hold it (gzip, a signature,
    then JSON; zero-width spaces between the Chinese words it found)."""
    found = {}
    for path in site.glob("pagefind/*/fragment/*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        fragment = json.loads(data[data.index(b"{") :])
        found[fragment["url"]] = fragment["content"].replace("\u200b", "")
    return found


@pytest.mark.skipif(not search.indexer(), reason="Pagefind is not installed")
def test_search_reads_a_records_words_not_what_every_page_says_alike(office, small, tmp_path):
    build(office, "-o", str(tmp_path / "site"))
    text = searched_text(tmp_path / "site")[f"/records/{small['first']}.html"]
    for words in ("机关廉洁自律若干规定", "设立法律援助绿色通道", small["first"], "廉洁自律规定"):
        assert words in text, words
    # the unit, scope, channels and dates are on every page: a search for the unit's
    # name would answer with every record, and each excerpt would start with them
    for words in ("发布机构", "江城市司法局", "社会公开", "公开方式", "2026年10月3日"):
        assert words not in text, words


def test_the_intranet_holds_the_records_published_there(office, small, tmp_path):
    build(office, "--scope", "internal", "-o", str(tmp_path / "intranet"))
    files = site_files(tmp_path / "intranet")
    assert f"records/{small['internal']}.html" in files
    assert f"records/{small['first']}.html" not in files  # published on the website only
    assert "党内" in files["index.html"]
    assert "verify/index.html" not in files  # internal sheets are checked with the office


def test_the_feed_is_atom_with_lasting_ids_and_the_sitemap_needs_an_address(
    office, small, tmp_path
):
    build(office, "-o", str(tmp_path / "a"))
    feed = ET.parse(tmp_path / "a" / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "领导干部信访接待日安排",
        "机关廉洁自律若干规定",
    ]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert all(i and i.startswith("urn:uuid:") for i in ids) and len(set(ids)) == 2
    assert not (tmp_path / "a" / "sitemap.xml").exists()
    # the office says where its site is: the sitemap and the feed use that address
    settings = office.read("dangwu.yaml") + "site:\n  base_url: https://dwgk.example.org/sfj\n"
    office.write("dangwu.yaml", settings)
    commit_as(office.root, "linht", "settings: the site's address", "dangwu.yaml")
    build(office, "-o", str(tmp_path / "b"))
    sitemap = ET.parse(tmp_path / "b" / "sitemap.xml").getroot()
    locs = [e.text or "" for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"https://dwgk.example.org/sfj/records/{small['first']}.html" in locs
    assert all(loc.startswith("https://dwgk.example.org/sfj/") for loc in locs)
    moved = ET.parse(tmp_path / "b" / "feed.xml").getroot()
    assert [e.findtext(f"{ATOM}id") for e in moved.findall(f"{ATOM}entry")] == ids
    assert (tmp_path / "b" / "robots.txt").read_text() == (
        "Sitemap: https://dwgk.example.org/sfj/sitemap.xml\n"
    )


def test_a_bad_site_address_is_refused_where_it_is_written(office):
    office.write(
        "dangwu.yaml", office.read("dangwu.yaml") + "site:\n  base_url: javascript:alert(1)\n"
    )
    result = office.run("validate")
    assert result.exit_code == 1, result.output
    assert re.search(r"dangwu\.yaml:\d+:\d+: .*base_url", result.output), result.output


def test_a_rebuild_writes_only_what_changed_and_a_withdrawal_leaves_a_tombstone(
    office, small, tmp_path
):
    public_record(
        office, "司法行政工作规划", category="mubiao-renwu", item="work-programme", day=12
    )
    out = str(tmp_path / "site")
    build(office, "-o", out)
    before = site_files(tmp_path / "site")
    other = tmp_path / "site" / "records" / f"{small['first']}.html"
    written_at = other.stat().st_mtime_ns
    parts = {
        p.parent.name: p.stat().st_mtime_ns
        for p in (tmp_path / "site").glob("pagefind/*/pagefind-entry.json")
    }
    assert set(parts) == {"zd", "mb"}  # the search index: a part per category with records
    assert "(0 written, 0 removed)" in build(office, "-o", out)
    reason = "安排有变，另行公布"
    ok(office, "withdraw", small["second"], "--reason", reason, as_="zhoulx", now=at(21))
    said = build(office, "-o", out, now=at(22))
    # the record's page, the lists that show it, the feed, and the verify page's days
    written = int(re.search(r"\((\d+) written", said).group(1))  # type: ignore[union-attr]
    assert 0 < written < 25, said
    after = site_files(tmp_path / "site")
    tomb = after[f"records/{small['second']}.html"]
    assert "本条已于2026年10月21日撤回" in tomb and "安排有变，另行公布" in tomb
    assert "领导干部信访接待日安排的正文" not in tomb  # when and why, never what it said
    assert "领导干部信访接待日安排的正文" in before[f"records/{small['second']}.html"]
    assert "已撤回" in after["index.html"] or "已撤回" in after["columns/zhidu-jianshe.html"]
    # the other record's page was not written again, nor another category's index
    assert other.stat().st_mtime_ns == written_at
    again = {
        p.parent.name: p.stat().st_mtime_ns
        for p in (tmp_path / "site").glob("pagefind/*/pagefind-entry.json")
    }
    assert again["mb"] == parts["mb"] and again["zd"] != parts["zd"]
    assert after[f"records/{small['first']}.html"] == before[f"records/{small['first']}.html"]


def test_a_folder_of_other_files_is_refused_and_left_alone(office, small, tmp_path):
    folder = tmp_path / "www"
    folder.mkdir()
    (folder / "index.html").write_text("the unit's own page")
    result = office.run("site", "build", "-o", str(folder), now=at(20))
    assert result.exit_code == 1, result.output
    assert "holds files dangwu did not write" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["index.html"]
    assert (folder / "index.html").read_text() == "the unit's own page"


def test_an_office_template_reaching_outside_is_refused_before_anything_is_written(
    office, small, tmp_path
):
    shipped = Path(__file__).parents[1] / "templates" / "site" / "record.html.j2"
    text = shipped.read_text("utf-8").replace(
        "<h1>{{ record.title }}</h1>",
        '<h1>{{ record.title }}</h1><img src="https://x.example/t.gif">',
    )
    office.write("templates/site/record.html.j2", text)
    result = office.run("site", "build", "-o", str(tmp_path / "site"), now=at(20))
    assert result.exit_code == 1, result.output
    assert "reaches beyond itself: https://x.example/t.gif" in result.stderr
    assert not (tmp_path / "site").exists()


def test_record_text_is_escaped_on_the_site(office, tmp_path):
    rid = public_record(office, "标题<script>alert(1)</script>", day=3)
    build(office, "-o", str(tmp_path / "site"))
    page = (tmp_path / "site" / "records" / f"{rid}.html").read_text("utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


# --- the verify page's data, on the sample office ------------------------------------------


@pytest.fixture(scope="module")
def demo_site(audited_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = copy_demo(audited_demo, tmp_path_factory.mktemp("demo") / "office")
    office = Office(root)
    board = ok(office, "board", "-o", str(root / "out"), now=DEMO_NOW).output
    internal = ok(
        office, "board", "--scope", "internal", "-o", str(root / "out"), now=DEMO_NOW
    ).output
    older = ok(office, "board", "--on", "2026-10-20", "-o", str(root / "old"), now=DEMO_NOW)
    ok(office, "bulletin", "2026Q4", "-o", str(root / "out"), now=DEMO_NOW)
    ok(office, "site", "build", "-o", str(root / "site"), now=DEMO_NOW)
    bulletin = (root / "out" / "bulletin-2026Q4-public.html").read_text("utf-8")
    return {
        "office": office,
        "root": root,
        "board": re.findall(r"[0-9a-f]{8}-P\w+-\d{6}-\w{5}", board),
        "internal": re.findall(r"[0-9a-f]{8}-I\w+-\d{6}-\w{5}", internal),
        "older": re.findall(r"[0-9a-f]{8}-P\w+-\d{6}-\w{5}", older.output),
        "bulletin": re.search(r"[0-9a-f]{8}-PGB\d+-\d{6}-\w{5}", bulletin).group(0),  # type: ignore[union-attr]
    }


def test_what_is_up_today_is_taken_from_the_walk_as_the_head_board_lays_it_out(
    demo_site, monkeypatch
):
    """The verify data's "shown today" comes from the walk's layout of the head's own
    day (a laid-out board of the records that can be up); laid out from every record
    of the head, it is the same."""
    from datetime import date

    from dangwu.app import sitecodes
    from dangwu.store import snapshot as snapshots
    from dangwu.store.gitstore import GitStore
    from dangwu.store.office import find_office

    office = find_office(demo_site["root"])
    today = date.fromisoformat(DEMO_NOW[:10])
    with GitStore(office.root, office.state_dir) as git:
        head = snapshots.at(office, git)
        laid_out = sitecodes._today
        with monkeypatch.context() as patched:  # the walk's layout, not a second one
            patched.setattr(sitecodes, "_today", lambda *_: pytest.fail("laid out twice"))
            found = sitecodes.answers(head, today)
        assert found.current == laid_out(head, today)
        assert any(kind == "board" for kind, _label, _page in found.current)


def codes_of(root: Path, day: str) -> dict[str, object]:
    return json.loads((root / "site" / "verify" / "codes" / f"{day}.json").read_text("utf-8"))


def current(root: Path, state: dict[str, str]) -> bool:
    shown = json.loads((root / "site" / "verify" / "current.json").read_text("utf-8"))["shown"]
    return bool(shown.get(state["slot"]) == state["content"])


def test_the_verify_data_answers_every_code_the_office_printed(demo_site):
    root = demo_site["root"]
    assert len(demo_site["board"]) >= 4 and demo_site["internal"]
    today = codes_of(root, "261201")
    for code in demo_site["board"]:
        index, commit = today["codes"][key_of(code)]
        state = today["states"][index]
        assert state["kind"] == "board" and current(root, state), code
        assert code.startswith(commit[:8])
        assert state["records"] and all(len(r) == 3 for r in state["records"])
    index, _commit = today["codes"][key_of(demo_site["bulletin"])]
    assert today["states"][index]["kind"] == "bulletin"
    assert today["states"][index]["label"] == "2026Q4"
    # an older sheet, printed for a past day, is answered too, and is no longer current
    older = codes_of(root, "261020")
    found = [older["states"][older["codes"][key_of(c)][0]] for c in demo_site["older"]]
    assert len(found) == len(demo_site["older"]) >= 4
    assert not all(current(root, state) for state in found)
    # an internal sheet's code is never in a public site's data
    every = "".join(p.read_text("utf-8") for p in (root / "site" / "verify").rglob("*.json"))
    for code in demo_site["internal"]:
        assert key_of(code) not in every
    # a code changed by one character is not there
    code = demo_site["board"][0]
    assert key_of(code[:-2] + ("A" if code[-2] != "A" else "B") + code[-1]) not in today["codes"]


def test_verify_takes_the_address_a_phone_reads_from_the_qr_code(demo_site):
    office = demo_site["office"]
    code = demo_site["board"][0]
    for typed in (f"https://dwgk.example.org/verify/?c={code}", code):
        result = office.run("verify", typed, now=DEMO_NOW)
        assert result.exit_code == 0, result.output
        assert "genuine" in result.output
    forged = office.run("verify", f"https://dwgk.example.org/verify/?c={code[:-1]}Q", now=DEMO_NOW)
    assert forged.exit_code != 0


def test_with_an_address_the_qr_code_opens_the_verify_page(demo_site, tmp_path):
    office = demo_site["office"]
    text = office.read("dangwu.yaml") + "site:\n  base_url: https://dwgk.example.org\n"
    office.write("dangwu.yaml", text)
    commit_as(office.root, "linht", "settings: the site's address", "dangwu.yaml")
    ok(office, "board", "-o", str(tmp_path / "public"), now=DEMO_NOW)
    ok(office, "board", "--scope", "internal", "-o", str(tmp_path / "internal"), now=DEMO_NOW)
    (public,) = (tmp_path / "public").glob("*.html")
    (internal,) = (tmp_path / "internal").glob("*.html")
    assert "访问 https://dwgk.example.org/verify/ 输入核验码" in public.read_text("utf-8")
    assert "https://dwgk.example.org" not in internal.read_text("utf-8")
    # a sheet whose QR code leads somewhere else carries a real code, but is not one
    # the office printed as it stands: the check says where it leads
    code = demo_site["board"][0]
    own = office.run("verify", f"https://dwgk.example.org/verify/?c={code}", now=DEMO_NOW)
    assert own.exit_code == 0 and "warning" not in own.stderr, own.output
    phished = office.run("verify", f"https://evil.example.net/verify/?c={code}", now=DEMO_NOW)
    assert "genuine" in phished.stdout
    assert "the QR code leads to https://evil.example.net/verify/, not to this office's" in (
        phished.stderr
    )
    office.git("reset", "-q", "--hard", "HEAD~1")


@pytest.mark.parametrize(
    ("read", "site", "leads"),
    [
        ("https://dwgk.example.org/sfj/verify/?c=X", "https://dwgk.example.org/sfj", None),
        ("https://DWGK.example.org/sfj/verify/index.html?c=X", "https://dwgk.example.org/sfj",
         None),
        ("https://evil.example.net/sfj/verify/?c=X", "https://dwgk.example.org/sfj",
         "https://evil.example.net/sfj/verify/"),
        ("http://dwgk.example.org/sfj/verify/?c=X", "https://dwgk.example.org/sfj",
         "http://dwgk.example.org/sfj/verify/"),
        ("https://dwgk.example.org/other/verify/?c=X", "https://dwgk.example.org/sfj",
         "https://dwgk.example.org/other/verify/"),
        ("https://evil.example.net/verify/?c=X", "", None),  # no address to hold it to
        ("68e6eebb-PZD1-261118-XHRB5", "https://dwgk.example.org", None),  # typed, not read
    ],
)  # fmt: skip
def test_an_address_is_held_to_the_offices_own_verify_page(read, site, leads):
    from dangwu.rules.board import elsewhere

    assert elsewhere(read, site) == leads


# --- site serve ---------------------------------------------------------------------------


def _serve(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "dangwu", "site", "serve", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**__import__("os").environ, "DANGWU_NOW": at(20), "DANGWU_LANG": "en"},
    )


def test_serve_shows_the_site_on_this_computer_only(office, small):
    server = _serve(office.root, "--port", "0")
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(2)]
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", lines[1])
        assert found, lines
        port = int(found.group(1))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as page:
            assert page.status == 200
            assert "机关廉洁自律若干规定" in page.read().decode("utf-8")
        outside = [a for a in _addresses() if not a.startswith("127.")]
        for address in outside[:1]:
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=2)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _addresses() -> list[str]:
    try:
        said = subprocess.run(["hostname", "-I"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return []
    return said.stdout.split()


def test_serve_on_a_port_in_use_says_so(office, small):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = _serve(office.root, "--port", str(port))
        try:
            _out, err = server.communicate(timeout=60)
        finally:
            server.kill()
    assert server.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_a_port_there_is_no_such_thing_as_is_refused_before_anything_is_built(office, port):
    refused(office, "site", "serve", "--port", port, code=2,
            expect=f"--port: {port} is not between 0 and 65535")  # fmt: skip
    assert not (office.root / ".git" / "dangwu" / "site").exists()


def test_a_bad_scope_is_refused_and_nothing_is_written(office):
    refused(office, "site", "build", "--scope", "secret", expect="--scope", code=2)


def test_a_reporter_named_before_the_report_came_in_is_blotted_everywhere(office, tmp_path):
    rid = public_record(office, "关于甄婺同志反映问题的答复", day=3)
    logged = office.run(
        "report", "new", "--about", rid, "--name", "甄婺", "--contact", "13900001111",
        "--text", "反映的问题", "--received", "2026-10-12", now=at(12),
    )  # fmt: skip
    assert logged.exit_code == 0, logged.output
    build(office, "-o", str(tmp_path / "site"))
    files = site_files(tmp_path / "site")
    # the boards printed from 10-05 to 10-11 showed the name; the site, built now, never
    days = [p for p in files if p.startswith("verify/codes/")]
    assert any(rid in files[p] for p in days)
    for path, text in files.items():
        assert "甄婺" not in text and "13900001111" not in text, path
    assert "＊＊＊" in files[f"records/{rid}.html"]


# --- the server builds the site after each accepted push ------------------------------------


def test_the_servers_hook_publishes_what_the_rules_accepted_and_nothing_else(tmp_path):
    from conftest import make_office
    from plaingit import forge_step, put

    first = make_office(tmp_path / "founding")
    bare = tmp_path / "server.git"
    www = tmp_path / "www"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    installed = ok(first, "hook", "install", "--lang", "en", "--site", str(www), str(bare))
    assert "post-receive" in installed.output
    hook = next(bare.glob("hooks/post-receive*")).read_text("utf-8")
    assert f'--site "{www}"' in hook
    ok(first, "remote", "add", str(bare), as_="linht")
    ok(first, "sync", as_="linht")
    rid = public_record(first, "机关廉洁自律若干规定", day=3)
    ok(first, "sync", as_="dumy", now=at(6))
    head = subprocess.run(
        ["git", "-C", str(bare), "rev-parse", "refs/heads/main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    def built() -> str | None:
        manifest = www / ".dangwu-site.json"
        try:
            return str(json.loads(manifest.read_text("utf-8"))["commit"])
        except (OSError, ValueError, KeyError):
            return None

    deadline = time.monotonic() + 120
    while built() != head and time.monotonic() < deadline:
        time.sleep(0.1)
    assert built() == head, (
        (bare / "dangwu" / "site.log").read_text()
        if (bare / "dangwu" / "site.log").exists()
        else "no log"
    )
    page = (www / "records" / f"{rid}.html").read_text("utf-8")
    assert "机关廉洁自律若干规定的正文" in page
    # a forged publication is refused by the server, and never reaches the web
    second = first.new("--summary", "s", "--body", "伪造发布的正文。", now=at(7))

    def publish(data) -> None:
        put(data, "status", "published")

    forge_step(first, "dumy", "publish", second, publish, date=at(8))
    pushed = subprocess.run(
        ["git", "-C", str(first.root), "push", str(bare), "HEAD:refs/heads/main"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pushed.returncode != 0, pushed.stderr
    time.sleep(1)
    assert built() == head
    assert not (www / "records" / f"{second}.html").exists()
    assert "伪造发布的正文" not in "".join(
        p.read_text("utf-8", "replace") for p in www.rglob("*.html")
    )


# --- the city portal ---------------------------------------------------------------------


def test_the_portal_holds_each_offices_city_portal_records_and_rebuilds_only_what_changed(
    audited_demo, tmp_path
):
    one = Office(copy_demo(audited_demo, tmp_path / "sfj-office"))
    bare = tmp_path / "sjj-office.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(one.root), str(bare)], check=True)
    out = tmp_path / "portal"
    said = ok(one, "portal", "build", str(one.root), str(bare), "-o", str(out), now=DEMO_NOW)
    assert "2 offices, 2 rebuilt" in said.output, said.output
    files = site_files(out)
    assert {"index.html", "search.html", "feed.xml"} <= set(files)
    on_portal = json.loads(ok(one, "list", "--json", now=DEMO_NOW).stdout)
    wanted = {
        r["id"]
        for r in on_portal
        if r["scope"] == "public" and r["status"] == "published" and "city-portal" in r["channels"]
    }
    pages = {p.split("/")[-1][:-5] for p in files if p.startswith("sfj-office/records/")}
    assert wanted and wanted <= pages
    internal = {r["id"] for r in on_portal if r["scope"] == "internal"}
    for path, text in files.items():
        for rid in internal:
            assert rid not in text, (path, rid)
    # the portal's feed names each record as the office's own feed does
    portal_ids = {
        e.findtext(f"{ATOM}id") for e in ET.parse(out / "feed.xml").getroot().iter(f"{ATOM}entry")
    }
    ok(one, "site", "build", "-o", str(tmp_path / "own"), now=DEMO_NOW)
    own_ids = {
        e.findtext(f"{ATOM}id")
        for e in ET.parse(tmp_path / "own" / "feed.xml").getroot().iter(f"{ATOM}entry")
    }
    assert portal_ids & own_ids
    # nothing changed: nothing read again; one office changed: only it
    again = ok(one, "portal", "build", str(one.root), str(bare), "-o", str(out), now=DEMO_NOW)
    assert "2 offices, 0 rebuilt" in again.output
    kept = out / "sjj-office" / "index.html"
    before = kept.stat().st_mtime_ns
    settings = one.read("dangwu.yaml").replace("unit: 江城市司法局", "unit: 江城市司法局机关")
    one.write("dangwu.yaml", settings)
    commit_as(one.root, "linht", "settings: the unit's full name", "dangwu.yaml", date=DEMO_NOW)
    third = ok(one, "portal", "build", str(one.root), str(bare), "-o", str(out), now=DEMO_NOW)
    assert "2 offices, 1 rebuilt" in third.output and "sfj-office" in third.output
    assert kept.stat().st_mtime_ns == before
    assert "江城市司法局机关" in (out / "index.html").read_text("utf-8")


def test_the_portal_refuses_a_folder_of_other_files_and_names_a_missing_office(office, tmp_path):
    folder = tmp_path / "www"
    folder.mkdir()
    (folder / "old.html").write_text("x")
    refused_ = office.run("portal", "build", str(office.root), "-o", str(folder))
    assert refused_.exit_code == 1 and "holds files dangwu did not write" in refused_.stderr
    missing = office.run("portal", "build", str(tmp_path / "nowhere"), "-o", str(tmp_path / "p"))
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
    not_one = office.run("portal", "build", str(folder), "-o", str(tmp_path / "p"))
    assert "is not an office repository" in not_one.stderr
    assert "dangwu init" not in not_one.stderr  # a portal is built of offices, not made of one
    assert "a clone, or the bare repository on the server" in not_one.stderr
    bare = tmp_path / "server.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(office.root), str(bare)], check=True)
    assert not (tmp_path / "p").exists()
    twice = office.run("portal", "build", str(office.root), str(bare), "-o", str(tmp_path / "p"))
    assert f"{office.root} and {bare} are at the same commit" in twice.stderr, twice.output


# --- the quick look before the parser -------------------------------------------------------

_PIECES = [
    "<a", "<img", "<link", "<meta", "<script", "<style", "<iframe", "<form", "<svg", "<A",
    " href=", " src=", " srcset=", " style=", " onload=", " http-equiv=refresh", " content=",
    " rel=stylesheet", " xlink:href=", " srcdoc=", '"', "'", ">", "/>", "</a>", "<!--", "-->",
    "//x.example", "https:", "javascript:", "data:", "&#106;", "&#x3a;", "&amp;", "\\\\x",
    "url(", "@import ", "../site.css", "x.png", " ", "\t", "\n", "文字", "=", "/",
    "9:00", "时间：9:00", ":", "java", "script", "\x01", "\u3000", " ON", "URL", "İ", "K",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
@example('<a href="javascript\t:alert(1)">时间：9:00</a>')  # browsers drop the tab
@example('<img src="h\u3000t\x01tp\n://x.example/a.png">')
@example("<p>工作日9:00—17:30</p>")  # a time is text
@example("<a ON-->")  # an attribute named on--, with no value
@example('<a href="x"onclick=alert(1)>')  # a name right after a quote
@example("<img/onerror=alert(1)>")  # and after a slash
@settings(max_examples=3000, deadline=None)
def test_the_quick_look_never_passes_what_the_parser_refuses(html):
    from dangwu.render import sheets

    for site in (False, True):
        for links in (False, True):
            full = _parsed(html, links=links, site=site)
            if full is not None:
                assert sheets._may_reach(html), (html, full)
    assert sheets.remote_reference(html) == _parsed(html, links=True, site=False)


def _parsed(html: str, **options: bool) -> str | None:
    from dangwu.render import sheets

    real = sheets._may_reach
    sheets._may_reach = lambda _html: True  # type: ignore[assignment]
    try:
        return sheets.remote_reference(html, **options)
    finally:
        sheets._may_reach = real  # type: ignore[assignment]


def test_a_past_days_verify_file_is_kept_and_a_missing_one_made_again(office, small, tmp_path):
    out = tmp_path / "site"
    build(office, "-o", str(out), now=at(20))
    codes = out / "verify" / "codes"
    past, lost = codes / "261010.json", codes / "261011.json"
    before = (past.stat().st_mtime_ns, lost.read_bytes())
    lost.unlink()
    build(office, "-o", str(out), now=at(22))
    assert past.stat().st_mtime_ns == before[0]  # a past day's answers do not change
    assert lost.read_bytes() == before[1]  # made again, the same
    assert (codes / "261022.json").is_file() and (codes / "261021.json").is_file()


def test_a_file_gone_from_the_site_is_made_again_though_nothing_changed(office, small, tmp_path):
    out = tmp_path / "site"
    build(office, "-o", str(out))
    assert "(0 written, 0 removed)" in build(office, "-o", str(out))
    page = out / "records" / f"{small['first']}.html"
    text = page.read_bytes()
    page.unlink()
    shutil.rmtree(out / "pagefind" / "zd")
    # the page and the attachment beside it (a record page is made with its files)
    assert "(2 written, 0 removed)" in build(office, "-o", str(out))
    assert page.read_bytes() == text
    assert (out / "pagefind" / "zd" / "pagefind-entry.json").is_file()


def test_a_search_index_that_fails_says_why_and_keeps_the_last_one(
    office, small, tmp_path, monkeypatch
):
    out = tmp_path / "site"
    build(office, "-o", str(out))
    entry = out / "pagefind" / "zd" / "pagefind-entry.json"
    kept = entry.read_bytes()
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: the disk is full' >&2\nexit 3\n", "utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    ok(office, "withdraw", small["second"], "--reason", "安排有变", as_="zhoulx", now=at(21))
    failed = office.run("site", "build", "-o", str(out), now=at(21))
    assert failed.exit_code == 1
    assert failed.output.strip().splitlines()[0] == (
        "error: the search index could not be built: Error: the disk is full"
    )
    assert "Traceback" not in failed.output
    assert entry.read_bytes() == kept  # the last index still answers
    assert not list((out / "pagefind").glob(".*"))  # nothing half-made left behind
    # a program that answers nonsense is refused the same way
    broken.write_text("#!/bin/sh\nprintf 'not base64,'\nsleep 5\n", "utf-8")
    garbled = office.run("site", "build", "-o", str(out), now=at(21))
    assert garbled.exit_code == 1
    assert "the search index could not be built" in garbled.output
    assert entry.read_bytes() == kept
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    assert office.run("site", "build", "-o", str(out), now=at(21)).exit_code == 0
    assert entry.read_bytes() != kept  # the changed record is in the new index


def test_a_bulletin_with_a_formal_plan_says_what_became_of_its_opinions(demo_site):
    """The 2026Q2 bulletin carries MB-2026-102's formal plan with its 采纳情况, which
    its code vouches for (the site's verify data holds the current and the last
    quarter's bulletins: 2026Q2's is verified with the repository)."""
    office, root = demo_site["office"], demo_site["root"]
    ok(office, "bulletin", "2026Q2", "-o", str(root / "q2"), now=DEMO_NOW)
    page = (root / "q2" / "bulletin-2026Q2-public.html").read_text("utf-8")
    assert "意见建议办理情况：征求意见期间共收到意见建议2条，其中采纳1条、部分采纳1条。" in page
    code = re.search(r"[0-9a-f]{8}-PGB\d+-\d{6}-\w{5}", page).group(0)  # type: ignore[union-attr]
    assert "genuine" in ok(office, "verify", code, now=DEMO_NOW).stdout


def test_a_page_that_cannot_be_written_is_said_in_one_line_and_leaves_no_partial_file(
    office, small, tmp_path
):
    """Where a page's name is taken by a folder, the build stops with one line naming
    the site's folder, and the page's half-made file beside it is gone."""
    out = tmp_path / "site"
    build(office, "-o", str(out))
    blocked = out / "records" / f"{small['first']}.html"
    blocked.unlink()
    blocked.mkdir()  # the page is gone: the next build makes it again, and cannot
    said = office.run("site", "build", "-o", str(out), now=at(20))
    assert said.exit_code == 1, said.output
    assert said.stderr.startswith(f"error: cannot write the site into {out}"), said.stderr
    assert "Traceback" not in said.output and len(said.stderr.splitlines()) <= 2
    assert not [p for p in out.rglob(".*.tmp")], sorted(out.rglob("*"))
    assert blocked.is_dir()


def test_a_link_planted_beside_a_page_is_not_written_through(office, small, tmp_path):
    """The file a page is written to before it takes the page's place is opened
    without following a link: one planted there stops the build, and nothing is
    written where it points."""
    out = tmp_path / "site"
    build(office, "-o", str(out))
    page = out / "records" / f"{small['first']}.html"
    page.unlink()  # made again by the next build
    elsewhere = tmp_path / "elsewhere.html"
    (page.parent / f".{page.name}.{os.getpid()}.tmp").symlink_to(elsewhere)
    said = office.run("site", "build", "-o", str(out), now=at(20))
    assert said.exit_code == 1, said.output
    assert said.stderr.startswith(f"error: cannot write the site into {out}"), said.stderr
    assert not elsewhere.exists()


def test_the_quick_look_takes_time_in_proportion_to_the_page():
    """A long run of words (a record body in English is one) and a ':' after it: a
    pattern searched from every letter took time as the square of the run (7 s for
    100 kB); the look walks back from each ':' once. The bound is generous: it
    catches the square, not a slow machine."""
    from dangwu.render import sheets

    for page in (
        "<p>" + "word " * 40_000 + "</p>:",
        "<p>" + "1 " * 100_000 + ":</p>",
        "<p>" + "12 : " * 50_000 + "</p>",
    ):
        started = time.perf_counter()
        sheets._may_reach(page)
        assert time.perf_counter() - started < 1.0, page[:40]
    assert sheets._may_reach("<p>" + "word " * 40_000 + "x:y</p>")
