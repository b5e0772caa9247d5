"""Conceptual multiple-choice questions from the bank in `dlexam/data/concepts.toml`.

The bank is data a lecturer edits: stem, options, which are correct and why. A variant
is a question and an order of its options; the key is looked up, never stored.
"""

from __future__ import annotations

import random
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from dlexam.errors import VerificationError
from dlexam.tasks.choice import MultipleChoice, OptionKey
from dlexam.tasks.model import Solution, Variant


@cache
def bank() -> dict[str, dict[str, Any]]:
    """The questions by id."""
    text = resources.files("dlexam.data").joinpath("concepts.toml").read_text(encoding="utf-8")
    return {q["id"]: q for q in tomllib.loads(text)["question"]}


class Concepts(MultipleChoice):
    name = "concepts"
    title = "Concepts of the course"
    topic = "Task 1: multiple choice"

    def _generate(self, rng: random.Random) -> dict[str, Any]:
        question = bank()[rng.choice(sorted(bank()))]
        order = list(range(len(question["option"])))
        rng.shuffle(order)
        return {"id": question["id"], "subject": question["topic"], "stem": question["stem"],
                "options": [question["option"][i]["text"] for i in order],
                "multiple": question["multiple"], "order": order}

    def key(self, variant: Variant) -> list[OptionKey]:
        options = bank()[variant.data["id"]]["option"]
        return [OptionKey(options[i]["correct"], options[i]["why"]) for i in variant.data["order"]]

    def verify(self, variant: Variant, solution: Solution) -> None:
        """Conceptual facts have no second computation; check the key is consistent instead."""
        question = bank()[variant.data["id"]]
        texts = [question["option"][i]["text"] for i in variant.data["order"]]
        correct = [o for o in question["option"] if o["correct"]]
        if texts != variant.data["options"]:
            raise VerificationError(f"Question {question['id']}: the options differ from the bank.")
        if not correct or (not question["multiple"] and len(correct) != 1):
            raise VerificationError(f"Question {question['id']}: its number of correct options is inconsistent.")
        if len(solution.answer.parts["choice"]) != len(correct):
            raise VerificationError(f"Question {question['id']}: the solution chose the wrong number of options.")
