"""The browser's accounts (the `users` table) and who owns an exam or an attempt.

A user's `name` is what `student` holds on attempts, exams and review states, so a `Store`
opened with `student=name` (or `as_student(store, name)`) sees only that user's rows. Password
hashes are made above (dlexam.web.auth, argon2 through pwdlib); the store keeps the string.

    add(store, name, password_hash, staff=False) -> User       # InputError if the name is taken
    find(store, name) -> User | None
    set_password(store, name, password_hash)
    as_student(store, name) -> Store        # the same engine, another student's rows
    exam_owner(store, exam_id) / attempt(store, attempt_id, student) -> owner / Attempt | None
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from dlexam.errors import InputError
from dlexam.store.models import attempts, exams, users
from dlexam.store.records import Attempt

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    password_hash: str
    staff: bool
    created: float


def check_name(name: str) -> str:
    if not NAME.fullmatch(name or ""):
        raise InputError("A user name is 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit.")
    return name


def add(store, name: str, password_hash: str, staff: bool = False) -> User:
    """A new account; one transaction. A name already taken is refused (InputError)."""
    check_name(name)
    try:
        with store._write() as conn:
            conn.execute(insert(users).values(name=name, password_hash=password_hash, staff=bool(staff),
                                              created=store.now()))
    except IntegrityError:
        raise InputError(f"The user name {name!r} is taken.") from None
    found = find(store, name)
    assert found is not None
    return found


def find(store, name: str) -> User | None:
    with store._read() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).mappings().first()
    return None if row is None else User(row["id"], row["name"], row["password_hash"], bool(row["staff"]),
                                         row["created"])


def set_password(store, name: str, password_hash: str) -> None:
    with store._write() as conn:
        if conn.execute(update(users).where(users.c.name == name).values(password_hash=password_hash)).rowcount == 0:
            raise InputError(f"There is no user {name!r}.")


def as_student(store, name: str):
    """The store seen as `name`: shares the engine (do not close it; close the original)."""
    view = copy.copy(store)
    view.student = name
    return view


def exam_owner(store, exam_id: int) -> str | None:
    """Whose exam `exam_id` is, or None if there is none."""
    with store._read() as conn:
        return conn.execute(select(exams.c.student).where(exams.c.id == exam_id)).scalar()


def attempt(store, attempt_id: int, student: str) -> Attempt | None:
    """The attempt `attempt_id` if `student` made it, else None (the same answer as for no attempt)."""
    with store._read() as conn:
        r = conn.execute(select(attempts).where(attempts.c.id == attempt_id, attempts.c.student == student)
                         ).mappings().first()
    if r is None:
        return None
    return Attempt(family=r["family"], seed=r["seed"], variant=r["variant"], answer=r["answer"], grade=r["grade"],
                   seconds=r["seconds"], created=r["created"], id=r["id"], student=r["student"], exam_id=r["exam_id"])
