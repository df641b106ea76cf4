"""Phone photos are named as such, from every simulated device, EXIF or none (issue 14, points 4 and 5).

The back of an ID card, photographed and sent through a messenger (EXIF stripped, the photo shrunk),
was once accepted, and with the back's MRZ its dossier was reported ready.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from pipeline.context import RunContext, RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.model import Page, RejectionCode
from pipeline.stages import quality
from pipeline.work import PageWork
from samples import capture
from samples.render import IdentityDocument, render_card
from samples.texts import Person

CARD = IdentityDocument(
    "id_card",
    Person("Novak", "Ivana", "F", dt.date(1990, 8, 14), "Zagreb", "ITA"),
    "ITA",
    "CA12345BC",
    dt.date(2022, 6, 1),
    dt.date(2032, 5, 31),
    "Roma",
    "dotted",
)
NO_EXIF = [f for f in capture.PHONE_FAMILIES if not f.exif]


def gate(path: Path) -> Page:
    page = Page(file=path.name, sha256="0" * 64, number=1, image=path, dpi=72.0)
    work = PageWork.of(page, RunContext(RunOptions(), path.parent), FakeOcrEngine(""))
    return quality.check_image_quality(page, work)


@pytest.mark.parametrize("phone", NO_EXIF, ids=[f.name for f in NO_EXIF])
@pytest.mark.parametrize("side", ["back", "front"])
def test_card_photographed_and_sent_through_a_messenger_is_a_phone_photo(
    tmp_path: Path, phone: capture.Phone, side: str
) -> None:
    """A card side lying on a table, its photo stripped of EXIF: named a phone photo from the picture alone."""
    rng = np.random.default_rng([5, len(phone.name), len(side)])
    photo = capture.as_phone_photo(render_card(CARD, side, 400), rng, exif=False, long_side=2400, phone=phone)
    path = tmp_path / "card.jpg"
    path.write_bytes(capture.encode(photo, "jpeg", 80))
    page = gate(path)
    codes = {r.code for r in page.rejections}
    assert RejectionCode.PHONE_PHOTO in codes, page.quality
    rejection = next(r for r in page.rejections if r.code is RejectionCode.PHONE_PHOTO)
    assert rejection.evidence["exif_camera"] is False
    assert "Scan it on a flatbed scanner" in rejection.message


def test_capture_families_differ_from_one_another() -> None:
    """The families are not one generator: frame shape, EXIF, noise, colour, lid or cropping differ."""
    for families in (capture.PHONE_FAMILIES, capture.SCANNER_FAMILIES):
        looks = [tuple(v for k, v in dataclasses.asdict(f).items() if k not in ("name", "split")) for f in families]
        assert len(set(looks)) == len(families)
    assert {f.split for f in capture.PHONE_FAMILIES} == {"tune", "heldout"}
    assert {f.split for f in capture.SCANNER_FAMILIES} == {"tune", "heldout"}
