"""The bad-input corpus: 0 crashes, every file reported, symlinks leaving the dossier refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline import api
from pipeline.context import RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.model import FileStatus
from tests import corpus

OPTIONS = RunOptions(as_of=dt.date(2026, 11, 25), workers=2, cache="off", max_pages_per_file=20)

EXPECTED_STATUS = {
    "zero.pdf": FileStatus.ERROR,
    "truncated.jpg": FileStatus.ERROR,
    "truncated.png": FileStatus.ERROR,
    "garbage.pdf": FileStatus.ERROR,
    "locked.pdf": FileStatus.ERROR,
    "owner-only.pdf": FileStatus.PROCESSED,
    "no-pages.pdf": FileStatus.ERROR,
    "five-hundred-pages.pdf": FileStatus.PROCESSED,
    "bomb.png": FileStatus.ERROR,
    "jpeg-named.pdf": FileStatus.PROCESSED,
    "pdf-named.jpg": FileStatus.PROCESSED,
    "text-named.pdf": FileStatus.UNSUPPORTED,
    "page.html.png": FileStatus.UNSUPPORTED,
    "contract.docx": FileStatus.ERROR,  # a zip by its content: unpacked, and it is corrupt
    "animation.gif": FileStatus.UNSUPPORTED,
    "drawing.svg": FileStatus.UNSUPPORTED,
    "cmyk.jpg": FileStatus.PROCESSED,
    "link-outside.jpg": FileStatus.ERROR,
    "link-dir-outside": FileStatus.ERROR,
    "broken-link.pdf": FileStatus.ERROR,
    "link-inside.png": FileStatus.PROCESSED,
    "passeport-\\xe9t\\xe9-latin1.jpg": FileStatus.PROCESSED,
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, object]]:
    base = tmp_path_factory.mktemp("corpus")
    names = corpus.build(base / "batch" / "odd-dossier", base / "elsewhere")
    result = api.run(base / "batch", OPTIONS, engine=FakeOcrEngine("nothing useful"))
    return names, result.to_dict()


def test_corpus_is_large_enough() -> None:
    assert len(corpus.CASES) >= 30


def test_every_file_reported_once(report: tuple[list[str], dict]) -> None:
    names, data = report
    (dossier,) = data["dossiers"]
    listed = [f["file"] for f in dossier["files"]]
    assert sorted(listed) == sorted(names)
    assert all(f["message"] or f["status"] == "processed" for f in dossier["files"])


def test_statuses_and_messages(report: tuple[list[str], dict]) -> None:
    _, data = report
    files = {f["file"]: f for f in data["dossiers"][0]["files"]}
    for name, status in EXPECTED_STATUS.items():
        assert files[name]["status"] == status.value, (name, files[name])
    assert "outside the dossier" in files["link-outside.jpg"]["message"]
    assert "only the first 20 of 500 pages" in files["five-hundred-pages.pdf"]["message"]
    assert "named .pdf but the content is image/jpeg" in files["jpeg-named.pdf"]["message"]


def test_report_is_serialisable_and_judged(report: tuple[list[str], dict]) -> None:
    _, data = report
    dossier = data["dossiers"][0]
    assert dossier["verdict"] in {"not_ready", "needs_review"}  # nothing usable was found
    assert dossier["stats"]["files"] == len(dossier["files"])


def test_thousand_files(tmp_path: Path) -> None:
    root = tmp_path / "big"
    root.mkdir()
    for i in range(1000):
        (root / f"note-{i:04d}.txt").write_bytes(b"scan me later\n")
    result = api.run(root, OPTIONS, engine=FakeOcrEngine(""))
    files = result.dossiers[0].files
    assert len(files) == 1000
    assert {f.status for f in files} == {FileStatus.UNSUPPORTED}
