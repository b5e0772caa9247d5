"""Pictures for the layer questions: the input grid with the cells no window reads (`unused-inputs`)
and the receptive field of one output element (`receptive-field`). matplotlib, Agg, imported only
when drawing.

Unused inputs: which positions some window reads is worked out per axis by the layer's `Window`
(the family's own method); the grid's mask is the outer product of the two axes. A large input is
shown as its top-left and bottom-right corners (the pattern repeats with the stride in between and
may change at the far edge), with one window outlined. Receptive field: the input cells one output
element in the middle depends on, walked back through the layers' windows per axis (no torch, so a
key with this picture typesets in a second; the tests hold it to autograd through the layers'
surrogates, `engines.probes`, the family's second method), on a grid just large enough that the
field does not touch its border; the field's extent is outlined and must equal the formula's r.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlexam.engines.modules import parse_module
from dlexam.tasks.layer_windows import spec_receptive_field, spec_sequence, spec_windows

CORNER = 20   # the corner of a large input that is shown, in cells per axis
READ, UNREAD, OUTLINE = "#9ecae1", "#525252", "#e6550d"


@dataclass(frozen=True)
class UnusedGrid:
    layer: str
    n: int
    kernel: int
    stride: int
    used_axis: Any    # bool per position of one axis: read by some window

    @property
    def mask(self) -> Any:
        """The whole n × n grid: True where some window reads the cell."""
        import numpy as np

        return np.outer(self.used_axis, self.used_axis)

    @property
    def unused_share(self) -> float:
        return 1 - float(self.used_axis.mean()) ** 2


def unused_grid(layer: str, input_shape: list[int]) -> UnusedGrid:
    import numpy as np

    n = input_shape[-1]
    w = spec_windows(parse_module(layer))[0]
    used = w.used_inputs(n, np.ones(w.output_length(n), dtype=bool))
    return UnusedGrid(layer, n, w.kernel, w.stride, used)


def _cells(ax: Any, mask: Any, first: tuple[int, int], lines: bool = True) -> None:
    """Draw `mask` (rows × columns) with the input's own indices from `first` (row, column)."""
    from matplotlib.colors import ListedColormap
    from matplotlib.ticker import MaxNLocator

    rows, cols = mask.shape
    r0, c0 = first
    extent = (c0 - 0.5, c0 + cols - 0.5, r0 + rows - 0.5, r0 - 0.5)
    ax.imshow(mask, cmap=ListedColormap([UNREAD, READ]), vmin=0, vmax=1, extent=extent, interpolation="nearest")
    if lines:
        for k in range(cols + 1):
            ax.axvline(c0 - 0.5 + k, color="white", lw=0.5)
        for k in range(rows + 1):
            ax.axhline(r0 - 0.5 + k, color="white", lw=0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("column", fontsize=9)
    ax.set_ylabel("row", fontsize=9)
    ax.tick_params(labelsize=8)


def _legend(fig: Any, read: str, unread: str, outline: str) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=READ, label=read), Patch(facecolor=UNREAD, label=unread),
               Patch(facecolor="none", edgecolor=OUTLINE, lw=2, label=outline)]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=9, frameon=False)


def unused_figure(layer: str, input_shape: list[int]) -> Any:
    from dlexam.engines.figures import new_figure
    from matplotlib.patches import Rectangle

    g = unused_grid(layer, input_shape)
    n, k, s = g.n, g.kernel, g.stride
    size = min(n, CORNER)
    corners = [(0, "top-left")] + ([(n - size, "bottom-right")] if n > size else [])
    fig = new_figure(figsize=(4.3 * len(corners) + 0.4, 5.4), dpi=120, layout="constrained")
    axes = fig.subplots(1, len(corners), squeeze=False)
    for ax, (start, name) in zip(axes[0], corners):
        part = g.mask[start:start + size, start:start + size]
        _cells(ax, part, (start, start))
        what = "the whole input" if size == n else f"the {name} {size}×{size} corner of the {n}×{n} input"
        ax.set_title(f"{what}\n(rows and columns {start}–{start + size - 1})", fontsize=9.5)
    first = min(s, n - k)   # the second window (the first where there is only one), within the corner shown
    axes[0][0].add_patch(Rectangle((first - 0.5, first - 0.5), k, k, fill=False, edgecolor=OUTLINE, lw=2.5))
    used = int(g.used_axis.sum())
    fig.suptitle(f"{layer} on {n}×{n}: windows of {k} every {s} read {used} of {n} positions per axis,\n"
                 f"so {100 * (used / n) ** 2:.4g}% of the grid is read and {100 * g.unused_share:.4g}% is unused "
                 f"(the same in every channel)", fontsize=10.5)
    _legend(fig, "read by some window", "read by no window", f"one {k}×{k} window")
    fig.get_layout_engine().set(h_pad=0.08)   # room between the heading and the panels' titles
    return fig


@dataclass(frozen=True)
class Field:
    layer: str
    length: int       # the grid shown is length × length
    read: Any         # bool, length × length: the middle output element depends on the cell
    output: tuple[int, int]   # that output element's index
    formula: int      # r by the formula (engines.layers.receptive_field)

    @property
    def extent(self) -> tuple[int, int, int, int]:
        """(first row, last row, first column, last column) of the cells read."""
        import numpy as np

        rows, cols = np.flatnonzero(self.read.any(1)), np.flatnonzero(self.read.any(0))
        return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])

    @property
    def size(self) -> int:
        """The extent along one axis, as the question counts it."""
        r0, r1, _, _ = self.extent
        return r1 - r0 + 1


def receptive_field_grid(layer: str) -> Field:
    """The field of the output element (o, o) nearest the middle whose field does not touch the border
    of a grid just large enough, walked back through the layers' windows (no torch)."""
    import numpy as np

    spec = parse_module(layer)
    stack = [spec_windows(s) for s in spec_sequence(spec)]
    r = spec_receptive_field(spec)
    length = r + 2 * max(2, r // 8)
    while True:
        rows, cols = (_reads(stack, axis, length) for axis in (0, 1))
        inside = []
        for o in range(min(len(rows), len(cols))):
            field = Field(layer, length, np.outer(rows[o], cols[o]), (o, o), r)
            r0, r1, _, _ = field.extent
            if r0 > 0 and r1 < length - 1:
                inside.append((abs(r0 + r1 - (length - 1)), o, field))
        if inside:
            return min(inside, key=lambda t: t[:2])[2]
        length += 2


def _reads(stack: list, axis: int, length: int) -> list:
    """Per output position along `axis`, the input positions (bool, `length`) it depends on."""
    import numpy as np

    lengths = [length]
    for wins in stack:
        lengths.append(wins[axis].output_length(lengths[-1]))
    out = []
    for o in range(lengths[-1]):
        used = np.arange(lengths[-1]) == o
        for wins, n in zip(reversed(stack), reversed(lengths[:-1])):
            used = wins[axis].used_inputs(n, used)
        out.append(used)
    return out


def field_figure(layer: str) -> Any:
    from dlexam.engines.figures import new_figure
    from matplotlib.patches import Rectangle

    f = receptive_field_grid(layer)
    r0, r1, c0, c1 = f.extent
    fig = new_figure(figsize=(6.4, 7.2), dpi=120, layout="constrained")
    ax = fig.subplots()
    margin = max(2, (r1 - r0 + 1) // 8)
    top, left = max(0, r0 - margin), max(0, c0 - margin)
    view = f.read[top:r1 + margin + 1, left:c1 + margin + 1]
    _cells(ax, view, (top, left), lines=max(view.shape) <= 48)
    ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0 + 1, r1 - r0 + 1, fill=False, edgecolor=OUTLINE, lw=2.5))
    holes = int((~f.read[r0:r1 + 1, c0:c1 + 1]).sum())
    gaps = f"\n{holes} cells inside it are not read (gaps left by dilation and strides)" if holes else ""
    shown = "" if view.shape == f.read.shape else f" (rows and columns {top}–{top + view.shape[0] - 1} shown)"
    ax.set_title(f"{_wrapped(layer)}\nthe input cells output element {f.output} depends on, on a "
                 f"{f.length}×{f.length} input{shown}:\nreceptive field {f.size}×{f.size} (formula: r = {f.formula}){gaps}",
                 fontsize=9.5)
    _legend(fig, "read by this output element", "not read by it", f"the field's extent, {f.size} per axis")
    return fig


def _wrapped(layer: str, width: int = 70) -> str:
    """A long nn.Sequential(...) broken after commas between layers."""
    parts, line, out = layer.split(", nn."), "", []
    for i, part in enumerate(parts):
        piece = ("nn." if i else "") + part + (", " if i < len(parts) - 1 else "")
        if line and len(line) + len(piece) > width:
            out.append(line.rstrip())
            line = ""
        line += piece
    return "\n".join(out + [line])


