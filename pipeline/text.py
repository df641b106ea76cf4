"""Text helpers shared by the stages: folding, cue phrases, language and country names (7 languages).

Stages never import one another; what several of them need about words lives here.
"""

from __future__ import annotations

import collections
import re

from pipeline.dates import fold

__all__ = ["COUNTRIES", "country_code", "detect_language", "find_country", "fold", "normalise", "phrase_patterns"]

_STOP_WORDS: dict[str, str] = {
    "en": "the and of to is this that with for has been by on are which from hereby was were i we it at be as",
    "fr": "le la les des du et est une dans pour qui que au aux sur par ce cette ete ne pas sont je nous avec ou "
    "l d n qu il un a",
    "nl": "het een van en is dat die voor met op niet zijn wordt aan deze bij ook tot uit te worden werd ik naar heeft",
    "de": "der die das und ist von mit fur nicht den dem des ein eine zu auf im wird sich bei vom wurde ich hat dass",
    "es": "el la los las de del y que en por con para una es se al su como fue yo este a o",
    "it": "il lo la gli le di del della e che per con una sono nel dei al alla questo io non ha dell all a o",
    "pt": "o a os as do da dos das de e que em para com uma nao no na ao pelo pela foi eu seu sua",
}
# Caption words of forms and statements (few stop words on them; issue 13: a bank statement and a
# birth certificate got no language, which blocked the language rule). Distinct per language.
_CAPTION_WORDS: dict[str, str] = {
    "en": "surname birth balance statement account holder amount description period issued",
    "fr": "nom prenoms naissance solde extrait compte titulaire montant libelle periode valeur acte delivre",
    "nl": "naam voornamen geboortedatum saldo rekeninguittreksel rekeninghouder bedrag omschrijving periode akte",
    "de": "vornamen geburtsdatum kontostand kontoauszug kontoinhaber betrag buchungstext zeitraum urkunde",
    "es": "apellidos nombre nacimiento saldo extracto cuenta titular importe concepto periodo acta",
    "it": "cognome nascita estratto conto intestatario importo periodo atto rilasciato",
    "pt": "apelido nascimento extrato conta titular montante periodo certidao emitido",
}
for _lang, _words in _CAPTION_WORDS.items():
    _STOP_WORDS[_lang] += " " + _words
_LANG_OF: dict[str, list[str]] = collections.defaultdict(list)
for _lang, _words in _STOP_WORDS.items():
    for _word in _words.split():
        _LANG_OF[_word].append(_lang)

def normalise(text: str) -> str:
    """Fold a text for cue matching (same length as the input, so offsets are preserved).

    Args:
        text: Page text.

    Returns:
        Lower case, accents stripped, typographic quotes and dashes made ASCII.

    >>> normalise("Extrait du CASIER judiciaire – d’identité")
    "extrait du casier judiciaire - d'identite"
    """
    return fold(text).translate(str.maketrans("’‘`´–—", "''''--"))


_OCR_LETTER = {"o": "[o0]", "i": "[i1l|]", "l": "[l1i|]", "e": "[ec]"}
"""OCR confusions tolerated inside cue words (DOCUMENTS.md A.4): ``EXTRA1T DU CAS1ER``."""


OCR_CANON = str.maketrans("0l1|c", "oiiie")
"""Folds each class of :data:`_OCR_LETTER` look-alikes onto one letter: a phrase word can match a text only if
the folded word occurs in the folded text (a test at C speed before the regular expression's scan)."""


def phrase_key(phrase: str) -> str | None:
    """The longest word of a plain phrase in :data:`OCR_CANON` form (None for a ``re:`` phrase).

    Whatever :func:`phrase_patterns` makes of ``phrase`` matches only a text whose ``translate(OCR_CANON)``
    contains this key.

    >>> phrase_key("extrait du casier"), "extra1t du cas1er".translate(OCR_CANON)
    ('extrait', 'extrait du easier')
    """
    if phrase.startswith("re:") or not phrase.split():
        return None
    return max(phrase.split(), key=len).translate(OCR_CANON)


def split_phrases(phrases: str) -> list[str]:
    """The phrases of a ``|``-separated list, longest first (``|`` inside parentheses stays in its phrase)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(phrases):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(phrases[start:i])
            start = i + 1
    parts.append(phrases[start:])
    return sorted(parts, key=len, reverse=True)


def phrase_patterns(phrases: str) -> list[str]:
    """Regular expressions for a ``|``-separated list of folded phrases.

    Spaces match any white space (after an optional stray mark), ``o``/``i``/``l`` also match their OCR
    look-alikes, and a phrase
    starting with ``re:`` is taken as a regular expression (``|`` inside parentheses stays in it).

    Args:
        phrases: E.g. ``"casier judiciaire|re:traduction (?:de l'|du )\\w+"``.

    Returns:
        One pattern per phrase, longest phrase first.

    >>> [re.fullmatch(p, "extra1t du casier") is not None for p in phrase_patterns("extrait du casier")]
    [True]
    """
    out = []
    for phrase in split_phrases(phrases):
        if phrase.startswith("re:"):
            out.append(phrase[3:])
        else:
            words = ("".join(_OCR_LETTER.get(c) or re.escape(c) for c in word) for word in phrase.split())
            out.append(r"[.,'`]?\s+".join(words))  # OCR leaves stray marks after words
    return out


def detect_language(text: str) -> str | None:
    """Guess the main language of a text by weighted stop-word counts.

    Args:
        text: Any text.

    Returns:
        ``en``, ``fr``, ``nl``, ``de``, ``es``, ``it`` or ``pt``; None when too few stop words
        were seen or two languages tie.

    >>> detect_language("Je soussigné certifie que la traduction qui précède est conforme à l'original.")
    'fr'
    >>> detect_language("Ik, ondergetekende, verklaar dat deze vertaling getrouw en volledig is.")
    'nl'
    """
    scores: dict[str, float] = collections.defaultdict(float)
    for word in re.findall(r"[a-z]+", fold(text)):
        langs = _LANG_OF.get(word)
        if langs:
            for lang in langs:
                scores[lang] += 1.0 / len(langs)
    ranked = sorted(scores.items(), key=lambda item: -item[1])[:2]
    if not ranked or ranked[0][1] < 2.0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]


# Country names (folded) in EN/FR/NL/DE/ES/IT/PT -> ICAO code (Germany is "D", DOCUMENTS.md B.5).
_COUNTRY_NAMES: dict[str, str] = {
    "AUT": "austria|autriche|oostenrijk|osterreich|republik osterreich|austria|austria",
    "BEL": "belgium|belgique|belgie|belgien|belgica|belgio|kingdom of belgium|royaume de belgique",
    "BGR": "bulgaria|bulgarie|bulgarije|bulgarien|bulgaria",
    "HRV": "croatia|croatie|kroatie|kroatien|croacia|croazia|croacia",
    "CYP": "cyprus|chypre|cyprus|zypern|chipre|cipro",
    "CZE": "czech republic|czechia|republique tcheque|tchequie|tsjechie|tschechien|republica checa|chequia|"
    "repubblica ceca|cechia|republica checa",
    "D": "germany|allemagne|duitsland|deutschland|bundesrepublik deutschland|alemania|germania|alemanha",
    "DNK": "denmark|danemark|denemarken|danemark|dinamarca|danimarca",
    "EST": "estonia|estonie|estland|estonia|estonia",
    "ESP": "spain|espagne|spanje|spanien|espana|reino de espana|spagna|espanha",
    "FIN": "finland|finlande|finnland|finlandia|finlandia",
    "FRA": "france|frankrijk|frankreich|francia|franca|republique francaise",
    "GRC": "greece|grece|griekenland|griechenland|grecia|grecia",
    "HUN": "hungary|hongrie|hongarije|ungarn|hungria|ungheria",
    "IRL": "ireland|irlande|ierland|irland|irlanda",
    "ITA": "italy|italie|italie|italien|italia|italia|repubblica italiana",
    "LTU": "lithuania|lituanie|litouwen|litauen|lituania|lituania",
    "LUX": "luxembourg|luxemburg|luxemburgo|lussemburgo",
    "LVA": "latvia|lettonie|letland|lettland|letonia|lettonia|letonia",
    "MLT": "malta|malte",
    "NLD": "netherlands|the netherlands|pays-bas|nederland|nederlanden|niederlande|paises bajos|paesi bassi|"
    "paises baixos|kingdom of the netherlands|holland",
    "POL": "poland|pologne|polen|polonia|polonia|polonia",
    "PRT": "portugal|portogallo",
    "ROU": "romania|roumanie|roemenie|rumanien|rumania|romenia",
    "SWE": "sweden|suede|zweden|schweden|suecia|svezia|suecia",
    "SVN": "slovenia|slovenie|slovenie|slowenien|eslovenia|eslovenia",
    "SVK": "slovakia|slovaquie|slowakije|slowakei|eslovaquia|slovacchia|eslovaquia",
    "ISL": "iceland|islande|ijsland|island|islandia|islanda",
    "LIE": "liechtenstein",
    "NOR": "norway|norvege|noorwegen|norwegen|noruega|norvegia",
    "CHE": "switzerland|suisse|zwitserland|schweiz|suiza|svizzera|suica|confederation suisse",
    "GBR": "united kingdom|royaume-uni|verenigd koninkrijk|vereinigtes konigreich|reino unido|regno unito|"
    "great britain|grande-bretagne|groot-brittannie|grossbritannien|england|scotland",
    "USA": "united states of america|united states|etats-unis|verenigde staten|vereinigte staaten|"
    "estados unidos|stati uniti|u.s.a.|usa",
    "CAN": "canada|kanada|canada",
    "IND": "india|inde|indie|indien|india|republic of india",
    "CHN": "china|chine|volksrepubliek china|cina|people's republic of china",
    "MAR": "morocco|maroc|marokko|marruecos|marocco|marrocos|royaume du maroc",
    "TUR": "turkey|turkiye|turquie|turkije|turkei|turquia|turchia",
    "COL": "colombia|colombie|kolumbien|colombia|colombia|colombia|colombia",
    "BRA": "brazil|bresil|brazilie|brasilien|brasil|brasile",
    "PHL": "philippines|filipijnen|philippinen|filipinas|filippine",
    "PAK": "pakistan|pakistan|pakistan|paquistao",
    "PER": "peru|perou|peru",
    "RUS": "russian federation|russia|russie|federation de russie|rusland|russland|rusia|russia|russia",
    "COD": "democratic republic of the congo|republique democratique du congo|democratische republiek congo|"
    "demokratische republik kongo|republica democratica del congo|rd congo|dr congo",
    "COG": "republic of the congo|republique du congo|congo-brazzaville",
    "CMR": "cameroon|cameroun|kameroen|kamerun|camerun|camaroes",
    "VNM": "viet nam|vietnam|viet-nam",
    "NGA": "nigeria|nigeria",
    "EGY": "egypt|egypte|egypte|agypten|egipto|egitto|egito",
    "DZA": "algeria|algerie|algerije|algerien|argelia|algeria",
    "TUN": "tunisia|tunisie|tunesie|tunesien|tunez|tunisia|tunisia",
    "UKR": "ukraine|oekraine|ucrania|ucraina",
    "JPN": "japan|japon|japan|giappone|japao",
    "KOR": "republic of korea|south korea|korea|coree du sud|coree|zuid-korea|sudkorea|corea del sur|"
    "corea del sud|coreia do sul",
    "MEX": "mexico|mexique|mexico|mexiko|messico",
    "ARG": "argentina|argentine|argentinie|argentinien",
    "ZAF": "south africa|afrique du sud|zuid-afrika|sudafrika|sudafrica|africa do sul",
    "AUS": "australia|australie|australie|australien|australia",
    "NZL": "new zealand|nouvelle-zelande|nieuw-zeeland|neuseeland|nueva zelanda|nuova zelanda",
    "ISR": "israel|israel",
    "SEN": "senegal|senegal",
    "GHA": "ghana",
    "KEN": "kenya|kenia",
    "ALB": "albania|albanie|albanie|albanien",
    "SRB": "serbia|serbie|servie|serbien",
    "MKD": "north macedonia|macedoine du nord|noord-macedonie|nordmazedonien",
    "BIH": "bosnia and herzegovina|bosnie-herzegovine|bosnie en herzegovina|bosnien und herzegowina",
    "MDA": "moldova|moldavie|moldavie|moldau|moldavia",
    "GEO": "georgia|georgie|georgie|georgien",
    "ARM": "armenia|armenie|armenie|armenien",
    "AZE": "azerbaijan|azerbaidjan|azerbeidzjan|aserbaidschan",
    "KAZ": "kazakhstan|kazachstan|kasachstan",
    "ECU": "ecuador|equateur",
    "VEN": "venezuela",
    "CHL": "chile|chili",
    "DOM": "dominican republic|republique dominicaine|dominicaanse republiek",
    "IDN": "indonesia|indonesie|indonesie|indonesien",
    "MYS": "malaysia|malaisie|maleisie",
    "SGP": "singapore|singapour|singapur",
    "THA": "thailand|thailande",
    "IRN": "iran",
    "LBN": "lebanon|liban|libanon|libano",
    "SAU": "saudi arabia|arabie saoudite|saoedi-arabie|saudi-arabien",
    "ARE": "united arab emirates|emirats arabes unis|verenigde arabische emiraten",
    "BGD": "bangladesh|bangladesch",
    "NPL": "nepal",
    "LKA": "sri lanka",
    "ETH": "ethiopia|ethiopie",
    "RWA": "rwanda|ruanda",
    "BDI": "burundi",
    "CIV": "cote d'ivoire|ivory coast|ivoorkust|elfenbeinkuste",
    "AND": "andorra|andorre",
    "MCO": "monaco",
    "SMR": "san marino|saint-marin",
}
COUNTRIES: dict[str, str] = {name: code for code, names in _COUNTRY_NAMES.items() for name in names.split("|") if name}
"""Folded country name -> ICAO code."""
_COUNTRY_PATTERNS = tuple((re.compile(phrase_patterns(n)[0]), code) for n, code in COUNTRIES.items())
_COUNTRY_RE = re.compile(r"(?<![\w])(?:" + "|".join(phrase_patterns("|".join(COUNTRIES))) + r")(?![\w])")


def _country_of(name: str) -> str:
    """The code of a name matched by ``_COUNTRY_RE`` (possibly OCR-damaged)."""
    return next(code for pattern, code in _COUNTRY_PATTERNS if pattern.fullmatch(name))


def country_code(text: str) -> str | None:
    """The ICAO code of the first country name found in a text (any of the 7 languages).

    Args:
        text: E.g. the value of apostille field 1.

    Returns:
        The ICAO code (``D`` for Germany), or None.

    >>> country_code("Royaume de Belgique"), country_code("BUNDESREPUBLIK DEUTSCHLAND"), country_code("Mars")
    ('BEL', 'D', None)
    """
    found = find_country(normalise(text))
    return None if found is None else found[0]


def nearest_country(value: str) -> str | None:
    """The country a short, OCR-damaged name stands for: the one name that ends ``value`` with one letter
    wrong at most (a field that holds a country and nothing else, e.g. an apostille's field 1).

    Names of four letters or more only; names of two countries equally near give None (``chila``: Chile or China).

    >>> nearest_country("republica del pert"), nearest_country("royaume de belgiqve"), nearest_country("chila")
    ('PER', 'BEL', None)
    """
    words = normalise(value).strip(" .:;,-").split()
    found: set[str] = set()
    for name, code in COUNTRIES.items():
        n = len(name.split())
        tail = " ".join(words[-n:])
        if len(name) >= 4 and len(tail) == len(name) and sum(a != b for a, b in zip(tail, name, strict=True)) <= 1:
            found.add(code)
    return found.pop() if len(found) == 1 else None


def find_country(folded: str, start: int = 0, end: int | None = None) -> tuple[str, tuple[int, int]] | None:
    """The first country name in an already folded text (see :func:`normalise`), with its span.

    Args:
        folded: Folded text.
        start: Where to start looking.
        end: Where to stop looking (default: the end).

    Returns:
        ``(ICAO code, (start, end))`` or None.

    >>> find_country("1. country: republique francaise")
    ('FRA', (12, 32))
    """
    found = _COUNTRY_RE.search(folded, start, len(folded) if end is None else end)
    return None if found is None else (_country_of(found.group(0)), found.span())
