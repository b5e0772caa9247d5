"""Second opinions on the facts in `engines.layers`, found by running torch.

Which inputs an output depends on cannot be read off a max-pooling layer's gradient
(it flows to one element per window, yet the window's maximum depends on all of it).
So each windowed layer is replaced by a surrogate with the same geometry and a
gradient everywhere it reads: padding with the layer's own padding mode, then a
depthwise convolution with a kernel of ones; the surrogate's output is cropped to the
real layer's output length, which covers pooling's ceil mode. Elementwise layers pass
the dependence through; any other layer reads its whole input.
"""

from __future__ import annotations

import numpy as np

from dlexam.engines.layers import (
    ELEMENTWISE,
    layer_shapes,
    sequence,
    windows,
)
from dlexam.errors import InputError


def used_input_mask(module, input_shape: tuple[int, ...], output_index: tuple[int, ...] | None = None,
                    shapes: list[tuple[int, ...]] | None = None):
    """Boolean array over the input: True where the output (or one element of it) depends.

    `shapes` are the layers' shapes from `layer_shapes`, when the caller has them already."""
    import torch

    x = torch.ones(input_shape, dtype=torch.float64, requires_grad=True)  # faster than float32 here
    y = x
    shapes = shapes or layer_shapes(module, input_shape)
    for layer, out_shape in zip(sequence(module), shapes[1:]):
        y = _surrogate(layer, y, out_shape)
    target = y if output_index is None else y[output_index]
    target.sum().backward()
    return (x.grad != 0).numpy()


def unused_input_fraction_by_autograd(module, input_shape: tuple[int, ...]) -> float:
    return 1.0 - float(np.mean(used_input_mask(module, input_shape)))


def receptive_field_by_autograd(module, length: int = 32) -> int:
    """Extent along the last axis of the inputs that the middle output element reads.

    The input grows until that extent no longer touches the border, so it is the
    whole field and not a window cut short by the edge."""
    wins = next(w for w in (windows(layer) for layer in sequence(module)) if w is not None)
    while True:
        shape = (1, _in_channels(module)) + (length,) * len(wins)
        try:
            shapes = layer_shapes(module, shape)
        except InputError:   # too small for the stack's kernels
            length *= 2
            continue
        mask = used_input_mask(module, shape, tuple(n // 2 for n in shapes[-1]), shapes)
        hits = np.flatnonzero(mask.any(axis=tuple(range(mask.ndim - 1))))
        if hits[0] > 0 and hits[-1] < length - 1:
            return int(hits[-1] - hits[0] + 1)
        length *= 2


def _in_channels(module) -> int:
    for layer in sequence(module):
        if hasattr(layer, "in_channels"):
            return layer.in_channels
    return 1


def _surrogate(layer, y, real: tuple[int, ...]):
    """The layer's dependence structure on y; `real` is the real layer's output shape."""
    import torch
    import torch.nn.functional as F

    wins = windows(layer)
    name = type(layer).__name__
    if wins is None:
        if ELEMENTWISE.fullmatch(name):
            return y
        return y.sum() * torch.ones(real, dtype=y.dtype)
    k = len(wins)
    lead, spatial = y.shape[:-k], y.shape[-k:]
    flat = y.reshape(-1, 1, *spatial)
    pads = [p for w in reversed(wins) for p in (w.padding, w.padding_right + _ceil_extra(w))]
    mode = "constant" if wins[0].mode == "zeros" else wins[0].mode
    flat = F.pad(flat, pads, mode=mode) if any(pads) else flat
    conv = (F.conv1d, F.conv2d, F.conv3d)[k - 1]
    weight = torch.ones((1, 1, *[w.kernel for w in wins]), dtype=y.dtype)
    out = conv(flat, weight, stride=[w.stride for w in wins], dilation=[w.dilation for w in wins])
    out = out[(..., *[slice(0, n) for n in real[-k:]])]
    out = out.reshape(*lead, *out.shape[-k:])
    if name.startswith("Conv"):  # every output channel reads every input channel
        out = out.sum(dim=-k - 1, keepdim=True).expand(real)
    return out


def _ceil_extra(w) -> int:
    """Extra right padding so ceil-mode windows that run past the input still exist."""
    return w.stride if w.ceil_mode else 0
