"""Render clean sample document pages (passport, ID card, certificates) as PIL images at a given DPI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from samples import mrz
from samples.texts import COUNTRIES, VOCAB, Person, compose, format_date

A4_MM = (210.0, 297.0)
TD3_MM = (125.0, 88.0)
TD1_MM = (85.6, 54.0)
MRZ_PITCH_MM = 2.54  # OCR-B at 10 characters per inch (Doc 9303 Part 3)
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/opentype/ocr-b"))
FONT_FILES = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "serif-bold": "DejaVuSerif-Bold.ttf",
    "mono": "DejaVuSansMono.ttf",
    "ocrb": "OCRB.otf",
}
INK = (25, 25, 35)
LABEL_INK = (70, 70, 95)
Box = tuple[int, int, int, int]
Block = tuple[str, ...]

# Passport VIZ months: English / French abbreviations (DOCUMENTS.md A.3 "12 MAR/MARS 31").
VIZ_MONTHS = (
    "JAN/JAN",
    "FEB/FÉV",
    "MAR/MARS",
    "APR/AVR",
    "MAY/MAI",
    "JUN/JUIN",
    "JUL/JUIL",
    "AUG/AOÛT",
    "SEP/SEPT",
    "OCT/OCT",
    "NOV/NOV",
    "DEC/DÉC",
)


@dataclasses.dataclass(frozen=True)
class IdentityDocument:
    """A passport, national ID card or Belgian residence card."""

    kind: str
    person: Person
    issuing_state: str
    number: str
    issue_date: dt.date
    expiry_date: dt.date
    authority: str
    date_style: str = "bilingual"
    card_type: str = ""

    def mrz_lines(self) -> tuple[str, ...]:
        """Return the machine-readable zone of the document (TD3 for passports, TD1 for cards)."""
        p = self.person
        if self.kind == "passport":
            return mrz.td3(
                issuing_state=self.issuing_state,
                surname=p.surname,
                given_names=p.given_names,
                number=self.number,
                nationality=p.nationality,
                birth_date=p.birth_date,
                sex=p.sex,
                expiry_date=self.expiry_date,
            )
        return mrz.td1(
            issuing_state=self.issuing_state,
            number=self.number,
            birth_date=p.birth_date,
            sex=p.sex,
            expiry_date=self.expiry_date,
            nationality=p.nationality,
            surname=p.surname,
            given_names=p.given_names,
            doc_code="IR" if self.kind == "residence_card" else "ID",
        )


@dataclasses.dataclass(frozen=True)
class Page:
    """A rendered page with where the physical document sits on it."""

    image: Image.Image
    dpi: int
    doc_box: Box
    """Pixel box of the physical document (the data page, the card or the sheet)."""
    doc_size_mm: tuple[float, float]
    mrz_box: Box | None = None
    object_box: Box | None = None
    """The whole physical object (an open passport booklet, a card); None for a sheet."""


def mm(value: float, dpi: int) -> int:
    """Convert millimetres to pixels at ``dpi``."""
    return round(value * dpi / 25.4)


@functools.lru_cache(maxsize=256)
def font(kind: str, size_px: int) -> ImageFont.FreeTypeFont:
    """Load one of the installed fonts (DejaVu for text, OCR-B for the MRZ) at a pixel size."""
    name = FONT_FILES[kind]
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size_px)
    found = sorted(Path("/usr/share/fonts").rglob(name))
    if not found:
        raise FileNotFoundError(f"font {name} not found; install fonts-dejavu and fonts-ocr-b")
    return ImageFont.truetype(str(found[0]), size_px)


def pt_font(kind: str, points: float, dpi: int) -> ImageFont.FreeTypeFont:
    """Load a font at a size given in typographic points."""
    return font(kind, max(6, round(points * dpi / 72)))


def viz_date(date: dt.date, style: str) -> str:
    """Format a date as printed in a passport or card visual zone.

    Args:
        date: The date.
        style: ``bilingual`` (``12 MAR/MARS 2031``), ``plain`` (``12 MAR 2031``), ``short-year``
            (``12 MAR/MARS 31``, two-digit year, DOCUMENTS.md A.3), ``dotted`` or ``slash``.

    Returns:
        The printed date.
    """
    if style == "short-year":
        return f"{date.day:02d} {VIZ_MONTHS[date.month - 1]} {date.year % 100:02d}"
    if style == "bilingual":
        return f"{date.day:02d} {VIZ_MONTHS[date.month - 1]} {date.year}"
    if style == "plain":
        return f"{date.day:02d} {VIZ_MONTHS[date.month - 1].split('/')[0]} {date.year}"
    sep = "." if style == "dotted" else "/"
    return f"{date.day:02d}{sep}{date.month:02d}{sep}{date.year}"


def _tint(seed_text: str) -> tuple[int, int, int]:
    """A pale, stable background colour per issuing state."""
    h = zlib.crc32(seed_text.encode())
    return (225 + h % 25, 228 + (h >> 8) % 22, 222 + (h >> 16) % 28)


def guilloche(size: tuple[int, int], tint: tuple[int, int, int], phase: float = 0.0) -> Image.Image:
    """Draw a security-print background: fine interference lines over a pale tint."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    scale = 40.0 / max(w, h)
    wave = np.sin((x * scale * 9) + 3 * np.sin(y * scale * 4 + phase))
    wave *= np.cos(y * scale * 7 - 2 * np.sin(x * scale * 3))
    lines = (np.abs(wave) < 0.08).astype(np.float32) * 0.18
    base = np.array(tint, dtype=np.float32)[None, None, :]
    arr = base * (1 - lines[..., None]) + np.array([150, 170, 160], np.float32) * lines[..., None]
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")


def draw_face(image: Image.Image, box: Box, sex: str) -> None:
    """Draw a grey face silhouette inside a photo box (a placeholder for the holder's portrait)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    photo = Image.new("RGB", (w, h), (208, 214, 222))
    draw = ImageDraw.Draw(photo)
    skin = (150, 128, 112)
    draw.ellipse((w * 0.08, h * 0.70, w * 0.92, h * 1.35), fill=(70, 75, 95))
    draw.rectangle((w * 0.41, h * 0.55, w * 0.59, h * 0.76), fill=skin)
    if sex == "F":
        draw.ellipse((w * 0.22, h * 0.10, w * 0.78, h * 0.68), fill=(60, 45, 40))
    draw.ellipse((w * 0.29, h * 0.16, w * 0.71, h * 0.62), fill=skin)
    if sex != "F":
        draw.chord((w * 0.28, h * 0.12, w * 0.72, h * 0.40), 180, 360, fill=(45, 35, 30))
    draw.rectangle((0, 0, w - 1, h - 1), outline=(120, 120, 130), width=max(1, w // 120))
    image.paste(photo, (x0, y0))


def _mrz_font(dpi: int) -> ImageFont.FreeTypeFont:
    """OCR-B sized so that one character advance is 2.54 mm."""
    probe = font("ocrb", 100)
    advance = probe.getlength("<" * 10) / 10
    return font("ocrb", max(8, round(100 * mm(MRZ_PITCH_MM, dpi) / advance)))


def draw_mrz(draw: ImageDraw.ImageDraw, lines: Sequence[str], left: int, top: int, pitch: int, dpi: int) -> Box:
    """Draw MRZ lines in OCR-B and return their bounding box."""
    f = _mrz_font(dpi)
    for i, line in enumerate(lines):
        draw.text((left, top + i * pitch), line, font=f, fill=(10, 10, 10))
    width = round(f.getlength(lines[0]))
    return left, top, left + width, top + pitch * (len(lines) - 1) + round(f.size * 0.85)


def _field(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    label: str,
    value: str,
    dpi: int,
    sizes: tuple[float, float] = (7.0, 9.5),
) -> None:
    """Draw a small caption with its value underneath."""
    lab = pt_font("sans", sizes[0], dpi)
    val = pt_font("sans-bold", sizes[1], dpi)
    draw.text(xy, label, font=lab, fill=LABEL_INK)
    draw.text((xy[0], xy[1] + round(lab.size * 1.15)), value, font=val, fill=INK)


def _labels(lang_a: str, lang_b: str, key: str) -> str:
    first, second = VOCAB[lang_a][key], VOCAB[lang_b][key]
    return first if first == second else f"{first} / {second}"


def render_passport(doc: IdentityDocument, dpi: int) -> Page:
    """Render an open passport booklet (data page below) on an A4 flatbed canvas.

    Args:
        doc: The passport to draw.
        dpi: Resolution of the output image.

    Returns:
        The A4 page with the data page box and MRZ box.
    """
    page = Image.new("RGB", (mm(A4_MM[0], dpi), mm(A4_MM[1], dpi)), "white")
    ox, oy = mm(12, dpi), mm(14, dpi)
    w, h = mm(TD3_MM[0], dpi), mm(TD3_MM[1], dpi)
    tint = _tint(doc.issuing_state)
    upper = guilloche((w, h), tint, phase=1.3)
    page.paste(upper, (ox, oy))
    data = guilloche((w, h), tint)
    page.paste(data, (ox, oy + h))
    draw = ImageDraw.Draw(page)
    draw.rectangle((ox, oy, ox + w, oy + 2 * h), outline=(90, 90, 100), width=max(1, mm(0.3, dpi)))
    draw.line((ox, oy + h, ox + w, oy + h), fill=(150, 150, 160), width=max(1, mm(0.4, dpi)))
    country = COUNTRIES[doc.issuing_state]
    lang = country.language if country.language in ("fr", "nl", "de") else "en"
    other = "fr" if lang != "fr" else "en"
    small = pt_font("sans", 7, dpi)
    draw.text(
        (ox + mm(8, dpi), oy + mm(10, dpi)),
        _labels(lang, other, "observations").upper(),
        font=pt_font("sans-bold", 8, dpi),
        fill=LABEL_INK,
    )
    draw.text((ox + mm(8, dpi), oy + h - mm(8, dpi)), "- 2 -", font=small, fill=LABEL_INK)

    top = oy + h
    x = lambda v: ox + mm(v, dpi)  # noqa: E731 - short local coordinate helpers
    y = lambda v: top + mm(v, dpi)  # noqa: E731
    draw.text((x(40), y(1.8)), country.name.upper(), font=pt_font("sans-bold", 8.5, dpi), fill=INK)
    draw.text(
        (x(40), y(5.8)), _labels(lang, other, "passport").upper(), font=pt_font("sans-bold", 8, dpi), fill=LABEL_INK
    )
    draw_face(page, (x(4), y(12), x(36), y(54)), doc.person.sex)
    p = doc.person
    rows: list[list[tuple[float, str, str]]] = [
        [
            (40, _labels(lang, other, "type"), "P"),
            (58, _labels(lang, other, "code"), doc.issuing_state),
            (80, _labels(lang, other, "passport_no"), doc.number),
        ],
        [(40, _labels(lang, other, "surname"), p.surname.upper())],
        [(40, _labels(lang, other, "given_names"), p.given_names.upper())],
        [(40, _labels(lang, other, "nationality"), COUNTRIES[p.nationality].adjective.upper())],
        [
            (40, _labels(lang, other, "birth_date"), viz_date(p.birth_date, doc.date_style)),
            (95, _labels(lang, other, "sex"), p.sex),
        ],
        [(40, _labels(lang, other, "birth_place"), p.birth_place.upper())],
        [
            (40, _labels(lang, other, "issue_date"), viz_date(doc.issue_date, doc.date_style)),
            (85, _labels(lang, other, "authority"), doc.authority.upper()),
        ],
        [(40, _labels(lang, other, "expiry_date"), viz_date(doc.expiry_date, doc.date_style))],
    ]
    for i, row in enumerate(rows):
        for col, label, value in row:
            _field(draw, (x(col), y(10 + i * 6.7)), label, value, dpi, (6.5, 9.0))
    mrz_box = draw_mrz(draw, doc.mrz_lines(), x(6.5), y(67.5), mm(8.0, dpi), dpi)
    pad = mm(1.5, dpi)
    booklet = (ox - pad, oy - pad, ox + w + pad, oy + 2 * h + pad)
    return Page(page, dpi, (ox, top, ox + w, top + h), TD3_MM, mrz_box, booklet)


def render_card(doc: IdentityDocument, side: str, dpi: int) -> Page:
    """Render one side of a TD1 card (national ID card or Belgian residence card) on an A4 canvas.

    Args:
        doc: The card.
        side: ``front`` or ``back`` (the back carries the 3-line MRZ).
        dpi: Resolution of the output image.

    Returns:
        The A4 page with the card box (and MRZ box on the back).
    """
    page = Image.new("RGB", (mm(A4_MM[0], dpi), mm(A4_MM[1], dpi)), "white")
    ox, oy = mm(15, dpi), mm(15, dpi)
    w, h = mm(TD1_MM[0], dpi), mm(TD1_MM[1], dpi)
    card = guilloche((w, h), _tint(doc.issuing_state + side), phase=0.7)
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius=mm(3, dpi), fill=255)
    page.paste(card, (ox, oy), mask)
    draw = ImageDraw.Draw(page)
    draw.rounded_rectangle(
        (ox, oy, ox + w, oy + h), radius=mm(3, dpi), outline=(110, 110, 120), width=max(1, mm(0.25, dpi))
    )
    x = lambda v: ox + mm(v, dpi)  # noqa: E731
    y = lambda v: oy + mm(v, dpi)  # noqa: E731
    country = COUNTRIES[doc.issuing_state]
    lang = "fr" if doc.kind == "residence_card" else country.language
    other = "nl" if doc.kind == "residence_card" else "en"
    p = doc.person
    sizes = (5.5, 7.5)
    if side == "front":
        draw.rectangle((x(3), y(3), x(13), y(10)), fill=(0, 51, 153))
        for k in range(12):
            a = 2 * math.pi * k / 12
            cx, cy = x(8) + mm(2.4, dpi) * math.cos(a), y(6.5) + mm(2.4, dpi) * math.sin(a)
            r = max(1, mm(0.3, dpi))
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 204, 0))
        code = country.iso2
        draw.text((x(6.2), y(5.3)), code, font=pt_font("sans-bold", 5, dpi), fill="white")
        draw.text((x(16), y(2.5)), country.name.upper(), font=pt_font("sans-bold", 6.5, dpi), fill=INK)
        title = VOCAB[lang]["residence_card" if doc.kind == "residence_card" else "id_card"]
        title2 = VOCAB[other]["residence_card" if doc.kind == "residence_card" else "id_card"]
        draw.text((x(16), y(6)), f"{title} / {title2}".upper(), font=pt_font("sans-bold", 6, dpi), fill=LABEL_INK)
        draw_face(page, (x(3), y(13), x(25), y(41)), p.sex)
        fields = [
            (_labels(lang, other, "surname"), p.surname.upper()),
            (_labels(lang, other, "given_names"), p.given_names.upper()),
            (_labels(lang, other, "birth_date"), viz_date(p.birth_date, doc.date_style)),
            (_labels(lang, other, "nationality"), COUNTRIES[p.nationality].code_label),
            (_labels(lang, other, "doc_no"), doc.number),
            (_labels(lang, other, "expiry_date"), viz_date(doc.expiry_date, doc.date_style)),
        ]
        if doc.card_type:
            fields.insert(4, (_labels(lang, other, "card_type"), doc.card_type))
        step = 38.0 / len(fields)
        for i, (label, value) in enumerate(fields):
            _field(draw, (x(28), y(11.5 + i * step)), label, value, dpi, sizes)
        return Page(page, dpi, (ox, oy, ox + w, oy + h), TD1_MM, None, _around((ox, oy, ox + w, oy + h), dpi))
    fields = [
        (_labels(lang, other, "issue_date"), viz_date(doc.issue_date, doc.date_style)),
        (_labels(lang, other, "authority"), doc.authority.upper()),
        (_labels(lang, other, "birth_place"), p.birth_place.upper()),
    ]
    for i, (label, value) in enumerate(fields):
        _field(draw, (x(4), y(3 + i * 7)), label, value, dpi, sizes)
    mrz_box = draw_mrz(draw, doc.mrz_lines(), x(4.5), y(36.5), mm(4.8, dpi), dpi)
    return Page(page, dpi, (ox, oy, ox + w, oy + h), TD1_MM, mrz_box, _around((ox, oy, ox + w, oy + h), dpi))


def _around(box: Box, dpi: int) -> Box:
    pad = mm(1.0, dpi)
    return box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad


def _wrap(text: str, f: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if f.getlength(trial) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _signature(draw: ImageDraw.ImageDraw, left: int, top: int, width: int, seed: int) -> None:
    """A pen squiggle, deterministic from ``seed``."""
    pts = []
    for i in range(60):
        t = i / 59
        yy = math.sin(t * 11 + seed) * 0.35 + math.sin(t * 29 + seed * 0.7) * 0.25
        pts.append((left + t * width, top + (0.5 + yy * 0.8) * width * 0.18))
    draw.line(pts, fill=(20, 30, 110), width=max(2, width // 90), joint="curve")


def _stamp(img: Image.Image, centre: tuple[int, int], radius: int, text: str) -> None:
    """A round rubber stamp in translucent violet ink."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    cx, cy = centre
    ink = (90, 40, 150, 150)
    d.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=ink, width=max(2, radius // 18))
    r2 = int(radius * 0.72)
    d.ellipse((cx - r2, cy - r2, cx + r2, cy + r2), outline=ink, width=max(1, radius // 30))
    f = font("sans-bold", max(8, radius // 5))
    for i, char in enumerate(text[:22]):
        a = math.pi * (1.1 + 0.8 * i / max(1, min(len(text), 22) - 1))
        d.text(
            (cx + radius * 0.86 * math.cos(a), cy + radius * 0.86 * math.sin(a)), char, font=f, fill=ink, anchor="mm"
        )
    d.text((cx, cy), "★", font=font("sans", max(8, radius // 2)), fill=ink, anchor="mm")
    img.paste(Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB"))


LAYOUTS = ("classic", "table", "caption", "two-column", "letter")


def render_blocks(blocks: Sequence[Block], dpi: int, serif: bool = False, layout: str = "classic",
                  font_kind: str | None = None) -> Page:
    """Lay out certificate blocks on an A4 page.

    Block kinds: ``("header", text)``, ``("title", text)``, ``("subtitle", text)``, ``("para", text)``,
    ``("closing", text)`` (the place-and-date line), ``("dateline", text)`` (the same, right-aligned at
    the top of a letter), ``("field", label, value)``, ``("row", cell, cell, ...)`` (a table row; the
    first one is bold), ``("gap", millimetres)``, ``("box", title)`` ... ``("endbox",)`` and
    ``("sign", caption, stamp_text)``.

    Args:
        blocks: The content, top to bottom.
        dpi: Resolution of the output image.
        serif: Use DejaVu Serif for the body text.
        layout: How fields are drawn (``samples.layouts``): ``classic`` label and value on a line,
            ``table`` bordered label/value cells, ``caption`` small label above the value,
            ``two-column`` fields in two columns, ``letter`` (letterhead at the right).
        font_kind: ``sans``, ``serif`` or ``mono``; overrides ``serif``.

    Returns:
        The A4 page.
    """
    img = Image.new("RGB", (mm(A4_MM[0], dpi), mm(A4_MM[1], dpi)), "white")
    draw = ImageDraw.Draw(img)
    body = font_kind or ("serif" if serif else "sans")
    bold = f"{body}-bold" if body != "mono" else "mono"
    left, right = mm(22, dpi), mm(A4_MM[0] - 22, dpi)
    cursor = mm(18, dpi)
    box_start: int | None = None
    row_index = 0
    pending_field: Block | None = None  # two-column layout: the left field waiting for its neighbour

    def flush_field() -> None:
        nonlocal cursor, pending_field
        if pending_field is not None:
            cursor = _field_block(draw, pending_field, left, left + (right - left) // 2 - mm(4, dpi), cursor, dpi,
                                  body, bold, "classic")
            pending_field = None

    for block in blocks:
        kind = block[0]
        if kind != "field":
            flush_field()
        if kind == "header":
            f = pt_font("sans-bold", 10, dpi)
            if layout == "letter":
                draw.text((right, cursor), block[1], font=f, fill=INK, anchor="ra")
            else:
                if cursor == mm(18, dpi):
                    r = mm(7, dpi)
                    draw.ellipse((left, cursor, left + 2 * r, cursor + 2 * r), outline=INK, width=max(1, mm(0.4, dpi)))
                    draw.text((left + r, cursor + r), "⚖", font=font("sans", r), fill=INK, anchor="mm")
                draw.text((left + mm(18, dpi), cursor), block[1], font=f, fill=INK)
            cursor += round(f.size * 1.35)
        elif kind == "dateline":
            cursor += mm(4, dpi)
            f = pt_font(body, 10.5, dpi)
            draw.text((right, cursor), block[1], font=f, fill=INK, anchor="ra")
            cursor += round(f.size * 1.4) + mm(4, dpi)
        elif kind in ("title", "subtitle"):
            cursor += mm(4 if kind == "title" else 1, dpi)
            f = pt_font(bold, 16 if kind == "title" else 11.5, dpi)
            lines = _wrap(block[1], f, right - left)
            top = cursor
            for line in lines:
                x = left if layout == "letter" else (left + right) // 2
                draw.text((x, cursor), line, font=f, fill=INK, anchor="la" if layout == "letter" else "ma")
                cursor += round(f.size * 1.3)
            if layout == "table" and kind == "title":
                pad = mm(2, dpi)
                draw.rectangle((left, top - pad, right, cursor + pad), outline=INK, width=max(1, mm(0.4, dpi)))
                cursor += pad
            cursor += mm(2, dpi)
        elif kind in ("para", "closing"):
            f = pt_font(body, 10.5 if body != "mono" else 9.5, dpi)
            for line in _wrap(block[1], f, right - left):
                draw.text((left, cursor), line, font=f, fill=INK)
                cursor += round(f.size * 1.4)
            cursor += mm(2, dpi)
        elif kind == "field":
            if layout == "two-column":
                if pending_field is None:
                    pending_field = block
                    continue
                mid = left + (right - left) // 2
                first = _field_block(draw, pending_field, left, mid - mm(4, dpi), cursor, dpi, body, bold, "classic")
                second = _field_block(draw, block, mid + mm(4, dpi), right, cursor, dpi, body, bold, "classic")
                cursor = max(first, second)
                pending_field = None
            else:
                cursor = _field_block(draw, block, left, right, cursor, dpi, body, bold, layout)
        elif kind == "row":
            f = pt_font(bold if row_index == 0 else body, 9.5, dpi)
            n = len(block) - 1
            widths = (0.0, 0.22, 0.72) if n == 3 else tuple(i / n for i in range(n))
            for i, cell in enumerate(block[1:]):
                draw.text((left + round(widths[i] * (right - left)), cursor), cell, font=f, fill=INK)
            cursor += round(f.size * 1.5)
            draw.line((left, cursor - mm(0.8, dpi), right, cursor - mm(0.8, dpi)), fill=(190, 190, 190))
            row_index += 1
        elif kind == "gap":
            cursor += mm(float(block[1]), dpi)
        elif kind == "box":
            box_start = cursor
            cursor += mm(4, dpi)
            f = pt_font("serif-bold", 18, dpi)
            draw.text(((left + right) // 2, cursor), block[1], font=f, fill=INK, anchor="ma")
            cursor += round(f.size * 1.4)
            left, right = left + mm(6, dpi), right - mm(6, dpi)
        elif kind == "endbox" and box_start is not None:
            left, right = left - mm(6, dpi), right + mm(6, dpi)
            cursor += mm(3, dpi)
            draw.rectangle((left, box_start, right, cursor), outline=INK, width=max(2, mm(0.6, dpi)))
            cursor += mm(4, dpi)
        elif kind == "sign":
            cursor += mm(3, dpi)
            f = pt_font(body, 10.5, dpi)
            draw.text((left + mm(95, dpi), cursor), block[1], font=f, fill=INK)
            _signature(draw, left + mm(98, dpi), cursor + mm(5, dpi), mm(45, dpi), zlib.crc32(block[1].encode()) % 97)
            _stamp(img, (left + mm(50, dpi), cursor + mm(14, dpi)), mm(15, dpi), block[2] if len(block) > 2 else "")
            draw = ImageDraw.Draw(img)
            cursor += mm(30, dpi)
    flush_field()
    size = img.size
    return Page(img, dpi, (0, 0, size[0], size[1]), A4_MM)


def _field_block(draw: ImageDraw.ImageDraw, block: Block, left: int, right: int, cursor: int, dpi: int, body: str,
                 bold: str, layout: str) -> int:
    """Draw one label/value field in ``layout``; returns the cursor below it."""
    if layout == "caption":
        fl, fv = pt_font(body, 8, dpi), pt_font(bold, 10.5, dpi)
        draw.text((left, cursor), block[1], font=fl, fill=LABEL_INK)
        cursor += round(fl.size * 1.25)
        draw.text((left, cursor), block[2], font=fv, fill=INK)
        return cursor + round(fv.size * 1.6)
    fl, fv = pt_font(bold, 10.5, dpi), pt_font(body, 10.5, dpi)
    if layout == "table":
        height = round(fv.size * 1.7)
        split = left + mm(62, dpi)
        draw.rectangle((left, cursor, right, cursor + height), outline=(90, 90, 90), width=max(1, mm(0.2, dpi)))
        draw.line((split, cursor, split, cursor + height), fill=(90, 90, 90), width=max(1, mm(0.2, dpi)))
        pad = mm(1.5, dpi)
        draw.text((left + pad, cursor + pad), block[1], font=fl, fill=INK)
        draw.text((split + pad, cursor + pad), block[2], font=fv, fill=INK)
        return cursor + height
    draw.text((left, cursor), block[1], font=fl, fill=INK)
    width = min(mm(62, dpi), (right - left) // 2)
    value_x = max(left + width, left + round(fl.getlength(block[1])) + mm(3, dpi))
    draw.text((value_x, cursor), block[2], font=fv, fill=INK)
    return cursor + round(fv.size * 1.55)


def blocks_to_pdf(pages: Sequence[Sequence[Block]], title: str, created: dt.datetime) -> bytes:
    """Write born-digital PDF pages with a real text layer (fpdf2, DejaVu embedded).

    Args:
        pages: One block list per page (same block kinds as :func:`render_blocks`; stamps are omitted).
        title: PDF title metadata.
        created: Fixed creation date, so that the bytes are reproducible.

    Returns:
        The PDF file content.
    """
    from fpdf import FPDF  # imported here: only born-digital documents need fpdf2

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(created)
    pdf.set_producer("samples.generate")
    pdf.set_title(title)
    for style, name in (("", "sans"), ("B", "sans-bold")):
        pdf.add_font("DejaVu", style, str(font(name, 10).path))
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(True, 18)
    for blocks in pages:
        pdf.add_page()
        for block in blocks:
            kind = block[0]
            if kind == "header":
                pdf.set_font("DejaVu", "B", 10)
                pdf.cell(0, 5, block[1], new_x="LMARGIN", new_y="NEXT")
            elif kind in ("title", "subtitle", "box"):
                pdf.ln(3)
                pdf.set_font("DejaVu", "B", 16 if kind != "subtitle" else 11.5)
                pdf.multi_cell(0, 8, block[1], align="C", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif kind in ("para", "closing", "dateline"):
                pdf.set_font("DejaVu", "", 10.5)
                pdf.multi_cell(0, 5.2, block[1], new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif kind == "field":
                pdf.set_font("DejaVu", "B", 10.5)
                pdf.cell(62, 6, block[1])
                pdf.set_font("DejaVu", "", 10.5)
                pdf.cell(0, 6, block[2], new_x="LMARGIN", new_y="NEXT")
            elif kind == "row":
                pdf.set_font("DejaVu", "", 9.5)
                cells = block[1:]
                widths = (36.0, 94.0, 36.0) if len(cells) == 3 else tuple(166.0 / len(cells) for _ in cells)
                for cell, width in zip(cells, widths, strict=True):
                    pdf.cell(width, 5.5, cell, border="B")
                pdf.ln(5.5)
            elif kind == "gap":
                pdf.ln(float(block[1]))
            elif kind == "sign":
                pdf.ln(4)
                pdf.set_font("DejaVu", "", 10.5)
                pdf.set_x(117)
                pdf.cell(0, 6, block[1], new_x="LMARGIN", new_y="NEXT")
                pdf.ln(14)
    return bytes(pdf.output())


def render_document(doc_type: str, info: object, dpi: int) -> list[Page]:
    """Render any sample document to its pages.

    Args:
        doc_type: A contract document type.
        info: An :class:`IdentityDocument` for passports and cards, else a ``texts.CertInfo``.
        dpi: Resolution of the output images.

    Returns:
        The rendered pages (two for ID and residence cards: front and back).
    """
    if isinstance(info, IdentityDocument):
        if doc_type == "passport":
            return [render_passport(info, dpi)]
        return [render_card(info, "front", dpi), render_card(info, "back", dpi)]
    blocks = compose(info)  # type: ignore[arg-type]
    look = info.look  # type: ignore[attr-defined]
    serif = doc_type in ("criminal_record", "birth_certificate", "apostille")
    font_kind = None if look.name == "classic" else look.font
    return [render_blocks(blocks, dpi, serif=serif, layout=look.layout, font_kind=font_kind)]


__all__ = [
    "Block",
    "IdentityDocument",
    "Page",
    "Person",
    "blocks_to_pdf",
    "format_date",
    "render_blocks",
    "render_card",
    "render_document",
    "render_passport",
    "viz_date",
]
