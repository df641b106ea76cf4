"""Who a document names, as printed: the holder's name, and the names and number on an identity page.

Helpers of the field-extraction stage (issue 13 point 5, issue 15 point 4). A certificate, contract,
lease or letter names its holder in a labelled field ("Surname / Nom / Naam ...", "Account holder")
or in the sentence that gives the birth date ("... examined Arjun SHARMA, born on ...", "... que
Pablo GARCÍA, né le ..."). An identity page prints captions with the value on the same line or just
below (DOCUMENTS.md B.1). Values come with their OCR confidence; nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.model import Field, Page
from pipeline.text import normalise, phrase_patterns

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_TOKEN = rf"[{_UPPER}][^\s,;:()\d/]*"
_PARTICLE = r"(?:de|da|do|dos|das|del|della|di|van|der|den|von|la|le|el|bin|ben|al|y|e)"
_NAME = rf"(?P<name>{_TOKEN}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*{_TOKEN}){{0,5}})"
_BORN = (
    r"(?i:born on|born|n[ée]\(e\) le|n[ée]e? le|geboren op|geboren am|geboren|nacid[oa](?:/a)? el|"
    r"nat[oa](?:/a)? il|nascid[oa](?:/a)? em|nacid[oa]|nat[oa]|nascid[oa])"
)
_NAME_BORN = re.compile(rf"{_NAME}[ \t]*,?\s*{_BORN}(?![\w])")

_SURNAME = (
    "name|surname|family name|last name|nom de famille|nom|naam|familienaam|familienname|nachname|apellidos|"
    "apellido|cognome|apelido(s)|apelidos|apelido"
)
_GIVEN = (
    "given names|given name|first names|first name|forenames|prenoms|prenom|voornamen|voornaam|vornamen|vorname|"
    "nombres|nombre|nome(s) proprio(s)|nomes proprios|nome"
)
_FULL = (
    "name|full name|nom et prenom|nom et prenoms|nom complet|naam en voornaam|volledige naam|vor- und nachname|"
    "nombre y apellidos|nombre completo|nome e cognome|nome completo|account holder|holder|titulaire|"
    "rekeninghouder|kontoinhaber|titular|intestatario|tenant|preneur|huurder|mieter|arrendatario|inquilino|"
    "employee|travailleur|werknemer|arbeitnehmer|trabajador|lavoratore|trabalhador|insured person|assure|"
    "verzekerde|versicherte person|asegurado|assicurato|segurado|student|etudiant|etudiante|studiejaar"
)


def _label_re(phrases: str) -> re.Pattern[str]:
    body = "|".join(p.replace(r"\(", r"\(?").replace(r"\)", r"\)?") for p in phrase_patterns(phrases))
    # A caption at the start of a line, possibly bilingual ("Surname / Nom"), then ":" or spaces.
    return re.compile(rf"(?m)(?<!\S)(?:{body})(?:[ \t]*/[ \t]*[^\n:/]{{1,30}}?)?[ \t]*(?::|[ \t]|$)")


_SURNAME_RE, _GIVEN_RE, _FULL_RE = _label_re(_SURNAME), _label_re(_GIVEN), _label_re(_FULL)


def _source(page: Page) -> str:
    return "text" if page.has_text_layer else "ocr"


def _confidence(page: Page, raw: str, base: float) -> float:
    """``base`` scaled by the OCR confidence of the words of ``raw`` (text layers are exact)."""
    if page.has_text_layer:
        return base
    parts = raw.split()
    scores = [w.confidence for w in page.words if w.text in parts]
    quality = sum(scores) / len(scores) if scores else (page.text_confidence or 0.7)
    return round(base * (0.7 + 0.3 * max(0.0, min(1.0, quality))), 3)


def _field(page: Page, value: str, base: float, basis: str) -> Field:
    confidence = _confidence(page, value, base)
    return Field(value=value, confidence=confidence, source=_source(page), page=page.number, raw=value, basis=basis)


_CAPTION_WORD = re.compile(
    r"(?<![a-z])(?:given|surname|name|nom|prenoms?|naam|voornamen|vornamen|nombres?|apellidos|cognome|nome|"
    r"date|datum|fecha|data|birth|naissance|geboorte|geburt|nacimiento|nascita|nascimento|place|lieu|plaats|ort|"
    r"nationality|nationalite|nationaliteit|sex|sexe|geslacht|geschlecht|sexo|sesso)(?![a-z])"
)
_NAME_TOKEN = re.compile(rf"{_TOKEN}|{_PARTICLE}")


def _after(text: str, label: re.Match[str]) -> str | None:
    """The value after a caption: on its line (up to a column gap or the next caption), else on the next line."""
    rest = text[label.end() :]
    line = rest.split("\n", 1)[0]
    if not line.strip():
        lines = [ln for ln in rest.split("\n")[1:3] if ln.strip()]
        line = lines[0] if lines else ""
    line = re.split(r"\s{3,}|\t", line.strip())[0]
    cut = _CAPTION_WORD.search(normalise(line))
    if cut:
        line = line[: cut.start()]
    words = []
    for word in line.replace(",", " ").split():
        if not _NAME_TOKEN.fullmatch(word):
            break
        words.append(word)
    while words and not re.match(_TOKEN, words[-1]):
        words.pop()  # a trailing particle belongs to nothing
    return " ".join(words) or None


def _labelled(text: str, pattern: re.Pattern[str]) -> str | None:
    for label in pattern.finditer(normalise(text)):
        value = _after(text, label)
        if value:
            return value
    return None


def holder_name(pages: Sequence[Page]) -> Field | None:
    """The name of the person a certificate, contract or letter is about.

    Labelled surname and given names first (``Nom  SHARMA`` / ``Prénoms  Arjun``), then a labelled
    full name (``Account holder: ...``), then the name before "born on / né le / geboren ...".

    >>> text = "Le soussigné certifie que Pablo GARCÍA LÓPEZ, né le 2 avril 1990"
    >>> page = Page("c.pdf", "0", 1, text_layer="x", text=text)
    >>> holder_name([page]).value
    'Pablo GARCÍA LÓPEZ'
    >>> page = Page("c.pdf", "0", 1, text_layer="x", text="Nom   SHARMA\\nPrénoms   Arjun\\nDate de naissance 1/2/1990")
    >>> holder_name([page]).value
    'SHARMA Arjun'
    """
    for page in pages:
        text = page.text or page.text_layer
        surname, given = _labelled(text, _SURNAME_RE), _labelled(text, _GIVEN_RE)
        if surname and given:
            return _field(page, f"{surname} {given}", 0.9, "holder:captions")
        full = _labelled(text, _FULL_RE)
        if full and len(full.split()) >= 2:
            return _field(page, full, 0.85, "holder:full-name")
        found = _NAME_BORN.search(text)
        if found and len(found["name"].split()) >= 2:
            return _field(page, found["name"], 0.85, "holder:born")
    return None


def identity_names(pages: Sequence[Page]) -> dict[str, Field]:
    """``surname_viz`` and ``given_names_viz`` printed on an identity page, when both captions are read."""
    for page in pages:
        text = page.text or page.text_layer
        surname, given = _labelled(text, _SURNAME_RE), _labelled(text, _GIVEN_RE)
        if surname and given:
            return {
                "surname_viz": _field(page, surname, 0.85, "viz:captions"),
                "given_names_viz": _field(page, given, 0.85, "viz:captions"),
            }
    return {}


def _plain_number(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def printed_number(pages: Sequence[Page], mrz_number: str) -> Field | None:
    """The document number as printed, when the page shows the MRZ's number (spaces and OCR O/0 aside).

    Only an agreeing print is reported: a number that differs cannot be told from a misread without
    the printed field's position, so it is left to the MRZ's check digit.
    """
    wanted = _plain_number(mrz_number)
    if len(wanted) < 6:
        return None
    swap = str.maketrans("O", "0")
    for page in pages:
        text = page.text or page.text_layer
        for line in text.splitlines():
            plain = _plain_number(line)
            if wanted in plain or wanted.translate(swap) in plain.translate(swap):
                return _field(page, mrz_number, 0.9, "viz:equals-mrz")
    return None
