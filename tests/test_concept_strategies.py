"""No surface strategy passes the concept bank: play test-taking heuristics over every question.

A student who has not read the course can still try cues of the option texts: the longest
option, the most hedged one ("may", "often", ...), the most specific one (digits, symbols,
technical tokens), the one without absolutes ("only", "always", ...), the one echoing the
stem's words, the one that shares most words with the other options (the "centroid"), and
for select-all questions: tick everything, tick nothing, tick the longer half. Each of these
is played over the WHOLE bank, in both directions (longest and shortest, most and fewest
hedges, ...), because a cue that reliably marks wrong options is as good as one marking the
right one.

Scoring is the family's (dlexam/tasks/choice.py): a single-answer question gives 1 for the
key and 0 otherwise; a select-all question with n options gives max(0, (2·right − n)/n),
where `right` counts the options judged correctly (each right judgement +1/n, each wrong
one −1/n, never below 0). A strategy that cannot decide between tied options picks among
them uniformly at random, so its score on a question is the expected one over the ties.

Chance:
- single answer: 1/n per question (guessing uniformly), averaged over the bank;
- select-all, tick all / tick none: a fair coin per option, E[max(0, (2R − n)/n)] with
  R ~ Binomial(n, 1/2) (3/16 for n = 4 or 5, 1/4 for n = 3);
- select-all strategies that tick a subset of size m: a uniformly random subset of the
  same size m (the strategy gets no credit for merely ticking the right number).

Margin (MARGIN = 10 percentage points over chance). A strategy with no information scores,
on each single-answer question with n = 4 options, 1 or 0 with p = 1/4: over N ≥ 100
questions the standard deviation of its mean is at most sqrt(3/16/N) ≤ 4.3 points (ties
only lower it), so exceeding chance by 10 points is a 2.3σ event (p ≈ 1 %) for N = 100 and
a 2.9σ event (p ≈ 0.2 %) for the ~110 single-answer questions of the bank. The select-all
questions (≥ 40, per-question score in [0, 1], sd ≤ 0.3 in practice) give sd ≤ 4.7 points,
2.1σ. The bank is therefore required to have at least 100 single-answer and 40 select-all
questions, and a strategy beating chance by more than 10 points is a real cue in the
texts, not bad luck. The bank aims far lower (|score − chance| within ~5 points), and a
strategy falling far BELOW chance is an equally usable cue (its opposite wins), which is
why every cue is played in both directions.

Position cannot be a cue: the family shuffles the options of each variant. The test
asserts that, over many seeds, the key of every single-answer question lands at different
letters and that "always answer a" scores chance.

Run it alone and print the table:
    .venv/bin/python -m pytest -q -s tests/test_concept_strategies.py
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from itertools import combinations
from math import comb
from statistics import median

import pytest

from dlexam.tasks.concepts import bank
from dlexam.tasks.model import Answer
from dlexam.tasks.registry import family

MARGIN = 0.10
POOLED_MARGIN = 0.15
MIN_SINGLE = 100
MIN_MULTIPLE = 40

HEDGES = {"may", "might", "can", "could", "often", "usually", "typically", "tend", "tends",
          "generally", "some", "sometimes", "mostly", "mainly", "likely", "approximately",
          "roughly", "about", "partly", "largely", "somewhat", "possibly", "perhaps", "rather",
          "probably", "frequently", "commonly", "in general"}
ABSOLUTES = {"only", "always", "never", "all", "none", "must", "cannot", "every", "no",
             "nothing", "exactly", "any", "completely", "entirely", "impossible", "guarantees",
             "guaranteed", "whatever", "each"}
NEGATIONS = {"not", "no", "never", "nothing", "none", "cannot", "without", "neither", "nor"}
CAUSAL = {"because", "so", "since", "therefore", "thus", "hence", "which", "whereas", "while",
          "as", "due"}
STOP = {"a", "an", "the", "of", "to", "in", "on", "and", "or", "is", "are", "be", "it", "its",
        "by", "for", "with", "as", "at", "that", "this", "from", "into", "than", "then", "each",
        "what", "which", "why", "how", "does", "do", "true", "statements", "select", "apply",
        "following", "these", "there", "their", "they"}
SYMBOLS = set("0123456789_^()[]{}=+-*/<>≤≥≈∂∇⊙√‖|·×σλημεθαβγδ²³¹₁₂ᵀ∈∑Σ%")


def words(text: str) -> list[str]:
    return re.findall(r"[a-zA-Z]+(?:'[a-z]+)?", text.lower())


def content(text: str) -> set[str]:
    return {w for w in words(text) if w not in STOP and len(w) > 2}


def count_in(text: str, vocabulary: set[str]) -> int:
    low = " " + " ".join(words(text)) + " "
    return sum(low.count(f" {w} ") for w in vocabulary)


def technical_tokens(text: str) -> int:
    return sum(1 for t in text.split() if any(c in SYMBOLS for c in t) or re.search(r"[a-z][A-Z]|\.\w", t))


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


# Every surface feature of an option, given the stem and the other options.
def features(stem: str, texts: list[str]) -> dict[str, list[float]]:
    bags = [content(t) for t in texts]
    stem_bag = content(stem)
    return {
        "length (characters)": [len(t) for t in texts],
        "length (words)": [len(words(t)) for t in texts],
        "hedges": [count_in(t, HEDGES) for t in texts],
        "absolutes": [count_in(t, ABSOLUTES) for t in texts],
        "negations": [count_in(t, NEGATIONS) + t.lower().count("n't") for t in texts],
        "explanations (because, so, which, ...)": [count_in(t, CAUSAL) for t in texts],
        "clauses (, ; : parentheses)": [sum(t.count(c) for c in ",;:(") for t in texts],
        "specificity (digits and symbols)": [sum(c in SYMBOLS for c in t) for t in texts],
        "specificity (technical tokens)": [technical_tokens(t) for t in texts],
        "similarity to the stem": [jaccard(b, stem_bag) for b in bags],
        "shared words with the stem": [len(b & stem_bag) for b in bags],
        "centroid (similarity to the others)": [
            sum(jaccard(b, o) for j, o in enumerate(bags) if j != i) for i, b in enumerate(bags)],
    }


# Cues that are counts (an option either has them or not), for "tick the options with any".
COUNTED = {"hedges", "absolutes", "negations", "explanations (because, so, which, ...)",
           "clauses (, ; : parentheses)", "specificity (digits and symbols)",
           "specificity (technical tokens)", "shared words with the stem"}


def pick(values: list[float], best) -> list[int]:
    target = best(values)
    return [i for i, v in enumerate(values) if v == target]


def single_score(chosen: list[int], correct: list[bool]) -> float:
    """Expected score of choosing uniformly among `chosen`."""
    return sum(correct[i] for i in chosen) / len(chosen)


def multiple_score(ticked: set[int], correct: list[bool]) -> float:
    n = len(correct)
    right = sum((i in ticked) == c for i, c in enumerate(correct))
    return max(0.0, (2 * right - n) / n)


def coin_chance(n: int) -> float:
    return sum(comb(n, r) * max(0.0, (2 * r - n) / n) for r in range(n + 1)) / 2 ** n


def subset_chance(m: int, correct: list[bool]) -> float:
    subsets = list(combinations(range(len(correct)), m))
    return sum(multiple_score(set(s), correct) for s in subsets) / len(subsets)


QUESTIONS = list(bank().values())
SINGLE = [q for q in QUESTIONS if not q["multiple"]]
MULTIPLE = [q for q in QUESTIONS if q["multiple"]]


def texts_and_key(q: dict) -> tuple[list[str], list[bool]]:
    return [o["text"] for o in q["option"]], [bool(o["correct"]) for o in q["option"]]


def play_single() -> dict[str, tuple[float, float]]:
    """Strategy -> (mean score, mean chance) over the single-answer questions."""
    scores: dict[str, list[float]] = defaultdict(list)
    chance = sum(1 / len(q["option"]) for q in SINGLE) / len(SINGLE)
    for q in SINGLE:
        texts, key = texts_and_key(q)
        for name, values in features(q["stem"], texts).items():
            for side, best in (("most", max), ("least", min)):
                chosen = pick(values, best)
                scores[f"pick the option with {side} {name}"].append(single_score(chosen, key))
                # Elimination: rule out the option(s) with the cue and guess among the rest.
                rest = [i for i in range(len(texts)) if i not in chosen] or chosen
                scores[f"rule out the option with {side} {name}"].append(single_score(rest, key))
    return {s: (sum(v) / len(v), chance) for s, v in scores.items()}


def play_multiple() -> dict[str, tuple[float, float]]:
    """Strategy -> (mean score, mean chance) over the select-all questions."""
    scores: dict[str, list[float]] = defaultdict(list)
    chances: dict[str, list[float]] = defaultdict(list)
    for q in MULTIPLE:
        texts, key = texts_and_key(q)
        n = len(texts)
        for name, ticked in (("tick everything", set(range(n))), ("tick nothing", set())):
            scores[name].append(multiple_score(ticked, key))
            chances[name].append(coin_chance(n))
        for name, values in features(q["stem"], texts).items():
            mid = median(values)
            for side, ticked in ((f"tick the half with most {name}", {i for i, v in enumerate(values) if v > mid}),
                                 (f"tick the half with least {name}", {i for i, v in enumerate(values) if v < mid})):
                scores[side].append(multiple_score(ticked, key))
                chances[side].append(subset_chance(len(ticked), key))
            # The single-answer heuristics turned into judgements: tick every option that has the cue.
            if name in COUNTED and max(values) > 0:
                has = {i for i, v in enumerate(values) if v > 0}
                scores[f"tick options with any {name}"].append(multiple_score(has, key))
                chances[f"tick options with any {name}"].append(subset_chance(len(has), key))
                scores[f"tick options without {name}"].append(multiple_score(set(range(n)) - has, key))
                chances[f"tick options without {name}"].append(subset_chance(n - len(has), key))
    return {s: (sum(v) / len(v), sum(chances[s]) / len(chances[s])) for s, v in scores.items()}


def table(results: dict[str, tuple[float, float]]) -> str:
    rows = sorted(results.items(), key=lambda r: r[1][1] - r[1][0])
    return "\n".join(f"  {score - chance:+6.1%}  {score:6.1%} vs {chance:5.1%}  {name}"
                     for name, (score, chance) in rows)


def test_bank_is_large_enough_for_the_margin():
    assert len(SINGLE) >= MIN_SINGLE, f"{len(SINGLE)} single-answer questions; the margin needs {MIN_SINGLE}"
    assert len(MULTIPLE) >= MIN_MULTIPLE, f"{len(MULTIPLE)} select-all questions; the margin needs {MIN_MULTIPLE}"


def test_no_surface_strategy_beats_chance_on_single_answer_questions():
    results = play_single()
    print(f"\nSingle-answer questions ({len(SINGLE)}): strategy score vs chance\n{table(results)}")
    winners = {s: r for s, r in results.items() if r[0] - r[1] > MARGIN}
    assert not winners, f"strategies beating chance by more than {MARGIN:.0%}:\n{table(winners)}"
    # A cue that points away from the key is as usable (with elimination) as one pointing at it.
    losers = {s: r for s, r in results.items() if s.startswith("pick") and r[1] - r[0] > MARGIN}
    assert not losers, f"strategies falling more than {MARGIN:.0%} below chance:\n{table(losers)}"


def test_no_surface_strategy_beats_chance_on_select_all_questions():
    results = play_multiple()
    print(f"\nSelect-all questions ({len(MULTIPLE)}): strategy score vs chance\n{table(results)}")
    winners = {s: r for s, r in results.items() if r[0] - r[1] > MARGIN}
    assert not winners, f"strategies beating chance by more than {MARGIN:.0%}:\n{table(winners)}"


def test_select_all_judgements_are_not_given_away_by_a_cue():
    """Pooled over all select-all options: a cue must not mark true (or false) statements.

    Among the options that carry a cue (an absolute, a hedge, a negation, ...) the share of
    true statements must stay close to the share among all select-all options; the same for
    the upper and lower half of each question's options by every feature. With k options
    carrying a cue the share of an uninformative cue has standard error sqrt(p(1-p)/k)
    (about 8 points for k = 40), so a cue fails when its share is off by more than
    POOLED_MARGIN = 15 points AND by more than 2.5 standard errors (p ≈ 1 % each) — both,
    so that small groups do not fail by chance and large groups do not pass a real cue.
    Groups of fewer than 20 options are not judged.
    """
    pooled: dict[str, list[bool]] = defaultdict(list)
    everything: list[bool] = []
    for q in MULTIPLE:
        texts, key = texts_and_key(q)
        everything += key
        for name, values in features(q["stem"], texts).items():
            mid = median(values)
            pooled[f"options with any {name}"] += [k for k, v in zip(key, values) if v > 0]
            pooled[f"options above the median {name}"] += [k for k, v in zip(key, values) if v > mid]
            pooled[f"options below the median {name}"] += [k for k, v in zip(key, values) if v < mid]
    base = sum(everything) / len(everything)
    shares = {name: sum(v) / len(v) for name, v in pooled.items() if len(v) >= 20}
    error = {name: (base * (1 - base) / len(pooled[name])) ** 0.5 for name in shares}
    print(f"\nShare of true statements among select-all options: {base:.1%} overall")
    for name, share in sorted(shares.items(), key=lambda r: -abs(r[1] - base)):
        print(f"  {share - base:+6.1%}  {share:6.1%} of {len(pooled[name]):3d}  {name}")
    # A cue marking true statements, or marking false ones, is a cue either way.
    off = {name: round(share, 3) for name, share in shares.items()
           if abs(share - base) > POOLED_MARGIN and abs(share - base) > 2.5 * error[name]}
    assert not off, f"cues that give select-all judgements away (share of true vs {base:.0%}): {off}"


def test_scoring_matches_the_family():
    """The scores above are the family's own grading, checked on real variants."""
    concepts = family("concepts")
    seen = 0
    for seed in range(200):
        variant = concepts.generate(seed)
        key = [k.correct for k in concepts.key(variant)]
        rng = random.Random(seed)
        ticked = {i for i in range(len(key)) if rng.random() < 0.5}
        if not variant.data["multiple"]:
            ticked = {rng.randrange(len(key))}
        letters = sorted(chr(97 + i) for i in ticked)
        expected = multiple_score(ticked, key) if variant.data["multiple"] else single_score(sorted(ticked), key)
        grade = concepts.grade(variant, Answer({"choice": letters}))
        assert sum(p.points for p in grade.parts) == pytest.approx(expected * concepts.points)
        seen += 1
    assert seen == 200


def test_options_are_shuffled_so_position_is_no_cue():
    concepts = family("concepts")
    letters: dict[str, Counter] = defaultdict(Counter)
    orders: dict[str, set] = defaultdict(set)
    first = []
    for seed in range(3000):
        variant = concepts.generate(seed)
        key = [k.correct for k in concepts.key(variant)]
        orders[variant.data["id"]].add(tuple(variant.data["options"]))
        if not variant.data["multiple"]:
            letters[variant.data["id"]][key.index(True)] += 1
            first.append((key[0], len(key)))
    repeated = [qid for qid, count in letters.items() if sum(count.values()) >= 8]
    assert len(repeated) > 0.5 * len(SINGLE)
    # The same question appears with different option orders, and its key at different letters.
    assert all(len(orders[qid]) > 1 for qid in repeated)
    assert all(len(letters[qid]) > 1 for qid in repeated)
    # "Always answer a" scores chance.
    always_a = sum(k for k, _ in first) / len(first)
    chance = sum(1 / n for _, n in first) / len(first)
    assert abs(always_a - chance) < 0.05, (always_a, chance)
