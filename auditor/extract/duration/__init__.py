"""Treatment duration (weeks) of the longest active treatment period.

Sources, in order of trust:
1. protocol files: arms[].duration_weeks (structured, stated by the trialist);
2. arm and intervention descriptions: a stated period ("twice a week for 6 weeks", "a 12-week
   program", "12 weeks' duration", "remains accessible for 180 days", "(weeks 9-12)"), then a span
   ("from Day 1 up to Week 6"; a course of cycles: "every 21 days for 6 courses"), then session
   arithmetic ("8 weekly sessions", "12 sessions, twice a week", "two treatments spaced 4 weeks
   apart"); two stated phases are summed when a time frame dates the end of treatment at their
   sum ("a 16-week escalation period" + "a maintenance period for 52 weeks", "end of treatment
   (week 68)");
3. a time frame that dates the end of treatment ("Post-treatment (8 weeks from baseline)",
   "Week 8 (End of Treatment)", "up to 14 weeks after the last dose (up to 128 weeks)": 114);
4. the brief summary / detailed description, only where the sentence is about the treatment
   (so "patients will be followed for 12 months" is not a treatment duration); then a visit the
   description dates as the end of treatment in brackets ("at 8 weeks (end of treatment)"), then an
   assessment "after 12 weeks of treatment" there;
5. 0 weeks when every active arm is a one-off procedure / injection / single session ("single
   intradiscal injection", "lumbar microdiscectomy", "used in the clinical encounter"), or the
   summary states a single dose;
6. an outcome's measure or description that names the course ("at the end of the 12 week
   intervention");
7. a device used every night with no stated period ("worn during sleep"): the latest assessment
   from baseline (it is used until then); then a course the title names ("Effect of a 12-Week
   Exercise Program on ...");
8. when the arms name nothing one-off, repeated or course-like, a one-off procedure the official
   title names ("... Anterior Cervical Spine Surgery") -> 0; else a medicine the summary gives once
   around an operation ("premedicated with midazolam 30 minutes before surgery") -> 0; else, when every outcome is measured
   within hours ("15 minutes", "Immediately after application") and no arm repeats the
   treatment, a single session -> 0;
9. last, the official title's study length ("A Randomized, Multicenter, 16-week Study") when no
   arm states a period and nothing names a one-off procedure.
A treatment used "for the duration of the study" lasts the stated study length ("a 24-week study").
The longest period across arms wins. Nothing stated -> None: a surgery arm (0) against a
course of unstated length is None, not 0.

The vocabularies and phrase patterns are data: rules/treatment_periods.yaml and rules/one_off.yaml
(see docs/rules/treatment_periods.md); this package holds only how they are applied:

- `patterns`: the rule files compiled (with the unit spellings of units.yaml);
- `reading`: each text lowered once per record, sentences and clauses, Candidate and Duration;
- `courses`: stated periods and spans, with the context checks that tell a course from follow-up;
- `sessions`: lengths computed from a session count and its frequency;
- `cycles`: courses counted in cycles (count x cycle length), and cycles repeated with no count;
- `time_frames`: outcome time frames that date the end of treatment;
- `one_off`: the one-off rule (0 weeks), from the arms, the summary or the title;
- `nightly`: a device used every night, for as long as it is assessed;
- `study`: the study length, for a treatment used throughout the study or stated in the title;
- here: derive() and the order of sources.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.extract.duration.courses import (
    _COURSE_PATTERNS,
    _candidates,
    _narrative_candidates,
    _narrative_span_candidates,
    _outcome_candidates,
    _span_candidates,
)
from auditor.extract.duration.nightly import _used_nightly
from auditor.extract.duration.one_off import (
    _one_off_facts,
    _one_off_time_frames,
    _one_off_title,
    _one_off_trial,
    _perioperative,
)
from auditor.extract.duration.patterns import (
    _CONTROL,
    _CONTROL_LABEL,
    _OUTCOME_HINT,
    _SESSION_HINT,
    _SESSIONS,
    _UNIT_HINT,
)
from auditor.extract.duration.reading import Candidate, Duration, _clauses_with, _distinct, _longest, _lowered
from auditor.extract.duration.sessions import _session_candidates
from auditor.extract.duration.study import _titled_course, _titled_study, _whole_study
from auditor.extract.duration.time_frames import (
    _after_course,
    _from_narrative_schedule,
    _from_time_frames,
    _phases_in_sequence,
    _tf_periods,
)
from auditor.extract.text import belongs
from auditor.facts import Evidence, FactSheet
from auditor.model import Text, TrialRecord

# Reached through the package: the text caches (per-record caches, auditor.extract.record_cache),
# and the patterns and clause finder the clause-scan test checks.
__all__ = ["READS", "WRITES", "_COURSE_PATTERNS", "_SESSIONS", "_SESSION_HINT", "_UNIT_HINT", "Candidate", "Duration",
           "_candidates", "_clauses_with", "_lowered", "_one_off_facts", "_session_candidates", "_span_candidates",
           "_tf_periods", "derive", "extract"]


def derive(record: TrialRecord) -> Duration | None:
    """The longest active treatment period; see the module docstring for the order of sources."""
    stated = [a.duration_weeks for a in record.arms if a.duration_weeks is not None]
    if stated:
        best = max(stated, key=lambda n: n.value)
        return Duration(best.value, Evidence.of(best, note=f"protocol arm duration = {best.value:g} weeks"))
    arms = _arm_groups(record)
    narrative = [t for t in (record.summary, record.description, record.design.description) if t is not None]
    study = _whole_study(narrative + [t for _, texts in arms for t in texts], narrative)
    found = _stated(record, arms, narrative)
    if study is not None and (found is None or study.weeks > found.weeks):
        return study
    if found is not None:
        return found
    labels = [a.label for a in record.arms if a.type is None or a.type.value.upper() != "NO_INTERVENTION"]
    one_off = _one_off_trial(arms, labels if record.arms else [None] * len(arms), narrative)
    if one_off is not None:
        return one_off
    return (_named_in_outcomes(record) or _used_nightly(record, arms) or _titled_course(record, arms) or _one_off_title(record, arms)
            or _perioperative(arms, narrative) or _one_off_time_frames(record, arms) or _titled_study(record, arms))


def _stated(record: TrialRecord, arms: list[tuple[bool, list[Text]]], narrative: list[Text]) -> Duration | None:
    # A stated period ("for 12 weeks") beats one computed from a session count and frequency.
    arm_texts = [t for _, texts in arms for t in texts]
    finders: tuple[Callable[[str], tuple[Candidate, ...]], ...] = (_candidates, _span_candidates, _session_candidates)
    for source in finders:
        if found := _longest(arm_texts, source):
            # Two stated phases ("a dose escalation period of 16 weeks", "the maintenance period
            # for 52 weeks") that a time frame's end of treatment adds up ("end of treatment (week
            # 68)"): they run in sequence, so the course is their sum.
            return _phases_in_sequence(record, arm_texts, found) or found
    dated = _from_time_frames(record)
    if dated is not None:
        return dated
    for source in (_narrative_candidates, _narrative_span_candidates, _session_candidates):
        if found := _longest(narrative, source):
            return found
    return _from_narrative_schedule(narrative) or _after_course(narrative)


def _named_in_outcomes(record: TrialRecord) -> Duration | None:
    """An outcome's measure or description that names the course ("at the end of the 12 week
    intervention"): read only when nothing else states a period and the arms are not one-off."""
    texts = _distinct([t for o in record.outcomes for t in (o.measure, o.description) if t is not None])
    # One search of all the texts first (a full stop between them: no match spans two texts).
    if not texts or not _OUTCOME_HINT.search(_lowered("\n.\n".join(t.value for t in texts))):
        return None
    return _longest(texts, _outcome_candidates)


def _arm_groups(record: TrialRecord) -> list[tuple[bool, list[Text]]]:
    """(is a control arm, texts) per arm with its interventions; interventions alone when no arms."""
    groups: list[tuple[bool, list[Text]]] = []
    for arm in record.arms:
        if arm.type is not None and arm.type.value.upper() == "NO_INTERVENTION":
            continue
        control = bool((arm.type is not None and _CONTROL.search(arm.type.value))
                       or (arm.label is not None and _CONTROL_LABEL.search(arm.label.value)))
        texts = [t for t in (arm.description,) if t is not None] + list(arm.components)
        for iv in record.interventions:
            if belongs(iv, arm):
                texts += [t for t in (iv.description, iv.name) if t is not None]
        groups.append((control, texts))
    if not record.arms:
        for iv in record.interventions:
            groups.append((False, [t for t in (iv.description, iv.name) if t is not None]))
    return groups


WRITES = ("treatment.duration_weeks",)
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    dur = derive(record)
    sheet.set("treatment.duration_weeks", dur.weeks if dur else None, dur.evidence if dur else None)
