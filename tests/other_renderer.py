"""A second, independent renderer for end-to-end checks: none of ``samples``' code, fonts or wording.

``samples`` is what the thresholds and cues were tuned on; this module draws a dossier its own way
(Liberation and FreeFont faces, a card-style passport on an A4 scan, a ruled table, a two-column
contract, a monospaced lease, a greyscale bank statement with a ruled ledger, round stamps, English
deed wording) so that a test can show the judgments hold on layouts the generator never made.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_FILES = {
    "serif": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "sans": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "sans-bold": "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    "mono": "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",
    "free-sans": "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "free-serif": "/usr/share/fonts/truetype/freefont/FreeSerif.ttf",
}
DPI = 200
WIDTH, HEIGHT = round(8.27 * DPI), round(11.69 * DPI)
PAPER = (252, 252, 250)


def fonts_available() -> bool:
    """True when the faces this renderer draws with are installed (Debian fonts-liberation2, fonts-freefont-ttf)."""
    return all(Path(path).exists() for path in FONT_FILES.values()) and bool(_ocrb_file())


def _ocrb_file() -> str:
    found = subprocess.run(["fc-match", "-f", "%{file}", "OCR B"], capture_output=True, text=True, check=False)
    return found.stdout if "ocr" in found.stdout.lower() else ""


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_ocrb_file() if name == "ocrb" else FONT_FILES[name], size)


def _mm(value: float) -> int:
    return round(value / 25.4 * DPI)


def _check_digit(text: str) -> str:
    total = 0
    for i, char in enumerate(text):
        value = int(char) if char.isdigit() else 0 if char == "<" else ord(char) - 55
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def _stamp(image: Image.Image, centre: tuple[int, int], radius: int, colour: tuple[int, int, int], text: str) -> None:
    draw, (cx, cy) = ImageDraw.Draw(image), centre
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=colour, width=6)
    draw.ellipse([cx - radius + 18, cy - radius + 18, cx + radius - 18, cy + radius - 18], outline=colour, width=3)
    face = _font("sans-bold", 26)
    for i, char in enumerate(text):
        angle = -math.pi + i * 2 * math.pi / len(text)
        x, y = cx + (radius - 40) * math.cos(angle), cy + (radius - 40) * math.sin(angle)
        draw.text((x - 8, y - 12), char, fill=colour, font=face)


def _signature(image: Image.Image, x: int, y: int, seed: int) -> None:
    rnd = random.Random(seed)
    points = [(x + i * 6, y + int(25 * math.sin(i / 3.0)) + rnd.randint(-8, 8)) for i in range(50)]
    ImageDraw.Draw(image).line(points, fill=(20, 30, 120), width=4)


def _lines(draw: ImageDraw.ImageDraw, x: int, y: int, lines: list[str], face: ImageFont.FreeTypeFont) -> int:
    for line in lines:
        draw.text((x, y), line, fill=(15, 15, 15), font=face)
        y += int(face.size * 1.45)
    return y


def _scan(image: Image.Image, path: Path, seed: int, dpi: int = DPI) -> None:
    """A flatbed scan: a slight skew, optical softness, dust, JPEG."""
    rnd = random.Random(seed)
    image = image.rotate(0.4, resample=Image.Resampling.BICUBIC, fillcolor=PAPER).filter(ImageFilter.GaussianBlur(0.6))
    pixels = image.load()
    assert pixels is not None
    for _ in range(4000):
        v = rnd.randint(200, 240)
        pixels[rnd.randrange(image.width), rnd.randrange(image.height)] = (v, v, v)
    image.save(path, quality=85, dpi=(dpi, dpi))


def passport(
    path: Path, *, number: str, surname: str, given: str, birth: dt.date, expiry: dt.date, issue: dt.date
) -> None:
    """A Kenyan-style data page, field captions in two columns, scanned on A4 at 300 dpi."""
    dpi = 300
    sheet = Image.new("RGB", (round(8.27 * dpi), round(11.69 * dpi)), (250, 250, 248))
    width, height = round(125 / 25.4 * dpi), round(88 / 25.4 * dpi)
    card = Image.new("RGB", (width, height), (226, 236, 222))
    draw = ImageDraw.Draw(card)
    for x in range(0, width, 14):
        draw.line([(x, 0), (x + 200, height)], fill=(214, 228, 212), width=2)
    draw.rectangle([60, 180, 440, 660], fill=(170, 165, 160))
    draw.ellipse([150, 250, 350, 470], fill=(120, 110, 100))
    draw.text((60, 40), "REPUBLIC OF KENYA  /  PASSPORT", font=_font("sans-bold", 48), fill=(30, 60, 40))
    rows = [
        ("Type", "P"), ("Code", "KEN"), ("Passport No.", number), ("Surname", surname), ("Given names", given),
        ("Nationality", "KENYAN"), ("Date of birth", birth.strftime("%d %b %Y").upper()), ("Sex", "F"),
        ("Date of issue", issue.strftime("%d %b %Y").upper()), ("Date of expiry", expiry.strftime("%d %b %Y").upper()),
    ]  # fmt: skip
    for i, (caption, value) in enumerate(rows):
        x, y = (500 if i < 5 else 1000), 170 + (i % 5) * 100
        draw.text((x, y), caption, font=_font("sans", 30), fill=(60, 60, 60))
        draw.text((x, y + 34), value, font=_font("sans-bold", 40), fill=(10, 10, 10))
    line1 = f"P<KEN{surname}<<{given.replace(' ', '<')}".ljust(44, "<")
    num, born, ends, optional = number.ljust(9, "<"), birth.strftime("%y%m%d"), expiry.strftime("%y%m%d"), "<" * 14
    body = num + _check_digit(num) + "KEN" + born + _check_digit(born) + "F" + ends + _check_digit(ends)
    body += optional + _check_digit(optional)
    composite = num + _check_digit(num) + born + _check_digit(born) + ends + _check_digit(ends) + optional
    line2 = body + _check_digit(composite + _check_digit(optional))
    size = 60
    while draw.textlength(line2, font=_font("ocrb", size)) > width - 100:
        size -= 1
    draw.text((50, height - 230), line1, font=_font("ocrb", size), fill=(0, 0, 0))
    draw.text((50, height - 130), line2, font=_font("ocrb", size), fill=(0, 0, 0))
    sheet.paste(card, (150, 150))
    sheet.filter(ImageFilter.GaussianBlur(0.7)).save(path, quality=88, dpi=(dpi, dpi))


def letter(
    path: Path,
    seed: int,
    title: str,
    body: list[str],
    face: str,
    *,
    header: list[str] | None = None,
    table: list[tuple[str, str]] | None = None,
    columns: bool = False,
    stamp: tuple[int, int, int] | None = None,
) -> None:
    """A one-page A4 letter: optional letterhead and rule, a centred title, a ruled table, one or two columns."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    text_face, y = _font(face, 34), _mm(20)
    if header:
        y = _lines(draw, _mm(20), y, header, _font(face, 30)) + 20
        draw.line([(_mm(20), y), (WIDTH - _mm(20), y)], fill=(40, 40, 90), width=3)
        y += 40
    title_face = _font(face, 54)
    draw.text(((WIDTH - draw.textlength(title, font=title_face)) / 2, y), title, font=title_face, fill=(0, 0, 0))
    y += 120
    for caption, value in table or []:
        left, right = _mm(22), WIDTH - _mm(22)
        draw.rectangle([left, y, right, y + 70], outline=(0, 0, 0), width=2)
        draw.line([(left + _mm(60), y), (left + _mm(60), y + 70)], fill=(0, 0, 0), width=2)
        draw.text((left + 12, y + 16), caption, font=text_face, fill=(0, 0, 0))
        draw.text((left + _mm(60) + 12, y + 16), value, font=text_face, fill=(0, 0, 0))
        y += 70
    if columns:
        half = len(body) // 2
        _lines(draw, _mm(20), y, body[:half], _font(face, 30))
        y = _lines(draw, WIDTH // 2 + _mm(5), y, body[half:], _font(face, 30))
    else:
        y = _lines(draw, _mm(20), y + (60 if table else 0), body, text_face)
    if stamp:
        _stamp(image, (WIDTH - _mm(55), y + 140), 150, stamp, "OFFICIAL SEAL * ")
    _signature(image, _mm(30), y + 150, seed)
    _scan(image, path, seed)


def bank_statement(path: Path, seed: int) -> None:
    """A Dutch statement with a ruled ledger of 18 rows, scanned in grey."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    face = _font("sans", 30)
    y = _lines(draw, _mm(20), _mm(20), ["KBC Bank NV", "Havenlaan 2, 1080 Brussel"], face) + 40
    draw.text((_mm(20), y), "Rekeningafschrift nr. 11/2026", font=_font("sans-bold", 46), fill=(0, 0, 0))
    y = _lines(draw, _mm(20), y + 90, ["Rekeninghouder: G. W. Otieno", "IBAN BE68 5390 0754 7034"], face) + 40
    left, right = _mm(20), WIDTH - _mm(20)
    cells = [left, left + _mm(35), left + _mm(120), right]
    draw.rectangle([left, y, right, y + 60], fill=(220, 220, 220), outline=(0, 0, 0), width=2)
    for x, caption in zip(cells, ["Datum", "Omschrijving", "Bedrag (EUR)"], strict=False):
        draw.text((x + 10, y + 14), caption, font=face, fill=(0, 0, 0))
    y += 60
    rnd, balance = random.Random(seed), 8200
    for day in range(2, 20):
        amount = rnd.choice([-1, -1, 1]) * rnd.randint(20, 900)
        balance += amount
        draw.rectangle([left, y, right, y + 56], outline=(0, 0, 0), width=2)
        for x in cells[1:-1]:
            draw.line([(x, y), (x, y + 56)], fill=(0, 0, 0), width=2)
        what = rnd.choice(["Overschrijving", "Kaartbetaling", "Loon", "Huur"])
        for x, text in zip(cells, [f"{day:02d}/10/2026", what, f"{amount:+d},00"], strict=False):
            draw.text((x + 10, y + 12), text, font=face, fill=(0, 0, 0))
        y += 56
    y = _lines(draw, _mm(20), y + 40, [f"Nieuw saldo: {balance} EUR", "", "Brussel, 2 november 2026"], face)
    _stamp(image, (WIDTH - _mm(55), y + 120), 140, (0, 70, 140), "KBC BANK * ")
    _scan(image.convert("L").convert("RGB"), path, seed)


def single_permit_dossier(folder: Path) -> None:
    """A complete single-permit dossier of a Kenyan applicant (7 scans; file names say nothing)."""
    folder.mkdir(parents=True, exist_ok=True)
    passport(folder / "scan1.jpg", number="AK0412345", surname="OTIENO", given="GRACE WANJIRU",
             birth=dt.date(1991, 7, 14), expiry=dt.date(2033, 5, 2), issue=dt.date(2023, 5, 3))  # fmt: skip
    letter(
        folder / "scan2.jpg", 2, "POLICE CLEARANCE CERTIFICATE",
        ["This is to certify that the person described above has been checked against",
         "the national criminal records and that no adverse record was found.", "",
         "Given under my hand and seal this 2nd day of October, 2026", "", "Director, Criminal Records Office"],
        "serif", header=["REPUBLIC OF KENYA", "DIRECTORATE OF CRIMINAL INVESTIGATIONS"], stamp=(30, 60, 170),
        table=[("Name", "GRACE WANJIRU OTIENO"), ("Date of birth", "14/07/1991"), ("Passport No.", "AK0412345")],
    )  # fmt: skip
    letter(
        folder / "scan3.jpg", 3, "APOSTILLE",
        ["(Convention de La Haye du 5 octobre 1961)", "", "1. Country: Kenya", "   This public document",
         "2. has been signed by J. Mwangi", "3. acting in the capacity of Director",
         "4. bears the seal/stamp of the Directorate of Criminal Investigations", "", "Certified",
         "5. at Nairobi", "6. the 6 October 2026", "7. by the Ministry of Foreign Affairs", "8. No. KE-2026-11873",
         "9. Seal/stamp", "10. Signature"],
        "sans", stamp=(160, 30, 30),
    )  # fmt: skip
    letter(
        folder / "scan4.jpg", 4, "Certificat de bonne santé",
        ["Le médecin soussigné, Dr. Amina Hassan, docteur en médecine,",
         "certifie avoir examiné Mme Grace Wanjiru OTIENO, née le 14 juillet 1991,",
         "et atteste qu'elle n'est atteinte d'aucune des maladies pouvant mettre",
         "en danger la santé publique énumérées à l'annexe de la loi du 15 décembre 1980.", "",
         "Fait à Nairobi, le 1er octobre 2026"],
        "free-sans", stamp=(20, 120, 60),
    )  # fmt: skip
    letter(
        folder / "scan5.jpg", 5, "EMPLOYMENT AGREEMENT",
        ["Between Techno Solutions BV, Antwerp", "(the employer) and Ms Grace Otieno", "(the employee).",
         "Job title: Data engineer", "Gross annual salary: EUR 62.000", "Contract of indefinite duration.",
         "Effective date: 1 December 2026", "Place of work: Antwerp", "Working hours: 38 h / week",
         "Probation: none", "Signed on 15 September 2026", "at Antwerp, in two originals."],
        "free-serif", columns=True,
    )  # fmt: skip
    letter(
        folder / "scan6.jpg", 6, "CONTRAT DE LOCATION",
        ["Entre M. Jan Peeters (le bailleur)", "et Mme Grace Otieno (le preneur),", "il est convenu ce qui suit :",
         "Bien loué : appartement, Meir 12 bte 3, 2000 Anvers", "Loyer mensuel : 1.150 EUR",
         "Le bail prend cours le 1er décembre 2026", "pour une durée de 3 ans.", "",
         "Fait à Anvers, le 20 septembre 2026"],
        "mono",
    )  # fmt: skip
    letter(
        folder / "scan7.jpg", 7, "Proof of insurance",
        ["Insured person: Grace Wanjiru Otieno", "Policy number: HX-22-981123",
         "Cover: medical expenses, hospitalisation, repatriation", "Sum insured: EUR 30.000",
         "Period of cover: 01/12/2026 - 30/11/2027", "", "Issued on 25 September 2026"],
        "sans", header=["GlobalCare Insurance SA", "Avenue Louise 100, 1050 Bruxelles"],
    )  # fmt: skip
    bank_statement(folder / "scan8.jpg", 8)
