"""Typesetting: what dangwu prints on paper, as PDF made by Typst from Typst templates.

The board, the bulletin and the yearly report each have a ``*.typ.j2`` template beside
their HTML one. Jinja2 fills it in the same sandbox; every value it puts into the page
is turned into a Typst string (``#"…";``) first, so a record's text is shown as the
characters it holds and is never read as markup or code. Record bodies (Markdown)
become Typst through markdown-it's tokens. Typst lays out a hundred pages a second,
breaks Chinese lines by the rules of Chinese typesetting (no 。at the start of a line,
no single character left alone on a paragraph's last line) and embeds the subset of
each font it used; it reads nothing but the images it is handed, in a folder of their
own [SPEC 11].
"""

from __future__ import annotations

import atexit
import bisect
import functools
import importlib.util
import re
import shutil
import subprocess
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dangwu.errors import DangwuError
from dangwu.i18n import _
from dangwu.render import press
from dangwu.render.bodies import IMAGE_BYTES, IMAGE_TYPES, Files, markdown_parser, office_file
from dangwu.resources import install_command
from dangwu.rules.secrecy import HIDDEN

# The Debian packages of the typefaces the templates ask for (templates/print.typ):
# 宋体-style body and 黑体-style headings, and the blocks of rare characters
FONT_PACKAGES = ("fonts-noto-cjk", "fonts-hanazono")
SERIF, SANS, RARE = "Noto Serif CJK SC", "Noto Sans CJK SC", "HanaMinA"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def literal(value: object, *, lines: bool = False) -> str:
    """``value`` as a Typst string literal: shown as exactly these characters, whatever
    they are. ``lines``: keep line breaks (code), else they become spaces."""
    text = HIDDEN.sub("", _CONTROL.sub("", str(value)))
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\n", "\\n") if lines else text.replace("\n", " ")
    text = text.replace("\t", "\\t" if lines else " ")
    return f'"{text}"'


def text(value: object) -> str:
    """``value`` as text in Typst markup: a string, closed by ``;`` so nothing after it
    (a ``.``, a ``(``) continues it as code."""
    return f"#{literal(value)};"


# --- Markdown ------------------------------------------------------------------------------


def _is_cjk(char: str) -> bool:
    return bool(char) and (
        "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or char >= "\U00020000"
    )


class _Typst:
    """markdown-it's tokens of a record body, written as Typst markup."""

    def __init__(
        self, files: Files | None, images: dict[str, bytes], *, on_grid: bool = False
    ) -> None:
        self.files = files
        self.images = images
        # an official document keeps every line on the page's grid: a heading is a
        # paragraph like the others, in the heading face
        self.on_grid = on_grid

    def blocks(self, tokens: list[Any], start: int, stop_type: str | None) -> tuple[str, int]:
        out: list[str] = []
        i = start
        while i < len(tokens):
            token = tokens[i]
            kind = token.type
            if stop_type is not None and kind == stop_type:
                return "".join(out), i
            if kind == "paragraph_open":
                inline, i = tokens[i + 1], i + 2
                out.append(self.inline(inline.children or []))
                out.append(" " if token.hidden else "\n\n")
            elif kind == "heading_open":
                body = self.inline(tokens[i + 1].children or [])
                if self.on_grid:
                    out.append(f"#block(sticky: true, par(strong[{body}]))\n\n")
                else:
                    out.append(
                        f"#block(sticky: true, above: 1.2em, below: 0.6em, strong[{body}])\n\n"
                    )
                i += 2
            elif kind in ("bullet_list_open", "ordered_list_open"):
                items, i = self.items(tokens, i + 1, kind.replace("_open", "_close"))
                if self.on_grid:
                    # an official document numbers its items in the text: each a
                    # paragraph indented two characters, its next lines flush left
                    first = int(token.attrGet("start") or 1)
                    for n, item in enumerate(items):
                        mark = f"{first + n}．" if kind == "ordered_list_open" else "· "
                        out.append(f"#par[{text(mark)}{item[1:-1]}]\n\n")
                elif kind == "bullet_list_open":
                    out.append(f"#list({', '.join(items)})\n\n")
                else:
                    first = int(token.attrGet("start") or 1)
                    out.append(f"#enum(start: {first}, {', '.join(items)})\n\n")
            elif kind == "blockquote_open":
                body, i = self.blocks(tokens, i + 1, "blockquote_close")
                out.append(f"#quote(block: true)[{body.strip()}]\n\n")
            elif kind in ("fence", "code_block"):
                out.append(f"#raw(block: true, {literal(token.content, lines=True)})\n\n")
            elif kind == "hr":
                out.append("#line(length: 100%, stroke: 0.5pt + gray)\n\n")
            elif kind == "table_open":
                table, i = self.table(tokens, i + 1)
                out.append(table)
            elif kind == "inline":
                out.append(self.inline(token.children or []))
            i += 1
        return "".join(out), i

    def items(self, tokens: list[Any], i: int, close: str) -> tuple[list[str], int]:
        items = []
        while tokens[i].type != close:
            if tokens[i].type == "list_item_open":
                body, i = self.blocks(tokens, i + 1, "list_item_close")
                items.append(f"[{body.strip()}]")
            i += 1
        return items, i

    def table(self, tokens: list[Any], i: int) -> tuple[str, int]:
        header: list[str] = []
        rows: list[list[str]] = []
        in_head = False
        while tokens[i].type != "table_close":
            kind = tokens[i].type
            if kind == "thead_open":
                in_head = True
            elif kind == "thead_close":
                in_head = False
            elif kind == "tr_open":
                rows.append([])
            elif kind in ("th_open", "td_open"):
                cell = f"[{self.inline(tokens[i + 1].children or [])}]"
                (header if in_head else rows[-1]).append(cell)
            i += 1
        rows = [r for r in rows if r]
        columns = max([len(header), *(len(r) for r in rows)], default=1) or 1
        cells = [c for row in rows for c in (row + ["[]"] * columns)[:columns]]
        head = f"table.header({', '.join(header)}), " if header else ""
        return f"#table(columns: {columns}, {head}{', '.join(cells)})\n\n", i

    def inline(self, children: list[Any]) -> str:
        out: list[str] = []
        links: list[str] = []
        previous = ""
        for index, child in enumerate(children):
            kind = child.type
            if kind in ("text", "html_inline"):
                if child.content:
                    out.append(text(child.content))
                    previous = child.content[-1]
            elif kind == "softbreak":
                following = children[index + 1].content[:1] if index + 1 < len(children) else ""
                # a line break in the source joins Chinese without a space, as it reads
                out.append("" if _is_cjk(previous) and _is_cjk(following) else " ")
            elif kind == "hardbreak":
                out.append("#linebreak()")
            elif kind == "code_inline":
                out.append(f"#raw({literal(child.content)});")
            elif kind in ("em_open", "strong_open"):
                out.append("#emph[" if kind == "em_open" else "#strong[")
            elif kind in ("em_close", "strong_close"):
                out.append("]")
            elif kind == "link_open":
                links.append(str(child.attrGet("href") or ""))
            elif kind == "link_close":
                href = links.pop() if links else ""
                # a link prints its words, and where it points after them
                if href and not href.startswith("#"):
                    out.append(text(f"（{href}）"))
            elif kind == "image":
                out.append(self.image(child))
        return "".join(out)

    def image(self, token: Any) -> str:
        src = str(token.attrGet("src") or "")
        alt = "".join(c.content for c in token.children or [] if c.type == "text")
        data = office_file(self.files, src) if self.files is not None else None
        kind = next((k for m, k in IMAGE_TYPES.items() if data and data.startswith(m)), None)
        if data is None or kind is None or len(data) > IMAGE_BYTES:
            return text(f"［图：{alt or src}］")
        name = f"image-{len(self.images) + 1}.{kind.split('/')[1]}"
        self.images[name] = data
        return f'#box(image("{name}", width: 100%, fit: "contain"))'


def markdown(
    source: object,
    files: Files | None = None,
    images: dict[str, bytes] | None = None,
    *,
    on_grid: bool = False,
) -> Any:
    """A record body (Markdown) as Typst markup: text as strings, structure as Typst's own
    functions, images only the office's own committed files. ``on_grid``: headings
    take no space of their own (an official document's lines keep to the grid)."""
    from markupsafe import Markup

    tokens = markdown_parser().parse(str(source or ""))
    writer = _Typst(files, images if images is not None else {}, on_grid=on_grid)
    body, _end = writer.blocks(tokens, 0, None)
    return Markup(body.strip())  # every character of the record is inside a string


def qr_svg(code: str) -> str:
    """The verification code's QR code as SVG: the one drawing of it, for HTML and PDF."""
    import segno

    # mask 2 (the mask pattern is the encoder's free choice, and every reader reads
    # them all): choosing "the best" tries all eight in pure Python, 3 ms a code,
    # which an archive of thousands of sheets feels
    made = segno.make(code, error="m", mask=2)
    return str(made.svg_inline(scale=2, border=1, dark="#000"))


def qr(code: str) -> Any:
    """The verification code's QR code, drawn by Typst from its SVG."""
    from markupsafe import Markup

    return Markup(f'image(bytes({literal(qr_svg(code))}), format: "svg", width: 100%)')


def finalize(value: object) -> object:
    """Every ``{{ value }}`` a Typst template prints: text, unless it is markup dangwu
    made itself (``Markup``)."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return str(value)
    return text("" if value is None else value)


def typst_string(value: object) -> Any:
    """A value as a string for the template's own code: ``#let t = {{ x | string }}``."""
    from markupsafe import Markup

    return Markup(literal("" if value is None else value))


def number(value: object) -> Any:
    """A number for the template's own code: ``width: {{ n | number }} * 1mm``."""
    from markupsafe import Markup

    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a number: {value!r}")
    return Markup(repr(value))


# --- what may be printed -------------------------------------------------------------------

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
# (eval runs a string as code: an import inside it would be hidden from the rest)
_REACHES = re.compile(
    r"(?<![\w-])(?:(import|include)\b|(eval|read|json|yaml|toml|csv|xml|cbor|plugin)\s*\()"
)


def reaches(source: str) -> str | None:
    """What in a typeset page would load anything but its own images: an import (a
    package would be downloaded), an include, a file read or a plugin. Record text
    never can (it is all strings); this is for an office's own templates."""
    code = _STRING.sub('""', source)
    found = _REACHES.search(code)
    return (found.group(1) or found.group(2)) if found else None


@functools.cache
def cjk_fonts() -> list[str]:
    """The Chinese typefaces fontconfig knows, by family name."""
    tool = shutil.which("fc-list")
    if tool is None:
        return []
    try:
        out = subprocess.run(
            [tool, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


# GB/T 9704's body face, as Word, WPS and the free fonts name it (the templates ask for
# these first)
FANGSONG = ("FangSong", "FangSong_GB2312", "仿宋_GB2312", "仿宋", "STFangsong", "FandolFang")


def has_fangsong() -> bool:
    """Whether a 仿宋 face is installed (None known: fontconfig cannot tell, say yes)."""
    known = cjk_fonts()
    return not known or any(face in known for face in FANGSONG)


@functools.cache
def _coverage() -> tuple[list[int], list[int]]:
    """The characters some installed font draws, as sorted (starts, ends) ranges, from
    fontconfig's cache of every font's character set."""
    tool = shutil.which("fc-list")
    if tool is None:
        return [], []
    try:
        out = subprocess.run(
            [tool, "-f", "%{charset}\n"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return [], []
    ranges = set()
    for part in out.split():
        first, _dash, last = part.partition("-")
        try:
            ranges.add((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return [s for s, _e in merged], [e for _s, e in merged]


def _unseen(char: str) -> bool:
    """A character that is never drawn itself: a format control (a joiner) or a
    variation selector, which changes the character before it."""
    code = ord(char)
    return (
        unicodedata.category(char) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF
    )


def missing_glyphs(source: str) -> list[str]:
    """The characters of ``source`` that no installed font can draw (they would print as
    empty boxes), in order of first appearance; none when fontconfig cannot tell."""
    starts, ends = _coverage()
    if not starts:
        return []
    missing: dict[str, None] = {}
    for char in set(source):
        code = ord(char)
        if code < 0x80 or char.isspace() or _unseen(char):
            continue
        at = bisect.bisect_right(starts, code) - 1
        if at < 0 or code > ends[at]:
            missing[char] = None
    return sorted(missing, key=source.index)


# --- the PDF ---------------------------------------------------------------------------------


def write_pdf(
    source: str, target: Path, *, images: Mapping[str, bytes], when: datetime | None = None
) -> list[str]:
    """Typeset ``source`` (Typst) into the PDF ``target``; the characters no font could
    draw are returned, for the clerk to be told which. While ``archival()`` is in
    force the page is typeset in the background, as PDF/A."""
    batch = _BATCH.get()
    if batch is None:
        try:
            base, compiler = _compiler()
        except ImportError:
            raise _no_typst() from None
    else:  # its workers typeset; archival() made sure they can
        base, compiler = batch.folder, None
    fonts = _ask_fontconfig(source, meanwhile=batch is None)
    root = Path(tempfile.mkdtemp(dir=base))
    for name, data in images.items():
        (root / name).write_bytes(data)
    (root / "page.typ").write_text(source, encoding="utf-8")
    try:
        if batch is not None:
            missing = fonts()
            batch.refuse_failed()
            batch.press.submit(root, target, source, when, [ARCHIVAL])
            return missing
        try:
            pdf, _plain = press.typeset_page(compiler, root, when, [], plain_ok=False)
        except (RuntimeError, ValueError) as exc:
            fonts()  # no Chinese font is said first: it explains the rest
            raise _unset(*press.complaint(exc), source) from None
        missing = fonts()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    shutil.rmtree(root, ignore_errors=True)
    target.write_bytes(pdf)
    return missing


def _ask_fontconfig(source: str, *, meanwhile: bool) -> Callable[[], list[str]]:
    """Ask fontconfig whether a Chinese font is installed and which characters of
    ``source`` no font draws; ``meanwhile``: in the background, as Typst typesets here
    (it lets go of the interpreter, and the two answers take a twentieth of a second),
    not for pages typeset by the press's workers. The function returned waits for
    them: it refuses where no Chinese font is installed (the PDF would print empty
    boxes), else gives the characters no font draws."""
    answers: list[tuple[list[str], list[str]]] = []
    failed: list[BaseException] = []

    def ask() -> None:
        try:
            answers.append((cjk_fonts(), missing_glyphs(source)))
        except BaseException as exc:  # said in the caller's thread
            failed.append(exc)

    asking = threading.Thread(target=ask, daemon=True) if meanwhile else None
    if asking is not None:
        asking.start()
    else:
        ask()

    def answer() -> list[str]:
        if asking is not None:
            asking.join()
        if failed:
            raise failed[0]
        families, missing = answers[0]
        if not families:
            raise _no_chinese_font()
        return missing

    return answer


def _no_chinese_font() -> DangwuError:
    return DangwuError(
        _("no Chinese font is installed, so the PDF would print empty boxes"),
        hint=_("install them with: apt-get install {packages}").format(
            packages=" ".join(FONT_PACKAGES)
        ),
    )


def _no_typst() -> DangwuError:
    return DangwuError(
        _("PDF output needs Typst, which is not installed"),
        hint=_("install it with: {command}").format(command=install_command()),
    )


def _unset(message: str, diagnostic: str, source: str) -> DangwuError:
    return DangwuError(
        _("the page cannot be typeset: {error}").format(
            error=_diagnosis(message, diagnostic, source)
        ),
        hint=_("check the office's own templates/ folder against the shipped ones"),
    )


ARCHIVAL = "a-2b"  # PDF/A-2b: the page's look kept for good (fonts embedded, colours defined)


@dataclass
class Batch:
    """PDFs typeset in the background as PDF/A (``archival()``)."""

    press: press.Press
    folder: Path  # the pages waiting, a folder each

    @property
    def plain(self) -> list[Path]:
        """The PDFs written as plain PDF, not PDF/A: their templates (an office's own,
        say) ask for what PDF/A forbids."""
        return list(self.press.plain)

    def wait(self) -> None:
        """Until every PDF submitted is written; the first that could not be, refused."""
        self.press.wait()
        self.refuse_failed()

    def refuse_failed(self) -> None:
        """Refuse the first PDF that could not be written, if one is known already:
        the batch is lost with it, so no more pages are laid out for it."""
        if self.press.failures:
            failed = self.press.failures[0]
            raise _unset(failed.message, failed.diagnostic, failed.source)


_BATCH: ContextVar[Batch | None] = ContextVar("pdf_batch", default=None)


@contextmanager
def archival() -> Iterator[Batch]:
    """PDFs written meanwhile are PDF/A-2b, typeset in the background by a worker per
    core; ``wait()`` for them before reading them. Templates see
    ``sys.inputs.archival`` and may choose accordingly (the circular's red is CMYK
    for the press, RGB in an archive)."""
    if importlib.util.find_spec("typst") is None:
        raise _no_typst()
    folder = Path(tempfile.mkdtemp(prefix="dangwu-archive-"))
    batch = Batch(press.Press(), folder)
    token = _BATCH.set(batch)
    try:
        yield batch
        batch.wait()
    finally:
        _BATCH.reset(token)
        batch.press.close()
        shutil.rmtree(folder, ignore_errors=True)


@functools.cache
def _compiler() -> tuple[Path, Any]:
    """One Typst compiler for the process: it reads the installed fonts once (about
    70 ms), so the second and later PDFs of a command cost milliseconds. Each page is
    compiled with a folder of its own as its root, holding its images and nothing
    else, removed after; packages are never fetched."""
    base = Path(tempfile.mkdtemp(prefix="dangwu-print-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    return base, press.new_compiler(base / "packages")


def _diagnosis(message: str, diagnostic: str, source: str) -> str:
    """Typst's first complaint, with the line of the page it is about."""
    found = re.search(r"\.typ:(\d+):(\d+)", diagnostic)
    if found is None:
        return message
    lines = source.splitlines()
    number = int(found.group(1))
    line = lines[number - 1].strip() if 0 < number <= len(lines) else ""
    return f"{message} (line {number}: {line[:80]})"
