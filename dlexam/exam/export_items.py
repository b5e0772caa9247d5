"""What both exports take from a family: the variants to export, the question's HTML, each
multiple-choice option with its fraction and feedback, the worked key, and the picture as bytes.

Fractions: Moodle accepts only the grades its form offers (question/engine/bank.php in
moodle/moodle, `question_bank::ensure_fraction_options_initialised`: p/q for q <= 6, p/10, 1/q for
q <= 10, 1/20) and their negatives; `moodle_fraction` picks the largest accepted one not above a
share, so the correct options of a "select all" question add up to 100 % exactly when 1 <= n <= 10.
"""

from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dlexam.tasks.choice import MultipleChoice
from dlexam.tasks.document import Options, Text, render
from dlexam.tasks.model import TaskFamily, Variant

MOODLE_FRACTIONS = (100.0, 90.0, 83.33333, 80.0, 75.0, 70.0, 66.66667, 60.0, 50.0, 40.0, 33.33333, 30.0,
                    25.0, 20.0, 16.66667, 14.28571, 12.5, 11.11111, 10.0, 5.0)
PROGRAMMING = ("adversarial", "colorize", "inpaint")


@dataclass(frozen=True)
class Choice:
    text: str           # HTML
    fraction: float     # percent, one of MOODLE_FRACTIONS, 0 or a negative of one
    feedback: str       # plain text


def moodle_fraction(share: float) -> float:
    """The largest accepted Moodle grade (percent) not above `share` percent (0 if none)."""
    return next((f for f in MOODLE_FRACTIONS if f <= share + 1e-6), 0.0)


def percent(fraction: float) -> str:
    """A fraction as Moodle writes it: 100, 33.33333, -12.5."""
    return f"{fraction:.5f}".rstrip("0").rstrip(".")


def is_choice(fam: TaskFamily) -> bool:
    return isinstance(fam, MultipleChoice)


def stem_html(fam: TaskFamily, variant: Variant) -> str:
    """The question in HTML without its options (maths as \\[...\\] for MathJax)."""
    blocks = [b for b in fam.document(variant) if not isinstance(b, Options)]
    return render(blocks, "html")


def choices(fam: MultipleChoice, variant: Variant) -> list[Choice]:
    """Every option with its fraction: single answer 100/0; select-all ±1/n of the correct or
    wrong ones, so choosing everything scores no more than 0."""
    key = fam.key(variant)
    options = variant.data["options"]
    correct = sum(k.correct for k in key)
    wrong = len(key) - correct
    multiple = bool(variant.data["multiple"])
    rows = []
    for k, text in zip(key, options):
        if not multiple:
            fraction = 100.0 if k.correct else 0.0
        else:
            fraction = moodle_fraction(100 / correct) if k.correct else -moodle_fraction(100 / max(wrong, 1))
        verdict = "Correct" if k.correct else "Wrong"
        rows.append(Choice(render_inline(text), fraction, f"{verdict}: {k.why}"))
    return rows


def render_inline(text: str) -> str:
    """An option's text as HTML without the paragraph around it."""
    return render([Text(text)], "html").strip().removeprefix("<p>").removesuffix("</p>")


def key_html(fam: TaskFamily, variant: Variant, picture: str | None) -> str:
    """The worked solution as HTML for graders (general feedback / grader info)."""
    solution = fam.solve(variant)
    steps = "".join(f"<li>{html.escape(s)}</li>" for s in solution.steps)
    image = f'<p><img src="@@PLUGINFILE@@/{picture}" alt="the solution drawn"></p>' if picture else ""
    return (f"<p><strong>Answer</strong></p><pre>{html.escape(solution.answer_text)}</pre>"
            f"<ol>{steps}</ol>{image}")


def picture_bytes(fam: TaskFamily, variant: Variant) -> tuple[str, bytes] | None:
    """The family's picture of the solution as (file name, PNG bytes), or None."""
    with tempfile.TemporaryDirectory() as folder:
        name = f"{fam.name}-{variant.seed}.png"
        drawn = fam.picture(variant, Path(folder) / name)
        return (name, Path(drawn).read_bytes()) if drawn else None
