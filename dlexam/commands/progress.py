"""`dlexam progress [--plot FILE]`: per family and per exam task (topic) — attempts, score over
time, when it is due again and how likely it is remembered now (FSRS, dlexam/store/scheduling.py).

JSON (CONTRACT.md): families[] with family, attempts, points, max_points, due (ISO, null if never
seen), retrievability (0..1, null if never seen); added: task, topic, score, last, history
(every attempt's share of the points, oldest first); topics[] the same summed per exam task.
`--plot FILE` draws every family's score over time (PNG, PDF or SVG by FILE's ending).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

HELP = "Show your practice progress per task family: scores over time, what is due, what you remember."
PLOT_FORMATS = (".png", ".pdf", ".svg")
SPARKS = "▁▂▃▄▅▆▇█"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plot", metavar="FILE", help="draw score over time into FILE (.png, .pdf or .svg)")


def run(args: argparse.Namespace) -> dict:
    from dlexam.errors import InputError
    from dlexam.exam.progress import draw, family_rows, topic_rows
    from dlexam.exam.progress import iso as _iso
    from dlexam.store import Store

    plot = Path(args.plot).expanduser() if getattr(args, "plot", None) else None
    if plot is not None:
        if plot.suffix.lower() not in PLOT_FORMATS:
            raise InputError(f"--plot draws into a .png, .pdf or .svg file, not {plot.name!r}.")
        if not plot.parent.is_dir():
            raise InputError(f"--plot {plot}: the directory {plot.parent} does not exist.")
    with Store() as store:
        rows, now, where = store.progress(), store.now(), store.where
    families = family_rows(rows)
    result = {"store": where, "now": _iso(now), "families": families, "topics": topic_rows(families)}
    if plot is not None:
        try:
            draw(families, plot)
        except OSError as exc:
            raise InputError(f"--plot {plot} cannot be written: {exc.strerror or exc}.") from None
        result["plot"] = str(plot)
    return result


def show(result: dict) -> str:
    if not result["families"]:
        drawn = f"; plot: {result['plot']}" if result.get("plot") else ""
        return f"No attempts yet (store: {result['store']}{drawn}). Start with `dlexam practice`."
    now = datetime.fromisoformat(result["now"])
    header = f"{'':<34} {'attempts':>8} {'score':>6}  {'recent scores':<13} {'due':<14} {'remembered':>10}"
    lines = [header]
    for topic in result["topics"]:
        lines.append(_line(f"task {topic['task']}: {topic['topic']}"[:34], topic, "", now))
        for f in (f for f in result["families"] if f["task"] == topic["task"]):
            lines.append(_line(f"  {f['family']}", f, _spark([h["score"] for h in f["history"]][-13:]), now))
    lines.append(f"(store: {result['store']}" + (f"; plot: {result['plot']})" if result.get("plot") else ")"))
    return "\n".join(lines)


def _line(label: str, row: dict, spark: str, now: datetime) -> str:
    from dlexam.exam.progress import when_due

    remembered = "" if row["retrievability"] is None else f"{100 * row['retrievability']:.0f}%"
    return (f"{label:<34} {row['attempts']:>8} {100 * row['score']:>5.0f}%  {spark:<13} "
            f"{when_due(row['due'], now):<14} {remembered:>10}")


def _spark(scores: list[float]) -> str:
    return "".join(SPARKS[min(len(SPARKS) - 1, int(s * len(SPARKS)))] for s in scores)
