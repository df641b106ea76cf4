"""Passport, MRZ and EU identity-document rules (RULES.md §3, §4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pipeline.model import DocType, Document, Finding
from validators.applicants import ALL, NON_EU, Applicant
from validators.belgium import EEA_CH, IDENTITY
from validators.context import RuleContext, country, label
from validators.dates import add_months, last_anchor
from validators.registry import rule
from validators.sources import SRC_003, SRC_004

EU = {Applicant.EU_CITIZEN}


def _latest(ctx: RuleContext, *types: DocType) -> tuple[Document | None, dt.date | None]:
    """The document of ``types`` with the latest confident expiry (else the first one, undated)."""
    docs = ctx.docs(*types)
    dated = [(day, doc) for doc in docs if (day := effective_expiry(ctx, doc)) is not None]
    if dated:
        day, doc = max(dated, key=lambda pair: pair[0])
        return doc, day
    return (docs[0] if docs else None), None


def effective_expiry(ctx: RuleContext, doc: Document) -> dt.date | None:
    """Expiry of an identity document, cut to the Reg. 2019/1157 date for ID cards without an MRZ.

    None when it cannot be determined (unreadable expiry, or unknown MRZ presence on an ID card).
    """
    printed = ctx.date(doc, "expiry_date")
    if doc.type is not DocType.ID_CARD:
        return printed
    has_mrz = ctx.value(doc, "has_mrz")
    if has_mrz is True:
        return printed
    if has_mrz is False:
        cut = ctx.params.eu_id_phaseout
        return cut if printed is None else min(printed, cut)
    return None


def _unread_identity_field(ctx: RuleContext, doc: Document) -> str:
    """The field a person must confirm for an identity document whose validity is unknown."""
    if ctx.date(doc, "expiry_date") is None:
        return "expiry_date"
    if doc.type is DocType.ID_CARD and ctx.value(doc, "has_mrz") is None:
        return "has_mrz"
    return "nationality"


def _valid_until(
    ctx: RuleContext,
    types: tuple[DocType, ...],
    required: dt.date | None,
    needs: str,
    action: str,
    last_application_months: int | None = None,
    **values: Any,
) -> Iterator[Finding]:
    """Shared body of "the identity document is valid until ``required``" rules.

    Args:
        ctx: Rule context.
        types: Document types to look at (the one with the latest expiry is used).
        required: The date the document must still be valid on; None = a case fact is missing.
        needs: What ``required`` depends on, for the not-evaluable message.
        action: What to do when it fails.
        last_application_months: When ``required = application + N months``, N; gives ``valid_until``.
        **values: Extra template values.
    """
    doc, expiry = _latest(ctx, *types)
    if doc is None:
        return
    if expiry is None:
        yield ctx.unknown(f"the validity of {label(doc.type)} {doc.ref}: {ctx.why_missing(doc, 'expiry_date')}", [doc])
        return
    if required is None:
        yield ctx.unknown(f"{label(doc.type)} validity: {needs} is not known", [doc], fact="entry_date")
        return
    strict = ctx.params.strict_validity and last_application_months is not None
    passes = expiry > required if strict else expiry >= required
    note = ""
    if last_application_months is not None and expiry == required:
        note = f"expiry equals the required date {required}: passes 'at least', fails 002's 'longer than'"
    if last_application_months is None:
        valid_until = expiry if required == ctx.application_date else None
    else:
        valid_until = last_anchor(expiry, last_application_months)
    fmt: dict[str, Any] = {"doc": label(doc.type).capitalize(), "expiry": expiry, "required": required} | values
    if passes:
        message = f"{fmt['doc']} {doc.ref} valid until {expiry} (required until {required})"
        yield ctx.ok(message, [doc], boundary_note=note, valid_until=valid_until)
    else:
        yield ctx.fail([doc], action=action.format(**fmt), boundary_note=note, **fmt)


@rule(
    "passport.valid-at-application",
    severity="BBB",
    applies_to=ALL,
    source=SRC_003,
    title="Passport not expired on the application date",
    message="{doc} expired on {expiry}, before the application date {required}",
    catalogue="passport_valid_at_application",
)
def passport_valid_at_application(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff ``passport.expiry_date >= application_date`` (003 "Valid passport"; DIR-2004-38 art. 8(3)).

    Fails: expiry 2027-01-14, application 2027-01-15. Passes: expiry 2027-01-15.
    """
    yield from _valid_until(
        ctx,
        (DocType.PASSPORT,),
        ctx.application_date,
        "the application date",
        "Renew the passport before lodging the dossier; it expired on {expiry}",
    )


@rule(
    "passport.validity-12-months",
    severity="BW-",
    applies_to=NON_EU,
    source=SRC_003,
    title="Passport valid at least 12 months after the application date",
    message="Passport expires {expiry}, less than 12 months after the application date {application} "
    "(required until {required})",
    catalogue="passport_remaining_validity_12_months",
)
def passport_validity_12_months(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff ``expiry >= add_months(application, 12)`` (003 "at least 12 months remaining validity").

    Inclusive by default; a boundary note when the expiry is exactly the required date (002 says
    "longer than"). Fails: application 2027-01-15, expiry 2027-09-01. Passes: application
    2028-02-29, expiry 2029-02-28 (with a boundary note).
    """
    if ctx.stage == "renewal":
        return
    months = ctx.params.passport_validity_months
    yield from _valid_until(
        ctx,
        (DocType.PASSPORT,),
        add_months(ctx.application_date, months),
        "the application date",
        "Renew the passport: it must be valid until at least {required}, 12 months after the application "
        "date {application}; it expires {expiry}",
        last_application_months=months,
        application=ctx.application_date,
    )


@rule(
    "passport.valid-6-months-after-entry",
    severity="BWB",
    applies_to=NON_EU,
    source=SRC_004,
    title="Passport valid at least 6 months after entry into Belgium",
    message="Passport expires {expiry}, less than 6 months after the entry date {entry} (required until {required})",
    catalogue="passport_valid_6_months_after_entry",
)
def passport_valid_6_months_after_entry(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff ``expiry >= add_months(entry_date, 6)`` (004; the planned entry at the visa stage).

    Fails: entry 2027-01-10, expiry 2027-07-09. Passes: expiry 2027-07-10.
    """
    if ctx.stage == "renewal":
        return
    entry = ctx.case.entry_date
    required = None if entry is None else add_months(entry, ctx.params.passport_after_entry_months)
    yield from _valid_until(
        ctx,
        (DocType.PASSPORT,),
        required,
        "the (planned) entry date",
        "Renew the passport: it must be valid until {required}, 6 months after entry on {entry}",
        entry=entry,
    )


@rule(
    "passport.schengen-3-months-after-departure",
    severity="BBW",
    applies_to=NON_EU,
    source="REG-610",
    title="Passport valid 3 months after the intended departure from Schengen (visa stage)",
    message="Passport expires {expiry}, less than 3 months after the intended departure {departure} "
    "(required until {required})",
    catalogue="passport_schengen_validity_3_months_after_departure",
)
def passport_schengen_3_months_after_departure(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff ``expiry >= add_months(departure, 3)``; departure defaults to entry + 12 months (REG-610).

    Fails: entry 2027-09-01 (departure 2028-09-01), expiry 2028-10-01. Passes: expiry 2028-12-01.
    """
    if ctx.stage != "visa":
        return
    entry = ctx.case.entry_date
    departure = ctx.case.intended_departure_date or (
        None if entry is None else add_months(entry, ctx.params.planned_stay_months)
    )
    required = None if departure is None else add_months(departure, ctx.params.schengen_after_departure_months)
    yield from _valid_until(
        ctx,
        (DocType.PASSPORT,),
        required,
        "the intended departure (or entry) date",
        "Renew the passport: it must be valid until {required}, 3 months after the intended departure {departure}",
        departure=departure,
    )


@rule(
    "passport.issued-within-10-years",
    severity="BBB",
    applies_to=NON_EU,
    source="REG-610",
    title="Passport issued within the 10 years before entry (blocking at the visa stage)",
    message="Passport issued {issue}, more than 10 years before the entry date {entry}",
    catalogue="passport_issued_within_10_years",
)
def passport_issued_within_10_years(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff ``issue_date >= add_months(entry_date, -120)``; a warning at the commune stage (REG-610).

    Fails: issued 2016-12-01, entry 2027-01-10. Passes: issued 2017-09-02.
    """
    doc, _ = _latest(ctx, DocType.PASSPORT)
    if doc is None or ctx.stage == "renewal":
        return
    severity = None if ctx.stage == "visa" else "warning"
    issue, entry = ctx.date(doc, "issue_date"), ctx.case.entry_date
    expiry = ctx.date(doc, "expiry_date")
    if issue is None and entry is not None and expiry is not None and expiry >= entry:
        # Decided by bounds: a passport is valid at most 10 years, so one still valid on entry was
        # issued less than 10 years before it (the printed issue date was not read).
        yield ctx.ok(
            f"Passport {doc.ref} expires {expiry}, after entry {entry}: issued within 10 years before it",
            [doc],
            note=f"the issue date was not read ({ctx.why_missing(doc, 'issue_date')}); decided from the expiry",
        )
        return
    if issue is None or entry is None:
        what = ctx.why_missing(doc, "issue_date") if issue is None else "the (planned) entry date is not known"
        yield ctx.unknown(f"when the passport was issued: {what}", [doc], severity=severity,
                          fact=None if issue is None else "entry_date")
        return
    limit = add_months(entry, -ctx.params.passport_max_issue_age_months)
    if issue >= limit:
        yield ctx.ok(f"Passport {doc.ref} issued {issue}, within 10 years before entry {entry}", [doc])
    else:
        yield ctx.fail(
            [doc],
            issue=issue,
            entry=entry,
            severity=severity,
            action=f"Get a new passport: one issued before {limit} is not accepted for entry on {entry}",
        )


@rule(
    "passport.expires-during-stay",
    severity="III",
    applies_to=NON_EU | {Applicant.RENEWAL},
    source=SRC_004,
    title="Passport expires before the end of the planned stay (renew it in Belgium in time)",
    message="Passport expires {expiry}, before the end of the planned stay {stay_end}",
    catalogue="passport_expires_during_stay_notice",
)
def passport_expires_during_stay(ctx: RuleContext) -> Iterator[Finding]:
    """Flag iff ``expiry < application + 12 months`` (the requested card's end; 004).

    Flags: application 2027-01-15, expiry 2027-09-01. Passes: expiry 2031-03-03.
    """
    doc, expiry = _latest(ctx, DocType.PASSPORT)
    if doc is None or expiry is None:
        return
    stay_end = add_months(ctx.application_date, ctx.params.planned_stay_months)
    if expiry >= stay_end:
        yield ctx.ok(f"Passport {doc.ref} valid beyond the planned stay ({stay_end})", [doc])
    else:
        yield ctx.fail(
            [doc],
            expiry=expiry,
            stay_end=stay_end,
            action=f"Plan to renew the passport at the embassy in Belgium before {expiry}",
        )


@rule(
    "mrz.check-digits",
    severity="WWW",
    applies_to=ALL,
    source="ICAO-9303",
    title="MRZ check digits of identity documents are correct",
    message="The MRZ check digits of {doc} do not match: the MRZ may be misread or the document altered",
    catalogue="mrz_check_digits_valid",
)
def mrz_check_digits(ctx: RuleContext) -> Iterator[Finding]:
    """Fail iff ``mrz_valid`` is false on a passport, ID card or residence card with an MRZ (ICAO 9303).

    Fails: ``mrz_valid: false``. Passes: ``mrz_valid: true``; skipped when ``has_mrz: false``.
    """
    for doc in ctx.docs(*IDENTITY):
        if ctx.value(doc, "has_mrz") is False:
            continue
        valid = ctx.value(doc, "mrz_valid")
        # Why the read is or is not trusted (failed checks, impossible dates, an implausible name line).
        trusted = doc.fields.get("mrz_trusted")
        evidence = {}
        if trusted is not None:
            evidence = {"mrz_trusted": trusted.value, "reasons": trusted.raw.split("; ") if trusted.raw else []}
        if valid is True:
            yield ctx.ok(f"MRZ check digits of {doc.ref} are correct", [doc], evidence=evidence)
        elif valid is False:
            yield ctx.fail([doc], doc=doc.ref, action=f"Rescan {doc.ref} so that the MRZ lines are sharp and complete",
                           evidence=evidence)
        else:
            yield ctx.unknown(f"the MRZ check digits: {ctx.why_missing(doc, 'mrz_valid')}", [doc])


@rule(
    "eu.identity-document",
    severity="BBB",
    applies_to=EU,
    source="IBZ-REG",
    title="EU citizen holds a valid EU/EEA passport or national ID card",
    message="No valid EU/EEA/Swiss passport or ID card on the application date {application}{detail}",
    catalogue="eu_identity_document_passport_or_id_card",
)
def eu_identity_document(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff a passport or ID card shows an EEA nationality and is valid (effective expiry) (003; IBZ-REG).

    Fails: only a paper ID card after 2026-08-03. Passes: an electronic Italian ID card valid to 2031.
    """
    docs = ctx.docs(DocType.PASSPORT, DocType.ID_CARD)
    unknown = []
    for doc in docs:
        nationality = country(ctx.value(doc, "nationality")) or ctx.nationality
        expiry = effective_expiry(ctx, doc)
        if nationality is None or expiry is None:
            unknown.append(doc)
        elif nationality in EEA_CH and expiry >= ctx.application_date:
            yield ctx.ok(f"{label(doc.type).capitalize()} {doc.ref} ({nationality}) valid until {expiry}", [doc])
            return
    unknown += ctx.unsure(DocType.PASSPORT, DocType.ID_CARD)
    if unknown:
        why = "; ".join(ctx.why_missing(doc, _unread_identity_field(ctx, doc)) for doc in unknown)
        yield ctx.unknown(f"the nationality or validity of the identity document: {why}", unknown)
        return
    detail = "; expired or non-EU: " + ", ".join(d.ref for d in docs) if docs else ""
    yield ctx.fail(
        docs,
        application=ctx.application_date,
        detail=detail,
        action="Bring a valid passport or an electronic national ID card (with MRZ) of an EU/EEA state or Switzerland",
    )


@rule(
    "eu.id-card-valid-at-application",
    severity="BBB",
    applies_to=EU,
    source="IBZ-REG",
    title="EU ID card not expired on the application date (printed date)",
    message="{doc} expired on {expiry}, before the application date {required}",
    catalogue="eu_id_card_valid_at_application",
)
def eu_id_card_valid_at_application(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff the printed ``expiry_date >= application_date`` (003; IBZ-REG); see also the phase-out rule.

    Fails: expiry 2027-04-19, application 2027-04-20. Passes: expiry 2031-06-30.
    """
    doc = next(iter(ctx.docs(DocType.ID_CARD)), None)
    if doc is None:
        return
    expiry = ctx.date(doc, "expiry_date")
    if expiry is None:
        yield ctx.unknown(f"the ID card validity: {ctx.why_missing(doc, 'expiry_date')}", [doc])
    elif expiry >= ctx.application_date:
        yield ctx.ok(f"ID card {doc.ref} valid until {expiry}", [doc], valid_until=expiry)
    else:
        yield ctx.fail(
            [doc],
            doc=f"ID card {doc.ref}",
            expiry=expiry,
            required=ctx.application_date,
            action=f"Renew the ID card (expired {expiry}) or bring a valid passport",
        )


@rule(
    "eu.id-card-phaseout",
    severity="BBB",
    applies_to=EU,
    source="REG-2019-1157",
    title="EU ID cards without a functional MRZ lost validity on 2026-08-03 (Reg. 2019/1157)",
    message="ID card {doc} has no machine-readable zone: under Regulation 2019/1157 it is valid only until "
    "{effective} (printed expiry {printed}), before the application date {application}",
    catalogue="eu_id_card_regulation_2019_1157_phaseout",
)
def eu_id_card_phaseout(ctx: RuleContext) -> Iterator[Finding]:
    """Effective expiry = min(printed, 2026-08-03) for cards without MRZ (REG-2019-1157 art. 5).

    Security-feature compliance is not checkable from a scan, so cards with an MRZ keep their printed
    date (the 2031 step and the age-70 exemption concern cards with an MRZ). Fails: paper card,
    printed 2028-05-10, application 2027-02-01. Passes: electronic card with MRZ.
    """
    for doc in ctx.docs(DocType.ID_CARD):
        effective = effective_expiry(ctx, doc)
        if effective is None:
            what = "whether the card has a machine-readable zone" if ctx.value(doc, "has_mrz") is None else "expiry"
            yield ctx.unknown(f"the ID card {what} ({doc.ref})", [doc], field=_unread_identity_field(ctx, doc))
        elif effective >= ctx.application_date:
            yield ctx.ok(f"ID card {doc.ref} effectively valid until {effective}", [doc], valid_until=effective)
        else:
            yield ctx.fail(
                [doc],
                doc=doc.ref,
                effective=effective,
                printed=ctx.date(doc, "expiry_date") or "unreadable",
                application=ctx.application_date,
                action="Get an electronic ID card (with MRZ) or a passport; the paper card is no longer valid "
                f"since {effective}, whatever its printed date",
            )


@rule(
    "eu.identity-6-months-after-entry",
    severity="W-B",
    applies_to=EU,
    source=SRC_004,
    title="EU identity document valid 6 months after entry (employer requirement)",
    message="{doc} expires {expiry}, less than 6 months after the entry date {entry} (required until {required})",
    catalogue="eu_id_card_valid_6_months_after_entry",
)
def eu_identity_6_months_after_entry(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff the identity document used expires on or after ``add_months(entry, 6)`` (004).

    EU law only requires a valid document (DIR-2004-38 art. 8(3)), hence a warning by default.
    Fails: entry 2027-03-01, expiry 2027-08-31. Passes: expiry 2031-06-30.
    """
    entry = ctx.case.entry_date
    required = None if entry is None else add_months(entry, ctx.params.passport_after_entry_months)
    yield from _valid_until(
        ctx,
        (DocType.PASSPORT, DocType.ID_CARD),
        required,
        "the entry date",
        "Renew the identity document: it must be valid until {required}, 6 months after entry on {entry}",
        entry=entry,
    )
