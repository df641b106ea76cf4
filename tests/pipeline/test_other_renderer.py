"""End to end on a dossier drawn by a second, independent renderer (``tests/other_renderer.py``).

Nothing here comes from ``samples``: other fonts, layouts and wording. Every page must pass the capture
gate, be typed right and give the printed dates; the passport's MRZ must read and agree with its page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image

from pipeline import api
from pipeline.case import CaseFacts, Cases
from pipeline.context import RunOptions
from pipeline.model import DocType
from tests import other_renderer
from tools import defects_other

pytestmark = [
    pytest.mark.tesseract,
    pytest.mark.skipif(not other_renderer.fonts_available(), reason="fonts-liberation2 / fonts-freefont-ttf absent"),
]

CASE = CaseFacts.model_validate(
    {"category": "single_permit", "nationality": "KEN", "entry_date": "2026-12-10", "application_date": "2026-12-04"}
)
EXPECTED = {
    "scan1.jpg": (DocType.PASSPORT, {"expiry_date": dt.date(2033, 5, 2), "birth_date": dt.date(1991, 7, 14)}),
    "scan2.jpg": (DocType.CRIMINAL_RECORD, {"issue_date": dt.date(2026, 10, 2), "issuing_country": "KEN"}),
    "scan3.jpg": (DocType.APOSTILLE, {"issue_date": dt.date(2026, 10, 6)}),
    "scan4.jpg": (DocType.MEDICAL_CERTIFICATE, {"issue_date": dt.date(2026, 10, 1)}),
    "scan5.jpg": (DocType.EMPLOYMENT_CONTRACT, {"start_date": dt.date(2026, 12, 1)}),
    "scan6.jpg": (DocType.LEASE_AGREEMENT, {"start_date": dt.date(2026, 12, 1)}),
    "scan7.jpg": (DocType.HEALTH_INSURANCE, {"valid_from": dt.date(2026, 12, 1), "valid_to": dt.date(2027, 11, 30)}),
    "scan8.jpg": (DocType.BANK_STATEMENT, {"issue_date": dt.date(2026, 11, 2)}),
}


def test_a_dossier_the_generator_never_made_reads_right(tmp_path: Path) -> None:
    folder = tmp_path / "101-otieno"
    other_renderer.single_permit_dossier(folder)
    options = RunOptions(as_of=dt.date(2026, 12, 4), workers=2, cache="off")
    (dossier,) = api.run(folder, options, cases=Cases({folder.name: CASE})).dossiers
    assert {f.file: f.status.value for f in dossier.files} == dict.fromkeys(EXPECTED, "processed")
    by_file = {doc.file: doc for doc in dossier.documents}
    for file, (doc_type, fields) in EXPECTED.items():
        doc = by_file[file]
        assert (doc.type, doc.rejections) == (doc_type, ()), file
        for name, value in fields.items():
            assert doc.value(name) == value, (file, name, doc.fields.get(name))
    assert by_file["scan1.jpg"].value("mrz_trusted") is True
    assert by_file["scan3.jpg"].value("certifies") == "scan2.jpg#1"
    problems = {f.rule for f in dossier.problems if f.severity.value == "blocking"}
    assert not problems - {"authentication.apostille-or-legalisation"}, problems


def test_scans_that_remove_nothing_are_accepted_and_read(tmp_path: Path) -> None:
    """The same dossier scanned in ways that remove nothing, drawn by ``tools.defects_other`` (not by
    ``samples``): uncropped with a grey lid and a dark backing strip, auto-cropped 2 mm round the print,
    at 150 dpi, crooked by 2 and by 4 degrees (turned level before OCR), coarse JPEG, a warm cast. Every
    page is accepted, typed and read."""
    folder = tmp_path / "103-otieno"
    other_renderer.single_permit_dossier(folder)
    variants = {
        "scan2.jpg": "crooked the other way, 4 degrees",
        "scan3.jpg": "uncropped, grey lid and a dark backing strip",
        "scan4.jpg": "crooked on the glass, 2 degrees",
        "scan5.jpg": "auto-cropped 2 mm round the print",
        "scan6.jpg": "150 dpi",
        "scan7.jpg": "JPEG quality 35",
        "scan8.jpg": "warm colour cast",
    }
    for file, label in variants.items():
        image = Image.open(folder / file)
        scanned, dpi = defects_other.GENUINE[label](image.convert("RGB"), image.info["dpi"][0])
        scanned.save(folder / file, quality=88, dpi=(dpi, dpi))
    options = RunOptions(as_of=dt.date(2026, 12, 4), workers=2, cache="off")
    (dossier,) = api.run(folder, options, cases=Cases({folder.name: CASE})).dossiers
    by_file = {doc.file: doc for doc in dossier.documents}
    for file, (doc_type, fields) in EXPECTED.items():
        doc = by_file[file]
        assert (doc.type, doc.rejections) == (doc_type, ()), (file, variants.get(file), doc.rejections)
        for name, value in fields.items():
            assert doc.value(name) == value, (file, variants.get(file), name, doc.fields.get(name))


def _draw(path: Path, defect: defects_other.Defect) -> None:
    """A defect of ``tools.defects_other`` (drawn there, not by ``samples``) drawn over a scan in place."""
    image = Image.open(path)
    dpi = image.info["dpi"]
    defect(image.convert("RGB"), dpi[0]).save(path, quality=88, dpi=dpi)


def test_defects_the_generator_never_made_are_named(tmp_path: Path) -> None:
    """Defects drawn here, on pages of the other renderer: a reflection over the right half of the
    passport's MRZ that runs on past the card onto the white sheet (so no hole in the card's print
    shows it; its fading lines are seen before the MRZ stage), the same reflection over the police
    certificate's white paper (its print fades to nothing, the paper turns white), and an apostille
    whose right 30 % was cut away (147 x 297 mm: one long line and the stamp run off the right side,
    the other lines are short), and a lease cut the same way between two characters of its monospaced
    lines (no glyph cut: a sheet 147 mm wide that shows its own margins at both ends shows it)."""
    folder = tmp_path / "102-otieno"
    other_renderer.single_permit_dossier(folder)
    _draw(folder / "scan1.jpg", defects_other.reflection(0.5, 0.3, 0.25, 0.1))
    _draw(folder / "scan2.jpg", defects_other.reflection(0.5, 0.3, 0.25, 0.1))
    _draw(folder / "scan3.jpg", defects_other.cut("right", 0.3))
    _draw(folder / "scan6.jpg", defects_other.cut("right", 0.3))
    options = RunOptions(as_of=dt.date(2026, 12, 4), workers=2, cache="off")
    (dossier,) = api.run(folder, options, cases=Cases({folder.name: CASE})).dossiers
    by_file = {doc.file: doc for doc in dossier.documents}
    checks = {file: {str(r.evidence.get("check")) for r in by_file[file].rejections} for file in by_file}
    assert {r.code.value for r in by_file["scan1.jpg"].rejections} == {"glare"}, checks
    assert checks["scan2.jpg"] == {"image.print-washed-out"}, checks
    assert checks["scan3.jpg"] == checks["scan6.jpg"] == {"image.sheet-size"}, checks
    untouched = set(EXPECTED) - {"scan1.jpg", "scan2.jpg", "scan3.jpg", "scan6.jpg"}
    assert all(not checks[f] for f in untouched), checks


def test_an_mrz_row_washed_out_half_way_is_measured_short(tmp_path: Path) -> None:
    """The passport of the test above, through every page stage: the zone shows but does not read, its
    first row is printed for well under the 30 characters of the shortest MRZ row and the page where it
    should go on is lifted to white, so the identity check names the reflection over the MRZ. In a run
    the image check of fading lines names it first; here the gate's verdict is set aside so that OCR
    reads the page, as it does when the reflection fades too few lines for that check."""
    import dataclasses

    from pipeline import capture_checks
    from pipeline.context import RunContext
    from pipeline.engines import imaging
    from pipeline.stages import identity_capture, intake
    from pipeline.work import PageWork

    born, ends, issued = dt.date(1991, 7, 14), dt.date(2033, 5, 2), dt.date(2023, 5, 3)
    other_renderer.passport(
        tmp_path / "p.jpg", number="AK0412345", surname="OTIENO", given="GRACE WANJIRU", birth=born, expiry=ends,
        issue=issued,
    )  # fmt: skip
    _draw(tmp_path / "p.jpg", defects_other.reflection(0.5, 0.3, 0.25, 0.1))
    ctx = RunContext(RunOptions(as_of=dt.date(2026, 12, 4), cache="off"), tmp_path)
    page = intake.ingest_file(tmp_path / "p.jpg", "p.jpg", tmp_path, ctx)[1][0]
    work = PageWork.of(page, ctx, api.default_engine(ctx.options))
    for stage in api.PAGE_STAGES:
        page = stage(page, work)
        if stage is api.PAGE_STAGES[0]:  # as if the gate had let it through, so that OCR reads it
            page = dataclasses.replace(page, rejections=())
    zone = identity_capture.zone_evidence(page, work)
    assert zone is not None and not zone.valid and zone.printed
    assert zone.row_chars is not None and zone.row_chars < 0.9 * capture_checks.MRZ_MIN_ROW_CHARS, zone
    assert zone.row_lift >= capture_checks.GLARE_ROW_LIFT, zone
    metrics = imaging.ImageMetrics.from_dict(page.quality)
    found = capture_checks.judge(dataclasses.replace(page, rejections=()), metrics, stage="identity", zone=zone)
    assert [r.evidence["check"] for r in found] == ["identity.mrz-row-washed-out"]
