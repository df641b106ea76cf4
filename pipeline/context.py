"""Run options (validated at the boundary) and the run context handed to every stage."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from typing import Any

import pydantic

PROFILES = ("conservative", "official_minimum", "ugent_employer")
"""Profiles of RULES.md §0.8, in the order of the compact severity strings (the one list)."""


def default_workers() -> int:
    """One worker per CPU: OCR is CPU-bound and tesseract runs single-threaded here."""
    return max(1, os.cpu_count() or 1)


class RunOptions(pydantic.BaseModel):
    """Everything a run depends on besides its input files (the CLI's flags)."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    as_of: dt.date = pydantic.Field(default_factory=dt.date.today)
    """Evaluation date; ``application_date`` defaults to it."""
    profile: str = "conservative"
    workers: int = pydantic.Field(default_factory=default_workers, ge=1, le=64)
    cases: str | None = None
    """A ``cases.csv`` outside the batch folder (``--cases``)."""
    ocr_langs: str = "eng+fra+nld+deu"
    """Tesseract languages for full-page OCR. Spanish, Italian and Portuguese pages read well enough
    with these for classification and dates (the parsers fold accents); adding their models costs
    ~20 % more time per page (measured on a 300 dpi certificate: 1.37 s vs 1.64 s)."""
    ocr_long_side: int = 1800
    """Pages are downscaled to at most this long side before full-page OCR (A4 at ~155 dpi): on 20
    generated dossiers (126 pages) 1800 px and 2400 px gave the same types and dates (117/119 issue
    dates, 17/17 expiry), 1800 px in ~15 % less OCR time. MRZ bands are read from the full image."""
    ocr_timeout_s: float = 120.0
    max_file_bytes: int = 200 * 1024 * 1024
    """Larger files are reported as errors instead of being read (a scan is rarely > 50 MB)."""
    max_pages_per_file: int = 100
    """Pages after this are reported, not processed (a 500-page PDF is not a dossier scan)."""
    max_image_pixels: int = 150_000_000
    """Pillow decompression-bomb guard: an A4 page at 1200 dpi is 140 megapixels."""
    max_archive_bytes: int = 1 << 30
    """A ``.zip`` (with the archives nested in it) unpacks to at most this many bytes (1 GiB)."""
    max_archive_members: int = 1000
    """Files unpacked from one ``.zip`` tree at most (a dossier is tens of scans)."""
    pdf_render_dpi: int = 300
    cache: str | None = None
    """Page cache folder or fsspec URL; None: the user's cache folder; ``"off"``: no cache."""
    parameters: dict[str, Any] = pydantic.Field(default_factory=dict)
    """Rule-pack parameters from the user's parameters file (``--params``; README "Parameters file"),
    checked by ``validators.params.load_parameters``."""
    exclude: tuple[str, ...] = ()
    """Absolute folders that are not input (the report folder when it lies inside the checked folder)."""
    one_dossier: bool = False
    """The checked folder is one dossier even when it has sub-folders (a watch inbox's folder)."""

    @pydantic.field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        if value not in PROFILES:
            raise ValueError(f"unknown profile {value!r} (known: {', '.join(PROFILES)})")
        return value


@dataclasses.dataclass(frozen=True, slots=True)
class RunContext:
    """Options plus the folder for intermediate files; pickles, so it crosses process pools."""

    options: RunOptions
    work_dir: Path

    def path_for(self, sha256: str, page: int, name: str) -> Path:
        """Deterministic intermediate path: ``work/<sha[:16]>/000001_<name>``."""
        folder = self.work_dir / sha256[:16]
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{page:06d}_{name}"
