"""CPU time of the capture gate per page, on one core: the bar is 0.3 s per page (issue 14).

Usage::

    python -m benchmarks.capture_gate [--folder DIR] [--count 40] [--seed 3] [--repeat 1]

Every image of ``DIR`` (default: a generated capture set, ``samples.generate capture``) is decoded and
measured in this one process, and the CPU time (``time.process_time``: the machine may be shared, wall
time says little) is split into the decode, which the page stages share (``PagePixels``), and the gate
itself (``imaging.measure`` and the capture checks). Prints the mean, the 90th percentile and the
largest, per image size band.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from pipeline import capture_checks  # noqa: E402
from pipeline.engines import imaging  # noqa: E402
from pipeline.model import Page  # noqa: E402

TARGET_SECONDS = 0.3
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp"}


def time_one(path: Path) -> tuple[float, float, int]:
    """``(decode CPU seconds, gate CPU seconds, long side in pixels)`` of one image."""
    pixels = imaging.PagePixels(path)
    t0 = time.process_time()
    full = pixels.full
    working = pixels.working()
    t1 = time.process_time()
    metrics = imaging.measure(working)
    capture_checks.judge(Page(file=path.name, sha256="0" * 64, number=1, image=path), metrics)
    t2 = time.process_time()
    return t1 - t0, t2 - t1, max(full.size)


def summary(label: str, values: Sequence[float]) -> str:
    """Mean, 90th percentile and maximum of a list of seconds."""
    arr = np.asarray(values)
    return f"{label:28s} n={len(arr):4d}  mean {arr.mean():.3f}  p90 {np.percentile(arr, 90):.3f}  max {arr.max():.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.capture_gate", description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, help="images to time (default: a generated capture set)")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)  # one core: OpenCV would otherwise spread a page over every core
    with tempfile.TemporaryDirectory(prefix="gate-") as tmp:
        folder = args.folder
        if folder is None:
            folder = Path(tmp)
            cmd = [sys.executable, "-m", "samples.generate", "capture", "--out", str(folder)]
            subprocess.run([*cmd, "--count", str(args.count), "--seed", str(args.seed)], check=True)
        images = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        rows = [time_one(p) for p in images]
    decode = [r[0] for r in rows]
    gate = [r[1] for r in rows]
    print(summary("decode (shared by stages)", decode))
    print(summary("capture gate (metrics+checks)", gate))
    for low, high in ((0, 1200), (1200, 2600), (2600, 10**6)):
        band = [g for g, (_, _, side) in zip(gate, rows, strict=True) if low <= side < high]
        if band:
            print(summary(f"  gate, long side {low}-{high if high < 10**6 else ''} px", band))
    verdict = "within" if float(np.mean(gate)) <= TARGET_SECONDS else "ABOVE"
    print(f"gate mean {np.mean(gate):.3f} s CPU per page: {verdict} the {TARGET_SECONDS} s bar")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
