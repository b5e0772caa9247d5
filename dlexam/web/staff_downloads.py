"""Paper sheets and exports for the staff to download: the same functions as `dlexam paper` and
`dlexam export` (dlexam.exam.paper.write_papers, dlexam.exam.export.export), written into a
temporary folder and sent back — one PDF, or a zip of several; Moodle XML or a QTI zip. Bad
parameters get the page again with one sentence (400). The web caps the counts lower than the
commands (a request should finish in seconds): MAX_PAPERS exams, MAX_EXPORT variants per family."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from dlexam.errors import InputError
from dlexam.store.users import User
from dlexam.tasks.registry import FAMILIES
from dlexam.web.auth import require_staff
from dlexam.web.render import page

router = APIRouter(dependencies=[Depends(require_staff)])
MAX_PAPERS = 10
MAX_EXPORT = 50
WHAT = ("exam", "key", "both")


def _page(request: Request, user: User, error: str | None = None, status: int = 200):
    return page(request, "staff_downloads.html", status=status, user=user, error=error, families=list(FAMILIES),
                max_papers=MAX_PAPERS, max_export=MAX_EXPORT)


@router.get("/staff/downloads")
def downloads(request: Request, user: User = Depends(require_staff)):
    return _page(request, user)


def whole(raw: str, what: str, low: int, high: int, default: int | None = None) -> int:
    """`raw` as a whole number between low and high (one sentence naming `what` if not)."""
    raw = (raw or "").strip()
    if not raw and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{what} is a whole number from {low} to {high}, not {raw[:40]!r}.") from None
    if not low <= value <= high:
        raise InputError(f"{what} is a whole number from {low} to {high}, not {value}.")
    return value


def attachment(data: bytes, name: str, media: str) -> Response:
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/staff/paper")
def paper(request: Request, seed: str = "", variants: str = "1", what: str = "both",
          user: User = Depends(require_staff)):
    from dlexam.exam.paper import write_papers

    try:
        first = whole(seed, "The exam seed", 0, 2**32 - 1)
        count = whole(variants, "The number of exams", 1, MAX_PAPERS, 1)
        if what not in WHAT:
            raise InputError("Download the exam sheets, the answer keys, or both.")
        if first + count > 2**32:
            raise InputError(f"Seeds {first} to {first + count - 1} go past the largest seed 2**32 - 1.")
        with tempfile.TemporaryDirectory(prefix="dlexam-staff-paper-") as folder:
            # one process: forking the server's threads (ProcessPoolExecutor's default) is not safe
            papers = write_papers(first, count, Path(folder) / "out", workers=1)
            files = [p.exam for p in papers if what != "key"] + [p.key for p in papers if what != "exam"]
            if len(files) == 1:
                return attachment(files[0].read_bytes(), files[0].name, "application/pdf")
            return attachment(zip_of(files), f"papers-{first}-{first + count - 1}.zip", "application/zip")
    except InputError as exc:
        return _page(request, user, str(exc), 400)


def zip_of(files: list[Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.name)
    return buffer.getvalue()


@router.get("/staff/export")
def export(request: Request, format: str = "moodle", family: list[str] = Query(default=[]),
           variants: str = "10", seed: str = "0", user: User = Depends(require_staff)):
    from dlexam.exam.export import export as write_export

    try:
        if format not in ("moodle", "qti"):
            raise InputError("Export as Moodle XML (moodle) or a QTI 1.2 zip (qti).")
        unknown = [name for name in family if name not in FAMILIES]
        if unknown:
            raise InputError(f"There is no task family {unknown[0][:40]!r}.")
        count = whole(variants, "The number of variants", 1, MAX_EXPORT, 10)
        first = whole(seed, "The first seed", 0, 2**32 - 1, 0)
        name = f"dlexam-{format}-{first}.{'xml' if format == 'moodle' else 'zip'}"
        with tempfile.TemporaryDirectory(prefix="dlexam-staff-export-") as folder:
            target = Path(folder) / name
            write_export(format, family or None, count, first, str(target))
            data = target.read_bytes()
    except InputError as exc:
        return _page(request, user, str(exc), 400)
    return attachment(data, name, "application/xml" if format == "moodle" else "application/zip")
