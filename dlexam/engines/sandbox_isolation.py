"""How a sandbox process is walled in: the command line that starts it.

What protects what (bubblewrap mode, the normal one; `scripts/install-system-deps.sh`
installs bubblewrap and libseccomp):

- **Grader's files** (the checkout, `dlexam/solutions`, the grader's source): the child
  runs in a new mount namespace whose root is an empty tmpfs. Only these are bind-mounted,
  all read-only: /usr (+ the /bin, /lib, /lib64, /sbin links), /etc/ld.so.cache, the
  interpreter, its libpython and its standard library (at /opt/python; the global
  site-packages hidden under an empty tmpfs), the distributions torch and numpy need and
  nothing else of the site-packages (at /opt/site-packages*), and the two runner files. The
  checkout is not mounted at all. The interpreter runs with `-I -S`, so no `.pth` file runs.
- **Writing**: the only writable place is /tmp, a tmpfs limited in bytes and inodes (also
  HOME and cwd); it vanishes with the sandbox.
- **Privileges**: bwrap (run as root, without a user namespace) sets up the mounts, a small
  prelude mounts /tmp, then `setpriv` switches to a random unprivileged uid/gid (no passwd
  entry, no groups) and clears every capability set; no_new_privs is set. Run as a normal
  user, bwrap uses an unprivileged user namespace instead, with `--disable-userns`.
- **Kernel surface** (`sandbox_seccomp`, `sandbox_guard`): the child joins a new empty session
  keyring and loads a seccomp filter denying what nothing needs (namespaces, mount, keyctl,
  ptrace, bpf, perf_event_open, execve, ...), so no new user namespace can be made inside.
- **Network**: a new network namespace with only a loopback device.
- **Other processes**: new pid, ipc and uts namespaces and a new session (no terminal); no
  procfs (its mountinfo names the host paths of the mounts): /proc holds only cpuinfo.
- **Resources**: a cgroup per sandbox (`sandbox_cgroup`: memory with tmpfs and memfd pages,
  pids, a CPU quota and an equal CPU share), plus `prlimit` limits per process (address space,
  processes, file size, open files, core dumps, CPU seconds) that the runner lowers again
  once the job arrives. Output and the result frame are capped by the grader.

Fallback mode (no usable bwrap): the same limits, cgroup, filter and hook; `unshare --net
--pid --ipc` where the kernel allows it, and `setpriv` to an unprivileged uid when root. It
does NOT hide the grader's files (they stay readable if world-readable); the child's cwd and
HOME are a fresh host temp dir owned by its uid (removed afterwards), holding copies of the
runner files; the site-packages are reached through directory descriptors the grader opened
(/proc/self/fd/N), so a checkout in a private folder works. `isolation_kind()` says which
mode is in force; `protection_notes()` lists what is missing on this machine.
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
RUNNER_FILES = (RUNNER, Path(__file__).with_name("sandbox_guard.py"))
TORCH_NEEDS = ("torch", "numpy")
# bwrap (root) mounts /tmp itself after the namespaces exist, to give it an inode limit too
TMP_PRELUDE = ('mount -t tmpfs -o "size=$1,nr_inodes=$2,mode=1777,nosuid,nodev" tmpfs /tmp '
               '&& cd /tmp && shift 2 && exec "$@"')
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
    tmp_inodes: int = 4096             # files and folders in it (bwrap mode as root)
    cpus: float = 1.0                  # CPU quota of the sandbox's cgroup, in cores
    open_files: int = 256              # RLIMIT_NOFILE
    output_bytes: int = 64 << 10       # stdout and stderr each kept up to this, the rest dropped
    result_bytes: int = 64 << 20       # largest result frame the grader will read
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
def site_dirs() -> tuple[str, ...]:  # noqa: D401
    """The directories holding torch and numpy (and so their dependencies)."""
    import numpy
    import torch

    dirs = []
    for module in (torch, numpy):
        path = os.path.realpath(os.path.dirname(os.path.dirname(module.__file__)))
        if path not in dirs:
            dirs.append(path)
    return tuple(dirs)


@functools.lru_cache(maxsize=1)
def torch_entries() -> tuple[tuple[str, str], ...]:
    """(site dir, top-level entry) of every distribution torch and numpy need, nothing else."""
    import importlib.metadata as metadata
    import re

    names, todo = set(), list(TORCH_NEEDS)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in names:
            continue
        names.add(name)
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue
        todo += [re.split(r"[ ;<>=!~\[(]", r)[0] for r in requires if "extra ==" not in r]
    entries = set()
    for name in names:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        base = os.path.realpath(str(dist.locate_file("")))
        for file in dist.files or []:
            top = file.parts[0]
            if top != ".." and not top.lower().startswith(HIDDEN_PREFIXES) and os.path.exists(os.path.join(base, top)):
                entries.add((base, top))
    return tuple(sorted(entries))


def _site_binds() -> tuple[list[str], list[str]]:
    """(bwrap arguments, the folders inside) mounting only what torch needs, read-only."""
    args, inside = [], []
    for i, src in enumerate(site_dirs()):
        dest = f"/opt/site-packages{i}"
        args += ["--perms", "0755", "--dir", dest]
        args += [a for base, top in torch_entries() if base == src
                 for a in ("--ro-bind", os.path.join(src, top), f"{dest}/{top}")]
        inside.append(dest)
    return args, inside


def _python_binds() -> list[str]:
    """The interpreter, its libpython and standard library; the global site-packages hidden."""
    prefix, exe = _python_home()
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    args = ["--ro-bind", os.path.join(prefix, exe), f"/opt/python/{exe}",
            "--ro-bind", os.path.join(prefix, "lib", version), f"/opt/python/lib/{version}",
            "--tmpfs", f"/opt/python/lib/{version}/site-packages"]
    lib = os.path.join(prefix, "lib")
    for name in sorted(os.listdir(lib)) if os.path.isdir(lib) else []:
        if name.startswith("libpython"):
            args += ["--ro-bind", os.path.join(lib, name), f"/opt/python/lib/{name}"]
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


def guard_argument() -> str:
    """The runner's keyring/seccomp argument ('-' where libseccomp is missing)."""
    from dlexam.engines.sandbox_seccomp import guard_spec

    return guard_spec()[0] or "-"


def bwrap_command(fds: tuple[int, int], limits: Limits, uid: int, program: list[str] | None = None) -> list[str]:
    """The full command (`fds`: result and report pipes); `program` replaces the runner (probes)."""
    _, exe = _python_home()
    root = os.geteuid() == 0
    args = [shutil.which("bwrap") or "bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net",
            "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--hostname", "sandbox"]
    if not root:
        args += ["--unshare-user", "--disable-userns"]
    sites, inside = _site_binds()
    args += _system_binds() + ["--perms", "0755", "--dir", "/opt"] + _python_binds() + sites
    args += ["--perms", "0755", "--dir", "/opt/runner"]
    for file in RUNNER_FILES:
        args += ["--ro-bind", str(file), f"/opt/runner/{file.name}"]
    # no procfs: its mountinfo would show the host paths of every mount; torch reads only cpuinfo
    args += ["--perms", "0555", "--dir", "/proc", "--ro-bind-try", "/proc/cpuinfo", "/proc/cpuinfo", "--dev", "/dev"]
    if root:  # the prelude mounts /tmp with an inode limit, then setpriv drops every capability
        args += ["--perms", "1777", "--dir", "/tmp", "--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETUID",
                 "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    else:
        args += ["--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp"]
    args += ["--clearenv", "--chdir", "/tmp"]
    for key, value in environment(limits).items():
        args += ["--setenv", key, value]
    program = program or [f"/opt/python/{exe}", "-I", "-S", "-B", "/opt/runner/sandbox_child.py",
                          os.pathsep.join(inside), str(fds[0]), str(fds[1]), guard_argument()]
    prelude = ["/bin/sh", "-c", TMP_PRELUDE, "sh", str(limits.tmp_bytes), str(limits.tmp_inodes)] if root else []
    return _prlimit(limits) + args + ["--"] + prelude + _setpriv(uid) + program


def fallback_command(fds: tuple[int, int], limits: Limits, uid: int, home: str, site_fds: list[int]) -> list[str]:
    """The weaker mode's command: the runner copied into `home`, site-packages via descriptors."""
    unshare = ["unshare", "--net", "--ipc", "--pid", "--fork", "--kill-child"]
    if os.geteuid() != 0:
        unshare.insert(1, "--map-root-user")
    if not _works(tuple(unshare + ["true"])):
        unshare = []
    sites = os.pathsep.join(f"/proc/self/fd/{fd}" for fd in site_fds)
    python = [os.path.realpath(sys.executable), "-I", "-S", "-B", os.path.join(home, RUNNER.name),
              sites, str(fds[0]), str(fds[1]), guard_argument()]
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
    probe = bwrap_command((1, 2), Limits(), random_uid(), program=["/usr/bin/true"])
    return Isolation.BWRAP if _works(tuple(probe)) else Isolation.FALLBACK


def random_uid() -> int:
    """A fresh unprivileged uid, outside the range of real accounts."""
    return random.randrange(200_000, 60_000_000)


def protection_notes(kind: Isolation | str) -> list[str]:
    """What this machine cannot give a sandbox, one sentence each (empty: everything is in force)."""
    from dlexam.engines.sandbox_cgroup import cgroup_support
    from dlexam.engines.sandbox_seccomp import guard_spec

    notes = []
    if kind != Isolation.BWRAP:
        notes.append("fallback isolation without bubblewrap: the grader's files are not hidden and /tmp is the host's")
    if not cgroup_support()[0]:
        notes.append("no cgroup could be had (" + cgroup_support()[1] + "): memory, processes and CPU are "
                     "limited per process only, and time limits are wall time")
    if guard_spec()[0] is None:
        notes.append(f"no seccomp filter or new keyring: {guard_spec()[1]}")
    if kind == Isolation.BWRAP and os.geteuid() != 0:
        notes.append("not root: /tmp is limited in bytes but not in inodes")
    return notes
