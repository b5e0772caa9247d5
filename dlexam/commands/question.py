"""`dlexam question FAMILY --seed N`: pose one variant (optionally with its solution)."""

from __future__ import annotations

import argparse

from dlexam.commands.common import add_family_and_seed

HELP = "Pose one task variant, in text, Markdown, HTML, LaTeX or Typst."
FORMATS = ("text", "markdown", "html", "latex", "typst")


def configure(parser: argparse.ArgumentParser) -> None:
    add_family_and_seed(parser)
    parser.add_argument("--format", choices=FORMATS, default="text", help="how to render the task")
    parser.add_argument("--solution", action="store_true", help="include the worked solution")


def run(args: argparse.Namespace) -> dict:
    from dlexam.tasks.registry import family

    fam = family(args.family)
    variant = fam.generate(args.seed)
    result = {"family": fam.name, "seed": args.seed, "title": fam.title, "points": fam.points,
              "format": args.format,
              "text": fam.render(variant, args.format), "answer_hint": fam.answer_hint(variant),
              "variant": variant.to_json()}
    if args.solution:
        result["solution"] = fam.solve(variant).to_json()
    return result


def show(result: dict) -> str:
    lines = [f"{result['title']} (family {result['family']}, seed {result['seed']})", "", result["text"].rstrip(),
             "", f"Answer: {result['answer_hint']}"]
    if "solution" in result:
        lines += ["", "Solution:", *(f"  {step}" for step in result["solution"]["steps"])]
    return "\n".join(lines)
