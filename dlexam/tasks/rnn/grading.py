"""Reading and grading parts (b)–(d); part (a) is in edges.py.

(b) ∂E/∂y and (c) ∂E/∂w go to the equivalence checker, read through the program (names such as y
and h1, and the δ_t, stand for their values). (c) is also checked against the chain rule applied
to the student's own (b), and against the total less one path; (d) also accepts the value of the
student's own (c).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from dlexam.errors import InputError
from dlexam.grading.grade import PartGrade
from dlexam.grading.numbers import number, read_number
from dlexam.tasks.formulas import clean_formula, formula_at, point_text, program, read_formula
from dlexam.tasks.multipart import not_answered
from dlexam.tasks.parts import text_part
from dlexam.tasks.rnn.data import Cell, RNNData, delta_names
from dlexam.tasks.rnn.edges import grade_edges, read_edges
from dlexam.tasks.rnn.given import given_value
from dlexam.tasks.rnn.solution import Solved, chain, solved, sym

if TYPE_CHECKING:
    import sympy

    from dlexam.engines.calculus import ChainRule
    from dlexam.engines.equivalence import Verdict

POINTS = {"a": 2.0, "b": 1.0, "c": 3.0, "d": 2.0}
Inline = dict  # assigned names and δ's -> their values in the inputs


def read(d: RNNData, parts: dict[str, Any]) -> dict[str, Any]:
    """The parts unchanged, once each is known to be readable (InputError otherwise)."""
    if "a" in parts:
        read_edges(parts["a"])
    for label in "bc":
        text = text_part(parts, label)
        if text is not None:
            read_formula(text)
    if "d" in parts:
        number(parts["d"], "d")
    return parts


def grade_parts(d: RNNData, parts: dict[str, Any]) -> list[PartGrade]:
    s = solved(d)
    b, wrong_b = grade_dedy(parts.get("b"), s, d)
    c, c_answer = grade_total(parts.get("c"), wrong_b, s, d)
    return [grade_edges(parts.get("a"), s.edges, d, POINTS["a"]), b, c, grade_value(parts.get("d"), c_answer, s, d)]


def _check(expected: sympy.Expr, text: str, d: RNNData, inline: Inline) -> Verdict:
    from dlexam.engines.equivalence import check

    p = program(d["program"])
    names = p.inputs + p.names + list(delta_names(d["steps"]).values())
    return check(expected, clean_formula(text), names, inline=inline, loose_primes=d["cell"] == Cell.G,
                 time_limit=1.0)


def inline(d: RNNData, cr: ChainRule) -> Inline:
    """Assigned names and δ's -> their values in the inputs (δ's as computed in `cr`)."""
    values = dict(program(d["program"]).substitutions)
    for delta in cr.deltas.values():
        values[delta] = cr.step(str(delta), "delta").value
    return values


def _differs(verdict: Verdict) -> str:
    if verdict.equivalent is None:
        return f"could not be decided ({verdict.reason})"
    values = ""
    if verdict.expected_value is not None and verdict.answer_value is not None:
        values = f": the right value is {verdict.expected_value:.6g}, yours gives {verdict.answer_value:.6g}"
    return f"differs at {point_text(verdict.counterexample or {})}{values}"


def _evidence(verdict: Verdict) -> dict[str, Any]:
    return {"counterexample": verdict.counterexample, "reason": verdict.reason,
            "expected_value": verdict.expected_value, "answer_value": verdict.answer_value}


def grade_dedy(value: Any, s: Solved, d: RNNData) -> tuple[PartGrade, str | None]:
    """(grade, the student's b) text when it is wrong, for carrying forward)."""
    points, e = POINTS["b"], d["error"]
    if value is None:
        return not_answered("b", points), None
    text = text_part({"b": value}, "b")
    cr = chain(d["program"], d["param"], d["steps"])
    verdict = _check(cr.step(f"d{e}/dy", "local").expr, text, d, inline(d, cr))
    if verdict.equivalent:
        return PartGrade("b", points, points, f"b) Right: ∂{e}/∂y = {s.dedy}."), None
    return PartGrade("b", 0.0, points, f"b) Not ∂{e}/∂y = {s.dedy}: your answer {_differs(verdict)}.",
                     _evidence(verdict)), clean_formula(text)


def grade_total(value: Any, wrong_b: str | None, s: Solved, d: RNNData) -> tuple[PartGrade, Any]:
    """(grade, the student's c) with what to read it through, for (d))."""
    from dlexam.engines.calculus import show

    points, e, w = POINTS["c"], d["error"], sym(d["param"])
    if value is None:
        return not_answered("c", points), None
    text = text_part({"c": value}, "c")
    cr = chain(d["program"], d["param"], d["steps"])
    names = inline(d, cr)
    verdict = _check(cr.total.full, text, d, names)
    if verdict.equivalent:
        return PartGrade("c", points, points, f"c) Right: ∂{e}/∂{w} = {s.total}."), (text, names)
    if wrong_b is not None:
        own = chain(d["program"], d["param"], d["steps"], wrong_b)
        if _check(own.total.full, text, d, inline(d, own)).equivalent:
            return (PartGrade("c", points, points, f"c) Right chain rule, applied to your ∂{e}/∂y from b) "
                              f"(error carried forward): {show(own.total.full)}.", {"carried_forward": True}),
                    (text, inline(d, own)))
    for t in range(1, d["steps"] + 1):   # one path through the graph left out
        term = cr.step(f"delta{t}", "delta").full * cr.step(f"dh{t}/d{d['param']}", "local").expr
        if _check(cr.total.full - term, text, d, names).equivalent:
            return (PartGrade("c", points / 2, points, f"c) The path through h{t} is missing: {w} is used in "
                              f"every step, so ∂{e}/∂{w} sums δ_t·∂h_t/∂{w} over all t. Expected {s.total}.",
                              {**_evidence(verdict), "missing_path": t}), (text, names))
    return (PartGrade("c", 0.0, points, f"c) Expected ∂{e}/∂{w} = {s.total}; your answer {_differs(verdict)}.",
                      _evidence(verdict)), (text, names))


def grade_value(value: Any, c_answer: Any, s: Solved, d: RNNData) -> PartGrade:
    """Right when the value rounds to the digits given; also when it is the value of the student's
    own (c) at these numbers (error carried forward), for every cell."""
    points, e, w = POINTS["d"], d["error"], sym(d["param"])
    if value is None:
        return not_answered("d", points)
    x = read_number(value, "d")
    evidence: dict[str, Any] = {"expected": s.value, "given": x.value, "written": x.text}
    if x.matches(s.value):
        return PartGrade("d", points, points, f"d) Right: ∂{e}/∂{w} = {s.value:.4g}.", evidence)
    own = own_value(c_answer, d) if c_answer is not None else None
    if own is not None and x.matches(own):
        return PartGrade("d", points, points, f"d) {x.text} is the value of your c) at these numbers (error "
                         f"carried forward); the right value is {s.value:.4g}.",
                         {"carried_forward": True, "own": own, **evidence})
    return PartGrade("d", 0.0, points, f"d) Expected ∂{e}/∂{w} = {s.value:.4g} (to the digits you give), "
                     f"not {x.text}.", {**evidence, "own": own})


def own_value(c_answer: tuple[str, Inline], d: RNNData) -> float | None:
    """The student's (c) formula at the given numbers (for g: at the given δ_t and ∂h_t/∂θ)."""
    from dlexam.engines.calculus_numeric import Unsupported

    text, names = c_answer
    if d["cell"] == Cell.G:
        return given_value(text, d)
    try:
        value = float(formula_at(text, names, d["numbers"]))
    except (InputError, Unsupported, TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None
