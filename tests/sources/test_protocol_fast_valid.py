"""A protocol file's validity is decided without jsonschema (a generated predicate of the protocol
schema); jsonschema only words the violations. The two must agree on every document."""

from __future__ import annotations

import copy
import random
from typing import Any

import jsonschema
import yaml

from auditor.resources import load_schema
from auditor.sources import protocol_check
from tests.conftest import EXAMPLES, REPO

VALUES: list[Any] = [None, True, False, 0, 1, -1, 1.0, 1.5, -0.5, 0.0, 2, 52, 100, 10**20, 0.05, "", " ", "x", "yes",
                     "2025-01-10", "2025-13-40", [], [1], ["a"], [{}], {}, {"a": 1}, {"weeks": 12}]


def _documents() -> list[dict[str, Any]]:
    docs = []
    for path in sorted([*(EXAMPLES / "protocols").glob("*.yaml"), *(REPO / "tests").rglob("*.yaml")]):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(doc, dict) and "trial" in doc:
            docs.append(doc)
    return docs


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _mutant(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for _ in range(rng.choice([1, 1, 1, 2])):
        places = _paths(doc)[1:]
        if not places:
            break
        where = rng.choice(places)
        parent: Any = doc
        for key in where[:-1]:
            parent = parent[key]
        roll = rng.random()
        if roll < 0.55 or not isinstance(parent, dict):
            if isinstance(parent, list) and roll > 0.8:
                parent.append(copy.deepcopy(parent[0]))
            else:
                parent[where[-1]] = copy.deepcopy(rng.choice(VALUES))
        elif roll < 0.75:
            del parent[where[-1]]
        else:
            parent[f"extra_{rng.randint(0, 2)}"] = rng.choice(VALUES)
    return doc


def test_the_protocol_schema_is_decided_by_a_predicate() -> None:
    # When a keyword the predicates do not cover enters the schema, validity falls back to jsonschema
    # (correct, slower to start): this test says so, so that it is a decision, not an accident.
    assert protocol_check._valid().__module__ != __name__
    assert "lambda" not in protocol_check._valid().__qualname__


def test_predicate_and_jsonschema_agree() -> None:
    validator = jsonschema.Draft202012Validator(load_schema("protocol"))
    valid = protocol_check._valid()
    docs = _documents()
    assert len(docs) >= 3
    rng = random.Random(17)
    agreed_valid = 0
    for doc in docs:
        assert valid(doc) == validator.is_valid(doc)
        for _ in range(1500):
            mutant = _mutant(doc, rng)
            expected = validator.is_valid(mutant)
            assert valid(mutant) == expected, list(validator.iter_errors(mutant))[:1]
            agreed_valid += expected
    assert agreed_valid > 20  # the mutants include valid documents, not only broken ones
