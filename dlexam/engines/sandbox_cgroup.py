"""One control group per sandbox: memory (tmpfs and memfd pages included), processes, CPU.

Limits per process (rlimits) leave three holes: memory in memfd files or tmpfs is nobody's
address space, every fork gets its own limits, and CPU time is not shared fairly between
sandboxes. A cgroup closes all three for the whole sandbox: every process it starts lands
in the group before it runs anything (`enter_command` wraps the sandbox's command line).

    group = SandboxCgroup.create("sb-123", limits)   # None where no cgroup can be had
    argv = group.enter_command(argv)
    ...; group.cpu_seconds(); group.oom_killed(); group.memory_peak(); group.close()

Which kind is used (`cgroup_support()`):
- cgroup v2 where the grader's own group (or the root of the hierarchy) can delegate the
  memory, pids and cpu controllers: a group `dlexam-<pid>` holds one child per sandbox with
  memory.max (swap 0), pids.max, cpu.max (a quota of `Limits.cpus` cores) and cpu.weight;
- cgroup v1 where separate memory, pids, cpu and cpuacct hierarchies are writable (root):
  memory.limit_in_bytes (+memsw), pids.max, cpu.shares and cpu.cfs_quota_us, cpuacct.usage;
- neither (not root, no delegation): None, and `cgroup_support()` says why; the grade's
  evidence then says memory, processes and CPU are limited per process only.
"""

from __future__ import annotations

import atexit
import functools
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

V1_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct")
V2_CONTROLLERS = ("memory", "pids", "cpu")
ROOT = Path("/sys/fs/cgroup")
PARENT_WEIGHT = 8   # all sandboxes together weigh as much as 8 ordinary processes of the host
# The first thing every sandbox runs: join the groups, then become the real command.
ENTER = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 97; shift; done; shift; exec "$@"'


def _own_paths() -> dict[str, str]:
    """controller (or '' for v2) -> the grader's own group path, from /proc/self/cgroup."""
    paths = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            paths[name] = path
    return paths


def _v2_mount() -> Path | None:
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        if " - cgroup2 " in line and fields[4].startswith(str(ROOT)):
            return Path(fields[4])
    return None


def _remove(paths: tuple[Path, ...]) -> None:
    for path in paths:
        try:
            path.rmdir()
        except OSError:
            pass


def _remove_stale(folder: Path) -> None:
    """Groups left by graders that died (their pid is gone): empty by now, removed."""
    for group in folder.glob("dlexam-*"):
        pid = group.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _remove(tuple(group.glob("sb-*")) + (group,))


def _write(path: Path, value: str) -> None:
    path.write_text(value)


@functools.lru_cache(maxsize=1)
def _parent() -> tuple[str, tuple[Path, ...], str]:
    """(kind 'v2'/'v1'/'', the group(s) every sandbox group goes under, why not when '')."""
    reasons = []
    for probe in (_parent_v2, _parent_v1):
        try:
            found = probe()
            atexit.register(_remove, found[1])
            return found
        except (OSError, ValueError, LookupError) as exc:
            reasons.append(f"{probe.__name__[-2:]}: {exc}")
    return "", (), "; ".join(reasons)


def _parent_v2() -> tuple[str, tuple[Path, ...], str]:
    mount = _v2_mount()
    if mount is None:
        raise LookupError("no cgroup2 file system is mounted")
    own = mount / _own_paths().get("", "/").lstrip("/")
    missing = set(V2_CONTROLLERS) - set((own / "cgroup.controllers").read_text().split())
    if missing:
        raise LookupError(f"the controllers {', '.join(sorted(missing))} are not delegated to {own}")
    if (own / "cgroup.procs").read_text().split():  # no processes in a group that delegates: move ours
        leaf = own / f"dlexam-grader-{os.getpid()}"
        leaf.mkdir(exist_ok=True)
        _write(leaf / "cgroup.procs", str(os.getpid()))
    _write(own / "cgroup.subtree_control", " ".join(f"+{c}" for c in V2_CONTROLLERS))
    parent = own / f"dlexam-{os.getpid()}"
    parent.mkdir(exist_ok=True)
    _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in V2_CONTROLLERS))
    _write(parent / "cpu.weight", str(100 * PARENT_WEIGHT))
    return "v2", (parent,), ""


def _parent_v1() -> tuple[str, tuple[Path, ...], str]:
    own = _own_paths()
    parents = []
    for name in V1_CONTROLLERS:
        base = ROOT / name
        if not (base / "cgroup.procs").exists():
            raise LookupError(f"no cgroup v1 {name} hierarchy at {base}")
        parent = base / own.get(name, "/").lstrip("/") / f"dlexam-{os.getpid()}"
        _remove_stale(parent.parent)
        parent.mkdir(exist_ok=True)  # PermissionError when not root
        parents.append(parent)
    _write(parents[2] / "cpu.shares", str(1024 * PARENT_WEIGHT))
    memory = parents[0]
    if (memory / "memory.use_hierarchy").exists() and (memory / "memory.use_hierarchy").read_text().strip() != "1":
        _write(memory / "memory.use_hierarchy", "1")
    return "v1", tuple(parents), ""


def cgroup_support() -> tuple[str, str]:
    """('v2' | 'v1' | '', the reason when ''): what `SandboxCgroup.create` will use."""
    kind, _, why = _parent()
    return kind, why


@dataclass
class SandboxCgroup:
    """The group(s) of one sandbox; `close` kills whatever is left in them and removes them."""

    kind: str
    paths: tuple[Path, ...]

    @classmethod
    def create(cls, name: str, memory_bytes: int, processes: int, cpus: float) -> "SandboxCgroup | None":
        kind, parents, _ = _parent()
        if not kind:
            return None
        group = cls(kind, tuple(parent / name for parent in parents))
        try:
            for path in group.paths:
                path.mkdir()
            group._limit(memory_bytes, processes, cpus)
        except OSError:
            group.close()
            return None
        return group

    def _limit(self, memory_bytes: int, processes: int, cpus: float) -> None:
        if self.kind == "v2":
            (path,) = self.paths
            _write(path / "memory.max", str(memory_bytes))
            _try_write(path / "memory.swap.max", "0")
            _write(path / "pids.max", str(processes))
            _write(path / "cpu.max", f"{int(cpus * 100_000)} 100000")
            return
        memory, pids, cpu, _ = self.paths
        _write(memory / "memory.limit_in_bytes", str(memory_bytes))
        _try_write(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))
        _write(pids / "pids.max", str(processes))
        _write(cpu / "cpu.shares", "1024")
        _write(cpu / "cpu.cfs_period_us", "100000")
        _write(cpu / "cpu.cfs_quota_us", str(int(cpus * 100_000)))

    def enter_command(self, argv: list[str]) -> list[str]:
        """`argv`, started inside the group(s) before it runs a single instruction of its own."""
        return ["/bin/sh", "-c", ENTER, "sh", *(str(p / "cgroup.procs") for p in self.paths), "--", *argv]

    def cpu_seconds(self) -> float:
        """CPU time used by every process of the sandbox so far."""
        try:
            if self.kind == "v2":
                stat = dict(line.split() for line in (self.paths[0] / "cpu.stat").read_text().splitlines())
                return int(stat["usage_usec"]) / 1e6
            return int((self.paths[3] / "cpuacct.usage").read_text()) / 1e9
        except (OSError, KeyError, ValueError):
            return 0.0

    def waiting_seconds(self) -> float:
        """The longest time one of the sandbox's live processes spent ready to run but waiting
        for a CPU, less the time the sandbox's own CPU quota held it back: the host's load, not
        its own doing, which the wall-time limit does not count."""
        longest = 0
        for pid in self.pids():
            try:
                longest = max(longest, int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]))
            except (OSError, ValueError, IndexError):
                pass
        return longest / 1e9 - self._throttled_seconds()

    def _throttled_seconds(self) -> float:
        path, key, scale = ((self.paths[0] / "cpu.stat", "throttled_usec", 1e6) if self.kind == "v2"
                            else (self.paths[2] / "cpu.stat", "throttled_time", 1e9))
        try:
            fields = dict(line.split() for line in path.read_text().splitlines())
            return int(fields.get(key, 0)) / scale
        except (OSError, ValueError):
            return 0.0

    def oom_killed(self) -> bool:
        """Did the kernel kill a process of the sandbox for going over its memory limit?"""
        name = "memory.events" if self.kind == "v2" else "memory.oom_control"
        try:
            fields = dict(line.split() for line in (self.paths[0] / name).read_text().splitlines())
        except (OSError, ValueError):
            return False
        return int(fields.get("oom_kill", 0)) > 0

    def process_limit_hit(self) -> bool:
        """Did a fork or a new thread of the sandbox fail because the group was at its pids.max?"""
        path = self.paths[0 if self.kind == "v2" else 1] / "pids.events"
        try:
            fields = dict(line.split() for line in path.read_text().splitlines())
        except (OSError, ValueError):
            return False
        return int(fields.get("max", 0)) > 0

    def memory_peak(self) -> int | None:
        """Most memory the sandbox held at once (bytes), where the kernel keeps that figure."""
        name = "memory.peak" if self.kind == "v2" else "memory.max_usage_in_bytes"
        try:
            return int((self.paths[0] / name).read_text())
        except (OSError, ValueError):
            return None

    def pids(self) -> list[int]:
        try:
            return [int(p) for p in (self.paths[0] / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def close(self, seconds: float = 5.0) -> None:
        """Kill every process left in the group, then remove the group(s)."""
        if self.kind == "v2":
            _try_write(self.paths[0] / "cgroup.kill", "1")
        kill_all(self.pids, seconds)
        for path in self.paths:
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def kill_all(pids: Callable[[], list[int]], seconds: float = 5.0) -> None:
    """SIGKILL whatever `pids()` lists until it lists nothing (a fork can appear between rounds)."""
    deadline = time.monotonic() + seconds
    while (alive := pids()) and time.monotonic() < deadline:
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)


def _try_write(path: Path, value: str) -> None:
    try:
        _write(path, value)
    except OSError:
        pass


def grader_memory_peak() -> int | None:
    """Most memory all of this grader's sandboxes held at once (bytes), from their parent group."""
    kind, parents, _ = _parent()
    name = {"v2": "memory.peak", "v1": "memory.max_usage_in_bytes"}.get(kind)
    try:
        return int((parents[0] / name).read_text()) if name else None
    except (OSError, ValueError):
        return None


def grader_cpu_seconds() -> float | None:
    """CPU time all of this grader's sandboxes used so far, removed ones included (None: no cgroup)."""
    kind, parents, _ = _parent()
    return SandboxCgroup(kind, parents).cpu_seconds() if kind else None
