"""The words in an attached file, as the secrecy review reads them: plain text in the
encodings Chinese offices write, Word, WPS, Excel and PowerPoint files (.docx, .xlsx,
.pptx) and OpenDocument ones, and PDF; and, in words, what of a file it could not read
(a picture, a scanned page, an old .doc, an archive, a file too large), for the
approver to read by hand.

Office files and PDF hold more than what their pages show: comments, tracked
deletions, headers, a picture's description, the author and the title, a link's
address. All of it goes out with the file, so all of it is read.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from dangwu.i18n import _, ngettext

# the most of a file the review reads (an Office file: the most it unpacks to)
LARGEST_READ = 64 * 1024 * 1024


@dataclass(frozen=True)
class Words:
    """What the review could read of a file, and what it could not (in words; empty
    when it read the whole file)."""

    text: str
    unread: str = ""
    kind: str = "text"  # text, word (a Word file), packed (another Office file) or pdf
    # a PDF: the line of ``text`` each page starts on; an Office file: the lines of
    # its body (what its pages show), its headers, comments and properties after them
    pages: tuple[int, ...] = field(default=())
    body: int = 0

    def where(self, line: int) -> str:
        """Where in the file the ``line`` of its text is, as its reader finds it."""
        if self.kind == "pdf":
            page = sum(1 for start in self.pages if start <= line)
            return _("page {n}").format(n=max(page, 1))
        if self.kind in ("word", "packed"):
            if line > self.body:
                return _("beside its text (headers, comments, properties)")
            if self.kind == "word":
                return _("paragraph {n}").format(n=line)
        return _("line {n}").format(n=line)


def read_words(path: Path) -> Words | None:
    """The words of the file at ``path`` (None: it cannot be opened, which validation
    reports)."""
    try:
        with path.open("rb") as file:
            raw = file.read(LARGEST_READ + 1)
    except OSError:
        return None
    if len(raw) > LARGEST_READ:
        return Words("", _too_large())
    return words_in(raw)


def words_in(raw: bytes) -> Words:
    """The words of a file's bytes, whatever its name says it is. A file that is two
    kinds at once (a Word file whose first bytes also open as a PDF) is read as both."""
    head = raw[:1024]
    readings = []
    if raw.startswith(b"PK\x03\x04"):
        readings.append(_packed(raw))
    if b"%PDF-" in head and (b"endobj" in raw or not readings):
        read = _pdf(raw)
        # a text that only mentions %PDF- (no object of a PDF in it) is read as text
        # below; a PDF that does not open stays a damaged PDF, whatever it decodes to
        if b"endobj" in raw or read.unread != _damaged_pdf() or as_text(raw) is None:
            readings.append(read)
    if len(readings) == 1:
        return readings[0]
    if readings:
        return Words(
            "\n".join(r.text for r in readings),
            _("; ").join(r.unread for r in readings if r.unread),
        )
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return Words(
            "",
            _(
                "an old-format Word, Excel or WPS file (.doc, .xls, .wps), or an encrypted "
                "one, which the review cannot read"
            ),
        )
    if raw.startswith(PICTURES):
        return Words("", _("a picture, which the review cannot read"))
    text = _text_of(raw)
    if text is None:
        return Words("", _("a file of a kind the review cannot read"))
    return Words(text)


def _text_of(raw: bytes) -> str | None:
    """A file's words if it is text; an RTF file's as it prints (its Chinese is written
    as escaped bytes of its code page, or as \\u numbers)."""
    text = as_text(raw)
    if text is not None and text.lstrip().startswith("{\\rtf"):
        return _rtf_words(text) + "\n" + text
    return text


def _rtf_words(rtf: str) -> str:
    """The characters an RTF file prints: \\'hh bytes decoded in its code page
    (\\ansicpgN; GBK where none is said), \\uN characters, control words dropped."""
    found = re.search(r"\\ansicpg([0-9]+)", rtf)
    codec = f"cp{found.group(1)}" if found else "gbk"
    try:
        "".encode(codec)
    except LookupError:
        codec = "gbk"
    out: list[str] = []
    pending = bytearray()
    for match in _RTF_TOKEN.finditer(rtf):
        escaped, unicode, _word, plain = match.groups()
        if escaped is not None:
            pending.append(int(escaped, 16))
            continue
        if pending:
            out.append(pending.decode(codec, "replace"))
            pending.clear()
        if unicode is not None:
            out.append(chr(int(unicode) % 0x10000))
        elif plain is not None:
            out.append(plain)
    if pending:
        out.append(pending.decode(codec, "replace"))
    return "".join(out)


# \'hh, \uN (its one-character fallback skipped), another control word, or plain text
_RTF_TOKEN = re.compile(
    r"\\'([0-9a-fA-F]{2})|\\u(-?[0-9]+)\??|(\\[a-z]+-?[0-9]* ?|[{}]|\\.)|([^\\{}]+)"
)


PICTURES = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"BM",
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"RIFF",  # WebP (and other RIFF media: not words either)
)


def as_text(raw: bytes) -> str | None:
    """A file's words, where it is text in an encoding Chinese offices write: UTF-8,
    UTF-16 (with its mark), or GB18030 (GBK's and GB2312's superset); None for a
    file of another kind (a PDF, a Word file, a picture)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    elif raw[:8192].count(b"\x00") > max(8, len(raw[:8192]) // 100):
        return None  # many NULs: binary (a stray one or two do not hide the words)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        head = text[:8192]
        odd = sum(1 for c in head if c not in _SPACING and unicodedata.category(c) in _ODD)
        if odd <= len(head) // 50 + 2:
            return text.replace("\x00", "")
    return None


_SPACING = frozenset("\n\r\t\f\v")  # controls that text is full of
_ODD = frozenset({"Cc", "Co", "Cn"})  # controls, private use, unassigned: not words


def _too_large() -> str:
    return _("larger than {mb} MB, more than the review reads").format(
        mb=LARGEST_READ // (1024 * 1024)
    )


# --- Word, Excel, PowerPoint, WPS and OpenDocument files: XML in a zip ------------------

# where a paragraph, a heading, a table's row or cell, or a list's entry ends (Word's
# w:p and w:tr, Excel's si and row, OpenDocument's text:p and text:h): the runs inside
# one are joined as they print, so a number split over two runs is read whole
_ENDS_A_LINE = frozenset({"p", "h", "tr", "si", "row", "br", "cr", "list-item", "table-row"})
_ENDS_A_CELL = frozenset({"tc", "c", "tab", "table-cell", "s"})
# attributes that hold words: a picture's description, a link's address and hover
# text, a comment's author, a watermark, a field, a sheet's name, a cell's value
_WORDS_IN = frozenset(
    {"descr", "title", "href", "Target", "alt", "author", "tooltip", "string", "instr", "alias",
     "tag", "name", "displayName", "prompt", "promptTitle", "error", "errorTitle", "initials",
     "formatCode", "value", "string-value", "creator"}
)  # fmt: skip
# parts that hold the file's properties (author, title, company): each value a line
_PROPERTIES = ("docProps/", "meta.xml")
_FONTS = (".ttf", ".otf", ".odttf", ".fntdata", ".eot", ".woff", ".woff2")
_MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".webp")


def _packed(raw: bytes) -> Words:
    """An Office (OOXML) or OpenDocument file: the words of every XML part in it;
    what else it holds (pictures, embedded files) is named as unread."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as packed:
            parts = [i for i in packed.infolist() if not i.is_dir()]
            names = {i.filename for i in parts}
            if "[Content_Types].xml" not in names and "mimetype" not in names:
                return Words("", _("an archive (.zip), which the review does not open"))
            if sum(i.file_size for i in parts) > LARGEST_READ:
                return Words("", _too_large())
            body: list[str] = []
            lines: list[str] = []
            pictures = others = 0
            shown: list[str] = []  # the body as a reader sees it, where that differs
            for part in sorted(parts, key=_reading_order):
                name = part.filename
                data = packed.read(part) if not name.lower().endswith(_MEDIA) else b""
                xml = name.lower().endswith((".xml", ".rels")) or _looks_xml(data)
                if xml:
                    try:
                        every, seen = _xml_words(data, name.startswith(_PROPERTIES))
                    except ElementTree.ParseError:
                        if name.lower().endswith((".xml", ".rels")):
                            raise
                        xml = False  # HTML, say: read below as text
                if xml:
                    (body if _reading_order(part)[0] == 0 else lines).append(every)
                    if seen != every:
                        shown.append(seen)
                elif name.startswith(("docProps/thumbnail", "Thumbnails/")):
                    continue  # the preview of its first page, whose words are read
                elif name.startswith(_NO_WORDS) or "/printerSettings/" in name:
                    continue  # a printer's settings, a layout cache: no words
                elif name.lower().endswith(_FONTS):
                    continue  # the faces it prints in: no words of its own
                elif name.lower().endswith(_MEDIA):
                    pictures += 1
                elif "embeddings/" in name or name.lower().endswith((".bin", ".ole")):
                    others += 1  # a file inside the file (a workbook, a PDF, macros)
                elif (text := _text_of(data)) is not None:
                    lines.append(text)  # a part of text: an HTML or RTF chunk, a note
                else:
                    others += 1  # of no kind the review reads
    except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError):
        # damaged, or a part encrypted: not read
        return Words("", _("a damaged or encrypted file, which the review cannot read"))
    except ElementTree.ParseError:
        return Words("", _("a damaged file, which the review cannot read"))
    unread = []
    if pictures:
        unread.append(ngettext("{n} picture", "{n} pictures", pictures).format(n=pictures))
    if others:
        unread.append(ngettext("{n} embedded file", "{n} embedded files", others).format(n=others))
    said = _("it holds {things}, which the review cannot read").format(things=_(", ").join(unread))
    first = "\n".join(words for words in body if words)
    rest = "\n".join(words for words in [*lines, *shown] if words)
    text = f"{first}\n{rest}" if first and rest else first or rest
    kind = "word" if "word/document.xml" in names else "packed"
    return Words(text, said if unread else "", kind, body=first.count("\n") + bool(first))


_NO_WORDS = ("layout-cache", "Configurations2/")


def _looks_xml(data: bytes) -> bool:
    start = data.lstrip()
    return start[:5] == b"<?xml" or (start[:1] == b"<" and b"xmlns" in data[:2048])


# the parts that hold what a file's pages show: Word's document, Excel's shared strings
# and sheets, PowerPoint's slides, OpenDocument's content
_BODY = ("word/document.xml", "xl/sharedStrings.xml", "content.xml")
_BODY_FOLDERS = ("xl/worksheets/", "ppt/slides/")


def _reading_order(part: zipfile.ZipInfo) -> tuple[int, str, int, str]:
    """The body's parts first (slides and sheets in their number's order), then the
    rest (headers, comments, properties) in the file's order."""
    name = part.filename
    if name in _BODY or (name.startswith(_BODY_FOLDERS) and name.count("/") == 2):
        stem = name.rsplit("/", 1)[-1]
        digits = "".join(c for c in stem if c.isdigit())
        return (0, name.rsplit("/", 1)[0], int(digits or 0), name)
    return (1, "", 0, "")


def _xml_words(data: bytes, properties: bool) -> tuple[str, str]:
    """The words of one XML part, a line for each paragraph (each value, of a part of
    properties): all of them, and those a reader sees (hidden runs and deletions
    left out, so a name written 孙秀<hidden>x</hidden>梅 is read as it shows). The
    parser expands no entity from outside the file."""
    root = ElementTree.fromstring(data)
    every: list[str] = []
    seen: list[str] = []
    hidden = 0
    hiding: list[bool] = []
    for kind, element in _walk(root):
        name = element.tag.rsplit("}", 1)[-1]
        if kind == "start":
            hides = name in _HIDDEN or _hidden_run(element)
            hiding.append(hides)
            hidden += hides
            for attribute, value in element.attrib.items():
                local = attribute.rsplit("}", 1)[-1]
                if local == "Target" and element.get("TargetMode") != "External":
                    continue  # a part of the file, not an address it links to
                if value.strip() and (local in _WORDS_IN or _wordy(value)):
                    every.append(f"\n{value}\n")
            if element.text:
                every.append(element.text)
                if not hidden:
                    seen.append(element.text)
        else:
            hidden -= hiding.pop()
            end = ""
            if properties or name in _ENDS_A_LINE:
                end = "\n"
            elif name in _ENDS_A_CELL:
                end = " "
            if name == "v" and element.text and _SCIENTIFIC.fullmatch(element.text.strip()):
                end += f" {_as_integer(element.text)} "  # 1.3812345678E10 shows 13812345678
            every.append(end)
            seen.append(end)
            if element.tail:
                every.append(element.tail)
                if not hidden:
                    seen.append(element.tail)
    return _lines("".join(every)), _lines("".join(seen))


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# what a reader does not see: Word's deletions and hidden runs, OpenDocument's hidden
# text and tracked changes
_HIDDEN = frozenset(
    {"del", "delText", "moveFrom", "hidden-text", "hidden-paragraph", "tracked-changes"}
)
_SCIENTIFIC = re.compile(r"[0-9]\.[0-9]+[eE]\+?[0-9]{1,2}")


def _hidden_run(element: ElementTree.Element) -> bool:
    """A Word run whose properties hide it (w:vanish, w:webHidden)."""
    if not element.tag.endswith("}r"):
        return False
    for child in element:
        if child.tag.endswith("}rPr"):
            for prop in child:
                if prop.tag.rsplit("}", 1)[-1] in ("vanish", "webHidden", "specVanish"):
                    value = next((v for k, v in prop.attrib.items() if k.endswith("val")), "1")
                    return value not in ("0", "false", "off")
    return False


def _wordy(value: str) -> bool:
    """An attribute's value that may be words a person wrote (a sheet's name, a comment's
    author, a watermark, a field's link, a cell's value): anything not plain ASCII, an
    address, or a long number."""
    return (
        not value.isascii()
        or "@" in value
        or value.lower().startswith(("tel:", "mailto:", "http"))
        or _LONG_NUMBER.search(value) is not None
    )


_LONG_NUMBER = re.compile(r"[0-9]{7}")


def _as_integer(text: str) -> str:
    try:
        number = float(text)
    except ValueError:
        return ""
    return str(int(number)) if number.is_integer() and abs(number) < 1e20 else ""


def _walk(root: ElementTree.Element) -> Iterator[tuple[str, ElementTree.Element]]:
    """Each element as it opens and as it closes, in document order (no recursion: a
    crafted file nests deeper than Python's stack)."""
    stack: list[tuple[ElementTree.Element, Iterator[ElementTree.Element]]] = []
    yield "start", root
    stack.append((root, iter(root)))
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            yield "end", element
        else:
            yield "start", child
            stack.append((child, iter(child)))


# --- PDF ---------------------------------------------------------------------------------


def _pdf(raw: bytes) -> Words:
    """A PDF's words, page by page, with its properties, its annotations (comments) and
    its form's values; pages without words (scans), pictures and files attached inside
    it are named as unread."""
    from pypdf import PdfReader

    # pypdf tells of every oddity of a file it reads on the log and as warnings: a
    # damaged file is said once, below, not on the terminal of whoever checks it
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(raw))
            if reader.is_encrypted and not reader.decrypt(""):
                return Words("", _("an encrypted PDF, which the review cannot read"))
            return _pdf_words(reader)
    except Exception:  # pypdf raises many kinds for a damaged file
        return Words("", _damaged_pdf())


def _damaged_pdf() -> str:
    return _("a damaged PDF, which the review cannot read")


def _pdf_words(reader: Any) -> Words:
    text: list[str] = []
    starts: list[int] = []
    length = 1  # the line the next page starts on
    blank: list[int] = []
    pictures = drawn = attached = 0
    for number, page in enumerate(reader.pages, 1):
        words = (page.extract_text() or "").strip()
        notes: list[str] = []
        for annotation in page.get("/Annots") or ():
            said = annotation.get_object()
            notes += [str(said.get(key) or "") for key in ("/Contents", "/T", "/Subj", "/TU")]
            action = said.get("/A")
            if action is not None:
                notes.append(str(action.get_object().get("/URI") or ""))
            kind = said.get("/Subtype")
            if kind == "/FileAttachment":
                attached += 1
            elif kind not in _PLAIN_NOTES and said.get("/AP") is not None:
                drawn += 1  # a stamp, a drawing, a text box: what it draws is not read
        seen = "\n".join(w for w in [words, *notes] if w.strip())
        if not words:
            blank.append(number)
        pictures += _pictures(page.get("/Resources"), depth=0)
        contents = page.get_contents()
        if contents is not None:  # pictures written into the page itself (BI ... EI)
            pictures += len(_INLINE_PICTURE.findall(contents.get_data()))
        starts.append(length)
        text.append(seen + "\n")
        length += seen.count("\n") + 1
    about = [str(v) for v in (reader.metadata or {}).values() if v]
    fields = [str(f.get("/V")) for f in (reader.get_fields() or {}).values() if f.get("/V")]
    about += _outline_titles(reader.outline) + [str(label) for label in reader.page_labels]
    described = reader.trailer["/Root"].get("/Metadata")
    if described is not None:  # XMP: the title, author and keywords as XML
        about.append(_xml_words(described.get_object().get_data(), True)[0])
    if about or fields:  # after the last page: read as its last lines
        text.append("\n".join([*about, *fields]) + "\n")
    unread = []
    if blank:
        unread.append(
            ngettext(
                "page {pages} holds no text (a scan?)",
                "pages {pages} hold no text (scans?)",
                len(blank),
            ).format(pages=", ".join(str(n) for n in blank))
        )
    if pictures:
        unread.append(ngettext("{n} picture", "{n} pictures", pictures).format(n=pictures))
    if drawn:
        unread.append(
            ngettext("{n} stamp or drawing", "{n} stamps or drawings", drawn).format(n=drawn)
        )
    if reader.attachments or attached:
        unread.append(_("files attached inside it"))
    said = _("what the review cannot read: {things}").format(things=_("; ").join(unread))
    return Words("".join(text), said if unread else "", "pdf", tuple(starts))


# annotations whose words are their text (read above), not a drawing of their own
_PLAIN_NOTES = ("/Link", "/Text", "/Popup", "/Highlight", "/Underline", "/StrikeOut", "/Squiggly")
_INLINE_PICTURE = re.compile(rb"(?:^|\s)BI\s")


def _outline_titles(outline: Any, depth: int = 0) -> list[str]:
    """The titles of a PDF's bookmarks, nested ones included."""
    titles: list[str] = []
    for item in outline or ():
        if isinstance(item, list):
            if depth < 16:
                titles += _outline_titles(item, depth + 1)
        elif getattr(item, "title", None):
            titles.append(str(item.title))
    return titles


def _pictures(resources: Any, depth: int) -> int:
    """The pictures a page's resources draw, those of its forms included."""
    if resources is None or depth > 4:
        return 0
    objects = resources.get_object().get("/XObject")
    if objects is None:
        return 0
    found = 0
    for item in objects.get_object().values():
        drawn = item.get_object()
        kind = drawn.get("/Subtype")
        if kind == "/Image":
            found += 1
        elif kind == "/Form":
            found += _pictures(drawn.get("/Resources"), depth + 1)
    return found
