"""Reviewer extraction sheets: default column names, a team's own mapping, CSV and XLSX."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from auditor.errors import InputError, RecordError
from auditor.sources import detect, spreadsheet
from tests.sources.conftest import FIXTURES, read_all


def test_default_columns():
    records, errors = read_all(FIXTURES / "review_sheet.csv")
    first, second = records
    assert first.source.format == "spreadsheet" and first.registry == "spreadsheet"
    assert first.trial_id == "NCT09000001" and first.enrollment.count.value == 120
    assert first.design.allocation.value == "Randomized"
    assert [w.value for w in first.design.who_masked] == ["PARTICIPANT", "OUTCOMES_ASSESSOR"]
    assert [a.label.value for a in first.arms] == ["Graded activity", "Usual care"]
    assert [(o.measure.value, o.time_frame.value) for o in first.outcomes] == [
        ("Pain intensity (NRS)", "12 months"), ("Disability (RMDQ)", "3 and 12 months")]
    assert first.outcomes[0].time_frame.at == "row 2, column Outcome time frame"
    assert second.title.value == "Yoga, multi-line\ntitle" and second.title.line == 4
    assert (second.enrollment.count.value, second.enrollment.count.text) == (60, "60 (30 per arm)")
    assert second.enrollment.count.at == "row 4, column Enrollment"
    # a row with values but neither id nor title is reported, blank rows are not records
    (err,) = errors
    assert isinstance(err, RecordError) and "row 5" in err.one_line()


def test_team_mapping_from_environment(monkeypatch):
    monkeypatch.setenv(spreadsheet.MAPPING_ENV, str(FIXTURES / "review_mapping.yaml"))
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


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Extraction"
    sheet.append(["NCT ID", "Title", "Enrollment", "Allocation", "Primary outcome", "Outcome time frame", "Start date"])
    sheet.append(["NCT09000001", "Graded activity", 120, "Randomized", "Pain", "12 months", datetime(2015, 8, 3)])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_xlsx_is_detected_and_read_with_cell_references(tmp_path):
    path = tmp_path / "extraction.xlsx"
    path.write_bytes(_xlsx())
    records, errors = read_all(path)  # through containers: an XLSX is a zip but must stay whole
    assert not errors
    (r,) = records
    assert r.source.path == str(path) and r.enrollment.count.value == 120
    assert r.enrollment.count.at == "Extraction!C2 (Enrollment)"
    assert r.dates.start_parsed.isoformat() == "2015-08-03"
    assert detect(_xlsx()[:65536], "no-extension").NAME == "spreadsheet"


def test_ictrp_csv_is_not_taken_for_a_review_sheet():
    head = (FIXTURES / "ictrp_header.csv").read_bytes()
    assert not spreadsheet.sniff(head, "x.csv")
    assert detect(head, "x.csv").NAME == "ictrp-csv"
