"""A private, throw-away PostgreSQL cluster for the test run.

Uses the PostgreSQL binaries on the machine (initdb, pg_ctl). initdb refuses to run as root, so
as root the cluster is created and started as the ``postgres`` user through runuser.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN_CANDIDATES = ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]


def find_pg_bin() -> Path | None:
    for cand in PG_BIN_CANDIDATES:
        if (Path(cand) / "initdb").exists() and (Path(cand) / "pg_ctl").exists():
            return Path(cand)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, bindir: Path, settings: dict[str, str] | None = None, *, durable: bool = False) -> None:
        """settings: extra server settings (-c name=value); durable keeps fsync on (benchmarks)."""
        self.bindir = bindir
        self.settings = settings or {}
        self.durable = durable
        self.root = Path(tempfile.mkdtemp(prefix="rd-pg-"))
        self.datadir = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True)

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.root, "postgres")
            os.chmod(self.root, 0o700)
        self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", self.user, "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        opts = f"-p {self.port} -k {self.root} -h 127.0.0.1 -c max_connections=60"
        if not self.durable:  # a throw-away test cluster need not survive a power cut
            opts += " -F -c fsync=off -c full_page_writes=off"
        for name, value in self.settings.items():
            opts += f" -c {name}={value}"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", opts, "-l",
                  str(self.root / "log.txt"), "-w", "-t", "60", "start")
        for _ in range(100):
            if self._ready():
                return
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start: " + (self.root / "log.txt").read_text(errors="replace"))

    def _ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/postgres"

    def url_for(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
