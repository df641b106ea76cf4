"""Evidence for the report: a thumbnail and a reduced view of each page, then the crop of each value read.

The page stage works on the shared decoded raster (nothing is decoded again) and its result is cached
with the page, so a re-run from the cache still has its pictures. The dossier stage cuts, from that
view, the line each field was read from (with the line above, where labels of passports sit) and the
machine-readable zone, so a clerk sees what the reading rests on.
"""

from __future__ import annotations

import dataclasses
import logging

from PIL import Image

from pipeline.engines.imaging import WORK_LONG_SIDE, PageDecodeError, fit
from pipeline.engines.jpeg import clip, from_jpeg, to_jpeg
from pipeline.model import BBox, EvidenceImage, Page, PageEvidence
from pipeline.work import DossierWork, PageWork

log = logging.getLogger(__name__)

REQUIRES = ("mrz",)
"""Page fields the page stage reads."""
PROVIDES = ("evidence",)
"""Page fields the page stage sets."""

THUMB_LONG_SIDE = 300
"""Thumbnails: an A4 page at 212 × 300 px, about 4 KB (shown 120 px high; sharp on a 2x screen)."""
THUMB_QUALITY = 70
VIEW_QUALITY = 55
"""The grey view at the OCR size (A4 at ~155 dpi) is ~60 KB: it stays in the page cache, not the report."""
MRZ_MAX_WIDTH = 900
CROP_MAX_WIDTH = 640
CROP_QUALITY = 60
LINE_ABOVE = 1.6
"""Crop from this many box heights above a value (passport labels sit on the line above)."""
LINE_BELOW = 0.5
LEFT_SHARE = 0.45
"""Crop this share of the page width left of a value (labels on the same line)."""


def keep_evidence(page: Page, work: PageWork) -> Page:
    """Thumbnail, grey view and MRZ crop of a raster page (text-layer pages have no raster: no evidence)."""
    if work.pixels is None:
        return page
    try:
        full = work.pixels.full
    except PageDecodeError:  # unreadable: the quality gate already said so
        return page
    view = work.pixels.grey(work.ctx.options.ocr_long_side)  # the OCR copy, already made: no extra resize
    mrz = None
    if page.mrz is not None and page.mrz.bbox is not None:
        x0, y0, x1, y1 = page.mrz.bbox
        pad = 0.04 * (x1 - x0)
        box = clip((x0 - pad, y0 - pad, x1 + pad, y1 + pad), full.width, full.height)
        if box is not None:
            mrz = to_jpeg(full.crop(box), quality=CROP_QUALITY, grey=True, max_width=MRZ_MAX_WIDTH)
    evidence = PageEvidence(
        # From the quality gate's copy (every raster page has it): a thumbnail needs no full-size pass.
        thumb=to_jpeg(fit(work.pixels.fit(WORK_LONG_SIDE), THUMB_LONG_SIDE), quality=THUMB_QUALITY),
        view=to_jpeg(view, quality=VIEW_QUALITY, grey=True),
        scale=view.width / full.width if full.width else 1.0,
        mrz=mrz,
    )
    return dataclasses.replace(page, evidence=evidence)


def _line_crop(evidence: PageEvidence, view: Image.Image, bbox: BBox) -> EvidenceImage | None:
    """The line a value was read from, with its label, cut from the page's decoded grey ``view``."""
    s = evidence.scale
    x0, y0, x1, y1 = (v * s for v in bbox)
    h = max(y1 - y0, 8.0)
    box = clip((x0 - LEFT_SHARE * view.width, y0 - LINE_ABOVE * h, x1 + 3 * h, y1 + LINE_BELOW * h),
               view.width, view.height)
    return None if box is None else to_jpeg(view.crop(box), quality=CROP_QUALITY, grey=True,
                                            max_width=CROP_MAX_WIDTH)


def cut_evidence(work: DossierWork) -> DossierWork:
    """Thumbnails of every page and, per document field with a position, the crop it was read from."""
    images: dict[tuple[str, int, str], EvidenceImage] = {}
    pages = {(p.file, p.number): p for p in work.pages}
    for page in work.pages:
        if page.evidence is not None:
            images[(page.file, page.number, "thumb")] = page.evidence.thumb
            if page.evidence.mrz is not None:
                images[(page.file, page.number, "mrz")] = page.evidence.mrz
    cut: dict[tuple[str, int, BBox], EvidenceImage | None] = {}
    views: dict[tuple[str, int], Image.Image] = {}
    for doc in work.documents:
        for name, found in doc.fields.items():
            if found.bbox is None or found.page is None:
                continue
            source = pages.get((doc.file, found.page))
            if source is None or source.evidence is None:
                continue
            if source.mrz is not None and found.bbox == source.mrz.bbox and source.evidence.mrz is not None:
                images[(doc.file, found.page, name)] = source.evidence.mrz
                continue
            key = (doc.file, found.page, found.bbox)
            if key not in cut:
                if (doc.file, found.page) not in views:  # each page's view decoded once
                    views[(doc.file, found.page)] = from_jpeg(source.evidence.view)
                cut[key] = _line_crop(source.evidence, views[(doc.file, found.page)], found.bbox)
            crop = cut[key]
            if crop is not None:
                images[(doc.file, found.page, name)] = crop
    return dataclasses.replace(work, evidence=images)
