"""The cgroup of a sandbox, kind by kind: v2 on a fake cgroupfs (this machine's v2 hierarchy has none
of the memory, pids and cpu controllers, which v1 holds), the live probe's refusal of that v2, and
the run without any cgroup, which the grade's evidence names (`sandbox.degraded`).

The fake cgroupfs is a folder with the files the kernel would show; what the code writes into them
is what it would write into the kernel's. Only the last test runs a sandbox (marked slow).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dlexam.engines import sandbox_cgroup
from dlexam.engines.sandbox_cgroup import SandboxCgroup


def fake_v2(root: Path, controllers: str = "cpuset cpu io memory hugetlb pids", procs: str = "") -> Path:
    """A cgroup2 mount at `root` whose grader group is /grader.slice."""
    own = root / "grader.slice"
    own.mkdir(parents=True)
    (own / "cgroup.controllers").write_text(controllers + "\n")
    (own / "cgroup.procs").write_text(procs)
    (own / "cgroup.subtree_control").write_text("")
    return own


@pytest.fixture
def v2(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox_cgroup, "_v2_mount", lambda: tmp_path)
    monkeypatch.setattr(sandbox_cgroup, "_own_paths", lambda: {"": "/grader.slice"})
    return tmp_path


def test_v2_parent_enables_the_controllers_and_moves_the_grader_out_of_a_busy_group(v2):
    own = fake_v2(v2, procs="4242\n")
    kind, (parent,), why = sandbox_cgroup._parent_v2()
    assert (kind, why) == ("v2", "") and parent == own / f"dlexam-{os.getpid()}"
    # "no internal processes": a group that hands controllers down may hold no process itself
    assert (own / f"dlexam-grader-{os.getpid()}" / "cgroup.procs").read_text() == str(os.getpid())
    assert (own / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"
    assert (parent / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"
    assert (parent / "cpu.weight").read_text() == str(100 * sandbox_cgroup.PARENT_WEIGHT)


def test_v2_without_the_controllers_is_refused_with_their_names(v2):
    fake_v2(v2, controllers="cpuset io hugetlb")
    with pytest.raises(LookupError, match="the controllers cpu, memory, pids are not delegated"):
        sandbox_cgroup._parent_v2()


def test_v2_group_of_a_sandbox_limits_measures_and_kills(v2, monkeypatch):
    parent = v2 / "grader.slice" / "dlexam-1"
    parent.mkdir(parents=True)
    monkeypatch.setattr(sandbox_cgroup, "_parent", lambda: ("v2", (parent,), ""))
    group = SandboxCgroup.create("sb-7", memory_bytes=3 << 30, processes=64, cpus=1.0)
    assert group is not None and group.paths == (parent / "sb-7",)
    path = group.paths[0]
    assert (path / "memory.max").read_text() == str(3 << 30)
    assert (path / "memory.swap.max").read_text() == "0"
    assert (path / "pids.max").read_text() == "64"
    assert (path / "cpu.max").read_text() == "100000 100000"
    assert group.enter_command(["python"])[-3:] == [str(path / "cgroup.procs"), "--", "python"]

    # what the kernel reports, as the kernel writes it
    (path / "cpu.stat").write_text("usage_usec 2500000\nuser_usec 2000000\nthrottled_usec 500000\n")
    (path / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    (path / "pids.events").write_text("max 2\n")
    (path / "memory.peak").write_text(str(1 << 30))
    (path / "cgroup.procs").write_text("")
    assert group.cpu_seconds() == 2.5 and group._throttled_seconds() == 0.5
    assert group.oom_killed() and group.process_limit_hit() and group.memory_peak() == 1 << 30

    monkeypatch.setattr(Path, "rmdir", lambda self: None)   # a real cgroupfs removes a group with its files
    group.close(seconds=0.1)
    assert (path / "cgroup.kill").read_text() == "1"      # v2 kills the whole group in one write


def test_the_graders_cpu_and_memory_are_read_from_the_parent_group(v2, monkeypatch):
    parent = v2 / "grader.slice" / "dlexam-1"
    parent.mkdir(parents=True)
    (parent / "cpu.stat").write_text("usage_usec 61000000\nuser_usec 60000000\n")
    (parent / "memory.peak").write_text(str(3 << 30))
    monkeypatch.setattr(sandbox_cgroup, "_parent", lambda: ("v2", (parent,), ""))
    assert sandbox_cgroup.grader_cpu_seconds() == 61.0 and sandbox_cgroup.grader_memory_peak() == 3 << 30
    monkeypatch.setattr(sandbox_cgroup, "_parent", lambda: ("", (), "no cgroup"))
    assert sandbox_cgroup.grader_cpu_seconds() is None and sandbox_cgroup.grader_memory_peak() is None


def test_v2_group_that_cannot_be_made_gives_none(v2, monkeypatch):
    monkeypatch.setattr(sandbox_cgroup, "_parent", lambda: ("v2", (v2 / "missing" / "dlexam-1",), ""))
    assert SandboxCgroup.create("sb-8", 1 << 30, 64, 1.0) is None


def test_this_machines_v2_hierarchy_is_refused_and_v1_or_nothing_is_used():
    mount = sandbox_cgroup._v2_mount()
    if mount is None:
        pytest.skip("no cgroup2 mounted here")
    controllers = set((mount / sandbox_cgroup._own_paths().get("", "/").lstrip("/") / "cgroup.controllers")
                      .read_text().split())
    if set(sandbox_cgroup.V2_CONTROLLERS) <= controllers:
        pytest.skip("this machine delegates v2 controllers: the live v2 path is in use")
    with pytest.raises(LookupError, match="not delegated"):
        sandbox_cgroup._parent_v2()
    kind, why = sandbox_cgroup.cgroup_support()
    assert kind in ("v1", "") and (kind or "v2: " in why)


@pytest.mark.slow
def test_without_any_cgroup_the_grade_says_so_and_the_run_still_holds(monkeypatch):
    from dlexam.engines import sandbox_isolation
    from dlexam.grading.code import read_submission, report_for_file
    from dlexam.queue.grading import code_grade
    from dlexam.tasks.registry import family

    why = "v2: no cgroup2 file system is mounted; v1: no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory"
    monkeypatch.setattr(sandbox_cgroup, "_parent", lambda: ("", (), why))
    assert sandbox_isolation.protection_notes("bwrap")[0].startswith("no cgroup could be had (v2: no cgroup2")
    correct = Path(__file__).parent / "submissions" / "adversarial" / "clean_sgd.py"
    source, _ = read_submission(str(correct))
    with report_for_file() as report:
        grade = family("adversarial").grade_file(source, correct.name, None, None, 10.0)
    result = code_grade("adversarial", correct.name, grade, report.evidence())
    assert result["score"] == 10, result
    degraded = " ".join(result["sandbox"]["degraded"])
    assert "no cgroup could be had" in degraded and "limited per process only" in degraded
