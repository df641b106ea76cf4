"""Rule cases as data: one YAML file per rule id in ``cases/``, each with pass and fail cases.

A file holds ``rule``, an optional ``base`` (``as_of``, ``case``, ``documents``) and ``cases``; a case
merges its ``case`` into the base facts, replaces the base ``documents`` when it gives them, and
states ``expect``: ``pass`` (every finding passes), ``fail`` (some finding fails),
``not_evaluable`` (some finding is not evaluable and none fails) or ``none`` (the rule does not apply).
Optional checks: ``severity`` (of the findings with the expected status), ``valid_until``,
``boundary_note`` (true/false), ``message`` (a substring).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.model import Finding, Status
from validators import RULES, evaluate
from validators.testing import make_case, make_document

CASE_DIR = Path(__file__).parent / "cases"
NEVER_FAIL = {"scan.text-read"}
"""Rules about our own limits (an OCR timeout), never about the dossier: not evaluable at worst."""


def _load() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    items = []
    for path in sorted(CASE_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["rule"] == path.stem, f"{path.name} must hold the cases of rule {path.stem}"
        items += [(data["rule"], data.get("base", {}), case) for case in data["cases"]]
    return items


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``rule_case`` with every case of every file."""
    if "rule_case" in metafunc.fixturenames:
        items = _load()
        metafunc.parametrize("rule_case", items, ids=[f"{rule}:{case['name']}" for rule, _, case in items])


def run_case(rule_id: str, base: dict[str, Any], case: dict[str, Any]) -> list[Finding]:
    """Evaluate one case with only its rule selected."""
    facts = dict(base.get("case", {})) | dict(case.get("case", {}))
    documents = case.get("documents", base.get("documents", []))
    return evaluate(
        [make_document(d) for d in documents],
        make_case(facts),
        as_of=case.get("as_of", base["as_of"]),
        profile=case.get("profile", "conservative"),
        pick=[rule_id],
        overrides=case.get("params", base.get("params")),
    )


def test_rule_case(rule_case: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    rule_id, base, case = rule_case
    findings = run_case(rule_id, base, case)
    statuses = {f.status for f in findings}
    shown = "\n".join(f"{f.severity}/{f.status}: {f.message} {f.boundary_note}" for f in findings)
    expect = case["expect"]
    if expect == "none":
        assert not findings, shown
        return
    wanted = Status(expect)
    assert wanted in statuses, shown
    if wanted is Status.PASS:
        assert statuses == {Status.PASS}, shown
    if wanted is Status.NOT_EVALUABLE:
        assert Status.FAIL not in statuses, shown
    hits = [f for f in findings if f.status is wanted]
    if "severity" in case:
        assert {f.severity.value for f in hits} == {case["severity"]}, shown
    if "valid_until" in case:
        assert [f.valid_until for f in hits] == [case["valid_until"]], shown
    if "boundary_note" in case:
        assert all(bool(f.boundary_note) is case["boundary_note"] for f in hits), shown
    if "message" in case:
        assert any(str(case["message"]) in f.message for f in hits), shown
    for finding in findings:
        assert finding.rule == rule_id
        assert finding.status is Status.PASS or finding.action, "every non-passing finding says what to do"


def test_every_rule_has_a_case_file_with_pass_and_fail() -> None:
    files = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in CASE_DIR.glob("*.yaml")}
    assert set(files) == set(RULES), (
        f"missing: {sorted(set(RULES) - set(files))}; unknown: {sorted(set(files) - set(RULES))}"
    )
    for rule_id, data in files.items():
        expects = {case["expect"] for case in data["cases"]}
        other = "not_evaluable" if rule_id in NEVER_FAIL else "fail"
        assert {"pass", other} <= expects, f"{rule_id} needs both a passing and a {other} case"
