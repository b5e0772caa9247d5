"""Item analysis for the staff: per place of the mock exam (over handed-in exams, optionally of one
exam seed) and per multiple-choice question (over all answers, practice and exams). The statistics
and what they mean are in dlexam.exam.item_analysis; this page only picks the sittings and renders."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Depends, Request

from dlexam.errors import InputError
from dlexam.store import classroom
from dlexam.store.users import User
from dlexam.tasks.registry import FAMILIES, family
from dlexam.web.auth import require_staff
from dlexam.web.render import page

router = APIRouter(dependencies=[Depends(require_staff)])
TASK_NAMES = {1: "Multiple choice", 2: "Pieces and boundary", 3: "Gradient/bound or Hessian", 4: "RNN",
              5: "Programming"}
CHOICE_FAMILIES = tuple(name for name, (task, _) in FAMILIES.items() if task == 1)


@lru_cache(maxsize=4096)
def _data(name: str, seed: int) -> dict:
    return family(name).generate(seed).data


def variant_data(name: str, seed: int) -> dict:
    return _data(name, int(seed))


def exam_seed(raw: str | None) -> int | None:
    """The `seed` parameter: empty for every exam, else a whole number (one sentence if not)."""
    if raw is None or not raw.strip():
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        raise InputError(f"The exam seed is a whole number, not {raw.strip()[:40]!r}.") from None
    if not 0 <= value < 2**32:
        raise InputError("The exam seed is between 0 and 2**32 - 1.")
    return value


@router.get("/staff/items")
def items(request: Request, seed: str | None = None, user: User = Depends(require_staff)):
    from dlexam.exam.item_analysis import places, questions

    store = request.app.state.store
    chosen = exam_seed(seed)
    everyone = classroom.sittings(store)
    seeds: dict[int, int] = {}
    for sitting in everyone:
        seeds[sitting.seed] = seeds.get(sitting.seed, 0) + 1
    sittings = [s for s in everyone if chosen is None or s.seed == chosen]
    return page(request, "staff_items.html", user=user, seed=chosen, seeds=sorted(seeds.items()),
                sittings=len(sittings), places=places(sittings, variant_data),
                questions=questions(classroom.attempts(store), variant_data, CHOICE_FAMILIES),
                titles={n: family(n).title for n in FAMILIES}, task_names=TASK_NAMES)
