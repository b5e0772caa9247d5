"""`dlexam layer MODULE [--input SHAPE]`: parameter counts, output shape and unused inputs."""

from __future__ import annotations

import argparse
import re

from dlexam.commands.common import add_time_limit, bounded

HELP = "Facts about a torch.nn layer: parameters, output shape, share of unused inputs."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("module", help='a constructor such as "nn.Conv2d(3, 20, 5)"')
    parser.add_argument("--input", metavar="SHAPE", type=parse_shape,
                        help="input shape such as 1x3x200x200")
    add_time_limit(parser, 20.0)


def parse_shape(text: str) -> tuple[int, ...]:
    if len(text) > 200 or not re.fullmatch(r"\s*\d+(\s*[x×,]\s*\d+)*\s*", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a shape written like 1x3x200x200")
    return tuple(int(n) for n in re.split(r"[x×,]", text))


def run(args: argparse.Namespace) -> dict:
    import torch  # noqa: F401  (imported before the fork: not in the time limit)

    from dlexam.engines import layers  # noqa: F401

    return bounded(_facts, args.module, args.input, seconds=args.time_limit, what="Building the layer")


def _facts(module: str, shape: tuple[int, ...] | None) -> dict:
    from dataclasses import asdict

    from dlexam.engines.layers import layer_facts
    from dlexam.engines.modules import parse_module

    return asdict(layer_facts(parse_module(module), shape))


def show(result: dict) -> str:
    lines = [result["module"],
             f"  parameters:            {result['parameters']:,}",
             f"  trainable parameters:  {result['trainable_parameters']:,}"]
    if result["output_shape"] is not None:
        shape = "x".join(map(str, result["output_shape"]))
        lines += [f"  output shape:          {shape}",
                  f"  unused inputs:         {100 * result['unused_input_fraction']:.4g}%"]
    return "\n".join(lines)
