"""A team's own column mapping (from the environment or an argument) and what it may not say."""

from __future__ import annotations

import pytest

from auditor.errors import InputError
from auditor.sources import sheet_columns, spreadsheet
from tests.sources.conftest import FIXTURES, read_all


def test_team_mapping_from_environment(monkeypatch):
    monkeypatch.setenv(sheet_columns.MAPPING_ENV, str(FIXTURES / "review_mapping.yaml"))
    records, errors = read_all(FIXTURES / "review_custom.csv")
    assert not errors
    (r,) = records
    assert (r.trial_id, r.registry, r.title.value) == ("ACTRN12619000001", "review extraction", "Pain education")
    assert r.enrollment.count.value == 80 and r.design.allocation.value == "Randomised"
    assert [(o.measure.value, o.time_frame.value) for o in r.outcomes] == [("Pain", "26 weeks"), ("Function", "26 weeks")]


def test_mapping_argument_and_missing_column_is_an_error():
    data = (FIXTURES / "review_custom.csv").read_bytes()
    with pytest.raises(InputError, match="no such column"):
        list(spreadsheet.read_sheet(data, "x.csv", mapping={"columns": {"trial_id": "Trial number"}}))
    with pytest.raises(InputError, match="unknown target"):
        list(spreadsheet.read_sheet(data, "x.csv", mapping={"columns": {"sample": "Study"}}))


def test_sheet_without_id_or_title_column():
    with pytest.raises(InputError, match="no trial id or title column"):
        list(spreadsheet.read_sheet(b"Enrollment,Allocation\n10,Randomized\n", "x.csv"))


def test_headers_match_ignoring_case_spaces_and_punctuation():
    assert sheet_columns.norm(" NCT-ID ") == "nct id" and sheet_columns.norm(None) == ""
    assert sheet_columns.DEFAULT_LOOKUP["nct id"] == "trial_id"
