"""Reading and grading the six parts. Numbers are right within 0.01 + 2 %; (b)–(e) may carry an
error forward from the student's own H or eigenvalues; (f) scores each statement judged right."""

from __future__ import annotations

import re
from typing import Any

from dlexam.errors import InputError
from dlexam.grading.grade import PartGrade
from dlexam.grading.numbers import close, number, numbers
from dlexam.tasks.document import option_label
from dlexam.tasks.hessian.data import HessianData, key
from dlexam.tasks.hessian.solution import solved
from dlexam.tasks.multipart import not_answered
from dlexam.tasks.parts import text_part

POINTS = {"a": 2.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 1.0, "f": 2.0}
REL, ABS = 0.02, 0.01


def _near(x: float, y: float) -> bool:
    return close(x, y, REL, ABS)


def read(d: HessianData, parts: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the parts (InputError for anything unreadable)."""
    out: dict[str, Any] = {}
    if "a" in parts:
        h = _numbers(parts, "a", 4, "[[2, 1], [1, 3]]")
        out["a"] = [h[:2], h[2:]]
    if "b" in parts:
        out["b"] = _numbers(parts, "b", 2, "1.5, 2")
    for label in "cde":
        if label in parts:
            out[label] = number(parts[label], label)
    if "f" in parts:
        out["f"] = _options(parts, len(d["options"]))
    return out


def _numbers(parts: dict[str, Any], label: str, count: int, example: str) -> list[float]:
    value = parts[label]
    return numbers(value if isinstance(value, list) else text_part(parts, label), label, count, example)


def _options(parts: dict[str, Any], options: int) -> list[str]:
    value = parts["f"]
    labels = value if isinstance(value, list) else re.split(r"[\s,]+", text_part(parts, "f").strip().lower())
    if not all(isinstance(c, str) for c in labels):
        raise InputError("Part f) lists option letters such as a,c.")
    labels = [c.lower() for c in labels if c]
    if any(c not in {option_label(i) for i in range(options)} for c in labels):
        raise InputError(f"Part f) lists option letters a-{option_label(options - 1)}, such as a,c.")
    return sorted(set(labels))


def grade_parts(d: HessianData, parts: dict[str, Any]) -> list[PartGrade]:
    import numpy as np

    s = solved(d)
    own_lam = None   # the eigenvalues of the student's own H, for (b)
    if parts.get("a") is not None:
        h = np.asarray(parts["a"], dtype=float)
        own_lam = sorted(np.linalg.eigvals((h + h.T) / 2).real.tolist())
    lam = sorted(parts["b"]) if parts.get("b") is not None and len(parts["b"]) == 2 else None

    def own(f):   # a value from the student's own eigenvalues, for (c)–(e)
        return f(lam) if lam and lam[0] > 0 else None

    shift = s.shift
    return [grade_matrix(parts.get("a"), s.H), grade_eigenvalues(parts.get("b"), s.eigenvalues, own_lam),
            grade_number("c", parts.get("c"), s.kappa, own(lambda l: l[1] / l[0]), "κ"),
            grade_number("d", parts.get("d"), s.kappa_after,
                         own(lambda l: (l[1] + shift) / (l[0] + shift)) if shift is not None else None,
                         "κ after the change"),
            grade_number("e", parts.get("e"), s.lr, own(lambda l: 2 / l[1]), "2/λmax"),
            grade_choice(parts.get("f"), d)]


def grade_matrix(h: list[list[float]] | None, expected: list[list[float]]) -> PartGrade:
    points = POINTS["a"]
    if h is None:
        return not_answered("a", points)
    wrong = [[i, j] for i in range(2) for j in range(2) if not _near(h[i][j], expected[i][j])]
    shown = "[[" + "], [".join(", ".join(f"{x:.4g}" for x in row) for row in expected) + "]]"
    evidence = {"expected": expected, "given": h}
    if not wrong:
        return PartGrade("a", points, points, f"a) Right: H = {shown}.", evidence)
    score = points * (4 - len(wrong)) / 4 if len(wrong) < 4 else 0.0
    where = ", ".join(f"H{i + 1}{j + 1}" for i, j in wrong)
    return PartGrade("a", score, points, f"a) Wrong entries {where}; H = {shown}.", {"wrong": wrong, **evidence})


def grade_eigenvalues(lam: list[float] | None, expected: list[float], own: list[float] | None) -> PartGrade:
    points = POINTS["b"]
    if lam is None:
        return not_answered("b", points)
    got = sorted(lam)
    evidence: dict[str, Any] = {"expected": expected, "given": got}
    if all(_near(a, b) for a, b in zip(got, expected)):
        return PartGrade("b", points, points, f"b) Right: λ = {expected[0]:.4g}, {expected[1]:.4g}.", evidence)
    if own is not None and all(_near(a, b) for a, b in zip(got, own)):
        return PartGrade("b", points, points, "b) The eigenvalues of your H from a) (error carried forward); "
                         f"the right ones are {expected[0]:.4g}, {expected[1]:.4g}.",
                         {"carried_forward": True, **evidence})
    return PartGrade("b", 0.0, points, f"b) Expected λ = {expected[0]:.4g}, {expected[1]:.4g}, not "
                     f"{got[0]:g}, {got[1]:g}.", evidence)


def grade_number(label: str, x: float | None, expected: float, own: float | None, what: str) -> PartGrade:
    points = POINTS[label]
    if x is None:
        return not_answered(label, points)
    evidence: dict[str, Any] = {"expected": expected, "given": x}
    if _near(x, expected):
        return PartGrade(label, points, points, f"{label}) Right: {what} = {expected:.4g}.", evidence)
    if own is not None and _near(x, own):
        return PartGrade(label, points, points, f"{label}) Follows from your eigenvalues in b) (error carried "
                         f"forward); the right value is {expected:.4g}.", {"carried_forward": True, **evidence})
    return PartGrade(label, 0.0, points, f"{label}) Expected {what} = {expected:.4g}, not {x:g}.", evidence)


def grade_choice(chosen: list[str] | None, d: HessianData) -> PartGrade:
    """Each statement judged right earns 1/n, each judged wrong costs 1/n, never below 0."""
    points = POINTS["f"]
    if chosen is None:
        return not_answered("f", points)
    statements = key(d)
    lines, right = [], 0
    for i, st in enumerate(statements):
        picked = option_label(i) in chosen
        if picked == st.true:
            right += 1
        else:
            lines.append(f"   {option_label(i)}) {'chosen' if picked else 'left out'}, but it is "
                         f"{'true' if st.true else 'false'}: {st.why}")
    score = points * max(0.0, (2 * right - len(statements)) / len(statements))
    return PartGrade("f", score, points, "\n".join([f"f) {right} of {len(statements)} statements judged right.",
                                                    *lines]),
                     {"correct": [option_label(i) for i, st in enumerate(statements) if st.true], "chosen": chosen})
