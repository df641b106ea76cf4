"""Serving ``reprocess`` on a schedule: a run fires, completes and publishes; cron and prefect.yaml parse."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from flows import deploy
from tests.pdfs import text_pdf

REPO = Path(__file__).resolve().parents[2]


def test_cron_schedules_are_validated() -> None:
    schedule = deploy.cron_schedule("0 5 * * 1-5")
    assert (schedule.cron, schedule.timezone) == ("0 5 * * 1-5", "Europe/Brussels")
    assert deploy.cron_schedule("*/15 * * * *", None).timezone in (None, "UTC")
    for bad in ("61 * * * *", "every day", "* * *"):
        with pytest.raises(ValueError):
            deploy.cron_schedule(bad)
    with pytest.raises(ValueError):
        deploy.cron_schedule("0 5 * * *", "Mars/Olympus_Mons")


def test_serve_schedule_passes_cron_and_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(type(deploy.reprocess), "serve", lambda self, **kw: calls.append(kw))
    deploy.serve_schedule("s3://b/dossiers", "s3://b/reports", "0 6 * * *", timezone=None, cache="s3://b/cache")
    deploy.serve_schedule("in", "out", "30 4 * * 1-5")
    assert calls[0]["cron"] == "0 6 * * *" and calls[0]["name"] == "nightly" and calls[0]["limit"] == 1
    assert calls[0]["parameters"] == {"source": "s3://b/dossiers", "out": "s3://b/reports", "cache": "s3://b/cache",
                                      "profile": "conservative", "horizon_days": 30}
    assert [(s.cron, s.timezone) for s in calls[1]["schedules"]] == [("30 4 * * 1-5", "Europe/Brussels")]
    with pytest.raises(ValueError):
        deploy.serve_schedule("in", "out", "not a cron")
    assert len(calls) == 2  # nothing registered for the bad expression


def test_prefect_yaml_defines_the_same_deployment() -> None:
    config = yaml.safe_load((REPO / "prefect.yaml").read_text())
    (deployment,) = config["deployments"]
    assert deployment["entrypoint"] == "flows/scheduled.py:reprocess"
    assert deployment["work_pool"]["name"] == "dossier-pool"
    (schedule,) = deployment["schedules"]
    assert deploy.cron_schedule(schedule["cron"], schedule["timezone"]).cron == deploy.DEFAULT_CRON
    assert set(deployment["parameters"]) <= set(deploy.reprocess.parameters.properties)
    assert {"source", "out"} <= set(deployment["parameters"])


@pytest.fixture()
def prefect_api(prefect_harness: None) -> str:
    """The URL of the session's shared Prefect test server (tests/flows/conftest.py)."""
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value())


def _deployment_id(name: str) -> str | None:
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            return str(client.read_deployment_by_name(name).id)
        except ObjectNotFound:
            return None


def _completed_runs(deployment: str) -> list[Any]:
    from prefect import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[deployment])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(
                any_=[StateType.COMPLETED]))),
        )


def test_served_deployment_fires_and_publishes(prefect_api: str, tmp_path: Path) -> None:
    batch, out = tmp_path / "batch", tmp_path / "reports"
    folder = batch / "001-served"
    folder.mkdir(parents=True)
    (folder / "contrat.pdf").write_bytes(text_pdf(["CONTRAT DE TRAVAIL", "Employeur: ACME NV"]))
    (batch / "002-other").mkdir()
    (batch / "002-other" / "bail.pdf").write_bytes(text_pdf(["CONTRAT DE BAIL", "Bailleur: X"]))
    env = os.environ | {
        "PREFECT_API_URL": prefect_api, "PREFECT_RUNNER_POLL_FREQUENCY": "2",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(REPO),
    }
    code = ("from flows.deploy import serve_schedule; "
            f"serve_schedule({str(batch)!r}, {str(out)!r}, name='every-few-seconds', interval=3, cache='off', "
            "workers=1)")
    started = time.monotonic()
    server = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        deployment_id = None
        while deployment_id is None and time.monotonic() - started < 60 and server.poll() is None:
            time.sleep(0.5)
            deployment_id = _deployment_id("dossier-reprocess/every-few-seconds")
        assert deployment_id is not None, "serve did not register the deployment"
        # The harness's ephemeral server runs no scheduler service; do its job once (same API
        # endpoint, same schedule): the served runner must then pick the runs up and execute them.
        for attempt in range(10):  # the test server answers 503 while its SQLite database is busy
            answer = httpx.post(f"{prefect_api}/deployments/{deployment_id}/schedule",
                                json={"min_runs": 2, "max_runs": 3}, timeout=10)
            if answer.status_code != 503:
                break
            time.sleep(1 + attempt)
        answer.raise_for_status()
        runs: list[Any] = []
        while not runs and time.monotonic() - started < 90 and server.poll() is None:
            time.sleep(1)
            runs = _completed_runs("every-few-seconds")
        fired_after = time.monotonic() - started
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert runs, f"no completed run within 90 s; serve output:\n{output[-3000:]}"
    print(f"first scheduled run completed {fired_after:.1f}s after serve started")
    report = json.loads((out / "report.json").read_text())
    assert [d["id"] for d in report["dossiers"]] == ["001-served", "002-other"]
    assert report["as_of"] == dt.date.today().isoformat()  # a scheduled run evaluates on its own day
    assert (out / "changes.json").exists()
    runs = [p for p in (out / "history").iterdir() if p.name.startswith(report["as_of"][:7])]  # UTC timestamps
    assert runs and all((p / "report.csv").exists() for p in runs)

    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(
            any_=["dossier-changes", "dossier-verdicts"])))
    assert {a.key for a in artifacts} == {"dossier-changes", "dossier-verdicts"}
    # other flow tests of the session publish under the same keys: one of the tables is this run's
    assert any("001-served" in json.dumps(a.data) for a in artifacts if a.key == "dossier-verdicts")
