"""Reading a student's answer to the linear-pieces task: typed text or JSON parts.

JSON parts (what the CLI passes straight through, and what a drawing canvas will send):

    {"pieces":   [{"condition": "x1 < 0 and x2 > 0", "function": "y = x2"}, ...],
     "boundary": ["x2 = 1 for -5 < x1 < 0", [[0, 1], [1, 1]], ...]}

A piece may give `polygon` ([[x1, x2], ...], convex) instead of `condition`; `function` may be
left out (it then earns nothing). Typed text is one line or several: items separated by `;`,
`|` or new lines, optionally under `pieces:` / `boundary:` headings. An item is a piece
`condition: function` (also `y = function for condition`) or a boundary segment
`x2 = 1 for 0 < x1 < 1` (one-sided `for x1 < 0`, or no range at all, reach the box's edge)
or `[[x1, x2], [x1, x2]]`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

from dlexam.engines.pwl import to_fraction
from dlexam.engines.pwl_geometry import Affine, Polygon, Segment, area, box_polygon
from dlexam.engines.pwl_parse import Program
from dlexam.errors import InputError

if TYPE_CHECKING:
    from dlexam.engines.pwl_compare import Condition
# pwl_compare and grading.geometry (NumPy) are imported where an answer is read: posing stays NumPy-free


class Part(StrEnum):
    PIECES = "pieces"
    BOUNDARY = "boundary"


class PieceEntry(TypedDict):
    condition: NotRequired[str]                   # or a polygon, as a drawing canvas sends it
    polygon: NotRequired[list[list[float]]]
    function: NotRequired[str | int | float]      # `y = x2`; left out, it earns nothing


class AnswerParts(TypedDict):
    pieces: list[PieceEntry]
    boundary: list[str | list[list[float]]]       # `x2 = 1 for 0 < x1 < 1` or [[x1, x2], [x1, x2]]

HEADING = re.compile(r"^\s*(?:(?:pieces?|boundary|boundaries|segments?)\s*:|\(?[ab]\))\s*", re.I)
PIECE_FOR = re.compile(r"^\s*(?:y|f|output)\s*=\s*(.+?)\s+(?:for|if|when|where|on)\s+(.+)$", re.I)
SEGMENT = re.compile(r"^\s*(x[12])\s*=\s*(.+?)(?:\s+for\s+(.+))?\s*$", re.S)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:/\d+)?")
LABEL = re.compile(r"^\s*(?:piece\s*\d+(?:\s*\(given\))?\s*[:.)]?|\(?\d+[.)](?=\s))\s*", re.I)   # `Piece 2:`, `2.`
OUTPUT = r"(?:y|f|output)(?:\s*\(\s*x1\s*,\s*x2\s*\))?\s*="                               # `y =`, `f(x1, x2) =`
OUTPUT_NAME = re.compile(rf"^\s*{OUTPUT}(?!=)\s*", re.I)
FUNCTION_ONLY = re.compile(rf"^\s*{OUTPUT}\s*([^<>:=]+)$", re.I)                                # `y = x2` alone
LAYOUT = re.compile(rf"^([^:]*[<>][^:]*?)\s*(?:,\s*|\s+){OUTPUT}\s*([^<>:=]+)$", re.I)      # `x1 > 0   y = x1`
SPELLINGS = {"∧": " and ", "⋀": " and ", "≤": "<=", "≥": ">=", "−": "-", "–": "-", "·": "*", "⋅": "*", "×": "*",
             "₁": "1", "₂": "2", "→": ":", "⇒": ":"}
MAX_ITEMS = 40
FAR = 10**6          # a one-sided range reaches this far before it is clipped to the box


@dataclass
class StudentPiece:
    text: str                      # the condition as written, for feedback
    region: Condition | Polygon
    function: Affine | None


@dataclass
class StudentAnswer:
    pieces: list[StudentPiece]
    boundary: list[Segment]        # exact, clipped to the box (segments missing the box are left out)
    boundary_texts: list[str]      # each of them as the student wrote it


def _short(text: str, size: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= size else text[: size - 1] + "…"


def normalize(text: str) -> str:
    """A student's notation in the engine's: unicode ∧ ≤ ≥ − · and subscripts, `x_1`, arrows `→` `->`
    for the colon between condition and function, and implicit
    products right after a number (`2x1`, `2(x1 + x2)`; never across a space)."""
    for spelling, plain in SPELLINGS.items():
        text = text.replace(spelling, plain)
    text = re.sub(r"\s*->\s*", ": ", re.sub(r"\bx_\{?([12])\}?", r"x\1", text))
    return re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)(?=[A-Za-z_(])", r"\1*", text)


# --- typed text -> JSON parts ---------------------------------------------------------------

def parse_text(text: str) -> dict[str, Any]:  # AnswerParts once `read_parts` accepts it
    """Typed text as JSON parts (not yet checked against the program: see `read_parts`)."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("The answer is empty: give pieces as `condition: y = function` and "
                         "boundary segments as `x2 = 1 for 0 < x1 < 1`.")
    if text.lstrip().startswith("{"):
        try:
            parts = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            raise InputError("The answer starts with '{' but is not valid JSON.") from None
        if not isinstance(parts, dict):
            raise InputError("A JSON answer must be an object with `pieces` and `boundary`.")
        return parts
    pieces: list[PieceEntry] = []
    boundary: list[Any] = []
    for item in re.split(r"[;|\n]", normalize(text)):
        item = LABEL.sub("", HEADING.sub("", item)).strip()
        if not item or item.lower() in ("none", "-", "nothing", "no boundary"):
            continue
        if (function := FUNCTION_ONLY.match(item)) and not SEGMENT.match(item):
            _attach(pieces, item, function.group(1).strip())
            continue
        kind, value = _classify(item)
        (pieces if kind == Part.PIECES else boundary).append(value)
    if not pieces and not boundary:
        raise InputError("The answer has no pieces and no boundary segments.")
    return {Part.PIECES.value: pieces, Part.BOUNDARY.value: boundary}


def _attach(pieces: list[PieceEntry], item: str, function: str) -> None:
    """`y = x2` on its own line: the function of the condition just before it (the exam's layout)."""
    if not pieces or "function" in pieces[-1]:
        raise InputError(f"`{_short(item)}` follows no condition: write `condition: y = function`.")
    pieces[-1]["function"] = function


def _classify(item: str) -> tuple[Part, Any]:
    if item[0] in "[(" and len(NUMBER.findall(item)) == 4 and not re.search(r"[a-z]", item, re.I):
        return Part.BOUNDARY, [[n for n in NUMBER.findall(item)[:2]], [n for n in NUMBER.findall(item)[2:]]]
    if SEGMENT.match(item) and ":" not in item:
        return Part.BOUNDARY, item
    if (m := PIECE_FOR.match(item)) and ":" not in item:
        return Part.PIECES, {"condition": m.group(2).strip(), "function": m.group(1).strip()}
    if m := LAYOUT.match(item):
        return Part.PIECES, {"condition": m.group(1).strip(), "function": m.group(2).strip()}
    if ":" in item:
        condition, function = item.split(":", 1)
        piece: PieceEntry = {"condition": condition.strip()}
        if function.strip():
            piece["function"] = function.strip()
        return Part.PIECES, piece
    if re.search(r"[<>≤≥]", item):
        return Part.PIECES, {"condition": item}
    raise InputError(f"`{_short(item)}` is neither a piece (`condition: y = function`) "
                     f"nor a boundary segment (`x2 = 1 for 0 < x1 < 1`).")


# --- JSON parts -> checked, exact answer ----------------------------------------------------

def read_parts(parts: dict[str, Any], program: Program, box: tuple) -> StudentAnswer:
    """Check the parts' shapes and parse every condition, function and segment."""
    if not isinstance(parts, dict):
        raise InputError("The answer must be an object with `pieces` and `boundary`.")
    unknown = set(parts) - set(Part)
    if unknown:
        raise InputError(f"Unknown answer part `{_short(sorted(unknown)[0])}`: use `pieces` and `boundary`.")
    pieces, boundary = parts.get(Part.PIECES, []), parts.get(Part.BOUNDARY, [])
    if not isinstance(pieces, list) or not isinstance(boundary, list):
        raise InputError("`pieces` and `boundary` must both be lists.")
    if len(pieces) > MAX_ITEMS or len(boundary) > MAX_ITEMS:
        raise InputError(f"Give at most {MAX_ITEMS} pieces and {MAX_ITEMS} boundary segments.")
    students = [_piece(p, program, box) for p in pieces]
    segments, texts = [], []
    for item in boundary:
        segment = read_segment(item, box)
        if segment is not None:
            segments.append(segment)
            texts.append(item if isinstance(item, str) else json.dumps(item))
    return StudentAnswer(students, segments, texts)


def _piece(item: Any, program: Program, box: tuple) -> StudentPiece:
    from dlexam.engines.pwl_compare import parse_affine, parse_condition

    if not isinstance(item, dict) or not ({"condition", "polygon"} & set(item)):
        raise InputError("Each piece must be an object with a `condition` (or `polygon`) and a `function`.")
    if "condition" in item:
        if not isinstance(item["condition"], str):
            raise InputError("A piece's `condition` must be text such as `x1 > 0 and x2 > x1`.")
        text, region = item["condition"], parse_condition(normalize(item["condition"]), program)
    else:
        text, region = "the polygon " + _short(json.dumps(item["polygon"])), read_polygon(item["polygon"])
    function = item.get("function")
    if function is None or (isinstance(function, str) and not function.strip()):
        return StudentPiece(text, region, None)
    if isinstance(function, bool) or not isinstance(function, (str, int, float)):
        raise InputError("A piece's `function` must be text such as `y = x2` (or a number).")
    return StudentPiece(text, region, parse_affine(OUTPUT_NAME.sub("", normalize(str(function)))))


def read_polygon(value: Any) -> Polygon:
    """A convex polygon [[x1, x2], ...] in either orientation, made counter-clockwise."""
    points = _points(value, "A polygon")
    if len(points) < 3:
        raise InputError("A polygon needs at least three corners [[x1, x2], ...].")
    if area(points) < 0:
        points.reverse()
    n = len(points)
    for i in range(n):
        (ax, ay), (bx, by), (cx, cy) = points[i], points[(i + 1) % n], points[(i + 2) % n]
        if (bx - ax) * (cy - ay) - (by - ay) * (cx - ax) < 0:
            raise InputError("A piece drawn as a polygon must be convex, with its corners in order.")
    if area(points) == 0:
        raise InputError("A piece drawn as a polygon must have an area.")
    return points


def _points(value: Any, what: str) -> list[tuple[Fraction, Fraction]]:
    if not isinstance(value, list) or not all(isinstance(p, list) and len(p) == 2 for p in value):
        raise InputError(f"{what} must be a list of points [[x1, x2], ...].")
    out = []
    for p in value:
        if any(isinstance(v, bool) or not isinstance(v, (int, float, str)) for v in p):
            raise InputError(f"{what} must be a list of points [[x1, x2], ...] of numbers.")
        out.append((to_fraction(p[0]), to_fraction(p[1])))
    return out


def read_segment(item: Any, box: tuple) -> Segment | None:
    """A segment as text or end points, clipped to the box (None if it misses the box)."""
    if isinstance(item, str):
        segment = _segment_text(normalize(item), box)
    else:
        ends = _points(item, "A boundary segment")
        if len(ends) != 2:
            raise InputError("A boundary segment as end points is [[x1, x2], [x1, x2]].")
        segment = (ends[0], ends[1])
    from dlexam.grading.geometry import clip_segment

    return clip_segment(segment, box_polygon(box))


def _segment_text(text: str, box: tuple) -> Segment:
    from dlexam.engines.pwl_compare import parse_segment

    match = SEGMENT.match(text)
    if not match:
        return parse_segment(text)   # raises with the engine's explanation
    var, expr, bounds = match.groups()
    free = "x1" if var == "x2" else "x2"
    lo, hi = (box[0], box[1]) if free == "x1" else (box[2], box[3])
    lo, hi = lo - FAR, hi + FAR
    bounds = (bounds or "").strip()
    if not bounds or re.fullmatch(rf"(?:all|any|every)\s+{free}", bounds):
        bounds = f"{lo} < {free} < {hi}"
    elif m := re.fullmatch(rf"{free}\s*(<=?|>=?)\s*(.+)", bounds):
        bounds = f"{lo} < {free} < {m[2]}" if m[1][0] == "<" else f"{m[2]} < {free} < {hi}"
    elif m := re.fullmatch(rf"(.+?)\s*(<=?|>=?)\s*{free}", bounds):
        bounds = f"{m[1]} < {free} < {hi}" if m[2][0] == "<" else f"{lo} < {free} < {m[1]}"
    elif m := re.fullmatch(rf"(.+?)\s*>=?\s*{free}\s*>=?\s*(.+)", bounds):
        bounds = f"{m[2]} < {free} < {m[1]}"
    return parse_segment(f"{var} = {expr} for {bounds}")
