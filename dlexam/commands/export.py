"""`dlexam export moodle|qti [--family F]... [--variants K] [--seed N] --out FILE`: question banks."""

from __future__ import annotations

import argparse

from dlexam.commands.common import seed

HELP = "Export question banks: Moodle XML (a category per family) or a QTI 1.2 zip for Canvas."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=("moodle", "qti"), help="moodle (XML) or qti (QTI 1.2 zip, Canvas)")
    parser.add_argument("--family", action="append", default=None, help="a family to export (repeatable; default all)")
    parser.add_argument("--variants", type=int, default=10, help="variants per family (default 10)")
    parser.add_argument("--seed", type=seed, default=0, help="the first variant's seed (default 0)")
    parser.add_argument("--out", required=True, help="the file to write")


def run(args: argparse.Namespace) -> dict:
    from dlexam.exam.export import export

    count = export(args.format, args.family, args.variants, args.seed, args.out)
    return {"format": args.format, "file": args.out, "questions": count}


def show(result: dict) -> str:
    return f"{result['questions']} questions written to {result['file']} ({result['format']})"
