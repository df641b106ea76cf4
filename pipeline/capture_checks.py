"""Capture checks: one small registered check per reason a page image cannot be used (STYLE.md §10).

Each check has a stable dotted id (``image.blurry``, ``image.cut-text`` ...), the rejection code
it gives (the contract's ``phone_photo``, ``cut_off`` ...), the metric it reads, the threshold
it compares with (a field of :class:`~pipeline.quality_config.QualityThresholds`, where the
value's calibration is written) and a docstring that says what it checks and why. A check
returns a :class:`~pipeline.model.Rejection` whose evidence names the check, the metric, its
value and the threshold, and whose message says what to do; or None.

``image.*`` checks judge the pixels before OCR (:func:`judge`, run by the quality stage);
checks that need the page's MRZ or text (``identity.*``) register with ``stage="identity"``
and run after the MRZ stage. Checks run in registration order and see the rejections of the
checks before them (a phone photo is not also measured against office paper sizes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import NamedTuple

from pipeline.engines.imaging import DEFAULT_DPI_TAGS, MIN_SPREAD_LINES, ImageMetrics
from pipeline.model import Page, Rejection, RejectionCode
from pipeline.quality_config import DEFAULT, QualityThresholds

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
"""What the clerk reads for each code: what is wrong and what to do."""

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
PHONE_MAKERS = frozenset({
    "apple", "htc", "huawei", "xiaomi", "oneplus", "google", "motorola", "oppo", "vivo", "realme", "honor",
    "nothing", "hmd global", "zte", "lge", "sony ericsson", "blackberry", "fairphone",
})  # fmt: skip
"""EXIF ``Make`` values of companies that build phones and no scanners: a file that names one was
taken by a phone even when an editor stripped its exposure tags (ext cmpt310 1184: "HTC", saved by
Photoshop). Canon, Epson, Samsung, Brother ... build scanners too and are not listed."""


CAMERA_ASPECTS = (4 / 3, 16 / 9, 1.0)
"""Frame shapes of phone cameras and the apps that pass their photos on: 4:3 by default, 16:9 in
video-shaped modes, square crops (messenger and shop-app thumbnails; ext receipt photos 250-576 px
square). Flatbeds give the glass (A4 1.414, Letter 1.294) or a crop to the document, of any shape
(ext scans: none within 0.7 % of these)."""


@dataclasses.dataclass(frozen=True, slots=True)
class ZoneEvidence:
    """What an identity page shows of its machine-readable zone and printed fields (after the MRZ stage)."""

    read: bool
    """The MRZ reader found a zone."""
    valid: bool
    """... and every check digit passes."""
    edge_margin: float | None
    """Distance from the zone (or, when it was not read, from the OCR words showing its ``<<`` fillers)
    to the nearest image edge, in MRZ character widths (2.54 mm); None when no zone shows."""
    edge: str = ""
    """That edge: ``left``, ``right``, ``top`` or ``bottom``."""
    printed: bool = False
    """Full-page OCR shows MRZ fillers or an MRZ line."""
    data_page: bool = False
    """Full-page OCR shows a passport's data page: the word passport and the data fields' labels."""
    fields_read: int = 0
    """How many of the holder's printed fields the MRZ names (surname, first given name, document
    number) full-page OCR found on the page."""
    viz_washed: float = 0.0
    """Largest washed-out (clipped, colourless) region of the visual zone above the MRZ, as a share of
    that zone (0 when the zone was not read or the format has no visual zone on its MRZ side)."""
    lines_shown: int = 0
    """MRZ lines OCR shows (rows of words with fillers or MRZ-like runs) when the zone did not read."""
    cut_glyph: bool = False
    """Print touches the image edge beside the zone's line nearest that edge (left or right): a character
    cut in two, where a whole zone cropped tightly leaves blank paper between its last character and
    the edge."""
    viz_inside: float = 1.0
    """Share of the visual zone's height (the data page's printed data and photo beside and above a
    read TD3/TD2 zone) that lies inside the image, on the side of the zone with more room (1 when
    the format has no visual zone on its MRZ side)."""
    row_chars: float | None = None
    """When the zone did not read: how far the longest zone row OCR shows is printed, in characters,
    from its first character to where its print stops (None: not measured, or the row's full length
    would run past the image edge, which the cut checks judge)."""
    row_lift: float = 0.0
    """How much brighter (grey levels) the page is where that row should go on than the paper between
    its characters: a reflection lifts paper and print alike to white."""


@dataclasses.dataclass(frozen=True, slots=True)
class CaptureFacts:
    """What a capture check sees: the page (file facts: DPI tag, EXIF), its metrics, earlier verdicts."""

    page: Page
    metrics: ImageMetrics
    found: tuple[Rejection, ...] = ()
    """Rejections of the checks that ran before this one."""
    zone: ZoneEvidence | None = None
    """The MRZ and printed-field evidence (``identity`` checks only)."""

    def has(self, *codes: RejectionCode) -> bool:
        """Whether an earlier check gave one of ``codes``."""
        return any(r.code in codes for r in self.found)

    @property
    def is_photo(self) -> bool:
        """An earlier check called the page a phone photo or a screenshot."""
        return self.has(RejectionCode.PHONE_PHOTO, RejectionCode.SCREENSHOT)


CheckFunction = Callable[[CaptureFacts, QualityThresholds], Rejection | None]


@dataclasses.dataclass(frozen=True, slots=True)
class CaptureCheck:
    """A registered capture check and its metadata."""

    id: str
    """Stable dotted id ``<area>.<slug>``."""
    code: RejectionCode
    """The contract code of its rejection."""
    metric: str
    """Name of the metric it decides on (a field of ``ImageMetrics`` or a derived value)."""
    threshold: str
    """Field of :class:`~pipeline.quality_config.QualityThresholds` it compares with; empty for a check
    that follows from what the document must show, with no threshold to tune."""
    title: str
    check: CheckFunction
    stage: str = "image"
    """``image`` (pixels, before OCR) or ``identity`` (after the MRZ stage)."""

    @property
    def note(self) -> str:
        """What the check decides and why (its docstring)."""
        return (self.check.__doc__ or "").strip()


CHECKS: dict[str, CaptureCheck] = {}
"""Every capture check by id, in the order they run."""


def capture_check(
    id: str, *, code: RejectionCode, metric: str, threshold: str, title: str, stage: str = "image"
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a capture check under ``id``.

    Raises:
        ValueError: at import time for a duplicate or undotted id, or an unknown threshold name.
    """

    def register(check: CheckFunction) -> CheckFunction:
        if "." not in id or id != id.lower():
            raise ValueError(f"capture check id {id!r} must be a lower-case dotted <area>.<slug>")
        if id in CHECKS:
            raise ValueError(f"capture check id {id!r} is registered twice")
        if threshold and threshold not in {f.name for f in dataclasses.fields(QualityThresholds)}:
            raise ValueError(f"{id}: unknown threshold {threshold!r}")
        CHECKS[id] = CaptureCheck(id, code, metric, threshold, title, check, stage)
        return check

    return register


def reject(
    check_id: str, value: float, threshold: float, message: str | None = None, **extra: float | str | bool
) -> Rejection:
    """The rejection of a check: its code, the message, the metric against the threshold."""
    spec = CHECKS[check_id]
    evidence: dict[str, float | str | bool] = {
        "check": check_id,
        "metric_name": spec.metric,
        "metric": round(float(value), 4),
        "threshold": float(threshold),
    }
    evidence.update(extra)
    return Rejection(spec.code, message or MESSAGES[spec.code], evidence)


def judge(
    page: Page,
    metrics: ImageMetrics,
    thresholds: QualityThresholds = DEFAULT,
    stage: str = "image",
    zone: ZoneEvidence | None = None,
) -> list[Rejection]:
    """Run every check of one stage on measured evidence (pure; the calibration tool calls it too).

    Args:
        page: The page (its DPI tag, EXIF, source format; its rejections so far).
        metrics: Metrics of its image.
        thresholds: Thresholds.
        stage: ``image`` (before OCR) or ``identity`` (after the MRZ stage, with ``zone``).
        zone: MRZ and printed-field evidence for the ``identity`` checks.

    Returns:
        The new rejections in check order (capture kind first).
    """
    found: list[Rejection] = []
    for spec in CHECKS.values():
        if spec.stage != stage:
            continue
        rejection = spec.check(CaptureFacts(page, metrics, (*page.rejections, *found), zone), thresholds)
        if rejection is not None:
            found.append(rejection)
    return found


# --------------------------------------------------------------------------- capture kind


def has_camera_exif(exif: Mapping[str, str]) -> bool:
    """True when the EXIF holds exposure, lens or GPS tags, or names a phone maker (a camera wrote the file).

    >>> has_camera_exif({"Make": "Canon", "Model": "MB5100"})
    False
    >>> has_camera_exif({"Make": "Apple", "ExposureTime": "1/60"})
    True
    >>> has_camera_exif({"Make": "HTC", "Model": "ADR6400L", "Software": "Adobe Photoshop CS4 Windows"})
    True
    """
    if str(exif.get("Make", "")).strip(" \x00").lower() in PHONE_MAKERS:
        return True
    return any(tag in exif and str(exif[tag]).strip() not in ("", "0") for tag in CAMERA_TAGS)


def is_heic(exif: Mapping[str, str]) -> bool:
    """True when intake marked the source as HEIC/HEIF (the iPhone camera format)."""
    return str(exif.get("_mime", "")).lower() in ("image/heic", "image/heif", "image/heic-sequence")


def is_camera_frame(aspect: float, t: QualityThresholds = DEFAULT) -> bool:
    """Whether a frame has the shape of a phone camera's sensor (4:3 or 16:9, within the tolerance).

    >>> is_camera_frame(4032 / 3024), is_camera_frame(3508 / 2480)
    (True, False)
    """
    return any(abs(aspect - a) <= t.camera_frame_tolerance * a for a in CAMERA_ASPECTS)


@dataclasses.dataclass(frozen=True, slots=True)
class CaptureCues:
    """The individual phone-photo signals (kept visible in the evidence)."""

    exif_camera: bool
    heic: bool
    perspective: bool
    strong_perspective: bool
    background: bool
    falloff: bool
    floating: bool
    floating_strong: bool
    camera_frame: bool
    lines_not_parallel: bool
    lines_converging: bool

    SCENE_CUES = (
        "perspective", "strong_perspective", "background", "floating", "floating_strong", "camera_frame",
        "lines_converging",
    )  # fmt: skip
    """Cues of how the picture was taken: what a flatbed cannot make at all. A strong perspective and a
    sheet touching no side of the frame count twice: users lay a sheet against the glass's corner or
    edge (ext uncropped scans: the sheet touches 1-3 sides, never none; gen scans likewise), while a
    card photographed on a table lies loose in the middle of the frame. Text lines whose angles spread
    far more than a curved book page or a curled receipt bends them on the glass (lines converging
    towards a vanishing point, a receipt bent in the hand) are a scene cue too: the lid presses a sheet
    flat, so a flatbed cannot make them (:attr:`~QualityThresholds.strong_line_spread_deg`); with the
    page cue of non-parallel lines they make two cues. It reads the spread of the page's main body of
    text when that lies flat: a note or stamp written askew on a flat sheet is no vanishing point."""
    PAGE_CUES = ("falloff", "lines_not_parallel")
    """Cues of how the page looks: uneven light and bent lines. A curled receipt or a book's spine on a
    flatbed shows them too (ext kraken book page, SROIE 134 receipt: both), so they only second a scene
    cue."""
    IMAGE_CUES = SCENE_CUES + PAGE_CUES
    """Every cue read from the pixels."""

    @property
    def image_cues(self) -> int:
        """Number of image (non-metadata) cues that fired."""
        return sum(bool(getattr(self, name)) for name in self.IMAGE_CUES)

    @property
    def scene_cues(self) -> int:
        """Number of scene cues that fired."""
        return sum(bool(getattr(self, name)) for name in self.SCENE_CUES)

    def is_photo(self, min_cues: int) -> bool:
        """Camera EXIF or HEIC alone, else ``min_cues`` image cues of which at least one shows the scene."""
        return self.exif_camera or self.heic or (self.image_cues >= min_cues and self.scene_cues >= 1)

    def reasons(self) -> list[str]:
        """Plain words for the cues that fired."""
        words = {
            "exif_camera": "camera settings in the file",
            "heic": "HEIC phone camera file",
            "perspective": "page not flat",
            "background": "background visible",
            "falloff": "uneven lighting",
            "floating": "page lying on a surface",
            "camera_frame": "camera-shaped frame",
            "lines_not_parallel": "text lines not parallel",
            "lines_converging": "text lines converging or bent",
        }
        return [text for name, text in words.items() if getattr(self, name)]


def capture_cues(m: ImageMetrics, exif: Mapping[str, str], t: QualityThresholds = DEFAULT) -> CaptureCues:
    """Evaluate each phone-photo signal on the metrics and the EXIF."""
    floating = (
        m.doc_found
        and m.doc_touches_border == 0
        and m.doc_area_fraction < t.floating_max_area
        and m.background_fraction >= t.background_min_fraction
    )
    return CaptureCues(
        exif_camera=has_camera_exif(exif),
        heic=is_heic(exif),
        perspective=m.doc_found and m.corner_deviation > t.corner_deviation_deg,
        strong_perspective=m.doc_found and m.corner_deviation > t.strong_corner_deviation_deg,
        background=(
            m.doc_found
            and m.background_fraction >= t.background_min_fraction
            and m.background_chroma > t.background_chroma
        ),
        falloff=m.falloff > t.falloff,
        floating=floating,
        floating_strong=floating,
        camera_frame=is_camera_frame(m.frame_aspect, t),
        lines_not_parallel=m.line_spread > t.line_spread_deg,
        lines_converging=m.body_line_spread > t.strong_line_spread_deg,
    )


@capture_check(
    "image.screenshot", code=RejectionCode.SCREENSHOT, metric="flat_bar", threshold="flat_bar",
    title="Screenshot of a phone or computer screen",
)  # fmt: skip
def screenshot(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """A lossless image with a border strip of one exact dark colour (a screen's status or navigation
    bar) and no camera EXIF. Scanners and cameras leave noise in every row; a UI bar has none."""
    m = f.metrics
    if m.lossless and m.flat_bar >= t.flat_bar and not has_camera_exif(f.page.exif):
        return reject("image.screenshot", m.flat_bar, t.flat_bar)
    return None


@capture_check(
    "image.phone-photo", code=RejectionCode.PHONE_PHOTO, metric="image_cues", threshold="phone_min_cues",
    title="Phone photo instead of a scan",
)  # fmt: skip
def phone_photo(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """Camera EXIF or a HEIC file alone, else at least :attr:`~QualityThresholds.phone_min_cues` image
    cues (RULES.md scan_not_phone_photo: "any two signals, or EXIF alone"), one of them a scene cue.
    Scene cues are what a flatbed cannot make: a page in perspective, a scene (table, hand) around it,
    a sheet lying loose in the middle of the frame, a camera-shaped frame. Page cues (light falling off
    across the page, text lines that converge or bend instead of running parallel) second them."""
    if f.is_photo:
        return None
    m = f.metrics
    cues = capture_cues(m, f.page.exif, t)
    if not cues.is_photo(t.phone_min_cues):
        return None
    evidence: dict[str, float | str | bool] = {name: getattr(cues, name) for name in ("exif_camera", "heic")}
    evidence.update({name: getattr(cues, name) for name in CaptureCues.IMAGE_CUES})
    evidence.update(
        image_cues=cues.image_cues,
        corner_deviation=round(m.corner_deviation, 2),
        background_chroma=round(m.background_chroma, 2),
        falloff_value=round(m.falloff, 3),
        line_spread=round(m.line_spread, 2),
        body_line_spread=round(m.body_line_spread, 2),
        frame_aspect=round(m.frame_aspect, 4),
    )
    message = MESSAGES[RejectionCode.PHONE_PHOTO].format(why=", ".join(cues.reasons()))
    return reject("image.phone-photo", cues.image_cues, t.phone_min_cues, message, **evidence)


# --------------------------------------------------------------------------- exposure


@capture_check(
    "image.too-dark", code=RejectionCode.TOO_DARK, metric="luma_p98", threshold="too_dark_p98",
    title="Page too dark",
)  # fmt: skip
def too_dark(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """The paper itself (the sheet's 98th luminance percentile, its brightest print-free part) is darker
    than the bar: underexposed, the print no longer stands out from it."""
    if f.metrics.luma_p98 < t.too_dark_p98:
        return reject("image.too-dark", f.metrics.luma_p98, t.too_dark_p98)
    return None


@capture_check(
    "image.overexposed", code=RejectionCode.OVEREXPOSED, metric="ink_level", threshold="overexposed_ink",
    title="Page overexposed",
)  # fmt: skip
def overexposed(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """The darkest print is lifted to light grey while most of the sheet is clipped white."""
    m = f.metrics
    if f.has(RejectionCode.TOO_DARK):
        return None
    if m.ink_level > t.overexposed_ink and m.clipped_fraction >= t.overexposed_clipped:
        clipped = round(m.clipped_fraction, 3)
        return reject("image.overexposed", m.ink_level, t.overexposed_ink, clipped_fraction=clipped)
    return None


# --------------------------------------------------------------------------- reflections


ID1_LONG_MM = 85.6
"""Long side of an ID-1 card (ICAO 9303 TD1), the smallest document of a dossier."""
CARD_MIN_LONG_MM = 0.8 * ID1_LONG_MM
"""Shortest long side a tinted region may have to be taken for a card or data page (an ID-1 card
with a burnt corner, or its hull a little short of the card's edge); not tuned: it follows from the
card's size."""


def is_card_sized(page: Page, m: ImageMetrics, t: QualityThresholds = DEFAULT) -> bool:
    """Whether the tinted region of :func:`card_glare` is at least as long as an identity card.

    Its length in millimetres follows from the page's resolution (the DPI tag, else the one the text
    height gives, :func:`effective_dpi`); with neither, it is taken as a card.
    """
    dpi, _ = effective_dpi(page, m, t)
    return dpi <= 0 or m.card_long_px / dpi * 25.4 >= CARD_MIN_LONG_MM


def shows_card(page: Page, m: ImageMetrics, t: QualityThresholds = DEFAULT) -> bool:
    """Whether a card or passport data page lies on the page: a card-sized region of tinted print that
    fills its outline (:func:`~pipeline.engines.imaging.glare_on_card`). What happened to such a page is
    judged by what it must show (the ``identity.*`` checks, after OCR and the MRZ stage)."""
    return m.card_fill >= t.glare_card_fill and is_card_sized(page, m, t)


@capture_check(
    "image.glare", code=RejectionCode.GLARE, metric="glare_blob", threshold="glare_blob",
    title="Reflection burning out print",
)  # fmt: skip
def glare(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """A clipped, colourless blob ringed by lit, printed page, as a share of the document area
    (:func:`~pipeline.engines.imaging.glare_fraction`): a reflection that hides print. White paper
    is no reflection: clipped paper runs to the frame edge, and a white patch between lines or in
    a margin has no print around it."""
    m = f.metrics
    share = m.glare_blob / max(m.doc_area_fraction, t.glare_min_doc_area)
    if share > t.glare_blob:
        return reject("image.glare", share, t.glare_blob, glare_frame=round(m.glare_blob, 4), where="page")
    return None


@capture_check(
    "image.card-glare", code=RejectionCode.GLARE, metric="glare_card", threshold="glare_card",
    title="Reflection on a card or data page scanned on white paper",
)  # fmt: skip
def card_glare(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """A pure-white hole in the tinted security print of a card or passport page lying on a white
    sheet (:func:`~pipeline.engines.imaging.glare_on_card`), where the print fills the card's
    outline. A card is tinted all over; a letter is white paper between its glyphs and is no card;
    and a card is card-sized: a round stamp or seal on a letter (a ring of ink round a white
    centre, 30-45 mm across) is shorter than any identity document (:func:`is_card_sized`)."""
    m = f.metrics
    if f.has(RejectionCode.GLARE) or m.glare_card <= t.glare_card or not shows_card(f.page, m, t):
        return None
    return reject("image.card-glare", m.glare_card, t.glare_card, card_fill=round(m.card_fill, 3), where="card")


@capture_check(
    "image.print-washed-out", code=RejectionCode.GLARE, metric="washed_out_lines", threshold="washed_out_lines",
    title="Print washed out by a reflection",
)  # fmt: skip
def print_washed_out(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """Neighbouring text lines whose print fades to a pale ghost at the same place while the paper
    there brightens (:func:`~pipeline.engines.imaging.washed_out_lines`): a reflection over white
    paper, which no clipped blob shows (the paper is as white as the light) and which hides what the
    lines print. A pale word, faded thermal print or a light stamp leave the paper as it is."""
    m = f.metrics
    if f.has(RejectionCode.GLARE) or m.washed_out_lines < t.washed_out_lines or shows_card(f.page, m, t):
        return None
    return reject(
        "image.print-washed-out", m.washed_out_lines, t.washed_out_lines, PRINT_WASHED_OUT_MESSAGE, where="page"
    )


# --------------------------------------------------------------------------- sharpness and resolution


@capture_check(
    "image.blurry", code=RejectionCode.BLURRY, metric="edge_width", threshold="blur_edge_width",
    title="Text blurred",
)  # fmt: skip
def blurry(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """The edges of the dark print are wider than the bar (contrast / peak gradient, on the worse of
    the two orientations, with the document at the working size); blank pages are not judged."""
    m = f.metrics
    if m.edge_pixels >= t.blur_min_edges and m.edge_width > t.blur_edge_width:
        return reject("image.blurry", m.edge_width, t.blur_edge_width)
    return None


def effective_dpi(page: Page, m: ImageMetrics, t: QualityThresholds = DEFAULT) -> tuple[float, str]:
    """Resolution of the page: the known DPI, else one estimated from the text height.

    Returns:
        ``(dpi, source)`` with source ``tag`` or ``text`` (dpi 0 when neither is known).
    """
    if page.dpi and page.dpi not in DEFAULT_DPI_TAGS and page.dpi > 0:
        return float(page.dpi), "tag"
    if m.text_height_px > 0:
        return m.text_height_px * t.text_height_dpi_factor, "text"
    return 0.0, "none"


@capture_check(
    "image.low-resolution", code=RejectionCode.LOW_RESOLUTION, metric="effective_dpi", threshold="min_dpi",
    title="Resolution too low",
)  # fmt: skip
def low_resolution(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """The page's resolution (its DPI tag, else estimated from the character height) is below the bar,
    or the whole image is smaller than the smallest dossier document needs (a thumbnail cannot show
    any document legibly, whatever its characters measure)."""
    dpi, source = effective_dpi(f.page, f.metrics, t)
    if f.metrics.long_side_px < t.min_frame_px:
        shown = min(dpi, t.min_dpi) if dpi else f.metrics.long_side_px / (ID1_LONG_MM / 25.4)
        message = MESSAGES[RejectionCode.LOW_RESOLUTION].format(dpi=f"{shown:.0f}")
        return reject("image.low-resolution", f.metrics.long_side_px, t.min_frame_px, message, dpi_source="frame")
    if 0 < dpi < t.min_dpi:
        message = MESSAGES[RejectionCode.LOW_RESOLUTION].format(dpi=f"{dpi:.0f}")
        return reject("image.low-resolution", dpi, t.min_dpi, message, dpi_source=source)
    return None


# --------------------------------------------------------------------------- cut off


PAPER_SHORT_MM = (210.0, 215.9)
"""Short sides of the office paper formats a flatbed takes whole (A4; US Letter and Legal)."""
PAPER_LONG_MM = (297.0, 279.4, 355.6)
"""Long sides of those formats (A4, Letter, Legal)."""
PAPER_PARTS_MM = (297.0 / 2, 297.0 / 3, 297.0 / 4, 279.4 / 2, 279.4 / 3)
"""Lengths of the standard parts of an A4 or Letter sheet cut across (halves: A5 and half Letter; thirds:
a DL compliment slip; A4 quarters) that keep the full sheet's width."""


TILL_ROLL_MAX_MM = 112.0
"""Width of the widest till roll in common use (57, 80 and 112 mm): a receipt is no narrower office sheet."""
SHEET_END_MARGIN_MM = 5.0
"""Blank paper beyond the print at both ends of an image's length that shows the sheet's own margins (office
letters keep 10-25 mm), not an auto-crop to the print (0.5-3 mm, as scanner drivers leave)."""


class SheetCut(NamedTuple):
    """A scanned sheet whose size says it was cut (:func:`cut_sheet_size`)."""

    short_mm: float
    long_mm: float
    expected_mm: float
    """The side length it should have (A4's long side, or its width)."""
    how: str
    """``end``: A4-wide, not A4-long; ``short``: shorter across its text lines than along them;
    ``side``: A4-long but narrower, with text cut along a side or its paper filling the image."""


def cut_sheet_size(page: Page, m: ImageMetrics, t: QualityThresholds = DEFAULT) -> SheetCut | None:
    """A scanned office sheet whose size says part of it is missing, even through blank paper.

    With a real resolution tag the sheet's size in millimetres is known. A sheet as wide as A4 or
    Letter must be as long as A4, Letter or Legal, else its end was cut off (gen 256, 257: 210 x
    205-218 mm, the cut through blank paper). A sheet as long as A4, Letter or Legal but narrower is
    cut along a side when text lines run into that side (:attr:`~QualityThresholds.cut_lines`), or when
    the image is all sheet, paper to every edge, wider than a till roll and with the sheet's own
    blank margins at both ends of its length (:data:`SHEET_END_MARGIN_MM`): the other renderer's
    contract and lease cut by 30 % between two characters, 147 mm wide. Those end margins tell a cut
    sheet from a page auto-cropped to its print, whose print may be as long as a Letter sheet. A
    narrow sheet without cut lines on a larger image is something else on the glass (ext lidl: a
    receipt on a backing board, 114 x 297 mm, on an A4 scan). A sheet as wide as A4 or Letter along
    its text lines (they run across the image) but shorter than that across them is an A4 or Letter
    sheet cut short, unless it is one of their halves, thirds or quarters (:data:`PAPER_PARTS_MM`: an A5
    slip, a compliment slip): gen 206, a lease of 210 x 195 mm, its blank lower part cut away. Other
    sheets (receipts, cards, booklet pages, notebook pages, half sheets) are not judged (ext notesA1:
    176 mm wide along its lines, 214 mm long).

    Returns:
        How the sheet is cut, or None.
    """
    dpi = page.dpi
    if not dpi or dpi in DEFAULT_DPI_TAGS or dpi < 50 or m.sheet_width_px <= 0 or m.sheet_height_px <= 0:
        return None
    across, down = m.sheet_width_px / dpi * 25.4, m.sheet_height_px / dpi * 25.4
    short, long_ = sorted((across, down))
    tol = t.paper_size_tolerance

    def near(value: float, sizes: tuple[float, ...]) -> bool:
        return any(abs(value - s) <= tol * s for s in sizes)

    if near(short, PAPER_SHORT_MM) and not near(long_, PAPER_LONG_MM):
        return SheetCut(short, long_, PAPER_LONG_MM[0], "end")
    along_lines = m.line_count >= MIN_SPREAD_LINES  # text lines found running across the image
    if along_lines and near(across, PAPER_SHORT_MM) and down < across and not near(down, PAPER_PARTS_MM):
        return SheetCut(short, long_, PAPER_LONG_MM[0], "short")
    narrow = short < (1 - tol) * PAPER_SHORT_MM[0]
    # The image is all sheet (paper to every edge) and shows the sheet's own blank margins at both ends
    # of its length, so it was not cropped to its print: a sheet as long as A4 and narrower than A4, but
    # wider than any till roll, lost a side even where the cut fell between characters.
    whole_length = m.end_margin_px / dpi * 25.4 >= SHEET_END_MARGIN_MM
    all_sheet = not m.doc_found and whole_length and short > (1 + tol) * TILL_ROLL_MAX_MM
    if near(long_, PAPER_LONG_MM) and narrow and (m.cut_lines >= t.cut_lines or all_sheet):
        return SheetCut(short, long_, PAPER_SHORT_MM[0], "side")
    return None


@capture_check(
    "image.sheet-size", code=RejectionCode.CUT_OFF, metric="sheet_mm", threshold="paper_size_tolerance",
    title="Office sheet shorter than its format",
)  # fmt: skip
def sheet_size(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """An A4/Letter-wide sheet that is not A4/Letter/Legal long, or an A4-long sheet narrower than A4
    whose text runs into a side (:func:`cut_sheet_size`; needs a real DPI tag). Not on photos, whose
    DPI says nothing about the paper. Where a card or data page shows on the sheet (:func:`shows_card`),
    a sheet cut short across its lines, or along a side with a single cut line (which may be the
    card's MRZ), is left to the identity checks: they say which part of the card is missing."""
    if f.is_photo or f.has(RejectionCode.CUT_OFF):
        return None
    cut = cut_sheet_size(f.page, f.metrics, t)
    if cut is None:
        return None
    weak = cut.how == "short" or (cut.how == "side" and f.metrics.cut_lines <= 1)
    if weak and shows_card(f.page, f.metrics, t):
        return None
    measured = cut.short_mm if cut.how == "side" else cut.long_mm
    return reject(
        "image.sheet-size", measured, cut.expected_mm, sheet_short_mm=round(cut.short_mm, 1),
        sheet_long_mm=round(cut.long_mm, 1),
        cut_lines=f.metrics.cut_lines, tolerance=t.paper_size_tolerance,
    )  # fmt: skip


ID1_SHORT_MM = 53.98
"""Short side of an ID-1 card (ICAO 9303 TD1), the narrowest identity document (TD3 data pages: 88 mm)."""
CARD_CUT_SHORT_MM = 0.9 * ID1_SHORT_MM
"""A card-sized tinted print narrower than this, reaching an image side, was cut across by the image edge
(a whole card keeps its 54 mm, less a little of its outline lost to the tiles); not tuned: it follows from
the card's size."""
CARD_CUT_MAX_LONG_MM = 1.1 * 125.0
"""Longest side a tinted print may have to be taken for a card or data page: a TD3 passport page (125 mm,
the largest identity document) with 10 % to spare. A coloured band across a whole sheet (the 212 mm
header strip of a "classic" apostille, 6 mm high, at the top edge of the scan) is a sheet's print, not
a card cut across."""


@capture_check(
    "image.card-cut-off", code=RejectionCode.CUT_OFF, metric="card_short_mm", threshold="",
    title="Card or data page cut across by the image edge",
)  # fmt: skip
def card_cut_off(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """A card or passport page lying on the scanner's white lid (its tinted print fills a hull as long as
    an identity card, :func:`card_glare`'s evidence) that reaches an image side while it is narrower than
    any identity document (:data:`CARD_CUT_SHORT_MM`): the edge cut across it, through its data or its
    MRZ. A whole card laid against the glass's edge reaches the side too, but keeps its full width.
    Needs a real DPI tag (the card's width in millimetres); not on photos."""
    m = f.metrics
    if f.is_photo or f.has(RejectionCode.CUT_OFF) or not m.card_at_edge or m.card_fill < t.glare_card_fill:
        return None
    dpi = f.page.dpi
    if not dpi or dpi in DEFAULT_DPI_TAGS or dpi < 50 or m.card_short_px <= 0:
        return None
    if not CARD_MIN_LONG_MM <= m.card_long_px / dpi * 25.4 <= CARD_CUT_MAX_LONG_MM:
        return None
    short_mm = m.card_short_px / dpi * 25.4
    if short_mm >= CARD_CUT_SHORT_MM:
        return None
    return reject("image.card-cut-off", short_mm, CARD_CUT_SHORT_MM, card_long_mm=round(m.card_long_px / dpi * 25.4, 1))


@capture_check(
    "image.photo-cut-off", code=RejectionCode.CUT_OFF, metric="border_run", threshold="cut_photo_border_run",
    title="Photographed sheet running out of the frame",
)  # fmt: skip
def photo_cut_off(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """On a phone photo the sheet lies on a table; a sheet running along a frame side over a large
    share of it went on beyond the frame (a corner poking out is not). On a flatbed the sheet
    touching the glass edge is normal, so scans skip this check."""
    m = f.metrics
    if not f.has(RejectionCode.PHONE_PHOTO) or f.has(RejectionCode.CUT_OFF) or not m.doc_found:
        return None
    if m.border_run >= t.cut_photo_border_run:
        return reject("image.photo-cut-off", m.border_run, t.cut_photo_border_run)
    return None


# --------------------------------------------------------------------------- per document


@capture_check(
    "identity.greyscale", code=RejectionCode.GREYSCALE, metric="colourfulness", threshold="min_colourfulness",
    title="Identity document copied in black and white", stage="document",
)  # fmt: skip
def greyscale(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """An identity page stored without colour, or whose printed content is less colourful than the bar
    (RULES.md scan_colour_copy). Run on identity documents only, after classification: certificates
    may be grey. An over- or underexposed page is already rejected for that, and "copied in black and
    white" would be the wrong instruction: exposure bleaches or crushes the colours too (gen
    overexposed ID scans: colourfulness 3.1-3.5; too-dark ID scans: 1.9-2.4)."""
    if f.has(RejectionCode.OVEREXPOSED, RejectionCode.TOO_DARK):
        return None
    m = f.metrics
    if m.is_exact_grey or m.colourfulness < t.min_colourfulness:
        return reject("identity.greyscale", m.colourfulness, t.min_colourfulness, exact_grey=m.is_exact_grey)
    return None


# --------------------------------------------------------------------------- identity pages (after the MRZ stage)

FIELDS_NEEDED = 2
MRZ_LINE_PITCH_CHARS = 4.23 / 2.54
"""Distance between two MRZ lines in character widths (ICAO 9303-3: 6 lines per inch, 2.54 mm characters):
room a missing line needs beyond the last line shown."""
VIZ_INSIDE_MIN = 0.75
"""Share of the visual zone's height that must lie inside the image. The zone is taken as 24 character
widths (61 mm of the TD3 page's 88 mm above its 23 mm MRZ); a quarter of it off the image is the photo and
the holder's data cut off, whatever the pitch estimate's error (not tuned: it follows from ICAO 9303-4)."""
"""Printed fields (of surname, first given name, document number) that show a visual zone is legible."""
MRZ_CUT_MESSAGE = (
    "The machine-readable zone (the lines with <<< at the bottom of the data page) runs off the {edge} edge "
    "of the image. Scan the whole page with a margin around it."
)
MRZ_MISSING_MESSAGE = (
    "This passport data page has no machine-readable zone (the lines with <<< at its bottom): the page is "
    "cut off. Scan the whole data page with a margin around it."
)
PRINT_WASHED_OUT_MESSAGE = (
    "A reflection washes out the print in part of the page: some lines fade to nothing there. Scan it again "
    "with the lid closed and the page lying flat; a glossy or laminated page may need a matt copy."
)
MRZ_MIN_ROW_CHARS = 30
"""Characters of the shortest MRZ row (TD1 cards; TD2 rows have 36, TD3 rows 44: ICAO 9303-4/5/6). Every
row prints its full length, fillers included, so a row that stops sooner inside the image is hidden."""
MRZ_ROW_SHOWN = 0.9
"""Share of :data:`MRZ_MIN_ROW_CHARS` a shown row must reach (OCR's character width is an estimate)."""
GLARE_ROW_LIFT = 8.0
"""Grey levels by which the page where a row stops must be brighter than the paper between its characters
(a reflection lifts it to white; a row that ends on plain paper of the same shade is not blamed on glare)."""
MRZ_GLARE_MESSAGE = (
    "A reflection washes out part of the machine-readable zone (the lines with <<< at the bottom), "
    "so it cannot be read. Scan the page again, lying flat on the glass with the lid closed."
)
FIELD_GLARE_MESSAGE = (
    "A reflection washes out the printed data (name, dates, photo) above the machine-readable zone, so they "
    "cannot be read. Scan the page again, lying flat on the glass with the lid closed."
)


@capture_check(
    "identity.mrz-cut-off", code=RejectionCode.CUT_OFF, metric="zone_edge_margin", threshold="mrz_edge_chars",
    title="Machine-readable zone running off the image", stage="identity",
)  # fmt: skip
def mrz_cut_off(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """An MRZ that does not read whole (its check digits fail, or the reader found no zone) and whose box
    (or, when it was not read, the OCR'd words with its ``<<`` fillers) reaches the image edge: its
    lines run off the image (RULES.md scan_quality_sufficient: "any corner of the ID document or of the
    MRZ is cut off"); a line ending within a character of a side, with print touching that side, ends in a
    character cut in two. An MRZ has two or three lines: when OCR shows one on a data page and the image
    ends before another line would fit beside it (:data:`MRZ_LINE_PITCH_CHARS`), the others were cut
    off. A zone whose every check digit passes has every line at full length, so it lies whole in the
    image however tightly the page was cropped (ext passport scans cropped at the page edge: 0-0.5
    characters between the zone and the border)."""
    z = f.zone
    if z is None or z.valid or z.edge_margin is None or f.has(RejectionCode.CUT_OFF):
        return None
    line_missing = (
        z.data_page and z.lines_shown == 1 and z.edge in ("top", "bottom") and z.edge_margin < MRZ_LINE_PITCH_CHARS
    )
    # OCR reads whole characters only: the part of a character the edge cut leaves up to one character
    # width between the last one read and the edge, and that part is print touching the edge.
    glyph_cut = z.cut_glyph and z.edge_margin < 1.0
    if z.edge_margin >= t.mrz_edge_chars and not line_missing and not glyph_cut:
        return None
    message = MRZ_CUT_MESSAGE.format(edge=z.edge or "")
    return reject(
        "identity.mrz-cut-off", z.edge_margin, t.mrz_edge_chars, message, edge=z.edge, unit="characters",
        lines_shown=z.lines_shown,
    )  # fmt: skip


VIZ_CUT_MESSAGE = (
    "The photo and printed data above the machine-readable zone (the lines with <<< at the bottom of the "
    "data page) are cut off. Scan the whole data page with a margin around it."
)


@capture_check(
    "identity.data-cut-off", code=RejectionCode.CUT_OFF, metric="viz_inside", threshold="",
    title="Data page whose photo and printed data run off the image", stage="identity",
)  # fmt: skip
def data_cut_off(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """A passport data page (TD3) or TD2 card prints its photo and the holder's data in a visual zone
    of known height beside its MRZ (ICAO 9303-4: the page is 88 mm high, the MRZ 23 mm of it). When the
    zone reads but the image ends before the visual zone does (less than :data:`VIZ_INSIDE_MIN` of
    its height inside, on either side of the MRZ), the page was cut through its photo and data."""
    z = f.zone
    if z is None or not z.read or z.viz_inside >= VIZ_INSIDE_MIN or f.has(RejectionCode.CUT_OFF):
        return None
    return reject("identity.data-cut-off", z.viz_inside, VIZ_INSIDE_MIN, VIZ_CUT_MESSAGE, where="printed fields")


@capture_check(
    "identity.mrz-missing", code=RejectionCode.CUT_OFF, metric="zone_lines", threshold="",
    title="Passport data page without its machine-readable zone", stage="identity",
)  # fmt: skip
def mrz_missing(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """A passport's data page always prints its MRZ below the data (ICAO 9303-4): OCR shows the data page
    (the word passport and the labels of the data fields) but no zone was read and no ``<<`` filler
    shows anywhere. The zone is not there: the page was cut off (a zone that shows but does not read is
    judged by the glare and cut checks, never here)."""
    z = f.zone
    if z is None or not z.data_page or z.read or z.printed or z.edge_margin is not None or f.has(RejectionCode.CUT_OFF):
        return None
    return reject("identity.mrz-missing", 0, 2, MRZ_MISSING_MESSAGE, where="mrz")


@capture_check(
    "identity.mrz-glare", code=RejectionCode.GLARE, metric="glare_card", threshold="mrz_glare_card",
    title="Reflection over the machine-readable zone", stage="identity",
)  # fmt: skip
def mrz_glare(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """An MRZ that shows on the page (OCR sees its fillers or lines) but does not read (its check digits
    fail), on a card or data page with a pure-white hole burnt into its security print. Too small to
    reject a page by itself (a few characters), the hole explains why the zone is unreadable; without
    it the page is not blamed on glare."""
    z, m = f.zone, f.metrics
    if z is None or z.valid or not z.printed or f.found:
        return None
    if m.card_fill < t.glare_card_fill or m.glare_card < t.mrz_glare_card:
        return None
    return reject("identity.mrz-glare", m.glare_card, t.mrz_glare_card, MRZ_GLARE_MESSAGE, where="mrz")


@capture_check(
    "identity.mrz-row-washed-out", code=RejectionCode.GLARE, metric="zone_row_chars", threshold="",
    title="Machine-readable zone washed out part of the way along", stage="identity",
)  # fmt: skip
def mrz_row_washed_out(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """An MRZ that shows but does not read, whose rows' print stops short of the shortest MRZ row
    (:data:`MRZ_MIN_ROW_CHARS`, every row printing its full length) inside the image, the page where
    the row should go on lifted to white (:data:`GLARE_ROW_LIFT`): a reflection hides the rest of the
    zone. It finds the reflection that reaches past a card onto the sheet around it, which leaves no
    hole in the card's print for :func:`mrz_glare`. Follows from the zone's format, not from a tuned
    threshold."""
    del t  # the bars follow from ICAO 9303, not from the thresholds
    z = f.zone
    if z is None or z.valid or not z.printed or z.row_chars is None or f.found:
        return None
    if z.row_chars >= MRZ_ROW_SHOWN * MRZ_MIN_ROW_CHARS or z.row_lift < GLARE_ROW_LIFT:
        return None
    return reject(
        "identity.mrz-row-washed-out", z.row_chars, MRZ_MIN_ROW_CHARS, MRZ_GLARE_MESSAGE, where="mrz",
        unit="characters", lift=round(z.row_lift, 1),
    )  # fmt: skip


@capture_check(
    "identity.field-glare", code=RejectionCode.GLARE, metric="viz_washed", threshold="viz_washed",
    title="Reflection over the printed data of an identity page", stage="identity",
)  # fmt: skip
def field_glare(f: CaptureFacts, t: QualityThresholds) -> Rejection | None:
    """The MRZ reads, but OCR finds fewer than two of the holder's printed fields it names (surname,
    first given name, document number) on the page, and the visual zone above the MRZ holds a region
    a reflection washed out (clipped white, fading into the print around it: a white area of the
    design ends sharply). The visual zone must be legible: the clerk compares it with the MRZ (ICAO
    9303-3). A data page whose fields OCR reads is usable whatever else it shows."""
    z = f.zone
    if z is None or not z.valid or z.fields_read >= FIELDS_NEEDED or f.found:
        return None
    if z.viz_washed <= t.viz_washed:
        return None
    return reject("identity.field-glare", z.viz_washed, t.viz_washed, FIELD_GLARE_MESSAGE, where="printed fields")
