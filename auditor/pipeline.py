"""read -> derive -> judge -> report: the one pipeline, used by `check` and by the batch worker.

`verdict` takes one record through derive and judge; `audit` turns that into the report tree's
TrialAudit (for `check`), the batch worker turns the same Verdict into table rows. `audits` yields
the TrialAudits of some inputs one by one (`trial-audit check` writes each as it comes, counting
totals in a `Tally`); `check` collects them into one Report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from auditor.corrections import Applied, Corrections, applied_facts, fact_values, set_statuses
from auditor.engine import Judgement, judge
from auditor.engine.evaluate import Assessment
from auditor.engine.profiles import Criterion, Profile
from auditor.errors import InputError, RecordError
from auditor.extract import derive
from auditor.facts import FactSheet
from auditor.findings import Finding, InputProblem, ProfileInfo, RecordInfo, Report, Totals, TrialAudit
from auditor.identity import record_ids
from auditor.model import TrialRecord
from auditor.sources import read_paths
from auditor.vocabulary import STATUSES, FailOn, fails


class Verdict(NamedTuple):
    """One record's derived facts and the profile's judgement of them; with a reviewer's
    corrections, what they changed and each criterion's status before them."""

    record: TrialRecord
    sheet: FactSheet
    judgement: Judgement
    applied: tuple[Applied, ...] = ()
    original_statuses: tuple[str, ...] | None = None  # None: nothing was corrected


def verdict(record: TrialRecord, profile: Profile, corrections: Corrections | None = None) -> Verdict:
    """Derive and judge one record. A reviewer's fact `corrections` take effect inside derive(), where
    each fact is written, so the facts computed from a corrected one follow it; status corrections
    replace verdicts after judging. The record is derived once more without them for the audit trail
    (what extraction said, each criterion's status before the corrections)."""
    sheet = derive(record)
    judgement = judge(sheet, profile)
    items = corrections.for_ids(record_ids(record.trial_id, record.secondary_ids)) if corrections else []
    if not items:
        return Verdict(record, sheet, judgement)
    assert corrections is not None
    original = tuple(a.status for a in judgement.assessments)
    applied = applied_facts(sheet, items)
    if applied:
        sheet = derive(record, fact_values(items, corrections.origin))
        judgement = judge(sheet, profile)
    judgement, statuses = set_statuses(judgement, tuple(c.code for c in profile.criteria), items, corrections.origin)
    return Verdict(record, sheet, judgement, tuple(applied + statuses), original)


def finding(criterion: Criterion, a: Assessment) -> Finding:
    return Finding(code=criterion.code, name=criterion.name, group=criterion.group, severity=criterion.severity,
                   status=a.status, message=a.message, fix=a.fix,
                   facts=dict(zip(criterion.facts, a.values, strict=True)), evidence=a.evidence)


def audit(record: TrialRecord, profile: Profile, corrections: Corrections | None = None) -> TrialAudit:
    """One record's TrialAudit: its facts with evidence and one finding per criterion."""
    v = verdict(record, profile, corrections)
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


class Tally:
    """The report's totals, counted as audits go by (`check` keeps no audit once it is written)."""

    def __init__(self, fail_on: FailOn):
        self.fail_on = fail_on
        self.findings = dict.fromkeys(STATUSES, 0)
        self.gaps = 0
        self.audited = 0

    def add(self, item: TrialAudit) -> None:
        self.audited += 1
        for f in item.findings:
            self.findings[f.status] += 1
            self.gaps += f.is_gap and fails(f.severity, self.fail_on)

    def report(self, audits: list[TrialAudit], problems: list[InputProblem], profile: Profile) -> Report:
        """The Report with these totals; `audits`: those kept (none when they were streamed)."""
        return Report(
            profile=ProfileInfo(id=profile.id, title=profile.title, version=profile.version, citation=profile.citation),
            fail_on=self.fail_on, audits=audits, errors=problems,
            totals=Totals(records=self.audited + len(problems), audited=self.audited, failed=len(problems),
                          findings=dict(self.findings), gaps_at_fail_level=self.gaps),
        )


def build_report(audits: list[TrialAudit], problems: list[InputProblem], profile: Profile, fail_on: FailOn) -> Report:
    tally = Tally(fail_on)
    for item in audits:
        tally.add(item)
    return tally.report(audits, problems, profile)


def audits(paths: Iterable[str], profile: Profile, reader: str | None = None, corrections: Corrections | None = None,
           *, seen: set[str] | None = None, as_registered: bool = False) -> Iterator[TrialAudit | InputError]:
    """Each record of `paths` audited (or the error that stopped it), one at a time, as `check` below."""
    caller_checks, seen = seen is not None, seen if seen is not None else set()
    if as_registered:
        from auditor.sources import ctgov_v2  # only then: a protocol file's check does not import the v2 reader
    for read in read_paths(paths, reader):
        item = ctgov_v2.as_registered(read) if as_registered and isinstance(read, TrialRecord) else read
        if not isinstance(item, TrialRecord):
            yield item
            continue
        seen.update(record_ids(item.trial_id, item.secondary_ids))
        try:
            # without corrections, the two-argument call every caller (and test double) knows
            yield audit(item, profile) if corrections is None else audit(item, profile, corrections)
        except Exception as exc:  # noqa: BLE001 - a bug on one odd record: report it on one line, as batch does
            yield RecordError(item.source.path, f"audit failed: {type(exc).__name__}: {exc}",
                              index=item.source.index, record_id=item.trial_id)
    if corrections is not None and not caller_checks:  # a correction for a trial not in the inputs is a mistake
        yield from corrections.unmatched(seen)


def check(paths: Iterable[str], profile: Profile, fail_on: FailOn, reader: str | None = None,
          corrections: Corrections | None = None, *, seen: set[str] | None = None,
          as_registered: bool = False) -> tuple[Report, list[InputError]]:
    """Audit the records of `paths`; with `as_registered`, each as it stood when enrolment started (the
    version `fetch --history` kept; a record without one is an error naming it). A correction naming a
    trial that no record has is an error, unless the caller passes `seen` (the ids of its records are
    added to it): then the caller, auditing several groups of paths, checks that once over all of them."""
    kept: list[TrialAudit] = []
    errors: list[InputError] = []
    for item in audits(paths, profile, reader, corrections, seen=seen, as_registered=as_registered):
        if isinstance(item, TrialAudit):
            kept.append(item)
        else:
            errors.append(item)
    return build_report(kept, [problem(e) for e in errors], profile, fail_on), errors
