"""Capture checks as data: one YAML file per check id in ``capture_cases/``, each with passing and rejecting cases.

A file holds ``check`` and ``cases``. A case gives what the check sees: ``metrics`` (overrides of a clean
300 dpi A4 scan, :data:`CLEAN`), ``page`` (``dpi``, ``exif``, ``text``), ``found`` (codes of the checks
that ran before it) and for ``identity`` checks a ``zone`` (:class:`~pipeline.capture_checks.ZoneEvidence`
fields); and ``expect``: ``reject`` or ``pass``. A rejecting case may name the ``evidence`` it must carry.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline import capture_checks
from pipeline.capture_checks import CHECKS, CaptureFacts, ZoneEvidence
from pipeline.engines.imaging import ImageMetrics
from pipeline.model import Page, Rejection, RejectionCode
from pipeline.quality_config import DEFAULT, QualityThresholds

CASE_DIR = Path(__file__).parent / "capture_cases"

CLEAN = ImageMetrics(
    doc_found=False, doc_area_fraction=1.0, corner_deviation=0.0, side_ratio_deviation=0.0, doc_rotation=0.0,
    rectangularity=1.0, doc_touches_border=4, background_texture=0.0, background_chroma=0.0,
    background_fraction=0.0, falloff=0.01, edge_width=2.4, edge_pixels=20000, text_height_px=28.0,
    text_components=2500, glare_blob=0.0, glare_total=0.0, washed_out_lines=0, luma_p2=40.0, ink_level=35.0,
    luma_p50=250.0, luma_p98=255.0, clipped_fraction=0.8, cut_lines=0, colourfulness=4.0, is_exact_grey=False,
    skew_angle=0.3, line_spread=0.1, body_line_spread=0.1, line_count=40, frame_aspect=3508 / 2480, flat_bar=0.0,
    long_side_px=3508, glare_card=0.0,
    border_run=1.0, lossless=False, card_fill=0.0, sheet_width_px=2480.0, sheet_height_px=3508.0, sheet_touches=4,
)  # fmt: skip
"""A clean colour A4 page scanned at 300 dpi, cropped to the sheet."""


def _load() -> list[tuple[str, dict[str, Any]]]:
    items = []
    for path in sorted(CASE_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["check"] == path.stem, f"{path.name} must hold the cases of check {path.stem}"
        items += [(data["check"], case) for case in data["cases"]]
    return items


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``check_case`` with every case of every file."""
    if "check_case" in metafunc.fixturenames:
        items = _load()
        metafunc.parametrize("check_case", items, ids=[f"{check}:{case['name']}" for check, case in items])


def facts_of(case: dict[str, Any]) -> CaptureFacts:
    """The evidence a case describes."""
    page_spec = dict(case.get("page", {}))
    found = tuple(Rejection(RejectionCode(code), "earlier check") for code in case.get("found", []))
    page = Page(
        file="case.jpg", sha256="0" * 64, number=1, dpi=page_spec.get("dpi", 300.0),
        exif=page_spec.get("exif", {}), text=page_spec.get("text", ""), rejections=found,
    )  # fmt: skip
    metrics = dataclasses.replace(CLEAN, **case.get("metrics", {}))
    zone = ZoneEvidence(**case["zone"]) if "zone" in case else None
    return CaptureFacts(page, metrics, found, zone)


def test_capture_check_case(check_case: tuple[str, dict[str, Any]]) -> None:
    check_id, case = check_case
    spec = CHECKS[check_id]
    thresholds = dataclasses.replace(DEFAULT, **case.get("thresholds", {}))
    rejection = spec.check(facts_of(case), thresholds)
    if case["expect"] == "pass":
        assert rejection is None, rejection
        return
    assert rejection is not None, f"{check_id} did not fire on {case['name']}"
    assert rejection.code is spec.code
    ev = rejection.evidence
    assert ev["check"] == check_id and ev["metric_name"] == spec.metric
    assert {"metric", "threshold"} <= set(ev), "every rejection shows its metric and threshold"
    assert "." in rejection.message and any(verb in rejection.message for verb in ("Scan", "scan")), (
        "every rejection says what to do"
    )
    for key, value in case.get("evidence", {}).items():
        assert ev[key] == value, (key, ev)


def test_every_check_has_cases_that_pass_and_reject() -> None:
    files = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in CASE_DIR.glob("*.yaml")}
    missing, unknown = sorted(set(CHECKS) - set(files)), sorted(set(files) - set(CHECKS))
    assert not missing and not unknown, (missing, unknown)
    for check_id, data in files.items():
        assert {case["expect"] for case in data["cases"]} == {"pass", "reject"}, check_id


def test_registry_refuses_duplicates_and_unknown_thresholds() -> None:
    def check(f: CaptureFacts, t: QualityThresholds) -> None:
        return None

    with pytest.raises(ValueError, match="registered twice"):
        capture_checks.capture_check("image.blurry", code=RejectionCode.BLURRY, metric="x", threshold="", title="t")(
            check
        )
    with pytest.raises(ValueError, match="unknown threshold"):
        capture_checks.capture_check("image.new", code=RejectionCode.BLURRY, metric="x", threshold="nope", title="t")(
            check
        )
    with pytest.raises(ValueError, match="dotted"):
        capture_checks.capture_check("Blurry", code=RejectionCode.BLURRY, metric="x", threshold="", title="t")(check)


def test_every_check_is_documented() -> None:
    for spec in CHECKS.values():
        assert len(spec.note) > 80, f"{spec.id}: say what it checks and why"
        assert spec.title and spec.stage in ("image", "identity", "document")


def test_judge_runs_the_image_checks_in_order() -> None:
    photo = dataclasses.replace(CLEAN, frame_aspect=4 / 3, background_chroma=6.0, background_fraction=0.3,
                                doc_found=True, doc_touches_border=2, border_run=0.9, long_side_px=4032)  # fmt: skip
    page = Page(file="p.jpg", sha256="0" * 64, number=1, dpi=72.0)
    codes = [r.code for r in capture_checks.judge(page, photo)]
    # The capture kind first; the photo's sheet running out of the frame after it.
    assert codes == [RejectionCode.PHONE_PHOTO, RejectionCode.CUT_OFF]
    assert capture_checks.judge(page, CLEAN) == []
