"""The 25 scenarios of SCENARIOS.md, run on the engine in every profile (verdict and key reasons)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.context import PROFILES
from pipeline.model import Severity, Status
from validators import evaluate, ready_until, verdict
from validators.testing import make_case, make_document

DATA = yaml.safe_load((Path(__file__).parent / "scenarios.yaml").read_text(encoding="utf-8"))
CASES = [(s, p) for s in DATA["scenarios"] for p in PROFILES]


def _ids(findings: list[Any], severity: Severity, status: Status) -> set[str]:
    return {f.rule for f in findings if f.severity is severity and f.status is status}


def test_all_25_scenarios_are_present() -> None:
    assert [s["id"] for s in DATA["scenarios"]] == [f"S{n:02d}" for n in range(1, 26)]


@pytest.mark.parametrize(("scenario", "profile"), CASES, ids=[f"{s['id']}-{p}" for s, p in CASES])
def test_scenario(scenario: dict[str, Any], profile: str) -> None:
    expect = scenario["expect"][profile]
    findings = evaluate(
        [make_document(d) for d in scenario["documents"]],
        make_case(scenario["case"]),
        as_of=scenario["as_of"],
        profile=profile,
        overrides=DATA["params"],
    )
    failing = {
        "fail": _ids(findings, Severity.BLOCKING, Status.FAIL),
        "warn": _ids(findings, Severity.WARNING, Status.FAIL),
    }
    report = "\n".join(
        f"{f.severity}/{f.status} {f.rule}: {f.message}" for f in findings if f.status is not Status.PASS
    )
    assert verdict(findings).value == expect["verdict"], report
    for key in ("fail", "warn"):
        assert failing[key] == set(expect.get(key, [])), f"{key}:\n{report}"
    assert set(expect.get("unknown", [])) <= _ids(findings, Severity.BLOCKING, Status.NOT_EVALUABLE), report
    if "ready_until" in expect:
        assert ready_until(findings) == expect["ready_until"]
    for finding in findings:
        assert finding.status is Status.PASS or finding.action, f"{finding.rule} has no action"
        assert isinstance(finding.valid_until, dt.date | None)
