"""Tests of page classification and grouping (DOCUMENTS.md C), on OCR-like texts with noise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model import DocType, Page, PageMrz, Rejection, RejectionCode
from pipeline.mrz import parse_mrz
from pipeline.stages.classify import PageClass, classify_page, detect_mrz, group_documents
from pipeline.text import detect_language


def page(text: str, number: int = 1, **kwargs: object) -> Page:
    return Page(file="scan.pdf", sha256="0" * 64, number=number, text=text, **kwargs)  # type: ignore[arg-type]


CRIMINAL_BE_FR = """ROYAUME DE BELGIQUE         SPF Justice
Commune de Schaerbeek - Service Population
EXTRAIT DU CASIER JUDICIAIRE
(Article 595 du Code d'instruction criminelle)
Nom : DUPONT      Prenoms : Marie Claire
Ne(e) le 14/02/1990 a Liege
Adresse : Rue de la Loi 16, 1000 Bruxelles
Demande du 02/03/2027
Condamnations : NEANT
Delivre a Schaerbeek le 05/03/2027
Pour le Bourgmestre, l'Officier de l'Etat civil  (sceau)
"""

CRIMINAL_NL = """FOD Justitie - Centraal Strafregister
UITTREKSEL UIT HET STRAFREGISTER
Model 595  ,
Naam: JANSSENS  Voornamen: Pieter
Geboren op 03-11-1988 te Gent
Veroordelingen: nihil
Afgegeven op 12-03-2027 te Gent
"""

CRIMINAL_DE = """Bundesamt fur Justiz
- Bundeszentralregister -
53094 Bonn
FUHRUNGSZEUGNIS
zur Vorlage bei einer Behorde (Belegart O)
Geburtsname: Muller   Vorname: Anna
Geburtsdatum: 21.07.1991
Inhalt: Keine Eintragung
Bonn, den 12. März 2027
"""

CRIMINAL_ES = """MINISTERIO DE JUSTICIA
Registro Central de Penados
CERTIFICADO DE ANTECEDENTES PENALES
D./Dna. GARCIA LOPEZ, Lucia  nacida el 5 de mayo de 1992
CERTIFICO: que en el Registro Central de Penados NO FIGURAN ANTECEDENTES PENALES
Expedido en Madrid el 12 de marzo de 2027
"""

CRIMINAL_IT = """Ministero della Giustizia - Ufficio del Casellario
CERTIFICATO DEL CASELLARIO GIUDIZIALE
(art. 24 del D.P.R. 313/2002)
Cognome ROSSI Nome Marco nato il 14/02/1985 a Napoli
NULLA
Roma, 12/03/2027      rilasciato il 12/03/2027
"""

CRIMINAL_PT = """REPUBLICA PORTUGUESA - MINISTERIO DA JUSTICA
Direcao-Geral da Administracao da Justica
CERTIFICADO DE REGISTO CRIMINAL
Nome: Joao Pereira da Silva, nascido em 02-01-1990
Nada consta.
Emitido em 12 de março de 2027
"""

CRIMINAL_IN = """Government of India  Ministry of External Affairs
Passport Seva
POLICE CLEARANCE CERTIFICATE
PCC No. PCC2027/1234  File No. BN1065 ,
This is to certify that Mr. Ravi SHARMA son of Anil Sharma holder of Indian Passport No. Z1234567
issued at Bengaluru on 01/02/2020 has no adverse record
Date of issue: 12/03/2027
"""

APOSTILLE_UK = """APOSTILLE
(Convention de La Haye du 5 octobre 1961)
1. Country: United Kingdom of Great Britain and Northern Ireland
This public document
2. has been signed by J. Smith
3. acting in the capacity of Disclosure Officer, ACRO Criminal Records Office
4. bears the seal/stamp of ACRO Criminal Records Office
Certified
5. at London          6. the 17 September 2026
7. by Her Majesty's Principal Secretary of State for Foreign and Commonwealth Affairs
8. Number APO-12345678
9. Seal/stamp         10. Signature
"""

APOSTILLE_NL = """APOSTILLE
(Convention de La Haye du 5 octobre 1961)
1. Land: Koninkrijk der Nederlanden / Nederland
Deze openbare akte
2. is ondertekend door M. de Vries
3. handelende in de hoedanigheid van ambtenaar van de burgerlijke stand
4. is voorzien van het zegel/stempel van de gemeente Utrecht
Voor echt verklaard
5. te Utrecht   6. de 14-03-2027
7. door de griffier van de rechtbank Midden-Nederland
8. onder nr. 2027/4567
"""

TRANSLATION_FR = """TRADUCTION JUREE DE L'ANGLAIS
[Traduction d'un certificat de police - Police Clearance Certificate]
GOUVERNEMENT DE L'INDE - MINISTERE DES AFFAIRES ETRANGERES
CERTIFICAT DE BONNE CONDUITE (POLICE CLEARANCE CERTIFICATE)
Il est certifie que M. Ravi SHARMA n'a aucun antecedent defavorable.
Date de delivrance : 12/03/2027
Je soussigne, Jean Martin, traducteur jure pres le tribunal de premiere instance de Bruxelles,
certifie que la traduction qui precede est conforme a l'original redige en anglais.
Fait a Bruxelles le 20 mars 2027
"""

TRANSLATION_NL_OF_APOSTILLE = """BEEDIGDE VERTALING UIT HET ENGELS
APOSTILLE (Verdrag van 's-Gravenhage van 5 oktober 1961)
1. Land: Verenigd Koninkrijk
2. is ondertekend door J. Smith
3. handelende in de hoedanigheid van Disclosure Officer
Ik, ondergetekende, An Peeters, beedigd vertaler, verklaar dat deze vertaling getrouw en volledig is.
Gedaan te Antwerpen op 21-03-2027
"""

APOSTILLE_ON_TRANSLATION = """APOSTILLE
(Convention de La Haye du 5 octobre 1961)
1. Country: Belgium / Pays : Belgique
2. has been signed by An Peeters
3. acting in the capacity of sworn translator / traducteur jure
4. bears the seal/stamp of the Court of First Instance Antwerp
5. at Brussels 6. the 25/03/2027
"""

MEDICAL_FR = """CERTIFICAT MEDICAL
(modele prevu par l'article 10 de la loi du 15 decembre 1980)
Je soussigne, Dr. Luc Lambert, docteur en medecine, INAMI 1-23456-78-901,
certifie que M. Ravi SHARMA, ne le 04/05/1990,
n'est atteint d'aucune des maladies pouvant mettre en danger la sante publique
enumerees a l'annexe de la loi du 15 decembre 1980.
Fait a Bruxelles le 02/04/2027         Signature et cachet du medecin
"""

EMPLOYMENT_NL = """ARBEIDSOVEREENKOMST VOOR BEDIENDEN VAN ONBEPAALDE DUUR
Tussen de ondergetekenden:
De werkgever: Acme Belgium NV, ondernemingsnummer 0123.456.789, Paritair comite 200
en de werknemer: Ravi Sharma, geboren op 04-05-1990
Artikel 1. De werknemer treedt in dienst op 01-09-2027.
Artikel 2. Bruto jaarloon: EUR 62.000
pagina 1 / 3
"""

EMPLOYMENT_NL_P2 = """Artikel 3. De arbeidsduur bedraagt 38 uur per week, verdeeld over vijf dagen.
Artikel 4. De opzeggingstermijnen worden bepaald overeenkomstig de wet van 3 juli 1978.
Artikel 5. Het reglement is van toepassing en werd ontvangen door de partijen.
pagina 2 / 3
"""

LEASE_DE = """MIETVERTRAG fur Wohnraum
zwischen Herrn Klaus Becker (Vermieter) und Frau Anna Muller (Mieter)
§1 Mietsache: Wohnung Rue Haute 12, 4700 Eupen
§2 Mietbeginn: 01.10.2027  Laufzeit: 3 Jahre
§3 Miete: 850,00 EUR monatlich
Eupen, den 15.08.2027
"""

BANK_EN = """KBC Bank NV   Havenlaan 2, 1080 Brussels
ACCOUNT STATEMENT No. 3/2027
IBAN BE68 5390 0754 7034   BIC KREDBEBB
Statement period 01/02/2027 - 28/02/2027
Opening balance 12,450.00 EUR
03/02 SALARY ACME  +4,100.00
Closing balance 15,210.55 EUR
"""

HEALTH_FR = """Mutualite Chretienne
ATTESTATION D'ASSURANCE SOINS DE SANTE
Nous certifions que M. Ravi SHARMA est affilie aupres de notre mutualite.
Periode de couverture : du 01/01/2027 au 31/12/2027
Montant de couverture : 30.000,00 EUR  Rapatriement inclus
Fait a Bruxelles le 10/01/2027
"""

ENROLMENT_EN = """KU LEUVEN   Admissions Office
LETTER OF ADMISSION
Dear Ms. Li Wei,
We are pleased to inform you that you have been admitted to the Master of Science in Engineering
for the academic year 2027-2028 as a full-time student. Classes start on 20 September 2027.
Leuven, 15 May 2027
"""

BIRTH_ES = """REGISTRO CIVIL
CERTIFICADO DE NACIMIENTO
Nombre: Lucia Garcia Lopez  Fecha de nacimiento: 05/05/1992
Expedido en Bogota el 10 de enero de 2027
"""

MARRIAGE_FR = """ROYAUME DU MAROC
EXTRAIT D'ACTE DE MARIAGE
Date du mariage : 12/06/2020
Delivre le 10/01/2027
"""

PASSPORT_IN = """REPUBLIC OF INDIA  भारत गणराज्य
PASSPORT
Type / Code / Passport No.
P   IND   Z1234567
Surname  SHARMA
Given Name(s)  RAVI
Nationality INDIAN   Sex M   Date of Birth 04/05/1990
Date of Issue 13/03/2021    Date of Expiry 12/03/2031
P<INDSHARMA<<RAVI<<<<<<<<<<<<<<<<<<<<<<<<<<<<
Z1234567<8IND9005044M3103126<<<<<<<<<<<<<<02
"""

ID_FRONT_BE = """BELGIE BELGIQUE BELGIEN BELGIUM
IDENTITEITSKAART CARTE D'IDENTITE PERSONALAUSWEIS IDENTITY CARD
Naam / Name
SPECIMEN
Voornamen / Given names
Anna
Geslacht / Sex  V/F   Nationaliteit / Nationality  BEL
"""

ID_FRONT_WEAK = """Name SPECIMEN
Given names Anna
Nationality BEL   Sex F
Date of birth 28 02 1995
"""

ID_BACK_TD1 = """Geboorteplaats / Place of birth  Brussel
IDBEL000001115<7027<<<<<<<<<<<
9502286F3001064BEL950228998747
SPECIMEN<<SPECIMEN<<<<<<<<<<<<
"""

RESIDENCE_FRONT = """BELGIE  VERBLIJFSTITEL
A. BEPERKT VERBLIJF
Naam  SHARMA   Voornamen  RAVI
Geldig van 01-01-2027 tot 31-12-2027
"""

RESIDENCE_BACK = """IRBEL123456789<5<<<<<<<<<<<<<<
9005044M2712312IND<<<<<<<<<<<2
SHARMA<<RAVI<<<<<<<<<<<<<<<<<<<
"""


@pytest.mark.parametrize(
    ("text", "expected", "language"),
    [
        (CRIMINAL_BE_FR, DocType.CRIMINAL_RECORD, "fr"),
        (CRIMINAL_NL, DocType.CRIMINAL_RECORD, "nl"),
        (CRIMINAL_DE, DocType.CRIMINAL_RECORD, "de"),
        (CRIMINAL_ES, DocType.CRIMINAL_RECORD, "es"),
        (CRIMINAL_IT, DocType.CRIMINAL_RECORD, "it"),
        (CRIMINAL_PT, DocType.CRIMINAL_RECORD, "pt"),
        (CRIMINAL_IN, DocType.CRIMINAL_RECORD, "en"),
        (APOSTILLE_UK, DocType.APOSTILLE, "en"),
        (APOSTILLE_NL, DocType.APOSTILLE, "nl"),
        (TRANSLATION_FR, DocType.TRANSLATION, "fr"),
        (TRANSLATION_NL_OF_APOSTILLE, DocType.TRANSLATION, "nl"),
        (APOSTILLE_ON_TRANSLATION, DocType.APOSTILLE, None),
        (MEDICAL_FR, DocType.MEDICAL_CERTIFICATE, "fr"),
        (EMPLOYMENT_NL, DocType.EMPLOYMENT_CONTRACT, "nl"),
        (LEASE_DE, DocType.LEASE_AGREEMENT, "de"),
        (BANK_EN, DocType.BANK_STATEMENT, None),
        (HEALTH_FR, DocType.HEALTH_INSURANCE, "fr"),
        (ENROLMENT_EN, DocType.ENROLLMENT_LETTER, "en"),
        (BIRTH_ES, DocType.BIRTH_CERTIFICATE, None),
        (MARRIAGE_FR, DocType.MARRIAGE_CERTIFICATE, None),
        (PASSPORT_IN, DocType.PASSPORT, None),
        (ID_FRONT_BE, DocType.ID_CARD, None),
        (ID_BACK_TD1, DocType.ID_CARD, None),
        (RESIDENCE_FRONT, DocType.RESIDENCE_CARD, None),
        (RESIDENCE_BACK, DocType.RESIDENCE_CARD, None),
    ],
)
def test_classify_types_and_languages(text: str, expected: DocType, language: str | None) -> None:
    cls = classify_page(page(text))
    assert cls.type is expected, cls
    assert 0.0 <= cls.confidence <= 1.0 and cls.confidence >= 0.5
    assert cls.cues
    if language is not None:
        assert cls.language == language


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Police clearance certificate", DocType.CRIMINAL_RECORD),
        ("Uittreksel uit het strafregister", DocType.CRIMINAL_RECORD),
        ("Europäisches Führungszeugnis", DocType.CRIMINAL_RECORD),
        ("Certificado de antecedentes penales", DocType.CRIMINAL_RECORD),
        ("Certificato del casellario giudiziale", DocType.CRIMINAL_RECORD),
        ("Certificado de registo criminal", DocType.CRIMINAL_RECORD),
        ("Medisch attest", DocType.MEDICAL_CERTIFICATE),
        ("Ärztliches Attest", DocType.MEDICAL_CERTIFICATE),
        ("Contrat de travail d'employé", DocType.EMPLOYMENT_CONTRACT),
        ("Arbeitsvertrag", DocType.EMPLOYMENT_CONTRACT),
        ("Contrat de bail de résidence principale", DocType.LEASE_AGREEMENT),
        ("Huurovereenkomst", DocType.LEASE_AGREEMENT),
        ("Extrait de compte", DocType.BANK_STATEMENT),
        ("Kontoauszug", DocType.BANK_STATEMENT),
        ("Versicherungsbestätigung Krankenversicherung", DocType.HEALTH_INSURANCE),
        ("Attestation d'inscription - année académique 2027-2028", DocType.ENROLLMENT_LETTER),
        ("Immatrikulationsbescheinigung", DocType.ENROLLMENT_LETTER),
        ("Geboorteakte", DocType.BIRTH_CERTIFICATE),
        ("Heiratsurkunde", DocType.MARRIAGE_CERTIFICATE),
        ("Beglaubigte Übersetzung aus dem Französischen", DocType.TRANSLATION),
        ("Titre de séjour - carte A", DocType.RESIDENCE_CARD),
        # Other wordings of the same documents (an issuer's or renderer's own titles, not our generator's).
        ("Rekeningafschrift nr. 12", DocType.BANK_STATEMENT),
        ("Relevé bancaire mensuel", DocType.BANK_STATEMENT),
        ("Attestation de solde", DocType.BANK_STATEMENT),
        ("Police Character Certificate", DocType.CRIMINAL_RECORD),
        ("Polizeiliches Führungszeugnis", DocType.CRIMINAL_RECORD),
        ("Certificat de bonne santé", DocType.MEDICAL_CERTIFICATE),
        ("Gesundheitszeugnis", DocType.MEDICAL_CERTIFICATE),
        ("Employment Agreement", DocType.EMPLOYMENT_CONTRACT),
        ("Anstellungsvertrag", DocType.EMPLOYMENT_CONTRACT),
        ("Rental Agreement", DocType.LEASE_AGREEMENT),
        ("Contrat de location", DocType.LEASE_AGREEMENT),
        ("Huurcontract", DocType.LEASE_AGREEMENT),
        ("Proof of insurance", DocType.HEALTH_INSURANCE),
        ("Verzekeringsbewijs", DocType.HEALTH_INSURANCE),
        ("Confirmation of Enrolment", DocType.ENROLLMENT_LETTER),
        ("Attestation de scolarité", DocType.ENROLLMENT_LETTER),
    ],
)
def test_titles_in_several_languages(title: str, expected: DocType) -> None:
    text = f"{title}\nRef. 2027/118 ,.\nSome body text with a date 12/03/2027 and noise ~~ |"
    assert classify_page(page(text)).type is expected


def test_translation_wins_over_the_title_it_translates() -> None:
    cls = classify_page(page(TRANSLATION_FR))
    assert cls.type is DocType.TRANSLATION
    assert any("TRADUCTION" in c.upper() for c in cls.cues)


def test_apostille_wins_over_the_certified_document_and_translator_capacity() -> None:
    assert classify_page(page(APOSTILLE_UK)).type is DocType.APOSTILLE  # mentions Criminal Records
    assert classify_page(page(APOSTILLE_ON_TRANSLATION)).type is DocType.APOSTILLE  # mentions sworn translator


def test_footnote_mentioning_apostille_does_not_make_an_apostille() -> None:
    text = CRIMINAL_IN + "\nNote: for use abroad this certificate must be legalised by apostille.\n"
    assert classify_page(page(text)).type is DocType.CRIMINAL_RECORD


def test_mrz_only_passport_page() -> None:
    mrz = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    cls = classify_page(page(mrz))
    assert (cls.type, cls.mrz) == (DocType.PASSPORT, "TD3") and cls.confidence >= 0.7


def test_mrz_with_ocr_spaces_and_guillemets() -> None:
    mrz = "P<UTO ERIKSSON<<ANNA<MARIA««««««««««««««««««««\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    assert detect_mrz(mrz) == "TD3"


def test_reader_mrz_flag_without_text() -> None:
    assert classify_page(page(""), has_mrz=True).type is DocType.PASSPORT
    assert classify_page(page(""), has_mrz=True, mrz_format="TD1").type is DocType.ID_CARD
    assert classify_page(page("")).type is DocType.OTHER


def test_unknown_page_is_other_with_low_confidence() -> None:
    cls = classify_page(page("Lorem ipsum dolor sit amet, consectetur adipiscing elit."))
    assert cls.type is DocType.OTHER and cls.confidence < 0.3


def test_continuation_page() -> None:
    cls = classify_page(page(EMPLOYMENT_NL_P2, 2))
    assert cls.continuation


def test_detect_language() -> None:
    assert detect_language("Der Antrag wurde von der Behörde mit dem Siegel versehen und ist gültig.") == "de"
    assert detect_language("Il presente certificato è rilasciato per uso amministrativo e non per la vendita.") == "it"
    assert detect_language("123 456") is None


def _group(*texts: str, rejected: tuple[int, ...] = ()) -> list[tuple[DocType, tuple[int, ...]]]:
    blur = (Rejection(RejectionCode.BLURRY, "blurry", {"metric": 12.0}),)
    pages = [page(t, i + 1, rejections=blur if i + 1 in rejected else ()) for i, t in enumerate(texts)]
    docs = group_documents(pages, [classify_page(p) for p in pages])
    return [(d.type, d.pages) for d in docs]


def test_certificate_apostille_translation_pdf_gives_three_documents() -> None:
    assert _group(CRIMINAL_IN, APOSTILLE_UK, TRANSLATION_FR, TRANSLATION_NL_OF_APOSTILLE) == [
        (DocType.CRIMINAL_RECORD, (1,)),
        (DocType.APOSTILLE, (2,)),
        (DocType.TRANSLATION, (3, 4)),
    ]


def test_id_card_front_and_back_are_one_document() -> None:
    assert _group(ID_FRONT_BE, ID_BACK_TD1) == [(DocType.ID_CARD, (1, 2))]
    assert _group(ID_FRONT_WEAK, ID_BACK_TD1) == [(DocType.ID_CARD, (1, 2))]
    assert _group("BELGIE BELGIQUE\n~~ photo ~~", ID_BACK_TD1) == [(DocType.ID_CARD, (1, 2))]


def test_residence_card_front_and_back_are_one_document() -> None:
    assert _group(RESIDENCE_FRONT, RESIDENCE_BACK) == [(DocType.RESIDENCE_CARD, (1, 2))]


def test_continuation_pages_join_the_document() -> None:
    assert _group(EMPLOYMENT_NL, EMPLOYMENT_NL_P2, LEASE_DE) == [
        (DocType.EMPLOYMENT_CONTRACT, (1, 2)),
        (DocType.LEASE_AGREEMENT, (3,)),
    ]


def test_rejected_pages_still_become_documents() -> None:
    blur = (Rejection(RejectionCode.BLURRY, "blurry", {"metric": 12.0}),)
    pages = [page(MEDICAL_FR, 1), page("", 2, rejections=blur)]
    docs = group_documents(pages, [classify_page(p) for p in pages])
    assert [(d.type, d.pages, d.accepted) for d in docs] == [
        (DocType.MEDICAL_CERTIFICATE, (1,), True),
        (DocType.OTHER, (2,), False),
    ]
    assert docs[1].rejections == blur and docs[1].type_confidence < 0.2


def test_rejected_page_between_pages_of_one_document_joins_it() -> None:
    p1 = EMPLOYMENT_NL
    p3 = "ARBEIDSOVEREENKOMST (vervolg)\nHandtekening werkgever ... werknemer\npagina 3 / 3"
    assert _group(p1, "", p3, rejected=(2,)) == [(DocType.EMPLOYMENT_CONTRACT, (1, 2, 3))]


def test_document_language_and_cues() -> None:
    pages = [page(TRANSLATION_FR, 1), page(TRANSLATION_NL_OF_APOSTILLE, 2)]
    pages.append(
        page("Traduction jurée - suite\nJe soussigné certifie que la traduction est conforme à l'original.", 3)
    )
    (doc,) = group_documents(pages, [classify_page(p) for p in pages])
    assert doc.language == "fr" and doc.type is DocType.TRANSLATION
    assert doc.fields == {} and len(doc.cues) >= 2 and doc.ref == "scan.pdf#1"


def test_group_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="one PageClass per page"):
        group_documents([page("x")], [])


def test_pageclass_is_frozen() -> None:
    cls = PageClass(DocType.OTHER, 0.1)
    with pytest.raises(AttributeError):
        cls.type = DocType.PASSPORT  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("~ ROYAUME DE BELGIQUE ,\nEXTRA1T DU CAS1ER JUDIC1AIRE\nNom : X  Ne le 0l/02/1990\n", DocType.CRIMINAL_RECORD),
        ("'. P0LICE  CLEARANCE\nCERTIF1CATE |\nNo adverse record\n", DocType.CRIMINAL_RECORD),
        ("MED1SCH ATTEST\nwet van l5 december 1980 .. volksgezondheid", DocType.MEDICAL_CERTIFICATE),
        (
            "APOST1LLE\n(Convention de La Haye du 5 octobre l961)\n1. Country: India\n2. has been signed by",
            DocType.APOSTILLE,
        ),
    ],
)
def test_ocr_noise_in_titles(text: str, expected: DocType) -> None:
    assert classify_page(page(text)).type is expected


def test_mrz_lines_from_the_reader_are_used() -> None:
    p = Page(
        file="id.jpg",
        sha256="0" * 64,
        number=1,
        text="~~ illegible ~~",
        mrz=PageMrz(parse_mrz(
            "IDBEL000001115<7027<<<<<<<<<<<\n9502286F3001064BEL950228998747\nSPECIMEN<<SPECIMEN<<<<<<<<<<<<"
        ), None, 1.0),
    )
    cls = classify_page(p)
    assert (cls.type, cls.mrz) == (DocType.ID_CARD, "TD1")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=120), min_size=1, max_size=4), st.booleans())
def test_classify_and_group_never_raise(texts: list[str], has_mrz: bool) -> None:
    pages = [page(t, i + 1) for i, t in enumerate(texts)]
    classes = [classify_page(p, has_mrz=has_mrz) for p in pages]
    docs = group_documents(pages, classes)
    assert sorted(n for d in docs for n in d.pages) == [p.number for p in pages]
    assert all(0.0 <= c.confidence <= 1.0 for c in classes)
