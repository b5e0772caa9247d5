"""The seccomp filter of a sandbox: system calls nothing in a submission needs fail with EPERM.

That includes starting a process (fork, vfork, clone without CLONE_THREAD): a submission runs
in one process; its threads are allowed and share the sandbox's cgroup limits.

Built once per grader with libseccomp (through `pyseccomp`, a ctypes binding with the API of
libseccomp's own Python module, so it works from the virtualenv; Debian's python3-seccomp is
built for the system interpreter only). libseccomp knows each architecture's system call
numbers and checks the architecture (a 32-bit or x32 call cannot slip past).

The child loads the program itself (`sandbox_guard.load_filter`), after importing torch and
before reading the job, for all its threads (TSYNC); bwrap's `--seccomp` would apply it before
the sandbox's own /tmp is mounted, which needs `mount`. Where libseccomp is missing,
`guard_spec()` returns None and the grade's evidence says the sandbox runs without a filter.
"""

from __future__ import annotations

import errno
import functools
import tempfile

DENIED = (
    # namespaces, mounts and roots: a new user namespace gives mount rights over a new tmpfs
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "mount_setattr", "move_mount",
    "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
    # the kernel keyring (shared between sandboxes and with the grader otherwise)
    "keyctl", "add_key", "request_key",
    # looking into or steering other processes, the kernel, tracing
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "pidfd_open",
    "pidfd_send_signal", "perf_event_open",
    "bpf", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "syslog",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
    "swapon", "swapoff", "acct", "quotactl", "open_by_handle_at", "name_to_handle_at",
    "lookup_dcookie", "vhangup", "personality", "uselib", "sethostname", "setdomainname",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "iopl", "ioperm",
    # running other programs: a fresh interpreter would run without the runner's audit hook
    "execve", "execveat",
    # starting processes (no task needs one; threads are clone with CLONE_THREAD and stay allowed)
    "fork", "vfork",
)
CLONE_THREAD = 0x00010000
# clone flags that create namespaces (clone3 hides its flags in memory: it answers ENOSYS, and
# the C library falls back to clone, whose flags are checked)
NAMESPACE_FLAGS = (0x10000000, 0x00020000, 0x20000000, 0x40000000, 0x08000000, 0x04000000, 0x02000000,
                   0x00000080)  # USER, NS, PID, NET, IPC, UTS, CGROUP, TIME


@functools.lru_cache(maxsize=1)
def guard_spec() -> tuple[str | None, str]:
    """(argument for the child: 'KEYCTL:SECCOMP:HEXPROGRAM', or None; why None)."""
    try:
        import pyseccomp as sc
    except (ImportError, OSError) as exc:  # the module, or libseccomp.so.2 itself
        return None, f"libseccomp is not available ({type(exc).__name__}: {exc})"
    try:
        program = _program(sc)
        numbers = [sc.resolve_syscall(sc.Arch.NATIVE, name) for name in ("keyctl", "seccomp")]
    except Exception as exc:  # noqa: BLE001 - libseccomp reports failures as various errors
        return None, f"libseccomp could not build the filter ({type(exc).__name__}: {exc})"
    return f"{numbers[0]}:{numbers[1]}:{program.hex()}", ""


def _program(sc) -> bytes:
    denied = sc.ERRNO(errno.EPERM)
    rules = sc.SyscallFilter(defaction=sc.ALLOW)
    for name in DENIED:
        try:
            rules.add_rule(denied, name)
        except (ValueError, RuntimeError, OSError):
            pass  # a call this architecture does not have
    for flag in NAMESPACE_FLAGS:
        rules.add_rule(denied, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    rules.add_rule(denied, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))  # a process, not a thread
    rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    with tempfile.TemporaryFile() as out:
        rules.export_bpf(out)
        out.seek(0)
        return out.read()
