"""What counts as English left in a Chinese message, and Chinese in an English one.

A Chinese message keeps its identifiers: record ids, paths, options, commands,
YAML keys and values, roster keys, emails, format words. Everything else must be
Chinese. ``english_left`` strips the identifiers and returns the English words that
remain."""

from __future__ import annotations

import re

from dangwu.model.catalogue import CADENCES, CHANNELS, SCOPES
from dangwu.model.office import ROLES
from dangwu.model.record import CONTENT_FIELDS, TOOL_FIELDS
from dangwu.rules.workflow import STATUSES

# identifiers dangwu's files and options use, which stay as they are in Chinese:
# record fields, statuses, roles, scopes, cadences and channels come from dangwu itself
IDENTIFIERS = {
    *CONTENT_FIELDS,
    *TOOL_FIELDS,
    *STATUSES,
    *ROLES,
    *SCOPES,
    *CADENCES,
    *CHANNELS,
    # the sub-keys of the procedure's facts, settings and supervision files
    "by",
    "at",
    "reason",
    "meeting",
    "attendees",
    "outcome",
    "content",
    "signed",
    "opinions",
    "closes",
    "group",
    "unit",
    "roster",
    "rules",
    "language",
    "timezone",
    "contact",
    "board_title",
    "default_channels",
    "name",
    "email",
    "roles",
    "signing_key",
    "id_block",
    "number",
    "received",
    "about",
    "text",
    "logged",
    "answer",
    "notified",
    "record",
    "from",
    # values
    "publish",
    "revise",
    "withhold",
    "working",
    "calendar",
    "true",
    "false",
    # words of formats, tools and protocols
    "dangwu",
    "git",
    "YAML",
    "yaml",
    "JSON",
    "json",
    "HTML",
    "html",
    "PDF",
    "pdf",
    "md",
    "UTF",
    "GBK",
    "BOM",
    "SSH",
    "ssh",
    "GPG",
    "gpg",
    "ASCII",
    "Markdown",
    "Typst",
    "Python",
    "EDITOR",
    "HEAD",
    "main",
    "origin",
    "URL",
    "PATH",
    "KEY",
    "NAME",
    "EMAIL",
    "ROLE",
    "DATE",
    "TEXT",
    "FIELD",
    "VALUE",
    "LIST",
    "CATEGORY",
    "ID",
    "DIR",
    "FILE",
    "YYYY",
    "MM",
    "DD",
    "HH",
    "SS",
    "Tab",
    "ISO",
    "pre-receive",
    "post-receive",
    "sha256",
    "Dangwu",
    "Step",
    "Record",
    "Actor",
    "From",
    "To",
    "Content",
    "Report",
    "chinesecalendar",
    "apt-get",
    "pip",
    "install",
    "iconv",
    "nano",
    "fc-list",
    "Linux",
    "ZZ",
    "DT",
    "MB",
    "SX",
    "ZF",
    "ZD",
    # Typer's names for the types of values, shown in help
    "str",
    "int",
    "path",
    "float",
}
STRIP = [
    re.compile(r"'[^']*'"),  # quoted values
    re.compile(r"\"[^\"]*\""),
    re.compile(r"`[^`]*`"),
    re.compile(r"\[[^\]]*\]"),  # lists of identifiers
    re.compile(
        r"(?:dangwu|git|pip|apt-get|iconv|export) [^\u3000-\u9fff，。；：（）]*"
    ),  # commands
    re.compile(r"\S*[/\\]\S*"),  # paths
    re.compile(r"\S+@\S+"),  # emails
    re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b"),  # slugs: zuzhi-jianshe, party-dues
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*"),  # options
    re.compile(r"\b[A-Z]{2,4}-\d{4}-\d{3,6}\b"),  # record ids
    re.compile(r"\b[0-9a-f]{8}-[PI][A-Z]{2}\d+-\d{6}-[0-9A-Z]{4,5}\b"),  # verification codes
    re.compile(r"\b[A-Z]{2}\d+\b"),  # item and sheet codes: ZZ16, MB1
    re.compile(r"\b[A-Z]{2,4}(?:-[A-Z]{2,4})+\b"),  # YYYY-MM-DD
    re.compile(r"\b\w+(?:\.\w+)+\b"),  # dotted names: rules.timely_days, file.yaml
    re.compile(r"\b[0-9a-f]{7,40}\b"),  # commit ids
    re.compile(r"\b\w+=\S*"),  # FIELD=VALUE, DANGWU_NOW=...
    re.compile(r"\bU\+[0-9A-F]{4}\b"),
    re.compile(r"![\w/:.-]+"),  # YAML tags
    re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),  # keys: event_date, pre_disclosure
    re.compile(r"\b[A-Z]+_[A-Z_]+\b"),  # environment variables
    re.compile(r"^\s*\S+:\d+:\d+:"),  # file:line:col
]
WORD = re.compile(r"[A-Za-z][A-Za-z_'-]{2,}")


def english_left(text: str, allowed: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The English words of ``text`` that are not identifiers, line by line."""
    found = []
    for line in text.splitlines():
        for pattern in STRIP:
            line = pattern.sub(" ", line)
        for word in WORD.findall(line):
            bare = word.strip("'-")
            if bare in IDENTIFIERS or bare.lower() in IDENTIFIERS or bare in allowed:
                continue
            found.append(bare)
    return found


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def chinese_in(text: str) -> list[str]:
    """Lines of an English message with Chinese outside quoted values."""
    out = []
    for line in text.splitlines():
        # the office's own Chinese names stand beside English ones on purpose
        bare = re.sub(r"'[^']*'|\"[^\"]*\"|\([^()]*\)", " ", line)
        if CJK.search(bare):
            out.append(line)
    return out
