"""docs/site.md's nginx configuration, run for real: nginx on 127.0.0.1 serving a site
``dangwu site build`` made, with the server block exactly as the document gives it
(only the port and the folder changed to the test's own)."""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import Office, copy_demo
from servers import NGINX, Daemon, need, start_on_free_port
from steps import ok

DOC = Path(__file__).parent.parent / "docs" / "site.md"
NOW = "2026-12-01T10:00:00+08:00"


def documented_server_block() -> str:
    blocks = re.findall(r"```nginx\n(.*?)```", DOC.read_text("utf-8"), re.DOTALL)
    assert len(blocks) == 1, "docs/site.md gives one nginx block"
    return "\n".join(line.removeprefix("   ") for line in blocks[0].splitlines())


def test_the_document_names_what_it_serves():
    block = documented_server_block()
    assert "listen 80;" in block and "root /var/www/dangwu;" in block


@pytest.fixture
def nginx_site(audited_demo: Path, tmp_path: Path):
    nginx = need(NGINX, "nginx-light")
    office = Office(copy_demo(audited_demo, tmp_path / "office"))
    board = ok(office, "board", "-o", str(tmp_path / "printed"), now=NOW).output
    site = tmp_path / "www"
    ok(office, "site", "build", "-o", str(site), now=NOW)
    prefix = tmp_path / "nginx"
    for kind in ("client_body", "fastcgi", "proxy", "scgi", "uwsgi"):
        (prefix / "temp" / kind).mkdir(parents=True)
    # as root, nginx would hand its workers to "nobody", who cannot enter pytest's folders
    who = ""
    if os.geteuid() == 0:
        who = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / 'temp' / kind};"
        for kind in ("client_body", "fastcgi", "proxy", "scgi", "uwsgi")
    )

    def launch(port: int) -> Daemon:
        server = documented_server_block()
        server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
        server = server.replace("root /var/www/dangwu;", f"root {site};")
        config = prefix / "nginx.conf"
        config.write_text(
            f"""{who}
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} info;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix / "access.log"};
{temp}
{server}
}}
""",
            "utf-8",
        )
        argv = [nginx, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log")]
        argv += ["-g", "daemon off;"]
        return Daemon.start("nginx", argv, env=dict(os.environ), log=prefix / "nginx.out")

    daemon, port = start_on_free_port("nginx", launch)
    try:
        yield {
            "url": f"http://127.0.0.1:{port}/",
            "site": site,
            "code": re.findall(r"[0-9a-f]{8}-P\w+-\d{6}-\w{5}", board)[0],
        }
    finally:
        daemon.stop()


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), b""


def test_nginx_serves_the_built_site_as_documented(nginx_site):
    url = nginx_site["url"]
    status, headers, body = fetch(url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "江城市司法局党务公开" in body.decode("utf-8")
    assert headers["X-Content-Type-Options"] == "nosniff"
    # the QR code's address: the verify page, with its code in the query
    status, _h, body = fetch(url + f"verify/?c={nginx_site['code']}")
    assert status == 200 and b'id="answer"' in body
    day = nginx_site["code"].split("-")[2]
    status, headers, body = fetch(url + f"verify/codes/{day}.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    codes = json.loads(body)["codes"]
    assert "".join(c for c in nginx_site["code"].upper() if c.isalnum()) in codes
    status, headers, _b = fetch(url + "feed.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    # the search index, in a part per category
    wasm = next((nginx_site["site"] / "pagefind").glob("*/*.pagefind"), None)
    assert wasm is not None
    part = wasm.parent.name
    status, headers, _b = fetch(url + f"pagefind/{part}/pagefind.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    assert fetch(url)[1]["X-Frame-Options"] == "DENY"
    # an attachment is a download, and runs nothing as the site's: an attached page
    # that holds a script (placed as 'site build' places a record's attachments)
    attached = nginx_site["site"] / "records" / "ZD-2026-101" / "附件.html"
    attached.parent.mkdir()
    attached.write_text("<script>document.cookie</script>", "utf-8")
    status, headers, body = fetch(url + "records/ZD-2026-101/" + quote("附件.html"))
    assert status == 200 and body == attached.read_bytes()
    assert headers["Content-Disposition"] == "attachment"
    assert headers["Content-Security-Policy"] == "sandbox"
    # dangwu's own notes and a page that is not there
    assert fetch(url + ".dangwu-site.json")[0] == 404
    assert fetch(url + "records/NO-2026-999.html")[0] == 404
