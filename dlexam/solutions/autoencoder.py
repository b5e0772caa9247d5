"""Exam task 5(b): an autoencoder that colours greyscale images, then fills a zeroed square.

    .venv/bin/python -m dlexam.solutions.autoencoder [--out autoencoder.png] [--n 500]

trains on ~500 crops of the bundled photos (whole photos held out for testing), saves a
picture grey / coloured / truth and masked / filled / truth, and prints the limitations.

What lives here:
- `grey`, `mask_square`: the task's inputs, as the exam defines them (grey = mean over RGB);
- `reference_source(...)`: the answer as a student writes it (the exam's skeleton filled in);
- `grader_layers`, `grader_model`: the small model the grader hands to submissions. The
  sandbox can only build an `nn.Sequential` of whitelisted layers, so its skip connection is
  folded into the convolutions: the first 3 channels of every layer start as an identity
  path (inputs are >= 0, so ReLU keeps them), i.e. out = input + f(input) at the start, and
  the untrained model is exactly the trivial baseline (grey copy / zero fill);
- `SkipAutoencoder`: a proper encoder-decoder with a skip connection, for the demo.
"""

from __future__ import annotations

import textwrap

import torch
from torch import nn

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


def grey(X: torch.Tensor) -> torch.Tensor:
    """N×3×S×S -> N×1×S×S: the exam's greyscale, the mean over the RGB channels."""
    return X.mean(dim=1, keepdim=True)


def square_start(size: int, mask: int, offset: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """Top-left corner (row, column) of the mask: centred, then shifted by `offset`."""
    return size // 2 - mask // 2 + offset[0], size // 2 - mask // 2 + offset[1]


def mask_square(X: torch.Tensor, mask: int = 16, offset: tuple[int, int] = (0, 0)) -> torch.Tensor:
    """A copy of X with a mask×mask square set to zero (centred, shifted by `offset`)."""
    out = X.clone()
    row, col = square_start(X.shape[-1], mask, offset)
    out[:, :, row:row + mask, col:col + mask] = 0
    return out


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


# ---------------------------------------------------------------- the grader's model
def grader_layers(task: str, hidden: int = 4, kernel: int = 3) -> list:
    """Three convolutions with ReLUs; 3 identity channels + `hidden` learned features."""
    c_in = 1 if task == "colorize" else 3
    width, pad = 3 + hidden, kernel // 2
    return [["Conv2d", [c_in, width, kernel], {"padding": pad}], ["ReLU", [], {}],
            ["Conv2d", [width, width, kernel], {"padding": pad}], ["ReLU", [], {}],
            ["Conv2d", [width, 3, kernel], {"padding": pad}]]


def identity_init(model: nn.Sequential, task: str, seed: int = 0) -> nn.Sequential:
    """Random features, plus an identity path through the first 3 channels of every layer.

    At the start the model returns its input (colorize: the grey value in all 3 channels),
    i.e. the trivial baseline, and training learns the correction f in out = x + f(x).
    For inpaint the first layer's features start as "darkness detectors" (negative
    weights, positive bias): they fire inside the zeroed square, where filling is learned.
    """
    generator = torch.Generator().manual_seed(seed)
    convs = [m for m in model if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        for index, conv in enumerate(convs):
            fan_in = conv.weight[0].numel()
            conv.weight.copy_(torch.randn(conv.weight.shape, generator=generator) / fan_in ** 0.5)
            conv.bias.copy_(torch.randn(conv.bias.shape, generator=generator) * 0.1)
            centre = conv.kernel_size[0] // 2
            for ch in range(3):
                conv.weight[ch] = 0
                conv.bias[ch] = 0
                source = 0 if conv.in_channels == 1 else ch
                conv.weight[ch, source, centre, centre] = 1.0
            if index == 0 and task == "inpaint":
                conv.weight[3:] = -conv.weight[3:].abs()
                conv.bias[3:] = conv.bias[3:].abs()
    return model


def grader_model(task: str, hidden: int = 4, seed: int = 0) -> tuple[list, dict[str, torch.Tensor]]:
    """(layers, state_dict) of the grader's model, as a sandbox ModelSpec wants them."""
    from dlexam.engines.sandbox import build_model

    layers = grader_layers(task, hidden)
    model = identity_init(build_model(layers), task, seed)
    return layers, {k: v.detach().clone() for k, v in model.state_dict().items()}


def train_reference(task: str, X: torch.Tensor, model: nn.Module, iterations: int = 1000,
                    lr: float = 0.004, mask: int = 16, offset: tuple[int, int] = (0, 0),
                    batch: int | None = None, seed: int = 0) -> list[float]:
    """The reference training in-process (trusted code only); returns the loss per step.

    `batch=None` is the exam's full-batch training; the demo passes a mini-batch size, since
    1000 full-batch steps on 500 crops take tens of minutes on a CPU.
    """
    inputs = grey(X) if task == "colorize" else mask_square(X, mask, offset)
    optim = torch.optim.SGD(model.parameters(), lr=lr)
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    losses = []
    for step in range(iterations):
        if batch is None:
            x, target = inputs, X
        else:
            start = (step * batch) % len(X)
            pick = order[start:start + batch]
            x, target = inputs[pick], X[pick]
        optim.zero_grad()
        loss = nn.functional.mse_loss(model(x), target)
        loss.backward()
        optim.step()
        losses.append(loss.item())
    return losses


# ---------------------------------------------------------------- the demo's autoencoder
class SkipAutoencoder(nn.Module):
    """A small convolutional encoder-decoder with a skip connection (a two-level U-Net).

    encoder: conv -> (skip) -> strided conv (half resolution); decoder: transposed conv back
    to full resolution, concatenated with the skip, conv to 3 channels. The output is a
    residual on the input: out = base(x) + f(x), base = the grey value in all 3 channels
    (colorize) or the damaged image (inpaint), so training starts at the trivial baseline.
    """

    def __init__(self, in_channels: int, width: int = 8):
        super().__init__()
        self.encode = nn.Sequential(nn.Conv2d(in_channels, width, 3, padding=1), nn.ReLU())
        self.down = nn.Sequential(nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.ReLU(),
                                  nn.Conv2d(2 * width, 2 * width, 3, padding=1), nn.ReLU())
        self.up = nn.Sequential(nn.ConvTranspose2d(2 * width, width, 2, stride=2), nn.ReLU())
        self.out = nn.Conv2d(2 * width, 3, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skip = self.encode(x)
        features = self.up(self.down(skip))
        base = x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x
        return base + self.out(torch.cat([features, skip], dim=1))


def demo(n: int = 500, size: int = 24, iterations: int = 1000, lr: float = 0.004,
         out: str = "autoencoder.png", seed: int = 0, batch: int | None = 16) -> dict:
    """Train both tasks as the exam poses them, save the picture, return held-out numbers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dlexam.solutions.data import image_crops

    torch.manual_seed(seed)
    X = torch.from_numpy(image_crops(n, size, "train", seed=seed))
    X_test = torch.from_numpy(image_crops(6, size, "test", seed=seed + 1))
    rows, numbers = [], {}
    for task in ("colorize", "inpaint"):
        model = SkipAutoencoder(1 if task == "colorize" else 3)
        losses = train_reference(task, X, model, iterations, lr, batch=batch, seed=seed)
        inputs = grey(X_test) if task == "colorize" else mask_square(X_test)
        with torch.no_grad():
            filled = model(inputs).clamp(0, 1)
        baseline = inputs.expand(-1, 3, -1, -1)
        numbers[task] = {"train_loss_first": losses[0], "train_loss_last": losses[-1],
                         "held_out_mse": float(nn.functional.mse_loss(filled, X_test)),
                         "baseline_mse": float(nn.functional.mse_loss(baseline, X_test))}
        rows.append((task, baseline, filled))
    titles = {"colorize": ("grey", "coloured"), "inpaint": ("masked", "filled")}
    figure, axes = plt.subplots(6, 6, figsize=(6.4, 7.6))
    for r, (task, shown, filled) in enumerate(rows):
        for k, (images, label) in enumerate(((shown, titles[task][0]), (filled, titles[task][1]),
                                            (X_test, "truth"))):
            for i in range(6):
                axis = axes[3 * r + k, i]
                axis.imshow(images[i].permute(1, 2, 0).numpy(), interpolation="nearest")
                axis.set_xticks([])
                axis.set_yticks([])
                if i == 0:
                    axis.set_ylabel(label)
        m = numbers[task]
        axes[3 * r, 0].set_title(f"{task}: held-out MSE {m['held_out_mse']:.4f} (baseline {m['baseline_mse']:.4f})",
                                 loc="left", fontsize=10)
    steps = "full-batch" if batch is None else f"mini-batch ({batch})"
    figure.suptitle(f"{n} crops of {size}px, SGD lr {lr:g}, {iterations} {steps} steps;\n"
                    f"test photos never trained on", fontsize=10)
    figure.subplots_adjust(left=0.09, right=0.99, top=0.9, bottom=0.035, wspace=0.06, hspace=0.12)
    for r in (0, 3):  # room for each task's title
        for axis in axes[r]:
            box = axis.get_position()
            axis.set_position([box.x0, box.y0 - (0.025 if r == 3 else 0), box.width, box.height])
    for r in (4, 5):
        for axis in axes[r]:
            box = axis.get_position()
            axis.set_position([box.x0, box.y0 - 0.025, box.width, box.height])
    figure.savefig(out, dpi=110)
    plt.close(figure)
    return numbers


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Exam task 5(b): colour grey images, fill a zeroed square.")
    parser.add_argument("--n", type=int, default=500, help="training crops (default 500, as in the exam)")
    parser.add_argument("--size", type=int, default=24, help="crop size S (default 24)")
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=0.004)
    parser.add_argument("--batch", type=int, default=16,
                        help="mini-batch size (default 16; 0 = the exam's full batch, slow on a CPU)")
    parser.add_argument("--out", default="autoencoder.png")
    args = parser.parse_args(argv)
    numbers = demo(args.n, args.size, args.iterations, args.lr, args.out, batch=args.batch or None)
    for task, m in numbers.items():
        print(f"{task}: training loss {m['train_loss_first']:.4f} -> {m['train_loss_last']:.4f}; held-out MSE "
              f"{m['held_out_mse']:.4f} vs. baseline {m['baseline_mse']:.4f}")
    print(f"picture: {args.out}\n\nLimitations and fixes:")
    for name, text in LIMITATIONS.items():
        print(f"- {name}: {text}")


if __name__ == "__main__":
    main()
