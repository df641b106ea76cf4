"""The OCR stage turns a crooked page level before reading it, and gives its word boxes on the page as scanned."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.stages.ocr import to_page


@pytest.mark.parametrize(("angle", "scale"), [(3.5, 1.0), (-6.0, 2.0), (12.0, 1.5)])
def test_word_boxes_read_on_the_levelled_page_land_on_the_scanned_one(angle: float, scale: float) -> None:
    """A dark "word" drawn on a page, the page turned as the OCR stage turns it: the box found on the
    turned page, turned back and scaled, lies on the word as drawn (within the box a turn adds)."""
    page = Image.new("L", (900, 1200), 255)
    word = (610, 220, 760, 250)
    page.paste(0, word)
    turned = page.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    ys, xs = np.nonzero(np.asarray(turned) < 128)
    found = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    back = to_page(found, angle, turned.size, page.size, scale)
    # the box round a turned box, turned back, grows by its sides times the sine of the angle
    slack = 3 + (word[2] - word[0] + word[3] - word[1]) * abs(np.sin(np.radians(angle)))
    for got, drawn in zip(back, word, strict=True):
        assert abs(got - drawn * scale) <= slack * scale, (back, word, angle)
