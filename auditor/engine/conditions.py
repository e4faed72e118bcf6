"""Compile a criterion's condition (a JSON Schema over the Facts document) into a fast check.

Evaluating conditions is the engine's whole job, once per criterion per record: with jsonschema's
validator that was ~0.5 ms a record, with fastjsonschema ~0.2 ms (most of it building the error
each failed check raises). A condition only needs yes or no: predicates.py turns a schema made of
the keywords draft-07 and 2020-12 share (all the bundled profiles) into a plain predicate, and
anything else a user writes keeps the exact 2020-12 semantics of jsonschema.
tests/engine/test_conditions.py holds both to the same answers, on every real record and on thousands of
generated schemas and values.
"""

from __future__ import annotations

from typing import Any, Protocol

from auditor.engine.predicates import predicate

# Keywords whose meaning is the same in draft-07 and 2020-12 (annotations included).
_DRAFT7_SAME = frozenset({
    "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "items", "maxItems", "minItems", "uniqueItems", "contains",
    "maxProperties", "minProperties", "required", "properties", "patternProperties", "additionalProperties",
    "propertyNames", "if", "then", "else", "allOf", "anyOf", "oneOf", "not",
    "title", "description", "default", "examples", "$comment",
})
_SUBSCHEMA_MAPS = ("properties", "patternProperties")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SUBSCHEMAS = ("items", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not")


class Check(Protocol):
    def is_valid(self, instance: Any) -> bool: ...


class _Predicate:
    def __init__(self, schema: dict[str, Any]):
        self.is_valid = predicate(schema)


def draft7_compatible(schema: Any) -> bool:
    """Whether every keyword in the schema means the same in draft-07 as in 2020-12."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict) or not set(schema) <= _DRAFT7_SAME:
        return False
    if isinstance(schema.get("items"), list):  # tuple form: 2020-12 spells it prefixItems
        return False
    return (all(draft7_compatible(s) for key in _SUBSCHEMA_MAPS for s in schema.get(key, {}).values())
            and all(draft7_compatible(s) for key in _SUBSCHEMA_LISTS for s in schema.get(key, []))
            and all(draft7_compatible(schema[key]) for key in _SUBSCHEMAS if key in schema))


def compile_condition(schema: dict[str, Any]) -> Check:
    """A checker for a valid 2020-12 schema (check it with jsonschema first)."""
    if draft7_compatible(schema):
        return _Predicate(schema)
    import jsonschema  # only for a schema the predicates do not cover: most runs never import it

    return jsonschema.Draft202012Validator(schema)
