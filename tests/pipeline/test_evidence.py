"""Evidence for the report: made once in the page stage from the shared raster, cached with the page, and
cut per field in the dossier stage."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

from PIL import Image, ImageDraw

from pipeline.case import CaseFacts
from pipeline.context import RunContext, RunOptions
from pipeline.engines.imaging import PagePixels
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.model import DocType, Document, Field, Page, PageMrz
from pipeline.mrz import parse_mrz
from pipeline.stages.evidence import THUMB_LONG_SIDE, cut_evidence, keep_evidence
from pipeline.work import DossierWork, PageWork

MRZ = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")


def _page(tmp_path: Path) -> tuple[Page, PageWork]:
    image = Image.new("RGB", (2480, 3508), "white")  # A4 at 300 dpi
    draw = ImageDraw.Draw(image)
    draw.text((300, 1000), "Date of expiry: 15 APR 2030", fill="black")
    draw.rectangle((200, 3000, 2200, 3200), outline="black")
    ctx = RunContext(RunOptions(as_of=dt.date(2026, 11, 25)), tmp_path)
    mrz = PageMrz(parse_mrz(MRZ), (200, 3000, 2200, 3200), 0.9)
    page = Page("passport.jpg", "ab", 1, mrz=mrz)
    return page, PageWork(ctx, FakeOcrEngine(""), PagePixels.of(image))


def test_page_stage_keeps_thumbnail_view_and_mrz_crop(tmp_path: Path) -> None:
    page, work = _page(tmp_path)
    done = keep_evidence(page, work)
    evidence = done.evidence
    assert evidence is not None
    assert max(evidence.thumb.width, evidence.thumb.height) == THUMB_LONG_SIDE
    assert evidence.view.height == work.ctx.options.ocr_long_side  # the OCR copy: no extra resize
    assert evidence.mrz is not None and evidence.mrz.width <= 900
    with Image.open(io.BytesIO(evidence.view.jpeg)) as view:
        assert view.mode == "L"
    assert Page.from_dict(done.to_dict()).evidence == evidence  # the cache keeps it
    assert keep_evidence(page, dataclasses.replace(work, pixels=None)) is page  # text layer: nothing


def test_dossier_stage_cuts_the_line_of_each_field(tmp_path: Path) -> None:
    page, work = _page(tmp_path)
    page = keep_evidence(page, work)
    assert page.mrz is not None
    doc = Document("passport.jpg", (1,), DocType.PASSPORT, 0.98, fields={
        "issue_date": Field(dt.date(2020, 4, 16), 0.9, "ocr", 1, (300, 1000, 700, 1012)),
        "valid_to": Field(dt.date(2030, 4, 15), 0.9, "ocr", 1, (300, 1000, 700, 1012)),  # same line: one crop
        "expiry_date": Field(dt.date(2030, 4, 15), 1.0, "mrz", 1, page.mrz.bbox),
        "birth_date": Field(dt.date(1974, 8, 12), 1.0, "text", 1),  # no position: no crop
    })
    done = cut_evidence(DossierWork("d", work.ctx.options, CaseFacts(), (), (page,), documents=(doc,)))
    images = done.evidence
    assert set(images) == {("passport.jpg", 1, k) for k in ("thumb", "mrz", "issue_date", "valid_to", "expiry_date")}
    assert images[("passport.jpg", 1, "expiry_date")] is images[("passport.jpg", 1, "mrz")]
    assert images[("passport.jpg", 1, "issue_date")] is images[("passport.jpg", 1, "valid_to")]
    line = images[("passport.jpg", 1, "issue_date")]
    assert line.width <= 640 and line.height < 60  # a line with its label, not the page

