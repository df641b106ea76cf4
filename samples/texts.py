"""Per-language wording of the sample documents (titles and key phrases from DOCUMENTS.md section C)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from samples.layouts import FAMILIES, Family, closing, title

Block = tuple[str, ...]

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
}
MONTH_ABBREVIATIONS = {  # as printed by each language's usual date formats (CLDR abbreviated months)
    "en": "Jan. Feb. Mar. Apr. May Jun. Jul. Aug. Sep. Oct. Nov. Dec.",
    "fr": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
    "nl": "jan. feb. mrt. apr. mei jun. jul. aug. sep. okt. nov. dec.",
    "de": "Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez.",
    "es": "ene. feb. mar. abr. may. jun. jul. ago. sept. oct. nov. dic.",
    "it": "gen. feb. mar. apr. mag. giu. lug. ago. set. ott. nov. dic.",
    "pt": "jan. fev. mar. abr. mai. jun. jul. ago. set. out. nov. dez.",
}
LANGUAGE_NAMES = {  # "translated from ..." in the translation's language
    "fr": {
        "en": "de l'anglais",
        "es": "de l'espagnol",
        "it": "de l'italien",
        "pt": "du portugais",
        "de": "de l'allemand",
    },
    "nl": {"en": "het Engels", "es": "het Spaans", "it": "het Italiaans", "pt": "het Portugees", "de": "het Duits"},
}


@dataclasses.dataclass(frozen=True)
class Person:
    """An applicant (or a relative) as printed on their documents."""

    surname: str
    given_names: str
    sex: str
    birth_date: dt.date
    birth_place: str
    nationality: str


@dataclasses.dataclass(frozen=True)
class Country:
    """An issuing state: name as printed, main language for its certificates, names for people."""

    code: str
    iso2: str
    name: str
    language: str
    city: str
    adjective: str
    eu: bool
    surnames: tuple[str, ...]
    male: tuple[str, ...]
    female: tuple[str, ...]

    @property
    def code_label(self) -> str:
        """Nationality as printed on a card (``D`` shows as ``DEUTSCH``)."""
        return self.adjective.upper()


def _c(code: str, iso2: str, name: str, lang: str, city: str, adj: str, eu: bool, names: str) -> Country:
    surnames, male, female = (tuple(part.split(",")) for part in names.split("|"))
    return Country(code, iso2, name, lang, city, adj, eu, surnames, male, female)


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        _c(
            "IND",
            "IN",
            "Republic of India",
            "en",
            "New Delhi",
            "Indian",
            False,
            "Sharma,Iyer,Patel,Reddy,Nair|Arjun,Rahul,Vikram|Priya,Ananya,Meera",
        ),
        _c(
            "MAR",
            "MA",
            "Royaume du Maroc",
            "fr",
            "Rabat",
            "Marocaine",
            False,
            "El Amrani,Benali,Ouazzani,Tahiri|Youssef,Karim,Omar|Salma,Imane,Nadia",
        ),
        _c(
            "BRA",
            "BR",
            "República Federativa do Brasil",
            "pt",
            "Brasília",
            "Brasileira",
            False,
            "Silva,Oliveira,Santos,Pereira|João,Lucas,Rafael|Ana,Beatriz,Juliana",
        ),
        _c(
            "COL",
            "CO",
            "República de Colombia",
            "es",
            "Bogotá",
            "Colombiana",
            False,
            "Rodríguez,Gómez,Martínez,Restrepo|Andrés,Santiago,Felipe|Valentina,Camila,Laura",
        ),
        _c(
            "PER",
            "PE",
            "República del Perú",
            "es",
            "Lima",
            "Peruana",
            False,
            "Quispe,Flores,Huamán,Vargas|Diego,Luis,Jorge|Lucía,Rosa,María",
        ),
        _c(
            "PHL",
            "PH",
            "Republic of the Philippines",
            "en",
            "Manila",
            "Filipino",
            False,
            "Santos,Reyes,Cruz,Bautista|Jose,Mark,Paolo|Maria,Kristine,Angelica",
        ),
        _c(
            "CHN",
            "CN",
            "People's Republic of China",
            "en",
            "Beijing",
            "Chinese",
            False,
            "Wang,Li,Zhang,Liu,Chen|Wei,Jun,Hao|Xiu Ying,Mei,Li Na",
        ),
        _c(
            "USA",
            "US",
            "United States of America",
            "en",
            "Washington",
            "American",
            False,
            "Johnson,Miller,Davis,Garcia|Michael,David,James|Emily,Sarah,Jessica",
        ),
        _c(
            "ITA",
            "IT",
            "Repubblica Italiana",
            "it",
            "Roma",
            "Italiana",
            True,
            "Rossi,Bianchi,Esposito,Romano|Marco,Luca,Giuseppe|Giulia,Chiara,Francesca",
        ),
        _c(
            "D",
            "DE",
            "Bundesrepublik Deutschland",
            "de",
            "Berlin",
            "Deutsch",
            True,
            "Müller,Schmidt,Schneider,Weiß|Lukas,Jonas,Felix|Lena,Sophie,Anna",
        ),
        _c(
            "ESP",
            "ES",
            "Reino de España",
            "es",
            "Madrid",
            "Española",
            True,
            "García,Fernández,López,Sánchez|Pablo,Javier,Álvaro|Lucía,Marta,Elena",
        ),
        _c(
            "PRT",
            "PT",
            "República Portuguesa",
            "pt",
            "Lisboa",
            "Portuguesa",
            True,
            "Ferreira,Costa,Rodrigues,Almeida|Tiago,Miguel,Rui|Inês,Mariana,Catarina",
        ),
        _c(
            "BEL",
            "BE",
            "Royaume de Belgique",
            "fr",
            "Bruxelles",
            "Belge",
            True,
            "Peeters,Janssens,Dubois,Lambert|Thomas,Pieter,Nicolas|Marie,Elise,Charlotte",
        ),
    )
}

# Labels shared by all documents. Keys are used by render.py and compose().
VOCAB: dict[str, dict[str, str]] = {
    "en": dict(
        passport="Passport",
        observations="Observations",
        type="Type",
        code="Code",
        passport_no="Passport No.",
        surname="Surname",
        given_names="Given names",
        nationality="Nationality",
        birth_date="Date of birth",
        sex="Sex",
        birth_place="Place of birth",
        issue_date="Date of issue",
        authority="Authority",
        expiry_date="Date of expiry",
        id_card="Identity card",
        residence_card="Residence permit",
        doc_no="Document No.",
        card_type="Type of permit",
        request_date="Date of request",
        reference="Reference No.",
        issued_long="Issued at {city} on {date}",
        issued_short="Date of issue: {date}",
    ),
    "fr": dict(
        passport="Passeport",
        observations="Observations",
        type="Type",
        code="Code",
        passport_no="N° du passeport",
        surname="Nom",
        given_names="Prénoms",
        nationality="Nationalité",
        birth_date="Date de naissance",
        sex="Sexe",
        birth_place="Lieu de naissance",
        issue_date="Date de délivrance",
        authority="Autorité",
        expiry_date="Date d'expiration",
        id_card="Carte d'identité",
        residence_card="Titre de séjour",
        doc_no="N° du document",
        card_type="Type de titre",
        request_date="Date de la demande",
        reference="Référence n°",
        issued_long="Fait à {city}, le {date}",
        issued_short="Délivré le {date}",
    ),
    "nl": dict(
        passport="Paspoort",
        observations="Opmerkingen",
        type="Type",
        code="Code",
        passport_no="Paspoortnummer",
        surname="Naam",
        given_names="Voornamen",
        nationality="Nationaliteit",
        birth_date="Geboortedatum",
        sex="Geslacht",
        birth_place="Geboorteplaats",
        issue_date="Datum van afgifte",
        authority="Instantie",
        expiry_date="Vervaldatum",
        id_card="Identiteitskaart",
        residence_card="Verblijfstitel",
        doc_no="Documentnummer",
        card_type="Soort titel",
        request_date="Datum van de aanvraag",
        reference="Referentienummer",
        issued_long="Gedaan te {city} op {date}",
        issued_short="Afgegeven op {date}",
    ),
    "de": dict(
        passport="Reisepass",
        observations="Amtliche Vermerke",
        type="Typ",
        code="Kode",
        passport_no="Pass-Nr.",
        surname="Name",
        given_names="Vornamen",
        nationality="Staatsangehörigkeit",
        birth_date="Geburtsdatum",
        sex="Geschlecht",
        birth_place="Geburtsort",
        issue_date="Ausstellungsdatum",
        authority="Behörde",
        expiry_date="Gültig bis",
        id_card="Personalausweis",
        residence_card="Aufenthaltstitel",
        doc_no="Ausweisnummer",
        card_type="Art des Titels",
        request_date="Antragsdatum",
        reference="Aktenzeichen",
        issued_long="{city}, den {date}",
        issued_short="Ausgestellt am {date}",
    ),
    "es": dict(
        passport="Pasaporte",
        observations="Observaciones",
        type="Tipo",
        code="Código",
        passport_no="N.º de pasaporte",
        surname="Apellidos",
        given_names="Nombre",
        nationality="Nacionalidad",
        birth_date="Fecha de nacimiento",
        sex="Sexo",
        birth_place="Lugar de nacimiento",
        issue_date="Fecha de expedición",
        authority="Autoridad",
        expiry_date="Válido hasta",
        id_card="Documento nacional de identidad",
        residence_card="Permiso de residencia",
        doc_no="N.º de documento",
        card_type="Tipo",
        request_date="Fecha de solicitud",
        reference="N.º de referencia",
        issued_long="{city}, a {date}",
        issued_short="Fecha de expedición: {date}",
    ),
    "it": dict(
        passport="Passaporto",
        observations="Osservazioni",
        type="Tipo",
        code="Codice",
        passport_no="N. passaporto",
        surname="Cognome",
        given_names="Nome",
        nationality="Cittadinanza",
        birth_date="Data di nascita",
        sex="Sesso",
        birth_place="Luogo di nascita",
        issue_date="Data di rilascio",
        authority="Autorità",
        expiry_date="Scadenza",
        id_card="Carta d'identità",
        residence_card="Permesso di soggiorno",
        doc_no="N. documento",
        card_type="Tipo",
        request_date="Data della richiesta",
        reference="N. di riferimento",
        issued_long="{city}, lì {date}",
        issued_short="Data di rilascio: {date}",
    ),
    "pt": dict(
        passport="Passaporte",
        observations="Observações",
        type="Tipo",
        code="Código",
        passport_no="N.º do passaporte",
        surname="Apelido(s)",
        given_names="Nome(s) próprio(s)",
        nationality="Nacionalidade",
        birth_date="Data de nascimento",
        sex="Sexo",
        birth_place="Local de nascimento",
        issue_date="Data de emissão",
        authority="Autoridade",
        expiry_date="Válido até",
        id_card="Cartão de cidadão",
        residence_card="Autorização de residência",
        doc_no="N.º do documento",
        card_type="Tipo",
        request_date="Data do pedido",
        reference="N.º de referência",
        issued_long="{city}, {date}",
        issued_short="Data: {date}",
    ),
}

# Document wording: title, authority and body phrases per document type and language.
# Placeholders: {name} {birth} {place} {nat} {city} {start} {end} {amount} {number} {org} {other} {year}.
TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "criminal_record": {
        "en": dict(
            org="Criminal Records Office — Police Clearance Section",
            title="Police Clearance Certificate",
            body="This is to certify that, according to the records of this office, no criminal record "
            "exists against the person named below.",
            result="Result: NO RECORD",
        ),
        "fr": dict(
            org="Service du casier judiciaire central",
            title="Extrait du casier judiciaire",
            body="Le présent extrait certifie qu'aucune condamnation n'est inscrite au casier judiciaire "
            "au nom de la personne désignée ci-dessous (article 595 du Code d'instruction criminelle).",
            result="Condamnations : Néant",
        ),
        "nl": dict(
            org="Centraal Strafregister",
            title="Uittreksel uit het strafregister",
            body="Model 595 (artikel 595 van het Wetboek van strafvordering). Er komt geen veroordeling voor "
            "in het strafregister op naam van de hierna vermelde persoon.",
            result="Veroordelingen: Nihil",
        ),
        "de": dict(
            org="Bundesamt für Justiz — Bundeszentralregister",
            title="Führungszeugnis",
            body="Führungszeugnis zur Vorlage bei einer Behörde (§ 30 Abs. 5 BZRG) für die nachstehend "
            "bezeichnete Person.",
            result="Inhalt: Keine Eintragung",
        ),
        "es": dict(
            org="Ministerio de Justicia — Registro Central de Penados",
            title="Certificado de antecedentes penales",
            body="Certifico: que en el Registro Central de Penados no figuran antecedentes penales a nombre "
            "de la persona abajo indicada.",
            result="Resultado: CARECE DE ANTECEDENTES PENALES",
        ),
        "it": dict(
            org="Ministero della Giustizia — Ufficio del casellario giudiziale",
            title="Certificato del casellario giudiziale",
            body="Si certifica che nel casellario giudiziale, a nome della persona sotto indicata, risulta:",
            result="NULLA",
        ),
        "pt": dict(
            org="Ministério da Justiça — Direção-Geral da Administração da Justiça",
            title="Certificado de registo criminal",
            body="Certifica-se que, consultado o registo criminal, em nome da pessoa abaixo identificada:",
            result="NADA CONSTA",
        ),
    },
    "medical_certificate": {
        "en": dict(
            title="Medical certificate",
            body="I, the undersigned, Dr {other}, certify that I have today "
            "examined {name}, born on {birth} in {place}, and that he/she is not suffering from any of the "
            "diseases which may endanger public health listed in the annex to the Law of 15 December 1980.",
        ),
        "fr": dict(
            title="Certificat médical",
            body="Le médecin soussigné, Dr {other}, certifie avoir examiné ce "
            "jour {name}, né(e) le {birth} à {place}, et qu'il/elle n'est atteint(e) d'aucune des maladies "
            "pouvant mettre en danger la santé publique énumérées à l'annexe de la loi du 15 décembre 1980.",
        ),
        "nl": dict(
            title="Medisch attest",
            body="Ondergetekende, dr. {other}, verklaart {name}, geboren op {birth} "
            "te {place}, heden te hebben onderzocht en dat hij/zij niet aangetast is door één van de ziekten "
            "die een gevaar voor de volksgezondheid kunnen opleveren, opgesomd in de bijlage bij de wet van "
            "15 december 1980.",
        ),
        "de": dict(
            title="Ärztliches Attest",
            body="Der unterzeichnende Arzt, Dr. {other}, bescheinigt, {name}, "
            "geboren am {birth} in {place}, heute untersucht zu haben, und dass er/sie an keiner der "
            "Krankheiten leidet, die die Volksgesundheit gefährden können (Anlage zum Gesetz vom "
            "15. Dezember 1980).",
        ),
        "es": dict(
            title="Certificado médico",
            body="El médico abajo firmante, Dr. {other}, certifica haber "
            "examinado en el día de hoy a {name}, nacido/a el {birth} en {place}, y que no padece ninguna de "
            "las enfermedades que puedan poner en peligro la salud pública enumeradas en el anexo de la ley "
            "belga del 15 de diciembre de 1980.",
        ),
    },
    "employment_contract": {
        "en": dict(
            title="Employment contract (open-ended)",
            body="Between {org}, company number {number}, "
            "hereinafter the Employer, and {name}, born on {birth}, hereinafter the Employee.",
            start="Article 1 — The employment starts on {start}. Job title: {other}.",
            amount="Article 2 — Gross annual salary: EUR {amount}.",
            note="This contract is concluded subject to obtaining the single permit. Joint committee 200.",
        ),
        "fr": dict(
            title="Contrat de travail d'employé à durée indéterminée",
            body="Entre {org}, numéro "
            "d'entreprise (BCE) {number}, ci-après l'employeur, et {name}, né(e) le {birth}, ci-après le "
            "travailleur.",
            start="Article 1 — Le présent contrat prend cours le {start}. Fonction : {other}.",
            amount="Article 2 — Rémunération annuelle brute : EUR {amount}.",
            note="Le présent contrat est conclu sous réserve de l'obtention du permis unique. "
            "Commission paritaire 200.",
        ),
        "nl": dict(
            title="Arbeidsovereenkomst voor bedienden van onbepaalde duur",
            body="Tussen {org}, "
            "ondernemingsnummer {number}, hierna de werkgever, en {name}, geboren op {birth}, hierna de "
            "werknemer.",
            start="Artikel 1 — Deze overeenkomst neemt een aanvang op {start}. Functie: {other}.",
            amount="Artikel 2 — Bruto jaarloon: EUR {amount}.",
            note="Deze overeenkomst wordt gesloten onder voorbehoud van het verkrijgen van de "
            "gecombineerde vergunning. Paritair comité 200.",
        ),
        "de": dict(
            title="Arbeitsvertrag (unbefristet)",
            body="Zwischen {org}, Unternehmensnummer {number}, im "
            "Folgenden Arbeitgeber, und {name}, geboren am {birth}, im Folgenden Arbeitnehmer.",
            start="§ 1 — Das Arbeitsverhältnis beginnt am {start}. Tätigkeit: {other}.",
            amount="§ 2 — Bruttojahresgehalt: EUR {amount}.",
            note="Dieser Vertrag steht unter dem Vorbehalt der Erteilung der kombinierten Erlaubnis.",
        ),
    },
    "lease_agreement": {
        "en": dict(
            title="Lease agreement (main residence)",
            body="Landlord: {org}. Tenant: {name}, born on {birth}. Leased property: {other}.",
            start="The lease starts on {start} for a term of three years.",
            amount="Monthly rent: EUR {amount}.",
            note="Registered lease.",
        ),
        "fr": dict(
            title="Bail de résidence principale",
            body="Bailleur : {org}. Preneur : {name}, né(e) le {birth}. Bien loué : {other}.",
            start="Le bail prend cours le {start} pour une durée de 3 ans.",
            amount="Loyer mensuel : EUR {amount}.",
            note="Bail régi par la loi du 20 février 1991 ; enregistré.",
        ),
        "nl": dict(
            title="Woninghuurovereenkomst (hoofdverblijfplaats)",
            body="Verhuurder: {org}. Huurder: {name}, geboren op {birth}. Gehuurd goed: {other}.",
            start="De huur gaat in op {start} voor een duur van 3 jaar.",
            amount="Huurprijs per maand: EUR {amount}.",
            note="Vlaams Woninghuurdecreet van 9 november 2018; geregistreerd.",
        ),
        "de": dict(
            title="Mietvertrag (Hauptwohnsitz)",
            body="Vermieter: {org}. Mieter: {name}, geboren am {birth}. Mietobjekt: {other}.",
            start="Mietbeginn: {start}. Laufzeit: 3 Jahre.",
            amount="Monatliche Miete: EUR {amount}.",
            note="Registrierter Mietvertrag.",
        ),
    },
    "bank_statement": {
        "en": dict(
            title="Account statement",
            holder="Account holder",
            period="Statement period: {start} to {end}",
            old="Opening balance",
            new="Closing balance",
            head="Date|Description|Amount EUR",
        ),
        "fr": dict(
            title="Extrait de compte",
            holder="Titulaire",
            period="Période : du {start} au {end}",
            old="Ancien solde",
            new="Nouveau solde",
            head="Date valeur|Libellé|Montant EUR",
        ),
        "nl": dict(
            title="Rekeninguittreksel",
            holder="Rekeninghouder",
            period="Periode: van {start} tot {end}",
            old="Vorig saldo",
            new="Nieuw saldo",
            head="Valutadatum|Omschrijving|Bedrag EUR",
        ),
        "de": dict(
            title="Kontoauszug",
            holder="Kontoinhaber",
            period="Zeitraum: {start} bis {end}",
            old="Alter Kontostand",
            new="Neuer Kontostand",
            head="Wertstellung|Buchungstext|Betrag EUR",
        ),
    },
    "health_insurance": {
        "en": dict(
            title="Certificate of insurance",
            body="{org} certifies that {name}, born on {birth}, is "
            "covered by policy No. {number} (medical expenses and repatriation).",
            start="Period of cover: {start} to {end}",
            amount="Sum insured: EUR {amount}",
        ),
        "fr": dict(
            title="Attestation d'assurance soins de santé",
            body="{org} certifie que {name}, né(e) le "
            "{birth}, est assuré(e) sous la police n° {number} (frais médicaux et rapatriement).",
            start="Période de couverture : du {start} au {end}",
            amount="Montant de couverture : EUR {amount}",
        ),
        "nl": dict(
            title="Verzekeringsattest ziekteverzekering",
            body="{org} verklaart dat {name}, geboren op "
            "{birth}, verzekerd is onder polis nr. {number} (medische kosten en repatriëring).",
            start="Geldig van {start} tot {end}",
            amount="Dekking: EUR {amount}",
        ),
        "de": dict(
            title="Versicherungsbestätigung Krankenversicherung",
            body="{org} bestätigt, dass {name}, geboren am {birth}, unter der Police Nr. {number} versichert ist.",
            start="Versicherungszeitraum: {start} bis {end}",
            amount="Deckungssumme: EUR {amount}",
        ),
    },
    "enrollment_letter": {
        "en": dict(
            title="Certificate of enrolment",
            body="{org} certifies that {name}, born on {birth}, is "
            "enrolled as a full-time student in the {other} programme for the academic year {year}.",
            start="Classes start on {start}.",
        ),
        "fr": dict(
            title="Attestation d'inscription",
            body="{org} certifie que {name}, né(e) le {birth}, est "
            "régulièrement inscrit(e) à temps plein en {other} pour l'année académique {year}.",
            start="Les cours débutent le {start}.",
        ),
        "nl": dict(
            title="Inschrijvingsattest",
            body="{org} verklaart dat {name}, geboren op {birth}, voltijds "
            "ingeschreven is voor de opleiding {other} in het academiejaar {year}.",
            start="De lessen beginnen op {start}.",
        ),
        "de": dict(
            title="Immatrikulationsbescheinigung",
            body="{org} bescheinigt, dass {name}, geboren am "
            "{birth}, im Studienjahr {year} als Vollzeitstudierende(r) im Studiengang {other} "
            "eingeschrieben ist.",
            start="Vorlesungsbeginn: {start}.",
        ),
    },
    "birth_certificate": {
        "en": dict(title="Certified copy of an entry of birth", reg="Date of registration", parents="Parents"),
        "fr": dict(title="Extrait d'acte de naissance", reg="Date de l'acte", parents="Parents"),
        "nl": dict(title="Uittreksel uit de geboorteakte", reg="Datum van de akte", parents="Ouders"),
        "de": dict(title="Geburtsurkunde", reg="Beurkundet am", parents="Eltern"),
        "es": dict(title="Certificado literal de nacimiento", reg="Fecha de inscripción", parents="Padres"),
        "it": dict(title="Estratto dell'atto di nascita", reg="Data dell'atto", parents="Genitori"),
        "pt": dict(title="Certidão de nascimento", reg="Data do registo", parents="Pais"),
    },
}

APOSTILLE = {  # Hague Convention model labels (DOCUMENTS.md C.6); IT and PT from the same model.
    "en": "Country:|This public document|has been signed by|acting in the capacity of|bears the seal/stamp of|"
    "Certified|at|the|by|No|Seal/stamp|Signature",
    "fr": "Pays :|Le présent acte public|a été signé par|agissant en qualité de|est revêtu du sceau / timbre de|"
    "Attesté|à|le|par|sous n°|Sceau / timbre|Signature",
    "nl": "Land:|Deze openbare akte|is ondertekend door|handelende in de hoedanigheid van|"
    "is voorzien van het zegel/stempel van|Voor echt verklaard|te|de|door|onder nr.|Zegel/stempel|Handtekening",
    "de": "Land:|Diese öffentliche Urkunde|ist unterschrieben von|in seiner Eigenschaft als|"
    "sie ist versehen mit dem Siegel/Stempel des (der)|Bestätigt|in|am|durch|unter Nr.|"
    "Siegel/Stempel|Unterschrift",
    "es": "País:|El presente documento público|ha sido firmado por|quien actúa en calidad de|"
    "y está revestido del sello / timbre de|Certificado|en|el día|por|bajo el número|Sello / timbre|Firma",
    "it": "Paese:|Il presente atto pubblico|è stato sottoscritto da|nella sua qualità di|"
    "è munito del sigillo/timbro di|Attestato|a|il giorno|da|al numero|Sigillo/timbro|Firma",
    "pt": "País:|O presente documento público|foi assinado por|na qualidade de|tem o selo/carimbo de|"
    "Reconhecido|em|no dia|por|sob o n.º|Selo/carimbo|Assinatura",
}

TRANSLATION = {
    "fr": dict(
        title="Traduction jurée",
        source="Traduction {lang}",
        apostille="Apostille (Convention de La Haye du 5 octobre 1961) — 6. le {date} — 8. sous n° {number}",
        cert="Je soussigné(e), {other}, traducteur juré près le tribunal de première instance de Bruxelles, "
        "certifie que la traduction qui précède est conforme à l'original rédigé en {lang2}.",
    ),
    "nl": dict(
        title="Beëdigde vertaling",
        source="Vertaling uit {lang}",
        apostille="Apostille (Verdrag van 's-Gravenhage van 5 oktober 1961) — 6. de {date} — 8. onder nr. {number}",
        cert="Ik, ondergetekende, {other}, beëdigd vertaler bij de rechtbank van eerste aanleg te Antwerpen, "
        "verklaar dat deze vertaling getrouw en volledig is.",
    ),
}
LANGUAGES = {doc_type: tuple(by_lang) for doc_type, by_lang in TEXTS.items()} | {
    "apostille": tuple(APOSTILLE),
    "translation": tuple(TRANSLATION),
}


@dataclasses.dataclass(frozen=True)
class CertInfo:
    """Everything a certificate needs: its type, language, issuer, holder and dates."""

    doc_type: str
    language: str
    country: str
    person: Person
    issue_date: dt.date
    number: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    request_date: dt.date | None = None
    amount: int = 0
    numeric_dates: bool = False
    seed: int = 0
    source: CertInfo | None = None
    """The certified or translated document (apostille, translation)."""
    apostille: CertInfo | None = None
    """An apostille translated along with the source (translation only)."""
    family: str = "classic"
    """Layout family (``samples.layouts.FAMILIES``): title, closing line, date format, layout, font."""

    @property
    def look(self) -> Family:
        """The layout family."""
        return FAMILIES[self.family]

    def fmt(self, date: dt.date, lang: str | None = None) -> str:
        """A date as this document prints it (the family's style; ``classic`` keeps ``numeric_dates``)."""
        style = self.look.dates if self.family != "classic" else ("numeric" if self.numeric_dates else "long")
        return format_date(date, lang or self.language, style=style)


def format_date(date: dt.date, lang: str, numeric: bool = False, style: str | None = None) -> str:
    """Format a date the way documents in ``lang`` usually print it (DOCUMENTS.md A.3).

    Args:
        date: The date.
        lang: Language code (en, fr, nl, de, es, it, pt).
        numeric: Numeric day-first style (``18.02.2025``, ``18/02/2025``, ``18-02-2025``).
        style: ``long``, ``numeric``, ``dotted`` (``18.02.2025``), ``iso`` (``2025-02-18``) or ``abbrev``
            (``18 Feb 2025``, ``18 févr. 2025``); overrides ``numeric``.

    Returns:
        The printed date.

    >>> format_date(dt.date(2025, 3, 1), "fr"), format_date(dt.date(2027, 4, 2), "es")
    ('1er mars 2025', '2 de abril de 2027')
    >>> format_date(dt.date(2027, 4, 2), "fr", style="abbrev"), format_date(dt.date(2027, 4, 2), "nl", style="iso")
    ('2 avr. 2027', '2027-04-02')
    """
    if style == "iso":
        return date.isoformat()
    if style == "dotted":
        return f"{date.day:02d}.{date.month:02d}.{date.year}"
    if style == "abbrev":
        return f"{date.day} {MONTH_ABBREVIATIONS[lang].split()[date.month - 1]} {date.year}"
    numeric = numeric or style == "numeric"
    if numeric:
        sep = {"de": ".", "nl": "-"}.get(lang, "/")
        return f"{date.day:02d}{sep}{date.month:02d}{sep}{date.year}"
    month = MONTHS[lang].split()[date.month - 1]
    if lang == "de":
        return f"{date.day}. {month} {date.year}"
    if lang in ("es", "pt"):
        return f"{date.day} de {month} de {date.year}"
    day = "1er" if lang == "fr" and date.day == 1 else str(date.day)
    return f"{day} {month} {date.year}"


def _money(amount: float, lang: str) -> str:
    text = f"{amount:,.2f}"
    return text if lang == "en" else text.replace(",", " ").replace(".", ",")


def _person_fields(info: CertInfo) -> list[Block]:
    v, p = VOCAB[info.language], info.person
    return [
        ("field", v["surname"], p.surname.upper()),
        ("field", v["given_names"], p.given_names),
        ("field", v["birth_date"], info.fmt(p.birth_date)),
        ("field", v["birth_place"], p.birth_place),
        ("field", v["nationality"], COUNTRIES[p.nationality].adjective),
    ]


def _issued(info: CertInfo, city: str) -> str:
    if info.family != "classic":
        return closing(info.look, info.language).format(city=city, date=info.fmt(info.issue_date))
    v = VOCAB[info.language]
    key = "issued_short" if info.numeric_dates else "issued_long"
    return v[key].format(city=city, date=format_date(info.issue_date, info.language, info.numeric_dates))


def compose(info: CertInfo) -> list[Block]:
    """Compose the content blocks of a certificate in its family's wording (laid out by ``render.render_blocks``).

    The ``letter`` family puts the closing place and date at the top right, under the letterhead.

    Args:
        info: The certificate to write.

    Returns:
        Blocks: header, title, fields, body paragraphs, closing line and signature.
    """
    blocks = _compose(info)
    if info.look.layout == "letter":
        dated = [b for b in blocks if b[0] == "closing"]
        rest = [b for b in blocks if b[0] != "closing"]
        top = next((i for i, b in enumerate(rest) if b[0] != "header"), len(rest))
        blocks = rest[:top] + [("dateline", *b[1:]) for b in dated] + rest[top:]
    return blocks


def _compose(info: CertInfo) -> list[Block]:
    """Compose the content blocks of a certificate (laid out by ``render.render_blocks``).

    Args:
        info: The certificate to write.

    Returns:
        Blocks: header, title, fields, body paragraphs, date line and signature.
    """
    rng = random.Random(info.seed)
    lang, p = info.language, info.person
    country = COUNTRIES[info.country]
    city = country.city if info.country != "BEL" else rng.choice(("Bruxelles", "Liège", "Namur"))
    if lang == "nl" and info.country == "BEL":
        city = rng.choice(("Antwerpen", "Gent", "Leuven"))
    if info.doc_type == "apostille":
        return _apostille(info, rng)
    if info.doc_type == "translation":
        return _translation(info, rng)
    t = TEXTS[info.doc_type][lang]
    name = f"{p.given_names} {p.surname.upper()}"
    date = info.fmt
    start = date(info.start_date) if info.start_date else ""
    end = date(info.end_date) if info.end_date else ""
    other = rng.choice(("A. Martin", "L. Vermeulen", "S. Hoffmann", "C. Dumont", "J. De Smet"))
    org = rng.choice(("Nova Logistics SA", "Brightlab BV", "Meridian Systems NV", "Atelier Horta SRL"))
    values = dict(
        name=name,
        birth=date(p.birth_date),
        place=p.birth_place,
        nat=COUNTRIES[p.nationality].adjective,
        city=city,
        start=start,
        end=end,
        amount=f"{info.amount:,}".replace(",", " "),
        number=info.number,
        org=org,
        other=other,
        year="",
    )
    blocks: list[Block] = [("header", country.name.upper())]
    v = VOCAB[lang]
    if info.doc_type == "criminal_record":
        blocks += [("header", t["org"]), ("title", title(info.doc_type, lang, info.look, t["title"]).upper())]
        if info.request_date:
            blocks.append(("field", v["request_date"], date(info.request_date)))
        blocks += [
            ("field", v["reference"], info.number),
            ("para", t["body"]),
            *_person_fields(info),
            ("gap", "4"),
            ("subtitle", t["result"]),
            ("gap", "6"),
            ("closing", _issued(info, city)),
            ("sign", t["org"].split("—")[0].strip(), country.name.upper()),
        ]
    elif info.doc_type == "medical_certificate":
        values["other"] = rng.choice(("Anne Lefèvre", "Bart Claes", "Jonas Becker", "Mehdi Alaoui"))
        inami = f"1-{rng.randint(10000, 99999)}-{rng.randint(10, 99)}-{rng.randint(100, 999)}"
        blocks = [
            ("header", f"Dr {values['other']}"),
            ("header", f"INAMI / RIZIV {inami}"),
            ("title", title(info.doc_type, lang, info.look, t["title"]).upper()),
            ("para", t["body"].format(**values)),
            *_person_fields(info)[4:],
            ("gap", "8"),
            ("closing", _issued(info, city)),
            ("sign", f"Dr {values['other']}", "MEDICUS"),
        ]
    elif info.doc_type in ("employment_contract", "lease_agreement", "health_insurance", "enrollment_letter"):
        if info.doc_type == "employment_contract":
            values["other"] = rng.choice(("Data Analyst", "Process Engineer", "Chemist", "Software Developer"))
        if info.doc_type == "lease_agreement":
            values["org"] = rng.choice(("M. Jean Lambert", "Mevr. Els Peeters", "Immo Sablon SRL"))
            values["other"] = rng.choice(
                (
                    "Rue de la Loi 42, bte 3, 1040 Etterbeek",
                    "Naamsestraat 118, 3000 Leuven",
                    "Avenue Louise 231, 1050 Ixelles",
                )
            )
        elif info.doc_type == "enrollment_letter":
            values["org"] = rng.choice(("UCLouvain", "KU Leuven", "Université libre de Bruxelles", "Universiteit Gent"))
            values["other"] = rng.choice(("Master in Chemistry", "Master of Engineering", "Master in Economics"))
            assert info.start_date is not None
            first = info.start_date.year - (1 if info.start_date.month < 8 else 0)  # February: second term
            values["year"] = f"{first}-{first + 1}"
        elif info.doc_type == "health_insurance":
            values["org"] = rng.choice(("Mutualité Chrétienne", "Partenamut", "AXA Belgium", "Allianz Care"))
        blocks += [("header", values["org"]), ("title", title(info.doc_type, lang, info.look, t["title"]).upper())]
        for key in ("body", "start", "amount", "note"):
            if key in t and (key != "amount" or info.amount):
                blocks.append(("para", t[key].format(**values)))
        blocks += [("gap", "6"), ("closing", _issued(info, city)), ("sign", values["org"], values["org"].upper())]
    elif info.doc_type == "bank_statement":
        blocks = _bank_statement(info, t, values, rng)
    elif info.doc_type == "birth_certificate":
        father = f"{rng.choice(country.male)} {p.surname}"
        mother = f"{rng.choice(country.female)} {rng.choice(country.surnames)}"
        blocks += [
            (
                "header",
                rng.choice(
                    (
                        "Civil Registry",
                        "État civil",
                        "Burgerlijke stand",
                        "Standesamt",
                        "Registro Civil",
                        "Ufficio di Stato Civile",
                        "Conservatória",
                    )
                ),
            ),
            ("title", title(info.doc_type, lang, info.look, t["title"]).upper()),
            ("field", v["reference"], info.number),
            *_person_fields(info)[:4],
            ("field", v["sex"], p.sex),
            ("field", t["parents"], f"{father} / {mother}"),
        ]
        if info.request_date:
            blocks.append(("field", t["reg"], date(info.request_date)))
        blocks += [("gap", "8"), ("closing", _issued(info, city)), ("sign", country.name, country.name.upper())]
    return blocks


def _bank_statement(info: CertInfo, t: dict[str, str], values: dict[str, str], rng: random.Random) -> list[Block]:
    assert info.start_date is not None and info.end_date is not None
    lang = info.language
    bank = rng.choice(("BNP Paribas Fortis", "KBC Bank", "ING Belgique", "Belfius Banque"))
    iban = f"BE{rng.randint(10, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    balance = float(info.amount)
    rows: list[Block] = [("row", *t["head"].split("|"))]
    day, total = info.start_date, 0.0
    labels = ("SALARY / SALAIRE", "LOYER / HUUR", "CARREFOUR", "DELHAIZE", "SNCB-NMBS", "PROXIMUS", "TRANSFER")
    while len(rows) < 9:
        day += dt.timedelta(days=rng.randint(2, 5))
        if day > info.end_date:
            break
        amount = rng.choice((-1, -1, -1, 1)) * rng.randint(1500, 90000) / 100
        total += amount
        rows.append(("row", format_date(day, lang, numeric=True), rng.choice(labels), _money(amount, lang)))
    old = balance - total
    date = info.fmt if info.family != "classic" else (lambda d: format_date(d, lang, numeric=True))
    return [
        ("header", bank),
        ("header", "IBAN " + iban),
        ("title", title(info.doc_type, lang, info.look, t["title"]).upper()),
        ("field", t["holder"], values["name"]),
        ("para", t["period"].format(start=date(info.start_date), end=date(info.end_date))),
        ("field", f"{t['old']} {date(info.start_date)}", f"EUR {_money(old, lang)}"),
        *rows,
        ("field", f"{t['new']} {date(info.end_date)}", f"EUR {_money(balance, lang)}"),
        ("gap", "6"),
        ("closing", VOCAB[lang]["issued_short"].format(date=date(info.issue_date))),
    ]


def _apostille(info: CertInfo, rng: random.Random) -> list[Block]:
    labels = APOSTILLE[info.language].split("|")
    country = COUNTRIES[info.country]
    signer = f"{rng.choice(country.male + country.female)} {rng.choice(country.surnames)}"
    date = info.fmt(info.issue_date)
    return [
        ("gap", "10"),
        ("box", "APOSTILLE"),
        ("para", "(Convention de La Haye du 5 octobre 1961)"),
        ("field", f"1. {labels[0]}", country.name),
        ("para", labels[1]),
        ("field", f"2. {labels[2]}", signer),
        ("field", f"3. {labels[3]}", "Registrar / Officer"),
        ("field", f"4. {labels[4]}", "Ministry of Justice"),
        ("subtitle", labels[5]),
        ("field", f"5. {labels[6]}", country.city),
        ("field", f"6. {labels[7]}", date),
        ("field", f"7. {labels[8]}", "Ministry of Foreign Affairs"),
        ("field", f"8. {labels[9]}", info.number),
        ("field", f"9. {labels[10]}", ""),
        ("field", f"10. {labels[11]}", ""),
        ("gap", "20"),
        ("endbox",),
        ("sign", "", "APOSTILLE"),
    ]


def _translation(info: CertInfo, rng: random.Random) -> list[Block]:
    assert info.source is not None
    t = TRANSLATION[info.language]
    src_lang = LANGUAGE_NAMES[info.language][info.source.language]
    translator = rng.choice(("Marie Dubois", "Koen Maes", "Sofia Rinaldi", "Hugo Lemaire"))
    blocks: list[Block] = [("title", t["title"].upper()), ("subtitle", t["source"].format(lang=src_lang))]
    inner = compose(dataclasses.replace(info.source, language=info.language))
    blocks += [b for b in inner if b[0] != "sign"]
    if info.apostille is not None:
        a_date = info.fmt(info.apostille.issue_date)
        blocks.append(("para", t["apostille"].format(date=a_date, number=info.apostille.number)))
    cert = t["cert"].format(other=translator, lang2=src_lang.removeprefix("de l'").removeprefix("du "))
    blocks += [
        ("para", cert),
        (
            "para",
            VOCAB[info.language]["issued_long"].format(
                city="Bruxelles" if info.language == "fr" else "Antwerpen",
                date=info.fmt(info.issue_date),
            ),
        ),
        ("sign", translator, "TRADUCTEUR JURÉ" if info.language == "fr" else "BEËDIGD VERTALER"),
    ]
    return blocks
