"""The windows of a convolution or pooling layer read from its constructor as written, without torch.

`nn.AvgPool2d(2, stride=4)` is read as torch reads its arguments (positional ones by torch's
parameter order, pooling's stride defaulting to its kernel), so posing a layer question needs no
torch; `engines.layers.windows` reads the same from a built module, and the tests hold the two to
each other. The layer questions' second method (autograd through the built module) stays torch's.
"""

from __future__ import annotations

from dlexam.engines.layers import WINDOWED, Window, axis_windows
from dlexam.engines.modules import ModuleSpec

# torch's parameter order, for arguments given by position
_PARAMETERS = {
    "Conv": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias",
             "padding_mode"),
    "MaxPool": ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
    "AvgPool": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
}


def spec_windows(spec: ModuleSpec) -> list[Window] | None:
    """Per spatial axis, the layer's windows; None for a layer that is not a convolution or pooling."""
    match = WINDOWED.fullmatch(spec.name)
    if match is None or match.group(1) not in _PARAMETERS:
        return None
    kind, dims = match.group(1), int(match.group(2))
    given = {**dict(zip(_PARAMETERS[kind], spec.args)), **spec.kwargs}
    kernel = given["kernel_size"]
    stride = given.get("stride") or (1 if kind == "Conv" else kernel)
    return axis_windows(dims, kernel, stride, given.get("dilation", 1), given.get("padding", 0),
                        given.get("padding_mode", "zeros"), bool(given.get("ceil_mode", False)))


def spec_sequence(spec: ModuleSpec) -> list[ModuleSpec]:
    """The layers in order, nested Sequentials flattened."""
    if spec.name != "Sequential":
        return [spec]
    return [layer for child in spec.args for layer in spec_sequence(child)]


def spec_receptive_field(spec: ModuleSpec) -> int:
    """Input extent along one axis that one output element of a stack of windowed layers sees:
    r = 1 + Σ (k − 1)·d·(product of the earlier strides)."""
    size, jump = 1, 1
    for layer in spec_sequence(spec):
        wins = spec_windows(layer)
        if wins is None:
            raise ValueError(f"nn.{layer.name} has no windows")
        size += (wins[0].kernel - 1) * wins[0].dilation * jump
        jump *= wins[0].stride
    return size
