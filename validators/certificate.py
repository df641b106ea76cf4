"""Criminal record, authentication, translation and medical-certificate rules (RULES.md §6–§8)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

from pipeline.model import DocType, Document, Finding
from validators.applicants import FIRST_ADMISSION, NON_EU, Applicant
from validators.belgium import (
    APOSTILLE_PARTIES,
    ATTACHMENTS,
    BELGIAN_OBJECTIONS,
    CRIMINAL_RECORD_EXEMPT,
    EU_MEMBERS,
    IDENTITY,
    PUBLIC_DOCUMENTS,
    REG_2016_1191_TYPES,
)
from validators.context import RuleContext, country, label
from validators.dates import add_months, check_age, overlap_days
from validators.registry import rule
from validators.sources import SRC_003

EXAMINED = NON_EU | {Applicant.LONG_TERM_RESIDENT}
"""Applicants whose criminal record is examined (§6)."""
MEDICAL = FIRST_ADMISSION | {Applicant.LTR_SECOND_STATE}


def criminal_record_required(ctx: RuleContext) -> bool:
    """The criminal record is examined for this case (category, stage, adult applicant)."""
    if ctx.applicant not in EXAMINED:
        return False
    if ctx.applicant is not Applicant.LONG_TERM_RESIDENT and not ctx.examined_here:
        return False
    age = ctx.age_on(ctx.application_date)
    return age is None or age >= ctx.params.adult_age


def _age_rule(ctx: RuleContext, doc_type: DocType, months: int, what: str) -> Iterator[Finding]:
    """Shared body of "at most ``months`` old on the application date" (M1 default, §0.3)."""
    for doc in ctx.docs(doc_type):
        issue = ctx.date(doc, "issue_date")
        if issue is None:
            yield ctx.unknown(f"the issue date of the {what}: {ctx.why_missing(doc, 'issue_date')}", [doc])
            continue
        check = check_age(issue, ctx.application_date, months, ctx.params.age_method)
        evidence = {"issue_date": issue, "method": ctx.params.age_method.value} | {
            f"passes_{m.value}": ok for m, ok in check.outcomes.items()
        }
        common: dict[str, Any] = {"boundary_note": check.boundary_note, "evidence": evidence}
        if check.passes:
            message = f"{what.capitalize()} {doc.ref} issued {issue}, valid through {check.valid_through}"
            yield ctx.ok(message, [doc], valid_until=check.valid_through, **common)
            continue
        explained = ctx.has_explanation(doc_type)
        yield ctx.fail(
            [doc],
            what=what.capitalize(),
            ref=doc.ref,
            issue=issue,
            months=months,
            application=ctx.application_date,
            valid_through=check.valid_through,
            severity="warning" if explained else None,
            note="an explanation letter is filed, so this is a warning" if explained else "",
            action=f"Request a new {what}; the current one, issued {issue}, is older than {months} months on "
            f"{ctx.application_date} (it was valid through {check.valid_through})",
            **common,
        )


@rule(
    "criminal_record.max-age-6-months",
    severity="BBB",
    applies_to=EXAMINED,
    source=SRC_003,
    title="Each criminal record certificate is at most 6 months old on the application date",
    message="{what} {ref} issued {issue} is older than {months} months on the application date {application} "
    "(valid through {valid_through})",
    catalogue="criminal_record_max_age_6_months",
)
def criminal_record_max_age(ctx: RuleContext) -> Iterator[Finding]:
    """M1: pass iff ``application <= add_months(issue, 6)``, inclusive, with a boundary note (003; DVZ-CR).

    Fails: issued 2027-02-28, lodged 2027-08-31 (M2/M3 would accept: boundary note). Passes: issued
    2025-02-18, lodged 2025-08-18. An explanation letter (DVZ-CR) makes the failure a warning.
    """
    if criminal_record_required(ctx):
        yield from _age_rule(
            ctx, DocType.CRIMINAL_RECORD, ctx.params.criminal_record_max_age_months, "criminal record certificate"
        )


# ----- country coverage (C3): one rule per variant -------------------------------------------------


def _history(ctx: RuleContext) -> list[tuple[str, dt.date, dt.date]]:
    """Residence history as (country, first day, last day), ongoing stays ending on the application date."""
    return [
        (country(p.label) or p.label, p.start, min(p.end or ctx.application_date, ctx.application_date))
        for p in ctx.case.residence_history
    ]


@dataclasses.dataclass(frozen=True, slots=True)
class Coverage:
    """Countries whose criminal record a variant requires."""

    all_of: set[str]
    any_of: set[str]
    assumption: str = ""
    """Set when a missing case fact was replaced by an assumption (the finding states it)."""


def required_countries(ctx: RuleContext, variant: str) -> Coverage | None:
    """Countries whose certificate is required by ``variant``; None if they cannot be known.

    ``five_year_six_month`` (003): the current country plus every country lived in 6+ months in the
    last 5 years; ``last_year`` (UGENT-CR): every country lived in during the last 12 months;
    ``origin_or_provenance`` (DVZ-CR): the nationality or the current country (either one). Without
    a residence history the ``residence_countries`` column is used, and without that the nationality
    is assumed (stated in the finding).
    """
    app, history, params = ctx.application_date, _history(ctx), ctx.params
    current = {c for c, _, end in history if end >= app}
    if variant == "origin_or_provenance":
        any_of = current | ({ctx.nationality} if ctx.nationality else set())
        return Coverage(set(), any_of) if any_of else None
    if not history:
        countries, assumption = ctx.residence_countries
        if not countries:
            return None
        if variant == "last_year" and len(countries) > 1:
            return None  # which of them was lived in during the last year is not known
        return Coverage(countries, set(), assumption)
    if variant == "last_year":
        lo = add_months(app, -params.coverage_last_year_months)
        return Coverage({c for c, start, end in history if overlap_days(start, end, lo, app + dt.timedelta(1))}, set())
    lo = add_months(app, -params.coverage_lookback_months)
    needed = round(params.coverage_min_stay_months * params.month_days)
    days: dict[str, int] = {}
    for code, start, end in history:
        days[code] = days.get(code, 0) + overlap_days(start, end, lo, app + dt.timedelta(1))
    return Coverage(current | {c for c, total in days.items() if total >= needed}, set())


def certificate_countries(ctx: RuleContext) -> dict[str, list[Document]]:
    """Criminal-record certificates by issuing country (None-country certificates under ``?``)."""
    found: dict[str, list[Document]] = {}
    for doc in ctx.docs(DocType.CRIMINAL_RECORD):
        found.setdefault(country(ctx.value(doc, "issuing_country")) or "?", []).append(doc)
    return found


def _coverage(ctx: RuleContext, variant: str) -> Iterator[Finding]:
    if not criminal_record_required(ctx):
        return
    docs = ctx.docs(DocType.CRIMINAL_RECORD)
    required = required_countries(ctx, variant)
    if required is None and variant == "last_year" and ctx.case.residence_countries:
        yield ctx.unknown(
            "which of the countries in residence_countries were lived in during the last 12 months",
            docs,
            action="Fill in the residence_history column (country and dates of each stay)",
            fact="residence_history",
        )
        return
    if required is None:
        yield ctx.unknown(
            f"which countries' criminal records are needed ({variant}): give residence_countries or residence_history",
            docs,
            action="Fill in the residence_countries column (countries lived in 6+ months in the last 5 years)",
            fact="residence_countries",
        )
        return
    have = certificate_countries(ctx)
    missing = sorted(required.all_of - set(have))
    if required.any_of and not required.any_of & set(have):
        missing.append(" or ".join(sorted(required.any_of)))
    evidence = {"assumed": {"residence_countries": sorted(required.all_of)}} if required.assumption else {}
    if not missing:
        covered = ", ".join(sorted(required.all_of | (required.any_of & set(have))))
        yield ctx.ok(f"Criminal records cover {covered}", docs, note=required.assumption, evidence=evidence)
        return
    # A certificate we are not sure of (type or issuing country read with low confidence) may be the
    # missing one: the rule cannot fail on it (issue 13: "No certificate from UKR" with the UKR
    # certificate in the dossier, typed criminal_record with low confidence).
    unsure_type = ctx.unsure(DocType.CRIMINAL_RECORD)
    doubtful = unsure_type + have.get("?", [])
    if doubtful:
        why = {id(d): "type read with low confidence" for d in unsure_type}
        what = "; ".join(f"{d.ref} ({why.get(id(d)) or ctx.why_missing(d, 'issuing_country')})" for d in doubtful)
        yield ctx.unknown(
            f"that the criminal record from {', '.join(missing)} is missing: {what}",
            doubtful,
            note=required.assumption,
            evidence=evidence,
            field="issuing_country" if have.get("?") and not unsure_type else "type",
        )
        return
    yield ctx.fail(
        docs,
        missing=", ".join(missing),
        variant=variant,
        note=required.assumption,
        evidence=evidence,
        action=f"Obtain a criminal record certificate from {', '.join(missing)}, issued at most "
        f"{ctx.params.criminal_record_max_age_months} months before the application date {ctx.application_date}",
    )


_COVERAGE_MESSAGE = "No criminal record certificate from {missing} (variant {variant})"


@rule(
    "criminal_record.coverage-five-years",
    severity="BW-",
    applies_to=EXAMINED,
    source=SRC_003,
    title="Criminal records from the current country and every country lived in 6+ months in 5 years",
    message=_COVERAGE_MESSAGE,
    catalogue="criminal_record_country_coverage",
)
def coverage_five_years(ctx: RuleContext) -> Iterator[Finding]:
    """Variant ``five_year_six_month`` (003). Fails: living in UAE (5 months) with no UAE certificate."""
    yield from _coverage(ctx, "five_year_six_month")


@rule(
    "criminal_record.coverage-last-year",
    severity="WWB",
    applies_to=EXAMINED,
    source="UGENT-CR",
    title="Criminal records from every country lived in during the last 12 months",
    message=_COVERAGE_MESSAGE,
)
def coverage_last_year(ctx: RuleContext) -> Iterator[Finding]:
    """Variant ``last_year`` (UGENT-CR, LEXGO). Fails: Portugal and UAE in the last year, no UAE certificate."""
    yield from _coverage(ctx, "last_year")


@rule(
    "criminal_record.coverage-origin",
    severity="WB-",
    applies_to=EXAMINED,
    source="DVZ-CR",
    title="Criminal record from the country of origin or of provenance",
    message=_COVERAGE_MESSAGE,
)
def coverage_origin(ctx: RuleContext) -> Iterator[Finding]:
    """Variant ``origin_or_provenance`` (DVZ-CR). Passes: a Brazilian national with a Brazilian certificate."""
    yield from _coverage(ctx, "origin_or_provenance")


def is_required_certificate(ctx: RuleContext, doc: Document) -> bool:
    """False for a criminal record that the profile's coverage variant does not require."""
    if doc.type is not DocType.CRIMINAL_RECORD:
        return True
    required = required_countries(ctx, ctx.params.coverage_variant)
    issuer = country(ctx.value(doc, "issuing_country"))
    return required is None or issuer is None or issuer in required.all_of | required.any_of


# ----- authentication and translation (§7) ---------------------------------------------------------


def authentication_route(doc_type: DocType, issuer: str) -> str:
    """``none``, ``apostille`` or ``legalisation`` for a public document from ``issuer`` (C6 decision tree).

    >>> authentication_route(DocType.CRIMINAL_RECORD, "ESP"), authentication_route(DocType.CRIMINAL_RECORD, "COL")
    ('none', 'apostille')
    >>> authentication_route(DocType.CRIMINAL_RECORD, "VNM"), authentication_route(DocType.CRIMINAL_RECORD, "USA")
    ('legalisation', 'none')
    """
    if issuer == "BEL" or (issuer in EU_MEMBERS and doc_type in REG_2016_1191_TYPES):
        return "none"
    if doc_type is DocType.CRIMINAL_RECORD and issuer in CRIMINAL_RECORD_EXEMPT:
        return "none"
    if issuer in APOSTILLE_PARTIES and issuer not in BELGIAN_OBJECTIONS:
        return "apostille"
    return "legalisation"


def _rejected(ctx: RuleContext, doc: Document, doc_type: DocType) -> tuple[str, dict[str, str]]:
    """Why each unlinked apostille (or translation) of the dossier was not taken for ``doc``."""
    why: dict[str, str] = {}
    for link in ctx.unlinked(doc_type):
        reasons = [reason for target, reason in link.rejected if target is doc]
        why[link.attachment.ref] = reasons[0] if reasons else "not considered"
    for link in ctx.links:
        if link.kind is doc_type and link.target is not None and link.target is not doc:
            why.setdefault(link.attachment.ref, f"it belongs to {link.target.ref}")
    text = "; ".join(f"{ref} not taken: {reason}" for ref, reason in why.items())
    return text, why


@rule(
    "authentication.apostille-or-legalisation",
    severity="BBB",
    source=SRC_003,
    title="Foreign public documents carry the apostille or legalisation their origin requires",
    message="{doc} issued in {issuer} has no {route}{seen}",
    catalogue="foreign_public_document_authentication",
)
def apostille_or_legalisation(ctx: RuleContext) -> Iterator[Finding]:
    """Decision tree of C6: Belgian or EU (Reg. 2016/1191) → none; Hague party → apostille; else legalisation.

    The apostille is the one linked to the document (:mod:`pipeline.links`: same file, or another file
    whose country and date agree); a failing finding lists the apostilles it rejected and why.
    Legalisation is read from the document's ``legalised`` field (Belgian consular stamp found).
    Fails: Vietnamese record without Belgian legalisation. Passes: Colombian record with an apostille.
    """
    for doc in ctx.docs(*PUBLIC_DOCUMENTS):
        issuer = country(ctx.value(doc, "issuing_country"))
        if issuer is None:
            yield ctx.unknown(f"the authentication of {doc.ref}: {ctx.why_missing(doc, 'issuing_country')}", [doc])
            continue
        route = authentication_route(doc.type, issuer)
        apostilles = ctx.attached(doc, DocType.APOSTILLE)
        name = f"{label(doc.type).capitalize()} {doc.ref}"
        if route == "none":
            yield ctx.ok(f"{name} from {issuer} needs no apostille or legalisation", [doc])
        elif route == "apostille" and apostilles:
            yield ctx.ok(f"{name} from {issuer} carries an apostille", [doc, *apostilles])
        elif route == "legalisation" and ctx.value(doc, "legalised") is True:
            yield ctx.ok(f"{name} from {issuer} is legalised", [doc])
        elif route == "apostille" and (doubtful := ctx.attached(doc, DocType.APOSTILLE, sure=False)):
            yield ctx.unknown(
                f"the apostille of {doc.ref}: {', '.join(d.ref for d in doubtful)} was classified as an apostille "
                "with low confidence",
                [doc, *doubtful],
            )
        else:
            wrong = " (an apostille is not enough: legalisation is required)" if apostilles else ""
            step = (
                "an apostille from the competent authority"
                if route == "apostille"
                else ("legalisation by the foreign ministry and then the Belgian embassy or consulate")
            )
            seen, why = _rejected(ctx, doc, DocType.APOSTILLE)
            yield ctx.fail(
                [doc, *apostilles],
                doc=name,
                issuer=issuer,
                route=route + wrong,
                seen=f" ({seen})" if seen else "",
                evidence={"rejected_apostilles": why} if why else {},
                action=f"Have {doc.ref} authenticated: {step} in {issuer}",
            )


@rule(
    "authentication.apostille-matches-document",
    severity="BBB",
    source="HCCH",
    title="The apostille belongs to its document (date not earlier, same country)",
    message="Apostille {apostille} {problem}",
    catalogue="apostille_matches_document",
)
def apostille_matches_document(ctx: RuleContext) -> Iterator[Finding]:
    """Fail iff the apostille date is before the document's issue date or the countries differ (HCCH).

    Fails: certificate 2027-04-10, apostille 2027-04-08. Passes: certificate 2025-02-18, apostille 2025-02-20.
    """
    for doc in ctx.docs(*PUBLIC_DOCUMENTS):
        for apo in ctx.attached(doc, DocType.APOSTILLE):
            issued, stamped = ctx.date(doc, "issue_date"), ctx.date(apo, "issue_date")
            doc_country = country(ctx.value(doc, "issuing_country"))
            apo_country = country(ctx.value(apo, "issuing_country"))
            problems = []
            if stamped is not None and issued is not None and stamped < issued:
                problems.append(f"is dated {stamped}, before the document {doc.ref} it certifies ({issued})")
            if apo_country and doc_country and apo_country != doc_country:
                problems.append(f"was issued in {apo_country}, the document {doc.ref} in {doc_country}")
            if problems:
                yield ctx.fail(
                    [doc, apo],
                    apostille=apo.ref,
                    problem="; ".join(problems),
                    action=f"Get a new apostille for {doc.ref} (issued {issued}); this one probably belongs to "
                    "another document",
                )
            elif stamped is None or issued is None:
                missing = apo if stamped is None else doc
                yield ctx.unknown(f"the apostille date: {ctx.why_missing(missing, 'issue_date')}", [doc, apo])
            else:
                yield ctx.ok(f"Apostille {apo.ref} ({stamped}) matches {doc.ref} ({issued})", [doc, apo])


@rule(
    "translation.language-accepted",
    severity="BBB",
    source=SRC_003,
    title="Documents are in French, Dutch or German, or come with a sworn translation",
    message="{doc} is in '{language}' with no sworn translation into {accepted}{seen}",
    catalogue="document_language_accepted",
)
def language_accepted(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff the language is accepted or a translation in the same file targets an accepted language.

    English without translation is a warning (001, LEUVEN and UGENT accept English; 003 does not);
    the ugent_employer profile accepts it. A certificate the profile does not require only warns.
    Fails: a Spanish certificate alone. Passes: a Spanish certificate with a sworn French translation.
    """
    params = ctx.params
    accepted = params.accepted_languages
    skip = IDENTITY | ATTACHMENTS | {DocType.MEDICAL_CERTIFICATE}
    for doc in ctx.documents:
        if doc.type in skip or doc.type_confidence < params.type_confidence:
            continue
        translated = [t for t in ctx.attached(doc, DocType.TRANSLATION) if ctx.value(t, "target_language") in accepted]
        doubtful = ctx.attached(doc, DocType.TRANSLATION, sure=False) + [
            t for t in ctx.attached(doc, DocType.TRANSLATION) if ctx.value(t, "target_language") is None
        ]
        name = f"{label(doc.type).capitalize()} {doc.ref}"
        if doc.language is None:
            # A contract, lease, statement or letter is most often Belgian; not knowing its language is
            # for a person to glance at, not a reason to hold the dossier (issue 13: needs_review only
            # where a person must look). A foreign public document's language decides its translation.
            severity = None if doc.type in PUBLIC_DOCUMENTS else "warning"
            yield ctx.unknown(f"the language of {name}", [doc], severity=severity, field="language")
        elif doc.language in accepted or translated:
            how = f"translated into {ctx.value(translated[0], 'target_language')}" if translated else "accepted"
            yield ctx.ok(f"{name} is in '{doc.language}' ({how})", [doc, *translated])
        elif doubtful:
            yield ctx.unknown(
                f"the translation of {name}: {', '.join(t.ref for t in doubtful)} (type or target language read "
                "with low confidence)",
                [doc, *doubtful],
            )
        else:
            lenient = (doc.language == "en" and params.english_without_translation_warns) or not (
                is_required_certificate(ctx, doc)
            )
            seen, why = _rejected(ctx, doc, DocType.TRANSLATION)
            yield ctx.fail(
                [doc],
                doc=name,
                language=doc.language,
                accepted="/".join(sorted(accepted)),
                seen=f" ({seen})" if seen else "",
                evidence={"rejected_translations": why} if why else {},
                severity="warning" if lenient else None,
                action=f"Have {doc.ref} translated by a sworn translator into French, Dutch or German",
            )


# ----- medical certificate (§8) --------------------------------------------------------------------


def _medical_applies(ctx: RuleContext) -> bool:
    return ctx.applicant in MEDICAL and ctx.examined_here


@rule(
    "medical_certificate.max-age-6-months",
    severity="BBB",
    applies_to=MEDICAL,
    source="DVZ-MED",
    title="Medical certificate drawn up within the 6 months before the application",
    message="{what} {ref} dated {issue} is older than {months} months on the application date {application} "
    "(valid through {valid_through})",
    catalogue="medical_certificate_max_age_6_months",
)
def medical_certificate_max_age(ctx: RuleContext) -> Iterator[Finding]:
    """M1 as for criminal records (DVZ-MED). Fails: dated 2026-12-01, lodged 2027-07-05."""
    if _medical_applies(ctx):
        yield from _age_rule(ctx, DocType.MEDICAL_CERTIFICATE, ctx.params.medical_max_age_months, "medical certificate")


@rule(
    "medical_certificate.language",
    severity="BBB",
    applies_to=MEDICAL,
    source="UGENT-MED",
    title="Medical certificate filled in in Dutch, French, German or English (no translation accepted)",
    message="Medical certificate {ref} is filled in in '{language}'; a translation is not accepted",
    catalogue="medical_certificate_language",
)
def medical_certificate_language(ctx: RuleContext) -> Iterator[Finding]:
    """Fail iff the language is not nl/fr/de/en, even with a translation (UGENT-MED). Fails: Spanish."""
    if not _medical_applies(ctx):
        return
    for doc in ctx.docs(DocType.MEDICAL_CERTIFICATE):
        if doc.language is None:
            yield ctx.unknown(f"the language of medical certificate {doc.ref}", [doc], field="language")
        elif doc.language in ctx.params.medical_languages:
            yield ctx.ok(f"Medical certificate {doc.ref} is in '{doc.language}'", [doc])
        else:
            yield ctx.fail(
                [doc],
                ref=doc.ref,
                language=doc.language,
                action="Get a new medical certificate filled in by the doctor in French, Dutch, German or English",
            )


@rule(
    "medical_certificate.doctor-accredited",
    severity="BBB",
    applies_to=MEDICAL,
    source="DVZ-MED",
    title="Medical certificate signed by an accredited doctor, or legalised",
    message="Medical certificate {ref} is signed by a doctor who is not accredited by the Belgian post, "
    "and the signature is not legalised",
    catalogue="medical_certificate_doctor_and_model",
)
def medical_certificate_doctor(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff ``doctor_accredited`` or ``legalised``; in Belgium any registered doctor may sign (DVZ-MED).

    Unknown accreditation is a warning. Fails: ``doctor_accredited: false`` without legalisation.
    """
    if not _medical_applies(ctx) or ctx.stage != "visa":
        return
    for doc in ctx.docs(DocType.MEDICAL_CERTIFICATE):
        accredited, legalised = ctx.value(doc, "doctor_accredited"), ctx.value(doc, "legalised")
        if accredited is True or legalised is True:
            yield ctx.ok(f"Medical certificate {doc.ref} from an accredited doctor or legalised", [doc])
        elif accredited is False:
            yield ctx.fail(
                [doc],
                ref=doc.ref,
                action="Get a certificate from a doctor accredited by the Belgian embassy, or have the doctor's "
                "signature legalised locally and by the Belgian embassy",
            )
        else:
            yield ctx.unknown(f"that the doctor who signed {doc.ref} is accredited", [doc], severity="warning",
                              field="doctor_accredited")
