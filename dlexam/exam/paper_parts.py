"""What paper needs to know of a planned task: its variant, its blocks split into parts (a), (b), ...,
and the points of every part on this exam (the family's points scaled to the plan's)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dlexam.errors import InputError
from dlexam.exam.plan import PlannedTask
from dlexam.tasks.document import Block, Text
from dlexam.tasks.model import Answer, TaskFamily, Variant
from dlexam.tasks.registry import family

PART_START = re.compile(r"^\(([a-z])\)\s")
TYPED_ONLY = ("Answer with",)        # hints on typing an answer at the prompt: not for paper


@dataclass(frozen=True)
class Part:
    label: str                # "a", "b", ... or "" for a task without parts
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class PaperTask:
    planned: PlannedTask
    family: TaskFamily
    variant: Variant

    @property
    def scale(self) -> float:
        return self.planned.points / self.family.points

    def parts(self) -> list[Part]:
        return split_parts(self.family.document(self.variant))

    def part_points(self) -> list[tuple[str, float]]:
        """(part, points on this exam) for every graded part."""
        return [(name, round(points * self.scale, 2)) for name, points in family_part_points(self.family, self.variant)]


def paper_task(planned: PlannedTask) -> PaperTask:
    fam = family(planned.family)
    return PaperTask(planned, fam, fam.generate(planned.seed))


def split_parts(blocks: list[Block]) -> list[Part]:
    """The blocks before `(a)` (label ""), then one Part per `(x) ...` paragraph and what follows it;
    typing hints are left out."""
    parts: list[Part] = [Part("", ())]
    for block in blocks:
        if isinstance(block, Text) and block.text.startswith(TYPED_ONLY):
            continue
        start = PART_START.match(block.text) if isinstance(block, Text) else None
        if start:
            parts.append(Part(start.group(1), ()))
        parts[-1] = Part(parts[-1].label, (*parts[-1].blocks, block))
    return [p for p in parts if p.blocks or p.label]


def family_part_points(fam: TaskFamily, variant: Variant) -> list[tuple[str, float]]:
    """The family's own points per part: its grading table, its code checks (plus what the checks
    leave to the written explanation), or the parts an empty answer is graded on."""
    grading = getattr(fam, "grading", None)
    if grading is not None and hasattr(grading, "POINTS"):
        return list(grading.POINTS.items())
    if hasattr(fam, "unreadable"):
        rows = [(p.name, p.max_points) for p in fam.unreadable("", "", variant.seed).parts]
        rest = fam.points - sum(points for _, points in rows)
        return rows + ([("limitations explained", rest)] if rest > 1e-9 else [])
    try:
        return [(p.name, p.max_points) for p in fam.grade(variant, Answer({})).parts]
    except InputError:
        return [("answer", fam.points)]
