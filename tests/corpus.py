"""A generated corpus of bad and odd input files (deterministic, built by the tests, never committed)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pypdf
from PIL import Image

from tests.pdfs import text_pdf


def _img(fmt: str, size: tuple[int, int] = (620, 877), mode: str = "RGB", **save: object) -> bytes:
    rng = np.random.default_rng(7)
    if mode in ("RGB", "CMYK"):
        pixels = rng.integers(200, 255, (size[1], size[0], 3), dtype=np.uint8)
        image = Image.fromarray(pixels, "RGB").convert(mode)
    else:
        image = Image.new(mode, size)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def _pdf_of_images(count: int) -> bytes:
    pages = [Image.new("RGB", (620, 877), (250, 250, 250)) for _ in range(count)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=75.0, save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def _blank_pdf(count: int) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(count):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _encrypted(user: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_pdf_of_images(1))))
    writer.encrypt(user_password=user, owner_password="owner-secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _multi_tiff_with_bad_frame() -> bytes:
    good = _img("TIFF", save_all=True, append_images=[Image.new("RGB", (620, 877))])
    return good[: len(good) - 4000]


def _exif_garbage_jpeg() -> bytes:
    data = bytearray(_img("JPEG", quality=70))
    # An APP1 "Exif" segment full of nonsense right after SOI.
    segment = b"Exif\x00\x00" + b"MM\x00\x2a\x00\x00\x00\x08" + bytes(range(256)) * 2
    return bytes(data[:2] + b"\xff\xe1" + (len(segment) + 2).to_bytes(2, "big") + segment + data[2:])


CASES: dict[str, Callable[[], bytes]] = {
    "zero.pdf": lambda: b"",
    "zero.jpg": lambda: b"",
    "truncated.jpg": lambda: _img("JPEG")[:700],
    "truncated.png": lambda: _img("PNG")[:900],
    "truncated.tif": lambda: _img("TIFF")[:1200],
    "truncated.pdf": lambda: _pdf_of_images(2)[:500],
    "garbage.pdf": lambda: b"%PDF-1.7\n" + bytes(np.random.default_rng(1).integers(0, 255, 4000, dtype=np.uint8)),
    "bad-xref.pdf": lambda: text_pdf(["Employment contract"] * 5).replace(b"xref", b"xreF"),
    "locked.pdf": lambda: _encrypted("secret"),
    "owner-only.pdf": lambda: _encrypted(""),
    "no-pages.pdf": lambda: _blank_pdf(0),
    "five-hundred-pages.pdf": lambda: _blank_pdf(500),
    "bomb.png": lambda: _img("PNG", size=(16000, 12000), mode="1"),
    "absurd-aspect.png": lambda: _img("PNG", size=(60000, 3), mode="L"),
    "one-pixel.png": lambda: _img("PNG", size=(1, 1)),
    "polyglot-jpeg-pdf.jpg": lambda: _img("JPEG") + _pdf_of_images(1),
    "pdf-with-tail.pdf": lambda: _pdf_of_images(1) + _img("JPEG"),
    "jpeg-named.pdf": lambda: _img("JPEG"),
    "png-named.jpg": lambda: _img("PNG"),
    "pdf-named.jpg": lambda: _pdf_of_images(1),
    "text-named.pdf": lambda: b"This is not a PDF, just a note about the passport.\n" * 20,
    "page.html.png": lambda: b"<!doctype html><html><body><h1>Passport</h1></body></html>\n",
    "contract.docx": lambda: b"PK\x03\x04\x14\x00\x06\x00" + bytes(400),
    "animation.gif": lambda: _img("GIF", size=(100, 100), mode="P"),
    "drawing.svg": lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    "photo.webp": lambda: _img("WEBP"),
    "scan.bmp": lambda: _img("BMP"),
    "cmyk.jpg": lambda: _img("JPEG", mode="CMYK"),
    "sixteen-bit.png": lambda: _img("PNG", mode="I;16"),
    "palette.png": lambda: _img("PNG", mode="P"),
    "multi-bad-frame.tif": _multi_tiff_with_bad_frame,
    "exif-garbage.jpg": _exif_garbage_jpeg,
    ".DS_Store": lambda: b"\x00\x00\x00\x01Bud1" + bytes(100),
    "x" * 240 + ".jpg": lambda: _img("JPEG"),
}


def build(root: Path, outside: Path) -> list[str]:
    """Write the corpus into dossier folder ``root``; return every relative name a report must list.

    Args:
        root: The dossier folder to create.
        outside: A folder beside it, the target of symlinks that must be refused.
    """
    root.mkdir(parents=True)
    outside.mkdir(parents=True, exist_ok=True)
    names = []
    for name, make in CASES.items():
        (root / name).write_bytes(make())
        names.append(name)
    deep = root.joinpath(*[f"level{i}" for i in range(10)])
    deep.mkdir(parents=True)
    (deep / "deep.png").write_bytes(_img("PNG"))
    names.append("/".join([f"level{i}" for i in range(10)] + ["deep.png"]))
    raw_name = os.fsencode(root) + b"/passeport-\xe9t\xe9-latin1.jpg"  # not valid UTF-8
    Path(os.fsdecode(raw_name)).write_bytes(_img("JPEG"))
    names.append("passeport-\\xe9t\\xe9-latin1.jpg")
    secret = outside / "someone-elses-passport.jpg"
    secret.write_bytes(_img("JPEG"))
    (root / "link-outside.jpg").symlink_to(secret)
    (root / "link-dir-outside").symlink_to(outside, target_is_directory=True)
    (root / "broken-link.pdf").symlink_to(root / "does-not-exist.pdf")
    (root / "link-inside.png").symlink_to(root / "one-pixel.png")
    names += ["link-outside.jpg", "link-dir-outside", "broken-link.pdf", "link-inside.png"]
    return names
