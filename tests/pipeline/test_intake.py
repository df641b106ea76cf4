"""Intake: every bad-file kind is reported with a status and never hides the other files."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from pathlib import Path

import pypdf
import pytest
from PIL import Image, PngImagePlugin

from pipeline.context import RunContext, RunOptions
from pipeline.errors import InputFileError
from pipeline.model import FileStatus
from pipeline.stages import intake
from tests.pdfs import text_pdf

OPTIONS = RunOptions(as_of=dt.date(2026, 11, 25), workers=1, max_image_pixels=4_000_000, max_pages_per_file=5)


def _jpeg(size: tuple[int, int] = (600, 800), dpi: int = 300) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (240, 240, 235)).save(buffer, "JPEG", quality=80, dpi=(dpi, dpi))
    return buffer.getvalue()


def _image_pdf(pages: int) -> bytes:
    images = [Image.new("RGB", (827, 1169), (250, 250, 250)) for _ in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=100.0, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def _encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_image_pdf(1))))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _empty_pdf() -> bytes:
    buffer = io.BytesIO()
    pypdf.PdfWriter().write(buffer)
    return buffer.getvalue()


def _tiff(frames: int) -> bytes:
    images = [Image.new("RGB", (400, 560), (255, 255, 255)) for _ in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "TIFF", save_all=True, append_images=images[1:], dpi=(200, 200))
    return buffer.getvalue()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (6000, 6000)).save(buffer, "PNG")  # 36 Mpx, a few KB on disk
    return buffer.getvalue()


BAD_FILES: dict[str, tuple[bytes, FileStatus, str]] = {
    "empty.pdf": (b"", FileStatus.ERROR, "empty file"),
    "truncated.jpg": (_jpeg()[:600], FileStatus.ERROR, "corrupt or truncated"),
    "corrupt.pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", FileStatus.ERROR, "PDF"),
    "locked.pdf": (_encrypted_pdf(), FileStatus.ERROR, "password"),
    "nopages.pdf": (_empty_pdf(), FileStatus.ERROR, "no pages"),
    "bomb.png": (_bomb(), FileStatus.ERROR, "too large"),
    "notes.txt": (b"call the commune on monday\n", FileStatus.UNSUPPORTED, "text/plain is not a scan"),
    "contract.docx": (b"PK\x03\x04" + bytes(200), FileStatus.ERROR, "zip file is corrupt"),  # a zip by content
}


@pytest.fixture()
def ctx(tmp_path: Path) -> RunContext:
    return RunContext(OPTIONS, tmp_path / "work")


@pytest.fixture()
def dossier(tmp_path: Path) -> Path:
    root = tmp_path / "007-sharma"
    (root / "nested" / "deeper").mkdir(parents=True)
    for name, (data, _, _) in BAD_FILES.items():
        (root / name).write_bytes(data)
    (root / "passport.jpg").write_bytes(_jpeg())
    (root / "scan.pdf").write_bytes(_jpeg())  # a JPEG named .pdf: content decides
    (root / "nested" / "deeper" / "lease.tiff").write_bytes(_tiff(3))
    (root / "contract.pdf").write_bytes(text_pdf(["EMPLOYMENT CONTRACT", "between Acme NV and the employee"] * 3))
    (root / "long.pdf").write_bytes(_image_pdf(7))
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(_jpeg())
    (root / "link.jpg").symlink_to(outside)
    (root / "case.toml").write_text('category = "single_permit"\n')
    return root


def test_every_file_is_reported_with_a_status(dossier: Path, ctx: RunContext) -> None:
    found = intake.ingest_dossier(intake.DossierSource("007-sharma", dossier), ctx)
    by_name = {f.file: f for f in found.files}
    expected = set(BAD_FILES) | {"passport.jpg", "scan.pdf", "nested/deeper/lease.tiff", "contract.pdf",
                                 "long.pdf", "link.jpg"}
    assert set(by_name) == expected  # case.toml is a case file, not a document
    for name, (_, status, needle) in BAD_FILES.items():
        assert by_name[name].status == status, name
        assert needle in by_name[name].message, (name, by_name[name].message)
    assert by_name["link.jpg"].status == FileStatus.ERROR
    assert "outside the dossier" in by_name["link.jpg"].message


def test_content_not_name_decides_the_type(dossier: Path, ctx: RunContext) -> None:
    found = intake.ingest_dossier(intake.DossierSource("d", dossier), ctx)
    scan = next(f for f in found.files if f.file == "scan.pdf")
    assert scan.status == FileStatus.PROCESSED
    assert scan.mime == "image/jpeg"
    assert "named .pdf but the content is image/jpeg" in scan.message


def test_pages_of_pdfs_tiffs_and_text_layers(dossier: Path, ctx: RunContext) -> None:
    found = intake.ingest_dossier(intake.DossierSource("d", dossier), ctx)
    pages = {(p.file, p.number): p for p in found.pages}
    assert [n for f, n in pages if f == "nested/deeper/lease.tiff"] == [1, 2, 3]
    assert pages[("nested/deeper/lease.tiff", 2)].dpi == pytest.approx(200)
    contract = pages[("contract.pdf", 1)]
    assert contract.has_text_layer and contract.image is None
    assert "EMPLOYMENT CONTRACT" in contract.text
    scanned = pages[("long.pdf", 1)]
    assert scanned.image is not None and scanned.image.exists()
    assert scanned.dpi == pytest.approx(100, rel=0.02)
    long_info = next(f for f in found.files if f.file == "long.pdf")
    assert long_info.page_count == 5
    assert "only the first 5 of 7 pages" in long_info.message


def test_oversize_file_is_refused_before_reading(tmp_path: Path) -> None:
    root = tmp_path / "d"
    root.mkdir()
    (root / "huge.jpg").write_bytes(_jpeg((1200, 1600)))
    small = RunContext(OPTIONS.model_copy(update={"max_file_bytes": 1000}), tmp_path / "w")
    info, pages, _ = intake.ingest_file(root / "huge.jpg", "huge.jpg", root, small)
    assert info.status == FileStatus.ERROR and "limit" in info.message and pages == []


def test_batch_and_single_dossier_discovery(tmp_path: Path, dossier: Path) -> None:
    assert [s.id for s in intake.discover(dossier)] == ["007-sharma"]
    batch = tmp_path
    (batch / "secret.jpg").unlink()
    (batch / "008-other").mkdir()
    assert [s.id for s in intake.discover(batch)] == ["007-sharma", "008-other"]
    with pytest.raises(InputFileError):
        intake.discover(tmp_path / "missing")
    with pytest.raises(InputFileError):
        intake.discover(dossier / "passport.jpg")


def test_exif_camera_tags_are_read(tmp_path: Path, ctx: RunContext) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif.get_ifd(0x8769)[0x829A] = 1 / 120  # ExposureTime
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (300, 400)).save(path, "JPEG", exif=exif)
    info, pages, _ = intake.ingest_file(path, "photo.jpg", tmp_path, ctx)
    assert info.status == FileStatus.PROCESSED
    assert pages[0].exif["Make"] == "Apple"
    assert "ExposureTime" in pages[0].exif
    assert pages[0].dpi is None  # JPEG default (72 dpi or none) says nothing about resolution


def _png_with_exif_after_the_pixels(path: Path, make: str | None) -> None:
    """A PNG whose ``eXIf`` chunk (if any) sits after the image data, where Pillow finds it only by decoding."""
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 1600), "white").save(buffer, "PNG", dpi=(300, 300))
    data = buffer.getvalue()
    if make is not None:
        exif = Image.Exif()
        exif[0x010F] = make
        body = exif.tobytes()[6:]  # the chunk holds the TIFF structure without the "Exif\0\0" marker
        chunk = struct.pack(">I", len(body)) + b"eXIf" + body + struct.pack(">I", zlib.crc32(b"eXIf" + body))
        data = data[:-12] + chunk + data[-12:]  # before IEND
    path.write_bytes(data)


@pytest.mark.parametrize("make", [None, "Google"])
def test_png_exif_is_read_without_decoding_the_pixels(
    tmp_path: Path, ctx: RunContext, monkeypatch: pytest.MonkeyPatch, make: str | None
) -> None:
    path = tmp_path / "scan.png"
    _png_with_exif_after_the_pixels(path, make)
    decoded: list[object] = []
    real_load = PngImagePlugin.PngImageFile.load
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", lambda im: decoded.append(im) or real_load(im))
    info, pages, _ = intake.ingest_file(path, "scan.png", tmp_path, ctx)
    assert info.status == FileStatus.PROCESSED
    assert pages[0].exif.get("Make") == make
    assert len(decoded) == (0 if make is None else 1)  # only a file with EXIF there has its pixels read
