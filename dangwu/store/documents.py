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
    kind: str = "text"  # text, packed (an Office file) or pdf
    # a PDF: the line of ``text`` each page starts on; an Office file: the lines of
    # its body (what its pages show), its headers, comments and properties after them
    pages: tuple[int, ...] = field(default=())
    body: int = 0

    def where(self, line: int) -> str:
        """Where in the file the ``line`` of its text is, as its reader finds it."""
        if self.kind == "pdf":
            page = sum(1 for start in self.pages if start <= line)
            return _("page {n}").format(n=max(page, 1))
        if self.kind == "packed":
            if line <= self.body:
                return _("paragraph {n}").format(n=line)
            return _("beside its text (headers, comments, properties)")
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
    """The words of a file's bytes, whatever its name says it is."""
    head = raw[:1024]
    if b"%PDF-" in head:
        return _pdf(raw)
    if raw.startswith(b"PK\x03\x04"):
        return _packed(raw)
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
    text = as_text(raw)
    if text is None:
        return Words("", _("a file of a kind the review cannot read"))
    return Words(text)


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
# attributes that hold words: a picture's description and title, a link's address
_WORDS_IN = frozenset({"descr", "title", "href", "Target", "alt"})
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
            for part in sorted(parts, key=_reading_order):
                name = part.filename
                if name.lower().endswith((".xml", ".rels")):
                    words = _xml_words(packed.read(part), name.startswith(_PROPERTIES))
                    (body if _reading_order(part)[0] == 0 else lines).append(words)
                elif name.startswith(("docProps/thumbnail", "Thumbnails/")):
                    continue  # the preview of its first page, whose words are read
                elif name.lower().endswith(_FONTS):
                    continue  # the faces it prints in: no words of its own
                elif name.lower().endswith(_MEDIA):
                    pictures += 1
                elif "embeddings/" in name or name.lower().endswith((".bin", ".ole")):
                    others += 1  # a file inside the file (a workbook, a PDF, macros)
                elif (text := as_text(packed.read(part))) is not None:
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
    rest = "\n".join(words for words in lines if words)
    text = f"{first}\n{rest}" if first and rest else first or rest
    return Words(text, said if unread else "", "packed", body=first.count("\n") + bool(first))


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


def _xml_words(data: bytes, properties: bool) -> str:
    """The words of one XML part, a line for each paragraph (each value, of a part of
    properties). The parser expands no entity from outside the file."""
    root = ElementTree.fromstring(data)
    out: list[str] = []
    for kind, element in _walk(root):
        name = element.tag.rsplit("}", 1)[-1]
        if kind == "start":
            for attribute, value in element.attrib.items():
                local = attribute.rsplit("}", 1)[-1]
                if local == "Target" and element.get("TargetMode") != "External":
                    continue  # a part of the file, not an address it links to
                if local in _WORDS_IN and value.strip():
                    out.append(f"\n{value}\n")
            if element.text:
                out.append(element.text)
        else:
            if properties or name in _ENDS_A_LINE:
                out.append("\n")
            elif name in _ENDS_A_CELL:
                out.append(" ")
            if element.tail:
                out.append(element.tail)
    return "\n".join(line.strip() for line in "".join(out).splitlines() if line.strip())


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
        return Words("", _("a damaged PDF, which the review cannot read"))


def _pdf_words(reader: Any) -> Words:
    text: list[str] = []
    starts: list[int] = []
    length = 1  # the line the next page starts on
    blank: list[int] = []
    pictures = 0
    for number, page in enumerate(reader.pages, 1):
        words = (page.extract_text() or "").strip()
        notes = [str(a.get_object().get("/Contents") or "") for a in page.get("/Annots") or ()]
        seen = "\n".join(w for w in [words, *notes] if w.strip())
        if not words:
            blank.append(number)
        pictures += _pictures(page.get("/Resources"), depth=0)
        starts.append(length)
        text.append(seen + "\n")
        length += seen.count("\n") + 1
    about = [str(v) for v in (reader.metadata or {}).values() if v]
    fields = [str(f.get("/V")) for f in (reader.get_fields() or {}).values() if f.get("/V")]
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
    if reader.attachments:
        unread.append(_("files attached inside it"))
    said = _("{things}: the review cannot read them").format(things=_("; ").join(unread))
    return Words("".join(text), said if unread else "", "pdf", tuple(starts))


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
