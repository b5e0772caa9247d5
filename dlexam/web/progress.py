"""Progress: per exam task and family — attempts, score, when it is due, how likely it is remembered
(FSRS) — as `dlexam progress` shows it, and its plot of score over time (dlexam.exam.progress)."""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from dlexam.exam.progress import draw, family_rows, topic_rows
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
        row["due_text"] = _when(row["due"], now)
    return page(request, "progress.html", user=user, families=families, topics=topic_rows(families))


@router.get("/progress/plot.svg")
def plot(request: Request, user: User = Depends(current_user)):
    families = family_rows(student_store(request, user).progress())
    with DRAWING, tempfile.TemporaryDirectory(prefix="dlexam-progress-") as folder:
        path = Path(folder) / "progress.svg"
        draw(families, path)
        return Response(path.read_bytes(), media_type="image/svg+xml")


def _when(due: str | None, now: datetime) -> str:
    if due is None:
        return "–"
    seconds = (datetime.fromisoformat(due) - now).total_seconds()
    if seconds <= 0:
        return "now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            return f"in {count} {unit}{'s' if count != 1 else ''}"
    return "in a minute"
