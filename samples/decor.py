"""Page decorations that stress a capture gate: coloured stamps, seals, logos, letterheads, signatures.

Real letters are not black text on white: an employer's contract carries a coloured letterhead and
logo, a bank statement a blue round stamp, a town hall certificate an embossed seal and a signature
in blue ink. None of that is a reflection, a phone photo or a cut-off page, and a capture check must
not take it for one. Every function draws on a PIL image in place (or returns a new page) and is a
pure function of its ``numpy.random.Generator``; the document-layout code can use them too.

Also here: objects that are not dossier documents but reach a scanner the same way (a till receipt,
a half sheet), to check that a gate judges how an image was made, not what it shows.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from samples.render import A4_MM, Page, font, mm, pt_font

INKS = {
    "blue": (30, 60, 170),
    "green": (20, 120, 60),
    "red": (190, 30, 40),
    "violet": (100, 40, 150),
    "black": (25, 25, 35),
}
"""Stamp and pen colours (office stamp pads and ballpoints)."""
BRAND = ((0, 90, 160), (200, 40, 40), (0, 130, 90), (230, 130, 0), (90, 50, 140), (20, 20, 20))
"""Corporate colours of letterheads and logos."""
COMPANIES = ("NORDLICHT LOGISTICS", "Brasserie du Parc", "KBC Antwerpen", "Vandenberghe & Zonen", "ACME Consulting",
             "Université Libre", "Mutualité Chrétienne", "Stad Gent")  # fmt: skip
STREETS = ("Rue de la Loi 16, 1000 Bruxelles", "Kouter 7, 9000 Gent", "Meir 24, 2000 Antwerpen",
           "Avenue Louise 54, 1050 Ixelles")  # fmt: skip


def _pick(rng: np.random.Generator, items: tuple[str, ...] | list[str]) -> str:
    return str(items[int(rng.integers(len(items)))])


def _ink(rng: np.random.Generator) -> tuple[int, int, int]:
    return INKS[_pick(rng, ("blue", "green", "red", "violet"))]


def round_stamp(img: Image.Image, centre: tuple[int, int], radius: int, text: str, rng: np.random.Generator) -> None:
    """A round rubber stamp in translucent coloured ink, unevenly inked, slightly rotated.

    Args:
        img: RGB page to draw on (in place).
        centre: Centre in pixels.
        radius: Outer radius in pixels.
        text: Text around the ring.
        rng: Random generator (colour, rotation, inking).
    """
    colour = _ink(rng)
    size = 2 * radius + 8
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    c = size // 2
    d.ellipse((c - radius, c - radius, c + radius, c + radius), outline=255, width=max(2, radius // 16))
    r2 = int(radius * 0.7)
    d.ellipse((c - r2, c - r2, c + r2, c + r2), outline=255, width=max(1, radius // 28))
    f = font("sans-bold", max(8, radius // 5))
    letters = text.upper()[:28]
    for i, char in enumerate(letters):
        a = math.pi * (1.05 + 0.9 * i / max(1, len(letters) - 1))
        d.text((c + radius * 0.85 * math.cos(a), c + radius * 0.85 * math.sin(a)), char, font=f, fill=255, anchor="mm")
    d.text((c, c), "★", font=font("sans", max(8, radius // 2)), fill=255, anchor="mm")
    layer = layer.rotate(float(rng.uniform(-25, 25)), resample=Image.Resampling.BICUBIC)
    # Uneven inking: the pad leaves some parts pale.
    patchy = rng.uniform(0.45, 1.0, (8, 8)).astype(np.float32)
    patch = np.asarray(Image.fromarray((patchy * 255).astype(np.uint8)).resize((size, size), Image.Resampling.BICUBIC))
    alpha = (np.asarray(layer, np.float32) / 255 * patch / 255 * float(rng.uniform(0.55, 0.85))).clip(0, 1)
    _blend(img, (centre[0] - c, centre[1] - c), colour, alpha)


def seal(img: Image.Image, centre: tuple[int, int], radius: int, rng: np.random.Generator) -> None:
    """An official seal: a filled coloured disc with a serrated rim and a white emblem (an embossed foil seal)."""
    colour = INKS[_pick(rng, ("red", "blue", "green"))] if rng.random() < 0.7 else (200, 160, 40)
    size = 2 * radius + 4
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    c = size // 2
    teeth = 36
    pts = []
    for k in range(2 * teeth):
        r = radius if k % 2 == 0 else radius * 0.9
        a = math.pi * k / teeth
        pts.append((c + r * math.cos(a), c + r * math.sin(a)))
    d.polygon(pts, fill=255)
    d.ellipse((c - radius * 0.55, c - radius * 0.55, c + radius * 0.55, c + radius * 0.55), fill=60)
    d.text((c, c), "⚜", font=font("sans", max(8, int(radius * 0.7))), fill=255, anchor="mm")
    alpha = np.asarray(layer, np.float32) / 255 * 0.9
    _blend(img, (centre[0] - c, centre[1] - c), colour, alpha)


def logo(img: Image.Image, box: tuple[int, int, int, int], rng: np.random.Generator) -> None:
    """A company logo: a coloured geometric mark (filled) and a short word beside it."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    colour = BRAND[int(rng.integers(len(BRAND)))]
    d = ImageDraw.Draw(img)
    shape = int(rng.integers(3))
    if shape == 0:
        d.ellipse((x0, y0, x0 + h, y1), fill=colour)
        d.ellipse((x0 + h // 4, y0 + h // 4, x0 + 3 * h // 4, y1 - h // 4), fill="white")
    elif shape == 1:
        d.polygon([(x0, y1), (x0 + h // 2, y0), (x0 + h, y1)], fill=colour)
    else:
        d.rectangle((x0, y0, x0 + h, y1), fill=colour)
        d.rectangle((x0 + h // 3, y0 + h // 3, x0 + h, y1), fill=BRAND[(int(rng.integers(len(BRAND))))])
    word = _pick(rng, COMPANIES).split()[0]
    d.text((x0 + h + h // 3, y0 + h // 2), word, font=font("sans-bold", max(8, int(h * 0.6))), fill=colour, anchor="lm")


def letterhead(img: Image.Image, dpi: int, rng: np.random.Generator) -> int:
    """A coloured letterhead across the top of a page (band, logo, company name and address).

    Returns:
        The height in pixels it takes (draw the letter's text below it).
    """
    w = img.width
    colour = BRAND[int(rng.integers(len(BRAND)))]
    d = ImageDraw.Draw(img)
    top = mm(10, dpi)
    band = mm(float(rng.uniform(2, 6)), dpi)
    if rng.random() < 0.5:
        d.rectangle((0, 0, w, band), fill=colour)
    logo(img, (mm(20, dpi), top, mm(20, dpi) + mm(40, dpi), top + mm(12, dpi)), rng)
    d = ImageDraw.Draw(img)
    d.text((w - mm(20, dpi), top), _pick(rng, COMPANIES), font=pt_font("sans-bold", 11, dpi), fill=colour, anchor="ra")
    d.text((w - mm(20, dpi), top + mm(6, dpi)), _pick(rng, STREETS), font=pt_font("sans", 8, dpi), fill=(90, 90, 90),
           anchor="ra")  # fmt: skip
    rule_y = top + mm(16, dpi)
    d.line((mm(20, dpi), rule_y, w - mm(20, dpi), rule_y), fill=colour, width=max(1, mm(0.5, dpi)))
    return rule_y + mm(4, dpi)


def signature(img: Image.Image, box: tuple[int, int, int, int], rng: np.random.Generator, ink: str = "") -> None:
    """A handwritten signature: a few overlapping pen loops in blue or black ballpoint."""
    x0, y0, x1, y1 = box
    colour = INKS[ink] if ink else INKS[_pick(rng, ("blue", "black", "blue"))]
    d = ImageDraw.Draw(img)
    w, h = x1 - x0, y1 - y0
    width = max(2, w // 110)
    for stroke in range(int(rng.integers(1, 3)) + 1):
        phase = float(rng.uniform(0, 6))
        freq = float(rng.uniform(8, 16))
        pts = []
        for i in range(90):
            t = i / 89
            yy = 0.5 + 0.35 * math.sin(t * freq + phase) * math.exp(-1.5 * t) + 0.1 * math.sin(t * 37 + phase)
            pts.append((x0 + t * w * (0.7 + 0.3 * stroke / 3), y0 + yy * h))
        d.line(pts, fill=colour, width=width, joint="curve")
    d.line((x0 + w * 0.1, y1 - h * 0.1, x0 + w * 0.9, y1 - h * 0.2), fill=colour, width=width)


def _blend(img: Image.Image, origin: tuple[int, int], colour: tuple[int, int, int], alpha: np.ndarray) -> None:
    """Multiply ``colour`` into ``img`` with per-pixel ``alpha`` (ink on paper darkens, never lightens)."""
    ox, oy = origin
    h, w = alpha.shape
    x0, y0 = max(0, ox), max(0, oy)
    x1, y1 = min(img.width, ox + w), min(img.height, oy + h)
    if x1 <= x0 or y1 <= y0:
        return
    a = alpha[y0 - oy : y1 - oy, x0 - ox : x1 - ox, None]
    region = np.asarray(img.crop((x0, y0, x1, y1)).convert("RGB"), np.float32)
    tint = region * (np.array(colour, np.float32) / 255)
    out = region * (1 - a) + tint * a
    img.paste(Image.fromarray(out.clip(0, 255).astype(np.uint8), "RGB"), (x0, y0))


def decorate_letter(page: Page, rng: np.random.Generator) -> Page:
    """A letter page with what offices add to it: a logo or letterhead, coloured stamps, a seal, signatures.

    Drawn into the page's margins and lower part, over or beside the text the way stamps land on
    real letters. The page keeps its size and document box.
    """
    img = page.image.copy()
    dpi = page.dpi
    w, h = img.size
    if rng.random() < 0.6:
        logo(img, (w - mm(55, dpi), mm(6, dpi), w - mm(15, dpi), mm(16, dpi)), rng)
    for _ in range(int(rng.integers(1, 3))):
        r = mm(float(rng.uniform(12, 20)), dpi)
        cx = int(rng.integers(mm(35, dpi), w - mm(35, dpi)))
        cy = int(rng.integers(h // 2, h - mm(30, dpi)))
        round_stamp(img, (cx, cy), r, _pick(rng, COMPANIES), rng)
    if rng.random() < 0.4:
        seal(img, (mm(40, dpi), h - mm(40, dpi)), mm(float(rng.uniform(10, 16)), dpi), rng)
    sx = int(rng.integers(mm(100, dpi), w - mm(70, dpi)))
    sy = int(rng.integers(int(h * 0.6), h - mm(30, dpi)))
    signature(img, (sx, sy, sx + mm(55, dpi), sy + mm(18, dpi)), rng)
    return Page(img, dpi, page.doc_box, page.doc_size_mm, page.mrz_box, page.object_box)


def letter_with_letterhead(blocks_page: Page, rng: np.random.Generator) -> Page:
    """Shift a rendered letter down and put a coloured letterhead above it (the letter's own text kept)."""
    dpi = blocks_page.dpi
    img = Image.new("RGB", blocks_page.image.size, "white")
    top = letterhead(img, dpi, rng)
    body = blocks_page.image.crop((0, mm(12, dpi), img.width, img.height - top + mm(12, dpi)))
    img.paste(body, (0, top))
    return decorate_letter(Page(img, dpi, blocks_page.doc_box, blocks_page.doc_size_mm), rng)


def receipt(rng: np.random.Generator, dpi: int) -> Page:
    """A till receipt: a narrow strip (57-80 mm wide) of monospaced lines, dashed rules and a total.

    Thermal paper is slightly grey and the print pale; a receipt is not a dossier document, but a
    scanner or phone makes its image the same way (the real benchmark has many).
    """
    width_mm = float(rng.choice([57.0, 72.0, 80.0]))
    lines = int(rng.integers(14, 34))
    f = pt_font("mono", float(rng.uniform(7.5, 9.5)), dpi)
    pitch = round(f.size * 1.35)
    w = mm(width_mm, dpi)
    h = mm(12, dpi) * 2 + pitch * (lines + 6)
    paper = int(rng.integers(232, 250))
    img = Image.new("RGB", (w, h), (paper, paper, paper - 3))
    d = ImageDraw.Draw(img)
    ink = int(rng.integers(20, 90))
    chars = max(10, int(w / f.getlength("M")) - 2)
    y = mm(10, dpi)
    shop = _pick(rng, COMPANIES)[:chars]
    d.text((w // 2, y), shop, font=f, fill=(ink, ink, ink), anchor="ma")
    y += 2 * pitch
    total = 0.0
    for i in range(lines):
        if i % 7 == 6:
            d.text((mm(3, dpi), y), "-" * chars, font=f, fill=(ink, ink, ink))
        else:
            price = float(rng.integers(50, 4000)) / 100
            total += price
            item = _pick(rng, ["BREAD", "MILK 1L", "COFFEE", "SOAP", "APPLES KG", "BATTERY AA", "PAPER A4"])
            d.text((mm(3, dpi), y), f"{item:<{chars - 9}}{price:>8.2f}"[:chars], font=f, fill=(ink, ink, ink))
        y += pitch
    d.text((mm(3, dpi), y + pitch), f"{'TOTAL EUR':<{chars - 9}}{total:>8.2f}"[:chars], font=f, fill=(ink, ink, ink))
    return Page(img.filter(ImageFilter.GaussianBlur(0.3)), dpi, (0, 0, w, h), (width_mm, h / dpi * 25.4))


def on_glass(obj: Page, rng: np.random.Generator, sheet_mm: tuple[float, float] = A4_MM) -> Page:
    """Lay a small object (a receipt, a half sheet, a card) on the glass of an A4 flatbed, lid closed.

    The scanner sees the whole glass: the object somewhere near the corner the user aligned it with,
    and the white underside of the lid around it.
    """
    dpi = obj.dpi
    glass = Image.new("RGB", (mm(sheet_mm[0], dpi), mm(sheet_mm[1], dpi)), (247, 247, 244))
    ox = int(rng.integers(mm(2, dpi), max(mm(3, dpi), glass.width - obj.image.width - mm(2, dpi))))
    oy = int(rng.integers(mm(2, dpi), max(mm(3, dpi), min(mm(40, dpi), glass.height - obj.image.height))))
    glass.paste(obj.image, (ox, oy))
    x0, y0, x1, y1 = obj.doc_box
    box = (x0 + ox, y0 + oy, x1 + ox, y1 + oy)
    mrz = None
    if obj.mrz_box:
        m0, m1, m2, m3 = obj.mrz_box
        mrz = (m0 + ox, m1 + oy, m2 + ox, m3 + oy)
    return Page(glass, dpi, box, obj.doc_size_mm, mrz, box)


def half_sheet(page: Page) -> Page:
    """The top half of an A4 page, torn or cut off along its middle (an A5 slip: 210 x 148.5 mm)."""
    img = page.image.crop((0, 0, page.image.width, page.image.height // 2))
    return Page(img, page.dpi, (0, 0, img.width, img.height), (A4_MM[0], A4_MM[1] / 2))
