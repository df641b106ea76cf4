"""What a rule sees: documents, case facts, evaluation date, profile parameters, and finding helpers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from pipeline.case import CaseFacts
from pipeline.links import Link
from pipeline.model import ActionKind, Category, DocType, Document, Finding, Severity, Status
from validators.applicants import Applicant
from validators.belgium import EEA_CH
from validators.dates import years_between
from validators.kinds import fail_kind, unknown_action
from validators.params import Params

_ICAO_EXCEPTIONS = {"D": "DEU"}
"""ICAO 9303 codes that are not three letters (Germany's ``D<<``)."""


def country(code: Any) -> str | None:
    """Normalise an ICAO country code (``D`` and ``D<<`` become ``DEU``).

    >>> country("D<<"), country(" ita"), country(None)
    ('DEU', 'ITA', None)
    """
    if not isinstance(code, str) or not code.strip("< "):
        return None
    clean = code.strip().strip("<").upper()
    return _ICAO_EXCEPTIONS.get(clean, clean)


def label(doc_type: DocType) -> str:
    """Human label of a document type (``criminal_record`` → ``criminal record``)."""
    return doc_type.value.replace("_", " ")


class BoundRule(Protocol):
    """What a finding takes from the rule being run (a :class:`validators.registry.Rule`)."""

    @property
    def id(self) -> str: ...
    @property
    def severity(self) -> Mapping[str, Severity | None]: ...
    @property
    def source(self) -> str: ...
    @property
    def message(self) -> str: ...


@dataclasses.dataclass(frozen=True)
class RuleContext:
    """Inputs of one evaluation, bound to the rule being run (``rule``)."""

    documents: Sequence[Document]
    case: CaseFacts
    """Case facts with ``application_date`` defaulted to ``as_of``."""
    as_of: dt.date
    profile: str
    params: Params
    rule: BoundRule | None = None
    links: tuple[Link, ...] = ()
    """Apostilles and translations linked to their documents (:func:`pipeline.links.link_documents`)."""
    unread: list[tuple[Document, str]] = dataclasses.field(default_factory=list, init=False, compare=False)
    """Fields :meth:`why_missing` explained since the last not-evaluable finding (fresh per bound rule:
    ``dataclasses.replace`` does not copy it); they become that finding's review items."""

    # ----- derived facts -------------------------------------------------------------------------

    @property
    def application_date(self) -> dt.date:
        """The application date (defaulted to the evaluation date)."""
        return self.case.application_date or self.as_of

    @property
    def applicant(self) -> Applicant | None:
        """Who applies: the procedure when given, else the category (None if unknown)."""
        if self.case.procedure is not None:
            return Applicant(self.case.procedure)
        return None if self.case.category is None else Applicant(self.case.category.value)

    @property
    def stage(self) -> str:
        """``visa``, ``commune`` or ``renewal`` (explicit, else derived; see CaseFacts.stage)."""
        if self.case.stage is not None:
            return self.case.stage
        if self.applicant in (Applicant.RENEWAL, Applicant.LONG_TERM_RESIDENT):
            return "renewal"
        entry = self.case.entry_date
        return "visa" if entry is None or entry > self.application_date else "commune"

    @property
    def examined_here(self) -> bool:
        """True where the criminal record and medical certificate are examined (§1 "Stage matters")."""
        return self.stage == "visa" or (self.stage == "commune" and not self.case.d_visa)

    @property
    def renewal_of(self) -> Category | None:
        """Category of the card being renewed."""
        return self.case.renewal_of

    def identity_value(self, name: str) -> Any:
        """A confident field of the first identity document that has it (passport first)."""
        for doc_type in (DocType.PASSPORT, DocType.ID_CARD, DocType.RESIDENCE_CARD):
            for doc in self.docs(doc_type):
                value = self.value(doc, name)
                if value is not None:
                    return value
        return None

    @property
    def nationality(self) -> str | None:
        """ICAO nationality from the case facts, else from an identity document."""
        return country(self.case.nationality) or country(self.identity_value("nationality"))

    @property
    def is_eea_national(self) -> bool:
        """Nationality in the EU/EEA/Switzerland."""
        return self.nationality in EEA_CH

    @property
    def birth_date(self) -> dt.date | None:
        """Date of birth from the case facts, else from an identity document."""
        value = self.case.birth_date or self.identity_value("birth_date")
        return value if isinstance(value, dt.date) else None

    def age_on(self, day: dt.date) -> int | None:
        """Age in years on ``day`` when the date of birth is known."""
        return None if self.birth_date is None else years_between(self.birth_date, day)

    @property
    def residence_countries(self) -> tuple[set[str], str]:
        """Countries lived in 6+ months in the last 5 years, and the assumption made when not given.

        Without ``residence_history`` or ``residence_countries`` the nationality is assumed (issue 13:
        a missing case fact is a stated assumption, not a blocker); the note says so.
        """
        given = {country(c) or c for c in self.case.residence_countries}
        if given or self.nationality is None:
            return given, ""
        note = (
            f"residence_countries not given: assumed the applicant lived only in {self.nationality} (the "
            "nationality) in the last 5 years; fill in the residence_countries column to check it"
        )
        return {self.nationality}, note

    def has_explanation(self, doc_type: DocType) -> bool:
        """An explanation letter for ``doc_type`` is filed (downgrades its age rule to a warning)."""
        return doc_type.value in self.case.explanations

    # ----- documents and fields ------------------------------------------------------------------

    def docs(self, *types: DocType) -> list[Document]:
        """Documents of these types classified with enough confidence."""
        return [d for d in self.documents if d.type in types and d.type_confidence >= self.params.type_confidence]

    def unsure(self, *types: DocType) -> list[Document]:
        """Documents that may be of these types: classified so, but below the type threshold.

        A rule that would fail because a document of these types is missing must not fail while one
        of these is in the dossier: it is not evaluable (a doubtful reading never fails a rule). A
        rejected page, or one whose OCR timed out, whose type could not be told may be any of them.
        """
        sure = self.params.type_confidence
        return [
            d
            for d in self.documents
            if d.type_confidence < sure
            and (d.type in types or (d.type is DocType.OTHER and (not d.accepted or d.unread_pages)))
        ]

    def attached(self, doc: Document, doc_type: DocType, *, sure: bool = True) -> list[Document]:
        """Apostilles or translations linked to ``doc`` (same file, or another file whose content agrees).

        Args:
            doc: The certified or translated document.
            doc_type: ``apostille`` or ``translation``.
            sure: True: only attachments classified with enough confidence; False: only the others.
        """
        found = [link.attachment for link in self.links if link.target is doc and link.kind is doc_type]
        return [d for d in found if (d.type_confidence >= self.params.type_confidence) is sure]

    def unlinked(self, doc_type: DocType) -> list[Link]:
        """Links of ``doc_type`` attachments that found no document, with the candidates they rejected."""
        return [link for link in self.links if link.kind is doc_type and link.target is None]

    def value(self, doc: Document, name: str) -> Any:
        """A field value read with enough confidence, else None."""
        found = doc.fields.get(name)
        if found is None or found.confidence < self.params.field_confidence:
            return None
        return found.value

    def date(self, doc: Document, name: str) -> dt.date | None:
        """A confident date field, else None."""
        value = self.value(doc, name)
        return value if isinstance(value, dt.date) else None

    def number(self, doc: Document, name: str) -> float | None:
        """A confident numeric field, else None (booleans are not numbers)."""
        value = self.value(doc, name)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    def why_missing(self, doc: Document, name: str) -> str:
        """Why a field is not usable: not found, or read with a low confidence.

        Also records the field, so that the next :meth:`unknown` finding offers it for review.
        """
        self.unread.append((doc, name))
        found = doc.fields.get(name)
        if found is None:
            return f"the {name.replace('_', ' ')} was not found on {label(doc.type)} {doc.ref}"
        if found.confidence >= self.params.field_confidence:
            return f"the {name.replace('_', ' ')} of {label(doc.type)} {doc.ref} was read but is not a usable value"
        return (
            f"the {name.replace('_', ' ')} of {label(doc.type)} {doc.ref} was read with confidence "
            f"{found.confidence:.2f} (below {self.params.field_confidence:.2f})"
        )

    # ----- findings ------------------------------------------------------------------------------

    def _finding(self, status: Status, message: str, docs: Iterable[Document], **kw: Any) -> Finding:
        assert self.rule is not None, "bind a rule with dataclasses.replace(ctx, rule=...)"
        severity = Severity(kw.pop("severity", None) or self.rule.severity[self.profile] or Severity.INFO)
        self.unread.clear()  # explained fields belong to this finding only
        return Finding(
            rule=self.rule.id,
            severity=severity,
            status=status,
            message=message,
            source=self.rule.source,
            documents=tuple(d.ref for d in docs),
            **kw,
        )

    def ok(self, message: str, docs: Iterable[Document] = (), **kw: Any) -> Finding:
        """A passing finding (``valid_until`` feeds ``ready_until``)."""
        return self._finding(Status.PASS, message, docs, **kw)

    def fail(self, docs: Iterable[Document] = (), *, action: str, message: str = "", **values: Any) -> Finding:
        """A failing finding; ``message`` defaults to the rule's template formatted with ``values``.

        Keyword arguments that are Finding fields (``severity``, ``note``, ``boundary_note``,
        ``valid_until``, ``evidence``, ``kind``) are passed on; the rest fill the template and are
        kept in the finding's ``values`` (translations fill their own template with them).
        """
        assert self.rule is not None
        kw = {k: values.pop(k) for k in ("severity", "note", "boundary_note", "valid_until", "evidence", "kind")
              if k in values}
        kw.setdefault("kind", fail_kind(self.rule.id))
        text = message or self.rule.message.format(**values)
        return self._finding(Status.FAIL, text, docs, action=action, values=values if not message else {}, **kw)

    def unknown(
        self,
        what: str,
        docs: Iterable[Document] = (),
        *,
        action: str = "",
        field: str | None = None,
        fact: str | None = None,
        parameter: str | None = None,
        **kw: Any,
    ) -> Finding:
        """A not-evaluable finding: "could not verify ``what``", with what a person must do about it.

        Args:
            what: What could not be verified, and why.
            docs: The documents concerned.
            action: What to do (default: the action of the finding's kind).
            field: A field of ``docs`` that was not read with confidence (fields explained with
                :meth:`why_missing` are recorded without it): a person confirms or corrects it.
            fact: A case fact that is not given (``entry_date``): its column in ``cases.csv``.
            parameter: A rule-pack parameter that is not known for this case.
            **kw: Other Finding fields (``severity``, ``note`` ...).
        """
        docs = list(docs)
        unread = [(d, field) for d in docs] if field else []
        unread += [pair for pair in self.unread if pair not in unread]
        evidence = dict(kw.pop("evidence", {}))
        if unread:
            kind = ActionKind.FIELD_UNREADABLE
            evidence["review"] = [_review_item(d, name) for d, name in unread]
        elif parameter:
            kind = ActionKind.PARAMETER_UNKNOWN
            evidence["parameter"] = parameter
        elif fact:
            kind = ActionKind.CASE_DATA_MISSING
            evidence["fact"] = fact
        else:
            kind = ActionKind.CONTENT
        return self._finding(
            Status.NOT_EVALUABLE,
            f"Could not verify {what}",
            docs,
            action=action or unknown_action(kind, evidence, docs),
            kind=kind,
            evidence=evidence,
            values={"what": what},
            **kw,
        )


def _review_item(doc: Document, name: str) -> dict[str, Any]:
    """What a person confirms or corrects: the document, the field and what was read (if anything)."""
    found = doc.fields.get(name) if name != "type" else None
    item: dict[str, Any] = {"document": doc.ref, "type": doc.type.value, "field": name}
    if name == "type":
        item |= {"read": doc.type.value, "confidence": round(doc.type_confidence, 3)}
    elif name == "language" and found is None:
        item |= {"read": doc.language} if doc.language else {}
    elif found is not None:
        item |= {"read": found.value, "confidence": round(found.confidence, 3), "page": found.page}
    return item
