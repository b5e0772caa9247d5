"""Part (a): the unrolled graph as edges `u->v`, read and compared as sets (y and h_T one node)."""

from __future__ import annotations

import re
from typing import Any

from dlexam.errors import InputError
from dlexam.grading.grade import PartGrade
from dlexam.tasks.rnn.data import RNNData

Edge = tuple[str, str]


def read_edges(value: Any) -> set[Edge]:
    """Edges from `x1->h1, h0->h1` (chains `h0->h1->h2` allowed) or a JSON list of pairs/strings."""
    from dlexam.engines.notation import clean_text

    if isinstance(value, list):
        items = [f"{e[0]}->{e[1]}" if isinstance(e, (list, tuple)) and len(e) == 2 else e for e in value]
        if not all(isinstance(i, str) for i in items):
            raise InputError("Edges are strings such as 'x1->h1' or pairs such as ['x1', 'h1'].")
        value = ", ".join(items)
    if not isinstance(value, str):
        raise InputError("Part a) lists edges such as `x1->h1, h0->h1`.")
    text = re.sub(r"\s*(?:->|→|=>|-->|⟶)\s*", "->", clean_text(value).replace("-->", "->"))
    edges: set[Edge] = set()
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        names = [_node(n) for n in item.split("->")]
        if len(names) < 2 or not all(names):
            raise InputError(f"Write each edge as `u->v` (as in `x1->h1`), not {item!r}.")
        edges.update(zip(names, names[1:]))
    if not edges:
        raise InputError("Part a) lists edges such as `x1->h1, h0->h1`.")
    return edges


def _node(name: str) -> str:
    name = re.sub(r"[_{}()]", "", name.strip())
    if not re.fullmatch(r"[A-Za-z]+\d*", name):
        return ""
    return name if name in ("E", "L") else name.lower()


def normal_edges(value: Any, d: RNNData) -> set[Edge]:
    """The edges as the graph has them: y is h_T, e/l is the error node, no loops."""
    last = f"h{d['steps']}"
    given = {(last if u == "y" else u, last if v == "y" else v) for u, v in read_edges(value)}
    return {(u, d["error"] if v in ("e", "l") else v) for u, v in given if u != v}


def grade_edges(value: Any, expected: list[Edge], d: RNNData, points: float) -> PartGrade:
    """Each right edge earns a share, each wrong edge costs one, never below 0."""
    if value is None:
        return PartGrade("a", 0.0, points, "a) No graph given.", {"answered": False})
    given, want = normal_edges(value, d), set(expected)
    right, wrong, missing = given & want, sorted(given - want), sorted(want - given)
    score = points * max(0, len(right) - len(wrong)) / len(want)
    lines = [f"a) {len(right)} of {len(want)} edges right" + (f", {len(wrong)} wrong" if wrong else "") + "."]
    if missing:
        lines.append("   Missing: " + ", ".join(f"{u}->{v}" for u, v in missing) + ".")
    if wrong:
        lines.append("   Not in the graph: " + ", ".join(f"{u}->{v}" for u, v in wrong) + ".")
    return PartGrade("a", score, points, "\n".join(lines),
                     {"missing": [list(e) for e in missing], "wrong": [list(e) for e in wrong], "right": len(right),
                      "edges": len(want)})
