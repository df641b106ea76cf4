"""Image loading and capture/quality metrics (the only module that calls OpenCV for quality).

Every metric works on a reduced copy of the page so that one page costs well under 0.3 s on
one core: geometry and background on a copy whose long side is :data:`GEOMETRY_LONG_SIDE`,
text metrics (blur, text height, skew, cut-off) on a copy whose long side is at most
:data:`WORK_LONG_SIDE`. Lengths that depend on the original resolution (text height) are
reported in original pixels.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import math
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import cv2
import numpy as np
import threadpoolctl
from numpy.typing import NDArray
from PIL import Image, ImageOps

from pipeline.engines import pdfrender
from pipeline.errors import DossierError

log = logging.getLogger(__name__)

# Pages are measured in parallel, one per worker: OpenCV's own thread pool on top of that only makes
# the workers wait for one another (the gate took 6 % more CPU per page with it, 134 pages).
cv2.setNumThreads(1)
# Likewise numpy's OpenBLAS: it starts threads for the page's lighting fit (one small least-squares
# solve) and they spin after every call, taking ~0.09 CPU-s a page from the other page worker
# (50-dossier benchmark, 2 cores: 177 -> 157 CPU-s, 3.5 -> 4.0 pages/s, same results).
threadpoolctl.threadpool_limits(1, user_api="blas")

WORK_LONG_SIDE = 1600
"""Long side of the copy used for text metrics (an A4 page at ~190 dpi)."""
GEOMETRY_LONG_SIDE = 512
"""Long side of the copy used for the document outline, background and lighting."""
CARD_LONG_SIDE = 1000
"""Long side of the copy on which :func:`glare_on_card` looks for a card's security print."""
CARD_TILE = 10
"""Tile size (px on the :data:`CARD_LONG_SIDE` copy, ~2.5 mm of an A4 page) of that search."""

CARD_TINT = 0.5
"""Share of a tile's pixels that must be tinted (a channel below 252) for the tile to count as a card's
security print. A card or data page is tinted all over; a letter's text leaves white paper between the
glyphs (a 2.5 mm tile of 10 pt text is 10-30 % ink), so a letter with a stamp is no card (the independent
batch: white A4 letters measured a 13-18 % "hole" when any ink made a tile printed)."""

CARD_HOLE_CREDIT = 0.06
"""Share of a card hull that a highlight's hole may take without counting as missing print."""

DEFAULT_DPI_TAGS = frozenset({72.0, 96.0})
"""Resolution tags that software writes by default (phones, screenshots, web exports); they
say nothing about the physical resolution (ext: iPhone photos at 72, a 506 px scan at 72)."""
LOSSLESS_FORMATS = frozenset({"PNG", "BMP", "GIF"})
U8 = NDArray[np.uint8]
F32 = NDArray[np.float32]


@dataclasses.dataclass(frozen=True, slots=True)
class LoadedImage:
    """A page raster reduced for measurement, with the factor back to the original."""

    rgb: U8
    """RGB copy, long side at most :data:`WORK_LONG_SIDE`."""
    scale: float
    """``working pixels / original pixels`` (<= 1)."""
    original_size: tuple[int, int]
    """``(width, height)`` of the original raster after EXIF rotation."""
    source_format: str
    """PIL format name (``JPEG``, ``PNG``, ``TIFF``...)."""
    source_mode: str
    """PIL mode of the source (``RGB``, ``L``, ``1``, ``CMYK``...)."""
    reload: Callable[[int], LoadedImage] | None = dataclasses.field(default=None, compare=False, repr=False)
    """Load the same raster again with another long side (a closer look at a small document)."""


class PageDecodeError(Exception):
    """A page raster that cannot be decoded (corrupt, truncated, or too large to decode safely)."""


def decode_page(
    path: Path, frame: int = 0, max_pixels: int | None = None, *, pdf_dpi: int = 300
) -> tuple[Image.Image, str, str]:
    """Decode one page raster at full resolution: upright (EXIF orientation applied), RGB.

    The one function through which the pipeline gets a page's pixels.

    Args:
        path: Image file (JPEG, PNG, TIFF, WebP, HEIC, ...) or PDF.
        frame: Frame index of a multi-page TIFF; page index (0-based) of a PDF.
        max_pixels: Refuse larger rasters before any pixel is decoded (decompression bombs).
        pdf_dpi: Resolution at which a PDF page that is not one embedded image is rendered.

    Returns:
        ``(image, format, mode)``: the RGB image, the source's format name and its PIL mode.

    Raises:
        PageDecodeError: the raster cannot be decoded.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            rgb, fmt, mode = _decode_upright_rgb(path, frame, max_pixels, pdf_dpi)
    except PageDecodeError:
        raise
    except DossierError as exc:  # pdftoppm missing or failing: this page cannot be had
        raise PageDecodeError(str(exc)) from exc
    except (OSError, ValueError, EOFError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PageDecodeError(f"the image is corrupt or truncated ({exc})") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on a broken PDF
        raise PageDecodeError(f"the PDF page cannot be read ({type(exc).__name__}: {exc})") from exc
    return rgb, fmt, mode


def _decode_upright_rgb(path: Path, frame: int, max_pixels: int | None, pdf_dpi: int) -> tuple[Image.Image, str, str]:
    """:func:`decode_page` without the translation of errors."""
    with _open_raster(path, frame, max_pixels, pdf_dpi) as (im, fmt):
        mode = im.mode
        im.load()
        # In place, and no copy when the page is upright and RGB already (most scans): two copies
        # of a 9-megapixel raster cost 0.02 s a page.
        ImageOps.exif_transpose(im, in_place=True)
        if im.mode in ("P", "LA", "RGBA", "PA"):
            rgba = im.convert("RGBA")
            im = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
        return (im if im.mode == "RGB" else im.convert("RGB")), fmt, mode


@contextlib.contextmanager
def _open_raster(path: Path, frame: int, max_pixels: int | None, pdf_dpi: int) -> Iterator[tuple[Image.Image, str]]:
    """The page's raster, opened (not decoded) and checked against ``max_pixels``, with its format name.

    The file is opened here, not by PIL: an image loaded from a handle that PIL does not own stays
    usable once the handle is closed, so the decoded pixels need no copy to outlive the file.
    """
    with path.open("rb") as handle:
        if b"%PDF-" in handle.read(1024):
            yield pdfrender.page_raster(path, frame, dpi=pdf_dpi, max_pixels=max_pixels)
            return
        handle.seek(0)
        im = Image.open(handle)
        if frame:
            im.seek(frame)
        if max_pixels is not None and im.width * im.height > max_pixels:
            raise PageDecodeError(
                f"image is too large to decode safely ({im.width * im.height / 1e6:.0f} megapixels, "
                f"limit {max_pixels / 1e6:.0f})"
            )
        yield im, im.format or ""


def fit(image: Image.Image, long_side: int) -> Image.Image:
    """A copy whose long side is at most ``long_side`` (area averaging; never enlarged)."""
    if max(image.size) <= long_side:
        return image
    src = image
    if max(image.size) >= 2 * long_side:
        # Integer box reduction first: much faster than resizing a 600 dpi page in one step.
        src = image.reduce(max(image.size) // long_side)
    factor = long_side / max(image.size)
    size = (max(1, round(image.size[0] * factor)), max(1, round(image.size[1] * factor)))
    return src.resize(size, Image.Resampling.BOX)


class PagePixels:
    """A page raster decoded once, on first use, and shared by every page stage.

    Reduced copies are made from the decoded raster once per size (the quality gate measures at
    :data:`WORK_LONG_SIDE`, OCR reads at its own long side, the MRZ reader looks at the full
    raster), so no stage opens the file again. One instance belongs to one page in one thread.
    """

    __slots__ = ("_decoded", "_grey", "_greys", "_sizes", "frame", "max_pixels", "path", "pdf_dpi")

    def __init__(self, path: Path, frame: int = 0, max_pixels: int | None = None, pdf_dpi: int = 300) -> None:
        self.path = path
        self.frame = frame
        self.max_pixels = max_pixels
        self.pdf_dpi = pdf_dpi
        self._decoded: tuple[Image.Image, str, str] | None = None
        self._sizes: dict[int, Image.Image] = {}
        self._grey: Image.Image | None = None
        self._greys: dict[int, Image.Image] = {}

    @classmethod
    def of(cls, image: Image.Image, fmt: str = "") -> PagePixels:
        """Wrap an image already in memory (tests, generators)."""
        pixels = cls(Path("<memory>"))
        upright = ImageOps.exif_transpose(image) or image
        pixels._decoded = (upright.convert("RGB"), fmt, image.mode)
        return pixels

    def _decode(self) -> tuple[Image.Image, str, str]:
        if self._decoded is None:
            self._decoded = decode_page(self.path, self.frame, self.max_pixels, pdf_dpi=self.pdf_dpi)
        return self._decoded

    @property
    def full(self) -> Image.Image:
        """The whole raster, upright RGB. Raises :class:`PageDecodeError`."""
        return self._decode()[0]

    @property
    def source_format(self) -> str:
        """PIL format name of the file (``JPEG``, ``PNG``, ``TIFF``...)."""
        return self._decode()[1]

    def fit(self, long_side: int) -> Image.Image:
        """The raster reduced to at most ``long_side`` pixels on its long side (memoised)."""
        if long_side not in self._sizes:
            self._sizes[long_side] = fit(self.full, long_side)
        return self._sizes[long_side]

    def grey(self, long_side: int) -> Image.Image:
        """The luminance of the raster at most ``long_side`` pixels long (memoised).

        Made from the full raster turned grey first: reducing one channel costs a third of
        reducing three, and OCR and the evidence view want grey only (tesseract binarises a
        colour page channel by channel: 20 % more CPU for the same words, see ``stages/ocr``).
        """
        if long_side not in self._greys:
            if self._grey is None:
                self._grey = self.full.convert("L")
            self._greys[long_side] = fit(self._grey, long_side)
        return self._greys[long_side]

    def working(self, long_side: int = WORK_LONG_SIDE) -> LoadedImage:
        """The measurement copy of the quality gate, with a way to look closer."""
        image, fmt, mode = self._decode()
        rgb = np.asarray(self.fit(long_side), dtype=np.uint8)
        return LoadedImage(
            rgb=rgb,
            scale=rgb.shape[1] / image.width if image.width else 1.0,
            original_size=image.size,
            source_format=fmt,
            source_mode=mode,
            reload=self.working,
        )


def from_array(rgb: NDArray[Any], long_side: int = WORK_LONG_SIDE) -> LoadedImage:
    """Wrap an in-memory RGB (or grey) array as a :class:`LoadedImage` (tests, generators).

    Args:
        rgb: ``HxWx3`` or ``HxW`` uint8 array.
        long_side: Largest long side of the working copy.

    Returns:
        The reduced copy.
    """
    arr = full = np.asarray(rgb, dtype=np.uint8)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    h, w = arr.shape[:2]
    scale = 1.0
    if max(h, w) > long_side:
        scale = long_side / max(h, w)
        arr = np.asarray(
            cv2.resize(arr, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA),
            dtype=np.uint8,
        )
        scale = arr.shape[1] / w
    return LoadedImage(
        rgb=np.ascontiguousarray(arr),
        scale=scale,
        original_size=(w, h),
        source_format="",
        source_mode="RGB",
        reload=functools.partial(from_array, full),
    )


def to_gray(rgb: U8) -> U8:
    """Luminance (ITU-R BT.601) of an RGB array."""
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def resize_long(img: NDArray[Any], long_side: int) -> NDArray[Any]:
    """Shrink an array so that its long side is at most ``long_side`` (area interpolation)."""
    h, w = img.shape[:2]
    if max(h, w) <= long_side:
        return img
    f = long_side / max(h, w)
    return np.asarray(cv2.resize(img, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA))


# --------------------------------------------------------------------------- document outline


@dataclasses.dataclass(frozen=True, slots=True)
class Outline:
    """Where the document is in the frame and how far its outline is from a flat rectangle."""

    found: bool
    """True when a document region distinct from a background was found."""
    area_fraction: float
    """Document area / frame area (1.0 when no distinct document was found)."""
    corner_deviation: float
    """Largest deviation of a corner angle from 90 degrees (perspective or bent page)."""
    side_ratio_deviation: float
    """Largest relative length difference of opposite sides (perspective foreshortening)."""
    rotation: float
    """Angle of the outline's long edge to the nearest image axis, in degrees."""
    rectangularity: float
    """Region area / area of its minimum bounding rectangle (1.0 for a flat sheet)."""
    touches_border: int
    """How many image sides the document region touches."""
    quad: tuple[tuple[float, float], ...]
    """Corner points in geometry-copy pixels (empty when not found)."""
    mask: U8
    """Document mask on the geometry copy (255 inside)."""


def _order_quad(pts: NDArray[Any]) -> NDArray[np.float32]:
    """Order 4 points top-left, top-right, bottom-right, bottom-left."""
    pts = np.asarray(pts, dtype=np.float32).reshape(-1, 2)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)


def _quad_angles(q: NDArray[np.float32]) -> list[float]:
    angles = []
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        v1, v2 = a - b, c - b
        cosang = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        angles.append(math.degrees(math.acos(max(-1.0, min(1.0, cosang)))))
    return angles


def _largest_component(binary: U8) -> tuple[U8, int]:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=4)
    if n <= 1:
        return np.zeros_like(binary), 0
    areas = np.asarray(stats)[1:, cv2.CC_STAT_AREA]
    best = int(np.argmax(areas)) + 1
    return np.where(labels == best, 255, 0).astype(np.uint8), int(areas[best - 1])


def find_document(gray_small: U8) -> Outline:
    """Find the document sheet on a small grey copy and measure its outline.

    The sheet is the largest bright region after Otsu thresholding (paper is brighter than a
    table, a hand or a scanner lid). Small dark text inside it is closed over first. When the
    bright region covers almost the whole frame, or nothing stands out, the page is taken as
    full-frame (a cropped scan or a close-up photo).

    Args:
        gray_small: Grey copy, long side about :data:`GEOMETRY_LONG_SIDE`.

    Returns:
        The outline and its geometry.
    """
    h, w = gray_small.shape
    full = np.full_like(gray_small, 255)
    none = Outline(False, 1.0, 0.0, 0.0, 0.0, 1.0, 4, (), full)
    blur = cv2.GaussianBlur(gray_small, (5, 5), 0)
    otsu, binary = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    dark = blur[blur < otsu]
    bright = blur[blur >= otsu]
    if dark.size == 0 or bright.size == 0 or float(bright.mean()) - float(dark.mean()) < 25:
        return none
    k = max(3, (max(h, w) // 60) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    closed = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, kernel)
    closed = cv2.morphologyEx(closed, cv2.MORPH_OPEN, kernel)
    region, area = _largest_component(np.asarray(closed, dtype=np.uint8))
    if area < 0.04 * h * w:
        return none
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return none
    cnt = max(contours, key=cv2.contourArea)
    filled = np.zeros_like(gray_small)
    cv2.drawContours(filled, [cnt], -1, 255, thickness=-1)
    area_f = float(np.count_nonzero(filled)) / (h * w)
    if area_f > 0.97:
        return none
    rect = cv2.minAreaRect(cnt)
    rect_area = max(rect[1][0] * rect[1][1], 1.0)
    rectangularity = min(1.0, float(cv2.contourArea(cnt)) / rect_area)
    hull = cv2.convexHull(cnt)
    peri = cv2.arcLength(hull, True)
    quad: NDArray[np.float32] | None = None
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = np.asarray(cv2.approxPolyDP(hull, eps * peri, True)).reshape(-1, 2)
        if len(approx) == 4:
            quad = _order_quad(approx)
            break
    if quad is None:
        quad = _order_quad(np.asarray(cv2.boxPoints(rect)).reshape(-1, 2))
    margin = 2
    ys, xs = np.nonzero(filled)
    touches = (
        int(xs.min() <= margin)
        + int(ys.min() <= margin)
        + int(xs.max() >= w - 1 - margin)
        + int(ys.max() >= h - 1 - margin)
    )
    # Corners lying on the image border are crop corners, not document corners: their angles
    # say nothing about perspective, so only corners inside the frame count.
    inner = [i for i, (x, y) in enumerate(quad) if margin + 1 < x < w - margin - 2 and margin + 1 < y < h - margin - 2]
    angles = _quad_angles(quad)
    corner_dev = max((abs(angles[i] - 90.0) for i in inner), default=0.0)
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
    ratio_dev = 0.0
    if touches == 0:
        ratio_dev = max(
            abs(sides[0] - sides[2]) / max(sides[0], sides[2], 1e-6),
            abs(sides[1] - sides[3]) / max(sides[1], sides[3], 1e-6),
        )
    top = quad[1] - quad[0]
    rot = math.degrees(math.atan2(float(top[1]), float(top[0])))
    rot = (rot + 45.0) % 90.0 - 45.0
    return Outline(
        True,
        area_f,
        float(corner_dev),
        float(ratio_dev),
        float(rot),
        rectangularity,
        touches,
        tuple((float(x), float(y)) for x, y in quad),
        filled,
    )


def background_stats(rgb_small: U8, gray_small: U8, outline: Outline) -> tuple[float, float, float]:
    """Texture, colour spread and share of the frame of what lies around the document.

    A flatbed lid or a cardboard backing is smooth and grey; a table, a floor, a hand or a
    keyboard has grain and colour. The background is what lies outside the convex hull of the
    sheet (and a 5 px band next to it, the sheet's own edge): on a tightly cropped passport or
    visa scan the bright region that :func:`find_document` takes for the sheet is the page's pale
    print, and the darker print between (photo, guilloche, coloured bands) lies inside its hull,
    not around it (ext 100_visa-usa, 100_pass-bdr, 100_id-che: "background" chroma 11-19 before,
    none now); the table around a photographed receipt lies outside.

    Args:
        rgb_small: RGB geometry copy.
        gray_small: Grey geometry copy.
        outline: Result of :func:`find_document`.

    Returns:
        ``(texture, chroma_std, background_fraction)``; zeros when nothing lies around the sheet.
    """
    if not outline.found:
        return 0.0, 0.0, 0.0
    contours, _ = cv2.findContours(outline.mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull_mask = np.zeros_like(outline.mask)
    if contours:
        cv2.fillPoly(hull_mask, [cv2.convexHull(max(contours, key=cv2.contourArea))], 255)
    grown = cv2.dilate(hull_mask, cv2.getStructuringElement(cv2.MORPH_RECT, (11, 11)))
    h, w = gray_small.shape
    bg = grown == 0
    bg[:2, :] = False
    bg[-2:, :] = False
    bg[:, :2] = False
    bg[:, -2:] = False
    frac = float(np.count_nonzero(bg)) / (h * w)
    if frac < 0.01:
        return 0.0, 0.0, frac
    g = gray_small.astype(np.float32)
    lap = np.abs(cv2.Laplacian(g, cv2.CV_32F, ksize=3))
    texture = float(np.median(lap[bg]))
    lab = cv2.cvtColor(rgb_small, cv2.COLOR_RGB2LAB).astype(np.float32)
    chroma = float(np.sqrt(lab[:, :, 1][bg].var() + lab[:, :, 2][bg].var()))
    return texture, chroma, frac


def illumination_falloff(gray_small: U8, mask: U8) -> float:
    """Low-frequency brightness change across the paper (0 = evenly lit, as on a flatbed).

    The paper level is estimated by a grey-level closing (text removed), then a quadratic
    surface is fitted to it inside the sheet; the falloff is the fitted surface's range divided
    by its maximum. Fitting a smooth surface ignores stains and printed boxes, and keeps the
    vignetting and the light gradient of a hand-held photo.

    Args:
        gray_small: Grey geometry copy.
        mask: Document mask on the same copy.

    Returns:
        Relative falloff in [0, 1].
    """
    h, w = gray_small.shape
    k = max(3, (max(h, w) // 40) | 1)
    paper = cv2.morphologyEx(gray_small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    inner = cv2.erode(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    step = max(1, max(h, w) // 64)
    ys, xs = np.mgrid[0:h:step, 0:w:step]
    sel = inner[ys, xs] > 0
    if np.count_nonzero(sel) < 30:
        return 0.0
    z = paper[ys, xs][sel].astype(np.float64)
    # Paper only: drop dark printed areas (photos, filled boxes) that the closing kept.
    keep = z >= np.percentile(z, 30)
    x = xs[sel][keep] / w - 0.5
    y = ys[sel][keep] / h - 0.5
    z = z[keep]
    if z.size < 20:
        return 0.0
    a = np.stack([np.ones_like(x), x, y, x * x, y * y, x * y], axis=1)
    coef, *_ = np.linalg.lstsq(a, z, rcond=None)
    fit = a @ coef
    top = float(fit.max())
    if top <= 1:
        return 0.0
    return float((top - fit.min()) / top)


# --------------------------------------------------------------------------- text metrics


@dataclasses.dataclass(frozen=True, slots=True)
class TextStats:
    """Text-like strokes found on the working copy."""

    ink: U8
    """Binary mask of dark strokes (255 = ink) on the working copy."""
    component_height: float
    """Median height of character-sized components, in working pixels (0 when none)."""
    components: int
    """Number of character-sized components."""


def threshold_block(gray: U8) -> int:
    """Window (odd, px) of the local threshold of :func:`find_text`: 1/50 of the long side."""
    return max(15, (max(gray.shape[:2]) // 50) | 1)


def inside(region: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The document region without its outer 7 px, where edges are the print's, not the sheet's."""
    return np.asarray(cv2.erode(region.astype(np.uint8), np.ones((15, 15), np.uint8)), dtype=np.uint8) > 0


def find_text(gray: U8) -> TextStats:
    """Binarise dark strokes (local threshold) and measure character heights.

    Args:
        gray: Grey working copy.

    Returns:
        The ink mask, the median character height and the component count.
    """
    block = threshold_block(gray)
    ink = np.asarray(
        cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15), dtype=np.uint8
    )
    height, count = glyph_height(ink)
    return TextStats(ink, height, count)


def glyph_height(ink: U8) -> tuple[float, int]:
    """Median height of the character-sized components of an ink mask (0 when under 15)."""
    return _glyph_height(components(ink), ink.shape)


def components(mask: NDArray[Any]) -> NDArray[Any]:
    """Statistics (``cv2.CC_STAT_*`` columns) of the 8-connected components of a mask, background row dropped."""
    _, _, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        mask.astype(np.uint8, copy=False), 8, cv2.CV_32S, cv2.CCL_BBDT
    )  # the same components as the default algorithm, a quarter faster on print masks
    return np.asarray(stats).reshape(-1, 5)[1:]


def _glyph_height(st: NDArray[Any], shape: tuple[int, ...]) -> tuple[float, int]:
    """:func:`glyph_height` from the components' statistics (background row dropped)."""
    h, w = shape[:2]
    if st.size == 0:
        return 0.0, 0
    ch, cw, area = st[:, cv2.CC_STAT_HEIGHT], st[:, cv2.CC_STAT_WIDTH], st[:, cv2.CC_STAT_AREA]
    max_h = max(h, w) / 20
    ok = (ch >= 4) & (ch <= max_h) & (cw <= 3 * ch) & (cw >= 1) & (area >= 0.1 * ch * cw) & (area <= 0.95 * ch * cw + 4)
    count = int(np.count_nonzero(ok))
    if count < 15:
        return 0.0, count
    return float(np.median(ch[ok])), count


def edge_width(gray: U8, ink: U8, region: NDArray[np.bool_] | None = None) -> tuple[float, int]:
    """Width of text edges in working pixels, on the worse edge orientation (sharp print ~2 px).

    For a step edge of contrast ``C`` blurred by a Gaussian of width ``s`` the largest gradient
    is ``C / (s * sqrt(2 pi))``, so ``C / gradient`` measures the edge width independently of
    the contrast. ``C`` is the local range in a 9x9 window; only local gradient maxima next to
    ink with a contrast of at least 40 grey levels count, so flat paper and JPEG noise do not.
    Vertical and horizontal edges are measured separately and the wider one is kept: motion
    blur smears one direction only, and the edges across it stay crisp.

    Args:
        gray: Grey working copy.
        ink: Ink mask from :func:`find_text`.
        region: Where the document is (working-copy mask); folder grain and scanner backing
            outside it are not text. None: the whole frame.

    Returns:
        ``(width, edge_pixel_count)``; width 0 when there are too few text edges.
    """
    g = gray.astype(np.float32)
    gx = np.asarray(cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3), dtype=np.float32) / np.float32(8.0)
    gy = np.asarray(cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3), dtype=np.float32) / np.float32(8.0)
    mag = cv2.magnitude(gx, gy)
    k9 = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    rng = cv2.dilate(gray, k9).astype(np.float32) - cv2.erode(gray, k9).astype(np.float32)
    near_ink = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))) > 0
    peak = mag >= cv2.dilate(mag, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    sel = near_ink & peak & (rng >= 40) & (mag > 2)
    if region is not None:
        sel &= region
    n = int(np.count_nonzero(sel))
    if n < 200:
        return 0.0, n
    ax, ay = np.abs(gx), np.abs(gy)
    worst = 0.0
    for orient in (ax > 2 * ay, ay > 2 * ax):
        s = sel & orient
        if np.count_nonzero(s) < 50:
            continue  # (100 left a heavily defocused passport page without a width: gen 203)
        # 70th percentile: a box (motion) kernel leaves some crisp corners on thin strokes, so the
        # sharpest third no longer separates it; most edges of a blurred page are wide.
        worst = max(worst, float(np.percentile(rng[s] / mag[s], 70)))
    return worst, n


def document_edge_width(img: LoadedImage, outline: Outline) -> tuple[float, int] | None:
    """:func:`edge_width` with the document, not the frame, at the working size.

    A document that fills part of a large frame (a passport on a table in a 12 MP photo) is
    shrunk with the frame to the working size, and shrinking hides blur: a 0.3 mm defocus
    measured 3.5 px on the frame copy and 4.3 px with the document at the working size (gen
    273, against 4.0). The same document gets the same verdict whatever surrounds it.

    Args:
        img: The working copy (with a way to reload the original).
        outline: The document outline found on the geometry copy.

    Returns:
        ``(width, edge_pixel_count)`` measured on the document at up to :data:`WORK_LONG_SIDE`,
        or None when the working copy already shows it at that size (or cannot be reloaded).
    """
    if img.reload is None or not outline.found:
        return None
    ys, xs = np.nonzero(outline.mask)
    gh, gw = outline.mask.shape
    if ys.size == 0:
        return None
    share = max((int(xs.max()) - int(xs.min()) + 1) / gw, (int(ys.max()) - int(ys.min()) + 1) / gh)
    frame_long = max(img.rgb.shape[:2])
    target = min(max(img.original_size), round(WORK_LONG_SIDE / max(share, 1e-3)))
    if target < 1.15 * frame_long:
        return None
    closer = img.reload(target)
    rgb = closer.rgb
    h, w = rgb.shape[:2]
    y0, y1 = int(ys.min()) * h // gh, (int(ys.max()) + 1) * h // gh
    x0, x1 = int(xs.min()) * w // gw, (int(xs.max()) + 1) * w // gw
    gray = to_gray(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
    mask = cv2.resize(outline.mask, (w, h), interpolation=cv2.INTER_NEAREST)[y0:y1, x0:x1]
    region = np.asarray(mask, dtype=np.uint8) > 0
    text = find_text(gray)
    return edge_width(gray, dark_ink(gray, text.ink, region), inside(region))


@dataclasses.dataclass(frozen=True, slots=True)
class TextLines:
    """Direction of the text lines of a page: how skewed, and how parallel to one another."""

    skew: float
    """Length-weighted median angle in degrees (positive = clockwise), 0 when unknown."""
    spread: float
    """Length-weighted interquartile range of the line angles in degrees (0 when too few lines)."""
    body_spread: float
    """The same of the page's main body of text when it lies flat (:func:`_body_spread`), else :attr:`spread`."""
    count: int
    """Number of line-shaped blobs measured."""


MIN_SPREAD_LINES = 6
"""Fewest text lines whose angles say whether they are parallel."""


def text_lines(ink: U8) -> TextLines:
    """Measure the text lines: characters are smeared horizontally into line blobs.

    A sheet lying on a flatbed glass keeps its lines straight and parallel: the angles of long,
    thin blobs agree within a fraction of a degree (ext scans: interquartile range 0-0.6°, a
    curved book page 1.8°). A hand-held camera sees the page in perspective, lines converge
    towards a vanishing point, and a receipt held in the hand bends: the angles spread over
    one to several degrees (ext receipt photos: 0.4-6°).

    Args:
        ink: Ink mask from :func:`find_text`.

    Returns:
        Skew (weighted median), spread (weighted interquartile range) and count.
    """
    h, w = ink.shape
    kx = max(9, w // 60)
    lines = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kx, 1)))
    lines = cv2.morphologyEx(lines, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (kx, 1)))
    contours, _ = cv2.findContours(lines, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles: list[float] = []
    weights: list[float] = []
    for c in contours:
        (_, _), (rw, rh), ang = cv2.minAreaRect(c)
        long_, short = max(rw, rh), min(rw, rh)
        if long_ < w / 10 or short <= 0 or long_ / short < 6:
            continue
        a = ang if rw >= rh else ang - 90.0
        a = (a + 90.0) % 180.0 - 90.0
        if abs(a) <= 15:
            angles.append(a)
            weights.append(long_)
    if len(angles) < 3:
        return TextLines(0.0, 0.0, 0.0, len(angles))
    order = np.argsort(angles)
    sorted_angles = np.asarray(angles)[order]
    sorted_weights = np.asarray(weights)[order]
    skew = _weighted_quantile(sorted_angles, sorted_weights, 0.5)
    if len(angles) < MIN_SPREAD_LINES:
        return TextLines(skew, 0.0, 0.0, len(angles))
    return TextLines(skew, _spread(sorted_angles, sorted_weights), _body_spread(sorted_angles, sorted_weights),
                     len(angles))  # fmt: skip


def _weighted_quantile(sorted_values: NDArray[Any], weights: NDArray[Any], q: float) -> float:
    """The ``q`` quantile of sorted values, each counted by its weight."""
    cum = np.cumsum(weights)
    return float(sorted_values[min(len(sorted_values) - 1, int(np.searchsorted(cum, q * cum[-1])))])


def _spread(sorted_values: NDArray[Any], weights: NDArray[Any]) -> float:
    """Weighted interquartile range of sorted values."""
    return _weighted_quantile(sorted_values, weights, 0.75) - _weighted_quantile(sorted_values, weights, 0.25)


PARALLEL_DEG = 0.8
"""Lines of one flat body of text agree within this (the flatbed page cue's bar,
:attr:`~pipeline.quality_config.QualityThresholds.line_spread_deg`)."""


def _body_spread(sorted_angles: NDArray[Any], weights: NDArray[Any]) -> float:
    """Spread of the line angles; on a page whose main body of text lies flat, that body's spread.

    A flat page can carry text at other angles beside its main body: a note written or stamped askew in
    a margin or below the text. Its main body stays parallel: the lines within
    :data:`PARALLEL_DEG` of the median angle carry at least half of all line length, and the spread
    measured is theirs. Lines converging towards a vanishing point, or a page bent in the hand, fill
    their range of angles: with an interquartile range above the strong bar (2.5°), a window of 1.6°
    round the median holds well under half of them. A photo whose lines spread less can have such a
    body too (ext cmpt310 1006: 4.4 ± 0.8° holds most lines, the rest spread down to 2.3°), so the
    page cue of lines not parallel keeps the spread of all lines; the scene cue of lines converging
    reads this one.
    """
    whole = _spread(sorted_angles, weights)
    if whole <= PARALLEL_DEG:
        return whole
    median = _weighted_quantile(sorted_angles, weights, 0.5)
    body = np.abs(sorted_angles - median) <= PARALLEL_DEG
    if float(weights[body].sum()) < 0.5 * float(weights.sum()) or np.count_nonzero(body) < MIN_SPREAD_LINES // 2:
        return whole
    return _spread(sorted_angles[body], weights[body])


def cut_lines(
    dark: U8, region: NDArray[np.bool_] | None = None, stats: NDArray[Any] | None = None
) -> tuple[int, str]:
    """Text lines whose characters the left or right image border cuts, on the worse side.

    A character cut by the frame is a glyph-sized stroke ending at the border (within 2 px: the
    reduction to the working size softens the outermost column): as tall as a character, reaching
    into the page by a few pixels at least (a one-pixel sliver is a paper edge or a shadow line) and
    no deeper than a few characters. Overlapping ones along the side make one line. Only the left
    and right sides count: top and bottom borders of tightly cropped receipts slice their first and
    last lines all the time (ext SROIE: up to 20 sliced characters at the top or bottom of pages
    labelled whole), while their left and right borders cut at most two characters.

    Args:
        dark: Dark print mask (:func:`dark_ink`), scanner backing removed.
        region: Document mask on the working copy (speckle on a table is not text); widened here by
            2 % of the long side so that characters at the frame edge stay in. None: the whole frame.
        stats: :func:`components` of ``dark`` when the caller has them (used when the region keeps
            every dark pixel, as it mostly does: labelling a page costs 0.01 s).

    Returns:
        ``(lines, side)``: the number of cut lines and ``left``/``right`` (0 and ``""`` when none).
    """
    on = dark > 0
    if region is not None:
        k = max(3, max(region.shape) // 50) | 1
        kept = on & (cv2.dilate(region.astype(np.uint8), np.ones((k, k), np.uint8)) > 0)
        if stats is not None and np.count_nonzero(kept) != np.count_nonzero(on):
            stats = None
        on = kept
    h, w = on.shape
    st = components(on) if stats is None else stats
    height, _ = _glyph_height(st, on.shape)
    if height <= 0:
        return 0, ""
    x, y, bw, bh, area = (st[:, i] for i in range(5))
    glyph = (area >= 0.15 * bw * bh) & (area <= 0.95 * bw * bh + 4) & (bh >= 0.5 * height) & (bh <= 2.5 * height)
    glyph &= (bw >= max(2.0, 0.15 * height)) & (bw <= 3 * height)
    best, side = 0, ""
    for name, touches in (("left", x <= 2), ("right", x + bw >= w - 2)):
        spans = sorted(zip(y[glyph & touches].tolist(), (y + bh)[glyph & touches].tolist(), strict=True))
        lines, end = 0, -1
        for top, bottom in spans:
            lines += top > end
            end = max(end, bottom)
        if lines > best:
            best, side = lines, name
    return best, side


def backing(gray: U8) -> NDArray[np.bool_]:
    """Dark scanner backing or lid along the frame: a dark region touching one side along a quarter of it.

    The local threshold of :func:`find_text` marks the rim of such a strip, where the bright
    sheet raises the local mean, as ink; on a thin, slightly skewed strip that rim breaks into
    short pieces along the side that look like cut characters (gen: a passport on A4 at 150 dpi
    with a 2 mm strip measured 0.31). Cut text never forms one dark region that long.

    Args:
        gray: Grey working copy.

    Returns:
        Mask of the backing, widened by the threshold's block size.
    """
    h, w = gray.shape
    dark = (gray < 100).astype(np.uint8)
    if not (dark[0].any() or dark[-1].any() or dark[:, 0].any() or dark[:, -1].any()):
        return np.zeros((h, w), dtype=bool)  # nothing dark touches a side (most scans): no labelling needed
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    st = np.asarray(stats).reshape(-1, 5)
    x, y, bw, bh = (st[:, i] for i in range(4))
    along_x = ((y == 0) | (y + bh == h)) & (bw >= w / 4)
    along_y = ((x == 0) | (x + bw == w)) & (bh >= h / 4)
    keep = along_x | along_y
    keep[0] = False  # the background label
    if not keep[1:].any():
        return np.zeros((h, w), dtype=bool)
    block = threshold_block(gray)
    mask = keep[labels].astype(np.uint8)
    return np.asarray(cv2.dilate(mask, np.ones((block, block), np.uint8)), dtype=np.uint8) > 0


def dark_ink(gray: U8, ink: U8, region: NDArray[np.bool_] | None = None) -> U8:
    """The ink pixels darker than halfway between the darkest print and the paper.

    Cut-off text is real print; show-through from the back of a thin receipt (ext aldi), a
    card's pale security pattern (ext alb00) and grain of a cardboard backing (ext lidl) are
    also picked up by the local threshold of :func:`find_text` but are much lighter than the
    page's text, and a tightly cropped scan cuts through them without losing anything.

    Args:
        gray: Grey working copy.
        ink: Ink mask from :func:`find_text`.
        region: Document mask (working copy) for the paper level; None: the whole frame.

    Returns:
        Ink mask (255 = dark print).
    """
    vals = gray[ink > 0]
    if vals.size < 50:
        return ink
    darkest = float(np.percentile(vals, 5))
    paper = float(np.percentile(gray[region] if region is not None and region.any() else gray, 90))
    return np.where((ink > 0) & (gray < (darkest + paper) / 2), 255, 0).astype(np.uint8)


def content_pixels(rgb: U8, gray: U8) -> U8:
    """Pixels that are not blank white paper, as an ``Nx1x3`` array (all pixels if too few).

    A small colour card scanned on a white A4 page is mostly white paper; measuring the colour
    on the printed content only keeps the card's colour from being diluted by the paper.
    """
    keep = gray < 235
    if np.count_nonzero(keep) < 500:
        return rgb
    return np.ascontiguousarray(rgb[keep].reshape(-1, 1, 3))


def colourfulness(rgb: U8) -> float:
    """Hasler-Suesstrunk colourfulness (0 for a grey image, ~15+ for a passport page).

    Args:
        rgb: RGB array (any size; a small copy is enough).

    Returns:
        The colourfulness ``sqrt(s_rg^2 + s_yb^2) + 0.3 * sqrt(m_rg^2 + m_yb^2)``.
    """
    a = rgb.astype(np.float32)
    rg = a[:, :, 0] - a[:, :, 1]
    yb = 0.5 * (a[:, :, 0] + a[:, :, 1]) - a[:, :, 2]
    return float(math.sqrt(rg.var() + yb.var()) + 0.3 * math.hypot(float(rg.mean()), float(yb.mean())))


GLARE_PRINT_AROUND = 0.3
"""A highlight hides print when the page around it is printed at least this densely, relative
to the document as a whole (see :func:`glare_fraction`) ..."""
GLARE_PRINT_INSIDE = 0.25
"""... the highlight itself holds at most this share of that density (the print is burnt out) ..."""
GLARE_FADE = 0.2
"""... and the print next to it is washed out: its grey level has risen at least this share of the
way from the page's print level towards the paper (a reflection adds light to everything under its
rim; paper clipped white by a scanner lamp keeps crisp print right up to the clipped area)."""


def glare_fraction(rgb: U8, gray: U8, print_mask: U8) -> tuple[float, float]:
    """Share of the frame covered by specular highlights that burn out print.

    A highlight is a blob of clipped, colourless pixels that does not touch the frame and is
    ringed mostly by lit but unclipped page (a tinted data page, a photographed sheet). White
    paper that a scanner clipped to 255 is not glare: that clipped region runs to the frame
    edge, or its ring is dark backing. And a reflection matters only where it hides what the
    document prints: the ring around it must carry print (at least :data:`GLARE_PRINT_AROUND`
    of the document's own print density); a white patch in a margin or between the lines of a
    grey thermal receipt hides nothing, and paper clipped white by a bright lamp still shows its
    print inside the clipped area and crisp print around it, where a reflection washes out the print
    under its rim (ext SROIE receipts 081, 143, 367, 381, 579, 601: 0.02-0.16 of the frame without
    these tests).

    Args:
        rgb: RGB working copy.
        gray: Grey working copy.
        print_mask: Print (255) on the working copy (:func:`find_text`).

    Returns:
        ``(largest_blob_fraction, total_fraction)`` of the frame area.
    """
    g = resize_long(gray, 800)
    c = resize_long(rgb, 800)
    h, w = g.shape
    ink = np.asarray(cv2.resize(print_mask, (w, h), interpolation=cv2.INTER_AREA), dtype=np.uint8) > 0
    ink = cv2.dilate(ink.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    sat = cv2.cvtColor(c, cv2.COLOR_RGB2HSV)[:, :, 1]
    clipped = ((g >= 250) & (sat <= 40)).astype(np.uint8) * 255
    if not clipped.any():
        return 0.0, 0.0
    clipped = np.asarray(
        cv2.morphologyEx(clipped, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))), dtype=np.uint8
    )
    n, labels, stats, _ = cv2.connectedComponentsWithStats(clipped, connectivity=8)
    st = np.asarray(stats).reshape(-1, 5)
    lit = (g >= 150) & (g < 247)
    page_ink = float(ink[g >= 100].mean()) if np.count_nonzero(g >= 100) else 0.0
    print_level = float(np.median(g[ink])) if ink.any() else 0.0
    paper_level = float(np.percentile(g, 90))
    found: list[float] = []
    min_area = 0.0005 * h * w
    order = np.argsort(-st[1:, cv2.CC_STAT_AREA])[:20] + 1
    for i in order:
        x, y, bw, bh, area = (int(v) for v in st[i])
        if area < min_area:
            break
        if x <= 1 or y <= 1 or x + bw >= w - 1 or y + bh >= h - 1:
            continue
        r = max(4, round(0.25 * math.sqrt(area)))
        x0, y0, x1, y1 = max(0, x - r - 2), max(0, y - r - 2), min(w, x + bw + r + 2), min(h, y + bh + r + 2)
        comp = (labels[y0:y1, x0:x1] == i).astype(np.uint8)
        outer = cv2.dilate(comp, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
        inner = cv2.dilate(comp, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
        ring = (outer > 0) & (inner == 0)
        if not ring.any():
            continue
        local_ink = ink[y0:y1, x0:x1]
        lit_ring = lit[y0:y1, x0:x1][ring].mean() >= 0.5 and float(g[y0:y1, x0:x1][ring].mean()) <= 243
        printed = float(local_ink[ring].mean()) >= GLARE_PRINT_AROUND * page_ink
        if lit_ring and printed and _burnt(comp, local_ink, r, page_ink):
            ring_print = g[y0:y1, x0:x1][ring & local_ink]
            faded = ring_print.size >= 10 and float(np.median(ring_print)) >= print_level + GLARE_FADE * max(
                1.0, paper_level - print_level
            )
            if faded:
                found.append(area / (h * w))
    if not found:
        return 0.0, 0.0
    return max(found), sum(found)


def _burnt(comp: U8, local_ink: NDArray[np.bool_], r: int, page_ink: float) -> bool:
    """Inside a highlight the print is gone: the blob's own area (its holes closed) is nearly blank,
    where white paper clipped by a bright lamp keeps its print (the costly test: made last)."""
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    closed = cv2.morphologyEx(comp, cv2.MORPH_CLOSE, disc)
    body = cv2.erode(closed, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))) > 0
    return not body.any() or float(local_ink[body].mean()) <= GLARE_PRINT_INSIDE * page_ink


FADE_FAINT = 0.4
"""A word is faded when its strongest contrast with the paper around it is at most this share of the
page's print (the 75th percentile of every word's): a reflection leaves a pale ghost of the print."""
FADE_STRONG = 0.75
"""... and strong when at least this share: the page's print where no reflection lies."""
FADE_LIFT = 2.0
"""Grey levels by which the paper around a faded word must at least be brighter than around the strong
words nearest to it: a reflection lifts paper and print alike towards white (JPEG keeps flat paper
within a grey level), where thermal print that faded in a band, pale ink or a light-coloured word
leave the paper as it is (ext SROIE 548, a receipt faded in a band: lift 0)."""
FADE_LIFT_SHARE = 0.5
"""... and at least this share of the way from that paper to white (grey paper under a reflection turns
white; paper already near white can rise by a few levels only)."""
FADE_GREY_PAPER = 0.005
"""Share of the paper that must lie below white by :data:`FADE_LIFT` for a lift to be measurable at all
(a third of the scans clip their paper to white all over; they are not measured, which saves time)."""
FADE_GHOST = 5.0
"""Grey levels by which a faded word's darkest pixel must lie under the unlit paper around the strong words
near it: a ghost of print, where a strip of grey paper beside a white lid (a receipt's edge, its local
paper the lid's white) is no darker than that paper (gen receipts on A4 with a white lid)."""
FADE_WHITE = 245.0
"""Grey level the paper around a faded word must reach: a reflection is the light source's white (ext
aged letters, stained or lit unevenly, whose pale strokes lie on brighter patches: below it)."""


def _paper_around(gray: U8, quiet: NDArray[np.bool_], box: tuple[float, float, float, float]) -> float | None:
    """Median grey level of the quiet (print-free) pixels of a box: the paper there (None: no paper)."""
    x0, y0, x1, y1 = (round(v) for v in box)
    x0, y0 = max(0, x0), max(0, y0)
    paper = gray[y0:y1, x0:x1][quiet[y0:y1, x0:x1]]
    return float(np.median(paper)) if paper.size else None


def washed_out_lines(gray: U8, text_height: float) -> int:
    """Text lines whose print fades to a pale ghost where the paper turns white: a reflection.

    White paper cannot show a reflection (it is as white as the light), but the print under one fades
    and vanishes while the paper lifts to white. Each word (an 8-connected run of print at least 10
    grey levels under its local paper, the paper being the brightest level within 2.5 character
    heights) gets a strength, its strongest contrast relative to that paper. A faded word
    (:data:`FADE_FAINT`) is washed out when the paper around it is white (:data:`FADE_WHITE`) and
    brighter than around the two to four strong words (:data:`FADE_STRONG`) nearest to it within ten
    character heights (:data:`FADE_LIFT`, :data:`FADE_LIFT_SHARE`), and it is still print, darker
    than their paper (:data:`FADE_GHOST`). Washed-out words less than six
    character heights apart side by side and five word heights apart up and down make one region.

    Args:
        gray: Grey working copy.
        text_height: Median character height on it (px; under 4: no text to judge).

    Returns:
        The number of text lines the largest region spans (0 when none).
    """
    h = float(text_height)
    if h < 4:
        return 0
    k = max(3, round(2.5 * h) | 1)
    paper = cv2.blur(cv2.dilate(gray, np.ones((k, k), np.uint8)), (k, k))
    contrast = paper.astype(np.int16) - gray.astype(np.int16)
    quiet = contrast < 6
    if np.count_nonzero(quiet & (gray <= 255 - FADE_LIFT)) < FADE_GREY_PAPER * np.count_nonzero(quiet):
        return 0  # paper at the sensor's white all over: nowhere can a reflection lift it (not judged)
    cand = contrast >= 10
    n, labels, st, centres = cv2.connectedComponentsWithStatsWithAlgorithm(
        cand.astype(np.uint8), 8, cv2.CV_32S, cv2.CCL_BBDT
    )
    if n < 21:
        return 0
    which = np.asarray(labels, dtype=np.int32)[cand]
    strength = np.zeros(n, np.float32)
    np.maximum.at(strength, which, contrast[cand] / np.maximum(paper[cand], 1).astype(np.float32))
    darkest = np.full(n, 255, np.uint8)
    np.minimum.at(darkest, which, gray[cand])
    x, y, bw, bh, area = (np.asarray(st[1:, i], dtype=np.float64) for i in range(5))
    cx, cy = np.asarray(centres[1:, 0], dtype=np.float64), np.asarray(centres[1:, 1], dtype=np.float64)
    word = (bh >= 0.6 * h) & (bh <= 2.0 * h) & (bw >= 0.15 * h) & (bw <= 20 * h)
    word &= (area >= 0.1 * bw * bh) & (area <= 0.95 * bw * bh + 4)
    idx = np.flatnonzero(word)
    if idx.size < 20:
        return 0
    rel = strength[1:][idx] / max(float(np.percentile(strength[1:][idx], 75)), 1e-6)
    faint, strong = idx[rel <= FADE_FAINT], idx[rel >= FADE_STRONG]
    if faint.size == 0 or strong.size < 2:
        return 0
    papers: dict[int, float | None] = {}

    def paper_of(j: int) -> float | None:
        if j not in papers:
            m = 0.5 * h
            papers[j] = _paper_around(gray, quiet, (x[j] - m, y[j] - m, x[j] + bw[j] + m, y[j] + bh[j] + m))
        return papers[j]

    washed: list[int] = []
    for j in faint.tolist():
        dist = np.hypot(cx[strong] - cx[j], cy[strong] - cy[j])
        order = np.argsort(dist)[:4]
        near = strong[order[dist[order] <= 10 * h]]
        lit = [p for p in (paper_of(int(i)) for i in near) if p is not None]
        own = paper_of(j)
        if own is None or len(lit) < 2:
            continue
        base = float(np.median(lit))
        ghost = float(darkest[j + 1]) <= base - FADE_GHOST  # print, not a strip of plain paper by a white lid
        if ghost and own >= FADE_WHITE and own - base >= max(FADE_LIFT, FADE_LIFT_SHARE * (255.0 - base)):
            washed.append(j)
    if len(washed) < 2:
        return 0
    group = list(range(len(washed)))

    def root(a: int) -> int:
        while group[a] != a:
            group[a] = group[group[a]]
            a = group[a]
        return a

    for a, ja in enumerate(washed):
        for b in range(a + 1, len(washed)):
            jb = washed[b]
            apart = max(x[ja], x[jb]) - min(x[ja] + bw[ja], x[jb] + bw[jb])
            if apart <= 6 * h and abs(cy[ja] - cy[jb]) <= 5 * max(bh[ja], bh[jb]):
                group[root(a)] = root(b)
    regions: dict[int, list[int]] = {}
    for a, j in enumerate(washed):
        regions.setdefault(root(a), []).append(j)
    best = 0
    for members in regions.values():
        ys = np.sort(cy[members])
        rows = 1 + int(np.count_nonzero(np.diff(ys) > 0.6 * float(np.median(bh[members]))))
        best = max(best, rows)
    return best


class CardPrint(NamedTuple):
    """What :func:`glare_on_card` finds of a card's or data page's tinted print (zeros: none)."""

    hole: float
    """Largest pure-white hole as a share of the card hull."""
    fill: float
    """Share of the hull that is printed, the hole counted as printed up to :data:`CARD_HOLE_CREDIT`."""
    length: float
    """Long side of the hull's smallest enclosing rectangle, as a share of the image's long side."""
    width: float = 0.0
    """Short side of that rectangle, as a share of the image's long side."""
    at_edge: bool = False
    """The hull reaches an image side (within one tile)."""


NO_CARD = CardPrint(0.0, 0.0, 0.0)


def glare_on_card(rgb: U8) -> CardPrint:
    """Largest washed-out hole inside a printed card or data page lying on white paper.

    A passport or ID card scanned on an A4 page sits on paper that the scanner clips to pure
    white, so a highlight on the card merges with that paper and :func:`glare_fraction` (which
    wants a lit ring around the blob) misses it; the card's own tint can be so pale (a passport
    page at RGB 253/249/253) that only its fine security print tells it from the paper. So the
    card is found from its tint, not its brightness: on a :data:`CARD_LONG_SIDE` copy every
    :data:`CARD_TILE` px tile whose pixels are mostly (:data:`CARD_TINT`) not pure white (a
    channel below 252) is "printed". The largest region of printed tiles (closed over one-tile gaps) is the card,
    its convex hull the outline even when the highlight bites into its edge. When printed tiles
    fill most of the hull (a security print; a letter's text block leaves wide blank gaps
    between lines and paragraphs), a compact group of entirely pure-white tiles inside it is
    a highlight that burnt the print away.

    Args:
        rgb: RGB working copy.

    Returns:
        The hole, the printed share and the hull's size (as shares of the image's long side, so that
        the card's size in millimetres can be checked against the page's resolution) and whether it
        reaches an image side (:data:`NO_CARD` when no card-sized region).
    """
    c = resize_long(rgb, CARD_LONG_SIDE)
    mn = np.minimum(np.minimum(c[:, :, 0], c[:, :, 1]), c[:, :, 2])
    h, w = mn.shape
    gh, gw = h // CARD_TILE, w // CARD_TILE
    if gh < 8 or gw < 8:
        return NO_CARD
    not_white = (mn[: gh * CARD_TILE, : gw * CARD_TILE] < 252).astype(np.float32)
    density = np.asarray(cv2.resize(not_white, (gw, gh), interpolation=cv2.INTER_AREA), dtype=np.float32)
    printed = (density > CARD_TINT).astype(np.uint8)
    printed = np.asarray(cv2.morphologyEx(printed, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)), dtype=np.uint8)
    card, area = _largest_component(printed * 255)
    if area == 0:
        return NO_CARD
    contours, _ = cv2.findContours(card, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    hull_mask = np.zeros_like(printed)
    cv2.fillPoly(hull_mask, [hull], 1)
    hull_area = int(hull_mask.sum())
    if hull_area < 0.01 * gh * gw or hull_area > 0.9 * gh * gw:
        # No card, or a photo/full-frame page whose paper is not clipped white anywhere.
        return NO_CARD
    (_, _), (rw, rh), _ = cv2.minAreaRect(hull)
    length = float(max(rw, rh) + 1) * CARD_TILE / max(c.shape[:2])
    width = float(min(rw, rh) + 1) * CARD_TILE / max(c.shape[:2])
    pts = hull.reshape(-1, 2)
    at_edge = bool(pts[:, 0].min() <= 0 or pts[:, 1].min() <= 0)
    at_edge = at_edge or bool(pts[:, 0].max() >= gw - 1 or pts[:, 1].max() >= gh - 1)
    printed_area = float(np.count_nonzero((card > 0) & (hull_mask > 0)))
    holes = ((density == 0) & (hull_mask > 0)).astype(np.uint8)
    holes = np.asarray(cv2.morphologyEx(holes, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)), dtype=np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=4)
    if n <= 1:
        return CardPrint(0.0, printed_area / hull_area, length, width, at_edge)
    hole = int(np.asarray(stats)[1:, cv2.CC_STAT_AREA].max())
    # The fill is that of the print around a highlight-sized hole: burning 9 % of a card is not
    # missing print (gen seed 8, 221: 0.89 of the hull, 0.95 without 6 %), while the white paper
    # of a grey receipt stays white (ext SROIE 548: 0.89 around a 2 % "hole").
    fill = printed_area / max(1.0, hull_area - min(hole, CARD_HOLE_CREDIT * hull_area))
    return CardPrint(hole / hull_area, fill, length, width, at_edge)


# --------------------------------------------------------------------------- all metrics


@dataclasses.dataclass(frozen=True, slots=True)
class ImageMetrics:
    """Every measurement the quality stage decides on (plain numbers, kept in the report)."""

    doc_found: bool
    doc_area_fraction: float
    corner_deviation: float
    side_ratio_deviation: float
    doc_rotation: float
    rectangularity: float
    doc_touches_border: int
    background_texture: float
    background_chroma: float
    background_fraction: float
    falloff: float
    edge_width: float
    edge_pixels: int
    text_height_px: float
    """Median character height in original pixels (all ink or dark print, the larger)."""
    text_components: int
    glare_blob: float
    glare_total: float
    washed_out_lines: int
    """Neighbouring text lines whose print fades where the paper brightens (:func:`washed_out_lines`)."""
    luma_p2: float
    ink_level: float
    """Median grey level of the darkest text strokes (dark print ~30-90; washed-out text 180+)."""
    luma_p50: float
    luma_p98: float
    clipped_fraction: float
    cut_lines: int
    """Text lines whose characters the left or right image border cuts, worse side (:func:`cut_lines`)."""
    colourfulness: float
    is_exact_grey: bool
    skew_angle: float
    line_spread: float
    """Interquartile range of the text-line angles in degrees (:func:`text_lines`; 0 on a flat page)."""
    body_line_spread: float
    """The same of the page's main body of text when that lies flat (:attr:`TextLines.body_spread`)."""
    line_count: int
    """Text lines measured for :attr:`skew_angle` and :attr:`line_spread`."""
    frame_aspect: float
    """Long side / short side of the original frame (a camera sensor: 4:3 or 16:9)."""
    flat_bar: float
    """Widest border strip of one exact colour, as a fraction of the side (screen UI bar)."""
    long_side_px: int
    """Long side of the original raster."""
    glare_card: float = 0.0
    """Largest pure-white hole in a card's security print on white paper, share of the card hull."""
    border_run: float = 0.0
    """Longest share of one image side covered by the document region (1.0 full frame)."""
    lossless: bool = False
    """Source is PNG/BMP/GIF (screen captures are saved losslessly; scans and photos as JPEG)."""
    card_fill: float = 0.0
    """Share of the card hull of :func:`glare_on_card` that is printed (security print ~1)."""
    card_long_px: float = 0.0
    """Long side of that card hull in original pixels (a round stamp's diameter is no card's length)."""
    card_short_px: float = 0.0
    """Short side of that card hull in original pixels."""
    card_at_edge: bool = False
    """That card hull reaches an image side."""
    sheet_width_px: float = 0.0
    """Width of the sheet in original pixels (the bright region in front of a dark scanner
    backing, else the whole frame)."""
    sheet_height_px: float = 0.0
    """Height of the sheet in original pixels."""
    sheet_touches: int = 4
    """How many image sides the sheet touches (4 when it fills the frame)."""
    end_margin_px: float = 0.0
    """Blank paper beyond the dark print at the two ends of the image's long side, the smaller, in
    original pixels (:func:`end_margin`): a sheet's own top and bottom margins, or the ~1 mm that an
    auto-crop to the print leaves."""

    def as_dict(self) -> dict[str, float]:
        """Numbers only (booleans as 0/1), for ``Page.quality``."""
        out: dict[str, float] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = float(v) if not isinstance(v, bool) else float(int(v))
        return out

    @classmethod
    def from_dict(cls, quality: Mapping[str, float]) -> ImageMetrics:
        """Inverse of :meth:`as_dict` (a metric missing from an older cache entry reads as 0)."""
        kinds = {"bool": bool, "int": int}
        values = {f.name: kinds.get(str(f.type), float)(quality.get(f.name, 0.0)) for f in dataclasses.fields(cls)}
        return cls(**values)


END_MARGIN_MIN_INK = 3
"""Dark-print pixels a row (or column) needs to count as printed in :func:`end_margin`: a speck of
scanner dust is no print."""


def end_margin(dark: U8) -> float:
    """Blank paper beyond the dark print at both ends of the image's long side, the smaller, in working
    pixels (0 when there is no print)."""
    along = 1 if dark.shape[1] > dark.shape[0] else 0  # the long side runs across the image
    printed = np.flatnonzero(np.count_nonzero(dark, axis=1 - along) >= END_MARGIN_MIN_INK)
    if printed.size == 0:
        return 0.0
    return float(min(printed[0], dark.shape[along] - 1 - printed[-1]))


def ink_level(gray: U8, ink: U8) -> float:
    """Grey level of the darkest 5 % of ink pixels (255 when there is no ink).

    Overexposure lifts the darkest print to light grey; a percentile over the whole page would
    instead follow how much white paper surrounds a small card on the scan.
    """
    vals = gray[ink > 0]
    if vals.size < 50:
        return float(np.percentile(gray, 0.5)) if gray.size else 255.0
    return float(np.percentile(vals, 5))


def flat_border_bar(rgb: U8) -> float:
    """Width of the widest border strip made of one exact dark colour (a phone's UI bar).

    Scans and photos carry sensor and JPEG noise everywhere; a screenshot's navigation or
    status bar is one exact value. White is excluded (born-digital page margins are white).

    Args:
        rgb: RGB working copy.

    Returns:
        Width of the strip as a fraction of the image side (0 when none).
    """
    h, w = rgb.shape[:2]
    best = 0.0
    g = rgb.astype(np.int16)
    for axis_len, getter in (
        (w, lambda i: g[:, i]),
        (w, lambda i: g[:, w - 1 - i]),
        (h, lambda i: g[i, :]),
        (h, lambda i: g[h - 1 - i, :]),
    ):
        ref = getter(0)
        if ref.mean() > 200:
            continue
        ref_val = np.median(ref, axis=0)
        n = 0
        for i in range(0, axis_len // 4):
            line = getter(i)
            same = np.all(line == ref_val, axis=1).mean()
            if same < 0.9:
                break
            n = i + 1
        best = max(best, n / axis_len)
    return best


def measure(img: LoadedImage) -> ImageMetrics:
    """Compute every quality metric of one page image.

    Args:
        img: Output of :meth:`PagePixels.working` or :func:`from_array`.

    Returns:
        All metrics.
    """
    rgb = img.rgb
    gray = to_gray(rgb)
    rgb_small = resize_long(rgb, GEOMETRY_LONG_SIDE)
    gray_small = to_gray(rgb_small)
    outline = find_document(gray_small)
    texture, chroma, bg_frac = background_stats(rgb_small, gray_small, outline)
    falloff = illumination_falloff(gray_small, outline.mask)
    text = find_text(gray)
    region: NDArray[np.bool_] | None = None
    border_run = 1.0
    if outline.found:
        big = cv2.resize(outline.mask, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST)
        region = np.asarray(big, dtype=np.uint8) > 0
        m = outline.mask > 0
        border_run = float(max(m[1, :].mean(), m[-2, :].mean(), m[:, 1].mean(), m[:, -2].mean()))
    inner = inside(region) if region is not None else None
    dark = dark_ink(gray, text.ink, region)
    # Blur is judged on the print itself: show-through from the back of a thin receipt and the
    # grain of a cardboard backing have soft edges of their own (ext lidl: 4.6 on all ink, 3.2 on
    # the print) and, once counted, hide nothing but add false blur.
    width, n_edges = document_edge_width(img, outline) or edge_width(gray, dark, inner)
    lines = text_lines(text.ink)
    mask_small = outline.mask
    glare_blob, glare_total = glare_fraction(rgb, gray, text.ink)
    doc_pixels = gray_small[mask_small > 0]
    if doc_pixels.size == 0:
        doc_pixels = gray_small.ravel()
    p2, p50, p98 = (float(v) for v in np.percentile(doc_pixels, [2, 50, 98]))
    clipped = float(np.count_nonzero(doc_pixels >= 250)) / doc_pixels.size
    ch = rgb_small.astype(np.int16)
    # A 1-bit scan has no tint: nothing in it can be told from a card's print (dithered pictures).
    card = glare_on_card(rgb) if img.source_mode != "1" else NO_CARD
    # Pale components (a card's security print, show-through) are smaller than the print and
    # drag the median glyph height down (ext alb00: 8 px instead of 19); the dark print alone
    # can split light strokes, so the larger of the two medians is the character height.
    dark_components = components(dark)
    dark_height, _ = _glyph_height(dark_components, dark.shape)
    ow, oh = img.original_size
    sheet_w, sheet_h = float(ow), float(oh)
    if outline.found:
        ys, xs = np.nonzero(outline.mask)
        gh, gw = outline.mask.shape
        sheet_w = (int(xs.max()) - int(xs.min()) + 1) / gw * ow
        sheet_h = (int(ys.max()) - int(ys.min()) + 1) / gh * oh
    strip = backing(gray)
    if strip.any():
        cut, _ = cut_lines(np.where(strip, 0, dark).astype(np.uint8), region)
    else:  # the dark print as labelled above
        cut, _ = cut_lines(dark, region, dark_components)
    exact_grey = bool(np.abs(ch[:, :, 0] - ch[:, :, 1]).max() <= 2 and np.abs(ch[:, :, 1] - ch[:, :, 2]).max() <= 2)
    return ImageMetrics(
        doc_found=outline.found,
        doc_area_fraction=outline.area_fraction,
        corner_deviation=outline.corner_deviation,
        side_ratio_deviation=outline.side_ratio_deviation,
        doc_rotation=outline.rotation,
        rectangularity=outline.rectangularity,
        doc_touches_border=outline.touches_border,
        background_texture=texture,
        background_chroma=chroma,
        background_fraction=bg_frac,
        falloff=falloff,
        edge_width=width,
        edge_pixels=n_edges,
        text_height_px=max(text.component_height, dark_height) / img.scale if img.scale else 0.0,
        text_components=text.components,
        glare_blob=glare_blob,
        glare_total=glare_total,
        washed_out_lines=washed_out_lines(gray, text.component_height),
        luma_p2=p2,
        luma_p50=p50,
        luma_p98=p98,
        clipped_fraction=clipped,
        cut_lines=cut,
        ink_level=ink_level(gray, text.ink),
        colourfulness=colourfulness(content_pixels(rgb_small, gray_small)),
        is_exact_grey=exact_grey,
        skew_angle=lines.skew,
        line_spread=lines.spread,
        body_line_spread=lines.body_spread,
        line_count=lines.count,
        frame_aspect=max(ow, oh) / max(1, min(ow, oh)),
        flat_bar=flat_border_bar(rgb),
        long_side_px=max(img.original_size),
        glare_card=card.hole,
        card_fill=card.fill,
        card_long_px=card.length * max(img.original_size),
        card_short_px=card.width * max(img.original_size),
        card_at_edge=card.at_edge,
        sheet_width_px=sheet_w,
        sheet_height_px=sheet_h,
        sheet_touches=outline.touches_border,
        end_margin_px=end_margin(dark) / img.scale if img.scale else 0.0,
        border_run=border_run,
        lossless=img.source_format in LOSSLESS_FORMATS,
    )


GLARE_RIM = 6.0
"""Grey levels by which the page just around a washed-out region must be brighter than the page a little
further out: a reflection fades into the print around it, a white area of the design has a sharp edge."""


def washed_out(rgb: U8, box: tuple[int, int, int, int]) -> float:
    """Largest washed-out region inside ``box`` that a reflection left: a share of the box.

    A reflection leaves paper and print alike at the sensor's white, and fades out over its rim: the
    page just around the clipped, colourless region is brighter than the rest of the page in the box
    (by at least :data:`GLARE_RIM` grey levels). White areas of a page's design (a plain MRZ band, a white
    portrait background, a white card) end sharply in the tint around them (real/mrz templates: 9-24 %
    of the visual zone white, rim step 0-3). Gaps of a pixel or two (remains of print) are closed.

    Args:
        rgb: RGB copy of the page.
        box: ``(x0, y0, x1, y1)`` on that copy.

    Returns:
        The share in [0, 1] (0 for an empty box or a sharp-edged white area).
    """
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 - x0 < 8 or y1 - y0 < 8:
        return 0.0
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    grey = to_gray(crop)
    sat = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)[:, :, 1]
    clipped = ((grey >= 248) & (sat <= 40)).astype(np.uint8)
    clipped = np.asarray(cv2.morphologyEx(clipped, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)), dtype=np.uint8)
    region, area = _largest_component(clipped * 255)
    if area == 0:
        return 0.0
    near = (cv2.dilate(region, np.ones((9, 9), np.uint8)) > 0) & (region == 0)
    rest = ~(cv2.dilate(region, np.ones((19, 19), np.uint8)) > 0)
    paper = grey >= 150  # the page, not its dark print
    share = area / float(clipped.size)
    if not (rest & paper).any():
        return share  # washed out all over
    if not (near & paper).any():
        return 0.0
    rim = float(np.median(grey[near & paper])) - float(np.median(grey[rest & paper]))
    return share if rim >= GLARE_RIM else 0.0
