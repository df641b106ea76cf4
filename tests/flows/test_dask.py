"""Scale-out: the same flow runs its tasks on a Dask cluster (a local one on 127.0.0.1 here)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.check import run_check
from pipeline.context import RunOptions

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "batch"


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local.scheduler_address


@pytest.mark.tesseract
def test_flow_on_a_dask_cluster(prefect_harness: None, cluster: str, tmp_path: Path) -> None:
    dossier = tmp_path / "002-pereira"
    shutil.copytree(SAMPLES / "002-pereira", dossier)
    (dossier / "case.toml").write_text(
        'category = "single_permit"\nnationality = "BRA"\nentry_date = 2026-11-23\nresidence_countries = ["BRA"]\n'
    )
    options = RunOptions(as_of=dt.date(2026, 11, 25), workers=2, cache="off")
    report = run_check(str(dossier), options, dask=cluster)
    (result,) = report.dossiers
    assert result.id == "002-pereira"
    assert {f.file for f in result.files} == {p.name for p in dossier.iterdir()} - {"case.toml"}
    passport = [d for d in result.documents if d.type.value == "passport"]
    assert passport and passport[0].value("expiry_date") == dt.date(2027, 9, 2)
    assert result.verdict.value == "not_ready"  # the passport expires within 12 months
