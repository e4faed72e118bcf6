"""Evaluate a profile's criteria against one record's facts: the only place statuses are decided.

Per criterion, in this order:
1. `applies_when` fails            -> not_applicable
2. `met_when` holds                -> met
3. `not_met_when` holds            -> not_met   (the record settles the answer)
4. no `not_met_when`, and every fact the criterion reads is known -> not_met
5. otherwise                       -> unclear   (the record leaves the question open)

Two verbs: `assess` one criterion, `judge` a record against every criterion of a profile.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from auditor.engine.messages import DEFAULT_MESSAGES, Known, choose
from auditor.engine.profiles import Criterion, Profile
from auditor.facts import Evidence, FactSheet, lookup
from auditor.vocabulary import STATUSES, Status


def status_of(criterion: Criterion, facts: dict[str, Any], values: list[Any] | None = None) -> Status:
    """`values`: the criterion's facts, when the caller has already looked them up."""
    checks = criterion.validators
    if "applies_when" in checks and not checks["applies_when"].is_valid(facts):
        return "not_applicable"
    if checks["met_when"].is_valid(facts):
        return "met"
    if "not_met_when" in checks:
        return "not_met" if checks["not_met_when"].is_valid(facts) else "unclear"
    if values is None:
        values = [lookup(facts, f) for f in criterion.facts]
    return "unclear" if any(v is None for v in values) else "not_met"


class Assessment(NamedTuple):
    """A criterion's verdict on one record: a Finding's content without the model around it."""

    status: Status
    message: str
    fix: str | None
    values: list[Any]  # the criterion's facts, in criterion.facts order
    evidence: list[Evidence]


class Judgement(NamedTuple):
    """Every criterion's assessment of one record (in profile order) and how many have each status."""

    assessments: list[Assessment]
    counts: dict[Status, int]


def assess(criterion: Criterion, sheet: FactSheet, known: Known | None = None) -> Assessment:
    """`known`: the record's facts by path, shared by the criteria judged together (`judge`)."""
    facts = sheet.facts
    if known is None:
        known = Known(facts, sheet.evidence)
    values = [known[path] for path in criterion.facts]
    status = status_of(criterion, facts, values)
    message = choose(criterion.variants.get(status, ()), facts, known) or DEFAULT_MESSAGES[status]
    evidence = [ev for path in criterion.facts for ev in sheet.evidence.get(path, ())]
    fix = choose(criterion.fix_variants, facts, known) if status in ("not_met", "unclear") else None
    return Assessment(status, message, fix, values, _distinct(evidence) if len(evidence) > 1 else evidence)


def _distinct(evidence: list[Evidence]) -> list[Evidence]:
    """One quote per place: two facts resting on the same span (FU01's latest time point is both
    the weeks from baseline and the weeks after treatment) keep the first, the more specific note."""
    seen: dict[tuple[str, int | None, str], Evidence] = {}
    for ev in evidence:
        seen.setdefault((ev.at, ev.line, ev.quote), ev)
    return list(seen.values())


def judge(sheet: FactSheet, profile: Profile) -> Judgement:
    known = Known(sheet.facts, sheet.evidence)  # each fact looked up once for all the criteria
    assessments = [assess(c, sheet, known) for c in profile.criteria]
    counts: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    for a in assessments:
        counts[a.status] += 1
    return Judgement(assessments, counts)
