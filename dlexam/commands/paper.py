"""`dlexam paper --seed N [--variants K] --out DIR`: exam sheets and answer keys as PDF (Typst)."""

from __future__ import annotations

import argparse

from dlexam.commands.common import seed

HELP = "Exam sheets and their answer keys as PDF: exam-<seed>.pdf and key-<seed>.pdf per variant."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=seed, required=True, help="the first exam's seed")
    parser.add_argument("--variants", type=int, default=1, help="how many exams: seeds N … N+K−1 (default 1)")
    parser.add_argument("--out", required=True, help="the folder to write into (made if missing)")


def run(args: argparse.Namespace) -> dict:
    from dlexam.exam.paper import check_request, write_papers

    check_request(args.seed, args.variants)
    return {"papers": [p.to_json() for p in write_papers(args.seed, args.variants, args.out)]}


def show(result: dict) -> str:
    return "\n".join(f"exam {p['seed']}: {p['exam']} ({p['pages']} pages), key {p['key']}" for p in result["papers"])
