"""End to end on a dossier drawn by a second, independent renderer (``tests/other_renderer.py``).

Nothing here comes from ``samples``: other fonts, layouts and wording. Every page must pass the capture
gate, be typed right and give the printed dates; the passport's MRZ must read and agree with its page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline import api
from pipeline.case import CaseFacts, Cases
from pipeline.context import RunOptions
from pipeline.model import DocType
from tests import other_renderer

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
