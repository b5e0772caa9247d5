"""A throw-away Redis server for the queue's tests, from Debian's package (/usr/bin/redis-server).

It listens on a free loopback port, keeps its files in a fresh directory under /tmp, and runs as
`nobody` when the tests run as root (like tests/postgres_server.py). `persistent=True` turns on the
append-only file (what docs/deploy configures), so `restart()` keeps the queue; without it a restart
loses every message, which the workers' sweep must repair from the database. Without redis-server
the tests are skipped, except under CI, where scripts/install-system-deps.sh installs it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

USER = "nobody"


def binary() -> str | None:
    return shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists()
                                            else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    directory: Path
    port: int
    persistent: bool
    process: subprocess.Popen | None = None
    as_user: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
                "--save", "", "--appendonly", "yes" if self.persistent else "no", "--appendfsync", "always",
                "--protected-mode", "yes", "--logfile", str(self.directory / "redis.log")]
        self.process = subprocess.Popen(args, cwd=self.directory, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, **self.as_user)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer: {self.log()}")

    def kill(self) -> None:
        """Stop it at once (SIGKILL): what is not on disk is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def log(self) -> str:
        path = self.directory / "redis.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


def start(persistent: bool = False) -> Server:
    if binary() is None:
        raise FileNotFoundError("redis-server is not installed (scripts/install-system-deps.sh installs Debian's)")
    directory = Path(tempfile.mkdtemp(prefix="dlexam-redis-", dir="/tmp"))
    as_user: dict = {}
    if os.getuid() == 0:
        entry = pwd.getpwnam(USER)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
        as_user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    server = Server(directory, free_port(), persistent, as_user=as_user)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
