"""Scope is a security boundary [SPEC section 7]: whatever an office holds, a public
output never contains text from an internal record, anything from reports/, or a
real-name reporter's name or contact; and it leaves out no public record that
belongs in it.

Offices are generated: 3-8 records, internal or public, in every state and cadence,
on any channels (internal records included on public channels, as a hand edit
could make them), each with its own marker in its title, summary, body and any
withdrawal reason; a real-name report; and a public record that names the
reporter. The board only reads what is committed, so the records are written
with all their procedure facts by hand and committed with plain git; the report is
logged with ``dangwu report new``, and no commit message may name its reporter. The
yearly statistics report and the report list are checked like the board.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from conftest import SAMPLE_SETTINGS, Office, commit_as, git
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dangwu import yamlio
from dangwu.model.record import content_hash
from dangwu.resources import shipped

TODAY = date(2026, 12, 20)
NOW = "2026-12-20T12:00:00+08:00"
FIRST = date(2026, 8, 1)  # publications fall between this day and TODAY
Q4 = (date(2026, 10, 1), date(2026, 12, 31))
RECENT_DAYS = 90
CHANNELS = ["meeting", "circular", "internal-board", "intranet"]
PUBLIC_CHANNELS = [*CHANNELS, "newspaper", "city-portal", "website", "public-board"]
# characters found nowhere in the shipped templates, settings or catalogue
RARE = "甄婺夔龢羲骞阚曦璩邝蔺郄殳冼"
# published most often; every other state too
STATUSES = ("published",) * 3 + ("withdrawn", "consulting", "draft", "submitted", "approved")
RESERVED = ("zhidu-jianshe", "supervisor-system")  # the item of the record naming the reporter


def _items() -> list[tuple[str, str, str]]:
    data = yamlio.load(shipped("schemas", "catalogue.yaml").read_text("utf-8")).data
    return [
        (c["slug"], c["code"], i["slug"])
        for c in data["categories"]
        for i in c["items"]
        if (c["slug"], i["slug"]) != RESERVED
    ]


ITEMS = _items()


@dataclass
class Spec:
    index: int
    slot: tuple[str, str, str]  # category slug, code, item
    scope: str
    cadence: str
    channels: list[str]
    status: str
    day: int  # days after FIRST of its publication (or consultation)
    marker: str
    follows: str | None = None  # the id of an earlier record it continues or corrects

    @property
    def id(self) -> str:
        return f"{self.slot[1]}-2026-{101 + self.index}"

    @property
    def when(self) -> date:
        return FIRST + timedelta(days=self.day)

    def on_public_board(self) -> bool:
        if self.scope != "public" or "public-board" not in self.channels:
            return False
        if self.status == "consulting":
            return self.when <= TODAY <= self.when + timedelta(days=14)
        if self.status != "published":
            return False
        if self.cadence in ("standing", "quarterly"):
            return True
        return self.when > TODAY - timedelta(days=RECENT_DAYS)

    def in_public_bulletin(self) -> bool:
        return (
            self.scope == "public"
            and self.status in ("published", "withdrawn", "consulting")
            and Q4[0] <= self.when <= Q4[1]
        )


def stamp(day: date, hour: int = 10) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00+08:00"


def record(spec: Spec) -> dict[str, Any]:
    slug, _code, item = spec.slot
    data: dict[str, Any] = {
        "id": spec.id,
        "category": slug,
        "item": item,
        "title": f"标题{spec.marker}t",
        "summary": f"摘要{spec.marker}s。",
        "body": f"## 一、情况\n\n正文 {spec.marker}b 内容。\n\n- 要点 {spec.marker}l\n",
        "scope": spec.scope,
        "channels": spec.channels,
        "cadence": spec.cadence,
    }
    if spec.cadence == "quarterly":
        data["period"] = "2026Q4"
    if spec.cadence == "timely":
        data["event_date"] = (spec.when - timedelta(days=1)).isoformat()
    if spec.status == "consulting":
        data["pre_disclosure"] = True
    if spec.follows:
        data["follows"] = spec.follows
    content = content_hash(data)
    data["status"] = spec.status
    data["created"] = {"by": "dumy", "at": stamp(spec.when - timedelta(days=3))}
    if spec.status == "draft":
        return data
    data["submitted"] = {"by": "dumy", "at": stamp(spec.when - timedelta(days=2))}
    if spec.status == "submitted":
        return data
    data["approval"] = {
        "by": "zhoulx",
        "at": stamp(spec.when - timedelta(days=1)),
        "content": content,
        "signed": False,
    }
    if spec.status == "approved":
        return data
    facts = {"by": "dumy", "at": stamp(spec.when), "channels": spec.channels, "content": content}
    if spec.status == "consulting":
        data["consultation"] = {**facts, "closes": (spec.when + timedelta(days=14)).isoformat()}
        return data
    data["publication"] = facts
    if spec.status == "withdrawn":
        data["withdrawal"] = {
            "by": "zhoulx",
            "at": stamp(spec.when, 16),
            "reason": f"撤回原因{spec.marker}r",
        }
    return data


@st.composite
def offices(draw: Any) -> tuple[list[Spec], dict[str, str]]:
    slots = draw(st.lists(st.sampled_from(ITEMS), min_size=3, max_size=8, unique=True))
    tag = draw(st.text(alphabet="abcdefghjkmnpqrstuvwxyz", min_size=6, max_size=6))
    specs = []
    for index, slot in enumerate(slots):
        scope = draw(st.sampled_from(["internal", "public"]))
        # an internal record may be mislabelled onto a public channel by a hand edit:
        # the scope alone must keep it off public outputs
        pool = PUBLIC_CHANNELS if scope == "public" or draw(st.booleans()) else CHANNELS
        channels = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
        status = draw(st.sampled_from(STATUSES))
        specs.append(
            Spec(
                index=index,
                slot=slot,
                scope=scope,
                cadence=draw(st.sampled_from(["standing", "quarterly", "timely", "follow-up"])),
                channels=channels,
                status=status,
                day=draw(st.integers(0, (TODAY - FIRST).days - 1)),
                marker=f"MK{index}Q{tag}Q",
                # a public update of an internal record must not name it [SPEC 7]
                follows=draw(st.none() | st.sampled_from([s.id for s in specs])) if specs else None,
            )
        )
    local = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8))
    phone = "1" + draw(st.sampled_from("3456789")) + draw(st.from_regex(r"\A[0-9]{9}\Z"))
    reporter = {
        "name": draw(st.text(alphabet=RARE, min_size=2, max_size=4)),
        "contact": draw(st.sampled_from([f"{local}@jubao.example.net", phone])),
        "text": f"RP{tag}X举报内容",
        "about": specs[0].id,
    }
    return specs, reporter


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def build(root: Path, specs: list[Spec], reporter: dict[str, str]) -> Office:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    shutil.copy(SAMPLE_SETTINGS, root / "dangwu.yaml")
    for spec in specs:
        path = root / "records" / spec.slot[0] / f"{spec.id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record(spec), ensure_ascii=False, indent=2), "utf-8")
    name, contact = reporter["name"], reporter["contact"]
    naming = Spec(
        index=99,
        slot=("zhidu-jianshe", "ZD", "supervisor-system"),
        scope="public",
        cadence="standing",
        channels=["public-board", "website", "circular", "newspaper"],
        status="published",
        day=100,
        marker="MKNAMEDQ",
    )
    data = record(naming)
    data["title"] = f"关于{name}反映问题的答复MKNAMEDQt"
    data["summary"] = f"经查，{name}（{contact}）反映的问题已处理。MKNAMEDQs"
    data["body"] = (
        f"举报人{name}，联系方式：{contact}。\n\n"
        f"{name}同志反映的问题属实，回复已寄{contact.upper()}，另抄送{_fullwidth(contact)}。\n"
    )
    path = root / "records" / "zhidu-jianshe" / f"{naming.id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    commit_as(root, "dumy", "the office as it stands", date="2026-12-19T10:00:00+08:00")
    office = Office(root)
    # the report is logged as the office logs it: its commit must not name the reporter
    logged = office.run(
        "report",
        "new",
        "--about",
        reporter["about"],
        "--name",
        name,
        "--contact",
        contact,
        "--text",
        reporter["text"],
        "--received",
        "2026-12-18",
        now=NOW,
    )
    assert logged.exit_code == 0, logged.output
    return office


def outputs(office: Office, folder: Path) -> dict[str, str]:
    """Every public output, with what the CLI printed while making it."""
    out: dict[str, str] = {}
    runs = {
        "board.html": ("board", "--scope", "public", "-o", str(folder / "board")),
        "bulletin.html": ("bulletin", "2026Q4", "--format", "html", "-o", str(folder / "b.html")),
        "bulletin.md": ("bulletin", "2026Q4", "--format", "md", "-o", str(folder / "b.md")),
        "stats.html": ("stats", "--year", "2026", "--format", "html", "-o", str(folder / "s.html")),
        "stats.json": ("stats", "--year", "2026", "--json"),
        "report list": ("report", "list", "--json"),
        "site": ("site", "build", "-o", str(folder / "site")),
        "portal": ("portal", "build", str(office.root), "-o", str(folder / "portal")),
    }
    for name, args in runs.items():
        result = office.run(*args, now=NOW)
        assert result.exit_code == 0, (args, result.output)
        out[f"{name} (terminal)"] = result.output
    (board,) = (folder / "board").glob("*.html")
    out["board.html"] = board.read_text("utf-8")
    out["bulletin.html"] = (folder / "b.html").read_text("utf-8")
    out["bulletin.md"] = (folder / "b.md").read_text("utf-8")
    out["stats.html"] = (folder / "s.html").read_text("utf-8")
    # every file of the web site, the feed and the sitemap and the search index included
    site = sorted(p for p in (folder / "site").rglob("*") if p.is_file())
    out["site"] = "\n".join(f"{p}\n{readable(p)}" for p in site)
    out["portal"] = "\n".join(
        f"{p}\n{readable(p)}" for p in sorted((folder / "portal").rglob("*")) if p.is_file()
    )
    # the site's own pages, without what its verify page knows of printed sheets (a
    # public bulletin lists every public record, whatever its channels)
    out["site pages"] = "\n".join(
        f"{p}\n{readable(p)}" for p in site if "/verify/codes/" not in p.as_posix()
    )
    out["search index"] = "\n".join(readable(p) for p in site if p.suffix == ".pf_fragment")
    out["commit messages"] = git(office.root, "log", "--format=%B")
    return out


def readable(path: Path) -> str:
    """A file's text as a reader of it would find it: Pagefind's index files unzipped
    (gzip hides their words from a plain search), without the zero-width spaces it puts
    between the words it found in Chinese text."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace").replace("\u200b", "")


def circular_text(office: Office, specs: list[Spec], folder: Path) -> str:
    """A circular of every record published on the circular channel (an internal
    document: internal records belong in it, reporters never do), as its DOCX says."""
    import docx

    ids = [s.id for s in specs if s.status == "published" and "circular" in s.channels]
    result = office.run(
        "circular", "ZD-2026-200", *ids, "--format", "docx", "-o", str(folder / "c.docx"), now=NOW
    )
    assert result.exit_code == 0, result.output
    word = docx.Document(str(folder / "c.docx"))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    # a manuscript for the paper of the record that names the reporter
    written = office.run(
        "manuscript", "ZD-2026-200", "--format", "txt", "-o", str(folder / "m.txt"), now=NOW
    )
    assert written.exit_code == 0, written.output
    cells.append((folder / "m.txt").read_text("utf-8"))
    # the minutes of a meeting that discussed the record that names the reporter
    called = office.run(
        "meeting", "new", "--kind", "disclosure", "--title", "党务公开会议", "--at",
        "2026-12-20 13:00", "--place", "会议室", "--chair", "hanzg", "--invite", "hanzg",
        "--matter", "ZD-2026-200", now=NOW,
    )  # fmt: skip
    assert called.exit_code == 0, called.output
    minutes = office.run(
        "meeting", "minutes", "1", "--present", "hanzg", "--decisions", "同意", "--format",
        "docx", "-o", str(folder / "minutes.docx"), now="2026-12-20T15:00:00+08:00",
    )  # fmt: skip
    assert minutes.exit_code == 0, minutes.output
    paper = docx.Document(str(folder / "minutes.docx"))
    cells += [p.text for p in paper.paragraphs]
    cells += [c.text for t in paper.tables for row in t.rows for c in row.cells]
    cells.append(git(office.root, "show", "HEAD"))
    # and the approval form of the record that names the reporter
    form = office.run("form", "ZD-2026-200", "--format", "docx", "-o", str(folder / "f.docx"))
    assert form.exit_code == 0, form.output
    filed = docx.Document(str(folder / "f.docx"))
    cells += [c.text for t in filed.tables for row in t.rows for c in row.cells]
    # and the circular's file and commit, which keep its title
    kept = [git(office.root, "log", "-1", "--format=%B"), git(office.root, "show", "HEAD")]
    return "\n".join([p.text for p in word.paragraphs] + cells + [result.output, *kept])


def assert_web(pages: str, specs: list[Spec], channel: str) -> None:
    """A web output holds exactly the public records that went out on its channel: a
    withdrawn one as a tombstone (when and why, never what it said)."""
    for spec in specs:
        shown = (
            spec.scope == "public"
            and channel in spec.channels
            and spec.status in ("published", "withdrawn", "consulting")
        )
        assert (f"标题{spec.marker}t" in pages) == shown, (channel, spec)
        if not shown:
            assert spec.marker not in pages, (channel, spec)
        elif spec.status == "withdrawn":
            assert f"正文 {spec.marker}b" not in pages and f"摘要{spec.marker}s" not in pages
            assert f"撤回原因{spec.marker}r" in pages, (channel, spec)
        else:
            assert f"正文 {spec.marker}b" in pages, (channel, spec)


@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no slow "explain"
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(offices())
def test_no_public_output_holds_internal_text_reports_or_reporters(
    generated: tuple[list[Spec], dict[str, str]],
):
    specs, reporter = generated
    with tempfile.TemporaryDirectory() as tmp:
        office = build(Path(tmp) / "office", specs, reporter)
        made = outputs(office, Path(tmp) / "out")
        circular = circular_text(office, specs, Path(tmp) / "out")
    secret = [s.marker for s in specs if s.scope != "public"]
    # what goes out holds no internal record's id either (a public record that follows
    # one links to nothing and names nothing)
    for what in ("board.html", "bulletin.html", "bulletin.md", "stats.html", "site", "portal"):
        for spec in specs:
            assert spec.scope == "public" or spec.id not in made[what], (what, spec.id)
    secret += [reporter["text"][:8]]  # RP and the tag: anything of the report's text
    name, contact = reporter["name"], reporter["contact"]
    forms = {form.lower() for form in (contact, contact.upper(), _fullwidth(contact))}
    for what, text in made.items():
        for marker in secret:
            assert marker not in text, (what, marker)
        assert name not in text, what
        lowered = text.lower()
        for form in forms:
            assert form not in lowered, (what, form)
    # and what belongs there is there
    board, bulletin, md = made["board.html"], made["bulletin.html"], made["bulletin.md"]
    # a published public correction takes what it follows off the public board; an
    # internal one does not (the board's readers never see it)
    replaced = {
        s.follows for s in specs if s.follows and s.scope == "public" and s.status == "published"
    }
    for spec in specs:
        up = spec.on_public_board() and spec.id not in replaced
        assert (f"标题{spec.marker}t" in board) == up, spec
        if not up:
            assert spec.marker not in board, spec
        if spec.in_public_bulletin():
            assert f"标题{spec.marker}t" in bulletin and f"标题{spec.marker}t" in md, spec
    assert_web(made["site pages"], specs, "website")
    # the search index holds what the pages hold: it was read, not skipped as binary
    for spec in specs:
        if f"标题{spec.marker}t" in made["site pages"]:
            assert f"标题{spec.marker}t" in made["search index"], spec
    assert "MKNAMEDQt" in made["site pages"] and "＊＊＊" in made["site pages"]
    assert_web(made["portal"], specs, "city-portal")
    assert "MKNAMEDQt" in board and "＊＊＊" in board
    # a circular is internal: what it carries is the office's, never a reporter
    assert "MKNAMEDQt" in circular and "＊＊＊" in circular
    assert name not in circular
    lowered = circular.lower()
    for form in forms:
        assert form not in lowered, form
    for spec in specs:
        carried = spec.status == "published" and "circular" in spec.channels
        assert (f"标题{spec.marker}t" in circular) == carried, spec
    assert "MKNAMEDQs" in bulletin and "＊＊＊" in md
