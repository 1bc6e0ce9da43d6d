"""What the office owes, and by when [SPEC 6, seed 三(二) and 五]. Pure: the office's
records and reports in, a list of obligations out, the overdue ones first.

* a quarterly item's update for each quarter (常规工作每季度末更新一次), due at the
  quarter's end plus the office's ``quarterly_days``;
* a timely matter not yet published (重大事项……要及时公开), due ``timely_days`` after
  the matter's date;
* a follow-up chain gone quiet (重要工作进展情况……应跟踪公开), due
  ``follow_up_quiet_days`` after its last publication, until a final report ends it;
* a pre-disclosure whose comment window has closed (调整形成正式方案后及时公开), its
  formal plan due ``timely_days`` after the window;
* a real-name report not yet answered (实名举报反馈), due ``report_answer_days`` after
  it came in. An anonymous report owes nobody an answer;
* a request for disclosure not yet settled (依申请公开), due ``request_answer_days``
  working days after it came in, or ``request_extended_days`` once extended;
* a supervisor's term ending within the next quarter (or ended while they are still
  on the roster as a supervisor), due on its last day;
* the catalogue's items with nothing disclosed in the year so far (党务公开目录: every
  item is disclosed), one line, due at the year's end;
* where the office sets ``artefact_days``, the artefact of a record published on the
  circular or meeting channel (印发党务公开信息, 召开党务公开会议): a circular that
  carries what was published, or a meeting with the record among its matters whose
  minutes were taken, due ``artefact_days`` after the publication.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from dangwu.errors import DangwuError
from dangwu.i18n import N_, _, ngettext
from dangwu.model.catalogue import Catalogue, Item
from dangwu.model.office import Person
from dangwu.model.record import Summary
from dangwu.model.supervision import Report, Request
from dangwu.model.words import in_our_years
from dangwu.rules.requests import answer_due
from dangwu.rules.schedule import Quarter, quarterly_due
from dangwu.rules.terms import term_end
from dangwu.rules.workdays import Calendar

# how far back the quarterly updates a series missed are still listed
LOOKBACK_QUARTERS = 4
DONE = frozenset({"published", "withheld"})  # a decision not to publish discharges it
CLOSED = frozenset({"published", "withdrawn", "withheld"})
REVISING = frozenset({"consulting", "draft", "submitted", "decided", "approved"})

# kind -> (the seed's section, its words, the rule in English)
RULES: dict[str, tuple[str, str, str]] = {
    "quarterly": (
        "三(二)",
        "常规工作每季度末更新一次",
        N_("regular work is updated at the end of every quarter"),
    ),
    "timely": (
        "三(二)",
        "重大事项及群众关心的热点问题处理情况要及时公开",
        N_("major matters and hot issues are disclosed promptly"),
    ),
    "follow-up": (
        "三(二)",
        "重要工作进展情况、重要事项的办理及落实结果应跟踪公开",
        N_("the progress of important work is followed up until it is done"),
    ),
    "formal-plan": (
        "五",
        "在充分听取群众意见后……调整形成正式方案后及时公开",
        N_("after the comment window the formal plan is published promptly"),
    ),
    "report": (
        "五",
        "对署真实姓名举报……视情况将处理结果告知举报人",
        N_("a real-name report is dealt with and the reporter told"),
    ),
    "request": (
        "五",
        "保障人民群众享有更多的知情权和监督权",
        N_("a request for disclosure is answered in time, or refused with reasons"),
    ),
    "term": (
        "五",
        "实行党务公开监督员制度……聘请一定数量的党务公开监督员",
        N_("a supervisor's term ends: renew it, or appoint someone else"),
    ),
    "catalogue": (
        "二",
        "党务公开的主要内容",
        N_("every item of the disclosure catalogue is disclosed in the year"),
    ),
    "circular": (
        "三(一)",
        "印发党务公开信息",
        N_("what is published by circular goes out as a circular"),
    ),
    "meeting": (
        "三(一)",
        "召开党务公开会议",
        N_("what is published at a meeting is disclosed at one, and minuted"),
    ),
}
KIND_TITLES = {
    "quarterly": (N_("quarterly update"), "季度更新"),
    "timely": (N_("timely matter"), "及时公开"),
    "follow-up": (N_("follow-up"), "跟踪公开"),
    "formal-plan": (N_("formal plan"), "正式方案"),
    "report": (N_("real-name report"), "实名举报"),
    "request": (N_("request for disclosure"), "依申请公开"),
    "term": (N_("supervisor's term"), "监督员任期"),
    "catalogue": (N_("catalogue items not disclosed"), "目录事项未公开"),
    "circular": (N_("circular not issued"), "待印发"),
    "meeting": (N_("meeting not held"), "待会议公开"),
}
# the channel whose artefact each kind is
ARTEFACT_CHANNELS = {"circular": "circular", "meeting": "meeting"}


@dataclass(frozen=True)
class Papers:
    """The artefacts the office has produced: what each circular carried (record id ->
    the contents it went out with) and the records among the matters of a meeting
    whose minutes were taken."""

    circulated: Mapping[str, frozenset[str]]
    minuted: frozenset[str]


@dataclass(frozen=True)
class Owed:
    """One thing the office owes."""

    kind: str
    subject: str  # the record id, or "report 101", or the item and quarter
    title: str
    due: date
    since: date  # what the deadline counts from
    record: str | None = None
    report: int | None = None  # a report's or a request's number
    status: str | None = None  # the record in hand, if any
    item: str | None = None  # a quarterly update's item and quarter, in the catalogue's words

    def overdue(self, today: date) -> bool:
        return self.due < today

    def late_by(self, today: date) -> int:
        """Calendar days past the due date (0 when not overdue)."""
        return max(0, (today - self.due).days)


@dataclass(frozen=True)
class Due:
    today: date
    owed: list[Owed]
    guessed_years: tuple[int, ...]  # years the holiday calendar did not know

    @property
    def overdue(self) -> list[Owed]:
        return [o for o in self.owed if o.overdue(self.today)]


def owed(
    summaries: Iterable[Summary],
    reports: Iterable[Report],
    *,
    today: date,
    calendar: Calendar,
    catalogue: Catalogue,
    papers: Papers | None = None,
    requests: Iterable[Request] = (),
    roster: Mapping[str, Person] | None = None,
) -> Due:
    """Everything the office owes on ``today``: overdue first, then by due date.
    ``papers``: the circulars and minutes so far, where the office tracks them;
    ``roster``: the people, whose supervisors' terms end."""
    every = list(summaries)
    found: list[Owed] = []
    found += _quarterly(every, today, calendar, catalogue)
    found += _timely(every, calendar, catalogue)
    found += _follow_ups(every, today, calendar, catalogue)
    found += _formal_plans(every, today, calendar)
    found += _reports(reports, calendar)
    found += _requests(requests, calendar)
    found += _terms(roster or {}, today, calendar)
    found += _silent(every, catalogue, today)
    if papers is not None and calendar.rules.artefact_days is not None:
        found += _artefacts(every, today, papers, calendar, calendar.rules.artefact_days)
    found.sort(key=lambda o: (not o.overdue(today), o.due, o.kind, o.subject))
    return Due(today, found, tuple(sorted(calendar.guessed)))


def _quarterly(
    every: Sequence[Summary], today: date, calendar: Calendar, catalogue: Catalogue
) -> list[Owed]:
    series: dict[tuple[str, str], list[tuple[Quarter, Summary]]] = {}
    for s in every:
        if s.cadence != "quarterly" or not s.period:
            continue
        try:
            period = Quarter.parse(s.period)
        except DangwuError:  # a malformed period is validate's to report
            continue
        series.setdefault((s.category, s.item), []).append((period, s))
    current = Quarter.of(today)
    earliest = current
    for _n in range(LOOKBACK_QUARTERS):
        earliest = earliest.previous
    out: list[Owed] = []
    for (category, item), members in sorted(series.items()):
        first = min(p for p, _s in members)
        if first > current:
            continue
        period = max(first, earliest)
        while period <= current:
            mine = [s for p, s in members if p == period]
            done = any(
                s.status in DONE and (s.published_on is None or s.published_on <= today)
                for s in mine
            )
            if not done:
                in_hand = next((s for s in mine if s.status not in CLOSED), None)
                out.append(
                    Owed(
                        "quarterly",
                        in_hand.id
                        if in_hand
                        else f"{_item_code(catalogue, category, item)} {period}",
                        in_hand.title
                        if in_hand
                        else f"{_item_title(catalogue, category, item)} {period.zh}",
                        quarterly_due(period, calendar, catalogue.days_of(category, item)),
                        period.end,
                        record=in_hand.id if in_hand else None,
                        status=in_hand.status if in_hand else None,
                        item=f"{_item_title(catalogue, category, item)} {period.zh}",
                    )
                )
            period = period.next
    return out


def _timely(every: Sequence[Summary], calendar: Calendar, catalogue: Catalogue) -> list[Owed]:
    out = []
    for s in every:
        if s.cadence != "timely" or s.status in CLOSED or s.consulted or not s.event_date:
            continue
        try:
            since = date.fromisoformat(s.event_date)
        except ValueError:
            continue
        if not in_our_years(since.year):  # 9999-12-31 by hand: validate names it
            continue
        out.append(
            Owed(
                "timely",
                s.id,
                s.title,
                calendar.deadline(since, _days(catalogue, s, calendar.rules.timely_days)),
                since,
                record=s.id,
                status=s.status,
            )
        )
    return out


def _follow_ups(
    every: Sequence[Summary], today: date, calendar: Calendar, catalogue: Catalogue
) -> list[Owed]:
    """Chains of records joined by ``follows`` with at least one follow-up among them."""
    by_id = {s.id: s for s in every}
    parent: dict[str, str] = {}

    def root(record_id: str) -> str:
        seen = []
        while parent.get(record_id, record_id) != record_id:
            seen.append(record_id)
            record_id = parent[record_id]
        for node in seen:
            parent[node] = record_id
        return record_id

    for s in every:
        parent.setdefault(s.id, s.id)
        if s.follows and s.follows in by_id:
            a, b = root(s.id), root(s.follows)
            if a != b:
                parent[a] = b
    chains: dict[str, list[Summary]] = {}
    for s in every:
        chains.setdefault(root(s.id), []).append(s)
    out = []
    for members in chains.values():
        if not any(s.cadence == "follow-up" for s in members):
            continue
        published = [
            s
            for s in members
            if s.status == "published" and s.published_on and s.published_on <= today
        ]
        if not published or any(s.final for s in published):
            continue
        latest = max(published, key=lambda s: (s.published or "", s.id))
        assert latest.published_on is not None
        in_hand = next(
            (s for s in sorted(members, key=lambda s: s.id) if s.status not in CLOSED),
            None,
        )
        shown = in_hand or latest
        out.append(
            Owed(
                "follow-up",
                shown.id,
                shown.title,
                calendar.deadline(
                    latest.published_on,
                    _days(catalogue, latest, calendar.rules.follow_up_quiet_days),
                ),
                latest.published_on,
                record=shown.id,
                status=in_hand.status if in_hand else None,
            )
        )
    return out


def _formal_plans(every: Sequence[Summary], today: date, calendar: Calendar) -> list[Owed]:
    out = []
    for s in every:
        closes = s.closes_on
        if not s.consulted or s.status not in REVISING or closes is None or today <= closes:
            continue
        out.append(
            Owed(
                "formal-plan",
                s.id,
                s.title,
                calendar.deadline(closes, calendar.rules.timely_days),
                closes,
                record=s.id,
                status=s.status,
            )
        )
    return out


def _reports(reports: Iterable[Report], calendar: Calendar) -> list[Owed]:
    out = []
    for r in reports:
        if not r.real_name or r.answer:
            continue
        out.append(
            Owed(
                "report",
                _("report {n}").format(n=r.number),
                _("about {id}").format(id=r.about),
                calendar.deadline(r.received, calendar.rules.report_answer_days),
                r.received,
                record=r.about,
                report=r.number,
            )
        )
    return out


def _requests(requests: Iterable[Request], calendar: Calendar) -> list[Owed]:
    return [
        Owed(
            "request",
            _("request {n}").format(n=r.number),
            _("about {id}").format(id=r.about) if r.about else _("request for disclosure"),
            answer_due(r, calendar),
            r.received,
            record=r.about,
            report=r.number,
            status=_("extended") if r.extended else None,
        )
        for r in requests
        if not r.answer
    ]


TERM_NOTICE_DAYS = 92  # a term's end is listed a quarter ahead


def _terms(roster: Mapping[str, Person], today: date, calendar: Calendar) -> list[Owed]:
    """Supervisors whose term ends within the next quarter, or has ended while they
    are still on the roster as supervisors."""
    out = []
    for person in roster.values():
        if not person.has("supervisor"):
            continue
        ends = term_end(person, calendar.rules)
        if ends is None or (ends - today).days > TERM_NOTICE_DAYS:
            continue
        started = person.term_start or ends
        out.append(
            Owed(
                "term",
                person.key,
                _("{name}: term ends {day}").format(name=person.name, day=ends.isoformat()),
                ends,
                started,
            )
        )
    return out


def unproduced(every: Iterable[Summary], papers: Papers, until: date) -> list[tuple[str, Summary]]:
    """Records published (by ``until``) on the circular or meeting channel whose circular
    was never issued with what was published, or whose meeting was never minuted: each
    with the kind of artefact it lacks."""
    out = []
    for s in every:
        published = s.published_on
        if s.status != "published" or published is None or published > until:
            continue
        for kind, channel in ARTEFACT_CHANNELS.items():
            if channel not in s.published_channels:
                continue
            if kind == "circular" and s.content in papers.circulated.get(s.id, frozenset()):
                continue
            if kind == "meeting" and s.id in papers.minuted:
                continue
            out.append((kind, s))
    return out


def _artefacts(
    every: Sequence[Summary], today: date, papers: Papers, calendar: Calendar, days: int
) -> list[Owed]:
    return [
        Owed(
            kind,
            s.id,
            s.title,
            calendar.deadline(s.published_on, days),
            s.published_on,
            record=s.id,
            status=s.status,
        )
        for kind, s in unproduced(every, papers, today)
        if s.published_on is not None
    ]


def _silent(every: Sequence[Summary], catalogue: Catalogue, today: date) -> list[Owed]:
    """One line for the catalogue's items with nothing disclosed this year so far: each
    is owed by the year's end."""
    silent = silent_items(every, catalogue, today.year, today)
    if not silent:
        return []
    codes = [i.code for i in silent]
    shown = " ".join(codes[:5]) + (" …" if len(codes) > 5 else "")
    return [
        Owed(
            "catalogue",
            str(today.year),
            ngettext("{n} item: {codes}", "{n} items: {codes}", len(silent)).format(
                n=len(silent), codes=shown
            ),
            date(today.year, 12, 31),
            date(today.year, 1, 1),
            item=" ".join(codes),
        )
    ]


def silent_items(
    summaries: Iterable[Summary], catalogue: Catalogue, year: int, as_of: date
) -> list[Item]:
    """The catalogue's items with no disclosure in ``year`` (up to ``as_of``), in its
    order: nothing of the item published (or put out for comment) that year, and, for
    a standing item, nothing published before it still in force when the year began."""
    start = date(year, 1, 1)
    spoken: set[tuple[str, str]] = set()
    for s in summaries:
        out = [d for d in (s.published_on, s.consulted_on) if d is not None and d <= as_of]
        this_year = any(d.year == year for d in out)
        in_force = (
            s.cadence == "standing"
            and s.published_on is not None
            and s.published_on < start
            and (s.withdrawn_on is None or s.withdrawn_on >= start)
        )
        if this_year or in_force:
            spoken.add((s.category, s.item))
    return [
        item
        for category in catalogue
        for item in category.items
        if (category.slug, item.slug) not in spoken
    ]


def _days(catalogue: Catalogue, s: Summary, default: int) -> int:
    own = catalogue.days_of(s.category, s.item)
    return default if own is None else own


def _item_code(catalogue: Catalogue, category: str, item: str) -> str:
    found = catalogue.item_of(category, item)
    return found.code if found else item


def _item_title(catalogue: Catalogue, category: str, item: str) -> str:
    found = catalogue.item_of(category, item)
    return found.zh if found else item
