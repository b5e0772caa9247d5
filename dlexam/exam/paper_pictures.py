"""The key's pictures, drawn beside the typesetting: matplotlib pictures are most of what one exam's
paper costs (a second or more for a gradient field), and they do not depend on each other.

`start(tasks, root, workers)` begins drawing; with `workers` > 1 the pictures are drawn in that many
forked processes while the caller typesets the sheet, and `Pictures.wait()` collects them. A task
with a picture is also solved where it is drawn (its picture draws from the solution, which the
family caches), so the caller solves only the others and SymPy never loads in the caller. The
families that solve with SymPy are drawn in one job, so SymPy loads in one process only.
matplotlib (figure, canvases, font; the pictures do not use pyplot) is loaded before the fork, once.
With one worker (inside a pool that already builds exams side by side) they are drawn here, one
after the other. A picture that fails raises its error from `wait()`.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from dlexam.exam.paper_key import Drawn, draw_all
from dlexam.exam.paper_parts import PaperTask
from dlexam.tasks.model import Solution

SYMBOLIC = "dlexam.engines.calculus"   # a family that grades with it solves with SymPy


class Pictures:
    def __init__(self, done: list[Drawn], futures: list[Future] | None = None,
                 pool: ProcessPoolExecutor | None = None):
        self._done, self._futures, self._pool = done, futures or [], pool
        self.solutions: dict[str, Solution] = {}   # by label, of the tasks drawn: filled by `wait()`

    def wait(self) -> dict[str, str]:
        """{label: picture file relative to the Typst root} of the tasks that have a picture."""
        try:
            drawn = self._done + [d for f in self._futures for d in f.result()]
        finally:
            self.close()
        self.solutions = {label: solution for label, _, solution in drawn}
        return {label: file for label, file, _ in drawn if file}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def start(tasks: list[PaperTask], root: Path, workers: int) -> Pictures:
    drawing = [t for t in tasks if t.family.has_picture()]
    if workers <= 1 or len(drawing) <= 1:
        return Pictures(draw_all([_job(t) for t in drawing], root))
    warm_matplotlib()   # once here: the forked processes inherit it
    pool = ProcessPoolExecutor(max_workers=min(workers, len(drawing)), mp_context=multiprocessing.get_context("fork"))
    return Pictures([], [pool.submit(draw_all, job, root) for job in jobs(drawing)], pool)


def jobs(drawing: list[PaperTask]) -> list[list[tuple[str, dict, str]]]:
    """The symbolic families together (first: they take longest), then every other picture alone,
    task 3's field pictures first so the others fill the other worker."""
    symbolic = [_job(t) for t in drawing if SYMBOLIC in t.family.grading_modules]
    rest = sorted((t for t in drawing if SYMBOLIC not in t.family.grading_modules), key=lambda t: t.planned.task != 3)
    return ([symbolic] if symbolic else []) + [[_job(t)] for t in rest]


def _job(t: PaperTask) -> tuple[str, dict, str]:
    return t.family.name, t.variant.to_json(), t.planned.label


def warm_matplotlib() -> None:
    """Import what every picture needs and load its font, so forked drawers share them."""
    from matplotlib import font_manager
    from matplotlib.backends import backend_agg, backend_svg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401

    font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
