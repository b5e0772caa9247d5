"""The exam sheet in Typst: a cover page (name, matriculation number, points table), then every
task of the plan with room to answer each part: ruled lines by points, the box's empty grid for
the pieces and their boundary, a frame for the RNN graph, skeleton code with lines to fill."""

from __future__ import annotations

from collections.abc import Iterable

from dlexam.exam.paper_parts import PaperTask, Part
from dlexam.exam.paper_space import GAP_MARK, drawing_frame, grid, lines_for, ruled_lines, skeleton
from dlexam.exam.plan import Plan
from dlexam.tasks.document import Block, Code, Options, Text, option_label, render

TASK_TITLES = {1: "Multiple choice", 2: "Linear pieces and decision boundary", 3: "Gradients and optimisation",
               4: "Backpropagation through an RNN", 5: "Programming (PyTorch)"}
RNN_GRAPH_CM = 7.5


def sheet(plan: Plan, tasks: list[PaperTask]) -> str:
    body = [cover(plan)]
    for number in sorted({t.planned.task for t in tasks}):
        group = [t for t in tasks if t.planned.task == number]
        points = sum(t.planned.points for t in group)
        body.append(f"= Task {number}: {TASK_TITLES[number]} #h(1fr) #text(10pt)[{points:g} points]")
        body.extend(task(t, len(group) > 1) for t in group)
        body.append("#pagebreak(weak: true)")
    return "\n\n".join(body)


def cover(plan: Plan) -> str:
    totals = _task_points(plan)
    head = ", ".join(f"[*{n}*]" for n in totals)
    maxima = ", ".join(f"[{p:g}]" for p in totals.values())
    blanks = ", ".join("[]" for _ in totals)
    return f"""#align(center)[#v(1cm)#text(22pt, weight: "bold")[Deep Learning — Mock Exam]
#v(0.3cm)#text(12pt)[Exam {plan.seed} · {plan.minutes} minutes · {plan.points:g} points]]
#v(1.2cm)
#grid(columns: (auto, 1fr), row-gutter: 1cm, column-gutter: 0.5cm,
  [*Name:*], line(length: 100%, stroke: 0.5pt),
  [*Matriculation number:*], line(length: 100%, stroke: 0.5pt))
#v(1.2cm)
#align(center, table(columns: {len(totals) + 2}, inset: 8pt, align: center,
  [*Task*], {head}, [*Total*],
  [Points], {maxima}, [{plan.points:g}],
  [Scored], {blanks}, [#v(0.8cm)]))
#v(1cm)
Write your answers in the space below each task; continue on the back of a page if needed.
Mark multiple-choice options with a cross (☒); "select all that apply" may have several correct options.
No aids other than a pen are allowed.
#pagebreak()"""


def _task_points(plan: Plan) -> dict[int, float]:
    totals: dict[int, float] = {}
    for t in plan.tasks:
        totals[t.task] = totals.get(t.task, 0.0) + t.points
    return totals


def task(t: PaperTask, labelled: bool) -> str:
    head = f"*{t.planned.label}* #h(1fr) _{t.planned.points:g} points_\\ " if labelled else ""
    points = dict(t.part_points())
    rows = [head] if head else []
    for number, part in enumerate(t.parts()):
        room = space(t, part, _points_of(points, part, number))
        question = "\n\n".join(_blocks(part.blocks))
        kept = room.startswith(("#align(center, image", "#block(breakable: false"))   # a grid or a frame
        rows.append(f"#block(breakable: false)[{question}\n\n{room}]" if kept else question + "\n\n" + room)
    return "#block(breakable: true, above: 1.2em)[\n" + "\n\n".join(r for r in rows if r) + "\n]"


def _points_of(points: dict[str, float], part: Part, number: int) -> float:
    if part.label in points:
        return points[part.label]
    values = list(points.values())
    return values[number - 1] if 0 < number <= len(values) and part.label else 0.0


def _blocks(blocks: Iterable[Block]) -> list[str]:
    return [_block(b) for b in blocks]


def _block(block: Block) -> str:
    match block:
        case Options(items, multiple):
            hint = "Select all that apply." if multiple else "Select one."
            rows = "".join(f"[☐ *{option_label(i)})*], [{render([Text(it)], 'typst').strip()}], "
                           for i, it in enumerate(items))
            return f"_{hint}_\n#grid(columns: (auto, 1fr), column-gutter: 6pt, row-gutter: 7pt, {rows})"
        case Code(source, _) if GAP_MARK.search(source):
            return skeleton(source)
    return render([block], "typst").strip()


def space(t: PaperTask, part: Part, points: float) -> str:
    """The room to answer `part`; none for multiple choice and for the text before (a)."""
    name = t.family.name
    if isinstance(part.blocks[-1], Options):
        return ""
    if name == "pieces" and part.label == "b":
        return grid(tuple(t.variant.data["box"]))
    if name == "rnn" and part.label == "a":
        return drawing_frame(RNN_GRAPH_CM, "the unrolled computation graph")
    if not part.label:
        return _unlabelled_space(t)
    return ruled_lines(lines_for(points))


def _unlabelled_space(t: PaperTask) -> str:
    """A task without parts: lines for what its skeleton leaves to the explanation, else nothing
    (its text only sets the scene before (a))."""
    has_parts = any(p.label for p in t.parts())
    if has_parts:
        return ""
    rest = dict(t.part_points()).get("limitations explained")
    return ruled_lines(lines_for(rest)) if rest else ""
