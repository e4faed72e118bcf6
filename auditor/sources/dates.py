"""Registry date strings to dates, keeping how precise the source was.

Registries write dates many ways: ISO (`2015-08-03`, `2015-08`), compact (`20240408`), day-first
(`08/04/2024`, `08-04-2024`, `08.04.2024`; ICTRP and its source registers are day-first, never
month-first), slash-ISO (`2016/12/06`) and prose (`August 3, 2015`, `August 2015`, `3 August 2015`).
A value that fits none of them parses to ``(None, None)``: the reader keeps the text, and the
extractor reports the fact as unknown rather than guessing.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

Precision = Literal["day", "month", "year"]

# Strict ISO: the whole value (ignoring a time part) must be YYYY, YYYY-MM or YYYY-MM-DD, so that
# compact `20240408` or slash forms are not mistaken for a bare year.
_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?\s*$")
_FORMATS: tuple[tuple[str, Precision], ...] = (
    ("%Y-%m-%d", "day"), ("%d/%m/%Y", "day"), ("%d-%m-%Y", "day"), ("%Y%m%d", "day"),
    ("%d.%m.%Y", "day"), ("%Y/%m/%d", "day"), ("%B %d, %Y", "day"), ("%b %d, %Y", "day"),
    ("%d %B %Y", "day"), ("%d %b %Y", "day"), ("%B %d %Y", "day"),
    ("%B %Y", "month"), ("%b %Y", "month"), ("%Y-%m", "month"), ("%m/%Y", "month"), ("%Y/%m", "month"),
    ("%Y", "year"),
)
_SPACES = re.compile(r"\s+")
# The first format, `%Y-%m-%d`, as registries mostly write it (ClinicalTrials.gov's last update):
# read without strptime, which costs more than the rest of a record's dates.
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_iso(value: str) -> tuple[date | None, Precision | None]:
    """`2015-08-03`, `2015-08`, `2015`: the first day of the period and its precision.

    Anything else falls back to :func:`parse_any`.
    """
    match = _ISO.match(value)
    if not match:
        return parse_any(value)
    year = int(match.group(1))  # the year group always matches
    month, day = (int(g) if g else None for g in match.group(2, 3))
    try:
        if day is not None and month is not None:  # the pattern allows a day only after a month
            return date(year, month, day), "day"
        if month is not None:
            return date(year, month, 1), "month"
        return date(year, 1, 1), "year"
    except ValueError:
        return None, None


def parse_any(value: str) -> tuple[date | None, Precision | None]:
    """The registry formats seen in ICTRP and legacy XML exports; (None, None) when none fits."""
    text = _SPACES.sub(" ", value.strip())
    if (iso := _ISO_DAY.fullmatch(text)) is not None:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3])), "day"  # what strptime gives for it
        except ValueError:
            pass  # not a day (month 13, 31 February): the formats decide, as before
    for fmt, precision in _FORMATS:
        try:
            return datetime.strptime(text, fmt).date(), precision
        except ValueError:
            continue
    return None, None
