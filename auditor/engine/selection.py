"""Criterion selection: keep or drop a profile's criteria and override their severities.

Selection acts on the Profile, not on the evaluation: `filtered()` returns a Profile with only the
selected criteria and any severity overrides, so every command and reporter sees one consistent
profile. Selectors are a code (`FU01`), a criterion name (`follow-up.long-term`), a group
(`follow-up`) or a code prefix (`FU`).
"""

from __future__ import annotations

import dataclasses
from typing import cast

from auditor.engine.profiles import Criterion, Profile
from auditor.vocabulary import Severity


def matches(selector: str, crit: Criterion) -> bool:
    s = selector.strip()
    return (s.upper() in ("ALL", crit.code) or s.lower() in (crit.name, crit.group)
            or (s.isalpha() and crit.code.startswith(s.upper())))


def _specificity(selector: str, profile: Profile) -> int:
    """Severity overrides apply broad-to-narrow: a group or prefix first, then a code or name."""
    return 1 if profile.criterion(selector) is not None else 0


def filtered(profile: Profile, select: list[str] | tuple[str, ...], ignore: list[str] | tuple[str, ...],
             severity: dict[str, str]) -> Profile:
    """The profile with only the selected, not ignored criteria, and severities overridden."""
    kept: list[Criterion] = []
    overrides = sorted(severity.items(), key=lambda item: _specificity(item[0], profile))
    for crit in profile.criteria:
        if select and not any(matches(s, crit) for s in select):
            continue
        if any(matches(s, crit) for s in ignore):
            continue
        chosen = crit
        for selector, level in overrides:
            if matches(selector, crit):
                # Override levels are checked against SEVERITIES when the config and options are read.
                chosen = dataclasses.replace(chosen, severity=cast(Severity, level))
        kept.append(chosen)
    return dataclasses.replace(profile, criteria=tuple(kept))


def union(profiles: list[Profile], base: Profile) -> Profile:
    """One profile holding every criterion any per-path profile uses (for reporters' rule lists)."""
    seen: dict[str, Criterion] = {}
    for prof in profiles:
        for crit in prof.criteria:
            seen.setdefault(crit.code, crit)
    return dataclasses.replace(base, criteria=tuple(seen[c] for c in sorted(seen)))
