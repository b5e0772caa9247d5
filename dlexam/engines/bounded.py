"""What one input may cost: sizes refused before any work, and a deadline that holds.

Hostile input is small text that asks for a lot: a name of 20,000 letters, brackets nested
100,000 deep, `Derivative(x, (x, 10**18))`, `max` of 800 arguments, a 700-character program
whose pieces double per line. Three defences, cheapest first:

1. `check_text` bounds what a reader accepts (length, name length, bracket depth), and the
   engines refuse counts before they compute them ("has more than N pieces", derivative orders,
   arguments of one call): one sentence, exit 2.
2. `deadline(seconds)` raises `OutOfTime` in the main thread when the time is up (SIGALRM,
   repeated until someone lets it through: SymPy sometimes swallows exceptions). Free when unused.
   It never raises inside a finalizer (`__del__`, a weakref callback): Python would swallow the
   exception there ("Exception ignored in ...") and the finalizer would stop half-way.
3. `run_bounded(fn, ...)` runs a command's work in a forked child with a cap on memory, and kills
   it at the deadline: nothing the child does can keep the command past its time limit.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import resource
import select
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any, Callable, Iterator

from dlexam.errors import InputError

MAX_TEXT = 20_000          # characters of one formula or program
MAX_NAME = 64              # characters of one name
MAX_DEPTH = 64             # brackets inside brackets
MAX_ARGUMENTS = 64         # arguments of one call such as max(...)
MAX_ORDER = 20             # order of a derivative
MAX_PIECES = 200_000       # linear pieces of a network (float64, vectorised)
MAX_JSON_DEPTH = 32        # nesting of a JSON answer or network file
MEMORY = 3 << 30           # bytes a bounded child may add to what it already has


class OutOfTime(TimeoutError):
    """The deadline passed; callers turn it into an honest "could not decide" or exit 2."""


class TooSlow(InputError):
    """A bounded child outlived its time limit (exit 2, one sentence; `equiv` says "undecided")."""


def check_text(text: str, what: str = "The formula") -> str:
    """Refuse text too long, with a name too long or brackets too deep to be a formula."""
    if len(text) > MAX_TEXT:
        raise InputError(f"{what} has {len(text):,} characters, more than the {MAX_TEXT:,} allowed.")
    long_name = _LONG_NAME.search(text)
    if long_name:
        raise InputError(f"{what} has a name of {len(long_name.group()):,} characters, "
                         f"more than the {MAX_NAME} allowed.")
    opening = text.count("(") + text.count("[") + text.count("{")
    if opening > MAX_DEPTH and bracket_depth(text) > MAX_DEPTH:
        raise InputError(f"{what} nests brackets more than {MAX_DEPTH} deep.")
    return text


_LONG_NAME = re.compile(rf"[^\W\d]\w{{{MAX_NAME},}}")


def bracket_depth(text: str) -> int:
    depth = deepest = 0
    for match in re.finditer(r"[(\[{]|[)\]}]", text):
        depth = depth + 1 if match.group() in "([{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def check_json_depth(text: str, what: str = "The JSON") -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH before `json.loads` recurses into it."""
    depth = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InputError(f"{what} is nested more than {MAX_JSON_DEPTH} deep.")
        elif token in "]}":
            depth -= 1


# ---------------------------------------------------------------- an in-process deadline


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise OutOfTime in the block after `seconds` (main thread only; elsewhere a no-op).

    Nested deadlines keep the earlier one. The alarm repeats every 50 ms after it first fires,
    so code that catches and drops the first exception is interrupted again.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    old_handler = signal.getsignal(signal.SIGALRM)
    old_delay, old_interval = signal.getitimer(signal.ITIMER_REAL)
    if old_delay and old_delay <= seconds:   # an outer deadline comes first: let it rule
        yield
        return

    def fire(signum, frame):
        if _in_finalizer(frame):   # not here: try again in a millisecond, once it has finished
            signal.setitimer(signal.ITIMER_REAL, RETRY, 0.05)
            return
        raise OutOfTime(f"the time limit of {seconds:g} s ran out")

    old_hook = sys.unraisablehook

    def swallowed(unraisable):  # a finalizer not recognised above ate it: fire again at once
        if unraisable.exc_type is OutOfTime:
            signal.setitimer(signal.ITIMER_REAL, RETRY, 0.05)
        else:
            old_hook(unraisable)

    signal.signal(signal.SIGALRM, fire)
    sys.unraisablehook = swallowed
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3), 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        sys.unraisablehook = old_hook
        if old_delay:   # give the outer deadline back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(old_delay - seconds, 1e-3), old_interval)


RETRY = 1e-3   # seconds until the alarm fires again after it found a finalizer running
# The standard library's weakref callbacks: WeakValueDictionary's and WeakKeyDictionary's `remove`,
# WeakSet's `_remove`, weakref.finalize's `__call__` and `_exitfunc`.
_WEAKREF_CALLBACKS = {("weakref.py", "remove"), ("weakref.py", "__call__"), ("weakref.py", "_exitfunc"),
                      ("_weakrefset.py", "_remove")}


def _in_finalizer(frame: FrameType | None) -> bool:
    """Is the interrupted code (or one of its callers) a `__del__` or a weakref callback?"""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or (os.path.basename(code.co_filename), code.co_name) in _WEAKREF_CALLBACKS:
            return True
        frame = frame.f_back
    return False


# ---------------------------------------------------------------- a forked, killed-at-the-deadline child


def run_bounded(fn: Callable[..., Any], *args: Any, seconds: float, memory: int = MEMORY,
                what: str = "The computation") -> Any:
    """fn(*args) in a forked child: its result, its InputError re-raised, or InputError when it
    outlives `seconds` or `memory` more bytes. Without fork (not Linux), fn runs here."""
    if not hasattr(os, "fork"):
        return fn(*args)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(read)
            _cap_memory(memory)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            _write_all(write, pickle.dumps(_outcome(fn, args)))
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write)
    try:
        data = _read_until(read, time.monotonic() + seconds)
    finally:
        os.close(read)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if data is None:
        raise TooSlow(f"{what} did not finish within the time limit of {seconds:g} s.")
    if not data:
        raise InputError(f"{what} needed more memory than the {memory >> 30} GB allowed, or crashed.")
    kind, value = pickle.loads(data)
    if kind == "ok":
        return value
    if kind == "input":
        raise InputError(value)
    raise RuntimeError(value)


def _outcome(fn: Callable[..., Any], args: tuple) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except InputError as exc:
        return "input", str(exc)
    except OutOfTime as exc:
        return "input", f"The computation did not finish: {exc}."
    except MemoryError:
        return "input", f"The computation needed more memory than the {MEMORY >> 30} GB allowed."
    except RecursionError:
        return "input", "The input is nested too deeply to work with."
    except Exception as exc:  # a bug: the parent reports it as one (exit 1)
        return "bug", f"{type(exc).__name__}: {exc}"


def _cap_memory(extra: int) -> None:
    try:
        with open("/proc/self/statm") as fh:
            size = int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError):
        return
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.close(fd)


def _read_until(fd: int, end: float) -> bytes | None:
    """Everything the child writes until it closes the pipe; None if `end` comes first."""
    chunks = []
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
