"""Facts about torch modules: parameter counts, output shapes, unused inputs, receptive fields.

Windowed layers (convolutions and pooling) are described per spatial axis by a `Window`;
which input elements an output depends on is worked out per axis from the windows,
exactly, in index arithmetic. `engines.probes` checks the same facts by autograd.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dlexam.engines.modules import ModuleSpec, build_module, first_sentence
from dlexam.errors import InputError

if TYPE_CHECKING:   # NumPy where windows are walked: reading a layer's windows needs none
    import numpy as np

# Layers whose output element i depends on input element i only.
ELEMENTWISE = re.compile(
    r"(Identity|ReLU|ReLU6|LeakyReLU|PReLU|RReLU|ELU|SELU|CELU|GELU|SiLU|Mish|Sigmoid|Tanh|Hardtanh|"
    r"Hardsigmoid|Hardswish|Hardshrink|Softshrink|Tanhshrink|Softplus|Softsign|LogSigmoid|Threshold|"
    r"Dropout\dd|Dropout|AlphaDropout|FeatureAlphaDropout|BatchNorm\dd)")
# Not InstanceNorm: even in eval mode it normalises by each instance's own statistics.
WINDOWED = re.compile(r"(Conv|MaxPool|AvgPool|LPPool)(\d)d")
MAX_INPUT_ELEMENTS = 10**8


@dataclass(frozen=True)
class Window:
    """One spatial axis of a convolution or pooling layer."""

    kernel: int
    stride: int
    padding: int            # left padding
    padding_right: int
    dilation: int = 1
    ceil_mode: bool = False
    mode: str = "zeros"     # how padded positions map to inputs: zeros, reflect, replicate, circular

    def output_length(self, n: int) -> int:
        """torch's output length for an axis of n inputs (pooling's ceil-mode rule included)."""
        span = n + self.padding + self.padding_right - self.dilation * (self.kernel - 1) - 1
        if span < 0:
            raise InputError(f"The input length {n} is smaller than the kernel's extent.")
        if not self.ceil_mode:
            return span // self.stride + 1
        out = -(-span // self.stride) + 1
        if (out - 1) * self.stride >= n + self.padding:  # the last window must start inside
            out -= 1
        return out

    def source(self, position: int, n: int) -> int | None:
        """The input index a padded position reads, or None for a constant pad."""
        i = position - self.padding
        if 0 <= i < n:
            return i
        if self.mode == "reflect":
            return -i if i < 0 else 2 * (n - 1) - i
        if self.mode == "replicate":
            return min(max(i, 0), n - 1)
        if self.mode == "circular":
            return i % n
        return None

    def used_inputs(self, n: int, used_outputs: np.ndarray) -> np.ndarray:
        """Which of the n inputs some used output window reads."""
        import numpy as np

        used = np.zeros(n, dtype=bool)
        for out in np.flatnonzero(used_outputs):
            for j in range(self.kernel):
                i = self.source(out * self.stride + j * self.dilation, n)
                if i is not None:
                    used[i] = True
        return used


@dataclass(frozen=True)
class LayerFacts:
    module: str
    parameters: int
    trainable_parameters: int
    output_shape: list[int] | None
    unused_input_fraction: float | None
    weights: int = 0        # elements of weight tensors (weight, weight_ih_l0, in_proj_weight, ...)
    biases: int = 0         # elements of bias tensors (bias, bias_hh_l0, ...)


def layer_facts(spec: ModuleSpec, input_shape: tuple[int, ...] | None = None) -> LayerFacts:
    """Everything `dlexam layer` reports about one constructor."""
    module = build_module(spec)
    params = list(module.parameters())
    facts = dict(module=str(spec), parameters=sum(p.numel() for p in params),
                 trainable_parameters=sum(p.numel() for p in params if p.requires_grad),
                 output_shape=None, unused_input_fraction=None,
                 weights=_elements(module, "weight"), biases=_elements(module, "bias"))
    if input_shape is not None:
        _check_shape(input_shape)
        facts["output_shape"] = output_shape(module, input_shape)
        facts["unused_input_fraction"] = unused_input_fraction(module, input_shape)
    return LayerFacts(**facts)


def _elements(module: Any, kind: str) -> int:
    """Elements of the parameters whose own name says `kind` (the last part of the dotted name)."""
    return sum(p.numel() for name, p in module.named_parameters() if kind in name.rsplit(".", 1)[-1])


def _check_shape(shape: tuple[int, ...]) -> None:
    if not shape or any(n <= 0 for n in shape):
        raise InputError("The input shape needs positive sizes, such as 1x3x200x200.")
    if math.prod(shape) > MAX_INPUT_ELEMENTS:
        raise InputError(f"The input shape has more than {MAX_INPUT_ELEMENTS:,} elements.")


def output_shape(module, input_shape: tuple[int, ...]) -> list[int]:
    """Shape of the output (the first element where a module returns a tuple), on meta."""
    out = _forward_meta(module, input_shape)
    while isinstance(out, (tuple, list)):
        out = out[0]
    return list(out.shape)


def _forward_meta(module, input_shape: tuple[int, ...]):
    import torch
    dtype = torch.long if type(module).__name__ == "Embedding" else torch.float32
    try:
        with torch.no_grad():
            return module(torch.empty(input_shape, device="meta", dtype=dtype))
    except Exception as exc:  # torch reports shape mismatches with several exception types
        text = first_sentence(exc)
        shape = "x".join(map(str, input_shape))
        raise InputError(f"The module does not accept an input of shape {shape}: {text}.") from None


def windows(module) -> list[Window] | None:
    """Per spatial axis, the windows of a convolution or pooling layer; None for others."""
    match = WINDOWED.fullmatch(type(module).__name__)
    if match is None:
        return None
    return axis_windows(int(match.group(2)), module.kernel_size, module.stride or module.kernel_size,
                        getattr(module, "dilation", 1), getattr(module, "padding", 0),
                        getattr(module, "padding_mode", "zeros"), bool(getattr(module, "ceil_mode", False)))


def axis_windows(dims: int, kernel, stride, dilation, padding, mode: str, ceil: bool) -> list[Window]:
    """One Window per spatial axis from a layer's arguments (ints or per-axis tuples, padding as torch takes it)."""
    kernel, stride, dilation = (_per_axis(v, dims) for v in (kernel, stride, dilation))
    if padding == "valid":
        padding = 0
    if padding == "same":
        total = [d * (k - 1) for d, k in zip(dilation, kernel)]
        left, right = [t // 2 for t in total], [t - t // 2 for t in total]
    else:
        left = right = _per_axis(padding, dims)
    return [Window(k, s, p, q, d, ceil, mode) for k, s, p, q, d in zip(kernel, stride, left, right, dilation)]


def _per_axis(value, dims: int) -> list[int]:
    return list(value) if isinstance(value, (tuple, list)) else [value] * dims


def sequence(module) -> list:
    """The layers in order, nested Sequentials flattened."""
    if type(module).__name__ != "Sequential":
        return [module]
    return [layer for child in module for layer in sequence(child)]


def unused_input_fraction(module, input_shape: tuple[int, ...]) -> float:
    """Share of input elements that no output element depends on.

    Exact for stacks of convolution, pooling and elementwise layers; every other layer
    (linear, recurrent, flatten, ...) is taken to read all of its input.
    """
    shapes = layer_shapes(module, input_shape)[:-1]   # each layer's input
    used: dict[int, np.ndarray] = {}     # axis counted from the end -> used indices
    for layer, shape in reversed(list(zip(sequence(module), shapes))):
        wins = windows(layer)
        if wins is not None:
            used = _used_before(wins, shape, used)
        elif not ELEMENTWISE.fullmatch(type(layer).__name__):
            used = {}
    share = math.prod(float(v.mean()) for v in used.values()) if used else 1.0
    return 1.0 - share


def _used_before(wins: list[Window], shape: tuple[int, ...], used_after: dict[int, np.ndarray]):
    import numpy as np

    used = {}
    for axis, window in zip(range(-len(wins), 0), wins):
        n = shape[axis]
        after = used_after.get(axis)
        if after is None:
            after = np.ones(window.output_length(n), dtype=bool)
        used[axis] = window.used_inputs(n, after)
    return used


def layer_shapes(module, input_shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The input shape of every layer of a Sequential (or of the single module), then the output's."""
    shapes = [tuple(input_shape)]
    for layer in sequence(module):
        shapes.append(tuple(output_shape(layer, shapes[-1])))
    return shapes



def receptive_field(module) -> int:
    """Input extent along one axis that one output element of a windowed stack sees."""
    size, jump = 1, 1
    for layer in sequence(module):
        wins = windows(layer)
        if wins is None:
            if ELEMENTWISE.fullmatch(type(layer).__name__):
                continue
            raise InputError(f"The receptive field is defined here for convolution and pooling stacks, "
                             f"not for nn.{type(layer).__name__}.")
        w = wins[0]
        size += (w.kernel - 1) * w.dilation * jump
        jump *= w.stride
    return size
