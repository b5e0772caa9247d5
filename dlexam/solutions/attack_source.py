"""The posed attack as text: the answer a student writes (`posed_source`), its learning rates and
the limitations of the approach. No torch here: posing the task and printing its key need none
(`attack` runs it)."""

from __future__ import annotations

LIMITATIONS = (
    ("The hinge max(0, t·f(z)) has its kink at the decision boundary: steps zigzag across it and "
     "the last iterate is flipped only part of the time (use a margin κ > 0 or keep the best "
     "flipped iterate)."),
    ("The weight of the hinge term is fixed: where ‖∇f‖ is small compared with t·f(x) the optimum "
     "lies before the boundary and nothing flips (search the weight c per input)."),
    "Nothing keeps z a valid image in [0, 1] (clamp after each step or reparametrise).",
    ("Plain SGD's step size must suit the slope of f (too large oscillates, too small never "
     "arrives within the iterations); Adam is much less sensitive."),
)

POSED_LR = {"SGD": 0.01, "Adam": 0.01}


def posed_source(steps: int = 1000, optimizer: str = "SGD", kappa: float = 0.0, lr: float | None = None) -> str:
    """The posed attack as a student writes it on the sheet (the family's reference answer)."""
    lr = POSED_LR[optimizer] if lr is None else lr
    margin = f" + {kappa:g}" if kappa else ""
    return (
        "import torch\n"
        "\n"
        "\n"
        "def adversarial(x, t, model):\n"
        "    z = x.clone().detach().requires_grad_(True)\n"
        f"    optim = torch.optim.{optimizer}([z], lr={lr:g})\n"
        f"    for i in range({steps}):\n"
        "        optim.zero_grad()\n"
        f"        loss = torch.sum((x - z) ** 2) + torch.clamp(t * model(z){margin}, min=0).sum()\n"
        "        loss.backward()\n"
        "        optim.step()\n"
        "    return z.detach()\n"
    )
