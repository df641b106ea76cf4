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
from PIL import Image, ImageDraw

from pipeline import capture_checks
from pipeline.context import RunContext, RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.model import Page
from pipeline.quality_config import DEFAULT
from pipeline.stages import quality
from pipeline.work import PageWork
from samples import capture, decor
from samples.render import IdentityDocument, mm, pt_font, render_card, render_document, render_passport
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


@pytest.mark.parametrize("seed", [4, 5])
def test_white_letters_with_stamps_seals_logos_and_signatures(tmp_path: Path, seed: int) -> None:
    """A4 letters with a logo, several coloured round stamps, a seal and a signature in ink, through an office
    scanner. The stamps' white inner rings inside the text block were taken for a reflection (glare) before."""
    rng = np.random.default_rng([31, seed])
    page = letter(LETTERS[seed % len(LETTERS)], 150 + 50 * (seed % 3), seed)
    page = decor.decorate_letter(decor.decorate_letter(page, rng), rng)
    office = capture.SCANNER_FAMILIES[0]
    scan = capture.as_flatbed_scan(page, page.dpi, True, rng, margin=False, scanner=office)
    accepted(tmp_path, scan, f"letter{seed}", "jpeg", int(rng.integers(*office.jpeg)))


def autocrop(scan: capture.Capture, margin_mm: float) -> capture.Capture:
    """What a scanner driver's auto-crop makes of a scan: the content's bounding box and a thin margin."""
    grey = np.asarray(scan.image.convert("L"))
    ys, xs = np.nonzero(grey < 200)
    m = round((scan.dpi or 300) / 25.4 * margin_mm)
    h, w = grey.shape
    box = (max(0, xs.min() - m), max(0, ys.min() - m), min(w, xs.max() + m), min(h, ys.max() + m))
    return dataclasses.replace(scan, image=scan.image.crop(box))


@pytest.mark.parametrize(("seed", "margin_mm"), [(0, 0.5), (2, 1.3)])
def test_letters_auto_cropped_to_their_print(tmp_path: Path, seed: int, margin_mm: float) -> None:
    """A driver that crops to the print leaves 0.5-1.3 mm around it: print reaches the border, nothing is cut
    (these were "cut off")."""
    rng = np.random.default_rng([21, seed])
    dpi = (150, 200, 300)[seed % 3]
    page = letter(LETTERS[seed % len(LETTERS)], dpi, seed)
    page = decor.letter_with_letterhead(page, rng) if seed % 2 else decor.decorate_letter(page, rng)
    scan = capture.as_flatbed_scan(page, dpi, bool(seed % 3), rng, margin=False)
    accepted(tmp_path, autocrop(scan, margin_mm), f"autocrop{seed}", "jpeg")


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


def white_band_passport(dpi: int) -> Rendered:
    """A passport data page whose MRZ band is printed without tint (white), as on many real passports."""
    from samples.render import draw_mrz

    page = render_passport(IDENTITY, dpi)
    x0, y0, x1, _ = page.doc_box
    assert page.mrz_box is not None
    m0, m1, _, _ = page.mrz_box
    image = page.image.copy()
    top = m1 - (m1 - y0) // 12
    image.paste((255, 255, 255), (x0 + 2, top, x1 - 2, page.doc_box[3] - 2))
    draw_mrz(ImageDraw.Draw(image), IDENTITY.mrz_lines(), m0, m1, mm(8.0, dpi), dpi)
    return dataclasses.replace(page, image=image)


@pytest.mark.parametrize("dpi", [150, 600])
def test_passports_with_a_white_mrz_band(tmp_path: Path, dpi: int) -> None:
    """White paper inside a data page's design is no reflection (its MRZ band was "glare")."""
    rng = np.random.default_rng([51, dpi, 0])
    scan = capture.as_flatbed_scan(white_band_passport(dpi), dpi, True, rng, margin=False,
                                   scanner=capture.SCANNER_FAMILIES[0])  # fmt: skip
    accepted(tmp_path, scan, f"whiteband{dpi}", "jpeg", 90)


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
    accepted(tmp_path, autocrop(cropped, 0.5), f"{what}_cropped", "png")


@pytest.mark.parametrize("seed", [5, 6])
def test_receipts_lying_crooked_on_the_glass(tmp_path: Path, seed: int) -> None:
    """A grey thermal receipt put down askew (up to 12 degrees) on the glass under a white, grey or dark lid;
    its paper clipped white in patches by the lamp (these were "glare")."""
    rng = np.random.default_rng([21, seed])
    slip = decor.receipt(rng, 300)
    turned = slip.image.rotate(float(rng.uniform(-12, 12)), expand=True, fillcolor=(247, 247, 244))
    obj = dataclasses.replace(slip, image=turned, doc_box=(0, 0, turned.width, turned.height))
    lid = capture.Scanner("lid", lid=("white", "grey", "backing")[seed % 3], uncropped=1.0, corner=True)
    scan = capture.as_flatbed_scan(decor.on_glass(obj, rng), 300, True, rng, margin=False, scanner=lid)
    accepted(tmp_path, scan, f"crooked{seed}", "jpeg")


def askew_note(lines: list[str], dpi: int, angle: float, points: float) -> Image.Image:
    """A block of text lines turned by ``angle`` degrees, as an alpha mask to print in ink."""
    face = pt_font("sans", points, dpi)
    pitch = round(face.size * 1.4)
    mask = Image.new("L", (int(max(face.getlength(s) for s in lines)) + 20, pitch * len(lines) + 20), 0)
    for i, line in enumerate(lines):
        ImageDraw.Draw(mask).text((10, 10 + i * pitch), line, font=face, fill=255)
    return mask.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)


NOTE = ["Annotation du service: document verifie et conforme, la copie",
        "a ete transmise au bureau des etrangers le 14/11/2026 pour suite",
        "utile; le demandeur a ete informe par courrier recommande du",
        "delai de traitement et des pieces encore a fournir au dossier."]  # fmt: skip


@pytest.mark.parametrize(("seed", "angle"), [(5, 6.0), (6, -4.0), (7, 9.0)])
def test_flat_page_with_text_at_a_second_angle(tmp_path: Path, seed: int, angle: float) -> None:
    """A stamped lease with a four-line office note written askew below its text and a rectangular received
    stamp at another angle: two bodies of text, each parallel, on one flat sheet. Their angles spread by 4-6
    degrees, which alone made two phone-photo cues (lines converging, lines not parallel) before."""
    rng = np.random.default_rng([81, seed])
    page = decor.decorate_letter(letter("lease_agreement", 200, seed), rng)
    image, dpi = page.image.copy(), page.dpi
    note = askew_note(NOTE, dpi, angle, 12)
    image.paste(Image.new("RGB", note.size, (25, 30, 110)), (mm(20, dpi), int(image.height * 0.62)), note)
    received = askew_note(["RECU LE 14 NOV. 2026", "SERVICE POPULATION"], dpi, -angle / 2, 14)
    image.paste(Image.new("RGB", received.size, (170, 30, 40)), (mm(25, dpi), image.height // 2), received)
    scan = capture.as_flatbed_scan(dataclasses.replace(page, image=image), dpi, True, rng, margin=False)
    measured = accepted(tmp_path, scan, f"askew{seed}", "jpeg")
    assert measured.quality["line_spread"] > DEFAULT.strong_line_spread_deg >= measured.quality["body_line_spread"]


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


@pytest.mark.parametrize("paper", [236, 252])
def test_pale_words_and_print_faded_in_a_band_are_no_reflection(tmp_path: Path, paper: int) -> None:
    """A letter whose print fades in a vertical band, as thermal print and a tired printer's toner do, with
    two lines printed in light grey beside black ones: the paper there stays as it is, so no reflection
    (``image.print-washed-out``) is seen; the same letter under a lamp's reflection, paper lifted to white
    over its text, is named glare."""
    rng = np.random.default_rng(8)
    page = letter("employment_contract", 200, 8)
    grey = np.asarray(page.image.convert("L"), dtype=np.float32)
    h, w = grey.shape
    base = np.where(grey > 200, float(paper), grey)  # the paper's own shade
    faded = base.copy()
    band = slice(round(w * 0.35), round(w * 0.6))
    faded[:, band] += (paper - faded[:, band]) * 0.75  # print lightened to a quarter of its contrast
    pale = Image.fromarray(faded.clip(0, 255).astype(np.uint8)).convert("RGB")
    draw = ImageDraw.Draw(pale)
    font = pt_font("sans", 11, 200)
    for i, text in enumerate(("Reference: pale grey caption printed beside the black text", "Page 1 of 1 - copy")):
        draw.text((mm(20, 200), round(h * 0.8) + i * mm(6, 200)), text, font=font, fill=(175, 175, 175))
    scan = capture.as_flatbed_scan(dataclasses.replace(page, image=pale), 200, False, rng, margin=False)
    accepted(tmp_path, scan, f"faded{paper}", "jpeg", 90)
    if paper > 240:
        return  # this scanner clips such paper to white: a reflection can lift nothing there (not judged)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    lift = np.clip(1.4 - ((xx - w / 2) / (0.25 * w)) ** 2 - ((yy - 0.3 * h) / (0.1 * h)) ** 2, 0, 1) ** 0.7
    lit = Image.fromarray((base + (255 - base) * lift).clip(0, 255).astype(np.uint8)).convert("RGB")
    scan = capture.as_flatbed_scan(dataclasses.replace(page, image=lit), 200, False, rng, margin=False)
    path = tmp_path / f"reflection{paper}.jpg"
    path.write_bytes(capture.encode(scan, "jpeg", 90))
    got = gate(path, 200).rejections
    assert [r.code.value for r in got] == ["glare"], [(r.code.value, r.evidence) for r in got]


def certificate(kind: str, family: str, dpi: int, seed: int) -> Rendered:
    """A certificate of ``kind`` in a layout family of ``samples.layouts`` (``form`` draws a bordered table);
    an apostille certifies a criminal record of the same family."""
    record = CertInfo("criminal_record", "en", "PHL", PERSON, AS_OF - dt.timedelta(days=60), number="X1", seed=seed,
                      family=family)  # fmt: skip
    info = record if kind == "criminal_record" else CertInfo(
        kind, "en", "PHL", PERSON, AS_OF - dt.timedelta(days=50), number="119710", source=record, seed=seed,
        family=family, amount=2400, start_date=AS_OF - dt.timedelta(days=90), end_date=AS_OF - dt.timedelta(days=5),
    )  # fmt: skip
    return render_document(kind, info, dpi)[0]


@pytest.mark.parametrize(
    ("kind", "family", "dpi"),
    [("criminal_record", "form", 150), ("criminal_record", "form", 300), ("bank_statement", "form", 200),
     ("apostille", "form", 200)],
)  # fmt: skip
def test_pages_with_bordered_tables(tmp_path: Path, kind: str, family: str, dpi: int) -> None:
    """White A4 certificates laid out as a bordered table (the ``form`` family): ruled cells on white paper
    are no card's security print (the form family's pages were "glare" on main before issue 14)."""
    rng = np.random.default_rng([61, dpi])
    scan = capture.as_flatbed_scan(certificate(kind, family, dpi, 1), dpi, True, rng)
    accepted(tmp_path, scan, f"{kind}_{family}_{dpi}", "png")


def test_round_stamp_is_not_a_card_with_a_reflection(tmp_path: Path) -> None:
    """An apostille's round violet stamp (30 mm across) is a ring of ink round a white centre: tinted all over
    but for its middle, like a card with a burnt hole, yet far shorter than any identity card."""
    rng = np.random.default_rng([150, 2])
    scanner = capture.SCANNER_FAMILIES[2 % len(capture.SCANNER_FAMILIES)]
    scan = capture.as_flatbed_scan(certificate("apostille", "caption", 150, 2), 150, True, rng, scanner=scanner)
    page = accepted(tmp_path, scan, "stamped", "png")
    # What made it "glare" before the card's size was checked: a hole in a tinted region, filled all round.
    assert page.quality["card_fill"] >= DEFAULT.glare_card_fill
    assert page.quality["glare_card"] > DEFAULT.glare_card
    assert page.quality["card_long_px"] / 150 * 25.4 < capture_checks.CARD_MIN_LONG_MM


def through_every_page_stage(tmp_path: Path, scan: capture.Capture, name: str) -> Page:
    """Every page stage (gate, OCR, MRZ, identity capture) on one image, as a run does it."""
    from pipeline import api
    from pipeline.stages import intake

    path = tmp_path / f"{name}.png"
    path.write_bytes(capture.encode(scan, "png"))
    ctx = RunContext(RunOptions(as_of=AS_OF, cache="off"), tmp_path)
    page = intake.ingest_file(path, path.name, tmp_path, ctx)[1][0]
    work = PageWork.of(page, ctx, api.default_engine(ctx.options))
    for stage in api.PAGE_STAGES:
        page = stage(page, work)
    return page


@pytest.mark.tesseract
@pytest.mark.parametrize("what", ["stamped_letter_cropped", "bank_statement_lid", "bitonal_letter", "receipt_on_a4"])
def test_identity_checks_leave_plain_paper_alone(tmp_path: Path, what: str) -> None:
    """The identity checks that read OCR (an MRZ line missing, a data page cut through its photo) see no
    identity page on plain paper: a stamped letter auto-cropped 1 mm round its print, a bank statement
    (long account codes) on the glass under the lid, a black-and-white letter, a receipt on A4."""
    rng = np.random.default_rng([71, len(what)])
    if what == "stamped_letter_cropped":
        page = decor.decorate_letter(decor.decorate_letter(letter("lease_agreement", 200, 4), rng), rng)
        scan = autocrop(capture.as_flatbed_scan(page, 200, True, rng, margin=False), 1.0)
    elif what == "bank_statement_lid":
        page = decor.decorate_letter(letter("bank_statement", 200, 7), rng)
        lid = capture.Scanner("white", lid="white", uncropped=1.0, corner=True)
        scan = capture.as_flatbed_scan(page, 200, True, rng, scanner=lid)
    elif what == "bitonal_letter":
        scan = capture.as_flatbed_scan(letter("employment_contract", 300, 3), 300, False, rng, margin=False)
        scan = dataclasses.replace(scan, image=scan.image.point(lambda v: 255 if v > 160 else 0).convert("1"))
    else:
        scan = capture.as_flatbed_scan(decor.on_glass(decor.receipt(rng, 300), rng), 300, True, rng, margin=False)
    done = through_every_page_stage(tmp_path, scan, what)
    assert done.accepted, [(r.code.value, r.evidence) for r in done.rejections]


@pytest.mark.parametrize("dpi", [150, 300])
def test_card_laid_in_the_glass_corner_is_whole_and_a_card_cut_across_is_cut_off(tmp_path: Path, dpi: int) -> None:
    """An ID card pushed into the glass's corner reaches two image sides with its own edges: whole, accepted.
    The same card with the image ending 30 % into it (above its MRZ) is cut off (``image.card-cut-off``): the
    card is narrower than any identity document (seed 9 identity batch: 8 card backs cut so were accepted)."""
    rng = np.random.default_rng([91, dpi])
    scan = capture.as_flatbed_scan(render_card(CARD, "back", dpi), dpi, True, rng, margin=False)
    (x0, y0), y1 = np.min(scan.doc_quad, axis=0), float(np.max(scan.doc_quad, axis=0)[1])
    w, h = scan.image.size
    corner = dataclasses.replace(scan, image=scan.image.crop((round(x0) + 1, round(y0) + 1, w, h)))
    page = accepted(tmp_path, corner, f"corner{dpi}", "png")
    assert page.quality["card_at_edge"] == 1
    cut = dataclasses.replace(scan, image=scan.image.crop((0, 0, w, round(y0 + 0.7 * (y1 - y0)))))
    path = tmp_path / f"cut{dpi}.png"
    path.write_bytes(capture.encode(cut, "png"))
    found = gate(path, dpi).rejections
    assert [(r.code.value, r.evidence["check"]) for r in found] == [("cut_off", "image.card-cut-off")], found
