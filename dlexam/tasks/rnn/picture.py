"""The unrolled computation graph of a small RNN as a picture (matplotlib, no display needed).

Layout: inputs x_t on the bottom row, states h_0..h_T in the middle, the shared weight above
them, then y, the error and the target t on the right. Edges are the program's data flow.
"""

from __future__ import annotations

import re
from pathlib import Path


def layout(nodes: set[str], steps: int, param: str) -> dict[str, tuple[float, float]]:
    pos: dict[str, tuple[float, float]] = {param: ((steps + 1) / 2, 2.2)}
    for t in range(steps + 1):
        pos[f"h{t}"] = (t, 1.0)
        if t:
            pos[f"x{t}"] = (t, 0.0)
    pos["y"] = (steps + 1, 1.0)
    pos["t"] = (steps + 2, 0.0)
    for name in nodes - set(pos):  # the error node (E or L)
        pos[name] = (steps + 2, 1.0)
    return pos


def _label(name: str) -> str:
    m = re.fullmatch(r"([a-z]+)(\d+)", name)
    if name == "theta":
        return r"$\theta$"
    return f"${m.group(1)}_{{{m.group(2)}}}$" if m else f"${name}$"


def draw(edges: list[tuple[str, str]], steps: int, param: str, path: str | Path) -> Path:
    """Write the graph of `edges` (source, target) to `path` (.png or .svg)."""
    from dlexam.engines.figures import new_figure, save

    nodes = {n for e in edges for n in e}
    pos = layout(nodes, steps, param)
    fig = new_figure(figsize=(1.6 * (steps + 3), 3.2))
    ax = fig.subplots()
    for u, v in edges:
        (x0, y0), (x1, y1) = pos[u], pos[v]
        colour = "tab:orange" if u == param else "0.25"
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.3, "shrinkA": 17,
                                "shrinkB": 17, "mutation_scale": 14})
    for name in nodes:
        x, y = pos[name]
        kind = "param" if name == param else "input" if name[0] in "xt" or name == "h0" else "node"
        face = {"param": "#ffe1bf", "input": "#e8eef7", "node": "white"}[kind]
        ax.scatter([x], [y], s=1100, facecolor=face, edgecolor="0.2", zorder=3, linewidths=1.3)
        ax.text(x, y, _label(name), ha="center", va="center", fontsize=13, zorder=4)
    xs = [p[0] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(-0.6, 2.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Unrolled computation graph (the weight is shared by every step)", fontsize=11)
    return save(fig, path, tight=True, dpi=110)   # tight: the graph's aspect leaves wide empty margins
