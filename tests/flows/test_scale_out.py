"""Scale-out as users run it: ``dossier check`` against servers and workers that are processes of their own.

One Prefect server (``prefect server start``) serves both tests; a Dask scheduler with two worker
processes and a process work pool with two ``prefect worker start`` processes are started beside
it, all on 127.0.0.1, in temporary folders. Each run's report must be the local run's, key for
key (timings aside). Everything started here is stopped by the fixtures, even when a test fails.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows import server
from pipeline import api
from pipeline.context import RunOptions
from pipeline.report import write_reports

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "batch"
BIN = Path(sys.executable).parent
AS_OF = "2026-11-25"
START_S = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180"))
RUN_S = 600

pytestmark = [pytest.mark.tesseract, pytest.mark.servers, pytest.mark.xdist_group("scale-out")]
"""One xdist worker runs both tests (``scripts/run-tests`` uses ``--dist loadgroup``): one server, not two."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Processes:
    """Processes started in their own session, each stopped with its children at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append((process, log))
        return process

    def log(self, process: subprocess.Popen[bytes]) -> str:
        return next(log for p, log in self.started if p is process).read_text(errors="replace")[-3000:]

    def stop_all(self) -> None:
        for process, _ in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in reversed(self.started):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.started.clear()


def _wait_for(what: str, ready: Any, process: subprocess.Popen[bytes], processes: Processes) -> None:
    deadline = time.monotonic() + START_S
    while not ready():
        assert process.poll() is None, f"{what} exited:\n{processes.log(process)}"
        assert time.monotonic() < deadline, f"{what} not ready in {START_S:.0f} s:\n{processes.log(process)}"
        time.sleep(0.25)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scale-out")


@pytest.fixture(scope="module")
def processes(home: Path) -> Iterator[Processes]:
    started = Processes(home)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture(scope="module")
def prefect_env(home: Path, processes: Processes) -> dict[str, str]:
    """A Prefect server of its own (SQLite in ``home``); the environment every client process uses."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DOSSIER_"))}
    env.update(
        PREFECT_HOME=str(home / "prefect"), PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1", OMP_THREAD_LIMIT="1",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    server_env = dict(env, PREFECT_SERVER_API_HOST="127.0.0.1", PREFECT_SERVER_API_PORT=str(port),
                      PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home / 'prefect.db'}")
    del server_env["PREFECT_API_URL"]
    process = processes.start("prefect-server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                                 "--port", str(port), "--analytics-off"], server_env, home)
    _wait_for("the Prefect server", lambda: server.api_is_up(env["PREFECT_API_URL"]), process, processes)
    return env


@pytest.fixture(scope="module")
def batch(home: Path) -> Path:
    """Two small dossiers (a scanned card, a photo, a contract, an empty PDF, a note), with case facts."""
    root = home / "batch"
    shutil.copytree(SAMPLES / "005-sanchez", root / "005-sanchez")
    (root / "002-pereira").mkdir(parents=True)
    for name in ("Scan_001.jpg", "contrat_de_travail.pdf", "empty.pdf", "notes.txt"):
        shutil.copy(SAMPLES / "002-pereira" / name, root / "002-pereira")
    (root / "cases.csv").write_text("dossier,category,nationality\n002-pereira,single_permit,BRA\n"
                                    "005-sanchez,eu_citizen,ESP\n")
    return root


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    for dossier in report["dossiers"]:
        dossier["stats"] = {k: v for k, v in dossier["stats"].items() if "seconds" not in k}
    return report


@pytest.fixture(scope="module")
def local_report(batch: Path, home: Path) -> dict[str, Any]:
    """The batch checked by the core in this process (the flow gives the same: test_check_flow)."""
    report = api.run(batch, RunOptions(as_of=dt.date.fromisoformat(AS_OF), workers=2, cache="off"))
    write_reports(report, str(home / "local"))
    data = _comparable(json.loads((home / "local" / "report.json").read_text()))
    assert [d["id"] for d in data["dossiers"]] == ["002-pereira", "005-sanchez"]
    assert any(doc["fields"] for d in data["dossiers"] for doc in d["documents"])  # OCR read something
    return data


def _dossier_check(batch: Path, out: Path, env: dict[str, str], *extra: str) -> dict[str, Any]:
    """``dossier check`` as a user types it; its report.json."""
    run = subprocess.run([str(BIN / "dossier"), "check", str(batch), "--out", str(out), "--as-of", AS_OF,
                          "--cache", "off", "--no-progress", *extra],
                         env=env, cwd=batch.parent, capture_output=True, text=True, timeout=RUN_S, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr and "Starting the local Prefect server" not in run.stderr
    return _comparable(json.loads((out / "report.json").read_text()))


def test_dask_scheduler_and_workers_as_processes(
    batch: Path, home: Path, prefect_env: dict[str, str], processes: Processes, local_report: dict[str, Any]
) -> None:
    """``--dask tcp://…``: a ``dask scheduler`` and ``dask worker --nworkers 2`` run the pages."""
    pytest.importorskip("distributed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {k: v for k, v in prefect_env.items() if not k.startswith("PREFECT_")}
    scheduler = processes.start("dask-scheduler", [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                                                   "--port", str(port), "--no-dashboard"], env, home)
    workers = processes.start("dask-worker", [str(BIN / "dask"), "worker", address, "--nworkers", "2",
                                              "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                              env, home)

    def two_workers() -> bool:
        from distributed import Client

        try:
            with Client(address, timeout=5) as client:
                return len(client.scheduler_info(n_workers=-1)["workers"]) == 2
        except OSError:
            return False

    _wait_for("the Dask workers", two_workers, workers, processes)
    assert scheduler.poll() is None

    by_dask = _dossier_check(batch, home / "dask", prefect_env, "--dask", address)
    assert by_dask == local_report
    from distributed import Client

    with Client(address, timeout=10) as client:  # the pages were tasks on the cluster's workers
        ran = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
        assert len(client.scheduler_info(n_workers=-1)["workers"]) == 2  # nothing crashed on the way
    assert any("process_page" in prefix for prefix in ran), ran


def test_prefect_work_pool_with_two_workers(
    batch: Path, home: Path, prefect_env: dict[str, str], processes: Processes, local_report: dict[str, Any]
) -> None:
    """``--pool NAME``: the batch's parts run as flow runs on two ``prefect worker start`` processes."""
    pool = "dossier-test"
    missing = subprocess.run([str(BIN / "dossier"), "check", str(batch), "--out", str(home / "nowhere"), "--pool",
                              pool, "--no-progress"], env=prefect_env, capture_output=True, text=True, timeout=RUN_S,
                             check=False)
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert f"prefect work-pool create {pool} --type process" in missing.stderr, missing.stderr[-2000:]
    created = subprocess.run([str(BIN / "prefect"), "work-pool", "create", pool, "--type", "process"],
                             env=prefect_env, capture_output=True, text=True, timeout=120, check=False)
    assert created.returncode == 0, created.stderr
    # One run at a time each, polling every second, logging what they take: the two parts go to both.
    worker_env = dict(prefect_env, PREFECT_WORKER_QUERY_SECONDS="1", PREFECT_LOGGING_LEVEL="INFO")
    workers = [processes.start(f"prefect-worker-{n}", [str(BIN / "prefect"), "worker", "start", "--pool", pool,
                                                       "--name", f"worker-{n}", "--limit", "1"],
                               worker_env, home) for n in (1, 2)]

    def both_online() -> bool:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from flows.pool import online_workers

        with temporary_settings(updates={PREFECT_API_URL: prefect_env["PREFECT_API_URL"]}):
            return online_workers(pool) == 2

    for worker in workers:
        _wait_for("the Prefect workers", both_online, worker, processes)

    by_pool = _dossier_check(batch, home / "pool", prefect_env, "--pool", pool)
    assert by_pool == local_report
    for n, worker in enumerate(workers, start=1):  # each worker ran a part
        assert f"Worker 'worker-{n}' submitting flow run" in processes.log(worker), processes.log(worker)
