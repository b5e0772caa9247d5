"""Reading and grading the six parts. Numbers are read as written by hand (fractions, roots,
decimals) and are right when the expected value rounds to the digits given (grading/numbers.py);
(b)–(e) may carry an error forward from the student's own H or eigenvalues; (f) scores each
statement judged right (grading/choice.py)."""

from __future__ import annotations

import re
from typing import Any

from dlexam.errors import InputError
from dlexam.grading.choice import judgements, select_all_points
from dlexam.grading.grade import PartGrade
from dlexam.grading.numbers import Written, read_number, read_numbers
from dlexam.tasks.choice import option_index, read_letters
from dlexam.tasks.document import option_label
from dlexam.tasks.hessian.data import HessianData, key
from dlexam.tasks.hessian.solution import solved
from dlexam.tasks.multipart import not_answered
from dlexam.tasks.parts import text_part

POINTS = {"a": 2.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 1.0, "f": 2.0}
Number = int | float | str    # a number as given: a JSON number, or the text the student wrote


def read(d: HessianData, parts: dict[str, Any]) -> dict[str, Any]:
    """Validate the parts and keep every number as written (InputError for anything unreadable)."""
    out: dict[str, Any] = {}
    if "a" in parts:
        h = _as_given(_numbers(parts, "a", 4, "[[2, 1], [1, 3]]"))
        out["a"] = [h[:2], h[2:]]
    if "b" in parts:
        out["b"] = _as_given(_numbers(parts, "b", 2, "1.5, 2"))
    for label in "cde":
        if label in parts:
            out[label] = _as_given([read_number(parts[label], label)])[0]
    if "f" in parts:
        out["f"] = _options(parts["f"], len(d["options"]))
    return out


def _as_given(written: list[Written]) -> list[Number]:
    """Integers and plain decimals as JSON numbers; fractions, roots, `4.30` as their text (its digits
    matter)."""
    return [int(w.text) if re.fullmatch(r"-?\d+", w.text) else w.value if w.text == repr(w.value) else w.text
            for w in written]


def _numbers(parts: dict[str, Any], label: str, count: int, example: str) -> list[Written]:
    value = parts[label]
    return read_numbers(value if isinstance(value, list) else text_part(parts, label), label, count, example)


def _options(value: Any, options: int) -> list[str]:
    if isinstance(value, list):
        if not all(isinstance(c, str) for c in value):
            raise InputError("Part f) lists option letters such as a,c.")
        value = ",".join(value) or "none"
    if not isinstance(value, str):
        raise InputError("Part f) lists option letters such as a,c.")
    return [] if value.strip().lower() in ("none", "-") else read_letters(value, options)


def grade_parts(d: HessianData, parts: dict[str, Any]) -> list[PartGrade]:
    s = solved(d)
    h = _written(parts.get("a"), "a")
    lam = sorted(_written(parts.get("b"), "b") or [], key=lambda w: w.value) or None
    own_lam = _eigenvalues([[x.value for x in h[:2]], [x.value for x in h[2:]]]) if h else None
    values = [w.value for w in lam] if lam else None

    def own(f: Any) -> float | None:   # a value from the student's own eigenvalues, for (c)–(e)
        return f(values) if values and values[0] > 0 else None

    shift = s.shift
    return [grade_matrix(h, s.H), grade_eigenvalues(lam, s.eigenvalues, own_lam),
            grade_number("c", _one(parts, "c"), s.kappa, own(lambda l: l[1] / l[0]), "κ"),
            grade_number("d", _one(parts, "d"), s.kappa_after,
                         own(lambda l: (l[1] + shift) / (l[0] + shift)) if shift is not None else None,
                         "κ after the change"),
            grade_number("e", _one(parts, "e"), s.lr, own(lambda l: 2 / l[1]), "2/λmax"),
            grade_choice(parts.get("f"), d)]


def _written(value: Any, label: str) -> list[Written] | None:
    if value is None:
        return None
    flat = [x for row in value for x in (row if isinstance(row, list) else [row])]
    return [read_number(x, label) for x in flat]


def _one(parts: dict[str, Any], label: str) -> Written | None:
    return None if parts.get(label) is None else read_number(parts[label], label)


def _eigenvalues(h: list[list[float]]) -> list[float]:
    import numpy as np

    m = np.asarray(h, dtype=float)
    return sorted(np.linalg.eigvals((m + m.T) / 2).real.tolist())


def _shown(w: list[Written]) -> str:
    return ", ".join(x.text for x in w)


def grade_matrix(h: list[Written] | None, expected: list[list[float]]) -> PartGrade:
    points = POINTS["a"]
    if h is None:
        return not_answered("a", points)
    flat = [x for row in expected for x in row]
    wrong = [[i // 2, i % 2] for i, (w, x) in enumerate(zip(h, flat)) if not w.matches(x)]
    shown = "[[" + "], [".join(", ".join(f"{x:.4g}" for x in row) for row in expected) + "]]"
    evidence = {"expected": expected, "given": [[w.value for w in h[:2]], [w.value for w in h[2:]]]}
    if not wrong:
        return PartGrade("a", points, points, f"a) Right: H = {shown}.", evidence)
    score = points * (4 - len(wrong)) / 4
    where = ", ".join(f"H{i + 1}{j + 1}" for i, j in wrong)
    return PartGrade("a", score, points, f"a) Wrong entries {where}; H = {shown}.", {"wrong": wrong, **evidence})


def grade_eigenvalues(lam: list[Written] | None, expected: list[float], own: list[float] | None) -> PartGrade:
    points = POINTS["b"]
    if lam is None:
        return not_answered("b", points)
    evidence: dict[str, Any] = {"expected": expected, "given": [w.value for w in lam]}
    if all(w.matches(x) for w, x in zip(lam, expected)):
        return PartGrade("b", points, points, f"b) Right: λ = {expected[0]:.4g}, {expected[1]:.4g}.", evidence)
    if own is not None and all(w.matches(x) for w, x in zip(lam, own)):
        return PartGrade("b", points, points, "b) The eigenvalues of your H from a) (error carried forward); "
                         f"the right ones are {expected[0]:.4g}, {expected[1]:.4g}.",
                         {"carried_forward": True, **evidence})
    return PartGrade("b", 0.0, points, f"b) Expected λ = {expected[0]:.4g}, {expected[1]:.4g}, not "
                     f"{_shown(lam)}.", evidence)


def grade_number(label: str, x: Written | None, expected: float, own: float | None, what: str) -> PartGrade:
    points = POINTS[label]
    if x is None:
        return not_answered(label, points)
    evidence: dict[str, Any] = {"expected": expected, "given": x.value, "written": x.text}
    if x.matches(expected):
        return PartGrade(label, points, points, f"{label}) Right: {what} = {expected:.4g}.", evidence)
    if own is not None and x.matches(own):
        return PartGrade(label, points, points, f"{label}) Follows from your eigenvalues in b) (error carried "
                         f"forward); the right value is {expected:.4g}.", {"carried_forward": True, **evidence})
    return PartGrade(label, 0.0, points, f"{label}) Expected {what} = {expected:.4g} (to the digits you give), "
                     f"not {x.text}.", evidence)


def grade_choice(chosen: list[str] | None, d: HessianData) -> PartGrade:
    """Each statement judged right earns 1/n, each judged wrong costs 1/n, never below 0."""
    points = POINTS["f"]
    if chosen is None:
        return not_answered("f", points)
    statements = key(d)
    correct = [st.true for st in statements]
    picked = {option_index(c) for c in chosen}
    right = judgements(correct, picked)
    lines = [f"   {option_label(i)}) {'chosen' if i in picked else 'left out'}, but it is "
             f"{'true' if st.true else 'false'}: {st.why}" for i, st in enumerate(statements) if not right[i]]
    return PartGrade("f", select_all_points(correct, picked, points), points,
                     "\n".join([f"f) {sum(right)} of {len(statements)} statements judged right.", *lines]),
                     {"correct": [option_label(i) for i, ok in enumerate(correct) if ok], "chosen": chosen})
