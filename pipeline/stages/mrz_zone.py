"""MRZ stage: find and read the machine-readable zone of identity pages (check digits decide trust)."""

from __future__ import annotations

import dataclasses
import logging
import re

from pipeline import mrz
from pipeline.engines import mrz_reader
from pipeline.engines.imaging import PageDecodeError
from pipeline.model import Page, PageMrz, Rejection, RejectionCode
from pipeline.quality_config import DEFAULT, QualityThresholds
from pipeline.work import PageWork

log = logging.getLogger(__name__)


_MRZ_HINT = re.compile(
    r"[<«]|\b(passport|passeport|paspoort|reisepass|pasaporte|passaporto|identity card|carte d.identit|"
    r"identiteitskaart|personalausweis|documento de identidad|carta d.identit|residence card|titre de s[eé]jour|"
    r"verblijfs)",
    re.IGNORECASE,
)
"""What full-page OCR of an identity page shows: a filler, or the document's own name."""
_MRZ_RUN = re.compile(r"\b[A-Z0-9]{20,}\b")
"""An MRZ line read without its fillers (case-sensitive: long German words are not one).

The stock model reads OCR-B poorly. Of the 46 real images with an MRZ (../shared/external/mrz),
full-page OCR showed no ``<<`` run on 10: 4 gave no text at all (read anyway), 3 a single ``<``,
1 such a run, 1 the document's name; 1 (a Latvian page) none of these."""


_MRZ_FILLERS = re.compile(r"[<«]{2}")
"""A run of MRZ fillers in full-page OCR: the page shows a zone."""
_MRZ_PRINTED = re.compile(rf"{_MRZ_FILLERS.pattern}|{_MRZ_RUN.pattern}")
"""Full-page OCR shows part of an MRZ: a run of fillers or an MRZ line."""

REJECTED_PAGE_CALLS = 2
"""OCR calls of the closer MRZ search on a page that was not OCR'd (a clean zone reads in one)."""

MRZ_GLARE_MESSAGE = (
    "A reflection washes out part of the machine-readable zone (the lines with <<< at the bottom), "
    "so it cannot be read. Scan the page again, lying flat on the glass with the lid closed."
)


def mrz_glare(page: Page, t: QualityThresholds = DEFAULT) -> Rejection | None:
    """A reflection over an MRZ that shows on the page but cannot be read (its check digits fail).

    Too small to reject a page by itself (a few characters), a hole burnt into the security
    print explains why the zone is unreadable; without it the page is not blamed on glare.
    """
    if not page.accepted or not _MRZ_PRINTED.search(page.text):
        return None
    hole, fill = page.quality.get("glare_card", 0.0), page.quality.get("card_fill", 0.0)
    if fill < t.glare_card_fill or hole < t.mrz_glare_card:
        return None
    evidence: dict[str, float | str | bool] = {
        "metric": round(hole, 4),
        "threshold": t.mrz_glare_card,
        "metric_name": "glare_card",
        "where": "mrz",
    }
    return Rejection(RejectionCode.GLARE, MRZ_GLARE_MESSAGE, evidence)


REQUIRES = ("text", "text_layer", "rejections", "quality")
"""Page fields the stage reads."""
PROVIDES = ("mrz", "rejections")
"""Page fields the stage sets."""


def may_hold_mrz(page: Page) -> bool:
    """Whether the MRZ reader should look at this page.

    Rejected pages are not OCR'd, so the reader decides for them; an OCR'd page is searched only
    when its text shows an MRZ filler or line, or names an identity document (the reader costs about a second
    on a page of running text, and certificates are most pages of a dossier).
    """
    if page.image is None:
        return False
    if not page.accepted or not page.text.strip():
        return True
    return bool(_MRZ_HINT.search(page.text) or _MRZ_RUN.search(page.text))


def read_mrz_zone(page: Page, work: PageWork) -> Page:
    """Read the MRZ of a page, if it has one, into ``page.mrz`` (parsed once, checked by its digits).

    Text-layer pages are searched in their text; raster pages are searched in the image (any
    orientation). Rejected pages too: full-page OCR is skipped for them, but the MRZ band is small and
    tells that the rejected page is a passport, so the report names the right document.
    """
    as_of = work.ctx.options.as_of
    if page.has_text_layer:
        lines = mrz.find_mrz_lines(page.text_layer)
        if not lines:
            return page
        result = mrz.parse_mrz("\n".join(lines), today=as_of)
        return dataclasses.replace(page, mrz=PageMrz(result, None, 1.0 if result.valid else 0.3, "text"))
    if work.pixels is None or not may_hold_mrz(page):
        return page
    # The closer (slower) search where OCR saw MRZ fillers; on a rejected page (not OCR'd) with a
    # few calls only, as its zone merely names its type (a passport photographed with a phone) and
    # an unreadable one would cost up to 10 calls more; a card front or an apostille's « quotes »
    # hint at an identity page but show no zone.
    closer: int | None = None
    if not _MRZ_FILLERS.search(page.text):
        closer = 0 if page.text.strip() else REJECTED_PAGE_CALLS
    try:
        image = work.pixels.full
    except PageDecodeError:  # the quality gate already rejected it as unreadable
        return page
    read = mrz_reader.read_mrz(image, today=as_of, closer=closer)
    # The reader's own stages, in CPU seconds, beside the page stages' wall seconds.
    page = dataclasses.replace(page, seconds={**page.seconds, **{f"mrz_cpu.{k}": v for k, v in read.timings.items()}})
    glare = None if read.valid else mrz_glare(page)
    if glare is not None:
        log.debug("MRZ on %s unreadable under a reflection (%.4f)", page.ref, glare.evidence["metric"])
        page = dataclasses.replace(page, rejections=(*page.rejections, glare))
    if read.result is None:
        return page
    log.debug("MRZ on %s: %s valid=%s trusted=%s %s", page.ref, read.result.format, read.valid, read.trusted,
              "; ".join(read.reasons))
    return dataclasses.replace(page, mrz=PageMrz(read.result, read.bbox, read.confidence, "image"))
