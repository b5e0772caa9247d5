"""Lines from the keyboard (or a pipe) with a time limit, so the clock can end the exam at a prompt.

Reads the file descriptor itself (select + os.read) with its own buffer: Python's buffered
sys.stdin could hold lines that select no longer sees. In a terminal the kernel's line editing
(canonical mode) stays as it is: a line arrives when Enter is pressed.
"""

from __future__ import annotations

import codecs
import os
import select
import sys
import time

TIMEOUT = object()   # returned by `line` when the time ran out before a whole line came


class Keyboard:
    def __init__(self, fd: int | None = None):
        self.fd = sys.stdin.fileno() if fd is None else fd
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._eof = False

    def line(self, timeout: float | None = None):
        """The next line without its newline; None at the end of input; TIMEOUT after `timeout` s."""
        until = None if timeout is None else time.monotonic() + max(0.0, timeout)
        while "\n" not in self._buffer:
            if self._eof:
                if self._buffer:
                    text, self._buffer = self._buffer, ""
                    return text
                return None
            wait = None if until is None else max(0.0, until - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                return TIMEOUT
            chunk = os.read(self.fd, 65536)
            if not chunk:
                self._eof = True
                self._buffer += self._decoder.decode(b"", final=True)
            else:
                self._buffer += self._decoder.decode(chunk)
        text, self._buffer = self._buffer.split("\n", 1)
        return text.rstrip("\r")
