"""Run the rule pack on a dossier and turn findings into a verdict (CONTRACT.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pipeline.case import CaseFacts
from pipeline.links import link_documents
from pipeline.model import Document, Finding, Severity, Status, Verdict
from validators.applicants import ALL
from validators.context import RuleContext
from validators.params import profile_params
from validators.registry import select

log = logging.getLogger(__name__)


def evaluate(
    documents: Sequence[Document],
    case: CaseFacts,
    *,
    as_of: dt.date,
    profile: str = "conservative",
    pick: Iterable[str] | None = None,
    skip: Iterable[str] = (),
    overrides: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Run every rule of ``profile`` that applies to the case.

    Args:
        documents: Classified documents of one dossier.
        case: Case facts; ``application_date`` defaults to ``as_of``.
        as_of: Evaluation date.
        profile: ``conservative``, ``official_minimum`` or ``ugent_employer``.
        pick: Rule ids or groups to run (default: all).
        skip: Rule ids or groups to leave out.
        overrides: Pack parameters to replace (see :class:`validators.params.Params`); a
            ``profile.<name>`` key holds overrides for that profile only (the parameters file).

    Returns:
        Findings in rule order. A rule that crashes on unexpected data yields a not-evaluable
        finding instead of stopping the run (rules never raise on bad data; this is the backstop).

    Raises:
        ValueError: for an unknown profile, rule id or parameter.
    """
    rules = select(profile, pick, skip)
    params = profile_params(profile, overrides)
    base = RuleContext(tuple(documents), case.with_defaults(as_of), as_of, profile, params)
    base = dataclasses.replace(base, links=tuple(link_documents(base.documents, base.value)))
    applicant = base.applicant
    findings: list[Finding] = []
    for rule in rules:
        if rule.applies_to != ALL and applicant not in rule.applies_to:
            continue
        ctx = dataclasses.replace(base, rule=rule)
        try:
            findings.extend(rule.check(ctx))
        except Exception as exc:  # noqa: BLE001 - a rule bug must not hide the other findings
            log.exception("rule %s crashed", rule.id)
            findings.append(ctx.unknown(f"this rule: internal error {type(exc).__name__}: {exc}"))
    return findings


def _blocking(findings: Iterable[Finding], status: Status) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.BLOCKING and f.status is status]


def verdict(findings: Sequence[Finding]) -> Verdict:
    """``ready`` unless a blocking finding fails (``not_ready``) or is not evaluable (``needs_review``).

    >>> verdict([])
    <Verdict.READY: 'ready'>
    """
    if _blocking(findings, Status.FAIL):
        return Verdict.NOT_READY
    if _blocking(findings, Status.NOT_EVALUABLE):
        return Verdict.NEEDS_REVIEW
    return Verdict.READY


def ready_until(findings: Sequence[Finding]) -> dt.date | None:
    """Last application date on which every blocking date rule still passes; None when not ready."""
    if verdict(findings) is not Verdict.READY:
        return None
    dates = [f.valid_until for f in _blocking(findings, Status.PASS) if f.valid_until is not None]
    return min(dates, default=None)
