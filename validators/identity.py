"""Identity rules: one person across the dossier, and the MRZ against the printed page (issues 13, 15)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

from pipeline.model import Category, DocType, Document, Finding
from pipeline.names import NameMatch, compare, initials, tokens
from validators.applicants import ALL
from validators.belgium import IDENTITY
from validators.context import RuleContext, label
from validators.registry import rule

APPLICANT_DOCUMENTS = frozenset(
    {
        DocType.CRIMINAL_RECORD,
        DocType.MEDICAL_CERTIFICATE,
        DocType.ENROLLMENT_LETTER,
        DocType.EMPLOYMENT_CONTRACT,
        DocType.LEASE_AGREEMENT,
        DocType.HEALTH_INSURANCE,
        DocType.BANK_STATEMENT,
    }
)
"""Documents about the applicant. Birth and marriage certificates name relatives, so they are not compared."""
SPONSOR_DOCUMENTS = frozenset(
    {DocType.EMPLOYMENT_CONTRACT, DocType.LEASE_AGREEMENT, DocType.HEALTH_INSURANCE, DocType.BANK_STATEMENT}
)
"""In family reunification these usually prove the sponsor's work, home and means."""


@dataclasses.dataclass(frozen=True, slots=True)
class Holder:
    """Who a document names: name tokens and birth date, as read with enough confidence."""

    doc: Document
    names: tuple[str, ...]
    birth: dt.date | None

    @property
    def initials(self) -> str:
        """Initials only: names never appear in messages or logs."""
        return initials(self.names)


def holder(ctx: RuleContext, doc: Document) -> Holder:
    """The person a document names (MRZ names for identity documents, the printed holder otherwise)."""
    if doc.type in IDENTITY:
        parts = [ctx.value(doc, "surname"), ctx.value(doc, "given_names")]
        if not any(parts):
            parts = [ctx.value(doc, "surname_viz"), ctx.value(doc, "given_names_viz")]
    else:
        parts = [ctx.value(doc, "holder_name")]
    names = tuple(t for part in parts if isinstance(part, str) for t in tokens(part))
    return Holder(doc, names, ctx.date(doc, "birth_date"))


def _compared(ctx: RuleContext) -> list[Document]:
    """The applicant's documents other than identity documents (translations stand for their source)."""
    types = APPLICANT_DOCUMENTS
    if ctx.case.category is Category.FAMILY_REUNIFICATION:
        types = types - SPONSOR_DOCUMENTS
    docs = ctx.docs(*types)
    sure = ctx.params.type_confidence
    for link in ctx.links:
        target = link.target
        if link.kind is DocType.TRANSLATION and target is not None and target.type in types:
            docs += [link.attachment] if link.attachment.type_confidence >= sure else []
    return docs


def _reference(ctx: RuleContext, others: list[Holder]) -> tuple[Holder | None, list[Holder]]:
    """The applicant's identity document (the one most other documents agree with) and the other ones."""
    ids = [h for h in (holder(ctx, d) for d in ctx.docs(*IDENTITY)) if h.names]
    if not ids:
        return None, []

    def support(candidate: Holder) -> int:
        return sum(compare(candidate.names, h.names) is NameMatch.SAME for h in [*ids, *others] if h is not candidate)

    best = max(ids, key=lambda h: (support(h), ctx.value(h.doc, "mrz_valid") is True, -ids.index(h)))
    return best, [h for h in ids if h is not best]


def _verdict(ref: Holder, other: Holder) -> tuple[str, str]:
    """(``pass``/``warning``/``fail``, why) for one document against the reference."""
    names = compare(ref.names, other.names) if other.names else None
    births = None if ref.birth is None or other.birth is None else ref.birth == other.birth
    if names is NameMatch.DIFFERENT:
        if births is True:
            return "warning", "the name differs, the birth date agrees"
        return "fail", "name and birth date differ" if births is False else "the name differs"
    if names is NameMatch.PARTIAL:
        if births is False:
            return "fail", "the name only partly agrees and the birth date differs"
        if births is True:
            return "pass", "the name partly agrees (order or transliteration) and the birth date agrees"
        return "warning", "the name only partly agrees and no birth date is printed"
    if births is False:
        return "warning", "the name agrees but the birth date differs (possible misread)"
    if names is None and births is None:
        return "skip", ""
    return "pass", "same person"


@rule(
    "identity.same-person",
    severity="BBB",
    applies_to=ALL,
    source="DVZ-CR",
    title="Every personal document names the holder of the identity document",
    message="{doc} names another person ({other}) than the identity document {reference} ({applicant}): {why}",
    catalogue="identity_consistency_across_documents",
)
def same_person(ctx: RuleContext) -> Iterator[Finding]:
    """Name and birth date on each personal document agree with the identity document (issue 13).

    Names are compared as token sets (order, MRZ transliteration, second surnames and one OCR slip
    allowed, :mod:`pipeline.names`). A different name with a different (or no) birth date is another
    person: blocking. A name that agrees with a birth date that does not, or the other way round, is a
    warning (a misread is likelier). Birth and marriage certificates name relatives and are not
    compared; in family reunification neither are the sponsor's contract, lease, insurance and bank
    statement. Messages carry initials only. Fails: a criminal record of A.S. (born 1990) in the
    dossier of W.L. (born 1995). Passes: "Pablo García" against the MRZ ``GARCIA<LOPEZ<<PABLO``.
    """
    others = [h for h in (holder(ctx, d) for d in _compared(ctx)) if h.names or h.birth]
    ref, other_ids = _reference(ctx, others)
    if ref is None:
        return
    checked = 0
    for other in [*other_ids, *others]:
        outcome, why = _verdict(ref, other)
        if outcome == "skip":
            continue
        checked += 1
        name = f"{label(other.doc.type).capitalize()} {other.doc.ref}"
        values: dict[str, Any] = {
            "doc": name,
            "other": other.initials,
            "reference": ref.doc.ref,
            "applicant": ref.initials,
            "why": why,
        }
        if outcome == "fail":
            yield ctx.fail(
                [other.doc, ref.doc],
                action=f"Check {other.doc.ref}: if it belongs to someone else, replace it with the applicant's own "
                "document; if it is the applicant's, have the name or birth date corrected",
                **values,
            )
        elif outcome == "warning":
            yield ctx.fail(
                [other.doc, ref.doc],
                severity="warning",
                action=f"Check by hand that {other.doc.ref} is the applicant's ({why})",
                **values,
            )
    if checked:
        yield ctx.ok(f"The documents checked name the holder of {ref.doc.ref} ({ref.initials})", [ref.doc])


_PRINTED = (
    ("expiry_date", "expiry date"),
    ("birth_date", "birth date"),
    ("document_number", "document number"),
)


def _number(value: Any) -> str:
    return "".join(ch for ch in str(value).upper() if ch.isalnum())


@rule(
    "mrz.matches-printed-page",
    severity="BWW",
    applies_to=ALL,
    source="ICAO-9303",
    title="The MRZ agrees with the printed data page (expiry, birth date, number, name)",
    message="The MRZ of {doc} disagrees with its printed page: {differences}",
    catalogue="mrz_matches_visual_zone",
)
def mrz_matches_printed_page(ctx: RuleContext) -> Iterator[Finding]:
    """Compare each field of a check-digit-valid MRZ with the same field printed on the page (issue 15).

    A disagreement shows both values (names by initials) and blocks in the conservative profile: a
    forged or altered page, or a page that is not the MRZ's. A printed field not read with enough
    confidence is not compared (the MRZ alone decides then). Fails: MRZ expiry 2031-03-12, printed
    2031-03-21. Passes: every printed field equal to the MRZ.
    """
    for doc in ctx.docs(*IDENTITY):
        if ctx.value(doc, "mrz_valid") is not True:
            continue
        differences, agreed = [], []
        for name, what in _PRINTED:
            mrz, printed = ctx.value(doc, name), ctx.value(doc, f"{name}_viz")
            if mrz is None or printed is None:
                continue
            same = _number(mrz) == _number(printed) if name == "document_number" else mrz == printed
            if same:
                agreed.append(what)
            else:
                differences.append(f"{what} {mrz} in the MRZ, {printed} printed")
        mrz_names = holder(ctx, doc).names
        printed_names = [ctx.value(doc, "surname_viz"), ctx.value(doc, "given_names_viz")]
        printed_tokens = [t for part in printed_names if isinstance(part, str) for t in tokens(part)]
        if mrz_names and printed_tokens:
            if compare(mrz_names, printed_tokens) is NameMatch.DIFFERENT:
                differences.append(f"name {initials(mrz_names)} in the MRZ, {initials(printed_tokens)} printed")
            else:
                agreed.append("name")
        if differences:
            yield ctx.fail(
                [doc],
                doc=f"{label(doc.type)} {doc.ref}",
                differences="; ".join(differences),
                evidence={"agreed": agreed},
                action=f"Check {doc.ref} by hand against the original: a page whose MRZ and printed data disagree "
                "may be altered or misread; rescan it at 300 dpi",
            )
        elif agreed:
            yield ctx.ok(f"MRZ of {doc.ref} agrees with the printed {', '.join(agreed)}", [doc])
        else:
            yield ctx.unknown(
                f"the MRZ of {doc.ref} against its printed page: no printed field was read with confidence",
                [doc],
                severity="warning",
            )
