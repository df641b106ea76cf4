"""The typed values the stages pass along: one page at work, one dossier at work (see ``api``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from pipeline.case import CaseFacts
from pipeline.context import RunContext, RunOptions
from pipeline.engines.imaging import PagePixels
from pipeline.engines.ocr import OcrEngine
from pipeline.model import Document, EvidenceImage, Finding, InputFile, Page
from pipeline.review import Review, ReviewNote


@dataclasses.dataclass(frozen=True, slots=True)
class PageWork:
    """What a page stage works with besides the page itself."""

    ctx: RunContext
    engine: OcrEngine
    """The OCR engine (models stay loaded between pages)."""
    pixels: PagePixels | None = None
    """The page raster, decoded once on first use and shared by every page stage (None: no raster)."""

    @classmethod
    def of(cls, page: Page, ctx: RunContext, engine: OcrEngine) -> PageWork:
        """The work value of one page: its raster (if any) to be decoded on first use."""
        options = ctx.options
        pixels = None if page.image is None else PagePixels(
            page.image, page.frame, options.max_image_pixels, pdf_dpi=options.pdf_render_dpi)
        return cls(ctx, engine, pixels)


@dataclasses.dataclass(frozen=True, slots=True)
class DossierWork:
    """One dossier on its way through the dossier stages: each stage returns a new value."""

    id: str
    options: RunOptions
    case: CaseFacts
    """Case facts with their defaults applied (``application_date`` = the evaluation date)."""
    files: tuple[InputFile, ...]
    """Every input file with its status."""
    pages: tuple[Page, ...]
    """Every processed page (quality gate, OCR and MRZ done)."""
    documents: tuple[Document, ...] = ()
    findings: tuple[Finding, ...] = ()
    folder: str = ""
    """The dossier folder the files were read from (the report links to them)."""
    case_given: bool = True
    """False when no ``cases.csv`` row and no ``case.toml`` gave the case facts (defaults were used)."""
    evidence: Mapping[tuple[str, int, str], EvidenceImage] = dataclasses.field(default_factory=dict)
    """Pictures for the report by (file, page, ``thumb`` | ``mrz`` | field name)."""
    review: Review | None = None
    """Values a person confirmed or corrected (``review.json``), applied by the review stages."""
    review_error: str = ""
    """Why ``review.json`` could not be used (empty when absent or fine)."""
    review_notes: tuple[ReviewNote, ...] = ()
    """Reviewed values that were not applied, and why."""

    def pages_of(self, document: Document) -> list[Page]:
        """The pages a document is made of, in order."""
        wanted = set(document.pages)
        return [p for p in self.pages if p.file == document.file and p.number in wanted]

    def replace_documents(self, documents: Sequence[Document]) -> DossierWork:
        """This dossier with other documents."""
        return dataclasses.replace(self, documents=tuple(documents))


PageStage = Callable[[Page, PageWork], Page]
"""A per-page stage: returns a new page, never mutates its input."""
DossierStage = Callable[[DossierWork], DossierWork]
"""A per-dossier stage: returns a new dossier value, never mutates its input."""
