"""Study length as the treatment's: a treatment used "for the duration of the study" with a
stated study length, and, last, the official title's study length ("a 16-week Study").
"""

from __future__ import annotations

import msgspec

from auditor.extract.duration.courses import _candidates
from auditor.extract.duration.one_off import _one_off_facts
from auditor.extract.duration.patterns import (
    _NOT_WHOLE_STUDY,
    _SESSION_UNITS,
    _STUDY_LENGTH,
    _TITLE_STUDY_LENGTH,
    _TREATMENT_CONTEXT,
    _WHOLE_STUDY,
)
from auditor.extract.duration.reading import Duration, _distinct, _longest, _lowered, _sentence
from auditor.extract.text import evidence, number, unit_of, weeks
from auditor.model import Text, TrialRecord


def _whole_study(texts: list[Text], narrative: list[Text]) -> Duration | None:
    """"use the app for the duration of the study" + "a 24-week study": the study length.

    Only in a sentence about using the treatment (not "keep medication stable throughout the
    study"), and only when the record states the study's length."""
    said: tuple[Text, int, int] | None = None
    # Arms share their interventions' texts: each distinct text is read once.
    for text in _distinct(texts):
        for m in _WHOLE_STUDY.finditer(_lowered(text.value)):
            sentence = _sentence(text.value, m.start(), m.end())
            if _TREATMENT_CONTEXT.search(sentence) and not _NOT_WHOLE_STUDY.search(sentence):
                said = (text, m.start(), m.end())
                break
        if said:
            break
    if said is None:
        return None
    for text in narrative:
        low = _lowered(text.value)
        for m in _STUDY_LENGTH.finditer(low):
            unit = unit_of(m.group("u"))
            if unit in _SESSION_UNITS:
                continue
            w = weeks(number(m.group("n2") or m.group("n")), unit)
            quote = text.value[m.start():m.end()].strip()
            used = said[0].value[said[1]:said[2]]
            return Duration(w, evidence(text, m.start(), m.end(),
                                        f"treatment used '{used}'; '{quote}' = {w:g} weeks"))
    return None


def _titled_course(record: TrialRecord, arms: list[tuple[bool, list[Text]]]) -> Duration | None:
    """"Effect of a 12-Week Exercise Program on ...", "Six Weeks of Spinal Manipulation for ...": a
    course the title names, read as an arm's text is, when nothing else states a period (after the
    one-off rule: a title naming a course beside a one-off arm does not override it)."""
    kind = record.design.study_type
    if not arms or (kind is not None and kind.value.upper() != "INTERVENTIONAL"):
        return None
    for title in (record.official_title, record.title):
        if title is not None and (found := _longest([title], _candidates)):
            return Duration(found.weeks, msgspec.structs.replace(
                found.evidence, note=f"the title names the course: {found.evidence.note}"))
    return None


def _titled_study(record: TrialRecord, arms: list[tuple[bool, list[Text]]]) -> Duration | None:
    """"A Randomized, Multicenter, 16-week Study of ...": the last resort, when the arms state no
    period. The treatment runs for the study only when neither an arm nor the title names a one-off
    procedure (a "24-week study" of an injection is follow-up after it) and the study is
    interventional."""
    title = record.official_title or record.title
    kind = record.design.study_type
    if title is None or not arms or (kind is not None and kind.value.upper() != "INTERVENTIONAL"):
        return None
    texts = [title.value, *(t.value for _, group in arms for t in group)]  # the title may name it
    if any(f[1] is not None or f[3] is not None for f in map(_one_off_facts, texts)):
        return None
    for m in _TITLE_STUDY_LENGTH.finditer(_lowered(title.value)):
        unit = unit_of(m.group("u"))
        n = number(m.group("n2") or m.group("n"))
        if unit in _SESSION_UNITS or (unit == "year" and n > 3):
            continue  # "a 10-year cohort study" is no treatment course
        w = weeks(n, unit)
        quote = title.value[m.start():m.end()]
        return Duration(w, evidence(title, m.start(), m.end(), f"the title states the study length '{quote}' = {w:g} weeks"))
    return None
