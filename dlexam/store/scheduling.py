"""Spaced repetition with FSRS (py-fsrs): which family to practise next.

One card per (student, family), not per variant or per concept-bank topic: every question is a
fresh variant of its family, so what is remembered or forgotten is how to do that kind of task,
and the family is the unit the exam, `grade` and `progress` all speak of. (A concept-bank topic
would be a finer card for task 1; it can be added as its own card key without changing this.)

A grade's share of the points becomes a rating:

    share of points   rating   what happens to a new card (default steps 1 min, 10 min)
    below 0.5         Again    back after 1 minute: within the session
    0.5 to < 0.8      Hard     back after about 5 minutes
    0.8 to < 1        Good     back after 10 minutes, then it graduates
    full marks        Easy     graduates at once: back after days, fading from the session

Full marks on a variant never seen before shows the skill, not a remembered answer: Easy.
Fuzzing is off, so a fixed clock gives a fixed schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache

AGAIN_BELOW, HARD_BELOW = 0.5, 0.8


@dataclass(frozen=True)
class Review:
    """A family's review state as stored: the FSRS card as a dict, and what queries need."""
    family: str
    card: dict
    due: float           # seconds since the epoch
    last_review: float | None
    reviews: int
    lapses: int

    @property
    def due_at(self) -> datetime:
        return datetime.fromtimestamp(self.due, timezone.utc)


@cache
def scheduler():
    from fsrs import Scheduler
    return Scheduler(enable_fuzzing=False)


def rating(share: float):
    """The FSRS rating of a grade that earned `share` (0..1) of its points."""
    from fsrs import Rating
    if share < AGAIN_BELOW:
        return Rating.Again
    if share < HARD_BELOW:
        return Rating.Hard
    return Rating.Good if share < 1 - 1e-9 else Rating.Easy


def review(previous: Review | None, family: str, share: float, at: float) -> Review:
    """The review state after a grade with `share` of the points at time `at` (epoch seconds)."""
    from fsrs import Card, Rating
    when = datetime.fromtimestamp(at, timezone.utc)
    card = Card.from_dict(previous.card) if previous else Card(card_id=1, due=when)
    if card.last_review is not None and when < card.last_review:
        when = card.last_review        # a clock that went back: review at the last review's time
    grade = rating(share)
    card, _ = scheduler().review_card(card, grade, when)
    reviews = previous.reviews + 1 if previous else 1
    lapses = (previous.lapses if previous else 0) + (grade == Rating.Again)
    return Review(family, card.to_dict(), card.due.timestamp(), when.timestamp(), reviews, lapses)


def retrievability(state: Review, at: float) -> float:
    """FSRS's probability that the family is remembered at time `at`."""
    from fsrs import Card
    when = datetime.fromtimestamp(at, timezone.utc)
    return float(scheduler().get_card_retrievability(Card.from_dict(state.card), when))


def next_family(names: Sequence[str], due: Mapping[str, float], at: float, turn: int,
                choose_new: Callable[[list[str]], str], avoid: Collection[str] = ()) -> str:
    """The family to ask next, from `names` less those to `avoid` (the one just asked, the ones
    skipped) unless nothing else is left; `due` maps every family seen so far to its due time:

    1. a family that is due (the longest overdue first), except that every other turn (odd
       `turn`) a family never seen before comes in between, while there are any (`choose_new`
       picks it);
    2. with nothing due, a new family;
    3. with nothing due and nothing new, the one due soonest.
    """
    names = [n for n in names if n not in avoid] or list(names)
    overdue = sorted((due[n], n) for n in names if n in due and due[n] <= at)
    new = [n for n in names if n not in due]
    if new and (not overdue or turn % 2 == 1):
        return choose_new(new)
    if overdue:
        return overdue[0][1]
    return min(names, key=lambda n: (due[n], n))
