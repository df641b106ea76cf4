"""Capture and quality gate on small synthetic page images made here (no external data)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from pipeline.context import RunContext, RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.model import Page, RejectionCode
from pipeline.quality_config import DEFAULT
from pipeline.stages import quality
from pipeline.work import PageWork

DPI = 150
A4 = (round(210 / 25.4 * DPI), round(297 / 25.4 * DPI))  # 1240 x 1754


def text_page(seed: int = 0, colour: bool = True) -> np.ndarray:
    """A white A4 page at 150 dpi with body text lines, a title and a coloured stamp."""
    rng = np.random.default_rng(seed)
    w, h = A4
    page = np.full((h, w, 3), 250, np.uint8)
    cv2.putText(page, "CERTIFICATE OF GOOD CONDUCT", (140, 170), cv2.FONT_HERSHEY_DUPLEX, 1.3, (30, 30, 40), 2)
    words = ["residence", "permit", "Brussels", "applicant", "record", "issued", "date", "holder", "name"]
    y = 260
    while y < h - 260:
        x = 140
        while x < w - 260:
            word = str(rng.choice(words))
            cv2.putText(page, word, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.75, (25, 25, 35), 2, cv2.LINE_AA)
            x += 22 * len(word) + 25
        y += 42
    if colour:
        cv2.circle(page, (w - 300, h - 200), 90, (40, 60, 190), 6)
        cv2.rectangle(page, (140, 200), (w - 140, 212), (190, 40, 40), -1)
    return page


def noisy(arr: np.ndarray, seed: int = 1, sigma: float = 2.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = arr.astype(np.float32) + rng.standard_normal(arr.shape[:2])[..., None].astype(np.float32) * sigma
    return np.clip(out, 0, 255).astype(np.uint8)


def save(tmp_path: Path, arr: np.ndarray, name: str = "page.png") -> Path:
    path = tmp_path / name
    Image.fromarray(arr).save(path, quality=92) if name.endswith(".jpg") else Image.fromarray(arr).save(path)
    return path


def run(path: Path, dpi: float | None = DPI, exif: dict[str, str] | None = None, text_layer: str = "") -> Page:
    page = Page(file=path.name, sha256="0" * 64, number=1, image=path, dpi=dpi, exif=exif or {}, text_layer=text_layer)
    return gate(page)


def gate(page: Page) -> Page:
    """The capture gate on one page, its pixels decoded from ``page.image``."""
    ctx = RunContext(RunOptions(), Path("/nonexistent"))
    return quality.check_image_quality(page, PageWork.of(page, ctx, FakeOcrEngine("")))


def codes(page: Page) -> set[str]:
    return {r.code.value for r in page.rejections}


def phone_photo(seed: int = 3) -> np.ndarray:
    """The page warped in perspective onto a wood table, with vignetting and camera blur."""
    rng = np.random.default_rng(seed)
    src = text_page(seed)
    W, H = 1200, 1600
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    grain = np.sin(yy * 0.35 + 6 * np.sin(xx * 0.01)) * 0.12 + rng.standard_normal((H, W)).astype(np.float32) * 0.05
    wood = np.stack([140 * (1 + grain), 95 * (1 + grain), 58 * (1 + grain)], axis=2)
    srcq = np.array([[0, 0], [A4[0], 0], [A4[0], A4[1]], [0, A4[1]]], dtype=np.float32)
    dst = np.array([[190, 170], [1010, 230], [1060, 1420], [150, 1380]], dtype=np.float32)
    hom = cv2.getPerspectiveTransform(srcq, dst)
    warped = cv2.warpPerspective(src, hom, (W, H)).astype(np.float32)
    mask = cv2.warpPerspective(np.ones(src.shape[:2], np.float32), hom, (W, H))[..., None]
    arr = wood * (1 - mask) + warped * mask
    r2 = ((xx - W / 2) / W) ** 2 + ((yy - H / 2) / H) ** 2
    arr *= (1 - 0.8 * r2)[..., None] * (1 + 0.15 * (xx / W - 0.5))[..., None]
    arr = cv2.GaussianBlur(arr, (0, 0), 0.7)
    return noisy(np.clip(arr, 0, 255).astype(np.uint8), seed, 3.0)


def test_clean_scan_accepted(tmp_path: Path) -> None:
    page = run(save(tmp_path, noisy(text_page())))
    assert page.accepted, page.rejections
    assert page.quality["colourfulness"] > 0
    assert page.quality["effective_dpi"] == DPI


def test_phone_photo_without_exif_rejected(tmp_path: Path) -> None:
    page = run(save(tmp_path, phone_photo(), "photo.jpg"), dpi=None)
    assert RejectionCode.PHONE_PHOTO.value in codes(page)
    rej = next(r for r in page.rejections if r.code is RejectionCode.PHONE_PHOTO)
    ev = rej.evidence
    assert ev["exif_camera"] is False
    assert ev["perspective"] is True and ev["background"] is True
    assert {"metric", "threshold"} <= set(ev)
    assert "phone photo" in rej.message and "flatbed" in rej.message


def test_uncropped_scan_with_uniform_backing_accepted(tmp_path: Path) -> None:
    sheet = text_page(5)
    h, w = sheet.shape[:2]
    canvas = np.full((h + 160, w + 120, 3), 45, np.uint8)  # dark scanner lid to the right and below
    canvas[:h, :w] = sheet
    page = run(save(tmp_path, noisy(canvas, 5, 2.5), "uncropped.jpg"))
    assert page.accepted, page.rejections
    assert page.quality["doc_found"] == 1.0


def test_exif_camera_tags_are_a_cue_make_model_alone_is_not(tmp_path: Path) -> None:
    path = save(tmp_path, noisy(text_page()))
    assert run(path, exif={"Make": "Canon", "Model": "MB5100 series", "Software": "IJ Scan Utility"}).accepted
    page = run(path, exif={"Make": "Apple", "Model": "iPhone 13", "ExposureTime": "0.0166", "FNumber": "1.6"})
    assert codes(page) == {RejectionCode.PHONE_PHOTO.value}
    assert page.rejections[0].evidence["exif_camera"] is True
    heic = run(path, exif={"_mime": "image/heic"})
    assert codes(heic) == {RejectionCode.PHONE_PHOTO.value}


@pytest.mark.parametrize(
    ("defect", "code"),
    [
        ("blurry", RejectionCode.BLURRY),
        ("low_resolution", RejectionCode.LOW_RESOLUTION),
        ("glare", RejectionCode.GLARE),
        ("too_dark", RejectionCode.TOO_DARK),
        ("overexposed", RejectionCode.OVEREXPOSED),
        ("cut_off", RejectionCode.CUT_OFF),
    ],
)
def test_each_defect_caught(tmp_path: Path, defect: str, code: RejectionCode) -> None:
    arr: np.ndarray = text_page(7).astype(np.float32)
    dpi: float = DPI
    if defect == "blurry":
        arr = cv2.GaussianBlur(arr, (0, 0), 3.0)
    elif defect == "low_resolution":
        dpi = 80
        arr = cv2.resize(arr, (round(A4[0] * 80 / DPI), round(A4[1] * 80 / DPI)), interpolation=cv2.INTER_AREA)
    elif defect == "glare":
        arr = arr * np.array([0.93, 0.92, 0.9], np.float32)  # paper tone under the highlight
        h, w = arr.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        blob = np.clip(1.6 * np.exp(-(((xx - w * 0.5) / 260) ** 2 + ((yy - h * 0.4) / 110) ** 2)), 0, 1)[..., None]
        arr = arr + (255 - arr) * blob
    elif defect == "too_dark":
        arr = (arr / 255) ** 1.8 * 0.25 * 255
    elif defect == "overexposed":
        arr = (arr / 255) ** 0.3 * 255 * 1.35 + 40
    elif defect == "cut_off":
        arr = arr[:, int(A4[0] * 0.3) :]
    page = run(save(tmp_path, noisy(np.clip(arr, 0, 255).astype(np.uint8))), dpi=dpi)
    assert code.value in codes(page), (page.rejections, page.quality)
    rej = next(r for r in page.rejections if r.code is code)
    assert rej.message and "metric" in rej.evidence and "threshold" in rej.evidence
    assert RejectionCode.PHONE_PHOTO.value not in codes(page)


def test_unknown_dpi_estimated_from_text(tmp_path: Path) -> None:
    page = run(save(tmp_path, noisy(text_page())), dpi=None)
    assert page.accepted, page.rejections
    small = cv2.resize(text_page(), (A4[0] // 3, A4[1] // 3), interpolation=cv2.INTER_AREA)  # 50 dpi
    low = run(save(tmp_path, noisy(small), "small.png"), dpi=None)
    assert RejectionCode.LOW_RESOLUTION.value in codes(low)
    assert low.rejections[0].evidence["dpi_source"] == "text"


def test_born_digital_page_never_judged(tmp_path: Path) -> None:
    path = save(tmp_path, phone_photo(), "photo.jpg")
    page = Page(
        file="x.pdf",
        sha256="0" * 64,
        number=1,
        image=path,
        text_layer="Invoice 2026 total 12 EUR",
        exif={"ExposureTime": "1/60"},
    )
    out = gate(page)
    assert out.accepted
    assert out == page


def test_slight_skew_accepted_and_reported(tmp_path: Path) -> None:
    arr = text_page(9)
    h, w = arr.shape[:2]
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), 1.2, 1.0)  # counter-clockwise in image coordinates
    skewed = cv2.warpAffine(arr, rot, (w, h), borderValue=(250, 250, 250))
    page = run(save(tmp_path, noisy(skewed)))
    assert page.accepted, page.rejections
    assert abs(abs(page.quality["skew_angle"]) - 1.2) < 0.4


def test_greyscale_only_via_separate_function(tmp_path: Path) -> None:
    grey = np.repeat(np.asarray(Image.fromarray(text_page()).convert("L"))[..., None], 3, axis=2)
    page = run(save(tmp_path, noisy(grey)))
    assert page.accepted  # certificates may be grey: the stage only measures
    rej = quality.greyscale_rejection(page)
    assert rej is not None and rej.code is RejectionCode.GREYSCALE
    assert float(rej.evidence["metric"]) < float(rej.evidence["threshold"])
    colour = run(save(tmp_path, noisy(passport_like()), "colour.png"))
    assert quality.greyscale_rejection(colour) is None


def passport_like() -> np.ndarray:
    """A colourful data page (tinted guilloche background, red header) filling the frame."""
    h, w = 880, 1250
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    tint = np.stack([200 + 30 * np.sin(xx / 23), 225 + 20 * np.sin(yy / 17), 235 + 15 * np.cos((xx + yy) / 31)], 2)
    arr = np.clip(tint, 0, 255).astype(np.uint8)
    cv2.rectangle(arr, (0, 0), (w, 90), (180, 30, 40), -1)
    for i in range(8):
        cv2.putText(arr, "SURNAME / NOM  JANSSENS", (400, 170 + 60 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20, 20, 40), 2)
    return arr


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    page = run(path)
    assert codes(page) == {RejectionCode.UNREADABLE.value}


def test_thresholds_are_frozen_and_documented() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.falloff = 0.5  # type: ignore[misc]
    assert quality.REQUIRES and quality.PROVIDES


def card_on_a4(glare: bool, seed: int = 11, spread: float = 1.0) -> np.ndarray:
    """An ID card (security print, photo, text) scanned on an A4 sheet the scanner clipped white."""
    rng = np.random.default_rng(seed)
    w, h = A4
    page = np.full((h, w, 3), 258.0, np.float32)  # auto-levels push the paper past white
    cw, ch = round(85.6 / 25.4 * DPI), round(54 / 25.4 * DPI)
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    tint = np.stack(
        [238 + 12 * np.sin(xx / 5 + yy / 9), 240 + 10 * np.sin(yy / 4), 232 + 14 * np.cos((xx - yy) / 6)], 2
    )
    printed = np.clip(tint, 0, 255).astype(np.uint8)
    printed[30:150, 20:120] = (150, 140, 160)  # holder photo
    for i in range(5):
        cv2.putText(printed, "JANSSENS MARIE", (140, 60 + 45 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (30, 30, 50), 2)
    card = printed.astype(np.float32)
    if glare:
        rx, ry = 110 * spread, 55 * spread
        blob = np.clip(1.6 * np.exp(-(((xx - cw * 0.55) / rx) ** 2 + ((yy - ch * 0.5) / ry) ** 2)), 0, 1)
        card = card + (255 - card) * blob[..., None]
    x0, y0 = 120, 150
    page[y0 : y0 + ch, x0 : x0 + cw] = card
    page += rng.standard_normal((h, w))[..., None].astype(np.float32) * 2.0
    return np.clip(page, 0, 255).astype(np.uint8)


def test_glare_on_card_scanned_on_white_paper(tmp_path: Path) -> None:
    clean = run(save(tmp_path, card_on_a4(glare=False), "card.png"), dpi=DPI)
    assert clean.accepted, (clean.rejections, clean.quality["glare_card"], clean.quality["card_fill"])
    shiny = run(save(tmp_path, card_on_a4(glare=True), "shiny.png"), dpi=DPI)
    assert codes(shiny) == {RejectionCode.GLARE.value}, shiny.quality
    assert shiny.rejections[0].evidence["metric_name"] == "glare_card"
    # A wide highlight burns a large share of the print: what is left around it is still a card.
    wide = run(save(tmp_path, card_on_a4(glare=True, spread=1.4), "wide.png"), dpi=DPI)
    assert codes(wide) == {RejectionCode.GLARE.value}, (wide.quality["glare_card"], wide.quality["card_fill"])


def test_cut_through_blank_paper_found_from_sheet_size(tmp_path: Path) -> None:
    arr = text_page(4)
    arr[int(A4[1] * 0.55) :] = 250  # the lower half of the letter is blank
    whole = run(save(tmp_path, noisy(arr), "whole.png"))
    assert whole.accepted, whole.rejections
    cut = arr[: int(A4[1] * 0.72)]  # the bottom 28 % cut away through blank paper: 210 x 214 mm
    page = run(save(tmp_path, noisy(cut), "cut.png"))
    assert codes(page) == {RejectionCode.CUT_OFF.value}, page.quality
    assert page.rejections[0].evidence["metric_name"] == "sheet_mm"
    # Without a real resolution the size is unknown, so the sheet is not judged.
    assert run(save(tmp_path, noisy(cut), "cut72.png"), dpi=72).accepted
    # A sheet shorter than its width is judged only along text lines measured across it (two here: a
    # notebook page or a sheet turned on the glass may measure that); see capture_cases/image.sheet-size.
    assert run(save(tmp_path, noisy(arr[: int(A4[1] * 0.6)]), "short.png")).accepted
    # An A5 sheet lying landscape (210 x 148 mm) is whole.
    a5 = text_page(5)[: round(148 / 25.4 * DPI)]
    a5[round(148 / 25.4 * DPI) - 80 :] = 250
    assert run(save(tmp_path, noisy(a5), "a5.png")).accepted


def test_page_cut_along_a_side_found_from_its_cut_lines(tmp_path: Path) -> None:
    """An A4 letter cut along its right side: A4-long but narrower, its lines cut by the border.

    Pale show-through running off the border is no cut print, and a narrow sheet whose text keeps its
    margin (a receipt on a backing board) is not cut either.
    """
    arr = text_page(6)
    h, w = arr.shape[:2]
    for y in range(300, h - 300, 60):  # pale show-through from the back running off the right edge
        cv2.putText(arr, "BACKSIDE PRINT", (w - 160, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (205, 205, 205), 2)
    page = run(save(tmp_path, noisy(arr)))
    assert page.accepted, (page.rejections, page.quality["cut_lines"])
    cut = text_page(6)[:, : int(w * 0.7)]  # 147 x 297 mm: the right 30 % cut away through the text
    page = run(save(tmp_path, noisy(cut), "cut.png"))
    assert codes(page) == {RejectionCode.CUT_OFF.value}, page.quality
    assert page.rejections[0].evidence["check"] == "image.sheet-size"
    assert page.rejections[0].evidence["cut_lines"] >= DEFAULT.cut_lines
    narrow = np.full((h, int(w * 0.55), 3), 250, np.uint8)
    narrow[:, 40:-40] = text_page(6)[:, 140 : 140 + int(w * 0.55) - 80]
    narrow[:, -60:] = 250  # a receipt-like strip with margins on both sides
    assert run(save(tmp_path, noisy(narrow), "narrow.png")).accepted


def test_overexposed_identity_page_not_also_called_greyscale(tmp_path: Path) -> None:
    arr = (passport_like().astype(np.float32) / 255) ** 0.3 * 255 * 1.4 + 40
    page = run(save(tmp_path, noisy(np.clip(arr, 0, 255).astype(np.uint8)), "bright.png"))
    assert RejectionCode.OVEREXPOSED.value in codes(page), page.quality
    assert quality.greyscale_rejection(page) is None


def test_mildly_blurred_passport_scan_at_300_dpi_rejected(tmp_path: Path) -> None:
    """The generator's mildest defocus (0.3 mm) on a 300 dpi passport scan is blurry; the sharp scan is not.

    A passport page is mostly pale guilloche: measured on all ink, its soft security print hid
    the blur (edge width 3.8 against the 4.0 threshold, a dossier reported ready).
    """
    import datetime as dt

    from samples import capture
    from samples.render import IdentityDocument, render_passport
    from samples.texts import Person

    person = Person("Liu", "Wei", "M", dt.date(1991, 4, 2), "Shanghai", "CHN")
    doc = IdentityDocument("passport", person, "CHN", "E12345678", dt.date(2022, 3, 1), dt.date(2032, 2, 28), "Beijing")
    scan = capture.as_flatbed_scan(render_passport(doc, 300), 300, True, np.random.default_rng(27), margin=False)
    sharp = tmp_path / "sharp.png"
    sharp.write_bytes(capture.encode(scan, "png"))
    sharp_page = run(sharp, dpi=300)
    assert sharp_page.accepted, sharp_page.rejections
    arr = np.asarray(scan.image.convert("RGB"), np.float32)
    blurred = cv2.GaussianBlur(arr, (0, 0), 0.3 * 300 / 25.4)
    page = run(save(tmp_path, np.clip(blurred, 0, 255).astype(np.uint8), "blurred.png"), dpi=300)
    assert RejectionCode.BLURRY.value in codes(page), page.quality


def test_blur_judged_on_the_document_not_the_frame(tmp_path: Path) -> None:
    """A mildly defocused certificate in a 12 MP photo is blurry; the same photo in focus is not.

    The document fills ~70 % of a 4032 px frame; shrinking the frame to the working size hid a
    0.3 mm defocus (3.5 px against 4.0), so blur is measured with the document at that size.
    """
    import datetime as dt

    from samples import capture
    from samples.render import render_document
    from samples.texts import CertInfo, Person

    person = Person("Sharma", "Priya", "F", dt.date(1990, 6, 1), "Pune", "IND")
    info = CertInfo("employment_contract", "en", "IND", person, dt.date(2026, 10, 1), amount=3200)
    page = render_document("employment_contract", info, 300)[0]
    photo = capture.as_phone_photo(page, np.random.default_rng(5), exif=True)
    sharp = tmp_path / "sharp.jpg"
    sharp.write_bytes(capture.encode(photo, "jpeg", 90))
    assert RejectionCode.BLURRY.value not in codes(run(sharp, dpi=None))
    arr = np.asarray(photo.image, np.float32)
    blurred = cv2.GaussianBlur(arr, (0, 0), 0.3 * photo.effective_dpi / 25.4)
    blurred_path = save(tmp_path, np.clip(blurred, 0, 255).astype(np.uint8), "blurred.jpg")
    page = run(blurred_path, dpi=None)
    assert {RejectionCode.BLURRY.value, RejectionCode.PHONE_PHOTO.value} <= codes(page), page.quality


def test_too_dark_identity_page_not_also_called_greyscale(tmp_path: Path) -> None:
    """Underexposure crushes the colours of a passport page: the page is too dark, not a grey copy."""
    import datetime as dt

    from samples import capture
    from samples.render import IdentityDocument, render_passport
    from samples.texts import Person

    person = Person("Garcia", "Lucia", "F", dt.date(1992, 9, 3), "Sevilla", "ESP")
    doc = IdentityDocument("passport", person, "ESP", "PAA123456", dt.date(2022, 3, 1), dt.date(2032, 2, 28), "Sevilla")
    rng = np.random.default_rng(1)
    dark, _ = capture.too_dark(capture.as_flatbed_scan(render_passport(doc, 150), 150, True, rng, margin=False), rng)
    path = tmp_path / "dark.png"
    path.write_bytes(capture.encode(dark, "png"))
    page = run(path)
    assert RejectionCode.TOO_DARK.value in codes(page), page.quality
    assert page.quality["colourfulness"] < DEFAULT.min_colourfulness
    assert quality.greyscale_rejection(page) is None


def test_pale_card_back_with_a_colourful_front_is_a_colour_copy() -> None:
    """Colourfulness judges the whole card: a pale back alone does not make a grey copy; a file without colour does."""
    import datetime as dt

    from pipeline.case import CaseFacts
    from pipeline.model import DocType, Document
    from pipeline.work import DossierWork

    def page(number: int, colourfulness: float, exact: bool = False) -> Page:
        q = {"colourfulness": colourfulness, "is_exact_grey": float(exact)}
        return Page(file="card.pdf", sha256="0" * 64, number=number, quality=q)

    card = Document("card.pdf", (1, 2), DocType.ID_CARD, 0.9)

    def grey(*pages: Page) -> bool:
        work = DossierWork("d", RunOptions(as_of=dt.date(2026, 11, 25)), CaseFacts(), (), pages, (card,))
        (doc,) = quality.check_identity_colour(work).documents
        return any(r.code is RejectionCode.GREYSCALE for r in doc.rejections)

    assert not grey(page(1, 9.0), page(2, 1.7))
    assert grey(page(1, 1.2), page(2, 1.7))
    assert grey(page(1, 9.0), page(2, 0.0, exact=True))
