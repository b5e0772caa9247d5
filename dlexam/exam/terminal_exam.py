"""The mock exam in the terminal: an overview, any task by its label, answers saved as entered,
the clock at every prompt, hand-in with points, feedback and worked solutions.

    exam›  Enter or n  the next task        p  the previous one      1.3, 2, 5a  that task
           o  overview   h  hand in (asks first)   q  quit (answers are kept; --resume continues)

A task is shown, then its answer is asked for: one line, or for code the path of a .py file or
the code itself ended by a line with a single '.'. An empty line leaves the answer as it was.
"""

from __future__ import annotations

import threading

from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from dlexam.errors import InputError
from dlexam.exam.keyboard import TIMEOUT, Keyboard
from dlexam.exam.session import CLOCK_POLICY, ExamSession, TimeUp
from dlexam.exam.terminal_results import show_hand_in

WARNINGS = (600, 300, 60)        # seconds left at which the clock is announced while waiting
COMMANDS = ("[bold]Enter[/]/[bold]n[/] next · [bold]p[/] previous · a label such as [bold]1.3[/] goes "
            "there · [bold]o[/] overview · [bold]h[/] hand in · [bold]q[/] quit (answers kept)")


def clock_text(seconds: float) -> str:
    if seconds <= 0:
        return "time is up"
    if seconds < 600:
        return f"{int(seconds) // 60}:{int(seconds) % 60:02d} left"
    return f"{int(seconds // 60)} min left"


class ExamScreen:
    def __init__(self, session: ExamSession, console, keyboard: Keyboard | None = None, pictures=None):
        self.session, self.console = session, console
        self.keyboard = keyboard or Keyboard()
        self.pictures = pictures
        self.current: str | None = None
        self._warned = {w for w in WARNINGS if session.remaining() <= w}

    # --- the loop -------------------------------------------------------------------------
    def run(self):
        """The HandIn when handed in (by `h` or the clock), None when the student quit."""
        if self.session.expired:
            self.console.print("[bold red]The time of this exam has run out[/]: it is handed in with the "
                               "answers saved.")
            return self.hand_in()
        self.overview()
        threading.Thread(target=self.session.warm, name="exam-warm", daemon=True).start()
        try:
            while True:
                command = self.ask(f"exam{' ' + self.current if self.current else ''}› ")
                if command is None or command.lower() in {"q", "quit", "exit"}:
                    return self.quit()
                if command.lower() in {"h", "hand in"}:
                    if self.confirm_hand_in():
                        return self.hand_in()
                elif command.lower() in {"o", "overview", "l"}:
                    self.overview()
                elif command.lower() in {"?", "help"}:
                    self.console.print(COMMANDS)
                elif command.lower() in {"", "n", "next", "p", "prev", "previous"}:
                    self.go(self.step(-1 if command.lower().startswith("p") else 1))
                else:
                    self.go(command.removeprefix("g ").strip())
        except TimeUp:
            self.console.print("\n[bold red]Time is up[/]: the exam is handed in with the answers saved.")
            return self.hand_in()
        except KeyboardInterrupt:   # Ctrl-C: as q (a hand-in under way is one transaction: whole or not at all)
            return self.quit()

    def ask(self, prompt: str | None, raw: bool = False) -> str | None:
        """One line at a prompt that shows the clock (no prompt: a line of code, kept as typed); None at
        the end of input; TimeUp at the deadline."""
        while True:
            left = self.session.remaining()
            if left <= 0:
                raise TimeUp()
            if prompt is not None:
                self.console.print(f"[bold cyan]\\[{clock_text(left)}][/] {escape(prompt)}", end="")
                self.console.file.flush()
            due = [w for w in WARNINGS if w not in self._warned and w < left]
            line = self.keyboard.line(left - max(due) if due else left)
            if line is not TIMEOUT:
                return None if line is None else (line if raw else line.strip())
            self._warned.update(w for w in WARNINGS if self.session.remaining() <= w + 0.5)
            if self.session.remaining() > 0:
                self.console.print(f"\n[bold yellow]{clock_text(self.session.remaining())}[/] — "
                                   "every answer entered so far is saved.")

    def step(self, direction: int) -> str:
        labels = self.session.labels
        if self.current is None:
            return labels[0]
        return labels[(labels.index(self.current) + direction) % len(labels)]

    # --- screens --------------------------------------------------------------------------
    def overview(self) -> None:
        s = self.session
        deadline = s.exam.deadline.astimezone().strftime("%H:%M")
        table = Table(title=f"Exam {s.exam.seed} · {s.points:g} points · {clock_text(s.remaining())} "
                            f"(until {deadline})", title_justify="left", expand=False)
        table.add_column("task", justify="right")
        table.add_column("title")
        table.add_column("points", justify="right")
        table.add_column("answer")
        for t in s.tasks:
            label = str(t["label"])
            table.add_row(f"[bold]{label}[/]", escape(str(t["title"])), f"{float(t['points']):g}", self._state(label))
        self.console.print(table)
        done = sum(s.answered(label) for label in s.labels)
        self.console.print(f"{done} of {len(s.labels)} answered. [dim]{escape(CLOCK_POLICY)}[/]")
        self.console.print(COMMANDS)

    def _state(self, label: str) -> str:
        if not self.session.answered(label):
            return "[dim]—[/]"
        if self.session.problems.get(label):
            return "[yellow]✗ answered, cannot be read[/]"
        if not self.session.is_code(label):
            return "[green]✓ answered[/]"
        state = self.session.code_state(label)
        return {"done": "[green]✓ answered · run in the sandbox[/]",
                "running": "[green]✓ answered[/] · running in the sandbox",
                "queued": "[green]✓ answered[/] · waiting for the sandbox"}.get(state, "[green]✓ answered[/]")

    def go(self, label: str) -> None:
        try:
            self.session.task(label)
        except InputError as exc:
            self.console.print(f"[yellow]{escape(str(exc))}[/] [dim](? lists the commands)[/]")
            return
        self.current = label
        self.show(label)
        self.answer(label)

    def show(self, label: str) -> None:
        from dlexam.terminal import renderable

        s, t = self.session, self.session.task(label)
        with self.console.status(f"Preparing task {label}…"):
            fam, variant = s.family(label), s.variant(label)
            body = renderable(fam.document(variant))
        self.console.print(Panel(body, title=f"[bold]{label} · {escape(str(t['title']))}[/] · {float(t['points']):g} "
                                             f"points", subtitle=f"{t['family']} · seed {t['seed']}",
                                 title_align="left", subtitle_align="right"))
        self.console.print(f"Answer: {fam.answer_hint(variant)}", style="dim", markup=False)
        if s.answered(label):
            saved = s.answers[label]
            shown = saved if "\n" not in saved else f"{saved.count(chr(10)) + 1} lines of code, starting " \
                                                     f"{saved.strip().splitlines()[0]!r}"
            self.console.print(f"Saved answer: {shown}", markup=False, style="green")

    def answer(self, label: str) -> None:
        code = self.session.is_code(label)
        if code:
            self.console.print("[dim]Typed code ends with a line holding a single '.'. An empty line leaves the "
                               "answer as it is.[/]")
        else:
            self.console.print("[dim]An empty line leaves the answer as it is.[/]")
        first = self.ask(f"answer {label}› ")
        if not first:
            return
        text = first
        if code and not (first.endswith(".py") and " " not in first):
            lines = [first]
            while (line := self.ask(None, raw=True)) is None or line.strip() != ".":
                if line is None:
                    self.console.print("[yellow]The input ended before the line with '.'; nothing was saved.[/]")
                    return
                lines.append(line)
            text = "\n".join(lines) + "\n"
        try:
            saved = self.session.answer(label, text)
        except InputError as exc:
            self.console.print(f"[yellow]{escape(str(exc))}[/]")
            return
        if saved.problem:
            after = (f"[yellow]But it cannot be read, so it would earn 0: {escape(saved.problem)} "
                     f"Enter it again with {label}.[/]")
        elif code:
            after = "[dim]It runs in the sandbox now; the points come at hand-in. Enter: next task.[/]"
        else:
            after = "[dim]Enter: next task.[/]"
        self.console.print(f"[green]Saved {label}.[/] {after}")

    def confirm_hand_in(self) -> bool:
        missing = [label for label in self.session.labels if not self.session.answered(label)]
        note = f" {len(missing)} unanswered ({', '.join(missing)}) earn 0." if missing else ""
        reply = self.ask(f"Hand in now?{note} [y/N] ")
        return reply is not None and reply.lower() in {"y", "yes", "j", "ja"}

    def quit(self):
        s = self.session
        self.console.print(f"\nQuit. {sum(map(s.answered, s.labels))} answers are saved; the clock keeps running "
                           f"({clock_text(s.remaining())}). `dlexam exam --resume` continues.")
        return None

    def hand_in(self):
        with self.console.status("Grading…") as status:
            result = self.session.hand_in(self.pictures, on_task=lambda label: status.update(
                f"Grading and solving task {label}…" + ("  (waiting for the sandbox)"
                                                        if self.session.is_code(label) else "")))
        show_hand_in(self.console, result)
        return result
