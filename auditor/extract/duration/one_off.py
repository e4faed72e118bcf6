"""The one-off rule: 0 weeks when every active arm is a one-off procedure / injection / single
session, or the summary states a single dose; else a one-off procedure the official title names.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.extract.duration.patterns import (
    _ASSESSMENT,
    _CONTEXT_BEFORE,
    _COURSE_HISTORY,
    _COURSE_KIND,
    _COURSE_TIME_FRAME,
    _DAY_RANGE_DOSING,
    _NARRATIVE_SINGLE,
    _ONE_OFF,
    _ONE_VISIT,
    _PERIOPERATIVE,
    _PHARMACEUTICAL_FORM,
    _PROCEDURE_HISTORY,
    _PRODUCT_STRENGTH,
    _PRODUCT_TITLE,
    _REPEATED,
    _SESSION_TIME_FRAME,
    _SINGLE,
    _UNIT_HINT,
)
from auditor.extract.duration.reading import Duration, _lowered, _sentence
from auditor.extract.record_cache import per_record
from auditor.extract.text import evidence
from auditor.model import Text, TrialRecord


def _repeated(value: str) -> bool:
    """A cue that the treatment is repeated, outside sentences about assessment ("a daily pain
    diary", "contacted every week" say nothing about how often the treatment is given)."""
    return any(not _ASSESSMENT.search(_sentence(value, m.start(), m.end())) for m in _REPEATED.finditer(value))


@per_record(maxsize=4096)
def _one_off_facts(value: str, title: bool = False) -> tuple[bool, tuple[int, int] | None, bool, tuple[int, int] | None]:
    """What one text says for the one-off rule: (repeated, span stating a single session/dose,
    names a course-like kind, span naming a one-off procedure). Cached: the interventions' texts
    repeat across the arms that share them. In a `title` that names a product (product_title_cues:
    "Special Investigation of BESPONSA(R) INJECTION 1 MG"), a procedure word with its strength is
    part of the product's name, no one-off."""
    single: tuple[int, int] | None = None
    if m := _SINGLE.search(value):
        single = m.span()
    else:
        for pattern in (*_ONE_VISIT, _PERIOPERATIVE):
            if m := pattern.search(value):
                single = m.span()
                break
    procedure = next((m.span() for m in _ONE_OFF.finditer(value)
                      if not _context_or_history(value, m.start())
                      and not (title and _product_name(value, m.end()) and _PRODUCT_TITLE.search(value))), None)
    return _repeated(value), single, _names_course(value), procedure


def _context_or_history(value: str, start: int) -> bool:
    """The procedure named at `start` is context ("2 weeks following surgery"), the patient's
    history ("patients who had previous spinal surgery") or a medicine's pharmaceutical form
    ("Solution for injection"), not the arm's treatment."""
    return bool(_CONTEXT_BEFORE.search(value[max(0, start - 20):start])
                or _PROCEDURE_HISTORY.search(value, max(0, start - 60), start)
                or _PHARMACEUTICAL_FORM.search(value[max(0, start - 60):start]))


def _product_name(value: str, end: int) -> bool:
    """The procedure word ending at `end` is followed by a strength (product_strength_after)."""
    return bool(_PRODUCT_STRENGTH.match(value[end:end + 16]))


def _names_course(value: str) -> bool:
    """A course-like kind of treatment is named, other than as the patient's history ("resistant to
    conservative treatment" restates the eligibility of a surgery arm)."""
    return any(not _COURSE_HISTORY.search(value, max(0, m.start() - 80), m.start())
               for m in _COURSE_KIND.finditer(value))


def _one_off(texts: list[Text]) -> Duration | None:
    facts = [_one_off_facts(t.value) for t in texts]
    if any(f[0] for f in facts):
        return None
    # Stated as one-off ("a single injection", "4 hours of exposure", "in the clinical encounter"):
    # that holds even for a course-like kind of treatment (a single CBT session).
    for text, f in zip(texts, facts):
        if f[1] is not None:
            return Duration(0.0, evidence(text, *f[1], "one-off treatment = 0 weeks"))
    if any(f[2] for f in facts):
        return None
    for text, f in zip(texts, facts):
        if f[3] is not None:
            return Duration(0.0, evidence(text, *f[3], "one-off procedure/injection = 0 weeks"))
    return None


def _repeats_or_course(texts: Iterable[Text]) -> bool:
    """Some text repeats the treatment or names a course-like kind of it (then nothing one-off is
    read from a label, the title or the summary)."""
    return any(f[0] or f[2] for f in map(_one_off_facts, (t.value for t in texts)))


def _one_off_label(texts: list[Text]) -> bool:
    """The arm's own texts neither repeat the treatment nor name a course-like kind of it."""
    return not _repeats_or_course(texts)


def _one_off_trial(arms: list[tuple[bool, list[Text]]], labels: list[Text | None],
                   narrative: list[Text]) -> Duration | None:
    """0 weeks when every active arm is a one-off procedure / injection / single session."""
    one_off: list[Duration] = []
    for (control, texts), label in zip(arms, labels):
        # The label may be all that names the procedure ("hUC-MSCs transplantation group"); it is
        # read only here: "Pain for 6 months or less" in a label is not a course.
        found = _one_off(texts) or (_one_off([label]) if label is not None and _one_off_label(texts) else None)
        if found is not None:
            one_off.append(found)
        elif not control:
            one_off = []
            break
    if one_off:
        return one_off[0]
    for text in narrative:
        if m := _NARRATIVE_SINGLE.search(text.value):
            return Duration(0.0, evidence(text, m.start(), m.end(), "single administration = 0 weeks"))
    return None


def _perioperative(arms: list[tuple[bool, list[Text]]], narrative: list[Text]) -> Duration | None:
    """A medicine the summary / description gives once around an operation ("premedicated with
    midazolam 30 minutes before surgery"): when the arms name nothing one-off, repeated or
    course-like, in a sentence that doses (day_range_and_dosing: "positioning of a patient
    intraoperatively" gives nothing) and repeats nothing."""
    if _repeats_or_course(t for _, texts in arms for t in texts):
        return None
    for text in narrative:
        for m in _PERIOPERATIVE.finditer(text.value):
            sentence = _sentence(text.value, m.start(), m.end())
            if _DAY_RANGE_DOSING.search(sentence) and not _repeated(sentence):
                return Duration(0.0, evidence(text, m.start(), m.end(), "single peri-operative administration = 0 weeks"))
    return None


def _one_off_title(record: TrialRecord, arms: list[tuple[bool, list[Text]]]) -> Duration | None:
    """"... Outcomes After Anterior Cervical Spine Surgery", "Dexamethasone in MIS-TLIF": when the
    arms name nothing one-off themselves (a device's name, "Collection Data") nor anything
    repeated or course-like, the one-off procedure the title names is the treatment."""
    title = record.official_title or record.title
    if title is None:
        return None
    if _repeats_or_course(t for _, texts in arms for t in texts):
        return None
    repeated, single, course, procedure = _one_off_facts(title.value, title=True)
    span = None if repeated or (course and single is None) else single or procedure
    if span is None:
        return None
    return Duration(0.0, evidence(title, *span, "the title names a one-off treatment = 0 weeks"))


def _one_off_time_frames(record: TrialRecord, arms: list[tuple[bool, list[Text]]]) -> Duration | None:
    """0 weeks when every outcome is measured within hours of the treatment ("15 minutes", "one
    hour", "Immediately after application") and no arm repeats the treatment: one session. A time frame naming a day or longer ("postoperative day 1", "1-week follow-up"),
    the end of a course ("immediately post-treatment") or one of several sessions ("after each
    session") rules it out, and so does an outcome without a time frame."""
    # Every outcome must say when it is measured: one without a time frame may be the 12-month one.
    if not record.outcomes or any(o.time_frame is None for o in record.outcomes):
        return None
    frames = list(dict.fromkeys(o.time_frame.value for o in record.outcomes if o.time_frame is not None))
    if any(_UNIT_HINT.search(_lowered(tf)) or _COURSE_TIME_FRAME.search(tf) for tf in frames):
        return None
    # An arm that repeats its treatment is no single session. (A course word alone does not rule it
    # out: "40 minutes of physical therapy" measured "immediately after application" is one session.)
    if any(_one_off_facts(t.value)[0] for _, texts in arms for t in texts):
        return None
    for o in record.outcomes:
        if o.time_frame is not None and (m := _SESSION_TIME_FRAME.search(o.time_frame.value)):
            note = "every outcome is measured within hours of the treatment: a single session = 0 weeks"
            return Duration(0.0, evidence(o.time_frame, m.start(), m.end(), note))
    return None
