"""The `parameters` family asks for the parameters, the weights only or the biases only (exam 1.2:
the weights of `nn.Conv2d(3, 20, 5)` are 1500, not 1520), each checked against torch's own names."""

import pytest

from dlexam.engines.modules import build_module, parse_module
from dlexam.tasks.layer_questions import ParameterCount
from dlexam.tasks.model import Answer, Variant

FAMILY = ParameterCount()
LAYERS = ["nn.Conv2d(3, 20, 5)", "nn.Conv2d(3, 20, 5, bias=False)", "nn.Conv1d(8, 16, 3)", "nn.Conv3d(4, 2, 3)",
          "nn.ConvTranspose2d(8, 4, 7)", "nn.Linear(106, 50)", "nn.Linear(4, 8, bias=False)", "nn.LSTM(106, 512)",
          "nn.GRU(8, 4)", "nn.RNN(10, 32)", "nn.BatchNorm2d(16)", "nn.Embedding(1000, 16)", "nn.MaxPool2d(3)",
          "nn.AvgPool2d(2, stride=4)"]


def torch_count(layer, asked):
    """Independently of the family: elements of the parameters whose torch name says weight / bias."""
    named = list(build_module(parse_module(layer)).named_parameters())
    if asked == "parameters":
        return sum(p.numel() for _, p in named)
    kind = {"weights": "weight", "biases": "bias"}[asked]
    return sum(p.numel() for name, p in named if kind in name.split(".")[-1])


def variant(layer, asked, first):
    """A variant whose options are the first two given, then the other candidates."""
    texts = list(dict.fromkeys([*first, *(FAMILY.show(c.value) for c in FAMILY.candidates({"layer": layer,
                                                                                            "asked": asked}))]))
    data = {"layer": layer, "asked": asked, "stem": "", "options": texts[:5], "multiple": False}
    return Variant("parameters", 0, data)


@pytest.mark.parametrize("asked, right, wrong", [("weights", "1,500", "1,520"), ("biases", "20", "1,520"),
                                                 ("parameters", "1,520", "1,500")])
def test_the_exams_conv_question_asked_three_ways(asked, right, wrong):
    v = variant("nn.Conv2d(3, 20, 5)", asked, [wrong, right])
    assert FAMILY.solve(v).answer.parts["choice"] == ["b"]
    assert FAMILY.grade(v, Answer({"choice": ["a"]})).points == 0
    assert {"weights": "weights (not counting biases)", "biases": "many biases",
            "parameters": "(weights and biases)"}[asked] in FAMILY.stem(v.data)


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("asked", ["parameters", "weights", "biases"])
def test_the_formula_agrees_with_torch_and_no_distractor_is_right(layer, asked):
    data = {"layer": layer, "asked": asked}
    candidates = FAMILY.candidates(data)
    right = [c.value for c in candidates if c.correct]
    assert right == [torch_count(layer, asked)]
    assert right[0] not in [c.value for c in candidates if not c.correct and c.value != right[0]]


@pytest.mark.parametrize("layer", [x for x in LAYERS if torch_count(x, "biases")])
def test_the_classic_mistakes_are_offered(layer):
    total, weights, biases = (torch_count(layer, a) for a in ("parameters", "weights", "biases"))
    on_weights = {}
    for c in FAMILY.candidates({"layer": layer, "asked": "weights"}):    # the first reason for a value is shown
        on_weights.setdefault(c.value, c.why)
    assert "biases too" in on_weights[total]                     # counting the biases when weights are asked
    on_biases = {c.value: c.why for c in FAMILY.candidates({"layer": layer, "asked": "biases"}) if not c.correct}
    assert total in on_biases and weights in on_biases


def test_generated_variants_ask_all_three_ways_and_their_keys_are_torchs():
    seen = set()
    for seed in range(80):
        v = FAMILY.generate(seed)
        asked = v.data["asked"]
        seen.add(asked)
        (letter,) = FAMILY.solve(v).answer.parts["choice"]
        chosen = v.data["options"][ord(letter) - ord("a")]
        assert int(chosen.replace(",", "")) == torch_count(v.data["layer"], asked), v.data
        assert len(set(v.data["options"])) == len(v.data["options"]) >= 4
    assert seen == {"parameters", "weights", "biases"}


def test_a_variant_stored_before_the_split_still_asks_for_the_parameters():
    v = variant("nn.Linear(4, 8)", "parameters", ["40", "32"])
    del v.data["asked"]
    assert FAMILY.solve(v).answer.parts["choice"] == ["a"]
    assert "weights and biases" in FAMILY.stem(v.data)
