"""Tables of the Belgian pack: country groups, authentication routes and the document checklist."""

from __future__ import annotations

import dataclasses

from pipeline.model import IDENTITY_TYPES, Category, DocType
from validators.applicants import FIRST_ADMISSION, Applicant

A = Applicant
T = DocType


def _codes(text: str) -> frozenset[str]:
    """A set of ICAO codes from a space-separated table."""
    return frozenset(text.split())


EU_MEMBERS = _codes(
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT ROU SVK SVN ESP SWE"
)
"""EU Member States (ICAO codes; Germany's MRZ code ``D`` is normalised to ``DEU`` first)."""
EEA_CH = EU_MEMBERS | {"ISL", "LIE", "NOR", "CHE"}
"""Nationalities that register as EU citizens (Annex 19)."""

APOSTILLE_PARTIES = EU_MEMBERS | _codes(
    "ALB AND ARG ARM AUS AZE BHS BRB BLR BLZ BIH BWA BRA BRN BDI CPV CAN CHL CHN COL COK CRI DMA DOM ECU "
    "SLV SWZ FJI GEO GRD GTM GUY HND HKG ISL IND IDN ISR JPN KAZ KOR KGZ LSO LBR LIE MAC MWI MHL MUS MEX "
    "MDA MCO MNG MNE MAR NAM NZL NIU MKD NOR OMN PAK PLW PAN PRY PER PHL RUS KNA LCA VCT WSM SMR STP SAU "
    "SYC SRB ZAF SUR CHE TJK TON TTO TUN TUR UKR GBR USA URY UZB VUT VEN RWA SGP BOL"
)
"""Parties to the Hague Apostille Convention (pack table; verify against the HCCH status table)."""
BELGIAN_OBJECTIONS = frozenset({"DOM"})
"""Accessions Belgium objected to: documents still need legalisation (AGII-APO)."""
REG_2016_1191_TYPES = frozenset({T.CRIMINAL_RECORD, T.BIRTH_CERTIFICATE, T.MARRIAGE_CERTIFICATE})
"""Public documents exempt from apostille between Member States (REG-2016-1191)."""
CRIMINAL_RECORD_EXEMPT = frozenset({"USA", "ISR"})
"""Criminal records exempt from legalisation (DVZ-CR NL guide)."""
PUBLIC_DOCUMENTS = REG_2016_1191_TYPES
"""Foreign public documents that need authentication (§7)."""

IDENTITY = IDENTITY_TYPES
ATTACHMENTS = frozenset({T.APOSTILLE, T.TRANSLATION})
"""Documents that belong to another document in the same file."""
MEANS = frozenset({T.BANK_STATEMENT, T.EMPLOYMENT_CONTRACT})
RENEWAL_BASIS: dict[Category | None, frozenset[DocType]] = {
    Category.SINGLE_PERMIT: frozenset({T.EMPLOYMENT_CONTRACT}),
    Category.BLUE_CARD: frozenset({T.EMPLOYMENT_CONTRACT}),
    Category.PROFESSIONAL_CARD: frozenset({T.BANK_STATEMENT, T.OTHER}),
    Category.STUDENT: frozenset({T.ENROLLMENT_LETTER}),
    Category.FAMILY_REUNIFICATION: frozenset({T.MARRIAGE_CERTIFICATE, T.BIRTH_CERTIFICATE}),
    None: frozenset({T.EMPLOYMENT_CONTRACT, T.ENROLLMENT_LETTER, T.BANK_STATEMENT}),
}
"""Proof that the basis of stay continues, by the category of the card renewed (§14)."""
UNCONDITIONAL_CARDS = frozenset({"B", "K", "L", "D", "C"})
"""Cards "renewed without any conditions" (004): no proof of the basis of stay."""

EU_BASIS_DOCUMENTS: dict[str, tuple[frozenset[DocType], ...] | None] = {
    "worker": (frozenset({T.EMPLOYMENT_CONTRACT}),),
    "student": (frozenset({T.ENROLLMENT_LETTER}), frozenset({T.BANK_STATEMENT}), frozenset({T.HEALTH_INSURANCE})),
    "self_sufficient": (frozenset({T.BANK_STATEMENT}), frozenset({T.HEALTH_INSURANCE})),
    "family": (frozenset({T.MARRIAGE_CERTIFICATE, T.BIRTH_CERTIFICATE}),),
    "self_employed": None,
    "jobseeker": None,
}
"""Documents per EU basis of residence (§4); None = not checkable from the document types."""


@dataclasses.dataclass(frozen=True, slots=True)
class Requirement:
    """One line of the category checklist (RULES.md §1 table)."""

    label: str
    types: frozenset[DocType]
    """Any of these types satisfies the requirement."""
    applies_to: frozenset[Applicant]
    severity: str = "BBB"
    """Per profile, as in :func:`validators.registry.parse_severity`."""
    needs_exam: bool = False
    """Only where the criminal record and medical certificate are examined (visa stage, or an
    in-country application; adults only for the criminal record)."""


def _req(
    label: str, types: set[DocType], who: set[Applicant], severity: str = "BBB", exam: bool = False
) -> Requirement:
    return Requirement(label, frozenset(types), frozenset(who), severity, exam)


_FIRST = set(FIRST_ADMISSION)
CHECKLIST = (
    _req("passport", {T.PASSPORT}, _FIRST | {A.RENEWAL, A.LONG_TERM_RESIDENT, A.LTR_SECOND_STATE}),
    _req("criminal record certificate", {T.CRIMINAL_RECORD}, _FIRST | {A.LTR_SECOND_STATE}, exam=True),
    _req("criminal record extract", {T.CRIMINAL_RECORD}, {A.LONG_TERM_RESIDENT}),
    _req("medical certificate", {T.MEDICAL_CERTIFICATE}, _FIRST, exam=True),
    _req("medical certificate", {T.MEDICAL_CERTIFICATE}, {A.LTR_SECOND_STATE}, "WWW", exam=True),
    _req("proof of accommodation", {T.LEASE_AGREEMENT}, _FIRST | {A.RENEWAL, A.LTR_SECOND_STATE}),
    _req("employment contract", {T.EMPLOYMENT_CONTRACT}, {A.SINGLE_PERMIT, A.BLUE_CARD}),
    _req("proof of means", {T.BANK_STATEMENT}, {A.PROFESSIONAL_CARD, A.STUDENT}),
    _req("proof of means", set(MEANS), {A.FAMILY_REUNIFICATION, A.LONG_TERM_RESIDENT, A.LTR_SECOND_STATE}),
    _req("enrolment letter", {T.ENROLLMENT_LETTER}, {A.STUDENT}),
    _req(
        "civil status document proving the family link",
        {T.MARRIAGE_CERTIFICATE, T.BIRTH_CERTIFICATE},
        {A.FAMILY_REUNIFICATION},
    ),
    _req(
        "health insurance",
        {T.HEALTH_INSURANCE},
        {A.STUDENT, A.FAMILY_REUNIFICATION, A.LONG_TERM_RESIDENT, A.LTR_SECOND_STATE},
    ),
    _req(
        "health insurance", {T.HEALTH_INSURANCE}, {A.SINGLE_PERMIT, A.BLUE_CARD, A.PROFESSIONAL_CARD, A.RENEWAL}, "WWW"
    ),
    _req("current residence card", {T.RESIDENCE_CARD}, {A.RENEWAL}),
)
"""Required documents per applicant (RULES.md §1, §10, §14). The renewal basis is added from
:data:`RENEWAL_BASIS`; EU citizens' documents are checked by ``eu.identity-document`` and
``eu.basis-of-residence``."""
