"""Identity-page capture stage: judge a passport or card page by what it must show (after the MRZ stage).

An identity page is usable when its whole MRZ lies inside the image and its printed data are legible.
This stage gathers that evidence, :class:`~pipeline.capture_checks.ZoneEvidence` (where the zone read
by the MRZ stage lies, whether OCR shows its fillers, the passport's data-page labels and the
holder's fields that the MRZ names, and how much of the visual zone is washed out), and runs the
``identity.*`` capture checks on it (:mod:`pipeline.capture_checks`).
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import re

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from pipeline import capture_checks
from pipeline.engines import imaging
from pipeline.model import BBox, Page
from pipeline.quality_config import DEFAULT, QualityThresholds
from pipeline.text import normalise, phrase_patterns
from pipeline.work import PageWork

log = logging.getLogger(__name__)

REQUIRES = ("mrz", "text", "words", "quality", "rejections")
"""Page fields the stage reads."""
PROVIDES = ("rejections",)
"""Page fields the stage sets."""

MRZ_PITCH_MM = 2.54
"""Width of one MRZ character (OCR-B at 10 characters per inch, ICAO 9303-3)."""
VISUAL_ZONE_PITCHES = {"TD3": 24.0, "TD2": 18.0}
"""Height of the visual zone above the MRZ in MRZ characters (TD3 data page 88 mm, zone 23 mm;
TD2 card 74 mm, zone 17 mm). TD1 cards print their data on the front: the MRZ side has none."""

_FILLERS = re.compile(r"[<«]{2}")
_MRZ_PRINTED = re.compile(r"[<«]{2}|\b[A-Z0-9]{20,}\b")
"""Full-page OCR shows part of an MRZ: a run of fillers or an MRZ line read without them."""

PASSPORT_WORDS = "passport|passeport|paspoort|reisepass|pasaporte|passaporto|passaporte"
DATA_PAGE_LABELS = (
    "surname|nom|naam|name|apellidos|cognome|apelido",
    "given names|prenoms|voornamen|vornamen|nombres|nome|nomes",
    "date of birth|date de naissance|geboortedatum|geburtsdatum|fecha de nacimiento|data di nascita|"
    "data de nascimento",
    "nationality|nationalite|nationaliteit|staatsangehorigkeit|nacionalidad|cittadinanza|nacionalidade",
    "sex|sexe|geslacht|geschlecht|sexo|sesso",
    "date of expiry|date d'expiration|vervaldatum|gultig bis|fecha de caducidad|data di scadenza|validade",
    "date of issue|date de delivrance|datum van afgifte|ausstellungsdatum|fecha de expedicion|data di rilascio",
    "authority|autorite|autoriteit|behorde|autoridad|autorita",
)
"""Labels of a passport data page's fields, one group per field, in the seven languages (ICAO 9303-4)."""
DATA_PAGE_MIN_LABELS = 5
"""Field groups a data page shows; a certificate that names a passport number has two or three."""

_PASSPORT = [re.compile(rf"\b(?:{p})\b") for p in phrase_patterns(PASSPORT_WORDS)]
_LABELS = [[re.compile(rf"\b(?:{p})\b") for p in phrase_patterns(group)] for group in DATA_PAGE_LABELS]


def is_data_page(text: str) -> bool:
    """Whether OCR text shows a passport's data page: the passport's name and most field labels.

    >>> is_data_page("PASSPORT / PASSEPORT Surname / Nom Given names / Prenoms Nationality Date of birth Sex")
    True
    >>> is_data_page("Certificate of good conduct. Name: Ana Silva, date of birth 1990-01-02, passport P123")
    False
    """
    folded = normalise(text)
    if not any(p.search(folded) for p in _PASSPORT):
        return False
    return sum(any(p.search(folded) for p in group) for group in _LABELS) >= DATA_PAGE_MIN_LABELS


def edge_margin(box: BBox, size: tuple[int, int], pitch: float) -> tuple[float, str]:
    """Distance of a box to the nearest image edge in character widths, and which edge.

    >>> edge_margin((30, 500, 900, 560), (1000, 700), 20.0)
    (1.5, 'left')
    """
    w, h = size
    x0, y0, x1, y1 = box
    gaps = {"left": x0, "top": y0, "right": w - x1, "bottom": h - y1}
    edge = min(gaps, key=lambda k: gaps[k])
    return max(0.0, gaps[edge]) / max(pitch, 1e-6), edge


def fields_found(page: Page) -> int:
    """How many of the holder's printed fields that the MRZ names OCR found on the page.

    The surname, the first given name and the document number, compared with each OCR word (at
    least 80 % alike: OCR confuses a letter or two on a guilloche background).
    """
    if page.mrz is None:
        return 0
    r = page.mrz.result
    wanted = [r.surname.split(" ")[0], r.given_names.split(" ")[0], r.document_number]
    words = {re.sub(r"[^A-Z0-9]", "", w.upper()) for w in page.text.split()}
    words.discard("")
    found = 0
    for token in (re.sub(r"[^A-Z0-9]", "", t.upper()) for t in wanted):
        if len(token) < 3:
            continue
        if token in words or any(difflib.SequenceMatcher(None, token, w).ratio() >= 0.8 for w in words):
            found += 1
    return found


def count_rows(boxes: list[BBox]) -> int:
    """Rows of text the boxes make: boxes whose vertical centres lie within half a box height are one row.

    >>> count_rows([(0, 100, 50, 120), (60, 102, 90, 121), (0, 140, 50, 160)])
    2
    """
    centres = sorted((y0 + y1) / 2 for _, y0, _, y1 in boxes)
    height = float(np.median([y1 - y0 for _, y0, _, y1 in boxes])) if boxes else 0.0
    rows, last = 0, -1e9
    for c in centres:
        if c - last > height / 2:
            rows += 1
            last = c
    return rows


def visual_zone(box: BBox, fmt: str, pitch: float) -> BBox | None:
    """The visual zone above an MRZ box: the data page's printed data and photo (None for TD1 backs)."""
    pitches = VISUAL_ZONE_PITCHES.get(fmt)
    if pitches is None:
        return None
    x0, y0, x1, _ = box
    return round(x0 - pitch), round(y0 - pitches * pitch), round(x1 + pitch), round(y0 - 0.5 * pitch)


def visual_zone_inside(page: Page, box: BBox, size: tuple[int, int], pitch: float) -> float:
    """Share of the visual zone's height beside a read MRZ that lies inside the image (1: none to judge).

    The visual zone lies above the MRZ on an upright page and below it on a page scanned upside down:
    it is taken on the side where OCR found more words within its height (the holder's printed data).
    Zones of lines running up or down the image (a page turned by 90 degrees) and TD1 backs are not judged.
    """
    if page.mrz is None or box[2] - box[0] <= box[3] - box[1]:
        return 1.0
    pitches = VISUAL_ZONE_PITCHES.get(page.mrz.result.format)
    if pitches is None:
        return 1.0
    reach = pitches * pitch
    above = sum(box[1] - reach <= (w.bbox[1] + w.bbox[3]) / 2 < box[1] for w in page.words)
    below = sum(box[3] < (w.bbox[1] + w.bbox[3]) / 2 <= box[3] + reach for w in page.words)
    room = box[1] if above >= below else size[1] - box[3]
    return min(1.0, max(0.0, room) / reach)


def _row_band(page_image: Image.Image, box: BBox) -> tuple[NDArray[np.uint8], float, float] | None:
    """The full-width band of the raster level with a line of text ``box``, grey, and the line's print
    and paper levels (its 5th and 90th percentiles); None when the box is empty or shows no contrast."""
    x0, y0, x1, y1 = box
    top, bottom = max(0, y0), min(page_image.height, y1)
    if bottom <= top or x1 <= x0:
        return None
    band = np.asarray(page_image.crop((0, top, page_image.width, bottom)).convert("L"), dtype=np.uint8)
    line = band[:, max(0, x0) : min(page_image.width, x1)]
    ink, paper = float(np.percentile(line, 5)), float(np.percentile(line, 90))
    if paper - ink < 40:  # no contrast to tell print from paper
        return None
    return band, ink, paper


def print_at_edge(page_image: Image.Image, box: BBox, edge: str) -> bool:
    """Whether print touches the image's ``edge`` (left or right) level with a line of text ``box``.

    Looked at in full resolution: the outermost two columns beside the line (as high as the line's
    box: a filler ``<`` cut near its tip shows only a few pixels), against a level halfway between the
    line's print and the paper around it.
    """
    found = _row_band(page_image, box)
    if found is None:
        return False
    band, ink, paper = found
    side = band[:, :2] if edge == "left" else band[:, -2:]
    return bool((side < (ink + paper) / 2).any())


def row_shown(page_image: Image.Image, box: BBox, pitch: float) -> tuple[float | None, float]:
    """How far an MRZ row is printed, in characters, and how much brighter the page is where it stops.

    ``box`` is an OCR word of the row (its fillers). On the row's band of the full raster, print is what
    is darker than halfway between the word's print and its paper; the row runs from its first to its
    last character with no gap wider than two characters (fillers and letters stand a fraction of a
    character apart). Where a row of the shortest format (:data:`~pipeline.capture_checks.MRZ_MIN_ROW_CHARS`)
    would run past the image edge, nothing is measured: the cut checks judge that.

    Returns:
        ``(characters, lift)``: the printed length (None when not measured) and the median grey level
        where the row should go on, above the paper level between the word's characters.
    """
    found = _row_band(page_image, box) if pitch > 0 else None
    if found is None:
        return None, 0.0
    band, ink, paper = found
    x0 = box[0]
    cols = np.flatnonzero((band < (ink + paper) / 2).any(axis=0))
    gap = 2 * pitch
    start = end = float(x0)
    for c in cols[cols < x0][::-1]:
        if start - c > gap:
            break
        start = float(c)
    for c in cols[cols >= x0]:
        if c - end > gap:
            break
        end = float(c)
    if start + capture_checks.MRZ_MIN_ROW_CHARS * pitch > page_image.width - pitch:
        return None, 0.0
    beyond = band[:, round(end + pitch) : round(start + capture_checks.MRZ_MIN_ROW_CHARS * pitch)]
    lift = float(np.median(beyond)) - paper if beyond.size else 0.0
    return (end - start) / pitch, lift


def zone_evidence(page: Page, work: PageWork) -> capture_checks.ZoneEvidence | None:
    """Gather what the page shows of its MRZ and printed fields (None: nothing of an identity page)."""
    if work.pixels is None:
        return None
    printed = bool(_MRZ_PRINTED.search(page.text))
    data_page = bool(page.text) and is_data_page(page.text)
    read = page.mrz is not None and page.mrz.source == "image" and page.mrz.bbox is not None
    fillers = [w for w in page.words if _FILLERS.search(w.text)]
    if not fillers and data_page:
        # On a data page, an MRZ line read without its fillers ("P<D<<" as "PSDSS...") shows the zone too;
        # elsewhere a long code (an IBAN) is no MRZ.
        fillers = [w for w in page.words if _MRZ_PRINTED.search(w.text)]
    if not (read or printed or data_page or fillers):
        return None
    size = work.pixels.full.size
    margin: float | None = None
    edge = ""
    viz_washed = 0.0
    viz_inside = 1.0
    lines_shown = 0
    cut_glyph = False
    row_chars: float | None = None
    row_lift = 0.0
    if read and page.mrz is not None and page.mrz.bbox is not None:
        box = page.mrz.bbox
        pitch = (box[2] - box[0]) / max(1, max(len(line) for line in page.mrz.result.raw))
        margin, edge = edge_margin(box, size, pitch)
        viz = visual_zone(box, page.mrz.result.format, pitch)
        viz_inside = visual_zone_inside(page, box, size, pitch)
        if viz is not None:
            small = work.pixels.fit(imaging.WORK_LONG_SIDE)
            k = small.width / size[0]
            viz_washed = imaging.washed_out(np.asarray(small), tuple(round(v * k) for v in viz))  # type: ignore[arg-type]
    elif fillers:
        xs0, ys0, xs1, ys1 = zip(*(w.bbox for w in fillers), strict=True)
        pitch = float(np.median([(w.bbox[2] - w.bbox[0]) / max(1, len(w.text)) for w in fillers]))
        margin, edge = edge_margin((min(xs0), min(ys0), max(xs1), max(ys1)), size, pitch)
        lines_shown = count_rows([w.bbox for w in fillers])
        if edge in ("left", "right"):  # any of the zone's rows (a row's last word may not be read as MRZ)
            cut_glyph = any(print_at_edge(work.pixels.full, w.bbox, edge) for w in fillers)
        rows = [row_shown(work.pixels.full, w.bbox, (w.bbox[2] - w.bbox[0]) / max(1, len(w.text))) for w in fillers]
        measured = [r for r in rows if r[0] is not None]
        if measured and len(measured) == len(rows):
            row_chars, row_lift = max(measured, key=lambda r: r[0] or 0.0)
    valid = bool(read and page.mrz is not None and page.mrz.result.valid)
    return capture_checks.ZoneEvidence(
        read=read,
        valid=valid,
        edge_margin=margin,
        edge=edge,
        printed=printed or bool(fillers),
        data_page=data_page,
        fields_read=fields_found(page) if valid else 0,
        viz_washed=viz_washed,
        lines_shown=lines_shown,
        cut_glyph=cut_glyph,
        viz_inside=viz_inside,
        row_chars=row_chars,
        row_lift=row_lift,
    )


def check_identity_capture(page: Page, work: PageWork, thresholds: QualityThresholds = DEFAULT) -> Page:
    """Page stage: run the ``identity.*`` capture checks on a page that shows an MRZ or a data page.

    Args:
        page: The page, after the quality gate, OCR and the MRZ stage.
        work: Its shared pixels.
        thresholds: Decision thresholds.

    Returns:
        The page with the identity rejections added (unchanged when it shows nothing of an identity page).
    """
    if page.has_text_layer or not page.quality:
        return page
    zone = zone_evidence(page, work)
    if zone is None:
        return page
    metrics = imaging.ImageMetrics.from_dict(page.quality)
    found = capture_checks.judge(page, metrics, thresholds, stage="identity", zone=zone)
    if found:
        log.debug("%s: %s", page.ref, [r.evidence.get("check") for r in found])
        page = dataclasses.replace(page, rejections=(*page.rejections, *found))
    return page
