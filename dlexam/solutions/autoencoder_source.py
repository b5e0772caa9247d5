"""Task 5(b) as text: the answer a student writes (`reference_source`), where the square lies
(`square_start`) and the limitations of the approach. No torch here: posing the task and printing
its key need none (`autoencoder` trains)."""

from __future__ import annotations

import textwrap

LIMITATIONS = {
    "blurry": "MSE rewards the average of all plausible answers, so colours and fills come out "
              "blurry and washed out; fix: a perceptual or adversarial (GAN) loss, or predict a "
              "distribution over colours (classification over colour bins).",
    "ambiguous": "Colour is ambiguous from grey alone (a grey car may be red or blue); fix: "
                 "predict several answers or a distribution, or let the user give colour hints.",
    "fixed mask": "The model only learns to fill a 16x16 hole in the centre; a hole elsewhere or of "
                  "another size is not filled; fix: random mask positions and sizes in training, "
                  "and give the mask as an extra input channel.",
    "tiny data": "500 images are far too few for a network to learn what objects look like: it "
                 "overfits; fix: much more data, data augmentation (flips, crops), or pretraining.",
    "no validation": "There is no validation split, so overfitting goes unnoticed and lr/iterations "
                     "are not tuned; fix: hold out images and watch the validation loss (early stopping).",
    "training": "Full-batch plain SGD with a small lr for 1000 steps learns slowly; fix: mini-batches, "
                "Adam, more epochs.",
}


def square_start(size: int, mask: int, offset: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """Top-left corner (row, column) of the mask: centred, then shifted by `offset`."""
    return size // 2 - mask // 2 + offset[0], size // 2 - mask // 2 + offset[1]


def reference_source(task: str, iterations: int = 1000, lr: float = 0.004, mask: int = 16,
                     offset: tuple[int, int] = (0, 0)) -> str:
    """The answer as a student writes it: the exam's skeleton, filled in."""
    if task == "colorize":
        prepare = "X_grey = X.mean(dim=1, keepdim=True)  # grey = mean over RGB"
        model_input = "X_grey"
    elif task == "inpaint":
        half = mask // 2
        shift_r = f" + {offset[0]}" if offset[0] > 0 else (f" - {-offset[0]}" if offset[0] < 0 else "")
        shift_c = f" + {offset[1]}" if offset[1] > 0 else (f" - {-offset[1]}" if offset[1] < 0 else "")
        prepare = (f"X_missing = X.clone()\n"
                   f"S = X.shape[2]\n"
                   f"row = S // 2 - {half}{shift_r}\n"
                   f"col = S // 2 - {half}{shift_c}\n"
                   f"X_missing[:, :, row:row + {mask}, col:col + {mask}] = 0")
        model_input = "X_missing"
    else:
        raise ValueError(f"unknown task {task!r}")
    return textwrap.dedent("""\
        import torch


        def train(X, model):
            optim = torch.optim.SGD(model.parameters(), lr={lr})
            loss_fn = torch.nn.MSELoss()
        {prepare}
            for i in range({iterations}):
                optim.zero_grad()
                output = model({model_input})
                loss = loss_fn(output, X)
                loss.backward()
                optim.step()
        """).format(lr=lr, iterations=iterations, model_input=model_input,
                    prepare=textwrap.indent(prepare, "    "))
