"""Evaluate a profile's criteria against one record's facts: the only place statuses are decided.

Per criterion, in this order:
1. `applies_when` fails            -> not_applicable
2. `met_when` holds                -> met
3. `not_met_when` holds            -> not_met   (the record settles the answer)
4. no `not_met_when`, and every fact the criterion reads is known -> not_met
5. otherwise                       -> unclear   (the record leaves the question open)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from auditor.audit import STATUSES, Finding, RecordInfo, Status, TrialAudit
from auditor.extract import derive
from auditor.facts import Evidence, FactSheet, lookup
from auditor.model import TrialRecord
from auditor.profiles import Criterion, Profile

_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+(?:\.[a-z0-9_]+)+)\}")
_DEFAULT_MESSAGES = {
    "met": "Met.",
    "not_met": "Not met.",
    "unclear": "The record does not say enough to decide ({unknown}).",
    "not_applicable": "Does not apply to this record.",
}


def render_value(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.1f}"
    if isinstance(value, list):
        return ", ".join(render_value(v) for v in value) if value else "none"
    return str(value)


# A message template cut once into (literal, fact path) parts; path None: the literal alone, path
# "": the {unknown} list. Templates come from profiles, so the cache stays small.
Template = tuple[tuple[str, str | None], ...]
_UNKNOWN = ""


@lru_cache(maxsize=1024)
def _template(text: str) -> Template:
    parts: list[tuple[str, str | None]] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        parts.append((text[pos:m.start()], m.group(1)))
        pos = m.end()
    parts.append((text[pos:], None))
    out: list[tuple[str, str | None]] = []
    for literal, path in parts:  # "{unknown}" is a placeholder too (it has no dot, so handled here)
        *pieces, last = literal.split("{unknown}")
        out += [(piece, _UNKNOWN) for piece in pieces] + [(last, path)]
    return tuple(out)


def _render(template: Template, facts: dict[str, Any], unknown: str = "none") -> str:
    return "".join(literal + ("" if path is None else unknown if path == _UNKNOWN
                              else render_value(lookup(facts, path))) for literal, path in template)


def fill(template: str, facts: dict[str, Any]) -> str:
    return _render(_template(template), facts)


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


def assess(criterion: Criterion, sheet: FactSheet) -> Assessment:
    facts = sheet.facts
    values = [lookup(facts, path) for path in criterion.facts]
    status = status_of(criterion, facts, values)
    unknown = ", ".join(f for f, v in zip(criterion.facts, values) if v is None) or "none"
    message = _render(_template(criterion.messages.get(status) or _DEFAULT_MESSAGES[status]), facts, unknown)
    evidence = [ev for path in criterion.facts for ev in sheet.evidence.get(path, ())]
    fix = fill(criterion.fix, facts) if criterion.fix and status in ("not_met", "unclear") else None
    return Assessment(status, message, fix, values, list(dict.fromkeys(evidence)))


def evaluate(criterion: Criterion, sheet: FactSheet) -> Finding:
    a = assess(criterion, sheet)
    return Finding(code=criterion.code, name=criterion.name, group=criterion.group, severity=criterion.severity,
                   status=a.status, message=a.message, fix=a.fix, facts=dict(zip(criterion.facts, a.values)),
                   evidence=a.evidence)


def judge(sheet: FactSheet, profile: Profile) -> tuple[list[Assessment], dict[Status, int]]:
    """Every criterion's assessment of one record's facts (in profile order), and how many have each status."""
    assessments = [assess(c, sheet) for c in profile.criteria]
    counts: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    for a in assessments:
        counts[a.status] += 1
    return assessments, counts


def audit(record: TrialRecord, profile: Profile) -> TrialAudit:
    sheet = derive(record)
    findings = [evaluate(c, sheet) for c in profile.criteria]
    counts: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    for finding in findings:
        counts[finding.status] += 1
    title = record.title or record.official_title
    return TrialAudit(
        record=RecordInfo(trial_id=record.trial_id, registry=record.registry, title=title.value if title else None,
                          path=record.source.path, format=record.source.format, index=record.source.index,
                          positions=record.positions),
        facts=sheet.facts, evidence=sheet.evidence, findings=findings, counts=counts,
    )
