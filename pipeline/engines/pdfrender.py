"""PDF pages as page rasters: a page that is one embedded image gives that image, others are rendered.

Intake only asks which way a page will go (:func:`embedded_image`, from the PDF's dictionaries,
nothing decoded); the page stages get the pixels through :func:`page_raster`, once.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdf
from PIL import Image

from pipeline.errors import EngineError, MissingDependencyError

log = logging.getLogger(__name__)

MIN_EMBEDDED_PPI = 50.0
"""An embedded image coarser than this on the page is a thumbnail, not the page: render instead."""
_PASSED_THROUGH = {"/DCTDecode": "JPEG", "/JPXDecode": "JPEG2000"}
"""Image encodings whose stream data is a complete image file (no re-encoding needed)."""


@dataclasses.dataclass(frozen=True, slots=True)
class EmbeddedImage:
    """The one image a PDF page consists of (a scanner's PDF), as the PDF describes it."""

    name: str
    """XObject name, e.g. ``/Im0``."""
    width: int
    height: int
    ppi: float
    """Pixels per inch across the page width."""
    encoding: str
    """``JPEG``, ``JPEG2000`` or ``PNG`` (any other encoding is decoded losslessly)."""


def embedded_image(page: pypdf.PageObject) -> EmbeddedImage | None:
    """The page's single, unrotated, page-sized image, from the PDF's dictionaries (no pixel decoded).

    None when the page has to be rendered: several images or none, a rotated page, an image in a
    form or inline, or one too coarse to be the page.
    """
    try:
        if int(page.get("/Rotate", 0) or 0) % 360 != 0 or len(page.images) != 1:
            return None
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is None:
            return None
        images = [(name, ref.get_object()) for name, ref in xobjects.get_object().items()
                  if ref.get_object().get("/Subtype") == "/Image"]
        if len(images) != 1:
            return None
        name, xobject = images[0]
        width, height = int(xobject["/Width"]), int(xobject["/Height"])
        width_in = float(page.mediabox.width) / 72.0
        filters = xobject.get("/Filter")
        last = (filters[-1] if isinstance(filters, list | pypdf.generic.ArrayObject) and filters else filters)
    except Exception:  # noqa: BLE001 - pypdf raises many types on odd dictionaries: render such a page
        log.debug("cannot inspect the page's images", exc_info=True)
        return None
    ppi = width / width_in if width_in > 0 else 0.0
    if ppi <= MIN_EMBEDDED_PPI:
        return None
    return EmbeddedImage(str(name), width, height, ppi, _PASSED_THROUGH.get(str(last), "PNG"))


def open_pdf(pdf: Path) -> pypdf.PdfReader:
    """A reader for ``pdf``, decrypted with the empty password when it is encrypted that way."""
    reader = pypdf.PdfReader(pdf)
    if reader.is_encrypted:
        reader.decrypt("")
    return reader


def page_raster(pdf: Path, index: int, *, dpi: int, max_pixels: int | None = None) -> tuple[Image.Image, str]:
    """The raster of page ``index`` (0-based): its embedded image, or the page rendered at ``dpi``.

    Returns:
        The image (not yet loaded, for an embedded JPEG) and its encoding (``JPEG``, ``PNG``...).

    Raises:
        ValueError: the page would exceed ``max_pixels`` (decoded nothing).
        EngineError, MissingDependencyError: rendering failed.
        Exception: pypdf's errors on a broken file.
    """
    page = open_pdf(pdf).pages[index]
    embedded = embedded_image(page)
    if embedded is not None:
        _check_pixels(embedded.width * embedded.height, max_pixels)
        if embedded.encoding != "PNG":
            resources: Any = page["/Resources"]
            xobject = resources.get_object()["/XObject"].get_object()[embedded.name].get_object()
            return Image.open(io.BytesIO(xobject.get_data())), embedded.encoding
        image = page.images[0].image
        if image is None:
            raise ValueError("the page's image cannot be decoded")
        return image, "PNG"
    width_in, height_in = float(page.mediabox.width) / 72.0, float(page.mediabox.height) / 72.0
    _check_pixels(round(width_in * dpi) * round(height_in * dpi), max_pixels)
    return render_page(pdf, index + 1, dpi=dpi), "PNG"


def _check_pixels(pixels: int, max_pixels: int | None) -> None:
    if max_pixels is not None and pixels > max_pixels:
        raise ValueError(f"the page is too large to decode safely ({pixels / 1e6:.0f} megapixels, "
                         f"limit {max_pixels / 1e6:.0f})")


def render_page(pdf: Path, page: int, *, dpi: int, timeout_s: float = 120.0) -> Image.Image:
    """Render one 1-based page of ``pdf`` (pdftoppm, raw PPM through a pipe: no PNG to compress and decode).

    Raises:
        MissingDependencyError: pdftoppm is not installed.
        EngineError: pdftoppm failed or produced no image.
    """
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise MissingDependencyError("pdftoppm is missing: apt-get install poppler-utils")
    cmd = [exe, "-f", str(page), "-l", str(page), "-r", str(dpi), "-singlefile", str(pdf)]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"pdftoppm timed out after {timeout_s:.0f} s on page {page}") from exc
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode(errors="replace").strip()[:200]
        raise EngineError(f"pdftoppm could not render page {page}: {message or 'no output'}")
    try:
        image = Image.open(io.BytesIO(done.stdout))
        image.load()
    except OSError as exc:
        raise EngineError(f"pdftoppm's image of page {page} cannot be read: {exc}") from exc
    return image
