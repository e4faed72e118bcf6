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
from typing import Any

from auditor.audit import STATUSES, Finding, RecordInfo, Status, TrialAudit
from auditor.extract import derive
from auditor.facts import FactSheet, lookup
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


def fill(template: str, facts: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: render_value(lookup(facts, m.group(1))), template)


def status_of(criterion: Criterion, facts: dict[str, Any]) -> Status:
    checks = criterion.validators
    if "applies_when" in checks and not checks["applies_when"].is_valid(facts):
        return "not_applicable"
    if checks["met_when"].is_valid(facts):
        return "met"
    if "not_met_when" in checks:
        return "not_met" if checks["not_met_when"].is_valid(facts) else "unclear"
    return "unclear" if any(lookup(facts, f) is None for f in criterion.facts) else "not_met"


def evaluate(criterion: Criterion, sheet: FactSheet) -> Finding:
    facts = sheet.facts
    status = status_of(criterion, facts)
    unknown = ", ".join(f for f in criterion.facts if lookup(facts, f) is None) or "none"
    template = criterion.messages.get(status) or _DEFAULT_MESSAGES[status]
    message = fill(template.replace("{unknown}", unknown), facts)
    evidence = [ev for path in criterion.facts for ev in sheet.evidence.get(path, [])]
    return Finding(
        code=criterion.code, name=criterion.name, group=criterion.group, severity=criterion.severity,
        status=status, message=message,
        fix=fill(criterion.fix, facts) if criterion.fix and status in ("not_met", "unclear") else None,
        facts={path: lookup(facts, path) for path in criterion.facts},
        evidence=list(dict.fromkeys(evidence)),
    )


def audit(record: TrialRecord, profile: Profile) -> TrialAudit:
    sheet = derive(record)
    findings = [evaluate(c, sheet) for c in profile.criteria]
    counts = {s: 0 for s in STATUSES}
    for finding in findings:
        counts[finding.status] += 1
    title = record.title or record.official_title
    return TrialAudit(
        record=RecordInfo(trial_id=record.trial_id, registry=record.registry, title=title.value if title else None,
                          path=record.source.path, format=record.source.format, index=record.source.index,
                          positions=record.positions),
        facts=sheet.facts, evidence=sheet.evidence, findings=findings, counts=counts,
    )
