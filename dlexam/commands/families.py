"""`dlexam families`: the task families, by exam task."""

from __future__ import annotations

import argparse

HELP = "List the task families dlexam can pose."


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> dict:
    from dlexam.tasks.registry import FAMILIES, family

    return {"families": [{"name": name, "task": task, "title": family(name).title}
                         for name, (task, _) in FAMILIES.items()]}


def show(result: dict) -> str:
    return "\n".join(f"task {f['task']}  {f['name']:<18} {f['title']}" for f in result["families"])
