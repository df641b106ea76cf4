"""Renewal, Annex 15, family reunification and long-term residence rules (RULES.md §10, §13–§15)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

from pipeline.model import Category, DocType, Document, Finding
from validators.applicants import Applicant
from validators.context import RuleContext, country
from validators.dates import ONE_DAY, add_months, days_before, overlap_days, years_between
from validators.registry import rule
from validators.sources import SRC_003, SRC_004

REN = {Applicant.RENEWAL}
LTR = {Applicant.LONG_TERM_RESIDENT}
FAMILY = {Applicant.FAMILY_REUNIFICATION}


# ----- renewal (§14) ---------------------------------------------------------------------------------


def card_expiry(ctx: RuleContext) -> tuple[dt.date | None, list[Document]]:
    """Expiry of the current residence card (scanned card first, else the case fact) and its documents."""
    cards = ctx.docs(DocType.RESIDENCE_CARD)
    dates = [d for d in (ctx.date(c, "expiry_date") for c in cards) if d]
    return (max(dates) if dates else ctx.case.card_expiry_date), cards


def _is_student_renewal(ctx: RuleContext) -> bool:
    return ctx.renewal_of is Category.STUDENT


def _renewal_timing(ctx: RuleContext) -> tuple[dt.date, int, list[Document]] | None:
    """(expiry, days before expiry, card documents), or None after yielding nothing (no expiry known)."""
    expiry, cards = card_expiry(ctx)
    if expiry is None:
        return None
    return expiry, days_before(expiry, ctx.application_date), cards


def _no_expiry(ctx: RuleContext) -> Finding:
    _, cards = card_expiry(ctx)
    return ctx.unknown("the renewal timing: the current card's expiry date is not known", cards,
                       field="expiry_date" if cards else None, fact=None if cards else "card_expiry_date")


@rule(
    "renewal.window-45-30-days",
    severity="BWB",
    applies_to=REN,
    source=SRC_004,
    title="Renewal requested between the 45th and the 30th day before the card expires",
    message="Renewal on {application} is {when}: the window runs {open} → {close} (card expires {expiry})",
    catalogue="renewal_window_45_30_days",
)
def renewal_window(ctx: RuleContext) -> Iterator[Finding]:
    """``too_early`` (> 45 days) per profile; ``late`` (< 30 days) a warning; not for students (004; VR-B15).

    Fails: expiry 2027-10-31, application 2027-09-10 (51 days, too early). Passes: 2027-09-20.
    """
    if _is_student_renewal(ctx):
        return
    timing = _renewal_timing(ctx)
    if timing is None:
        yield _no_expiry(ctx)
        return
    expiry, days, cards = timing
    p = ctx.params
    window_open, close = expiry - dt.timedelta(p.renewal_open_days), expiry - dt.timedelta(p.renewal_close_days)
    fmt: dict[str, Any] = {"application": ctx.application_date, "open": window_open, "close": close, "expiry": expiry}
    if days > p.renewal_open_days:
        yield ctx.fail(
            cards,
            when=f"too early ({days} days before expiry)",
            action=f"Submit the renewal on or after {window_open} (and by {close})",
            **fmt,
        )
    elif days < 0:
        yield ctx.fail(
            cards,
            when="after the card expired",
            severity="warning",
            action="See renewal.card-not-expired: the renewal may become a new application",
            **fmt,
        )
    elif days < p.renewal_close_days:
        yield ctx.fail(
            cards,
            when=f"late ({days} days before expiry)",
            severity="warning",
            action=f"Submit immediately; if there is no decision by {expiry} the commune issues an Annex 15",
            **fmt,
        )
    else:
        yield ctx.ok(f"Renewal on {ctx.application_date} within {window_open} → {close}", cards)


@rule(
    "renewal.not-later-than-30-days",
    severity="WW-",
    applies_to=REN,
    source=SRC_003,
    title="Renewal requested at least 30 days before the card expires",
    message="Renewal on {application} is only {days} days before the card expires ({expiry})",
    catalogue="renewal_not_later_than_30_days_before",
)
def renewal_30_days(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff ``(expiry - application).days >= 30`` (003). Fails: 14 days before expiry."""
    if _is_student_renewal(ctx):
        return
    timing = _renewal_timing(ctx)
    if timing is None:
        return
    expiry, days, cards = timing
    if days >= ctx.params.renewal_close_days:
        yield ctx.ok(f"Renewal {days} days before expiry", cards)
    else:
        yield ctx.fail(
            cards,
            application=ctx.application_date,
            days=days,
            expiry=expiry,
            action=f"Submit the renewal immediately (the card expires {expiry})",
        )


@rule(
    "renewal.student-15-days",
    severity="BBB",
    applies_to=REN,
    source="DVZ-STU-REN",
    title="Students request renewal at the latest 15 days before the card expires",
    message="Student renewal requested on {application}, {days} days before expiry ({expiry}); the latest day "
    "was {latest}: the request is inadmissible (Annex 29)",
    catalogue="renewal_student_at_latest_15_days",
)
def renewal_student_15_days(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff ``(expiry - application).days >= 15`` for students (DVZ-STU-REN). Fails: 11 days before."""
    if not _is_student_renewal(ctx):
        return
    timing = _renewal_timing(ctx)
    if timing is None:
        yield _no_expiry(ctx)
        return
    expiry, days, cards = timing
    latest = expiry - dt.timedelta(ctx.params.student_renewal_min_days)
    if days >= ctx.params.student_renewal_min_days:
        yield ctx.ok(f"Student renewal {days} days before expiry", cards, valid_until=latest)
    else:
        yield ctx.fail(
            cards,
            application=ctx.application_date,
            days=days,
            expiry=expiry,
            latest=latest,
            action=f"Adding documents cannot fix this: the latest day was {latest}. Seek legal advice "
            "(the commune declares late student renewals inadmissible)",
        )


@rule(
    "renewal.single-permit-timing",
    severity="WWW",
    applies_to=REN,
    source="SP-RENEW",
    title="Employer filed the single-permit renewal at the Region 2 to 4.5 months before expiry",
    message="Regional filing on {filed} is outside {earliest} → {latest} (card expires {expiry})",
    catalogue="renewal_single_permit_timing",
)
def renewal_single_permit_timing(ctx: RuleContext) -> Iterator[Finding]:
    """Warn iff the filing is after ``expiry - 2 months`` or before ``expiry - 4 months - 15 days``."""
    if ctx.renewal_of is not Category.SINGLE_PERMIT:
        return
    expiry, cards = card_expiry(ctx)
    filed = ctx.case.regional_filing_date
    if expiry is None or filed is None:
        yield ctx.unknown("the regional filing date of the work-authorisation renewal", cards,
                          fact="regional_filing_date")
        return
    p = ctx.params
    latest = add_months(expiry, -p.sp_renewal_latest_months)
    earliest = add_months(expiry, -p.sp_renewal_earliest_months) - dt.timedelta(p.sp_renewal_earliest_extra_days)
    if earliest <= filed <= latest:
        yield ctx.ok(f"Regional filing on {filed} within {earliest} → {latest}", cards)
    else:
        yield ctx.fail(
            cards,
            filed=filed,
            earliest=earliest,
            latest=latest,
            expiry=expiry,
            action=f"Check with the employer that the Region accepted the filing (due by {latest})",
        )


@rule(
    "renewal.card-not-expired",
    severity="BBB",
    applies_to=REN,
    source=SRC_004,
    title="The current card (or an Annex 15) is valid on the application date",
    message="The card expired on {expiry}, before the application date {application}, and no Annex 15 covers it",
    catalogue="renewal_card_not_expired",
)
def renewal_card_not_expired(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff ``card.expiry >= application`` or an Annex 15 covers the application date (004)."""
    expiry, cards = card_expiry(ctx)
    annex = annex15_valid_until(ctx)
    if expiry is None:
        yield _no_expiry(ctx)
    elif expiry >= ctx.application_date or (annex and annex >= ctx.application_date):
        yield ctx.ok(f"Card valid until {expiry}", cards, valid_until=max(expiry, annex or expiry))
    else:
        yield ctx.fail(
            cards,
            expiry=expiry,
            application=ctx.application_date,
            action="Seek advice: with an expired card the renewal becomes a new application",
        )


def annex15_valid_until(ctx: RuleContext) -> dt.date | None:
    """Printed Annex 15 end date, else issue date + 45 days (C10)."""
    issued = ctx.case.annex15_issue_date
    return ctx.case.annex15_valid_until or (issued + dt.timedelta(ctx.params.annex15_days) if issued else None)


@rule(
    "annex15.valid",
    severity="BBB",
    source=SRC_003,
    title="The Annex 15 covering a pending application is still valid",
    message="Annex 15 valid until {until}, expired on the check date {as_of}",
    catalogue="annex15_validity_45_days",
)
def annex15_valid(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff the Annex 15 end date ≥ the evaluation date; warn within 7 days of expiry (003; DVZ-STU-REN)."""
    until = annex15_valid_until(ctx)
    if until is None:
        return
    action = f"Have the Annex 15 extended at the commune now (it ended {until}); it is renewable until a decision"
    if until < ctx.as_of:
        yield ctx.fail(until=until, as_of=ctx.as_of, action=action)
    elif (until - ctx.as_of).days <= ctx.params.annex15_warn_days:
        yield ctx.fail(
            until=until, as_of=ctx.as_of, severity="warning", message=f"Annex 15 expires soon ({until})", action=action
        )
    else:
        yield ctx.ok(f"Annex 15 valid until {until}", valid_until=until)


@rule(
    "annex15.travel-warning",
    severity="WWW",
    source="ABIL",
    title="Travel abroad on an Annex 15 with an expired card: no re-entry",
    message="Travel planned on {travel} while the stay is covered only by an Annex 15 (card expired {expiry})",
    catalogue="annex15_travel_warning",
)
def annex15_travel(ctx: RuleContext) -> Iterator[Finding]:
    """Warn iff travel is planned after the card expired and an Annex 15 is the cover (ABIL; VR-B15)."""
    travel, (expiry, cards) = ctx.case.travel_date, card_expiry(ctx)
    if travel is None or annex15_valid_until(ctx) is None:
        return
    if expiry is not None and expiry >= travel:
        yield ctx.ok(f"The card ({expiry}) still covers the trip on {travel}", cards)
    else:
        yield ctx.fail(
            cards,
            travel=travel,
            expiry=expiry or "unknown",
            action="Do not travel before the new card is issued: an Annex 15 does not allow re-entry",
        )


# ----- family reunification (§10, §13) ------------------------------------------------------------


@rule(
    "family.income-threshold",
    severity="BBB",
    applies_to=FAMILY,
    source="FR-2025",
    title="Sponsor's net monthly income reaches the family-reunification threshold",
    message="Sponsor income EUR {income:,.2f}/month is below the threshold EUR {threshold:,.2f} ({regime})",
    catalogue="family_reunification_income_threshold",
)
def family_income(ctx: RuleContext) -> Iterator[Finding]:
    """Before the reform: 120 % integration income; after: GMMI × (1.10 + 0.10 × (n − 1)) (FR-2023, FR-2025).

    No official GMMI value has been seen, so the rule decides by bounds: the pre-reform threshold is
    the floor (the reform tightened it), the announced or configured GMMI the ceiling.
    Fails: EUR 2,150 with 2 joining and GMMI 2,112 (threshold 2,534.40).
    """
    p, app = ctx.params, ctx.application_date
    joining = ctx.case.family_members_joining or 1
    if app < p.fr_reform_date:
        bounds = p.fr_income_120pct_eur.bounds(app)
        regime = "120 % of the integration income"
    else:
        factor = p.fr_base_factor + p.fr_extra_member_factor * (joining - 1)
        bounds = p.fr_gmmi_eur.bounds(app).map(lambda gmmi: round(gmmi * factor, 2))
        regime = f"{factor:.2f} × GMMI for {joining} joining"
        floor = p.fr_income_120pct_eur.at(app)
        if bounds.lowest is None and floor is not None:
            bounds = dataclasses.replace(
                bounds, lowest=floor, note=f"{bounds.note}; floor: the pre-reform threshold EUR {floor:,.2f}"
            )
    income = ctx.case.monthly_income
    if income is None:
        yield ctx.unknown(
            "the sponsor's income: monthly_income is not given",
            action="Fill in the monthly_income column (the sponsor's net monthly income) in cases.csv",
            fact="monthly_income",
        )
        return
    outcome = bounds.judge(income)
    if outcome == "pass":
        yield ctx.ok(f"Sponsor income EUR {income:,.2f} ≥ EUR {bounds.highest:,.2f} ({regime})", note=bounds.note)
    elif outcome == "fail":
        assert bounds.lowest is not None
        yield ctx.fail(
            income=income,
            threshold=bounds.lowest,
            regime=regime if bounds.exact else f"{regime}; at least the floor: {bounds.note}",
            action=f"The sponsor's income must reach EUR {bounds.lowest:,.2f} net/month"
            + ("" if bounds.exact else " or more")
            + "; seek advice",
        )
    else:
        yield ctx.unknown(
            f"that EUR {income:,.2f} reaches the threshold ({regime}): {bounds.note}",
            action="Confirm the threshold in force (parameter fr_gmmi_eur in the parameters file), "
            "or have a person check it",
            parameter="fr_gmmi_eur",
        )


@rule(
    "family.partner-minimum-age-21",
    severity="BBB",
    applies_to=FAMILY,
    source="FR-2025",
    title="Both partners are at least 21 (from the 2025 reform)",
    message="The {who} is {age} on the application date {application}; partners must be at least {minimum}",
    catalogue="family_partner_minimum_age_21",
)
def family_partner_age(ctx: RuleContext) -> Iterator[Finding]:
    """Fail iff a partner is under 21 on the application date (FR-2025). Fails: born 2006-06-10, 2027-02-01."""
    p, app = ctx.params, ctx.application_date
    if app < p.fr_reform_date or ctx.case.family_relation not in (None, "partner"):
        return
    sponsor = ctx.case.sponsor_birth_date
    ages = {"applicant": ctx.age_on(app), "sponsor": None if sponsor is None else years_between(sponsor, app)}
    young = {who: age for who, age in ages.items() if age is not None and age < p.fr_partner_min_age}
    if ctx.case.family_relation is None and young:
        yield ctx.unknown("the partner's minimum age: the family relation is not given", fact="family_relation")
    elif young:
        who, age = next(iter(young.items()))
        yield ctx.fail(
            who=who,
            age=age,
            application=app,
            minimum=p.fr_partner_min_age,
            action="Seek advice: exceptions exist (e.g. a relationship that existed before the sponsor came)",
        )
    elif ages["applicant"] is None:
        yield ctx.unknown("the applicant's age: no date of birth")
    else:
        yield ctx.ok(f"Applicant aged {ages['applicant']} on {app}")


# ----- long-term residence (§15) ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Stay:
    """One legal stay from the case's ``stay_history``."""

    status: str
    country: str
    start: dt.date
    end: dt.date
    """Inclusive; ongoing stays end the day before the application."""


def stays(ctx: RuleContext) -> list[Stay]:
    """Stay history, newest first, cut at the day before the application."""
    last = ctx.application_date - ONE_DAY
    out = []
    for p in ctx.case.stay_history:
        status, _, where = p.label.partition("@")
        end = min(p.end or last, last)
        if p.start <= end:
            out.append(Stay(status.strip().lower(), country(where) or "BEL", p.start, end))
    return sorted(out, key=lambda s: s.start, reverse=True)


def _walk_back(history: list[Stay]) -> list[Stay]:
    """Contiguous stays walking back from the newest; a gap of a day or more stops the walk."""
    chain: list[Stay] = []
    for stay in history:
        if chain and stay.end < chain[-1].start - ONE_DAY:
            break
        chain.append(stay)
    return chain


def required_days(day: dt.date, months: int) -> int:
    """Days of ``months`` months immediately before ``day`` (1826 or 1827 for 5 years)."""
    return (day - add_months(day, -months)).days


def _credited(ctx: RuleContext, day: dt.date, extra_days: int = 0) -> float:
    """Credited Belgian residence (weighted) walking back from ``day`` (today's status continuing)."""
    weights = ctx.params.ltr_status_weights
    belgian = [s for s in stays(ctx) if s.country == "BEL"]
    chain = _walk_back(belgian)
    total = sum(weights.get(s.status, 1.0) * ((s.end - s.start).days + 1) for s in chain)
    current = weights.get(chain[0].status, 1.0) if chain else 0.0
    return total + current * extra_days


def is_blue_card_regime(ctx: RuleContext) -> bool:
    """An H card (EU Blue Card) is held: the Blue Card LTR regime applies (C15)."""
    return (ctx.case.card_type or "").upper() == "H" or any(s.status == "blue_card" for s in stays(ctx)[:1])


@rule(
    "ltr.five-years-residence",
    severity="BBB",
    applies_to=LTR,
    source=SRC_004,
    title="5 years of uninterrupted legal residence (student time counts half)",
    message="Credited residence {credited:,.1f} days < {required} days required; earliest eligible date {earliest}",
    catalogue="ltr_five_years_uninterrupted_legal_residence",
)
def ltr_five_years(ctx: RuleContext) -> Iterator[Finding]:
    """Walk back over contiguous stays with status weights (student 0.5); pass iff credited ≥ 5 years of days.

    Fails: student 2020-09-15 → 2023-09-14, work since, application 2027-01-10 (1,760.5 < 1,826;
    earliest 2027-03-17). Passes: work since 2022-03-01, application 2027-03-15 (1,840 ≥ 1,826).
    """
    if is_blue_card_regime(ctx):
        return
    if not ctx.case.stay_history:
        yield ctx.unknown("the 5 years of residence: stay_history is not given", fact="stay_history")
        return
    app, months = ctx.application_date, ctx.params.ltr_years_months
    credited, required = _credited(ctx, app), required_days(app, months)
    if credited >= required:
        yield ctx.ok(f"Credited residence {credited:,.1f} days ≥ {required}", evidence={"credited_days": credited})
        return
    earliest = next(
        (
            app + dt.timedelta(n)
            for n in range(1, 366 * 5)
            if _credited(ctx, app, n) >= required_days(app + dt.timedelta(n), months)
        ),
        None,
    )
    yield ctx.fail(
        credited=credited,
        required=required,
        earliest=earliest or "not within 5 years",
        evidence={"credited_days": credited, "earliest_eligible_date": earliest},
        action=f"Apply on or after {earliest} if the current status continues"
        if earliest
        else "Seek advice: the 5-year condition is far from met",
    )


def _absence_rule(ctx: RuleContext, consecutive_months: int, total_months: int, region: str) -> Iterator[Finding]:
    """Shared body of the absence limits (C15): no single trip over N months, total ≤ M months."""
    app = ctx.application_date
    lo = add_months(app, -ctx.params.ltr_years_months)
    trips = [a for a in ctx.case.absences if a.returned > lo]
    too_long = [a for a in trips if a.returned > add_months(a.departure, consecutive_months)]
    total = sum((a.returned - a.departure).days for a in trips)
    budget = total_months * ctx.params.month_days
    evidence = {"absence_days": total, "budget_days": budget, "remaining_days": round(budget - total, 3)}
    if too_long:
        a = too_long[0]
        yield ctx.fail(
            message=f"Absence {a.departure} → {a.returned} exceeds {consecutive_months} consecutive "
            f"months from {region}",
            evidence=evidence,
            action="Seek advice: continuity of residence is broken by this absence",
        )
    elif total > budget:
        yield ctx.fail(
            message=f"Absences total {total} days, over {total_months} months ({budget} days)",
            evidence=evidence,
            action="Seek advice: the total absence limit is exceeded",
        )
    else:
        yield ctx.ok(
            f"Absences {total} days within limits (remaining budget {budget - total:.1f} days)", evidence=evidence
        )


@rule(
    "ltr.absence-limits",
    severity="BBB",
    applies_to=LTR,
    source=SRC_004,
    title="No absence over 6 consecutive months and at most 10 months in total (general LTR)",
    message="Absence limits exceeded",
    catalogue="ltr_absence_max_6_consecutive_months",
)
def ltr_absences(ctx: RuleContext) -> Iterator[Finding]:
    """Single absence ``return > add_months(departure, 6)`` or total > 10 × 30.4375 days fails (004; AIE-LTR).

    Passes: 167 + 130 = 297 days ≤ 304.375 (remaining budget 7.4 days).
    """
    if not is_blue_card_regime(ctx):
        p = ctx.params
        yield from _absence_rule(ctx, p.ltr_absence_consecutive_months, p.ltr_absence_total_months, "Belgium")


@rule(
    "ltr.blue-card-cumulation",
    severity="BBB",
    applies_to=LTR,
    source=SRC_004,
    title="Blue Card: 5 years in the EU with a Blue Card, absences ≤ 12 consecutive / 18 total months",
    message="Blue Card residence in the EU {days} days < {required} days required",
    catalogue="ltr_blue_card_cumulation",
)
def ltr_blue_card_cumulation(ctx: RuleContext) -> Iterator[Finding]:
    """Σ Blue Card days over the contiguous chain ≥ 5 years, with the Blue Card absence limits (004).

    Passes: DEU Blue Card 2022-02-01 → 2025-01-31 then H card, application 2027-03-01 (1,854 days).
    """
    if not is_blue_card_regime(ctx):
        return
    app = ctx.application_date
    chain = [s for s in _walk_back(stays(ctx)) if s.status == "blue_card"]
    days = sum((s.end - s.start).days + 1 for s in chain)
    required = required_days(app, ctx.params.ltr_years_months)
    if days < required:
        yield ctx.fail(
            days=days,
            required=required,
            action=f"Apply once 5 years with a Blue Card are reached ({required - days} days more)",
        )
        return
    p = ctx.params
    yield from _absence_rule(ctx, p.ltr_bc_absence_consecutive_months, p.ltr_bc_absence_total_months, "the EU")


@rule(
    "ltr.blue-card-two-years-in-belgium",
    severity="BBB",
    applies_to=LTR,
    source=SRC_004,
    title="Blue Card: 2 years of residence in Belgium immediately before the application",
    message="Belgian residence does not cover {start} → {application} continuously",
    catalogue="ltr_blue_card_two_years_in_belgium",
)
def ltr_blue_card_two_years(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff contiguous Belgian stays cover ``[application - 24 months, application)`` (004)."""
    if not is_blue_card_regime(ctx):
        return
    start = add_months(ctx.application_date, -ctx.params.ltr_bc_belgium_months)
    chain = _walk_back([s for s in stays(ctx) if s.country == "BEL"])
    if chain and chain[-1].start <= start and chain[0].end >= ctx.application_date - ONE_DAY:
        yield ctx.ok(f"Belgian residence since {chain[-1].start} covers {start} → {ctx.application_date}")
    else:
        yield ctx.fail(
            start=start,
            application=ctx.application_date,
            action=f"Apply once 2 years of Belgian residence are reached (from {start})",
        )


@rule(
    "ltr_second_state.twelve-of-18-months",
    severity="BBB",
    applies_to={Applicant.LTR_SECOND_STATE},
    source=SRC_004,
    title="Indefinite single permit: 12 months of work in Belgium within the last 18 months",
    message="Worked {worked} days in Belgium within {lo} → {application}; {needed} needed ({short} short)",
    catalogue="ltr2_single_permit_indefinite_12_of_18_months",
)
def ltr2_twelve_of_18(ctx: RuleContext) -> Iterator[Finding]:
    """Worked days in ``[application - 18 months, application)`` ≥ the days of 12 months (004).

    Fails: work 2026-01-05 → 2026-12-20 (350 days), application 2027-02-01 (365 needed).
    """
    app, p = ctx.application_date, ctx.params
    lo = add_months(app, -p.ltr2_window_months)
    work = [s for s in stays(ctx) if s.status == "work" and s.country == "BEL"]
    if not work:
        yield ctx.unknown("the months worked in Belgium: stay_history has no work period", fact="stay_history")
        return
    worked = sum(overlap_days(s.start, s.end, lo, app) for s in work)
    first = max(min(s.start for s in work), lo)
    needed = (add_months(first, p.ltr2_work_months) - first).days
    if worked >= needed:
        yield ctx.ok(f"Worked {worked} days within the last 18 months (≥ {needed})")
    else:
        yield ctx.fail(
            worked=worked,
            lo=lo,
            application=app,
            needed=needed,
            short=needed - worked,
            action="Apply for a time-limited single permit now, or for the indefinite one once 12 "
            "months of work fall within a rolling 18-month window",
        )


@rule(
    "ltr.income-threshold",
    severity="BBB",
    applies_to=LTR,
    source="AIE-LTR",
    title="Stable income of at least the indexed amount plus a supplement per dependant",
    message="Income EUR {income:,.0f}/month is below EUR {threshold:,.0f} ({base:,.0f} + {dependants} × {per:,.0f})",
    catalogue="ltr_income_threshold",
)
def ltr_income(ctx: RuleContext) -> Iterator[Finding]:
    """Pass iff ``income >= base + per_dependant × dependants`` (AIE-LTR 2025: 1,038 + 346).

    A year without a configured amount is decided by bounds (the last confirmed amount is the floor).
    """
    income, dependants = ctx.case.monthly_income, ctx.case.dependants or 0
    amounts = ctx.params.ltr_income_eur.bounds(ctx.application_date)
    bounds = amounts.map(lambda pair: pair[0] + pair[1] * dependants)
    if income is None:
        yield ctx.unknown(
            "the income threshold: monthly_income is not given",
            action="Fill in the monthly_income column (net monthly income) in cases.csv",
            fact="monthly_income",
        )
        return
    outcome = bounds.judge(income)
    if outcome == "pass":
        yield ctx.ok(f"Income EUR {income:,.0f} ≥ EUR {bounds.highest:,.0f}", note=amounts.note)
    elif outcome == "fail":
        assert amounts.lowest is not None and bounds.lowest is not None
        base, per = amounts.lowest
        yield ctx.fail(
            income=income,
            threshold=bounds.lowest,
            base=base,
            per=per,
            dependants=dependants,
            note=amounts.note,
            action=f"Income must reach EUR {bounds.lowest:,.0f} net/month" + ("" if amounts.exact else " or more"),
        )
    else:
        yield ctx.unknown(
            f"that EUR {income:,.0f} reaches the threshold: {amounts.note}",
            action="Confirm the amount in force (parameter ltr_income_eur in the parameters file)",
            parameter="ltr_income_eur",
        )
