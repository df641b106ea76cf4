"""Capture and quality gate: measure each page image and run the image capture checks on it.

The checks themselves live in :mod:`pipeline.capture_checks`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from pipeline.capture_checks import CHECKS, MESSAGES, CaptureFacts, effective_dpi, judge
from pipeline.engines import imaging
from pipeline.model import IDENTITY_TYPES, Page, Rejection, RejectionCode
from pipeline.quality_config import DEFAULT, QualityThresholds
from pipeline.work import DossierWork, PageWork

log = logging.getLogger(__name__)

REQUIRES = ("image", "frame", "dpi", "exif", "text_layer")
"""Page fields the page stage reads."""
PROVIDES = ("rejections", "quality")
"""Page fields the page stage sets."""


def check_image_quality(page: Page, work: PageWork, thresholds: QualityThresholds = DEFAULT) -> Page:
    """Measure a page image and record why it cannot be used, if it cannot.

    A page with a text layer (born-digital PDF) is never judged as a photo: it is returned
    unchanged. Greyscale is measured (``colourfulness``) but not rejected here: identity documents
    are judged for it once classified (:func:`check_identity_colour`).

    Args:
        page: The page.
        work: Its shared pixels (decoded here on first use).
        thresholds: Decision thresholds.

    Returns:
        A new page with ``rejections`` (added to any existing ones) and ``quality`` metrics.
    """
    if page.has_text_layer or work.pixels is None:
        return page
    try:
        loaded = work.pixels.working()
    except imaging.PageDecodeError as exc:
        log.warning("cannot decode %s: %s", page.ref, exc)
        rej = Rejection(RejectionCode.UNREADABLE, MESSAGES[RejectionCode.UNREADABLE], {"error": str(exc)[:200]})
        return dataclasses.replace(page, rejections=(*page.rejections, rej))
    return apply_metrics(page, imaging.measure(loaded), thresholds)


def apply_metrics(page: Page, metrics: imaging.ImageMetrics, thresholds: QualityThresholds = DEFAULT) -> Page:
    """Judge already-measured metrics and return the updated page (used by tests and calibration)."""
    rejections = judge(page, metrics, thresholds)
    quality = metrics.as_dict()
    dpi, _ = effective_dpi(page, metrics, thresholds)
    quality["effective_dpi"] = round(dpi, 1)
    log.debug("%s: %s", page.ref, [r.code.value for r in rejections])
    return dataclasses.replace(page, rejections=(*page.rejections, *rejections), quality=quality)


def greyscale_rejection(page: Page, thresholds: QualityThresholds = DEFAULT) -> Rejection | None:
    """The ``identity.greyscale`` check on a measured page (RULES.md scan_colour_copy).

    Call it only for passports, ID cards and residence cards: certificates may be grey.

    Args:
        page: A page that went through :func:`check_image_quality`.
        thresholds: Decision thresholds.

    Returns:
        The rejection, or None when the page is in colour or was not measured.
    """
    if "colourfulness" not in page.quality:
        return None
    facts = CaptureFacts(page, imaging.ImageMetrics.from_dict(page.quality), page.rejections)
    return CHECKS["identity.greyscale"].check(facts, thresholds)


def greyscale_document(pages: Sequence[Page], thresholds: QualityThresholds = DEFAULT) -> list[Rejection]:
    """The greyscale rejection of an identity document copied in black and white (its pages).

    A page stored without colour decides alone. Low colourfulness decides only when every
    page of the document shows it: a card back can be printed in pale tints (gen: a Colombian
    card back at 150 dpi measured 1.7) while its front, scanned in the same pass, is colourful.
    """
    grey = [greyscale_rejection(p, thresholds) for p in pages]
    exact = [r for r in grey if r is not None and r.evidence.get("exact_grey")]
    if exact:
        return exact
    return [r for r in grey if r is not None] if grey and all(grey) else []


def check_identity_colour(work: DossierWork, thresholds: QualityThresholds = DEFAULT) -> DossierWork:
    """Dossier stage: reject identity documents copied in black and white (RULES.md scan_colour_copy)."""
    documents = []
    for doc in work.documents:
        if doc.type in IDENTITY_TYPES:
            grey = greyscale_document(work.pages_of(doc), thresholds)[:1]
            doc = dataclasses.replace(doc, rejections=doc.rejections + tuple(grey))
        documents.append(doc)
    return work.replace_documents(documents)
