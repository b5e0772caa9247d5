"""Practice in the browser: pick by exam task, family, topic or what is due (the store's FSRS schedule,
as `dlexam practice` does), answer a question, see its grade at /attempts/{id} (results.py).

The question page shows the family's HTML and the answer input; the key stays on the server until
the answer is graded. A question that stands in the student's open mock exam is not offered here.
Code answers are queued for the sandbox (practice_code.py) instead of graded in the request.
"""

from __future__ import annotations

import random
from functools import cache

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from dlexam.errors import InputError
from dlexam.store import Attempt
from dlexam.store.users import User
from dlexam.tasks.registry import FAMILIES, family
from dlexam.tasks.typed_answer import read_answer
from dlexam.web.auth import current_user, student_store
from dlexam.web.forms import CODE_NOT_FILE, MAX_ANSWER, TOO_LONG, answer_text, file_name_instead_of_code
from dlexam.web.practice_code import queue_answer
from dlexam.web.render import answer_input, page, question_html

router = APIRouter()
SEED_SPACE = 2**32
CODE_TASK = 5
TASKS = {1: "Multiple choice", 2: "Pieces and decision boundary", 3: "Gradient and bound, or Hessian",
         4: "Backpropagation through an RNN", 5: "Programming (PyTorch)"}


@cache
def concept_topics() -> list[str]:
    from dlexam.tasks.concepts import bank

    return sorted({q["topic"] for q in bank().values()})


@router.get("/practice")
def choose(request: Request, user: User = Depends(current_user)):
    store = student_store(request, user)
    now = store.now()
    due = sorted((p.due, p.family) for p in store.progress() if p.due is not None and p.due <= now)
    by_task = {task: [n for n, (t, _) in FAMILIES.items() if t == task] for task in TASKS}
    return page(request, "practice.html", user=user, tasks=TASKS, by_task=by_task, topics=concept_topics(),
                due=[name for _, name in due], titles={n: family(n).title for n in FAMILIES})


@router.get("/practice/next")
def next_question(request: Request, task: int | None = None, family_name: str | None = Query(None, alias="family"),
                  topic: str | None = None, user: User = Depends(current_user)):
    """A fresh variant: of a family, of an exam task's families, on a concept topic, or (nothing
    given) what the schedule asks next — due first, new families in between."""
    rng = random.Random()
    if topic is not None:
        if topic not in concept_topics():
            raise HTTPException(404)
        return _go("concepts", _concept_seed(rng, topic))
    names = list(FAMILIES)
    if family_name is not None:
        names = [n for n in names if n == family_name]
    if task is not None:
        names = [n for n in names if FAMILIES[n][0] == task]
    if not names:
        raise HTTPException(404)
    store = student_store(request, user)
    turn = rng.randrange(2)
    name = store.next_family(names, turn, lambda new: rng.choice(new))
    return _go(name, rng.randrange(SEED_SPACE))


def _go(name: str, seed: int) -> RedirectResponse:
    return RedirectResponse(f"/practice/{name}/{seed}", status_code=303)


def _concept_seed(rng: random.Random, topic: str) -> int:
    concepts = family("concepts")
    for _ in range(5000):
        seed = rng.randrange(SEED_SPACE)
        if concepts.generate(seed).data["subject"] == topic:
            return seed
    raise HTTPException(404)


def _posed(request: Request, user: User, name: str, seed: int):
    """The family and variant, unless unknown or part of this student's open mock exam (404 both)."""
    if name not in FAMILIES or not 0 <= seed < SEED_SPACE:
        raise HTTPException(404)
    exam = student_store(request, user).open_exam()
    if exam is not None and any(t["family"] == name and int(t["seed"]) == seed for t in exam.plan["tasks"]):
        raise HTTPException(404)
    fam = family(name)
    return fam, fam.generate(seed)


@router.get("/practice/{name}/{seed}")
def question(request: Request, name: str, seed: int, user: User = Depends(current_user)):
    fam, variant = _posed(request, user, name, seed)
    return _question_page(request, user, fam, variant)


def _question_page(request, user, fam, variant, text: str = "", error: str | None = None, status: int = 200):
    kind, context = answer_input(fam, variant)
    return page(request, "question.html", status=status, user=user, family=fam, variant=variant,
                body=question_html(fam, variant, kind), hint=fam.answer_hint(variant), kind=kind, input=context,
                answer_text=text, field_id="practice", error=error)


@router.post("/practice/{name}/{seed}")
def answer(request: Request, name: str, seed: int, answer: list[str] = Form(default=[]),
           user: User = Depends(current_user)):
    fam, variant = _posed(request, user, name, seed)
    text = answer_text(answer)
    if not text.strip():
        return _question_page(request, user, fam, variant, text, "Enter an answer first.", 400)
    if len(text) > MAX_ANSWER:
        return _question_page(request, user, fam, variant, "", TOO_LONG, 413)
    if file_name_instead_of_code(name, text):
        return _question_page(request, user, fam, variant, text, CODE_NOT_FILE, 400)
    try:
        parsed = read_answer(fam, variant, text)
    except InputError as exc:
        return _question_page(request, user, fam, variant, text, str(exc), 400)
    if FAMILIES[name][0] == CODE_TASK:      # the sandbox through the queue, not in this request
        code = parsed.parts.get("code")
        if not isinstance(code, str):
            return _question_page(request, user, fam, variant, text, "The answer holds no code.", 400)
        return queue_answer(request, user, name, seed, code)
    try:
        graded = fam.grade(variant, parsed)
    except InputError as exc:
        return _question_page(request, user, fam, variant, text, str(exc), 400)
    store = student_store(request, user)
    attempt_id = store.record(Attempt(name, seed, variant.to_json(), {**parsed.to_json(), "text": text},
                                      graded.to_json()))
    return RedirectResponse(f"/attempts/{attempt_id}", status_code=303)
