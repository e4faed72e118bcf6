"""Find facts for which a criterion's `met_when` and `not_met_when` both hold.

The engine tries `met_when` first, so where the two overlap `not_met_when` is silently never used:
the usual cause is a profile that extends another and changes a threshold in one condition only
(`met_when` minimum 26 beside the parent's `not_met_when` exclusiveMaximum 52 judges 30 weeks met).
Whether two JSON Schemas overlap is not decidable in general, so this tries the values the
conditions themselves name (each const and enum value, each bound and the numbers beside it, both
booleans, null, lists of the values a `contains` names) on each fact they read, one fact at a
time with the others unknown, and reports the first value that satisfies both. It finds the usual
mistake, a threshold on one fact; an overlap that needs two facts set together is not looked for.
A warning names facts a record can have, for which the criterion cannot be not met.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from auditor import derived
from auditor.facts import BLANK

_VERSION = 1  # part of the cache key: a change of this search is not answered from an older one
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_BRANCHES = ("allOf", "anyOf", "oneOf")
_ONE = ("not", "if", "then", "else")


def _values(schema: Any, path: tuple[str, ...], found: dict[tuple[str, ...], list[Any]]) -> None:
    """Candidate values per fact path (as a tuple of keys), read off an expanded condition."""
    if not isinstance(schema, dict):
        return
    here = found.setdefault(path, []) if path else []
    if "const" in schema:
        here.append(schema["const"])
    here.extend(schema.get("enum", []))
    for key in _BOUNDS:
        bound = schema.get(key)
        if isinstance(bound, (int, float)) and not isinstance(bound, bool):
            here.extend((bound, bound - 1, bound + 1, bound - 0.5, bound + 0.5))
    if schema.get("type") == "boolean":
        here.extend((True, False))
    for key in ("contains", "items"):
        inner: dict[tuple[str, ...], list[Any]] = {}
        _values(schema.get(key), ("item",), inner)
        items = inner.get(("item",), [])
        here.extend([[v] for v in items] + ([items, []] if items else []))
    for key in ("minItems", "maxItems"):
        if isinstance(schema.get(key), int):
            here.extend([["x"] * schema[key], ["x"] * (schema[key] + 1)])
    for name, sub in schema.get("properties", {}).items():
        _values(sub, path + (name,), found)
    for key in _BRANCHES:
        for sub in schema.get(key, []):
            _values(sub, path, found)
    for key in _ONE:
        _values(schema.get(key), path, found)


def _fact_candidates(schemas: list[Any]) -> dict[tuple[str, ...], list[Any]]:
    found: dict[tuple[str, ...], list[Any]] = {}
    for schema in schemas:
        _values(schema, (), found)
    out = {}
    for path, values in found.items():
        blank = _blank(path)
        if values and not isinstance(blank, dict):  # a leaf fact the conditions name values of
            unique: list[Any] = []
            # null only where the fact can be unknown: a list or a count never is.
            for v in [*values, *((None,) if blank is None else ()), blank]:
                if not any(v == u and type(v) is type(u) for u in unique):
                    unique.append(v)
            out[path] = unique
    return out


def _blank(path: tuple[str, ...]) -> Any:
    node: Any = BLANK
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _documents(candidates: dict[tuple[str, ...], list[Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(facts document, the value set in it): one fact at a time, the other facts the conditions
    name unknown (null) or, for a fact that is never null (a list, a count), left out, so that no
    branch reading them holds. Facts are not varied together: their real
    combinations are bound by how they are derived (a follow-up after treatment is never longer
    than from baseline; no outcome means no follow-up), so a combination could overlap where no
    record can."""
    for path, values in candidates.items():
        for value in values:
            doc = copy.deepcopy(BLANK)
            for other in candidates:
                if other != path and _blank(other) is None:
                    _parent(doc, other)[other[-1]] = None  # unknown, as in a record that does not say
                elif other != path:
                    _parent(doc, other).pop(other[-1], None)  # never unknown: left out
            _parent(doc, path)[path[-1]] = value
            yield doc, {".".join(path): value}


def _parent(doc: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = doc
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    return node


def overlap(conditions: dict[str, Any], validators: dict[str, Any]) -> dict[str, Any] | None:
    """Facts (path -> value) for which met_when and not_met_when both hold (and applies_when, if
    given), else None. Answers are kept across runs (auditor.derived)."""
    if "met_when" not in conditions or "not_met_when" not in conditions:
        return None
    key = {"v": _VERSION, **conditions}
    found: dict[str, Any] | None = derived.memo("overlap", key, _search, conditions, validators)
    return found


def _search(conditions: dict[str, Any], validators: dict[str, Any]) -> dict[str, Any] | None:
    candidates = _fact_candidates(list(conditions.values()))
    if not candidates:
        return None
    applies = validators.get("applies_when")
    for doc, values in _documents(candidates):
        if validators["met_when"].is_valid(doc) and validators["not_met_when"].is_valid(doc) \
                and (applies is None or applies.is_valid(doc)):
            return values
    return None


def warning(code: str, facts: dict[str, Any]) -> str:
    """The overlap in words: where it is and what the engine then does."""
    shown = ", ".join(f"{path} = {_shown(v)}" for path, v in facts.items())
    return (f"criterion {code}: met_when and not_met_when both hold when {shown}; such a record is judged met "
            "(met_when is tried first), so make the two conditions exclusive (an extending profile that changes a "
            "threshold changes it in both)")


def _shown(value: Any) -> str:
    import json

    return json.dumps(value)
