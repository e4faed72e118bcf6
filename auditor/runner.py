"""Audit a handful of inputs in this process and assemble the Report (the `check` command's core)."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.audit import SEVERITIES, STATUSES, FailOn, InputProblem, ProfileInfo, Report, Totals, TrialAudit
from auditor.engine import audit
from auditor.errors import InputError, RecordError
from auditor.model import TrialRecord
from auditor.profiles import Profile
from auditor.sources import read_paths

FAIL_LEVELS: tuple[FailOn, ...] = ("error", "warning", "info", "never")


def fails(severity: str, fail_on: str) -> bool:
    """Whether a gap of this severity counts against `--fail-on`."""
    if fail_on == "never":
        return False
    return SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)


def problem(err: InputError) -> InputProblem:
    return InputProblem(origin=err.origin, message=err.message, line=err.line, column=err.column, where=err.where,
                        record_id=err.record_id if isinstance(err, RecordError) else None,
                        violations=[problem(v) for v in getattr(err, "violations", [])])


def build_report(audits: list[TrialAudit], problems: list[InputProblem], profile: Profile, fail_on: FailOn) -> Report:
    findings = {s: 0 for s in STATUSES}
    gaps = 0
    for item in audits:
        for f in item.findings:
            findings[f.status] += 1
            gaps += f.is_gap and fails(f.severity, fail_on)
    return Report(
        profile=ProfileInfo(id=profile.id, title=profile.title, version=profile.version, citation=profile.citation),
        fail_on=fail_on, audits=audits, errors=problems,
        totals=Totals(records=len(audits) + len(problems), audited=len(audits), failed=len(problems),
                      findings=findings, gaps_at_fail_level=gaps),
    )


def check(paths: Iterable[str], profile: Profile, fail_on: FailOn, reader: str | None = None) -> tuple[Report, list[InputError]]:
    audits: list[TrialAudit] = []
    errors: list[InputError] = []
    for item in read_paths(paths, reader):
        if not isinstance(item, TrialRecord):
            errors.append(item)
            continue
        try:
            audits.append(audit(item, profile))
        except Exception as exc:  # a bug on one odd record: report it on one line, as batch does
            errors.append(RecordError(item.source.path, f"audit failed: {type(exc).__name__}: {exc}",
                                      index=item.source.index, record_id=item.trial_id))
    return build_report(audits, [problem(e) for e in errors], profile, fail_on), errors
