"""schemas/report.schema.json is the contract of the serialised report: the Structs of
auditor/findings.py must have exactly its properties, and reports must be valid against it."""

import json
from typing import Any

import jsonschema
import msgspec
import pytest

from auditor import findings
from auditor.engine import profiles
from auditor.facts import Evidence
from auditor.findings import report_json_schema
from auditor.pipeline import check
from auditor.report import json_report
from tests.conftest import EXAMPLES, FIXTURES, REPO

SCHEMA = json.loads((REPO / "schemas" / "report.schema.json").read_text())
# Fields of the Structs that the serialised report leaves out (findings.as_data).
NOT_SERIALISED = {"RecordInfo": {"positions"}}


def test_report_json_schema_is_the_committed_file() -> None:
    assert report_json_schema() == SCHEMA


@pytest.mark.parametrize("struct", [findings.Report, findings.TrialAudit, findings.RecordInfo, findings.Finding,
                                    findings.ProfileInfo, findings.InputProblem, findings.Totals, Evidence],
                         ids=lambda s: s.__name__)
def test_each_struct_has_the_properties_of_its_schema_definition(struct: type[msgspec.Struct]) -> None:
    node: dict[str, Any] = SCHEMA if struct is findings.Report else SCHEMA["$defs"][struct.__name__]
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    kept = [f for f in info.fields if f.name not in NOT_SERIALISED.get(struct.__name__, set())]
    assert list(node["properties"]) == [f.encode_name for f in kept]  # the same names in the same order
    assert sorted(node.get("required", [])) == sorted(f.encode_name for f in kept if f.required)
    assert node["additionalProperties"] is False


def _report(paths: list[str]) -> dict[str, Any]:
    report, _ = check(paths, profiles.load(), "error")
    return json.loads(json_report.render(report, profiles.load()))


def test_reports_are_valid_against_the_schema() -> None:
    examples = sorted(str(p) for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".json") and p.name != "expected.yaml")
    report = _report(examples + [str(FIXTURES / "invalid" / "broken.yaml")])
    assert len(report["audits"]) == len(examples) and report["errors"]
    assert any(f["evidence"] for a in report["audits"] for f in a["findings"])
    jsonschema.validate(report, SCHEMA)
    assert "positions" not in report["audits"][0]["record"]
