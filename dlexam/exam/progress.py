"""Progress over practice and exams, per family and per exam task: the rows `dlexam progress` prints
and the browser's progress page shows, and the plot of score over time (matplotlib, imported only
when drawing). Rows come from `Store.progress()`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from dlexam.tasks.registry import FAMILIES

TOPICS = {1: "multiple choice", 2: "decision boundary", 3: "gradient and bound, or Hessian", 4: "RNN",
          5: "programming", 0: "other"}


def family_rows(progress) -> list[dict]:
    """`family_row` of each `Store.progress()` entry, by exam task then name."""
    return sorted((family_row(p) for p in progress), key=lambda f: (f["task"] or 9, f["family"]))


def family_row(p) -> dict:
    """One family's record as `dlexam progress --json` gives it."""
    task = FAMILIES[p.family][0] if p.family in FAMILIES else 0
    return {"family": p.family, "task": task, "topic": TOPICS[task], "attempts": p.attempts, "points": p.points,
            "max_points": p.max_points, "score": p.score, "last": iso(p.last), "due": p.due_iso,
            "retrievability": p.retrievability,
            "history": [{"at": iso(at), "score": share} for at, share in p.history]}


def topic_rows(families: list[dict]) -> list[dict]:
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


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()


def when_due(due: str | None, now: datetime, never: str = "-") -> str:
    """"now", "in 3 days", ... for an ISO due date; `never` for a family never seen."""
    if due is None:
        return never
    seconds = (datetime.fromisoformat(due) - now).total_seconds()
    if seconds <= 0:
        return "now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            return f"in {count} {unit}{'s' if count != 1 else ''}"
    return "in a minute"



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
        if len({t for t, _ in everything}) == 1:     # one moment: a day around it, not matplotlib's ±2 years
            ax.set_xlim(everything[0][0] - timedelta(hours=12), everything[0][0] + timedelta(hours=12))
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
