"""The office's web site in a real browser [SPEC 12]: Playwright driving Debian's
chromium (``.ci/run`` installs it; no browser is downloaded), the site served over
HTTP on 127.0.0.1 by ``dangwu site serve``'s own server.

What a reader does: home -> column -> record -> attachment; a search in Chinese;
the verify page given a real code, a mistyped one and an internal one. Every page
type is checked by axe-core (no serious or critical WCAG 2.1 AA violation) and on a
375-pixel phone (no sideways scrolling).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Office, isolate
from steps import at, ok
from test_site import RULES_PDF, fill_small, public_record

from dangwu.app import website

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'"
)
if not Path(CHROMIUM).exists():
    pytest.skip("chromium not found: apt-get install chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def served(_seed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The small office's public site, built and served; a public and an internal
    board printed the same day, whose codes the verify page is asked about. Built once
    for the tests that only read it (1.3 s each), in an office and a home of its own."""
    folder = tmp_path_factory.mktemp("served")
    office = Office(shutil.copytree(_seed, folder / "office", symlinks=True))
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, folder)
        small = fill_small(office)
        yield from _serve(office, small)


def _serve(office: Office, small: dict[str, str]) -> Iterator[dict[str, Any]]:
    reason = "安排有变，另行公布"
    ok(office, "withdraw", small["second"], "--reason", reason, as_="zhoulx", now=at(19))
    public = ok(office, "board", "-o", str(office.root / "out"), now=at(20)).output
    internal = ok(
        office, "board", "--scope", "internal", "-o", str(office.root / "out"), now=at(20)
    ).output
    ok(office, "site", "build", "-o", str(office.root / "site"), now=at(20))
    with website.server(office.root / "site", 0) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield {
                "url": f"http://127.0.0.1:{httpd.server_address[1]}/",
                "public_codes": re.findall(r"[0-9a-f]{8}-P\w+-\d{6}-\w{5}", public),
                "internal_codes": re.findall(r"[0-9a-f]{8}-I\w+-\d{6}-\w{5}", internal),
                **small,
            }
        finally:
            httpd.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium for the module: each test opens pages in contexts of its own."""
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def test_a_reader_goes_from_the_home_page_to_an_attachment(served, browser):
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served["url"] + "index.html")
    assert page.title() == "江城市司法局党务公开"
    page.get_by_role("navigation", name="栏目").get_by_role("link", name="制度建设").click()
    assert page.locator("h1").inner_text() == "制度建设"
    page.get_by_role("link", name="机关廉洁自律若干规定").click()
    assert page.locator("h1").inner_text() == "机关廉洁自律若干规定"
    assert "设立法律援助绿色通道" in page.locator(".body").inner_text()
    link = page.get_by_role("link", name="廉洁自律规定全文.pdf")
    fetched = page.request.get(page.url.rsplit("/", 1)[0] + "/" + link.get_attribute("href"))
    assert fetched.status == 200
    assert fetched.body() == RULES_PDF
    # the withdrawn record's old link answers, with when and why
    page.goto(served["url"] + f"records/{served['second']}.html")
    assert "已于2026年10月19日撤回" in page.locator(".notice").inner_text()
    assert errors == []  # the site's own policy blocked nothing it needs


LOADED = """() => document.querySelector(".pagefind-ui__result-link") !== null
    && document.querySelector(".pagefind-ui__results .pagefind-ui__loading") === null"""


def test_a_search_in_chinese_finds_the_record(served, browser):
    page = browser.new_page()
    page.goto(served["url"] + "search.html")
    page.locator("#search input").fill("绿色通道")
    # Pagefind's UI first shows grey placeholders with the same class as a title
    # (and pagefind-ui__loading); a result is read once no placeholder is left
    page.wait_for_function(LOADED, timeout=15000)
    titles = page.locator(".pagefind-ui__result-title").all_inner_texts()
    assert "机关廉洁自律若干规定" in titles
    assert not any("党费" in t for t in titles)  # the internal record is not in the index
    page.locator(".pagefind-ui__result-link").first.click()
    assert page.locator("h1").inner_text() in titles


def _answer(page: Any, url: str) -> str:
    page.goto(url)
    page.wait_for_selector("#answer .answer", timeout=10000)
    return str(page.locator("#answer .answer").inner_text())


def test_the_verify_page_answers_printed_mistyped_and_internal_codes(served, browser):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    code = served["public_codes"][0]
    said = _answer(page, served["url"] + f"verify/?c={code}")
    assert "真实：这是本单位印发的页面" in said and "2026年10月20日" in said
    assert "仍是现行内容" in said
    # typed by hand, spaced and in lower case
    page.goto(served["url"] + "verify/index.html")
    page.locator("#code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="核验").click()
    page.wait_for_selector("#answer .answer.genuine", timeout=10000)
    # one character copied wrong
    wrong = code[:-3] + ("X" if code[-3] != "X" else "Y") + code[-2:]
    assert "很可能抄错了" in _answer(page, served["url"] + f"verify/?c={wrong}")
    # a code that checks out but names a sheet this office never printed
    body = code.replace("-", "")[:-1]
    forged_body = body[:-4] + ("2222" if body[-4:] != "2222" else "3333")
    forged = forged_body + _copy_check(forged_body)
    assert "查无此页" in _answer(page, served["url"] + f"verify/?c={forged}")
    # an internal sheet's code: the office answers it, not the public site
    internal = _answer(page, served["url"] + f"verify/?c={served['internal_codes'][0]}")
    assert "党内公开页面" in internal and "请把核验码报给本单位" in internal


def _copy_check(text: str) -> str:
    from dangwu.rules.board import copy_check

    return copy_check(text.upper())


PAGE_TYPES = {
    "home": "index.html",
    "column": "columns/zhidu-jianshe.html",
    "record": "records/{first}.html",
    "tombstone": "records/{second}.html",
    "catalogue": "catalogue.html",
    "bulletins": "bulletins/index.html",
    "bulletin": "bulletins/2026Q4.html",
    "search": "search.html",
    "verify": "verify/index.html?c={code}",
}


def test_every_page_type_passes_axe_and_fits_a_phone(served, browser):
    axe_script = _axe_source()
    # axe is put into the page by the test: the site's own policy would refuse it
    context = browser.new_context(viewport={"width": 375, "height": 812}, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    for kind, path in PAGE_TYPES.items():
        url = served["url"] + path.format(code=served["public_codes"][0], **served)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if kind == "verify":
            page.wait_for_selector("#answer .answer")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 375, (kind, wide)
        page.add_script_tag(content=axe_script)
        result = page.evaluate(
            "axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        assert len(result["passes"]) > 10, kind  # axe ran, and looked at the page
        bad = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])})"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if bad:
            found[kind] = bad
    assert found == {}
    context.close()


def test_every_page_reads_without_javascript_and_says_what_needs_it(served, browser):
    """A reader whose browser runs no scripts gets every page's text; search and the
    verify page, which need scripts, say so and where else to go."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    for kind, path in PAGE_TYPES.items():
        page.goto(served["url"] + path.format(code=served["public_codes"][0], **served))
        text = page.locator("main").inner_text()
        if kind == "search":
            assert "搜索需要浏览器启用 JavaScript" in text and "公开目录" in text
        elif kind == "verify":
            assert "核验需要浏览器启用 JavaScript" in text
            assert "也可以把核验码报给本单位党务公开办公室核验" in text
        else:
            assert page.locator("h1").inner_text().strip(), kind
            assert "JavaScript" not in text, kind
    page.goto(served["url"] + PAGE_TYPES["record"].format(**served))
    assert "设立法律援助绿色通道" in page.locator(".body").inner_text()
    page.goto(served["url"] + PAGE_TYPES["column"])
    assert "机关廉洁自律若干规定" in page.locator("main").inner_text()
    context.close()


def _axe_source() -> str:
    axe = pytest.importorskip(
        "axe_playwright_python", reason="axe-core is not installed: pip install -e '.[test]'"
    )
    return (Path(axe.__file__).parent / "axe.min.js").read_text("utf-8")


def test_the_portal_searches_every_office_and_passes_axe(office, browser, tmp_path):
    import subprocess

    # sent to the office's site and to the city portal
    public_record(
        office,
        "关于推行法律援助绿色通道的通知",
        "--channel",
        "website",
        "--channel",
        "city-portal",
        day=3,
    )
    bare = tmp_path / "second-office.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(office.root), str(bare)], check=True)
    portal = tmp_path / "portal"
    ok(office, "portal", "build", str(office.root), str(bare), "-o", str(portal), now=at(20))
    with website.server(portal, 0) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{httpd.server_address[1]}/"
            context = browser.new_context(viewport={"width": 375, "height": 812})
            page = context.new_page()
            page.goto(url + "index.html")
            assert page.locator("h1").inner_text() == "市公众信息网党务公开"
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            # one search finds the record in both offices' sections
            page.goto(url + "search.html")
            page.locator("#search input").fill("绿色通道")
            page.wait_for_function(LOADED, timeout=15000)
            hrefs = [
                a.get_attribute("href") for a in page.locator(".pagefind-ui__result-link").all()
            ]
            assert any("/second-office/records/" in h for h in hrefs), hrefs
            assert any(f"/{office.root.name}/records/" in h for h in hrefs), hrefs
            page.locator(".pagefind-ui__result-link").first.click()
            assert page.locator("h1").inner_text() == "关于推行法律援助绿色通道的通知"
            assert page.locator(".portal-bar").inner_text().startswith("市公众信息网")
            # axe on the portal's home and an office's section
            checking = browser.new_context(viewport={"width": 375, "height": 812}, bypass_csp=True)
            check = checking.new_page()
            axe = _axe_source()
            for path in ("index.html", "second-office/index.html", "search.html"):
                check.goto(url + path)
                check.wait_for_load_state("networkidle")
                check.add_script_tag(content=axe)
                result = check.evaluate(
                    "axe.run(document, {runOnly: {type: 'tag', values: "
                    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
                )
                bad = [
                    v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")
                ]
                assert bad == [], (path, bad)
            checking.close()
            context.close()
        finally:
            httpd.shutdown()


def test_a_record_page_prints_without_the_sites_menus(served, browser, tmp_path):
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not found: install the Debian package poppler-utils")
    page = browser.new_page()
    page.goto(served["url"] + f"records/{served['first']}.html")
    pdf = tmp_path / "record.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "机关廉洁自律若干规定" in text and "索引号" in text
    assert "季度公报" not in text and "跳到正文" not in text  # the menu and the skip link
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"Pages:\s+1\b", pages.stdout), pages.stdout
