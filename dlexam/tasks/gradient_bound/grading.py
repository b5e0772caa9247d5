"""Grading the three parts: (a) by the equivalence checker, (b) by sampling, (c) by the rubric."""

from __future__ import annotations

from typing import Any

from dlexam.grading.grade import PartGrade
from dlexam.grading.numbers import rounding_slack
from dlexam.grading.rubric import KeyPoint, grade_rubric
from dlexam.tasks.formulas import clean_formula, point_text, program, read_formula
from dlexam.tasks.gradient_bound.bound import check_bound, parse_bound
from dlexam.tasks.gradient_bound.data import GradientBoundData
from dlexam.tasks.gradient_bound.solution import MODEL_EXPLANATION, gradient_exprs, solved, symbolic_gradient
from dlexam.tasks.multipart import not_answered
from dlexam.tasks.parts import text_part

POINTS = {"a": 2.0, "b": 2.0, "c": 2.0}
KEY_POINTS = [
    KeyPoint("Penalise the norm ‖w‖ (weight decay / L1 or L2 regularisation: keep the weights small).",
             (("penal", "regulari", "weight decay", "decay", "constrain", "restrict", "limit", "minimi", "shrink",
               "keep", "control"),
              ("w", "weight", "norm", "||w", "|| w", "‖w", "‖ w", "|w|", "l1", "l2", "parameter")),
             toward=("small", "low", "reduc", "decreas", "penal", "decay", "shrink", "limit", "constrain", "restrict",
                     "minimi", "less", "bound"),
             away=("large", "big", "high", "increas", "grow", "maximi", "more", "explod", "enlarg", "boost")),
    KeyPoint("Then the gradient ∂f/∂x is bounded (small): f changes slowly with x — smooth, Lipschitz.",
             (("gradient", "derivative", "slope", "lipschitz", "smooth", "steep", "sensitiv", "∂f", "df/dx",
               "changes slow", "change slow", "varies slow", "vary slow"),),
             toward=("small", "bound", "low", "limit", "slow", "flat", "reduc", "decreas", "less", "smooth",
                     "lipschitz", "stabl"),
             away=("large", "big", "high", "steep", "explod", "grow", "increas", "fast", "more", "unbound", "sharp")),
    KeyPoint("So the model generalises better: less overfitting, more robust to small input perturbations, "
             "noise and adversarial examples.",
             (("overfit", "over-fit", "generali", "robust", "adversar", "perturb", "noise", "variance", "stabl"),),
             toward=("better", "improv", "increas", "higher", "good", "more"),
             away=("worse", "poor", "less", "reduc", "decreas", "lower", "avoid", "prevent", "against", "combat",
                   "fight", "counter", "hurt", "fewer", "harm"),
             reverse=("overfit", "over-fit", "variance")),
]


def read(d: GradientBoundData, parts: dict[str, Any]) -> dict[str, Any]:
    """The parts unchanged, once each is known to be readable (InputError otherwise)."""
    if "a" in parts:
        read_formula(text_part(parts, "a"))
    if "b" in parts:
        parse_bound(text_part(parts, "b"))
    if "c" in parts and not isinstance(parts["c"], list):
        text_part(parts, "c")
    return parts


def grade_parts(d: GradientBoundData, parts: dict[str, Any]) -> list[PartGrade]:
    return [grade_gradient(parts.get("a"), d), grade_bound(parts.get("b"), d), grade_explanation(parts.get("c"))]


def grade_gradient(value: Any, d: GradientBoundData) -> PartGrade:
    from dlexam.engines.equivalence import check

    points, k, s = POINTS["a"], d["k"], solved(d)
    if value is None:
        return not_answered("a", points)
    p = program(d["program"])
    verdict = check(gradient_exprs(d["program"], d["n"])[k - 1], clean_formula(text_part({"a": value}, "a")),
                    p.inputs + p.names, inline=p.substitutions, time_limit=1.0)
    if verdict.equivalent:
        return PartGrade("a", points, points, f"a) Right: ∂f/∂x{k} = {s.gradient}.")
    if verdict.equivalent is None:
        return PartGrade("a", 0.0, points, f"a) Could not check your answer ({verdict.reason}); expected "
                         f"∂f/∂x{k} = {s.gradient}.", {"reason": verdict.reason})
    values = "" if verdict.expected_value is None or verdict.answer_value is None else \
        f" (the right value is {verdict.expected_value:.6g}, yours {verdict.answer_value:.6g})"
    return PartGrade("a", 0.0, points, f"a) Expected ∂f/∂x{k} = {s.gradient}; yours differs at "
                     f"{point_text(verdict.counterexample)}{values}.",
                     {"counterexample": verdict.counterexample, "expected_value": verdict.expected_value,
                      "answer_value": verdict.answer_value})


def grade_bound(value: Any, d: GradientBoundData) -> PartGrade:
    points, s = POINTS["b"], solved(d)
    if value is None:
        return not_answered("b", points)
    text = text_part({"b": value}, "b")
    bound, plain_norm = parse_bound(text)
    note = " (‖w‖ without an index is read as the Euclidean norm ‖w‖₂.)" if plain_norm else ""
    report = check_bound(d, bound, symbolic_gradient, model=parse_bound(s.bound)[0], slack=rounding_slack(text))
    evidence = dict(report)
    if report["counterexample"] is not None:
        return PartGrade("b", 0.0, points,
                         f"b) Your bound is exceeded: at {point_text(report['counterexample'])}, {s.quantity} = "
                         f"{report['gradient']:.6g} > {report['claimed']:.6g}.{note} A valid bound: {s.bound_text}.",
                         evidence)
    if report["tightness"] < 0.99:
        return PartGrade("b", points / 2, points,
                         f"b) A valid bound, but looser than needed by a factor of at least "
                         f"{1 / report['tightness']:.3g} for every w;{note} the tight one is {s.bound_text}.",
                         evidence)
    return PartGrade("b", points, points, f"b) Right: a valid bound that is attained.{note} "
                     f"(Model answer: {s.bound_text}.)", evidence)


def grade_explanation(value: Any) -> PartGrade:
    if value is None:
        return not_answered("c", POINTS["c"])
    points, feedback, evidence = grade_rubric(KEY_POINTS, value, POINTS["c"], "c")
    return PartGrade("c", points, POINTS["c"], f"c) {feedback}\n   Model answer: {MODEL_EXPLANATION}", evidence)
