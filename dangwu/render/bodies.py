"""Record bodies: Markdown read by markdown-it-py, and the office's own images in them,
shared by every page that prints a body (HTML here, Typst in ``typeset``)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import unquote

from dangwu.check.validate import unsafe_attachment
from dangwu.rules.secrecy import HIDDEN

Files = Callable[[str], bytes | None]  # an office file's bytes at the printed commit


@cache
def markdown_parser() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("link_close", _link_close)
    md.add_render_rule("image", _image)
    return md


def _link_open(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """A link prints its words; where it points is printed after them, never fetched
    or followed (a link within the page stays a link)."""
    href = str(tokens[idx].attrGet("href") or "")
    env.setdefault("links", []).append(href)
    if href.startswith("#"):
        return f'<a href="{escape_html(href)}">'
    return '<span class="link">'


def _link_close(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    href = env["links"].pop() if env.get("links") else ""
    if href.startswith("#"):
        return "</a>"
    return f'</span><span class="link-target">（{escape_html(href)}）</span>' if href else "</span>"


IMAGE_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF8": "image/gif",
}
IMAGE_BYTES = 5 * 1024 * 1024


def _image(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """An image shows only if it is one of the office's own committed files (PNG, JPEG
    or GIF), put into the page itself; anything else is named, not fetched."""

    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    files = env.get("files")
    data = office_file(files, src) if files is not None else None
    kind = next((k for magic, k in IMAGE_TYPES.items() if data and data.startswith(magic)), None)
    if data is None or kind is None or len(data) > IMAGE_BYTES:
        return f'<span class="image-missing">［图：{escape_html(alt or src)}］</span>'
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img src="data:{kind};base64,{encoded}" alt="{escape_html(alt)}">'


def office_file(files: Files, src: str) -> bytes | None:
    """A file of the office named by a relative path, or None."""

    path = unquote(src.split("#", 1)[0].split("?", 1)[0])
    if not path or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//", path) or unsafe_attachment(path):
        return None
    return files(path.removeprefix("./"))


def escape_html(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def markdown_html(text: Any, files: Files | None = None) -> Any:
    """A record body (Markdown) as safe HTML: raw HTML in it is shown as text, links
    are words, images only the office's own."""
    from markupsafe import Markup

    rendered = markdown_parser().render(str(text or ""), {"files": files})
    # an entity may stand for a character that prints as nothing or turns the text
    # around (&#x202e;): what is printed holds none (validate refuses them too)
    return Markup(HIDDEN.sub("", rendered))  # escaped by markdown-it


def plain_text(inline: Any) -> str:
    """A Markdown inline token's text without its marks (for Word and plain text)."""
    return "".join(
        child.content for child in inline.children or [] if child.type in ("text", "code_inline")
    )
