"""The Facts document (schemas/facts.schema.json) and the evidence each fact rests on.

Extractors write facts with `FactSheet.set(path, value, evidence)`; the engine reads the plain
`facts` dict (the document profiles are written against) and `evidence` for quoting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import msgspec
import orjson

from auditor.model import Number, Text


class Evidence(msgspec.Struct, kw_only=True, frozen=True):
    """Where a fact comes from: a quote of the record text and its location. Frozen (hashable):
    FactSheet.set de-duplicates a fact's evidence by value."""

    at: str
    quote: str
    line: int | None = None
    column: int | None = None
    note: str | None = None

    @classmethod
    def of(cls, source: Text | Number, quote: str | None = None, note: str | None = None) -> Evidence:
        """Evidence from a record value, quoting the source's words (`Text.original` where the reader
        mapped them to a code); `quote` must be a span of the value's text when given."""
        text = (source.original or source.value) if isinstance(source, Text) else (source.text or _num(source.value))
        return cls(at=source.at, quote=text if quote is None else quote, line=source.line, column=source.column,
                   note=note)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@lru_cache(maxsize=256)  # the fact paths of the Facts document and of profiles: a few dozen
def opening(text: str, limit: int) -> str:
    """The first `limit` characters of `text`, cut back to the last whole word: an exact substring,
    so it stays a quote ("clinical monitoring of", not "clinical monitorin")."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut).rstrip()


def shortened(text: str, limit: int) -> str:
    """`opening(text, limit)`, with an ellipsis when it leaves words out: for notes and messages."""
    head = opening(text, limit)
    return head if head == text else head + "…"


def path_keys(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def lookup(facts: dict[str, Any], path: str) -> Any:
    """A fact by dotted path in a Facts document; None when unknown or absent."""
    node: Any = facts
    for key in path_keys(path):
        node = node.get(key) if isinstance(node, dict) else None
    return node


# Every key of the Facts document with the value it has before anything is known.
BLANK: dict[str, Any] = {
    "study": {"type": None, "registry": ""},
    "sample_size": {"enrollment": None, "enrollment_type": None, "per_arm": None, "calculation_reported": None},
    "design": {"randomized": None, "arm_count": None, "assessor_blinded": None},
    "treatment": {"duration_weeks": None, "intervention_categories": [], "psych_with_physio": False},
    "follow_up": {"max_weeks_from_baseline": None, "weeks_after_treatment": None,
                  "time_frames_specific": None, "unspecific_time_frames": []},
    "outcomes": {
        "count": 0,
        "hrqol": {"instruments": [], "max_weeks_from_baseline": None, "weeks_after_treatment": None},
        "pain": {"measured": False, "instruments": []},
        "function": {"measured": False, "instruments": []},
        "safety": {"planned": False, "collection_method": None, "time_frame_stated": False},
    },
    "results": {"posted": False, "adverse_events_reported": None, "hrqol_reported": None},
    "population": {"low_back_pain": False, "chronic_lbp_12w": None},
    "registration": {"days_after_start": None, "prospective": None,
                     "prespecified_primary_outcomes": None, "primary_outcomes_changed": None},
}


# Fact path -> (parent keys, leaf key), for FactSheet.set (a few dozen paths, ~36 sets per record).
_SPLIT: dict[str, tuple[tuple[str, ...], str]] = {}

# A fresh copy per record: parsing these bytes is ~20x faster than copy.deepcopy(BLANK).
_BLANK_JSON = orjson.dumps(BLANK)


def _paths(node: Any, prefix: str = "") -> Iterator[str]:
    for key, value in node.items():
        yield prefix + key
        if isinstance(value, dict):
            yield from _paths(value, f"{prefix}{key}.")


# Every dotted path of the Facts document, groups ("follow_up") and facts ("follow_up.max_weeks_from_baseline").
PATHS: tuple[str, ...] = tuple(_paths(BLANK))


def nearest_fact(path: str) -> str | None:
    """The fact path of the Facts document closest to a misspelt `path` (for "did you mean"), if any."""
    import difflib  # a misspelt profile or corrections file only

    near = difflib.get_close_matches(path, PATHS, n=1)
    return near[0] if near else None


@dataclass
class FactSheet:
    facts: dict[str, Any] = field(default_factory=lambda: orjson.loads(_BLANK_JSON))
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)

    def set(self, path: str, value: Any, evidence: list[Evidence] | Evidence | None = None) -> None:
        """Set a fact by dotted path; the path must exist in the Facts document."""
        split = _SPLIT.get(path)
        if split is None:
            keys = path_keys(path)
            split = _SPLIT[path] = (keys[:-1], keys[-1])
        parents, leaf = split
        node = self.facts
        for key in parents:
            node = node[key]
        if leaf not in node:
            raise KeyError(f"unknown fact {path!r}")
        node[leaf] = value
        if evidence:
            if isinstance(evidence, Evidence):
                self.evidence.setdefault(path, []).append(evidence)
            else:  # de-duplicated, in order
                self.evidence.setdefault(path, []).extend(dict.fromkeys(evidence) if len(evidence) > 1 else evidence)

    def get(self, path: str) -> Any:
        node: Any = self.facts
        for key in path.split("."):
            node = node[key]
        return node
