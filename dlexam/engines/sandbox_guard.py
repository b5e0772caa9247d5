"""Inside the sandbox, before the student's code: a new keyring, the seccomp filter, and a
Python audit hook that refuses and reports what the sandbox forbids.

Runs in the child (standard library only; `sandbox_child` imports it from the runner's folder).

- `new_keyring(nr)`: join a fresh anonymous session keyring, so no key of the grader's or of
  an earlier sandbox is in reach (keyctl is then denied by the filter anyway);
- `load_filter(nr, program)`: no_new_privs, then the grader's BPF program for every thread;
- `Reporter.install(report_fd, writable)`: an audit hook that refuses (PermissionError) and
  reports, one line each on the report pipe, the moment it happens: network use, writing
  outside the writable folder, signalling a process that is not the sandbox's own, starting a
  process (fork), running programs, loading or calling native code through ctypes. The
  kernel's walls block all of these anyway; the hook names them for the grade. A report sent
  cannot be taken back.
"""

from __future__ import annotations

import os
import sys

NETWORK = {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
           "socket.gethostbyname", "socket.gethostbyaddr"}
PROGRAMS = {"os.exec", "os.posix_spawn", "os.spawn", "os.system", "subprocess.Popen", "os.startfile", "pty.spawn"}
PROCESSES = {"os.fork", "os.forkpty"}   # the seccomp filter denies them too (and every other way)
SIGNALS = {"os.kill", "os.killpg", "signal.pthread_kill", "os.pidfd_open", "signal.pidfd_send_signal"}
CHANGES = {"os.mkdir", "os.remove", "os.rmdir", "os.rename", "os.chmod", "os.chown", "os.symlink",
           "os.link", "os.utime", "os.truncate", "os.mkfifo", "os.mknod", "shutil.rmtree"}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
HARMLESS = ("/dev/null", "/dev/stdout", "/dev/stderr", "/proc/self/fd/1", "/proc/self/fd/2")
MAX_REPORTS = 40


def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def new_keyring(keyctl_nr: int) -> None:
    """Join a new, empty anonymous session keyring (KEYCTL_JOIN_SESSION_KEYRING, no name)."""
    libc = _libc()
    if libc.syscall(keyctl_nr, 1, None) < 0:
        import ctypes

        raise OSError(ctypes.get_errno(), "cannot join a new session keyring")


def load_filter(seccomp_nr: int, program: bytes) -> None:
    """Install the BPF program for every thread of this process (and all it will start)."""
    import ctypes

    libc = _libc()
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "cannot set no_new_privs")

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

    prog = Program(len(program) // 8, program)
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog)
    if libc.syscall(seccomp_nr, 1, 1, ctypes.byref(prog)) != 0:
        raise OSError(ctypes.get_errno(), "cannot load the seccomp filter")


class Reporter:
    """The audit hook: refuses forbidden actions and reports each on the report pipe."""

    def __init__(self, report_fd: int, writable: str):
        self.fd, self.writable, self.sent = report_fd, os.path.realpath(writable), 0
        self.uid, self.pid = os.getuid(), os.getpid()
        self.active = False

    def install(self) -> None:
        sys.addaudithook(self.hook)
        self._wrap_pidfd()

    def _wrap_pidfd(self) -> None:
        """pidfd_open and pidfd_send_signal raise no audit event: wrap them, so signalling another
        process through a pidfd (or a /proc/PID folder) is refused and named like os.kill."""
        import posix
        import signal as signal_module

        opened, send = getattr(posix, "pidfd_open", None), getattr(signal_module, "pidfd_send_signal", None)

        def pidfd_open(pid, *args, **kwargs):
            self.hook("os.pidfd_open", (pid,))
            return opened(pid, *args, **kwargs)

        def pidfd_send_signal(fd, *args, **kwargs):
            self.hook("signal.pidfd_send_signal", (_pid_of_fd(fd),))
            return send(fd, *args, **kwargs)

        places = ((posix, "pidfd_open", pidfd_open, opened), (os, "pidfd_open", pidfd_open, opened),
                  (signal_module, "pidfd_send_signal", pidfd_send_signal, send))
        for module, name, wrapper, original in places:
            if original is not None:
                setattr(module, name, wrapper)

    def start(self) -> None:
        """From now on (the student's code), forbidden actions are refused."""
        self.active = True

    def finish(self, token: str) -> None:
        """The runner's last word on the report pipe: the reports are complete."""
        try:
            os.write(self.fd, f"end {token}\n".encode())
        except OSError:
            pass

    def report(self, text: str) -> None:
        if self.sent >= MAX_REPORTS:
            return
        self.sent += 1
        line = " ".join(text.replace("\t", " ").split())[:200]
        try:
            os.write(self.fd, (line + "\n").encode("utf-8", "replace"))
        except OSError:
            pass

    def hook(self, event: str, args: tuple) -> None:
        if not self.active:
            return
        why = self._forbidden(event, args)
        if why:
            self.report(why)
            raise PermissionError(f"the sandbox forbids this: {why}")

    def _forbidden(self, event: str, args: tuple) -> str | None:
        if event in NETWORK:
            return f"network: {event} {_short(args)}"
        if event in PROGRAMS:
            return f"running a program: {event} {_short(args[:1])}"
        if event in PROCESSES:
            return f"starting a process: {event}"
        if event.startswith("ctypes."):
            return f"native code through ctypes: {event}"
        if event in SIGNALS:
            return self._signal(event, args)
        if event == "open":
            return self._open(args)
        if event in CHANGES:
            return self._change(event, args)
        return None

    def _signal(self, event: str, args: tuple) -> str | None:
        if event == "signal.pthread_kill":
            return None
        pid = args[0] if args and type(args[0]) is int else None
        if pid is None and event.startswith(("os.pidfd", "signal.pidfd")):
            return f"signalling a process that is not its own: {event}(an unknown process)"
        if pid is None or pid in (0, -1, self.pid) or (pid < -1 and -pid == os.getpgrp()):
            return None
        if pid > 0 and pid != 1 and _uid_of(pid) == self.uid:
            return None  # one of its own processes
        return f"signalling a process that is not its own: {event}({pid})"

    def _open(self, args: tuple) -> str | None:
        path, mode, flags = (list(args) + [None, None, None])[:3]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            type(flags) is int and flags > 0 and flags & WRITE_FLAGS)
        if not writes or type(path) is int:
            return None
        return self._outside(path, "writing")

    def _change(self, event: str, args: tuple) -> str | None:
        for path in args[:2] if event in ("os.rename", "os.symlink", "os.link") else args[:1]:
            if type(path) is not int and (why := self._outside(path, f"changing files ({event})")):
                return why
        return None

    def _outside(self, path, action: str) -> str | None:
        try:
            text = os.fsdecode(path)
            full = os.path.realpath(text if os.path.isabs(text) else os.path.join(os.getcwd(), text))
        except (TypeError, ValueError, OSError):
            return f"{action} at an unreadable path"
        if full in HARMLESS or full == self.writable or full.startswith(self.writable + os.sep):
            return None
        return f"{action} outside {self.writable}: {full}"


def _pid_of_fd(fd) -> int | None:
    """The process a pidfd or an open /proc/PID folder stands for (None: unknown, treated as foreign)."""
    try:
        with open(f"/proc/self/fdinfo/{int(fd)}", "rb") as info:
            for line in info:
                if line.startswith(b"Pid:"):
                    return int(line.split()[1])
        target = os.readlink(f"/proc/self/fd/{int(fd)}")
        return int(target.rsplit("/", 1)[-1]) if target.startswith("/proc/") else None
    except (OSError, ValueError, TypeError):
        return None


def _uid_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as status:  # our own read: not an audited write
            for line in status:
                if line.startswith(b"Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _short(args) -> str:
    """The plain arguments of an event (addresses, names), without socket objects or data."""
    return repr(tuple(a for a in args if isinstance(a, (str, int, tuple, list))))[:120]
