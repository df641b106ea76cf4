"""Layout families: each side of the split draws only its own families, deterministically by seed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from samples import generate
from samples.layouts import FAMILIES, HELD_OUT
from samples.render import render_document
from samples.texts import CertInfo, Person, compose

AS_OF = dt.date(2026, 11, 25)
PERSON = Person("Sharma", "Arjun", "M", dt.date(1990, 5, 5), "New Delhi", "IND")


def _families(choice: str, index: int, seed: int = 4) -> tuple[str, list[str]]:
    _, _, plans = generate.plan_dossier(index, np.random.default_rng([seed, index]), AS_OF)
    side = generate.assign_families(plans, np.random.default_rng([seed, index, 1]), choice)
    return side, [doc.family for plan in plans for doc in plan.docs]


@pytest.mark.parametrize("choice", ["tuned", "heldout"])
def test_each_side_draws_only_its_own_families(choice: str) -> None:
    for index in range(15):
        side, families = _families(choice, index)
        assert side == choice
        assert all((family in HELD_OUT) == (choice == "heldout") for family in families), families


def test_all_splits_dossiers_and_is_deterministic() -> None:
    sides = [_families("all", index)[0] for index in range(15)]
    assert set(sides) == {"tuned", "heldout"}
    assert sides == [_families("all", index)[0] for index in range(15)]


def test_classic_keeps_the_original_draws() -> None:
    """The committed batch is generated with ``classic``: no family draw may disturb its random stream."""
    _, families = _families("classic", 0)
    assert set(families) <= {"classic", "bilingual", "plain", "slash"}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_renders_its_title_and_closing(family: str) -> None:
    info = CertInfo("criminal_record", "fr", "MAR", PERSON, dt.date(2026, 9, 12), number="1/2026", family=family)
    blocks = compose(info)
    kinds = [b[0] for b in blocks]
    assert "title" in kinds
    assert ("dateline" in kinds) == (FAMILIES[family].layout == "letter")
    closing = next(b[1] for b in blocks if b[0] in ("closing", "dateline"))
    assert "2026" in closing
    (page,) = render_document("criminal_record", info, 60)
    assert page.image.size == (496, 702)
