"""Explanations graded clause by clause (grading/rubric.py): a claim that contradicts a key point, by
negation or by the opposite direction, earns nothing for it; what the grader cannot tell is flagged."""

import pytest

from dlexam.grading.rubric import KeyPoint, Verdict, grade_rubric, judge
from dlexam.tasks.gradient_bound.grading import KEY_POINTS as BOUND
from dlexam.tasks.gradient_bound.solution import MODEL_EXPLANATION

SMALL_W, SMALL_GRADIENT, LESS_OVERFITTING = BOUND
# a rubric of another shape: the limitations of an MSE autoencoder
BLUR = KeyPoint("MSE averages plausible colours: the output is blurry.",
                (("blur", "washed", "average", "grey", "muted"),), toward=("more", "increas"),
                away=("sharp", "crisp", "vivid"))
DATA = KeyPoint("Too little data: it overfits.", (("overfit", "memori"),), toward=("more", "increas", "risk"),
                away=("less", "avoid", "prevent", "reduc"))


@pytest.mark.parametrize("text, point, verdict", [
    ("make ‖w‖ large", SMALL_W, Verdict.CONTRADICTED),
    ("increase the weights", SMALL_W, Verdict.CONTRADICTED),
    ("we should not keep w small", SMALL_W, Verdict.CONTRADICTED),
    ("don't penalise the weights", SMALL_W, Verdict.CONTRADICTED),
    ("penalise large weights", SMALL_W, Verdict.MATCHED),
    ("regularise so that w doesn't grow", SMALL_W, Verdict.MATCHED),
    ("keep the weights small rather than large", SMALL_W, Verdict.MATCHED),
    ("weight decay", SMALL_W, Verdict.MATCHED),
    ("the gradient gets large", SMALL_GRADIENT, Verdict.CONTRADICTED),
    ("the gradient is not bounded", SMALL_GRADIENT, Verdict.CONTRADICTED),
    ("penalising ‖w‖ does not increase the gradient", SMALL_GRADIENT, Verdict.MATCHED),
    ("the gradient is small", SMALL_GRADIENT, Verdict.MATCHED),
    ("which avoids overfitting", LESS_OVERFITTING, Verdict.MATCHED),
    ("so no overfitting", LESS_OVERFITTING, Verdict.MATCHED),
    ("it makes the model overfit", LESS_OVERFITTING, Verdict.CONTRADICTED),
    ("which leads to more overfitting", LESS_OVERFITTING, Verdict.CONTRADICTED),
    ("it does not prevent overfitting", LESS_OVERFITTING, Verdict.CONTRADICTED),
    ("the model generalises worse", LESS_OVERFITTING, Verdict.CONTRADICTED),
    ("the model generalises better", LESS_OVERFITTING, Verdict.MATCHED),
    ("it is never robust to noise", LESS_OVERFITTING, Verdict.CONTRADICTED),
    ("the gradient is small. the gradient is large.", SMALL_GRADIENT, Verdict.UNCLEAR),
    ("it is not that the gradient is not small", SMALL_GRADIENT, Verdict.UNCLEAR),
    ("the colours are averaged into a blurry image", BLUR, Verdict.MATCHED),
    ("the output comes out sharp, not blurry", BLUR, Verdict.CONTRADICTED),
    ("the output is sharp", BLUR, Verdict.MISSING),   # one group: its concept word must be there
    ("the output is not blurry", BLUR, Verdict.CONTRADICTED),
    ("with 500 images it risks overfitting", DATA, Verdict.MATCHED),
    ("500 images are enough to avoid overfitting", DATA, Verdict.CONTRADICTED),
    ("it has nothing to do with the weights", SMALL_GRADIENT, Verdict.MISSING),
])
def test_a_clause_claims_contradicts_or_leaves_a_point(text, point, verdict):
    assert judge(point, text).verdict == verdict


def test_the_issue_examples():
    points, feedback, evidence = grade_rubric(BOUND, "make ‖w‖ large … avoids overfitting", 2.0, "c")
    assert points == pytest.approx(2 / 3)
    assert SMALL_W.text in evidence["contradicted"] and "large" in feedback
    listed = "weight decay, small gradient, less overfitting is not what happens"
    points, feedback, evidence = grade_rubric(BOUND, listed, 2.0, "c")
    assert points == 0 and len(evidence["contradicted"]) == 3 and "retracted" in feedback


@pytest.mark.parametrize("text", [
    "Penalise ‖w‖ so the gradient is small and the model overfits less. This is not what happens.",
    "It is false that penalising ‖w‖ keeps the gradient small and reduces overfitting.",
    "Weight decay, a small gradient and less overfitting: all of this is wrong.",
])
def test_retractions_take_back_what_was_said(text):
    points, _, evidence = grade_rubric(BOUND, text, 2.0, "c")
    assert points == 0 and evidence["contradicted"]


def test_right_explanations_keep_full_marks():
    for text in [MODEL_EXPLANATION, "If we replace (penalize) || w|| to be keep it smell, then the Grandlent of is "
                 "also small which helps avoid overfitting",
                 "Regularise so that w doesn't grow; then the gradient is small and the model is robust to noise."]:
        points, _, evidence = grade_rubric(BOUND, text, 2.0, "c")
        assert points == 2 and not evidence["needs_human_look"] and not evidence["contradicted"]


def test_evidence_is_plain_data_with_a_human_look_flag():
    _, feedback, evidence = grade_rubric(BOUND, "The gradient is small. No wait, the gradient is large.", 2.0, "c")
    assert evidence["needs_human_look"] is True and evidence["why"] and "needs a human look" in feedback
    assert set(evidence) >= {"key_points", "matched", "contradicted", "needs_human_look", "why"}
    assert all(isinstance(x, str) for x in evidence["matched"] + evidence["contradicted"])
    _, _, ticked = grade_rubric(BOUND, [1, 3], 2.0, "c")
    assert ticked["matched"] == [SMALL_W.text, LESS_OVERFITTING.text] and ticked["needs_human_look"] is False
