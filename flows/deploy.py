"""Deployments of ``reprocess``: serve it on a cron schedule from a long-running process.

``serve_schedule`` is the quick way (one process, no work pool): it registers the deployment with
whatever Prefect API is configured (``PREFECT_API_URL``; see ``scripts/prefect-server``) and runs
each scheduled flow run in a subprocess. ``prefect.yaml`` at the repository root defines the same
deployment on the ``dossier-pool`` process work pool for ``prefect deploy``.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from flows.server import quiet_prefect

quiet_prefect()
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from prefect.client.schemas.schedules import CronSchedule  # noqa: E402

from flows.scheduled import reprocess  # noqa: E402

DEPLOYMENT_NAME = "nightly"
DEFAULT_CRON = "0 5 * * 1-5"
"""Working days at 05:00, before HR opens (the report then says what to act on today)."""
DEFAULT_TIMEZONE = "Europe/Brussels"


def cron_schedule(cron: str, timezone: str | None = DEFAULT_TIMEZONE) -> CronSchedule:
    """A validated cron schedule (five fields; a bad expression or time zone raises ``ValueError``).

    >>> cron_schedule("0 5 * * 1-5").cron
    '0 5 * * 1-5'
    """
    return CronSchedule(cron=cron, timezone=timezone)


def reprocess_parameters(
    source: str, out: str, *, profile: str = "conservative", workers: int | None = None,
    cache: str | None = None, horizon_days: int = 30, cases: str | None = None, notify: str | None = None,
    lang: str | None = None, csv_sep: str | None = None,
) -> dict[str, Any]:
    """The deployment's parameters (``as_of`` is left out: each run evaluates on its own date)."""
    params: dict[str, Any] = {"source": source, "out": out, "profile": profile, "horizon_days": horizon_days}
    for key, value in (("workers", workers), ("cache", cache), ("cases", cases), ("notify", notify),
                       ("lang", lang), ("csv_sep", csv_sep)):
        if value is not None:
            params[key] = value
    return params


def serve_schedule(
    source: str,
    out: str,
    cron: str = DEFAULT_CRON,
    *,
    name: str = DEPLOYMENT_NAME,
    timezone: str | None = DEFAULT_TIMEZONE,
    interval: float | dt.timedelta | None = None,
    profile: str = "conservative",
    workers: int | None = None,
    cache: str | None = None,
    horizon_days: int = 30,
    cases: str | None = None,
    notify: str | None = None,
    lang: str | None = None,
    csv_sep: str | None = None,
    limit: int = 1,
) -> None:
    """Serve ``reprocess`` on a cron schedule until interrupted (Ctrl-C or SIGTERM).

    Args:
        source: Batch folder or fsspec URL.
        out: Report folder or fsspec URL.
        cron: Five-field cron expression, evaluated in ``timezone``.
        name: Deployment name (the deployment is ``dossier-reprocess/<name>``).
        timezone: IANA time zone of the cron expression (None: UTC).
        interval: Seconds (or a timedelta) between runs instead of the cron schedule (tests, demos).
        profile: Rule profile.
        workers: Pages in parallel per run.
        cache: Page cache folder or URL (``s3://bucket/cache`` keeps it next to the batch).
        horizon_days: Look-ahead of the "expiring soon" lists.
        cases: A ``cases.csv`` outside the batch.
        notify: A saved notification block (``custom-webhook/hr-desk``) told about verdict changes
            and documents entering the horizon.
        lang: Language of the HTML report and CSV messages.
        csv_sep: CSV field separator.
        limit: Flow runs at once (1: a slow run is never overlapped by the next one).

    Raises:
        ValueError: the cron expression or time zone is invalid.
    """
    parameters = reprocess_parameters(source, out, profile=profile, workers=workers, cache=cache,
                                      horizon_days=horizon_days, cases=cases, notify=notify, lang=lang,
                                      csv_sep=csv_sep)
    if interval is not None:
        reprocess.serve(name=name, interval=interval, parameters=parameters, limit=limit,
                        pause_on_shutdown=True)
        return
    schedule = cron_schedule(cron, timezone)  # validate before registering anything
    if timezone is None:
        reprocess.serve(name=name, cron=schedule.cron, parameters=parameters, limit=limit)
    else:  # ``serve(cron=...)`` has no time-zone argument: pass the schedule object instead
        reprocess.serve(name=name, schedules=[schedule], parameters=parameters, limit=limit)


if __name__ == "__main__":
    import sys

    serve_schedule(*sys.argv[1:4])
