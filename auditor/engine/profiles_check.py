"""Check that a criterion's condition names facts and keywords, and that its `$ref`s resolve.

JSON Schema ignores a key it does not know, so a misspelt fact (`follow_up.weeks_after_treatmnt`),
a fact without its group (`weeks_after_treatment`) or a misspelt keyword (`minimun`) would make a
condition that silently never holds, or always does; and a `$ref` that points nowhere would fail
only while a record is judged, blamed on the record. The walk follows `profiles.expand`: dotted keys
are fact paths exactly where expand reads them so.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from auditor.facts import BLANK, PATHS

# Every keyword of JSON Schema 2020-12 (core, applicator, validation, meta-data, format, content,
# unevaluated), and draft-07's `definitions` and `dependencies`.
_KEYWORDS = frozenset({
    "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "$comment", "$defs",
    "definitions", "dependencies", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas",
    "prefixItems", "items", "contains", "properties", "patternProperties", "additionalProperties",
    "propertyNames", "unevaluatedItems", "unevaluatedProperties", "type", "const", "enum", "multipleOf",
    "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
    "maxItems", "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties",
    "required", "dependentRequired", "format", "contentEncoding", "contentMediaType", "contentSchema",
    "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
})
# Where expand() reads dotted keys as fact paths (and so do we), and where a value is one schema,
# a list of schemas or a map of names to schemas.
_SHORTHAND = ("anyOf", "allOf", "oneOf", "not", "contains", "items", "if", "then", "else")
_ONE = ("not", "contains", "items", "if", "then", "else", "additionalProperties", "propertyNames",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


# Facts, not groups: a condition on a group ("follow_up") is a mistake.
FACT_PATHS = tuple(path for path in PATHS if "." in path)


def _known(path: str) -> bool:
    return path in FACT_PATHS


def _close(word: str, choices: tuple[str, ...] | frozenset[str]) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.8)
    return found[0] if found else None


def key_problem(condition: Any) -> str | None:
    """A key of a condition as written in a profile (before expand) that names no fact and no
    keyword, in words, else None."""
    return next(_problems(condition, shorthand=True), None)


def ref_problem(expanded: Any) -> str | None:
    """A `$ref` of a condition as the engine runs it (after expand) that resolves to nothing within
    it, in words, else None. Conditions are checked offline, so a reference to another document
    points nowhere too."""
    return _unresolved(expanded) if _has_ref(expanded) else None


def _problems(schema: Any, shorthand: bool) -> Iterator[str]:
    if isinstance(schema, list):
        for item in schema:
            yield from _problems(item, shorthand)
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if shorthand and "." in key:
            if not _known(key):
                near = _close(key, FACT_PATHS)
                yield f"names unknown fact {key!r}" + (f"; did you mean {near!r}?" if near else
                                                        " (`trial-audit schema facts` lists the facts)")
            yield from _problems(value, shorthand=True)
        elif key in _KEYWORDS:
            inner = shorthand and key in _SHORTHAND
            if key in _ONE or key in _LISTS:
                yield from _problems(value, inner)
            elif key in _MAPS and isinstance(value, dict):
                for sub in value.values():
                    yield from _problems(sub, shorthand=False)
        else:
            yield _unknown_key(key)


def _unknown_key(key: str) -> str:
    if key in BLANK:
        facts = ", ".join(f"`{key}.{fact}`" for fact in BLANK[key])
        return f"`{key}` is a group of facts, not a fact: name one of its facts ({facts})"
    keyword = _close(key, _KEYWORDS)
    if keyword:
        return f"`{key}` is not a JSON Schema keyword; did you mean `{keyword}`?"
    grouped = [p for p in FACT_PATHS if p.endswith("." + key)]
    if grouped:
        return (f"`{key}` is neither a fact nor a JSON Schema keyword; name a fact with its group: "
                + " or ".join(f"`{p}`" for p in grouped))
    return (f"`{key}` is neither a fact nor a JSON Schema keyword; name a fact as `group.fact` "
            "(`trial-audit schema facts` lists them)")


def _has_ref(schema: Any) -> bool:
    if isinstance(schema, dict):
        return "$ref" in schema or any(_has_ref(v) for v in schema.values())
    return isinstance(schema, list) and any(_has_ref(v) for v in schema)


def _refs(schema: Any) -> Iterator[Any]:
    if isinstance(schema, dict):
        if "$ref" in schema:
            yield schema["$ref"]
        for value in schema.values():
            yield from _refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _refs(value)


def _unresolved(condition: Any) -> str | None:
    import referencing
    import referencing.exceptions
    import referencing.jsonschema

    resource = referencing.Resource.from_contents(condition, default_specification=referencing.jsonschema.DRAFT202012)
    resolver = referencing.Registry().with_resource("", resource).resolver()
    for ref in _refs(condition):
        try:
            resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            return f"`$ref` “{ref}” points at nothing in the condition; write the schema in place"
    return None
