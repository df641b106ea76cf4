"""Identity pages judged by what they must show: the whole MRZ inside the image, the printed data legible.

The page stages run as in a dossier run (quality gate, OCR, MRZ zone, identity capture), with the real
OCR engine, on generated passport scans: whole, cut off above or through the MRZ, cut along a side
through the zone, and with a broad reflection over the printed data while the MRZ still reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from pipeline import api
from pipeline.context import RunContext, RunOptions
from pipeline.model import Page, RejectionCode
from pipeline.stages import identity_capture, intake
from pipeline.work import PageWork
from samples import capture
from samples.render import IdentityDocument, render_passport
from samples.texts import Person

AS_OF = dt.date(2026, 11, 25)
PERSON = Person("Garcia", "Lucia", "F", dt.date(1992, 9, 3), "Sevilla", "ESP")
PASSPORT = IdentityDocument(
    "passport", PERSON, "ESP", "PAA123456", dt.date(2022, 3, 1), dt.date(2032, 2, 28), "Sevilla"
)
DPI = 200


@pytest.fixture(scope="module")
def scan() -> capture.Capture:
    return capture.as_flatbed_scan(render_passport(PASSPORT, DPI), DPI, True, np.random.default_rng(4), margin=False)


def through_pipeline(tmp_path: Path, cap: capture.Capture, name: str) -> Page:
    """Every page stage on one image, as ``api.run`` does it."""
    path = tmp_path / f"{name}.png"
    path.write_bytes(capture.encode(cap, "png"))
    ctx = RunContext(RunOptions(as_of=AS_OF, cache="off"), tmp_path)
    _, pages, _ = intake.ingest_file(path, path.name, tmp_path, ctx)
    page = pages[0]
    work = PageWork.of(page, ctx, api.default_engine(ctx.options))
    for stage in api.PAGE_STAGES:
        page = stage(page, work)
    return page


def checks(page: Page) -> list[tuple[str, object]]:
    return [(r.code.value, r.evidence.get("check")) for r in page.rejections]


@pytest.mark.tesseract
def test_whole_passport_page_is_accepted(tmp_path: Path, scan: capture.Capture) -> None:
    page = through_pipeline(tmp_path, scan, "whole")
    assert page.accepted, checks(page)
    assert page.mrz is not None and page.mrz.result.valid


@pytest.mark.tesseract
def test_data_page_cut_off_above_its_mrz_is_cut_off(tmp_path: Path, scan: capture.Capture) -> None:
    """The independent batch's case: a passport cut so that its MRZ is missing was accepted 4 times of 4."""
    assert scan.mrz_quad is not None
    top = min(y for _, y in scan.mrz_quad)
    cut = dataclasses.replace(scan, image=scan.image.crop((0, 0, scan.image.width, round(top) - 8)))
    page = through_pipeline(tmp_path, cut, "missing")
    assert ("cut_off", "identity.mrz-missing") in checks(page), checks(page)
    rejection = page.rejections[0]
    assert "machine-readable zone" in rejection.message and "Scan the whole data page" in rejection.message


@pytest.mark.tesseract
def test_mrz_running_off_the_side_is_cut_off(tmp_path: Path, scan: capture.Capture) -> None:
    assert scan.mrz_quad is not None
    right = max(x for x, _ in scan.mrz_quad) - DPI / 25.4 * 15  # the last 15 mm of the zone cut away
    cut = dataclasses.replace(scan, image=scan.image.crop((0, 0, round(right), scan.image.height)))
    page = through_pipeline(tmp_path, cut, "side")
    found = [r for r in page.rejections if r.code is RejectionCode.CUT_OFF]
    assert found and found[0].evidence["check"] == "identity.mrz-cut-off", checks(page)
    assert found[0].evidence["edge"] == "right"


@pytest.mark.tesseract
def test_mrz_whose_second_line_is_cut_away_is_cut_off(tmp_path: Path, scan: capture.Capture) -> None:
    """Cut just below the first MRZ line: OCR shows one line of fillers at the bottom edge, the zone does
    not read, and no second line fits below it (seed 9 identity batch: accepted before)."""
    assert scan.mrz_quad is not None
    top, bottom = min(y for _, y in scan.mrz_quad), max(y for _, y in scan.mrz_quad)
    cut = dataclasses.replace(scan, image=scan.image.crop((0, 0, scan.image.width, round((top + bottom) / 2) + 4)))
    page = through_pipeline(tmp_path, cut, "one-line")
    found = [r for r in page.rejections if r.code is RejectionCode.CUT_OFF]
    assert found and found[0].evidence["check"] == "identity.mrz-cut-off", checks(page)
    assert found[0].evidence["lines_shown"] == 1 and found[0].evidence["edge"] == "bottom"


@pytest.mark.tesseract
def test_data_page_cut_through_its_photo_is_cut_off(tmp_path: Path, scan: capture.Capture) -> None:
    """Cut off at the top through the photo and the printed data: the MRZ reads whole, but the visual zone
    above it runs off the image (seed 9 identity batch: accepted before)."""
    assert scan.mrz_quad is not None
    top = min(y for _, y in scan.mrz_quad)
    cut = dataclasses.replace(scan, image=scan.image.crop((0, round(top - DPI / 25.4 * 35), scan.image.width,
                                                           scan.image.height)))  # fmt: skip
    page = through_pipeline(tmp_path, cut, "photo-cut")
    assert page.mrz is not None and page.mrz.result.valid  # the MRZ still reads
    assert ("cut_off", "identity.data-cut-off") in checks(page), checks(page)
    assert "photo and printed data" in page.rejections[0].message


@pytest.mark.tesseract
def test_tightly_cropped_data_page_is_whole(tmp_path: Path, scan: capture.Capture) -> None:
    """The data page cropped to its edges (the booklet's other page and the glass cut away): the visual
    zone lies whole above the MRZ."""
    assert scan.mrz_quad is not None
    bottom = max(y for _, y in scan.mrz_quad)
    top = bottom + DPI / 25.4 * 6 - DPI / 25.4 * 88  # the 88 mm data page, its MRZ 6 mm above its lower edge
    page_only = scan.image.crop((0, round(top), scan.image.width, round(bottom + DPI / 25.4 * 6)))
    page = through_pipeline(tmp_path, dataclasses.replace(scan, image=page_only), "tight")
    assert page.mrz is not None and page.mrz.result.valid
    assert page.accepted, checks(page)


@pytest.mark.tesseract
def test_reflection_over_the_printed_data_while_the_mrz_reads_is_glare(tmp_path: Path, scan: capture.Capture) -> None:
    """The independent batch's case: a data page washed out by a broad reflection (photo and fields unreadable,
    MRZ legible) was accepted 4 times of 4. The reflection is named with where it is."""
    glared, _ = capture.field_glare(scan, np.random.default_rng(1))
    page = through_pipeline(tmp_path, glared, "fields")
    assert page.mrz is not None and page.mrz.result.valid  # the MRZ still reads
    found = [r for r in page.rejections if r.code is RejectionCode.GLARE]
    assert found, checks(page)
    assert found[0].evidence["where"] == "printed fields"
    assert found[0].evidence["check"] == "identity.field-glare"
    assert "printed data" in found[0].message


def test_data_page_recognised_from_its_labels() -> None:
    text = (
        "ROYAUME DU MAROC\nPASSEPORT / PASSPORT\nNom / Surname JANSSENS\nPrenoms / Given names MARIE\n"
        "Nationalite / Nationality MAROCAINE\nDate de naissance / Date of birth 02 APR 1991\nSexe / Sex F"
    )
    assert identity_capture.is_data_page(text)
    letter = "Employment contract. Name: Marie Janssens, date of birth 1991-04-02, passport UZ4829173, nationality MAR."
    assert not identity_capture.is_data_page(letter)


def test_print_at_the_edge_tells_a_cut_character_from_a_tight_crop(scan: capture.Capture) -> None:
    """A zone cropped just after its last character leaves paper at the edge; one cut through a character
    leaves print there (what OCR cannot show: it reads whole characters only)."""
    assert scan.mrz_quad is not None
    xs, ys = [x for x, _ in scan.mrz_quad], [y for _, y in scan.mrz_quad]
    pitch = DPI / 25.4 * identity_capture.MRZ_PITCH_MM
    box = (round(min(xs)), round(min(ys)), round(max(xs) - pitch), round(max(ys)))
    tight = scan.image.crop((0, 0, round(max(xs) + 0.4 * pitch), scan.image.height))
    cut = scan.image.crop((0, 0, round(max(xs) - 0.5 * pitch), scan.image.height))
    assert not identity_capture.print_at_edge(tight, box, "right")
    assert identity_capture.print_at_edge(cut, box, "right")
    assert not identity_capture.print_at_edge(scan.image, box, "left")  # the page's margin lies left of the zone
