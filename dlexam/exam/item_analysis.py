"""Item analysis for the staff (classical test theory), over plain data.

Two views:
- **exam places** (`places`): the handed-in mock exams as tests, each place of the sheet ("1.3", "2",
  "5a") an item. Per place: how many sat it, the mean share of its points, the share with full marks
  ("right"), and two discrimination indices:
    * `item_rest`: the corrected item-total correlation — Pearson's r between the item's share and the
      rest of the exam score (the total without this item's points). For an item scored right/wrong
      this is the point-biserial correlation. Without the correction the item would correlate with
      itself inside the total.
    * `upper_lower`: Kelley's index D = mean item share in the upper 27 % of sittings by total score
      minus that in the lower 27 % (k = round(0.27·n), at least 1; ties kept in hand-in order).
  For multiple-choice places, how often each option was chosen, per distinct question.
- **multiple-choice questions** (`questions`): every answer to a choice family (practice and exams),
  grouped by question — the family, its stem and its set of options, so one bank question asked with
  shuffled options is one question — with share right, option counts and discrimination `item_rest`
  = r between the answer's share and the student's mean share on all their answers to other questions.

Undefined statistics (fewer than 3 pairs, or no spread on either side) are None, shown as "—".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

UPPER_LOWER = 0.27
MIN_PAIRS = 3

VariantData = Callable[[str, int], dict]


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r, or None when it is undefined (fewer than MIN_PAIRS pairs, or a constant side)."""
    n = len(x)
    if n != len(y) or n < MIN_PAIRS:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def item_rest(item_shares: Sequence[float], item_points: Sequence[float], totals: Sequence[float]) -> float | None:
    """r between the item's share and the rest score (total − the item's points) over the sittings."""
    return pearson(item_shares, [t - p for t, p in zip(totals, item_points)])


def upper_lower(item_shares: Sequence[float], totals: Sequence[float], fraction: float = UPPER_LOWER) -> float | None:
    """Kelley's D: mean item share of the upper `fraction` by total minus that of the lower one."""
    n = len(item_shares)
    k = max(1, round(fraction * n))
    if n < 2 or 2 * k > n:
        return None
    order = sorted(range(n), key=lambda i: totals[i])     # stable: ties in the given order
    lower, upper = order[:k], order[-k:]
    return sum(item_shares[i] for i in upper) / k - sum(item_shares[i] for i in lower) / k


def choice_evidence(grade: dict | None) -> dict | None:
    """The evidence of a choice family's grade (`chosen`, `correct`, `options`), or None."""
    for part in (grade or {}).get("parts", []):
        evidence = part.get("evidence") or {}
        if "chosen" in evidence and "options" in evidence:
            return evidence
    return None


def share(grade: dict | None) -> float:
    if not grade or not grade.get("max_points"):
        return 0.0
    return float(grade["points"]) / float(grade["max_points"])


# --- option counts --------------------------------------------------------------------------------

@dataclass
class OptionCount:
    label: str
    text: str
    correct: bool
    count: int = 0


@dataclass
class QuestionOptions:
    """How often each option of one question was chosen."""
    family: str
    stem: str
    options: list[OptionCount]
    answers: int = 0
    blank: int = 0              # answers that chose nothing

    def add(self, labels_chosen: Iterable[str], variant_options: Sequence[str]) -> None:
        """Count one answer: `labels_chosen` are the answer's letters, mapped to texts by `variant_options`."""
        self.answers += 1
        texts = {chr(ord("a") + i): text for i, text in enumerate(variant_options)}
        chosen = [texts[label] for label in labels_chosen if label in texts]
        if not chosen:
            self.blank += 1
        for option in self.options:
            option.count += option.text in chosen


def question_key(family: str, data: dict) -> tuple:
    return family, data.get("stem", ""), frozenset(data.get("options", ()))


def new_question(family: str, data: dict, evidence: dict) -> QuestionOptions:
    """Options in the order of the first variant seen, each marked correct or not."""
    correct = set(evidence.get("correct", ()))
    options = [OptionCount(chr(ord("a") + i), text, chr(ord("a") + i) in correct)
               for i, text in enumerate(data.get("options", ()))]
    return QuestionOptions(family, data.get("stem", ""), options)


# --- exam places ----------------------------------------------------------------------------------

@dataclass
class PlaceStats:
    label: str
    task: int
    families: list[str]
    n: int
    mean_share: float
    right: float                        # share of sittings with full marks
    item_rest: float | None
    upper_lower: float | None
    questions: list[QuestionOptions] = field(default_factory=list)


def places(sittings: Sequence, variant_data: VariantData) -> list[PlaceStats]:
    """Per place of the sheet over handed-in sittings (dlexam.store.classroom.Sitting)."""
    planned: dict[str, dict] = {}
    for sitting in sittings:
        for task in sitting.plan["tasks"]:
            planned.setdefault(str(task["label"]), task)
    out = []
    for label, first in planned.items():
        shares, points, totals, families = [], [], [], []
        questions: dict[tuple, QuestionOptions] = {}
        for sitting in sittings:
            task = next((t for t in sitting.plan["tasks"] if str(t["label"]) == label), None)
            if task is None:
                continue
            answer = sitting.answers.get(label)
            grade = answer.grade if answer else None
            shares.append(share(grade))
            points.append(float(answer.points or 0.0) if answer else 0.0)
            totals.append(float(sitting.total))
            families.append(task["family"])
            _count_options(questions, task["family"], int(task["seed"]), grade, variant_data)
        out.append(PlaceStats(label, int(first["task"]), list(dict.fromkeys(families)), len(shares),
                              sum(shares) / len(shares), sum(s >= 1 - 1e-9 for s in shares) / len(shares),
                              item_rest(shares, points, totals), upper_lower(shares, totals),
                              list(questions.values())))
    return out


def _count_options(questions: dict, family: str, seed: int, grade: dict | None, variant_data: VariantData) -> None:
    evidence = choice_evidence(grade)
    if evidence is None:
        return
    data = variant_data(family, seed)
    key = question_key(family, data)
    if key not in questions:
        questions[key] = new_question(family, data, evidence)
    questions[key].add(evidence.get("chosen", ()), data.get("options", ()))


# --- multiple-choice questions over all answers ---------------------------------------------------

@dataclass
class QuestionStats:
    family: str
    stem: str
    n: int
    students: int
    right: float
    mean_share: float
    item_rest: float | None
    options: QuestionOptions


def questions(attempts: Sequence, variant_data: VariantData, choice_families: Iterable[str]) -> list[QuestionStats]:
    """Per multiple-choice question over attempts (dlexam.store.Attempt: practice and exam answers)."""
    choice = set(choice_families)
    keyed: dict[tuple, list] = {}
    options: dict[tuple, QuestionOptions] = {}
    student_sum: dict[str, float] = {}
    student_n: dict[str, int] = {}
    for attempt in attempts:
        s = share(attempt.grade)
        student_sum[attempt.student] = student_sum.get(attempt.student, 0.0) + s
        student_n[attempt.student] = student_n.get(attempt.student, 0) + 1
        if attempt.family not in choice:
            continue
        evidence = choice_evidence(attempt.grade)
        if evidence is None:
            continue
        data = variant_data(attempt.family, attempt.seed)
        key = question_key(attempt.family, data)
        if key not in options:
            options[key] = new_question(attempt.family, data, evidence)
        options[key].add(evidence.get("chosen", ()), data.get("options", ()))
        keyed.setdefault(key, []).append((attempt.student, s))
    out = []
    for key, answers in keyed.items():
        out.append(_question_stats(key, answers, options[key], student_sum, student_n))
    return sorted(out, key=lambda q: (q.family, q.stem))


def _question_stats(key, answers, counted: QuestionOptions, student_sum, student_n) -> QuestionStats:
    own_sum: dict[str, float] = {}
    own_n: dict[str, int] = {}
    for student, s in answers:
        own_sum[student] = own_sum.get(student, 0.0) + s
        own_n[student] = own_n.get(student, 0) + 1
    xs, rests = [], []
    for student, s in answers:
        others = student_n[student] - own_n[student]
        if others > 0:
            xs.append(s)
            rests.append((student_sum[student] - own_sum[student]) / others)
    shares = [s for _, s in answers]
    return QuestionStats(key[0], key[1], len(answers), len(own_n), sum(s >= 1 - 1e-9 for s in shares) / len(shares),
                         sum(shares) / len(shares), pearson(xs, rests), counted)
