"""The held-out MRZ string fixtures: every string parsed (valid) or rejected (invalid) correctly.

The data lives outside the repo (``shared/external/mrz``) and is never copied in; the tests
skip when it is absent.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline import mrz
from tools.evaluate_mrz import expected_from_icao, observed

EXTERNAL = Path(__file__).resolve().parents[2].parent / "shared" / "external" / "mrz"
STRINGS = EXTERNAL / "mrz_strings" / "mrz_strings.jsonl"
NOISY = EXTERNAL / "mrz_strings" / "mrz_noisy_ocr_like.jsonl"

pytestmark = pytest.mark.skipif(not STRINGS.is_file(), reason=f"external MRZ data absent ({EXTERNAL})")


def _rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


ROWS = _rows(STRINGS)


def test_fixture_count() -> None:
    assert len(ROWS) == 135
    assert sum(not r["icao_parse"]["all_checks_valid"] for r in ROWS) == 45


@pytest.mark.parametrize("row", ROWS, ids=[f"{i:03d}-{r['format']}" for i, r in enumerate(ROWS)])
def test_string_parsed_or_rejected(row: dict[str, Any]) -> None:
    want = expected_from_icao(row["icao_parse"])
    got = observed(mrz.parse_mrz(row["mrz"], today=dt.date(2026, 1, 1)))
    assert got == want


def test_belgian_long_numbers() -> None:
    belgian = [r for r in ROWS if r["icao_parse"].get("issuer") == "BEL" and r["format"] == "TD1"]
    assert belgian
    for row in belgian:
        result = mrz.parse_mrz(row["mrz"], today=dt.date(2026, 1, 1))
        assert result.document_number == row["icao_parse"]["document_number"]
        assert result.valid == row["icao_parse"]["all_checks_valid"]


@pytest.mark.parametrize("row", _rows(NOISY), ids=lambda r: r["mrz"][:12])
def test_noisy_strings_never_accept_a_wrong_expiry(row: dict[str, Any]) -> None:
    result = mrz.parse_mrz(row["mrz"], today=dt.date(2026, 1, 1))
    if result.valid:
        clean = mrz.parse_mrz(result.mrz_text, today=dt.date(2026, 1, 1), repair=False)
        assert clean.valid and clean.expiry_date == result.expiry_date
