"""Report language: English, French or Dutch, from per-language catalogues in ``pipeline/locales/``.

The rules write English (their templates are the source language); a catalogue holds, per rule id,
the translated title, message template and action template, filled with the finding's own named
values. What a catalogue lacks stays English, marked as such, never guessed. ``report.json`` keeps
the English message and adds the translation beside it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import locale
import os
import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from pipeline.model import Finding, RejectionCode, Status

LANGUAGES = ("en", "fr", "nl")
LOCALES = Path(__file__).with_name("locales")
_DECIMAL_COMMA = frozenset({"fr", "nl", "de", "es", "it", "pt", "da", "sv", "fi", "nb", "pl", "cs", "ru", "tr"})
"""Languages whose locales write decimals with a comma (Excel then separates CSV fields with ``;``)."""


def _locale_name(environ: Mapping[str, str]) -> str:
    """The user's locale name from the environment, in POSIX precedence (``LC_ALL`` first)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value.split(":")[0]
    try:
        return locale.getlocale()[0] or ""
    except ValueError:
        return ""


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """``fr`` or ``nl`` when the locale says so (``fr_BE.UTF-8``, ``nl_BE``), else ``en``.

    >>> default_language({"LANG": "nl_BE.UTF-8"}), default_language({"LC_ALL": "C.UTF-8"})
    ('nl', 'en')
    """
    code = _locale_name(os.environ if environ is None else environ)[:2].lower()
    return code if code in LANGUAGES else "en"


def default_csv_separator(environ: Mapping[str, str] | None = None) -> str:
    """``;`` where the locale writes decimals with a comma (Excel's list separator there), else ``,``.

    >>> default_csv_separator({"LANG": "fr_BE.UTF-8"}), default_csv_separator({"LANG": "en_GB.UTF-8"})
    (';', ',')
    """
    env = os.environ if environ is None else environ
    name = ""
    for key in ("LC_ALL", "LC_NUMERIC", "LANG"):
        value = env.get(key, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            name = value
            break
    return ";" if name[:2].lower() in _DECIMAL_COMMA else ","


class _Formatter(string.Formatter):
    """``str.format`` with the language's number separators (``30 000`` in French, ``30.000`` in Dutch)."""

    def __init__(self, thousands: str, decimal: str, convert: Any) -> None:
        super().__init__()
        self.thousands, self.decimal, self.convert = thousands, decimal, convert

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        value = super().get_value(key, args, kwargs)
        if value is None:  # "None" in a sentence: better the English original
            raise KeyError(key)
        return value

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            text = format(value, format_spec)
            return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.thousands)
        if isinstance(value, dt.date):
            return value.isoformat()
        return format(self.convert(value), format_spec)


@functools.cache
def _catalogue(lang: str) -> Mapping[str, Any]:
    path = LOCALES / f"{lang}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


@dataclasses.dataclass(frozen=True)
class Translator:
    """Words of the report in one language (``en``, ``fr`` or ``nl``)."""

    lang: str = "en"

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"unknown language {self.lang!r} (known: {', '.join(LANGUAGES)})")

    @property
    def data(self) -> Mapping[str, Any]:
        """This language's catalogue."""
        return _catalogue(self.lang)

    @property
    def english(self) -> Mapping[str, Any]:
        """The English catalogue (words missing from another language fall back to it)."""
        return _catalogue("en")

    def _lookup(self, section: str, key: str) -> Any:
        for data in (self.data, self.english):
            found = (data.get(section) or {}).get(key)
            if found is not None:
                return found
        return None

    def ui(self, key: str, **values: Any) -> str:
        """A text of the report's frame (headings, labels), filled with ``values``."""
        text = self._lookup("ui", key)
        if text is None:
            raise KeyError(f"no report text {key!r}")
        return self._format(str(text), values) if values else str(text)

    def word(self, section: str, key: str) -> str:
        """A verdict, severity, document type, field, rejection code or action kind in words."""
        found = self._lookup(section, key)
        if isinstance(found, Mapping):
            found = found.get("label")
        return str(found) if found is not None else key.replace("_", " ")

    def rule_title(self, rule_id: str, english: str) -> str:
        """The rule's title in this language (its English title when not translated)."""
        entry = (self.data.get("rules") or {}).get(rule_id) or {}
        return str(entry.get("title") or english)

    # ----- findings ------------------------------------------------------------------------------

    def _format(self, template: str, values: Mapping[str, Any]) -> str:
        sep = self.data.get("number") or {}
        formatter = _Formatter(sep.get("thousands", ","), sep.get("decimal", "."), self.term)
        return formatter.vformat(template, (), dict(values))

    def term(self, value: Any) -> Any:
        """A value as it reads in this language: a known English term or a document label in front of
        a reference (``Passport scan.jpg#1``) is translated; anything else is kept as it is."""
        if not isinstance(value, str) or self.lang == "en":
            return value
        terms = self.data.get("terms") or {}
        found = terms.get(value) or terms.get(value.lower())
        if found is not None:
            return found[:1].upper() + found[1:] if value[:1].isupper() else found
        labels = self.data.get("doc_type") or {}
        for joint in (" or ", ", "):  # document types listed by their ids ("birth_certificate or ...")
            parts = value.split(joint)
            if len(parts) > 1 and all(part in labels for part in parts):
                glue = f" {self._lookup('ui', 'or')} " if joint == " or " else joint
                return glue.join(str(labels[part]) for part in parts)
        if value in labels:
            return str(labels[value])
        match = re.fullmatch(r"([A-Za-z][A-Za-z ]*?) (\S+#\d+)", value)
        if match:
            key = match.group(1).lower().replace(" ", "_")
            if key in labels:
                label = str(labels[key])
                return f"{label[:1].upper() + label[1:]} {match.group(2)}"
        return value

    def message(self, finding: Finding) -> tuple[str, bool]:
        """The finding's message in this language, and whether it is translated (else English)."""
        if self.lang == "en":
            return finding.message, True
        entry = (self.data.get("rules") or {}).get(finding.rule) or {}
        if finding.status is Status.NOT_EVALUABLE and finding.kind is not None:
            template = (self.data.get("not_evaluable") or {}).get(finding.kind.value)
            if template:
                return self._try(template, self._kind_values(finding), finding.message)
        if finding.status is Status.FAIL and finding.values and entry.get("message"):
            return self._try(str(entry["message"]), self._values(finding), finding.message)
        return finding.message, False

    def action(self, finding: Finding) -> tuple[str, bool]:
        """The finding's action in this language, and whether it is translated (else English)."""
        if self.lang == "en" or not finding.action:
            return finding.action, True
        if finding.status is Status.NOT_EVALUABLE and finding.kind is not None:
            template = (self.data.get("kind") or {}).get(finding.kind.value, {}).get("action")
            if template:
                return self._try(template, self._kind_values(finding), finding.action)
        entry = (self.data.get("rules") or {}).get(finding.rule) or {}
        if finding.status is Status.FAIL and entry.get("action"):
            return self._try(str(entry["action"]), self._values(finding), finding.action)
        return finding.action, False

    def _values(self, finding: Finding) -> dict[str, Any]:
        """The finding's values plus ``rejections``: the rejection codes in its evidence, in words."""
        codes = [key for key in finding.evidence if key in {c.value for c in RejectionCode}]
        return dict(finding.values) | {"rejections": ", ".join(self.word("rejection", c) for c in codes)}

    def _kind_values(self, finding: Finding) -> dict[str, Any]:
        review = list(finding.evidence.get("review") or ())
        fields = sorted({str(item.get("field")) for item in review})
        documents = sorted({str(item.get("document")) for item in review}) or list(finding.documents)
        return {
            "fields": ", ".join(self.word("field", f) for f in fields),
            "documents": ", ".join(documents),
            "fact": str(finding.evidence.get("fact", "")),
            "parameter": str(finding.evidence.get("parameter", "")),
        }

    def _try(self, template: str, values: Mapping[str, Any], english: str) -> tuple[str, bool]:
        """``template`` filled with ``values``, or the English text when a value is missing."""
        try:
            return self._format(template, values), True
        except (KeyError, IndexError, ValueError, TypeError):
            return english, False

    def translated(self, finding: Finding) -> dict[str, Any] | None:
        """``report.json``'s translation of a finding (None in English, and for passes)."""
        if self.lang == "en" or finding.status is Status.PASS:
            return None
        message, message_ok = self.message(finding)
        action, action_ok = self.action(finding)
        return {
            "lang": self.lang,
            "title": self.rule_title(finding.rule, ""),
            "message": message if message_ok else None,
            "action": action if action_ok and finding.action else None,
        }

