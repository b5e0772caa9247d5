"""`dlexam paper`: the exam sheet and its answer key as PDF, typeset with Typst's Python package
(which ships the compiler and its maths fonts: no TeX, nothing downloaded).

For seeds N … N+K−1 it writes `exam-<s>.pdf` and `key-<s>.pdf` into the output folder. Every
file is built in a hidden staging folder inside it and moved into place only when all of them
compiled, so bad input or a failure leaves nothing half-written.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import typst

from dlexam.errors import InputError
from dlexam.exam import paper_key, paper_pictures, paper_sheet
from dlexam.exam.paper_page import preamble, qr_codes
from dlexam.exam.paper_parts import paper_task
from dlexam.exam.plan import SEED_SPACE, plan

MAX_VARIANTS = 500
PAGES_GUESS = 14
PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


@dataclass(frozen=True)
class Paper:
    seed: int
    exam: Path
    key: Path
    pages: int            # of the exam sheet

    def to_json(self) -> dict:
        return {"seed": self.seed, "exam": str(self.exam), "key": str(self.key), "pages": self.pages}


def check_request(seed: int, variants: int) -> None:
    if not 1 <= variants <= MAX_VARIANTS:
        raise InputError(f"--variants must be between 1 and {MAX_VARIANTS}, not {variants}.")
    if seed + variants > SEED_SPACE:
        raise InputError(f"Seeds {seed} to {seed + variants - 1} go past the largest seed 2**32 - 1.")


def write_papers(seed: int, variants: int, out: str | Path, workers: int | None = None) -> list[Paper]:
    """Sheets and keys of the exams seed … seed+variants−1 in `out` (created if missing)."""
    check_request(seed, variants)
    folder, created = writable_folder(Path(out))
    staging = Path(tempfile.mkdtemp(prefix=".dlexam-paper-", dir=folder))
    try:
        built = _build_all(range(seed, seed + variants), staging, workers)
        return [_publish(paper, folder) for paper in built]
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def writable_folder(out: Path) -> tuple[Path, bool]:
    """`out` as an existing, writable folder (made if missing), and whether it was made here."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file, not a folder.")
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.TemporaryFile(dir=out)
        probe.close()
    except OSError as exc:
        raise InputError(f"--out {out} cannot be written ({exc.strerror or type(exc).__name__}).") from None
    return out, created


def _build_all(seeds: range, staging: Path, workers: int | None) -> list[Paper]:
    workers = workers if workers is not None else os.cpu_count() or 1
    if len(seeds) == 1:   # one exam: its pictures are drawn side by side instead
        return [build(seeds[0], staging, workers)]
    workers = min(workers, len(seeds))
    if workers <= 1:
        return [build(s, staging) for s in seeds]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(build, seeds, [staging] * len(seeds)))


def build(seed: int, folder: Path, picture_workers: int = 1) -> Paper:
    """Typeset the sheet and key of exam `seed` into `folder`; the key's pictures are drawn (and
    their tasks solved) in `picture_workers` processes while the sheet typesets (`paper_pictures`)."""
    exam_plan = plan(seed)
    tasks = [paper_task(t) for t in exam_plan.tasks]
    root = folder / f"build-{seed}"
    root.mkdir()
    drawing = paper_pictures.start(tasks, root, picture_workers)   # solves the tasks it draws
    try:
        solutions = paper_key.solve_all([t for t in tasks if not t.family.has_picture()])
        sheet, pages = typeset("exam", seed, paper_sheet.sheet(exam_plan, tasks), root)
        pictures = drawing.wait()
    finally:
        drawing.close()
    solutions |= drawing.solutions
    key, _ = typeset("key", seed, paper_key.key(exam_plan, tasks, pictures, solutions), root)
    exam_file, key_file = folder / f"exam-{seed}.pdf", folder / f"key-{seed}.pdf"
    exam_file.write_bytes(sheet)
    key_file.write_bytes(key)
    shutil.rmtree(root, ignore_errors=True)
    return Paper(seed, exam_file, key_file, pages)


def typeset(kind: str, seed: int, body: str, root: Path) -> tuple[bytes, int]:
    """The PDF and its page count, a QR code on every page: codes for PAGES_GUESS pages, and a
    second pass only for a document longer than that (the QR box keeps the layout the same)."""
    pdf = compile_pdf(preamble(kind, seed, qr_codes(kind, seed, PAGES_GUESS)) + body, root)
    pages = count_pages(pdf)
    if pages > PAGES_GUESS:
        pdf = compile_pdf(preamble(kind, seed, qr_codes(kind, seed, pages)) + body, root)
    return pdf, pages


def compile_pdf(source: str, root: Path) -> bytes:
    main = root / "main.typ"
    main.write_text(source, encoding="utf-8")
    return typst.compile(str(main), root=str(root))


def count_pages(pdf: bytes) -> int:
    return len(PAGE.findall(pdf))


def _publish(paper: Paper, folder: Path) -> Paper:
    exam, key = folder / paper.exam.name, folder / paper.key.name
    os.replace(paper.exam, exam)
    os.replace(paper.key, key)
    return Paper(paper.seed, exam, key, paper.pages)
