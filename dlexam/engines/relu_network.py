"""ReLU networks of two inputs and one output: read from JSON, a dict or torch, and run.

`Network` holds affine layers with ReLU between them (weights[k] is out x in); every way in
(`as_network`, `read_network`, `network_from_dict`, `network_from_torch`) checks the shapes and
says what is wrong in one sentence. `pwl_network` finds the network's linear regions.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from dlexam.engines.bounded import check_json_depth
from dlexam.errors import InputError

MAX_FILE = 64 << 20      # characters of a network file
MAX_LAYERS = 64
MAX_WEIGHTS = 1_000_000


@dataclass
class Network:
    """Affine layers with ReLU between them: weights[k] is out x in, biases[k] has out entries."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]

    @property
    def widths(self) -> list[int]:
        return [w.shape[0] for w in self.weights[:-1]]

    def forward(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Outputs (N,) and activation patterns (N, hidden neurons) at points (N, 2)."""
        h = np.asarray(points, dtype=np.float64)
        bits = []
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            z = h @ w.T + b
            bits.append(z > 0)
            h = np.maximum(z, 0.0)
        out = h @ self.weights[-1].T + self.biases[-1]
        pattern = np.concatenate(bits, axis=1) if bits else np.zeros((len(h), 0), dtype=bool)
        return out[:, 0], pattern


def as_network(source: Any) -> Network:
    """A Network from a Network, a {"weights", "biases"} dict, or a torch nn.Sequential."""
    if isinstance(source, Network):
        return source
    if isinstance(source, dict):
        return network_from_dict(source)
    if type(source).__module__.startswith("torch"):
        return network_from_torch(source)
    raise InputError("A network must be a {\"weights\": ..., \"biases\": ...} object or an nn.Sequential.")


def read_network(path: str) -> Network:
    """Read a network from a JSON file; every failure is one InputError sentence."""
    if os.path.exists(path) and not os.path.isfile(path):   # a FIFO or /dev/zero need not end
        raise InputError(f"The network file {path!r} is not a regular file.")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_FILE + 1)
    except OSError as exc:
        raise InputError(f"Cannot read the network file {path!r}: {exc.strerror or exc}.") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"The network file {path!r} is not valid JSON: {exc}.") from None
    if len(text) > MAX_FILE:
        raise InputError(f"The network file {path!r} is larger than {MAX_FILE >> 20} MB.")
    check_json_depth(text, f"The network file {path!r}")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"The network file {path!r} is not valid JSON: {exc}.") from None
    return network_from_dict(data)


def network_from_dict(data: Any) -> Network:
    if not isinstance(data, dict) or "weights" not in data or "biases" not in data:
        raise InputError('The network must be a JSON object {"weights": [W1, ...], "biases": [b1, ...]}.')
    ws, bs = data["weights"], data["biases"]
    if not isinstance(ws, list) or not isinstance(bs, list) or not ws or len(ws) != len(bs):
        raise InputError("The network needs as many bias vectors as weight matrices, at least one.")
    weights, biases = [], []
    for k, (w, b) in enumerate(zip(ws, bs), start=1):
        try:
            w = np.array(w, dtype=np.float64)
            b = np.array(b, dtype=np.float64)
        except (ValueError, TypeError):
            raise InputError(f"Layer {k} of the network holds something that is not a number.") from None
        if w.ndim != 2 or b.ndim != 1 or w.shape[0] != b.shape[0] or w.shape[0] == 0:
            raise InputError(f"Layer {k} needs W as a list of rows (out x in) and b with one entry per row.")
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise InputError(f"Layer {k} of the network holds a number that is not finite.")
        weights.append(w)
        biases.append(b)
    return _checked(weights, biases)


def network_from_torch(module: Any) -> Network:
    """An nn.Sequential of Linear and ReLU layers: Linear (ReLU Linear)*, optionally ReLU at the end."""
    import torch.nn as nn  # lazily: torch is heavy
    layers = list(module) if isinstance(module, nn.Sequential) else [module]
    weights, biases, expect_linear = [], [], True
    for layer in layers:
        if isinstance(layer, nn.Linear) and expect_linear:
            weights.append(layer.weight.detach().double().cpu().numpy())
            bias = layer.bias
            biases.append(np.zeros(layer.out_features) if bias is None else bias.detach().double().cpu().numpy())
            expect_linear = False
        elif isinstance(layer, nn.ReLU) and not expect_linear:
            expect_linear = True
        else:
            raise InputError(f"Only Linear and ReLU layers taking turns are supported, not {layer}.")
    if not weights:
        raise InputError("The module holds no Linear layer.")
    if expect_linear:  # ends with ReLU: relu(output) is the output of one more identity layer
        weights.append(np.eye(weights[-1].shape[0]))
        biases.append(np.zeros(weights[-1].shape[0]))
    return _checked(weights, biases)


def _checked(weights: list[np.ndarray], biases: list[np.ndarray]) -> Network:
    if len(weights) > MAX_LAYERS or sum(w.size for w in weights) > MAX_WEIGHTS:
        raise InputError(f"The network has more than {MAX_LAYERS} layers or {MAX_WEIGHTS:,} weights.")
    if weights[0].shape[1] != 2:
        raise InputError(f"The first layer must take 2 inputs, not {weights[0].shape[1]}.")
    if weights[-1].shape[0] != 1:
        raise InputError(f"The last layer must have 1 output, not {weights[-1].shape[0]}.")
    for k in range(1, len(weights)):
        if weights[k].shape[1] != weights[k - 1].shape[0]:
            raise InputError(f"Layer {k + 1} takes {weights[k].shape[1]} inputs but layer {k} "
                             f"gives {weights[k - 1].shape[0]}.")
    return Network(weights, biases)


def network_program(net: Network) -> str:
    """The network as a program text with exact decimals (for the exact engine; small nets only)."""
    names = ["x1", "x2"]
    lines = []
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        last = k == len(net.weights) - 1
        new = []
        for i in range(w.shape[0]):
            terms = " + ".join(f"({Fraction(float(c))})*{v}" for c, v in zip(w[i], names))
            expr = f"{terms} + ({Fraction(float(b[i]))})"
            name = "y" if last else f"h{k + 1}_{i + 1}"
            lines.append(f"{name} = {expr}" if last else f"{name} = relu({expr})")
            new.append(name)
        names = new
    return "\n".join(lines)
