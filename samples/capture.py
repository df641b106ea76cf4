"""Capture simulation: flatbed scans, phone photos and the image defects of the quality benchmark.

Every function is pure: it takes an image (a rendered :class:`~samples.render.Page` or a
:class:`Capture`) and a ``numpy.random.Generator`` and returns a new :class:`Capture`; nothing depends on
the clock. Rejection codes are the contract values (CONTRACT.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Callable, Sequence

import cv2
import numpy as np
from PIL import Image

from samples.render import Box, Page

Quad = tuple[tuple[float, float], ...]
FIXED_PDF_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PHONES = (
    ("Xiaomi", "Redmi Note 12", 5.6),
    ("samsung", "SM-A546B", 5.4),
    ("Apple", "iPhone 13", 5.1),
    ("Google", "Pixel 7", 6.8),
    ("HUAWEI", "VOG-L29", 5.6),
)


@dataclasses.dataclass(frozen=True)
class Capture:
    """A captured image with what the generator knows about it."""

    image: Image.Image
    kind: str
    """``scan`` or ``phone``."""
    dpi: int | None
    """Resolution written in the file (scans only)."""
    colour: bool
    doc_quad: Quad
    """Corners of the physical document (data page, card or sheet) in image pixels."""
    doc_size_mm: tuple[float, float]
    mrz_quad: Quad | None = None
    exif: bytes | None = None
    codes: tuple[str, ...] = ()
    """Expected rejection codes."""

    @property
    def effective_dpi(self) -> float:
        """Pixels per inch across the document (what a quality check can measure)."""
        q = np.array(self.doc_quad)
        width_px = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
        return float(width_px / self.doc_size_mm[0] * 25.4)


def _quad(box: Box) -> Quad:
    x0, y0, x1, y1 = box
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _apply(matrix: np.ndarray, quad: Quad | None) -> Quad | None:
    """Map points through a 2x3 affine or 3x3 homography (shape-agnostic on purpose)."""
    if quad is None:
        return None
    pts = np.asarray(quad, dtype=np.float64).reshape(-1, 2)
    m = np.asarray(matrix, dtype=np.float64).reshape(-1, 3)
    if m.shape[0] == 2:
        m = np.vstack([m, [0.0, 0.0, 1.0]])
    hom = np.hstack([pts, np.ones((len(pts), 1))]) @ m.T
    out = hom[:, :2] / hom[:, 2:3]
    return tuple((float(x), float(y)) for x, y in out)


def _to_array(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.float32)


def _to_image(arr: np.ndarray, colour: bool) -> Image.Image:
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    return img if colour else img.convert("L")


@dataclasses.dataclass(frozen=True)
class Scanner:
    """A flatbed scanner with its driver: what its images look like (a capture family)."""

    name: str
    lid: str = "backing"
    """What surrounds an uncropped sheet: ``backing`` (a dark strip: open lid, glass edge), ``white``
    (the closed lid's white foam) or ``grey`` (a grey backing board)."""
    uncropped: float = 0.4
    """Probability that the image shows the glass beyond the sheet."""
    corner: bool = False
    """The sheet lies against any corner of the glass (else always the top-left one)."""
    cast: tuple[float, float, float] = (1.0, 1.0, 1.0)
    """Lamp and sensor colour: per-channel gain (a cheap scanner's green or blue tint)."""
    noise: tuple[float, float] = (1.5, 2.5)
    optics: float = 0.45
    """Blur of the lens and sensor (Gaussian sigma in pixels)."""
    spine: float = 0.0
    """Probability of a book spine's shadow along one side (a booklet or a stapled document pressed flat)."""
    jpeg: tuple[int, int] = (80, 93)
    """JPEG quality range of the driver."""
    dpis: tuple[int, ...] = (150, 200, 300, 300, 400, 600)
    grey: float = 0.4
    """Probability of a greyscale scan (certificates only: a grey identity copy is the greyscale defect)."""
    split: str = "tune"
    """``tune`` or ``heldout``: which half of the families thresholds may be fitted on."""


CLASSIC_SCANNER = Scanner("classic")
"""The scanner of the sample dossiers (its images are those of ``samples/batch``)."""


def as_flatbed_scan(
    page: Page,
    dpi: int,
    colour: bool,
    rng: np.random.Generator,
    margin: bool | None = None,
    scanner: Scanner = CLASSIC_SCANNER,
) -> Capture:
    """Simulate a flatbed scan: slight skew (<= 1.5 degrees), scanner noise and an optional lid margin.

    Args:
        page: The clean rendered page (any DPI; it is resampled to ``dpi``).
        dpi: Scan resolution, written into the file by :func:`encode`.
        colour: Colour scan, else greyscale.
        rng: Random generator.
        margin: Show the glass beyond the uncropped sheet (random per ``scanner`` if None).
        scanner: The scanner family (lid, colour cast, noise, spine shadow).

    Returns:
        The scan.
    """
    scale = dpi / page.dpi
    img = page.image
    if scale != 1:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
    arr = _to_array(img) * np.array([0.995, 0.99, 0.978], np.float32)  # paper tone
    h, w = arr.shape[:2]
    angle = float(rng.uniform(-1.5, 1.5))
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m = np.asarray(rot, dtype=np.float64).reshape(2, 3) @ np.diag([scale, scale, 1.0])
    arr = cv2.warpAffine(arr, np.asarray(rot), (w, h), flags=cv2.INTER_LINEAR, borderValue=(251, 250, 247))
    if margin if margin is not None else rng.random() < scanner.uncropped:
        pad = [round(dpi / 25.4 * float(rng.uniform(2, 7))) for _ in range(2)]
        backing = float(rng.uniform(25, 70))
        if scanner.lid == "white":
            backing = float(rng.uniform(238, 252))
        elif scanner.lid == "grey":
            backing = float(rng.uniform(110, 170))
        ox, oy = (pad[0], 0) if scanner.corner and rng.random() < 0.5 else (0, 0)
        if scanner.corner and rng.random() < 0.5:
            oy = pad[1]
        canvas = np.full((h + pad[1], w + pad[0], 3), backing, np.float32)
        canvas[oy : oy + h, ox : ox + w] = arr
        arr = canvas
        m = np.array([[1.0, 0.0, ox], [0.0, 1.0, oy]]) @ np.vstack([m, [0.0, 0.0, 1.0]])
    arr = np.asarray(cv2.GaussianBlur(arr, (0, 0), scanner.optics), np.float32)
    arr += rng.standard_normal(arr.shape[:2], dtype=np.float32)[..., None] * float(rng.uniform(*scanner.noise))
    if scanner.spine and rng.random() < scanner.spine:
        arr *= _spine_shadow(arr.shape[1], arr.shape[0], dpi, rng)
    if scanner.cast != (1.0, 1.0, 1.0):
        arr *= np.array(scanner.cast, np.float32)
    arr = arr * 1.04 + 6.0  # scanner auto-levels clip the paper to white (and keep PNG/TIFF small)
    doc = _apply(m, _quad(page.doc_box))
    assert doc is not None
    return Capture(
        _to_image(arr, colour),
        "scan",
        dpi,
        colour,
        doc,
        page.doc_size_mm,
        _apply(m, _quad(page.mrz_box)) if page.mrz_box else None,
    )


def _spine_shadow(w: int, h: int, dpi: int, rng: np.random.Generator) -> np.ndarray:
    """Gain of a spine's shadow: dark at one side of the glass, fading over 5-20 mm (broadcastable)."""
    width = dpi / 25.4 * float(rng.uniform(5, 20))
    depth = float(rng.uniform(0.25, 0.6))
    side = int(rng.integers(4))
    length = w if side < 2 else h
    x = np.arange(length, dtype=np.float32)
    if side % 2:
        x = x[::-1]
    gain = 1 - depth * np.exp(-x / np.float32(width))
    return gain[None, :, None] if side < 2 else gain[:, None, None]


def _texture(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A procedural wood-grain or desk-laminate background (float32 RGB)."""
    w, h = size
    sw, sh = max(8, w // 4), max(8, h // 4)
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    if rng.random() < 0.6:
        base = np.array(rng.choice([[120, 80, 48], [150, 105, 65], [95, 62, 40]]), np.float32)
        warp = cv2.GaussianBlur(rng.standard_normal((sh, sw)).astype(np.float32), (0, 0), 6) * 25
        angle = float(rng.uniform(-0.3, 0.3))
        grain = np.sin((y * np.cos(angle) + x * np.sin(angle)) * float(rng.uniform(0.25, 0.5)) + warp)
        shade = 1 + 0.12 * grain[..., None] + 0.05 * rng.standard_normal((sh, sw, 1)).astype(np.float32)
    else:
        base = np.array(rng.choice([[200, 200, 196], [180, 186, 192], [60, 62, 66]]), np.float32)
        shade = 1 + 0.04 * cv2.GaussianBlur(rng.standard_normal((sh, sw)).astype(np.float32), (0, 0), 3)[..., None]
    small = (base[None, None, :] * shade).astype(np.float32)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC), np.float32).reshape(h, w, 3)


def _exif(rng: np.random.Generator, width: int, height: int, taken: dt.datetime, gps: bool) -> bytes:
    """EXIF camera tags as a phone writes them (IFD0, Exif IFD and optionally GPS IFD)."""
    make, model, focal = PHONES[int(rng.integers(len(PHONES)))]
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = model
    exif[0x0131] = f"{model} camera"
    exif[0x0132] = taken.strftime("%Y:%m:%d %H:%M:%S")
    exif[0x0112] = 1
    sub = exif.get_ifd(0x8769)
    sub[0x829A] = 1 / float(rng.choice([30, 50, 60, 100, 120]))  # ExposureTime
    sub[0x829D] = float(rng.choice([1.8, 1.9, 2.2]))  # FNumber
    sub[0x8827] = int(rng.choice([100, 200, 400, 800]))  # ISOSpeedRatings
    sub[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    sub[0x920A] = focal  # FocalLength (mm)
    sub[0xA002] = width
    sub[0xA003] = height
    if gps:
        g = exif.get_ifd(0x8825)
        lat, lon = 50.85 + float(rng.uniform(-0.05, 0.05)), 4.35 + float(rng.uniform(-0.05, 0.05))
        g[1], g[3] = "N", "E"
        g[2] = (int(lat), int(lat * 60 % 60), round(lat * 3600 % 60, 2))
        g[4] = (int(lon), int(lon * 60 % 60), round(lon * 3600 % 60, 2))
    return exif.tobytes()


@dataclasses.dataclass(frozen=True)
class Phone:
    """A phone camera and the app that passes its photo on (a capture family)."""

    name: str
    aspect: float = 4 / 3
    """Frame shape (long / short side): 4:3 by default, 16:9, 1:1 for square apps."""
    long_side: int = 4032
    """Sensor long side in pixels (12 MP: 4032)."""
    exif: bool = True
    """The file keeps the camera's EXIF (a messenger strips it and shrinks the photo)."""
    noise: tuple[float, float] = (2.5, 5.0)
    vignette: tuple[float, float] = (0.5, 0.9)
    cast: tuple[float, float, float] = (1.03, 1.0, 0.93)
    """White balance under indoor light (per-channel gain)."""
    sharpen: float = 0.0
    """In-camera unsharp masking (halo around print)."""
    crop: bool = False
    """The user crops the photo to the document, leaving a thin, uneven border of table."""
    jpeg: tuple[int, int] = (80, 93)
    split: str = "tune"


CLASSIC_PHONE = Phone("classic")
"""The phone of the sample dossiers (its images are those of ``samples/batch``)."""


def as_phone_photo(
    page: Page,
    rng: np.random.Generator,
    exif: bool,
    object_box: Box | None = None,
    long_side: int | None = None,
    taken: dt.datetime | None = None,
    phone: Phone = CLASSIC_PHONE,
) -> Capture:
    """Simulate a phone photo of a document lying on a table.

    Args:
        page: The clean rendered page.
        rng: Random generator.
        exif: Keep camera EXIF (Make/Model, ExposureTime, FNumber, FocalLength, sometimes GPS); without it the
            photo is stripped and downscaled to a 1280-1600 long side, as messengers do.
        object_box: Part of the page that is the physical object (a passport booklet, a card); default the page.
        long_side: Long side of the camera frame (default the phone's, 4032 for 12 MP).
        taken: Fixed capture time written to EXIF (default 2026-11-12 10:15).
        phone: The phone family (frame shape, noise, white balance, sharpening, cropping).

    Returns:
        The photo (expected code ``phone_photo``).
    """
    box = object_box or page.object_box or (0, 0, page.image.width, page.image.height)
    src = page.image.crop(box)
    offset = np.array([[1, 0, -box[0]], [0, 1, -box[1]], [0, 0, 1]], np.float64)
    L = long_side or phone.long_side
    # A messenger downscales the camera's frame: optics and sensor noise are simulated at the
    # sensor's resolution, then averaged away by the downscale, as on a real forwarded photo.
    sent = L if exif else int(rng.integers(1280, 1601))
    landscape = src.width > src.height
    short = round(L / phone.aspect)
    W, H = (L, short) if landscape else (short, L)
    fill = float(rng.uniform(0.6, 0.82))
    s = min(W * fill / src.width, H * fill / src.height)
    cw, ch = src.width * s, src.height * s
    cx, cy = W / 2 + float(rng.uniform(-0.06, 0.06)) * W, H / 2 + float(rng.uniform(-0.05, 0.05)) * H
    a = np.deg2rad(float(rng.uniform(-6, 6)))
    corners = np.array([[-cw / 2, -ch / 2], [cw / 2, -ch / 2], [cw / 2, ch / 2], [-cw / 2, ch / 2]])
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    dst = corners @ rot.T + [cx, cy]
    dst += rng.uniform(-0.035, 0.035, size=(4, 2)) * [cw, ch]  # perspective (camera not parallel)
    srcq = np.array([[0, 0], [src.width, 0], [src.width, src.height], [0, src.height]], np.float32)
    hom = np.asarray(cv2.getPerspectiveTransform(srcq, dst.astype(np.float32)), np.float64).reshape(3, 3)
    warped = cv2.warpPerspective(_to_array(src), hom, (W, H), flags=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((src.height, src.width), np.float32), hom, (W, H))
    mask = np.asarray(mask, np.float32).reshape(H, W)[..., None]
    # Soft shadow and lighting are smooth: compute them on a 1/8 grid and upsample (much faster).
    sw, sh = max(8, W // 8), max(8, H // 8)
    small = np.asarray(cv2.resize(mask[..., 0], (sw, sh), interpolation=cv2.INTER_AREA), np.float32)
    small = np.roll(cv2.GaussianBlur(small, (0, 0), sw / 90), (max(1, sh // 120), max(1, sw // 150)), (0, 1))
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    r2 = ((xx - sw / 2) / sw) ** 2 + ((yy - sh / 2) / sh) ** 2
    direction = float(rng.uniform(0, 2 * np.pi))
    ramp = (xx / sw - 0.5) * np.cos(direction) + (yy / sh - 0.5) * np.sin(direction)
    gain = (1 - float(rng.uniform(*phone.vignette)) * r2) * (1 + float(rng.uniform(0.1, 0.25)) * ramp)
    gain *= float(rng.uniform(0.85, 0.97))
    shadow = np.asarray(cv2.resize(small, (W, H), interpolation=cv2.INTER_LINEAR), np.float32).reshape(H, W, 1)
    light = np.asarray(cv2.resize(gain, (W, H), interpolation=cv2.INTER_LINEAR), np.float32).reshape(H, W, 1)
    bg = _texture((W, H), rng) * (1 - 0.45 * shadow)
    arr = bg * (1 - mask) + np.asarray(warped, np.float32).reshape(H, W, 3) * mask
    arr *= light * np.array(phone.cast, np.float32)
    arr = np.asarray(cv2.GaussianBlur(arr, (0, 0), float(rng.uniform(0.6, 1.1))), np.float32)
    arr += rng.standard_normal(arr.shape, dtype=np.float32) * float(rng.uniform(*phone.noise))
    if phone.sharpen:
        soft = np.asarray(cv2.GaussianBlur(arr, (0, 0), 2.0), np.float32)
        arr = arr + phone.sharpen * (arr - soft)
    full = hom @ offset
    if phone.crop:
        # The user crops to the document, leaving 1-6 % of table on each side (never cutting it).
        x0, y0 = dst.min(axis=0)
        x1, y1 = dst.max(axis=0)
        m = rng.uniform(0.01, 0.06, 4) * [x1 - x0, y1 - y0, x1 - x0, y1 - y0]
        cx0, cy0 = max(0, int(x0 - m[0])), max(0, int(y0 - m[1]))
        cx1, cy1 = min(W, int(x1 + m[2]) + 1), min(H, int(y1 + m[3]) + 1)
        arr = np.ascontiguousarray(arr[cy0:cy1, cx0:cx1])
        full = np.array([[1.0, 0.0, -cx0], [0.0, 1.0, -cy0], [0.0, 0.0, 1.0]]) @ full
        W, H = arr.shape[1], arr.shape[0]
    if sent != L:
        k = sent / L
        arr = np.asarray(cv2.resize(arr, (round(W * k), round(H * k)), interpolation=cv2.INTER_AREA), np.float32)
        full = np.diag([k, k, 1.0]) @ full
        W, H = arr.shape[1], arr.shape[0]
    doc = _apply(full, _quad(page.doc_box))
    assert doc is not None
    mrz = _apply(full, _quad(page.mrz_box)) if page.mrz_box else None
    img = _to_image(arr, True)
    exif_bytes = None
    if exif:
        when = taken or dt.datetime(2026, 11, 12, 10, 15) + dt.timedelta(minutes=int(rng.integers(0, 600)))
        exif_bytes = _exif(rng, W, H, when, gps=bool(rng.random() < 0.5))
    return Capture(img, "phone", None, True, doc, page.doc_size_mm, mrz, exif_bytes, ("phone_photo",))


def encode(capture: Capture, fmt: str, quality: int = 85) -> bytes:
    """Encode one capture as JPEG, PNG or TIFF (scans carry their DPI tag; phone JPEGs their EXIF)."""
    buf = io.BytesIO()
    kwargs: dict[str, object] = {}
    if capture.dpi:
        kwargs["dpi"] = (capture.dpi, capture.dpi)
    if fmt == "jpeg":
        kwargs.update(quality=quality, optimize=True)
        if capture.exif:
            kwargs["exif"] = capture.exif
    elif fmt == "tiff":
        kwargs["compression"] = "tiff_deflate"
    elif fmt == "png":
        kwargs["optimize"] = False
    capture.image.save(buf, {"jpeg": "JPEG", "png": "PNG", "tiff": "TIFF"}[fmt], **kwargs)
    return buf.getvalue()


def encode_multipage(captures: Sequence[Capture], fmt: str, quality: int = 80) -> bytes:
    """Encode several scans into one image-only PDF or multi-page TIFF with fixed metadata dates."""
    buf = io.BytesIO()
    first, rest = captures[0].image, [c.image for c in captures[1:]]
    dpi = captures[0].dpi or 150
    if fmt == "pdf":
        fixed = FIXED_PDF_DATE.utctimetuple()  # PIL wants a struct_time; the default would be the clock
        first.save(
            buf,
            "PDF",
            save_all=True,
            append_images=rest,
            resolution=float(dpi),
            quality=quality,
            creationDate=fixed,
            modDate=fixed,
            producer="samples.generate",
        )
    else:
        first.save(buf, "TIFF", save_all=True, append_images=rest, compression="tiff_deflate", dpi=(dpi, dpi))
    return buf.getvalue()


def _replace(cap: Capture, arr: np.ndarray, code: str, **changes: object) -> tuple[Capture, str]:
    image = _to_image(arr, cap.colour) if arr.ndim == 3 else Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    new = dataclasses.replace(cap, image=image, codes=(*cap.codes, code), **changes)  # type: ignore[arg-type]
    return new, code


def _px_per_mm(cap: Capture) -> float:
    return cap.effective_dpi / 25.4


def blurry(cap: Capture, rng: np.random.Generator) -> tuple[Capture, str]:
    """Defocus (or motion) blur strong enough to smear the body text."""
    arr = _to_array(cap.image)
    sigma = _px_per_mm(cap) * float(rng.uniform(0.3, 0.5))
    if rng.random() < 0.3:
        k = max(3, int(sigma * 4) | 1)
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1 / k
        arr = cv2.filter2D(arr, -1, kernel)
    else:
        arr = cv2.GaussianBlur(arr, (0, 0), sigma)
    # The sensor's noise comes after the optics: a defocused scan is as grainy as a sharp one.
    arr = np.asarray(arr, np.float32) + rng.standard_normal(arr.shape[:2], dtype=np.float32)[..., None] * 2.0
    return _replace(cap, arr, "blurry")


def low_resolution(cap: Capture, rng: np.random.Generator) -> tuple[Capture, str]:
    """Downsample so the document has an effective 72-100 dpi (and write that DPI for scans)."""
    target = float(rng.uniform(72, 100))
    factor = min(1.0, target / cap.effective_dpi)
    size = (max(1, round(cap.image.width * factor)), max(1, round(cap.image.height * factor)))
    img = cap.image.resize(size, Image.Resampling.BOX)
    scale = np.diag([factor, factor, 1.0])
    new = dataclasses.replace(
        cap,
        image=img,
        dpi=round(cap.dpi * factor) if cap.dpi else None,
        doc_quad=_apply(scale, cap.doc_quad) or cap.doc_quad,
        mrz_quad=_apply(scale, cap.mrz_quad),
        codes=(*cap.codes, "low_resolution"),
    )
    return new, "low_resolution"


def glare(cap: Capture, rng: np.random.Generator) -> tuple[Capture, str]:
    """A specular highlight that burns out the text (over the MRZ when there is one)."""
    arr = _to_array(cap.image)
    h, w = arr.shape[:2]
    target = np.array(cap.mrz_quad if cap.mrz_quad else cap.doc_quad)
    cx, cy = target.mean(axis=0) + rng.uniform(-0.15, 0.15, 2) * (target.max(axis=0) - target.min(axis=0))
    span = float(np.linalg.norm(target.max(axis=0) - target.min(axis=0)))
    rx, ry = span * float(rng.uniform(0.18, 0.3)), span * float(rng.uniform(0.08, 0.14))
    k = 4  # the highlight is smooth: evaluate it on a coarser grid
    yy, xx = np.mgrid[0 : h // k + 1, 0 : w // k + 1].astype(np.float32) * k
    d = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
    coarse = np.clip(1.6 * np.exp(-d), 0, 1).astype(np.float32)
    blob = np.asarray(cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR), np.float32).reshape(h, w, 1)
    arr = arr + (255 - arr) * blob
    return _replace(cap, arr, "glare")


def mrz_glare(cap: Capture, rng: np.random.Generator) -> tuple[Capture, str]:
    """A small highlight on the laminate that burns out a few MRZ characters and little else.

    Too small for a page-wide glare check (under 0.3 % of an A4 scan): only the MRZ shows it.
    Needs a capture with an MRZ.
    """
    if cap.mrz_quad is None:
        raise ValueError("mrz_glare needs a page with an MRZ")
    arr = _to_array(cap.image)
    h, w = arr.shape[:2]
    q = np.array(cap.mrz_quad)
    (x0, y0), (x1, y1) = q.min(axis=0), q.max(axis=0)
    length, height = x1 - x0, y1 - y0
    cx = x0 + length * float(rng.uniform(0.15, 0.85))
    cy = (y0 + y1) / 2 + height * float(rng.uniform(-0.15, 0.15))
    rx, ry = length * float(rng.uniform(0.07, 0.12)), height * float(rng.uniform(0.45, 0.7))
    bx0, bx1 = max(0, int(cx - 3 * rx)), min(w, int(cx + 3 * rx) + 1)
    by0, by1 = max(0, int(cy - 3 * ry)), min(h, int(cy + 3 * ry) + 1)
    yy, xx = np.mgrid[by0:by1, bx0:bx1].astype(np.float32)
    blob = np.clip(1.8 * np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2)), 0, 1)[..., None]
    window = arr[by0:by1, bx0:bx1]
    arr[by0:by1, bx0:bx1] = window + (255 - window) * blob
    return _replace(cap, arr, "glare")


def field_glare(cap: Capture, rng: np.random.Generator) -> tuple[Capture, str]:
    """A broad reflection over an identity page's printed data and photo; the MRZ below stays legible.

    The laminate of a passport data page reflects a lamp or a window over most of its visual zone: the
    name, dates and photo are washed out, while the zone at the bottom still reads. Needs an MRZ.
    """
    if cap.mrz_quad is None:
        raise ValueError("field_glare needs a page with an MRZ")
    arr = _to_array(cap.image)
    h, w = arr.shape[:2]
    doc, zone = np.array(cap.doc_quad), np.array(cap.mrz_quad)
    (dx0, dy0), (dx1, _) = doc.min(axis=0), doc.max(axis=0)
    top = float(zone[:, 1].min())
    span_x, span_y = dx1 - dx0, max(1.0, top - dy0)
    cx = dx0 + span_x * float(rng.uniform(0.35, 0.65))
    cy = dy0 + span_y * float(rng.uniform(0.35, 0.6))
    rx, ry = span_x * float(rng.uniform(0.3, 0.45)), span_y * float(rng.uniform(0.3, 0.45))
    k = 4  # the highlight is smooth: evaluate it on a coarser grid
    yy, xx = np.mgrid[0 : h // k + 1, 0 : w // k + 1].astype(np.float32) * k
    blob = np.clip(1.7 * np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2)), 0, 1)
    # The laminate's reflection ends above the zone (the zone itself is not reached).
    blob *= np.clip((top - 0.02 * span_y - yy) / (0.08 * span_y), 0, 1)
    full = np.asarray(cv2.resize(blob.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR), np.float32)
    arr = arr + (255 - arr) * full.reshape(h, w, 1)
    return _replace(cap, arr, "glare")


def mrz_cut(cap: Capture, rng: np.random.Generator) -> tuple[Capture, str]:
    """Cut an identity page off just above (or through) its MRZ: the zone is missing or runs off the edge."""
    if cap.mrz_quad is None:
        raise ValueError("mrz_cut needs a page with an MRZ")
    zone = np.array(cap.mrz_quad)
    top, bottom = float(zone[:, 1].min()), float(zone[:, 1].max())
    cut = round(top + (bottom - top) * float(rng.uniform(-0.6, 0.6)))
    img = cap.image.crop((0, 0, cap.image.width, max(1, cut)))
    new = dataclasses.replace(cap, image=img, mrz_quad=None, codes=(*cap.codes, "cut_off"))
    return new, "cut_off"


def too_dark(cap: Capture, rng: np.random.Generator) -> tuple[Capture, str]:
    """Underexposure: the page ends up dark grey with little contrast."""
    arr = _to_array(cap.image) / 255
    arr = (arr ** float(rng.uniform(1.6, 2.2))) * float(rng.uniform(0.18, 0.3)) * 255
    arr += rng.standard_normal(arr.shape[:2], dtype=np.float32)[..., None] * 2
    return _replace(cap, arr, "too_dark")


def overexposed(cap: Capture, rng: np.random.Generator) -> tuple[Capture, str]:
    """Overexposure: highlights clip and the lighter print fades out."""
    arr = _to_array(cap.image) / 255
    arr = (arr ** float(rng.uniform(0.25, 0.4))) * 255 * float(rng.uniform(1.25, 1.5)) + 40
    return _replace(cap, arr, "overexposed")


def cut_off(cap: Capture, rng: np.random.Generator) -> tuple[Capture, str]:
    """Crop the image so that the image border cuts through the document (15-35 % of it lost)."""
    q = np.array(cap.doc_quad)
    (x0, y0), (x1, y1) = q.min(axis=0), q.max(axis=0)
    side = int(rng.integers(4))
    lost = float(rng.uniform(0.15, 0.35))
    w, h = cap.image.size
    box = [0, 0, w, h]
    if side == 0:
        box[0] = int(x0 + (x1 - x0) * lost)
    elif side == 1:
        box[2] = int(x1 - (x1 - x0) * lost)
    elif side == 2:
        box[1] = int(y0 + (y1 - y0) * lost)
    else:
        box[3] = int(y1 - (y1 - y0) * lost)
    img = cap.image.crop((box[0], box[1], box[2], box[3]))
    shift = np.array([[1.0, 0.0, -box[0]], [0.0, 1.0, -box[1]]])
    new = dataclasses.replace(
        cap,
        image=img,
        doc_quad=_apply(shift, cap.doc_quad) or cap.doc_quad,
        mrz_quad=_apply(shift, cap.mrz_quad),
        codes=(*cap.codes, "cut_off"),
    )
    return new, "cut_off"


def greyscale(cap: Capture, rng: np.random.Generator) -> tuple[Capture, str]:
    """A greyscale copy (a passport scanned in grey must be rejected)."""
    del rng  # the same signature as the other defects
    new = dataclasses.replace(cap, image=cap.image.convert("L"), colour=False, codes=(*cap.codes, "greyscale"))
    return new, "greyscale"


IDENTITY_DEFECTS: dict[str, Callable[[Capture, np.random.Generator], tuple[Capture, str]]] = {
    "field_glare": field_glare,
    "mrz_cut": mrz_cut,
}
"""Defects judged by what an identity page must show (its whole MRZ, legible printed data): MRZ pages only."""

DEFECTS: dict[str, Callable[[Capture, np.random.Generator], tuple[Capture, str]]] = {
    "blurry": blurry,
    "low_resolution": low_resolution,
    "glare": glare,
    "too_dark": too_dark,
    "overexposed": overexposed,
    "cut_off": cut_off,
    "greyscale": greyscale,
}


SCANNER_FAMILIES = (
    Scanner("office-mfp", lid="white", uncropped=0.7, corner=True, jpeg=(75, 90), dpis=(200, 300, 300)),
    Scanner("home-flatbed", uncropped=0.6, corner=True, jpeg=(85, 95), dpis=(150, 300, 600), split="heldout"),
    Scanner("autocrop-driver", uncropped=0.0, cast=(1.02, 1.0, 0.97), jpeg=(60, 85), dpis=(150, 200, 300)),
    Scanner("cheap-cis", lid="grey", uncropped=0.5, cast=(0.97, 1.03, 1.0), noise=(2.5, 4.0), optics=0.7,
            jpeg=(40, 65), dpis=(150, 200), split="heldout"),  # fmt: skip
    Scanner("book-scanner", uncropped=0.5, spine=0.8, jpeg=(80, 92), dpis=(300, 400)),
    Scanner("archive-600", lid="white", uncropped=0.3, optics=0.6, jpeg=(88, 95), dpis=(400, 600), grey=0.7,
            split="heldout"),  # fmt: skip
)
"""Scanner families of the capture benchmark: half to fit thresholds on, half to judge them on."""

PHONE_FAMILIES = (
    Phone("camera-12mp"),
    Phone("android-16x9", aspect=16 / 9, long_side=4000, sharpen=0.6, cast=(1.0, 1.0, 1.02), split="heldout"),
    Phone("messenger", exif=False, jpeg=(70, 85)),
    Phone("messenger-cropped", exif=False, crop=True, jpeg=(60, 80), split="heldout"),
    Phone("old-phone", long_side=2592, noise=(5.0, 8.0), vignette=(0.9, 1.3), jpeg=(60, 75)),
    Phone("square-app", aspect=1.0, long_side=2400, exif=False, sharpen=0.4, split="heldout"),
)
"""Phone families of the capture benchmark (devices, and the apps that pass their photos on)."""
