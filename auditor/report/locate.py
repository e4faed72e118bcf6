"""Where a finding points: a line and column in a protocol file, a JSON pointer/XPath in a record.

Shared by the annotation formats (SARIF, GitHub). A finding with evidence points at its first
quote. A finding without evidence is usually about a field that is *missing*; in a protocol file
we then point at the closest section that exists (or line 1) and say so, because an annotation
without a line is easy to overlook and one on the wrong field is misleading.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from auditor.engine.profiles import Criterion
from auditor.findings import Finding, InputProblem, TrialAudit

# Which protocol-file field answers a fact (longest prefix wins). This mirrors the mapping table
# in sources/protocol.py in the other direction; a fact with no field (results.*) gets line 1.
PROTOCOL_FIELDS: dict[str, str] = {
    "study": "/design/type",
    "population": "/population/eligibility",
    "population.chronic_lbp_12w": "/population/min_pain_duration_weeks",
    "design.randomized": "/design/allocation",
    "design.arm_count": "/design/arms",
    "design.assessor_blinded": "/design/masking/outcome_assessors",
    "sample_size": "/sample_size/target",
    "sample_size.calculation_reported": "/sample_size/calculation",
    "treatment": "/design/arms",
    "follow_up": "/outcomes",
    "outcomes": "/outcomes",
    "outcomes.safety": "/safety",
    "outcomes.safety.collection_method": "/safety/collection_method",
    "outcomes.safety.time_frame_stated": "/safety/time_frame",
    "registration": "/registration/date",
}


@dataclass(frozen=True)
class Location:
    path: str
    line: int | None = None
    column: int | None = None
    pointer: str | None = None  # JSON pointer / XPath inside the record
    missing: str | None = None  # dotted protocol field that is absent (line then points at its section)
    section: str | None = None  # dotted section the line points at instead; None means line 1

    @property
    def note(self) -> str | None:
        """Says why the line is not the field's own line, when it is not."""
        if self.missing is None:
            return None
        head, _, leaf = self.missing.rpartition(".")
        if self.section:
            under = f"`{leaf}` under `{head}`" if head == self.section else f"`{self.missing}`"
            return f"`{self.missing}` is not in the file; add {under}"
        top = self.missing.partition(".")[0]
        return f"the file has no `{top}` section; add it with `{self.missing}`" if top != self.missing else \
            f"the file has no `{top}` section; add it"


def dotted(pointer: str) -> str:
    return ".".join(p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/"))


def protocol_field(fact: str) -> str | None:
    best = max((k for k in PROTOCOL_FIELDS if fact == k or fact.startswith(k + ".")), key=len, default=None)
    return PROTOCOL_FIELDS[best] if best else None


def decisive_first(finding: Finding, criterion: Criterion | None) -> list[str]:
    """The finding's facts, those its `met_when` tests first: a fact that only gates whether the
    criterion applies (SC01's "is this a back-pain trial") is a poor place to point at."""
    facts = list(finding.facts)
    if criterion is None or "met_when" not in criterion.conditions:
        return facts
    tested = orjson.dumps([criterion.conditions.get(k) for k in ("met_when", "not_met_when")]).decode()
    return sorted(facts, key=lambda f: f'"{f.rsplit(".", 1)[-1]}"' not in tested)


def locate(audit: TrialAudit, finding: Finding, criterion: Criterion | None = None) -> Location:
    path = audit.record.path
    facts = decisive_first(finding, criterion)
    evidence = [ev for fact in facts for ev in audit.evidence.get(fact, [])] or finding.evidence
    with_line = [ev for ev in evidence if ev.line is not None]
    if with_line:
        ev = with_line[0]
        return Location(path, ev.line, ev.column, ev.at)
    if evidence:
        return Location(path, pointer=evidence[0].at)
    if audit.record.format != "protocol":
        return Location(path)
    field = next((f for fact in facts if (f := protocol_field(fact))), None)
    if field is None:
        return Location(path, 1)
    positions = audit.record.positions
    if field in positions:  # present but without what the criterion needs (e.g. no HRQoL outcome)
        return Location(path, *positions[field], field)
    parent = field.rpartition("/")[0]
    while parent:
        if parent in positions:
            return Location(path, *positions[parent], parent, missing=dotted(field), section=dotted(parent))
        parent = parent.rpartition("/")[0]
    return Location(path, 1, 1, None, missing=dotted(field))


def add_hint(finding: Finding, where: Location) -> str | None:
    """The fix hint, naming the protocol field to add when the field is missing."""
    fix = finding.fix
    if where.missing and fix:
        return f"{fix} (protocol file: add `{where.missing}`)"
    if where.missing:
        return f"Add `{where.missing}` to the protocol file."
    return fix


def problem_location(problem: InputProblem) -> Location:
    """Where an input problem is; the column comes from the file when the pointer is in it."""
    return Location(problem.origin, problem.line, problem.column, problem.where)


def violations(report_errors: list[InputProblem]) -> list[InputProblem]:
    """One problem per schema violation of an invalid protocol file, the others as they are:
    annotation formats want each violation on its own line of the file."""
    return [v for p in report_errors for v in (p.violations or [p])]
