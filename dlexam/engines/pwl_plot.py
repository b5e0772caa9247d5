"""Pictures of pieces and level sets, drawn as a model exam answer (matplotlib, Agg).

`draw(partition, path)` writes a PNG or SVG chosen by the file's extension: the pieces shaded
in distinct light colours (programs: labelled with their function and, where it fits, their
condition), the level set f = C in bold, axes, grid and the box as limits.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from dlexam.errors import InputError

FORMATS = {".png": "png", ".svg": "svg"}
LEVEL_COLOUR = "#c0392b"


MAX_LABELLED_REGIONS = 12


def draw(partition: Any, path: str | Path, title: str | None = None) -> Path:
    """Write the picture of a Partition (program) or NetworkPartition (network) to path."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"The picture must be a .png or .svg file, not {path.name!r}.")
    from dlexam.engines.figures import new_figure

    fig = new_figure(figsize=(7, 7), dpi=120)
    ax = fig.subplots()
    if hasattr(partition, "program"):
        _draw_program(ax, partition)
        default = f"{partition.output}: {len(partition.pieces)} linear pieces"
    else:
        _draw_network(ax, partition)
        default = f"ReLU network: {len(partition)} linear regions"
    if partition.level is not None:
        default += f", boundary {_name(partition)} = {_number(partition.level)}"
    _frame(ax, [float(v) for v in partition.box], title or default)
    if partition.level is not None:
        ax.plot([], [], color=LEVEL_COLOUR, linewidth=3,
                label=f"{_name(partition)} = {_number(partition.level)}")
        ax.legend(loc="upper right", framealpha=0.9)
    try:
        fig.savefig(path, format=fmt, bbox_inches="tight")
    except OSError as exc:
        raise InputError(f"Cannot write the picture {str(path)!r}: {exc.strerror or exc}.") from None
    return path


def _name(partition: Any) -> str:
    return partition.output if hasattr(partition, "program") else "y"


def _number(v: Any) -> str:
    f = float(v)
    return str(int(f)) if f == int(f) else str(v)


def _draw_program(ax, partition) -> None:
    from matplotlib import colormaps
    from matplotlib.patches import Polygon as Patch

    colours = colormaps["Pastel1"].colors + colormaps["Pastel2"].colors
    x1lo, x1hi = float(partition.box[0]), float(partition.box[1])
    char = 0.0125 * (x1hi - x1lo)       # about one character at 9 pt, in x1 units
    key = []
    for i, piece in enumerate(partition.pieces):
        pts = [(float(x), float(y)) for x, y in piece.polygon]
        ax.add_patch(Patch(pts, closed=True, facecolor=colours[i % len(colours)],
                           edgecolor="#222222", linewidth=1.4, zorder=1))
        if piece.at_level:
            ax.add_patch(Patch(pts, closed=True, facecolor="none", edgecolor=LEVEL_COLOUR,
                               hatch="//", linewidth=0, zorder=2))
        function = f"{partition.output} = {piece.function.text()}"
        key.append(f"{i + 1}: {function:<14} on  {piece.condition}"
                   + (f"   ({partition.output} = {_number(partition.level)} on all of it)" if piece.at_level else ""))
        cx, cy = _label_point(pts)
        room = 0.85 * _width_at(pts, cy)
        lines = [f"{i + 1}: {function}", piece.condition]
        while lines and max(len(t) for t in lines) * char > room:
            lines.pop()
        ax.text(cx, cy, "\n".join(lines) or f"{i + 1}", ha="center", va="center", fontsize=9 if lines else 7,
                zorder=4, clip_on=True,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "alpha": 0.75, "linewidth": 0})
    if partition.boundary:
        _draw_segments(ax, [[(float(a), float(b)) for a, b in s] for s in partition.boundary])
    shown = key[:16] + ([f"... and {len(key) - 16} more pieces"] if len(key) > 16 else [])
    ax.text(0.0, -0.09, "\n".join(shown), transform=ax.transAxes, ha="left", va="top",
            fontsize=9, family="monospace")


def _label_point(pts: list[tuple[float, float]]) -> tuple[float, float]:
    """The vertex mean: inside a convex polygon, and cheap."""
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


def _width_at(pts: list[tuple[float, float]], y: float) -> float:
    """The width of a convex polygon along the horizontal line at height y."""
    xs = []
    for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1]):
        if (ay - y) * (by - y) <= 0 and ay != by:
            xs.append(ax + (y - ay) * (bx - ax) / (by - ay))
    return max(xs) - min(xs) if len(xs) >= 2 else 0.0


def _draw_network(ax, partition) -> None:
    from matplotlib import colormaps
    import numpy as np
    from matplotlib.collections import PolyCollection

    rng = np.random.default_rng(0)
    cmap = colormaps["tab20"]
    faces = cmap(rng.integers(0, 20, len(partition)))
    faces[:, :3] = 0.4 * faces[:, :3] + 0.6  # lighten
    width = 0.6 if len(partition) < 500 else 0.25 if len(partition) < 5000 else 0.1
    ax.add_collection(PolyCollection(partition.polygons, facecolors=faces, edgecolors="#666666",
                                     linewidths=width, zorder=1))
    if len(partition) <= MAX_LABELLED_REGIONS:  # few regions: say the function on each, as for programs
        char = 0.0125 * (float(partition.box[1]) - float(partition.box[0]))
        for polygon, (a, b, c) in zip(partition.polygons, partition.functions):
            pts = [(float(x), float(y)) for x, y in polygon]
            cx, cy = _label_point(pts)
            text = f"y = {_affine_text(a, b, c)}"
            if len(text) * char < 0.85 * _width_at(pts, cy):
                ax.text(cx, cy, text, ha="center", va="center", fontsize=8, zorder=4, clip_on=True,
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.75, "linewidth": 0})
    boundary = partition.boundary
    if boundary:
        _draw_segments(ax, boundary)


def _affine_text(a: float, b: float, c: float) -> str:
    """a·x1 + b·x2 + c as people write it: `x2`, `-0.5*x1 + 0.5*x2 + 0.5`, `0`."""
    terms = []
    for coef, name in ((a, "x1"), (b, "x2"), (c, "")):
        if abs(coef) < 5e-4:
            continue
        size = f"{abs(coef):.3g}"
        body = name if size == "1" and name else f"{size}*{name}" if name else size
        terms.append(("-" if coef < 0 else "+", body))
    if not terms:
        return "0"
    first_sign, first = terms[0]
    return ("-" if first_sign == "-" else "") + first + "".join(f" {sign} {body}" for sign, body in terms[1:])


def _draw_segments(ax, segments) -> None:
    from matplotlib.collections import LineCollection

    ax.add_collection(LineCollection(segments, colors=LEVEL_COLOUR, linewidths=3.0, zorder=3,
                                     capstyle="round"))
    points = [s[0] for s in segments if tuple(s[0]) == tuple(s[1])]
    if points:
        ax.plot([p[0] for p in points], [p[1] for p in points], "o", color=LEVEL_COLOUR, zorder=3)


def _frame(ax, box: list[float], title: str) -> None:
    ax.set_xlim(box[0], box[1])
    ax.set_ylim(box[2], box[3])
    ax.set_aspect("equal" if 0.2 < (box[3] - box[2]) / (box[1] - box[0]) < 5 else "auto")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$", rotation=0, labelpad=12)
    ax.grid(True, color="#999999", linewidth=0.5, alpha=0.6, zorder=0)
    ax.set_axisbelow(False)
    if box[0] < 0 < box[1]:
        ax.axvline(0, color="#777777", linewidth=0.8, linestyle=(0, (4, 3)), zorder=2)  # axis, not an edge
    if box[2] < 0 < box[3]:
        ax.axhline(0, color="#777777", linewidth=0.8, linestyle=(0, (4, 3)), zorder=2)
    ax.set_title(textwrap.fill(title, 60))  # programs can be longer than the plot is wide
