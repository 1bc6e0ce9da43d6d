"""The year's archive (``archive --year Y -o DIR``, 归档) and its check (``archive
check DIR``) [SPEC 13].

The archive is what an archivist takes for the year, made from the office as
committed: each record of the year with its final text, attachments, history and
approval form; the board as it stood after each change; the bulletins, circulars,
meetings' notices and minutes; the ledgers, the yearly figures and the evaluation
dossier; the reports' existence (their reporters only with ``--internal``); the public
web site; a table of contents; and ``manifest.sha256``, the SHA-256 of every file,
which ``archive check`` (or plain ``sha256sum -c``) compares with the folder. PDFs are
PDF/A-2b. The folder is filled beside its place and moved there whole at the end, so
a failure leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from dangwu import __version__, clock
from dangwu.app import (
    circulars,
    dossier,
    figures,
    forms,
    ledgers,
    logbook,
    meetings,
    printing,
    website,
)
from dangwu.errors import DangwuError, UsageError
from dangwu.i18n import _
from dangwu.model.catalogue import SCOPE_TITLES, scope_zh
from dangwu.model.office import SETTINGS_FILE
from dangwu.model.record import RECORDS_DIR, Summary, is_record_path
from dangwu.model.supervision import SETTLED
from dangwu.model.words import zh_date
from dangwu.render import circular as render_circular
from dangwu.render import form as render_form
from dangwu.render import sheets, typeset
from dangwu.render.ledger import csv_bytes
from dangwu.rules import archive as rules
from dangwu.rules.requests import answer_due
from dangwu.rules.schedule import Quarter
from dangwu.rules.workdays import Calendar
from dangwu.rules.workflow import STATUS_TITLES, STEP_TITLES
from dangwu.store import circulars as stored_circulars
from dangwu.store import meetings as stored_meetings
from dangwu.store import snapshot
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office

Progress = Callable[[int, int], None]

# the archive's parts, in the order of its table of contents
SECTIONS = {
    "about": "说明与目录",
    "catalogue": "党务公开目录",
    "records": "公开事项：定稿、附件、过程记录、审批表",
    "boards": "党务公开栏：每次变动后的版面",
    "bulletins": "季度公报",
    "circulars": "印发的党务公开信息",
    "meetings": "党务公开会议：通知与记录",
    "ledgers": "台账",
    "reports": "举报及办理",
    "requests": "依申请公开及办理",
    "figures": "年度统计与考核材料",
    "site": "单位对外网站",
}
CONTENTS = ("index.html", "contents.pdf")
ABOUT = "archive.json"


@dataclass(frozen=True)
class Part:
    path: str  # a file, or (ending in /) a record's folder as the contents list it
    section: str
    title: str
    listed: bool = True  # a line of the contents (a record's files are its folder's line)


@dataclass
class Filed:
    path: Path
    year: int
    commit: str
    files: int
    manifest: str  # the manifest's own SHA-256, to write on the archive's register
    sections: Counter[str]
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass
class Checked:
    path: Path
    files: int
    manifest: str
    findings: list[rules.Finding]
    malformed: list[rules.Malformed]
    expected: bool = True  # the manifest is the one the register names

    @property
    def untouched(self) -> bool:
        return not self.findings and not self.malformed and self.expected


def build(
    office: Office,
    *,
    year: int,
    out: Path,
    internal: bool = False,
    progress: Progress | None = None,
) -> Filed:
    """Write the archive of ``year`` into the new folder ``out``."""
    zone = clock.office_zone(office.settings.timezone)
    today = clock.today(zone)
    if not 2000 <= year <= today.year:
        raise UsageError(
            _("--year must be a year up to this one, e.g. --year {year}").format(year=today.year)
        )
    inside = out.resolve().is_relative_to(office.root.resolve())
    if inside and not out.resolve().is_relative_to((office.root / printing.PRINTED).resolve()):
        raise UsageError(
            _(
                "{path} is inside the office's repository, where git would take the "
                "archive for the office's own files: write it outside, or under printed/"
            ).format(path=out)
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(
            _("{path} is not empty: an archive is written into a new folder").format(path=out)
        )
    parent = out.resolve().parent
    printing.place_in(parent, out.name)  # the folder it goes in, made if need be
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        with typeset.archival() as batch:
            filed = _fill(office, year, staging, internal, today, progress or _quiet, batch)
        plain = batch.plain
        if plain:
            names = ", ".join(p.relative_to(staging).as_posix() for p in plain[:5])
            filed.notes.append(
                _(
                    "{n} PDFs are plain PDF, not PDF/A: their templates ask for what "
                    "PDF/A forbids (the office's own templates/?): {files}"
                ).format(n=len(plain), files=names + (", …" if len(plain) > 5 else ""))
            )
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    filed.path = out
    if year == today.year:
        filed.notes.append(
            _(
                "{year} has not ended: this archive holds the year up to today; "
                "file it again in January"
            ).format(year=year)
        )
    return filed


def _quiet(done: int, total: int) -> None:
    """No progress shown."""


def _fill(
    office: Office,
    year: int,
    folder: Path,
    internal: bool,
    today: date,
    progress: Progress,
    batch: typeset.Batch,
) -> Filed:
    parts: list[Part] = []
    missing: list[str] = []
    notes: list[str] = []
    when = clock.now(clock.office_zone(office.settings.timezone))
    steps = 9
    with GitStore(office.root, office.state_dir) as git:
        head = git.require_head()
        snap = snapshot.at(office, git, head)
        mine = [s for s in snap.summaries() if rules.in_year(s, year)]
        mine.sort(key=lambda s: s.id)
        touching = git.touching("records/")  # git walks the history meanwhile
        progress(0, steps)
        made, lacking = _boards(office, git, snap, year, today, folder)
        parts += made
        missing += lacking
        progress(1, steps)
        made, lacking = _records(office, git, snap, mine, touching(), folder, internal, when)
        parts += made
        missing += lacking
        progress(2, steps)
        missing += _bulletins(office, snap, year, today, folder, parts)
        missing += _circulars(office, git, head, year, folder, parts, when)
        progress(3, steps)
        _reports(snap, year, folder, parts, internal)
        _requests(snap, year, folder, parts, internal)
        called = stored_meetings.at(git, head)
        held = sorted(k for k in called if k[0] == year)
        minuted = {k for k, m in called.items() if m.minutes is not None}
        unit = snap.settings.unit
        snap.sensitive()  # read now, while git is open: the meetings' titles are blotted
        blotted = _shown(snap, internal)
    for y, n in held:
        for part in ("notice", "minutes") if (y, n) in minuted else ("notice",):
            target = folder / "meetings" / f"{y}-{n:03d}-{part}.pdf"
            done = meetings.print_part(office, f"{y}-{n}", part, out=target)
            word = "会议通知" if part == "notice" else "会议记录"
            parts.append(_part(folder, target, "meetings", f"{blotted(done.meeting.title)} {word}"))
            missing += done.missing
    progress(4, steps)
    books = ledgers.build(office, year)
    ledger = ledgers.print_ledgers(
        office, year=year, fmt="pdf", out=folder / "ledgers", built=books
    )
    parts.append(_part(folder, ledger.paths[0], "ledgers", f"{year}年度党务公开台账（四册）"))
    missing += ledger.missing
    tables = ledgers.print_ledgers(
        office, year=year, fmt="csv", out=folder / "ledgers", built=books
    )
    for path, book in zip(tables.paths, tables.ledgers, strict=True):
        parts.append(_part(folder, path, "ledgers", f"{book.name}（CSV）"))
    progress(5, steps)
    shown = printing.print_catalogue(office, fmt="pdf", out=folder / "catalogue.pdf")
    parts.append(_part(folder, shown.path, "catalogue", "党务公开目录"))
    stated = figures.stats(office, year=year)
    target = folder / "figures" / f"stats-{year}.pdf"
    missing += printing.print_stats(office, stated, fmt="pdf", out=target).missing
    parts.append(_part(folder, target, "figures", f"{year}年度党务公开统计"))
    progress(6, steps)
    target = folder / "figures" / f"dossier-{year}.pdf"
    missing += dossier.dossier(office, year=year, fmt="pdf", out=target, stated=stated).missing
    parts.append(_part(folder, target, "figures", f"{year}年度党务公开工作考核材料"))
    progress(7, steps)
    site = website.build(office, scope="public", out=folder / "site")
    # the contents are in Chinese, as all the archive holds: they are handed over
    parts.append(Part("site/index.html", "site", f"网站首页（共{site.pages}个文件，归档时生成）"))
    notes += site.notes
    progress(8, steps)
    with GitStore(office.root, office.state_dir) as git:
        if git.require_head() != head:
            raise DangwuError(
                _("the office changed while its archive was made; make it again"),
            )
    batch.wait()  # every PDF written, and each a file of the contents
    _contents(office, unit, year, head, folder, parts, internal, today)
    batch.wait()
    manifest, files = _seal(folder)
    progress(steps, steps)
    counted = Counter(p.section for p in parts if p.listed)
    return Filed(folder, year, head, files, manifest, counted, notes, sorted(set(missing)))


def _part(folder: Path, path: Path, section: str, title: str) -> Part:
    return Part(path.relative_to(folder).as_posix(), section, title)


def _write(folder: Path, path: str, content: bytes) -> Path:
    if not rules.fit_name(path):
        raise DangwuError(_("{path} cannot be a file's name in an archive").format(path=path))
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target


# --- the records ------------------------------------------------------------------------


GROUP = 100  # records read from git at a time


def _records(
    office: Office,
    git: GitStore,
    snap: snapshot.Snapshot,
    mine: list[Summary],
    touching: dict[str, list[str]],
    folder: Path,
    internal: bool,
    when: datetime,
) -> tuple[list[Part], list[str]]:
    """Each record of the year: its text as committed, its attachments, its history
    (every commit that touched its file, dangwu's or plain git's: who, in which role,
    which step, signed or not) and its approval form."""
    ids = list(dict.fromkeys(c for s in mine for c in touching.get(s.path, [])))
    told = {e.commit: e for e in logbook.entries(office, git, ids)}
    parts: list[Part] = []
    missing: list[str] = []
    for n in range(0, len(mine), GROUP):
        group = mine[n : n + GROUP]
        raw = git.objects([s.blob for s in group])
        texts = snap.records([s.path for s in group])
        for s in group:
            history = [told[c] for c in touching.get(s.path, [])]
            made, lacking = _record(snap, s, raw[s.blob], texts.get(s.path, {}), history,
                                    folder, internal, when)  # fmt: skip
            parts += made
            missing += lacking
    return parts, missing


def _record(
    snap: snapshot.Snapshot,
    s: Summary,
    raw: bytes,
    data: dict[str, Any],
    steps: list[logbook.Entry],
    folder: Path,
    internal: bool,
    when: datetime,
) -> tuple[list[Part], list[str]]:
    """One record's files: text, attachments, history, approval form."""
    parts: list[Part] = []
    base = f"records/{s.id}"
    shown = _shown(snap, internal)
    _write(folder, f"{base}/{s.id}.yaml", shown(raw.decode("utf-8")).encode("utf-8"))
    title = shown(s.title)
    parts.append(Part(f"{base}/{s.id}.yaml", "records", f"{s.id} {title}（定稿）", False))
    attached = snap.git.batch([f"{snap.commit}:{n}" for n in s.attachments]) if (
        s.attachments
    ) else []  # fmt: skip
    for name, found in zip(s.attachments, attached, strict=True):
        if found is not None and found[1] == "blob":
            path = f"{base}/files/{name}"
            _write(folder, path, found[2])
            parts.append(Part(path, "records", f"{s.id} 附件 {name.rsplit('/', 1)[-1]}", False))
    path = f"{base}/{s.id}-history.csv"
    _write(folder, path, _history_csv(steps, shown))
    parts.append(Part(path, "records", f"{s.id} 过程记录（{len(steps)}次提交）", False))
    signatures = {e.step: e.signature for e in steps if e.step}
    form = forms.form_of(snap, s.id, data, signatures)
    target = folder / base / f"{s.id}-form.pdf"
    missing = render_form.write(form, target, "pdf", when=when)
    parts.append(Part(f"{base}/{s.id}-form.pdf", "records", f"{s.id} 党务公开审批表", False))
    count = sum(1 for p in parts if "/files/" in p.path)
    held = f"附件{count}件、" if count else ""
    files = f"定稿、{held}过程记录（{len(steps)}次提交）、审批表"
    parts.append(Part(f"{base}/", "records", f"{s.id} {title}：{files}"))
    return parts, missing


def _history_csv(steps: list[logbook.Entry], shown: Callable[[str], str]) -> bytes:
    signed = {"good": "有效", "bad": "无效", "none": "无"}
    rows = [
        [
            e.date[:16].replace("T", " "),
            e.name,
            STEP_TITLES[e.step][1] if e.step in STEP_TITLES else e.step,
            STATUS_TITLES[e.after][1] if e.after in STATUS_TITLES else (e.after or ""),
            signed.get(e.signature, e.signature),
            e.commit,
            shown(e.subject.split(": ", 1)[-1]),
        ]
        for e in steps
    ]
    return csv_bytes(["时间", "人员", "步骤", "状态", "签名", "提交", "说明"], rows)


def _shown(snap: snapshot.Snapshot, internal: bool) -> Callable[[str], str]:
    """What an archive may show of a text: all of it in an internal archive; else a
    reporter named in it is blotted out, as on all paper [SPEC 7]."""
    return (lambda text: text) if internal else (lambda text: sheets.blot(snap, text))


# --- the board, the bulletins and the circulars ------------------------------------------


def _boards(
    office: Office,
    git: GitStore,
    snap: snapshot.Snapshot,
    year: int,
    today: date,
    folder: Path,
) -> tuple[list[Part], list[str]]:
    """The board of each scope through the year, as the office posted it: the whole
    board on the first day, then, on each day what it showed changed, the sheets of
    the categories that changed, from the office as committed by that day's end
    (each sheet with its own verification code).

    Not spread over forked workers: Typst typesets on threads of its own, which a
    process forked after a first PDF would wait for in vain."""
    zone = clock.office_zone(snap.settings.timezone)
    # the commit of each day's end as ``board --on DAY`` takes it: the first that git's
    # walk meets committed by then (times need not rise along the history)
    walked = git.dated()
    by_time = sorted(range(len(walked)), key=lambda n: walked[n][0])
    stamps = [walked[n][0] for n in by_time]
    first_met: list[int] = []
    for n in by_time:
        first_met.append(min(n, first_met[-1]) if first_met else n)
    days = rules.board_days(
        year,
        {datetime.fromtimestamp(t, zone).date() for t in stamps},
        snap.summaries(),
        snap.settings.rules,
        today,
    )
    at: list[tuple[date, str]] = []
    for day in days:
        end = datetime.combine(day, time.max, zone).timestamp()
        found = bisect_right(stamps, end) - 1
        if found >= 0:
            at.append((day, walked[first_met[found]][1]))
    # each board: the public one, the office's internal one, and one per audience the
    # settings named that day (an audience's board holds its own records and the
    # office's internal ones)
    shown: dict[tuple[str, str | None], dict[str, tuple[Any, ...]]] = {}
    parts: list[Part] = []
    missing: list[str] = []
    then: snapshot.Snapshot | None = None
    posted: set[tuple[str, str | None]] = set()  # the boards printed whole once
    walk = _Walk(office, git)
    for day, commit in at:
        if then is None or then.commit != commit:
            then = walk.to(commit)
        for board in _boards_of(then):
            scope, audience = board
            built = sheets.build_board(then, scope=scope, on=day, audience=audience)
            now = _by_category(built)
            before = shown.get(board, {})
            changed = [c for c, entries in now.items() if before.get(c) != entries]
            shown[board] = now
            if not changed:
                continue
            built.sheets = [sheet for sheet in built.sheets if sheet.category in changed]
            target = folder / "boards" / _whose(board) / f"{day.isoformat()}.pdf"
            missing += printing.write_page(sheets.board_page(office, built, "pdf"), target, office)
            whole = "变动栏目" if board in posted else "全版"
            posted.add(board)
            entries = sum(len(sheet.entries) for sheet in built.sheets)
            name = scope_zh(*board, then.settings.audiences)
            title = f"{name}栏 {zh_date(day)} {whole}（{entries}项）"
            parts.append(_part(folder, target, "boards", title))
    return parts, missing


def _boards_of(snap: snapshot.Snapshot) -> list[tuple[str, str | None]]:
    """The boards an office keeps: one of each scope, and one per audience it names."""
    return [(scope, None) for scope in SCOPE_TITLES] + [
        ("internal", key) for key in snap.settings.audiences
    ]


def _whose(board: tuple[str, str | None]) -> str:
    """A board's folder (and a bulletin's suffix): public, internal, internal-zhibu-a."""
    scope, audience = board
    return f"{scope}-{audience}" if audience else scope


class _Walk:
    """The office at one commit after another, read as little as may be: from one
    commit to the next only the files that changed are read (their summaries and
    texts kept by blob), and the settings and catalogue again only where they
    changed."""

    WATCHED = (RECORDS_DIR, SETTINGS_FILE, snapshot.CATALOGUE_FILE)

    def __init__(self, office: Office, git: GitStore) -> None:
        self.office, self.git = office, git
        self.base: snapshot.Snapshot | None = None
        self.commit: str | None = None
        self.blobs: dict[str, str] = {}  # record path -> blob, at ``commit``
        self.found: dict[str, Summary] = {}  # record path -> summary, at ``commit``
        self.texts: dict[str, dict[str, Any]] = {}  # record texts, by blob

    def to(self, commit: str) -> snapshot.Snapshot:
        if self.base is None or self.commit is None:  # the first: read whole (cached)
            self.base = snapshot.at(self.office, self.git, commit)
            self.commit, self.blobs = commit, dict(self.base.blobs)
            self.found = {s.path: s for s in self.base.summaries()}
            return self.base
        changed = self.git.blob_changes(self.commit, commit, self.WATCHED)
        if SETTINGS_FILE in changed or snapshot.CATALOGUE_FILE in changed:
            self.base = snapshot.at(self.office, self.git, commit)
        changed = {p: b for p, b in changed.items() if is_record_path(p)}
        new = {b for b in changed.values() if b}
        read = snapshot.summary_entries(self.office, self.git, new) if new else {}
        for path, blob in changed.items():
            self.found.pop(path, None)
            self.blobs.pop(path, None)
            if blob is not None:
                self.blobs[path] = blob
                entry = read.get(blob)
                if entry is not None:
                    self.found[path] = replace(entry, path=path)
        self.commit = commit
        return snapshot.moved(self.base, commit, dict(self.blobs), self.found, self.texts)


def _by_category(built: sheets.Board) -> dict[str, tuple[Any, ...]]:
    """What each category of a board shows: each entry's file, version and whether it
    is up for comment."""
    found: dict[str, list[Any]] = {}
    for sheet in built.sheets:
        found.setdefault(sheet.category, []).extend(
            (e.summary.path, e.summary.blob, e.consulting) for e in sheet.entries
        )
    return {category: tuple(sorted(entries)) for category, entries in found.items()}


def _bulletins(
    office: Office,
    snap: snapshot.Snapshot,
    year: int,
    today: date,
    folder: Path,
    parts: list[Part],
) -> list[str]:
    missing: list[str] = []
    for q in range(1, 5):
        period = Quarter(year, q)
        if period.start > today:
            break
        for board in _boards_of(snap):
            scope, audience = board
            doc = sheets.build_bulletin(
                snap, period=period, scope=scope, issued=today, audience=audience
            )
            listed = doc.data.published + doc.data.withdrawn
            if audience is not None and all(s.audience != audience for s in listed):
                continue  # nothing of its own: the office's internal bulletin, retitled
            target = folder / "bulletins" / f"{period}-{_whose(board)}.pdf"
            page = sheets.bulletin_page(office, doc, "pdf")
            missing += printing.write_page(page, target, office)
            title = f"{year}年第{q}季度党务公开公报（{scope_zh(*board, snap.settings.audiences)}）"
            parts.append(_part(folder, target, "bulletins", title))
    return missing


def _circulars(
    office: Office,
    git: GitStore,
    head: str,
    year: int,
    folder: Path,
    parts: list[Part],
    when: datetime,
) -> list[str]:
    missing: list[str] = []
    issued = stored_circulars.at(git, head)
    for key in sorted(k for k in issued if k[0] == year):
        doc = circulars.as_issued(office, git, issued[key], head)
        target = folder / "circulars" / f"{key[0]}-{key[1]:03d}.pdf"
        missing += render_circular.write(doc, target, "pdf", when=when)
        parts.append(_part(folder, target, "circulars", f"{doc.label} {doc.circular.title}"))
    return missing


# --- the reports -------------------------------------------------------------------------


def _reports(
    snap: snapshot.Snapshot, year: int, folder: Path, parts: list[Part], internal: bool
) -> None:
    """The year's reports (举报) and how each was dealt with; who reported and how to
    reach them only in an internal archive."""
    reports, _opinions, _problems = snap.supervision()
    shown = _shown(snap, internal)
    heading = ["编号", "收到日期", "所涉事项", "内容", "实名", "办理情况", "告知方式", "办结日期"]
    rows = []
    for r in sorted(reports, key=lambda r: r.number):
        if r.received.year != year:
            continue
        answer = r.answer or {}
        row = [
            str(r.number),
            r.received.isoformat(),
            r.about,
            shown(r.text),
            "是" if r.real_name else "否",
            shown(str(answer.get("text", ""))),
            str(answer.get("notified", "")),
            r.answered_on.isoformat() if r.answered_on else "",
        ]
        rows.append(row + ([r.name or "", r.contact or ""] if internal else []))
    path = f"reports/reports-{year}.csv"
    _write(folder, path, csv_bytes(heading + (["姓名", "联系方式"] if internal else []), rows))
    who = "含举报人" if internal else "不含举报人身份"
    parts.append(Part(path, "reports", f"{year}年举报登记及办理（{len(rows)}件，{who}）"))


def _requests(
    snap: snapshot.Snapshot, year: int, folder: Path, parts: list[Part], internal: bool
) -> None:
    """The year's requests for disclosure (依申请公开), how each was settled and whether
    in time; who asked and how to reach them only in an internal archive [SPEC 14]."""
    requests, _problems = snap.requests()
    mine = [r for r in requests if r.received.year == year]
    if not mine:
        return
    shown = _shown(snap, internal)
    calendar = Calendar(snap.settings.rules)
    heading = ["编号", "收到日期", "所涉事项", "申请内容", "延期", "办理结果", "公开记录",
               "答复或理由", "答复日期", "答复期限", "是否按期"]  # fmt: skip
    rows = []
    for r in sorted(mine, key=lambda r: r.number):
        answer = r.answer or {}
        due = answer_due(r, calendar)
        settled = r.answered_on
        counted = r.settled_on  # later where the server received the answer later
        row = [
            str(r.number),
            r.received.isoformat(),
            r.about or "",
            shown(r.text),
            _extension(r.extension, shown),
            SETTLED[r.outcome][1] if r.outcome in SETTLED else "办理中",
            str(answer.get("record", "")),
            shown(str(answer.get("text", ""))),
            settled.isoformat() if settled else "",
            due.isoformat(),
            ("是" if counted <= due else "否") if counted else "",
        ]
        rows.append(row + ([r.name, r.contact] if internal else []))
    path = f"requests/requests-{year}.csv"
    _write(folder, path, csv_bytes(heading + (["申请人", "联系方式"] if internal else []), rows))
    who = "含申请人" if internal else "不含申请人身份"
    parts.append(Part(path, "requests", f"{year}年依申请公开登记及办理（{len(rows)}件，{who}）"))


def _extension(extension: Mapping[str, Any] | None, shown: Callable[[str], str]) -> str:
    if not extension:
        return ""
    return f"{extension.get('on', '')} {shown(str(extension.get('reason', '')))}"


# --- contents, manifest, check -----------------------------------------------------------


def _contents(
    office: Office,
    unit: str,
    year: int,
    commit: str,
    folder: Path,
    parts: list[Part],
    internal: bool,
    today: date,
) -> None:
    """The table of contents (index.html, contents.pdf) and archive.json."""
    every = [
        Part("index.html", "about", "目录（网页）"),
        Part("contents.pdf", "about", "目录"),
        Part(ABOUT, "about", "归档说明（机读）"),
        Part(rules.MANIFEST, "about", "文件校验清单（SHA-256）"),
        *parts,
    ]
    grouped = [
        {"heading": heading, "files": [p for p in every if p.section == key and p.listed]}
        for key, heading in SECTIONS.items()
    ]
    grouped = [g for g in grouped if g["files"]]
    facts = {
        "unit": unit,
        "year": year,
        "commit": commit,
        "made": today.isoformat(),
        "internal": internal,
        "generator": f"dangwu {__version__}",
        "files": [
            {"path": p.path, "section": p.section, "title": p.title}
            for p in every
            if not p.path.endswith("/")
        ],
    }
    _write(
        folder,
        ABOUT,
        (json.dumps(facts, ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
    )
    context = {
        "unit": unit,
        "year": year,
        "commit": commit,
        "issued_zh": zh_date(today),
        "internal": internal,
        "sections": grouped,
        "count": sum(len(g["files"]) for g in grouped),
    }
    for name in CONTENTS:
        page = sheets.archive_page(office, context, name.rsplit(".", 1)[1])
        printing.write_page(page, folder / name, office)


def _walk(folder: Path) -> list[str]:
    """Every file under ``folder``, as paths relative to it, ``/``-separated."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            found.append((Path(root) / name).relative_to(folder).as_posix())
    return found


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _seal(folder: Path) -> tuple[str, int]:
    """Write the manifest of every file; its own SHA-256, and how many files it names."""
    digests = {p: _digest(folder / p) for p in _walk(folder) if p != rules.MANIFEST}
    text = rules.manifest(digests).encode("utf-8")
    (folder / rules.MANIFEST).write_bytes(text)
    return hashlib.sha256(text).hexdigest(), len(digests)


def check(folder: Path, *, expect: str | None = None) -> Checked:
    """Whether the archive in ``folder`` is as it was made: every file its manifest
    names is there with the same SHA-256, and nothing else is; and, given the
    manifest's own SHA-256 as registered, that the manifest is that one."""
    manifest = folder / rules.MANIFEST
    if not folder.is_dir():
        raise UsageError(_("{path} is not a folder").format(path=folder))
    if not manifest.is_file():
        raise DangwuError(
            _("{path} has no {manifest}: it is not an archive dangwu made").format(
                path=folder, manifest=rules.MANIFEST
            )
        )
    raw = manifest.read_bytes()
    try:
        listed, malformed = rules.read_manifest(raw.decode("utf-8"))
    except UnicodeDecodeError:
        listed, malformed = {}, [rules.Malformed(1, "")]
    found = {p: _digest(folder / p) for p in _walk(folder) if p != rules.MANIFEST}
    own = hashlib.sha256(raw).hexdigest()
    expected = expect is None or expect.strip().lower() == own
    return Checked(folder, len(listed), own, rules.compare(listed, found), malformed, expected)
