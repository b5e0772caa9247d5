"""The sandbox: isolation, limits, the protocol, and hostile submissions.

Every hostile submission must end with a clear status and message, and the pool must keep
serving. Short time limits keep the file fast; one pool is shared by the whole module.
"""

import os
import subprocess
import sys
import pickle
import socket
import textwrap
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

from dlexam.engines.sandbox import (Job, Limits, ModelSpec, Sandbox, SandboxPool, build_model,
                                    isolation_kind)

LAYERS = [["Linear", [4, 8]], ["ReLU"], ["Linear", [8, 1]]]
PROJECT = Path(__file__).resolve().parents[1]

TRIVIAL = """
import torch
def adversarial(x, t, model):
    z = x.clone().requires_grad_()
    opt = torch.optim.SGD([z], lr=0.05)
    for _ in range(50):
        opt.zero_grad()
        loss = ((x - z) ** 2).sum() + torch.relu(t * model(z)).sum()
        loss.backward()
        opt.step()
    return z.detach()
"""


def adversarial_job(seed: int = 0) -> Job:
    torch.manual_seed(seed)
    model = build_model(LAYERS)
    x, t = torch.rand(5, 4), torch.tensor([[1.0], [-1.0], [1.0], [-1.0], [1.0]])
    return Job("adversarial", ("x", "t", "model"), {"x": x, "t": t},
               ModelSpec(LAYERS, {k: v.clone() for k, v in model.state_dict().items()}))


def src(text: str) -> str:
    return textwrap.dedent(text)


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(size=2, limits=Limits(memory_bytes=2 << 30, output_bytes=32 << 10)) as p:
        yield p


def assert_still_serves(pool):
    result = pool.run(TRIVIAL, adversarial_job(), timeout=10)
    assert result.status == "ok", result.message + result.stderr


def sandbox_pids(uid: int) -> list[int]:
    """Processes on the host running as the sandbox's uid."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
        if str(uid) in uids:
            pids.append(int(entry))
    return pids


def test_bubblewrap_is_in_force():
    assert isolation_kind() == "bwrap", (
        "bubblewrap is missing or cannot run here: run scripts/install-system-deps.sh")


def test_trivial_submissions_in_parallel_match_the_same_code_run_outside(pool):
    jobs = [adversarial_job(seed) for seed in (0, 1)]
    with ThreadPoolExecutor(2) as threads:  # grade-code grades several files at once
        results = list(threads.map(lambda job: pool.run(TRIVIAL, job, timeout=10), jobs))
    namespace = {}
    exec(TRIVIAL, namespace)
    for job, result in zip(jobs, results):
        assert result.status == "ok", result.message + result.stderr
        # second method: the same code, run here in-process on clean copies
        expected = namespace["adversarial"](job.tensors["x"], job.tensors["t"], job.model.build())
        assert torch.allclose(result.returned, expected, atol=1e-6)
    assert not torch.allclose(results[0].returned, results[1].returned)
    result = results[0]
    seen = result.observations
    assert (seen.steps, seen.zero_grad, seen.backward, seen.forward) == (50, 50, 50, 50)
    assert seen.optimizers == ["SGD"] and seen.lrs == [0.05] * 50
    assert seen.events == "ZFBS" * 50
    assert len(seen.losses) == 50 and seen.losses[-1] <= seen.losses[0]


def test_sandboxes_refilled_from_short_lived_threads_outlive_them():
    # bwrap's --die-with-parent follows the thread that started it; the pool must not let
    # a grading thread that has ended take its refilled sandbox down with it.
    import threading
    import time

    with SandboxPool(size=1) as fresh:
        def grade_once():
            assert fresh.run(TRIVIAL, adversarial_job(1), timeout=20).status == "ok"
            fresh.wait_ready()  # the refill has imported torch while this thread still lives

        worker = threading.Thread(target=grade_once)
        worker.start()
        worker.join()
        time.sleep(1.0)
        later = fresh.run(TRIVIAL, adversarial_job(), timeout=20)
        assert later.status == "ok", later.message


def test_training_in_place_returns_state_and_sheet_alias_works(pool):
    # the exam skeleton's own slip, torch.nn.SGD, must not crash a student's answer
    source = src("""
        import torch
        def train(X, model):
            optim = torch.nn.SGD(model.parameters(), lr=0.004)
            loss_fn = torch.nn.MSELoss()
            X_grey = X.mean(dim=1, keepdim=True)
            for i in range(30):
                optim.zero_grad()
                loss = loss_fn(model(X_grey), X)
                loss.backward()
                optim.step()
    """)
    layers = [["Conv2d", [1, 4, 3], {"padding": 1}], ["ReLU"], ["Conv2d", [4, 3, 3], {"padding": 1}]]
    torch.manual_seed(1)
    start = build_model(layers)
    X = torch.rand(6, 3, 8, 8)
    job = Job("train", ("X", "model"), {"X": X}, ModelSpec(layers, start.state_dict()), return_state=True)
    result = pool.run(source, job, timeout=15)
    assert result.status == "ok", result.message + result.stderr
    assert result.observations.used_sheet_alias and result.observations.lrs == [0.004] * 30
    trained = build_model(layers)
    trained.load_state_dict(result.state_dict)  # judged outside, on a clean copy
    grey = X.mean(dim=1, keepdim=True)
    before = torch.nn.functional.mse_loss(start(grey), X)
    after = torch.nn.functional.mse_loss(trained(grey), X)
    assert after < before
    assert abs(result.observations.losses[0] - before.item()) < 1e-5


MARKER = f"sandbox-probe-{uuid.uuid4().hex}"
PROBE = f"""
import os, socket

WRITE_TARGETS = ["/{MARKER}", "/usr/{MARKER}", "/etc/{MARKER}", "/opt/{MARKER}",
                 "/opt/python/{MARKER}", "/opt/site-packages0/{MARKER}", "/dev/shm/{MARKER}",
                 "/opt/runner/sandbox_child.py", "{PROJECT}/{MARKER}", "/tmp/{MARKER}"]
READ_TARGETS = ["{PROJECT}/dlexam/solutions/__init__.py", "{PROJECT}/dlexam/engines/sandbox.py",
                "{PROJECT}/pyproject.toml", "/work/shared/DESIGN.md", "/etc/shadow", "/root/.bashrc"]

def attempt(action):
    try:
        action()
        return True
    except Exception as exc:
        return type(exc).__name__

def append(path):
    with open(path, "a") as f:
        f.write("x")

def grader_files_found():
    found = [path for path in READ_TARGETS if attempt(lambda: open(path).read()) is True]
    if attempt(lambda: __import__("dlexam")) is True:
        found.append("import dlexam")
    for root, dirs, files in os.walk("/"):
        if root.startswith(("/proc", "/usr", "/sys")):
            dirs[:] = []
            continue
        for name in files:
            path = os.path.join(root, name)
            if "dlexam" in name.lower() and os.path.getsize(path):
                found.append(path)
    return found

def adversarial(x, t, model):
    open("/tmp/mine", "w").close()
    return {{
        "ids": [os.getuid(), os.geteuid(), os.getgid()],
        "privileged": [attempt(lambda: os.setuid(0)), attempt(lambda: os.chown("/tmp/mine", 0, 0))],
        "written": [path for path in WRITE_TARGETS if attempt(lambda: append(path)) is True],
        "found": grader_files_found(),
        "connect": attempt(lambda: socket.create_connection(("127.0.0.1", PORT), timeout=2)),
        "kill_parent": attempt(lambda: os.kill(os.getppid(), 9)),
        "kill_init": attempt(lambda: os.kill(1, 9)),
        "result": x.clone(),
    }}
"""


@pytest.fixture(scope="module")
def probe_run(pool):
    """One submission trying many forbidden things, each caught and reported back."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.2)
        source = PROBE.replace("PORT", str(server.getsockname()[1]))
        result = pool.run(source, adversarial_job(), timeout=20)
        with pytest.raises(socket.timeout):
            server.accept()  # nothing reached the host's loopback
    assert result.status == "ok", result.message + result.stderr
    return result


@pytest.fixture(scope="module")
def probe(probe_run):
    return probe_run.returned


def test_child_is_unprivileged(probe):
    uid, euid, gid = probe["ids"]
    assert uid != 0 and euid != 0 and gid != 0
    assert probe["privileged"] == ["PermissionError", "PermissionError"]   # no CAP_SETUID, no CAP_CHOWN


def test_child_writes_only_its_own_private_tmp(probe):
    assert probe["written"] == [f"/tmp/{MARKER}"]   # (and /tmp/mine, made by the probe itself)
    assert not Path(f"/tmp/{MARKER}").exists()  # its /tmp is not the host's
    assert not (PROJECT / MARKER).exists()


def test_grader_files_are_invisible(probe):
    assert probe["found"] == []


def test_network_is_unreachable_even_on_loopback(probe):
    assert probe["connect"] == "PermissionError"  # refused by the runner's hook; the host saw nothing


def test_killing_its_parent_is_refused_and_the_call_goes_on(probe):
    assert probe["kill_parent"] == probe["kill_init"] == "PermissionError"
    assert torch.is_tensor(probe["result"])


def test_every_blocked_attempt_is_reported(probe_run):
    blocked = " | ".join(probe_run.blocked)
    assert "network: socket." in blocked and "('127.0.0.1'," in blocked
    assert "signalling a process that is not its own: os.kill(1)" in blocked
    for target in ("/usr/", "/etc/", "/opt/", "/dev/shm/", "/opt/runner/sandbox_child.py"):
        assert f"writing outside /tmp: {target}" in blocked, target
    assert f"/tmp/{MARKER}" not in blocked.replace(f"outside /tmp: /tmp/{MARKER}", "")


def test_infinite_loop_times_out(pool):
    source = "def adversarial(x, t, model):\n    while True:\n        pass\n"
    result = pool.run(source, adversarial_job(), timeout=1.0)
    assert result.status == "timeout" and "within 1 s of CPU time" in result.message
    assert 1.0 <= result.cpu_seconds < 2.0      # its own CPU time, however busy the machine is
    assert result.seconds < 1.0 + 2 + 3         # the wall limit, with a margin for killing it


def test_sleeping_is_ended_by_the_wall_limit(pool):
    source = "import time\ndef adversarial(x, t, model):\n    time.sleep(60)\n"
    result = pool.run(source, adversarial_job(), timeout=1.0)
    assert result.status == "timeout" and "within 3 s" in result.message and result.cpu_seconds < 0.5


def test_fork_bomb_is_blocked_at_once_and_a_thread_storm_hits_the_process_limit():
    fork_bomb = src("""
        import os
        def adversarial(x, t, model):
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
    """)
    sandbox = Sandbox(Limits(processes=32))
    result = sandbox.run(fork_bomb, adversarial_job(), timeout=5)
    assert result.status == "blocked" and result.blocked == ["starting a process: os.fork"]
    assert result.seconds < 2    # stopped right after its first blocked attempt, not at the time limit
    assert sandbox_pids(sandbox.uid) == []
    thread_storm = src("""
        import threading, time
        def adversarial(x, t, model):
            while True:
                try:
                    threading.Thread(target=time.sleep, args=(60,)).start()
                except RuntimeError:
                    pass
    """)
    sandbox = Sandbox(Limits(processes=32))
    result = sandbox.run(thread_storm, adversarial_job(), timeout=5)
    assert result.status == "killed" and "limit of 32 processes and threads" in result.message
    assert result.seconds < 3 and sandbox_pids(sandbox.uid) == []


def test_allocating_20_gigabytes_fails_with_memory(pool):
    source = "import torch\ndef adversarial(x, t, model):\n    return torch.ones(5 * 2**30)\n"
    result = pool.run(source, adversarial_job(), timeout=10)
    assert result.status == "memory" and "allocate" in result.message
    source = "def adversarial(x, t, model):\n    return bytearray(20 << 30)\n"
    result = pool.run(source, adversarial_job(), timeout=10)
    assert result.status == "memory" and "MemoryError" in result.message


def test_killing_itself_is_reported_and_pool_keeps_serving(pool):
    source = "import os\ndef adversarial(x, t, model):\n    os.kill(os.getpid(), 9)\n    return x\n"
    result = pool.run(source, adversarial_job(), timeout=10)
    assert result.status == "killed" and "SIGKILL" in result.message
    assert_still_serves(pool)


def test_exiting_early_is_no_result_not_success(pool):
    source = "import sys\nsys.exit(0)\ndef adversarial(x, t, model):\n    return x\n"
    result = pool.run(source, adversarial_job(), timeout=10)
    assert result.status == "no_result" and "sys.exit(0)" in result.message
    source = "import os\ndef adversarial(x, t, model):\n    os._exit(0)\n"
    result = pool.run(source, adversarial_job(), timeout=10)
    assert result.status == "no_result" and "exited" in result.message


def test_monkeypatching_torch_inside_cannot_fake_the_outside_judgement(pool):
    # Returns x unchanged (no attack) but patches torch so that an in-sandbox check of
    # "decision flipped" (t * f(z) < 0) says yes. The grader judges outside, on its own copy.
    source = src("""
        import torch
        def adversarial(x, t, model):
            torch.Tensor.__lt__ = lambda a, b: torch.ones(a.shape, dtype=torch.bool)
            model.forward = lambda z: -t
            print("flipped inside:", bool((t * model(x) < 0).all()))
            return x.clone()
    """)
    job = adversarial_job()
    result = pool.run(source, job, timeout=10)
    assert result.status == "ok" and "flipped inside: True" in result.stdout
    model = job.model.build()
    flipped_outside = (job.tensors["t"] * model(result.returned) < 0)
    assert torch.equal(result.returned, job.tensors["x"])
    assert not flipped_outside.all()


def test_megabytes_of_output_are_truncated_without_hanging(pool):
    source = src("""
        import sys
        def adversarial(x, t, model):
            for _ in range(200):
                print("y" * 100_000)
                sys.stderr.write("e" * 100_000)
            return x
    """)
    result = pool.run(source, adversarial_job(), timeout=10)
    assert result.status == "ok"
    assert len(result.stdout) < 33_000 and "output truncated: 20000200 bytes" in result.stdout
    assert len(result.stderr) < 33_000 and "truncated" in result.stderr


def test_forged_and_malicious_answers_are_rejected(pool):
    marker = Path(f"/tmp/sandbox-pwned-{uuid.uuid4().hex}")

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps({"status": "ok", "returned": Evil()})
    source = src(f"""
        import os, struct, sys
        def adversarial(x, t, model):
            data = {payload!r}
            os.write(int(sys.argv[2]), struct.pack(">Q", len(data)) + data)
            os._exit(0)
    """)
    result = pool.run(source, adversarial_job(), timeout=10)
    assert result.status == "no_result" and "not a torch.save archive" in result.message
    assert not marker.exists()


def test_sparse_tensors_sent_back_are_refused(pool):
    # they pass torch.load(weights_only=True) but make reshape / torch.equal raise in the judge
    result = pool.run("def adversarial(x, t, model):\n    return x.to_sparse()\n", adversarial_job(), timeout=10)
    assert result.status in ("no_result", "error") and not result.returned, result.message
    assert_still_serves(pool)


def test_bad_files_fail_with_a_clear_reason(pool):
    result = pool.run("def adversarial(x, t, model)\n    return x\n", adversarial_job(), timeout=10)
    assert result.status == "error" and "SyntaxError" in result.message and "line 1" in result.message
    result = pool.run("def attack(x, t, model):\n    return x\n", adversarial_job(), timeout=10)
    assert result.status == "error" and "no function adversarial()" in result.message
    source = "import torch\ndef adversarial(x, t, model):\n    return torch.nn.MSELoss()(x, x, x)\n"
    result = pool.run(source, adversarial_job(), timeout=10)
    assert result.status == "error" and "TypeError" in result.message
    assert 'submission.py", line 3' in result.traceback and "sandbox_child" not in result.traceback


def test_fallback_without_bubblewrap_still_drops_root_and_network():
    # The weaker mode used where bwrap cannot run: unprivileged uid, no network, own cwd.
    source = src("""
        import os, socket
        def probe():
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=1)
                network = "connected"
            except OSError as exc:
                network = type(exc).__name__
            open("scratch.txt", "w").write("x")
            return [os.getuid(), network, os.getcwd()]
    """)
    sandbox = Sandbox(kind="fallback")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.2)
        result = sandbox.run(source.replace("PORT", str(server.getsockname()[1])), Job("probe", ()), timeout=10)
        with pytest.raises(socket.timeout):
            server.accept()
    assert result.status == "ok", result.message + result.stderr
    uid, network, cwd = result.returned
    assert uid == sandbox.uid != 0
    assert network == "PermissionError"  # the runner's hook refuses it (and the namespace has no route)
    assert any(line.startswith("network: socket.") for line in result.blocked)
    assert cwd.startswith("/tmp/dlexam-sandbox-") and not Path(cwd).exists()  # removed after


# ---------------------------------------------------------------- kernel surface, cgroups, mounts
def test_seccomp_filter_denies_namespaces_keyring_mount_and_programs():
    # the BPF program itself, loaded outside any sandbox (no audit hook in the way): ctypes reaches the kernel
    from dlexam.engines.sandbox_seccomp import guard_spec

    spec, why = guard_spec()
    assert spec is not None, why
    keyctl, seccomp, program = spec.split(":")
    code = src(f"""
        import ctypes, os, sys
        sys.path.insert(0, {str(PROJECT / "dlexam" / "engines")!r})
        import sandbox_guard
        sandbox_guard.load_filter({seccomp}, bytes.fromhex({program!r}))
        libc = ctypes.CDLL(None, use_errno=True)
        def errno_of(result):
            return ctypes.get_errno() if result < 0 else 0
        out = {{"unshare_user": errno_of(libc.unshare(0x10000000)),
               "mount": errno_of(libc.mount(b"none", b"/mnt", b"tmpfs", 0, None)),
               "keyctl": errno_of(libc.syscall({keyctl}, 0, -3, 0))}}
        try:
            os.execv("/bin/true", ["true"])
        except PermissionError:
            out["execve"] = "PermissionError"
        try:
            os._exit(7) if os.fork() == 0 else None
        except PermissionError:
            out["fork"] = "PermissionError"
        import threading
        thread = threading.Thread(target=lambda: out.update(thread="ran"))
        thread.start(), thread.join()
        print(out)
    """)
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = eval(done.stdout)  # noqa: S307 - our own child's dict
    assert out == {"unshare_user": 1, "mount": 1, "keyctl": 1, "execve": "PermissionError",
                   "fork": "PermissionError", "thread": "ran"}


def test_filter_and_no_capabilities_seen_from_outside_and_only_torch_mounted():
    from dlexam.engines.sandbox_seccomp import guard_spec

    if guard_spec()[0] is None:
        pytest.skip("no libseccomp here")
    source = src("""
        import os
        def listing(path):
            try:
                return sorted(os.listdir(path))
            except OSError:
                return []
        def probe():
            return {"global_site": listing("/opt/python/lib/python3.11/site-packages"),
                    "site": listing("/opt/site-packages0"), "proc": listing("/proc")}
    """)
    sandbox = Sandbox()
    sandbox.wait_ready()   # the filter is loaded before the runner says it is ready
    (runner,) = sandbox_pids(sandbox.uid)
    status = dict(line.split(":", 1) for line in Path(f"/proc/{runner}/status").read_text().splitlines())
    assert status["Seccomp"].strip() == "2" and status["NoNewPrivs"].strip() == "1"
    assert int(status["CapEff"], 16) == int(status["CapBnd"], 16) == int(status["CapPrm"], 16) == 0
    result = sandbox.run(source, Job("probe", ()), timeout=10)
    assert result.status == "ok", result.message + result.stderr
    seen = result.returned
    assert seen["global_site"] == [] and seen["proc"] == ["cpuinfo"]   # no procfs: no mountinfo, no host paths
    assert "torch" in seen["site"] and "numpy" in seen["site"]
    for absent in ("matplotlib", "sklearn", "_pytest", "rich", "dlexam"):
        assert absent not in seen["site"]


def test_each_sandbox_has_its_own_cgroup_and_the_grade_says_when_there_is_none(monkeypatch):
    from dlexam.engines import sandbox_cgroup, sandbox_isolation

    sandbox = Sandbox(Limits(processes=32))
    try:
        sandbox.wait_ready()
        assert sandbox.cgroup is not None, sandbox_cgroup.cgroup_support()
        assert sandbox.process.pid in sandbox.cgroup.pids() or sandbox.cgroup.pids()
        assert sandbox.cgroup.memory_peak() and sandbox.cgroup.cpu_seconds() > 0
    finally:
        sandbox.close()
    monkeypatch.setattr(sandbox_cgroup, "_parent", lambda: ("", (), "v2: not delegated; v1: not root"))
    notes = sandbox_isolation.protection_notes("bwrap")
    assert any("no cgroup could be had (v2: not delegated; v1: not root)" in n for n in notes)
