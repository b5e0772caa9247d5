"""`dlexam progress [--plot FILE]`: per family and per exam task (topic) — attempts, score over
time, when it is due again and how likely it is remembered now (FSRS, dlexam/store/scheduling.py).

JSON (CONTRACT.md): families[] with family, attempts, points, max_points, due (ISO, null if never
seen), retrievability (0..1, null if never seen); added: task, topic, score, last, history
(every attempt's share of the points, oldest first); topics[] the same summed per exam task.
`--plot FILE` draws every family's score over time (PNG, PDF or SVG by FILE's ending).
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

HELP = "Show your practice progress per task family: scores over time, what is due, what you remember."
TOPICS = {1: "multiple choice", 2: "decision boundary", 3: "gradient and bound, or Hessian", 4: "RNN",
          5: "programming", 0: "other"}
PLOT_FORMATS = (".png", ".pdf", ".svg")
SPARKS = "▁▂▃▄▅▆▇█"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plot", metavar="FILE", help="draw score over time into FILE (.png, .pdf or .svg)")


def run(args: argparse.Namespace) -> dict:
    from dlexam.errors import InputError
    from dlexam.store import Store

    plot = Path(args.plot).expanduser() if getattr(args, "plot", None) else None
    if plot is not None:
        if plot.suffix.lower() not in PLOT_FORMATS:
            raise InputError(f"--plot draws into a .png, .pdf or .svg file, not {plot.name!r}.")
        if not plot.parent.is_dir():
            raise InputError(f"--plot {plot}: the directory {plot.parent} does not exist.")
    with Store() as store:
        rows, now, where = store.progress(), store.now(), store.where
    families = sorted((_family(p) for p in rows), key=lambda f: (f["task"] or 9, f["family"]))
    result = {"store": where, "now": _iso(now), "families": families, "topics": _topics(families)}
    if plot is not None:
        try:
            draw(families, plot)
        except OSError as exc:
            raise InputError(f"--plot {plot} cannot be written: {exc.strerror or exc}.") from None
        result["plot"] = str(plot)
    return result


def _family(p) -> dict:
    from dlexam.tasks.registry import FAMILIES

    task = FAMILIES[p.family][0] if p.family in FAMILIES else 0
    return {"family": p.family, "task": task, "topic": TOPICS[task], "attempts": p.attempts, "points": p.points,
            "max_points": p.max_points, "score": p.score, "last": _iso(p.last), "due": p.due_iso,
            "retrievability": p.retrievability,
            "history": [{"at": _iso(at), "score": share} for at, share in p.history]}


def _topics(families: list[dict]) -> list[dict]:
    topics: dict[int, dict] = {}
    for f in families:
        t = topics.setdefault(f["task"], {"task": f["task"], "topic": f["topic"], "families": [], "attempts": 0,
                                          "points": 0.0, "max_points": 0.0, "due": None, "retrievability": None})
        t["families"].append(f["family"])
        t["attempts"] += f["attempts"]
        t["points"] += f["points"]
        t["max_points"] += f["max_points"]
        if f["due"] is not None and (t["due"] is None or f["due"] < t["due"]):
            t["due"] = f["due"]                      # the topic is due when its first family is
        if f["retrievability"] is not None:          # and remembered as well as its weakest family
            t["retrievability"] = min(f["retrievability"], t["retrievability"] or 1.0)
    for t in topics.values():
        t["score"] = t["points"] / t["max_points"] if t["max_points"] else 0.0
    return list(topics.values())


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
    remembered = "" if row["retrievability"] is None else f"{100 * row['retrievability']:.0f}%"
    return (f"{label:<34} {row['attempts']:>8} {100 * row['score']:>5.0f}%  {spark:<13} "
            f"{_when(row['due'], now):<14} {remembered:>10}")


def _spark(scores: list[float]) -> str:
    return "".join(SPARKS[min(len(SPARKS) - 1, int(s * len(SPARKS)))] for s in scores)


def _when(due: str | None, now: datetime) -> str:
    if due is None:
        return "-"
    seconds = (datetime.fromisoformat(due) - now).total_seconds()
    if seconds <= 0:
        return "now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            return f"in {count} {unit}{'s' if count != 1 else ''}"
    return "in a minute"


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()


def draw(families: list[dict], path: Path, window: int = 10) -> None:
    """Every family's share of the points per attempt over time (a colour per family, a marker per
    exam task), with the mean of the last `window` attempts of all families."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    markers = {1: "o", 2: "s", 3: "D", 4: "^", 5: "v", 0: "X"}
    colours = plt.get_cmap("tab20").colors
    fig, ax = plt.subplots(figsize=(10, 5.5), layout="constrained")
    everything = []
    for index, f in enumerate(families):
        times = [datetime.fromisoformat(h["at"]) for h in f["history"]]
        scores = [100 * h["score"] for h in f["history"]]
        everything += zip(times, scores)
        ax.plot(times, scores, marker=markers[f["task"]], color=colours[2 * (index % 10)], alpha=0.8,
                linewidth=1.0, markersize=5, label=f"{f['family']} (task {f['task']})")
    if everything:
        everything.sort()
        recent = [[s for _, s in everything[max(0, i + 1 - window):i + 1]] for i in range(len(everything))]
        ax.plot([t for t, _ in everything], [sum(r) / len(r) for r in recent], color="black", linewidth=2.5,
                label=f"all families: mean of the last {window}")
    ax.set_ylim(-5, 105)
    ax.set_ylabel("score (% of the points)")
    ax.set_title("dlexam practice: score over time")
    ax.grid(True, alpha=0.3)
    if families:
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    else:
        ax.set_xticks([])
        ax.text(0.5, 0.5, "no attempts yet: start with `dlexam practice`", transform=ax.transAxes, ha="center",
                va="center", color="gray")
    fig.savefig(path)
    plt.close(fig)
