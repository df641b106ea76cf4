"""Capture and quality gate: accept or reject each page image, with the metric that decided it."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence

from pipeline.engines import imaging
from pipeline.model import IDENTITY_TYPES, Page, Rejection, RejectionCode
from pipeline.quality_config import DEFAULT, QualityThresholds
from pipeline.work import DossierWork, PageWork

log = logging.getLogger(__name__)

REQUIRES = ("image", "frame", "dpi", "exif", "text_layer")
"""Page fields the page stage reads."""
PROVIDES = ("rejections", "quality")
"""Page fields the page stage sets."""

CAMERA_TAGS = (
    "ExposureTime",
    "FNumber",
    "FocalLength",
    "FocalLengthIn35mmFilm",
    "ISOSpeedRatings",
    "PhotographicSensitivity",
    "ISO",
    "ShutterSpeedValue",
    "ApertureValue",
    "ExposureProgram",
    "Flash",
    "LensModel",
    "LensMake",
    "SubjectArea",
    "GPSInfo",
)
"""EXIF tags only a camera writes. ``Make``/``Model`` are not among them: scanners write them
too (ext: Canon MB5100 scans)."""


MESSAGES: Mapping[RejectionCode, str] = {
    RejectionCode.PHONE_PHOTO: "This looks like a phone photo ({why}). Scan it on a flatbed scanner in colour.",
    RejectionCode.SCREENSHOT: "This looks like a screenshot of a phone or computer screen. "
    "Scan the paper document on a flatbed scanner in colour.",
    RejectionCode.BLURRY: "The text is blurry. Scan the page again, lying flat on the glass with the lid closed.",
    RejectionCode.LOW_RESOLUTION: "The resolution is too low ({dpi} dpi). Scan again at 300 dpi.",
    RejectionCode.GLARE: "Part of the page is washed out by a reflection. Scan it on a flatbed scanner "
    "instead of photographing it.",
    RejectionCode.TOO_DARK: "The page is too dark to read. Scan it again with normal brightness.",
    RejectionCode.OVEREXPOSED: "The page is too bright: the text is washed out. Scan it again with normal brightness.",
    RejectionCode.CUT_OFF: "Part of the page is cut off at the edge of the image. Scan the whole page "
    "with a margin around it.",
    RejectionCode.GREYSCALE: "This identity document was copied in black and white. Scan it again in colour.",
    RejectionCode.UNREADABLE: "The image file cannot be opened. Save it again as PDF, JPEG or PNG and resubmit it.",
}


@dataclasses.dataclass(frozen=True, slots=True)
class CaptureCues:
    """The individual phone-photo signals (kept visible in the evidence)."""

    exif_camera: bool
    heic: bool
    perspective: bool
    strong_perspective: bool
    background: bool
    falloff: bool
    floating: bool = False

    @property
    def image_cues(self) -> int:
        """Number of image (non-metadata) cues; a strong perspective counts twice."""
        return (
            int(self.perspective)
            + int(self.strong_perspective)
            + int(self.background)
            + int(self.falloff)
            + int(self.floating)
        )

    def reasons(self) -> list[str]:
        """Plain words for the cues that fired."""
        words = []
        if self.exif_camera:
            words.append("camera settings in the file")
        if self.heic:
            words.append("HEIC phone camera file")
        if self.perspective:
            words.append("page not flat")
        if self.background:
            words.append("background visible")
        if self.falloff:
            words.append("uneven lighting")
        if self.floating:
            words.append("page lying on a surface")
        return words


def has_camera_exif(exif: Mapping[str, str]) -> bool:
    """True when the EXIF holds exposure, lens or GPS tags (a camera wrote the file).

    >>> has_camera_exif({"Make": "Canon", "Model": "MB5100"})
    False
    >>> has_camera_exif({"Make": "Apple", "ExposureTime": "1/60"})
    True
    """
    return any(tag in exif and str(exif[tag]).strip() not in ("", "0") for tag in CAMERA_TAGS)


def is_heic(exif: Mapping[str, str]) -> bool:
    """True when the lead marked the source as HEIC/HEIF (the iPhone camera format)."""
    return str(exif.get("_mime", "")).lower() in ("image/heic", "image/heif", "image/heic-sequence")


def capture_cues(m: imaging.ImageMetrics, exif: Mapping[str, str], t: QualityThresholds) -> CaptureCues:
    """Evaluate each phone-photo signal on the metrics and the EXIF."""
    perspective = m.doc_found and m.corner_deviation > t.corner_deviation_deg
    strong = m.doc_found and m.corner_deviation > t.strong_corner_deviation_deg
    background = (
        m.doc_found and m.background_fraction >= t.background_min_fraction and m.background_chroma > t.background_chroma
    )
    return CaptureCues(
        exif_camera=has_camera_exif(exif),
        heic=is_heic(exif),
        perspective=perspective,
        strong_perspective=strong,
        background=background,
        falloff=m.falloff > t.falloff,
        floating=(
            m.doc_found
            and m.doc_touches_border == 0
            and m.doc_area_fraction < t.floating_max_area
            and m.background_fraction >= t.background_min_fraction
        ),
    )


def effective_dpi(page: Page, m: imaging.ImageMetrics, t: QualityThresholds) -> tuple[float, str]:
    """Resolution of the page: the known DPI, else one estimated from the text height.

    Returns:
        ``(dpi, source)`` with source ``tag`` or ``text`` (dpi 0 when neither is known).
    """
    if page.dpi and page.dpi not in imaging.DEFAULT_DPI_TAGS and page.dpi > 0:
        return float(page.dpi), "tag"
    if m.text_height_px > 0:
        return m.text_height_px * t.text_height_dpi_factor, "text"
    return 0.0, "none"


PAPER_SHORT_MM = (210.0, 215.9)
"""Short sides of the office paper formats a flatbed takes whole (A4; US Letter and Legal)."""
PAPER_LONG_MM = (297.0, 279.4, 355.6)
"""Long sides of those formats (A4, Letter, Legal)."""
HALF_SHEET_SHORT_MM = (148.0, 139.7)
"""Short sides of the half sheets whose long side is an A4 or Letter width (A5, US half letter)."""


def cut_sheet_size(page: Page, m: imaging.ImageMetrics, t: QualityThresholds) -> tuple[float, float, float] | None:
    """A scanned office sheet whose size says part of it is missing, even through blank paper.

    With a real resolution tag the sheet's size in millimetres is known: a sheet as wide as A4
    or Letter must be as long as A4, Letter or Legal, else its end was cut off (gen 256, 257:
    210 x 205-218 mm, the cut through blank paper); a sheet whose long side is an A4 or Letter
    width must be a half sheet (A5, half letter), else it is such a sheet cut across. Other
    sheets (receipts, cards, booklet pages) are not judged. The converse rule (A4-long but narrow) is not applied: on an
    uncropped flatbed scan the "sheet" in front of the dark lid can be a backing board of any
    width (ext lidl: 114 x 297 mm).

    Returns:
        ``(short_mm, long_mm, expected_mm)`` when the sheet is cut, else None.
    """
    dpi = page.dpi
    if not dpi or dpi in imaging.DEFAULT_DPI_TAGS or dpi < 50 or m.sheet_width_px <= 0 or m.sheet_height_px <= 0:
        return None
    short, long_ = sorted((m.sheet_width_px / dpi * 25.4, m.sheet_height_px / dpi * 25.4))
    tol = t.paper_size_tolerance

    def near(value: float, sizes: tuple[float, ...]) -> bool:
        return any(abs(value - s) <= tol * s for s in sizes)

    if near(short, PAPER_SHORT_MM) and not near(long_, PAPER_LONG_MM):
        return short, long_, PAPER_LONG_MM[0]
    if near(long_, PAPER_SHORT_MM) and short >= 0.5 * long_ and not near(short, HALF_SHEET_SHORT_MM):
        # Cut across by more than the width: an A4 sheet now 210 x 177 mm (gen seed 8, 260).
        return short, long_, PAPER_LONG_MM[0]
    return None


def _rej(code: RejectionCode, metric: float, threshold: float, **extra: float | str | bool) -> Rejection:
    fmt = {"dpi": f"{metric:.0f}"} if code is RejectionCode.LOW_RESOLUTION else {}
    message = MESSAGES[code].format(**fmt) if fmt else MESSAGES[code]
    evidence: dict[str, float | str | bool] = {"metric": round(float(metric), 4), "threshold": float(threshold)}
    evidence.update(extra)
    return Rejection(code, message, evidence)


def judge(page: Page, m: imaging.ImageMetrics, t: QualityThresholds = DEFAULT) -> list[Rejection]:
    """Turn metrics into rejections (pure function; the calibration tool calls it too).

    Args:
        page: The page (EXIF and DPI are read from it).
        m: Metrics of its image.
        t: Thresholds.

    Returns:
        The rejections, capture kind first.
    """
    out: list[Rejection] = []
    cues = capture_cues(m, page.exif, t)
    cue_evidence: dict[str, float | str | bool] = {
        "exif_camera": cues.exif_camera,
        "heic": cues.heic,
        "perspective": cues.perspective,
        "background": cues.background,
        "falloff": cues.falloff,
        "floating": cues.floating,
        "image_cues": cues.image_cues,
        "corner_deviation": round(m.corner_deviation, 2),
        "background_chroma": round(m.background_chroma, 2),
        "falloff_value": round(m.falloff, 3),
    }
    screenshot = m.lossless and m.flat_bar >= t.flat_bar and not cues.exif_camera
    if screenshot:
        out.append(_rej(RejectionCode.SCREENSHOT, m.flat_bar, t.flat_bar, **cue_evidence))
    elif cues.exif_camera or cues.heic or cues.image_cues >= t.phone_min_cues:
        why = ", ".join(cues.reasons())
        rej = _rej(RejectionCode.PHONE_PHOTO, cues.image_cues, t.phone_min_cues, **cue_evidence)
        out.append(dataclasses.replace(rej, message=MESSAGES[RejectionCode.PHONE_PHOTO].format(why=why)))
    if m.luma_p98 < t.too_dark_p98:
        out.append(_rej(RejectionCode.TOO_DARK, m.luma_p98, t.too_dark_p98, metric_name="luma_p98"))
    elif m.ink_level > t.overexposed_ink and m.clipped_fraction >= t.overexposed_clipped:
        out.append(
            _rej(
                RejectionCode.OVEREXPOSED,
                m.ink_level,
                t.overexposed_ink,
                metric_name="ink_level",
                clipped_fraction=round(m.clipped_fraction, 3),
            )
        )
    glare_doc = m.glare_blob / max(m.doc_area_fraction, t.glare_min_doc_area)
    if glare_doc > t.glare_blob:
        out.append(
            _rej(RejectionCode.GLARE, glare_doc, t.glare_blob, metric_name="glare_blob", glare_frame=m.glare_blob)
        )
    elif m.card_fill >= t.glare_card_fill and m.glare_card > t.glare_card:
        out.append(
            _rej(RejectionCode.GLARE, m.glare_card, t.glare_card, metric_name="glare_card", card_fill=m.card_fill)
        )
    if m.edge_pixels >= t.blur_min_edges and m.edge_width > t.blur_edge_width:
        out.append(_rej(RejectionCode.BLURRY, m.edge_width, t.blur_edge_width, metric_name="edge_width"))
    dpi, source = effective_dpi(page, m, t)
    if 0 < dpi < t.min_dpi:
        out.append(_rej(RejectionCode.LOW_RESOLUTION, dpi, t.min_dpi, metric_name="dpi", dpi_source=source))
    phone = bool(out) and out[0].code in (RejectionCode.PHONE_PHOTO, RejectionCode.SCREENSHOT)
    cut_size = None if phone else cut_sheet_size(page, m, t)
    if m.border_ink > t.border_ink:
        out.append(_rej(RejectionCode.CUT_OFF, m.border_ink, t.border_ink, metric_name="border_ink"))
    elif cut_size is not None:
        out.append(
            _rej(
                RejectionCode.CUT_OFF,
                cut_size[1],
                cut_size[2],
                metric_name="sheet_mm",
                sheet_short_mm=round(cut_size[0], 1),
                sheet_long_mm=round(cut_size[1], 1),
            )
        )
    elif out and out[0].code is RejectionCode.PHONE_PHOTO and m.doc_found and m.border_run >= t.cut_photo_border_run:
        # On a photo the sheet lies on a table; a sheet running along the frame edge is cut off
        # (a corner poking out is not). On a flatbed the sheet touching the glass edge is normal,
        # so scans skip this test.
        out.append(_rej(RejectionCode.CUT_OFF, m.border_run, t.cut_photo_border_run, metric_name="border_run"))
    return out


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
    """Reject an identity-document page copied in black and white (RULES.md scan_colour_copy).

    Call it only for passports, ID cards and residence cards: certificates may be grey.

    Args:
        page: A page that went through :func:`check_image_quality`.
        thresholds: Decision thresholds.

    Returns:
        The rejection, or None when the page is in colour or was not measured.
    """
    if "colourfulness" not in page.quality:
        return None
    value = float(page.quality["colourfulness"])
    exact = bool(page.quality.get("is_exact_grey", 0.0))
    if any(r.code in (RejectionCode.OVEREXPOSED, RejectionCode.TOO_DARK) for r in page.rejections):
        # Overexposure bleaches the colours too (gen overexposed ID scans: colourfulness 3.1-3.5,
        # or a page burnt to pure white, which is trivially "exactly grey"), and underexposure
        # crushes them (gen too-dark ID scans of seed 8: 1.9-2.4); the page is already rejected
        # for it, and "copied in black and white" would be a wrong instruction.
        return None
    if exact or value < thresholds.min_colourfulness:
        return _rej(
            RejectionCode.GREYSCALE, value, thresholds.min_colourfulness, metric_name="colourfulness", exact_grey=exact
        )
    return None


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
