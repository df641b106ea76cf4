"""The HTML report in a real headless Chromium (Debian's), opened from disk: filter, sort, links, evidence,
review form. Skipped where Chromium or Playwright is missing, except in CI (scripts/setup installs both)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from pipeline.case import CaseFacts
from pipeline.context import RunOptions
from pipeline.model import (
    ActionKind,
    DocType,
    Document,
    EvidenceImage,
    Field,
    FileStatus,
    Finding,
    InputFile,
    Severity,
    Status,
    Verdict,
)
from pipeline.report import DossierReport, ReportOptions, RunReport, write_reports
from pipeline.review import Review
from pipeline.stages import review as review_stage
from pipeline.work import DossierWork

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not os.environ.get("CI"):  # optional on a developer's machine; CI installs both and must run these tests
    pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    if CHROMIUM is None:
        pytest.skip("chromium not installed (apt-get install chromium)", allow_module_level=True)
from playwright.sync_api import sync_playwright  # noqa: E402

AS_OF = dt.date(2026, 11, 25)


def _jpeg(text: str, size: tuple[int, int] = (212, 300)) -> EvidenceImage:
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((10, size[1] // 2 - 5), text, fill="black")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return EvidenceImage(out.getvalue(), *size)


def _dossier(n: int, verdict: Verdict, folder: Path) -> DossierReport:
    ident = f"{n:03d}-{['sharma', 'peeters', 'garcia', 'nowak'][n % 4]}"
    (folder / ident).mkdir(parents=True)
    (folder / ident / "passport.jpg").write_bytes(_jpeg("passport").jpeg)
    sure = 0.99 if verdict is not Verdict.NEEDS_REVIEW else 0.3
    expiry = Field(dt.date(2027, 5, 2), sure, "ocr", 1, (10, 10, 50, 20))
    passport = Document("passport.jpg", (1,), DocType.PASSPORT, 0.98, fields={"expiry_date": expiry})
    findings = []
    if verdict is Verdict.NOT_READY:
        findings.append(Finding("passport.validity-12-months", Severity.BLOCKING, Status.FAIL,
                                "Passport expires 2027-05-02, less than 12 months after the application date",
                                "003_96541b0a4eb6ccbe.txt", ("passport.jpg#1",), action="Renew the passport",
                                kind=ActionKind.DOCUMENT_EXPIRES, values={"expiry": dt.date(2027, 5, 2)}))
    if verdict is Verdict.NEEDS_REVIEW:
        findings.append(Finding(
            "passport.valid-at-application", Severity.BLOCKING, Status.NOT_EVALUABLE,
            "Could not verify the validity of passport passport.jpg#1", "003_96541b0a4eb6ccbe.txt",
            ("passport.jpg#1",), action="Look at the expiry date", kind=ActionKind.FIELD_UNREADABLE,
            evidence={"review": [{"document": "passport.jpg#1", "type": "passport", "field": "expiry_date",
                                  "read": dt.date(2027, 5, 2), "confidence": 0.3, "page": 1}]}))
    ready_until = AS_OF + dt.timedelta(days=10 + n) if verdict is Verdict.READY else None
    return DossierReport(
        id=ident, verdict=verdict, ready_until=ready_until, case=CaseFacts().with_defaults(AS_OF),
        findings=tuple(findings), documents=(passport,),
        files=(InputFile("passport.jpg", f"sha-{n}", 10, "image/jpeg", FileStatus.PROCESSED, page_count=1),),
        folder=str(folder / ident),
        evidence={("passport.jpg", 1, "thumb"): _jpeg(f"thumb {n}"),
                  ("passport.jpg", 1, "expiry_date"): _jpeg(f"Date of expiry {n}", (400, 40))},
    )


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    verdicts = [Verdict.READY, Verdict.NOT_READY, Verdict.NEEDS_REVIEW]
    report = RunReport(AS_OF, "conservative", tuple(_dossier(n, verdicts[n % 3], root / "batch") for n in range(12)))
    write_reports(report, str(root / "out"), ReportOptions(lang="en"))
    write_reports(report, str(root / "out-fr"), ReportOptions(lang="fr"))
    return root


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True)
    opened = context.new_page()
    requested: list[str] = []
    opened.on("request", lambda request: requested.append(request.url))
    opened.requested = requested
    yield opened
    context.close()


def _visible_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all("#overview-table tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.id)")


def test_filter_sort_and_follow_a_link(report_dir: Path, page: Any) -> None:
    page.goto((report_dir / "out" / "report.html").as_uri())
    assert len(_visible_ids(page)) == 12
    page.fill("#filter", "sharma")
    assert _visible_ids(page) == ["000-sharma", "004-sharma", "008-sharma"]
    assert page.text_content("#shown") == "3 of 12 dossiers shown"
    page.select_option("#verdict-filter", "not_ready")
    assert _visible_ids(page) == ["004-sharma"]
    page.fill("#filter", "")
    assert _visible_ids(page) == ["001-peeters", "004-sharma", "007-nowak", "010-garcia"]
    page.select_option("#verdict-filter", "")
    page.click("th:has-text('Ready until')")  # ascending: the earliest ready_until first, empty last
    assert _visible_ids(page)[:2] == ["000-sharma", "003-nowak"]
    page.click("th:has-text('Ready until')")
    assert _visible_ids(page)[0] == "009-peeters"

    page.click("#overview-table a:has-text('004-sharma')")
    assert page.evaluate("location.hash") == "#d-004-sharma"
    section = page.locator("#d-004-sharma")
    assert section.is_visible() and "not ready" in section.text_content()
    finding = section.locator("details.finding").first
    finding.locator("summary").click()  # the crops behind the finding
    crop = finding.locator(".crops img").first
    crop.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth", crop.element_handle()) == 400
    assert all(url.startswith(("file://", "blob:", "data:")) for url in page.requested), page.requested


def test_act_soon_list_and_file_link(report_dir: Path, page: Any) -> None:
    page.goto((report_dir / "out" / "report.html").as_uri())
    soon = page.locator("#act-soon li")
    assert soon.count() == 4  # ready dossiers whose ready_until falls within 30 days
    assert "000-sharma" in soon.first.text_content()
    href = page.get_attribute("#d-000-sharma table.documents a", "href")
    assert (report_dir / "out" / href).resolve() == report_dir / "batch" / "000-sharma" / "passport.jpg"


def test_review_form_writes_a_review_the_pipeline_applies(report_dir: Path, page: Any) -> None:
    page.goto((report_dir / "out-fr" / "report.html").as_uri() + "#d-002-garcia")
    form = page.locator("#d-002-garcia form.review-form")
    assert "Vérification" in form.text_content()
    form.locator("input[value=correct]").check()
    form.locator("input[name=value]").fill("2027-05-20")
    form.locator("button[type=submit]").click()
    assert "votre nom" in form.locator(".review-message").text_content().lower()  # a name is required
    form.locator("input[name=reviewer]").fill("A. Janssens")
    with page.expect_download() as download:
        form.locator("button[type=submit]").click()
    assert download.value.suggested_filename == "review.json"
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data == json.loads(form.locator("pre.review-json").text_content())
    review = Review.model_validate(data)
    assert (review.reviewer, review.dossier, len(review.items)) == ("A. Janssens", "002-garcia", 1)
    doc = Document("passport.jpg", (1,), DocType.PASSPORT, 0.98,
                   fields={"expiry_date": Field(dt.date(2027, 5, 2), 0.3, "ocr", 1)})
    work = DossierWork("002-garcia", RunOptions(as_of=AS_OF), CaseFacts(), (InputFile(
        "passport.jpg", "sha-2", 10, "image/jpeg", FileStatus.PROCESSED),), (), documents=(doc,), review=review)
    applied = review_stage.apply_field_reviews(work).documents[0].fields["expiry_date"]
    assert (applied.value, applied.reviewer, applied.original) == (dt.date(2027, 5, 20), "A. Janssens",
                                                                   dt.date(2027, 5, 2))

