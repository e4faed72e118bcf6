"""The verdicts (schemas/report.schema.json): a Report holds one TrialAudit per record, each with
one Finding per criterion.

This is the third contract beside `model.py` (TrialRecord) and `facts.py` (Facts): the engine's
output, which every renderer in `report/` reads. Plain pydantic models so that every output format
renders the same tree and `model_dump` serialises it without custom code.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from auditor import __version__
from auditor.facts import Evidence
from auditor.vocabulary import GAPS, FailOn, Severity, Status


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Finding(_Model):
    code: str
    name: str
    group: str
    severity: Severity
    status: Status
    message: str
    fix: str | None = None
    facts: dict[str, Any] = {}
    evidence: list[Evidence] = []

    @property
    def is_gap(self) -> bool:
        return self.status in GAPS


class RecordInfo(_Model):
    trial_id: str | None
    acronym: str | None = None
    registry: str
    title: str | None
    path: str
    format: str
    index: int
    # Kept for the annotation formats (a missing field points at its section's line); not part
    # of the serialised report, which has each fact's location in its evidence.
    positions: dict[str, tuple[int, int]] = Field(default={}, exclude=True)


class TrialAudit(_Model):
    record: RecordInfo
    facts: dict[str, Any]
    evidence: dict[str, list[Evidence]]
    findings: list[Finding]
    counts: dict[Status, int]


class ProfileInfo(_Model):
    id: str
    title: str
    version: str | None = None
    citation: str | None = None


class InputProblem(_Model):
    """A file or record that could not be read; it is counted, never dropped."""

    origin: str
    message: str
    line: int | None = None
    column: int | None = None
    where: str | None = None
    record_id: str | None = None
    violations: list[InputProblem] = []  # each schema violation of an invalid protocol file


class Totals(_Model):
    records: int
    audited: int
    failed: int
    findings: dict[Status, int]
    gaps_at_fail_level: int


class Report(_Model):
    tool: dict[str, str] = {"name": "trial-audit", "version": __version__}
    profile: ProfileInfo
    fail_on: FailOn
    audits: list[TrialAudit]
    errors: list[InputProblem] = []
    totals: Totals


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of a serialised Report, with the Facts contract embedded for `facts`.

    `schemas/report.schema.json` is this function's output; a test keeps the two equal.
    """
    from auditor.resources import load_schema

    schema = Report.model_json_schema(mode="serialization")
    facts = {k: v for k, v in load_schema("facts").items() if k not in ("$schema", "$id")}
    facts_defs = facts.pop("$defs", {})
    schema["$defs"].update({f"Facts_{k}": v for k, v in facts_defs.items()})
    schema["$defs"]["Facts"] = _rename_refs(facts, "#/$defs/", "#/$defs/Facts_")
    schema["$defs"]["TrialAudit"]["properties"]["facts"] = {"$ref": "#/$defs/Facts"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://trial-audit.dev/schemas/report.schema.json",
            "title": "trial-audit report", **schema}


def _rename_refs(node: Any, old: str, new: str) -> Any:
    if isinstance(node, dict):
        return {k: (v.replace(old, new, 1) if k == "$ref" and isinstance(v, str) else _rename_refs(v, old, new))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_rename_refs(v, old, new) for v in node]
    return node
