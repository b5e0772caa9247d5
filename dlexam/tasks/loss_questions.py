"""Multiple-choice questions on the lecture's loss-property tables, measured, not typed in.

Three forms: which properties a loss has; which losses have a property; and the main
problem of a loss that lacks exactly one property (the perceptron loss builds no
margin). Every mark comes from `engines.losses.properties`, measured with finite
differences; `verify` measures again with torch autograd and holds the given solution to it.
"""

from __future__ import annotations

import random
from enum import StrEnum
from typing import Any, NotRequired, cast

from dlexam.engines import losses as L
from dlexam.errors import VerificationError
from dlexam.tasks.choice import ChoiceData, MultipleChoice, OptionKey, check_chosen
from dlexam.tasks.model import Solution, Variant


class Form(StrEnum):
    PROPERTIES_OF_LOSS = "properties-of-loss"       # which properties does this loss have?
    LOSSES_WITH_PROPERTY = "losses-with-property"   # which of these losses have this property?
    MAIN_PROBLEM = "main-problem"                   # what does this loss lack? (one flaw)


class LossData(ChoiceData):
    form: str                           # a Form, as plain text (JSON gives it back so)
    loss: NotRequired[str]              # properties-of-loss, main-problem: an `engines.losses` key
    kind: NotRequired[str]              # losses-with-property: regression or classification
    property: NotRequired[str]          # losses-with-property
    losses: NotRequired[list[str]]      # losses-with-property: the options' losses
    properties: NotRequired[list[str]]  # main-problem: the property each option says is lacking


FORMS = tuple(Form)
LACKS = {
    "optimizable": "It is hard to optimize: its gradient is zero almost everywhere.",
    "outlier-robust": "It is not robust to outliers: their gradient grows without bound.",
    "mislabeling-robust": "It is not robust to mislabeled points: their gradient grows without bound.",
    "ε-tolerant": "It is not ε-tolerant: even tiny residuals get a full-size gradient.",
    "builds a margin": "It does not build a margin: points classified correctly but barely get zero loss.",
}


def _lacking(loss: L.Loss) -> list[str]:
    return [p for p, has in L.properties(loss).items() if not has]


def _single_flaw_losses() -> list[L.Loss]:
    return [loss for loss in L.LOSSES if len(_lacking(loss)) == 1]


def _label(loss: L.Loss) -> str:
    return f"{loss.name} loss `{loss.formula}`"


def _reason(loss: L.Loss, prop: str, has: bool) -> str:
    verdict = "holds" if has else "fails"
    return f"{'Yes' if has else 'No'}: {prop} means {L.CRITERIA[prop]}; for {loss.formula} this {verdict}."


def _properties_of_loss(rng: random.Random) -> LossData:
    loss = rng.choice(L.LOSSES)
    return {"form": Form.PROPERTIES_OF_LOSS.value, "loss": loss.key, "multiple": True,
            "stem": f"Which properties does the {_label(loss)} have? Select all that apply.",
            "options": list(L.PROPERTIES[loss.kind])}


def _losses_with_property(rng: random.Random) -> LossData:
    kind = rng.choice(list(L.PROPERTIES))
    prop = rng.choice(L.PROPERTIES[kind])
    chosen = rng.sample([loss for loss in L.LOSSES if loss.kind == kind], 4)
    return {"form": Form.LOSSES_WITH_PROPERTY.value, "kind": kind, "property": prop,
            "losses": [x.key for x in chosen], "multiple": True,
            "stem": f"Which of these {kind} losses have the property '{prop}'?",
            "options": [f"{x.name} loss `{x.formula}`" for x in chosen]}


def _main_problem(rng: random.Random) -> LossData:
    loss = rng.choice(_single_flaw_losses())
    props = list(L.PROPERTIES[loss.kind])
    rng.shuffle(props)
    return {"form": Form.MAIN_PROBLEM.value, "loss": loss.key, "properties": props, "multiple": False,
            "stem": f"What is the main problem of the {_label(loss)}?",
            "options": [LACKS[p] for p in props]}


_DRAW = {Form.PROPERTIES_OF_LOSS: _properties_of_loss, Form.LOSSES_WITH_PROPERTY: _losses_with_property,
         Form.MAIN_PROBLEM: _main_problem}


class LossProperties(MultipleChoice):
    name = "loss-properties"
    title = "Properties of loss functions"
    topic = "Task 1: multiple choice"

    def _generate(self, rng: random.Random) -> dict[str, Any]:
        form = rng.choice(FORMS)
        return dict(_DRAW[form](rng))

    def key(self, variant: Variant, derivative=L.finite_difference) -> list[OptionKey]:
        """Each option's mark, measured with `derivative` (the second method passes autograd)."""
        data = cast(LossData, variant.data)
        if data["form"] == Form.PROPERTIES_OF_LOSS:
            loss = L.BY_KEY[data["loss"]]
            has = L.properties(loss, derivative)
            return [OptionKey(has[p], _reason(loss, p, has[p])) for p in data["options"]]
        if data["form"] == Form.LOSSES_WITH_PROPERTY:
            prop = data["property"]
            keys = []
            for loss in (L.BY_KEY[k] for k in data["losses"]):
                has = L.properties(loss, derivative)[prop]
                keys.append(OptionKey(has, _reason(loss, prop, has)))
            return keys
        loss = L.BY_KEY[data["loss"]]
        has = L.properties(loss, derivative)
        return [OptionKey(not has[p], _reason(loss, p, has[p])) for p in data["properties"]]

    def verify(self, variant: Variant, solution: Solution) -> None:
        by_autograd = [k.correct for k in self.key(variant, derivative=L.autograd_derivative)]
        if by_autograd != [k.correct for k in self.key(variant)]:
            raise VerificationError(f"Finite differences and autograd disagree on {variant.data}.")
        check_chosen(solution, by_autograd, "torch autograd")

    def table_steps(self, kind: str) -> list[str]:
        """The lecture's table as measured, with the criteria, for explanations."""
        props = L.PROPERTIES[kind]
        rows = [f"{name}: " + ", ".join(f"{p} {'✓' if has[p] else '✗'}" for p in props)
                for name, has in L.table(kind)]
        return [*(f"{p}: {L.CRITERIA[p]}" for p in props), *rows]

    def solve(self, variant: Variant) -> Solution:
        solution = super().solve(variant)
        data = cast(LossData, variant.data)
        kind = data["kind"] if "kind" in data else L.BY_KEY[data["loss"]].kind
        return Solution(solution.answer, solution.steps + self.table_steps(kind), solution.answer_text)
