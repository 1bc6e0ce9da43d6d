"""The blank Word document every DOCX of dangwu's starts from: python-docx's own,
without the weight none of its pages uses.

python-docx's blank holds every built-in style of Word 2010 twice (``styles.xml``
and the Word 2010 copy ``stylesWithEffects.xml``, 0.9 MB unpacked): reading it cost
13 ms and writing it out again 8 ms of every circular, form, letter, ledger,
manuscript and set of minutes, and made each file 36 KB before its first word. The
pages use Normal and Table Grid, their footers Footer, and these rest on a few
more; the blank keeps those, the page, the theme, the fonts and the settings, and
leaves out the other styles and Word's list of its hidden ones, the Word 2010 copy,
an empty bibliography part and a thumbnail (1 ms to read, 1 ms to write, 9 KB).
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from pathlib import Path
from typing import Any

# the styles the pages name, those python-docx's headers and footers name, and those
# Word needs beneath them
KEPT_STYLES = (
    "Normal", "DefaultParagraphFont", "TableNormal", "TableGrid", "NoList",
    "Header", "HeaderChar", "Footer", "FooterChar",
)  # fmt: skip
LEFT_OUT = ("customXml/", "docProps/thumbnail.jpeg", "word/stylesWithEffects.xml")
_STYLE = re.compile(r'<w:style\b[^>]*\bw:styleId="([^"]+)".*?</w:style>\s*', re.DOTALL)
_LATENT = re.compile(r"<w:latentStyles\b.*?</w:latentStyles>\s*", re.DOTALL)
# a relationship or a content type that names a part left out
_NAMING = re.compile(
    r'<(?:Relationship|Override)\b[^>]*"[^"]*(?:customXml|stylesWithEffects|thumbnail)[^"]*"[^>]*/>\s*'
)


def blank() -> Any:
    """A new python-docx Document, as ``docx.Document()`` makes one, but lean."""
    from docx import Document

    package = _lean()
    return Document(io.BytesIO(package)) if package else Document()


@functools.cache
def _lean() -> bytes | None:
    import docx

    try:
        whole = (Path(docx.__file__).parent / "templates" / "default.docx").read_bytes()
    except OSError:
        return None
    return repack(whole)


def repack(whole: bytes) -> bytes | None:
    """python-docx's blank (the bytes of its ``default.docx``) without what is left
    out; None where it is not as expected, and python-docx's own is used whole."""
    try:
        with zipfile.ZipFile(io.BytesIO(whole)) as package:
            parts = {
                info.filename: package.read(info)
                for info in package.infolist()
                if not info.filename.startswith(LEFT_OUT)
            }
        styles = parts["word/styles.xml"].decode("utf-8")
        styles = _LATENT.sub("", _STYLE.sub(lambda m: m[0] if m[1] in KEPT_STYLES else "", styles))
        for name in ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels"):
            parts[name] = _NAMING.sub("", parts[name].decode("utf-8")).encode("utf-8")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError):
        return None
    if sorted(_STYLE.findall(styles)) != sorted(KEPT_STYLES):
        return None
    parts["word/styles.xml"] = styles.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as lean:
        for name, data in parts.items():
            lean.writestr(name, data)
    return out.getvalue()
