"""Classify pages by their title and key phrases (DOCUMENTS.md C) and group them into documents."""

from __future__ import annotations

import collections
import dataclasses
import re
from collections.abc import Sequence
from typing import NamedTuple

from pipeline.model import DocType, Document, Page
from pipeline.text import OCR_CANON, detect_language, normalise, phrase_key, phrase_patterns, split_phrases
from pipeline.work import DossierWork

__all__ = ["PageClass", "classify_documents", "classify_page", "detect_mrz", "group_documents"]

T, M, W = 4.0, 1.5, 0.6
"""Cue weights: a title, a key phrase of the type, a weak hint."""

# Cues are folded (lower case, no accents) phrases; spaces match any run of white space and a
# phrase starting with "re:" is a regular expression. Sources: DOCUMENTS.md C.1-C.17.
_CUES: dict[DocType, tuple[tuple[float, str], ...]] = {
    DocType.PASSPORT: (
        (2.0, "passport|passeport|paspoort|reisepass|pasaporte|passaporto|passaporte"),
        (M, "type / code|type/type|authority / autorite|code of issuing state|code de l'etat emetteur"),
    ),
    DocType.ID_CARD: (
        (
            2.5,
            "identity card|carte d'identite|carte nationale d'identite|identiteitskaart|personalausweis|"
            "identitatskarte|carta d'identita|documento nacional de identidad|cartao de cidadao|"
            "dowod osobisty|carte de identitate|bilhete de identidade|documento de identidad",
        ),
    ),
    DocType.RESIDENCE_CARD: (
        (
            3.0,
            "verblijfstitel|titre de sejour|aufenthaltstitel|residence permit|verblijfsdocument|"
            "document de sejour|aufenthaltsdokument|residence document|carte de sejour|verblijfskaart",
        ),
        (
            M,
            "beperkt verblijf|onbeperkt verblijf|sejour limite|sejour illimite|europese blauwe kaart|"
            "carte bleue europeenne|langdurig ingezetene|resident de longue duree",
        ),
    ),
    DocType.CRIMINAL_RECORD: (
        (
            T,
            "police clearance certificate|police certificate|certificate of good conduct|"
            "criminal record certificate|certificate of no criminal record|statement of absence of convictions|"
            "casier judiciaire|bonne vie et moeurs|uittreksel uit het strafregister|strafregister|"
            "goed zedelijk gedrag|verklaring omtrent het gedrag|fuhrungszeugnis|strafregisterbescheinigung|"
            "antecedentes penales|casellario giudiziale|registo criminal|identity history summary|"
            "nbi clearance|antecedentes criminais|cazier judiciar|niekaralnosci|adli sicil|certificado de antecedentes|"
            "extrait du casier|police character certificate|character certificate|criminal background check|"
            "certificate of police clearance|polizeiliches fuhrungszeugnis|certificat de non-condamnation|"
            "verklaring van goed gedrag|certificato del casellario|sabika kaydi",
        ),
        (M, "criminal record|no live trace|keine eintragung|bundeszentralregister|central criminal record"),
        (W, "neant|nihil|no record"),
    ),
    DocType.APOSTILLE: (
        (3.0, "apostille|apostila"),
        (
            4.0,
            "re:convention de la haye du 5 octobre 1961|hague convention of 5 october 1961|"
            "convention de la haye du 5 octobre",
        ),
        (
            M,
            "this public document|le present acte public|deze openbare akte|diese offentliche urkunde|"
            "el presente documento publico|il presente atto pubblico|o presente documento publico|"
            "has been signed by|a ete signe par|is ondertekend door|ist unterschrieben von|ha sido firmado por|"
            "e stato firmato da|e stato sottoscritto da|nella sua qualita di|e munito del sigillo|foi assinado por|"
            "na qualidade de|tem o selo|acting in the capacity of|agissant en qualite de|"
            "handelende in de hoedanigheid van|in seiner eigenschaft als|quien actua en calidad de|"
            "bears the seal|est revetu du sceau|voorzien van het zegel|versehen mit dem siegel|"
            "revestido del sello|voor echt verklaard",
        ),
    ),
    DocType.TRANSLATION: (
        (
            5.0,
            "traduction juree|traduction certifiee conforme|beedigde vertaling|beglaubigte ubersetzung|"
            "sworn translation|certified translation|traduccion jurada|traduzione giurata|traducao juramentada|"
            "certifie que la traduction|certifie la presente traduction|true and complete translation|"
            "true and accurate translation|true and correct translation|getrouw en volledig|"
            "vorstehenden ubersetzung|re:traduction (?:de l'|du |de la |des )\\w+|re:vertaling uit het \\w+|"
            "re:ubersetzung aus dem \\w+|re:translat(?:ion|ed) from (?:the )?\\w+|re:traduit (?:de l'|du )\\w+",
        ),
        (
            2.0,
            "traducteur jure|traductrice juree|beedigd vertaler|beedigd vertaalster|sworn translator|"
            "beeidigter ubersetzer|beeidigte ubersetzerin|traductor jurado|traductora jurada|traduttore giurato|"
            "tradutor juramentado|tradutora juramentada",
        ),
    ),
    DocType.MEDICAL_CERTIFICATE: (
        (
            T,
            "medical certificate|certificat medical|medisch attest|medisch getuigschrift|arztliches attest|"
            "arztliche bescheinigung|certificado medico|certificato medico|atestado medico|medical report|"
            "health certificate|certificate of good health|certificat de bonne sante|certificat de sante|"
            "gezondheidsattest|geneeskundig attest|gesundheitszeugnis|arztliches zeugnis",
        ),
        (
            M,
            "sante publique|volksgezondheid|public health|volksgesundheit|tuberculose|tuberculosis|tuberkulose|"
            "maladies pouvant mettre en danger|ziekten die een gevaar|diseases which may endanger|"
            "docteur en medecine|doctor of medicine|inami|riziv",
        ),
    ),
    DocType.EMPLOYMENT_CONTRACT: (
        (
            T,
            "employment contract|contract of employment|contrat de travail|arbeidsovereenkomst|arbeitsvertrag|"
            "contrato de trabajo|contratto di lavoro|contrato de trabalho|employment agreement|contract of service|"
            "arbeidscontract|contrat d'emploi|convention de travail|anstellungsvertrag|dienstvertrag",
        ),
        (2.5, "payslip|fiche de paie|loonfiche|loonbrief|gehaltsabrechnung"),
        (
            W,
            "employer|employee|employeur|travailleur|werkgever|werknemer|arbeitgeber|arbeitnehmer|"
            "commission paritaire|paritair comite|remuneration annuelle brute|bruto jaarloon|bruttojahresgehalt|"
            "gross annual salary|job title|probation|duree indeterminee|onbepaalde duur|unbefristet|befristet",
        ),
    ),
    DocType.LEASE_AGREEMENT: (
        (
            T,
            "lease agreement|tenancy agreement|contrat de bail|bail de residence principale|bail de courte duree|"
            "huurovereenkomst|woninghuurovereenkomst|mietvertrag|contrato de arrendamiento|contratto di locazione|"
            "contrato de arrendamento|attestation de logement|attestation d'hebergement|verklaring van inwoning|"
            "huisvestingsattest|letter of accommodation|booking confirmation|buchungsbestatigung|rental agreement|"
            "tenancy contract|residential lease|lease contract|contrat de location|huurcontract|huurakte|"
            "wohnungsmietvertrag|mietvereinbarung|preuve de logement|bewijs van huisvesting",
        ),
        (W, "bail|landlord|tenant|bailleur|preneur|loyer|verhuurder|huurder|huurprijs|vermieter|mieter|monthly rent"),
    ),
    DocType.BANK_STATEMENT: (
        (
            T,
            "bank statement|account statement|statement of account|extrait de compte|releve de compte|"
            "rekeninguittreksel|kontoauszug|extracto bancario|extracto de cuenta|estratto conto|extrato bancario|"
            "extrato de conta|compte bloque|geblokkeerde rekening|sperrkonto|engagement de prise en charge|"
            "verbintenis tot tenlasteneming|rekeningafschrift|afschrift van rekening|rekeningoverzicht|bankafschrift|"
            "releve bancaire|releve de comptes|bankauszug|kontoubersicht|statement of balance|balance certificate|"
            "attestation de solde|saldoattest|saldobestatigung|certificado bancario|certificado de saldo",
        ),
        (
            W,
            "iban|available balance|solde disponible|beschikbaar saldo|verfugbarer betrag|account number|"
            "numero de compte|rekeningnummer|kontonummer|opening balance|closing balance|ancien solde|nouveau solde|"
            "solde|saldo|date valeur|valutadatum|"
            "kontostand|wertstellung|statement period",
        ),
    ),
    DocType.HEALTH_INSURANCE: (
        (
            T,
            "certificate of insurance|insurance certificate|policy schedule|attestation d'assurance|"
            "certificat d'assurance|assurance soins de sante|verzekeringsattest|ziekteverzekering|"
            "versicherungsbestatigung|versicherungsbescheinigung|krankenversicherung|health insurance|"
            "european health insurance card|carte europeenne d'assurance maladie|attestation d'affiliation|"
            "aansluitingsattest|seguro de salud|seguro medico|assicurazione sanitaria|seguro de saude|"
            "proof of insurance|insurance policy|attestation de couverture|police d'assurance|verzekeringsbewijs|"
            "verzekeringspolis|versicherungsnachweis|versicherungsschein|certificado de seguro",
        ),
        (
            M,
            "period of cover|periode de couverture|dekkingsperiode|versicherungszeitraum|sum insured|"
            "limit of cover|repatriation|rapatriement|repatriering|deckungssumme|mutualite|mutuelle|ziekenfonds|"
            "krankenkasse|policy number|numero de police|polisnummer",
        ),
    ),
    DocType.ENROLLMENT_LETTER: (
        (
            T,
            "letter of admission|admission letter|certificate of enrolment|certificate of enrollment|"
            "enrolment certificate|proof of registration|attestation d'inscription|attestation d'admission|"
            "lettre d'admission|inschrijvingsattest|inschrijvingsbewijs|toelatingsbrief|bewijs van toelating|"
            "immatrikulationsbescheinigung|studienbescheinigung|zulassungsbescheid|certificado de matricula|"
            "certificato di iscrizione|certidao de matricula|confirmation of enrolment|confirmation of enrollment|"
            "attestation de scolarite|certificat d'inscription|bewijs van inschrijving|inschrijvingsbevestiging|"
            "einschreibebescheinigung|zulassungsbescheinigung|immatrikulationsbestatigung",
        ),
        (
            M,
            "academic year|annee academique|academiejaar|studienjahr|akademisches jahr|full-time|temps plein|"
            "voltijds|vollzeit|inscription reguliere|diplomacontract|tuition fee|droits d'inscription",
        ),
    ),
    DocType.BIRTH_CERTIFICATE: (
        (
            T,
            "birth certificate|certificate of birth|entry of birth|acte de naissance|geboorteakte|geburtsurkunde|"
            "geburtenregister|acta de nacimiento|certificado de nacimiento|atto di nascita|"
            "certificato di nascita|certidao de nascimento|assento de nascimento|literal de nacimiento|"
            "partida de nacimiento",
        ),
    ),
    DocType.MARRIAGE_CERTIFICATE: (
        (
            T,
            "marriage certificate|certificate of marriage|acte de mariage|huwelijksakte|eheurkunde|"
            "heiratsurkunde|certificado de matrimonio|acta de matrimonio|certificato di matrimonio|"
            "atto di matrimonio|certidao de casamento|declaration de cohabitation legale|"
            "verklaring van wettelijke samenwoning|lebenspartnerschaftsurkunde|civil partnership certificate|"
            "geregistreerd partnerschap",
        ),
    ),
}

# Field captions of an identity card's visual zone: they hint at a card front only on a short page.
_ID_FIELDS = (
    "surname|given names|nationality|date of birth|nom|prenoms|nationalite|sexe|naam|voornamen|nationaliteit|"
    "geslacht|geboortedatum|vornamen|staatsangehorigkeit|geschlecht|geburtsdatum|apellidos|nacionalidad|"
    "cognome|cittadinanza|data di nascita|date of expiry|date d'expiration|vervaldatum|gultig bis|"
    "valable jusqu|geldig tot|scadenza|card no|kaartnr|carte n"
)
_CARD_PAGE_MAX_WORDS = 60

_PRECEDENCE: tuple[tuple[DocType, float, bool], ...] = (
    (DocType.TRANSLATION, 5.0, True),
    (DocType.APOSTILLE, 6.0, False),
)
"""A translator's declaration beats the title it translates; an apostille beats the document it certifies.

``(type, threshold, single)``: the type wins when one of its cues (``single``) or their sum reaches the
threshold (weights before the title bonus).
"""
_ORDER = tuple(DocType)
"""Tie-break order (the enum's order)."""
_MIN_SCORE = 1.5
_MRZ_TYPES = {"TD3": DocType.PASSPORT, "TD1": DocType.ID_CARD, "TD2": DocType.ID_CARD, "MRV": DocType.OTHER}
_READER_FORMATS = {"MRVA": "MRV", "MRVB": "MRV", "FRA_ID": "TD2"}
"""The parser's formats (``pipeline.mrz.FORMATS``) as the classifier names them."""

_PAGE_OF = re.compile(
    r"\b(?:page|pagina|seite|blad|pag|p)\.?\s*(\d{1,2})\s*(?:/|of|sur|van|von|de|di|da)\s*(\d{1,2})\b|"
    r"^\s*-?\s*(\d{1,2})\s*/\s*(\d{1,2})\s*-?\s*$",
    re.MULTILINE,
)
_MRZ_LINE = re.compile(r"^[A-Z0-9<]{28,46}$")


@dataclasses.dataclass(frozen=True, slots=True)
class PageClass:
    """What one page looks like."""

    type: DocType
    confidence: float
    """In [0, 1]."""
    cues: tuple[str, ...] = ()
    """The phrases (as printed) that decided the type."""
    language: str | None = None
    """ISO 639-1 code among en fr nl de es it pt, by stop-word counts."""
    continuation: bool = False
    """True when the page looks like a following page of the document before it."""
    mrz: str | None = None
    """``TD1``, ``TD2``, ``TD3`` or ``MRV`` when MRZ-like lines were found in the text."""
    basis: str = ""
    """What decided the type: ``title`` (its title in the heading, no rival title), ``mrz``,
    ``precedence`` (translator's declaration, apostille), ``title-contested`` or ``phrases``."""


TITLE_WEIGHT = 2.5
"""Cues at least this heavy are titles ("Extrait du casier judiciaire", "Personalausweis")."""
TITLE_LINES = 6
"""A title sits in the first lines (after a letterhead of up to a few lines)."""
TITLE_CONFIDENCE = 0.95
"""A document's own title in its heading, and no other type's title there (issue 13 point 1)."""


class _Folded(NamedTuple):
    """A page's folded text, and the same in :data:`~pipeline.text.OCR_CANON` form for the cue keys."""

    text: str
    canon: str

    @classmethod
    def of(cls, text: str) -> _Folded:
        folded = normalise(text)
        return cls(folded, folded.translate(OCR_CANON))

    def head(self, end: int) -> _Folded:
        """The first ``end`` characters."""
        return _Folded(self.text[:end], self.canon[:end])

    def search(self, cue: _Cue) -> re.Match[str] | None:
        """The cue's first match; its regular expression runs only when its key occurs."""
        if cue.key is not None and cue.key not in self.canon:
            return None  # ~700 cues a page, few of them present
        return cue.pattern.search(self.text)


class _Cue(NamedTuple):
    pattern: re.Pattern[str]
    key: str | None
    """:func:`~pipeline.text.phrase_key`: a match needs it in the page's canonical text."""


def _titled(page_text: str, folded: _Folded) -> set[DocType]:
    """Types whose title phrase appears in the first lines of the page, in any of the seven languages."""
    lines = [line for line in page_text.splitlines() if line.strip()][:TITLE_LINES]
    end = page_text.find(lines[-1]) + len(lines[-1]) if lines else 0
    head = folded.head(end)
    return {
        kind
        for kind, groups in _COMPILED.items()
        for weight, cues in groups
        if weight >= TITLE_WEIGHT and any(head.search(cue) for cue in cues)
    }


def _compile(phrases: str) -> list[_Cue]:
    return [
        _Cue(re.compile(rf"(?<!\w){body}(?!\w)"), phrase_key(phrase))
        for phrase, body in zip(split_phrases(phrases), phrase_patterns(phrases), strict=True)
    ]


_COMPILED: dict[DocType, list[tuple[float, list[_Cue]]]] = {
    kind: [(weight, _compile(phrases)) for weight, phrases in cues] for kind, cues in _CUES.items()
}
_ID_FIELD_PATTERNS = _compile(_ID_FIELDS)


def detect_mrz(text: str) -> str | None:
    """Find MRZ-like lines in OCR text and name their format.

    Args:
        text: Page text.

    Returns:
        ``TD3`` (passport), ``TD1``/``TD2`` (card), ``MRV`` (visa) or None.

    >>> detect_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
    'TD3'
    >>> detect_mrz("I<UTOD231458907<<<<<<<<<<<<<<<\\n7408122F1204159UTO<<<<<<<<<<<6\\nERIKSSON<<ANNA<MARIA<<<<<<<<<<")
    'TD1'
    """
    lines = []
    for line in text.splitlines():
        compact = re.sub(r"\s+", "", line.upper().replace("«", "<"))
        if _MRZ_LINE.match(compact) and compact.count("<") >= 2:
            lines.append(compact)
    for line in lines:
        if re.match(r"P[A-Z<][A-Z<]{3}", line) and len(line) >= 40:
            return "TD3"
        if re.match(r"V[A-Z<][A-Z<]{3}", line):
            return "MRV"
        if re.match(r"[IAC][A-Z<][A-Z<]{3}", line):
            return "TD1" if len(line) <= 32 else "TD2"
    return None


def _mrz_issuer_code(text: str) -> tuple[str, str] | None:
    for line in text.splitlines():
        compact = re.sub(r"\s+", "", line.upper())
        found = re.match(r"([IAC][A-Z<])([A-Z<]{3})[A-Z0-9<]{20,}$", compact)
        if found:
            return found[1], found[2]
    return None


def _page_index(text: str) -> int | None:
    """The page number printed as "page 2/3" (or similar), when the total is consistent."""
    for match in _PAGE_OF.finditer(text):
        index, total = (match[1], match[2]) if match[1] else (match[3], match[4])
        if 1 <= int(index) <= int(total):
            return int(index)
    return None


def _scores(
    page_text: str, folded: _Folded, n_words: int
) -> tuple[dict[DocType, float], dict[DocType, list[str]], dict[DocType, tuple[float, float]]]:
    """Scores (with a title bonus), the cues found, and (sum, max) of the plain weights, by type."""
    head = len("\n".join([line for line in page_text.splitlines() if line.strip()][:3]))
    scores: dict[DocType, float] = collections.defaultdict(float)
    plain: dict[DocType, tuple[float, float]] = collections.defaultdict(lambda: (0.0, 0.0))
    cues: dict[DocType, list[str]] = collections.defaultdict(list)
    for kind, groups in _COMPILED.items():
        for weight, group in groups:
            for cue in group:
                found = folded.search(cue)
                if found:
                    # A phrase in the first lines is likely the title.
                    scores[kind] += weight * (1.25 if found.start() < head else 1.0)
                    total, top = plain[kind]
                    plain[kind] = (total + weight, max(top, weight))
                    cues[kind].append(page_text[found.start() : found.end()])
    if n_words <= _CARD_PAGE_MAX_WORDS:
        for cue in _ID_FIELD_PATTERNS:
            found = folded.search(cue)
            if found:
                scores[DocType.ID_CARD] += W
                cues[DocType.ID_CARD].append(page_text[found.start() : found.end()])
    return scores, cues, plain


def classify_page(page: Page, *, has_mrz: bool = False, mrz_format: str | None = None) -> PageClass:
    """Decide what kind of document a page belongs to from its text.

    File names are never used. The MRZ decides identity documents; a translator's declaration and an
    apostille's title win over the title of the document they translate or certify.

    Args:
        page: A page with ``text`` filled by OCR or the text layer.
        has_mrz: True when a machine-readable zone was found on the page (also taken from ``page.mrz``).
        mrz_format: The reader's format (``TD1``, ``TD2``, ``TD3``) when known; else the text is searched.

    Returns:
        The page's class; ``other`` with low confidence when nothing is recognised.
    """
    text = page.text or page.text_layer
    read = page.mrz.result if page.mrz is not None else None
    mrz_format = mrz_format or (_READER_FORMATS.get(read.format, read.format) if read else None) or detect_mrz(text)
    has_mrz = has_mrz or read is not None
    if not text.strip():
        kind = _MRZ_TYPES.get(mrz_format or "", DocType.PASSPORT) if has_mrz or mrz_format else DocType.OTHER
        if kind is DocType.OTHER:
            return PageClass(kind, 0.05)
        return PageClass(kind, 0.6, (f"MRZ {mrz_format or ''}".strip(),), None, False, mrz_format)
    folded = _Folded.of(text)
    n_words = len(text.split())
    scores, cues, plain = _scores(text, folded, n_words)
    if mrz_format == "TD3":
        scores[DocType.PASSPORT] += 6.0
        cues[DocType.PASSPORT].append("MRZ TD3")
    elif mrz_format in ("TD1", "TD2"):
        issuer = (read.document_code.ljust(2, "<")[:2], read.issuer) if read else _mrz_issuer_code(text)
        # Belgian citizens' eID cards read IDBEL; other BEL TD1 codes are residence cards.
        target = DocType.RESIDENCE_CARD if issuer and issuer[1] == "BEL" and issuer[0] != "ID" else DocType.ID_CARD
        scores[target] += 6.0
        cues[target].append(f"MRZ {mrz_format}")
        if target is DocType.ID_CARD and scores.get(DocType.RESIDENCE_CARD, 0.0) >= 3.0:
            scores[DocType.RESIDENCE_CARD] += 6.0  # a residence-card title on a card with a TD1 MRZ
    elif has_mrz:
        for kind in (DocType.PASSPORT, DocType.ID_CARD, DocType.RESIDENCE_CARD):
            scores[kind] += 4.0
            cues[kind].append("MRZ")
    language = detect_language(text)
    index = _page_index(text)
    kind = DocType.OTHER
    for candidate, threshold, single in _PRECEDENCE:
        if plain[candidate][1 if single else 0] >= threshold:
            kind = candidate
            break
    if kind is DocType.OTHER and scores:
        kind = max(scores, key=lambda k: (scores[k], -_ORDER.index(k)))
        if scores[kind] < _MIN_SCORE:
            kind = DocType.OTHER
    if kind is DocType.OTHER:
        continuation = index is not None and index > 1 or n_words >= 20 and not cues
        return PageClass(DocType.OTHER, 0.2 if cues else 0.1, (), language, continuation, mrz_format)
    best = scores[kind]
    runner_up = max((v for k, v in scores.items() if k is not kind), default=0.0)
    confidence = min(0.97, 0.3 + 0.12 * best) * (1.0 - 0.5 * min(runner_up, best) / best)
    titled = _titled(text, folded)
    basis = "phrases"
    if any(kind is k and plain[k][1 if one else 0] >= t for k, t, one in _PRECEDENCE):
        confidence, basis = max(confidence, 0.9), "precedence"
    elif any(c.startswith("MRZ") for c in cues[kind]):
        basis = "mrz"
    elif kind in titled:
        rivals = titled - {kind} - {k for k, _, _ in _PRECEDENCE}
        basis = "title-contested" if rivals else "title"
        if not rivals:
            confidence = max(confidence, TITLE_CONFIDENCE)
    strong_title = best >= T
    continuation = index is not None and index > 1 and not strong_title
    return PageClass(kind, round(confidence, 3), tuple(cues[kind]), language, continuation, mrz_format, basis)


def _card_pair(first: PageClass, second: PageClass) -> bool:
    """A card front (weak cues or a card title) next to a back whose text holds a card MRZ."""
    card = (DocType.ID_CARD, DocType.RESIDENCE_CARD, DocType.OTHER)
    back, front = (second, first) if second.mrz in ("TD1", "TD2") else (first, second)
    return back.mrz in ("TD1", "TD2") and front.mrz is None and front.type in card and back.type in card


def group_documents(pages: Sequence[Page], classes: Sequence[PageClass]) -> list[Document]:
    """Turn the pages of one file into documents with page ranges.

    Consecutive pages of one type form one document; a continuation page joins the document before
    it; a card front and its MRZ back form one card; a rejected page without text becomes its own
    ``other`` document unless it sits between two pages of one document.

    Args:
        pages: The pages of one file, in order.
        classes: ``classify_page`` results, one per page.

    Returns:
        Documents in page order, with empty ``fields``.

    Raises:
        ValueError: When ``pages`` and ``classes`` differ in length.
    """
    if len(pages) != len(classes):
        raise ValueError("one PageClass per page is required")
    groups: list[list[int]] = []
    types: list[DocType] = []
    for i, cls in enumerate(classes):
        if groups:
            prev_type = types[-1]
            prev = classes[groups[-1][-1]]
            blank_rejected = not pages[i].accepted and not (pages[i].text or "").strip()
            sandwiched = (
                blank_rejected and i + 1 < len(classes) and classes[i + 1].type is prev_type is not DocType.OTHER
            )
            if cls.type is prev_type and cls.type is not DocType.OTHER or sandwiched:
                groups[-1].append(i)
                continue
            if cls.continuation and not blank_rejected:
                groups[-1].append(i)
                continue
            if len(groups[-1]) == 1 and _card_pair(prev, cls):
                groups[-1].append(i)
                types[-1] = _card_type(prev, cls)
                continue
        groups.append([i])
        types.append(cls.type)
    return [_document(pages, classes, idx, kind) for idx, kind in zip(groups, types, strict=True)]


def _card_type(a: PageClass, b: PageClass) -> DocType:
    kinds = {a.type, b.type}
    return DocType.RESIDENCE_CARD if DocType.RESIDENCE_CARD in kinds else DocType.ID_CARD


def _document(pages: Sequence[Page], classes: Sequence[PageClass], idx: list[int], kind: DocType) -> Document:
    own = [(classes[i].confidence, classes[i].basis) for i in idx if classes[i].type is kind]
    confidence, basis = max(own) if own else (min(classes[i].confidence for i in idx), "grouped")
    langs = collections.Counter(classes[i].language for i in idx if classes[i].language)
    cues: list[str] = []
    for i in idx:
        cues.extend(c for c in classes[i].cues if c not in cues)
    return Document(
        file=pages[idx[0]].file,
        pages=tuple(pages[i].number for i in idx),
        type=kind,
        type_confidence=confidence,
        rejections=tuple(r for i in idx for r in pages[i].rejections),
        language=langs.most_common(1)[0][0] if langs else None,
        cues=tuple(cues),
        type_basis=basis,
        unread_pages=tuple(pages[i].number for i in idx if pages[i].ocr_timed_out),
    )


def classify_documents(work: DossierWork) -> DossierWork:
    """Dossier stage: classify every page and group each file's pages into documents (no fields yet)."""
    by_file: dict[str, list[Page]] = {}
    for page in work.pages:
        by_file.setdefault(page.file, []).append(page)
    documents: list[Document] = []
    for file_pages in by_file.values():
        documents.extend(group_documents(file_pages, [classify_page(p) for p in file_pages]))
    return work.replace_documents(documents)
