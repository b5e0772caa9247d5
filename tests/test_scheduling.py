"""Scheduling with a fixed clock: a family answered wrong comes back within the session, one
answered right fades; practice asks what is due first with new families interleaved."""

import random
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Rating

from dlexam.commands import practice
from dlexam.store import Attempt, Store
from dlexam.store.scheduling import next_family, rating, review

START = datetime(2026, 5, 4, 8, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now=START):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


def _answer(store, family, share, max_points=6.0):
    store.record(Attempt(family, 1, {}, {}, {"points": share * max_points, "max_points": max_points, "parts": []}))


def _first_new(new):
    return sorted(new)[0]


@pytest.mark.parametrize(("share", "expected"), [
    (0.0, Rating.Again), (0.49, Rating.Again), (0.5, Rating.Hard), (0.79, Rating.Hard),
    (0.8, Rating.Good), (0.99, Rating.Good), (1.0, Rating.Easy)])
def test_a_grades_share_of_points_maps_to_a_rating(share, expected):
    assert rating(share) == expected


def test_wrong_comes_back_within_the_session_and_right_fades(tmp_path):
    clock = Clock()
    names = ["pieces", "rnn", "hessian"]
    with Store(tmp_path / "s.db", clock=clock) as store:
        _answer(store, "pieces", 1 / 6)                 # wrong
        _answer(store, "rnn", 1.0)                      # right
        clock.advance(minutes=2)
        # the wrong one is due after a minute: asked before anything else on an even turn
        assert store.next_family(names, 2, _first_new) == "pieces"
        reviews = store.reviews()
        assert reviews["pieces"].due_at <= START + timedelta(minutes=1)
        assert reviews["rnn"].due_at >= START + timedelta(days=3)      # right: gone for days
        _answer(store, "pieces", 0.0)                   # wrong again: back again within minutes
        assert store.reviews()["pieces"].due_at <= clock.now + timedelta(minutes=10)
        clock.advance(minutes=15)
        _answer(store, "hessian", 1.0)
        assert store.next_family(names, 4, _first_new) == "pieces"
        # right answers make it fade: after two misses, not before tomorrow
        for _ in range(3):
            _answer(store, "pieces", 1.0)
            clock.advance(minutes=1)
        assert store.reviews()["pieces"].due_at > clock.now + timedelta(hours=20)
        clock.advance(days=2)
        progress = {p.family: p for p in store.progress()}
        assert progress["rnn"].retrievability > 0.85
        assert progress["rnn"].due > clock.now.timestamp()


def test_fading_is_slower_the_more_often_it_was_right(tmp_path):
    clock = Clock()
    with Store(tmp_path / "s.db", clock=clock) as store:
        intervals = []
        for _ in range(4):
            _answer(store, "rnn", 1.0)
            due = store.reviews()["rnn"].due_at
            intervals.append(due - clock.now)
            clock.now = due
        assert intervals == sorted(intervals) and intervals[-1] > timedelta(days=30)
        _answer(store, "rnn", 0.0)                       # forgotten: relearning, back within the session
        assert store.reviews()["rnn"].due_at - clock.now <= timedelta(minutes=10)
        assert store.reviews()["rnn"].lapses == 1


def test_due_first_longest_overdue_first_and_new_families_every_other_turn():
    at = START.timestamp()
    states = {f: s.due for f, s in {"a": review(None, "a", 0.0, at - 600), "b": review(None, "b", 0.0, at - 300),
                                    "c": review(None, "c", 1.0, at - 300)}.items()}
    names = ["a", "b", "c", "new1", "new2"]
    assert next_family(names, states, at, 0, _first_new) == "a"           # longest overdue
    assert next_family(names, states, at, 1, _first_new) == "new1"        # odd turn: a new one in between
    assert next_family(names, states, at, 2, _first_new, avoid={"a"}) == "b"
    assert next_family(["a", "b", "c"], states, at, 1, _first_new) == "a"  # nothing new: due still first
    assert next_family(["c", "new1"], states, at, 0, _first_new) == "new1"  # nothing due: new
    assert next_family(["c"], states, at, 0, _first_new, avoid={"c"}) == "c"  # the only one left


def test_nothing_due_and_nothing_new_asks_the_soonest_due_but_not_the_last_one():
    at = START.timestamp()
    states = {f: review(None, f, share, at).due for f, share in (("a", 1.0), ("b", 0.9), ("c", 0.6))}
    assert next_family(["a", "b", "c"], states, at + 1, 0, _first_new) == "c"      # Hard: due soonest
    assert next_family(["a", "b", "c"], states, at + 1, 0, _first_new, avoid={"c"}) == "b"


def test_practice_brings_a_wrong_family_back_within_the_session(tmp_path, monkeypatch):
    """`practice`'s own pick, on the store with a fixed clock: one family answered wrong, then the
    new ones interleaved, then the wrong one again before the rest."""
    clock = Clock()
    names = ["concepts", "pieces", "rnn", "hessian"]
    asked = []
    with Store(tmp_path / "s.db", clock=clock) as store:
        rng = random.Random(0)
        for turn in range(5):
            family = practice._pick(rng, names, store, turn, {asked[-1]} if asked else set())
            asked.append(family)
            _answer(store, family, 0.0 if turn == 0 else 1.0)
            clock.advance(minutes=2)
    assert len(set(asked[:2])) == 2
    assert asked[2] == asked[0], asked            # the wrong one came back on the next even turn
    assert asked.count(asked[0]) == 2 and len(set(asked)) == 4


def test_practice_draws_new_families_with_every_exam_task_equally_likely(tmp_path):
    with Store(tmp_path / "s.db") as store:
        rng = random.Random(1)
        names = ["concepts", "parameters", "output-shape", "unused-inputs", "pieces"]
        picks = [practice._pick(rng, names, store, 0) for _ in range(400)]
    assert 150 < picks.count("pieces") < 250          # task 2 as likely as the four task-1 families together
