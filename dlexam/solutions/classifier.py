"""The digit classifiers the adversarial attack (exam task 5a) is run against.

- `binary_classifier(positive, negative)`: f maps B×64 digits in [0, 1] to B×1 scores,
  trained with the logistic loss log(1 + exp(-t·f(x))) on targets t = ±1, so the decision
  is sign(f(x)) and an attack has flipped it where t·f(z) < 0.
- `correctly_classified(classifier, count)`: test digits the binary model gets right, the two
  classes alternating (what an attack starts from).
- `digit_classifier()`: ten classes, B×64 → B×10 logits (cross-entropy), for the benchmark.

Both are small MLPs trained full-batch with a fixed seed, so the same call gives the same
weights; they are cached in memory (training takes a fraction of a second). The layer list
is the one `engines.sandbox.build_model` understands, so the grader can hand the very same
model to a student's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import torch

from dlexam.engines.sandbox import ModelSpec, build_model
from dlexam.engines.threads import torch_threads
from dlexam.solutions.data import binary_digits, digits

HIDDEN = 32


@dataclass(frozen=True)
class Classifier:
    spec: ModelSpec            # layers + trained state_dict
    test_accuracy: float
    x_test: np.ndarray         # N×64 float32 in [0, 1]
    t_test: np.ndarray         # N targets: ±1 (binary) or class labels (ten classes)

    def build(self) -> torch.nn.Module:
        """A fresh copy in eval mode with gradients off for the weights (the attack's f)."""
        model = self.spec.build().eval()
        model.requires_grad_(False)
        return model


def _train(layers: list, x: np.ndarray, y: np.ndarray, loss_fn, steps: int, seed: int) -> dict:
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = build_model(layers)
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
    with torch_threads(1):  # tiny matrices: threads only add overhead (and the result stays the same)
        for _ in range(steps):
            optimizer.zero_grad()
            loss_fn(model(inputs), targets).backward()
            optimizer.step()
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _logistic(scores: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.softplus(-t * scores.squeeze(1)).mean()


@cache
def binary_classifier(positive: int, negative: int) -> Classifier:
    """f: 64 → 32 (ReLU) → 1, t = +1 for `positive`, -1 for `negative`."""
    if positive == negative or not {positive, negative} <= set(range(10)):
        raise ValueError(f"two different digits 0..9 are needed, not {positive} and {negative}")
    split = binary_digits(positive, negative)
    layers = [["Linear", [64, HIDDEN]], ["ReLU"], ["Linear", [HIDDEN, 1]]]
    state = _train(layers, split.x_train, split.y_train, _logistic, steps=300, seed=positive * 10 + negative)
    spec = ModelSpec(layers, state)
    with torch.no_grad():
        scores = spec.build()(torch.from_numpy(split.x_test)).squeeze(1).numpy()
    accuracy = float(np.mean(np.sign(scores) == split.y_test))
    return Classifier(spec, accuracy, split.x_test, split.y_test)


@cache
def digit_classifier() -> Classifier:
    """Ten classes: 64 → 64 (ReLU) → 10 logits, trained with cross-entropy."""
    split = digits()
    layers = [["Linear", [64, 64]], ["ReLU"], ["Linear", [64, 10]]]
    state = _train(layers, split.x_train, split.y_train, torch.nn.functional.cross_entropy, steps=400, seed=10)
    spec = ModelSpec(layers, state)
    with torch.no_grad():
        predicted = spec.build()(torch.from_numpy(split.x_test)).argmax(1).numpy()
    accuracy = float(np.mean(predicted == split.y_test))
    return Classifier(spec, accuracy, split.x_test, split.y_test)


def correctly_classified(classifier: Classifier, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """`count` test digits the binary classifier gets right, the two classes alternating; t as B×1."""
    model = classifier.build()
    x, t = torch.from_numpy(classifier.x_test), torch.from_numpy(classifier.t_test)
    with torch.no_grad():
        right = (t * model(x).squeeze(1)) > 0
    positive = torch.nonzero(right & (t > 0)).squeeze(1).tolist()
    negative = torch.nonzero(right & (t < 0)).squeeze(1).tolist()
    order = [i for pair in zip(positive, negative) for i in pair][:count]
    return x[order].clone(), t[order, None].clone()
