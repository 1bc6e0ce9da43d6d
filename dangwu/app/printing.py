"""Printing the board and the bulletin to files, and verifying a printed sheet."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from dangwu import clock
from dangwu.app import auditing, manuscripts
from dangwu.errors import DangwuError, UsageError
from dangwu.i18n import _, names, os_reason
from dangwu.model import words
from dangwu.model.catalogue import SCOPE_TITLES, scope_term
from dangwu.model.circular import CIRCULAR_CODE
from dangwu.model.history import Trailer
from dangwu.model.meeting import MEETING_CODE, PARTS
from dangwu.model.words import one_of
from dangwu.render import sheets as render
from dangwu.render import typeset
from dangwu.rules import board as board_rules
from dangwu.rules import circular as circular_rules
from dangwu.rules.schedule import Quarter
from dangwu.store import circulars, meetings, snapshot
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office

if TYPE_CHECKING:
    from dangwu.rules.stats import Stated

FORMATS = {
    "board": ("html", "pdf"),
    "bulletin": ("md", "html", "pdf"),
    "stats": ("html", "pdf"),
    "catalogue": ("html", "pdf"),
}
PRINTED = "printed"  # the office's folder for what it prints; git ignores it


@dataclass
class Printed:
    path: Path
    sheets: list[board_rules.Sheet] = field(default_factory=list)
    commit: str = ""
    records: int = 0
    # characters no installed font draws: on paper they are empty boxes
    missing: list[str] = field(default_factory=list)


def _format(kind: str, value: str) -> str:
    if value not in FORMATS[kind]:
        raise UsageError(
            _("--format must be one of {choices}").format(choices=", ".join(FORMATS[kind]))
        )
    return value


def _today(office: Office) -> date:
    return clock.today(clock.office_zone(office.settings.timezone))


def _snapshot(office: Office, git: GitStore, on: date | None) -> snapshot.Snapshot:
    if on is None or on >= _today(office):
        return snapshot.at(office, git)
    return snapshot.as_of(office, git, on)


def print_board(
    office: Office,
    *,
    scope: str,
    on: date | None,
    fmt: str,
    out: Path,
    audience: str | None = None,
) -> Printed:
    """The board of ``scope`` (of one ``audience``) on ``on`` (default: today) as one
    HTML or PDF file."""
    _format("board", fmt)
    scope = one_of("--scope", scope, SCOPE_TITLES)
    day = on or _today(office)
    with GitStore(office.root, office.state_dir) as git:
        snap = _snapshot(office, git, on)
        # the audiences as committed, as every board is made of what is committed
        audience = board_rules.audience_of(snap.settings.audiences, scope, audience)
        built = render.build_board(snap, scope=scope, on=day, audience=audience)
        page = render.board_page(office, built, fmt)
    whose = f"{scope}-{audience}" if audience else scope
    target = place_in(out, f"board-{whose}-{day.isoformat()}.{fmt}")
    missing = write_page(page, target, office)
    records = sum(len(s.entries) for s in built.sheets)
    return Printed(target, built.sheets, snap.commit, records, missing)


def print_bulletin(
    office: Office,
    *,
    period: str,
    scope: str,
    fmt: str,
    out: Path | None,
    audience: str | None = None,
) -> Printed:
    """The bulletin of a quarter (for the office, or one ``audience``) as Markdown,
    HTML or PDF."""
    _format("bulletin", fmt)
    issued = _today(office)
    quarter = Quarter.parse(words.quarter("PERIOD", period, issued))
    scope = one_of("--scope", scope, SCOPE_TITLES)
    with GitStore(office.root, office.state_dir) as git:
        snap = snapshot.at(office, git)
        audience = board_rules.audience_of(snap.settings.audiences, scope, audience)
        doc = render.build_bulletin(
            snap, period=quarter, scope=scope, issued=issued, audience=audience
        )
        page = render.bulletin_page(office, doc, fmt)
    whose = f"{scope}-{audience}" if audience else scope
    name = f"bulletin-{quarter}-{whose}.{fmt}"
    target = out if out is not None and out.suffix else place_in(out or Path(), name)
    missing = write_page(page, target, office)
    return Printed(target, [], snap.commit, len(doc.data.published), missing)


def print_stats(office: Office, stated: Stated, *, fmt: str, out: Path | None) -> Printed:
    """The yearly (or quarterly) report as HTML or PDF; figures only."""
    _format("stats", fmt)
    page = render.stats_page(office, stated, _today(office), fmt)
    name = f"stats-{stated.figures.span.label}.{fmt}"
    target = out if out is not None and out.suffix else place_in(out or Path(), name)
    return Printed(
        target, [], stated.commit, stated.figures.published, write_page(page, target, office)
    )


def print_catalogue(office: Office, *, fmt: str, out: Path | None) -> Printed:
    """The 党务公开目录 as HTML or PDF, from the catalogue and settings as committed."""
    _format("catalogue", fmt)
    with GitStore(office.root, office.state_dir) as git:
        snap = snapshot.at(office, git)
        page = render.catalogue_page(office, snap.catalogue, snap.settings, _today(office), fmt)
        items = sum(len(c.items) for c in snap.catalogue)
    target = out if out is not None and out.suffix else place_in(out or Path(), f"catalogue.{fmt}")
    return Printed(target, [], snap.commit, items, write_page(page, target, office))


def refuse_unwritable(out: Path | None, folder: Path) -> None:
    """Refuse, before a step commits, a place its page could not be written to: a
    circular's number or a meeting's minutes are made once, so they must not be made
    for a write that then fails. ``out`` as asked (a file when it has a suffix, else a
    folder), else the usual ``folder``. Looks only; writes nothing."""
    target = out if out is not None else folder
    is_file = out is not None and bool(out.suffix)
    if is_file and target.is_dir():
        _unwritable(target, errno.EISDIR)
    here = target.parent if is_file else target
    while not here.exists() and here != here.parent:
        here = here.parent
    if not here.is_dir():
        _unwritable(here, errno.ENOTDIR)
    if not os.access(here, os.W_OK | os.X_OK):
        _unwritable(here, errno.EACCES)


def _unwritable(path: Path, code: int) -> NoReturn:
    raise DangwuError(
        _("cannot write {path}: {error}").format(path=path, error=os_reason(OSError(code, "")))
    )


def place_in(folder: Path, name: str) -> Path:
    """``folder/name``, the folder made if need be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DangwuError(
            _("cannot create {path}: {error}").format(path=folder, error=os_reason(exc))
        ) from None
    return folder / name


def write_page(page: render.Page, target: Path, office: Office) -> list[str]:
    """Write a page; a PDF is typeset, dated today in the office's zone. The characters
    no font draws are returned."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if page.typeset:
        when = clock.now(clock.office_zone(office.settings.timezone))
        return typeset.write_pdf(page.text, target, images=page.images, when=when)
    target.write_text(page.text, encoding="utf-8")
    return []


# --- verify -------------------------------------------------------------------------------


@dataclass
class Verdict:
    genuine: bool
    current: bool
    lines: list[str]
    warnings: list[str] = field(default_factory=list)


def verify(office: Office, code_text: str) -> Verdict:
    """Is a printed sheet genuine, and is it still what the board should show?"""
    verdict = _verify(office, board_rules.from_address(code_text))
    leads = board_rules.elsewhere(code_text, office.settings.site_url)
    if leads is not None:
        verdict.warnings.append(
            _(
                "the QR code leads to {address}, not to this office's verify page "
                "({site}/verify/): the code is checked, but whoever made that sheet "
                "sends its readers elsewhere"
            ).format(address=leads, site=office.settings.site_url)
        )
    return verdict


def _verify(office: Office, code_text: str) -> Verdict:
    code, check = board_rules.parse_code(code_text)
    with GitStore(office.root, office.state_dir) as git:
        commit = git.commit_of(code.commit)
        if commit is None:
            return Verdict(
                False,
                False,
                [
                    _("not genuine: no commit {commit} in this office's history").format(
                        commit=code.commit
                    )
                ],
            )
        head = git.require_head()
        if not git.is_ancestor(commit, head):
            return Verdict(
                False,
                False,
                [
                    _("not genuine: commit {commit} is not part of the office's history").format(
                        commit=code.commit
                    )
                ],
            )
        then = snapshot.at(office, git, commit)
        quarter = board_rules.bulletin_period(code)
        if quarter is not None and then.catalogue.by_code(board_rules.BULLETIN) is None:
            return _verify_bulletin(office, git, then, code, check, quarter)
        if code.category_code == CIRCULAR_CODE and then.catalogue.by_code(CIRCULAR_CODE) is None:
            return _verify_circular(office, git, commit, head, code, check)
        if code.category_code == MEETING_CODE and then.catalogue.by_code(MEETING_CODE) is None:
            return _verify_meeting(office, git, commit, head, code, check)
        if (
            code.category_code[:1] == manuscripts.MARK
            and then.catalogue.by_code(code.category_code) is None
            and then.catalogue.by_code(code.category_code[1:]) is not None
        ):
            return _verify_manuscript(office, git, then, head, code, check)
        code, printed = _board_of(then, code, check, commit)
        sheet = _find(printed.sheets, code)
        if sheet is None or code.check(sheet.content_key(), commit) != check:
            lines = [
                _("not genuine: this office never printed such a sheet on {date}").format(
                    date=code.on.isoformat()
                )
            ]
            if not board_rules.has_copy_check(code_text):
                # a code of today's sheets ends in five characters: one may have been lost
                lines.append(
                    _(
                        "if it was copied by hand, check that no character is missing: the "
                        "codes dangwu prints end in a group of five"
                    )
                )
            return Verdict(False, False, lines)
        broken = _broken(office, git, commit, {e.summary.id for e in sheet.entries})
        if broken is not None:
            return Verdict(False, False, [broken])
        when = then.when
        category = then.catalogue.by_slug(sheet.category)
        lines = [
            _(
                "genuine: printed from commit {commit} ({date}), {scope} board, {category} "
                "sheet {page}, for {on}"
            ).format(
                commit=commit[:10],
                date=when.date().isoformat(),
                scope=scope_term(code.scope, code.audience, then.settings.audiences),
                category=names(category.zh, category.en) if category else sheet.category,
                page=code.page,
                on=code.on.isoformat(),
            )
        ]
        lines += [
            f"  {e.summary.id} {printed.texts.get(e.summary.path, {}).get('title', '')}"
            for e in sheet.entries
        ]
        now = render.build_board(
            snapshot.at(office, git),
            scope=code.scope,
            on=_today(office),
            audience=code.audience or None,
        )
        current = _find(now.sheets, code)
        if current is not None and current.content_key() == sheet.content_key():
            lines.append(_("current: the board today shows the same sheet"))
            return Verdict(True, True, lines)
        lines.append(_("superseded: the board today shows something else on this sheet"))
        old = {e.summary.id for e in sheet.entries}
        new = {e.summary.id for e in current.entries} if current else set()
        for record_id in sorted(old - new):
            lines.append(_("  taken off: {id}").format(id=record_id))
        for record_id in sorted(new - old):
            lines.append(_("  put up: {id}").format(id=record_id))
        touched = [e.summary.path for e in sheet.entries]
        touched += [e.summary.path for e in current.entries] if current else []
        since = _first_change(git, commit, head, sorted(set(touched)))
        if since:
            lines.append(
                _("  first changed by: {subject} ({date})").format(subject=since[0], date=since[1])
            )
        return Verdict(True, False, lines)


def _board_of(
    then: snapshot.Snapshot, code: board_rules.Code, check: str, commit: str
) -> tuple[board_rules.Code, render.Board]:
    """The board a sheet's code names, as printed from ``then``: of one audience, when
    the code says so, tried for each of the office's audiences until one fits."""
    if not code.audience:
        return code, render.build_board(then, scope=code.scope, on=code.on)
    printed = None
    for key in then.settings.audiences:
        named = replace(code, audience=key)
        printed = render.build_board(then, scope=code.scope, on=code.on, audience=key)
        sheet = _find(printed.sheets, named)
        if sheet is not None and named.check(sheet.content_key(), commit) == check:
            return named, printed
    if printed is None:  # the office names no audience: no such sheet
        return code, render.build_board(then, scope=code.scope, on=code.on)
    return code, printed


def _verify_bulletin(
    office: Office,
    git: GitStore,
    then: snapshot.Snapshot,
    code: board_rules.Code,
    check: str,
    quarter: Quarter,
) -> Verdict:
    """A bulletin's code: the bulletin of that quarter, as printed on that day from
    that commit, and whether the quarter's bulletin today still says the same."""
    printed = render.build_bulletin(then, period=quarter, scope=code.scope, issued=code.on)
    for key in then.settings.audiences if code.audience else ():
        # a code that names one audience, not which: the bulletin of each, until one fits
        code = replace(code, audience=key)
        printed = render.build_bulletin(
            then, period=quarter, scope=code.scope, issued=code.on, audience=key
        )
        if code.check(printed.data.content_key(), then.commit) == check:
            break
    if code.check(printed.data.content_key(), then.commit) != check:
        return Verdict(
            False,
            False,
            [
                _("not genuine: this office never printed such a bulletin on {date}").format(
                    date=code.on.isoformat()
                )
            ],
        )
    broken = _broken(office, git, then.commit, {s.id for s in printed.data.published})
    if broken is not None:
        return Verdict(False, False, [broken])
    lines = [
        _(
            "genuine: the {scope} bulletin of {quarter}, printed from commit {commit} ({date}) "
            "on {on}, {n} records"
        ).format(
            scope=scope_term(code.scope, code.audience, then.settings.audiences),
            quarter=str(quarter),
            commit=then.commit[:10],
            date=then.when.date().isoformat(),
            on=code.on.isoformat(),
            n=len(printed.data.published),
        )
    ]
    now = render.build_bulletin(
        snapshot.at(office, git),
        period=quarter,
        scope=code.scope,
        issued=_today(office),
        audience=code.audience or None,
    )
    if now.data.content_key() == printed.data.content_key():
        lines.append(_("current: the bulletin of the quarter printed today says the same"))
        return Verdict(True, True, lines)
    lines.append(_("superseded: the bulletin of the quarter printed today differs"))
    was = {(s.id, s.content, s.status) for s in printed.data.published}
    differs = {s.id for s in now.data.published if (s.id, s.content, s.status) not in was}
    gone = {s.id for s in printed.data.published} - {s.id for s in now.data.published}
    for record_id in sorted(differs):
        lines.append(_("  changed or added: {id}").format(id=record_id))
    for record_id in sorted(gone):
        lines.append(_("  taken off: {id}").format(id=record_id))
    return Verdict(True, False, lines)


def _verify_circular(
    office: Office, git: GitStore, commit: str, head: str, code: board_rules.Code, check: str
) -> Verdict:
    """A circular's code: the circular of that number, as issued by that commit, and
    whether it still stands (its file as it was; none of its records withdrawn)."""
    year, number = code.on.year, code.page
    issued = circulars.at(git, commit).get((year, number))
    if issued is None or code.check(issued.content_key(), commit) != check:
        return Verdict(
            False,
            False,
            [
                _("not genuine: this office issued no such circular on {date}").format(
                    date=code.on.isoformat()
                )
            ],
        )
    if git.added_by(commit, issued.path) != commit:
        return Verdict(
            False,
            False,
            [
                _("not genuine: circular {n} of {year} was not issued by that commit").format(
                    n=number, year=year
                )
            ],
        )
    broken = _broken(office, git, commit, {i for i, _c in issued.records})
    if broken is not None:
        return Verdict(False, False, [broken])
    settings = snapshot.at(office, git, commit).settings
    lines = [
        _("genuine: circular {label}, {title}, issued {date} by commit {commit}").format(
            label=circular_rules.label(settings.circular_prefix, year, number),
            title=issued.title,
            date=issued.issued.isoformat(),
            commit=commit[:10],
        )
    ]
    lines += [f"  {record_id}" for record_id, _c in issued.records]
    now = snapshot.at(office, git, head)
    standing = {s.id: s for s in now.summaries()}
    gone = [
        i for i, _c in issued.records if (standing.get(i) and standing[i].status == "withdrawn")
    ]
    still = circulars.at(git, head).get((year, number))
    if still == issued and not gone:
        lines.append(_("current: the circular stands, and none of its records was withdrawn"))
        return Verdict(True, True, lines)
    lines.append(_("superseded: the circular does not stand as it was issued"))
    for record_id in gone:
        lines.append(_("  withdrawn since: {id}").format(id=record_id))
    return Verdict(True, False, lines)


def _verify_manuscript(
    office: Office,
    git: GitStore,
    then: snapshot.Snapshot,
    head: str,
    code: board_rules.Code,
    check: str,
) -> Verdict:
    """A manuscript's code: which record, as written from that commit for that paper,
    and whether the record still says the same."""
    settings = then.settings
    paper = settings.channels.get(manuscripts.CHANNEL) or _("the newspaper")
    found = [
        s
        for s in manuscripts.named(code, then.summaries())
        if s.status == "published"
        and manuscripts.CHANNEL in s.published_channels
        and code.check(manuscripts.content_key(s, paper, settings.unit), then.commit) == check
    ]
    if not found:
        return Verdict(
            False,
            False,
            [
                _("not genuine: this office wrote no such manuscript on {date}").format(
                    date=code.on.isoformat()
                )
            ],
        )
    record = found[0]
    broken = _broken(office, git, then.commit, {record.id})
    if broken is not None:
        return Verdict(False, False, [broken])
    lines = [
        _(
            "genuine: a manuscript of {id} {title} for {paper}, written {on} from commit {commit}"
        ).format(
            id=record.id,
            title=record.title,
            paper=paper,
            on=code.on.isoformat(),
            commit=then.commit[:10],
        )
    ]
    now = {s.id: s for s in snapshot.at(office, git, head).summaries()}.get(record.id)
    if now is not None and now.status == "published" and now.content == record.content:
        lines.append(_("current: the record still says the same"))
        return Verdict(True, True, lines)
    lines.append(_("superseded: the record has changed or was withdrawn since"))
    return Verdict(True, False, lines)


def _verify_meeting(
    office: Office, git: GitStore, commit: str, head: str, code: board_rules.Code, check: str
) -> Verdict:
    """A meeting's notice or minutes: the meeting of that number as the commit left it."""
    held = meetings.at(git, commit)
    found = [
        (meeting, part)
        for year in (code.on.year, code.on.year - 1, code.on.year + 1)
        if (meeting := held.get((year, code.page))) is not None
        for part in PARTS
        if code.check(meeting.content_key(part), commit) == check
    ]
    if not found:
        return Verdict(
            False,
            False,
            [
                _("not genuine: this office printed no such meeting paper on {date}").format(
                    date=code.on.isoformat()
                )
            ],
        )
    meeting, part = found[0]
    what = _("the minutes") if part == "minutes" else _("the notice")
    lines = [
        _(
            "genuine: {what} of meeting {year}-{n}, {title}, held {when}, from commit {commit}"
        ).format(
            what=what,
            year=meeting.year,
            n=meeting.number,
            title=meeting.title,
            when=meeting.when.isoformat(timespec="minutes"),
            commit=commit[:10],
        )
    ]
    now = meetings.at(git, head).get((meeting.year, meeting.number))
    if now is not None and now.content_key(part) == meeting.content_key(part):
        lines.append(_("current: the meeting's file says the same today"))
        return Verdict(True, True, lines)
    lines.append(_("superseded: the meeting's file says something else today"))
    return Verdict(True, False, lines)


def _broken(office: Office, git: GitStore, commit: str, shown: set[str]) -> str | None:
    """Why a sheet cannot be vouched for: the audit finds a violation in the history of
    a record it shows, up to the commit it was printed from [SPEC 11]."""

    for violation in auditing.audit(office).violations:
        if violation.record not in shown:
            continue
        if violation.commit == commit or git.is_ancestor(violation.commit, commit):
            return _(
                "not genuine: {id} on this sheet was printed from a history that breaks the "
                "rules (commit {commit}: {rule}); 'dangwu audit' shows it"
            ).format(id=violation.record, commit=violation.commit[:10], rule=violation.rule)
    return None


def _find(sheets: list[board_rules.Sheet], code: board_rules.Code) -> board_rules.Sheet | None:
    for sheet in sheets:
        if sheet.code == code.category_code and sheet.page == code.page:
            return sheet
    return None


BOARD_STEPS = frozenset({"publish", "withdraw"})


def _first_change(git: GitStore, since: str, head: str, paths: list[str]) -> tuple[str, str] | None:
    if not paths:
        return None
    step_of = f"%(trailers:key={Trailer.STEP},valueonly,separator=%x2C)"
    for fields in git.log_fields(f"{since}..{head}", paths, ["%aI", step_of, "%s"]):
        stamp, step, subject = [*fields, "", ""][:3]
        # drafting and deciding leave the board as it was; a publication, a
        # withdrawal or a commit made with plain git is what changes it
        if step.strip() in BOARD_STEPS or not step.strip():
            return subject, stamp[:10]
    return None
