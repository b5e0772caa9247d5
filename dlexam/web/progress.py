"""Progress: per exam task and family — attempts, score, when it is due, how likely it is remembered
(FSRS) — as `dlexam progress` shows it, and its plot of score over time (dlexam.exam.progress)."""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from dlexam.exam.progress import draw, family_rows, topic_rows, when_due
from dlexam.store.users import User
from dlexam.web.auth import current_user, student_store
from dlexam.web.pictures import DRAWING
from dlexam.web.render import page

router = APIRouter()


@router.get("/progress")
def progress(request: Request, user: User = Depends(current_user)):
    store = student_store(request, user)
    families = family_rows(store.progress())
    now = datetime.fromtimestamp(store.now(), timezone.utc)
    for row in families:
        row["due_text"] = when_due(row["due"], now, never="–")
    return page(request, "progress.html", user=user, families=families, topics=topic_rows(families))


@router.get("/progress/plot.svg")
def plot(request: Request, user: User = Depends(current_user)):
    families = family_rows(student_store(request, user).progress())
    with DRAWING, tempfile.TemporaryDirectory(prefix="dlexam-progress-") as folder:
        path = Path(folder) / "progress.svg"
        draw(families, path)
        return Response(path.read_bytes(), media_type="image/svg+xml")
