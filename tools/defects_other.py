"""The capture gate on defects nobody tuned it on: ``python -m tools.defects_other [--out DIR]``.

The pages come from the second, independent renderer (``tests/other_renderer.py``: other fonts,
layouts and wording, paper at 252 grey, a passport card on an A4 sheet) and the defects are drawn
here, not by ``samples.capture``: Gaussian and diagonal motion blur, a side cut away, under- and
overexposure by other curves, a reflection with a white core and a soft rim at two places, a 70 dpi
copy. Every page of the dossier gets every defect; the clean pages are run too. Prints, per defect,
how many pages were named with the defect's code, and each page that was not (with the codes it got).

A defect that removes nothing a clerk needs is still counted (a cut through blank paper below a
letter's text, a reflection over a margin): the table says how often the gate sees the defect, not
how often it matters. None of these pages or defects was used to set a threshold.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
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


DEFECTS: dict[str, tuple[str, Defect]] = {
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
            defect(rgb, dpi).save(folder / name, quality=88, dpi=(dpi, dpi))
            expected[name] = (label, code)
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
        defects = [lb for lb in total if lb != "clean"]
        print(f"| all defects | {sum(caught[lb] for lb in defects)}/{sum(total[lb] for lb in defects)} |")
        print("\n".join(["misses:", *missed]) if missed else "no misses")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
