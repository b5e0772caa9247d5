"""Who is signed in, and the guards every page relies on.

- Passwords: argon2id through pwdlib with OWASP's parameters (19 MiB, 2 passes, 1 lane: about 0.1 s
  on one core here; pwdlib's default, 64 MiB × 3 passes × 4 lanes, took 0.5 s under the shared load and
  would make sign-in the slowest page); the store keeps only the hash.
- Sessions: Starlette's SessionMiddleware, a cookie signed with itsdangerous (HMAC) under a secret
  from `DLEXAM_SECRET_KEY`, else generated once into `web-secret` beside the store's file (mode
  0600; with a database server, in the user's data directory). The cookie holds the user's name and
  the CSRF token, nothing else; signing in starts a fresh session (no fixation).
- CSRF: every POST (a form, or fetch) carries the session's token — the form field `csrf` or the
  header `X-CSRF-Token` — else 403 (`check_csrf`, a dependency of the whole app).
- Login rate limit: after 5 failed sign-ins for one name, or 50 from one address (a lecture hall behind
  one NAT makes more than a few typos), within 5 minutes, sign-in answers 429 until the window has
  passed (in memory, per process).
- `current_user` (a dependency): the signed-in User, else a redirect to sign in (pages) or 401;
  `require_staff`: that user if staff, else 403.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from fastapi import Depends, HTTPException, Request
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from dlexam.store import users

SECRET_VAR = "DLEXAM_SECRET_KEY"
SECRET_FILE = "web-secret"
CSRF_FIELD, CSRF_HEADER = "csrf", "X-CSRF-Token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MIN_PASSWORD = 8

_hasher = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19456, parallelism=1),))
# A hash to verify against when the name is unknown, so the answer takes as long as for a known one.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class SignInRequired(Exception):
    """Raised by `current_user`; the app answers with a redirect to /signin (or 401 for fetch)."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password: str) -> str | None:
    """Why `password` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD:
        return f"A password has at least {MIN_PASSWORD} characters."
    if len(password) > 1024:
        return "A password has at most 1024 characters."
    return None


def authenticate(store, name: str, password: str) -> users.User | None:
    """The user if `password` is theirs (argon2 verify), else None; unknown names cost the same time."""
    user = users.find(store, name) if users.NAME.fullmatch(name or "") else None
    ok = _hasher.verify(password, user.password_hash if user else _DUMMY_HASH)
    return user if user and ok else None


def secret_key(store) -> str:
    """`DLEXAM_SECRET_KEY`, else the secret file beside the store, made once with mode 0600."""
    if os.environ.get(SECRET_VAR):
        return os.environ[SECRET_VAR]
    if store.path is not None:
        folder = Path(store.path).parent
    else:
        from platformdirs import user_data_path
        folder = user_data_path("dlexam")
        folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


# --- sessions and CSRF ----------------------------------------------------------------------------

def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def sign_in(request: Request, user: users.User) -> None:
    request.session.clear()
    request.session.update({"user": user.name, "csrf": secrets.token_urlsafe(32)})


def sign_out(request: Request) -> None:
    request.session.clear()


async def check_csrf(request: Request) -> None:
    """403 for a POST (PUT, PATCH, DELETE) without the session's token."""
    if request.method not in UNSAFE:
        return
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        given = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(given, str) or not secrets.compare_digest(given, expected):
        raise HTTPException(403, "The form was not sent from this site's page (CSRF token missing or wrong); "
                                 "reload the page and try again.")


def current_user(request: Request) -> users.User:
    name = request.session.get("user")
    user = users.find(request.app.state.store, name) if name else None
    if user is None:
        raise SignInRequired()
    return user


def require_staff(user: users.User = Depends(current_user)) -> users.User:
    if not user.staff:
        raise HTTPException(403, "This page is for the teaching staff.")
    return user


def student_store(request: Request, user: users.User):
    """The store seen as `user`: every query returns only their rows."""
    return users.as_student(request.app.state.store, user.name)


# --- login rate limit -----------------------------------------------------------------------------

class LoginLimiter:
    """Failed sign-ins per name and per address in a sliding window."""

    def __init__(self, per_name: int = 5, per_address: int = 50, window: float = 300.0, clock=time.monotonic):
        self.limits = {"name": per_name, "address": per_address}
        self.window, self.clock = window, clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, name: str, address: str) -> list[tuple[str, str]]:
        return [("name", name.lower()), ("address", address)]

    def blocked(self, name: str, address: str) -> bool:
        now = self.clock()
        with self._lock:
            for key in self._keys(name, address):
                failures = self._failures.get(key)
                while failures and failures[0] <= now - self.window:
                    failures.popleft()
                if failures and len(failures) >= self.limits[key[0]]:
                    return True
        return False

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys(name, address):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(("name", name.lower()), None)
