"""Nothing fires on plain paper: what a scanner makes every day is accepted (issue 14, point 2).

Every image here is generated (``samples.render``, ``samples.decor``, ``samples.capture``) and is a
genuine scan: white A4 letters with coloured stamps, seals, logos and signatures; grey and
black-and-white letters; clean passport and ID card scans from 150 to 600 dpi; uncropped flatbed scans
showing the white lid, a dark glass edge or a grey backing board; receipts and half sheets on A4.
Each test failed with the thresholds of commit 8fe5d8a (white letters and stamps were "glare", tight
crops "cut off", uncropped scans "phone photos").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from pipeline.context import RunContext, RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.model import Page
from pipeline.stages import quality
from pipeline.work import PageWork
from samples import capture, decor
from samples.render import IdentityDocument, render_card, render_document, render_passport
from samples.render import Page as Rendered
from samples.texts import CertInfo, Person

AS_OF = dt.date(2026, 11, 25)
PERSON = Person("Janssens", "Marie", "F", dt.date(1991, 4, 2), "Gent", "MAR")
LETTERS = ("employment_contract", "lease_agreement", "bank_statement", "enrollment_letter", "health_insurance")


def gate(path: Path, dpi: float | None) -> Page:
    """The capture gate on one image file, as a run sees it (DPI tag given as intake reads it)."""
    page = Page(file=path.name, sha256="0" * 64, number=1, image=path, dpi=dpi)
    ctx = RunContext(RunOptions(), path.parent)
    return quality.check_image_quality(page, PageWork.of(page, ctx, FakeOcrEngine("")))


def letter(kind: str, dpi: int, seed: int) -> Rendered:
    """A rendered A4 letter of ``kind`` (its wording from ``samples.texts``)."""
    info = CertInfo(kind, "fr" if seed % 2 else "en", "MAR", PERSON, AS_OF - dt.timedelta(days=20),
                    start_date=AS_OF - dt.timedelta(days=60), end_date=AS_OF - dt.timedelta(days=5), amount=2400,
                    number=f"2026/{seed:04d}", seed=seed)  # fmt: skip
    return render_document(kind, info, dpi)[0]


def accepted(tmp_path: Path, scan: capture.Capture, name: str, fmt: str = "png", quality_: int = 85) -> Page:
    path = tmp_path / f"{name}.{'jpg' if fmt == 'jpeg' else fmt}"
    path.write_bytes(capture.encode(scan, fmt, quality_))
    page = gate(path, scan.dpi)
    assert page.accepted, (name, [(r.code.value, r.evidence) for r in page.rejections])
    return page


@pytest.mark.parametrize("seed", range(4))
def test_white_letters_with_stamps_seals_logos_and_signatures(tmp_path: Path, seed: int) -> None:
    """A4 letters under a coloured letterhead or logo, with round stamps, a seal and a signature in ink."""
    rng = np.random.default_rng([14, seed])
    page = letter(LETTERS[seed % len(LETTERS)], 200, seed)
    page = decor.letter_with_letterhead(page, rng) if seed % 2 else decor.decorate_letter(page, rng)
    scan = capture.as_flatbed_scan(page, 200, True, rng, margin=False)
    accepted(tmp_path, scan, f"letter{seed}", "jpeg" if seed % 2 else "png")


@pytest.mark.parametrize("mode", ["grey", "bitonal"])
def test_grey_and_black_and_white_letters(tmp_path: Path, mode: str) -> None:
    """A letter scanned in grey, and one in black and white (1 bit per pixel, as archives and faxes keep them)."""
    rng = np.random.default_rng(3)
    page = decor.decorate_letter(letter("employment_contract", 300, 3), rng)
    scan = capture.as_flatbed_scan(page, 300, False, rng, margin=False)
    if mode == "bitonal":
        scan = dataclasses.replace(scan, image=scan.image.point(lambda v: 255 if v > 160 else 0).convert("1"))
    accepted(tmp_path, scan, mode, "png")


IDENTITY = IdentityDocument("passport", PERSON, "MAR", "UZ4829173", dt.date(2021, 3, 13), dt.date(2031, 3, 12), "Rabat")
CARD = dataclasses.replace(IDENTITY, kind="id_card", issuing_state="ESP", number="BAA123456", date_style="dotted")


@pytest.mark.parametrize(("what", "dpi"), [("passport", 150), ("passport", 300), ("front", 600), ("back", 200)])
def test_clean_identity_scans_from_150_to_600_dpi(tmp_path: Path, what: str, dpi: int) -> None:
    """A passport booklet or an ID card on the glass, in colour: no glare, no cut, no grey copy."""
    rng = np.random.default_rng(dpi)
    page = render_passport(IDENTITY, dpi) if what == "passport" else render_card(CARD, what, dpi)
    scan = capture.as_flatbed_scan(page, dpi, True, rng, margin=False)
    measured = accepted(tmp_path, scan, f"{what}{dpi}", "jpeg", 90)
    assert quality.greyscale_rejection(measured) is None


@pytest.mark.parametrize("lid", ["white", "backing", "grey"])
def test_uncropped_flatbed_scans_showing_lid_glass_edge_or_backing(tmp_path: Path, lid: str) -> None:
    """The whole glass scanned: the white lid, a dark strip at the glass edge, or a grey backing board."""
    rng = np.random.default_rng([7, len(lid)])
    page = decor.decorate_letter(letter("bank_statement", 200, 7), rng)
    scanner = capture.Scanner(lid, lid=lid, uncropped=1.0, corner=True)
    scan = capture.as_flatbed_scan(page, 200, True, rng, scanner=scanner)
    accepted(tmp_path, scan, lid, "jpeg")


@pytest.mark.parametrize("what", ["receipt", "half_sheet"])
def test_receipts_and_half_sheets_scanned_on_a4(tmp_path: Path, what: str) -> None:
    """A till receipt or a half sheet lying on the A4 glass, lid closed (and the same cropped to the object)."""
    rng = np.random.default_rng([9, len(what)])
    if what == "receipt":
        obj = decor.receipt(rng, 300)
    else:
        obj = decor.half_sheet(decor.decorate_letter(letter("employment_contract", 300, 9), rng))
    on_a4 = capture.as_flatbed_scan(decor.on_glass(obj, rng), 300, True, rng, margin=False)
    accepted(tmp_path, on_a4, f"{what}_a4", "jpeg")
    cropped = capture.as_flatbed_scan(obj, 300, what != "receipt", rng, margin=False)
    accepted(tmp_path, cropped, f"{what}_cropped", "png")


def test_a_page_with_a_real_defect_is_still_rejected(tmp_path: Path) -> None:
    """The same decorated letter blurred, cut across its text, or photographed is rejected (the tests above
    do not pass because nothing ever fires)."""
    rng = np.random.default_rng(5)
    page = decor.decorate_letter(letter("lease_agreement", 200, 5), rng)
    scan = capture.as_flatbed_scan(page, 200, True, rng, margin=False)
    blurred, _ = capture.blurry(scan, rng)
    side = dataclasses.replace(scan, image=scan.image.crop((0, 0, scan.image.width * 2 // 3, scan.image.height)))
    photo = capture.as_phone_photo(page, rng, exif=False)
    for name, cap, code in (("blurred", blurred, "blurry"), ("cut", side, "cut_off"), ("photo", photo, "phone_photo")):
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(capture.encode(cap, "jpeg", 85))
        got = {r.code.value for r in gate(path, cap.dpi).rejections}
        assert code in got, (name, got)
