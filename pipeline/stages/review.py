"""Dossier stages that apply a person's review (``review.json``): document types, then field values.

A reviewed value replaces what was read, with confidence 1 and the reviewer's name and date, so the
rules take it as fact and the report says "confirmed by ... on ...". An item is dropped, and the
report says why, when the file's content changed since the review (another scan: read it again),
when the file or the document is gone, or when the value cannot be a value of that field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from pipeline.model import DocType, Document, Field
from pipeline.review import REVIEW_FILE, ReviewItem, ReviewNote, who
from pipeline.work import DossierWork

BOOLEAN_FIELDS = frozenset({"has_mrz", "mrz_valid", "doctor_accredited", "legalised"})
NUMBER_FIELDS = frozenset({"amount", "coverage_amount", "monthly_amount"})
_TRUE, _FALSE = frozenset({"true", "yes", "1", "oui", "ja"}), frozenset({"false", "no", "0", "non", "nee"})


def _parse(name: str, text: str, read: object) -> str | dt.date | bool | int | float:
    """A reviewed value in the type of its field (raises ValueError when it cannot be one).

    >>> _parse("expiry_date", "2031-03-12", None), _parse("mrz_valid", "yes", None)
    (datetime.date(2031, 3, 12), True)
    """
    text = text.strip()
    if name.endswith("_date") or isinstance(read, dt.date):
        return dt.date.fromisoformat(text)
    if name in BOOLEAN_FIELDS or isinstance(read, bool):
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise ValueError(f"{text!r} is not yes or no")
    if name in NUMBER_FIELDS or isinstance(read, int | float):
        number = float(text.replace(" ", "").replace(",", "."))
        return int(number) if number.is_integer() else number
    if not text:
        raise ValueError("empty value")
    return text


def _usable(work: DossierWork, fields: Iterable[str]) -> tuple[list[ReviewItem], list[ReviewNote]]:
    """Review items for these fields whose file is present and unchanged; notes for the others."""
    if work.review is None:
        return [], []
    wanted = set(fields)
    hashes = {f.file: f.sha256 for f in work.files}
    items, notes = [], []
    for item in work.review.items:
        if item.field not in wanted:
            continue
        if item.file not in hashes:
            notes.append(ReviewNote(file=item.file, field=item.field, reason="missing",
                                    reviewed_on=work.review.reviewed_on))
        elif hashes[item.file] != item.sha256:
            notes.append(ReviewNote(file=item.file, field=item.field, reason="changed",
                                    reviewed_on=work.review.reviewed_on))
        else:
            items.append(item)
    return items, notes


def _document_of(documents: Iterable[Document], item: ReviewItem) -> Document | None:
    """The document an item was read from: same file and page; among several, the one with the field."""
    candidates = [d for d in documents if d.file == item.file and (item.page is None or item.page in d.pages)]
    candidates.sort(key=lambda d: (item.field not in d.fields, d.type.value != item.document_type))
    return candidates[0] if candidates else None


def apply_type_reviews(work: DossierWork) -> DossierWork:
    """Dossier stage (after classification): reviewed document types, before fields are extracted."""
    notes = [ReviewNote(file=REVIEW_FILE, field="", reason="unreadable", detail=work.review_error)] \
        if work.review_error else []
    items, dropped = _usable(work, ["type"])
    notes += dropped
    documents = list(work.documents)
    review = work.review
    for item in items:
        assert review is not None  # items come from it
        doc = _document_of(documents, item)
        if doc is None:
            notes.append(ReviewNote(file=item.file, field="type", reason="missing", reviewed_on=review.reviewed_on))
        elif item.value not in {t.value for t in DocType}:
            notes.append(ReviewNote(file=item.file, field="type", reason="invalid", reviewed_on=review.reviewed_on,
                                    detail=item.value))
        else:
            name, day = who(review, item)
            reviewed = Field(value=item.value, confidence=1.0, source="review", reviewer=name, reviewed_on=day,
                             original=doc.type.value)
            documents[documents.index(doc)] = dataclasses.replace(
                doc, type=DocType(item.value), type_confidence=1.0, type_review=reviewed)
    return dataclasses.replace(work, documents=tuple(documents), review_notes=work.review_notes + tuple(notes))


def apply_field_reviews(work: DossierWork) -> DossierWork:
    """Dossier stage (after extraction, before the rules): reviewed field values replace what was read."""
    if work.review is None:
        return work
    review = work.review
    names = {item.field for item in review.items} - {"type"}
    items, notes = _usable(work, names)
    documents = list(work.documents)
    for item in items:
        doc = _document_of(documents, item)
        if doc is None:
            notes.append(ReviewNote(file=item.file, field=item.field, reason="missing", reviewed_on=review.reviewed_on))
            continue
        found = doc.fields.get(item.field)
        if found is None and item.field == "language" and doc.language:
            found = Field(doc.language, 0.0, "text")
        try:
            value = _parse(item.field, item.value, found.value if found is not None else None)
        except ValueError as exc:
            notes.append(ReviewNote(file=item.file, field=item.field, reason="invalid", reviewed_on=review.reviewed_on,
                                    detail=str(exc)))
            continue
        name, day = who(review, item)
        field = Field(
            value=value, confidence=1.0, source="review",
            page=found.page if found is not None else item.page,
            bbox=found.bbox if found is not None else None,
            raw=found.raw if found is not None else "",
            reviewer=name, reviewed_on=day,
            original=found.value if found is not None else None,
        )
        language = str(value).lower() if item.field == "language" else doc.language  # an attribute, not a field
        documents[documents.index(doc)] = dataclasses.replace(doc, fields={**doc.fields, item.field: field},
                                                              language=language)
    return dataclasses.replace(work, documents=tuple(documents), review_notes=work.review_notes + tuple(notes))
