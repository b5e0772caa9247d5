"""`dlexam solution TASK`: run the reference solution of a programming task on bundled data.

Shows what the exam's code achieves (and a stronger attack for comparison), draws it with
--picture, and says what the approach cannot do and how to fix it.
"""

from __future__ import annotations

import argparse

HELP = "Run the reference solution of a programming task on real bundled data."
TASKS = ("adversarial", "colorize", "inpaint")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", choices=TASKS, help="which programming task")
    parser.add_argument("--picture", metavar="FILE", help="draw the result to this PNG")
    parser.add_argument("--quick", action="store_true", help="fewer images and steps (seconds, not minutes)")


def run(args: argparse.Namespace) -> dict:
    from pathlib import Path

    from dlexam.errors import InputError

    if args.picture and Path(args.picture).suffix.lower() != ".png":   # before minutes of training
        raise InputError(f"The picture must be a .png file, not {args.picture!r}.")
    if args.picture and not Path(args.picture).resolve().parent.is_dir():
        raise InputError(f"The folder for the picture {args.picture} does not exist.")
    result = _attack(args) if args.task == "adversarial" else _autoencoder(args)
    return {"task": args.task, "picture": args.picture, **result}


def _attack(args: argparse.Namespace) -> dict:
    import torch

    from dlexam.solutions.attack import LIMITATIONS, attack_picture, binary_margin, posed_attack, strong_attack
    from dlexam.solutions.classifier import binary_classifier

    classifier = binary_classifier(3, 8)
    model = classifier.build()
    x, t = torch.from_numpy(classifier.x_test), torch.from_numpy(classifier.t_test).unsqueeze(1)
    with torch.no_grad():
        right = (t * model(x)).squeeze(1) > 0
    x, t = x[right][: 32 if args.quick else None], t[right][: 32 if args.quick else None]
    posed = posed_attack(x, t, model, steps=200 if args.quick else 1000)
    with torch.no_grad():
        flipped = (t * model(posed)).squeeze(1) < 0
    strong = strong_attack(x, model, binary_margin(t))
    if args.picture:
        attack_picture(args.picture)
    return {"inputs": len(x), "classifier_test_accuracy": classifier.test_accuracy,
            "posed": {"success": float(flipped.float().mean()),
                      "mean_l2": float((posed - x)[flipped].norm(dim=1).mean()) if flipped.any() else None},
            "strong": {"success": float(strong.success.float().mean()),
                       "mean_l2": float(strong.distance[strong.success].mean()) if strong.success.any() else None},
            "limitations": list(LIMITATIONS)}


def _autoencoder(args: argparse.Namespace) -> dict:
    import tempfile

    from dlexam.solutions.autoencoder import LIMITATIONS, demo

    picture = args.picture or tempfile.mktemp(suffix=".png")
    numbers = demo(n=128 if args.quick else 500, iterations=200 if args.quick else 1000, out=picture)
    return {**numbers[args.task], "limitations": [f"{k}: {v}" for k, v in LIMITATIONS.items()]}


def show(result: dict) -> str:
    lines = [f"Reference solution: {result['task']}"]
    if result["task"] == "adversarial":
        lines.append(f"  {result['inputs']} correctly classified test digits (3 vs 8)")
        for name in ("posed", "strong"):
            r = result[name]
            l2 = "-" if r["mean_l2"] is None else f"{r['mean_l2']:.3f}"
            label = "exam's SGD attack" if name == "posed" else "Adam + search on c, best kept"
            lines.append(f"  {label:<32} flips {100 * r['success']:.0f}%, mean ‖x − z‖ {l2}")
    else:
        lines.append(f"  training loss {result['train_loss_first']:.4f} -> {result['train_loss_last']:.4f}; "
                     f"held-out MSE {result['held_out_mse']:.4f} vs. the trivial baseline {result['baseline_mse']:.4f}")
    if result["picture"]:
        lines.append(f"  picture: {result['picture']}")
    lines += ["", "Limitations and fixes:", *(f"  - {text}" for text in result["limitations"])]
    return "\n".join(lines)
