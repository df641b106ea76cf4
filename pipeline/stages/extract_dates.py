"""Field extraction: the MRZ first, then printed dates (and a few neighbours) by their labels (DOCUMENTS.md A.1, C)."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import enum
import logging
import re
from collections.abc import Iterable, Iterator, Sequence

from pipeline.calibration import calibrate
from pipeline.dates import DateKind, DateMatch, find_dates, with_kind
from pipeline.model import IDENTITY_TYPES, PUBLIC_DOCUMENT_TYPES, BBox, DocType, Document, Field, Page, PageMrz
from pipeline.mrz import FILLER
from pipeline.printed import holder_name, identity_names, printed_number
from pipeline.text import country_code, detect_language, find_country, nearest_country, normalise, phrase_patterns
from pipeline.work import DossierWork

__all__ = ["extract_date_fields", "extract_fields"]

log = logging.getLogger(__name__)


class Role(enum.Enum):
    """What a label says about the date that follows it."""

    ISSUE = "issue"
    ISSUED = "issued"
    """A bare "issued": often the issue of another document ("passport issued at ... on ...")."""
    SIGN = "sign"
    """Place and date of signature ("Fait à ... le ...")."""
    DATED = "dated"
    """A bare "Date:" caption."""
    EXPIRY = "expiry"
    BIRTH = "birth"
    RANGE = "range"
    """A validity range: the next two dates are its start and end."""
    START = "start"
    END = "end"
    APOSTILLE = "apostille"
    """Apostille field 6 ("the / le / de / am / el día"); the date must follow at once."""
    DISTRACTOR = "distractor"
    """Request dates, law dates, events: they consume their date so it is never taken for another."""


_SEP = r"[^\n]{1,40}?"
# Folded phrases ("|"-separated; "re:" starts a regular expression), by role. Sources: DOCUMENTS.md A.1, C.
_LABELS: dict[Role, str] = {
    Role.ISSUE: (
        "date of issue|issue date|issued on|date issued|date of issuance|date de delivrance|delivre le|"
        "delivree le|date d'emission|emis le|emise le|datum van afgifte|afgiftedatum|afgegeven op|uitgereikt op|"
        "datum afgifte|ausstellungsdatum|ausgestellt am|fecha de expedicion|fecha de emision|expedido el|"
        "expedida el|emitido el|data di rilascio|issuance date|date of delivery|uitgiftedatum|datum van uitgifte|"
        "datum uitgifte|datum van uitreiking|ausstellungstag|date d'etablissement|etabli le|etablie le|"
        "rilasciato il|rilasciata il|data de emissao|emitido em|emitida em|"
        f"re:delivre(?:e)? a {_SEP} le|re:ausgestellt in {_SEP} am|re:rilasciat[oa] a {_SEP} il"
    ),
    Role.ISSUED: "issued|issued by",
    Role.SIGN: (
        f"re:fa[il1]t a\\.? {_SEP},? l[ec]|fait le|re:done at {_SEP},? [o0]n|re:signed at {_SEP},? on|signed on|"
        # "Issued at <city> on <date>" opening a line; mid-sentence it often names another document.
        f"re:(?<![^\\n])[ \\t]*issued at {_SEP},? [o0]n|"
        f"re:gedaan te {_SEP},? op|re:opgemaakt te {_SEP},? op|re:ondertekend te {_SEP},? op|ort, datum|ort und datum|"
        f"re:(?:dado|expedido|firmado|hecho) en {_SEP},? (?:a|el)|re:fatto a {_SEP},? (?:il|li|addi)|"
        f"re:(?:emitido|feito|passado) em {_SEP},? (?:em|a|aos)|lieu et date|plaats en datum|"
        # Closing lines without a place (issue 13: "Done on 29 November 2026", "Gedaan op 3 september 2026").
        "re:(?<![^\\n])[ \\t]*(?:done|signed|executed) on|re:(?<![^\\n])[ \\t]*(?:fait|signe|etabli) le|"
        "re:(?<![^\\n])[ \\t]*(?:gedaan|opgemaakt|ondertekend|getekend) op|"
        "re:(?<![^\\n])[ \\t]*(?:unterschrieben|unterzeichnet|erstellt) am|"
        "re:(?<![^\\n])[ \\t]*(?:firmado|hecho|dado|expedido) el|re:(?<![^\\n])[ \\t]*(?:fatto|firmato) il|"
        "re:(?<![^\\n])[ \\t]*(?:feito|assinado) em|"
        # English deeds: "Given under my hand and seal this 3rd day of March, 2027", "Dated this ...".
        f"re:(?:given|dated|signed|sworn|done)(?: under my hand(?: and (?:the )?seal)?)?,?(?: at {_SEP},?)? this"
    ),
    Role.DATED: r"re:(?:date|datum|fecha|data)\s*:",
    Role.EXPIRY: (
        "date of expiry|expiry date|expiration date|date of expiration|expires on|expires|valid until|valid thru|"
        "valid till|valid through|gultig bis zum|geldig t/m|"
        "date d'expiration|expire le|valable jusqu'au|valable jusqu'a|date de fin de validite|vervaldatum|"
        "geldig tot en met|geldig tot|vervalt op|gultig bis|ablaufdatum|lauft ab am|valido hasta|"
        "fecha de caducidad|fecha de vencimiento|data di scadenza|scadenza|valido fino al|valida fino al|"
        "valido ate|valida ate|data de validade"
    ),
    Role.BIRTH: (
        "date of birth|born on|birth date|date de naissance|ne le|nee le|ne(e) le|geboortedatum|geboren op|"
        "geburtsdatum|geboren am|fecha de nacimiento|nacido el|nacida el|data di nascita|nato il|nata il|"
        "data de nascimento|nascido em|nascida em"
    ),
    Role.RANGE: (
        "valid from|period of cover|period of insurance|insurance period|coverage period|valable du|"
        "periode de validite|periode de couverture|periode d'assurance|geldig van|geldigheidsduur|dekkingsperiode|"
        "verzekeringsperiode|gultig vom|gultigkeitsdauer|versicherungszeitraum|valido desde|periodo de cobertura|"
        "periodo di copertura|valido dal|periodo de validade|periodo de cobertura"
    ),
    Role.START: (
        "start date|commencement date|date of commencement|commencing on|commences on|starting on|effective from|"
        "effective date|date d'effet|ingangsdatum|startdatum|datum van indiensttreding|"
        "date de debut|prend cours le|prendra cours le|date d'entree en service|entree en service le|"
        "entree en service|aanvangsdatum|ingaande op|datum indiensttreding|neemt een aanvang op|in dienst op|"
        "beginn des arbeitsverhaltnisses|eintrittsdatum|mietbeginn|beginnt am|fecha de inicio|fecha de comienzo|"
        "data di inizio|data de inicio|starts on|start on|will start on|begins on|gaat in op|begint op|"
        "debute le|debutera le|inizia il|comienza el|inicia em"
    ),
    Role.END: "end date|ends on|date de fin|prend fin le|einddatum|eindigt op|enddatum|endet am",
    Role.APOSTILLE: (
        r"re:(?:(?<=\s)[67]\s*[.\x29]\s*)?(?:the|le|de|am|el dia|el|il giorno|il|no dia|em|op|den)"
        r"(?:\s*/\s*(?:the|le|de|am|el dia|el|il giorno|il|no dia|em|op|den))*\s*:?"
    ),
    Role.DISTRACTOR: (
        "demande du|date de la demande|date de demande|date of request|date of application|application date|"
        "requested on|request date|aanvraag van|datum aanvraag|datum van aanvraag|aangevraagd op|antragsdatum|"
        "beantragt am|antrag vom|fecha de solicitud|data della richiesta|data do pedido|data da solicitacao|"
        "loi du|law of|wet van|gesetz vom|ley de|legge del|lei de|arrete royal du|koninklijk besluit van|"
        "royal decree of|decret du|decreet van|verordnung vom|convention de la haye du|hague convention of|"
        "convention of|verdrag van|ubereinkommen vom|convencion de la haya de|convenio de la haya de|"
        "convenzione dell'aja del|convencao da haia de|date of marriage|date du mariage|datum van het huwelijk|"
        "tag der eheschliessung|fecha del matrimonio|printed on|imprime le|"
        "date of entry|date d'entree|entry date|date of registration|"
        "registration date|date de l'acte|datum van de akte|beurkundet am|fecha de inscripcion|data dell'atto|"
        "data do registo|data do registro|date of death|date du deces"
    ),
}
_ADJACENT_ONLY = frozenset({Role.APOSTILLE})
_ADJACENT = re.compile(r"[\s:.,\-/|()]{0,6}")
_MAX_GAP_CHARS, _MAX_GAP_LINES = 200, 3

_ROLE_CONFIDENCE = {
    Role.ISSUE: 0.92,
    Role.ISSUED: 0.75,
    Role.SIGN: 0.9,
    Role.APOSTILLE: 0.93,
    Role.EXPIRY: 0.92,
    Role.BIRTH: 0.92,
    Role.RANGE: 0.9,
    Role.START: 0.9,
    Role.END: 0.9,
    Role.DATED: 0.75,
}
_LETTERHEAD_CONFIDENCE = 0.8
_MAX_AGE_YEARS = 10
"""Unlabelled dates older than this are not taken for the issue date of a certificate or letter."""
_KIND = {
    "issue_date": DateKind.ISSUE,
    "source_issue_date": DateKind.ISSUE,
    "birth_date": DateKind.BIRTH,
    "expiry_date": DateKind.EXPIRY,
}

_LETTER_TYPES = frozenset(
    {
        DocType.CRIMINAL_RECORD,
        DocType.MEDICAL_CERTIFICATE,
        DocType.BANK_STATEMENT,
        DocType.ENROLLMENT_LETTER,
        DocType.BIRTH_CERTIFICATE,
        DocType.MARRIAGE_CERTIFICATE,
        DocType.EMPLOYMENT_CONTRACT,
        DocType.LEASE_AGREEMENT,
        DocType.HEALTH_INSURANCE,
    }
)
_Target = tuple[str | None, ...]
"""Field names a role feeds: one name, or two for a range (start, end)."""
_ISSUE_FIELDS: dict[Role, _Target] = {
    Role.ISSUE: ("issue_date",),
    Role.ISSUED: ("issue_date",),
    Role.SIGN: ("issue_date",),
    Role.DATED: ("issue_date",),
    Role.BIRTH: ("birth_date",),
}
_FIELD_MAP: dict[DocType, dict[Role, _Target]] = {
    **{
        t: {
            Role.ISSUE: ("issue_date",),
            Role.ISSUED: ("issue_date",),
            Role.EXPIRY: ("expiry_date",),
            Role.BIRTH: ("birth_date",),
            # "Geldig van ... tot ...": on identity cards the start is the issue date (lower confidence).
            Role.RANGE: ("issue_date", "expiry_date"),
        }
        for t in IDENTITY_TYPES
    },
    **dict.fromkeys(_LETTER_TYPES, _ISSUE_FIELDS),
    DocType.HEALTH_INSURANCE: _ISSUE_FIELDS
    | {Role.RANGE: ("valid_from", "valid_to"), Role.EXPIRY: ("valid_to",), Role.START: ("valid_from",)},
    DocType.EMPLOYMENT_CONTRACT: _ISSUE_FIELDS | {Role.START: ("start_date",), Role.END: ("end_date",)},
    DocType.LEASE_AGREEMENT: _ISSUE_FIELDS | {Role.START: ("start_date",), Role.END: ("end_date",)},
    # A translation repeats the source's "issued on": that is the source's date; only the translator's
    # signature date is the translation's own (C.8).
    DocType.TRANSLATION: {
        Role.SIGN: ("issue_date",),
        Role.DATED: ("issue_date",),
        Role.ISSUE: ("source_issue_date",),
        Role.BIRTH: ("birth_date",),
    },
    DocType.APOSTILLE: {Role.APOSTILLE: ("issue_date",), Role.DATED: ("issue_date",)},
}

_TRANSLATOR_DECLARATION = re.compile(
    r"traducteur jure|traductrice juree|beedigd vertaler|beedigd vertaalster|sworn translator|"
    r"beeidigte[rn]? ubersetzer|traductor jurado|traduttore giurato|tradutor juramentado|"
    r"certifie que la traduction|true and (?:complete|accurate|correct) translation|getrouw en volledig|"
    r"vorstehenden ubersetzung"
)
_LETTERHEAD = re.compile(r"^[ \t]*[a-z][a-z' .\-]{1,30},[ \t]*(?:le|den|the|el|il|li|op|em|am|on|a)?[ \t]*$")

_AMOUNT_LABEL = re.compile(
    r"sum insured|limit of cover|coverage amount|amount of cover|maximum cover|insured amount|coverage|"
    r"montant de (?:la )?couverture|montant assure|plafond|capital assure|couverture|verzekerd bedrag|"
    r"dekkingsbedrag|maximale dekking|dekking|deckungssumme|versicherungssumme|deckung|suma asegurada|"
    r"capital asegurado|cobertura|massimale|somma assicurata|copertura|capital seguro"
)
_AMOUNT = re.compile(
    r"(?:eur|€)\s*(?P<a>\d[\d .,'’]*\d|\d)|(?P<b>\d[\d .,'’]*\d|\d)\s*(?:eur\b|€|euros?\b)",
)
_TARGET_LANGUAGE = re.compile(
    # "traduction ... vers le français", not "... l'original rédigé en anglais" (the source language).
    r"(?:tradu\w*|vertal\w*|ubersetz\w*|translat\w*)(?:(?!original|redige|opgesteld|uit het|aus dem|from)[^\n]){0,40}?"
    r"(?:vers le |vers l'|in het |naar het |ins |into )"
    r"(?P<l>francais|neerlandais|allemand|anglais|frans|nederlands|duits|engels|deutsche|franzosische|"
    r"niederlandische|englische|french|dutch|german|english)"
)
_LANGUAGE_NAMES = {
    "fr": "francais frans franzosische french",
    "nl": "neerlandais nederlands niederlandische dutch",
    "de": "allemand duits deutsche german",
    "en": "anglais engels englische english",
}
_LANGUAGE_CODE = {name: code for code, names in _LANGUAGE_NAMES.items() for name in names.split()}

_COUNTRY_CAPTION = r"(?:country|pays|land|pais|paese|staat)(?:\s*/\s*(?:country|pays|land|pais|paese|staat))*"
_COUNTRY_LABEL = re.compile(
    # Apostille field 1: "1. Country:" (number, colon optional) or "Country / Pays:" (colon required).
    rf"(?:(?:^|\s)1\s*[.)]\s*{_COUNTRY_CAPTION}\s*:?|(?<!\w){_COUNTRY_CAPTION}\s*:)[ \t]*(?P<v>[^\n]*)"
)


@dataclasses.dataclass(frozen=True, slots=True)
class _Label:
    role: Role
    span: tuple[int, int]


@dataclasses.dataclass(frozen=True, slots=True)
class _Candidate:
    name: str
    match: DateMatch
    confidence: float
    page: Page
    labelled: bool
    basis: str = ""
    """What the reading rests on (``label:issue:adjacent``, ``letterhead``, ``fallback:single`` ...)."""


def _compile(phrases: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(phrase_patterns(phrases)) + r")(?![\w])")


_LABEL_RE = {role: _compile(phrases) for role, phrases in _LABELS.items()}


def _labels(folded: str, roles: Iterable[Role], dates: Sequence[DateMatch]) -> list[_Label]:
    found = [_Label(role, m.span()) for role in roles for m in _LABEL_RE[role].finditer(folded)]
    # Longest label first at a position; drop labels inside another label or inside a date.
    found.sort(key=lambda lab: (lab.span[0], -(lab.span[1] - lab.span[0])))
    kept: list[_Label] = []
    for lab in found:
        if kept and lab.span[0] < kept[-1].span[1]:
            continue
        if any(d.span[0] <= lab.span[0] < d.span[1] for d in dates):
            continue
        # Multilingual captions ("Date of issue / Date de délivrance") are one label.
        if (
            kept
            and kept[-1].role is lab.role
            and re.fullmatch(r"[\s/|:,.()]{0,5}", folded[kept[-1].span[1] : lab.span[0]])
        ):
            kept[-1] = _Label(lab.role, (kept[-1].span[0], lab.span[1]))
            continue
        kept.append(lab)
    return kept


def _word_evidence(page: Page, text: str, span: tuple[int, int]) -> tuple[BBox | None, float | None]:
    """Union box and mean confidence of the page words that hold ``text[span]``."""
    if not page.words:
        return None, None
    compact_words = [re.sub(r"\s+", "", w.text) for w in page.words]
    joined = "".join(compact_words)
    raw = re.sub(r"\s+", "", text[span[0] : span[1]])
    if not raw:
        return None, None
    before = re.sub(r"\s+", "", text[: span[0]])
    if re.sub(r"\s+", "", text) == joined:
        start = len(before)
    else:  # the text was rebuilt differently: take the occurrence nearest in relative position
        hits = [m.start() for m in re.finditer(re.escape(raw), joined)]
        if not hits:
            return None, None
        target = len(before) / max(1, len(re.sub(r"\s+", "", text))) * len(joined)
        start = min(hits, key=lambda h: abs(h - target))
    end = start + len(raw)
    chosen, offset = [], 0
    for word, compact in zip(page.words, compact_words, strict=True):
        if offset < end and offset + len(compact) > start:
            chosen.append(word)
        offset += len(compact)
    if not chosen:
        return None, None
    box = (
        min(w.bbox[0] for w in chosen),
        min(w.bbox[1] for w in chosen),
        max(w.bbox[2] for w in chosen),
        max(w.bbox[3] for w in chosen),
    )
    return box, sum(w.confidence for w in chosen) / len(chosen)


LOW_OCR_QUALITY = 0.8
"""Word confidence below which a reading counts as doubtful OCR in its calibration key."""


def _to_field(cand: _Candidate, *, competing: bool = False, agreeing: bool = False) -> Field:
    page = cand.page
    text = page.text or page.text_layer
    bbox, word_conf = _word_evidence(page, text, cand.match.span)
    confidence = cand.confidence
    if cand.match.ambiguous:
        confidence *= 0.7
    if competing:
        confidence *= 0.75
    elif agreeing:
        confidence = min(0.99, confidence + 0.04)
    blurred = False
    if not page.has_text_layer:
        quality = word_conf if word_conf is not None else (page.text_confidence or 0.7)
        confidence *= 0.7 + 0.3 * max(0.0, min(1.0, quality))
        blurred = quality < LOW_OCR_QUALITY
    basis = (
        cand.basis
        + (":ambiguous" if cand.match.ambiguous else "")
        + (":competing" if competing else "")
        + (":ocr-low" if blurred else "")
    )
    return Field(
        value=cand.match.value,
        confidence=round(max(0.0, min(1.0, confidence)), 3),
        source="text" if page.has_text_layer else "ocr",
        page=page.number,
        bbox=bbox,
        raw=cand.match.raw,
        basis=basis,
    )


def _near(text: str, end: int, start: int) -> bool:
    gap = text[end:start]
    return len(gap) <= _MAX_GAP_CHARS and gap.count("\n") <= _MAX_GAP_LINES


def _is_adjacent(text: str, label: _Label, labels: Sequence[_Label], date: DateMatch) -> bool:
    """The date follows the label at once: on its line, or below a label that is alone on its line."""
    gap = text[label.span[1] : date.span[0]]
    if _ADJACENT.fullmatch(gap) is None:
        return False
    if "\n" not in gap:
        return True
    line = (text.rfind("\n", 0, label.span[0]) + 1, text.find("\n", label.span[1]))
    return not any(other is not label and line[0] <= other.span[0] < line[1] for other in labels)


def _assign(
    text: str, labels: Sequence[_Label], dates: Sequence[DateMatch]
) -> tuple[list[tuple[_Label, int, DateMatch, bool]], list[DateMatch]]:
    """Pair dates with labels: the adjacent label first, else the oldest pending label (column layouts).

    Returns:
        ``(label, slot, date, adjacent)`` pairs (``slot`` 1 is the end of a range) and the dates no
        label claimed.
    """
    events: list[_Label | DateMatch] = sorted([*labels, *dates], key=lambda e: (e.span[0], isinstance(e, DateMatch)))
    pending: list[list[int]] = []  # [index in labels, next slot]
    index = {id(lab): i for i, lab in enumerate(labels)}
    pairs: list[tuple[_Label, int, DateMatch, bool]] = []
    free: list[DateMatch] = []
    last_end = 0
    for event in events:
        if isinstance(event, _Label):
            pending.append([index[id(event)], 0])
            continue
        date = event
        adjacent = [p for p in pending if _is_adjacent(text, labels[p[0]], labels, date)]
        chosen = adjacent[-1] if adjacent else None
        for entry in [] if adjacent else list(pending):
            label, slot = labels[entry[0]], entry[1]
            if label.role in _ADJACENT_ONLY:
                continue
            if not (_near(text, label.span[1], date.span[0]) if slot == 0 else date.span[0] - last_end <= 40):
                pending.remove(entry)  # too far: the label's value was not read
                continue
            chosen = entry
            break
        if chosen is None:
            free.append(date)
        else:
            label, slot = labels[chosen[0]], chosen[1]
            pairs.append((label, slot, date, bool(adjacent)))
            if label.role is Role.RANGE and slot == 0:
                chosen[1] = 1
            else:
                pending.remove(chosen)
        last_end = date.span[1]
    return pairs, free


def _page_day_first(text: str, country: str | None) -> bool | None:
    if country:
        return None  # find_dates applies the country's convention
    language = detect_language(text)
    return True if language not in (None, "en") else None


def _candidates(
    doc_type: DocType, page: Page, country: str | None, reference: dt.date
) -> tuple[list[_Candidate], list[_Candidate]]:
    """Labelled and unlabelled candidates of one page."""
    text = page.text or page.text_layer
    if not text.strip():
        return [], []
    folded = normalise(text)
    dates = find_dates(text, country=country, reference=reference, day_first=_page_day_first(text, country))
    mapping = _FIELD_MAP.get(doc_type, {})
    roles = set(mapping) | {Role.DISTRACTOR, Role.BIRTH, Role.RANGE, Role.EXPIRY, Role.START, Role.END, Role.ISSUE}
    if doc_type is not DocType.TRANSLATION:
        roles.add(Role.ISSUED)
    pairs, free = _assign(text, _labels(folded, roles, dates), dates)
    labelled: list[_Candidate] = []
    for lab, slot, match, adjacent in pairs:
        names = mapping.get(lab.role, ())
        name = names[slot] if slot < len(names) else None
        if name is None:
            continue
        confidence = _ROLE_CONFIDENCE.get(lab.role, 0.85) * (1.0 if adjacent else 0.95)
        if lab.role is Role.RANGE and slot == 0 and doc_type in IDENTITY_TYPES:
            confidence *= 0.85
        basis = f"label:{lab.role.value}:{'adjacent' if adjacent else 'near'}"
        labelled.append(
            _Candidate(name, with_kind(match, _KIND.get(name, DateKind.ANY), reference), confidence, page, True, basis)
        )
    unlabelled: list[_Candidate] = []
    for match in free:
        head = folded[folded.rfind("\n", 0, match.span[0]) + 1 : match.span[0]]
        if doc_type in _LETTER_TYPES and _LETTERHEAD.search(head):
            labelled.append(
                _Candidate(
                    "issue_date",
                    with_kind(match, DateKind.ISSUE, reference),
                    _LETTERHEAD_CONFIDENCE,
                    page,
                    True,
                    "letterhead",
                )
            )
        else:
            unlabelled.append(_Candidate("", match, 0.0, page, False))
    declaration = _TRANSLATOR_DECLARATION.search(folded) if doc_type is DocType.TRANSLATION else None
    if declaration:
        # The translated text repeats the source's "Fait à ... le ...": the translator signs last.
        issue = [c for c in labelled if c.name == "issue_date"]
        after = [c for c in issue if c.match.span[0] >= declaration.start()]
        source = [dataclasses.replace(c, name="source_issue_date") for c in issue if c not in after]
        labelled = [c for c in labelled if c.name != "issue_date"] + after[-1:] + source[-1:]
    if declaration and not any(c.name == "issue_date" for c in labelled):
        after = [c for c in unlabelled if declaration.start() <= c.match.span[0] <= declaration.end() + 250]
        if after:
            labelled.append(
                dataclasses.replace(
                    after[0], name="issue_date", confidence=0.7, labelled=True, basis="translator-declaration"
                )
            )
    return labelled, unlabelled


def _best(cands: Sequence[_Candidate]) -> _Candidate:
    return max(cands, key=lambda c: (c.confidence, c.page.number, c.match.span[0]))


def _choose(cands: Sequence[_Candidate]) -> Field:
    best = _best(cands)
    # Only a candidate about as credible as the best one makes the value doubtful.
    rivals = [c for c in cands if c.match.value != best.match.value and c.confidence >= best.confidence - 0.1]
    agreeing = sum(c.match.value == best.match.value for c in cands) > 1
    return _to_field(best, competing=bool(rivals), agreeing=agreeing)


APOSTILLE_SINGLE_DATE_CONFIDENCE = 0.7


def _fallback(doc_type: DocType, free: Sequence[_Candidate], reference: dt.date) -> dict[str, Field]:
    """Fields from unlabelled dates, at low confidence, only where the layout makes them likely."""
    out: dict[str, Field] = {}
    values = sorted({c.match.value for c in free})
    if doc_type in _LETTER_TYPES or doc_type is DocType.APOSTILLE:
        # An issue date is recent: this drops unlabelled birth dates and the 1961 Hague Convention date.
        low, high = reference.replace(year=reference.year - _MAX_AGE_YEARS, day=1), reference.replace(day=1)
        free = [c for c in free if low <= c.match.value <= high.replace(year=high.year + 1)]
        values = sorted({c.match.value for c in free})
        if not values:
            return out
        last = max(free, key=lambda c: (c.page.number, c.match.span[0]))
        cand = dataclasses.replace(last, match=with_kind(last.match, DateKind.ISSUE, reference))
        # The Hague model certificate has one date field (7. "the ..."): a lone recent date on an
        # apostille is that field even when OCR lost the numbered labels of a two-column layout.
        single = APOSTILLE_SINGLE_DATE_CONFIDENCE if doc_type is DocType.APOSTILLE else 0.55
        cand = dataclasses.replace(
            cand,
            confidence=single if len(values) == 1 else 0.35,
            basis="fallback:single" if len(values) == 1 else "fallback:last",
        )
        out["issue_date"] = _to_field(cand)
    elif doc_type in IDENTITY_TYPES and len(values) in (2, 3):
        # Birth < issue < expiry on every identity document; the labels were lost by OCR.
        by_value = {c.match.value: c for c in free}
        names = ("birth_date", "issue_date", "expiry_date")[3 - len(values) :]
        for name, value in zip(names, values, strict=True):
            cand = by_value[value]
            out[name] = _to_field(
                dataclasses.replace(
                    cand, match=with_kind(cand.match, _KIND[name], reference), confidence=0.45, basis="fallback:order"
                )
            )
    return out


def _apostille_country(pages: Sequence[Page]) -> Field | None:
    for page in pages:
        text = page.text or page.text_layer
        folded = normalise(text)
        for label in _COUNTRY_LABEL.finditer(folded):
            start = label.start("v")
            value = label["v"]
            if len(value.strip(" :.-")) < 3:  # value on the next line
                start = label.end("v") + 1
                value = folded[start:].split("\n", 1)[0]
            found = find_country(value)
            if found:
                code, (lo, hi) = found
                return _named_field(page, (start + lo, start + hi), code, 0.9)
            near = nearest_country(value)  # "Republica del Pert": the field holds a country, one letter misread
            if near:
                return _named_field(page, (start, start + len(value.rstrip())), near, 0.7, "field:near")
        # No field 1 caption: the first country name before field 2 ("has been signed by").
        stop = re.search(r"signed by|signe par|ondertekend door|unterschrieben von|firmado por", folded)
        found = find_country(folded, 0, stop.start() if stop else None)
        if found:
            return _named_field(page, found[1], found[0], 0.6)
    return None


def _named_field(page: Page, span: tuple[int, int], value: str | int, confidence: float, basis: str = "") -> Field:
    text = page.text or page.text_layer
    bbox, word_conf = _word_evidence(page, text, span)
    if not page.has_text_layer:
        confidence *= 0.7 + 0.3 * (word_conf if word_conf is not None else (page.text_confidence or 0.7))
    return Field(
        value=value,
        confidence=round(min(1.0, confidence), 3),
        source="text" if page.has_text_layer else "ocr",
        page=page.number,
        bbox=bbox,
        raw=text[span[0] : span[1]],
        basis=basis,
    )


def _parse_amount(raw: str) -> int | None:
    """``30.000,00`` / ``30,000.00`` / ``30 000`` -> 30000."""
    digits = re.sub(r"[\s'’]", "", raw).rstrip(".,")
    digits = re.sub(r"[.,]\d{1,2}$", "", digits)
    digits = re.sub(r"[.,]", "", digits)
    return int(digits) if digits.isdigit() else None


def _labelled_amounts(
    page: Page, labels: re.Pattern[str], mask_dates: bool = False
) -> Iterator[tuple[tuple[int, int], int]]:
    """Each amount printed within 80 characters after one of ``labels``: (span in the page text, value).

    ``mask_dates``: numeric dates in the window are not amounts (a balance "on 31.10.2026").
    """
    folded = normalise(page.text or page.text_layer)
    for label in labels.finditer(folded):
        window = folded[label.end() : label.end() + 80]
        if mask_dates:
            window = _NUMERIC_DATE.sub(lambda m: " " * len(m.group(0)), window)
        amount = _AMOUNT.search(window)
        if amount is None:
            continue
        value = _parse_amount(amount["a"] or amount["b"])
        if value:
            yield (label.end() + amount.start(), label.end() + amount.end()), value


def _coverage_amount(pages: Sequence[Page]) -> Field | None:
    for page in pages:
        for span, value in _labelled_amounts(page, _AMOUNT_LABEL):
            return _named_field(page, span, value, 0.85)
    return None


_BALANCE_LABEL = re.compile(
    r"closing balance|new balance|final balance|available balance|blocked amount|amount blocked|nouveau solde|"
    r"solde final|solde disponible|montant bloque|nieuw saldo|eindsaldo|beschikbaar saldo|geblokkeerd bedrag|"
    r"neuer kontostand|endsaldo|kontostand|sperrbetrag|saldo final|saldo disponible|importe bloqueado|"
    r"saldo finale|saldo disponibile|importo vincolato|saldo atual|montante bloqueado"
)
_NUMERIC_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}")


def _balance(pages: Sequence[Page]) -> Field | None:
    """The closing (or blocked) balance of a bank statement, in EUR: the last one printed."""
    found: tuple[Page, tuple[int, int], int] | None = None
    for page in pages:
        for span, value in _labelled_amounts(page, _BALANCE_LABEL, mask_dates=True):
            found = (page, span, value)
    if found is None:
        return None
    page, span, value = found
    return _named_field(page, span, value, 0.85, "amount:balance-label")


def _target_language(pages: Sequence[Page]) -> Field | None:
    for page in pages:
        text = page.text or page.text_layer
        found = _TARGET_LANGUAGE.search(normalise(text))
        if found:
            return _named_field(page, found.span("l"), _LANGUAGE_CODE[found["l"]], 0.9)
    counts = collections.Counter(detect_language(p.text or p.text_layer) for p in pages)
    counts.pop(None, None)
    for language, _ in counts.most_common():
        if language in _LANGUAGE_NAMES:
            page = next(p for p in pages if detect_language(p.text or p.text_layer) == language)
            return Field(
                language, 0.7 if len(counts) == 1 else 0.5, "text" if page.has_text_layer else "ocr", page.number
            )
    return None


MAX_VALIDITY_DAYS = 15 * 366
"""Longest validity of an identity document (10 years for adult passports, up to 15 for some ID cards)."""


def _fits(name: str, value: dt.date, dates: dict[str, dt.date], reference: dt.date, identity: bool) -> bool:
    """Does ``value`` fit the window the document allows for field ``name`` (issue 13 point 2)?"""
    birth, issue, expiry = dates.get("birth_date"), dates.get("issue_date"), dates.get("expiry_date")
    if name in ("issue_date", "birth_date") and value > reference:
        return False
    if name == "issue_date":
        if birth is not None and value < birth:
            return False
        if identity and expiry is not None and not 0 < (expiry - value).days <= MAX_VALIDITY_DAYS:
            return False
    if name == "birth_date" and issue is not None and value > issue:
        return False
    if name == "expiry_date" and identity and issue is not None:
        return 0 < (value - issue).days <= MAX_VALIDITY_DAYS
    return True


def _fit_centuries(
    fields: dict[str, Field], short: set[str], identity: bool, reference: dt.date, known_birth: dt.date | None
) -> None:
    """Put each two-digit year in the century the document allows: issue between birth and today,
    expiry within the maximum validity after issue, birth in the past. A year no century fits, and a
    four-digit date outside that window, is left as read with its confidence halved (a doubtful
    reading must not fail a rule)."""
    dates = {n: f.value for n, f in fields.items() if isinstance(f.value, dt.date)}
    if known_birth is not None:
        dates["birth_date"] = known_birth
    for name in ("birth_date", "issue_date", "expiry_date"):
        field = fields.get(name)
        if field is None or not isinstance(field.value, dt.date):
            continue
        value = field.value
        if name not in short:
            if not _fits(name, value, dates, reference, identity):
                # A four-digit date outside the window is a misread or a wrong document: doubtful, so
                # a rule that needs it is not evaluable rather than failing (issue 13).
                fields[name] = dataclasses.replace(field, confidence=round(field.confidence / 2, 3),
                                                   basis=field.basis + ":implausible")
                dates.pop(name, None)
            continue
        options = [value] + [_shift_century(value, k) for k in (100, -100)]
        fitting = [v for v in options if v is not None and _fits(name, v, dates, reference, identity)]
        if fitting and fitting[0] != value:
            fields[name] = dataclasses.replace(field, value=fitting[0], basis=field.basis + ":century-by-window")
            dates[name] = fitting[0]
        elif not fitting:
            fields[name] = dataclasses.replace(field, confidence=round(field.confidence / 2, 3),
                                               basis=field.basis + ":no-century-fits")
            dates.pop(name, None)  # a doubtful date constrains no other


def _issue_by_window(
    free: Sequence[_Candidate],
    fields: dict[str, Field],
    reference: dt.date,
    birth: dt.date | None,
    expiry: dt.date | None,
) -> Field | None:
    """The one unlabelled date of an identity page that can only be its issue date (OCR lost the caption):
    after the birth, not after today, within the maximum validity before the expiry."""
    dates = {n: f.value for n, f in fields.items() if isinstance(f.value, dt.date)}
    birth = birth or dates.get("birth_date")
    expiry = expiry or dates.get("expiry_date")
    if expiry is None:
        return None
    known = {"birth_date": birth, "expiry_date": expiry} if birth else {"expiry_date": expiry}
    fitting = {}
    for cand in free:
        match = with_kind(cand.match, DateKind.ISSUE, reference)
        if match.value not in (birth, expiry) and _fits("issue_date", match.value, known, reference, True):
            fitting[match.value] = dataclasses.replace(cand, match=match)
    if len(fitting) != 1:
        return None
    (cand,) = fitting.values()
    return _to_field(dataclasses.replace(cand, name="issue_date", confidence=0.6, basis="fallback:window"))


def _shift_century(value: dt.date, years: int) -> dt.date | None:
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return None


def extract_date_fields(
    doc_type: DocType,
    pages: Sequence[Page],
    *,
    country: str | None = None,
    reference: dt.date | None = None,
    known_birth: dt.date | None = None,
    known_expiry: dt.date | None = None,
) -> dict[str, Field]:
    """Extract the printed dates (and a few related fields) of one document from its pages' text.

    Dates are taken next to their labels in the 7 languages; distractor dates (birth, request, law,
    marriage dates) are consumed by their own labels and never taken for an issue date. When nothing
    is found a field is left out, never guessed.

    Args:
        doc_type: The document's type.
        pages: The document's pages (text or OCR text, words with boxes when available).
        country: ICAO code of the issuing state when known (numeric date order; ``USA`` is month first).
        reference: Evaluation date for two-digit-year centuries (default: today).
        known_birth: The holder's birth date from the MRZ, when read (no issue date may precede it).
        known_expiry: The expiry date from the MRZ, when read (an identity document's issue date lies
            within its maximum validity before it).

    Returns:
        Fields by name (a field is absent when not found). Identity documents: ``issue_date``,
        ``expiry_date``, ``birth_date``. Certificates and letters: ``issue_date`` (signature or issue
        date) and ``birth_date`` when labelled; health insurance also ``valid_from``, ``valid_to`` and
        ``coverage_amount`` (int, EUR); employment contracts and leases ``start_date`` and ``end_date``
        when labelled; apostilles ``issue_date`` (field 6) and ``issuing_country`` (ICAO code, ``D`` for
        Germany); translations ``issue_date`` (the translator's), ``source_issue_date`` and
        ``target_language`` (``fr``, ``nl``, ``de`` or ``en``).
    """
    reference = reference or dt.date.today()
    labelled: list[_Candidate] = []
    free: list[_Candidate] = []
    for page in pages:
        found, unfound = _candidates(doc_type, page, country, reference)
        labelled += found
        free += unfound
    by_name: dict[str, list[_Candidate]] = collections.defaultdict(list)
    for cand in labelled:
        by_name[cand.name].append(cand)
    fields = {name: _choose(cands) for name, cands in by_name.items()}
    short_years = {name for name, cands in by_name.items() if _best(cands).match.two_digit_year}
    if not labelled or (doc_type in _LETTER_TYPES | {DocType.APOSTILLE} and "issue_date" not in fields):
        for name, field in _fallback(doc_type, free, reference).items():
            fields.setdefault(name, field)
    issue = fields.get("issue_date")
    birth = by_name.get("birth_date")
    if issue is not None and birth and isinstance(issue.value, dt.date):
        # Century of a two-digit birth year relative to the issue date (DOCUMENTS.md B.4).
        best = max(birth, key=lambda c: c.confidence)
        if best.match.two_digit_year:
            fields["birth_date"] = _to_field(
                dataclasses.replace(best, match=with_kind(best.match, DateKind.BIRTH, issue.value))
            )
    _fit_centuries(fields, short_years, doc_type in IDENTITY_TYPES, reference, known_birth)
    if doc_type in IDENTITY_TYPES and "issue_date" not in fields:
        issue = _issue_by_window(free, fields, reference, known_birth, known_expiry)
        if issue is not None:
            fields["issue_date"] = issue
    if doc_type is DocType.APOSTILLE:
        found_country = _apostille_country(pages)
        if found_country is not None:
            fields["issuing_country"] = found_country
    elif doc_type is DocType.HEALTH_INSURANCE:
        amount = _coverage_amount(pages)
        if amount is not None:
            fields["coverage_amount"] = amount
    elif doc_type is DocType.BANK_STATEMENT:
        balance = _balance(pages)
        if balance is not None:
            fields["amount"] = balance
    elif doc_type is DocType.TRANSLATION:
        language = _target_language(pages)
        if language is not None:
            fields["target_language"] = language
    log.debug("extracted %s from %d page(s) of a %s", sorted(fields), len(pages), doc_type.value)
    return fields


HEADING_LINES = 5
"""Lines of a certificate's first page that may name its issuing state."""


def mrz_fields(zone: PageMrz, page: int, as_of: dt.date) -> dict[str, Field]:
    """Fields of an identity document from its MRZ; a read whose check digits fail is kept but marked unsure.

    Args:
        zone: The MRZ read on the page.
        page: Its 1-based page number.
        as_of: Evaluation date (decides the two-digit years' centuries).
    """
    result = zone.result.on(as_of)
    trust = result.field_trust
    fields = {"has_mrz": Field(True, 1.0, "mrz", page, zone.bbox),
              "mrz_valid": Field(result.valid, 1.0, "mrz", page, zone.bbox),
              # Why the read is (not) trusted, for the report's evidence: failed checks, impossible
              # dates, an implausible name line (``MrzResult.reasons``; field names, no values).
              "mrz_trusted": Field(result.trusted, 1.0, "mrz", page, zone.bbox, raw="; ".join(result.reasons))}
    for name in ("expiry_date", "birth_date", "document_number", "nationality", "issuer", "surname", "given_names",
                 "sex"):
        value = getattr(result, name, None)
        if value and value != FILLER:
            # Each field as sure as what protects it: a check digit (with the composite) for
            # numbers and dates, the plausibility of the whole read for names and codes.
            key = "names" if name in ("surname", "given_names") else name
            confidence = zone.confidence if trust.get(key, False) else min(zone.confidence, 0.3)
            fields[name] = Field(value=value, confidence=confidence, source="mrz", page=page, bbox=zone.bbox)
    return fields


def heading_country(pages: Sequence[Page]) -> Field | None:
    """The issuing state named in a certificate's heading ("ROYAUME DU MAROC", "Republic of India").

    Only the first lines count: the body names the holder's birthplace and nationality too.
    """
    if not pages:
        return None
    lines = [line for line in pages[0].text.splitlines() if line.strip()][:HEADING_LINES]
    for line in lines:
        code = country_code(line)
        if code is not None:
            return Field(code, 0.7, "text" if pages[0].has_text_layer else "ocr", pages[0].number, raw=line.strip())
    return None


def _cross_check(fields: dict[str, Field], printed: dict[str, Field]) -> None:
    """Keep the printed value beside the MRZ's as ``<name>_viz``; agreement makes the field surer (issue 15)."""
    for name in ("expiry_date", "birth_date"):
        if name not in printed:
            continue
        if name not in fields:
            fields[name] = printed[name]
            continue
        viz = printed[name]
        mrz = fields[name]
        if viz.value != mrz.value and _one_slip(str(viz.value), str(mrz.value)):
            # One digit apart: an OCR slip is likelier than an altered page; the rule leaves it out.
            viz = dataclasses.replace(viz, confidence=round(viz.confidence / 2, 3), basis=viz.basis + ":one-slip")
        fields[f"{name}_viz"] = viz
        if viz.value == mrz.value and fields["mrz_valid"].value is True:
            # Two independent readings agree: right unless both are wrong the same way.
            fields[name] = dataclasses.replace(mrz, confidence=max(mrz.confidence, viz.confidence, AGREED_CONFIDENCE),
                                               source="mrz+viz")


def _one_slip(a: str, b: str) -> bool:
    """Same length and exactly one character apart (``2031-03-12`` / ``2031-08-12``).

    >>> _one_slip("2031-03-12", "2031-08-12"), _one_slip("2024-03-01", "2019-03-21")
    (True, False)
    """
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


AGREED_CONFIDENCE = 0.99
"""A check-digit-valid MRZ value that the printed page repeats (issue 15 point 4)."""


def document_fields(document: Document, pages: Sequence[Page], as_of: dt.date) -> dict[str, Field]:
    """A document's fields: MRZ first, printed values next, cross-checked where both exist."""
    fields: dict[str, Field] = {}
    if document.type in IDENTITY_TYPES:
        zone = next((p for p in pages if p.mrz is not None), None)
        if zone is not None and zone.mrz is not None:
            fields.update(mrz_fields(zone.mrz, zone.number, as_of))
        elif len(pages) >= 2 and all(p.accepted and (p.text or p.text_layer).strip() for p in pages):
            # Both sides scanned and readable, and no zone on either: a card without an MRZ.
            fields["has_mrz"] = Field(False, 0.9, "ocr", pages[-1].number)
    country = fields["issuer"].value if "issuer" in fields else None
    valid = "mrz_valid" in fields and fields["mrz_valid"].value is True
    mrz_birth = fields["birth_date"].value if valid and "birth_date" in fields else None
    mrz_expiry = fields["expiry_date"].value if valid and "expiry_date" in fields else None
    printed = extract_date_fields(
        document.type,
        pages,
        country=country,  # type: ignore[arg-type]
        reference=as_of,
        known_birth=mrz_birth,  # type: ignore[arg-type]
        known_expiry=mrz_expiry,  # type: ignore[arg-type]
    )
    if document.type in IDENTITY_TYPES and "mrz_valid" in fields:
        _cross_check(fields, printed)
        fields.update(identity_names(pages))
        number = fields.get("document_number")
        viz_number = printed_number(pages, str(number.value)) if number is not None else None
        if viz_number is not None:
            fields["document_number_viz"] = viz_number
    for name, value in printed.items():
        fields.setdefault(name, value)
    if document.type in PUBLIC_DOCUMENT_TYPES and "issuing_country" not in fields:
        heading = heading_country(pages)
        if heading is not None:
            fields["issuing_country"] = heading
    if document.type not in IDENTITY_TYPES and document.type is not DocType.APOSTILLE:
        holder = holder_name(pages)
        if holder is not None:
            fields["holder_name"] = holder
    return fields


def extract_fields(work: DossierWork) -> DossierWork:
    """Dossier stage: fill every document's fields from its own pages; confidences become measured ones
    (:mod:`pipeline.calibration`)."""
    as_of = work.options.as_of
    return work.replace_documents(
        [
            calibrate(dataclasses.replace(d, fields=document_fields(d, work.pages_of(d), as_of)))
            for d in work.documents
        ]
    )
