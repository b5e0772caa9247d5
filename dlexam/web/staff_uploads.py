"""Batch upload of code submissions: several .py files for one programming task, queued at once with
dlexam.queue.submissions.submit_many (the in-process pool, or the queue's workers with
DLEXAM_BROKER_URL) under a batch name; the batch's page polls its progress and shows each file's
points as it finishes.

An upload is refused whole, with one sentence, when a file is not a .py file, is larger than 1 MB or
is not UTF-8 text, when it holds more than MAX_FILES files, or names no programming task. The rows
carry no student (staff uploads are not any student's): only staff pages show them.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import PurePosixPath, PureWindowsPath

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from dlexam.errors import InputError
from dlexam.store import classroom
from dlexam.store.users import User
from dlexam.web.auth import require_staff
from dlexam.web.render import page
from dlexam.web.staff_downloads import whole

router = APIRouter(dependencies=[Depends(require_staff)])
MAX_FILES = 100
MAX_BYTES = 1 << 20
PREFIX = "upload-"
BATCH = re.compile(r"upload-[0-9]{8}-[0-9]{6}-[0-9a-f]{8}")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def database(request: Request) -> str:
    return request.app.state.store.location.url.render_as_string(hide_password=False)


def programming_families() -> list[str]:
    from dlexam.queue.submissions import families

    return families()


def _page(request: Request, user: User, error: str | None = None, status: int = 200, family: str = ""):
    return page(request, "staff_uploads.html", status=status, user=user, error=error, chosen=family,
                families=programming_families(), max_files=MAX_FILES,
                batches=classroom.batches(request.app.state.store, PREFIX))


@router.get("/staff/uploads")
def uploads(request: Request, user: User = Depends(require_staff)):
    return _page(request, user)


def file_name(raw: str | None) -> str:
    """The file's own name (no folders a browser may send), cleaned for showing."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    return _UNSAFE.sub("", name)[-120:]


async def read_files(items: list) -> list[tuple[str, str]]:
    """(name, text) of each uploaded file; InputError naming the first file that is refused."""
    files = [item for item in items if isinstance(item, UploadFile) and (item.filename or item.size)]
    if not files:
        raise InputError("Choose at least one .py file to upload.")
    if len(files) > MAX_FILES:
        raise InputError(f"At most {MAX_FILES} files go in one upload; this one has {len(files)}.")
    out = []
    for item in files:
        name = file_name(item.filename)
        if not name.lower().endswith(".py") or name.lower() == ".py":
            raise InputError(f"Only Python files (.py) are graded; {name or 'a file without a name'!r} is not one.")
        data = await item.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(f"{name!r} is larger than 1 MB; a submission is at most 1 MB.")
        try:
            out.append((name, data.decode("utf-8")))
        except UnicodeDecodeError:
            raise InputError(f"{name!r} is not UTF-8 text.") from None
    return out


@router.post("/staff/uploads")
async def upload(request: Request, user: User = Depends(require_staff)):
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    chosen = str(form.get("family") or "")
    try:
        if chosen not in programming_families():
            raise InputError(f"Pick a programming task: {', '.join(programming_families())}.")
        raw_seed = str(form.get("seed") or "").strip()
        seed = whole(raw_seed, "The variant seed", 0, 2**32 - 1) if raw_seed else None
        files = await read_files(form.getlist("files"))
        batch = f"{PREFIX}{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(4)}"
        await run_in_threadpool(_submit, chosen, files, batch, seed, database(request))
    except InputError as exc:
        return await run_in_threadpool(_page, request, user, str(exc), 400, chosen)
    return RedirectResponse(f"/staff/uploads/{batch}", status_code=303)


def _submit(family: str, files: list[tuple[str, str]], batch: str, seed: int | None, db: str) -> None:
    from dlexam.queue.submissions import submit_many

    submit_many(family, files, batch=batch, seed=seed, database=db)


def batch_state(db: str, batch: str) -> dict:
    """{"counts": {done, queued, running, failed}, "files": [...], "finished": bool} of a batch.

    The counts and `finished` come from the very rows the files are shown from (one read), so a file that
    finishes grading while this runs cannot make the batch "finished" with that file still shown queued:
    the page stops polling at `finished` and would keep showing it so."""
    from dlexam.queue.rows import engine
    from dlexam.store.submissions import STATUSES, batch_keys, many

    made = engine(db)
    keys = batch_keys(made, batch)
    rows = many(made, keys)
    files = []
    for key in keys:
        sub = rows[key]
        result = sub.result or {}
        files.append({"file": sub.filename, "key": sub.key, "status": sub.status, "score": result.get("score"),
                      "max_score": result.get("max_score"), "error": sub.error or result.get("error"),
                      "flagged": bool((result.get("sandbox") or {}).get("flagged")), "family": sub.family})
    counts = {status: sum(f["status"] == status for f in files) for status in STATUSES}
    return {"counts": counts, "files": files, "finished": counts["queued"] + counts["running"] == 0}


def _batch(batch: str) -> str:
    if not BATCH.fullmatch(batch):
        raise HTTPException(404)
    return batch


@router.get("/staff/uploads/{batch}")
def batch_page(request: Request, batch: str, user: User = Depends(require_staff)):
    state = batch_state(database(request), _batch(batch))
    if not state["files"]:
        raise HTTPException(404)
    return page(request, "staff_upload.html", user=user, batch=batch, state=state)


@router.get("/staff/uploads/{batch}/progress")
def batch_progress(request: Request, batch: str, user: User = Depends(require_staff)) -> dict:
    return batch_state(database(request), _batch(batch))
