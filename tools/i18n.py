"""Keep the translations of dangwu's messages complete.

    python tools/i18n.py extract    # every _(), N_() and ngettext() of dangwu/ -> dangwu.pot
    python tools/i18n.py update     # merge the template into the zh_CN catalogue
    python tools/i18n.py compile    # zh_CN .po -> .mo (shipped in the package)
    python tools/i18n.py check      # what tests/test_i18n.py checks: exit 1 on a gap

Babel does the extraction and the .mo; the running tool only needs the standard
library's gettext.
"""

from __future__ import annotations

import gettext
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dangwu"
LOCALES = PACKAGE / "locale"
TEMPLATE = LOCALES / "dangwu.pot"
LANGUAGES = ("zh_CN",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
FIELD = re.compile(r"\{[^{}]*\}")


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "dangwu.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def extract() -> Catalog:
    """The messages of the package as it is now."""
    catalog = Catalog(project="dangwu", charset="utf-8")
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], context=context)
    return catalog


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=path.parent.parent.name if path.suffix == ".po" else None)


def write_template(catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, omit_header=False, no_location=True, sort_output=True, width=0)
    TEMPLATE.write_bytes(buffer.getvalue())


def update(lang: str) -> None:
    template = extract()
    write_template(template)
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog = read(path) if path.exists() else Catalog(locale=lang, project="dangwu")
    catalog.update(template, no_fuzzy_matching=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, no_location=True, sort_output=True, width=0, ignore_obsolete=True)
    path.write_bytes(buffer.getvalue())


def compile_mo(lang: str) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, read(po_path(lang)), use_fuzzy=False)
    return buffer.getvalue()


def problems(lang: str) -> list[str]:
    """What is missing or wrong in a language's catalogue."""
    found = []
    catalog = read(po_path(lang))
    for message in extract():
        if not message.id:
            continue  # the catalogue's header
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        entry = catalog.get(message.id, context=message.context)
        if entry is None:
            found.append(f"not in the catalogue: {ids[0]!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            found.append(f"not translated: {ids[0]!r}")
            continue
        wanted = set(FIELD.findall(ids[0]))
        for text in strings:
            if set(FIELD.findall(text)) != wanted:
                found.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
    shipped = mo_path(lang).read_bytes() if mo_path(lang).exists() else b""
    if messages_of(shipped) != messages_of(compile_mo(lang)):
        found.append(f"{mo_path(lang).relative_to(ROOT)} is not compiled from the .po")
    return found


def messages_of(mo: bytes) -> dict[object, str] | None:
    """The translations a compiled catalogue holds, without its header (which names
    the Babel that wrote it, so a newer Babel is no reason to recompile)."""
    if not mo:
        return None
    catalogue = gettext.GNUTranslations(io.BytesIO(mo))
    found = dict(catalogue._catalog)  # type: ignore[attr-defined]
    found.pop("", None)
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        write_template(extract())
    elif command == "update":
        for lang in LANGUAGES:
            update(lang)
    elif command == "compile":
        for lang in LANGUAGES:
            mo_path(lang).write_bytes(compile_mo(lang))
    elif command == "check":
        gaps = [f"{lang}: {p}" for lang in LANGUAGES for p in problems(lang)]
        for gap in gaps:
            print(gap)
        return 1 if gaps else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
