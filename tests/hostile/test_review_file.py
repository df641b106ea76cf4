"""Hostile ``review.json`` files (issue 12's review loop reads them back): a clear note, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import api
from pipeline.review import MAX_REVIEW_BYTES, REVIEW_FILE
from tests.hostile.helpers import OPTIONS, small_batch

REVIEWS: dict[str, bytes] = {
    "not JSON": b"{this is not json",
    "binary": bytes(range(256)) * 4,
    "UTF-16 without BOM": json.dumps({"items": []}).encode("utf-16-le"),
    "a list": b"[1, 2, 3]",
    "nested 100000 deep": b"[" * 100_000 + b"]" * 100_000,
    "wrong types": json.dumps({"review_version": "x", "items": "everything"}).encode(),
    "markup": json.dumps({"reviewer": "<script>alert(1)</script>", "items": [{"file": "=1+1"}]}).encode(),
    "empty": b"",
}


@pytest.mark.parametrize("kind", sorted(REVIEWS))
def test_a_bad_review_file_is_reported_and_the_batch_goes_on(tmp_path: Path, kind: str) -> None:
    batch = small_batch(tmp_path / "batch")
    (batch / "001-a" / REVIEW_FILE).write_bytes(REVIEWS[kind])
    report = api.run(batch, OPTIONS)
    first, second = report.dossiers
    assert [f.file for f in first.files] == ["contract.pdf"]  # review.json is no document
    assert any(REVIEW_FILE in n.detail for n in first.review_notes), first.review_notes
    assert not second.review_notes and second.files[0].status.value == "processed"


def test_a_huge_review_file_is_not_read(tmp_path: Path) -> None:
    batch = small_batch(tmp_path / "batch", ("001-a",))
    with (batch / "001-a" / REVIEW_FILE).open("wb") as handle:
        handle.truncate(MAX_REVIEW_BYTES + 1)  # sparse: costs no disk
    (dossier,) = api.run(batch / "001-a", OPTIONS).dossiers
    assert any("more than a review holds" in n.detail for n in dossier.review_notes), dossier.review_notes
