"""Command line: generate sample dossier batches (with ground truth) and the capture-quality benchmark.

Usage::

    python -m samples.generate dossiers --out DIR --count N --seed S [--as-of YYYY-MM-DD] [--compact]
    python -m samples.generate capture --out DIR --count N --seed S

Everything is a pure function of the seed (``numpy.random.Generator`` streams derived from it); no clock
values end up in the files.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from samples import capture as cap
from samples.layouts import FAMILIES, HELD_OUT, ID_FAMILIES
from samples.render import IdentityDocument, Page, blocks_to_pdf, render_document
from samples.texts import COUNTRIES, LANGUAGES, CertInfo, Person, compose

DEFAULT_AS_OF = dt.date(2026, 11, 25)
NON_EU = ("IND", "MAR", "BRA", "COL", "PER", "PHL", "CHN", "USA")
EU = ("ITA", "D", "ESP", "PRT")
BELGIAN_LANGUAGES = ("fr", "nl", "de")
MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png", "tiff": "image/tiff"}
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png", "tiff": "tif"}
# (outcome label, category, expected verdict). The first five make the committed sample batch.
OUTCOMES = (
    ("complete", "single_permit", "ready"),
    ("passport_expires_soon", "single_permit", "not_ready"),
    ("phone_photo_passport", "single_permit", "not_ready"),
    ("untranslated_spanish_certificate", "single_permit", "not_ready"),
    ("complete", "eu_citizen", "ready"),
    ("criminal_record_too_old", "blue_card", "not_ready"),
    ("missing_medical", "student", "not_ready"),
    ("complete", "student", "ready"),
    ("greyscale_passport", "single_permit", "not_ready"),
    ("medical_certificate_too_old", "professional_card", "not_ready"),
    ("complete", "family_reunification", "ready"),
    ("blurry_passport", "single_permit", "not_ready"),
    ("missing_apostille", "single_permit", "not_ready"),
    ("id_card_back_missing", "eu_citizen", "not_ready"),
    ("complete", "renewal", "ready"),
)
MEANS = {
    "single_permit": ("employment_contract",),
    "blue_card": ("employment_contract",),
    "professional_card": ("bank_statement",),
    "renewal": ("employment_contract",),
    "student": ("enrollment_letter", "bank_statement", "health_insurance"),
    "family_reunification": ("birth_certificate", "bank_statement", "health_insurance"),
    "eu_citizen": ("employment_contract",),
}
DESCRIPTIVE = {
    "passport": ("passport", "paspoort", "passeport"),
    "id_card": ("id_card", "identiteitskaart"),
    "residence_card": ("titre_de_sejour", "verblijfskaart"),
    "criminal_record": ("casier", "strafregister"),
    "medical_certificate": ("certificat_medical", "medisch_attest"),
    "employment_contract": ("contract", "contrat_de_travail"),
    "lease_agreement": ("bail", "huurcontract"),
    "bank_statement": ("bank", "extrait_de_compte"),
    "health_insurance": ("insurance", "mutuelle"),
    "enrollment_letter": ("inscription", "admission"),
    "birth_certificate": ("birth", "acte_naissance"),
    "apostille": ("apostille", "legalisation"),
    "translation": ("traduction", "vertaling"),
}


@dataclasses.dataclass(frozen=True)
class Options:
    """Output quality knobs; ``compact`` keeps the committed sample batch small."""

    scan_dpis: tuple[int, ...] = (200, 300)
    jpeg_quality: int = 88
    phone_long_side: int | None = None
    compact: bool = False


COMPACT = Options(scan_dpis=(150, 150, 200), jpeg_quality=80, phone_long_side=1800, compact=True)


@dataclasses.dataclass
class Doc:
    """One document with its truth fields."""

    doc_type: str
    info: IdentityDocument | CertInfo
    fields: dict[str, object]

    @property
    def family(self) -> str:
        """The layout family (``samples.layouts``): a certificate's family or an identity page's date style."""
        return self.info.family if isinstance(self.info, CertInfo) else self.info.date_style


FAMILY_CHOICES = ("classic", "tuned", "heldout", "all")
"""``--families``: the original look only (the committed batch), the tuning families, the held-out ones,
or every family (each dossier drawn from one side, so its verdict counts for that side)."""


def assign_families(plans: list[FilePlan], rng: np.random.Generator, choice: str) -> str:
    """Give every document of a dossier a layout family; returns the dossier's side (tuned/heldout).

    Uses its own random stream, so the other draws of the dossier (and so the committed batch, made with
    ``classic``) do not change. An apostille's or translation's ``source`` follows its document.
    """
    if choice == "classic":
        return "tuned"
    side = choice if choice != "all" else ("heldout" if rng.random() < 0.5 else "tuned")
    certs = [name for name in FAMILIES if (name in HELD_OUT) == (side == "heldout")]
    ids = [name for name in ID_FAMILIES if (name in HELD_OUT) == (side == "heldout")]
    renamed: dict[int, CertInfo] = {}
    for plan in plans:
        for doc in plan.docs:
            if isinstance(doc.info, CertInfo):
                family = certs[int(rng.integers(len(certs)))]
                new = dataclasses.replace(doc.info, family=family)
                renamed[id(doc.info)] = new
                doc.info = new
            elif ids:
                style = ids[int(rng.integers(len(ids)))]
                doc.info = dataclasses.replace(doc.info, date_style=ID_FAMILIES[style])
    for plan in plans:
        for doc in plan.docs:
            info = doc.info
            if isinstance(info, CertInfo) and (info.source is not None or info.apostille is not None):
                source = renamed.get(id(info.source), info.source) if info.source else None
                apostille = renamed.get(id(info.apostille), info.apostille) if info.apostille else None
                doc.info = dataclasses.replace(info, source=source, apostille=apostille)
    return side


@dataclasses.dataclass
class FilePlan:
    """One file of a dossier: documents in page order and how they are captured."""

    docs: list[Doc]
    kind: str = "scan"
    fmt: str = "pdf"
    colour: bool = True
    exif: bool = False
    defects: tuple[str, ...] = ()
    name: str = ""


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


def _pick(rng: np.random.Generator, items: Sequence[str]) -> str:
    return str(items[int(rng.integers(len(items)))])


def _days(rng: np.random.Generator, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=int(rng.integers(low, high + 1)))


def _add_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def make_person(country: str, rng: np.random.Generator, as_of: dt.date, age: tuple[int, int] = (21, 45)) -> Person:
    """Draw an applicant of ``country`` aged within ``age`` years on ``as_of``."""
    c = COUNTRIES[country]
    sex = _pick(rng, "MF")
    given = _pick(rng, c.male if sex == "M" else c.female)
    birth = as_of - dt.timedelta(days=int(rng.integers(age[0] * 365, age[1] * 365)))
    return Person(_pick(rng, c.surnames), given, sex, birth, c.city, country)


def _identity_fields(doc: IdentityDocument, lang: str) -> dict[str, object]:
    p = doc.person
    return {
        "expiry_date": _iso(doc.expiry_date),
        "issue_date": _iso(doc.issue_date),
        "birth_date": _iso(p.birth_date),
        "document_number": doc.number,
        "nationality": p.nationality,
        "surname": p.surname,
        "given_names": p.given_names,
        "language": lang,
        "mrz": list(doc.mrz_lines()),
    }


def _cert_fields(info: CertInfo) -> dict[str, object]:
    p = info.person
    fields: dict[str, object] = {
        "expiry_date": None,
        "issue_date": _iso(info.issue_date),
        "birth_date": _iso(p.birth_date),
        "document_number": info.number or None,
        "nationality": p.nationality,
        "surname": p.surname,
        "given_names": p.given_names,
        "language": info.language,
        "issuing_country": info.country,
    }
    if info.amount:
        fields["amount"] = info.amount
    if info.start_date:
        fields["start_date"] = _iso(info.start_date)
    if info.end_date:
        fields["end_date"] = _iso(info.end_date)
    if info.source is not None:
        fields["source_type"] = info.source.doc_type
        fields["source_issue_date"] = _iso(info.source.issue_date)
        fields["source_language"] = info.source.language
    return fields


def _cert(
    doc_type: str, lang: str, country: str, person: Person, issue: dt.date, rng: np.random.Generator, **kw: Any
) -> Doc:
    numeric = bool(rng.random() < 0.35)
    seed = int(rng.integers(1 << 30))
    info = CertInfo(doc_type, lang, country, person, issue, numeric_dates=numeric, seed=seed, **kw)
    return Doc(doc_type, info, _cert_fields(info))


def foreign_document(doc: Doc, rng: np.random.Generator, apostille: bool, translation: bool) -> list[Doc]:
    """A foreign public document followed by its apostille and sworn translation when needed."""
    assert isinstance(doc.info, CertInfo)
    out = [doc]
    apo: CertInfo | None = None
    if apostille:
        a = _cert(
            "apostille",
            doc.info.language,
            doc.info.country,
            doc.info.person,
            doc.info.issue_date + _days(rng, 3, 20),
            rng,
            number=f"{int(rng.integers(10**5, 10**6))}",
            source=doc.info,
        )
        apo = a.info  # type: ignore[assignment]
        out.append(a)
    if translation:
        last = apo.issue_date if apo else doc.info.issue_date
        target = _pick(rng, ("fr", "fr", "nl"))
        out.append(
            _cert(
                "translation",
                target,
                "BEL",
                doc.info.person,
                last + _days(rng, 2, 12),
                rng,
                source=doc.info,
                apostille=apo,
            )
        )
    return out


def _lease(person: Person, rng: np.random.Generator, as_of: dt.date) -> FilePlan:
    """A Belgian lease that started up to 40 days ago (proof of accommodation or of address)."""
    lease_start = as_of - _days(rng, 0, 40)
    lease = _cert(
        "lease_agreement",
        _pick(rng, ("fr", "nl")),
        "BEL",
        person,
        lease_start - _days(rng, 10, 30),
        rng,
        start_date=lease_start,
        amount=int(rng.integers(7, 16)) * 100,
    )
    return FilePlan([lease], fmt=_pick(rng, ("pdf", "jpeg", "png")))


def plan_dossier(index: int, rng: np.random.Generator, as_of: dt.date) -> tuple[str, dict[str, object], list[FilePlan]]:
    """Choose the applicant, documents, dates and captures of one dossier.

    Args:
        index: Position in the batch (selects the intended outcome).
        rng: The dossier's random stream.
        as_of: Evaluation date; every date is relative to it.

    Returns:
        The dossier id, its truth header (outcome, case facts) and the file plans.
    """
    outcome, category, verdict = OUTCOMES[index % len(OUTCOMES)]
    if category == "eu_citizen":
        nat = _pick(rng, ("ITA", "D") if outcome == "id_card_back_missing" else EU)
    elif outcome == "untranslated_spanish_certificate":
        nat = _pick(rng, ("COL", "PER"))
    elif outcome == "missing_apostille":
        # Not the USA: its criminal records are exempt from authentication (DVZ-CR, RULES.md C6).
        nat = _pick(rng, ("IND", "PHL"))
    elif index == 0:
        nat = _pick(rng, ("IND", "PHL", "USA"))
    else:
        nat = _pick(rng, NON_EU)
    person = make_person(nat, rng, as_of, (19, 26) if category == "student" else (24, 45))
    country = COUNTRIES[nat]
    files: list[FilePlan] = []

    # Identity document.
    if category == "eu_citizen":
        issue = as_of - _days(rng, 200, 2500)
        card = IdentityDocument(
            "id_card",
            person,
            nat,
            f"{country.iso2[0]}{int(rng.integers(10**7, 10**8))}",
            issue,
            _add_years(issue, 10) - dt.timedelta(days=1),
            country.city,
            "dotted" if nat == "D" else "slash",
        )
        lang = country.language
        id_doc = Doc("id_card", card, _identity_fields(card, lang))
        files.append(FilePlan([id_doc], fmt=_pick(rng, ("pdf", "tiff"))))
    else:
        soon = outcome == "passport_expires_soon"
        expiry = as_of + (_days(rng, 60, 300) if soon else _days(rng, 800, 3000))
        issue = _add_years(expiry, -10) + dt.timedelta(days=1)
        number = f"{country.iso2}{int(rng.integers(10**6, 10**7))}"
        passport = IdentityDocument(
            "passport",
            person,
            nat,
            number,
            issue,
            expiry,
            country.city,
            _pick(rng, ("bilingual", "bilingual", "plain", "slash")),
        )
        plan = FilePlan(
            [Doc("passport", passport, _identity_fields(passport, country.language))],
            fmt=_pick(rng, ("pdf", "jpeg", "png")),
        )
        if outcome == "phone_photo_passport":
            plan = dataclasses.replace(plan, kind="phone", fmt="jpeg", exif=True)
        elif outcome == "greyscale_passport":
            plan = dataclasses.replace(plan, colour=False, defects=("greyscale",))
        elif outcome == "blurry_passport":
            plan = dataclasses.replace(plan, defects=("blurry",))
        files.append(plan)
    if category == "renewal":
        rc_expiry = as_of + _days(rng, 32, 44)
        rc = IdentityDocument(
            "residence_card",
            person,
            "BEL",
            f"B{int(rng.integers(10**7, 10**8))}",
            _add_years(rc_expiry, -1),
            rc_expiry,
            "Bruxelles",
            "dotted",
            "A. SÉJOUR LIMITÉ",
        )
        files.append(FilePlan([Doc("residence_card", rc, _identity_fields(rc, "fr"))], fmt="pdf"))
        files.append(_lease(person, rng, as_of))  # renewals need a proof of address (RULES.md §1, REN)

    if category != "eu_citizen" and category != "renewal":
        # Criminal record from the country of nationality, with apostille and translation as needed.
        age = _days(rng, 200, 300) if outcome == "criminal_record_too_old" else _days(rng, 25, 120)
        cr_issue = as_of - age - dt.timedelta(days=30)
        record = _cert(
            "criminal_record",
            country.language,
            nat,
            person,
            cr_issue,
            rng,
            number=f"{int(rng.integers(10**6, 10**7))}/{cr_issue.year}",
            request_date=cr_issue - _days(rng, 3, 15),
        )
        needs_translation = country.language not in BELGIAN_LANGUAGES and outcome != "untranslated_spanish_certificate"
        bundle = foreign_document(
            record, rng, apostille=not country.eu and outcome != "missing_apostille", translation=needs_translation
        )
        if len(bundle) > 1 and (index == 0 or rng.random() < 0.6):
            files.append(FilePlan(bundle, fmt="pdf", colour=bool(rng.random() < 0.7)))
        else:
            files += [FilePlan([d], fmt=_pick(rng, ("pdf", "jpeg", "tiff"))) for d in bundle]
        if outcome != "missing_medical":
            med_lang = country.language if country.language in ("fr", "en", "de", "nl") else _pick(rng, ("en", "fr"))
            age = _days(rng, 200, 260) if outcome == "medical_certificate_too_old" else _days(rng, 10, 120)
            files.append(
                FilePlan(
                    [_cert("medical_certificate", med_lang, nat, person, as_of - age, rng)],
                    fmt=_pick(rng, ("pdf", "jpeg", "png")),
                )
            )
        files.append(_lease(person, rng, as_of))
    for doc_type in MEANS[category]:
        files.append(_means_file(doc_type, person, nat, rng, as_of, category))
    entry = as_of - (_days(rng, 20, 70) if category == "eu_citizen" else _days(rng, 2, 7))
    case: dict[str, object] = {
        "category": category,
        "nationality": nat,
        "entry_date": _iso(entry) if category != "renewal" else None,
        "application_date": as_of.isoformat(),
        "residence_countries": [nat],
    }
    if category == "family_reunification":
        # Drawn last, so the dossier's other values stay as they were.
        case["monthly_income"] = int(rng.integers(*FAMILY_INCOME))
    if outcome == "id_card_back_missing":
        # The truth lists what the given pages print: the issue date and the MRZ are on the back.
        files[0].docs[0].fields.update(pages_missing=["back"], issue_date=None, mrz=[])
    dossier_id = f"{index + 1:03d}-{_ascii(person.surname)}"
    header: dict[str, object] = {"id": dossier_id, "outcome": outcome, "expected_verdict": verdict, "case": case}
    return dossier_id, header, files


STATEMENT_BALANCE = {"student": (13000, 25000)}
"""A complete student's blocked account covers 12 × the 2026-27 amount (EUR 12,744; RULES.md §10)."""
FAMILY_INCOME = (3300, 4800)
"""A complete family dossier's sponsor earns more than any candidate threshold (net EUR/month)."""


def _means_file(
    doc_type: str, person: Person, nat: str, rng: np.random.Generator, as_of: dt.date, category: str = ""
) -> FilePlan:
    lang = _pick(rng, ("fr", "nl", "en", "de"))
    digital = doc_type in ("employment_contract", "bank_statement") and rng.random() < 0.6
    plan = FilePlan([], kind="digital" if digital else "scan", fmt="pdf" if digital else _pick(rng, ("pdf", "jpeg")))
    if doc_type == "employment_contract":
        sign = as_of - _days(rng, 30, 90)
        plan.docs.append(
            _cert(
                doc_type,
                lang,
                "BEL",
                person,
                sign,
                rng,
                start_date=as_of + _days(rng, 20, 60),
                number=f"0{int(rng.integers(400, 999))}.{int(rng.integers(100, 999))}.{int(rng.integers(100, 999))}",
                amount=int(rng.integers(40, 75)) * 1000,
            )
        )
    elif doc_type == "bank_statement":
        end = as_of - _days(rng, 5, 25)
        low, high = STATEMENT_BALANCE.get(category, (9000, 25000))
        plan.docs.append(
            _cert(
                doc_type,
                lang,
                "BEL",
                person,
                end + dt.timedelta(days=1),
                rng,
                start_date=end - dt.timedelta(days=30),
                end_date=end,
                amount=int(rng.integers(low, high)),
            )
        )
    elif doc_type == "enrollment_letter":
        year = as_of.year if as_of.month >= 8 else as_of.year - 1
        plan.docs.append(
            _cert(
                doc_type,
                lang,
                "BEL",
                person,
                as_of - _days(rng, 30, 90),
                rng,
                start_date=dt.date(year, 9, 15) if as_of.month < 8 else dt.date(year + 1, 2, 3),
            )
        )
    elif doc_type == "health_insurance":
        start = as_of - _days(rng, 0, 20)
        plan.docs.append(
            _cert(
                doc_type,
                lang,
                "BEL",
                person,
                start - _days(rng, 1, 10),
                rng,
                start_date=start,
                end_date=_add_years(start, 1),
                number=f"HI-{int(rng.integers(10**5, 10**6))}",
                amount=30000,
            )
        )
    else:  # a child's birth certificate from the country of nationality
        c = COUNTRIES[nat]
        child = make_person(nat, rng, as_of, (2, 9))
        child = dataclasses.replace(child, surname=person.surname)
        issue = as_of - _days(rng, 40, 120)
        cert = _cert(
            doc_type,
            c.language,
            nat,
            child,
            issue,
            rng,
            number=f"{int(rng.integers(100, 999))}/{child.birth_date.year}",
            request_date=child.birth_date + _days(rng, 3, 30),
        )
        return FilePlan(foreign_document(cert, rng, not c.eu, c.language not in BELGIAN_LANGUAGES), fmt="pdf")
    return plan


def _ascii(text: str) -> str:
    from samples.mrz import transliterate

    return transliterate(text).lower().replace("<", "-")


def _pages(doc: Doc, dpi: int) -> list[Page]:
    return render_document(doc.doc_type, doc.info, dpi)


def render_file(plan: FilePlan, rng: np.random.Generator, opts: Options) -> tuple[bytes, dict[str, object]]:
    """Render, capture and encode one planned file.

    Args:
        plan: The file plan.
        rng: Random stream of this file.
        opts: Output quality options.

    Returns:
        The file bytes and its truth entry (without the file name).
    """
    dpi = int(rng.choice(opts.scan_dpis))
    quality = opts.jpeg_quality
    documents: list[dict[str, object]] = []
    page_no = 1
    if plan.kind == "digital":
        pages_blocks = [compose(d.info) for d in plan.docs]  # type: ignore[arg-type]
        data = blocks_to_pdf(pages_blocks, plan.docs[0].doc_type.replace("_", " "), cap.FIXED_PDF_DATE)
        for d in plan.docs:
            documents.append({"type": d.doc_type, "pages": [page_no], "fields": d.fields, "family": d.family})
            page_no += 1
        capture = {"kind": "digital", "dpi": None, "colour": True, "format": "pdf", "exif": False, "text_layer": True}
        return data, _entry("pdf", page_no - 1, capture, [], documents)
    identity = plan.docs[0].doc_type in ("passport", "id_card", "residence_card")
    colour = plan.colour and (identity or bool(rng.random() < 0.75))  # grey is fine for certificates
    fmt = plan.fmt
    if opts.compact and colour and fmt in ("png", "tiff"):  # keep the committed batch small
        fmt = "jpeg" if fmt == "png" else "pdf"
    captures: list[cap.Capture] = []
    for d in plan.docs:
        pages = _pages(d, dpi if plan.kind == "scan" else 200)
        if d.fields.get("pages_missing"):
            pages = pages[:1]
        for page in pages:
            if plan.kind == "phone":
                c = cap.as_phone_photo(page, rng, plan.exif, long_side=opts.phone_long_side if plan.exif else None)
            else:
                c = cap.as_flatbed_scan(page, dpi, colour, rng)
            for defect in plan.defects:
                c, _ = cap.DEFECTS[defect](c, rng)
            captures.append(c)
        documents.append(
            {
                "type": d.doc_type,
                "pages": list(range(page_no, page_no + len(pages))),
                "fields": d.fields,
                "family": d.family,
            }
        )
        page_no += len(pages)
    fmt = fmt if len(captures) == 1 or fmt in ("pdf", "tiff") else "pdf"
    if fmt in ("pdf", "tiff"):
        data = cap.encode_multipage(captures, fmt, quality)
    else:
        data = cap.encode(captures[0], fmt, quality)
    codes = sorted({code for c in captures for code in c.codes})
    meta = {
        "kind": plan.kind,
        "dpi": captures[0].dpi,
        "colour": all(c.colour for c in captures),
        "format": fmt,
        "exif": bool(captures[0].exif),
        "text_layer": False,
    }
    return data, _entry(fmt, len(captures), meta, codes, documents)


def _entry(
    fmt: str, pages: int, capture: Mapping[str, object], codes: list[str], documents: list[dict[str, object]]
) -> dict[str, object]:
    return {
        "expected_status": "processed",
        "media_type": MEDIA_TYPES[fmt],
        "pages": pages,
        "capture": capture,
        "expected_rejections": codes,
        "documents": documents,
    }


def _file_name(plan: FilePlan, fmt: str, rng: np.random.Generator, used: set[str], counter: list[int]) -> str:
    ext = EXTENSIONS[fmt]
    if plan.kind == "phone":
        stem = f"IMG_20261112_{int(rng.integers(80000, 195959)):06d}"
    elif len(plan.docs) > 1 and plan.docs[0].doc_type != "id_card" or rng.random() < 0.4:
        counter[0] += 1
        stem = f"{_pick(rng, ('scan', 'document', 'Scan'))}_{counter[0]:03d}"
    else:
        stem = _pick(rng, DESCRIPTIVE[plan.docs[0].doc_type])
    name = f"{stem}.{ext}"
    while name in used:
        counter[0] += 1
        name = f"{stem}_{counter[0]}.{ext}"
    used.add(name)
    return name


def write_batch(
    out: Path,
    count: int,
    seed: int,
    as_of: dt.date,
    opts: Options,
    truth_path: Path | None = None,
    families: str = "classic",
) -> dict[str, object]:
    """Write ``out/batch/<dossier>/...``, ``out/batch/cases.csv`` and the ground truth (outside the batch).

    Args:
        out: Output folder.
        count: Number of dossiers.
        seed: Random seed.
        as_of: Evaluation date the dates are relative to.
        opts: Output quality options.
        truth_path: Where to write the truth JSON (default ``out/truth.json``).
        families: Layout families (:data:`FAMILY_CHOICES`): ``classic`` (the original look), ``tuned``,
            ``heldout`` or ``all``.

    Returns:
        The truth document.
    """
    batch = out / "batch"
    if batch.exists():
        shutil.rmtree(batch)
    batch.mkdir(parents=True)
    dossiers = []
    rows = []
    for index in range(count):
        rng = np.random.default_rng([seed, index])
        dossier_id, header, plans = plan_dossier(index, rng, as_of)
        header["side"] = assign_families(plans, np.random.default_rng([seed, index, 1]), families)
        folder = batch / dossier_id
        folder.mkdir()
        used: set[str] = set()
        counter = [0]
        entries = []
        for plan in plans:
            data, entry = render_file(plan, rng, opts)
            fmt = str(entry["capture"]["format"])  # type: ignore[index]
            name = _file_name(plan, fmt, rng, used, counter)
            (folder / name).write_bytes(data)
            entries.append({"file": name, **entry})
        if index % len(OUTCOMES) == 1:  # every file is reported, even junk
            (folder / "notes.txt").write_text("Call the employer about the start date.\nAsk for the lease copy.\n")
            (folder / "empty.pdf").write_bytes(b"")
            entries.append(
                {
                    "file": "notes.txt",
                    "expected_status": "unsupported",
                    "media_type": "text/plain",
                    "pages": 0,
                    "capture": None,
                    "expected_rejections": [],
                    "documents": [],
                }
            )
            entries.append(
                {
                    "file": "empty.pdf",
                    "expected_status": "error",
                    "media_type": "application/pdf",
                    "pages": 0,
                    "capture": None,
                    "expected_rejections": [],
                    "documents": [],
                }
            )
        case = header["case"]
        assert isinstance(case, dict)
        rows.append(
            [
                dossier_id,
                case["category"],
                case["nationality"],
                case["entry_date"] or "",
                case["application_date"],
                ";".join(case["residence_countries"]),
                str(case.get("monthly_income", "")),
            ]
        )
        dossiers.append({**header, "files": sorted(entries, key=lambda e: str(e["file"]))})
    columns = ["dossier", "category", "nationality", "entry_date", "application_date", "residence_countries"]
    if not any(row[-1] for row in rows):
        rows = [row[:-1] for row in rows]  # the sponsor's income only where a family dossier needs it
    else:
        columns.append("monthly_income")
    with (batch / "cases.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    truth = {
        "schema_version": 1,
        "generator": "samples.generate",
        "seed": seed,
        "as_of": as_of.isoformat(),
        "batch": "batch",
        "families": families,
        "dossiers": dossiers,
    }
    path = truth_path or out / "truth.json"
    path.write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return truth


def _benchmark_doc(rng: np.random.Generator, as_of: dt.date, identity: bool) -> Doc:
    nat = _pick(rng, NON_EU + EU)
    person = make_person(nat, rng, as_of)
    country = COUNTRIES[nat]
    if identity:
        issue = as_of - _days(rng, 100, 2000)
        kind = "id_card" if nat in EU and rng.random() < 0.5 else "passport"
        doc = IdentityDocument(
            kind,
            person,
            nat,
            f"{country.iso2}{int(rng.integers(10**6, 10**7))}",
            issue,
            _add_years(issue, 10),
            country.city,
            "dotted" if kind == "id_card" else "bilingual",
        )
        return Doc(kind, doc, _identity_fields(doc, country.language))
    doc_type = _pick(
        rng,
        (
            "criminal_record",
            "medical_certificate",
            "lease_agreement",
            "employment_contract",
            "bank_statement",
            "health_insurance",
            "enrollment_letter",
            "birth_certificate",
        ),
    )
    lang = _pick(rng, LANGUAGES[doc_type])
    kw: dict[str, object] = {}
    if doc_type in (
        "lease_agreement",
        "employment_contract",
        "enrollment_letter",
        "health_insurance",
        "bank_statement",
    ):
        kw = {"start_date": as_of - _days(rng, 40, 60), "end_date": as_of - _days(rng, 5, 30), "amount": 1200}
    return _cert(doc_type, lang, nat, person, as_of - _days(rng, 10, 100), rng, number="2026/0042", **kw)


PHOTO_SOURCE_DPI = {"id_card": 600, "residence_card": 600, "passport": 400}
"""Render resolution of the capture set's phone-photo sources by document type (A4: 300)."""


def write_capture_set(out: Path, count: int, seed: int) -> list[list[str]]:
    """Write the quality benchmark: genuine scans, phone photos and defect variants, plus ``labels.csv``.

    Args:
        out: Output folder.
        count: Number of base pages (half scans, half phone photos); defect variants come on top.
        seed: Random seed.

    Returns:
        The label rows (file, label, expected_codes).
    """
    out.mkdir(parents=True, exist_ok=True)
    rows: list[list[str]] = []
    n_defect = max(1, count // 20)
    jobs = [("scan", "")] * (count // 2) + [("phone", "")] * (count - count // 2)
    jobs += [("scan", name) for name in cap.DEFECTS for _ in range(n_defect)]
    on_phone = ("blurry", "glare", "too_dark", "cut_off")
    jobs += [("phone", name) for name in on_phone for _ in range(max(1, n_defect // 2))]
    phones = 0
    for i, (kind, defect) in enumerate(jobs):
        rng = np.random.default_rng([seed, i])
        identity = defect in ("glare", "greyscale") or rng.random() < 0.45
        doc = _benchmark_doc(rng, DEFAULT_AS_OF, identity)
        if kind == "scan":
            dpi = int(rng.choice([150, 200, 300, 300, 400, 600], p=[0.15, 0.25, 0.25, 0.15, 0.1, 0.1]))
            page = _pages(doc, dpi)[int(rng.integers(2)) if doc.doc_type == "id_card" else 0]
            # Genuine grey scans only for certificates: a grey identity document is the greyscale defect.
            c = cap.as_flatbed_scan(page, dpi, identity or bool(rng.random() < 0.6), rng)
        else:
            phones += defect == ""
            exif = not (defect == "" and phones % 3 == 0)
            # Render at about the resolution a 12 MP camera gets of the object (a card filling
            # 70 % of the frame is ~800 dpi), so the photo is not an enlarged coarse render.
            c = cap.as_phone_photo(_pages(doc, PHOTO_SOURCE_DPI.get(doc.doc_type, 300))[0], rng, exif)
        if defect:
            c, _ = cap.DEFECTS[defect](c, rng)
        fmt = "jpeg" if kind == "phone" else _pick(rng, ("png", "jpeg", "tiff"))
        label = c.codes[-1] if c.codes else "accept"
        stem = "accept" if label == "accept" else f"reject-{label}"
        name = f"{stem}__{kind}_{doc.doc_type}_{i + 1:03d}.{EXTENSIONS[fmt]}"
        (out / name).write_bytes(cap.encode(c, fmt, int(rng.integers(80, 93))))
        rows.append([name, label, ";".join(c.codes)])
    with (out / "labels.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["file", "label", "expected_codes"])
        writer.writerows(rows)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="python -m samples.generate", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("dossiers", "capture"):
        p = sub.add_parser(name)
        p.add_argument("--out", type=Path, required=True)
        p.add_argument("--count", type=int, default=15 if name == "dossiers" else 200)
        p.add_argument("--seed", type=int, default=0)
    d = sub.choices["dossiers"]
    d.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF)
    d.add_argument("--compact", action="store_true", help="150-200 dpi, JPEG quality 80 (committed samples)")
    d.add_argument("--truth", type=Path, default=None, help="truth JSON path (default OUT/truth.json)")
    d.add_argument(
        "--families",
        choices=FAMILY_CHOICES,
        default="classic",
        help="layout families: classic (the committed batch), tuned, heldout, or all (each dossier one side)",
    )
    args = parser.parse_args(argv)
    if args.command == "dossiers":
        opts = COMPACT if args.compact else Options()
        write_batch(args.out, args.count, args.seed, args.as_of, opts, args.truth, args.families)
        print(f"wrote {args.count} dossiers to {args.out / 'batch'}")
    else:
        rows = write_capture_set(args.out, args.count, args.seed)
        print(f"wrote {len(rows)} images and labels.csv to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
