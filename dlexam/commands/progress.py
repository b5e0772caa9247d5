"""`dlexam progress`: attempts and scores per task family, from the practice store."""

from __future__ import annotations

import argparse

HELP = "Show your practice progress per task family."


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> dict:
    from dlexam.store import Store

    with Store() as store:
        rows = store.progress()
        path = str(store.path)
    return {"store": path,
            "families": [{"family": p.family, "attempts": p.attempts, "points": p.points,
                          "max_points": p.max_points, "score": p.score, "last": p.last} for p in rows]}


def show(result: dict) -> str:
    if not result["families"]:
        return f"No attempts yet (store: {result['store']}). Start with `dlexam practice`."
    lines = [f"{'family':<18} {'attempts':>8} {'score':>7}"]
    lines += [f"{f['family']:<18} {f['attempts']:>8} {100 * f['score']:>6.0f}%" for f in result["families"]]
    return "\n".join(lines + [f"(store: {result['store']})"])
