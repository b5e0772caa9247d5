"""`dlexam export`: checks the request, builds Moodle XML or a QTI zip, writes it in one step
(to a temporary file beside it, then renamed), so bad input leaves nothing half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dlexam.errors import InputError
from dlexam.tasks.registry import family, names

MAX_VARIANTS = 200
SEED_SPACE = 2**32


def export(fmt: str, chosen: list[str] | None, variants: int, seed: int, out: str) -> int:
    if not 1 <= variants <= MAX_VARIANTS:
        raise InputError(f"--variants must be between 1 and {MAX_VARIANTS}, not {variants}.")
    if seed + variants > SEED_SPACE:
        raise InputError(f"Seeds {seed} to {seed + variants - 1} go past the largest seed 2**32 - 1.")
    families = [family(name) for name in dict.fromkeys(chosen or names())]
    target = Path(out)
    check_writable(target)
    if fmt == "moodle":
        from dlexam.exam.moodle import moodle_xml
        data, count = moodle_xml(families, range(seed, seed + variants))
    else:
        from dlexam.exam.qti import qti_zip
        data, count = qti_zip(families, range(seed, seed + variants))
    write_atomically(target, data)
    return count


def check_writable(target: Path) -> None:
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InputError(f"--out {target} is a folder; give a file name.")
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise InputError(f"--out {target} cannot be written: {folder} is not a writable folder.")


def write_atomically(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".dlexam-", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
