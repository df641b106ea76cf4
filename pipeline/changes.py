"""What changed between two runs over the same batch (scheduled reprocessing for HR systems).

Both runs are compared in their ``report.json`` form (CONTRACT.md), so the previous run may come
from any older version of the tool: only contract keys are read, unknown keys are ignored.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from pipeline.report import RunReport

log = logging.getLogger(__name__)

CHANGES_VERSION = 1
DEFAULT_HORIZON_DAYS = 30
"""Look-ahead of "about to expire" lists (same as ``pipeline.report.UPCOMING_DAYS``)."""

_EXPIRING_FIELDS = ("expiry_date",)
"""Document fields that say when a document stops being valid."""


def _date(value: Any) -> dt.date | None:
    """An ISO date from a report value, or None when absent or malformed (old or foreign reports)."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _dossiers(report: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """Dossiers of a report dict by id (entries without an id are ignored)."""
    if not report:
        return {}
    found = {}
    for entry in report.get("dossiers") or ():
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            found[entry["id"]] = entry
    return found


def _blocking(dossier: Mapping[str, Any]) -> list[str]:
    """Rule ids of the failing or not-evaluable blocking findings of a dossier dict, sorted."""
    return sorted(
        {
            str(f.get("rule"))
            for f in dossier.get("findings") or ()
            if f.get("severity") == "blocking" and f.get("status") != "pass"
        }
    )


def _expiring_documents(dossier: Mapping[str, Any], as_of: dt.date, horizon: dt.date) -> Iterable[dict[str, Any]]:
    """Documents whose expiry date, or a date rule's last passing day, falls in ``[as_of, horizon]``.

    Passports and ID cards carry ``expiry_date``; a criminal record or medical certificate has no
    printed expiry but an age limit, which the rule reports as its finding's ``valid_until``.
    """
    seen: set[tuple[str, str]] = set()
    for doc in dossier.get("documents") or ():
        fields = doc.get("fields") or {}
        for name in _EXPIRING_FIELDS:
            when = _date(fields.get(name))
            if when is not None and as_of <= when <= horizon:
                ref = f"{doc.get('file')}#{(doc.get('pages') or [1])[0]}"
                seen.add((ref, when.isoformat()))
                yield {
                    "id": dossier["id"],
                    "document": ref,
                    "type": doc.get("type"),
                    "reason": name,
                    "date": when.isoformat(),
                    "days_left": (when - as_of).days,
                }
    for finding in dossier.get("findings") or ():
        when = _date(finding.get("valid_until"))
        if when is None or not as_of <= when <= horizon or finding.get("status") != "pass":
            continue
        refs = finding.get("documents") or [""]
        for ref in refs:
            if (ref, when.isoformat()) in seen:  # the same date already listed from the document field
                continue
            seen.add((ref, when.isoformat()))
            yield {
                "id": dossier["id"],
                "document": ref,
                "type": _type_of(dossier, ref),
                "reason": finding.get("rule"),
                "date": when.isoformat(),
                "days_left": (when - as_of).days,
            }


def _type_of(dossier: Mapping[str, Any], ref: str) -> str | None:
    """The document type of a ``file#page`` reference in a dossier dict."""
    file, _, page = ref.partition("#")
    for doc in dossier.get("documents") or ():
        if doc.get("file") == file and (not page or not page.isdigit() or int(page) in (doc.get("pages") or [])):
            return doc.get("type")
    return None


def diff_runs(
    previous: Mapping[str, Any] | None,
    current: RunReport | Mapping[str, Any],
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> dict[str, Any]:
    """What changed since the previous ``report.json`` and what needs action within ``horizon_days``.

    Args:
        previous: The previous run's parsed ``report.json``, or None on the first run.
        current: This run's report (or its ``to_dict()`` form).
        horizon_days: Look-ahead for expiring documents and ``ready_until`` dates.

    Returns:
        A JSON-ready dict (the ``changes.json`` document) with keys ``new``, ``removed``,
        ``verdict_changes`` (``id``, ``from``, ``to``), ``ready_until_changes``, ``expiring_documents``,
        ``ready_until_soon``, ``counts`` and ``first_run``.

    Raises:
        ValueError: ``horizon_days`` is negative.

    >>> diff_runs(None, {"as_of": "2026-11-24", "dossiers": [{"id": "a", "verdict": "ready"}]})["new"]
    ['a']
    """
    if horizon_days < 0:
        raise ValueError("horizon_days must be >= 0")
    now = current.to_dict() if isinstance(current, RunReport) else current
    as_of = _date(now.get("as_of")) or dt.date.today()
    horizon = as_of + dt.timedelta(days=horizon_days)
    before, after = _dossiers(previous), _dossiers(now)

    verdict_changes, until_changes = [], []
    for key in sorted(set(before) & set(after)):
        old, new = before[key], after[key]
        if old.get("verdict") != new.get("verdict"):
            verdict_changes.append(
                {
                    "id": key,
                    "from": old.get("verdict"),
                    "to": new.get("verdict"),
                    "blocking_added": sorted(set(_blocking(new)) - set(_blocking(old))),
                    "blocking_resolved": sorted(set(_blocking(old)) - set(_blocking(new))),
                }
            )
        if old.get("ready_until") != new.get("ready_until"):
            until_changes.append({"id": key, "from": old.get("ready_until"), "to": new.get("ready_until")})

    expiring = [e for key in sorted(after) for e in _expiring_documents(after[key], as_of, horizon)]
    expiring.sort(key=lambda e: (e["date"], e["id"], e["document"]))
    before_as_of = _date((previous or {}).get("as_of"))
    seen_before = set()
    if before_as_of is not None:  # what the previous run already listed as expiring within its horizon
        before_horizon = before_as_of + dt.timedelta(days=horizon_days)
        seen_before = {_expiring_key(e) for key in sorted(before)
                       for e in _expiring_documents(before[key], before_as_of, before_horizon)}
    expiring_new = [e for e in expiring if _expiring_key(e) not in seen_before]
    soon = []
    for key in sorted(after):
        until = _date(after[key].get("ready_until"))
        if until is not None and until <= horizon:
            soon.append(
                {
                    "id": key,
                    "verdict": after[key].get("verdict"),
                    "ready_until": until.isoformat(),
                    "days_left": (until - as_of).days,
                }
            )
    soon.sort(key=lambda e: (e["ready_until"], e["id"]))

    new_ids, removed_ids = sorted(set(after) - set(before)), sorted(set(before) - set(after))
    changed = {c["id"] for c in verdict_changes} | {c["id"] for c in until_changes}
    return {
        "changes_version": CHANGES_VERSION,
        "as_of": as_of.isoformat(),
        "previous_as_of": (previous or {}).get("as_of"),
        "first_run": previous is None,
        "horizon_days": horizon_days,
        "new": new_ids,
        "removed": removed_ids,
        "verdict_changes": verdict_changes,
        "ready_until_changes": until_changes,
        "expiring_documents": expiring,
        "expiring_new": expiring_new,
        "ready_until_soon": soon,
        "counts": {
            "dossiers": len(after),
            "new": len(new_ids),
            "removed": len(removed_ids),
            "verdict_changes": len(verdict_changes),
            "unchanged": len((set(before) & set(after)) - changed),
            "expiring_documents": len(expiring),
            "expiring_new": len(expiring_new),
            "ready_until_soon": len(soon),
        },
    }


def _expiring_key(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    return entry["id"], entry["document"], entry.get("reason"), entry["date"]


def needs_notice(changes: Mapping[str, Any]) -> bool:
    """True when a person should be told now: a verdict changed, or a document entered the expiry horizon.

    A document that was already listed by the previous run is not announced again (the report's
    act-soon list keeps showing it); a first run announces what expires within the horizon.

    >>> needs_notice({"verdict_changes": [], "expiring_new": []})
    False
    """
    return bool(changes.get("verdict_changes") or changes.get("expiring_new"))


def render_notice(changes: Mapping[str, Any], report_location: str = "") -> tuple[str, str]:
    """Subject and plain-text body of the notification about ``changes`` (short lines, no tables).

    >>> render_notice({"as_of": "2026-12-02", "horizon_days": 30, "verdict_changes": [
    ...     {"id": "007-x", "from": "ready", "to": "not_ready", "blocking_added": ["passport.validity-12-months"]}],
    ...     "expiring_new": []})[0]
    'Dossiers on 2026-12-02: 1 verdict change(s), 0 document(s) expiring within 30 days'
    """
    changed, expiring = list(changes.get("verdict_changes") or ()), list(changes.get("expiring_new") or ())
    days = changes.get("horizon_days")
    subject = (f"Dossiers on {changes.get('as_of')}: {len(changed)} verdict change(s), "
               f"{len(expiring)} document(s) expiring within {days} days")
    lines = []
    if changed:
        lines.append("Verdict changes:")
        for c in changed:
            why = ", ".join(c.get("blocking_added") or ()) or ", ".join(c.get("blocking_resolved") or ())
            lines.append(f"- {c['id']}: {c.get('from')} -> {c.get('to')}" + (f" ({why})" if why else ""))
    if expiring:
        lines.append(f"Expiring within {days} days:")
        for e in expiring:
            lines.append(f"- {e['id']}: {e.get('type') or 'document'} {e['document']} on {e['date']} "
                         f"({e['days_left']} days left; {e.get('reason')})")
    if report_location:
        lines.append(f"Report: {report_location}")
    return subject, "\n".join(lines) + "\n"


def has_changes(changes: Mapping[str, Any]) -> bool:
    """True when anything needs a person's attention (new, removed, changed or expiring)."""
    return any(changes.get(k) for k in ("new", "removed", "verdict_changes", "expiring_documents", "ready_until_soon"))


def _cell(value: Any) -> str:
    """A Markdown table cell (pipes escaped, empty shown as a dash)."""
    text = "-" if value in (None, "", []) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def render_changes_markdown(changes: Mapping[str, Any]) -> str:
    """The changes as Markdown for a Prefect artifact or an e-mail (never indented: see STYLE.md §6).

    >>> print(render_changes_markdown(diff_runs(None, {"as_of": "2026-11-24", "dossiers": []})).splitlines()[0])
    # Dossier changes on 2026-11-24
    """
    lines = [f"# Dossier changes on {changes.get('as_of')}", ""]
    counts = changes.get("counts") or {}
    if changes.get("first_run"):
        lines += [f"First run: {counts.get('dossiers', 0)} dossiers, no previous report to compare with.", ""]
    else:
        lines += [
            f"Compared with the run of {changes.get('previous_as_of')}: {counts.get('dossiers', 0)} dossiers, "
            f"{counts.get('new', 0)} new, {counts.get('removed', 0)} removed, "
            f"{counts.get('verdict_changes', 0)} verdict changes, {counts.get('unchanged', 0)} unchanged.",
            "",
        ]
    if changes.get("verdict_changes"):
        lines += ["## Verdict changes", ""]
        lines += _table(
            ["dossier", "from", "to", "new blocking reasons", "resolved"],
            (
                [
                    c["id"],
                    c.get("from"),
                    c.get("to"),
                    ", ".join(c.get("blocking_added") or ()),
                    ", ".join(c.get("blocking_resolved") or ()),
                ]
                for c in changes["verdict_changes"]
            ),
        )
    if changes.get("ready_until_soon"):
        lines += [f"## Ready-until within {changes.get('horizon_days')} days", ""]
        lines += _table(
            ["dossier", "verdict", "ready until", "days left"],
            ([c["id"], c.get("verdict"), c["ready_until"], c["days_left"]] for c in changes["ready_until_soon"]),
        )
    if changes.get("expiring_documents"):
        lines += [f"## Documents expiring within {changes.get('horizon_days')} days", ""]
        lines += _table(
            ["dossier", "document", "type", "reason", "date", "days left"],
            (
                [c["id"], c["document"], c.get("type"), c.get("reason"), c["date"], c["days_left"]]
                for c in changes["expiring_documents"]
            ),
        )
    if not changes.get("first_run") and changes.get("new"):
        lines += ["## New dossiers", "", ", ".join(changes["new"]), ""]
    if changes.get("removed"):
        lines += ["## Removed dossiers", "", ", ".join(changes["removed"]), ""]
    if not has_changes(changes) and not changes.get("first_run"):
        lines += ["Nothing changed and nothing expires soon.", ""]
    return "\n".join(lines).rstrip() + "\n"
