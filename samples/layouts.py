"""Layout families of the generated documents: wording, titles, closing lines, date formats, layouts, fonts.

"Our generator is not the world" (issue 13): the product owner re-measures on documents from another
renderer. So each generated document belongs to one *family* that fixes how it looks and reads, and the
evaluation tunes on some families and reports on the others (``HELD_OUT``): a figure measured on the
families the extraction was tuned on is never presented alone.

A family sets, for certificates and letters: the layout (``classic`` single column with label/value
lines, a bordered ``table``, ``caption`` labels above values, ``two-column`` holder fields, a
``letter`` with the place and date at the top right), the title among the usual titles of the
document type in its language (DOCUMENTS.md C), the closing line ("Fait à X, le ..." / "Done on ..." /
"X, den ..." / "Date: ..."), the date format (long, numeric, dotted, ISO, abbreviated month) and the
font. For identity documents it sets the printed date style (``27 MAR/MARS 24`` two-digit years in a
held-out family). Generation stays a pure function of the seed.
"""

from __future__ import annotations

import dataclasses

__all__ = ["FAMILIES", "HELD_OUT", "ID_FAMILIES", "Family", "closing", "title"]


@dataclasses.dataclass(frozen=True)
class Family:
    """How one generated certificate or letter looks and reads."""

    name: str
    layout: str
    """``classic``, ``table``, ``caption``, ``two-column`` or ``letter``."""
    title: int
    """Index into :data:`TITLES` (modulo the titles known for the type and language)."""
    closing: str
    """Key of :data:`CLOSINGS`."""
    dates: str
    """``long``, ``numeric``, ``dotted``, ``iso`` or ``abbrev``."""
    font: str
    """``sans``, ``serif`` or ``mono`` (DejaVu)."""


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("classic", "classic", 0, "place", "long", "sans"),
        Family("form", "table", 1, "done", "numeric", "serif"),
        Family("caption", "caption", 2, "place", "dotted", "sans"),
        Family("letter", "letter", 1, "dateline", "abbrev", "serif"),
        Family("twocol", "two-column", 2, "done", "iso", "mono"),
    )
}
"""Certificate and letter families; ``classic`` is the generator's original look."""

ID_FAMILIES: dict[str, str] = {
    "bilingual": "bilingual",
    "plain": "plain",
    "slash": "slash",
    "dotted": "dotted",
    "short-year": "short-year",
}
"""Identity-document families by printed date style (``samples.render.viz_date``)."""

HELD_OUT = frozenset({"letter", "twocol", "short-year"})
"""Families never looked at while tuning extraction or confidence: the evaluation reports them apart."""

TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    "criminal_record": {
        "en": ("Police Clearance Certificate", "Certificate of Good Conduct", "Criminal Record Certificate"),
        "fr": ("Extrait du casier judiciaire", "Bulletin n° 3 du casier judiciaire", "Extrait de casier judiciaire"),
        "nl": (
            "Uittreksel uit het strafregister",
            "Getuigschrift van goed zedelijk gedrag",
            "Uittreksel strafregister",
        ),
        "de": ("Führungszeugnis", "Europäisches Führungszeugnis", "Auszug aus dem Strafregister"),
        "es": (
            "Certificado de antecedentes penales",
            "Certificado de Antecedentes Penales",
            "Certificado de antecedentes",
        ),
        "it": ("Certificato del casellario giudiziale", "Certificato penale del casellario giudiziale"),
        "pt": ("Certificado de registo criminal", "Certidão de Antecedentes Criminais"),
    },
    "medical_certificate": {
        "en": ("Medical certificate", "Medical Certificate (model)", "Certificate of medical examination"),
        "fr": ("Certificat médical", "Certificat médical (modèle)"),
        "nl": ("Medisch attest", "Medisch getuigschrift"),
        "de": ("Ärztliches Attest", "Ärztliche Bescheinigung"),
        "es": ("Certificado médico",),
    },
    "employment_contract": {
        "en": ("Employment contract (open-ended)", "Contract of employment", "Employment Contract"),
        "fr": ("Contrat de travail d'employé à durée indéterminée", "Contrat de travail", "Contrat de travail (CDI)"),
        "nl": ("Arbeidsovereenkomst voor bedienden van onbepaalde duur", "Arbeidsovereenkomst"),
        "de": ("Arbeitsvertrag (unbefristet)", "Arbeitsvertrag"),
    },
    "lease_agreement": {
        "en": ("Lease agreement (main residence)", "Tenancy agreement", "Lease Agreement"),
        "fr": ("Bail de résidence principale", "Contrat de bail", "Contrat de bail de résidence principale"),
        "nl": ("Woninghuurovereenkomst (hoofdverblijfplaats)", "Huurovereenkomst"),
        "de": ("Mietvertrag (Hauptwohnsitz)", "Mietvertrag"),
    },
    "bank_statement": {
        "en": ("Account statement", "Bank statement", "Statement of account"),
        "fr": ("Extrait de compte", "Relevé de compte"),
        "nl": ("Rekeninguittreksel", "Rekeningafschrift"),
        "de": ("Kontoauszug", "Kontoauszug Girokonto"),
    },
    "health_insurance": {
        "en": ("Certificate of insurance", "Insurance certificate", "Health insurance certificate"),
        "fr": ("Attestation d'assurance soins de santé", "Certificat d'assurance", "Attestation d'assurance"),
        "nl": ("Verzekeringsattest ziekteverzekering", "Verzekeringsattest"),
        "de": ("Versicherungsbestätigung Krankenversicherung", "Versicherungsbescheinigung"),
    },
    "enrollment_letter": {
        "en": ("Certificate of enrolment", "Proof of registration", "Letter of admission"),
        "fr": ("Attestation d'inscription", "Attestation d'inscription régulière"),
        "nl": ("Inschrijvingsattest", "Inschrijvingsbewijs"),
        "de": ("Immatrikulationsbescheinigung", "Studienbescheinigung"),
    },
    "birth_certificate": {
        "en": ("Birth certificate", "Certificate of birth", "Certified copy of an entry of birth"),
        "fr": ("Extrait d'acte de naissance", "Acte de naissance", "Copie intégrale d'acte de naissance"),
        "nl": ("Uittreksel uit de geboorteakte", "Geboorteakte"),
        "de": ("Geburtsurkunde", "Auszug aus dem Geburtenregister"),
        "es": ("Certificado literal de nacimiento", "Acta de nacimiento", "Partida de nacimiento"),
        "it": ("Estratto dell'atto di nascita", "Certificato di nascita"),
        "pt": ("Certidão de nascimento", "Certidão de nascimento (cópia integral)"),
    },
}
"""Titles per type and language (DOCUMENTS.md C); index 0 is the original generator's."""

CLOSINGS: dict[str, dict[str, str]] = {
    "place": {
        "en": "Issued at {city} on {date}",
        "fr": "Fait à {city}, le {date}",
        "nl": "Gedaan te {city} op {date}",
        "de": "{city}, den {date}",
        "es": "{city}, a {date}",
        "it": "{city}, lì {date}",
        "pt": "{city}, {date}",
    },
    "done": {
        "en": "Done on {date}",
        "fr": "Fait le {date}",
        "nl": "Gedaan op {date}",
        "de": "Ausgestellt am {date}",
        "es": "Firmado en {city}, el {date}",
        "it": "Rilasciato il {date}",
        "pt": "Emitido em {date}",
    },
    "dateline": {
        "en": "Date: {date}",
        "fr": "Date : {date}",
        "nl": "Datum: {date}",
        "de": "Datum: {date}",
        "es": "Fecha: {date}",
        "it": "Data: {date}",
        "pt": "Data: {date}",
    },
}
"""Closing lines (the issue or signature date) per style and language (DOCUMENTS.md A.1)."""


def title(doc_type: str, lang: str, family: Family, default: str) -> str:
    """The family's title for a document type in a language (``default`` when none is listed)."""
    options = TITLES.get(doc_type, {}).get(lang)
    return options[family.title % len(options)] if options else default


def closing(family: Family, lang: str) -> str:
    """The family's closing-line template (``{city}``, ``{date}``) in a language."""
    return CLOSINGS[family.closing].get(lang, CLOSINGS["place"]["en"])
