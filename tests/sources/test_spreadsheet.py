"""Reviewer extraction sheets: rows as records with the default column names; an ICTRP export is no sheet."""

from __future__ import annotations

from auditor.errors import RecordError
from auditor.sources import detect, spreadsheet
from tests.sources.conftest import FIXTURES, read_all


def test_default_columns():
    records, errors = read_all(FIXTURES / "review_sheet.csv")
    first, second = records
    assert first.source.format == "spreadsheet" and first.registry == "ClinicalTrials.gov"
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


def test_ictrp_csv_is_not_taken_for_a_review_sheet():
    head = (FIXTURES / "ictrp_header.csv").read_bytes()
    assert not spreadsheet.sniff(head, "x.csv")
    assert detect(head, "x.csv").NAME == "ictrp-csv"


def test_a_row_without_registry_is_counted_under_its_ids_registry_not_as_a_registry_named_spreadsheet(tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Trial ID,Title\nISRCTN12345678,Yoga for CLBP\nLocal-7,Walking for CLBP\n")
    records, errors = read_all(sheet)
    assert not errors
    assert [r.registry for r in records] == ["ISRCTN", "unknown"]


def test_a_row_with_an_unreadable_cell_is_reported_naming_the_cell_and_column_not_read_as_empty(tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("NCT ID,Title,Enrollment,Allocation\n"
                     "NCT09000001,Yoga for CLBP,=SUM(C5:C7),#N/A\n"
                     "NCT09000002,Walking for CLBP,120,Randomized\n"
                     "NCT09000003,Pilates for CLBP,#VALUE!,Randomized\n")
    records, errors = read_all(sheet)
    assert [r.trial_id for r in records] == ["NCT09000002"]
    first, second = errors
    assert isinstance(first, RecordError) and first.record_id == "NCT09000001"
    assert first.one_line() == (f"{sheet}:2 (row 2, column Enrollment): cell holds the formula =SUM(C5:C7), not its "
                                "value: save the sheet with its values (paste as values, or open and save it in a "
                                "spreadsheet program) and audit it again (also unreadable: row 2, column Allocation)")
    assert second.one_line().startswith(f"{sheet}:4 (row 4, column Enrollment): cell holds the spreadsheet error #VALUE!")
