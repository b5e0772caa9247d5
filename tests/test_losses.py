"""The loss-property tables are measured on the loss functions, and agree with the lecture's slide."""

import pytest

from dlexam.engines import losses as L
from dlexam.errors import VerificationError
from dlexam.tasks.layer_questions import Candidate, ParameterCount
from dlexam.tasks.loss_questions import LossProperties
from dlexam.tasks.model import Answer, Solution


def marks(key):
    return tuple(L.properties(L.BY_KEY[key]).values())


def test_the_slide_recalled_in_the_seeds():
    # seed 000's OCR of the lecture slide: 0/1 ✗✓✓, squared ✓✗✓ (optimizable, outlier-robust, ε-tolerant)
    assert marks("zero-one-regression") == (False, True, True)
    assert marks("squared") == (True, False, True)


def test_absolute_and_log_cosh():
    assert marks("absolute") == (True, True, False)   # constant slope: no tolerance near 0
    assert marks("log-cosh") == (True, True, True)    # tanh slope: bounded and vanishing at 0


def test_classification_losses():
    assert marks("zero-one") == (False, True, False)
    assert marks("perceptron") == (True, True, False)  # its main problem: no margin
    assert marks("log") == marks("hinge") == (True, True, True)
    assert marks("exponential") == (True, False, True)


@pytest.mark.parametrize("loss", L.LOSSES, ids=lambda loss: loss.key)
def test_autograd_agrees_with_finite_differences(loss):
    assert L.properties(loss, L.autograd_derivative) == L.properties(loss)


def test_the_main_problem_of_the_perceptron_loss_is_computed():
    fam = LossProperties()
    variant = next(v for v in map(fam.generate, range(200))
                   if v.data["form"] == "main-problem" and v.data["loss"] == "perceptron")
    (choice,) = fam.solve(variant).answer.parts["choice"]
    assert "margin" in variant.data["options"][ord(choice) - ord("a")]


def test_verify_catches_a_wrong_formula(monkeypatch):
    fam = ParameterCount()
    variant = fam.generate(3)
    solution = fam.solve(variant)
    real = fam.candidates
    monkeypatch.setattr(fam, "candidates", lambda data: [Candidate(c.value + 1, c.why, c.correct) if c.correct else c
                                                         for c in real(data)])
    with pytest.raises(VerificationError):
        fam.verify(variant, solution)


def test_verify_holds_the_given_choice_to_autograd():
    fam = LossProperties()
    variant = next(v for v in map(fam.generate, range(200)) if v.data["multiple"])
    solution = fam.solve(variant)
    fam.verify(variant, solution)
    wrong = sorted(set(solution.answer.parts["choice"]) ^ {"a"})
    with pytest.raises(VerificationError):
        fam.verify(variant, Solution(Answer({"choice": wrong}), solution.steps))


def test_the_answer_text_is_the_letters_as_typed():
    fam = LossProperties()
    variant = fam.generate(5)
    solution = fam.solve(variant)
    assert solution.answer_text == ",".join(solution.answer.parts["choice"])
    assert fam.grade(variant, fam.parse_answer(variant, solution.answer_text)).full_marks
