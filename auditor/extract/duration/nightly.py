"""A device used every night with no stated period: its length is the assessment period.

"Intervention with the NightWare Therapeutic System every night" / "worn during sleep" beside time
frames "0-730 days": the device is used until the last assessment, so the latest time point from
baseline is the treatment length (0 weeks after it). The phrases are data (rules/treatment_periods.yaml
`nightly_use`); read last, when nothing else states a period.
"""

from __future__ import annotations

import re

from auditor.extract import timeframes
from auditor.extract.duration.patterns import _P
from auditor.extract.duration.reading import Duration, _distinct
from auditor.extract.text import compile_fast, evidence
from auditor.model import Text, TrialRecord

_NIGHTLY = compile_fast("|".join(_P["nightly_use"]), re.IGNORECASE)
_DEVICE_TYPES = frozenset(t.upper() for t in _P["nightly_use_types"])


def _used_nightly(record: TrialRecord, arms: list[tuple[bool, list[Text]]]) -> Duration | None:
    """The latest assessment from baseline, when an active arm's device is used every night."""
    if not any(iv.type is not None and iv.type.value.upper() in _DEVICE_TYPES for iv in record.interventions):
        return None
    said = next(((t, m) for control, texts in arms if not control for t in _distinct(texts)
                 if (m := _NIGHTLY.search(t.value))), None)
    if said is None:
        return None
    latest: tuple[float, Text, timeframes.TimePoint] | None = None
    for tf in _distinct([o.time_frame for o in record.outcomes if o.time_frame is not None]):
        if not timeframes.assessment(tf.value):
            continue  # a recruitment period, not a time participants are assessed at
        for p in timeframes.parse(tf.value):
            if p.anchor not in ("baseline", "treatment_start"):
                return None  # a time dated from an event ("after surgery", "after treatment"): not this case
            if latest is None or p.weeks > latest[0]:
                latest = (p.weeks, tf, p)
    if latest is None or latest[0] <= 0:
        return None
    text, m = said
    weeks, tf, p = latest
    used = text.value[m.start():m.end()]
    return Duration(weeks, evidence(tf, p.start, p.end, f"device used '{used}' until the last assessment: "
                                                        f"'{tf.value[p.start:p.end]}' = {weeks:g} weeks"))
