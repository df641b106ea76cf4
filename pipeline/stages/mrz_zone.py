"""MRZ stage: find and read the machine-readable zone of identity pages (check digits decide trust)."""

from __future__ import annotations

import dataclasses
import logging
import re

import numpy as np

from pipeline import mrz
from pipeline.engines import mrz_reader
from pipeline.engines.imaging import PageDecodeError
from pipeline.model import Page, PageMrz
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

REJECTED_PAGE_CALLS = 2
"""OCR calls of the closer MRZ search on a page that was not OCR'd (a clean zone reads in one)."""

REQUIRES = ("text", "text_layer", "rejections")
"""Page fields the stage reads."""
PROVIDES = ("mrz",)
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
    # Arrays of the shared raster and of its luminance (made once for OCR): no copy made here again.
    grey = np.asarray(work.pixels.grey(max(image.size)))
    read = mrz_reader.read_mrz(np.asarray(image), today=as_of, closer=closer, grey=grey)
    # The reader's own stages, in CPU seconds, beside the page stages' wall seconds.
    page = dataclasses.replace(page, seconds={**page.seconds, **{f"mrz_cpu.{k}": v for k, v in read.timings.items()}})
    if read.result is None:
        return page
    log.debug("MRZ on %s: %s valid=%s trusted=%s %s", page.ref, read.result.format, read.valid, read.trusted,
              "; ".join(read.reasons))
    return dataclasses.replace(page, mrz=PageMrz(read.result, read.bbox, read.confidence, "image"))
