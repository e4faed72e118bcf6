"""Registration timing: days from the start of enrolment to registration, and prospective or not.

Dates keep their precision: a start given as a month ("2015-08") covers the whole month, so a
registration inside that month cannot be called late or early (None); one after it is late by at
least the days past the month's end.
"""

from __future__ import annotations

import calendar
from datetime import date

from auditor.extract.text import shortened
from auditor.facts import Evidence, FactSheet
from auditor.model import TrialRecord


def derive(record: TrialRecord) -> tuple[int | None, bool | None, list[Evidence]]:
    d = record.dates
    if d.start_parsed is None or d.registered_parsed is None or d.start is None or d.registered is None:
        return None, None, []
    first = d.start_parsed
    precision = d.start_precision or "day"
    if precision == "day":
        last = first
    elif precision == "month":
        last = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    else:
        last = date(first.year, 12, 31)
    reg = d.registered_parsed
    ev = [Evidence.of(d.registered, note="registration date"), Evidence.of(d.start, note=f"start date ({precision} precision)")]
    if reg <= first:
        return (reg - first).days, True, ev
    if reg > last:
        # The start could have been as late as `last`: the smallest lateness the dates allow.
        return (reg - last).days, False, ev
    return None, None, ev  # registered inside the start month/year: cannot tell which came first


def _unreadable(record: TrialRecord) -> list[Evidence]:
    """The dates a record gives that are no date ("31/02/2020"): quoted, so that a report says the
    date is unreadable rather than missing."""
    d = record.dates
    return [Evidence.of(text, note=f"{what} date is not a readable date: {text.at} is “{shortened(text.value, 40)}”")
            for what, text, parsed in (("registration", d.registered, d.registered_parsed),
                                       ("start", d.start, d.start_parsed))
            if text is not None and parsed is None]


WRITES = ("registration.days_after_start", "registration.prospective")
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    days, prospective, ev = derive(record)
    if not ev:  # no two dates to compare: quote a date that is given but unreadable, if any
        ev = _unreadable(record)
        sheet.set("registration.days_after_start", None, ev)
        sheet.set("registration.prospective", None, ev)
        return
    # days_after_start carries evidence only when it is known or a date is unreadable (above): RG01's
    # unclear message quotes that evidence as the unreadable value ({registration.days_after_start|quoted}).
    sheet.set("registration.days_after_start", days, ev if days is not None else None)
    sheet.set("registration.prospective", prospective, ev)
