"""`dlexam layer` and the layer engine: index arithmetic checked against torch autograd."""

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlexam.engines.layers import layer_facts, receptive_field, unused_input_fraction
from dlexam.engines.modules import build_module, parse_module
from dlexam.engines.probes import receptive_field_by_autograd, unused_input_fraction_by_autograd
from dlexam.errors import InputError


def dlexam(*args):
    proc = subprocess.run([sys.executable, "-m", "dlexam.cli", *args, "--json"], capture_output=True, text=True)
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def test_the_exams_examples():
    conv = layer_facts(parse_module("nn.Conv2d(3, 20, 5)"), (1, 3, 200, 200))
    assert (conv.parameters, conv.output_shape, conv.unused_input_fraction) == (3 * 20 * 5 * 5 + 20, [1, 20, 196, 196], 0)
    pool = layer_facts(parse_module("nn.AvgPool2d(2, stride=4)"), (1, 3, 200, 200))
    assert pool.unused_input_fraction == pytest.approx(0.75)  # the seed's answer: windows read half of each axis
    assert layer_facts(parse_module("nn.maxPool2d(3)")).parameters == 0  # students' spelling is accepted


def test_parameter_counts_match_a_real_module():
    import torch.nn as nn
    for text, real in [("nn.LSTM(106, 512)", nn.LSTM(106, 512)), ("nn.GRU(8, 4, num_layers=2)", nn.GRU(8, 4, num_layers=2)),
                       ("nn.BatchNorm2d(16)", nn.BatchNorm2d(16)), ("nn.Linear(4, 8, bias=False)", nn.Linear(4, 8, bias=False))]:
        assert layer_facts(parse_module(text)).parameters == sum(p.numel() for p in real.parameters())


def test_cli_reports_json_and_normalises_the_module():
    rc, out, _ = dlexam("layer", "nn.avgpool2d(2,stride=4)", "--input", "1x3x200x200")
    assert rc == 0
    assert out["module"] == "nn.AvgPool2d(2, stride=4)"
    assert out["unused_input_fraction"] == pytest.approx(0.75)
    assert out["output_shape"] == [1, 3, 50, 50]


@pytest.mark.parametrize("module", [
    "nn.Conv2d(3,", "nn.Foo(1)", "os.system('ls')", "__import__('os')", "nn.Linear(x, 2)",
    "nn.Linear(4, 8).weight", "lambda: 0", "nn.Linear(*[4, 8])", "nn.Linear(-1, 2)", "",
])
def test_bad_modules_exit_2_with_one_sentence(module):
    rc, out, err = dlexam("layer", module)
    assert rc == 2 and "Traceback" not in err
    assert out["error"].endswith(".") and "\n" not in out["error"]


def test_shape_that_does_not_fit_is_a_clear_error():
    rc, out, _ = dlexam("layer", "nn.Linear(4, 8)", "--input", "1x3")
    assert rc == 2 and "1x3" in out["error"]


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_parser_only_raises_its_own_error(text):
    try:
        parse_module(text)
    except InputError:
        pass


window = st.tuples(st.sampled_from(["Conv2d", "MaxPool2d", "AvgPool2d"]), st.integers(1, 4), st.integers(1, 5),
                   st.integers(0, 2), st.integers(1, 2), st.booleans())


def _layer(kind, k, s, p, d, ceil):
    p = min(p, k // 2)
    if kind == "Conv2d":
        return f"nn.Conv2d(2, 2, {k}, stride={s}, padding={p}, dilation={d})"
    if kind == "MaxPool2d":
        return f"nn.MaxPool2d({k}, stride={s}, padding={p}, dilation={d}, ceil_mode={ceil})"
    return f"nn.AvgPool2d({k}, stride={s}, padding={p}, ceil_mode={ceil})"


@given(st.lists(window, min_size=1, max_size=3), st.integers(12, 40), st.booleans())
@settings(max_examples=60, deadline=None)
def test_unused_inputs_agree_with_autograd(layers, n, relu):
    text = "nn.Sequential(" + ", ".join(_layer(*w) + (", nn.ReLU()" if relu else "") for w in layers) + ")"
    module = build_module(parse_module(text))
    try:
        exact = unused_input_fraction(module, (1, 2, n, n + 3))
    except InputError:
        return  # the stack shrinks the input away
    assert exact == pytest.approx(unused_input_fraction_by_autograd(module, (1, 2, n, n + 3)))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_read_inputs_through_the_pad(mode):
    module = build_module(parse_module(f"nn.Conv1d(1, 1, 3, stride=4, padding=2, padding_mode='{mode}')"))
    assert unused_input_fraction(module, (1, 1, 21)) == pytest.approx(unused_input_fraction_by_autograd(module, (1, 1, 21)))


@given(st.lists(window, min_size=1, max_size=4))
@settings(max_examples=40, deadline=None)
def test_receptive_field_agrees_with_autograd(layers):
    text = "nn.Sequential(" + ", ".join(_layer(kind, k, s, 0, d, False) for kind, k, s, _, d, _ in layers) + ")"
    module = build_module(parse_module(text))
    assert receptive_field(module) == receptive_field_by_autograd(module)


def test_nested_sequentials_are_looked_through():
    nested = layer_facts(parse_module("nn.Sequential(nn.Sequential(nn.AvgPool2d(2, stride=4)), nn.ReLU())"),
                         (1, 3, 200, 200))
    assert nested.unused_input_fraction == pytest.approx(0.75)  # as for the pooling layer alone


def test_instance_norm_reads_its_whole_channel():
    # in eval mode it still normalises by each image's own mean and variance
    facts = layer_facts(parse_module("nn.Sequential(nn.InstanceNorm2d(3), nn.AvgPool2d(2, stride=4))"),
                        (1, 3, 200, 200))
    assert facts.unused_input_fraction == 0.0


def test_constructors_nested_in_keywords_and_lists_are_built():
    import torch.nn as nn
    encoder = layer_facts(parse_module(
        "nn.TransformerEncoder(encoder_layer=nn.TransformerEncoderLayer(8, 2), num_layers=2)"))
    real = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2), num_layers=2, enable_nested_tensor=False)
    assert encoder.parameters == sum(p.numel() for p in real.parameters())
    assert layer_facts(parse_module("nn.ModuleList([nn.Linear(2, 3), nn.Linear(3, 1)])")).parameters == 9 + 4


def test_weights_and_biases_are_counted_apart():
    conv = layer_facts(parse_module("nn.Conv2d(3, 20, 5)"))
    assert (conv.weights, conv.biases) == (1500, 20)   # the contract's own example
    lstm = layer_facts(parse_module("nn.LSTM(106, 512)"))
    assert lstm.biases == 2 * 4 * 512 and lstm.weights + lstm.biases == lstm.parameters
