"""Dossier-level rules: checklist, scans, plausibility, insurance, means, registration (§2, §4–§5, §10–§11)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

from pipeline.model import DocType, Document, Finding, RejectionCode, Severity
from validators.applicants import ALL, FIRST_ADMISSION, NON_EU, Applicant
from validators.belgium import (
    CHECKLIST,
    EU_BASIS_DOCUMENTS,
    IDENTITY,
    RENEWAL_BASIS,
    UNCONDITIONAL_CARDS,
    Requirement,
)
from validators.certificate import criminal_record_required
from validators.context import RuleContext, label
from validators.dates import add_months, deadline_days, roll_forward
from validators.registry import parse_severity, rule
from validators.sources import SRC_002, SRC_003, SRC_004

EU = {Applicant.EU_CITIZEN}
R = RejectionCode


# ----- required documents ----------------------------------------------------------------------------


def checklist(ctx: RuleContext) -> list[Requirement]:
    """The requirements that apply to this case (category, stage, age, renewal basis)."""
    items = [r for r in CHECKLIST if ctx.applicant in r.applies_to]
    items = [r for r in items if not r.needs_exam or _exam_applies(ctx, r)]
    if ctx.applicant is Applicant.RENEWAL and (ctx.case.card_type or "").upper() not in UNCONDITIONAL_CARDS:
        basis = RENEWAL_BASIS.get(ctx.renewal_of, RENEWAL_BASIS[None])
        items.append(Requirement("proof that the basis of stay continues", basis, frozenset({Applicant.RENEWAL})))
    return items


def _why_unsure(doc: Document) -> str:
    if doc.type is DocType.OTHER:
        return "its text was not read: OCR timed out" if doc.unread_pages else "rejected, not read"
    return f"classified as {doc.type.value} with low confidence"


def _exam_applies(ctx: RuleContext, requirement: Requirement) -> bool:
    if DocType.CRIMINAL_RECORD in requirement.types:
        return criminal_record_required(ctx)
    return ctx.examined_here


@rule(
    "dossier.required-documents",
    severity="BBB",
    source=SRC_003,
    title="Every document of the category checklist is present",
    message="Missing document: {item} ({types})",
    catalogue="dossier_required_documents_present",
)
def required_documents(ctx: RuleContext) -> Iterator[Finding]:
    """One failing finding per missing checklist item, with that item's own severity (002; 003; §1 table).

    Documents classified below τ_class do not count; if one of them could be the missing item the
    finding is not evaluable. An explanation letter makes a missing criminal record or medical
    certificate a warning (DVZ-CR, DVZ-MED). Fails: single permit without a medical certificate.
    """
    if ctx.applicant is None:
        yield ctx.unknown("which documents are required: the case category is not given", fact="category")
        return
    present = []
    for item in checklist(ctx):
        found = ctx.docs(*item.types)
        severity = parse_severity(item.severity)[ctx.profile]
        if found:
            present.extend(found)
            continue
        if severity is None:
            continue
        if any(ctx.has_explanation(t) for t in item.types):
            severity = Severity.WARNING
        unsure = ctx.unsure(*item.types)
        names = " or ".join(sorted(t.value for t in item.types))
        if unsure:
            how = ", ".join(f"{d.ref} ({_why_unsure(d)})" for d in unsure)
            yield ctx.unknown(
                f"that the {item.label} ({names}) is present: {how}", unsure, severity=severity, field="type"
            )
        else:
            yield ctx.fail(
                item=item.label,
                types=names,
                severity=severity,
                action=f"Add the {item.label} ({names}) to the dossier",
                evidence={"missing": names},
            )
    yield ctx.ok(f"Present: {', '.join(sorted({label(d.type) for d in present})) or 'nothing required'}", present)


# ----- scan rejections (one rule per group of rejection codes) ---------------------------------------


def _rejections(ctx: RuleContext, codes: frozenset[RejectionCode], action: str) -> Iterator[Finding]:
    """Blocking for identity and checklist documents, a warning for the others (§2)."""
    required = {t for item in checklist(ctx) for t in item.types} if ctx.applicant else set()
    rejected = [(doc, [r for r in doc.rejections if r.code in codes]) for doc in ctx.documents]
    rejected = [(doc, hits) for doc, hits in rejected if hits]
    if not rejected and ctx.documents:
        yield ctx.ok(f"No {'/'.join(sorted(codes))} rejection on {len(ctx.documents)} document(s)", ctx.documents)
    for doc, hits in rejected:
        untold = doc.type is DocType.OTHER and doc.type_confidence < ctx.params.type_confidence
        blocking = doc.type in IDENTITY or doc.type in required or untold  # an unread page may be a required one
        reasons = "; ".join(f"{r.code.value}: {r.message}" if r.message else r.code.value for r in hits)
        yield ctx.fail(
            [doc],
            doc=f"{label(doc.type).capitalize()} {doc.ref}",
            reasons=reasons,
            severity=None if blocking else "warning",
            action=action.format(doc=doc.ref),
            evidence={r.code.value: dict(r.evidence) for r in hits},
        )


_REJECTED = "{doc} cannot be used: {reasons}"
_RESCAN = "Rescan {doc} on a flatbed scanner in colour"


@rule(
    "scan.colour-copy",
    severity="BBB",
    source=SRC_004,
    title="Copies of identity documents are in colour",
    message=_REJECTED,
    catalogue="scan_colour_copy",
)
def scan_colour_copy(ctx: RuleContext) -> Iterator[Finding]:
    """Fail on a ``greyscale`` rejection (004 "A colored copy of the passport must be provided")."""
    yield from _rejections(ctx, frozenset({R.GREYSCALE}), _RESCAN)


@rule(
    "scan.not-phone-photo",
    severity="BBB",
    source=SRC_004,
    title="Documents are scans, not phone photographs or screenshots",
    message=_REJECTED,
    catalogue="scan_not_phone_photo",
)
def scan_not_phone_photo(ctx: RuleContext) -> Iterator[Finding]:
    """Fail on ``phone_photo``/``screenshot`` (004 "photographs taken ... by mobile phone are not accepted")."""
    yield from _rejections(ctx, frozenset({R.PHONE_PHOTO, R.SCREENSHOT}), _RESCAN)


@rule(
    "scan.quality-sufficient",
    severity="BBB",
    source=SRC_004,
    title="Scans are legible: sharp, complete, well exposed, enough resolution",
    message=_REJECTED,
    catalogue="scan_quality_sufficient",
)
def scan_quality_sufficient(ctx: RuleContext) -> Iterator[Finding]:
    """Fail on the other image rejections (blur, resolution, glare, exposure, cut-off, unreadable) (004)."""
    codes = frozenset(RejectionCode) - {R.GREYSCALE, R.PHONE_PHOTO, R.SCREENSHOT}
    yield from _rejections(ctx, codes, _RESCAN + " at 300 dpi, with all edges visible")


@rule(
    "scan.card-both-sides",
    severity="BBB",
    source=SRC_004,
    title="Identity and residence cards are scanned on both sides",
    message="{doc}: only one side was scanned and no machine-readable zone was found{detail}",
    catalogue="scan_quality_sufficient",
)
def scan_card_both_sides(ctx: RuleContext) -> Iterator[Finding]:
    """Fail on a one-page card without an MRZ: the back (issue date, MRZ) is missing (004 "both sides").

    A card scanned on both sides without an MRZ is a card without one (``has_mrz: false``), which
    ``eu.id-card-phaseout`` judges. Fails: the front of an Italian CIE alone. Passes: front and back.
    """
    cards = [d for d in ctx.docs(DocType.ID_CARD, DocType.RESIDENCE_CARD) if d.accepted]
    for doc in cards:
        if ctx.value(doc, "has_mrz") is None and len(doc.pages) == 1:
            others = [d for d in cards if d is not doc and d.file != doc.file]
            detail = f" (another card scan: {', '.join(d.ref for d in others)})" if others else ""
            yield ctx.fail(
                [doc],
                doc=f"{label(doc.type).capitalize()} {doc.ref}",
                detail=detail,
                action=f"Scan the back of the card too (with the machine-readable zone), in the same file as {doc.ref}",
            )
        else:
            yield ctx.ok(f"{label(doc.type).capitalize()} {doc.ref} scanned on both sides", [doc])


@rule(
    "scan.text-read",
    severity="BBB",
    source=SRC_004,
    title="The text of every page was read",
    message="{doc}: the text of page {pages} was not read (OCR timed out)",
    catalogue="scan_quality_sufficient",
)
def scan_text_read(ctx: RuleContext) -> Iterator[Finding]:
    """Not evaluable when OCR stopped at its time limit (``--ocr-timeout``): the page's content is unknown.

    A timeout says nothing about the scan (no rescan is asked for), but every rule reading that
    page saw nothing: a person reads it (or the run is repeated with a longer limit; a timed-out
    page is not cached). Passes: every page read.
    """
    unread = [d for d in ctx.documents if d.unread_pages]
    for doc in unread:
        pages = ", ".join(str(n) for n in doc.unread_pages)
        yield ctx.unknown(
            f"the content of {doc.ref}: the text of page {pages} was not read (OCR timed out)",
            [doc],
            action=f"Read {doc.file} (page {pages}) yourself, or check the dossier again with a longer OCR time limit",
        )
    if ctx.documents and not unread:
        yield ctx.ok(f"The text of all {len(ctx.documents)} document(s) was read", ctx.documents)


# ----- plausibility ----------------------------------------------------------------------------------


def _out_of_window(doc: Document, name: str) -> bool:
    """The extraction found this date outside the window its document allows (``pipeline.stages.extract_dates``)."""
    basis = doc.fields[name].basis
    return "implausible" in basis or "no-century-fits" in basis


@rule(
    "document.dates-plausible",
    severity="BBB",
    source="ICAO-9303",
    title="Dates on each document are internally consistent",
    message="{doc}: {problems}",
    catalogue="document_dates_plausible",
)
def dates_plausible(ctx: RuleContext) -> Iterator[Finding]:
    """Fail iff issued after the evaluation date, expiring before issue, or born after issue (§2).

    Fails: issue 2031-03-04 with expiry 2021-03-03. Passes: issue 2021-03-04, expiry 2031-03-03.
    """
    for doc in ctx.docs(*DocType):
        issue, expiry, birth = (ctx.date(doc, n) for n in ("issue_date", "expiry_date", "birth_date"))
        names = ("issue_date", "expiry_date", "birth_date")
        doubtful = [n for n in names if n in doc.fields and ctx.date(doc, n) is None and _out_of_window(doc, n)]
        if doubtful:
            # A date read with low confidence (a misread, or a date that fits no window) is for a
            # person to check, never a failure (issue 13).
            yield ctx.unknown(f"the dates of {doc.ref}: {ctx.why_missing(doc, doubtful[0])}", [doc])
            continue
        problems = []
        if issue and issue > ctx.as_of:
            problems.append(f"issue date {issue} is after today ({ctx.as_of})")
        if issue and expiry and expiry <= issue:
            problems.append(f"expiry {expiry} is not after issue {issue}")
        if issue and birth and birth >= issue:
            problems.append(f"birth date {birth} is not before issue {issue}")
        if problems:
            yield ctx.fail(
                [doc],
                doc=f"{label(doc.type).capitalize()} {doc.ref}",
                problems="; ".join(problems),
                action=f"Check the dates of {doc.ref} by hand (possible misread) or rescan it",
            )
        else:
            yield ctx.ok(f"Dates of {doc.ref} are consistent", [doc])


# ----- health insurance (§11) ------------------------------------------------------------------------


def _private_policies(ctx: RuleContext) -> list[Document]:
    """Health insurance documents that are private/travel policies (not mutuality or EHIC)."""
    return [
        d
        for d in ctx.docs(DocType.HEALTH_INSURANCE)
        if str(ctx.value(d, "policy_type") or "private").lower() not in {"mutuality", "ehic", "s1"}
    ]


@rule(
    "health_insurance.min-coverage-30000",
    severity="BW-",
    applies_to=NON_EU,
    source="001_f4df004ff357ad2a.txt",
    title="Private health insurance covers at least EUR 30,000",
    message="Health insurance {ref} covers EUR {amount:,.0f}, below EUR {minimum:,.0f}",
    catalogue="health_insurance_min_coverage_30000",
)
def health_insurance_min_coverage(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff ``coverage_amount >= 30000`` on a private policy (001; VISA-CODE-15). Fails: EUR 20,000."""
    minimum = ctx.params.health_insurance_min_eur
    for doc in _private_policies(ctx):
        amount = ctx.number(doc, "coverage_amount")
        if amount is None:
            yield ctx.unknown(f"the sum insured: {ctx.why_missing(doc, 'coverage_amount')}", [doc])
        elif amount >= minimum:
            yield ctx.ok(f"Health insurance {doc.ref} covers EUR {amount:,.0f}", [doc])
        else:
            yield ctx.fail(
                [doc],
                ref=doc.ref,
                amount=amount,
                minimum=minimum,
                action=f"Get a policy covering at least EUR {minimum:,.0f} (the current one covers EUR {amount:,.0f})",
            )


@rule(
    "health_insurance.period-covers-stay",
    severity="BBB",
    applies_to=ALL - {Applicant.EU_CITIZEN},
    source="VISA-CODE-15",
    title="Health insurance runs from arrival and covers the first year",
    message="Health insurance {ref} {problem}",
    catalogue="health_insurance_period_covers_stay",
)
def health_insurance_period(ctx: RuleContext) -> Iterator[Finding]:
    """Block iff it starts after arrival/application or ends before the application; warn if < 12 months.

    Fails: valid from 2025-10-01 with entry 2025-09-10. Passes: 2025-09-01 → 2026-08-31, entry 2025-09-10.
    """
    app = ctx.application_date
    start_by = ctx.case.entry_date if ctx.stage == "visa" else max(filter(None, (ctx.case.entry_date, app)))
    for doc in ctx.docs(DocType.HEALTH_INSURANCE):
        valid_from, valid_to = ctx.date(doc, "valid_from"), ctx.date(doc, "valid_to")
        if valid_from is None or valid_to is None or start_by is None:
            what = (
                ctx.why_missing(doc, "valid_from" if valid_from is None else "valid_to")
                if start_by
                else ("the planned entry date is not known")
            )
            yield ctx.unknown(f"the insurance period: {what}", [doc], fact=None if start_by else "entry_date")
            continue
        wanted = add_months(app, ctx.params.planned_stay_months)
        if valid_from > start_by or valid_to < app:
            problem = f"runs {valid_from} → {valid_to}, which does not cover {start_by}"
            yield ctx.fail(
                [doc], ref=doc.ref, problem=problem, action=f"Get insurance that starts on or before {start_by}"
            )
        elif valid_to < wanted:
            yield ctx.fail(
                [doc],
                ref=doc.ref,
                problem=f"ends {valid_to}, before {wanted} (12 months after application)",
                severity="warning",
                action=f"Extend the insurance to at least {wanted}",
            )
        else:
            yield ctx.ok(f"Health insurance {doc.ref} covers {valid_from} → {valid_to}", [doc], valid_until=valid_to)


# ----- means (§10) -----------------------------------------------------------------------------------


def academic_year_start(day: dt.date) -> dt.date:
    """Start (1 September) of the academic year an application on ``day`` is for.

    >>> academic_year_start(dt.date(2025, 7, 1)), academic_year_start(dt.date(2026, 2, 1))
    (datetime.date(2025, 9, 1), datetime.date(2025, 9, 1))
    """
    return dt.date(day.year if day.month >= 3 else day.year - 1, 9, 1)


@rule(
    "student.means-threshold",
    severity="BBB",
    applies_to={Applicant.STUDENT},
    source="DVZ-STU-MEANS",
    title="Student's blocked account holds 12 × the monthly amount of the academic year",
    message="Blocked account {ref} holds EUR {amount:,.0f}, below {months} × EUR {monthly:,.0f} = EUR {required:,.0f} "
    "for {year}",
    catalogue="student_means_threshold",
)
def student_means_threshold(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff the bank statement ``amount >= 12 × monthly_amount(academic year)`` (DVZ-STU-MEANS).

    When the year's amount is only announced (2026-27: EUR 1,062) or not configured, the rule decides
    by bounds: above every possible amount passes, below the last confirmed one fails, in between a
    person must confirm the amount (parameters file). Fails: EUR 9,636 for 2025-26 (12 × 835 = 10,020).
    Passes: EUR 10,020.
    """
    start = academic_year_start(ctx.application_date)
    year = f"{start.year}-{start.year + 1}"
    months = ctx.params.student_blocked_months
    monthly = ctx.params.student_monthly_eur.bounds(start)
    required = monthly.map(lambda amount: amount * months)
    for doc in ctx.docs(DocType.BANK_STATEMENT):
        amount = ctx.number(doc, "amount")
        if amount is None:
            yield ctx.unknown(f"the blocked amount: {ctx.why_missing(doc, 'amount')}", [doc])
            continue
        outcome = required.judge(amount)
        if outcome == "pass":
            note = "" if monthly.exact else f"{monthly.note}; EUR {amount:,.0f} covers even the highest amount"
            yield ctx.ok(
                f"Blocked account {doc.ref}: EUR {amount:,.0f} ≥ EUR {required.highest:,.0f} ({year})", [doc], note=note
            )
        elif outcome == "fail":
            assert monthly.lowest is not None and required.lowest is not None
            yield ctx.fail(
                [doc],
                ref=doc.ref,
                amount=amount,
                months=months,
                monthly=monthly.lowest,
                required=required.lowest,
                year=year,
                note="" if monthly.exact else f"{monthly.note}; it cannot be lower than the last confirmed amount",
                action=f"Top up the blocked account by EUR {required.lowest - amount:,.0f} to at least "
                f"EUR {required.lowest:,.0f} ({months} × EUR {monthly.lowest:,.0f}, the {year} amount"
                + ("" if monthly.exact else f", or more: {monthly.note}")
                + ")",
            )
        else:
            span = (
                f"between EUR {required.lowest:,.0f} and EUR {required.highest:,.0f}"
                if required.lowest is not None and required.highest is not None
                else "unknown"
            )
            yield ctx.unknown(
                f"that EUR {amount:,.0f} is enough for {year}: {monthly.note}; the required sum is {span}",
                [doc],
                action=f"Confirm the monthly amount for {year} (parameter student_monthly_eur in the parameters "
                "file), or have a person check it",
                parameter="student_monthly_eur",
            )


# ----- registration deadlines (§4, §5) ----------------------------------------------------------------


def _deadline(ctx: RuleContext, deadline: dt.date, what: str) -> Iterator[Finding]:
    app = ctx.application_date
    if app <= deadline:
        yield ctx.ok(f"Lodged {app}, within the {what} (deadline {deadline})", valid_until=deadline)
    else:
        yield ctx.fail(
            entry=ctx.case.entry_date,
            deadline=deadline,
            application=app,
            late=(app - deadline).days,
            what=what,
            action=f"Lodge the registration immediately: the deadline was {deadline}; a fine is possible",
        )


_LATE = "Registration on {application} is {late} day(s) after the deadline {deadline} ({what} after entry {entry})"


@rule(
    "registration.non-eu-8-days",
    severity="WWW",
    applies_to=FIRST_ADMISSION | {Applicant.LTR_SECOND_STATE},
    source=SRC_002,
    title="Third-country nationals register at the commune within 8 days of arrival",
    message=_LATE,
    catalogue="non_eu_registration_within_8_days",
)
def registration_non_eu(ctx: RuleContext) -> Iterator[Finding]:
    """Calendar days (rolled forward) or working days per profile (002, 003; COMMUNE-8WD).

    Warns: entry 2028-02-20, registration 2028-02-29 (calendar deadline 2028-02-28); the
    working-day deadline is 2028-03-01.
    """
    if ctx.stage != "commune":
        return
    if ctx.case.entry_date is None:
        yield ctx.unknown("the registration deadline: the entry date is not known", fact="entry_date")
        return
    p = ctx.params
    deadline = deadline_days(
        ctx.case.entry_date, p.registration_days_non_eu, p.registration_working_days, p.roll_forward
    )
    kind = "working days" if p.registration_working_days else "days"
    yield from _deadline(ctx, deadline, f"{p.registration_days_non_eu} {kind}")


@rule(
    "eu.registration-3-months",
    severity="WWW",
    applies_to=EU,
    source="IBZ-REG",
    title="EU citizens register within 3 months of arrival",
    message=_LATE,
    catalogue="eu_registration_within_3_months",
)
def eu_registration_3_months(ctx: RuleContext) -> Iterator[Finding]:
    """Deadline ``add_months(entry, 3)`` rolled forward (003; IBZ-REG). Passes: entry 2027-11-30, 2028-02-29."""
    if ctx.case.entry_date is None:
        yield ctx.unknown("the registration deadline: the entry date is not known", fact="entry_date")
        return
    deadline = add_months(ctx.case.entry_date, ctx.params.registration_months_eu)
    yield from _deadline(ctx, roll_forward(deadline) if ctx.params.roll_forward else deadline, "3 months")


@dataclasses.dataclass(frozen=True, slots=True)
class Basis:
    """The basis of residence an EU citizen's documents prove, or what is missing."""

    name: str | None
    """The basis claimed (``eu_basis``) or inferred from the documents; None: nothing points to one."""
    missing: list[str] | None
    """Labels of the missing documents; None: the basis cannot be checked from document types."""
    inferred: bool = False
    doubtful: tuple[Document, ...] = ()
    """Documents below the type threshold that could be the missing ones."""


_BASIS_LABELS = {
    "worker": "an employment contract (worker)",
    "student": "an enrolment letter, proof of means and health insurance (student)",
    "self_sufficient": "proof of means and health insurance (self-sufficient)",
    "family": "a marriage or birth certificate (family member)",
}


def eu_basis(ctx: RuleContext) -> Basis:
    """The EU citizen's basis of residence: claimed in ``eu_basis``, else inferred from the documents.

    The inferred basis is the one whose documents are most complete (issue 13: a dossier with no
    contract, enrolment or means is not ready, not "eu_basis not given").
    """
    claimed = ctx.case.eu_basis
    names = [claimed] if claimed else [b for b, sets in EU_BASIS_DOCUMENTS.items() if sets]
    best: tuple[float, str, list[str], list[Document]] | None = None
    for name in names:
        sets = EU_BASIS_DOCUMENTS[name]
        if sets is None:
            return Basis(name, None)
        missing = [s for s in sets if not ctx.docs(*s)]
        doubtful = [d for s in missing for d in ctx.unsure(*s)]
        labels = [" or ".join(sorted(label(t) for t in s)) for s in missing]
        share = 1 - len(missing) / len(sets)
        if best is None or share > best[0]:
            best = (share, name, labels, doubtful)
    assert best is not None
    share, name, labels, doubtful = best
    if claimed or share > 0:
        return Basis(name, labels, inferred=not claimed, doubtful=tuple(doubtful))
    doubtful = [d for sets in EU_BASIS_DOCUMENTS.values() if sets for s in sets for d in ctx.unsure(*s)]
    return Basis(None, [" or ".join(_BASIS_LABELS.values())], inferred=True, doubtful=tuple(dict.fromkeys(doubtful)))


@rule(
    "eu.basis-of-residence",
    severity="BBB",
    applies_to=EU,
    source=SRC_003,
    title="EU citizen proves a basis of residence (work, studies, means + insurance, family)",
    message="Missing proof of basis of residence ({basis}): {missing}",
    catalogue="eu_basis_of_residence_proof",
)
def eu_basis_of_residence(ctx: RuleContext) -> Iterator[Finding]:
    """Table lookup of the documents for ``eu_basis`` (003; DIR-2004-38 art. 7).

    Without ``eu_basis`` the basis is inferred from the documents present; none present fails with
    "missing proof of basis of residence". Fails: self-sufficient pensioner without health insurance.
    """
    basis = eu_basis(ctx)
    how = " (inferred from the documents)" if basis.inferred and basis.name else ""
    if basis.missing is None:
        yield ctx.unknown(f"the basis of residence {basis.name}: its proof is not a recognised document type")
    elif basis.missing and basis.doubtful:
        yield ctx.unknown(
            f"the proof of the basis of residence: {', '.join(d.ref for d in basis.doubtful)} was classified with "
            "low confidence",
            basis.doubtful,
        )
    elif basis.missing:
        yield ctx.fail(
            basis=f"{basis.name}{how}" if basis.name else "none found",
            missing=", ".join(basis.missing),
            action=f"Add {', '.join(basis.missing)} to prove the basis of residence",
        )
    else:
        yield ctx.ok(f"Basis '{basis.name}'{how} documented")


@rule(
    "eu.registration-complete",
    severity="BBB",
    applies_to=EU,
    source="DVZ-EU-2025",
    title="Since 2025-09-01 all supporting documents are brought to the first appointment",
    message="Application on {application} with documents missing ({missing}): it will not be considered",
    catalogue="eu_registration_complete_at_first_visit",
)
def eu_registration_complete(ctx: RuleContext) -> Iterator[Finding]:
    """Fail iff basis documents are missing at an application on or after 2025-09-01 (DVZ-EU-2025)."""
    if ctx.stage != "commune" or ctx.application_date < ctx.params.eu_full_dossier_from:
        return
    basis = eu_basis(ctx)
    if basis.missing is None:
        yield ctx.unknown("that the dossier is complete for the first appointment")
    elif basis.missing and basis.doubtful:
        yield ctx.unknown(
            f"that the dossier is complete: {', '.join(d.ref for d in basis.doubtful)} was classified with low "
            "confidence",
            basis.doubtful,
        )
    elif basis.missing:
        yield ctx.fail(
            application=ctx.application_date,
            missing=", ".join(basis.missing),
            action=f"Bring {', '.join(basis.missing)} to the appointment; incomplete files are not considered",
        )
    else:
        yield ctx.ok(f"All documents for basis '{basis.name}' present")
