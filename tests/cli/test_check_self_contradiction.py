"""Acceptance tests: `check` on inputs that contradict themselves, hold unreadable cells or leave the
arms undescribed (findings of a new-user run): the report says so instead of judging silently."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

CONTRADICTED = """\
trial:
  title: Exercise for chronic low back pain
outcomes:
  - measure: Pain intensity
    primary: true
    time_frame: baseline, 6 and 12 months
    time_points:
      - {weeks: 6, from: baseline}
      - {weeks: 12, from: baseline}
"""


def _findings(result) -> dict[str, dict]:
    return {f["code"]: f for f in json.loads(result.stdout)["audits"][0]["findings"]}


def test_time_points_that_contradict_the_time_frame_are_unclear_and_say_so(tmp_path: Path) -> None:
    path = tmp_path / "protocol.yaml"
    path.write_text(CONTRADICTED)
    findings = _findings(run_cli("check", "--isolated", str(path), "--format", "json", "--select", "FU01,FU02"))
    for code in ("FU01", "FU02"):
        assert findings[code]["status"] == "unclear"
        assert "time points and its time frame disagree" in findings[code]["message"]
        quotes = [e["quote"] for e in findings[code]["evidence"]]
        assert "12" in quotes and "baseline, 6 and 12 months" in quotes
    text = run_cli("check", "--isolated", str(path), "--select", "FU01").stdout
    assert "the outcome's time points disagree with its time frame “baseline, 6 and 12 months”" in text


def test_a_sheet_cell_that_cannot_be_read_is_one_line_naming_file_cell_and_column(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("NCT ID,Title,Enrollment\nNCT09000001,Yoga for CLBP,#VALUE!\nNCT09000002,Walking for CLBP,120\n")
    result = run_cli("check", "--isolated", str(path), "--format", "json", "--select", "SS03")
    assert result.exit_code == 2  # an input that could not be audited is no pass
    report = json.loads(result.stdout)
    assert [a["record"]["trial_id"] for a in report["audits"]] == ["NCT09000002"]
    (error,) = report["errors"]
    assert (error["where"], error["record_id"]) == ("row 2, column Enrollment", "NCT09000001")
    assert f"trial-audit: {path}:2 (row 2, column Enrollment): cell holds the spreadsheet error #VALUE!" in result.stderr


def test_the_starter_files_undescribed_arms_leave_the_interventions_unclear_not_judged(tmp_path: Path) -> None:
    path = tmp_path / "draft.yaml"
    assert run_cli("init", str(path)).exit_code == 0
    result = run_cli("check", "--isolated", str(path), "--format", "json", "--select", "IN01,IN02")
    audit = json.loads(result.stdout)["audits"][0]
    assert audit["facts"]["treatment"]["intervention_categories"] is None
    assert audit["facts"]["treatment"]["psych_with_physio"] is None
    findings = _findings(result)
    assert {code: f["status"] for code, f in findings.items()} == {"IN01": "unclear", "IN02": "unclear"}
    assert "does not say what it delivers" in findings["IN01"]["message"]
