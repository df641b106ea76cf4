"""A reflection that burns out a few MRZ characters is named as glare; a clean zone is read."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from pipeline import api, capture_checks
from pipeline.capture_checks import ZoneEvidence
from pipeline.context import RunOptions
from pipeline.model import Page, Rejection, RejectionCode
from samples import capture
from samples.render import IdentityDocument, render_passport
from samples.texts import Person
from tests.pipeline.test_capture_checks import CLEAN

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("glare") / "dossier"
    folder.mkdir()
    person = Person("Reyes", "Maria", "F", dt.date(1990, 8, 14), "Manila", "PHL")
    doc = IdentityDocument("passport", person, "PHL", "P1181234A", dt.date(2022, 6, 1), dt.date(2032, 5, 31), "Manila")
    rng = np.random.default_rng(4)
    scan = capture.as_flatbed_scan(render_passport(doc, 300), 300, True, rng, margin=False)
    glare, code = capture.mrz_glare(scan, rng)
    assert code == "glare"
    (folder / "clean.jpg").write_bytes(capture.encode(scan, "jpeg", 90))
    (folder / "glare.jpg").write_bytes(capture.encode(glare, "jpeg", 90))
    result = api.run_dossier(folder, RunOptions(as_of=AS_OF, cache="off", workers=1))
    return {d.file: d for d in result.documents}


def test_reflection_over_the_mrz_is_named(report: dict[str, object]) -> None:
    doc = report["glare.jpg"]
    codes = [(r.code, r.evidence.get("where")) for r in doc.rejections]  # type: ignore[attr-defined]
    assert (RejectionCode.GLARE, "mrz") in codes
    assert "machine-readable zone" in doc.rejections[0].message  # type: ignore[attr-defined]


def test_clean_zone_is_read_and_not_blamed(report: dict[str, object]) -> None:
    doc = report["clean.jpg"]
    assert not doc.rejections  # type: ignore[attr-defined]
    assert doc.fields["mrz_valid"].value is True  # type: ignore[attr-defined]
    assert doc.fields["expiry_date"].value == dt.date(2032, 5, 31)  # type: ignore[attr-defined]


def test_no_glare_verdict_without_an_unreadable_zone() -> None:
    """A hole in the print is not blamed when the page shows no MRZ (a card front) or was rejected."""
    hole = dataclasses.replace(CLEAN, glare_card=0.01, card_fill=0.98)
    page = Page(file="x.jpg", sha256="0" * 64, number=1, text="IDENTITY CARD / CARTE D'IDENTITE\nSURNAME NOVAK")

    def glare(page: Page, zone: ZoneEvidence | None) -> bool:
        found = capture_checks.judge(page, hole, stage="identity", zone=zone)
        return any(r.code is RejectionCode.GLARE for r in found)

    front = ZoneEvidence(read=False, valid=False, edge_margin=None, printed=False)
    unreadable = ZoneEvidence(read=True, valid=False, edge_margin=2.0, edge="bottom", printed=True)
    assert not glare(page, front)
    assert glare(page, unreadable)
    dark = Rejection(RejectionCode.TOO_DARK, "too dark")
    assert not glare(dataclasses.replace(page, rejections=(dark,)), unreadable)
