"""Multiple-choice questions computed from layers: parameters, output shapes, unused inputs,
receptive fields.

Each question is a layer and a list of candidate numbers: the right one from the
textbook formula, the distractors from the classic mistakes (forgetting the bias,
forgetting the input channels, Keras' single LSTM bias, counting the biases when only the
weights are asked, ...; parameter counts: `parameter_counts`). The answer key is
recomputed from the layer as written (`layer_windows`: no torch, so posing is quick); `verify`
builds the real torch module on the meta device, asks torch (shapes, parameter counts, autograd
probes) and holds the given solution to its answer.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NotRequired, TypedDict, cast

from dlexam.engines.modules import build_module, parse_module
from dlexam.errors import VerificationError
from dlexam.tasks.choice import ChoiceData, MultipleChoice, OptionKey, check_chosen
from dlexam.tasks.layer_windows import spec_receptive_field, spec_sequence, spec_windows
from dlexam.tasks.model import Solution, Variant
from dlexam.tasks.parameter_counts import RULES, Asked, candidates

TOPIC = "Task 1: multiple choice"


class Layer(TypedDict):
    """What a question is about, as `draw` gives it."""
    layer: str                      # a torch.nn constructor as a student writes it
    input: NotRequired[list[int]]   # the input shape, where the question has one
    asked: NotRequired[str]         # `parameters` (the default), `weights` or `biases`


class LayerData(ChoiceData, Layer):
    """A variant's data: the layer and the question about it."""


@dataclass(frozen=True)
class Candidate:
    value: Any
    why: str
    correct: bool = False


class ComputedChoice(MultipleChoice):
    """A question whose options are candidate values computed from `data["layer"]`."""

    topic = TOPIC
    min_options, max_options = 4, 5

    def candidates(self, data: Layer) -> list[Candidate]:
        """The right value first, then the mistakes."""
        raise NotImplementedError

    def stem(self, data: Layer) -> str:
        raise NotImplementedError

    def draw(self, rng: random.Random) -> Layer:
        """The layer (and input) the question is about."""
        raise NotImplementedError

    def show(self, value: Any) -> str:
        return f"{value:,}" if isinstance(value, int) else str(value)

    def _generate(self, rng: random.Random) -> dict[str, Any]:
        texts: list[str] = []
        while len(texts) < self.min_options:  # some draws make the mistakes coincide
            question = self.draw(rng)
            texts = _distinct([self.show(c.value) for c in self.candidates(question)])[: self.max_options]
        rng.shuffle(texts)
        data: LayerData = {**question, "stem": self.stem(question), "options": texts, "multiple": False}
        return dict(data)

    def key(self, variant: Variant) -> list[OptionKey]:
        data = cast(LayerData, variant.data)
        by_text: dict[str, OptionKey] = {}
        for c in self.candidates(data):
            by_text.setdefault(self.show(c.value), OptionKey(c.correct, c.why))
        return [by_text[text] for text in data["options"]]

    def verify(self, variant: Variant, solution: Solution) -> None:
        data = cast(LayerData, variant.data)
        truth = self.show(self.self_check(data))
        right = [c for c in self.candidates(data) if c.correct][0]
        if truth != self.show(right.value):
            raise VerificationError(f"{data['layer']}: formula gives {right.value}, torch gives {truth}.")
        check_chosen(solution, [text == truth for text in data["options"]], f"torch ({truth})")

    def self_check(self, data: Layer) -> Any:
        """The right value by the independent method (torch)."""
        raise NotImplementedError


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


@lru_cache(maxsize=4096)
def _module(layer: str):
    """The layer built on the meta device (cached: variants repeat layers, torch init is slow)."""
    return build_module(parse_module(layer))


def _torch_count(layer: str, asked: Asked) -> int:
    """Elements of the module's parameters — or of those torch names a weight, or a bias."""
    kind = {Asked.PARAMETERS: "", Asked.WEIGHTS: "weight", Asked.BIASES: "bias"}[asked]
    return sum(p.numel() for name, p in _module(layer).named_parameters() if kind in name.rsplit(".", 1)[-1])


# --- parameter counts -----------------------------------------------------------------------

class ParameterCount(ComputedChoice):
    name = "parameters"
    title = "Parameters of a layer"

    def draw(self, rng: random.Random) -> Layer:
        kind = rng.choice(["Linear", "Conv1d", "Conv2d", "Conv2d", "Conv3d", "ConvTranspose2d", "BatchNorm2d",
                           "LSTM", "LSTM", "GRU", "RNN", "Embedding", "MaxPool2d", "AvgPool2d"])
        bias = rng.random() < 0.8
        c_in, c_out, k = rng.choice([3, 8, 16, 32, 64]), rng.choice([4, 8, 16, 20, 32, 64, 128]), rng.choice([1, 3, 5, 7])
        n_in, n_out = rng.choice([10, 64, 100, 106, 128, 256]), rng.choice([8, 32, 50, 64, 512])
        suffix = "" if bias else ", bias=False"
        layer = {
            "Linear": f"nn.Linear({n_in}, {n_out}{suffix})",
            "Conv1d": f"nn.Conv1d({c_in}, {c_out}, {k}{suffix})",
            "Conv2d": f"nn.Conv2d({c_in}, {c_out}, {k}{suffix})",
            "Conv3d": f"nn.Conv3d({c_in}, {c_out}, {k}{suffix})",
            "ConvTranspose2d": f"nn.ConvTranspose2d({c_in}, {c_out}, {k}{suffix})",
            "BatchNorm2d": f"nn.BatchNorm2d({c_out})",
            "LSTM": f"nn.LSTM({n_in}, {n_out})",
            "GRU": f"nn.GRU({n_in}, {n_out})",
            "RNN": f"nn.RNN({n_in}, {n_out})",
            "Embedding": f"nn.Embedding({rng.choice([1000, 5000, 10000])}, {rng.choice([16, 50, 128, 300])})",
            "MaxPool2d": f"nn.MaxPool2d({rng.choice([2, 3])})",
            "AvgPool2d": f"nn.AvgPool2d({rng.choice([2, 3])}, stride={rng.choice([1, 2, 4])})",
        }[kind]
        return {"layer": layer, "asked": rng.choice(list(Asked) + [Asked.PARAMETERS]).value}

    def stem(self, data: Layer) -> str:
        what = {Asked.PARAMETERS: "trainable parameters (weights and biases)", Asked.WEIGHTS: "weights (not "
                "counting biases)", Asked.BIASES: "biases"}[_asked(data)]
        return f"How many {what} does `{data['layer']}` have?"

    def self_check(self, data: Layer) -> int:
        return _torch_count(data["layer"], _asked(data))

    def candidates(self, data: Layer) -> list[Candidate]:
        spec = parse_module(data["layer"])
        counts = RULES[spec.name](*spec.args, bias=spec.kwargs.get("bias", True))
        return [Candidate(*c) for c in candidates(counts, _asked(data))]


def _asked(data: Layer) -> Asked:
    return Asked(data.get("asked", Asked.PARAMETERS))


# --- output shapes ----------------------------------------------------------------------------

def _out(n: int, k: int, s: int, p: int, d: int, ceil: bool = False) -> int:
    span = n + 2 * p - d * (k - 1) - 1
    return (-(-span // s) if ceil else span // s) + 1


class OutputShape(ComputedChoice):
    name = "output-shape"
    title = "Output shape of a layer"

    def draw(self, rng: random.Random) -> Layer:
        kind = rng.choice(["Conv2d", "Conv2d", "MaxPool2d", "AvgPool2d"])
        n, c = rng.choice([28, 32, 64, 100, 128, 200, 224]), rng.choice([1, 3, 16])
        k, s = rng.choice([2, 3, 5, 7]), rng.choice([1, 2, 2, 3, 4])
        p = rng.choice([0, 0, 1, 2, 3]) if kind != "AvgPool2d" else rng.choice([0, 1])
        p = min(p, k // 2)   # pooling requires padding <= kernel/2
        d = rng.choice([1, 1, 1, 2]) if kind != "AvgPool2d" else 1
        parts = [f"{c}, {rng.choice([8, 16, 20, 32, 64])}, {k}" if kind == "Conv2d" else f"{k}", f"stride={s}"]
        parts += [f"padding={p}"] * (p > 0) + [f"dilation={d}"] * (d > 1)
        return {"layer": f"nn.{kind}({', '.join(parts)})", "input": [1, c, n, n]}

    def stem(self, data: Layer) -> str:
        shape = "×".join(map(str, data["input"]))
        return f"What is the output shape of `{data['layer']}` on an input of shape {shape}?"

    def show(self, value: Any) -> str:
        return "×".join(map(str, value))

    def self_check(self, data: Layer) -> tuple[int, ...]:
        from dlexam.engines.layers import output_shape
        return tuple(output_shape(_module(data["layer"]), tuple(data["input"])))

    def candidates(self, data: Layer) -> list[Candidate]:
        spec = parse_module(data["layer"])
        conv = spec.name == "Conv2d"
        batch, c, n, _ = data["input"]
        k = spec.args[2] if conv else spec.args[0]
        s, p, d = (spec.kwargs.get(x, dflt) for x, dflt in (("stride", 1), ("padding", 0), ("dilation", 1)))
        channels = spec.args[1] if conv else c
        shape = lambda m, ch=channels: (batch, ch, m, m)  # noqa: E731
        right = _out(n, k, s, p, d)
        why = (f"⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 = ⌊({n} + {2 * p} − {d * (k - 1)} − 1)/{s}⌋ + 1 = {right}"
               + (f"; the {channels} output channels come from the filters." if conv else
                  "; pooling keeps the channels."))
        wrong = [Candidate(shape(_out(n, k, s, 0, d)), "This forgets the padding on both sides."),
                 Candidate(shape(_out(n, k, s, p, 1)), "This forgets the dilation: the kernel spans d(k−1)+1 inputs."),
                 Candidate(shape(_out(n, k, s, p, d, ceil=True)), "PyTorch rounds down (ceil_mode=False)."),
                 Candidate(shape((n + 2 * p - d * (k - 1) - 1) // s), "This forgets the +1 for the first window."),
                 Candidate(shape(max(1, n // s)), "The output shrinks by the kernel's extent as well as the stride.")]
        if conv:
            wrong.insert(0, Candidate(shape(right, c), "A convolution outputs out_channels channels."))
        return [Candidate(shape(right), why, True), *wrong]


# --- unused inputs ---------------------------------------------------------------------------

class UnusedInputs(ComputedChoice):
    name = "unused-inputs"
    title = "Inputs a strided layer never reads"

    def draw(self, rng: random.Random) -> Layer:
        kind = rng.choice(["AvgPool2d", "MaxPool2d", "Conv2d"])
        k = rng.choice([1, 2, 2, 3])
        s = rng.choice([x for x in (2, 3, 4, 5) if x >= k])
        n = rng.choice([60, 100, 120, 200, 224, 240])
        layer = f"nn.Conv2d(3, 8, {k}, stride={s})" if kind == "Conv2d" else f"nn.{kind}({k}, stride={s})"
        return {"layer": layer, "input": [1, 3, n, n]}

    def stem(self, data: Layer) -> str:
        n = data["input"][-1]
        return (f"Using `{data['layer']}` on a {n}×{n} input (shape {'×'.join(map(str, data['input']))}) "
                "leaves what share of the input elements unused (no output depends on them)?")

    def show(self, value: Any) -> str:
        return f"{100 * value:.4g}% of the inputs unused"

    def picture(self, variant: Variant, path: str | Path) -> Path:
        """The input grid with the cells no window reads, and one window (layer_pictures.py)."""
        from dlexam.engines.figures import save
        from dlexam.tasks import layer_pictures

        return save(layer_pictures.unused_figure(variant.data["layer"], variant.data["input"]), path)

    def self_check(self, data: Layer) -> float:
        from dlexam.engines.probes import unused_input_fraction_by_autograd
        return unused_input_fraction_by_autograd(_module(data["layer"]), tuple(data["input"]))

    def candidates(self, data: Layer) -> list[Candidate]:
        n = data["input"][-1]
        w = spec_windows(parse_module(data["layer"]))[0]
        starts = w.output_length(n)
        used_axis = int(w.used_inputs(n, _ones(starts)).sum())
        axis = used_axis / n
        right = 1 - axis**2
        why = (f"Windows start at 0, {w.stride}, 2·{w.stride}, …: {starts} windows of {w.kernel} read "
               f"{used_axis} of {n} positions per axis ({100 * axis:.4g}%), so {100 * axis**2:.4g}% of the "
               f"{n}×{n} grid is read and {100 * right:.4g}% is unused.")
        naive = max(0.0, 1 - w.kernel / w.stride)
        return [Candidate(right, why, True),
                Candidate(1 - axis, "That counts one axis only; unused rows and unused columns combine."),
                Candidate(axis**2, "That is the share that IS used."),
                Candidate(naive**2, "That squares the unused share per axis; the used share is what multiplies."),
                Candidate(0.0, "A stride larger than the kernel skips inputs between windows." if w.stride > w.kernel
                          else "Some positions at the far edge are not reached by any window."),
                Candidate(0.5, "Work out which positions the windows cover, per axis.")]


def _ones(n: int):
    import numpy as np
    return np.ones(n, dtype=bool)


# --- receptive fields -------------------------------------------------------------------------

class ReceptiveField(ComputedChoice):
    name = "receptive-field"
    title = "Receptive field of a stack"

    def draw(self, rng: random.Random) -> Layer:
        layers = []
        for i in range(rng.choice([2, 3, 3, 4])):
            if i > 0 and rng.random() < 0.3:
                layers.append(f"nn.MaxPool2d({rng.choice([2, 3])})")
            else:
                k, s, d = rng.choice([3, 3, 5]), rng.choice([1, 1, 2]), rng.choice([1, 1, 2])
                extra = (f", stride={s}" if s > 1 else "") + (f", dilation={d}" if d > 1 else "")
                layers.append(f"nn.Conv2d(1, 1, {k}{extra})")
        return {"layer": "nn.Sequential(" + ", ".join(layers) + ")"}

    def stem(self, data: Layer) -> str:
        return (f"How many input pixels along one axis does one output element of "
                f"`{data['layer']}` see (its receptive field)?")

    def picture(self, variant: Variant, path: str | Path) -> Path:
        """The input cells one output element depends on, and the field's extent (layer_pictures.py)."""
        from dlexam.engines.figures import save
        from dlexam.tasks import layer_pictures

        return save(layer_pictures.field_figure(variant.data["layer"]), path)

    def self_check(self, data: Layer) -> int:
        from dlexam.engines.probes import receptive_field_by_autograd
        return receptive_field_by_autograd(_module(data["layer"]))

    def candidates(self, data: Layer) -> list[Candidate]:
        spec = parse_module(data["layer"])
        ws = [spec_windows(layer)[0] for layer in spec_sequence(spec)]
        right = spec_receptive_field(spec)
        terms = []
        jump = 1
        for w in ws:
            terms.append(f"({w.kernel}−1)·{w.dilation}·{jump}")
            jump *= w.stride
        why = f"r = 1 + Σ (k−1)·d·(product of earlier strides) = 1 + {' + '.join(terms)} = {right}."
        no_stride = 1 + sum((w.kernel - 1) * w.dilation for w in ws)
        no_dilation = 1 + sum((w.kernel - 1) * math.prod(v.stride for v in ws[:i]) for i, w in enumerate(ws))
        return [Candidate(right, why, True),
                Candidate(no_stride, "This forgets that strides and pooling multiply the step of later layers."),
                Candidate(no_dilation, "This forgets the dilation: a dilated kernel spans d(k−1)+1 inputs."),
                Candidate(math.prod(w.kernel for w in ws), "Kernels do not multiply; each layer adds (k−1)·step."),
                Candidate(sum(w.kernel for w in ws), "Overlapping windows share inputs: add k−1 per layer, not k."),
                Candidate(ws[-1].dilation * (ws[-1].kernel - 1) + 1,
                          "That is the last layer's window alone; the layers below widen it.")]
