"""Every real ClinicalTrials.gov v2 record audits without a crash and gives a valid report."""

from __future__ import annotations

import json

import jsonschema

from auditor.resources import load_schema
from tests.conftest import run_cli


def _count_studies(folder) -> int:
    total = 0
    for path in folder.glob("*.json"):
        doc = json.loads(path.read_text())
        total += len(doc) if isinstance(doc, list) else len(doc.get("studies", [doc]))
    return total


def test_all_real_v2_records_audit(real_data) -> None:
    folder = real_data / "ctgov-v2"
    result = run_cli("check", str(folder), "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, load_schema("report"))
    assert report["totals"]["audited"] == _count_studies(folder) == 336
    assert report["totals"]["failed"] == 0
