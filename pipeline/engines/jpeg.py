"""Small JPEGs for the report: page thumbnails and the crops values were read from (Pillow only)."""

from __future__ import annotations

import io

from PIL import Image

from pipeline.model import BBox, EvidenceImage


def to_jpeg(image: Image.Image, *, quality: int, grey: bool = False, max_width: int | None = None) -> EvidenceImage:
    """Encode ``image`` (reduced to ``max_width`` when wider) as an optimised baseline JPEG."""
    if max_width is not None and image.width > max_width:
        image = image.resize((max_width, max(1, round(image.height * max_width / image.width))),
                             Image.Resampling.BOX)
    image = image.convert("L" if grey else "RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return EvidenceImage(out.getvalue(), image.width, image.height)


def from_jpeg(evidence: EvidenceImage) -> Image.Image:
    """Decode an evidence JPEG (crops are cut from the cached page view)."""
    with Image.open(io.BytesIO(evidence.jpeg)) as image:
        image.load()
        return image.copy()


def clip(box: tuple[float, float, float, float], width: int, height: int) -> BBox | None:
    """``box`` rounded and clipped to an image of ``width`` × ``height``; None when nothing is left.

    >>> clip((-5.2, 3.7, 50.1, 900.0), 40, 100)
    (0, 4, 40, 100)
    """
    x0, y0 = max(0, round(box[0])), max(0, round(box[1]))
    x1, y1 = min(width, round(box[2])), min(height, round(box[3]))
    return (x0, y0, x1, y1) if x1 - x0 >= 2 and y1 - y0 >= 2 else None
