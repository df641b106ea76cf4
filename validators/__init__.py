"""Belgian residence-permit rule pack: ``evaluate`` a dossier, get a ``verdict`` and ``ready_until``."""

from __future__ import annotations

from pipeline.context import PROFILES
from validators import certificate, dossier, identity, passport, residence  # noqa: F401  (register the rules)
from validators.engine import evaluate, ready_until, verdict
from validators.registry import RULES, Rule, select


def list_rules(profile: str = "conservative") -> list[dict[str, str]]:
    """Rows for ``dossier rules [--profile]``: id, severity, categories, source, title.

    Args:
        profile: Profile whose severities are shown; rules that are off in it are left out.

    Raises:
        ValueError: for an unknown profile.
    """
    return [
        {
            "id": r.id,
            "severity": str(r.severity[profile]),
            "categories": ", ".join(sorted(r.applies_to)) if len(r.applies_to) < 9 else "all",
            "source": r.source,
            "title": r.title,
        }
        for r in select(profile)
    ]


__all__ = ["PROFILES", "RULES", "Rule", "evaluate", "list_rules", "ready_until", "verdict"]
