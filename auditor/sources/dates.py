"""Registry date strings to dates, keeping how precise the source was."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

Precision = Literal["day", "month", "year"]

_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_FORMATS: tuple[tuple[str, Precision], ...] = (
    ("%Y-%m-%d", "day"), ("%d/%m/%Y", "day"), ("%d-%m-%Y", "day"), ("%Y%m%d", "day"),
    ("%d.%m.%Y", "day"), ("%B %d, %Y", "day"), ("%b %d, %Y", "day"), ("%d %B %Y", "day"),
    ("%B %Y", "month"), ("%b %Y", "month"), ("%Y-%m", "month"), ("%m/%Y", "month"), ("%Y", "year"),
)


def parse_iso(value: str) -> tuple[date | None, Precision | None]:
    """`2015-08-03`, `2015-08`, `2015`: the first day of the period and its precision."""
    match = _ISO.match(value)
    if not match:
        return parse_any(value)
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if day is not None:
            return date(year, month, day), "day"
        if month is not None:
            return date(year, month, 1), "month"
        return date(year, 1, 1), "year"
    except ValueError:
        return None, None


def parse_any(value: str) -> tuple[date | None, Precision | None]:
    """The registry formats seen in ICTRP and legacy XML exports; (None, None) when none fits."""
    text = value.strip()
    for fmt, precision in _FORMATS:
        try:
            return datetime.strptime(text, fmt).date(), precision
        except ValueError:
            continue
    return None, None
