"""Practice answers to the programming tasks go through the course's queue (dlexam.queue.submissions:
the in-process pool by default, the workers with DLEXAM_BROKER_URL), so a training run in the sandbox
never holds a web request: the answer is queued, a waiting page reloads itself until the checks are
done, and then the grade becomes an attempt like any other (once per submission) and its result page
opens. The checks are the family's grade parts, as `grade-code` reports them.
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from dlexam.grading.grade import Grade, PartGrade
from dlexam.store import Attempt
from dlexam.store.users import User
from dlexam.web.auth import current_user, student_store
from dlexam.web.render import page

router = APIRouter()
_recording = threading.Lock()


def _database(request: Request) -> str:
    return request.app.state.store.location.url.render_as_string(hide_password=False)


def queue_answer(request: Request, user: User, name: str, seed: int, source: str) -> RedirectResponse:
    """Queue a (readable) code answer; the waiting page follows it."""
    from dlexam.queue.submissions import submit

    key = submit(name, "answer.py", source, student=user.name, seed=seed, database=_database(request))
    return RedirectResponse(f"/practice/code/{key}", status_code=303)


def grade_of(result: dict) -> Grade:
    """grade-code's object back as the family's Grade (its checks are the grade's parts)."""
    parts = [PartGrade(str(c["name"]), float(c["points"]), float(c["max_points"]), str(c.get("message", "")),
                       {"passed": bool(c.get("passed"))}) for c in result.get("checks", [])]
    if not parts:
        parts = [PartGrade("code", 0.0, float(result.get("max_score") or 0.0),
                           f"The code could not be graded: {result.get('error') or 'no checks ran'}.", {"passed": False})]
    return Grade(parts, error=result.get("error"))


@router.get("/practice/code/{key}")
def waiting(request: Request, key: str, user: User = Depends(current_user)):
    from dlexam.queue.rows import engine
    from dlexam.queue.submissions import view
    from dlexam.store.submissions import get

    if not key.isalnum() or len(key) > 64:
        raise HTTPException(404)
    sub = get(engine(_database(request)), key)
    if sub is None or sub.student != user.name or sub.seed is None:
        raise HTTPException(404)
    result = view(sub)
    if sub.status not in ("done", "failed"):
        return page(request, "code_waiting.html", user=user, state=sub.status, family=sub.family)
    return RedirectResponse(f"/attempts/{_record(request, user, sub, result)}", status_code=303)


def _record(request: Request, user: User, sub, result: dict) -> int:
    """The attempt of this submission, recorded on the first visit after it was graded."""
    from dlexam.tasks.registry import family

    store = student_store(request, user)
    with _recording:
        for attempt in store.attempts(sub.family):
            if attempt.answer.get("submission") == sub.key:
                return int(attempt.id)
        variant = family(sub.family).generate(int(sub.seed))
        grade = grade_of(result)
        answer = {"parts": {"code": sub.source}, "text": sub.source, "submission": sub.key}
        return store.record(Attempt(sub.family, int(sub.seed), variant.to_json(), answer, grade.to_json()))
