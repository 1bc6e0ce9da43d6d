"""``dangwu doctor``: what a machine needs to work in an office, and how to fix each
thing that is missing. Each check says what it found; a failure says the command
that fixes it. Nothing here changes anything."""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import date

from dangwu.app.demo import DEMO_KEYS
from dangwu.errors import DangwuError
from dangwu.i18n import _, pair
from dangwu.model.office import ROLE_TITLES
from dangwu.render.typeset import FONT_PACKAGES, RARE, SANS, SERIF, cjk_fonts
from dangwu.resources import install_command
from dangwu.rules.workdays import _package_says
from dangwu.store.acting import committed_settings
from dangwu.store.gitstore import GitStore, configured_email, git_version
from dangwu.store.office import Office
from dangwu.store.signing import same_key

OK, WARN, FAIL = "ok", "warn", "fail"
GIT_NEEDED = (2, 30)  # commit-graph --changed-paths, GIT_CONFIG_COUNT


@dataclass(frozen=True)
class Check:
    status: str  # ok, warn or fail
    what: str
    found: str
    fix: str | None = None


def run(office: Office | None, today: date) -> list[Check]:
    checks = [_python(), _git()]
    identity = _identity(office)
    checks.append(identity[0])
    if office is not None:
        checks += _office(office, identity[1])
    checks += [_pdf(), _fonts(), _calendar(office, today)]
    return checks


def _python() -> Check:
    # dangwu would not have started on a Python older than 3.11: say which one it is
    return Check(OK, _("Python"), ".".join(str(n) for n in sys.version_info[:3]))


def _git() -> Check:
    out = git_version()
    if out is None:
        return Check(FAIL, _("git"), _("not installed"), _("install it: apt-get install git"))
    found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    if found is None:
        return Check(WARN, _("git"), out.strip() or "?")
    version = (int(found.group(1)), int(found.group(2)))
    if version < GIT_NEEDED:
        return Check(
            FAIL,
            _("git"),
            found.group(0),
            _("dangwu needs git {version} or later").format(version="2.30"),
        )
    return Check(OK, _("git"), found.group(0))


def _identity(office: Office | None) -> tuple[Check, str | None]:
    email = os.environ.get("GIT_AUTHOR_EMAIL")
    if not email:
        email = configured_email(office.root if office else None) or os.environ.get("EMAIL")
    if not email:
        return (
            Check(
                FAIL,
                _("git identity"),
                _("no user.email"),
                _("set it: git config --global user.email you@example.org"),
            ),
            None,
        )
    return Check(OK, _("git identity"), email), email


def _office(office: Office, email: str | None) -> list[Check]:

    checks: list[Check] = []
    try:
        with GitStore(office.root, office.state_dir) as git:
            head = git.require_head()
            settings = committed_settings(office, git, head)
            signing_key = git.config("user.signingkey")
            remotes = git.remotes()
    except DangwuError as exc:
        return [Check(FAIL, _("office"), str(exc), exc.hint)]
    checks.append(Check(OK, _("office"), f"{settings.unit} ({office.root})"))
    person = settings.person_by_email(email) if email else None
    if not email:
        checks.append(
            Check(
                FAIL,
                _("on the roster"),
                _("cannot tell: git does not know who you are"),
                _("set your git identity first (above)"),
            )
        )
    elif person is None:
        checks.append(
            Check(
                FAIL,
                _("on the roster"),
                _("{email} is not on the roster").format(email=email),
                _(
                    "ask an office head: dangwu roster add KEY --name NAME --email {email} ..."
                ).format(email=email),
            )
        )
    else:
        checks.append(
            Check(
                OK,
                _("on the roster"),
                f"{person.name} ({person.key}): "
                + _(", ").join(pair(ROLE_TITLES[r]) for r in person.roles if r in ROLE_TITLES),
            )
        )
    required = settings.rules.require_signing
    if person is not None and (required or person.signing_key):
        status = FAIL if required else WARN
        if not person.signing_key:
            checks.append(
                Check(
                    status,
                    _("signing key"),
                    _("the roster lists no key for you"),
                    _("make one (dangwu key) and give the office head the line it prints"),
                )
            )
        elif not signing_key:
            demo_key = office.state_dir / DEMO_KEYS / person.key
            checks.append(
                Check(
                    status,
                    _("signing key"),
                    _("git has no signing key set up"),
                    _("the sample office made your key: dangwu key --file {path}").format(
                        path=demo_key.relative_to(office.root)
                    )
                    if demo_key.exists()
                    else _("dangwu key --file PATH (the key whose .pub the roster lists)"),
                )
            )
        elif not same_key(signing_key, person.signing_key, root=office.root):
            checks.append(
                Check(
                    status,
                    _("signing key"),
                    _("{key} is not the key the roster lists for you").format(key=signing_key),
                    _("point git at the roster's key: dangwu key --file PATH"),
                )
            )
        elif shutil.which("ssh-keygen") is None:
            checks.append(
                Check(
                    status,
                    _("signing key"),
                    _("ssh-keygen is missing: git cannot sign with an SSH key"),
                    _("apt-get install openssh-client"),
                )
            )
        else:
            checks.append(Check(OK, _("signing key"), signing_key))
    checks.append(
        Check(OK, _("server"), ", ".join(remotes))
        if remotes
        else Check(WARN, _("server"), _("none"), _("to share the office: dangwu remote add URL"))
    )
    return checks


def _pdf() -> Check:
    try:
        import typst
    except ImportError:
        return Check(
            WARN,
            _("PDF (Typst)"),
            _("not installed: boards and bulletins print as HTML only"),
            install_command(),
        )
    return Check(OK, _("PDF (Typst)"), str(getattr(typst, "__version__", "?")))


def _fonts() -> Check:
    """The typefaces the printed pages ask for: a 宋体-style body, 黑体-style headings,
    and a face for the rare characters of the CJK extension blocks."""
    fonts = cjk_fonts()
    if not fonts:
        return Check(
            WARN,
            _("Chinese font"),
            _("none: a PDF would print empty boxes"),
            _("apt-get install {packages}").format(packages=" ".join(FONT_PACKAGES)),
        )
    wanted = [
        (SERIF, _("a Song (宋体) face for the text"), "fonts-noto-cjk"),
        (SANS, _("a Hei (黑体) face for headings"), "fonts-noto-cjk"),
        (RARE, _("a face for rare characters"), "fonts-hanazono"),
    ]
    lacking = [(what, package) for family, what, package in wanted if family not in fonts]
    if lacking:
        packages = sorted({package for _what, package in lacking})
        return Check(
            WARN,
            _("Chinese font"),
            _("{fonts}; missing {what}").format(
                fonts=", ".join(fonts[:2]), what=_(", ").join(w for w, _p in lacking)
            ),
            _("apt-get install {packages}").format(packages=" ".join(packages)),
        )
    return Check(OK, _("Chinese font"), ", ".join((SERIF, SANS, RARE)))


def _calendar(office: Office | None, today: date) -> Check:

    known = [
        year
        for year in range(today.year - 1, today.year + 2)
        if _package_says(date(year, 6, 1)) is not None
    ]
    missing = [y for y in (today.year, today.year + 1) if y not in known]
    if not missing:
        return Check(
            OK, _("holiday calendar"), _("knows {years}").format(years=", ".join(map(str, known)))
        )
    own = set()
    if office is not None:
        try:
            own = {
                d[:4] for d in (*office.settings.rules.holidays, *office.settings.rules.workdays)
            }
        except DangwuError:
            own = set()
    uncovered = [y for y in missing if str(y) not in own]
    found = _("has only the statutory holidays of {years}, not the 调休 weekends").format(
        years=", ".join(map(str, missing))
    )
    if not uncovered:
        return Check(OK, _("holiday calendar"), found + _("; the office lists its own days"))
    return Check(
        WARN,
        _("holiday calendar"),
        found,
        _(
            "pip install -U chinesecalendar when the State Council has published the year's "
            "holidays, or list them in dangwu.yaml (rules.holidays, rules.workdays)"
        ),
    )
