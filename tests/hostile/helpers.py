"""Shared helpers of the hostile tests: the CLI in-process, an unprivileged user, small batches."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import api
from pipeline.context import RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from tests.pdfs import text_pdf

NOBODY = 65534
CONTRACT = text_pdf(["EMPLOYMENT CONTRACT between the employer and the employee"] * 3)


@dataclasses.dataclass
class Cli:
    """What one ``dossier`` command did."""

    code: int
    out: str
    err: str
    """Standard error, whitespace collapsed (Rich wraps long paths at the terminal width)."""
    runs: int
    """How many runs started (0: refused before any work)."""


def run_cli(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            engine: FakeOcrEngine | None = None) -> Cli:
    """``dossier ARGV`` in-process, its run loop on local threads with a fake OCR engine.

    The CLI's own code (checks, case files, report writing, exit codes) runs as in production; the
    Prefect flow is swapped for :func:`pipeline.api.run`, the very loop the flow runs as tasks
    (tests/pipeline/test_api.py shows both give the same report).
    """
    from flows import check as flow
    from pipeline.cli import main

    runs = []
    fake = engine or FakeOcrEngine("Extrait du casier judiciaire")

    def run_check(path: str, options: RunOptions, *, progress: Any = None, dask: Any = None, pool: Any = None) -> Any:
        runs.append(path)
        return api.run(Path(path), options, engine=fake, progress=progress)

    monkeypatch.setattr(flow, "run_check", run_check)
    monkeypatch.setattr(sys, "argv", ["dossier", *argv])
    with pytest.raises(SystemExit) as done:
        main()
    captured = capsys.readouterr()
    return Cli(int(done.value.code or 0), captured.out, " ".join(captured.err.split()), len(runs))


@contextlib.contextmanager
def unprivileged() -> Iterator[None]:
    """Run the block as user ``nobody`` when we are root (root reads and writes everything)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@contextlib.contextmanager
def shared_tmp() -> Iterator[Path]:
    """A temporary folder an unprivileged user may use too (pytest's own is private to us)."""
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        Path(tmp).chmod(0o777)
        yield Path(tmp)


def small_batch(root: Path, dossiers: tuple[str, ...] = ("001-a", "002-b")) -> Path:
    """A batch of dossiers holding one born-digital contract each (no OCR needed)."""
    for name in dossiers:
        (root / name).mkdir(parents=True)
        (root / name / "contract.pdf").write_bytes(CONTRACT)
    return root


OPTIONS = RunOptions(workers=2, cache="off")
