"""The words of task 5(b): the statement, the exam's skeleton, the step that explains the input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def statement(d: Mapping[str, Any]) -> str:
    if d["task"] == "colorize":
        return (f"Given a dataset of {d['images']} RGB images, train a neural network that colours greyscale "
                f"images. The dataset X is Nx3xSxS (here S = {d['size']}), N the number of images. Turn the "
                f"RGB images into greyscale images by taking the average of the RGB values. The model maps "
                f"Nx1xSxS to Nx3xSxS. Use the MSE loss and SGD with learning rate {d['lr']:g} for "
                f"{d['iterations']} iterations. Write the training loop in the skeleton below.")
    return (f"Given a dataset of {d['images']} RGB images X (Nx3xSxS, here S = {d['size']}), train a network "
            f"that fills images where data is missing. Instead of turning the images grey, zero out a "
            f"{d['mask']}x{d['mask']} square {where(d)}; the model maps the damaged Nx3xSxS images to "
            f"the complete ones. Use the MSE loss and SGD with learning rate {d['lr']:g} for "
            f"{d['iterations']} iterations. Write the training loop in the skeleton below.")


def where(d: Mapping[str, Any]) -> str:
    """Where the inpainting square lies, in the task's words."""
    dy, dx = d["offset"]
    if (dy, dx) == (0, 0):
        return "in the middle of the image"
    return (f"whose top-left corner is at row S//2 - {d['mask'] // 2} + ({dy}), "
            f"column S//2 - {d['mask'] // 2} + ({dx})")


def input_step(d: Mapping[str, Any]) -> str:
    """The solution's first step: what the model is trained from."""
    if d["task"] == "colorize":
        return ("The input is the grey image, the mean over the colour channel: X_grey = X.mean(dim=1, "
                "keepdim=True) has shape Nx1xSxS; the target is X itself.")
    return (f"The input is a copy of X with the {d['mask']}x{d['mask']} square set to 0 ({where(d)}): "
            f"clone X first, so that the target keeps the true pixels.")


def skeleton(d: Mapping[str, Any]) -> str:
    return (f"def train(X, model):\n"
            f"    optim = torch.optim.SGD(model.parameters(), lr={d['lr']:g})\n"
            f"    # Space for code\n"
            f"    loss_fn = torch.nn.MSELoss()\n\n"
            f"    for i in range({d['iterations']}):\n"
            f"        optim.zero_grad()\n"
            f"        # Space for code\n\n"
            f"        loss.backward()\n"
            f"        optim.step()\n")
