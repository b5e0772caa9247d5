"""The mock exam in the browser, on the terminal's ExamSession (dlexam.exam.session): the same plan
as `dlexam exam --seed N --plan`, the same fixed deadline, answers saved as entered (a fetch POST on
every change, or the form's buttons without JavaScript), resume by opening the exam again, and the
hand-in grading every task with its family (`ExamSession.hand_in`; no grading of its own here).

Sessions are kept per exam id while the exam is open, so a code answer keeps grading in the
background between requests; a new process rebuilds them from the store. Code answers are saved as
typed but sent to the sandbox only when the student moves on (the form's buttons) or hands in — not on
every pause in typing — through one grader for the whole app (two sandbox runs at a time), its keys
kept apart per exam.
"""

from __future__ import annotations

import random
import threading

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse

from dlexam.errors import InputError
from dlexam.exam.plan import MINUTES, plan
from dlexam.exam.session import CLOCK_POLICY, ExamSession, TimeUp
from dlexam.store import users
from dlexam.store.users import User
from dlexam.web.auth import current_user, student_store
from dlexam.web.forms import CODE_NOT_FILE, MAX_ANSWER, TOO_LONG, answer_text, file_name_instead_of_code
from dlexam.web.render import answer_input, page, question_html

router = APIRouter()
_sessions_lock = threading.Lock()
_grader_lock = threading.Lock()
_hand_in_locks: dict[int, threading.Lock] = {}
MAX_MINUTES = 600
CODE_WORKERS = 2


class _ExamKeys:
    """The app's BackgroundGrader seen by one exam: its keys (label, hash of the code) made unique."""

    def __init__(self, grader, exam_id: int):
        self.grader, self.exam_id = grader, exam_id

    def submit(self, key, job):
        return self.grader.submit((self.exam_id, key), job)

    def get(self, key):
        return self.grader.get((self.exam_id, key))

    def state(self, key) -> str:
        return self.grader.state((self.exam_id, key))


def _grader(request: Request, exam_id: int) -> _ExamKeys:
    from dlexam.exam.background import BackgroundGrader

    with _grader_lock:
        if getattr(request.app.state, "exam_grader", None) is None:
            request.app.state.exam_grader = BackgroundGrader(workers=CODE_WORKERS)
    return _ExamKeys(request.app.state.exam_grader, exam_id)


def _session(request: Request, user: User, exam_id: int) -> ExamSession | None:
    """The open exam `exam_id` of this student; None once handed in; 404 if not theirs."""
    store = request.app.state.store
    if users.exam_owner(store, exam_id) != user.name:
        raise HTTPException(404)
    sessions: dict[int, ExamSession] = request.app.state.exams
    with _sessions_lock:
        session = sessions.get(exam_id)
        if session is None:
            exam = store.exam(exam_id)
            if exam.handed_in is not None:
                return None
            session = sessions[exam_id] = ExamSession(student_store(request, user), exam,
                                                      grader=_grader(request, exam_id))
    return None if session.exam.handed_in is not None else session


def _safe_answer(session: ExamSession, label: str, text: str, submit: bool = True):
    """`session.answer`, except that a one-line code answer naming a .py file is refused: the terminal
    reads such a path from the student's own disk, which on a server would be the server's."""
    if len(text) > MAX_ANSWER:
        raise InputError(TOO_LONG)
    if file_name_instead_of_code(session.task(label)["family"], text):
        raise InputError(CODE_NOT_FILE)
    return session.answer(label, text, submit=submit)


def _hand_in(request: Request, session: ExamSession) -> RedirectResponse:
    """Hand in once: a second click (or the clock and a click together) waits and finds it done."""
    exam_id = session.exam.id
    with _sessions_lock:
        lock = _hand_in_locks.setdefault(exam_id, threading.Lock())
    with lock:
        if request.app.state.store.exam(exam_id).handed_in is None:
            session.hand_in(pictures=None)
        with _sessions_lock:
            request.app.state.exams.pop(exam_id, None)
            _hand_in_locks.pop(exam_id, None)
    return RedirectResponse(f"/exam/{exam_id}/results", status_code=303)


@router.get("/exam")
def exam_home(request: Request, user: User = Depends(current_user)):
    store = student_store(request, user)
    return page(request, "exam_start.html", user=user, open_exam=store.open_exam(),
                past=[e for e in store.exams() if e.handed_in is not None][::-1], policy=CLOCK_POLICY)


@router.post("/exam/start")
def start(request: Request, seed: str = Form(""), minutes: str = Form(""), user: User = Depends(current_user)):
    store = student_store(request, user)
    current = store.open_exam()
    if current is not None:
        return RedirectResponse(f"/exam/{current.id}", status_code=303)
    try:
        number = int(seed) if seed.strip() else random.randrange(2**32)
        length = int(minutes) if minutes.strip() else None
    except ValueError:
        raise InputError("The seed and the minutes are whole numbers.") from None
    if length is not None and not 0 < length <= MAX_MINUTES:
        raise InputError(f"An exam lasts 1 to {MAX_MINUTES} minutes.")
    exam_plan = plan(number, length or MINUTES).to_json()      # as ExamSession.start, without its own grader
    exam = store.start_exam(exam_plan, length or MINUTES)
    return RedirectResponse(f"/exam/{exam.id}/task/{exam.labels[0]}", status_code=303)


@router.get("/exam/{exam_id}")
def resume(request: Request, exam_id: int, user: User = Depends(current_user)):
    session = _session(request, user, exam_id)
    if session is None:
        return RedirectResponse(f"/exam/{exam_id}/results", status_code=303)
    unanswered = [label for label in session.labels if not session.answered(label)]
    return RedirectResponse(f"/exam/{exam_id}/task/{(unanswered or session.labels)[0]}", status_code=303)


@router.get("/exam/{exam_id}/task/{label}")
def task_page(request: Request, exam_id: int, label: str, user: User = Depends(current_user)):
    session = _session(request, user, exam_id)
    if session is None:
        return RedirectResponse(f"/exam/{exam_id}/results", status_code=303)
    if session.expired:
        return _hand_in(request, session)
    if label not in session.labels:
        raise HTTPException(404)
    fam, variant = session.family(label), session.variant(label)
    kind, context = answer_input(fam, variant)
    index = session.labels.index(label)
    return page(request, "exam_task.html", user=user, session=session, exam=session.exam, label=label,
                task=session.task(label), family=fam, variant=variant, body=question_html(fam, variant, kind),
                hint=fam.answer_hint(variant), kind=kind, input=context, answer_text=session.answers.get(label, ""),
                field_id=f"exam-{label.replace('.', '-')}", problem=session.problems.get(label),
                previous=session.labels[index - 1] if index > 0 else None,
                next=session.labels[index + 1] if index + 1 < len(session.labels) else None,
                deadline=int(session.exam.deadline.timestamp() * 1000))


@router.post("/exam/{exam_id}/answer")
def save(request: Request, exam_id: int, label: str = Body(...), text: str = Body(...),
         user: User = Depends(current_user)):
    """Save one answer as entered (fetch, JSON {label, text}); says whether it can be read."""
    session = _session(request, user, exam_id)
    if session is None:
        return JSONResponse({"saved": False, "handed_in": True, "results": f"/exam/{exam_id}/results"}, 409)
    if label not in session.labels:
        raise HTTPException(404)
    try:
        saved = _safe_answer(session, label, text, submit=False)
    except InputError as exc:
        return JSONResponse({"saved": False, "label": label, "problem": str(exc)}, 400)
    except TimeUp:
        _hand_in(request, session)
        return JSONResponse({"saved": False, "handed_in": True, "results": f"/exam/{exam_id}/results"}, 409)
    return {"saved": True, "label": label, "problem": saved.problem, "remaining": session.remaining(),
            "answered": [lab for lab in session.labels if session.answered(lab)]}


@router.post("/exam/{exam_id}/task/{label}")
def save_and_go(request: Request, exam_id: int, label: str, answer: list[str] = Form(default=[]),
                go: str = Form("next"), user: User = Depends(current_user)):
    """The form's buttons (works without JavaScript): save, then go to the next, previous or named task."""
    session = _session(request, user, exam_id)
    if session is None:
        return RedirectResponse(f"/exam/{exam_id}/results", status_code=303)
    if label not in session.labels:
        raise HTTPException(404)
    try:
        _safe_answer(session, label, answer_text(answer))
    except TimeUp:
        return _hand_in(request, session)
    index = session.labels.index(label)
    if go == "hand-in":
        return _hand_in(request, session)
    target = {"next": index + 1, "previous": index - 1}.get(go)
    if target is None:
        target = session.labels.index(go) if go in session.labels else index
    target = min(max(target, 0), len(session.labels) - 1)
    return RedirectResponse(f"/exam/{exam_id}/task/{session.labels[target]}", status_code=303)


@router.post("/exam/{exam_id}/hand-in")
def hand_in(request: Request, exam_id: int, user: User = Depends(current_user)):
    session = _session(request, user, exam_id)
    if session is None:
        return RedirectResponse(f"/exam/{exam_id}/results", status_code=303)
    return _hand_in(request, session)
