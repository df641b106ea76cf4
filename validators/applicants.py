"""Who a rule applies to: the contract's categories plus the two long-term-residence procedures.

A module of its own, below the registry, the rule context and the Belgian tables, so that none of
them imports another to learn these names.
"""

from __future__ import annotations

import enum

from pipeline.model import Category


class Applicant(enum.StrEnum):
    """The contract categories (values of :class:`pipeline.model.Category`) and two procedures."""

    SINGLE_PERMIT = Category.SINGLE_PERMIT.value
    BLUE_CARD = Category.BLUE_CARD.value
    PROFESSIONAL_CARD = Category.PROFESSIONAL_CARD.value
    STUDENT = Category.STUDENT.value
    FAMILY_REUNIFICATION = Category.FAMILY_REUNIFICATION.value
    EU_CITIZEN = Category.EU_CITIZEN.value
    RENEWAL = Category.RENEWAL.value
    LONG_TERM_RESIDENT = "long_term_resident"
    """Application for EU long-term resident status (RULES.md §1 ``LTR``)."""
    LTR_SECOND_STATE = "ltr_second_state"
    """Long-term resident of another Member State (RULES.md §1 ``LTR2``)."""


A = Applicant
FIRST_ADMISSION = frozenset({A.SINGLE_PERMIT, A.BLUE_CARD, A.PROFESSIONAL_CARD, A.STUDENT, A.FAMILY_REUNIFICATION})
"""Third-country nationals applying for a first permit."""
NON_EU = FIRST_ADMISSION | {A.LTR_SECOND_STATE}
"""RULES.md §1 ``NON_EU``."""
ALL = frozenset(Applicant)
