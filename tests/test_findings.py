import json

from auditor.findings import report_json_schema
from tests.conftest import REPO


def test_committed_report_schema_matches_the_models() -> None:
    committed = json.loads((REPO / "schemas" / "report.schema.json").read_text())
    assert committed == report_json_schema(), "schemas/report.schema.json is stale: regenerate it from auditor.findings.report_json_schema()"
