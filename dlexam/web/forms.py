"""Reading a posted answer: the input templates put it into fields named `answer`."""

from __future__ import annotations


def answer_text(values: list[str]) -> str:
    """One field: as posted; several (option boxes named `answer`): joined as `a,c`, as typed answers are."""
    values = [v for v in values if isinstance(v, str)]
    if len(values) == 1:
        return values[0]
    return ",".join(v.strip() for v in values if v.strip())
