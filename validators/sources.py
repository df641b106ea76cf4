"""The sources the rules cite (``sources.yaml``, from RULES.md §0.9): a title to show and where to read it."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).with_name("sources.yaml")

SRC_001 = "001_f4df004ff357ad2a.txt"
SRC_002 = "002_5048936d5a400244.txt"
SRC_003 = "003_96541b0a4eb6ccbe.txt"
SRC_004 = "004_82766b854d929574.txt"
"""The seed files most rules cite (keys of ``sources.yaml``), named once for every rule module."""


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    """One cited source."""

    key: str
    """The key a rule cites (a seed file name or a short key such as ``DVZ-CR``)."""
    title: str
    urls: tuple[str, ...] = ()
    tier: int | None = None
    """1 official or legal, 2 municipality/university/legal NGO, 3 commercial (None: not catalogued)."""

    @property
    def url(self) -> str | None:
        """The main address, if the source has one."""
        return self.urls[0] if self.urls else None

    def to_dict(self) -> dict[str, object]:
        """JSON form (report.json findings carry it as ``source_ref``)."""
        return {"key": self.key, "title": self.title, "urls": list(self.urls), "tier": self.tier}


@functools.cache
def catalogue() -> Mapping[str, Source]:
    """Every catalogued source by key."""
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    return {
        str(key): Source(str(key), str(entry["title"]), tuple(entry.get("urls") or ()), entry.get("tier"))
        for key, entry in data.items()
    }


def source_info(key: str) -> Source:
    """The catalogued source for ``key``; an uncatalogued key is shown as it is, without an address.

    >>> source_info("DVZ-CR").url.startswith("https://dofi.ibz.be/")
    True
    >>> source_info("dossier intake").title
    'dossier intake'
    """
    return catalogue().get(key) or Source(key, key)
