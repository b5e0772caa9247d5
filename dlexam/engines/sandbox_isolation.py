"""How a sandbox process is walled in: the command line that starts it.

What protects what (bubblewrap mode, the normal one; `scripts/install-system-deps.sh`
installs bubblewrap):

- **Grader's files** (the checkout, `dlexam/solutions`, the grader's source): the child
  runs in a new mount namespace whose root is an empty tmpfs. Only these are bind-mounted,
  all read-only: /usr (+ the /bin, /lib, /lib64, /sbin links), /etc/ld.so.cache, the Python
  installation (at /opt/python), the site-packages directories that hold torch and numpy (at
  /opt/site-packages*, with every `dlexam*` / `__editable__*` entry and the grader package
  itself masked by an empty tmpfs or /dev/null), and the child runner file. The checkout is
  not mounted at all, so its paths do not exist inside. The interpreter runs with
  `-I -S`, so no `.pth` file (like the editable-install finder) is processed.
- **Writing**: the only writable place is a size-limited tmpfs at /tmp (also HOME and cwd);
  /dev/shm and everything else is read-only or root-owned. The tmpfs vanishes with the sandbox.
- **Privileges**: bwrap (run as root, without a user namespace) sets up the mounts, then
  `setpriv` switches to a random unprivileged uid/gid (no passwd entry, no groups), clears
  the inheritable and bounding capability sets; bwrap sets no_new_privs, so no setuid binary
  can regain root. A fresh uid per sandbox keeps RLIMIT_NPROC (counted per uid) per sandbox.
  Run as a normal user, bwrap uses an unprivileged user namespace instead.
- **Network**: a new network namespace with only a loopback device: no route anywhere,
  not even to the host's own 127.0.0.1 services.
- **Other processes**: new pid, ipc and uts namespaces and a new session (no terminal);
  the child sees only its own processes and cannot signal the grader (different uid, and
  the grader is outside its pid namespace). `--die-with-parent` plus killing the outer bwrap
  kills the whole pid namespace, so a fork bomb or hanging child ends completely.
- **Resources**: `prlimit` sets limits before bwrap starts (address space, processes, file
  size, open files, core dumps, a start-up CPU budget); the runner lowers them again with
  setrlimit once the job arrives (CPU seconds for this call, the job's memory). Captured
  stdout/stderr and the result frame are truncated / size-checked by the grader.
Not covered: the kernel's attack surface (no seccomp filter; the child may still create
user namespaces), and CPU/memory *pressure* on the host beyond the rlimits (no cgroups).

Fallback mode (no usable bwrap): the same `prlimit` limits, `unshare --net --pid --ipc`
where the kernel allows it, and `setpriv` to an unprivileged uid when running as root.
It does NOT hide the grader's files (they stay readable if world-readable); the child's
working directory and HOME are a fresh host temp dir owned by its uid (removed afterwards),
but /tmp is the host's; it needs the Python installation to be readable by that uid. `isolation_kind()` says which mode is in force.
"""

from __future__ import annotations

import functools
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

RUNNER = Path(__file__).with_name("sandbox_child.py")
HIDDEN_PREFIXES = ("dlexam", "__editable__")


class Isolation(StrEnum):
    """How a sandbox is walled in (a str, so `isolation_kind() == "bwrap"` still holds)."""

    BWRAP = "bwrap"          # bubblewrap: the normal mode, described above
    FALLBACK = "fallback"    # prlimit, unshare and setpriv only


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox; sizes in bytes, times in seconds."""

    memory_bytes: int = 3 << 30        # RLIMIT_AS: torch itself needs ~0.6 GB of address space
    processes: int = 64                # RLIMIT_NPROC: tasks (processes + threads) of the sandbox's uid
    file_bytes: int = 64 << 20         # RLIMIT_FSIZE: largest file the child may write
    tmp_bytes: int = 128 << 20         # size of the private /tmp tmpfs (bwrap mode)
    open_files: int = 256              # RLIMIT_NOFILE
    output_bytes: int = 64 << 10       # stdout and stderr each kept up to this, the rest dropped
    result_bytes: int = 512 << 20      # largest result frame the grader will read
    startup_cpu_seconds: int = 120     # CPU budget for importing torch before a job arrives
    startup_timeout: float = 90.0      # wall seconds to wait for a sandbox to become ready
    threads: int = 1                   # torch threads inside


def _python_home() -> tuple[str, str]:
    """(installation prefix, interpreter path relative to it) of the real interpreter."""
    exe = os.path.realpath(sys.executable)
    prefix = os.path.realpath(sys.base_prefix)
    if not exe.startswith(prefix + os.sep):
        raise RuntimeError(f"the interpreter {exe} is not inside its prefix {prefix}")
    return prefix, os.path.relpath(exe, prefix)


@functools.lru_cache(maxsize=1)
def site_dirs() -> tuple[str, ...]:
    """The directories holding torch and numpy (and so their dependencies)."""
    import numpy
    import torch

    dirs = []
    for module in (torch, numpy):
        path = os.path.realpath(os.path.dirname(os.path.dirname(module.__file__)))
        if path not in dirs:
            dirs.append(path)
    return tuple(dirs)


def _hidden_paths() -> list[str]:
    package = Path(__file__).resolve().parents[1]  # the dlexam package
    return [str(package), str(package.parent)]


def _masks(src: str, dest: str) -> list[str]:
    """bwrap arguments hiding grader files that would otherwise show up under dest."""
    args, targets = [], set()
    for folder in (src, os.path.join(src, "__pycache__")):  # the finder's .pyc too
        if os.path.isdir(folder):
            targets |= {os.path.join(folder, e) for e in os.listdir(folder)
                        if e.lower().startswith(HIDDEN_PREFIXES)}
    targets |= {h for h in _hidden_paths() if h.startswith(src + os.sep)}
    for target in sorted(targets):
        inside = os.path.join(dest, os.path.relpath(target, src))
        args += ["--tmpfs", inside] if os.path.isdir(target) else ["--ro-bind", "/dev/null", inside]
    return args


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args + ["--perms", "0755", "--dir", "/etc", "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]


def environment(limits: Limits, home: str = "/tmp") -> dict[str, str]:
    """The child's whole environment (nothing of the grader's leaks in)."""
    threads = str(limits.threads)
    return {"HOME": home, "TMPDIR": home, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "MALLOC_ARENA_MAX": "2",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}


def _prlimit(limits: Limits) -> list[str]:
    return ["prlimit", f"--as={limits.memory_bytes}", f"--nproc={limits.processes}",
            f"--fsize={limits.file_bytes}", f"--nofile={limits.open_files}", "--core=0",
            f"--cpu={limits.startup_cpu_seconds}:unlimited", "--"]  # the runner lowers the hard limit


def _setpriv(uid: int) -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--"]


def bwrap_command(result_fd: int, limits: Limits, uid: int, program: list[str] | None = None) -> list[str]:
    """The full command; `program` replaces the Python runner (used to probe bwrap)."""
    prefix, exe = _python_home()
    args = [shutil.which("bwrap") or "bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net",
            "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--hostname", "sandbox"]
    if os.geteuid() != 0:
        args += ["--unshare-user"]
    args += _system_binds()
    args += ["--perms", "0755", "--dir", "/opt", "--ro-bind", prefix, "/opt/python"]
    args += _masks(prefix, "/opt/python")
    inside = []
    for i, src in enumerate(site_dirs()):
        dest = f"/opt/site-packages{i}"
        args += ["--ro-bind", src, dest] + _masks(src, dest)
        inside.append(dest)
    args += ["--perms", "0755", "--dir", "/opt/runner",
             "--ro-bind", str(RUNNER), "/opt/runner/sandbox_child.py",
             "--proc", "/proc", "--dev", "/dev",
             "--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp"]
    if os.geteuid() == 0:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    args += ["--clearenv", "--chdir", "/tmp"]
    for key, value in environment(limits).items():
        args += ["--setenv", key, value]
    program = program or [f"/opt/python/{exe}", "-I", "-S", "-B", "/opt/runner/sandbox_child.py",
                          os.pathsep.join(inside), str(result_fd)]
    return _prlimit(limits) + args + ["--"] + _setpriv(uid) + program


def fallback_command(result_fd: int, limits: Limits, uid: int) -> list[str]:
    unshare = ["unshare", "--net", "--ipc", "--pid", "--fork", "--kill-child"]
    if os.geteuid() != 0:
        unshare.insert(1, "--map-root-user")
    if not _works(tuple(unshare + ["true"])):
        unshare = []
    python = [os.path.realpath(sys.executable), "-I", "-S", "-B", str(RUNNER),
              os.pathsep.join(site_dirs()), str(result_fd)]
    return _prlimit(limits) + unshare + _setpriv(uid) + python


@functools.lru_cache(maxsize=None)
def _works(argv: tuple[str, ...]) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@functools.lru_cache(maxsize=1)
def isolation_kind() -> Isolation:
    """BWRAP when bubblewrap can build the sandbox on this machine, else FALLBACK."""
    if shutil.which("bwrap") is None or shutil.which("prlimit") is None:
        return Isolation.FALLBACK
    probe = bwrap_command(1, Limits(), random_uid(), program=["/usr/bin/true"])
    return Isolation.BWRAP if _works(tuple(probe)) else Isolation.FALLBACK


def random_uid() -> int:
    """A fresh unprivileged uid, outside the range of real accounts."""
    return random.randrange(200_000, 60_000_000)


def sandbox_command(result_fd: int, limits: Limits, uid: int, kind: Isolation | str | None = None) -> list[str]:
    kind = kind or isolation_kind()
    build = bwrap_command if kind == Isolation.BWRAP else fallback_command
    return build(result_fd, limits, uid)
