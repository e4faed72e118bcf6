"""A criterion's message and fix templates, filled with one record's facts.

A placeholder is a dotted fact path in braces (`{follow_up.weeks_after_treatment}`) or `{unknown}`,
the list of the criterion's facts the record leaves unknown.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from auditor.facts import lookup
from auditor.vocabulary import Status

_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+(?:\.[a-z0-9_]+)+)\}")
DEFAULT_MESSAGES: dict[Status, str] = {
    "met": "Met.",
    "not_met": "Not met.",
    "unclear": "The record does not say enough to decide ({unknown}).",
    "not_applicable": "Does not apply to this record.",
}


def render_value(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.1f}"
    if isinstance(value, list):
        return ", ".join(render_value(v) for v in value) if value else "none"
    return str(value)


# A message template cut once into (literal, fact path) parts; path None: the literal alone, path
# "": the {unknown} list. Templates come from profiles, so the cache stays small.
Template = tuple[tuple[str, str | None], ...]
_UNKNOWN = ""


@lru_cache(maxsize=1024)
def template(text: str) -> Template:
    parts: list[tuple[str, str | None]] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        parts.append((text[pos:m.start()], m.group(1)))
        pos = m.end()
    parts.append((text[pos:], None))
    out: list[tuple[str, str | None]] = []
    for literal, path in parts:  # "{unknown}" is a placeholder too (it has no dot, so handled here)
        *pieces, last = literal.split("{unknown}")
        out += [(piece, _UNKNOWN) for piece in pieces] + [(last, path)]
    return tuple(out)


def render(parts: Template, facts: dict[str, Any], unknown: str = "none") -> str:
    return "".join(literal + ("" if path is None else unknown if path == _UNKNOWN
                              else render_value(lookup(facts, path))) for literal, path in parts)


def fill(text: str, facts: dict[str, Any]) -> str:
    return render(template(text), facts)
