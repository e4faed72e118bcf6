"""The verdicts (schemas/report.schema.json): a Report holds one TrialAudit per record, each with
one Finding per criterion.

This is the third contract beside `model.py` (TrialRecord) and `facts.py` (Facts): the engine's
output, which every renderer in `report/` reads. Plain msgspec Structs so that every output format
renders the same tree and `to_builtins` (below: `as_data`) serialises it without custom code.

`schemas/report.schema.json` is the contract of the serialised tree; tests/test_findings.py holds
the Structs' fields to it and checks reports against it.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import field

from auditor import __version__
from auditor.facts import Evidence
from auditor.vocabulary import GAPS, FailOn, Severity, Status


class _Model(msgspec.Struct):
    """Constructed by keyword (`kw_only=True` on each class); an unknown keyword raises TypeError."""


class Finding(_Model, kw_only=True):
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


class RecordInfo(_Model, kw_only=True):
    trial_id: str | None
    acronym: str | None = None
    registry: str
    title: str | None
    path: str
    format: str
    index: int
    # Kept for the annotation formats (a missing field points at its section's line); not part
    # of the serialised report (`as_data` leaves it out), which has each fact's location in its evidence.
    positions: dict[str, tuple[int, int]] = {}


class TrialAudit(_Model, kw_only=True, weakref=True):
    # weakref: tests/test_hostile_memory.py watches that `check` keeps no audit once it is written.
    record: RecordInfo
    facts: dict[str, Any]
    evidence: dict[str, list[Evidence]]
    findings: list[Finding]
    counts: dict[Status, int]


class ProfileInfo(_Model, kw_only=True):
    id: str
    title: str
    version: str | None = None
    citation: str | None = None


class InputProblem(_Model, kw_only=True):
    """A file or record that could not be read; it is counted, never dropped."""

    origin: str
    message: str
    line: int | None = None
    column: int | None = None
    where: str | None = None
    record_id: str | None = None
    violations: list[InputProblem] = []  # each schema violation of an invalid protocol file


class Totals(_Model, kw_only=True):
    records: int
    audited: int
    failed: int
    findings: dict[Status, int]
    gaps_at_fail_level: int


class Report(_Model, kw_only=True):
    tool: dict[str, str] = field(default_factory=lambda: {"name": "trial-audit", "version": __version__})
    profile: ProfileInfo
    fail_on: FailOn
    audits: list[TrialAudit]
    errors: list[InputProblem] = []
    totals: Totals


def as_data(item: Report | TrialAudit) -> dict[str, Any]:
    """A Report or TrialAudit as JSON-ready data, as schemas/report.schema.json describes it: every
    field in declaration order (None kept), without the records' `positions`."""
    data: dict[str, Any] = msgspec.to_builtins(item)
    for audit in data["audits"] if isinstance(item, Report) else [data]:
        del audit["record"]["positions"]
    return data


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of a serialised Report, with the Facts contract embedded for `facts`: the
    committed `schemas/report.schema.json` (tests/test_findings.py holds the Structs to it)."""
    from auditor.resources import load_schema

    return load_schema("report")
