"""Kinds of work a finding asks for, and the English action of each not-evaluable kind.

A failing rule keeps its own action (it knows the dates and documents); the kind tells the report how
to group it. A not-evaluable finding says what a person must do according to what is missing: a
field read without confidence (confirm or correct it in the review form), a case fact (a column of
``cases.csv``) or a rule-pack parameter. Translations of these texts live in ``pipeline/locales``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.model import ActionKind, Document

K = ActionKind
FAIL_KINDS: Mapping[str, ActionKind] = {
    "dossier.required-documents": K.DOCUMENT_MISSING,
    "criminal_record.coverage-five-years": K.DOCUMENT_MISSING,
    "criminal_record.coverage-last-year": K.DOCUMENT_MISSING,
    "criminal_record.coverage-origin": K.DOCUMENT_MISSING,
    "authentication.apostille-or-legalisation": K.DOCUMENT_MISSING,
    "translation.language-accepted": K.DOCUMENT_MISSING,
    "eu.basis-of-residence": K.DOCUMENT_MISSING,
    "eu.registration-complete": K.DOCUMENT_MISSING,
    "eu.identity-document": K.DOCUMENT_MISSING,
    "criminal_record.max-age-6-months": K.DOCUMENT_TOO_OLD,
    "medical_certificate.max-age-6-months": K.DOCUMENT_TOO_OLD,
    "passport.valid-at-application": K.DOCUMENT_EXPIRES,
    "passport.validity-12-months": K.DOCUMENT_EXPIRES,
    "passport.valid-6-months-after-entry": K.DOCUMENT_EXPIRES,
    "passport.schengen-3-months-after-departure": K.DOCUMENT_EXPIRES,
    "passport.issued-within-10-years": K.DOCUMENT_EXPIRES,
    "passport.expires-during-stay": K.DOCUMENT_EXPIRES,
    "eu.id-card-valid-at-application": K.DOCUMENT_EXPIRES,
    "eu.id-card-phaseout": K.DOCUMENT_EXPIRES,
    "eu.identity-6-months-after-entry": K.DOCUMENT_EXPIRES,
    "renewal.card-not-expired": K.DOCUMENT_EXPIRES,
    "annex15.valid": K.DOCUMENT_EXPIRES,
    "scan.colour-copy": K.SCAN_UNUSABLE,
    "scan.not-phone-photo": K.SCAN_UNUSABLE,
    "scan.quality-sufficient": K.SCAN_UNUSABLE,
    "scan.card-both-sides": K.SCAN_UNUSABLE,
    "registration.non-eu-8-days": K.TIMING,
    "eu.registration-3-months": K.TIMING,
    "renewal.window-45-30-days": K.TIMING,
    "renewal.not-later-than-30-days": K.TIMING,
    "renewal.student-15-days": K.TIMING,
    "renewal.single-permit-timing": K.TIMING,
}
"""Kind of a failing finding by rule id; rules not listed ask for a change of content (``content``)."""


def fail_kind(rule_id: str) -> ActionKind:
    """The kind of a failing finding of ``rule_id``.

    >>> fail_kind("scan.colour-copy").value, fail_kind("family.income-threshold").value
    ('scan_unusable', 'content')
    """
    return FAIL_KINDS.get(rule_id, ActionKind.CONTENT)


_FIELD_WORDS = {"type": "document type", "has_mrz": "machine-readable zone", "mrz_valid": "MRZ check digits"}


def field_label(name: str) -> str:
    """A field name in words (``expiry_date`` → ``expiry date``; ``has_mrz`` → ``machine-readable zone``)."""
    return _FIELD_WORDS.get(name, name.replace("_", " "))


UNKNOWN_ACTIONS: Mapping[ActionKind, str] = {
    K.FIELD_UNREADABLE: "Look at the {fields} on {documents} and confirm or correct it in the review form "
    "(save review.json into the dossier folder and run the check again), or add a clearer scan",
    K.CASE_DATA_MISSING: "Fill in '{fact}' for this dossier (its column in cases.csv, or case.toml) "
    "and run the check again",
    K.PARAMETER_UNKNOWN: "The rule pack has no confirmed value of '{parameter}' for this case: "
    "check the amount against the source, or configure it, and run the check again",
    K.CONTENT: "Have a person check this against the source",
}
"""English action per not-evaluable kind, filled with ``fields``, ``documents``, ``fact``, ``parameter``."""


def action_values(evidence: Mapping[str, Any], docs: Sequence[Document] = ()) -> dict[str, str]:
    """The values that fill an action template of a not-evaluable kind (also used by translations)."""
    review = list(evidence.get("review") or ())
    fields = sorted({str(item["field"]) for item in review})
    documents = sorted({str(item["document"]) for item in review}) or [d.ref for d in docs]
    return {
        "fields": ", ".join(field_label(f) for f in fields),
        "documents": ", ".join(documents),
        "fact": str(evidence.get("fact", "")),
        "parameter": str(evidence.get("parameter", "")),
    }


def unknown_action(kind: ActionKind, evidence: Mapping[str, Any], docs: Sequence[Document] = ()) -> str:
    """The English action of a not-evaluable finding of ``kind``.

    >>> unknown_action(ActionKind.CASE_DATA_MISSING, {"fact": "entry_date"})[:26]
    "Fill in 'entry_date' for t"
    """
    return UNKNOWN_ACTIONS[kind].format(**action_values(evidence, docs))
