"""Reading a posted answer: the input templates put it into fields named `answer`."""

from __future__ import annotations

MAX_ANSWER = 200_000     # characters: far more than any answer, far less than a memory problem
TOO_LONG = f"An answer has at most {MAX_ANSWER:,} characters."


def answer_text(values: list[str]) -> str:
    """One field: as posted; several (option boxes named `answer`): joined as `a,c`, as typed answers are."""
    values = [v for v in values if isinstance(v, str)]
    if len(values) == 1:
        return values[0]
    return ",".join(v.strip() for v in values if v.strip())


def file_name_instead_of_code(family_name: str, text: str) -> bool:
    """A one-line `something.py` for a programming task: the terminal reads such a path from the
    student's own disk, so a server must refuse it rather than read its own files."""
    from dlexam.tasks.registry import FAMILIES

    stripped = text.strip()
    return FAMILIES.get(family_name, (0,))[0] == 5 and "\n" not in stripped and stripped.endswith(".py")


CODE_NOT_FILE = "Paste or type the code itself here; a file name is read only in the terminal."
