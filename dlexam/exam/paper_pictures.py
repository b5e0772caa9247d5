"""The key's pictures, drawn beside the typesetting: matplotlib pictures are most of what one exam's
paper costs (a second or more for a gradient field), and they do not depend on each other.

`start(tasks, root, workers)` begins drawing; with `workers` > 1 the pictures are drawn in that many
forked processes while the caller typesets the sheet, and `Pictures.wait()` collects them. pyplot is
imported before the fork (and SymPy by the caller, who solves the key first), so each is loaded once,
not in every process. With one worker (inside a pool that already builds exams side by side) they are
drawn here, one after the other. A picture that fails raises its error from `wait()`.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from dlexam.exam.paper_key import draw, draw_picture
from dlexam.exam.paper_parts import PaperTask


class Pictures:
    def __init__(self, done: dict[str, str | None], futures: dict[str, Future] | None = None,
                 pool: ProcessPoolExecutor | None = None):
        self._done, self._futures, self._pool = done, futures or {}, pool

    def wait(self) -> dict[str, str]:
        """{label: picture file relative to the Typst root} of the tasks that have a picture."""
        try:
            drawn = {**self._done, **{label: f.result() for label, f in self._futures.items()}}
        finally:
            self.close()
        return {label: file for label, file in drawn.items() if file}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def start(tasks: list[PaperTask], root: Path, workers: int) -> Pictures:
    drawing = [t for t in tasks if t.family.has_picture()]
    if workers <= 1 or len(drawing) <= 1:
        return Pictures({t.planned.label: draw_picture(t, root) for t in drawing})
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401 - once here: the forked processes inherit it
    pool = ProcessPoolExecutor(max_workers=min(workers, len(drawing)), mp_context=multiprocessing.get_context("fork"))
    # task 3's field pictures take longest: started first, so the others fill the other worker
    ordered = sorted(drawing, key=lambda t: t.planned.task != 3)
    futures = {t.planned.label: pool.submit(draw, t.family.name, t.variant.to_json(), t.planned.label, root)
               for t in ordered}
    return Pictures({}, futures, pool)
