"""A throw-away PostgreSQL server for the store's tests, from Debian's package.

PostgreSQL refuses to run as root, so as root the cluster belongs to `nobody`: initdb and
pg_ctl run as that user in a fresh directory under /tmp, listening on a unix socket there
only (no TCP port, nothing to collide with), with trust authentication for local
connections; `stop()` shuts it down and removes the directory. Without PostgreSQL installed
the tests are skipped with that reason, except under CI, where they must run
(scripts/install-system-deps.sh installs it).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "nobody"


def binaries() -> Path | None:
    """The directory of initdb and pg_ctl: PATH first, then Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb") and shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


@dataclass
class Server:
    directory: Path
    bin: Path
    user: str
    as_user: dict

    @property
    def socket_dir(self) -> Path:
        return self.directory / "socket"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@/{database}?host={self.socket_dir}"

    def create_database(self, name: str) -> str:
        """A new empty database on the server; returns its URL."""
        import psycopg
        with psycopg.connect(host=str(self.socket_dir), user=self.user, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run([self.bin / "pg_ctl", "stop", "-D", self.directory / "data", "-m", "immediate", "-w"],
                       capture_output=True, cwd=self.directory, **self.as_user)
        shutil.rmtree(self.directory, ignore_errors=True)


def start() -> Server:
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL's initdb and pg_ctl are not installed "
                                "(scripts/install-system-deps.sh installs Debian's postgresql)")
    directory = Path(tempfile.mkdtemp(prefix="dlexam-pg-", dir="/tmp"))
    as_user: dict = {}
    user = pwd.getpwuid(os.getuid()).pw_name
    if os.getuid() == 0:                    # PostgreSQL will not run as root
        entry = pwd.getpwnam(USER)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
        as_user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        user = USER
    server = Server(directory, bin_dir, user, as_user)
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    try:
        _run(server, [bin_dir / "initdb", "-D", directory / "data", "-U", user, "--auth=trust",
                      "--encoding=UTF8", "--no-sync"], env)
        (directory / "socket").mkdir()
        if as_user:
            os.chown(directory / "socket", as_user["user"], as_user["group"])
        options = (f"-c listen_addresses='' -c unix_socket_directories={directory / 'socket'} "
                   "-c fsync=off -c max_connections=40 -c shared_buffers=16MB")
        _run(server, [bin_dir / "pg_ctl", "start", "-D", directory / "data", "-w", "-t", "60",
                      "-l", directory / "server.log", "-o", options], env)
    except BaseException:
        log = directory / "server.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        server.stop()
        raise RuntimeError(f"PostgreSQL did not start: {detail}") from None
    return server


def _run(server: Server, cmd: list, env: dict) -> None:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=server.directory, env=env,
                          **server.as_user)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {proc.stderr[-2000:]}")
