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


def test_cache_is_private_and_pruned(batch: Path, tmp_path: Path) -> None:
    import datetime as dt
    import os
    import stat

    from pipeline.cache import PRUNE_STAMP, PageCache

    location = tmp_path / "cache"
    location.mkdir(mode=0o755)  # made by an older version: tightened on open
    (location / "ab").mkdir(mode=0o755)
    (location / "ab" / "old.json").write_text("{}")
    options = RunOptions(as_of=dt.date(2026, 11, 25), workers=2, cache=str(location))
    api.run(batch / "001-patel", options, engine=FakeOcrEngine("Extrait du casier judiciaire"))
    modes = {p.relative_to(location).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in location.rglob("*")}
    entries = [k for k in modes if k.endswith(".json")]
    assert len(entries) > 3
    assert all(modes[k] == 0o600 for k in entries) and stat.S_IMODE(location.stat().st_mode) == 0o700
    assert all(mode == 0o700 for k, mode in modes.items() if (location / k).is_dir())
    assert not [k for k in modes if k.endswith(".tmp")]

    cache = PageCache(str(location), "x")
    month_ago = (dt.datetime.now() - dt.timedelta(days=31)).timestamp()
    os.utime(location / "ab" / "old.json", (month_ago, month_ago))
    assert cache.prune_if_due() is None  # the run above pruned today already
    result = cache.prune(dt.timedelta(days=30))
    assert result.removed == 1 and result.kept == len(entries) - 1
    assert not (location / "ab").exists()
    (location / PRUNE_STAMP).unlink()
    assert cache.prune_if_due() is not None and (location / PRUNE_STAMP).exists()


def test_sixteen_threads_share_one_cache(tmp_path: Path) -> None:
    """The same page written by 16 threads at once: unique temporary names, one intact entry."""
    import concurrent.futures
    import json

    from pipeline.cache import PageCache
    from pipeline.model import Page

    cache = PageCache(str(tmp_path / "cache"), "s")
    page = Page(file="a.jpg", sha256="ab" * 32, number=1, text="x" * 50_000)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda _: cache.put(page), range(400)))
    files = [f for f in (tmp_path / "cache").rglob("*") if f.is_file()]
    assert [f.name for f in files] == [f"{'ab' * 32}-00001-s.json"]
    assert json.loads(files[0].read_text())["text"] == "x" * 50_000
