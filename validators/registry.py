"""Rule registry: one small function per rule, one stable dotted id (STYLE.md §4)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping

from pipeline.context import PROFILES
from pipeline.model import Finding, Severity
from validators.applicants import ALL, Applicant
from validators.context import RuleContext

_LETTERS = {"B": Severity.BLOCKING, "W": Severity.WARNING, "I": Severity.INFO, "-": None}

RuleFunction = Callable[[RuleContext], Iterator[Finding]]


@dataclasses.dataclass(frozen=True, slots=True)
class Rule:
    """A registered rule and its metadata."""

    id: str
    """Stable dotted id ``<area>.<slug>``; never reused (old ids live on in ``aliases``)."""
    severity: Mapping[str, Severity | None]
    """Severity per profile; None = the rule is off in that profile."""
    applies_to: frozenset[Applicant]
    source: str
    """Seed file name or public source key (RULES.md §0.9)."""
    title: str
    message: str
    """Template of the failure message, formatted with the rule's values."""
    check: RuleFunction
    aliases: tuple[str, ...] = ()
    catalogue: str = ""
    """Rule name in RULES.md (Appendix A)."""

    @property
    def group(self) -> str:
        """The area before the first dot (``passport``, ``criminal_record`` ...)."""
        return self.id.split(".", 1)[0]


RULES: dict[str, Rule] = {}
"""Every registered rule by id (the Belgian pack registers on import of ``validators``)."""
_ALIASES: dict[str, str] = {}


def parse_severity(spec: str) -> dict[str, Severity | None]:
    """Expand a compact severity string, one letter per profile in :data:`PROFILES` order.

    >>> parse_severity("BW-")["ugent_employer"] is None
    True
    """
    if len(spec) != len(PROFILES) or set(spec) - set(_LETTERS):
        raise ValueError(f"severity {spec!r}: give one of B/W/I/- per profile {PROFILES}")
    return {profile: _LETTERS[letter] for profile, letter in zip(PROFILES, spec, strict=True)}


def rule(
    id: str,
    *,
    severity: str,
    applies_to: Collection[Applicant] = ALL,
    source: str,
    title: str,
    message: str,
    aliases: Iterable[str] = (),
    catalogue: str = "",
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under ``id``.

    Args:
        id: Stable dotted id ``<area>.<slug>``.
        severity: One of ``B``/``W``/``I``/``-`` per profile (conservative, official_minimum,
            ugent_employer), e.g. ``"BW-"``.
        applies_to: Applicants the rule runs for.
        source: Seed file name or source key.
        title: One-line title for ``dossier rules``.
        message: Failure message template.
        aliases: Former ids that still select this rule.
        catalogue: The rule's name in RULES.md.

    Raises:
        ValueError: at import time when ``id`` or an alias is already taken, or ``id`` is not dotted.
    """

    def register(check: RuleFunction) -> RuleFunction:
        if "." not in id or id != id.lower():
            raise ValueError(f"rule id {id!r} must be a lower-case dotted <area>.<slug>")
        taken = [name for name in (id, *aliases) if name in RULES or name in _ALIASES]
        if taken:
            raise ValueError(f"rule id {taken[0]!r} is registered twice")
        RULES[id] = Rule(
            id=id,
            severity=parse_severity(severity),
            applies_to=frozenset(applies_to),
            source=source,
            title=title,
            message=message,
            check=check,
            aliases=tuple(aliases),
            catalogue=catalogue,
        )
        _ALIASES.update(dict.fromkeys(aliases, id))
        return check

    return register


def select(profile: str, pick: Iterable[str] | None = None, skip: Iterable[str] = ()) -> list[Rule]:
    """The rules that run in ``profile``, optionally narrowed by id, alias or group.

    Args:
        profile: Profile name (see :data:`PROFILES`).
        pick: Ids, aliases or groups (``passport``) to keep; None keeps all.
        skip: Ids, aliases or groups to drop.

    Returns:
        Rules in registration order that are not off in ``profile``.

    Raises:
        ValueError: for an unknown profile or rule id, listing the valid names.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; valid profiles: {', '.join(PROFILES)}")

    def resolve(names: Iterable[str]) -> set[str]:
        groups = {r.group for r in RULES.values()}
        ids: set[str] = set()
        for name in names:
            if name in groups:
                ids |= {r.id for r in RULES.values() if r.group == name}
            elif name in RULES or name in _ALIASES:
                ids.add(_ALIASES.get(name, name))
            else:
                raise ValueError(f"unknown rule {name!r}; valid ids: {', '.join(sorted(RULES))}")
        return ids

    keep = resolve(pick) if pick is not None else set(RULES)
    drop = resolve(skip)
    return [r for r in RULES.values() if r.id in keep - drop and r.severity[profile] is not None]
