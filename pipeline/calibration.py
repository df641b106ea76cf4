"""Confidence as a measured probability: how often a reading of this kind was right (issue 13 point 1).

Extraction records, for every field and every document type, the kind of evidence it rests on
(``Field.basis``, ``Document.type_basis``: "label:issue:adjacent", "label:sign:adjacent:ocr-low",
"title", "mrz+viz" ...). ``tools.calibrate_confidence`` counts, on generated batches of the *tuning*
layout families only (``samples.layouts.HELD_OUT`` stays out), how many readings of each kind were
right; this module turns those counts into the confidence the rules compare with their thresholds:
``(right + 1) / (readings + 2)`` (Laplace), so a kind seen 10 times and always right is 0.92, not 1.0,
and a kind seen rarely keeps the extraction's own score. The held-out families and
``../shared/external`` then show whether the numbers hold (README, reliability table).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from pathlib import Path

from pipeline.model import Document, Field

TABLE = Path(__file__).with_name("calibration.json")
MIN_READINGS = 8
"""Fewer readings of a kind than this: the extraction's own score stands."""
TYPE = "type"
"""Table key of document types."""


@functools.cache
def table(path: Path = TABLE) -> Mapping[str, Mapping[str, tuple[int, int]]]:
    """``{field: {basis: (readings, right)}}`` from the calibration file (empty when there is none)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: {basis: (int(n), int(ok)) for basis, (n, ok) in kinds.items()} for name, kinds in data.items()}


def measured(name: str, basis: str, fallback: float, counts: Mapping[str, Mapping[str, tuple[int, int]]]) -> float:
    """The measured confidence of a reading of ``basis`` for field ``name`` (``fallback`` if unmeasured).

    >>> measured("issue_date", "label:sign:adjacent", 0.5, {"issue_date": {"label:sign:adjacent": (10, 10)}})
    0.917
    >>> measured("issue_date", "letterhead", 0.8, {"issue_date": {"letterhead": (3, 3)}})
    0.8
    """
    n, right = counts.get(name, {}).get(basis, (0, 0))
    if n < MIN_READINGS:
        return fallback
    return round((right + 1) / (n + 2), 3)


def calibrate(document: Document, counts: Mapping[str, Mapping[str, tuple[int, int]]] | None = None) -> Document:
    """The document with its type and field confidences replaced by measured ones where measured."""
    counts = table() if counts is None else counts
    if not counts:
        return document
    fields = {
        name: dataclasses.replace(field, confidence=measured(name, field.basis, field.confidence, counts))
        if field.basis
        else field
        for name, field in document.fields.items()
    }
    type_confidence = document.type_confidence
    if document.type_basis:
        type_confidence = measured(TYPE, f"{document.type.value}:{document.type_basis}", type_confidence, counts)
    return dataclasses.replace(document, fields=fields, type_confidence=type_confidence)


def keys(document: Document) -> dict[str, tuple[str, Field | None]]:
    """Calibration keys of a document: ``{field: (basis, field)}`` plus ``type`` (for the counting tool)."""
    out: dict[str, tuple[str, Field | None]] = {
        name: (field.basis, field) for name, field in document.fields.items() if field.basis
    }
    if document.type_basis:
        out[TYPE] = (f"{document.type.value}:{document.type_basis}", None)
    return out
