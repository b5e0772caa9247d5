"""Code answers from the browser: POST /code/submit queues the source for the sandboxed grader
(dlexam.queue.submissions: the in-process pool, or the queue's workers with DLEXAM_BROKER_URL) and
answers at once with its key; GET /code/{key} is its status, then grade-code's object with the checks.

A submission belongs to the student who sent it: anyone else asking for its key gets 404, as for
an unknown key. A task of the student's open mock exam is not run before hand-in (404, as the
practice pages refuse it). The source must be the code itself — a one-line `something.py` would make the
family's reader open a file on the server, so it is refused here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from dlexam.errors import InputError
from dlexam.store.users import User
from dlexam.tasks.registry import FAMILIES, family
from dlexam.web.auth import current_user, student_store
from dlexam.web.inputs import CODE_FAMILIES

router = APIRouter()
MAX_SOURCE = 100_000     # characters; grade-code's own limit is in bytes and checked again
MAX_PENDING = 2          # a student's submissions queued or running at once (each one is a sandbox run)


class CodeRequest(BaseModel):
    family: str = Field(max_length=40)
    seed: int = Field(ge=0, lt=2**32)
    source: str = Field(max_length=MAX_SOURCE)


def database(request: Request) -> str:
    """The app's store, where the submission rows go (the same database the pages read)."""
    return request.app.state.store.location.url.render_as_string(hide_password=False)


@router.post("/code/submit")
def submit(body: CodeRequest, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    if body.family not in FAMILIES or body.family not in CODE_FAMILIES or _in_open_exam(request, user, body):
        raise HTTPException(404)
    source = body.source.strip()
    if "\n" not in source:
        return {"key": None, "error": "Paste the code itself (a whole function), not a file name."}
    fam = family(body.family)
    try:
        fam.parse_answer(fam.generate(body.seed), source)     # syntax and the function, before queueing
    except InputError as exc:
        return {"key": None, "error": str(exc)}
    from dlexam.queue.submissions import submit as queue

    pending = _pending(request, user.name)
    if len(pending) >= MAX_PENDING:
        return {"key": None, "error": f"{len(pending)} of your runs are still being checked; wait for them first."}
    key = queue(body.family, "answer.py", body.source, student=user.name, seed=body.seed,
                database=database(request))
    pending.append(key)
    return {"key": key, "error": None}


def _in_open_exam(request: Request, user: User, body: CodeRequest) -> bool:
    """A task of the student's open mock exam is checked at hand-in, not before (as practice refuses it)."""
    exam = student_store(request, user).open_exam()
    return exam is not None and any(t["family"] == body.family and int(t["seed"]) == body.seed
                                    for t in exam.plan["tasks"])


def _pending(request: Request, student: str) -> list[str]:
    """The student's submissions from this app still queued or running (the finished ones dropped)."""
    from dlexam.queue.rows import engine
    from dlexam.store.submissions import many

    state = request.app.state
    if not hasattr(state, "code_pending"):
        state.code_pending = {}
    by_student = state.code_pending
    keys = by_student.setdefault(student, [])
    rows = many(engine(database(request)), keys) if keys else {}
    keys[:] = [k for k in keys if k in rows and rows[k].status in ("queued", "running")]
    return keys


@router.get("/code/{key}")
def status(key: str, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """{"status": "queued" | "running"} until graded; then grade-code's object (score, checks)."""
    from dlexam.queue.rows import engine
    from dlexam.queue.submissions import view
    from dlexam.store.submissions import get

    if not key.isalnum() or len(key) > 64:
        raise HTTPException(404)
    sub = get(engine(database(request)), key)
    if sub is None or sub.student != user.name:
        raise HTTPException(404)
    result = view(sub)
    result.setdefault("status", "done")
    return result
