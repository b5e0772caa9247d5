"""Conceptual multiple-choice questions from the bank in `dlexam/data/concepts.toml`.

The bank is data a lecturer edits: stem, options, which are correct and why. A variant
is a question and an order of its options; the key is looked up, never stored.
"""

from __future__ import annotations

import random
import tomllib
from functools import cache
from importlib import resources
from typing import Any, cast

from dlexam.errors import VerificationError
from dlexam.tasks.choice import ChoiceData, MultipleChoice, OptionKey, check_chosen
from dlexam.tasks.model import Solution, Variant


class ConceptData(ChoiceData):
    id: str             # the question in the bank
    subject: str        # its topic there
    order: list[int]    # the bank's option i is shown at position order.index(i)


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
        data: ConceptData = {"id": question["id"], "subject": question["topic"], "stem": question["stem"],
                             "options": [question["option"][i]["text"] for i in order],
                             "multiple": question["multiple"], "order": order}
        return dict(data)

    def key(self, variant: Variant) -> list[OptionKey]:
        data = cast(ConceptData, variant.data)
        options = bank()[data["id"]]["option"]
        return [OptionKey(options[i]["correct"], options[i]["why"]) for i in data["order"]]

    def verify(self, variant: Variant, solution: Solution) -> None:
        """A lecturer's key has no second computation: check the bank is consistent, the variant shows
        the bank's options, and the solution chose exactly the options the bank marks correct."""
        data = cast(ConceptData, variant.data)
        question = bank()[data["id"]]
        options = question["option"]
        if sorted(data["order"]) != list(range(len(options))):
            raise VerificationError(f"Question {question['id']}: the order is not a shuffle of its options.")
        if [options[i]["text"] for i in data["order"]] != data["options"]:
            raise VerificationError(f"Question {question['id']}: the options differ from the bank.")
        correct = [options[i]["correct"] for i in data["order"]]
        if not any(correct) or (not question["multiple"] and sum(correct) != 1):
            raise VerificationError(f"Question {question['id']}: its number of correct options is inconsistent.")
        check_chosen(solution, correct, f"the bank's key of question {question['id']}")
