"""Setting up an office: ``init``, and changing the roster [SPEC section 3]."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dangwu import clock, i18n, yamlio
from dangwu.app import keys
from dangwu.check.settings import parse_settings
from dangwu.errors import DangwuError, IdentityError, RuleViolation, UsageError
from dangwu.i18n import N_, _, speaking
from dangwu.model.fingerprint import SSH_KEY, well_formed
from dangwu.model.history import Trailer
from dangwu.model.office import (
    DRAFTING_ROLES,
    ID_BLOCKS,
    ROLE_TITLES,
    ROLES,
    ROSTER_ROLES,
    SETTINGS_FILE,
    Person,
)
from dangwu.model.words import one_of, suggest
from dangwu.store.acting import acting, message
from dangwu.store.gitstore import GitStore, Identity, init_repository
from dangwu.store.office import Office
from dangwu.store.signing import public_key_of

# What dangwu prints goes to printed/; it is made from commits, so it is not committed.
GITIGNORE = "# made by dangwu board / bulletin from the committed records\n/printed/\n"
KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^#:]*$")


def yaml_text(value: str) -> str:
    """A scalar for a hand-made YAML file: plain when safe, else double-quoted."""
    if (
        _PLAIN.match(value)
        and value == value.strip()
        and not re.match(r"^(?:true|false|null|~|yes|no|on|off|[-+.\d].*)$", value, re.IGNORECASE)
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def check_key(key: str) -> str:
    if not KEY_RE.match(key):
        raise UsageError(
            _("'{key}' is not a valid roster key").format(key=key),
            hint=_(
                "use lower-case ASCII letters, digits, '-' or '_', starting with a letter "
                "(e.g. the person's name in pinyin: zhangxp)"
            ),
        )
    return key


def check_roles(roles: Sequence[str]) -> tuple[str, ...]:
    if not roles:
        raise UsageError(
            _("give at least one --role"), hint=_("roles: {roles}").format(roles=", ".join(ROLES))
        )
    return tuple(dict.fromkeys(one_of("--role", role, ROLE_TITLES) for role in roles))


def key_from_email(email: str) -> str:
    local = email.split("@")[0].lower()
    key = re.sub(r"[^a-z0-9_-]+", "-", local).strip("-_")
    if not key or not key[0].isalpha():
        key = "p" + key
    return key[:32]


def settings_template(
    unit: str, person: Person, *, signing: bool = True, language: str = "zh_CN"
) -> str:
    """A new office's dangwu.yaml, its comments in the office's language."""
    q = yaml_text
    sign = "true" if signing else "false"
    with speaking(language):
        c = {
            "head": _("settings of the disclosure office (党务公开)"),
            "language": _("the office's language: what dangwu says to everyone in it"),
            "contact": _("监督电话、举报方式: printed at the foot of every sheet"),
            "channels": _("which newspaper, portal and website the office publishes in"),
            "pre": _("comment window of a pre-disclosure (calendar days, at least 15)"),
            "timely": _("a timely matter is published within this many days"),
            "quarterly": _("quarterly updates are out by the quarter's end plus this many days"),
            "report": _("a real-name report is answered within this many days"),
            "request": _("a request for disclosure is answered within this many working days"),
            "extended": _("... or this many, once extended with a reason"),
            "term": _("a supervisor serves terms of this many years"),
            "quiet": _("a follow-up chain is due again after this many days"),
            "recent": _("timely and follow-up records stay on the board this long"),
            "count": _("working (China's holiday calendar) or calendar days"),
            "sign": _("the leading group's acts and publications are signed with one's own key"),
            "merges": _("the history is one straight line (dangwu sync rebases)"),
            "skew": _("how far computers' clocks may disagree"),
            "roster": _(
                "the leading group and its office (党务公开领导小组及其办公室): who may do what"
            ),
        }
    return f"""\
# {c["head"]}
unit: {q(unit)}
# {c["language"]}
language: {language}
board_title: 党务公开栏
# {c["contact"]}
contact: ""
# {c["channels"]} [seed 三(一)]
channels:
  meeting: 党务公开会议
  circular: 党务公开信息
  internal-board: 内部党务公开栏
  intranet: 单位内部网
  newspaper: 报纸
  city-portal: 市公众信息网
  website: 单位对外网站
  public-board: 对外党务公开栏
rules:
  pre_disclosure_days: 15     # {c["pre"]}
  timely_days: 20             # {c["timely"]}
  quarterly_days: 0           # {c["quarterly"]}
  report_answer_days: 15      # {c["report"]}
  request_answer_days: 3      # {c["request"]}
  request_extended_days: 10   # {c["extended"]}
  supervisor_term_years: 2    # {c["term"]}
  follow_up_quiet_days: 90    # {c["quiet"]}
  board_recent_days: 90       # {c["recent"]}
  day_count: working          # {c["count"]}
  require_signing: {sign:<10} # {c["sign"]}
  allow_merges: false         # {c["merges"]}
  clock_skew_minutes: 10      # {c["skew"]}
# {c["roster"]} [seed 六]
roster:
  {person.key}:
    name: {q(person.name)}
{f"    title: {q(person.title)}" + chr(10) if person.title else ""}\
    email: {q(person.email)}
    roles: [{", ".join(person.roles)}]
{f"    signing_key: {person.signing_key}" + chr(10) if person.signing_key else ""}\
    id_block: {person.id_block}
"""


# the languages an office may speak, with the names people give them
LANGUAGES = {"zh_CN": (N_("Chinese"), "中文"), "en": (N_("English"), "英文")}


@dataclass
class Initialised:
    root: Path
    person: Person
    commit: str
    key: Path | None = None  # what git signs with in the new office
    made_key: bool = False  # the key was made now
    language: str = "zh_CN"  # the office's


def init_office(
    path: Path,
    *,
    unit: str,
    key: str | None = None,
    name: str | None = None,
    title: str | None = None,
    signing: bool = True,
    signing_key: Path | None = None,
    language: str | None = None,
) -> Initialised:
    """Create an office repository whose roster holds the person running it as office head.
    The leading group's acts, publications and changes to the roster must be signed
    unless ``signing`` is off [SPEC 11]: the office head's key (``signing_key``, else one
    made now) is in the roster from the start, so every later change can be proven
    theirs."""
    unit = unit.strip()
    if not unit:
        raise UsageError(_("--unit must name the unit, e.g. --unit 江城市司法局"))
    root = Path(os.path.normpath(path.absolute()))  # ../sibling is a sibling, not inside
    office_language = i18n.language()
    if language:
        office_language = i18n.known_language(language) or one_of("--lang", language, LANGUAGES)
    if (root / SETTINGS_FILE).exists():
        raise RuleViolation(
            _("{path} is already an office repository (it has a dangwu.yaml)").format(path=root)
        )
    if root.exists() and not root.is_dir():
        raise UsageError(_("{path} is not a folder").format(path=root))
    made_folder, made_repository = not root.exists(), False
    if not (root / ".git").exists():
        inside = _enclosing_repository(root)
        if inside is not None:
            raise UsageError(
                _(
                    "{path} is inside the git repository {repo}; an office needs a repository "
                    "of its own"
                ).format(path=root, repo=inside),
                hint=_("choose a folder outside it"),
            )
        init_repository(root)
        made_repository = True
    try:
        office = Office(root)
        with GitStore(root, office.state_dir) as store, store.writing():
            identity = store.identity()
            person_name = (name or identity.name or "").strip()
            if not person_name:
                raise IdentityError(
                    _("git does not know your name"),
                    hint=_("run: git config --global user.name 'Your Name', or pass --name"),
                )
            person = Person(
                key=check_key(key or key_from_email(identity.email)),
                name=person_name,
                email=identity.email,
                roles=("office-head",),
                title=title,
                id_block=1,
            )
            key_path, made = (None, False)
            if signing:
                key_path, made, public = _founders_key(person, identity.email, signing_key)
                person = dataclasses.replace(person, signing_key=public)
            text = settings_template(unit, person, signing=signing, language=office_language)
            parse_settings(text, SETTINGS_FILE, root)  # never write a file we would refuse
            when = clock.now()
            msg = message("init", unit, actor=person)
            author = Identity(name=person.name, email=identity.email)
            changes = {SETTINGS_FILE: text.encode("utf-8")}
            if not (root / ".gitignore").exists():
                changes[".gitignore"] = GITIGNORE.encode("utf-8")
            if store.head() is None:
                commit = store.make_root_commit(changes, msg, author=author, when=when)
            else:
                commit = store.commit(changes, msg, author=author, when=when)
            if key_path is not None:
                store.set_config("gpg.format", "ssh", local=True)
                store.set_config("user.signingkey", str(key_path), local=True)
        return Initialised(root, person, commit, key_path, made, office_language)
    except BaseException:
        # nothing is left of an office that could not be founded: no empty repository
        # that the next try would take for one the user made
        if made_repository:
            shutil.rmtree(root / ".git", ignore_errors=True)
        if made_folder:
            with contextlib.suppress(OSError):
                root.rmdir()  # only if empty
        raise


def _founders_key(person: Person, email: str, given: Path | None) -> tuple[Path, bool, str]:
    """The office head's signing key: the one given, or theirs from 'dangwu key', or a
    new one. Returns (path git signs with, made now, public key line)."""

    path = (given or keys.default_path(person.key)).expanduser().absolute()
    made = False
    if not path.exists():
        if given is not None:
            raise UsageError(_("{path} does not exist").format(path=path))
        try:
            keys.generate(path, f"{email} dangwu", ask_passphrase=False)
        except DangwuError as exc:
            raise DangwuError(
                exc.message,
                hint=_(
                    "a new office signs its approvals and changes to its roster: install "
                    "openssh-client, or create the office with --no-signing"
                ),
            ) from None
        made = True
    public = public_key_of(str(path))
    if public is None:
        raise UsageError(_("{path} is not an SSH key").format(path=path))
    return path, made, " ".join(public.split()[:2])


def _enclosing_repository(path: Path) -> Path | None:
    for parent in path.parents:
        if (parent / ".git").exists():
            return parent
    return None


def read_signing_key(value: str | None) -> str | None:
    """A public key given as text or as the path of a .pub file."""
    if value is None:
        return None
    text = value.strip()
    candidate = Path(text).expanduser()
    if len(text) < 4096 and "\n" not in text and candidate.is_file():
        text = candidate.read_text(encoding="utf-8").strip()
    line = text.splitlines()[0] if text else ""
    if well_formed(line):
        return line
    if " " not in text and ("/" in text or text.endswith(".pub")) and not candidate.exists():
        raise UsageError(
            _("no such signing key file: {path}").format(path=candidate),
            hint=_("give the .pub file, e.g. --signing-key ~/.ssh/id_ed25519.pub"),
        )
    if SSH_KEY.match(line):
        raise UsageError(
            _("the signing key names its type but is not a key of that type: {start}…").format(
                start=line[:30]
            ),
            hint=_("copy the whole line of the .pub file, or give its path"),
        )
    raise UsageError(
        _("the signing key is neither an SSH public key nor a GPG key id"),
        hint=_("give the .pub file, e.g. --signing-key ~/.ssh/id_ed25519.pub"),
    )


def _free_block(roster: dict[str, dict[str, object]]) -> int:
    used = {p.get("id_block") for p in roster.values() if isinstance(p, dict)}
    for block in ID_BLOCKS:
        if block not in used:
            return block
    raise RuleViolation(
        _("all nine id blocks are taken by people on the roster"),
        hint=_("remove someone who has left; their block is then free again"),
    )


def add_person(
    office: Office,
    *,
    key: str,
    name: str,
    email: str,
    roles: Sequence[str],
    title: str | None = None,
    signing_key: str | None = None,
    account: str | None = None,
    term_start: date | None = None,
    term_end: date | None = None,
) -> Person:
    """Add a person to the roster; a supervisor's term starts today unless said."""
    from ruamel.yaml.comments import CommentedMap

    key = check_key(key)
    if account is not None:
        account = check_account(account)
    role_list = check_roles(roles)
    name = name.strip()
    email = email.strip()
    if not name:
        raise UsageError(_("--name must not be empty"))
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
        raise UsageError(_("'{email}' is not an email address").format(email=email))
    public_key = read_signing_key(signing_key)
    with acting(office, "roster") as act:
        if key in act.settings.roster:
            raise RuleViolation(
                _("'{key}' is already on the roster ({name})").format(
                    key=key, name=act.settings.roster[key].name
                )
            )
        same = act.settings.person_by_email(email)
        if same is not None:
            raise RuleViolation(
                _("{email} already belongs to '{key}' ({name})").format(
                    email=email, key=same.key, name=same.name
                )
            )
        text = _committed_text(act.store, act.head)
        data = yamlio.load_round_trip(text)
        entry = CommentedMap()
        entry["name"] = name
        if title:
            entry["title"] = title
        entry["email"] = email
        entry["roles"] = yamlio.flow_list(list(role_list))
        if public_key:
            entry["signing_key"] = public_key
        if account:
            entry["account"] = account
        if "supervisor" in role_list:
            entry["term_start"] = (term_start or act.when.date()).isoformat()
            if term_end is not None:
                entry["term_end"] = term_end.isoformat()
        elif term_start is not None or term_end is not None:
            raise UsageError(_("only supervisors serve terms: --term-start and --term-end"))
        if DRAFTING_ROLES.intersection(role_list):
            entry["id_block"] = _free_block(data["roster"])
        data["roster"][key] = entry
        new_text = yamlio.dump_round_trip(data)
        person = parse_settings(new_text, SETTINGS_FILE, office.root).roster[key]
        act.commit(
            {SETTINGS_FILE: new_text.encode("utf-8")},
            sign=act.signing(),
            message=message(
                "roster add",
                f"{key} {name} ({', '.join(role_list)})",
                actor=act.actor,
                extra=[(Trailer.PERSON, key)],
            ),
        )
    return person


def remove_person(office: Office, *, key: str) -> Person:
    with acting(office, "roster") as act:
        person = act.settings.roster.get(key)
        if person is None:
            raise RuleViolation(
                _("'{key}' is not on the roster").format(key=key),
                hint=suggest(key, list(act.settings.roster)) or _("see: dangwu roster list"),
            )
        others = [
            p
            for p in act.settings.roster.values()
            if p.key != key and ROSTER_ROLES.intersection(p.roles)
        ]
        if not others:
            raise RuleViolation(
                _(
                    "{name} is the last person who may change the roster; add another leader or "
                    "office head first"
                ).format(name=person.name)
            )
        text = _committed_text(act.store, act.head)
        data = yamlio.load_round_trip(text)
        del data["roster"][key]
        new_text = yamlio.dump_round_trip(data)
        parse_settings(new_text, SETTINGS_FILE, office.root)
        act.commit(
            {SETTINGS_FILE: new_text.encode("utf-8")},
            sign=act.signing(),
            message=message(
                "roster remove",
                f"{key} {person.name}",
                actor=act.actor,
                extra=[(Trailer.PERSON, key)],
            ),
        )
    return person


ACCOUNT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")


def check_account(account: str) -> str:
    account = account.strip()
    if not ACCOUNT_RE.match(account):
        raise UsageError(
            _("'{account}' is not a server account name").format(account=account),
            hint=_("the name the person logs in to the git server with, e.g. zhangxp"),
        )
    return account


def change_person(
    office: Office,
    *,
    key: str,
    title: str | None = None,
    signing_key: str | None = None,
    account: str | None = None,
    term_start: date | None = None,
    term_end: date | None = None,
) -> tuple[Person, list[str]]:
    """Change what the roster says of a person: title, signing key, server account, a
    supervisor's term. Returns the person as changed and what changed, one line each."""
    public_key = read_signing_key(signing_key)
    if account is not None:
        account = check_account(account)
    given = (title, public_key, account, term_start, term_end)
    if all(value is None for value in given):
        raise UsageError(
            _("say what to change: --title, --signing-key, --account, --term-start or --term-end")
        )
    with acting(office, "roster") as act:
        before = act.settings.roster.get(key)
        if before is None:
            raise RuleViolation(
                _("'{key}' is not on the roster").format(key=key),
                hint=suggest(key, list(act.settings.roster)) or _("see: dangwu roster list"),
            )
        text = _committed_text(act.store, act.head)
        data = yamlio.load_round_trip(text)
        entry = data["roster"][key]
        changes = []
        fields = (
            ("title", title),
            ("signing_key", public_key),
            ("account", account),
            ("term_start", term_start.isoformat() if term_start else None),
            ("term_end", term_end.isoformat() if term_end else None),
        )
        for field, value in fields:
            if value is None or str(entry.get(field) or "") == value:
                continue
            changes.append(f"{field}: {entry.get(field) or '-'} -> {value}")
            entry[field] = value
        if not changes:
            raise RuleViolation(
                _("the roster already says so of {name} ({key})").format(name=before.name, key=key)
            )
        new_text = yamlio.dump_round_trip(data)
        settings = parse_settings(new_text, SETTINGS_FILE, office.root)
        act.commit(
            {SETTINGS_FILE: new_text.encode("utf-8")},
            sign=act.signing(),
            message=message(
                "roster set",
                f"{key} {before.name}",
                actor=act.actor,
                body=changes,
                extra=[(Trailer.PERSON, key)],
            ),
        )
    return settings.roster[key], changes


def _committed_text(store: GitStore, head: str) -> str:
    raw = store.blob(head, SETTINGS_FILE)
    if raw is None:  # acting() has already refused this case
        raise DangwuError(_("dangwu.yaml is not committed"))
    return yamlio.decode(raw)
