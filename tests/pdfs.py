"""PDFs written by hand for the tests, byte for byte the same each time: what the
secrecy review reads of an attachment, and what the site sends."""

from __future__ import annotations


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1; the first is the catalogue), with its
    table of objects."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def one_page(stream: bytes, resources: bytes = b"") -> bytes:
    """A one-page PDF drawing ``stream``."""
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << " + resources + b" >> >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def text_pdf(words: str) -> bytes:
    """A one-page PDF whose page says ``words`` (ASCII)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({words}) Tj ET".encode()
    return one_page(stream, b"/Font << /F1 5 0 R >>")
