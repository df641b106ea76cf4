"""The local Prefect server kept warm: started by the first check, reused after, stopped on request.

These tests run ``dossier`` as a user does (separate processes) against a server of their own, in a
temporary data folder, and stop it (and the warm process) themselves: nothing is left running.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows import server, warm
from pipeline import launch

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "batch"
DOSSIER = [str(Path(sys.executable).parent / "dossier")]
TIMEOUT_S = 600


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DOSSIER_"))}
    env.update(XDG_DATA_HOME=str(data), PREFECT_HOME=str(data / "client-prefect"), OMP_THREAD_LIMIT="1")
    return env


@pytest.fixture()
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder of our own; whatever server and warm process were started in it are stopped."""
    folder = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    try:
        yield folder
    finally:
        process, local = warm.read_state(), server.read_state()
        warm.stop()
        server.stop()
        for pid in [p.pid for p in (process, local) if p is not None]:
            assert not server._alive(pid), f"process {pid} still runs"


def _born_digital(tmp_path: Path) -> Path:
    """A dossier of one text-layer PDF: checked without OCR."""
    dossier = tmp_path / "005-sanchez"
    dossier.mkdir()
    shutil.copy(SAMPLES / "005-sanchez" / "contrat_de_travail.pdf", dossier)
    return dossier


def _check(dossier: Path, out: Path, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DOSSIER, "check", str(dossier), "--out", str(out), "--as-of", "2026-11-25",
                           "--cache", "off", "--no-progress"],
                          env=_env(data), capture_output=True, text=True, timeout=TIMEOUT_S, check=False)


def _children_cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[13]) + int(fields[14])


@pytest.mark.tesseract
@pytest.mark.skipif(not warm.supported() or not Path("/proc").is_dir(), reason="Linux: fork and /proc")
def test_first_check_starts_the_server_later_ones_reuse_it_warm(data: Path, tmp_path: Path) -> None:
    """First run starts server and warm process; the next runs in a warm fork (Ctrl-C too); then stop."""
    dossier = _born_digital(tmp_path)
    first = _check(dossier, tmp_path / "one", data)
    assert first.returncode == 0, first.stderr
    assert "Starting the local Prefect server" in first.stderr
    local, process = server.read_state(), warm.read_state()
    assert local is not None and local.is_up() and process is not None and warm.is_running(process)
    assert local.api_url.startswith("http://127.0.0.1:")
    assert (data / "dossier" / "prefect" / "prefect.db").is_file()

    before = _children_cpu_ticks(process.pid)
    second = _check(dossier, tmp_path / "two", data)
    assert second.returncode == 0, second.stderr
    assert "Starting" not in second.stderr and f"Prefect UI: {local.ui_url}" in second.stderr
    assert server.read_state() == local and warm.read_state() == process  # reused, not restarted
    assert _children_cpu_ticks(process.pid) > before  # the check ran in a fork of the warm process
    for run in (first, second):
        assert "Traceback" not in run.stderr and "Error" not in run.stderr
        assert "anonymous usage data" not in run.stderr  # Prefect's telemetry banner
    one, two = (json.loads((tmp_path / name / "report.json").read_text()) for name in ("one", "two"))
    for report in (one, two):
        for dossier_report in report["dossiers"]:
            dossier_report["stats"] = {k: v for k, v in dossier_report["stats"].items() if "seconds" not in k}
    assert one == two and one["dossiers"][0]["id"] == "005-sanchez"

    _interrupt_a_warm_run(data, tmp_path)

    status = subprocess.run([*DOSSIER, "server", "status"], env=_env(data), capture_output=True, text=True,
                            timeout=60, check=False)
    assert "answering" in status.stderr and local.ui_url in status.stderr

    stop = subprocess.run([*DOSSIER, "server", "stop"], env=_env(data), capture_output=True, text=True,
                          timeout=120, check=False)
    assert stop.returncode == 0 and "stopped" in stop.stderr
    assert not server._alive(local.pid) and not server._alive(process.pid)
    assert server.read_state() is None and warm.read_state() is None


def _interrupt_a_warm_run(data: Path, tmp_path: Path) -> None:
    """Ctrl-C reaches the run in the warm fork: it ends within seconds, exit 130, no traceback."""
    batch = tmp_path / "batch"
    for name in ("001-patel", "002-pereira", "003-tahiri"):
        shutil.copytree(SAMPLES / name, batch / name)
    run = subprocess.Popen([*DOSSIER, "check", str(batch), "--out", str(tmp_path / "out"), "--cache", "off",
                            "--as-of", "2026-11-25"], env=_env(data), stderr=subprocess.PIPE, text=True)
    assert run.stderr is not None
    line = run.stderr.readline()
    while line and "pages to read" not in line:  # the dossiers are read: pages are being processed
        line = run.stderr.readline()
    time.sleep(1.0)
    run.send_signal(signal.SIGINT)
    started = time.monotonic()
    code = run.wait(timeout=60)
    stopped_after = time.monotonic() - started
    rest = run.stderr.read()
    assert code == 130, rest
    assert stopped_after < 10, stopped_after
    assert "Traceback" not in rest
    assert not (tmp_path / "out" / "report.json").exists()


def test_a_prefect_api_of_ones_own_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("DOSSIER_SERVER", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert launch.uses_local_server(["check", "batch"])
    assert not launch.uses_local_server(["check", "--help"]) and not launch.uses_local_server(["rules"])
    (tmp_path / "profiles.toml").write_text(
        'active = "team"\n[profiles.team]\nPREFECT_API_URL = "http://prefect.example:4200/api"\n')
    assert server.configured_api_url() == "http://prefect.example:4200/api"
    assert not launch.uses_local_server(["check", "batch"])
    monkeypatch.setenv("PREFECT_PROFILE", "other")
    assert server.configured_api_url() is None
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert server.configured_api_url() == "http://127.0.0.1:4200/api"
    monkeypatch.delenv("PREFECT_API_URL")
    monkeypatch.setenv("DOSSIER_SERVER", "off")
    assert not launch.uses_local_server(["check", "batch"])


def test_the_warm_process_follows_prefect_settings() -> None:
    """A change to Prefect's settings (or the API) means another warm process."""
    base = {"PATH": "/usr/bin"}
    url = "http://127.0.0.1:4300/api"
    assert warm.fingerprint(base, url) == warm.fingerprint(dict(base, LANG="C"), url)
    assert warm.fingerprint(base, url) != warm.fingerprint(dict(base, PREFECT_LOGGING_LEVEL="DEBUG"), url)
    assert warm.fingerprint(base, url) != warm.fingerprint(base, "http://127.0.0.1:4301/api")
    assert any("pipeline/api.py" in row for row in warm._sources())  # an edited source starts a new one
