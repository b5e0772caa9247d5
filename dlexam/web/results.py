"""Grades with feedback, worked solutions and pictures: one practice attempt, one handed-in mock exam,
and the list of both. Only the student's own: anyone else's id is a 404, as an unknown one is."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Depends, HTTPException, Request

from dlexam.store import users
from dlexam.store.users import User
from dlexam.tasks.registry import FAMILIES, family
from dlexam.web.auth import current_user, student_store
from dlexam.web.pictures import has_picture, picture_response
from dlexam.web.render import answer_input, has_feedback, page, question_html

router = APIRouter()


@lru_cache(maxsize=256)
def solution_of(name: str, seed: int):
    fam = family(name)
    return fam.solve(fam.generate(seed))


def _attempt(request: Request, user: User, attempt_id: int):
    found = users.attempt(request.app.state.store, attempt_id, user.name)
    if found is None or found.family not in FAMILIES:
        raise HTTPException(404)
    return found


@router.get("/attempts/{attempt_id}")
def attempt_page(request: Request, attempt_id: int, user: User = Depends(current_user)):
    attempt = _attempt(request, user, attempt_id)
    fam = family(attempt.family)
    variant = fam.generate(attempt.seed)
    kind, context = answer_input(fam, variant)
    return page(request, "result.html", user=user, attempt=attempt, family=fam, variant=variant,
                body=question_html(fam, variant, "shown"), grade=attempt.grade, answer=attempt.answer.get("text"),
                solution=solution_of(attempt.family, attempt.seed), kind=kind, input=context,
                feedback_template=f"inputs/{kind}_feedback.html" if has_feedback(kind) else None,
                picture=f"/attempts/{attempt.id}/picture" if has_picture(attempt.family) else None)


@router.get("/attempts/{attempt_id}/picture")
def attempt_picture(request: Request, attempt_id: int, user: User = Depends(current_user)):
    attempt = _attempt(request, user, attempt_id)
    return picture_response(attempt.family, attempt.seed)


@router.get("/results")
def results(request: Request, user: User = Depends(current_user)):
    store = student_store(request, user)
    attempts = [a for a in store.attempts() if a.exam_id is None][-50:][::-1]
    return page(request, "results.html", user=user, exams=store.exams()[::-1], attempts=attempts,
                titles={n: family(n).title for n in FAMILIES})


def handed_in_exam(request: Request, user: User, exam_id: int):
    """The student's exam `exam_id`, handed in; 404 for anyone else's or an open one (its keys stay hidden)."""
    store = request.app.state.store
    if users.exam_owner(store, exam_id) != user.name:
        raise HTTPException(404)
    exam = store.exam(exam_id)
    if exam.handed_in is None:
        raise HTTPException(404)
    return exam


@router.get("/exam/{exam_id}/results")
def exam_results(request: Request, exam_id: int, user: User = Depends(current_user)):
    from dlexam.exam.german import passed

    exam = handed_in_exam(request, user, exam_id)
    tasks = []
    for t in exam.plan["tasks"]:
        label = str(t["label"])
        graded = exam.grades.get(label, {})
        fam = family(t["family"])
        kind, context = answer_input(fam, fam.generate(int(t["seed"])))
        tasks.append({"kind": kind, "input": context, "family_object": fam, "variant": fam.generate(int(t["seed"])),
                      "feedback_template": f"inputs/{kind}_feedback.html" if has_feedback(kind) else None,**t, "label": label, "answer": exam.answers.get(label, ""), "earned": graded.get("points", 0.0),
                      "grade": graded.get("grade") or {}, "solution": solution_of(t["family"], int(t["seed"])),
                      "body": question_html(family(t["family"]), family(t["family"]).generate(int(t["seed"])), "shown"),
                      "picture": f"/exam/{exam.id}/picture/{label}" if has_picture(t["family"]) else None})
    return page(request, "exam_results.html", user=user, exam=exam, tasks=tasks,
                passed=passed(exam.german_grade) if exam.german_grade is not None else False)


@router.get("/exam/{exam_id}/picture/{label}")
def exam_picture(request: Request, exam_id: int, label: str, user: User = Depends(current_user)):
    exam = handed_in_exam(request, user, exam_id)
    for t in exam.plan["tasks"]:
        if str(t["label"]) == label:
            return picture_response(t["family"], int(t["seed"]))
    raise HTTPException(404)
