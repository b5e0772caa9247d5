"""Exam task 5(b): an autoencoder that colours greyscale images, then fills a zeroed square.

    .venv/bin/python -m dlexam.solutions.autoencoder [--out autoencoder.png] [--n 500]

trains on ~500 crops of the bundled photos (whole photos held out for testing), saves a
picture grey / coloured / truth and masked / filled / truth, and prints the limitations.

What lives here:
- `grey`, `mask_square`: the task's inputs, as the exam defines them (grey = mean over RGB);
- `reference_source(...)`: the answer as a student writes it (the exam's skeleton filled in; with
  `LIMITATIONS` in `autoencoder_source`, torch-free, re-exported here);
- `grader_layers`, `grader_model`: the small model the grader hands to submissions. The
  sandbox can only build an `nn.Sequential` of whitelisted layers, so its skip connection is
  folded into the convolutions: the first 3 channels of every layer start as an identity
  path (inputs are >= 0, so ReLU keeps them), i.e. out = input + f(input) at the start, and
  the untrained model is exactly the trivial baseline (grey copy / zero fill);
- `UNet`: a proper encoder-decoder whose bottleneck sees the whole crop, the mask as an extra
  input channel for inpaint, for the demo (`demo`, `dlexam solution colorize|inpaint`).
"""

from __future__ import annotations

import torch
from torch import nn

from dlexam.solutions.autoencoder_source import (  # noqa: F401 - re-exported
    LIMITATIONS,
    reference_source,
    square_start,
)


def grey(X: torch.Tensor) -> torch.Tensor:
    """N×3×S×S -> N×1×S×S: the exam's greyscale, the mean over the RGB channels."""
    return X.mean(dim=1, keepdim=True)


def mask_square(X: torch.Tensor, mask: int = 16, offset: tuple[int, int] = (0, 0)) -> torch.Tensor:
    """A copy of X with a mask×mask square set to zero (centred, shifted by `offset`)."""
    out = X.clone()
    row, col = square_start(X.shape[-1], mask, offset)
    out[:, :, row:row + mask, col:col + mask] = 0
    return out


# ---------------------------------------------------------------- the grader's model
def grader_layers(task: str, hidden: int = 4, kernel: int = 3) -> list:
    """Three convolutions with ReLUs; 3 identity channels + `hidden` learned features.

    For inpaint the convolutions are dilated (1, 4, 8): the receptive field (27 pixels) spans the
    grader's crop, so context from all around reaches the middle of the hole.
    """
    c_in = 1 if task == "colorize" else 3
    width = 3 + hidden
    dilations = (1, 4, 8) if task == "inpaint" else (1, 1, 1)
    shapes = ((c_in, width), (width, width), (width, 3))
    layers: list = []
    for (a, b), d in zip(shapes, dilations):
        extra = {"dilation": d} if d > 1 else {}
        layers += [["Conv2d", [a, b, kernel], {"padding": d * (kernel // 2), **extra}], ["ReLU", [], {}]]
    return layers[:-1]


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
                    batch: int | None = None, seed: int = 0, optimizer: str = "SGD") -> list[float]:
    """The reference training in-process (trusted code only); returns the loss per step.

    `batch=None` and SGD are the exam's full-batch training; the demo passes a mini-batch size and
    Adam, since the exam's 1000 full-batch SGD steps leave a real network far from trained.
    """
    inputs = grey(X) if task == "colorize" else mask_square(X, mask, offset)
    optim = (torch.optim.Adam if optimizer == "Adam" else torch.optim.SGD)(model.parameters(), lr=lr)
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
def _block(a: int, b: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(a, b, 3, padding=1), nn.ReLU(), nn.Conv2d(b, b, 3, padding=1), nn.ReLU())


def hole_of(x: torch.Tensor) -> torch.Tensor:
    """N×1×S×S: 1 where all channels are exactly 0 (the zeroed square), else 0."""
    return (x.abs().sum(dim=1, keepdim=True) == 0).to(x.dtype)


def mean_colour_fill(x: torch.Tensor) -> torch.Tensor:
    """The damaged images with each hole filled by the mean colour of that image's visible pixels."""
    hole = hole_of(x)
    visible = x.sum(dim=(2, 3), keepdim=True) / (1 - hole).sum(dim=(2, 3), keepdim=True).clamp(min=1)
    return x + hole * visible


class UNet(nn.Module):
    """A three-level U-Net: the bottleneck (S/8) sees the whole crop, skips keep the detail.

    Inpaint: the mask is an extra input channel (read from the zeroed pixels, so the model keeps the
    exam's interface model(X_missing)), the visible pixels are passed through and only the hole is
    predicted, as a correction of the mean-colour fill (the output layer starts at 0). Colorize: the
    output is the grey value in all 3 channels plus a learned correction.
    """

    def __init__(self, in_channels: int, width: int = 8):
        super().__init__()
        w, self.inpaint = width, in_channels == 3
        self.encode = nn.ModuleList([_block(in_channels + self.inpaint, w), _block(w, 2 * w), _block(2 * w, 4 * w)])
        self.middle = _block(4 * w, 4 * w)
        self.up = nn.ModuleList([nn.ConvTranspose2d(c, c, 2, stride=2) for c in (4 * w, 2 * w, w)])
        self.decode = nn.ModuleList([_block(8 * w, 2 * w), _block(4 * w, w), _block(2 * w, w)])
        self.out = nn.Conv2d(w, 3, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.inpaint:
            hole = hole_of(x)
            base = mean_colour_fill(x)
            h = torch.cat([base, hole], dim=1)
        else:
            base, h = x.expand(-1, 3, -1, -1), x
        skips = []
        for block in self.encode:
            h = block(h)
            skips.append(h)
            h = nn.functional.max_pool2d(h, 2)
        h = self.middle(h)
        for up, block, skip in zip(self.up, self.decode, reversed(skips)):
            h = block(torch.cat([up(h), skip], dim=1))
        correction = self.out(h)
        return base + hole * correction if self.inpaint else base + correction


def held_out_numbers(task: str, model: nn.Module, X_test: torch.Tensor) -> tuple[dict, torch.Tensor, torch.Tensor]:
    """(numbers, input shown, output) on held-out crops: whole-image MSE and, for inpaint, the hole's."""
    inputs = grey(X_test) if task == "colorize" else mask_square(X_test)
    with torch.no_grad():
        out = model(inputs).clamp(0, 1)
    mse = lambda a, b: float(nn.functional.mse_loss(a, b))  # noqa: E731
    if task == "colorize":
        shown = inputs.expand(-1, 3, -1, -1)
        tinted = (shown + X_test.mean(dim=(2, 3), keepdim=True) - X_test.mean(dim=(1, 2, 3), keepdim=True)).clamp(0, 1)
        return {"held_out_mse": mse(out, X_test), "baseline_mse": mse(shown, X_test),
                "tinted_grey_mse": mse(tinted, X_test)}, shown, out
    row, col = square_start(X_test.shape[-1], 16)
    hole = (slice(None), slice(None), slice(row, row + 16), slice(col, col + 16))
    return {"held_out_mse": mse(out, X_test), "baseline_mse": mse(inputs, X_test),
            "hole_mse": mse(out[hole], X_test[hole]), "zero_fill_hole_mse": mse(inputs[hole], X_test[hole]),
            "mean_colour_hole_mse": mse(mean_colour_fill(inputs)[hole], X_test[hole])}, inputs, out


def demo(n: int = 500, size: int = 24, iterations: int = 1000, lr: float = 0.002,
         out: str = "autoencoder.png", seed: int = 0, batch: int | None = 16, shown: int = 6) -> dict:
    """Train both tasks (the exam's loop, Adam on mini-batches), save the picture, return held-out numbers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dlexam.engines.threads import torch_threads
    from dlexam.solutions.data import image_crops

    torch.manual_seed(seed)
    X = torch.from_numpy(image_crops(n, size, "train", seed=seed))
    X_test = torch.from_numpy(image_crops(64, size, "test", seed=seed + 1))
    pick = torch.linspace(0, len(X_test) - 1, shown).long()
    rows, numbers = [], {}
    for task in ("colorize", "inpaint"):
        model = UNet(1 if task == "colorize" else 3)
        with torch_threads(1):
            losses = train_reference(task, X, model, iterations, lr, batch=batch, seed=seed, optimizer="Adam")
        found, given, filled = held_out_numbers(task, model, X_test)
        numbers[task] = {"train_loss_first": losses[0], "train_loss_last": losses[-1], **found}
        rows.append((task, given[pick], filled[pick]))
    titles = {"colorize": ("grey", "coloured"), "inpaint": ("masked", "filled")}
    figure, axes = plt.subplots(6, shown, figsize=(6.4, 7.8))
    for r, (task, given, filled) in enumerate(rows):
        for k, (images, label) in enumerate(((given, titles[task][0]), (filled, titles[task][1]),
                                            (X_test[pick], "truth"))):
            for i in range(shown):
                axis = axes[3 * r + k, i]
                axis.imshow(images[i].permute(1, 2, 0).numpy(), interpolation="nearest")
                axis.set_xticks([])
                axis.set_yticks([])
                if i == 0:
                    axis.set_ylabel(label)
        m = numbers[task]
        title = (f"colorize: MSE {m['held_out_mse']:.4f} (grey copy {m['baseline_mse']:.4f}, tinted by the true "
                 f"mean colour {m['tinted_grey_mse']:.4f})" if task == "colorize" else
                 f"inpaint, in the hole: MSE {m['hole_mse']:.4f} (mean-colour fill {m['mean_colour_hole_mse']:.4f}, "
                 f"zeros {m['zero_fill_hole_mse']:.4f})")
        axes[3 * r, 0].set_title(title, loc="left", fontsize=8)
    steps = "full-batch" if batch is None else f"mini-batches of {batch}"
    figure.suptitle(f"U-Net, {n} crops of {size}px, Adam lr {lr:g}, {iterations} steps on {steps};\n"
                    f"64 test crops of photos never trained on (6 shown)", fontsize=9)
    figure.subplots_adjust(left=0.09, right=0.99, top=0.9, bottom=0.02, wspace=0.06, hspace=0.12)
    for r in range(3, 6):  # room for the second task's title
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
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--batch", type=int, default=16,
                        help="mini-batch size (default 16; 0 = the exam's full batch, slow on a CPU)")
    parser.add_argument("--out", default="autoencoder.png")
    args = parser.parse_args(argv)
    numbers = demo(args.n, args.size, args.iterations, args.lr, args.out, batch=args.batch or None)
    for task, m in numbers.items():
        print(f"{task}: " + ", ".join(f"{k} {v:.4f}" for k, v in m.items()))
    print(f"picture: {args.out}\n\nLimitations and fixes:")
    for name, text in LIMITATIONS.items():
        print(f"- {name}: {text}")


if __name__ == "__main__":
    main()
