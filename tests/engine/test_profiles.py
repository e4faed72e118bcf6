from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.engine import profiles
from auditor.errors import InputError
from tests.conftest import run_cli

ALL_CODES = {"SC01", "SC02", "SS01", "SS02", "SS03", "SS04", "FU01", "FU02", "FU03", "QL01", "QL02", "QL03",
             "QL04", "AE01", "AE02", "AE03", "CO01", "CO02", "IN01", "IN02", "RG01", "RG02", "RG03"}


def test_default_profile_has_every_criterion_of_criteria_md() -> None:
    profile = profiles.load()
    assert {c.code for c in profile.criteria} == ALL_CODES
    assert profile.criterion("FU01").name == "follow-up.long-term"
    assert profile.criterion("follow-up.long-term").code == "FU01"
    assert all(c.fix and c.source and c.recommendation for c in profile.criteria)


def test_extends_overrides_and_removes(tmp_path: Path) -> None:
    child = {"id": "mine", "title": "Mine", "extends": "ho2022-cnslbp", "remove": ["IN01"],
             "criteria": [{"code": "FU01", "severity": "warning",
                           "met_when": {"follow_up.weeks_after_treatment": {"type": "number", "minimum": 26}}}]}
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(child))
    profile = profiles.load(str(path))
    fu01 = profile.criterion("FU01")
    assert profile.criterion("IN01") is None
    assert fu01.severity == "warning" and fu01.name == "follow-up.long-term"
    assert fu01.validators["met_when"].is_valid({"follow_up": {"weeks_after_treatment": 30}})


def test_expand_turns_dotted_paths_into_nested_required_properties() -> None:
    schema = profiles.expand({"a.b": {"minimum": 1}, "anyOf": [{"c.d": {"const": True}}]})
    assert schema == {"allOf": [
        {"anyOf": [{"type": "object", "properties": {"c": {"type": "object", "properties": {"d": {"const": True}},
                                                             "required": ["d"]}}, "required": ["c"]}]},
        {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"minimum": 1}},
                                                "required": ["b"]}}, "required": ["a"]},
    ]}


@pytest.mark.parametrize("doc, message", [
    ({"id": "x", "title": "X", "criteria": [{"code": "bad"}]}, "does not match"),
    ({"id": "x", "title": "X", "criteria": [{"code": "AA01", "name": "a.b", "group": "g", "severity": "error",
                                             "facts": ["no.such_fact"], "met_when": {}}]}, "unknown fact"),
    ({"id": "x", "title": "X", "extends": "nope", "criteria": []}, "extends unknown profile"),
    ({"id": "x", "title": "X", "criteria": [{"code": "AA01", "name": "a.b"}]}, "lacks"),
    ({"id": "x", "title": "X", "extends": "ho2022-cnslbp", "remove": ["ZZ99"], "criteria": []}, "unknown criterion"),
])
def test_bad_profiles_are_input_errors(tmp_path: Path, doc: dict, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=message):
        profiles.load(str(path))


def test_profile_that_extends_itself(tmp_path: Path) -> None:
    path = tmp_path / "loop.json"
    path.write_text(json.dumps({"id": "loop", "title": "L", "extends": "loop.json", "criteria": []}))
    with pytest.raises(InputError, match="extends itself"):
        profiles.load(str(path))


def test_bad_profile_on_the_command_line_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    result = run_cli("check", "--profile", str(path), "examples/protocols/minimal.yaml")
    assert result.exit_code == 2
    assert str(path) in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("condition", [
    {"follow_up.weeks_after_treatmnt": {"type": "number", "minimum": 26}},
    {"anyOf": [{"outcomes.count": {"const": 0}}, {"follow_up.weeks_after_treatmnt": {"exclusiveMaximum": 26}}]},
])
def test_a_misspelt_fact_in_a_condition_is_exit_2_naming_the_nearest_fact(tmp_path: Path, condition: dict) -> None:
    """A condition on a fact that does not exist never holds: FU01 would never be met, silently."""
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"id": "mine", "title": "Mine", "extends": "ho2022-cnslbp",
                                "criteria": [{"code": "FU01", "met_when": condition}]}))
    result = run_cli("check", "--profile", str(path), "examples/protocols/minimal.yaml", "--isolated")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"trial-audit: {path}: criterion FU01 met_when names unknown fact "
                                     "'follow_up.weeks_after_treatmnt'; did you mean "
                                     "'follow_up.weeks_after_treatment'?")

