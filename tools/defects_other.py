"""The capture gate on defects nobody tuned it on: ``python -m tools.defects_other [--out DIR]``.

The pages come from the second, independent renderer (``tests/other_renderer.py``: other fonts,
layouts and wording, paper at 252 grey, a passport card on an A4 sheet) and the defects are drawn
here, not by ``samples.capture``: Gaussian and diagonal motion blur, a side cut away, under- and
overexposure by other curves, a reflection with a white core and a soft rim at two places, a 70 dpi
copy, and the page photographed by hand without EXIF (on a wooden table, on a grey desk sent as a
messenger copy, filling the frame, and that cropped to another shape), each in perspective and lit
from one side. Every page of the dossier gets every defect; the clean pages are run too, and scanned
again in ways that remove nothing (:data:`GENUINE`: 150 and 300 dpi, coarse JPEG, auto-cropped round
the print, uncropped on a white or grey lid with a dark backing strip, crooked, a colour cast), which
must all be accepted. Prints, per defect or scan, how many pages were named with the defect's code (or
accepted), and each page that was not (with the codes it got).

A defect that removes nothing a clerk needs is still counted (a cut through blank paper below a
letter's text, a reflection over a margin): the table says how often the gate sees the defect, not
how often it matters. None of these pages or defects was used to set a threshold.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter

from pipeline import api
from pipeline.context import RunOptions

Defect = Callable[[Image.Image, float], Image.Image]


def _px(dpi: float, mm: float) -> int:
    return max(1, round(mm / 25.4 * dpi))


def as_jpeg(img: Image.Image, quality: int) -> Image.Image:
    """The image as a JPEG of ``quality`` decodes it (a camera's or messenger's compression)."""
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def gaussian_blur(mm: float) -> Defect:
    return lambda img, dpi: img.filter(ImageFilter.GaussianBlur(_px(dpi, mm)))


def motion_blur(mm: float) -> Defect:
    def apply(img: Image.Image, dpi: float) -> Image.Image:
        k = _px(dpi, mm) | 1
        kernel = np.eye(k, dtype=np.float32) / k
        return Image.fromarray(cv2.filter2D(np.asarray(img), -1, kernel))

    return apply


def cut(side: str, share: float) -> Defect:
    def apply(img: Image.Image, dpi: float) -> Image.Image:
        del dpi
        w, h = img.size
        box = {
            "left": (round(w * share), 0, w, h),
            "right": (0, 0, round(w * (1 - share)), h),
            "top": (0, round(h * share), w, h),
            "bottom": (0, 0, w, round(h * (1 - share))),
        }[side]
        return img.crop(box)

    return apply


def levels(gain: float, offset: float, gamma: float = 1.0) -> Defect:
    def apply(img: Image.Image, dpi: float) -> Image.Image:
        del dpi
        arr = (np.asarray(img, np.float32) / 255) ** gamma * 255 * gain + offset
        return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))

    return apply


def reflection(cx: float, cy: float, rx: float, ry: float) -> Defect:
    """A reflection centred at ``(cx, cy)`` (shares of the frame), radii ``rx``, ``ry``: white core, soft rim."""

    def apply(img: Image.Image, dpi: float) -> Image.Image:
        del dpi
        arr = np.asarray(img, np.float32)
        h, w = arr.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        r = ((xx - cx * w) / (rx * w)) ** 2 + ((yy - cy * h) / (ry * h)) ** 2
        lift = np.clip(1.4 - r, 0, 1)[..., None] ** 0.7
        return Image.fromarray(np.clip(arr + (255 - arr) * lift, 0, 255).astype(np.uint8))

    return apply


def photographed(
    tilt: float, table: tuple[int, int, int], fill: float, long_side: int, quality: int, aspect: float = 0.75
) -> Defect:
    """The page photographed by hand without EXIF: on a table, tilted (perspective), lit from one side.

    ``tilt`` shifts the top corners inwards (share of the width), ``fill`` is the share of the frame the
    page's width takes (1.0: the page fills the frame, its edges cropped away), the frame is ``aspect``
    wide for its height (3:4: a camera's; other: cropped afterwards) at ``long_side`` pixels and saved
    at JPEG ``quality`` (messenger copies: small and coarse).
    """

    def apply(img: Image.Image, dpi: float) -> Image.Image:
        del dpi
        page = np.asarray(img.convert("RGB"), np.float32)
        h, w = page.shape[:2]
        frame_h = long_side
        frame_w = round(long_side * aspect)
        scale = fill * frame_w / w
        pw, ph = w * scale, h * scale
        x0, y0 = (frame_w - pw) / 2, (frame_h - ph) / 2
        src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
        dst = np.array([[x0 + tilt * pw, y0], [x0 + pw - tilt * pw, y0], [x0 + pw, y0 + ph], [x0, y0 + ph]], np.float32)
        matrix = cv2.getPerspectiveTransform(src, dst)
        rng = np.random.default_rng(round(tilt * 1000) + long_side)
        noise = rng.normal(0, 6, (frame_h, frame_w, 1)).astype(np.float32)
        background = np.clip(np.array(table, np.float32) + noise, 0, 255)
        warped = cv2.warpPerspective(page, matrix, (frame_w, frame_h), borderValue=(-1.0, -1.0, -1.0))
        out = np.where(warped < 0, background, warped)
        yy, xx = np.mgrid[0:frame_h, 0:frame_w].astype(np.float32)
        light = 1.0 - 0.28 * (xx / frame_w) - 0.12 * ((yy / frame_h) - 0.5) ** 2
        out = cv2.GaussianBlur(out * light[..., None], (0, 0), 0.8)
        out = out + rng.normal(0, 2.5, out.shape).astype(np.float32)
        return as_jpeg(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)), quality)

    return apply


Genuine = Callable[[Image.Image, float], tuple[Image.Image, float]]
"""A way of scanning a page that removes nothing: returns the image and its resolution."""


def rescaled(dpi_to: float) -> Genuine:
    def apply(img: Image.Image, dpi: float) -> tuple[Image.Image, float]:
        size = (round(img.width * dpi_to / dpi), round(img.height * dpi_to / dpi))
        return img.resize(size, Image.Resampling.LANCZOS), dpi_to

    return apply


def coarse_jpeg(quality: int) -> Genuine:
    def apply(img: Image.Image, dpi: float) -> tuple[Image.Image, float]:
        return as_jpeg(img, quality), dpi

    return apply


def auto_cropped(margin_mm: float) -> Genuine:
    """What a driver's crop to the print leaves: the print's bounding box and a thin margin."""

    def apply(img: Image.Image, dpi: float) -> tuple[Image.Image, float]:
        ys, xs = np.nonzero(np.asarray(img.convert("L")) < 200)
        m = _px(dpi, margin_mm)
        box = (max(0, int(xs.min()) - m), max(0, int(ys.min()) - m),
               min(img.width, int(xs.max()) + m), min(img.height, int(ys.max()) + m))  # fmt: skip
        return img.crop(box), dpi

    return apply


def on_glass(lid: tuple[int, int, int], right_mm: float, bottom_mm: float, backing_mm: float = 0.0) -> Genuine:
    """The sheet laid in the glass's corner, the scan uncropped: lid beside and below it, and optionally a
    dark backing strip along the far side (an open lid, a scanner's rim)."""

    def apply(img: Image.Image, dpi: float) -> tuple[Image.Image, float]:
        w, h = img.size
        cw, ch = w + _px(dpi, right_mm), h + _px(dpi, bottom_mm)
        rng = np.random.default_rng(w + h)
        canvas = np.clip(np.array(lid, np.float32) + rng.normal(0, 1.5, (ch, cw, 1)), 0, 255).astype(np.uint8)
        canvas[:h, :w] = np.asarray(img.convert("RGB"))
        if backing_mm:
            canvas[:, cw - _px(dpi, backing_mm) :] = 18
        return Image.fromarray(canvas), dpi

    return apply


def crooked(degrees: float) -> Genuine:
    return lambda img, dpi: (img.rotate(degrees, Image.Resampling.BICUBIC, expand=True, fillcolor=(250, 250, 250)), dpi)


def colour_cast(r: float, g: float, b: float) -> Genuine:
    def apply(img: Image.Image, dpi: float) -> tuple[Image.Image, float]:
        arr = np.asarray(img.convert("RGB"), np.float32) * np.array([r, g, b], np.float32)
        return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), dpi

    return apply


GENUINE: dict[str, Genuine] = {
    "150 dpi": rescaled(150),
    "300 dpi": rescaled(300),
    "JPEG quality 35": coarse_jpeg(35),
    "auto-cropped 2 mm round the print": auto_cropped(2.0),
    "uncropped, white lid right and below": on_glass((238, 238, 236), 6, 4),
    "uncropped, grey lid and a dark backing strip": on_glass((200, 200, 198), 8, 6, 4),
    "crooked on the glass, 2 degrees": crooked(2.0),
    "crooked the other way, 4 degrees": crooked(-4.0),
    "warm colour cast": colour_cast(1.0, 0.96, 0.88),
}
"""Scans of the same pages that remove nothing: each must be accepted."""

DEFECTS: dict[str, tuple[str, Defect]] = {
    "photo on a wooden table": ("phone_photo", photographed(0.04, (150, 105, 70), 0.8, 2000, 85)),
    "photo on a grey desk, messenger copy": ("phone_photo", photographed(0.06, (120, 120, 125), 0.85, 1280, 60)),
    "photo filling the frame": ("phone_photo", photographed(0.03, (60, 60, 60), 1.08, 1600, 75)),
    "photo filling the frame, cropped": ("phone_photo", photographed(0.03, (60, 60, 60), 1.08, 1000, 75, 0.713)),
    "blur 0.5 mm": ("blurry", gaussian_blur(0.5)),
    "motion blur 1.2 mm": ("blurry", motion_blur(1.2)),
    "right 30 % cut away": ("cut_off", cut("right", 0.3)),
    "left 20 % cut away": ("cut_off", cut("left", 0.2)),
    "top 15 % cut away": ("cut_off", cut("top", 0.15)),
    "bottom 30 % cut away": ("cut_off", cut("bottom", 0.3)),
    "underexposed": ("too_dark", levels(0.3, 0, 1.8)),
    "overexposed": ("overexposed", levels(0.35, 170)),
    "reflection, upper middle": ("glare", reflection(0.5, 0.3, 0.25, 0.1)),
    "reflection, upper left": ("glare", reflection(0.3, 0.12, 0.15, 0.06)),
}


def make(folder: Path) -> dict[str, tuple[str, str]]:
    """Write the defective pages into ``folder``: file name -> (defect, expected code or "" for clean)."""
    from tests import other_renderer

    clean = folder.parent / "clean"
    other_renderer.single_permit_dossier(clean)
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, tuple[str, str]] = {}
    for n, page in enumerate(sorted(clean.glob("*.jpg"))):
        source = Image.open(page)
        dpi = float(source.info.get("dpi", (200, 200))[0])
        rgb = source.convert("RGB")
        name = f"p{n}-clean.jpg"
        rgb.save(folder / name, quality=88, dpi=(dpi, dpi))
        expected[name] = ("clean", "")
        for i, (label, (code, defect)) in enumerate(DEFECTS.items()):
            name = f"p{n}-d{i:02d}.jpg"
            # A photo carries no scanner's resolution: a camera or a messenger writes 72 dpi or nothing.
            tag = 72.0 if code == "phone_photo" else dpi
            defect(rgb, dpi).save(folder / name, quality=88 if code != "phone_photo" else 95, dpi=(tag, tag))
            expected[name] = (label, code)
        for i, (label, genuine) in enumerate(GENUINE.items()):
            name = f"p{n}-g{i:02d}.jpg"
            image, image_dpi = genuine(rgb, dpi)
            image.save(folder / name, quality=88, dpi=(image_dpi, image_dpi))
            expected[name] = (label, "")
        small = rgb.resize((round(rgb.width * 70 / dpi), round(rgb.height * 70 / dpi)), Image.Resampling.LANCZOS)
        name = f"p{n}-low.jpg"
        small.save(folder / name, quality=88, dpi=(70, 70))
        expected[name] = ("70 dpi copy", "low_resolution")
    return expected


def main(argv: list[str] | None = None) -> int:
    """Draw the defects, run the pipeline on them and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="keep the pages here (default: a temporary folder)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="defects-") as tmp:
        root = args.out or Path(tmp)
        folder = root / "defects"
        expected = make(folder)
        options = RunOptions(as_of=dt.date(2026, 12, 4), workers=args.workers, cache="off")
        (dossier,) = api.run(folder, options).dossiers
        codes: dict[str, set[str]] = collections.defaultdict(set)
        for doc in dossier.documents:
            codes[doc.file].update(r.code.value for r in doc.rejections)
        caught: collections.Counter[str] = collections.Counter()
        total: collections.Counter[str] = collections.Counter()
        missed: list[str] = []
        for name, (label, code) in sorted(expected.items()):
            got = codes.get(name, set())
            ok = not got if not code else code in got
            total[label] += 1
            caught[label] += ok
            if not ok:
                missed.append(f"  {name} ({label}): got {sorted(got) or 'nothing'}")
        print("| defect (expected code) | named |")
        print("|---|---:|")
        for label in total:
            code = next(c for lb, c in expected.values() if lb == label)
            print(f"| {label} ({code or 'accepted'}) | {caught[label]}/{total[label]} |")
        defects = [lb for lb in total if next(c for x, c in expected.values() if x == lb)]
        scans = [lb for lb in total if lb not in defects]
        print(f"| all genuine scans | {sum(caught[lb] for lb in scans)}/{sum(total[lb] for lb in scans)} |")
        print(f"| all defects | {sum(caught[lb] for lb in defects)}/{sum(total[lb] for lb in defects)} |")
        print("\n".join(["misses:", *missed]) if missed else "no misses")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
