"""Build documents and case facts from compact dicts (rule cases, scenarios, other test suites)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pipeline.case import CaseFacts
from pipeline.model import DocType, Document, Field, Rejection, RejectionCode
from validators.belgium import IDENTITY

_META = {"type", "file", "page", "language", "rejections", "low", "type_confidence", "unread_pages"}


def make_document(spec: Mapping[str, Any], default_language: str | None = "fr") -> Document:
    """A Document from ``{type, file?, page?, language?, rejections?, low?, type_confidence?, unread_pages?,
    **fields}``.

    Fields get confidence 0.99 and source ``text`` unless ``low`` maps them to a lower confidence.
    Non-identity documents default to ``default_language``.

    >>> doc = make_document({"type": "passport", "expiry_date": "2031-03-03", "low": {"expiry_date": 0.4}})
    >>> doc.ref, doc.value("expiry_date"), doc.fields["expiry_date"].confidence
    ('passport.pdf#1', datetime.date(2031, 3, 3), 0.4)
    """
    doc_type = DocType(spec["type"])
    low = dict(spec.get("low") or {})
    fields = {
        name: Field(value=_value(value), confidence=low.get(name, 0.99), source="text")
        for name, value in spec.items()
        if name not in _META
    }
    language = spec.get("language", None if doc_type in IDENTITY else default_language)
    return Document(
        file=spec.get("file", f"{doc_type.value}.pdf"),
        pages=(int(spec.get("page", 1)),),
        type=doc_type,
        type_confidence=float(spec.get("type_confidence", 0.99)),
        rejections=tuple(Rejection(RejectionCode(code), f"{code} detected") for code in spec.get("rejections", ())),
        fields=fields,
        language=language,
        unread_pages=tuple(int(n) for n in spec.get("unread_pages", ())),
    )


def _value(value: Any) -> Any:
    """ISO date strings become dates (YAML already gives dates for unquoted ISO values)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def make_case(spec: Mapping[str, Any] | None) -> CaseFacts:
    """Case facts from a dict with the same keys and value forms as ``cases.csv`` / ``case.toml``."""
    return CaseFacts.model_validate(dict(spec or {}))
