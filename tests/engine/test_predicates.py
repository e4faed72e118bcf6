"""The generated predicates answer exactly as jsonschema's 2020-12 validator, keyword by keyword."""

from __future__ import annotations

import random
from typing import Any

import jsonschema
import pytest

from auditor.engine.conditions import draft7_compatible
from auditor.engine.predicates import equal, predicate

VALUES: list[Any] = [None, True, False, 0, 1, 1.0, 1.5, -3, 52, 52.0, 400, 1e308, "", "a", "abc", "SF-36", "x" * 10,
                     [], [1], [1, 1.0], [True, 1], ["a", "b"], [None, {}], {}, {"a": 1}, {"a": None, "b": "x"},
                     {"aa": [1, 2]}, {"b": {"a": 1}}]


def _leaf(rng: random.Random) -> dict[str, Any]:
    pick = rng.choice([
        lambda: {"type": rng.choice(["null", "boolean", "integer", "number", "string", "array", "object"])},
        lambda: {"type": rng.sample(["null", "integer", "string", "array", "boolean"], 2)},
        lambda: {"const": rng.choice(VALUES)},
        lambda: {"enum": rng.sample(VALUES, 3)},
        lambda: {rng.choice(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]): rng.choice([0, 1, 1.5, 52])},
        lambda: {"multipleOf": rng.choice([1, 2, 0.5, 3])},
        lambda: {rng.choice(["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]):
                 rng.randint(0, 2)},
        lambda: {"pattern": rng.choice(["^a", "b", "[0-9]", "^$"])},
        lambda: {"uniqueItems": rng.choice([True, False])},
        lambda: {"required": rng.sample(["a", "b", "aa"], rng.randint(1, 2))},
        dict,
    ])
    return pick()


def _schema(rng: random.Random, depth: int = 0) -> Any:
    if depth > 2 or rng.random() < 0.35:
        return rng.choice([True, False]) if rng.random() < 0.05 else _leaf(rng)
    sub = lambda: _schema(rng, depth + 1)  # noqa: E731
    pick = rng.choice([
        lambda: {"properties": {k: sub() for k in rng.sample(["a", "b", "aa"], 2)}},
        lambda: {"patternProperties": {"^a": sub()}, "additionalProperties": sub()},
        lambda: {"properties": {"a": sub()}, "additionalProperties": sub()},
        lambda: {"propertyNames": sub()},
        lambda: {"items": sub()},
        lambda: {"contains": sub()},
        lambda: {rng.choice(["allOf", "anyOf", "oneOf"]): [sub() for _ in range(rng.randint(1, 3))]},
        lambda: {"not": sub()},
        lambda: {"if": sub(), "then": sub(), "else": sub()},
        lambda: {"if": sub(), "then": sub()},
        lambda: {**_leaf(rng), **_leaf(rng), "description": "annotation only"},
    ])
    return pick()


def test_generated_schemas_agree_with_jsonschema() -> None:
    rng = random.Random(20221129)
    checked = 0
    for _ in range(1500):
        schema = _schema(rng)
        assert draft7_compatible(schema), schema
        check, reference = predicate(schema), jsonschema.Draft202012Validator(schema)
        for value in VALUES:
            assert check(value) is reference.is_valid(value), (schema, value)
            checked += 1
    assert checked == 1500 * len(VALUES)


@pytest.mark.parametrize("a, b, same", [(1, 1.0, True), (True, 1, False), (False, 0, False), ([1], [1.0], True),
                                        ({"a": [True]}, {"a": [1]}, False), (None, 0, False), ("1", 1, False)])
def test_json_equality(a: Any, b: Any, same: bool) -> None:
    assert equal(a, b) is same is jsonschema.Draft202012Validator({"const": a}).is_valid(b)


def test_schema_text_is_never_source_code() -> None:
    """Property names and patterns travel as constants: quotes and code in them are just text."""
    name = "a\"]) or __import__('os').system('false') or ([\""
    check = predicate({"properties": {name: {"const": 1}}, "required": [name], "pattern": "'"})
    assert check({name: 1}) and not check({name: 2}) and not check({})
