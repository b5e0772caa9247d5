"""The hand-in on the terminal: per task the points, the feedback and the worked solution (with
the picture's path where the family draws one), then the table, the total and the German grade."""

from __future__ import annotations

from rich.markup import escape
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from dlexam.exam.german import scale_rows
from dlexam.exam.session import HandIn, TaskResult

MAX_SOLUTION_LINES = 40


def _colour(t: TaskResult) -> str:
    if t.max_points and t.points >= t.max_points - 1e-9:
        return "bright_green"
    return "bright_yellow" if t.points > 0 else "bright_red"


def show_task(console, t: TaskResult) -> None:
    console.print(Rule(f"[bold]{t.label}[/] · {escape(t.title)} · [bold {_colour(t)}]{t.points:g} of "
                       f"{t.max_points:g} points[/]", align="left"))
    if t.answer and "\n" in t.answer.strip():
        console.print(f"[dim]Your answer:[/] {len(t.answer.strip().splitlines())} lines of code")
    elif t.answer:
        console.print(f"[dim]Your answer:[/] {escape(t.answer.strip())}")
    if t.feedback:
        console.print(t.feedback, markup=False)
    console.print("[dim]Worked solution:[/]")
    for step in t.steps:
        console.print(Padding(Text(step, style="dim"), (0, 0, 0, 2)))
    if t.solution and "\n" in t.solution:
        lines = t.solution.rstrip("\n").splitlines()
        shown = lines[:MAX_SOLUTION_LINES] + ([f"… ({len(lines) - MAX_SOLUTION_LINES} more lines)"]
                                              if len(lines) > MAX_SOLUTION_LINES else [])
        console.print("[dim]The solution's code:[/]")
        for line in shown:
            console.print(f"    {line}", style="cyan", markup=False, highlight=False)
    elif t.solution:
        console.print(f"[dim]A full-marks answer:[/] {escape(t.solution)}")
    if t.picture:
        console.print(f"Picture of the solution: {escape(t.picture)}")
    console.print()


def show_hand_in(console, result: HandIn) -> None:
    console.print(Rule(f"[bold]Exam {result.seed} handed in[/]"))
    for t in result.tasks:
        show_task(console, t)
    table = Table(title="Points per task", title_justify="left")
    table.add_column("task", justify="right")
    table.add_column("title")
    table.add_column("points", justify="right")
    table.add_column("of", justify="right")
    for t in result.tasks:
        table.add_row(t.label, escape(t.title) + ("" if t.answered else " [dim](no answer)[/]"),
                      f"[{_colour(t)}]{t.points:g}[/]", f"{t.max_points:g}")
    table.add_row("", "[bold]total[/]", f"[bold]{result.total:g}[/]", f"{result.points:g}")
    console.print(table)
    share = 100 * result.total / result.points if result.points else 0.0
    verdict = "[bold bright_green]passed[/]" if result.passed else "[bold bright_red]failed[/]"
    console.print(f"[bold]{result.total:g} of {result.points:g} points ({share:.0f} %): German grade "
                  f"{result.german_grade:.1f}[/] — {verdict}.")
    key = ", ".join(f"{grade} {share.replace('>=', 'from').replace('<', 'below')}" for share, grade in scale_rows())
    console.print(f"[dim]The scale: {escape(key)}.[/]")
