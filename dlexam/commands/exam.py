"""`dlexam exam [--seed N] [--minutes M] [--plan] [--resume]`: the mock exam as a whole.

`--plan` prints the plan of the exam for a seed: the same in the terminal, the browser and on
paper (`dlexam paper`). Without it the exam is taken in the terminal (dlexam/exam/terminal_exam.py):
answers are saved as entered, the clock runs on while dlexam is closed, `--resume` continues the
exam left open. With --json the conversation goes to stderr and stdout gets one JSON object at the
end: the hand-in (points per task, feedback, solutions, total, German grade) or, after `q`, where
the exam stands.
"""

from __future__ import annotations

import argparse

from dlexam.commands.common import seed

HELP = "The mock exam: five tasks, points and a clock (--plan: what the exam of a seed holds)."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=seed, default=None, help="which exam (default: a new one)")
    parser.add_argument("--minutes", type=int, default=None, help="the time limit (default 120)")
    parser.add_argument("--plan", action="store_true", help="print the exam's plan and stop")
    parser.add_argument("--resume", action="store_true", help="continue the exam you left")


def run(args: argparse.Namespace) -> dict | None:
    import random

    from dlexam.errors import InputError
    from dlexam.exam.plan import MINUTES, plan

    minutes = MINUTES if args.minutes is None else args.minutes
    if not 1 <= minutes <= 600:
        raise InputError("--minutes must be between 1 and 600.")
    exam_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    if args.plan:
        return plan(exam_seed, minutes).to_json()
    if args.resume and (args.seed is not None or args.minutes is not None):
        raise InputError("--resume continues the open exam with its own seed and clock; leave out --seed and "
                         "--minutes.")
    return _take(args, exam_seed, minutes)


def _take(args: argparse.Namespace, exam_seed: int, minutes: int) -> dict | None:
    from rich.console import Console

    from dlexam.errors import InputError
    from dlexam.exam.session import ExamSession, pictures_dir
    from dlexam.exam.terminal_exam import ExamScreen, clock_text
    from dlexam.store import Store

    console = Console(stderr=args.json, highlight=False)
    with Store() as store:
        if args.resume:
            session = ExamSession.resume(store)
            if session is None:
                raise InputError("There is no exam in progress to resume; `dlexam exam` starts one.")
            console.print(f"Resuming exam {session.exam.seed} (started "
                          f"{session.exam.started.astimezone():%Y-%m-%d %H:%M}), {clock_text(session.remaining())}.")
        else:
            left = store.open_exam()
            if left is not None:
                raise InputError(f"Exam {left.seed} is still open; `dlexam exam --resume` continues it (and hands it "
                                 "in if its time has run out).")
            with console.status(f"Preparing exam {exam_seed}…"):
                session = ExamSession.start(store, exam_seed, minutes)
        result = ExamScreen(session, console, pictures=pictures_dir(store)).run()
    if not args.json:
        return None
    if result is not None:
        return result.to_json()
    return {"exam": session.exam.id, "seed": session.exam.seed, "handed_in": False,
            "remaining_minutes": round(max(0.0, session.remaining()) / 60, 2),
            "answered": [label for label in session.labels if session.answered(label)],
            "unanswered": [label for label in session.labels if not session.answered(label)]}


def show(result: dict) -> str:
    lines = [f"Exam {result['seed']}: {result['points']:g} points in {result['minutes']} minutes"]
    for t in result["tasks"]:
        lines.append(f"  {t['label']:>4}  {t['title']}  ({t['family']}, seed {t['seed']}): {t['points']:g} points")
    return "\n".join(lines)
