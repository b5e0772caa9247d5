"""The class's results for the staff, over plain data: per family, per exam task, per student, the
mock exams as a whole, and the answers the graders flagged for a human to look at.

Shares are points earned / points possible. A family's rows count every attempt (practice and the
exam answers a hand-in records as attempts); an exam task's rows sum each sitting's places of that
task (task 1's eight questions together) against their planned points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dlexam.exam.item_analysis import share


@dataclass(frozen=True)
class Row:
    """Results of one group (a family, an exam task, a student)."""
    name: str
    count: int
    mean_share: float
    students: int = 0
    practice: int = 0
    exam: int = 0


def by_family(attempts: Sequence) -> list[Row]:
    groups: dict[str, list] = {}
    for attempt in attempts:
        groups.setdefault(attempt.family, []).append(attempt)
    return [Row(name, len(group), sum(share(a.grade) for a in group) / len(group),
                students=len({a.student for a in group}),
                practice=sum(a.exam_id is None for a in group), exam=sum(a.exam_id is not None for a in group))
            for name, group in sorted(groups.items())]


def task_shares(sitting) -> dict[int, tuple[float, float]]:
    """{task: (earned, planned)} of one sitting; an unanswered place earns 0."""
    out: dict[int, tuple[float, float]] = {}
    for task in sitting.plan["tasks"]:
        answer = sitting.answers.get(str(task["label"]))
        earned = float(answer.points or 0.0) if answer else 0.0
        got, planned = out.get(int(task["task"]), (0.0, 0.0))
        out[int(task["task"])] = (got + earned, planned + float(task["points"]))
    return out


def by_task(sittings: Sequence) -> list[Row]:
    groups: dict[int, list[float]] = {}
    students: dict[int, set[str]] = {}
    for sitting in sittings:
        for task, (earned, planned) in task_shares(sitting).items():
            groups.setdefault(task, []).append(earned / planned if planned else 0.0)
            students.setdefault(task, set()).add(sitting.student)
    return [Row(str(task), len(v), sum(v) / len(v), students=len(students[task])) for task, v in sorted(groups.items())]


@dataclass(frozen=True)
class ExamSummary:
    sittings: int
    students: int
    mean_share: float | None
    mean_grade: float | None
    passed: float | None          # share of sittings with a passing German grade (4.0 or better)


def exams_summary(sittings: Sequence) -> ExamSummary:
    from dlexam.exam.german import passed

    if not sittings:
        return ExamSummary(0, 0, None, None, None)
    grades = [s.german_grade for s in sittings if s.german_grade is not None]
    return ExamSummary(len(sittings), len({s.student for s in sittings}),
                       sum(s.total / s.points if s.points else 0.0 for s in sittings) / len(sittings),
                       sum(grades) / len(grades) if grades else None,
                       sum(passed(g) for g in grades) / len(grades) if grades else None)


@dataclass(frozen=True)
class StudentRow:
    name: str
    attempts: int
    mean_share: float | None
    exams: int
    best_grade: float | None


def by_student(attempts: Sequence, sittings: Sequence) -> list[StudentRow]:
    shares: dict[str, list[float]] = {}
    exams: dict[str, list] = {}
    for a in attempts:
        shares.setdefault(a.student, []).append(share(a.grade))
    for s in sittings:
        exams.setdefault(s.student, []).append(s)
    out = []
    for name in sorted(set(shares) | set(exams)):
        mine, sat = shares.get(name, []), exams.get(name, [])
        grades = [s.german_grade for s in sat if s.german_grade is not None]
        out.append(StudentRow(name, len(mine), sum(mine) / len(mine) if mine else None, len(sat),
                              min(grades) if grades else None))
    return out


# --- flagged for a human ---------------------------------------------------------------------------

def reasons(grade: dict | None) -> list[str]:
    """Why a grade (Grade.to_json() or grade-code's object) needs a human look; [] if it does not:
    a written part the rubric could not tell (`needs_human_look`), code the sandbox blocked (`flagged`,
    `sandbox.blocked`, or the blocked check's message), or a file the grader could not judge."""
    grade = grade or {}
    out = []
    for part in grade.get("parts", []) + grade.get("checks", []):
        evidence = part.get("evidence") or {}
        if evidence.get("needs_human_look"):
            out.append(f"{part.get('name', '?')}: the grader could not tell — {evidence.get('why') or 'see feedback'}")
        text = part.get("feedback") or part.get("message") or ""
        if "flagged for review" in text and not grade.get("sandbox"):
            out.append(f"{part.get('name', '?')}: {text.splitlines()[0][:300]}")
    sandbox = grade.get("sandbox") or {}
    if sandbox.get("flagged") or sandbox.get("blocked"):
        out.append("the sandbox blocked: " + "; ".join(str(b) for b in sandbox.get("blocked", [])[:4]))
    error = grade.get("error") or ""
    if "looked at" in error:
        out.append(error[:300])
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Flag:
    source: str                 # "practice", "exam", "upload"
    student: str
    family: str
    when: float
    points: float
    max_points: float
    reasons: list[str]
    ref: str                    # attempt id or submission key
    answer: str                 # the answer as entered (text or source), cut for the page


def flags(attempts: Sequence, submissions: Sequence[dict], excerpt: int = 4000) -> list[Flag]:
    """Flagged answers, newest first: attempts (practice and exam answers) and code submissions."""
    out = []
    for a in attempts:
        why = reasons(a.grade)
        if why:
            text = str((a.answer or {}).get("text", ""))
            out.append(Flag("exam" if a.exam_id is not None else "practice", a.student, a.family, a.created,
                            float(a.grade.get("points", 0)), float(a.grade.get("max_points", 0)), why, str(a.id),
                            text[:excerpt]))
    for sub in submissions:
        result = sub.get("result") or {}
        why = reasons(result)
        if why:
            out.append(Flag("upload" if sub.get("batch") else "code", sub.get("student") or sub.get("filename", ""),
                            sub["family"], float(sub.get("finished") or 0.0), float(result.get("score", 0)),
                            float(result.get("max_score", 0)), why, sub["key"], sub.get("filename", "")))
    return sorted(out, key=lambda f: f.when, reverse=True)
