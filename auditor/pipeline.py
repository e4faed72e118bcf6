"""read -> derive -> judge -> report: the one pipeline, used by `check` and by the batch worker.

`verdict` takes one record through derive and judge; `audit` turns that into the report tree's
TrialAudit (for `check`), the batch worker turns the same Verdict into table rows. `check` reads
a handful of inputs in this process and assembles the Report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from auditor.engine import Judgement, judge
from auditor.engine.evaluate import Assessment
from auditor.engine.profiles import Criterion, Profile
from auditor.errors import InputError, RecordError
from auditor.extract import derive
from auditor.facts import FactSheet
from auditor.findings import Finding, InputProblem, ProfileInfo, RecordInfo, Report, Totals, TrialAudit
from auditor.model import TrialRecord
from auditor.sources import read_paths
from auditor.vocabulary import STATUSES, FailOn, fails


class Verdict(NamedTuple):
    """One record's derived facts and the profile's judgement of them."""

    record: TrialRecord
    sheet: FactSheet
    judgement: Judgement


def verdict(record: TrialRecord, profile: Profile) -> Verdict:
    sheet = derive(record)
    return Verdict(record, sheet, judge(sheet, profile))


def finding(criterion: Criterion, a: Assessment) -> Finding:
    return Finding(code=criterion.code, name=criterion.name, group=criterion.group, severity=criterion.severity,
                   status=a.status, message=a.message, fix=a.fix,
                   facts=dict(zip(criterion.facts, a.values, strict=True)), evidence=a.evidence)


def audit(record: TrialRecord, profile: Profile) -> TrialAudit:
    """One record's TrialAudit: its facts with evidence and one finding per criterion."""
    v = verdict(record, profile)
    title = record.title or record.official_title
    findings = [finding(c, a) for c, a in zip(profile.criteria, v.judgement.assessments, strict=True)]
    return TrialAudit(
        record=RecordInfo(trial_id=record.trial_id, acronym=record.acronym, registry=record.registry, title=title.value if title else None,
                          path=record.source.path, format=record.source.format, index=record.source.index,
                          positions=record.positions),
        facts=v.sheet.facts, evidence=v.sheet.evidence, findings=findings, counts=v.judgement.counts,
    )


def problem(err: InputError) -> InputProblem:
    return InputProblem(origin=err.origin, message=err.message, line=err.line, column=err.column, where=err.where,
                        record_id=err.record_id if isinstance(err, RecordError) else None,
                        violations=[problem(v) for v in getattr(err, "violations", [])])


def build_report(audits: list[TrialAudit], problems: list[InputProblem], profile: Profile, fail_on: FailOn) -> Report:
    findings = dict.fromkeys(STATUSES, 0)
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


def check(paths: Iterable[str], profile: Profile, fail_on: FailOn,
          reader: str | None = None) -> tuple[Report, list[InputError]]:
    audits: list[TrialAudit] = []
    errors: list[InputError] = []
    for item in read_paths(paths, reader):
        if not isinstance(item, TrialRecord):
            errors.append(item)
            continue
        try:
            audits.append(audit(item, profile))
        except Exception as exc:  # noqa: BLE001 - a bug on one odd record: report it on one line, as batch does
            errors.append(RecordError(item.source.path, f"audit failed: {type(exc).__name__}: {exc}",
                                      index=item.source.index, record_id=item.trial_id))
    return build_report(audits, [problem(e) for e in errors], profile, fail_on), errors
