"""Schema and coverage checks for the multiple-choice concept bank (dlexam/data/concepts.toml)."""
import re
import tomllib
from collections import Counter
from importlib.resources import files

import pytest

BANK = files("dlexam") / "data" / "concepts.toml"

QUESTION_KEYS = {"id", "topic", "stem", "multiple", "source", "option"}
REQUIRED_QUESTION_KEYS = QUESTION_KEYS - {"source"}
OPTION_KEYS = {"text", "correct", "why"}
SEED_TOPICS = {"LSTM", "Convolution", "Pooling", "ReLU", "ResNet", "U-Net"}
# Computed by code from the loss functions, so they must not appear as bank questions.
LOSS_PROPERTY_WORDS = ("optimizable", "outlier-robust", "tolerant", "mislabel", "margin")


def load_questions() -> list[dict]:
    with BANK.open("rb") as f:
        return tomllib.load(f)["question"]


QUESTIONS = load_questions()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def correct_texts(q: dict) -> list[str]:
    return [o["text"] for o in q["option"] if o["correct"]]


def by_id(qid: str) -> dict:
    return next(q for q in QUESTIONS if q["id"] == qid)


def test_bank_is_large_enough():
    assert len(QUESTIONS) >= 60


def test_ids_unique_and_kebab_case():
    ids = [q["id"] for q in QUESTIONS]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert [i for i in ids if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i)] == []


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q["id"])
def test_question_schema(q):
    assert REQUIRED_QUESTION_KEYS <= set(q) <= QUESTION_KEYS
    assert isinstance(q["stem"], str) and q["stem"].strip()
    assert isinstance(q["topic"], str) and q["topic"].strip()
    assert isinstance(q["multiple"], bool)
    if "source" in q:
        assert q["source"].startswith("seed ")
    options = q["option"]
    assert 3 <= len(options) <= 5
    for o in options:
        assert set(o) == OPTION_KEYS
        assert isinstance(o["correct"], bool)
        assert isinstance(o["text"], str) and o["text"].strip()
        assert isinstance(o["why"], str) and len(o["why"].strip()) > 10
    texts = [o["text"] for o in options]
    assert len(set(texts)) == len(texts), "duplicate option text"
    n_correct = len(correct_texts(q))
    if q["multiple"]:
        assert n_correct >= 1
    else:
        assert n_correct == 1


def test_plain_text_without_latex():
    for q in QUESTIONS:
        fields = [q["stem"]] + [o[k] for o in q["option"] for k in ("text", "why")]
        assert not any("\\" in s or "$" in s for s in fields), q["id"]


def test_small_consistent_topic_set():
    topics = Counter(q["topic"] for q in QUESTIONS)
    assert 12 <= len(topics) <= 16, sorted(topics)
    assert min(topics.values()) >= 3, topics


def test_about_a_third_select_all():
    share = sum(q["multiple"] for q in QUESTIONS) / len(QUESTIONS)
    assert 0.25 <= share <= 0.45
    counts = {len(correct_texts(q)) for q in QUESTIONS if q["multiple"]}
    assert {2, 3} <= counts


def test_correct_answer_position_varies():
    # Options are shown in file order unless the front end shuffles; the key must not be guessable.
    positions = Counter(
        [o["correct"] for o in q["option"]].index(True) for q in QUESTIONS if not q["multiple"]
    )
    assert max(positions.values()) <= 0.5 * sum(positions.values())


def test_seed_topics_covered():
    topics = {q["topic"] for q in QUESTIONS}
    assert SEED_TOPICS <= topics


def test_perceptron_loss_formula_question():
    hits = [q for q in QUESTIONS if not q["multiple"] and correct_texts(q)
            and squash(correct_texts(q)[0]) in {"max(0,-y*t)", "max(0,-yt)", "max(0,-t*y)"}]
    assert hits, "no question whose answer is the perceptron loss max(0, -y*t)"
    wrong = {squash(o["text"]) for o in hits[0]["option"] if not o["correct"]}
    assert {"max(0,-y*t)²", "max(0,1-y*t)"} <= wrong


def test_seed_lstm_gate_answer():
    q = by_id("lstm-gate")
    (answer,) = correct_texts(q)
    assert "sigmoid" in answer.lower() and "positive" not in answer.lower()
    assert sum("relu" in o["text"].lower() for o in q["option"]) == 2


def test_seed_local_invariance_answer_is_pooling():
    q = by_id("pooling-local-invariance")
    assert correct_texts(q) == ["Pooling layers"]
    assert {o["text"] for o in q["option"]} == {
        "Activation layers", "Pooling layers", "Convolution layers", "Linear layers"}


def test_maxpool_has_no_parameters_question():
    assert correct_texts(by_id("pooling-maxpool-parameters")) == ["None"]


def test_no_loss_property_questions():
    for q in QUESTIONS:
        stem = q["stem"].lower()
        assert not any(w in stem for w in LOSS_PROPERTY_WORDS), q["id"]
