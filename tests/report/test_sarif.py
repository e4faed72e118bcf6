"""SARIF output: every document validates against the official OASIS 2.1.0 schema."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.engine import profiles
from tests.conftest import EXAMPLES, FIXTURES, REPO, run_cli


def specs_dir() -> Path:
    return Path(os.environ.get("TRIAL_AUDIT_SPECS", REPO.parent / "shared" / "data" / "specs")).resolve()


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    path = specs_dir() / "sarif-schema-2.1.0.json"
    if not path.is_file():
        pytest.skip(f"SARIF 2.1.0 schema not found at {path} (set TRIAL_AUDIT_SPECS)")
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # draft-04, as its $schema says
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def sarif(validator: jsonschema.protocols.Validator, *args: str) -> tuple[dict[str, Any], int]:
    """Run `check --format sarif`, validate the output, return it with the exit code."""
    result = run_cli("check", "--isolated", "--format", "sarif", *args)
    doc = json.loads(result.stdout)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    return doc, result.exit_code


INPUTS = [
    [str(EXAMPLES / "protocols" / "gappy.yaml")],
    [str(EXAMPLES / "protocols" / "complete.yaml")],
    [str(EXAMPLES / "protocols" / "minimal.yaml")],
    [str(EXAMPLES / "registry" / "ctgov-short-follow-up.json")],
    [str(EXAMPLES / "registry" / "ctgov-long-follow-up.json")],
    [str(EXAMPLES)],  # a folder: all examples in one run
    [str(FIXTURES / "invalid" / "wrong-types.yaml")],  # schema errors: notifications
    [str(FIXTURES / "invalid" / "broken.yaml"), str(EXAMPLES / "protocols" / "gappy.yaml")],
    ["--profile", "trial-basics", "--min-severity", "error", str(EXAMPLES / "protocols" / "gappy.yaml")],
]


@pytest.mark.parametrize("args", INPUTS, ids=lambda a: " ".join(Path(x).name for x in a))
def test_every_sarif_output_validates_against_the_official_schema(sarif_validator, args: list[str]) -> None:
    doc, code = sarif(sarif_validator, *args)
    assert code in (0, 1, 2)
    assert doc["version"] == "2.1.0"


def test_rules_are_the_profile_criteria(sarif_validator) -> None:
    doc, _ = sarif(sarif_validator, str(EXAMPLES / "protocols" / "gappy.yaml"))
    driver = doc["runs"][0]["tool"]["driver"]
    profile = profiles.load()
    # The profile's criteria, then the two rules for inputs that could not be audited.
    assert [r["id"] for r in driver["rules"]] == [c.code for c in profile.criteria] + ["protocol-file", "unreadable-input"]
    level = {"error": "error", "warning": "warning", "info": "note"}
    for rule, crit in zip(driver["rules"], profile.criteria):
        assert rule["name"] == crit.name
        assert rule["defaultConfiguration"]["level"] == level[crit.severity]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] == crit.recommendation
        assert crit.source in rule["help"]["text"] and crit.recommendation in rule["help"]["text"]
        assert crit.fix and crit.fix in rule["help"]["text"]


def test_one_result_per_gap_with_the_line_of_its_field(sarif_validator) -> None:
    path = EXAMPLES / "protocols" / "gappy.yaml"
    doc, code = sarif(sarif_validator, str(path))
    report = json.loads(run_cli("check", "--isolated", "--format", "json", str(path)).stdout)
    gaps = {f["code"]: f for f in report["audits"][0]["findings"] if f["status"] in ("not_met", "unclear")}
    results = doc["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == sorted(gaps)
    assert code == 1
    lines = path.read_text().splitlines()
    for res in results:
        region = res["locations"][0]["physicalLocation"]["region"]
        assert 1 <= region["startLine"] <= len(lines)
        assert res["properties"]["status"] == gaps[res["ruleId"]]["status"]
        quoted = {e["line"] for e in gaps[res["ruleId"]]["evidence"] if e.get("line")}
        if quoted:  # a gap with quotes points at one of them
            assert region["startLine"] in quoted
    by_rule = {r["ruleId"]: r for r in results}
    # A missing field points at its section's key line and says so.
    ss04 = by_rule["SS04"]["locations"][0]
    assert lines[ss04["physicalLocation"]["region"]["startLine"] - 1].startswith("sample_size:")
    assert "sample_size.calculation" in ss04["message"]["text"]
    # A gap with evidence points at the quoted value (the sample-size target of 60).
    ss01_line = by_rule["SS01"]["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert "target: 60" in lines[ss01_line - 1]


def test_min_severity_limits_results(sarif_validator) -> None:
    path = str(EXAMPLES / "protocols" / "gappy.yaml")
    everything, _ = sarif(sarif_validator, path)
    errors_only, _ = sarif(sarif_validator, "--min-severity", "error", path)
    assert {r["level"] for r in errors_only["runs"][0]["results"]} == {"error"}
    assert len(errors_only["runs"][0]["results"]) < len(everything["runs"][0]["results"])


def test_registry_records_get_logical_locations(sarif_validator) -> None:
    doc, _ = sarif(sarif_validator, str(EXAMPLES / "registry" / "ctgov-short-follow-up.json"))
    logical = [loc["logicalLocations"][0] for r in doc["runs"][0]["results"] for loc in r["locations"]
               if "logicalLocations" in loc]
    assert logical
    assert any(ll["fullyQualifiedName"].startswith("NCT") and "/protocolSection/" in ll["fullyQualifiedName"]
               for ll in logical)


def test_unreadable_input_is_a_notification_with_its_line(sarif_validator) -> None:
    doc, code = sarif(sarif_validator, str(FIXTURES / "invalid" / "wrong-types.yaml"))
    assert code == 2
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    lines = sorted(n["locations"][0]["physicalLocation"]["region"]["startLine"]
                   for n in invocation["toolExecutionNotifications"])
    assert lines == [4, 7, 9, 13]  # one notification per schema violation
    # ... and one result each, so that code scanning shows an alert on the line.
    results = doc["runs"][0]["results"]
    assert sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results) == [4, 7, 9, 13]
    assert {r["ruleId"] for r in results} == {"protocol-file"}


@pytest.mark.parametrize("folder", ["ctgov-v2", "ctgov-xml"])
def test_sarif_of_real_registry_records_validates(sarif_validator, real_data: Path, folder: str) -> None:
    files = sorted((real_data / folder).iterdir())[:8]
    doc, _ = sarif(sarif_validator, *map(str, files))
    results = doc["runs"][0]["results"]
    assert results
    # Registry records: the file as artifact, the record's field as logical location.
    assert all("region" not in r["locations"][0]["physicalLocation"] for r in results)
    assert any("logicalLocations" in r["locations"][0] for r in results)
