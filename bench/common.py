"""Shared pieces of the benchmarks: paths, timing, child processes with peak memory, PostgreSQL.

Every bench script is runnable on its own (``.venv/bin/python bench/<script>.py --help``);
``bench/run_all.py`` (``make bench``) runs them all on SQLite and PostgreSQL and writes
docs/performance.md. Scripts print one machine-readable line ``RESULT {json}`` at the end so the
driver does not have to parse prose.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"  # git-ignored: generated files, databases, logs
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
CLI = str(VENV_BIN / "reception-desk")
RESULT_PREFIX = "RESULT "
ENV_PG = "RECEPTION_DESK_BENCH_PG"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def emit(result: dict[str, Any]) -> None:
    """The machine-readable last line of a bench script."""
    print(RESULT_PREFIX + json.dumps(result, ensure_ascii=False, default=str), flush=True)


def parse_result(output: str) -> dict[str, Any] | None:
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    return None


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(samples_s: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 95), 2),
            "max_ms": round(max(ms), 2)}


# Server settings of the private benchmark cluster (see PostgresServer.start).
BENCH_PG_SETTINGS = {"shared_buffers": "1GB", "effective_cache_size": "4GB", "work_mem": "16MB",
                     "maintenance_work_mem": "256MB", "max_wal_size": "4GB"}


@dataclass
class ChildRun:
    argv: list[str]
    returncode: int
    seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_child(argv: Sequence[str], *, log_name: str, env: dict[str, str] | None = None,
              timeout: float | None = None) -> ChildRun:
    """Run a command, time it (wall clock) and read its peak resident memory from wait4().

    Output goes to files under bench/out/logs (no pipe can fill up and stall a long import).
    """
    logs = OUT / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / f"{log_name}.out", logs / f"{log_name}.err"
    started = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, cwd=ROOT, env={**os.environ, **(env or {})})
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return ChildRun(list(argv), proc.returncode, seconds, round(peak_mb, 1),
                    out_path.read_text(encoding="utf-8", errors="replace"),
                    err_path.read_text(encoding="utf-8", errors="replace"))


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import sqlite3

    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gb": memory_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "max_rss_self_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


# --- Databases ----------------------------------------------------------------------------------


def fresh_sqlite(name: str) -> str:
    """A path for a new SQLite database under bench/out (any old one and its WAL removed)."""
    dbs = OUT / "db"
    dbs.mkdir(parents=True, exist_ok=True)
    path = dbs / f"{name}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return str(path)


class PostgresServer:
    """$RECEPTION_DESK_BENCH_PG (an admin URL), or a private throw-away cluster (tests.pgcluster)."""

    def __init__(self) -> None:
        self.cluster = None
        self.admin_url: str | None = os.environ.get(ENV_PG)
        self.origin = f"${ENV_PG}" if self.admin_url else "private cluster (tests/pgcluster.py)"
        self.version: str | None = None

    def start(self) -> None:
        if self.admin_url:
            return
        from tests.pgcluster import PgCluster, find_pg_bin

        bindir = find_pg_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found; set $" + ENV_PG)
        # Set up like a modest office server, not like the throw-away test cluster: durable writes,
        # and memory settings an administrator would give a machine with a few GB to spare.
        self.cluster = PgCluster(bindir, BENCH_PG_SETTINGS, durable=True)
        self.cluster.start()
        self.admin_url = self.cluster.admin_url

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None

    def create_database(self, prefix: str) -> str:
        from sqlalchemy import create_engine, text

        assert self.admin_url
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                self.version = conn.execute(text("SHOW server_version")).scalar_one()
        finally:
            admin.dispose()
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{name}"

    def drop_database(self, url: str) -> None:
        from sqlalchemy import create_engine, text

        assert self.admin_url
        name = url.rpartition("/")[2]
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()

    def settings(self) -> dict[str, str]:
        from sqlalchemy import create_engine, text

        assert self.admin_url
        admin = create_engine(self.admin_url)
        try:
            with admin.connect() as conn:
                return {k: conn.execute(text(f"SHOW {k}")).scalar_one()
                        for k in ("server_version", "shared_buffers", "effective_cache_size", "work_mem",
                                  "fsync", "synchronous_commit")}
        finally:
            admin.dispose()


@contextmanager
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
