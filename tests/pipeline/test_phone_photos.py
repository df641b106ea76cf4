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


def perspective_coefficients(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    """PIL's PERSPECTIVE coefficients that map each ``dst`` corner back to its ``src`` corner."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        rhs += [u, v]
    return [float(c) for c in np.linalg.solve(np.array(rows, float), np.array(rhs, float))]


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_frame_filling_receipt_photo_with_converging_lines_is_a_phone_photo(tmp_path: Path, seed: int) -> None:
    """A receipt held turned away from the camera, photographed so close that it fills the frame: no table,
    no hand, no camera-shaped frame, flat light; only its text lines converge towards a vanishing point
    (ext cmpt310 1149: 393 x 450 px, lines spread 3.2 degrees, was only "low resolution"). The same
    receipt on a flatbed is accepted (``test_plain_paper``)."""
    from PIL import Image

    from samples import decor

    slip = decor.receipt(np.random.default_rng([81, seed]), 300).image.convert("RGB")
    w, h = slip.size
    turned = [(0.0, 0.0), (w, 0.06 * h), (w, 0.94 * h), (0.0, h)]  # the far side 12 % shorter
    corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
    warped = slip.transform((w, h), Image.Transform.PERSPECTIVE, perspective_coefficients(corners, turned),
                            Image.Resampling.BICUBIC, fillcolor=(120, 110, 100))  # fmt: skip
    inside = warped.crop((round(0.06 * w), round(0.1 * h), round(0.94 * w), round(0.9 * h)))  # the receipt only
    inside.thumbnail((1000, 1000))
    path = tmp_path / "receipt.jpg"
    inside.save(path, quality=75)
    page = Page(file=path.name, sha256="0" * 64, number=1, image=path, dpi=None)
    page = quality.check_image_quality(page, PageWork.of(page, RunContext(RunOptions(), tmp_path), FakeOcrEngine("")))
    photo = [r for r in page.rejections if r.code is RejectionCode.PHONE_PHOTO]
    assert photo, page.quality
    assert photo[0].evidence["lines_converging"] is True and photo[0].evidence["background"] is False
    assert "text lines converging" in photo[0].message


def wood(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A wooden table top: brown grain of two tones, with the camera's noise."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grain = np.sin(xx / 9.0 + 3 * np.sin(yy / 57.0)) * 0.5 + 0.5
    light, dark = np.array([150, 104, 66], np.float32), np.array([112, 70, 40], np.float32)
    return np.asarray(light + (dark - light) * grain[..., None] + rng.normal(0, 4, (h, w, 1)), np.float32)


@pytest.mark.parametrize("seed", [2, 3])
def test_receipt_photo_filling_the_frame_with_the_table_in_two_corners(tmp_path: Path, seed: int) -> None:
    """A receipt photographed from above its lower edge, so close that it fills the frame: its far end is
    narrower, so the wooden table shows in the two upper corners only (1-4 % of the frame), and the
    light falls off across it (ext cmpt310 1064: 3.6 % of the frame a coloured table, was accepted). The
    table's colour says what it is, however little of it shows; the same receipt on a flatbed is accepted
    (``test_plain_paper``)."""
    from PIL import Image

    from samples import decor

    rng = np.random.default_rng([83, seed])
    slip = decor.receipt(rng, 300).image.convert("RGB")
    w, h = slip.size
    corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
    far = [(0.07 * w, 0.0), (0.93 * w, 0.0), (w, h), (0.0, h)]
    coefficients = perspective_coefficients(corners, far)
    warped = slip.transform((w, h), Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)
    shape = Image.new("L", slip.size, 255).transform((w, h), Image.Transform.PERSPECTIVE, coefficients)
    frame = np.where(np.asarray(shape)[..., None] > 127, np.asarray(warped, np.float32), wood((w, h), rng))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    lit = frame * (1.0 - 0.22 * (xx / w) - 0.1 * (yy / h))[..., None]  # the window on the left
    photo = Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8)).crop((0, round(0.03 * h), w, round(0.93 * h)))
    photo.thumbnail((1000, 1000))
    path = tmp_path / "receipt.jpg"
    photo.save(path, quality=80)
    page = gate(path)
    named = [r for r in page.rejections if r.code is RejectionCode.PHONE_PHOTO]
    assert named, page.quality
    assert named[0].evidence["background"] is True and named[0].evidence["camera_frame"] is False
    assert page.quality["background_fraction"] < 0.05
