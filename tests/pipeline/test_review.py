"""The review loop: a needs_review dossier, the clerk's review.json, a re-run from the cache without OCR."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from pipeline import api
from pipeline.case import CaseFacts, Cases
from pipeline.context import RunOptions
from pipeline.engines.ocr import OcrEngine, OcrText
from pipeline.model import DocType, Document, Field, FileStatus, InputFile, Verdict
from pipeline.report import ReportOptions, write_reports
from pipeline.review import REVIEW_FILE, Review, read_review
from pipeline.stages import review as review_stage
from pipeline.work import DossierWork

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "batch"
AS_OF = dt.date(2026, 11, 25)
CASE = CaseFacts.model_validate({"category": "single_permit", "nationality": "IND", "entry_date": "2026-11-19",
                                 "application_date": "2026-11-25", "residence_countries": "IND"})
MEDICAL = "medisch_attest.png"
DATE_LINE = (0, 455, 1254, 492)
"""The closing line "Gedaan te ..., op 3 september 2026" of the sample medical certificate."""


class CountingEngine(OcrEngine):
    """The real engine, counting the calls that reach it."""

    name = "tesseract"

    def __init__(self, inner: OcrEngine) -> None:
        self.inner = inner
        self.calls = 0

    def recognize(self, image: Any, **kw: Any) -> OcrText:
        self.calls += 1
        return self.inner.recognize(image, **kw)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _review(folder: Path, **item: Any) -> None:
    data = {"review_version": 1, "dossier": folder.name, "reviewer": "A. Janssens", "reviewed_on": "2026-11-26",
            "items": [{"file": MEDICAL, "sha256": _sha(folder / MEDICAL), "page": 1, "field": "issue_date",
                       "value": "2026-09-03", "read": "", "decision": "correct",
                       "document_type": "medical_certificate"} | item]}
    (folder / REVIEW_FILE).write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.tesseract
def test_review_loop_end_to_end(tmp_path: Path) -> None:
    folder = tmp_path / "001-patel"
    shutil.copytree(SAMPLES / "001-patel", folder)
    with Image.open(folder / MEDICAL) as image:  # a stamp covers the date the certificate was drawn up
        ImageDraw.Draw(image).rectangle(DATE_LINE, fill="white")
        image.save(folder / MEDICAL)
    engine = CountingEngine(api.default_engine(RunOptions()))
    options = RunOptions(as_of=AS_OF, cache=str(tmp_path / "cache"), workers=2)

    def check() -> Any:
        engine.calls = 0
        return api.run(folder, options, engine=engine, cases=Cases({folder.name: CASE})).dossiers[0]

    first = check()
    assert first.verdict is Verdict.NEEDS_REVIEW and engine.calls > 0
    (blocking,) = [f for f in first.problems if f.severity.value == "blocking"]
    assert blocking.rule == "medical_certificate.max-age-6-months"
    assert blocking.evidence["review"] == [
        {"document": f"{MEDICAL}#1", "type": "medical_certificate", "field": "issue_date"}]

    _review(folder)
    second = check()
    assert engine.calls == 0  # every page from the cache: only the dossier stages ran again
    assert second.verdict is Verdict.READY
    medical = next(d for d in second.documents if d.file == MEDICAL)
    issue = medical.fields["issue_date"]
    assert (issue.value, issue.reviewer, issue.reviewed_on, issue.source) == (
        dt.date(2026, 9, 3), "A. Janssens", dt.date(2026, 11, 26), "review")
    out = tmp_path / "report"
    write_reports(api.RunReport(AS_OF, "conservative", (second,)), str(out), ReportOptions(lang="en"))
    assert "entered by A. Janssens on 2026-11-26" in (out / "report.html").read_text(encoding="utf-8")
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))["dossiers"][0]
    assert data["review"]["applied"][0] | {"value": "2026-09-03"} == data["review"]["applied"][0]
    assert {f["file"] for f in data["files"]} == {p.name for p in folder.iterdir()} - {REVIEW_FILE}

    with Image.open(folder / MEDICAL) as image:  # another scan of the certificate: the review no longer holds
        ImageDraw.Draw(image).rectangle((10, 1760, 14, 1764), fill="black")
        image.save(folder / MEDICAL)
    third = check()
    assert engine.calls > 0 and third.verdict is Verdict.NEEDS_REVIEW
    assert [(n.file, n.field, n.reason) for n in third.review_notes] == [(MEDICAL, "issue_date", "changed")]
    assert not third.reviewed_fields()


# ----- the review stages on hand-made dossiers (no OCR) ----------------------------------------------


def _work(review: Review | None, *, error: str = "") -> DossierWork:
    files = (InputFile("cert.pdf", "aa", 1, "application/pdf", FileStatus.PROCESSED, page_count=2),)
    docs = (
        Document("cert.pdf", (1,), DocType.OTHER, 0.4),
        Document("cert.pdf", (2,), DocType.APOSTILLE, 0.9,
                 fields={"issue_date": Field(dt.date(2026, 1, 2), 0.4, "ocr", 2, (1, 2, 3, 4), "2 janv 2026")}),
    )
    return DossierWork("d", RunOptions(as_of=AS_OF), CASE, files, (), documents=docs, review=review,
                       review_error=error)


def _item(**kw: Any) -> dict[str, Any]:
    return {"file": "cert.pdf", "sha256": "aa", "page": 1, "field": "type", "value": "criminal_record"} | kw


def _apply(work: DossierWork) -> DossierWork:
    return review_stage.apply_field_reviews(review_stage.apply_type_reviews(work))


def test_type_and_field_reviews_are_applied() -> None:
    review = Review.model_validate({"reviewer": "  B.  Peeters ", "reviewed_on": "2026-11-27", "items": [
        _item(), _item(page=2, field="issue_date", value="2026-01-02", decision="confirm",
                       reviewer="A. Janssens", reviewed_on="2026-11-26")]})
    done = _apply(_work(review))
    cert, apostille = done.documents
    assert (cert.type, cert.type_confidence) == (DocType.CRIMINAL_RECORD, 1.0)
    assert cert.type_review is not None and cert.type_review.original == "other"
    assert cert.type_review.reviewer == "B. Peeters"  # names are trimmed
    issue = apostille.fields["issue_date"]
    assert (issue.value, issue.confidence, issue.reviewer, issue.original, issue.bbox) == (
        dt.date(2026, 1, 2), 1.0, "A. Janssens", dt.date(2026, 1, 2), (1, 2, 3, 4))
    assert done.review_notes == ()


def test_unusable_items_are_dropped_with_a_reason() -> None:
    review = Review.model_validate({"reviewer": "A", "reviewed_on": "2026-11-27", "items": [
        _item(sha256="bb"), _item(file="gone.pdf"), _item(page=2, field="issue_date", value="2 January"),
        _item(value="spaceship")]})
    done = _apply(_work(review))
    assert [(n.file, n.field, n.reason) for n in done.review_notes] == [
        ("cert.pdf", "type", "changed"), ("gone.pdf", "type", "missing"), ("cert.pdf", "type", "invalid"),
        ("cert.pdf", "issue_date", "invalid")]
    assert done.documents == _work(None).documents  # nothing applied


def test_a_broken_review_file_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / REVIEW_FILE).write_text('{"reviewer": "", "items": 3}', encoding="utf-8")
    review, error = read_review(tmp_path)
    assert review is None and error.startswith("review.json cannot be used")
    done = _apply(_work(None, error=error))
    assert [n.reason for n in done.review_notes] == ["unreadable"]
    assert read_review(tmp_path / "absent") == (None, "")


def test_review_json_is_not_a_document(tmp_path: Path) -> None:
    from pipeline.context import RunContext
    from pipeline.stages import intake

    (tmp_path / REVIEW_FILE).write_text(json.dumps({"reviewer": "A", "reviewed_on": "2026-11-27"}))
    found = intake.ingest_dossier(intake.DossierSource("d", tmp_path), RunContext(RunOptions(), tmp_path))
    assert found.files == () and found.review is not None and found.review.reviewer == "A"
    assert dataclasses.replace(found, review=None).review_error == ""
