"""The fast condition checks give the same answers as jsonschema's 2020-12 validator."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from auditor.engine import profiles
from auditor.engine.conditions import compile_condition, draft7_compatible
from auditor.extract import derive
from auditor.facts import BLANK
from auditor.model import TrialRecord
from auditor.sources import read_paths


def _conditions() -> list[tuple[str, dict]]:
    out = []
    for ident in profiles.bundled_ids():
        for crit in profiles.load(ident).criteria:
            out += [(f"{ident}:{crit.code}:{name}", schema) for name, schema in crit.conditions.items()]
    return out


def test_bundled_conditions_use_the_fast_path() -> None:
    assert all(draft7_compatible(schema) for _, schema in _conditions())


@pytest.mark.parametrize("schema, fast", [
    ({"type": "integer", "maximum": 0}, True),
    ({"anyOf": [{"properties": {"a": {"const": None}}}]}, True),
    ({"prefixItems": [{"type": "string"}]}, False),
    ({"items": [{"type": "string"}]}, False),
    ({"properties": {"a": {"minContains": 2, "contains": {"const": 1}}}}, False),
    ({"$ref": "#/$defs/x", "$defs": {"x": {}}}, False),
])
def test_only_draft7_compatible_schemas_are_compiled_fast(schema: dict, fast: bool) -> None:
    assert draft7_compatible(schema) is fast
    check = compile_condition(schema)
    assert isinstance(check, jsonschema.Draft202012Validator) is not fast


def _fact_documents(real_data) -> list[dict]:
    docs = [copy.deepcopy(BLANK)]
    for item in read_paths([str(real_data)]):
        if isinstance(item, TrialRecord):
            docs.append(derive(item).facts)
    return docs


def test_fast_and_reference_checks_agree_on_every_real_record(real_data) -> None:
    docs = _fact_documents(real_data)
    assert len(docs) > 2000
    for label, schema in _conditions():
        fast, reference = compile_condition(schema), jsonschema.Draft202012Validator(schema)
        disagree = [i for i, doc in enumerate(docs) if fast.is_valid(doc) != reference.is_valid(doc)]
        assert not disagree, f"{label} disagrees on {len(disagree)} records"


def test_integer_valued_floats_count_as_integers_in_both() -> None:
    schema = {"type": "integer", "minimum": 400}
    assert compile_condition(schema).is_valid(400.0) is jsonschema.Draft202012Validator(schema).is_valid(400.0) is True
