"""Scale-out on a Prefect work pool: the batch is split into parts, each part one flow run on a worker.

``dossier check BATCH --pool NAME`` registers the deployment ``dossier-check-part/NAME`` (the
:func:`check_part` flow, imported by module path, so a worker needs this project installed, not a
copy of its source), starts one run per part from a parent flow run, waits for them and joins
their reports in batch order: the same report as a local run. Workers are started with
``prefect worker start --pool NAME`` on each machine, with the same ``PREFECT_API_URL``; they
must see the batch (and the page cache) at the same paths, and the parts' results come back
through Prefect's result storage (the local default is ``~/.prefect/storage``: shared by workers on
this machine; set ``PREFECT_RESULTS_DEFAULT_STORAGE_BLOCK`` to a bucket for several machines).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound
from prefect.utilities.callables import parameter_schema

from flows.check import CheckParams, PrefectRunner, progress_display
from pipeline import api
from pipeline.errors import ConfigError, EngineError
from pipeline.report import DossierReport, RunReport
from pipeline.stages import intake

PART_FLOW = "dossier-check-part"
POLL_S = 1.0
PARTS_PER_WORKER = 2
"""Parts per online worker: enough to even out dossiers of different sizes, few enough that each
run's start (a new process importing the pipeline, ~3 CPU-seconds) stays small."""


@flow(name=PART_FLOW, persist_result=True, log_prints=False, validate_parameters=True)
def check_part(params: CheckParams, dossiers: list[str]) -> RunReport:
    """Check some dossiers of a batch (a part of it), on a worker of the pool."""
    return api.run(Path(params.path), params.options, runner=PrefectRunner(), only=dossiers)


def ensure_deployment(pool: str) -> str:
    """Register (or update) the part flow's deployment on ``pool``; its full name.

    Raises:
        ConfigError: there is no such work pool.
    """
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            raise ConfigError(f"there is no Prefect work pool {pool!r}: create it with "
                              f"`prefect work-pool create {pool} --type process`") from None
        flow_id = client.create_flow_from_name(PART_FLOW)
        client.create_deployment(
            flow_id=flow_id, name=pool, work_pool_name=pool, entrypoint=f"{__name__}.{check_part.fn.__name__}",
            parameter_openapi_schema=parameter_schema(check_part).model_dump(), enforce_parameter_schema=False,
        )
    return f"{PART_FLOW}/{pool}"


def online_workers(pool: str) -> int:
    """Workers of ``pool`` that reported recently."""
    with get_client(sync_client=True) as client:
        workers = client.read_workers_for_work_pool(pool)
    return sum(1 for w in workers if str(getattr(w, "status", "")).upper().endswith("ONLINE"))


def split(ids: list[str], parts: int) -> list[list[str]]:
    """Dossier ids dealt round-robin into ``parts`` non-empty parts.

    >>> split(["a", "b", "c", "d", "e"], 2)
    [['a', 'c', 'e'], ['b', 'd']]
    """
    parts = max(1, min(parts, len(ids)))
    return [ids[n::parts] for n in range(parts)]


def run_on_pool(params: CheckParams, pool: str) -> RunReport:
    """Check a batch on the workers of ``pool`` (:func:`check_on_pool`).

    The pool and the case files are checked first, outside any flow run, so that a missing pool or a
    bad case file is one clear message (a failing flow run would log its traceback).

    Raises:
        ConfigError: there is no such work pool, or a case file is unusable.
        EngineError: a part's run failed or crashed.
    """
    _survey_and_cases(params)  # a bad path or case file fails here, not on every worker
    return check_on_pool(params, ensure_deployment(pool))


def _survey_and_cases(params: CheckParams) -> tuple[intake.Survey, api.Cases]:
    """The dossiers :func:`pipeline.api.run` would check, and the batch's case facts."""
    root, options = Path(params.path), params.options
    survey = intake.survey(root, frozenset(Path(p) for p in options.exclude), one_dossier=options.one_dossier)
    return survey, api.load_cases(root, survey.sources, options)


@flow(name="dossier-check-on-pool", log_prints=False, validate_parameters=True)
def check_on_pool(params: CheckParams, deployment: str) -> RunReport:
    """Check a batch as parts on the workers of a pool; the parts' reports joined in batch order.

    Args:
        params: The run.
        deployment: The part flow's deployment on the pool (:func:`ensure_deployment`).

    Raises:
        EngineError: a part's run failed or crashed (its state message says why).
    """
    survey, cases = _survey_and_cases(params)
    sources = survey.sources
    pool = deployment.split("/", 1)[1]  # the deployment is named after its pool
    parts = split([s.id for s in sources], PARTS_PER_WORKER * max(1, online_workers(pool)))
    progress = progress_display()
    if progress is not None:
        progress.planned(len(sources), None, 0)
    given = params.model_dump(mode="json")
    runs = [cast(FlowRun, run_deployment(deployment, parameters={"params": given, "dossiers": part}, timeout=0))
            for part in parts]
    reports: dict[str, DossierReport] = {}
    pending = {run.id: run for run in runs}
    with get_client(sync_client=True) as client:
        while pending:
            for run_id in list(pending):
                state = client.read_flow_run(run_id).state
                if state is None or not state.is_final():
                    continue
                del pending[run_id]
                if not state.is_completed():
                    raise EngineError(f"a part of the batch ended {state.name}: {state.message or 'no message'}")
                part = cast(RunReport, state.result())
                for dossier in part.dossiers:
                    reports[dossier.id] = dossier
                    if progress is not None:
                        progress.dossier_done(dossier)
            if pending:
                time.sleep(POLL_S)
    return RunReport(as_of=params.options.as_of, profile=params.options.profile,
                     dossiers=tuple(reports[s.id] for s in sources), batch_files=survey.loose,
                     case_problems=cases.stray)
