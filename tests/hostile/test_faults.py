"""Faults: full disk, read-only and misplaced --out, kill -9 and Ctrl-C mid-batch, concurrent writers,
unreadable folders, stages that crash. A failed run never leaves a broken report; one bad dossier never
stops the others."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import api
from pipeline.atomic import LOCK_NAME
from pipeline.engines.ocr import FakeOcrEngine, OcrEngine, OcrText
from pipeline.errors import ExitCode
from pipeline.model import FileStatus
from pipeline.report import REPORT_FILES, RunReport, write_reports
from pipeline.stages import intake
from tests.hostile.helpers import CONTRACT, OPTIONS, run_cli, shared_tmp, small_batch, unprivileged

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "batch"
AS_OF = dt.date(2026, 11, 25)


def _previous(out: Path) -> dict[str, bytes]:
    """An earlier run's reports in ``out``; returns their bytes."""
    write_reports(RunReport(as_of=dt.date(2026, 1, 1), profile="conservative", dossiers=()), str(out))
    return {name: (out / name).read_bytes() for name in REPORT_FILES}


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name not in REPORT_FILES and p.name != LOCK_NAME)


@contextlib.contextmanager
def _file_size_limit(limit: int) -> Iterator[None]:
    """Writes past ``limit`` bytes fail with EFBIG, as on a full disk (SIGXFSZ ignored)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_disk_full_keeps_the_previous_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    batch = small_batch(tmp_path / "batch")
    out = tmp_path / "out"
    before = _previous(out)
    with _file_size_limit(2048):  # the new report.json is larger than this
        cli = run_cli(["check", str(batch), "--out", str(out), "--cache", "off", "--as-of", "2026-11-25",
                       "--no-progress"], monkeypatch, capsys)
    assert cli.code == ExitCode.OUTPUT, cli.err
    assert "cannot write the reports" in cli.err and "previous reports there are unchanged" in cli.err
    assert "Traceback" not in cli.err + cli.out
    assert {name: (out / name).read_bytes() for name in REPORT_FILES} == before
    assert _leftovers(out) == []


def test_read_only_out_is_refused_before_any_work(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with shared_tmp() as tmp:
        batch = small_batch(tmp / "batch")
        out = tmp / "out"
        before = _previous(out)
        out.chmod(0o555)
        with unprivileged():
            cli = run_cli(["check", str(batch), "--out", str(out), "--cache", "off", "--no-progress"],
                          monkeypatch, capsys)
        assert cli.code == ExitCode.OUTPUT and cli.runs == 0
        assert f"--out {out}: cannot write there (Permission denied)" in cli.err
        assert {name: (out / name).read_bytes() for name in REPORT_FILES} == before


@pytest.mark.parametrize(("out", "needle"), [
    ("/proc/dossier-report", "cannot write there"),
    ("{batch}", "is the checked folder or holds it"),
    ("{batch}/001-a", "holds other files (contract.pdf)"),
    ("{batch}/001-a/contract.pdf", "a file is in the way"),
])
def test_misplaced_out_is_refused_before_any_work(out: str, needle: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    batch = small_batch(tmp_path / "batch")
    cli = run_cli(["check", str(batch), "--out", out.format(batch=batch), "--cache", "off", "--no-progress"],
                  monkeypatch, capsys)
    assert cli.code == ExitCode.OUTPUT and cli.runs == 0, cli.err
    assert needle in cli.err and "Traceback" not in cli.err


def test_out_inside_a_dossier_run_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's case: the second run used to report the first run's reports as unsupported files."""
    dossier = tmp_path / "007-sharma"
    dossier.mkdir()
    (dossier / "contract.pdf").write_bytes(CONTRACT)
    argv = ["check", str(dossier), "--out", str(dossier / "dossier-report"), "--cache", "off", "--no-progress"]
    first = run_cli(argv, monkeypatch, capsys)
    second = run_cli(argv, monkeypatch, capsys)
    assert first.code == second.code == 0
    (report,) = json.loads((dossier / "dossier-report" / "report.json").read_text())["dossiers"]
    assert [f["file"] for f in report["files"]] == ["contract.pdf"]


def test_unreadable_dossier_and_sub_folder_stop_only_themselves() -> None:
    with shared_tmp() as tmp:
        batch = small_batch(tmp / "batch", ("001-a", "002-locked", "003-c"))
        (batch / "001-a" / "private").mkdir()
        (batch / "001-a" / "private" / "passport.pdf").write_bytes(CONTRACT)
        (batch / "001-a" / "private").chmod(0)
        (batch / "002-locked").chmod(0)
        try:
            with unprivileged():
                report = api.run(batch, OPTIONS.model_copy(update={"as_of": AS_OF}), engine=FakeOcrEngine(""))
        finally:
            (batch / "001-a" / "private").chmod(0o755)
            (batch / "002-locked").chmod(0o755)
    by_id = {d.id: d for d in report.dossiers}
    assert list(by_id) == ["001-a", "002-locked", "003-c"]
    files = {f.file: f for f in by_id["001-a"].files}
    assert files["private/"].status == FileStatus.ERROR
    assert "folder cannot be read (Permission denied): the files in it were not checked" in files["private/"].message
    assert files["contract.pdf"].status == FileStatus.PROCESSED and by_id["001-a"].error == ""
    assert by_id["002-locked"].error == "cannot read the dossier folder: Permission denied"
    assert by_id["003-c"].error == "" and [f.file for f in by_id["003-c"].files] == ["contract.pdf"]
    assert report.incomplete


def test_two_runs_writing_one_out(tmp_path: Path) -> None:
    """Two writers at once: every time a reader looks, the four reports are one complete set."""
    out = tmp_path / "out"
    reports = [RunReport(as_of=dt.date(2026, 1, day), profile="conservative", dossiers=()) for day in (1, 2)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(report: RunReport) -> None:
        try:
            while not stop.is_set():
                write_reports(report, str(out))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(r,)) for r in reports]
    for thread in threads:
        thread.start()
    seen = set()
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            data = json.loads((out / "report.json").read_text())
            summary = (out / "summary.csv").read_text()
        except FileNotFoundError:
            continue
        seen.add(data["as_of"])
        assert data["as_of"] in ("2026-01-01", "2026-01-02")  # never torn
        assert "run,as_of," in summary
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == [] and seen
    final = json.loads((out / "report.json").read_text())["as_of"]
    assert f"run,as_of,{final}" in (out / "summary.csv").read_text()  # the last set is whole
    assert _leftovers(out) == []


class _CrashingEngine(OcrEngine):
    """OCR that fails whenever it is called, as an engine bug would."""

    name = "crashing"

    def recognize(self, image: object, *, lang: str, psm: int, whitelist: str | None = None) -> OcrText:
        raise RuntimeError("engine fell over")


def test_a_crashing_page_stage_fails_its_file_only(tmp_path: Path) -> None:
    dossier = tmp_path / "d"
    dossier.mkdir()
    (dossier / "crash.jpg").write_bytes((SAMPLES / "001-patel" / "Scan_001.jpg").read_bytes())
    (dossier / "contract.pdf").write_bytes(CONTRACT)  # a text layer: never OCR'd
    report = api.run(dossier, OPTIONS.model_copy(update={"as_of": AS_OF}), engine=_CrashingEngine())
    (result,) = report.dossiers
    files = {f.file: f for f in result.files}
    assert files["crash.jpg"].status == FileStatus.ERROR
    assert "could not be processed (RuntimeError: engine fell over)" in files["crash.jpg"].message
    assert files["contract.pdf"].status == FileStatus.PROCESSED and result.error == ""


def test_a_crashing_dossier_stage_fails_its_dossier_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = small_batch(tmp_path / "batch", ("001-a", "002-boom", "003-c"))

    def boom(work: api.DossierWork) -> api.DossierWork:
        if work.id == "002-boom":
            raise KeyError("surprise")
        return work

    monkeypatch.setattr(api, "DOSSIER_STAGES", (boom, *api.DOSSIER_STAGES))
    report = api.run(batch, OPTIONS.model_copy(update={"as_of": AS_OF}), engine=FakeOcrEngine(""))
    by_id = {d.id: d for d in report.dossiers}
    assert by_id["002-boom"].error == "internal error while checking it (KeyError: 'surprise')"
    assert [f.file for f in by_id["002-boom"].files] == ["contract.pdf"]
    assert by_id["001-a"].error == by_id["003-c"].error == "" and len(by_id["003-c"].findings) > 3


def test_intake_crashing_on_one_file_fails_that_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dossier = small_batch(tmp_path / "b", ("d",)) / "d"
    (dossier / "bad.pdf").write_bytes(CONTRACT)
    real = intake.ingest_file

    def fragile(path: Path, rel: str, *args: object, **kwargs: object) -> object:
        if rel == "bad.pdf":
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, rel, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(intake, "ingest_file", fragile)
    (result,) = api.run(dossier, OPTIONS.model_copy(update={"as_of": AS_OF}), engine=FakeOcrEngine("")).dossiers
    files = {f.file: f for f in result.files}
    assert files["bad.pdf"].status == FileStatus.ERROR and "RecursionError" in files["bad.pdf"].message
    assert files["contract.pdf"].status == FileStatus.PROCESSED


def test_an_unwritable_cache_does_not_stop_the_run(tmp_path: Path) -> None:
    with shared_tmp() as tmp:
        cache = tmp / "cache"
        cache.mkdir(mode=0o700)
        batch = small_batch(tmp / "batch", ("001-a",))
        (batch / "001-a" / "scan.jpg").write_bytes((SAMPLES / "001-patel" / "Scan_001.jpg").read_bytes())
        cache.chmod(0o500)  # owned by root: nobody cannot even enter it
        with unprivileged():
            report = api.run(batch / "001-a", OPTIONS.model_copy(update={"as_of": AS_OF, "cache": str(cache)}),
                             engine=FakeOcrEngine(""))
    assert report.dossiers[0].error == "" and len(report.dossiers[0].files) == 2


# -- kill -9 and Ctrl-C: a child process runs a batch with a slow OCR engine --------------------------------------

CHILD = """
import datetime as dt, sys, time
from pathlib import Path
from pipeline import api, interrupt
from pipeline.context import RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.report import write_reports

class Slow(FakeOcrEngine):
    def recognize(self, image, **kwargs):
        time.sleep(0.4)
        return super().recognize(image, **kwargs)

batch, out, cache = sys.argv[1:4]
options = RunOptions(as_of=dt.date(2026, 11, 25), workers=2, cache=cache)
with interrupt.exit_on_interrupt(lambda: "interrupted: finished pages are cached"):
    report = api.run(Path(batch), options, engine=Slow("Extrait du casier judiciaire"))
write_reports(report, out)
"""


@dataclasses.dataclass
class _Child:
    process: subprocess.Popen[str]
    cache: Path

    def entries(self) -> list[Path]:
        return sorted(self.cache.rglob("*.json")) if self.cache.exists() else []

    def wait_for_entries(self, count: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.entries()) < count:
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, "no page was cached in time"
            time.sleep(0.05)


@pytest.fixture()
def child(tmp_path: Path) -> Iterator[tuple[_Child, Path, dict[str, bytes]]]:
    batch = tmp_path / "batch"
    for name in ("001-patel", "003-tahiri"):
        (batch / name).mkdir(parents=True)
        for scan in (SAMPLES / name).iterdir():
            if scan.suffix in (".jpg", ".png"):
                (batch / name / scan.name).write_bytes(scan.read_bytes())
    out = tmp_path / "out"
    before = _previous(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_THREAD_LIMIT": "1"}
    process = subprocess.Popen([sys.executable, "-c", CHILD, str(batch), str(out), str(tmp_path / "cache")],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield _Child(process, tmp_path / "cache"), out, before
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_kill_9_mid_batch(child: tuple[_Child, Path, dict[str, bytes]], tmp_path: Path) -> None:
    run, out, before = child
    run.wait_for_entries(2)
    run.process.send_signal(signal.SIGKILL)
    run.process.wait(timeout=10)
    assert {name: (out / name).read_bytes() for name in REPORT_FILES} == before and _leftovers(out) == []
    entries = run.entries()
    for entry in entries:
        json.loads(entry.read_text())  # none torn
    inodes = {p: p.stat().st_ino for p in entries}
    report = api.run(tmp_path / "batch", OPTIONS.model_copy(update={"as_of": AS_OF, "cache": str(run.cache)}),
                     engine=FakeOcrEngine("Extrait du casier judiciaire"))
    assert all(d.error == "" for d in report.dossiers)
    assert {p: p.stat().st_ino for p in entries} == inodes  # the pages done before the kill were reused


def test_ctrl_c_mid_batch(child: tuple[_Child, Path, dict[str, bytes]]) -> None:
    run, out, before = child
    run.wait_for_entries(2)
    started = time.monotonic()
    run.process.send_signal(signal.SIGINT)
    _, err = run.process.communicate(timeout=10)
    elapsed = time.monotonic() - started
    assert run.process.returncode == 130 and elapsed < 3.0, (elapsed, err)
    assert "interrupted: finished pages are cached" in err and "Traceback" not in err
    assert {name: (out / name).read_bytes() for name in REPORT_FILES} == before
    assert len(run.entries()) >= 2


def test_identical_pages_on_16_workers_share_one_cache(tmp_path: Path) -> None:
    """The issue's case: 100 identical pages, --workers 16, crashed one run in two (one temp file name)."""
    from PIL import Image

    dossier = tmp_path / "same"
    dossier.mkdir()
    Image.new("RGB", (160, 220), (240, 240, 240)).save(dossier / "page-000.png")
    for i in range(1, 100):
        (dossier / f"page-{i:03d}.png").write_bytes((dossier / "page-000.png").read_bytes())
    options = OPTIONS.model_copy(update={"as_of": AS_OF, "workers": 16, "cache": str(tmp_path / "cache")})
    (result,) = api.run(dossier, options, engine=FakeOcrEngine("")).dossiers
    assert len(result.files) == 100 and {f.status for f in result.files} == {FileStatus.PROCESSED}
    entries = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.name != ".last-prune"]
    assert len(entries) == 2 and not [p for p in entries if p.name.endswith(".tmp")]  # one page, one file entry
    (again,) = api.run(dossier, options, engine=FakeOcrEngine("")).dossiers
    assert [f.page_count for f in again.files] == [1] * 100 and again.stats["pages"] == 100  # not 100 x 100


def test_an_earlier_report_folder_inside_the_input_is_never_a_dossier(tmp_path: Path) -> None:
    """Reports an older version wrote inside a dossier (the issue's --out case) do not turn it into a batch."""
    empty = RunReport(as_of=AS_OF, profile="conservative", dossiers=())
    dossier = tmp_path / "007-sharma"
    dossier.mkdir()
    (dossier / "contract.pdf").write_bytes(CONTRACT)
    write_reports(empty, str(dossier / "dossier-report"))
    options = OPTIONS.model_copy(update={"as_of": AS_OF})
    (result,) = api.run(dossier, options, engine=FakeOcrEngine("")).dossiers
    assert result.id == "007-sharma" and [f.file for f in result.files] == ["contract.pdf"]
    batch = small_batch(tmp_path / "batch")
    write_reports(empty, str(batch / "dossier-report"))
    write_reports(empty, str(batch / "001-a" / "old-report"))
    report = api.run(batch, options, engine=FakeOcrEngine(""))
    assert [d.id for d in report.dossiers] == ["001-a", "002-b"] and report.batch_files == ()
    assert [f.file for f in report.dossiers[0].files] == ["contract.pdf"]
