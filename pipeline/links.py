"""Which certificate an apostille or a sworn translation belongs to (DOCUMENTS.md C.6, C.8; issue 13).

An apostille certifies one public document and a sworn translation translates one (often with its
apostille). In a dossier they come stapled behind the document in one PDF, or as separate scans in the
same folder. Each attachment is linked to the candidate with the best evidence:

* position: the document just before it in the same file (an apostille on the back, an allonge);
* content: the apostille's country (field 1) is the document's issuing country and its date (field 6)
  is on or after the document's; the translation repeats the source's issue date, its type, the
  holder's birth date, and its translator states the source language.

A candidate that contradicts the attachment (another country, an apostille dated before the document
from another file, a translation of another date) is rejected with the reason, so that a finding
"no apostille" can say which apostilles it saw and why none fits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from pipeline.model import DocType, Document

ATTACHMENT_TYPES = frozenset({DocType.APOSTILLE, DocType.TRANSLATION})
NOT_LINKABLE = frozenset({DocType.PASSPORT, DocType.ID_CARD, DocType.RESIDENCE_CARD}) | ATTACHMENT_TYPES
"""Identity documents are never apostilled or translated for the dossier; attachments are not chained."""
APOSTILLE_WINDOW_DAYS = 365
"""An apostille from another file is taken only within a year after the document (AGII-APO: fresh
documents are apostilled on request; a year covers slow postal requests)."""
SAME_FILE_NEXT = 4.0
SAME_FILE_EARLIER = 2.0
AGREES = 2.0
MIN_SCORE = 2.0
"""A link needs the same file, or at least one agreeing piece of content evidence."""

Value = Callable[[Document, str], Any]


@dataclasses.dataclass(frozen=True, slots=True)
class Candidate:
    """One document considered for an attachment, with the evidence for and against."""

    target: Document
    score: float
    reasons: tuple[str, ...]
    """Evidence for the link ("same file, just before", "same issuing country MAR" ...)."""
    objections: tuple[str, ...]
    """Contradictions; any one rejects the candidate unless it is in the same file."""


@dataclasses.dataclass(frozen=True, slots=True)
class Link:
    """An attachment and the document it belongs to (None: no candidate fits)."""

    attachment: Document
    target: Document | None
    reasons: tuple[str, ...] = ()
    rejected: tuple[tuple[Document, str], ...] = ()
    """Candidates not taken, each with why."""

    @property
    def kind(self) -> DocType:
        """``apostille`` or ``translation``."""
        return self.attachment.type


def _plain_value(doc: Document, name: str) -> Any:
    return doc.value(name)


def _issuer(value: Value, doc: Document) -> str | None:
    code = value(doc, "issuing_country")
    if not isinstance(code, str) or not code.strip("< "):
        return None
    code = code.strip().strip("<").upper()
    return "DEU" if code == "D" else code


def _date(value: Value, doc: Document, name: str) -> dt.date | None:
    found = value(doc, name)
    return found if isinstance(found, dt.date) else None


def _position(attachment: Document, target: Document, order: Sequence[Document]) -> tuple[float, str] | None:
    """Evidence from where the attachment sits: right after the target in the same file."""
    if attachment.file != target.file or target.pages[0] > attachment.pages[0]:
        return None
    between = [
        d
        for d in order
        if d.file == attachment.file
        and target.pages[0] < d.pages[0] < attachment.pages[0]
        and d.type not in NOT_LINKABLE
    ]
    if not between:
        return SAME_FILE_NEXT, f"same file {attachment.file}, right after it"
    return SAME_FILE_EARLIER, f"same file {attachment.file}, {len(between)} document(s) between"


def _apostille_evidence(apo: Document, target: Document, value: Value) -> tuple[float, list[str], list[str]]:
    score, reasons, objections = 0.0, [], []
    apo_country, doc_country = _issuer(value, apo), _issuer(value, target)
    if apo_country and doc_country:
        if apo_country == doc_country:
            score += AGREES
            reasons.append(f"same country {doc_country}")
        else:
            objections.append(f"the apostille is from {apo_country}, {target.ref} from {doc_country}")
    stamped, issued = _date(value, apo, "issue_date"), _date(value, target, "issue_date")
    if stamped and issued:
        if stamped < issued:
            objections.append(f"the apostille ({stamped}) is dated before {target.ref} ({issued})")
        elif (stamped - issued).days <= APOSTILLE_WINDOW_DAYS:
            score += 1.0
            reasons.append(f"dated {(stamped - issued).days} day(s) after it")
        else:
            objections.append(f"the apostille ({stamped}) is more than a year after {target.ref} ({issued})")
    return score, reasons, objections


def _translation_evidence(tr: Document, target: Document, value: Value) -> tuple[float, list[str], list[str]]:
    score, reasons, objections = 0.0, [], []
    source_date, issued = _date(value, tr, "source_issue_date"), _date(value, target, "issue_date")
    if source_date and issued:
        if source_date == issued:
            score += AGREES
            reasons.append(f"translates a document dated {issued}")
        else:
            objections.append(f"the translation's source is dated {source_date}, {target.ref} {issued}")
    source_type = value(tr, "source_type")
    if isinstance(source_type, str) and source_type:
        if source_type == target.type.value:
            score += 1.0
            reasons.append(f"translates a {source_type.replace('_', ' ')}")
        else:
            objections.append(f"the translation is of a {source_type.replace('_', ' ')}")
    born_tr, born_doc = _date(value, tr, "birth_date"), _date(value, target, "birth_date")
    if born_tr and born_doc:
        if born_tr == born_doc:
            score += 1.0
            reasons.append("same holder's birth date")
        else:
            objections.append("the holder's birth date differs")
    source_language = value(tr, "source_language")
    if isinstance(source_language, str) and target.language:
        if source_language == target.language:
            score += 0.5
            reasons.append(f"translated from '{source_language}'")
        else:
            objections.append(f"translated from '{source_language}', {target.ref} is in '{target.language}'")
    return score, reasons, objections


def candidates(attachment: Document, documents: Sequence[Document], value: Value = _plain_value) -> list[Candidate]:
    """Every document the attachment could belong to, best first.

    Args:
        attachment: An apostille or a translation.
        documents: The dossier's documents in file and page order.
        value: How a field is read (the rules pass their confidence-aware reader).
    """
    evidence = _apostille_evidence if attachment.type is DocType.APOSTILLE else _translation_evidence
    found = []
    for target in documents:
        if target is attachment or target.type in NOT_LINKABLE:
            continue
        position = _position(attachment, target, documents)
        score, reasons, objections = evidence(attachment, target, value)
        if position is not None:
            score += position[0]
            reasons.insert(0, position[1])
        found.append(Candidate(target, score, tuple(reasons), tuple(objections)))
    return sorted(found, key=lambda c: -c.score)


def _fits(candidate: Candidate, attachment: Document) -> bool:
    """Same file: position decides (a contradiction there is a finding, not a reason to look elsewhere);
    another file: the content must agree and nothing may contradict it."""
    if candidate.target.file == attachment.file and candidate.target.pages[0] < attachment.pages[0]:
        return True
    return not candidate.objections and candidate.score >= MIN_SCORE


def link_documents(documents: Sequence[Document], value: Value = _plain_value) -> list[Link]:
    """Link every apostille and translation of a dossier to the document it belongs to.

    Attachments in the same file as their document are linked first; the others then take the best
    remaining candidate with agreeing content. A document takes at most one apostille (a translation
    may be joined by others: one per target language).

    Args:
        documents: The dossier's documents in file and page order.
        value: How a field is read (default: any value; the rules read confident values only).

    Returns:
        One link per attachment, in document order.
    """
    attachments = [d for d in documents if d.type in ATTACHMENT_TYPES]
    options = {id(a): candidates(a, documents, value) for a in attachments}
    same_file_first = sorted(
        attachments,
        key=lambda a: (not any(c.target.file == a.file and _fits(c, a) for c in options[id(a)]), documents.index(a)),
    )
    taken: dict[int, Document] = {}
    links: dict[int, Link] = {}
    for attachment in same_file_first:
        rejected = []
        chosen: Candidate | None = None
        for cand in options[id(attachment)]:
            holder = taken.get(id(cand.target)) if attachment.type is DocType.APOSTILLE else None
            if chosen is None and _fits(cand, attachment) and holder is None:
                chosen = cand
                continue
            if cand.objections and not (cand.target.file == attachment.file and _fits(cand, attachment)):
                why = "; ".join(cand.objections)
            elif holder is not None:
                why = f"already has apostille {holder.ref}"
            else:
                why = "no agreeing evidence (another file, country and dates not read)"
            rejected.append((cand.target, why))
        if chosen is not None and attachment.type is DocType.APOSTILLE:
            taken[id(chosen.target)] = attachment
        links[id(attachment)] = Link(
            attachment,
            chosen.target if chosen else None,
            chosen.reasons if chosen else (),
            tuple(rejected),
        )
    return [links[id(a)] for a in attachments]
