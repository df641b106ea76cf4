"""Honest progress: the pages to read are known before the first is read; cached pages are counted apart."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

from rich.console import Console

from pipeline import api
from pipeline.context import RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.model import Page
from pipeline.progress import RunDisplay
from pipeline.report import DossierReport

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "batch"


class Recorder:
    """A RunProgress that remembers the order of what it was told."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def planned(self, dossiers: int, pages: int | None, cached: int) -> None:
        self.events.append(("planned", (dossiers, pages, cached)))

    def page_done(self, page: Page) -> None:
        self.events.append(("page", page.file))

    def dossier_done(self, report: DossierReport) -> None:
        self.events.append(("dossier", report.id))


def _batch(tmp_path: Path) -> Path:
    batch = tmp_path / "batch"
    shutil.copytree(SAMPLES / "005-sanchez", batch / "005-sanchez")
    (batch / "002-pereira").mkdir()
    for name in ("Scan_001.jpg", "contrat_de_travail.pdf", "empty.pdf", "notes.txt"):
        shutil.copy(SAMPLES / "002-pereira" / name, batch / "002-pereira")
    return batch


def test_the_plan_comes_first_and_cached_pages_go_to_no_worker(tmp_path: Path) -> None:
    batch = _batch(tmp_path)
    options = RunOptions(as_of=dt.date(2026, 11, 25), workers=2, cache=str(tmp_path / "cache"))
    first = Recorder()
    report = api.run(batch, options, engine=FakeOcrEngine(""), progress=first)
    kind, plan = first.events[0]
    assert kind == "planned" and isinstance(plan, tuple)
    dossiers, pages, cached = plan
    assert (dossiers, cached) == (2, 0)
    assert pages == sum(1 for kind, _ in first.events if kind == "page") == sum(
        d.stats["pages"] for d in report.dossiers) > 2
    assert [v for kind, v in first.events if kind == "dossier"] == ["002-pereira", "005-sanchez"]
    assert first.events[-1] == ("dossier", "005-sanchez")

    again = Recorder()
    api.run(batch, options, engine=FakeOcrEngine(""), progress=again)
    assert again.events[0] == ("planned", (2, 0, pages))  # every page from the cache: nothing to read
    assert [kind for kind, _ in again.events] == ["planned", "dossier", "dossier"]


def test_without_a_terminal_one_line_per_dossier(tmp_path: Path) -> None:
    out = io.StringIO()
    batch = _batch(tmp_path)
    options = RunOptions(as_of=dt.date(2026, 11, 25), workers=2, cache="off")
    with RunDisplay(Console(file=out, force_terminal=False, width=200)) as display:
        api.run(batch, options, engine=FakeOcrEngine(""), progress=display)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2 dossiers: ") and "pages to read, 0 from the page cache" in lines[0]
    assert lines[1].startswith("[1/2] 002-pereira: ") and lines[2].startswith("[2/2] 005-sanchez: ")
    assert "pages read" in lines[2] and len(lines) == 3
