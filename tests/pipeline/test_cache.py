"""The content-hash page cache: an unchanged batch is neither decoded nor OCR'd again."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from pipeline import api
from pipeline.context import RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.stages import intake

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "batch"


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    root = tmp_path / "batch"
    for name in ("001-patel", "002-pereira"):
        shutil.copytree(SAMPLES / name, root / name)
    return root


def test_rerun_reads_everything_from_the_cache(batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[str] = []
    for name in ("_image_pages", "_pdf_pages"):
        original = getattr(intake, name)

        def spy(path: Path, rel: str, *args: object, _f: object = original) -> object:
            decoded.append(rel)
            return _f(path, rel, *args)  # type: ignore[operator]

        monkeypatch.setattr(intake, name, spy)
    options = RunOptions(as_of=dt.date(2026, 11, 25), workers=2, cache=str(tmp_path / "cache"))
    first_engine = FakeOcrEngine("Extrait du casier judiciaire")
    first = api.run(batch, options, engine=first_engine)
    assert first_engine.calls and decoded

    decoded.clear()
    later = options.model_copy(update={"as_of": dt.date(2027, 3, 1)})  # a later day: same pages, new verdicts
    second_engine = FakeOcrEngine("should not be called")
    second = api.run(batch, later, engine=second_engine)
    assert second_engine.calls == [] and decoded == []
    assert [d.id for d in second.dossiers] == [d.id for d in first.dossiers]
    assert [len(d.documents) for d in second.dossiers] == [len(d.documents) for d in first.dossiers]

    # A changed file is processed again; the others still come from the cache.
    target = batch / "002-pereira" / "Scan_001.jpg"
    target.write_bytes(target.read_bytes() + b"\0")
    third_engine = FakeOcrEngine("changed")
    api.run(batch, options, engine=third_engine)
    assert decoded == ["Scan_001.jpg"]


def test_code_or_settings_change_invalidates(tmp_path: Path) -> None:
    from pipeline.cache import settings_digest

    base = RunOptions(as_of=dt.date(2026, 11, 25))
    assert settings_digest(base, "tesseract") == settings_digest(
        base.model_copy(update={"as_of": dt.date(2030, 1, 1), "profile": "official_minimum"}), "tesseract"
    )
    assert settings_digest(base, "tesseract") != settings_digest(
        base.model_copy(update={"ocr_langs": "eng"}), "tesseract"
    )
    assert settings_digest(base, "tesseract") != settings_digest(base, "fake")
