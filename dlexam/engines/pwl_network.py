"""Linear regions of ReLU networks with two inputs, vectorised in float64 NumPy.

Every region is a convex polygon on which each hidden neuron's pre-activation is affine in
(x1, x2). Going layer by layer and neuron by neuron, all regions the neuron's line crosses
are cut in two at once (padded vertex arrays, one NumPy pass per neuron). A neuron whose
pre-activation is zero on a whole region counts as inactive (relu = max(0, z), ties to 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dlexam.engines.bounded import MAX_PIECES
from dlexam.engines.pwl_box import float_box, to_float
from dlexam.engines.relu_network import (
    Network,
    as_network,
    network_from_dict,
    network_from_torch,
    network_program,
    read_network,
)
from dlexam.errors import InputError

# the networks themselves live in `relu_network`; re-exported for callers of `pwl_network`
__all__ = [
    "Network", "NetworkPartition", "as_network", "network_from_dict", "network_from_torch",
    "network_pieces", "network_program", "read_network",
]

REL_TOL = 1e-10   # a vertex within this (relative) distance of a line lies on it


@dataclass
class NetworkPartition:
    """The linear regions of a network in a box, and the level set f = C if a level is given."""

    box: tuple[float, float, float, float]
    polygons: list[np.ndarray]          # each (n, 2), counter-clockwise
    patterns: np.ndarray                # (R, hidden neurons) bool
    functions: np.ndarray               # (R, 3): x1, x2, const
    level: float | None = None
    at_level: np.ndarray | None = None  # (R,) bool
    segments: np.ndarray | None = None  # (R, 2, 2) level-set segment per region (NaN when none)

    def __len__(self) -> int:
        return len(self.polygons)

    @property
    def areas(self) -> np.ndarray:
        return np.array([_area(p) for p in self.polygons])

    @property
    def boundary(self) -> list[np.ndarray] | None:
        if self.segments is None:
            return None
        keep = ~np.isnan(self.segments[:, 0, 0])
        segs = self.segments[keep]
        if len(segs) == 0:
            return []
        # a level line along a shared edge is found by both neighbours: keep it once
        ordered = np.where((segs[:, 0, 0] < segs[:, 1, 0])[:, None, None]
                           | ((segs[:, 0, 0] == segs[:, 1, 0]) & (segs[:, 0, 1] <= segs[:, 1, 1]))[:, None, None],
                           segs, segs[:, ::-1])
        _, first = np.unique(np.round(ordered.reshape(len(segs), 4), 9), axis=0, return_index=True)
        return list(ordered[np.sort(first)])

    def piece_at(self, point: tuple[float, float]) -> int | None:
        """Index of a region containing the point (on a shared edge: one of them)."""
        p = np.asarray(point, dtype=float)
        for i, poly in enumerate(self.polygons):
            e = np.roll(poly, -1, axis=0) - poly
            cross = e[:, 0] * (p[1] - poly[:, 1]) - e[:, 1] * (p[0] - poly[:, 0])
            if np.all(cross >= -1e-12):
                return i
        return None

    def to_json(self) -> dict[str, Any]:
        pieces = []
        for i, poly in enumerate(self.polygons):
            piece = {
                "condition": "".join("1" if b else "0" for b in self.patterns[i]),
                "function": {"x1": float(self.functions[i, 0]), "x2": float(self.functions[i, 1]),
                             "const": float(self.functions[i, 2])},
                "polygon": poly.tolist(),
                "at_level": bool(self.at_level[i]) if self.at_level is not None else False,
                "boundary": [],
            }
            if self.segments is not None and not np.isnan(self.segments[i, 0, 0]):
                piece["boundary"] = [self.segments[i].tolist()]
            pieces.append(piece)
        boundary = self.boundary
        return {"output": "y", "kind": "network", "box": list(self.box), "level": self.level,
                "count": len(self.polygons),
                "pieces": pieces,
                "boundary": None if boundary is None else [s.tolist() for s in boundary]}


# --- the regions ----------------------------------------------------------------------------

def network_pieces(net: Network, box: Any = None, level: Any = None) -> NetworkPartition:
    """All linear regions of the network in the box (float64), and the level set f = level."""
    box_f = float_box(box)
    x1lo, x1hi, x2lo, x2hi = box_f
    verts = np.array([[[x1lo, x2lo], [x1hi, x2lo], [x1hi, x2hi], [x1lo, x2hi]]], dtype=np.float64)
    counts = np.array([4])
    span = max(abs(v) for v in box_f) + 1.0
    z = np.concatenate([net.weights[0], net.biases[0][:, None]], axis=1)[None]   # (1, W, 3)
    layer_bits, layer_maps = [], []
    store = _Store(verts, counts)
    for k in range(len(net.weights) - 1):
        start, bits = _split_layer(store, z, span)
        layer_bits.append(bits)
        layer_maps.append(start)
        # pre-activations of the next layer, affine per region: W (bits * z) + b
        active = z[start] * bits[:, :, None]                                         # (R, W, 3)
        z = np.einsum("oi,rik->rok", net.weights[k + 1], active, optimize=True)
        z[:, :, 2] += net.biases[k + 1]
    verts, counts = store.live()
    functions = z[:, 0, :] if len(net.weights) > 1 else z[0, 0][None]
    patterns = _patterns(layer_bits, layer_maps, len(counts))
    polygons = [verts[i, :counts[i]].copy() for i in range(len(counts))]
    part = NetworkPartition(box_f, polygons, patterns, functions)
    if level is not None:
        part.level = to_float(level, "level")
        part.segments, part.at_level = _level_set(verts, counts, functions, part.level, span)
    return part


class _Store:
    """Padded vertex arrays with spare rows, so cutting a region rewrites it in place and
    appends its other half (no copy of the regions a line misses). Each region also keeps a
    bounding circle: a line that misses the circle needs no look at the vertices."""

    def __init__(self, verts: np.ndarray, counts: np.ndarray):
        self.verts, self.counts, self.rows = verts, counts, len(counts)
        self.centres = np.zeros((len(counts), 2))
        self.radii = np.zeros(len(counts))
        self.update_circles(np.arange(self.rows))

    def live(self) -> tuple[np.ndarray, np.ndarray]:
        return self.verts[:self.rows], self.counts[:self.rows]

    def reserve(self, rows: int, width: int) -> None:
        cap, m = self.verts.shape[:2]
        if rows <= cap and width <= m:
            return
        new_cap = 2 * rows if rows > cap else cap
        grown = np.zeros((new_cap, max(m, width), 2))
        grown[:self.rows, :m] = self.verts[:self.rows]
        self.verts = grown
        for name in ("counts", "centres", "radii"):
            old = getattr(self, name)
            new = np.zeros((new_cap, *old.shape[1:]), dtype=old.dtype)
            new[:self.rows] = old[:self.rows]
            setattr(self, name, new)

    def update_circles(self, rows: np.ndarray) -> None:
        v, c = self.verts[rows], self.counts[rows]
        valid = np.arange(v.shape[1])[None, :] < c[:, None]
        centre = (v * valid[..., None]).sum(axis=1) / c[:, None]
        dist = np.where(valid, np.sqrt(((v - centre[:, None]) ** 2).sum(axis=2)), 0.0)
        self.centres[rows] = centre
        self.radii[rows] = dist.max(axis=1) * (1 + 1e-9) + 1e-300


def _split_layer(store: _Store, z: np.ndarray, span: float):
    """Cut every region by every neuron of one layer. Returns, for each region, its region at
    the start of the layer and its activation bits (R, W)."""
    parent = np.arange(store.rows)
    history = []
    for j in range(z.shape[1]):
        before = store.rows
        cut, bit = _split_neuron(store, z[parent, j], span)
        if store.rows > MAX_PIECES:
            raise InputError(f"The network has more than {MAX_PIECES:,} pieces in the box; "
                             f"give a smaller network or --box.")
        parent = np.concatenate([parent, parent[cut]])
        history.append((before, cut, bit))
    bits = np.zeros((store.rows, z.shape[1]), dtype=bool)
    idx = np.arange(store.rows)
    for j in range(z.shape[1] - 1, -1, -1):
        before, cut, bit = history[j]
        bits[:, j] = bit[idx]
        appended = idx >= before
        idx = idx.copy()
        idx[appended] = cut[idx[appended] - before]
    return parent, bits


def _split_neuron(store: _Store, h: np.ndarray, span: float):
    """Cut the regions by the lines h . (x1, x2, 1) = 0: the part with h > 0 stays in place,
    the other part is appended. Returns the cut regions' indices and, for every region after
    the cut, whether h > 0 on it."""
    rows, m = store.rows, store.verts.shape[1]
    tol_all = REL_TOL * (np.abs(h[:, :2]).sum(axis=1) * span + np.abs(h[:, 2]))
    at_centre = h[:, 0] * store.centres[:rows, 0] + h[:, 1] * store.centres[:rows, 1] + h[:, 2]
    reach = np.hypot(h[:, 0], h[:, 1]) * store.radii[:rows] + tol_all
    has_pos = at_centre > 0
    near = np.flatnonzero(np.abs(at_centre) <= reach)     # only these can be cut
    if len(near) == 0:
        return near, has_pos
    slot = np.arange(m)
    hn = h[near]
    verts, counts = store.verts[near], store.counts[near]
    valid = slot[None, :] < counts[:, None]
    vals = verts[..., 0] * hn[:, 0, None] + verts[..., 1] * hn[:, 1, None] + hn[:, 2, None]
    tol = tol_all[near][:, None]
    pos = (vals > tol) & valid
    neg = (vals < -tol) & valid
    near_pos, near_neg = pos.any(axis=1), neg.any(axis=1)
    has_pos[near] = near_pos
    mixed = near_pos & near_neg
    cut = near[mixed]
    if len(cut) == 0:
        return cut, has_pos
    verts, counts, vals, pos, neg = verts[mixed], counts[mixed], vals[mixed], pos[mixed], neg[mixed]
    v, c, s, p, n = verts, counts, vals, pos, neg
    nxt = np.where(slot[None, :] + 1 < c[:, None], slot[None, :] + 1, 0)
    s_next = np.take_along_axis(s, nxt, axis=1)
    v_next = np.take_along_axis(v, nxt[..., None], axis=1)
    crossing = (p & np.take_along_axis(n, nxt, axis=1)) | (n & np.take_along_axis(p, nxt, axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(crossing, s / (s - s_next), 0.0)
    points = v + t[..., None] * (v_next - v)
    inside = slot[None, :] < c[:, None]
    slots = np.empty((len(cut), 2 * m, 2))
    slots[:, 0::2], slots[:, 1::2] = v, points
    upper, upper_n = _compact(slots, _interleave(inside & ~n, crossing))
    lower, lower_n = _compact(slots, _interleave(inside & ~p, crossing))
    store.reserve(rows + len(cut), max(upper.shape[1], lower.shape[1]))
    store.verts[cut, :upper.shape[1]] = upper
    store.counts[cut] = upper_n
    store.verts[rows:rows + len(cut), :lower.shape[1]] = lower
    store.counts[rows:rows + len(cut)] = lower_n
    store.rows = rows + len(cut)
    store.update_circles(np.concatenate([cut, np.arange(rows, rows + len(cut))]))
    bit = np.concatenate([has_pos, np.zeros(len(cut), bool)])
    bit[cut] = True
    return cut, bit


def _interleave(a, b):
    out = np.empty((a.shape[0], 2 * a.shape[1]), dtype=bool)
    out[:, 0::2], out[:, 1::2] = a, b
    return out


def _compact(slots, keep):
    """Move the kept slots of each row to its front, in order."""
    order = np.argsort(~keep, axis=1, kind="stable")
    counts = keep.sum(axis=1)
    width = int(counts.max())
    order = order[:, :width]
    return np.take_along_axis(slots, order[..., None], axis=1), counts


def _patterns(layer_bits, layer_maps, rows):
    """Full activation pattern of every final region, following each layer's start map back."""
    parts = []
    idx = np.arange(rows)
    for bits, start in zip(reversed(layer_bits), reversed(layer_maps)):
        parts.append(bits[idx])
        idx = start[idx]
    parts.reverse()
    return np.concatenate(parts, axis=1) if parts else np.zeros((rows, 0), dtype=bool)


def _level_set(verts, counts, functions, level, span):
    """Per region: the segment of {f = level} (NaN if none) and whether f = level on all of it."""
    g = functions.copy()
    g[:, 2] -= level
    rows, m = counts.shape[0], verts.shape[1]
    slot = np.arange(m)
    valid = slot[None, :] < counts[:, None]
    vals = verts[..., 0] * g[:, 0, None] + verts[..., 1] * g[:, 1, None] + g[:, 2, None]
    scale = np.abs(g[:, :2]).sum(axis=1) * span + np.abs(functions[:, 2]) + abs(level) + 1e-300
    tol = REL_TOL * scale[:, None]
    flat = np.abs(g[:, :2]).sum(axis=1) * span <= REL_TOL * scale
    at_level = flat & np.all((np.abs(vals) <= tol) | ~valid, axis=1)
    zero = (np.abs(vals) <= tol) & valid
    pos, neg = (vals > tol) & valid, (vals < -tol) & valid
    nxt = np.where(slot[None, :] + 1 < counts[:, None], slot[None, :] + 1, 0)
    crossing = (pos & np.take_along_axis(neg, nxt, axis=1)) | (neg & np.take_along_axis(pos, nxt, axis=1))
    s_next = np.take_along_axis(vals, nxt, axis=1)
    v_next = np.take_along_axis(verts, nxt[..., None], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(crossing, vals / (vals - s_next), 0.0)
    points = np.concatenate([verts, verts + t[..., None] * (v_next - verts)], axis=1)  # (R, 2m, 2)
    use = np.concatenate([zero, crossing], axis=1) & ~flat[:, None]
    direction = np.stack([-g[:, 1], g[:, 0]], axis=1)
    along = np.einsum("rkd,rd->rk", points, direction)
    lo = np.argmin(np.where(use, along, np.inf), axis=1)
    hi = np.argmax(np.where(use, along, -np.inf), axis=1)
    segments = np.stack([points[np.arange(rows), lo], points[np.arange(rows), hi]], axis=1)
    length = np.linalg.norm(segments[:, 1] - segments[:, 0], axis=1)
    found = use.any(axis=1) & (length > REL_TOL * span)
    segments[~found] = np.nan
    return segments, at_level


def _area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
