"""Hostile file content: the bytes of bad, odd and malicious files (deterministic, built by the tests).

``CASES`` are single files; the builders below them make decompression bombs for every decode path
(PDF page render, PDF image, every TIFF frame, HEIC, PNG chunks) and hostile zip files.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pillow_heif
import pypdf
from PIL import Image, PngImagePlugin

from tests.pdfs import raw_pdf, text_pdf

pillow_heif.register_heif_opener()


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


def huge_page_pdf(points: int = 4000) -> bytes:
    """A one-line drawing on a ``points`` x ``points`` page: a few hundred bytes, 278 megapixels at 300 dpi."""
    line = "0 0 m 100 100 l S"
    return raw_pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {points} {points}] /Contents 4 0 R >>",
        f"<< /Length {len(line)} >>\nstream\n{line}\nendstream",
    ])


def image_bomb_pdf(side: int = 60_000) -> bytes:
    """An A4 page drawing one image that declares ``side`` x ``side`` grey pixels (3.6 gigapixels)."""
    data = zlib.compress(bytes(side), 9)  # one row; the stream is short, what it declares is not
    draw = "q 595 0 0 842 0 0 cm /Im0 Do Q"
    head = raw_pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /XObject << /Im0 5 0 R >> >> >>",
        f"<< /Length {len(draw)} >>\nstream\n{draw}\nendstream",
        f"<< /Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceGray "
        f"/BitsPerComponent 8 /Filter /FlateDecode /Length {len(data)} >>\nstream\n" + data.decode("latin-1")
        + "\nendstream",
    ])
    return head


def lying_page_count_pdf() -> bytes:
    """A page tree that claims a billion pages and holds one."""
    return raw_pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1000000000 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ])


def _tiff_ifd(entries: list[tuple[int, int, int, int]], next_ifd: int) -> bytes:
    body = struct.pack("<H", len(entries))
    for tag, kind, count, value in sorted(entries):
        body += struct.pack("<HHII", tag, kind, count, value)
    return body + struct.pack("<I", next_ifd)


def tiff_with_bomb_frame(side: int = 20_000) -> bytes:
    """A two-frame TIFF: an 8 x 8 grey first frame, a second that declares ``side`` x ``side`` pixels."""
    pixels = bytes(range(64))
    header = b"II*\x00" + struct.pack("<I", 8)
    ifd_size = 2 + 8 * 12 + 4
    second = 8 + ifd_size  # the first IFD follows the 8-byte header
    data_at = second + ifd_size

    def frame(width: int, height: int, next_ifd: int) -> bytes:
        # width, length, bits per sample, compression none, photometric black-is-zero, strip offset,
        # rows per strip, strip byte count
        return _tiff_ifd([(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1),
                          (262, 3, 1, 1), (273, 4, 1, data_at), (278, 4, 1, height), (279, 4, 1, 64)], next_ifd)

    return header + frame(8, 8, second) + frame(side, side, 0) + pixels


def many_frame_tiff(frames: int = 500) -> bytes:
    images = [Image.new("L", (16, 16), i % 256) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "TIFF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def heic_bomb(side: int = 20_000) -> bytes:
    """A real 64 x 64 HEIC whose image-extent box (``ispe``) declares ``side`` x ``side``."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(buffer, "HEIF")
    data = bytearray(buffer.getvalue())
    at = data.find(b"ispe")
    data[at + 8 : at + 16] = struct.pack(">II", side, side)
    return bytes(data)


def png_text_bomb(after_pixels: bool = False) -> bytes:
    """A small PNG with a zTXt chunk that inflates to 64 MiB (before or after the pixel data)."""
    bomb = zlib.compress(b"A" * (64 << 20), 9)
    chunk = b"zTXt" + b"Comment\x00\x00" + bomb
    framed = struct.pack(">I", len(chunk) - 4) + chunk + struct.pack(">I", zlib.crc32(chunk))
    png = _img("PNG", size=(64, 64))
    at = png.find(b"IEND") - 4 if after_pixels else png.find(b"IDAT") - 4
    return png[:at] + framed + png[at:]


def png_icc_bomb() -> bytes:
    """A PNG whose iCCP (colour profile) chunk inflates to 64 MiB."""
    info = PngImagePlugin.PngInfo()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, "PNG", pnginfo=info)
    png = buffer.getvalue()
    chunk = b"iCCP" + b"icc\x00\x00" + zlib.compress(bytes(64 << 20), 9)
    framed = struct.pack(">I", len(chunk) - 4) + chunk + struct.pack(">I", zlib.crc32(chunk))
    at = png.find(b"IDAT") - 4
    return png[:at] + framed + png[at:]


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def zip_symlink() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        info = zipfile.ZipInfo("passport.jpg")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/shadow")
        zf.writestr("real.jpg", _img("JPEG"))
    return buffer.getvalue()


def zip_encrypted() -> bytes:
    """A member flagged as encrypted (general purpose bit 0 in both headers)."""
    data = bytearray(zip_of({"locked.jpg": bytes(100)}, zipfile.ZIP_STORED))
    data[6] |= 0x1
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1
    return bytes(data)


def zip_lying_size() -> bytes:
    """A member whose headers say 100 bytes; its data inflates to 1 MiB."""
    data = bytearray(zip_of({"liar.jpg": bytes(1 << 20)}))
    data[22:26] = struct.pack("<I", 100)  # local header: uncompressed size
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 100)
    return bytes(data)


def zip_overlapping() -> bytes:
    """A "non-recursive" zip bomb: two directory entries share one compressed stream."""
    data = bytearray(zip_of({"a.jpg": bytes(1 << 16)}))
    central = data.find(b"PK\x01\x02")
    end = data.find(b"PK\x05\x06")
    record = bytes(data[central:end])
    twin = record.replace(b"a.jpg", b"b.jpg")
    eocd = bytearray(data[end:])
    eocd[8:10] = struct.pack("<H", 2)
    eocd[10:12] = struct.pack("<H", 2)
    eocd[12:16] = struct.pack("<I", 2 * len(record))
    return bytes(data[:central]) + record + twin + bytes(eocd)


def zip_nested(depth: int = 3) -> bytes:
    inner = zip_of({"scan.jpg": _img("JPEG")})
    for level in range(depth - 1):
        inner = zip_of({f"level{depth - 1 - level}.zip": inner})
    return inner


ZIPS: dict[str, Callable[[], bytes]] = {
    "scans.zip": lambda: zip_of({"passport.jpg": _img("JPEG"), "contract.pdf": text_pdf(["Employment contract"] * 3),
                                 "__MACOSX/._passport.jpg": b"\x00\x05\x16\x07" + bytes(80)}),
    "zip-slip.zip": lambda: zip_of({"../../escaped.jpg": _img("JPEG"), "/etc/cron.d/evil.jpg": b"x",
                                    "C:\\Windows\\evil.jpg": b"x", "ok/../../../up.jpg": b"x",
                                    "fine.jpg": _img("JPEG")}),
    "zip-symlink.zip": zip_symlink,
    "zip-encrypted.zip": zip_encrypted,
    "zip-bomb-ratio.zip": lambda: zip_of({"white-page.bmp": bytes(12 << 20)}),
    "zip-bomb-total.zip": lambda: zip_of({f"part{i}.bin": bytes(7 << 20) for i in range(3)}),
    "zip-lying-size.zip": zip_lying_size,
    "zip-overlapping.zip": zip_overlapping,
    "zip-nested.zip": zip_nested,
    "zip-many-members.zip": lambda: zip_of({f"note-{i:03d}.txt": b"n" for i in range(80)}),
    "zip-truncated.zip": lambda: zip_of({"passport.jpg": _img("JPEG")})[:-30],
    "zip-empty.zip": lambda: zip_of({}),
}
"""Zip files (``max_archive_bytes`` 16 MiB, ``max_archive_members`` 50 in the corpus run)."""

BOMBS: dict[str, Callable[[], bytes]] = {
    "pdf-page-4000pt.pdf": huge_page_pdf,
    "pdf-image-60000px.pdf": image_bomb_pdf,
    "pdf-lying-page-count.pdf": lying_page_count_pdf,
    "tiff-frame2-20000px.tif": tiff_with_bomb_frame,
    "tiff-500-frames.tif": many_frame_tiff,
    "heic-20000px.heic": heic_bomb,
    "png-ztxt-bomb.png": png_text_bomb,
    "png-ztxt-after-pixels.png": lambda: png_text_bomb(after_pixels=True),
    "png-iccp-bomb.png": png_icc_bomb,
}
"""Decompression bombs on every decode path, and a lying page count."""


def build(root: Path, outside: Path) -> list[str]:
    """Write every content case into dossier folder ``root``; return every relative name a report must list.

    Args:
        root: The dossier folder to create.
        outside: A folder beside it, the target of symlinks that must be refused.
    """
    root.mkdir(parents=True)
    outside.mkdir(parents=True, exist_ok=True)
    names = []
    for name, make in {**CASES, **BOMBS, **ZIPS}.items():
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
    os.mkfifo(root / "named-pipe.jpg")  # opening it for reading would block forever
    names += ["link-outside.jpg", "link-dir-outside", "broken-link.pdf", "link-inside.png", "named-pipe.jpg"]
    return names
