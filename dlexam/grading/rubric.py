"""Written explanations graded against a rubric of key points, clause by clause, with negation
and direction understood.

A key point is a set of concept groups; a clause *mentions* it when it has, for every group, one
of the group's synonyms — a word stem (`penali` matches penalise, penalty...) or a phrase
(`weight decay`); stems of 5 or more letters also match a close misspelling (difflib ratio
>= 0.8: `grandlent` for gradient), as handwriting in the seeds shows. A point may declare its
direction: `toward` words say it (small, reduce), `away` words the opposite (large, increase);
either fills the first group, so "make ‖w‖ large" mentions the point "keep ‖w‖ small" — and
contradicts it. `reverse` synonyms name what the point wants less of (overfitting): a bare
mention of them claims the opposite, and a diminishing word (less, avoid = an `away` word) turns
it around.

In each clause the *deciding word* is the first direction word of the point (else its first
concept word). The claim is the point's own when that word is a toward word (or neutral), the
opposite when it is an away word, reversed for `reverse` synonyms, and flipped by each negation
cue before it in the clause (not, no, never, n't, without, rather than, instead of, ...). A
retraction ("... is not what happens", "it is false that ...") flips every clause of its
sentence (or of the sentence before, when its own mentions nothing). A point is matched when
some clause claims it and none contradicts it, contradicted when some clause contradicts it
and none claims it; both, or a double negation, and the grader cannot tell: the point earns
nothing and the evidence says `needs_human_look`.

No library: negation detectors such as negspacy need spaCy and a downloaded language model, and
work on named entities rather than on a rubric's own concept words; the cues here are a few
dozen words, and every verdict says which word decided it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dlexam.errors import InputError

MAX_TEXT = 2000
SCOPE = 3   # a negation reaches this many words ahead of the point's words in its clause
NEGATIONS = ("not", "no", "never", "n't", "without", "rather than", "instead of", "cannot", "nor", "neither",
             "none", "nothing", "hardly", "fails to", "unable to")
_RETRACT_AFTER = re.compile(r"\b(?:is|are|was|were|'s)\s+(?:not\s+what\s+happens|not\s+true|not\s+the\s+case|"
                            r"wrong|false|incorrect|untrue|nonsense)\b|\b(?:does\s+not|doesn't|do\s+not|don't)\s+"
                            r"happen\b|\bnot\s+what\s+happens\b")
_RETRACT_BEFORE = re.compile(r"^\s*(?:it\s+is|it's|that's|that\s+is)\s+(?:false|wrong|not\s+true|untrue|incorrect)"
                             r"\s+that\b|^\s*(?:false|wrong|not\s+true)\s*[:,!-]")
_CLAUSE = re.compile(r"[,;:—–]|\s-\s|\b(?:which|so|because|since|therefore|thus|hence|but|while|whereas|"
                     r"and\s+so|and\s+thus|and\s+therefore|so\s+that|as\s+a\s+result|meaning)\b")
_SENTENCE = re.compile(r"[.!?\n]+(?:\s|$)")
_POINTING = {"this", "that", "it", "all", "of", "these", "those", "and", "but", "none", "the", "above"}


class Verdict(StrEnum):
    MATCHED = "matched"
    CONTRADICTED = "contradicted"
    UNCLEAR = "unclear"
    MISSING = "missing"


@dataclass(frozen=True)
class KeyPoint:
    text: str                                  # the point in the model answer's words
    groups: tuple[tuple[str, ...], ...]        # every group needs one of its synonyms
    toward: tuple[str, ...] = ()               # words saying the point's direction (small, reduce)
    away: tuple[str, ...] = ()                 # words saying the opposite (large, increase)
    reverse: tuple[str, ...] = ()              # synonyms naming what the point wants less of (overfit)


@dataclass(frozen=True)
class Judged:
    """One key point's verdict, and the clause and word that decided it."""
    point: KeyPoint
    verdict: Verdict
    why: str = ""


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9‖|']+", text.lower())


def _at(low: str, words: list[str], synonym: str) -> int:
    """Where `synonym` first occurs in the clause (a character offset), or -1."""
    if " " in synonym or not synonym.replace("'", "").isalnum():
        return low.find(synonym)
    short = len(synonym) < 3   # short words ("w", "l2", "no") only as whole words
    for w in words:
        close = len(synonym) >= 5 and difflib.SequenceMatcher(None, synonym, w[: len(synonym) + 1]).ratio() >= 0.8
        if (w == synonym) if short else (w.startswith(synonym) or close):
            m = re.search(rf"(?<![a-z0-9]){re.escape(w)}", low)
            return m.start() if m else low.find(w)
    return -1


def _first(low: str, words: list[str], synonyms: tuple[str, ...]) -> tuple[int, str]:
    found = [(i, s) for s in synonyms if (i := _at(low, words, s)) >= 0]
    return min(found) if found else (-1, "")


def _index(low: str, at: int) -> int:
    """The word number of a character offset."""
    return len(_words(low[:at]))


def _negations(low: str, first: int, last: int) -> list[str]:
    """Negation cues from SCOPE words before word `first` up to word `last`."""
    found = []
    for cue in NEGATIONS:
        pattern = re.escape(cue) if cue == "n't" else rf"(?<![a-z]){re.escape(cue)}(?![a-z])"
        found += [cue for m in re.finditer(pattern, low) if first - SCOPE <= _index(low, m.start()) <= last]
    return found


def _deciding(point: KeyPoint, low: str, words: list[str], subject: int) -> tuple[int, str]:
    """The direction word nearest the subject, leaving out words a toward word governs
    ("penalise large weights": large is what is penalised)."""
    found = [(i, s) for s in (*point.toward, *point.away) if (i := _at(low, words, s)) >= 0]
    first_toward = min((i for i, s in found if s in point.toward), default=len(low))
    free = [(i, s) for i, s in found if s in point.toward or i < first_toward]
    return min(free, key=lambda f: abs(f[0] - subject), default=(-1, ""))


def claim(point: KeyPoint, clause: str) -> tuple[Verdict, str]:
    """What one clause says about the point: MATCHED, CONTRADICTED, UNCLEAR or MISSING, and why."""
    low = " ".join(clause.lower().split())
    words = _words(low)
    several = len(point.groups) > 1   # then direction words fill the first group ("make ‖w‖ large")
    groups = [(*point.groups[0], *point.toward, *point.away), *point.groups[1:]] if several else list(point.groups)
    hits = [_first(low, words, g) for g in groups]
    if not groups or any(i < 0 for i, _ in hits):
        return Verdict.MISSING, ""
    subject = hits[-1][0]
    at, word = _deciding(point, low, words, subject)
    opposite = at >= 0 and word not in point.toward
    if any(_at(low, words, r) >= 0 for r in point.reverse):
        opposite = not opposite
    at = subject if at < 0 else at
    negations = _negations(low, _index(low, min(at, subject)), _index(low, max(at, subject)))
    if len(negations) >= 2:
        return Verdict.UNCLEAR, f"'{clause.strip()}': a double negation ({', '.join(negations)})"
    if opposite != bool(negations):
        how = f"negated ('{negations[0]}')" if negations else f"the opposite ('{word or hits[-1][1]}')"
        return Verdict.CONTRADICTED, f"'{clause.strip()}' says {how}"
    return Verdict.MATCHED, f"'{clause.strip()}'"


def _clauses(text: str) -> list[tuple[str, bool]]:
    """(clause, retracted) for every clause of the text, sentence by sentence."""
    sentences: list[list[tuple[str, bool]]] = []
    for sentence in (s for s in _SENTENCE.split(" ".join(text.split())) if s.strip()):
        low = sentence.lower()
        retracted = bool(_RETRACT_AFTER.search(low) or _RETRACT_BEFORE.search(low))
        body = _RETRACT_AFTER.sub(" ", _RETRACT_BEFORE.sub(" ", low))
        parts = [c for c in _CLAUSE.split(body) if c and c.strip()]
        if retracted and sentences and set(_words(" ".join(parts))) <= _POINTING:   # "This is not what happens."
            sentences[-1] = [(c, not r) for c, r in sentences[-1]]
        sentences.append([(c, retracted) for c in parts])
    return [c for s in sentences for c in s]


def judge(point: KeyPoint, text: str) -> Judged:
    """The point's verdict over every clause of the text."""
    said: dict[Verdict, list[str]] = {v: [] for v in Verdict}
    for clause, retracted in _clauses(text):
        verdict, why = claim(point, clause)
        if retracted and verdict in (Verdict.MATCHED, Verdict.CONTRADICTED):
            verdict = Verdict.CONTRADICTED if verdict == Verdict.MATCHED else Verdict.MATCHED
            why += " (retracted: 'is not what happens', 'is false' ...)"
        said[verdict].append(why)
    if said[Verdict.UNCLEAR] or said[Verdict.MATCHED] and said[Verdict.CONTRADICTED]:
        reasons = said[Verdict.UNCLEAR] + said[Verdict.CONTRADICTED]
        return Judged(point, Verdict.UNCLEAR, "cannot tell: " + "; ".join(reasons))
    for verdict in (Verdict.CONTRADICTED, Verdict.MATCHED):
        if said[verdict]:
            return Judged(point, verdict, said[verdict][0])
    return Judged(point, Verdict.MISSING)


def matches(point: KeyPoint, text: str) -> bool:
    """Whether the text makes the point (and nowhere contradicts it)."""
    return judge(point, text).verdict == Verdict.MATCHED


_MARK = {Verdict.MATCHED: "✓", Verdict.CONTRADICTED: "✗ contradicted:", Verdict.UNCLEAR: "? needs a human look:",
         Verdict.MISSING: "✗"}


def _line(j: Judged) -> str:
    return f"{_MARK[j.verdict]} {j.point.text}" + (f"\n     — {j.why}" if j.verdict != Verdict.MATCHED and j.why else "")


def _read(points: list[KeyPoint], value: Any, label: str) -> list[Judged] | None:
    """Ticks (1-based key-point numbers) as judged points, or None for text."""
    if not isinstance(value, list):
        if value is not None and not isinstance(value, str):
            raise InputError(f"Part {label}) must be text.")
        if value is not None and len(value) > MAX_TEXT:
            raise InputError(f"Part {label}) is longer than {MAX_TEXT} characters.")
        return None
    if not all(isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= len(points) for i in value):
        raise InputError(f"Ticks for part {label}) are key-point numbers 1 to {len(points)}.")
    return [Judged(p, Verdict.MATCHED if i in value else Verdict.MISSING) for i, p in enumerate(points, 1)]


def grade_rubric(points: list[KeyPoint], value: Any, max_points: float, label: str) -> tuple[float, str, dict]:
    """(points, feedback, evidence) for an explanation: text, or a list of ticked key points (1-based).

    Each matched point earns max_points / len(points); contradicted, unclear and missing ones earn
    nothing. Evidence (plain data): `key_points`, `matched` and `contradicted` (key-point texts),
    `needs_human_look` and `why` (what the grader could not tell, or what contradicted a point)."""
    ticked = _read(points, value, label)
    judged = ticked if ticked is not None else [judge(p, value or "") for p in points]
    how = "ticked (self-assessed)" if ticked is not None else "found in your text"
    by = {v: [j for j in judged if j.verdict == v] for v in Verdict}
    score = max_points / len(points) * len(by[Verdict.MATCHED])
    feedback = f"{len(by[Verdict.MATCHED])} of {len(points)} key points {how}:\n" + "\n".join(map(_line, judged))
    why = "; ".join(j.why for j in by[Verdict.UNCLEAR] + by[Verdict.CONTRADICTED])
    evidence = {"key_points": [p.text for p in points],
                "matched": [j.point.text for j in by[Verdict.MATCHED]],
                "contradicted": [j.point.text for j in by[Verdict.CONTRADICTED]],
                "needs_human_look": bool(by[Verdict.UNCLEAR]), "why": why}
    return score, feedback, evidence
