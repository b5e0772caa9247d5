"""`dlexam practice`: questions in the terminal, graded on the spot, kept in the store.

The store's schedule (FSRS, a card per family: dlexam/store/scheduling.py) decides the order:
families that are due come first, the longest overdue first — a family answered wrong is due
again a minute later, so it comes back within the session — and every other question is a
family never answered before, while there are any, each exam task equally likely among them.
With --json the session's summary is printed as JSON at the end and the conversation goes to
stderr.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

HELP = "Practise the exam in the terminal: questions, grading with reasons, progress."
QUIT, SKIP = {"q", "quit", "exit"}, {"s", "skip"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--family", action="append", metavar="NAME",
                        help="only this task family (repeatable; see `dlexam families`)")
    parser.add_argument("--task", type=int, choices=range(1, 6), metavar="N", help="only families of exam task N")
    parser.add_argument("--count", type=int, default=0, metavar="N", help="stop after N questions (0: until q)")


def run(args: argparse.Namespace) -> dict | None:
    from rich.console import Console
    from rich.markup import escape

    from dlexam.store.quick import due_dates

    console = Console(stderr=args.json, highlight=False)
    names = _chosen_families(args)
    answered, points, max_points, ids = 0, 0.0, 0.0, []
    known = due_dates()              # the schedule of an existing SQLite store, read without SQLAlchemy
    store = _StoreOpening()
    if known is None:                # a new or old file, or a server: open (and migrate) before asking
        store.start()
    where = str(known[0]) if known is not None else store().where
    console.print(f"[bold]dlexam practice[/] — answer as each question says; [bold]s[/] skips, "
                  f"[bold]q[/] quits. Attempts are kept in {escape(where)}.")
    rng = random.Random()
    turn, skipped, name = 0, set(), None
    try:
        while not args.count or answered < args.count:
            avoid = skipped | {name}
            name = _pick(rng, names, store(), turn, avoid) if turn or known is None else _pick_known(
                rng, names, known[1], avoid)
            outcome = _ask(console, store, name, rng.randrange(2**32))
            turn += 1
            if outcome is None:
                break
            if outcome is SKIPPED:
                skipped.add(name)
            else:
                answered += 1
                points += outcome["points"]
                max_points += outcome["max_points"]
                ids.append(outcome["attempt"])
    finally:
        store.close()
    console.print(f"\n{answered} answered, {points:g} of {max_points:g} points. "
                  "See `dlexam progress` for your record.")
    summary = {"answered": answered, "points": points, "max_points": max_points, "attempts": ids}
    return summary if args.json else None


class _StoreOpening:
    """The Store, opened in a background thread once the first question is on screen: SQLAlchemy
    loads (about 0.2 s) while the student reads, not before the question appears. Calling it
    waits for the store (and raises what opening it raised)."""

    def __init__(self):
        self._thread, self._store, self._error = None, None, None

    def start(self) -> None:
        import threading

        if self._thread is None:
            self._thread = threading.Thread(target=self._open, name="dlexam-store", daemon=True)
            self._thread.start()

    def _open(self) -> None:
        try:
            from dlexam.store import Store
            self._store = Store()
        except BaseException as exc:  # handed to the main thread by __call__
            self._error = exc

    def __call__(self):
        self.start()
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._store

    def close(self) -> None:
        """Closes the store if it was used; one never asked for is not waited for (it only read)."""
        if self._store is not None:
            self._store.close()


SKIPPED = object()


def _chosen_families(args: argparse.Namespace) -> list[str]:
    from dlexam.errors import InputError
    from dlexam.tasks.registry import FAMILIES

    names = args.family or list(FAMILIES)
    unknown = [n for n in names if n not in FAMILIES]
    if unknown:
        raise InputError(f"There is no task family {unknown[0]!r}; `dlexam families` lists them.")
    if args.count < 0:
        raise InputError("--count must be 0 (no limit) or a positive number of questions.")
    if args.task:
        names = [n for n in names if FAMILIES[n][0] == args.task]
        if not names:
            raise InputError(f"No task family for exam task {args.task} is built yet.")
    return names


def _pick(rng: random.Random, names: list[str], store, turn: int = 0, avoid=frozenset()) -> str:
    """Due first, a new family every other turn (the store's schedule), not one to `avoid` (just
    asked or skipped) while others are left; a new family is drawn with every exam task equally
    likely, as on the sheet."""
    return store.next_family(names, turn, _choose_new(rng), avoid)


def _pick_known(rng: random.Random, names: list[str], due: dict[str, float], avoid) -> str:
    """The first pick, from due dates read without SQLAlchemy (dlexam.store.quick)."""
    from dlexam.store.scheduling import next_family

    return next_family(names, due, time.time(), 0, _choose_new(rng), avoid)


def _choose_new(rng: random.Random):
    from dlexam.tasks.registry import FAMILIES

    def choose(new: list[str]) -> str:
        per_task = {task: sum(FAMILIES[n][0] == task for n in new) for task in {FAMILIES[n][0] for n in new}}
        return rng.choices(new, [1 / per_task[FAMILIES[n][0]] for n in new])[0]
    return choose


def _ask(console, opening, name: str, seed: int):
    from rich.panel import Panel

    from dlexam.commands.common import read_answer
    from dlexam.errors import InputError
    from dlexam.store import Attempt
    from dlexam.tasks.registry import family
    from dlexam.terminal import renderable

    with console.status("Preparing the question…"):
        fam = family(name)
        variant = fam.generate(seed)
        body = renderable(fam.document(variant))
    console.print(Panel(body, title=f"[bold]{fam.title}[/]", subtitle=f"{name} · seed {seed}",
                        title_align="left", subtitle_align="right"))
    console.print(f"Answer: {fam.answer_hint(variant)}", style="dim", markup=False)
    if isinstance(opening, _StoreOpening):
        opening.start()              # while the student reads
    _prepare(fam)                    # torch or SymPy for the grade, too
    started = time.monotonic()
    while True:
        text = _read(console, "Your answer: ")
        if text is None or text.strip().lower() in QUIT:
            return None
        if text.strip().lower() in SKIP:
            return SKIPPED
        try:
            answer = read_answer(fam, variant, text)
            grade = fam.grade(variant, answer)
            break
        except InputError as exc:
            console.print(f"[yellow]{exc}[/]")
    seconds = time.monotonic() - started
    store = opening() if isinstance(opening, _StoreOpening) else opening
    attempt = store.record(Attempt(name, seed, variant.to_json(), answer.to_json(), grade.to_json(), seconds))
    _show_grade(console, grade, fam.solve(variant).steps)
    _show_picture(console, fam, variant, _pictures(store) / f"{name}-{seed}.png")
    return {"points": grade.points, "max_points": grade.max_points, "attempt": attempt}


def _prepare(fam) -> None:
    """Load what grading the answer needs in a daemon thread (torch takes seconds): posing never
    imports it, so the question appears at once and the grade rarely waits. A failure here is
    left for the grade to meet and report."""
    import threading

    def load() -> None:
        try:
            fam.prepare()
        except Exception:  # noqa: BLE001 - the grade imports the same and says what is wrong
            pass
    threading.Thread(target=load, name="dlexam-prepare", daemon=True).start()


def _pictures(store):
    """Beside the store's file; with a database server, in the user's data directory."""
    if store.path is not None:
        return store.path.parent / "pictures"
    from platformdirs import user_data_path
    return user_data_path("dlexam") / "pictures"


def _read(console, prompt: str) -> str | None:
    console.print(prompt, end="", markup=False)
    line = sys.stdin.readline()
    return line.rstrip("\n") if line else None


def _show_picture(console, fam, variant, path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with console.status("Drawing the solution…"):
        drawn = fam.picture(variant, path)
    if drawn is not None:
        console.print(f"Picture of the solution: {drawn}\n")


def _show_grade(console, grade, steps: list[str]) -> None:
    colour = "green" if grade.full_marks else ("yellow" if grade.points > 0 else "red")
    console.print(f"[bold {colour}]{grade.points:g} of {grade.max_points:g} points[/]")
    console.print(grade.feedback, markup=False)
    console.print("[dim]Solution:[/]")
    for step in steps:
        console.print(f"  {step}", style="dim", markup=False)
    console.print()
