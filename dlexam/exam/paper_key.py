"""The answer key in Typst: for every task its worked solution (the family's steps and the answer as
a student writes it), the family's picture, and the points per part on this exam."""

from __future__ import annotations

from pathlib import Path

from dlexam.exam.paper_page import typst_string
from dlexam.exam.paper_parts import PaperTask
from dlexam.exam.plan import Plan
from dlexam.tasks.document import Text, render
from dlexam.tasks.model import Solution, Variant
from dlexam.tasks.registry import family


def key(plan: Plan, tasks: list[PaperTask], pictures: dict[str, str],
        solutions: dict[str, Solution] | None = None) -> str:
    """`pictures` maps a task's label to a picture file (relative to the Typst root); `solutions`
    (by label) are the families' own, solved here when not given."""
    body = [f"""#align(center)[#text(20pt, weight: "bold")[Answer key — exam {plan.seed}]
#v(0.2cm){plan.minutes} minutes · {plan.points:g} points · match sheets by the seed in their QR code]"""]
    for t in tasks:
        given = (solutions or {}).get(t.planned.label)
        body.append(task(t, pictures.get(t.planned.label), given))
    return "\n\n".join(body)


def solve_all(tasks: list[PaperTask]) -> dict[str, Solution]:
    return {t.planned.label: t.family.solve(t.variant) for t in tasks}


def task(t: PaperTask, picture: str | None, solution: Solution | None = None) -> str:
    solution = solution or t.family.solve(t.variant)
    rows = [f"== {t.planned.label} · {t.planned.title} #h(1fr) #text(10pt)[{t.planned.points:g} points]",
            f"#text(9pt, fill: luma(90))[{t.family.name}, variant {t.variant.seed}]",
            points_table(t.part_points()),
            "*Answer*", f"#raw(block: true, {typst_string(solution.answer_text)})"]
    if solution.steps:
        rows.append("*Worked solution*")
        rows.append("\n".join("- " + _inline(step) for step in solution.steps))
    if picture:
        rows.append(f"#align(center, image({typst_string(picture)}, width: 16cm))")   # the pictures are drawn for 16 cm
    return "\n\n".join(rows)


def points_table(parts: list[tuple[str, float]]) -> str:
    cells = ", ".join(f"[{_inline(name)}], [{points:g}]" for name, points in parts)
    return f"#table(columns: (auto, auto), inset: 5pt, [*Part*], [*Points*], {cells})"


def _inline(text: str) -> str:
    """A step as one Typst paragraph: its line breaks kept, backticks as code."""
    return " \\\n  ".join(render([Text(line)], "typst").strip() for line in text.splitlines() if line.strip())


def picture_name(label: str, suffix: str = ".svg") -> str:
    return "picture-" + label.replace(".", "-") + suffix


Drawn = tuple[str, "str | None", Solution]   # label, picture file (None: the family draws none), solution


def draw_picture(t: PaperTask, root: Path) -> str | None:
    """The family's picture of the solution in `root`, or None if the family has none."""
    return draw(t.family.name, t.variant.to_json(), t.planned.label, root)


def draw(name: str, variant: dict, label: str, root: Path) -> str | None:
    """`draw_picture` from plain data, so another process can draw it (`paper_pictures`)."""
    file = picture_name(label)
    drawn = family(name).picture(Variant.from_json(variant), root / file)
    return file if drawn else None


def draw_all(jobs: list[tuple[str, dict, str]], root: Path) -> list[Drawn]:
    """Solve and draw each (family name, variant, label) in turn: the picture reuses the solution."""
    done = []
    for name, variant, label in jobs:
        solution = family(name).solve(Variant.from_json(variant))
        done.append((label, draw(name, variant, label, root), solution))
    return done
