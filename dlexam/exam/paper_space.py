"""Room to answer on the sheet, in Typst: ruled lines sized by a part's points, an empty grid of
the box for drawing pieces and boundary, a frame for drawing a graph, skeleton code with lines to
fill where the skeleton says `# your code` / `# Space for code`."""

from __future__ import annotations

import re

from dlexam.exam.paper_page import typst_string

LINE_GAP_CM = 0.85
CM_PER_POINT = 1.4
GAP_MARK = re.compile(r"#\s*(your code|space for code)", re.IGNORECASE)
GAP_LINES = 4


def ruled_lines(count: int) -> str:
    rule = f"#v({LINE_GAP_CM}cm, weak: false)#line(length: 100%, stroke: 0.4pt + luma(170))"
    return "#block(breakable: true)[" + "".join(rule for _ in range(count)) + "]"


def lines_for(points: float) -> int:
    """Ruled lines for a part worth `points` on this exam (3 to 10)."""
    return max(3, min(10, round(points * CM_PER_POINT / LINE_GAP_CM)))


def drawing_frame(height_cm: float, label: str) -> str:
    return (f"#block(breakable: false, width: 100%, height: {height_cm}cm, stroke: 0.6pt + luma(120), "
            f"inset: 6pt)[#text(8pt, fill: luma(110))[{label}]]")


def grid_svg(box: tuple[float, float, float, float], unit: int = 28) -> str:
    """An empty grid over the box x1 in [a, b], x2 in [c, d]: unit lines, axes, ticks labelled."""
    a, b, c, d = (int(v) for v in box)
    w, h, m = (b - a) * unit, (d - c) * unit, 24
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 2 * m}" height="{h + 2 * m}" '
           f'font-family="sans-serif" font-size="11">']
    for i, x in enumerate(range(a, b + 1)):
        px = m + i * unit
        out.append(f'<line x1="{px}" y1="{m}" x2="{px}" y2="{m + h}" stroke="{"#000" if x == 0 else "#bbb"}"/>')
        out.append(f'<text x="{px}" y="{m + h + 16}" text-anchor="middle">{x}</text>')
    for j, y in enumerate(range(c, d + 1)):
        py = m + h - j * unit
        out.append(f'<line x1="{m}" y1="{py}" x2="{m + w}" y2="{py}" stroke="{"#000" if y == 0 else "#bbb"}"/>')
        out.append(f'<text x="{m - 6}" y="{py + 4}" text-anchor="end">{y}</text>')
    out.append(f'<text x="{m + w + 4}" y="{m + h + 16}">x1</text><text x="{m - 4}" y="{m - 8}">x2</text></svg>')
    return "".join(out)


def grid(box: tuple[float, float, float, float]) -> str:
    return f"#align(center, image(bytes({typst_string(grid_svg(box))}), width: 11cm))"


def skeleton(source: str) -> str:
    """The skeleton code as given, with ruled lines to write on after every gap comment."""
    rows = []
    for line in source.rstrip("\n").splitlines():
        rows.append(f"#raw({typst_string(line or ' ')}, lang: \"python\")\\")
        if GAP_MARK.search(line):
            indent = (len(line) - len(line.lstrip())) * 0.19
            rows.append(f"#pad(left: {indent:.2f}cm, {ruled_lines(GAP_LINES)[1:]})")
    return "#block(width: 100%, inset: 8pt, stroke: 0.5pt + luma(150))[\n" + "\n".join(rows) + "\n]"
