"""A linear-pieces variant's data, and the exact partition of its program that everything reads.

The data name a program, a level C, the box and the example piece (by its activation pattern);
the partition — polygons, functions and the boundary y = C per piece — is computed from them
(`engines.pwl`), never stored, and cached because every step of a session asks for it again.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, TypedDict

from dlexam.engines import pwl
from dlexam.errors import InputError

DEFAULT_BOX = (-5, 5, -5, 5)


class PiecesData(TypedDict):
    program: str        # `h = max(0, x1); y = max(x2, h)`
    level: int | str    # C of the boundary y = C; a fraction as text, "1/2"
    box: list[int]      # x1min, x1max, x2min, x2max
    count: int          # the pieces in the box
    given: list[int]    # the activation pattern of piece 1, given as the example


@lru_cache(maxsize=256)
def _partition(program: str, box: tuple[str, ...], level: str) -> pwl.Partition:
    return pwl.program_pieces(program, box, level)


def solved(data: PiecesData | dict[str, Any]) -> tuple[pwl.Partition, int]:
    """The exact partition and the index of the given piece (data are checked: they may come from JSON)."""
    try:
        partition = _partition(data["program"], tuple(str(v) for v in data["box"]), str(data["level"]))
        given = [p.pattern for p in partition.pieces].index(tuple(data["given"]))
    except (KeyError, TypeError, ValueError):
        raise InputError("This variant's data are incomplete or do not fit its program.") from None
    return partition, given


def answer_order(partition: pwl.Partition, given: int) -> list[pwl.Piece]:
    """The pieces as the answer numbers them: the given one first."""
    return [partition.pieces[given]] + [p for i, p in enumerate(partition.pieces) if i != given]
