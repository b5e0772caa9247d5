"""The page of an exam sheet or key in Typst: A4, a header with the exam's seed and a QR code on
every page (seed, kind and page, so a returned sheet finds its key), a footer with the page.

The QR codes are segno's SVG (pure Python, no Pillow, vector in the PDF), one per page; the
header shows the code of its page from a list, so the list may be longer than the document. The
mask is fixed (every QR mask is valid; choosing the best costs 3x the time and scans no better here).
"""

from __future__ import annotations

import io

import segno

QR_SIZE = "1.7cm"


def typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def qr_payload(kind: str, seed: int, page: int) -> str:
    """What a page's QR code says: `dlexam exam seed=7 page=3` (kind: exam or key)."""
    return f"dlexam {kind} seed={seed} page={page}"


def qr_svg(text: str) -> str:
    buffer = io.BytesIO()
    segno.make(text, error="m", mask=0).save(buffer, kind="svg", xmldecl=False, svgns=True, scale=4, border=1)
    return buffer.getvalue().decode()


def qr_codes(kind: str, seed: int, pages: int) -> list[str]:
    return [qr_svg(qr_payload(kind, seed, page)) for page in range(1, pages + 1)]


def preamble(kind: str, seed: int, qrs: list[str]) -> str:
    """Page setup: the header's QR box shows `qrs[page - 1]`, or stays empty past the list."""
    title = "Mock exam" if kind == "exam" else "Answer key"
    codes = "(" + "".join(typst_string(svg) + ", " for svg in qrs) + ")"
    return f"""#let qrs = {codes}
#set document(title: "{title} {seed}")
#set page(paper: "a4", margin: (top: 2.6cm, bottom: 2cm, x: 2cm),
  header: context {{
    let p = here().page()
    grid(columns: (1fr, {QR_SIZE}), align: (left + horizon, right),
      text(9pt)[Deep learning · {title} · seed {seed} · page #p],
      box(width: {QR_SIZE}, height: {QR_SIZE},
        if p <= qrs.len() {{ image(bytes(qrs.at(p - 1)), width: {QR_SIZE}) }}))
  }},
  footer: context align(center, text(9pt)[#here().page() / #counter(page).final().first()]))
#set text(size: 10.5pt)
#set par(justify: false)
#show heading.where(level: 1): set block(above: 1.2em, below: 0.8em)
"""
