"""A sheet as a table: XLSX cell references, the CSV dialect a sample shows, rows that do not fit."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import openpyxl

from auditor.sources import detect
from auditor.sources.sheet_tables import dialect, ragged, unreadable, xlsx_table
from tests.sources.conftest import read_all


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


def test_a_delimiter_other_than_comma_only_when_every_sampled_row_agrees():
    assert dialect("a;b\n1;2\n").delimiter == ";"
    assert dialect("a\tb\tc\n1\t2\t3\n").delimiter == "\t"
    assert dialect("a;b\n1;2;3\n") is csv.excel
    assert dialect('a,b\n"x; y",2\n') is csv.excel


def test_ragged_rows():
    assert ragged(["a", "b"], 2) is None and ragged(["a", "b", " "], 2) is None
    assert "2 cells, the header has 3" in (ragged(["a", "b"], 3) or "")
    assert ragged(["a", "b", "c"], 2) is not None


def _with_cells(*cells: object, cached: str | None = None) -> bytes:
    """A workbook with one row of `cells` under NCT ID, Title, Enrollment; `cached`: the value a
    spreadsheet program keeps beside each formula (openpyxl writes none)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Extraction"
    sheet.append(["NCT ID", "Title", "Enrollment"])
    sheet.append(list(cells))
    buf = io.BytesIO()
    book.save(buf)
    if cached is None:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<v />", f"<v>{cached}</v>".encode())
            dst.writestr(item, data)
    return out.getvalue()


def test_error_values_and_formulas_without_a_value_are_unreadable():
    assert "spreadsheet error #VALUE!" in (unreadable("#VALUE!") or "")
    assert "spreadsheet error #N/A" in (unreadable(" #N/A ") or "")
    assert "formula =SUM(C2:C4), not its value" in (unreadable("=SUM(C2:C4)") or "")
    assert unreadable("=B2*2") and unreadable("=1+1")
    for readable in (None, "", "120", "= 18 years", "#1 priority", "approx. 100"):
        assert unreadable(readable) is None


def test_a_workbook_formula_without_its_value_is_read_as_the_formula_not_as_empty():
    _, rows, _ = xlsx_table(_with_cells("NCT09000001", "Yoga", "=SUM(1,2)"), "x.xlsx", None)
    assert list(rows) == [(2, ["NCT09000001", "Yoga", "=SUM(1,2)"])]
    # A spreadsheet program keeps the value beside the formula: that value is the cell.
    _, rows, _ = xlsx_table(_with_cells("NCT09000001", "Yoga", "=SUM(1,2)", cached="3"), "x.xlsx", None)
    assert list(rows) == [(2, ["NCT09000001", "Yoga", "3"])]
    _, rows, _ = xlsx_table(_with_cells("NCT09000001", "Yoga", "#VALUE!"), "x.xlsx", None)
    assert list(rows) == [(2, ["NCT09000001", "Yoga", "#VALUE!"])]
