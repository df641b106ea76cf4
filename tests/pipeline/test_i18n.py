"""Report languages: the catalogues cover every rule and kind, with the rules' own placeholders."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
import yaml

import validators
from pipeline.context import PROFILES
from pipeline.i18n import LANGUAGES, Translator, default_csv_separator, default_language
from pipeline.model import ActionKind, Finding, Severity, Status
from validators import evaluate
from validators.testing import make_case, make_document

SCENARIOS = yaml.safe_load((Path(__file__).parents[1] / "validators" / "scenarios.yaml").read_text(encoding="utf-8"))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_rule_has_a_title_and_its_message_uses_the_rules_values(lang: str) -> None:
    rules = Translator(lang).data["rules"]
    assert set(rules) <= set(validators.RULES), set(rules) - set(validators.RULES)
    for rule in validators.RULES.values():
        entry = rules.get(rule.id)
        assert entry and entry.get("title"), f"{lang}: no title for {rule.id}"
        if "message" in entry:  # a translation may only use the values the English template names
            assert _fields(entry["message"]) <= _fields(rule.message) | {"rejections"}, (lang, rule.id)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_word_the_report_needs_is_in_each_language(lang: str) -> None:
    t, en = Translator(lang), Translator("en")
    assert set(t.data["ui"]) == set(en.data["ui"])
    for section in ("verdict", "severity", "status", "file_status", "doc_type", "field", "rejection", "category"):
        assert set(t.data[section]) == set(en.data[section]), (lang, section)
    assert {k.value for k in ActionKind} == set(t.data["kind"])
    for key, text in en.data["ui"].items():  # same placeholders in every language
        assert _fields(str(t.data["ui"][key])) == _fields(str(text)), (lang, key)


def _scenario_findings() -> list[Finding]:
    found = []
    for scenario in SCENARIOS["scenarios"]:
        for profile in PROFILES:
            found += evaluate([make_document(d) for d in scenario["documents"]], make_case(scenario["case"]),
                              as_of=scenario["as_of"], profile=profile, overrides=SCENARIOS["params"])
    return [f for f in found if f.status is not Status.PASS]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_scenario_findings_are_translated(lang: str) -> None:
    """Over the 25 scenarios in every profile, the failing and unverifiable findings read in ``lang``."""
    t = Translator(lang)
    findings = _scenario_findings()
    for part in (t.message, t.action):
        translated = [f for f in findings if part(f)[1]]
        share = len(translated) / len(findings)
        untranslated = sorted({f.rule for f in findings} - {f.rule for f in translated})
        assert share >= 0.9, (part.__name__, share, untranslated)  # renewal.window keeps English actions
        for finding in translated:
            assert "{" not in part(finding)[0] and "None" not in part(finding)[0]


def test_values_read_in_the_language() -> None:
    fr, nl = Translator("fr"), Translator("nl")
    assert fr.term("Criminal record certificate") == "Extrait de casier judiciaire"
    assert fr.term("Passport scan.jpg#1") == "Passeport scan.jpg#1"
    assert nl.term("marriage_certificate or birth_certificate") == "huwelijksakte of geboorteakte"
    assert fr.term("003_96541b0a4eb6ccbe.txt") == "003_96541b0a4eb6ccbe.txt"  # anything else as it is
    values = {"ref": "a.pdf#1", "amount": 20000.0, "minimum": 30000}
    finding = Finding("health_insurance.min-coverage-30000", Severity.BLOCKING, Status.FAIL, "x", "VISA-CODE-15",
                      action="x", kind=ActionKind.CONTENT, values=values)
    assert fr.message(finding)[0] == "L'assurance maladie a.pdf#1 couvre 20\u202f000 EUR, moins que 30\u202f000 EUR"
    assert nl.message(finding)[0] == "Ziekteverzekering a.pdf#1 dekt 20.000 EUR, minder dan 30.000 EUR"


def test_an_untranslatable_message_stays_english_and_says_so() -> None:
    finding = Finding("ltr.absence-limits", Severity.BLOCKING, Status.FAIL, "Absence 2020 → 2021 exceeds", "004",
                      action="Seek advice", kind=ActionKind.CONTENT)
    assert Translator("fr").message(finding) == ("Absence 2020 → 2021 exceeds", False)
    data: dict[str, Any] | None = Translator("fr").translated(finding)
    assert data is not None and data["message"] is None and data["title"]


def test_defaults_follow_the_locale() -> None:
    assert default_language({"LANG": "fr_BE.UTF-8"}) == "fr"
    assert default_language({"LC_ALL": "nl_BE.UTF-8", "LANG": "fr_BE.UTF-8"}) == "nl"
    assert default_language({"LANG": "de_BE.UTF-8"}) == "en"
    assert default_language({"LANG": "C.UTF-8", "LANGUAGE": ""}) in LANGUAGES
    assert default_csv_separator({"LANG": "nl_BE.UTF-8"}) == ";"
    assert default_csv_separator({"LC_NUMERIC": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}) == ","
    assert default_csv_separator({}) == ","
