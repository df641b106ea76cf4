"""Rasterise PDF pages with poppler's ``pdftoppm`` (pages that are not one embedded image)."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from pipeline.errors import EngineError, MissingDependencyError

log = logging.getLogger(__name__)


def render_page(pdf: Path, page: int, out_png: Path, *, dpi: int, timeout_s: float = 120.0) -> Path:
    """Render one 1-based page of ``pdf`` to ``out_png``.

    Raises:
        MissingDependencyError: pdftoppm is not installed.
        EngineError: pdftoppm failed or produced no file.
    """
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise MissingDependencyError("pdftoppm is missing: apt-get install poppler-utils")
    stem = out_png.with_suffix("")
    cmd = [exe, "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-singlefile", str(pdf), str(stem)]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"pdftoppm timed out after {timeout_s:.0f} s on page {page}") from exc
    produced = stem.with_suffix(".png")
    if done.returncode != 0 or not produced.exists():
        message = done.stderr.decode(errors="replace").strip()[:200]
        raise EngineError(f"pdftoppm could not render page {page}: {message or 'no output'}")
    if produced != out_png:
        produced.replace(out_png)
    return out_png
