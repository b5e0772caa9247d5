"""The worked solution's picture, drawn by the family into a per-request temporary directory and
sent as bytes: nothing is written into the package or beside the store. Drawing is serialised
(matplotlib's pyplot is not thread-safe) and the last few pictures are kept in memory."""

from __future__ import annotations

import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import Response

from dlexam.tasks.registry import family

DRAWING = threading.Lock()      # every matplotlib drawing of the app holds it (pyplot's state is global)
MEDIA = {".png": "image/png", ".svg": "image/svg+xml"}


@lru_cache(maxsize=64)
def _drawn(name: str, seed: int) -> tuple[bytes, str] | None:
    fam = family(name)
    variant = fam.generate(seed)
    with DRAWING, tempfile.TemporaryDirectory(prefix="dlexam-picture-") as folder:
        drawn = fam.picture(variant, Path(folder) / f"{name}-{seed}.png")
        if drawn is None:
            return None
        drawn = Path(drawn)
        return drawn.read_bytes(), MEDIA.get(drawn.suffix.lower(), "application/octet-stream")


def has_picture(name: str) -> bool:
    """Whether the family draws its solution (it overrides TaskFamily.picture)."""
    from dlexam.tasks.model import TaskFamily

    return type(family(name)).picture is not TaskFamily.picture


def picture_response(name: str, seed: int) -> Response:
    drawn = _drawn(name, seed)
    if drawn is None:
        raise HTTPException(404)
    data, media = drawn
    return Response(data, media_type=media, headers={"Cache-Control": "private, max-age=3600"})
