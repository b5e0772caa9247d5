"""Parameter counts of a layer by formula, split into weights and biases, with the classic mistakes.

A rule gives the right `Counts` first, then the mistakes, each as the weights and biases a student
who makes it would count. A question asks for the parameters, the weights only or the biases only
(`Asked`); `candidates` reads each count that way. A mistake that does not touch what is asked
reads as the right value and drops out; a mistake stated only as a total (`total=`) counts for the
parameters question alone. Besides the layer's own mistakes, each question has its own: counting
the biases when only weights are asked, giving the weights or all parameters when biases are.
Torch's names decide what is a weight and what a bias (`weight`, `weight_ih_l0`, `bias_hh_l0`):
batch normalisation's scale γ is its weight, its shift β its bias.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Callable


class Asked(StrEnum):
    PARAMETERS = "parameters"
    WEIGHTS = "weights"
    BIASES = "biases"


@dataclass(frozen=True)
class Counts:
    weights: int | None          # None: the mistake is stated as a total only
    biases: int | None
    why: str
    correct: bool = False
    total: int | None = None     # when not weights + biases

    def value(self, asked: Asked) -> int | None:
        if asked == Asked.PARAMETERS:
            both = None if self.weights is None or self.biases is None else self.weights + self.biases
            return self.total if self.total is not None else both
        return self.weights if asked == Asked.WEIGHTS else self.biases


def candidates(rule_counts: list[Counts], asked: Asked) -> list[tuple[int, str, bool]]:
    """(value, why, correct) for the question asked: the right one first, then the mistakes."""
    right = rule_counts[0]
    weights, biases = right.weights or 0, right.biases or 0      # the right counts are never totals only
    extra = {
        Asked.PARAMETERS: [],
        Asked.WEIGHTS: [Counts(weights + biases, 0, "That counts the biases too; only the weights are asked.")],
        Asked.BIASES: [Counts(0, weights + biases, "That is all the parameters; only the biases are asked."),
                       Counts(0, weights, "Those are the weights; the biases are the added constants.")],
    }[asked]
    return [(v, c.why, c.correct) for c in [right, *extra, *rule_counts[1:]] if (v := c.value(asked)) is not None]


def _bias_text(bias: bool, b: int, per: str) -> str:
    return f"one bias per {per}: {b}" if bias else "bias=False: no biases"


def linear(n_in: int, n_out: int, bias: bool = True) -> list[Counts]:
    w, b = n_in * n_out, n_out * bias
    return [Counts(w, b, f"One weight per input-output pair, {n_in}·{n_out} = {w}; "
                         f"{_bias_text(bias, b, 'output')}; {w + b} parameters.", True),
            Counts(w, 0 if bias else n_out, "This forgets the bias." if bias else "bias=False means no biases."),
            Counts(w, n_in, "Biases belong to the outputs, one each, not to the inputs."),
            Counts(n_in + n_out, b, "Inputs and outputs are fully connected: the weights multiply, they do not add."),
            Counts(None, None, "There is no extra bias unit on the output side.", total=(n_in + 1) * (n_out + 1))]


def conv(dims: int, transposed: bool = False) -> Callable[..., list[Counts]]:
    def rule(c_in: int, c_out: int, k: int, bias: bool = True) -> list[Counts]:
        taps = k**dims
        w, b = c_in * c_out * taps, c_out * bias
        kernel = "·".join([str(k)] * dims)
        right = Counts(w, b, f"Every output channel has a {c_in}·{kernel} kernel over all input channels: "
                             f"{c_out}·{c_in}·{kernel} = {w} weights; {_bias_text(bias, b, 'output channel')}; "
                             f"{w + b} parameters.", True)
        per_input = ("A transposed convolution has one bias per OUTPUT channel." if transposed
                     else "There is one bias per output channel, not per input channel.")
        return [right,
                Counts(w, 0 if bias else c_out, "This forgets the biases." if bias else "bias=False means no biases."),
                *[Counts(w, c_in, per_input)] * (bias and c_in != c_out),
                Counts(c_out * taps, b, "This forgets that each kernel spans all input channels."),
                Counts(c_in * c_out * k * dims, b, f"The kernel has {kernel} = {taps} taps per channel pair, "
                                                   f"not {k}·{dims}."),
                Counts(c_in * c_out * k, b, f"A {dims}-d kernel of size {k} has {taps} taps, not {k}."),
                Counts(c_in * taps, 1, "Each output channel has its own kernel and bias; they are not shared."),
                Counts(w, b * taps, "One bias per output channel, not one per kernel tap.")]
    return rule


def batchnorm(c: int, bias: bool = True) -> list[Counts]:
    return [Counts(c, c, f"A scale γ (its weight) and a shift β (its bias) per channel: {c} + {c} = {2 * c}; the "
                         "running mean and variance are buffers, not trained parameters.", True),
            Counts(None, None, "The running mean and variance are buffers updated by averaging, not trained.",
                   total=4 * c),
            Counts(c, 0, "Besides the scale γ there is a shift β per channel (its bias)."),
            Counts(0, 0, "Batch normalisation learns a scale and a shift per channel (affine=True by default).")]


def recurrent(gates: int, cell: str) -> Callable[..., list[Counts]]:
    def rule(n_in: int, h: int, bias: bool = True) -> list[Counts]:
        w, b = gates * (h * n_in + h * h), gates * 2 * h
        other = {4: 3, 3: 4, 1: 4}[gates]
        blocks = f"{gates} gate block{'s' if gates > 1 else ''}"
        return [Counts(w, b, f"{blocks}, each with input weights {h}·{n_in} and recurrent weights {h}·{h}: "
                             f"{gates}·({h * n_in} + {h * h}) = {w} weights; and PyTorch's two biases b_ih and b_hh "
                             f"per block: {gates}·2·{h} = {b} biases; {w + b} parameters.", True),
                Counts(w, gates * h, "That is the Keras count with one bias per gate; PyTorch keeps two (b_ih and b_hh)."),
                Counts(gates * h * n_in, b, "This forgets the recurrent weights from h_{t-1}."),
                Counts(other * (h * n_in + h * h), other * 2 * h, f"An {cell} has {blocks}, not {other}."),
                Counts(h * n_in + h * h, 2 * h, f"Each of the {gates} gate blocks has its own weights and biases."
                       if gates > 1 else "This leaves out part of the count."),
                Counts(w, 2 * h, f"Each of the {blocks} has its own two biases." if gates > 1
                       else "PyTorch keeps two bias vectors, b_ih and b_hh."),
                Counts(None, None, "This counts only the input weights.", total=gates * h * n_in)]
    return rule


def embedding(n: int, d: int, bias: bool = True) -> list[Counts]:
    return [Counts(n * d, 0, f"One {d}-dimensional vector per token, all weights: {n}·{d} = {n * d}; "
                             "a lookup table has no bias.", True),
            Counts(n + d, 0, "The table stores a whole vector for every token: sizes multiply."),
            Counts(n * d, d, "An embedding is a lookup table; it has no bias."),
            Counts(d, 0, "Each of the tokens has its own vector, not one shared vector."),
            Counts(n * d, n, "An embedding is a lookup table; it adds no bias per token.")]


def pooling(k: int, *_: Any, bias: bool = True, **__: Any) -> list[Counts]:
    return [Counts(0, 0, "Pooling takes a fixed maximum or mean over each window; nothing is learned: "
                         "no weights, no biases.", True),
            Counts(k * k, 0, "Pooling has no kernel weights: it is a fixed maximum or mean."),
            Counts(k * k, 1, "Pooling has neither weights nor a bias."),
            Counts(1, 1, "Not even a single parameter: the window size is a hyperparameter."),
            Counts(k, k, "The window size is a hyperparameter, not a parameter.")]


RULES: dict[str, Callable[..., list[Counts]]] = {
    "Linear": linear, "Conv1d": conv(1), "Conv2d": conv(2), "Conv3d": conv(3),
    "ConvTranspose2d": conv(2, transposed=True), "BatchNorm2d": batchnorm,
    "LSTM": recurrent(4, "LSTM"), "GRU": recurrent(3, "GRU"), "RNN": recurrent(1, "Elman RNN"),
    "Embedding": embedding, "MaxPool2d": pooling, "AvgPool2d": pooling,
}
