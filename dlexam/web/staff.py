"""The staff's pages (a `staff` account: `dlexam user add NAME --staff`): the class's results per
exam task, family and student; the item analysis (staff_items.py); the answers flagged for a human
look; batch uploads of code (staff_uploads.py); paper sheets and exports (staff_downloads.py).

Every route depends on `require_staff`: a student gets 403 on each, signed-out visitors are sent to
sign in. The computations are plain functions below (dlexam.exam.class_results, item_analysis) over
the class's rows (dlexam.store.classroom); these modules only read the request and render.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request

from dlexam.store import classroom
from dlexam.store.users import User
from dlexam.tasks.registry import FAMILIES, family
from dlexam.web import staff_downloads, staff_items, staff_uploads
from dlexam.web.auth import require_staff
from dlexam.web.render import page

router = APIRouter(dependencies=[Depends(require_staff)])


def titles() -> dict[str, str]:
    return {name: family(name).title for name in FAMILIES}


@router.get("/staff")
def class_results(request: Request, user: User = Depends(require_staff)):
    from dlexam.exam import class_results as results

    store = request.app.state.store
    attempts, sittings = classroom.attempts(store), classroom.sittings(store)
    return page(request, "staff_home.html", user=user, families=results.by_family(attempts),
                tasks=results.by_task(sittings), summary=results.exams_summary(sittings),
                students=results.by_student(attempts, sittings), titles=titles(),
                task_names=staff_items.TASK_NAMES)


@router.get("/staff/flagged")
def flagged(request: Request, user: User = Depends(require_staff)):
    from dlexam.exam.class_results import flags

    store = request.app.state.store
    return page(request, "staff_flagged.html", user=user, titles=titles(),
                flags=flags(classroom.attempts(store), classroom.flagged_submissions(store)))


@router.get("/staff/attempts/{attempt_id}")
def attempt(request: Request, attempt_id: int, user: User = Depends(require_staff)):
    """Any student's attempt with its grade: what a flagged answer links to."""
    from dlexam.exam.class_results import reasons

    found = classroom.attempt(request.app.state.store, attempt_id)
    if found is None or found.family not in FAMILIES:
        raise HTTPException(404)
    return page(request, "staff_attempt.html", user=user, attempt=found, title=family(found.family).title,
                reasons=reasons(found.grade))


@router.get("/staff/submissions/{key}")
def submission(request: Request, key: str, user: User = Depends(require_staff)):
    """Any code submission (an upload's file, a student's code answer): its source, checks and sandbox report."""
    from dlexam.exam.class_results import reasons
    from dlexam.queue.rows import engine
    from dlexam.queue.submissions import view
    from dlexam.store.submissions import get

    if not key.isalnum() or len(key) > 64:
        raise HTTPException(404)
    found = get(engine(staff_uploads.database(request)), key)
    if found is None:
        raise HTTPException(404)
    result = view(found)
    return page(request, "staff_submission.html", user=user, sub=found, result=result, reasons=reasons(result))


router.include_router(staff_items.router)
router.include_router(staff_uploads.router)
router.include_router(staff_downloads.router)
