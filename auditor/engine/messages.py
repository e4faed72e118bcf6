"""A criterion's message and fix templates, filled with one record's facts.

A placeholder is a dotted fact path in braces (`{follow_up.weeks_after_treatment}`), optionally
with a filter: `|abs` (the absolute value, `{registration.days_after_start|abs}`), `|words` (a
vocabulary id as words: `behavioural_therapy` -> "behavioural therapy") or `|quoted` (the record
text the fact's evidence quotes, in quotation marks: a null fact whose value the record gives but
the reader could not read, `{sample_size.enrollment|quoted}` -> “lots”; it has a value only when the
fact has evidence). A profile gives each
status either one template or a list of *variants*, one per case: a plain string, or
`{"when": CONDITION, "text": TEMPLATE}` with CONDITION a JSON Schema over the Facts document (the
dotted shorthand of `met_when`). The first variant whose condition holds and whose placeholders
all have a value (an empty list counts as none) is used, so a message never has to say "unknown": a profile writes a variant for
the case where a fact is missing instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from auditor.facts import Evidence, lookup, shortened
from auditor.vocabulary import Status

_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+(?:\.[a-z0-9_]+)+)(?:\|(abs|words|quoted))?\}")
_QUOTE_CHARS = 80  # of each quoted text: a message names the value, the evidence holds it whole
DEFAULT_MESSAGES: dict[Status, str] = {
    "met": "Met.",
    "not_met": "Not met.",
    "unclear": "The record does not say enough to decide.",
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


def _filtered(value: Any, name: str | None) -> Any:
    if name == "abs" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return abs(value)
    if name == "words":
        return [_filtered(v, name) for v in value] if isinstance(value, list) else (
            value.replace("_", " ") if isinstance(value, str) else value)
    return value


# A message template cut once into (literal, fact path, filter) parts; path None: the literal alone.
# Templates come from profiles, so the cache stays small.
Template = tuple[tuple[str, str | None, str | None], ...]


@lru_cache(maxsize=1024)
def template(text: str) -> Template:
    parts: list[tuple[str, str | None, str | None]] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        parts.append((text[pos:m.start()], m.group(1), m.group(2)))
        pos = m.end()
    parts.append((text[pos:], None, None))
    return tuple(parts)


def paths(parts: Template) -> tuple[str, ...]:
    """The fact paths a template reads."""
    return tuple(path for _, path, _ in parts if path is not None)


class Known(dict[str, Any]):
    """One record's facts by dotted path (`lookup`), the whole Facts document taken apart once: the
    criteria of a profile and their messages read the same few dozen facts over and over. With the
    record's evidence (FactSheet.evidence), `|quoted` placeholders can name what a fact rests on."""

    def __init__(self, facts: dict[str, Any], evidence: Mapping[str, list[Evidence]] | None = None):
        super().__init__()
        self.facts = facts
        self.evidence = evidence
        _flatten(facts, "", self)

    def __missing__(self, path: str) -> Any:  # a path the document does not have: lookup says what
        value = self[path] = lookup(self.facts, path)
        return value

    def quoted(self, path: str) -> str | None:
        """The distinct texts the fact's evidence quotes, each in quotation marks; None without evidence."""
        found = self.evidence.get(path) if self.evidence is not None else None
        if not found:
            return None
        return ", ".join(f"“{shortened(q, _QUOTE_CHARS)}”" for q in dict.fromkeys(e.quote for e in found))



def _flatten(node: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, value in node.items():
        if type(key) is not str or "." in key:  # not reachable by a dotted path: left to lookup
            continue
        path = prefix + key
        out[path] = value
        if type(value) is dict:
            _flatten(value, path + ".", out)


def render(parts: Template, facts: dict[str, Any], known: Known | None = None) -> str:
    if len(parts) == 1:  # no placeholder
        return parts[0][0]
    get = known if known is not None else Known(facts)
    # a list, not a generator: join builds one anyway, and the frames of a generator cost more
    return "".join([literal if path is None else literal + (
        (get.quoted(path) or "") if name == "quoted" else render_value(_filtered(get[path], name)))
        for literal, path, name in parts])


def fill(text: str, facts: dict[str, Any]) -> str:
    return render(template(text), facts)


class Variant(NamedTuple):
    """One case of a message: its template, the facts it names, and its condition (None: always)."""

    parts: Template
    reads: tuple[str, ...]
    when: Any  # a compiled condition (engine.conditions.Check) or None

    def fits(self, facts: dict[str, Any], known: Known | None = None) -> bool:
        get = known if known is not None else Known(facts)
        return (self.when is None or self.when.is_valid(facts)) and all(
            get[p] not in _NO_VALUE or _quotes(self.parts, p, get) for p in self.reads)


_NO_VALUE: tuple[None, list[Any]] = (None, [])  # a fact a message cannot name (never mutated)


def _quotes(parts: Template, path: str, get: Known) -> bool:
    """Whether the template names this null fact by its quoted evidence (`|quoted`), and there is some."""
    return any(p == path and name == "quoted" for _, p, name in parts) and get.quoted(path) is not None


def choose(variants: tuple[Variant, ...], facts: dict[str, Any], known: Known | None = None) -> str | None:
    """The first variant that fits the facts, rendered; None without variants. When none fits
    (a profile without a variant for this case), the last one is used as it is. `known`: the
    record's facts by path, shared by the criteria judged together."""
    if not variants:
        return None
    get = known if known is not None else Known(facts)
    # `Variant.fits` written out: this runs for every criterion of every record (two in five of
    # the engine's time), and the calls and generators were most of its cost.
    for v in variants:
        if v.when is not None and not v.when.is_valid(facts):
            continue
        for p in v.reads:
            if get[p] in _NO_VALUE and not _quotes(v.parts, p, get):
                break
        else:
            return render(v.parts, facts, get)
    return render(variants[-1].parts, facts, get)


def texts(raw: str | list[Any] | None) -> list[tuple[str, Any]]:
    """A profile's message or fix value as (template text, raw condition or None) pairs."""
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else raw
    return [(item, None) if isinstance(item, str) else (item["text"], item.get("when")) for item in items]
