"""Rules stage: run the Belgian rule pack on the dossier's documents and case facts."""

from __future__ import annotations

import dataclasses

import validators
from pipeline.work import DossierWork


def evaluate_rules(work: DossierWork) -> DossierWork:
    """Dossier stage: the findings of every rule of the run's profile that applies to the case."""
    options = work.options
    findings = validators.evaluate(
        work.documents, work.case, as_of=options.as_of, profile=options.profile, overrides=options.parameters
    )
    return dataclasses.replace(work, findings=tuple(findings))
