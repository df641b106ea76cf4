"""The MRZ reader on generated passports and residence cards: any of the four orientations, small skew,
low contrast and A4-scan sizes, within a few OCR calls (issue 15, point 1).

Generated documents (samples/render.py, OCR-B MRZ) are regression material only; the real figures
come from ``python -m tools.evaluate_mrz`` on ../shared/external.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import shutil

import numpy as np
import pytest
from PIL import Image

from pipeline.engines.mrz_reader import MrzReader, read_mrz
from samples import capture
from samples.render import IdentityDocument, render_card, render_passport
from samples.texts import Person

pytestmark = [
    pytest.mark.tesseract,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed"),
]

TODAY = dt.date(2026, 11, 25)
PASSPORT = IdentityDocument(
    "passport",
    Person("El Amrani", "Salma", "F", dt.date(1990, 2, 14), "Fes", "MAR"),
    "MAR",
    "A07913546",
    dt.date(2022, 6, 1),
    dt.date(2032, 5, 31),
    "Rabat",
)
CARD = IdentityDocument(
    "residence_card",
    Person("Haddad", "Youssef", "M", dt.date(1985, 11, 3), "Tunis", "TUN"),
    "BEL",
    "B12345678",
    dt.date(2024, 1, 10),
    dt.date(2029, 1, 9),
    "Bruxelles",
)


@functools.cache
def _photo(kind: str) -> Image.Image:
    """A messenger-sized phone photo (no EXIF) of the passport's data page or the card's back."""
    page = render_passport(PASSPORT, 300) if kind == "passport" else render_card(CARD, "back", 300)
    return capture.as_phone_photo(page, np.random.default_rng(15), exif=False).image


@pytest.fixture(scope="module")
def reader() -> MrzReader:
    return MrzReader()


@pytest.mark.parametrize("kind", ["passport", "card"])
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_any_orientation_is_read_in_a_few_calls(reader: MrzReader, kind: str, turn: int) -> None:
    doc = PASSPORT if kind == "passport" else CARD
    image = _photo(kind).rotate(turn, expand=True)
    read = reader.read(image, today=TODAY)
    assert read.trusted and read.result is not None, (read.attempts, read.reasons)
    assert read.result.lines == doc.mrz_lines()
    assert read.rotation == (360 - turn) % 360
    # One read the right way up (two when the first guess of the way up is wrong), no retries.
    assert read.ocr_calls <= 2, read.attempts
    assert set(read.timings) == {"detect", "rectify", "ocr", "search"}


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_applied(reader: MrzReader, orientation: int) -> None:
    """A camera that stores the picture sideways and says so in EXIF (the Czech images of issue 15)."""
    undo = {3: 180, 6: 90, 8: 270}[orientation]  # what the camera stored, turned back by the viewer
    stored = _photo("passport").rotate(undo, expand=True)
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", exif=exif, quality=92)
    read = read_mrz(Image.open(io.BytesIO(buffer.getvalue())), today=TODAY, reader=reader)
    assert read.trusted and read.result is not None
    assert read.result.lines == PASSPORT.mrz_lines()
    assert read.rotation == 0


def test_skewed_low_contrast_zone_is_found(reader: MrzReader) -> None:
    """Pale print (grey 150 on 225, like a faded visa) turned 7 degrees: the zone is still found and read."""
    grey = np.asarray(_photo("card").convert("L"), dtype=np.float32)
    pale = Image.fromarray((150 + grey * (75 / 255)).astype(np.uint8))
    image = pale.rotate(7, expand=True, fillcolor=225, resample=Image.Resampling.BICUBIC)
    read = reader.read(image, today=TODAY)
    assert read.trusted and read.result is not None, read.attempts
    assert read.result.lines == CARD.mrz_lines()


def test_a4_scan_of_a_passport_reads_in_the_closer_look(reader: MrzReader) -> None:
    """A booklet on an A4 flatbed scan at 200 dpi: the zone is a fifth of the page width."""
    scan = capture.as_flatbed_scan(render_passport(PASSPORT, 200), 200, True, np.random.default_rng(3), margin=False)
    read = reader.read(scan.image, today=TODAY)
    assert read.trusted and read.result is not None, read.attempts
    assert read.result.expiry_date_raw == "320531"
    assert read.bbox is not None and read.bbox[2] - read.bbox[0] < scan.image.width * 0.8
