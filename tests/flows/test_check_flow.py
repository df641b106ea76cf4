"""The check flow: tasks unit-tested with .fn(), one flow run and the CLI under the test server."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows import check as check_flow
from pipeline import api
from pipeline.cli import app, main
from pipeline.context import RunContext, RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.errors import ExitCode
from pipeline.stages.intake import DossierSource

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "batch"
AS_OF = dt.date(2026, 11, 25)


@pytest.fixture()
def fake_ocr(monkeypatch: pytest.MonkeyPatch) -> FakeOcrEngine:
    engine = FakeOcrEngine("Extrait du casier judiciaire\nFait à Bruxelles, le 2 octobre 2026")
    monkeypatch.setattr(api, "default_engine", lambda options: engine)
    return engine


@pytest.fixture()
def small_batch(tmp_path: Path) -> Path:
    batch = tmp_path / "batch"
    for name in ("002-pereira", "005-sanchez"):
        shutil.copytree(SAMPLES / name, batch / name)
    (batch / "cases.csv").write_text(
        "dossier,category,nationality\n002-pereira,single_permit,BRA\n005-sanchez,eu_citizen,ESP\n"
    )
    return batch


def test_tasks_run_without_a_server(small_batch: Path, tmp_path: Path, fake_ocr: FakeOcrEngine) -> None:
    options = RunOptions(as_of=AS_OF, workers=1, cache="off")
    ctx = RunContext(options, tmp_path / "work")
    nothing = check_flow.Sealed(None)
    found = check_flow.ingest_task.fn(DossierSource("002-pereira", small_batch / "002-pereira"), ctx, nothing)
    assert {f.file for f in found.files} >= {"notes.txt", "empty.pdf"}
    pages = [check_flow.process_page_task.fn(check_flow.Sealed(p), ctx, nothing) for p in found.pages]
    report = check_flow.assemble_task.fn(DossierSource("002-pereira", small_batch), check_flow.Sealed(found),
                                         check_flow.Sealed(pages), api.CaseFacts(), options, 0.0)
    assert report.id == "002-pereira"
    assert len(report.files) == len(found.files)


def _without_timings(report: dict[str, object]) -> dict[str, object]:
    for dossier in report["dossiers"]:  # type: ignore[attr-defined]
        dossier["stats"] = {k: v for k, v in dossier["stats"].items() if "seconds" not in k}
    return report


@pytest.mark.tesseract
def test_flow_and_core_give_identical_reports(prefect_harness: None, small_batch: Path) -> None:
    """One stage list, one loop: the Prefect flow and the plain core agree on real OCR, cache off."""
    options = RunOptions(as_of=AS_OF, workers=2, cache="off")
    by_flow = check_flow.run_check(str(small_batch), options)
    by_core = api.run(small_batch, options)
    assert _without_timings(by_flow.to_dict()) == _without_timings(by_core.to_dict())
    assert {d.id for d in by_core.dossiers} == {"002-pereira", "005-sanchez"}
    assert any(doc.fields for d in by_core.dossiers for doc in d.documents)


def test_flow_and_cli_on_a_batch(
    prefect_harness: None, small_batch: Path, tmp_path: Path, fake_ocr: FakeOcrEngine
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["check", str(small_batch), "--out", str(out), "--as-of", "2026-11-25", "--workers", "2",
              "--cache", str(tmp_path / "cache"), "--no-progress", "--csv-sep", ","],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text())
    assert data["schema_version"] == 1 and data["as_of"] == "2026-11-25"
    assert [d["id"] for d in data["dossiers"]] == ["002-pereira", "005-sanchez"]
    for dossier in data["dossiers"]:
        assert set(dossier) >= {"id", "verdict", "ready_until", "case", "findings", "documents", "files"}
        on_disk = {p.relative_to(small_batch / dossier["id"]).as_posix()
                   for p in (small_batch / dossier["id"]).rglob("*") if p.is_file()}
        assert {f["file"] for f in dossier["files"]} == on_disk
    assert data["dossiers"][1]["case"]["category"] == "eu_citizen"
    csv_text = (out / "report.csv").read_text()
    assert csv_text.count(",dossier,") == 2
    assert "002-pereira" in (out / "report.html").read_text()


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["check", "/does/not/exist"], ExitCode.INPUT_FILE),
        (["check", ".", "--as-of", "2026-02-30"], ExitCode.BAD_ARGS),
        (["check", ".", "--profile", "lenient"], ExitCode.BAD_ARGS),
    ],
)
def test_cli_errors_exit_non_zero(argv: list[str], code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["dossier", *argv])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == code


def test_a_bad_case_row_stops_its_dossier_only(
    prefect_harness: None, small_batch: Path, tmp_path: Path, fake_ocr: FakeOcrEngine,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (small_batch / "cases.csv").write_text("dossier,category\n002-pereira,astronaut\n005-sanchez,eu_citizen\n")
    out = tmp_path / "out"
    monkeypatch.setattr("sys.argv", ["dossier", "check", str(small_batch), "--no-progress", "--out", str(out),
                                     "--cache", "off"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == ExitCode.DOSSIER_UNREADABLE
    assert "1 dossier(s) could not be checked (002-pereira)" in capsys.readouterr().err
    bad, good = json.loads((out / "report.json").read_text())["dossiers"]
    assert "cases.csv row 2, column category: 'astronaut' is not a category" in bad["error"]
    assert bad["verdict"] == "not_ready" and [f["rule"] for f in bad["findings"]] == ["dossier.readable"]
    assert {f["file"] for f in bad["files"]} >= {"notes.txt", "empty.pdf"}  # its files are still listed
    assert good["error"] is None and good["case"]["category"] == "eu_citizen" and len(good["findings"]) > 3


@pytest.mark.slow
def test_ctrl_c_stops_the_cli_within_3_seconds(tmp_path: Path) -> None:
    """The real command (temporary Prefect server, tesseract) interrupted once pages are cached (issue 11)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    dossier = tmp_path / "001-patel"
    dossier.mkdir()
    for source in sorted(SAMPLES.glob("*/*")):  # ~20 pages: the signal lands mid-run even on a fast machine
        if source.suffix in (".jpg", ".png", ".pdf", ".tif"):
            shutil.copy(source, dossier / f"{source.parent.name}-{source.name}")
    cache, out = tmp_path / "cache", tmp_path / "out"
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}  # a busy CI machine
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "check", str(dossier), "--out", str(out), "--cache", str(cache),
         "--no-progress", "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while not list(cache.rglob("*.json")):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.1)
        children = [int(pid) for task in Path(f"/proc/{process.pid}/task").glob("*/children")
                    for pid in task.read_text().split()]
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and elapsed < 3.0, (elapsed, err)
    assert "interrupted:" in err and "Traceback" not in err
    assert list(cache.rglob("*.json")) and not out.exists()
    time.sleep(0.5)
    for pid in children:  # the temporary Prefect server is gone too
        status = Path(f"/proc/{pid}/status")
        assert not status.exists() or "zombie" in status.read_text(), pid
