"""The second method for the linear-pieces task: sample the program on a grid, in floating point,
without the solver's polygons, and hold both the exact partition and a given answer to it.

- the activation patterns found on the grid are exactly the partition's pieces, and each
  piece's polygon covers exactly the grid points of its pattern;
- the answer has one entry per piece: its condition holds on exactly one pattern's points (any
  order, none twice) and its function equals the sampled y there;
- every stated boundary point has y = C, and every sign change of y − C between grid
  neighbours lies near a stated segment.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlexam.engines import pwl
from dlexam.engines.pwl_compare import grid, parse_affine, parse_condition, polygon_contains
from dlexam.errors import InputError, VerificationError
from dlexam.grading.geometry import as_array, distances_to_segments
from dlexam.tasks.pieces.answer import Part, read_segment

N = 151                 # grid points per axis
ATOL = 1e-9             # y agrees with a function, or with C, up to rounding
NEAR = 0.75             # a sign change lies within this many grid spacings of a stated segment


def verify_by_sampling(partition: pwl.Partition, parts: dict[str, Any]) -> None:
    """VerificationError at the first disagreement between the grid and the partition or the answer."""
    points, _ = grid(partition.box, N)
    values, patterns = pwl.evaluate_points(partition.program, points)
    masks = _pattern_masks(patterns)
    _check_partition(partition, masks, points)
    try:
        _check_pieces(partition, parts[Part.PIECES], masks, points, values)
        _check_boundary(partition, parts[Part.BOUNDARY], points, values)
    except (InputError, KeyError, TypeError) as exc:   # an unreadable solution is a wrong one
        raise VerificationError(f"The solution does not read as an answer: {exc}") from None


def _pattern_masks(patterns: np.ndarray) -> dict[tuple[int, ...], np.ndarray]:
    unique = np.unique(patterns, axis=0)
    return {tuple(int(v) for v in row): np.all(patterns == row, axis=1) for row in unique}


def _check_partition(partition: pwl.Partition, masks: dict[tuple[int, ...], np.ndarray], points: np.ndarray) -> None:
    source = partition.program.source
    if set(masks) != {p.pattern for p in partition.pieces}:
        raise VerificationError(f"{source}: sampling finds patterns {sorted(masks)}.")
    for piece in partition.pieces:
        if not np.array_equal(polygon_contains(piece.polygon, points), masks[piece.pattern]):
            raise VerificationError(f"The polygon of {piece.condition} disagrees with the sampled pattern.")


def _check_pieces(partition: pwl.Partition, entries: list[dict[str, Any]],
                  masks: dict[tuple[int, ...], np.ndarray], points: np.ndarray, values: np.ndarray) -> None:
    if len(entries) != len(masks):
        raise VerificationError(f"The solution gives {len(entries)} pieces; sampling finds {len(masks)}.")
    unseen = dict(masks)
    for entry in entries:
        inside = parse_condition(entry["condition"], partition.program).holds(points)
        pattern = next((p for p, mask in unseen.items() if np.array_equal(mask, inside)), None)
        if pattern is None:
            raise VerificationError(f"The condition {entry['condition']} is not one sampled piece (or repeats one).")
        del unseen[pattern]
        f = parse_affine(str(entry["function"]))
        expected = float(f.x1) * points[:, 0] + float(f.x2) * points[:, 1] + float(f.const)
        if not np.allclose(values[inside], expected[inside], atol=ATOL):
            raise VerificationError(f"On {entry['condition']} the program is not {entry['function']}.")


def _check_boundary(partition: pwl.Partition, items: list[Any], points: np.ndarray, values: np.ndarray) -> None:
    """Every stated segment has y = C; every sign change of y - C on the grid lies on one."""
    level = float(partition.level)
    segments = [s for item in items if (s := read_segment(item, partition.box)) is not None]
    ends = as_array(segments)
    t = np.linspace(0, 1, 21)[None, :, None]
    along = (ends[:, None, 0] + t * (ends[:, None, 1] - ends[:, None, 0])).reshape(-1, 2)
    on, _ = pwl.evaluate_points(partition.program, along)
    if len(on) and not np.allclose(on, level, atol=ATOL):
        raise VerificationError(f"A stated boundary point has y = {on[np.argmax(abs(on - level))]}, not {level}.")
    changes = _sign_changes(points, values > level)
    x1lo, x1hi, x2lo, x2hi = (float(v) for v in partition.box)
    spacing = max(x1hi - x1lo, x2hi - x2lo) / N
    far = distances_to_segments(changes, segments) > NEAR * spacing
    if far.any():
        m = changes[np.argmax(far)]
        raise VerificationError(f"y crosses {level} near ({m[0]:.2f}, {m[1]:.2f}), off the stated boundary.")


def _sign_changes(points: np.ndarray, above: np.ndarray) -> np.ndarray:
    """Midpoints between grid neighbours on different sides of the level."""
    side, pts = above.reshape(N, N), points.reshape(N, N, 2)
    return np.concatenate([((pts[1:] + pts[:-1]) / 2)[side[1:] != side[:-1]],
                           ((pts[:, 1:] + pts[:, :-1]) / 2)[side[:, 1:] != side[:, :-1]]]).reshape(-1, 2)
