"""A person's review of values the pipeline could not read with confidence: ``review.json`` in the dossier folder.

Why a file in the dossier folder (and not a Prefect flow-run input form): the report works offline,
from ``file://``, for clerks who never see the Prefect UI; the form in ``report.html`` downloads the
file, the clerk drops it next to the scans, and every way of running a check (``dossier check``,
``watch``, the nightly schedule, an ``s3://`` batch) finds it there. It travels and is archived with
the dossier, it records who confirmed what and when, and each item names the content hash of the
file it was read from, so a replaced scan silently loses its confirmations (and says so).

A run with a review costs no OCR: the scans are unchanged, so their pages come from the page cache;
only the dossier stages run again, with the reviewed values.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

import pydantic

REVIEW_FILE = "review.json"
REVIEW_VERSION = 1


class ReviewItem(pydantic.BaseModel):
    """One value a person confirmed or corrected."""

    model_config = pydantic.ConfigDict(extra="ignore")

    file: str
    """Dossier-relative path of the file the value was read from."""
    sha256: str
    """Content hash of that file when it was reviewed: a changed file drops the item."""
    page: int | None = None
    field: str
    """Field name (``issue_date``...) or ``type`` for the document type."""
    value: str
    """The value as the person gives it (ISO date for dates)."""
    read: str | None = None
    """What the pipeline had read (shown next to the correction)."""
    decision: Literal["confirm", "correct"] = "correct"
    document_type: str | None = None
    reviewer: str | None = None
    """Who reviewed this item, when it was kept from an earlier review (else the file's reviewer)."""
    reviewed_on: dt.date | None = None


class Review(pydantic.BaseModel):
    """The content of ``review.json``."""

    model_config = pydantic.ConfigDict(extra="ignore")

    review_version: int = REVIEW_VERSION
    dossier: str | None = None
    reviewer: str = pydantic.Field(min_length=1)
    reviewed_on: dt.date
    items: list[ReviewItem] = []

    @pydantic.field_validator("reviewer")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("the reviewer's name is empty")
        return value


def who(review: Review, item: ReviewItem) -> tuple[str, dt.date]:
    """Reviewer and date of one item (an item kept from an earlier review keeps its own)."""
    return item.reviewer or review.reviewer, item.reviewed_on or review.reviewed_on


MAX_REVIEW_BYTES = 4_000_000
"""A review of even a thousand values is far smaller; a larger file is not read."""


def read_review(folder: Path) -> tuple[Review | None, str]:
    """The dossier's ``review.json``: (review, "") or (None, why it cannot be used); (None, "") when absent."""
    path = folder / REVIEW_FILE
    try:
        if not path.is_file():
            return None, ""
        if (size := path.stat().st_size) > MAX_REVIEW_BYTES:
            return None, f"{REVIEW_FILE} cannot be used: {size:,} bytes, more than a review holds"
        data: Any = json.loads(path.read_text(encoding="utf-8-sig"))
        return Review.model_validate(data), ""
    except RecursionError:
        return None, f"{REVIEW_FILE} cannot be used: nested too deeply to be a review"
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # pydantic.ValidationError is a ValueError
        first = str(exc).splitlines()
        return None, f"{REVIEW_FILE} cannot be used: {' '.join(first[:3])[:300]}"


class ReviewNote(pydantic.BaseModel):
    """A reviewed value that was not applied, and why (shown in the report, kept in report.json)."""

    model_config = pydantic.ConfigDict(frozen=True)

    file: str
    field: str
    reason: Literal["changed", "missing", "invalid", "unreadable"]
    """``changed``: the file's content changed since the review; ``missing``: the file or document is
    gone; ``invalid``: the value cannot be a value of that field; ``unreadable``: review.json itself."""
    reviewed_on: dt.date | None = None
    detail: str = ""
