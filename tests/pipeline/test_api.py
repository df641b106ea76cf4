"""The one pipeline: stage lists in one place, pixels decoded once, stages that never import stages."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import shutil
import threading
from pathlib import Path

import pytest

from pipeline import api
from pipeline.context import RunOptions
from pipeline.engines import imaging
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.model import FileStatus, Page
from pipeline.work import DossierWork, PageWork

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "batch"
OPTIONS = RunOptions(as_of=dt.date(2026, 11, 25), workers=2, cache="off")


def test_stages_never_import_one_another() -> None:
    stages = ROOT / "pipeline" / "stages"
    for source in stages.glob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("pipeline.stages"), f"{source.name} imports {node.module}"
                if node.module == "pipeline":
                    assert "stages" not in {a.name for a in node.names}, source.name


def test_each_raster_page_is_decoded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quality gate, OCR and MRZ search share one decode per page (the sample's passport photo included)."""
    dossier = tmp_path / "003-tahiri"
    shutil.copytree(SAMPLES / "003-tahiri", dossier)
    decoded: list[tuple[Path, int]] = []
    lock = threading.Lock()
    real = imaging.decode_page

    def counting(path: Path, frame: int = 0, max_pixels: int | None = None, *, pdf_dpi: int = 300) -> object:
        with lock:
            decoded.append((path, frame))
        return real(path, frame, max_pixels, pdf_dpi=pdf_dpi)

    monkeypatch.setattr(imaging, "decode_page", counting)
    report = api.run(dossier, OPTIONS, engine=FakeOcrEngine("Extrait du casier judiciaire"))
    (result,) = report.dossiers
    raster_pages = result.stats["pages"] - result.stats["pages_text_layer"]
    assert raster_pages > 0
    assert len(decoded) == len(set(decoded)) == raster_pages
    assert {"check_image_quality", "run_ocr", "read_mrz_zone", "classify_documents", "evaluate_rules"} <= set(
        result.stats["stage_seconds"]
    )


def test_a_new_stage_is_one_entry_in_a_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a page stage and a dossier stage touches the lists only; the loop picks them up."""
    dossier = tmp_path / "002-pereira"
    shutil.copytree(SAMPLES / "002-pereira", dossier)
    seen: list[str] = []

    def stamp(page: Page, work: PageWork) -> Page:
        seen.append(page.ref)
        return dataclasses.replace(page, quality={**page.quality, "stamped": 1.0})

    def count(work: DossierWork) -> DossierWork:
        assert all(p.quality.get("stamped") == 1.0 for p in work.pages)
        return work

    monkeypatch.setattr(api, "PAGE_STAGES", (*api.PAGE_STAGES, stamp))
    monkeypatch.setattr(api, "DOSSIER_STAGES", (*api.DOSSIER_STAGES, count))
    report = api.run(dossier, OPTIONS, engine=FakeOcrEngine(""))
    assert sorted(seen) == sorted(f"{f.file}#{n}" for f in report.dossiers[0].files
                                  if f.status is FileStatus.PROCESSED for n in range(1, f.page_count + 1))
    assert "stamp" in report.dossiers[0].stats["stage_seconds"]


def test_a_file_that_cannot_be_decoded_is_an_error_not_a_document(tmp_path: Path) -> None:
    """Intake reads headers only; a truncated JPEG fails at decode and its file says so."""
    dossier = tmp_path / "d"
    dossier.mkdir()
    good = (SAMPLES / "002-pereira").glob("*.jpg")
    data = next(good).read_bytes()
    (dossier / "torn.jpg").write_bytes(data[: len(data) // 3])
    report = api.run(dossier, OPTIONS, engine=FakeOcrEngine(""))
    (result,) = report.dossiers
    (torn,) = result.files
    assert torn.status is FileStatus.ERROR and "truncated" in torn.message
    assert result.documents == ()


def test_page_stages_declare_what_they_read_and_write_in_a_workable_order() -> None:
    """Each page stage reads only what intake or an earlier stage provides, and writes real Page fields."""
    import sys

    page_fields = {f.name for f in dataclasses.fields(Page)}
    available = {"file", "sha256", "number", "image", "frame", "text_layer", "dpi", "exif"}  # intake
    for stage in api.PAGE_STAGES:
        module = sys.modules[stage.__module__]
        assert set(module.REQUIRES) <= available, (stage.__name__, set(module.REQUIRES) - available)
        assert set(module.PROVIDES) <= page_fields, stage.__name__
        available |= set(module.PROVIDES)


@pytest.mark.tesseract
def test_an_ocr_timeout_is_a_not_evaluable_finding_that_says_so(tmp_path: Path) -> None:
    """A 10 ms OCR limit stops tesseract on a real certificate scan: the page is unread, never 'missing'."""
    dossier = tmp_path / "001-patel"
    dossier.mkdir()
    shutil.copy(SAMPLES / "001-patel" / "medisch_attest.png", dossier)
    (dossier / "case.toml").write_text('category = "single_permit"\nnationality = "IND"\n')
    cache = tmp_path / "cache"
    hurried = OPTIONS.model_copy(update={"ocr_timeout_s": 0.01, "cache": str(cache)})
    (report,) = api.run(dossier, hurried).dossiers
    (unread,) = [f for f in report.findings if f.rule == "scan.text-read"]
    assert unread.status.value == "not_evaluable" and unread.severity.value == "blocking"
    assert "medisch_attest.png#1" in unread.message and "OCR timed out" in unread.message
    assert "longer OCR time limit" in unread.action
    required = [f for f in report.findings if f.rule == "dossier.required-documents"]
    assert required and all(f.status.value != "fail" for f in required)  # the unread page may be one of them
    assert report.verdict.value == "needs_review"

    (again,) = api.run(dossier, OPTIONS.model_copy(update={"cache": str(cache)})).dossiers  # not cached: read now
    assert [f.status.value for f in again.findings if f.rule == "scan.text-read"] == ["pass"]


def test_rule_modules_import_in_one_direction() -> None:
    """The rule registry, the rule context and the Belgian tables form no circle (applicants sit below)."""
    imports: dict[str, set[str]] = {}
    for source in (ROOT / "validators").glob("*.py"):
        tree = ast.parse(source.read_text())
        imports[source.stem] = {node.module.split(".")[1] for node in ast.walk(tree)
                                if isinstance(node, ast.ImportFrom) and node.module
                                and node.module.startswith("validators.")}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in imports.get(start, ()))

    for module in ("registry", "context", "belgium", "applicants"):
        assert not reaches(module, module, set()), f"validators.{module} imports itself through others"


def test_numpy_blas_runs_on_the_calling_thread_only() -> None:
    """OpenBLAS threads spin after each call: under two page workers they took 11 % of the CPU."""
    import threadpoolctl

    from pipeline.engines import imaging  # noqa: F401 - importing it sets the limit

    blas = [pool for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
