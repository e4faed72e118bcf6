"""Primary outcomes as registered before enrolment started, and whether they changed afterwards.

Reads `TrialRecord.history` (the versions `fetch --history` kept, attached by the ctgov-v2
reader): the version in force at the start and the latest. COMPare (Goldacre et al. 2019) asked
whether the outcomes a trial reports are the ones it prespecified; here the question is the
registry's own: are the latest version's primary outcomes those registered before the start?

- No history (every input but a fetch folder with `--history`), or no start date: both facts null.
- No version on or before the start: nothing was prespecified (`prespecified_primary_outcomes`
  null) and `primary_outcomes_changed` is true; but when the start is a month (or year) and the
  first version falls inside it, which came first is unknown: both null (as `registration.prospective`).
- Otherwise the (measure, time frame) pairs of the two versions are compared after the
  normalisation of `rules/outcome_comparison.yaml` (case, whitespace, punctuation, spellings).
  A version at the start without primary outcomes prespecified none: changed when the latest
  has some, null when neither has.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections import Counter
from datetime import date
from typing import Any

from auditor.extract import rules
from auditor.facts import Evidence, FactSheet
from auditor.model import History, Outcome, RegisteredVersion, TrialRecord

WRITES = ("registration.prespecified_primary_outcomes", "registration.primary_outcomes_changed")
READS: tuple[str, ...] = ()

_SPACE = re.compile(r"\s+")


@functools.cache
def _rules() -> tuple[dict[int, str], dict[str, str]]:
    data = rules.load("outcome_comparison")
    punctuation = str(data.get("punctuation", ""))
    same = {str(k).lower(): str(v).lower() for k, v in (data.get("same_words") or {}).items()}
    return {ord(c): " " for c in punctuation if c not in same}, same


def normalise(text: str | None) -> str:
    """A text as the comparison sees it: "Pain (NRS 0 - 10)" -> "pain nrs 0 10"."""
    if not text:
        return ""
    table, same = _rules()
    lowered = text.lower()
    for symbol in (k for k in same if not k.isalnum()):
        lowered = lowered.replace(symbol, f" {same[symbol]} ")
    words = lowered.translate(table).split()
    return _SPACE.sub(" ", " ".join(same.get(w, w) for w in words)).strip()


def key(outcome: Outcome) -> tuple[str, str]:
    return (normalise(outcome.measure.value if outcome.measure else None),
            normalise(outcome.time_frame.value if outcome.time_frame else None))


def _last_day(first: date, precision: str | None) -> date:
    if precision == "month":
        return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    if precision == "year":
        return date(first.year, 12, 31)
    return first


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _label(v: RegisteredVersion) -> str:
    return f"v{v.version} of {v.date}"


def _evidence(v: RegisteredVersion, what: str, other: Counter[tuple[str, str]]) -> list[Evidence]:
    out = []
    for o in v.primary_outcomes:
        if o.measure is None:
            continue
        frame = f", time frame “{o.time_frame.value}”" if o.time_frame else ", no time frame"
        same = "same in both" if other[key(o)] else "not in the other version"
        out.append(Evidence(at=o.measure.at, quote=o.measure.value, note=f"{what} {_label(v)}{frame} ({same})"))
    return out


def _not_prespecified(record: TrialRecord, h: History, start: date) -> tuple[bool | None, list[Evidence]]:
    first = h.first
    first_day = _day(first.date) if first else None
    if first is None or first_day is None:
        return None, []
    ev = [Evidence(at=f"{h.path}#/changes/0/date", quote=first.date,
                   note=f"first registry version v{first.version}, after the start ({h.start_date})")]
    if record.dates.start is not None:
        ev.append(Evidence.of(record.dates.start, note=f"start date ({h.start_precision or 'day'} precision)"))
    if first_day <= _last_day(start, h.start_precision):
        return None, ev  # inside the start month (or year): which came first is unknown
    return True, ev


def derive(record: TrialRecord) -> tuple[list[dict[str, Any]] | None, bool | None, list[Evidence]]:
    h = record.history
    start = _day(h.start_date) if h is not None and h.start_date else None
    if h is None or start is None:
        return None, None, []
    if h.at_start is None:
        changed, ev = _not_prespecified(record, h, start)
        return None, changed, ev
    before, latest = h.at_start, h.latest
    listed = [{"measure": o.measure.value, "time_frame": o.time_frame.value if o.time_frame else None,
               "version": before.version, "date": before.date} for o in before.primary_outcomes if o.measure]
    old = Counter(key(o) for o in before.primary_outcomes if o.measure)
    new = Counter(key(o) for o in latest.primary_outcomes if o.measure)
    ev = _evidence(before, f"in force at the start ({h.start_date}):", new)
    if latest.version != before.version:
        ev += _evidence(latest, "latest version:", old)
    if not old:
        return listed, (True if new else None), ev
    return listed, old != new, ev


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    listed, changed, ev = derive(record)
    sheet.set("registration.prespecified_primary_outcomes", listed, ev if listed is not None else None)
    sheet.set("registration.primary_outcomes_changed", changed, ev)
