"""A review sheet as a table: its header, its rows (numbered as the sheet numbers them) and where
each cell is (`locate(row, index, column name)` -> Text location). CSV (RFC 4180, `;` or tab when a
sample says so; UTF-8, else Windows-1252) and XLSX (openpyxl, imported only for a workbook).

A cell may hold no value the sheet shows: an error value (`#VALUE!`, `#N/A`: its formula failed) or a
formula whose value the file does not keep (a CSV written with formulas, a workbook written by a
script and never opened in a spreadsheet program). Such a cell is kept as its text (`#VALUE!`,
`=SUM(C2:C4)`), and `unreadable` says why it is no value, so that the reader reports it instead of
reading it as empty."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from itertools import zip_longest
from typing import IO

from auditor.errors import InputError
from auditor.sources import ictrp_csv
from auditor.sources.spool import Content, Spool

SNIFF_CHARS = 65536
DELIMITERS = (",", ";", "\t")
# What a spreadsheet shows in a cell whose formula failed (Excel, LibreOffice and Google Sheets
# spell them alike; the last ones are Excel 365's).
ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
# A formula as a cell's text: "=" then at once a function, a cell, a number or a bracket ("=SUM(C2:C4)",
# "=B2*2", "=1+1"); "= 18 years" (a space after "=") is someone's words.
_FORMULA = re.compile(r"=[A-Za-z_$(\d+\-]")
# A worksheet's XML with a formula element (<f>, <f t="shared" ...>, a prefixed <x:f>).
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def unreadable(cell: str | None) -> str | None:
    """Why a cell's text is no value the sheet shows (an error value, a formula without its value),
    or None."""
    if cell is None:
        return None
    text = cell.strip()
    if text.upper() in ERROR_VALUES:
        return f"holds the spreadsheet error {text} (its formula failed), not a value: correct the formula or clear the cell"
    if _FORMULA.match(text):
        shown = text if len(text) <= 60 else text[:57] + "..."
        return (f"holds the formula {shown}, not its value: save the sheet with its values (paste as values, "
                "or open and save it in a spreadsheet program) and audit it again")
    return None


def dialect(text: str) -> type[csv.Dialect]:
    """The csv module's standard (RFC 4180) dialect, with `;` or tab as the delimiter only when a
    real sample (the first complete rows, quotes and `""` escapes parsed) says so: that delimiter
    gives a header of two or more columns and every sampled row as many cells. `text`: the sheet,
    or its first SNIFF_CHARS + 1 characters."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only
    best, best_width = ",", 0
    for delimiter in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        width = len(rows[0]) if rows else 0
        if width >= 2 and all(len(r) == width for r in rows) and width > best_width:
            best, best_width = delimiter, width
    if best == ",":
        return csv.excel
    return type("sniffed", (csv.excel,), {"delimiter": best})


def ragged(row: list[str], width: int) -> str | None:
    """Why a CSV row does not fit the header (cells would shift columns), or None."""
    if len(row) < width or any(c.strip() for c in row[width:]):
        return f"row has {len(row)} cells, the header has {width}: a quote or delimiter is out of place"
    return None


def _text(data: Content, origin: str) -> tuple[IO[str], str]:
    """The sheet as text (UTF-8, else Windows-1252) and its first SNIFF_CHARS characters; a Spool is
    decoded from disk as it is read (one pass first checks it is UTF-8), never held whole."""
    if not isinstance(data, Spool):
        text = ictrp_csv.decode(data, origin)
        return io.StringIO(text, newline=""), text[:SNIFF_CHARS + 1]
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    try:
        for chunk in data.chunks():
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "cp1252"  # every byte is some character except five: checked as it is read
    stream = io.TextIOWrapper(data.open(), encoding=encoding, newline="")
    head = stream.read(SNIFF_CHARS + 1)
    stream.seek(0)
    return stream, head


def csv_table(data: Content, origin: str):
    stream, sample = _text(data, origin)
    reader = csv.reader(_checked_lines(stream, origin), dialect(sample))
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise InputError(origin, f"broken CSV header: {exc}") from None
    lines = {1: 1}  # row number -> physical line where it starts (cells may span lines)

    def rows():
        end = reader.line_num
        number = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a NUL byte, an unterminated quote at the end
                raise InputError(origin, f"broken CSV at line {reader.line_num}: {exc}") from None
            number += 1
            lines.pop(number - 1, None)  # rows are located as they are read: keep the current one
            lines[number], end = end + 1, reader.line_num
            if any(c.strip() for c in row):
                yield number, row

    return header, rows(), lambda r, i, name: {"at": f"row {r}, column {name}", "line": lines.get(r)}


def _checked_lines(stream: IO[str], origin: str) -> Iterator[str]:
    """The lines of a text stream; a byte Windows-1252 does not define is one InputError."""
    try:
        yield from stream
    except UnicodeDecodeError as exc:
        raise InputError(origin, f"CSV is neither UTF-8 nor Windows-1252 text (byte {exc.start})") from None
    finally:
        stream.close()


def xlsx_table(data: Content, origin: str, sheet: str | None):
    import openpyxl  # imported here: only sheets need it, and it is slow to import
    from openpyxl.utils import get_column_letter
    try:
        book = openpyxl.load_workbook(data.open() if isinstance(data, Spool) else io.BytesIO(data),
                                      read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken workbook
        raise InputError(origin, f"cannot open XLSX workbook: {exc}") from None
    if sheet is not None and sheet not in book.sheetnames:
        raise InputError(origin, f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
    ws = book[sheet] if sheet else book.worksheets[0]
    values = ws.iter_rows(values_only=True)
    if _has_formulas(data):  # then the formulas whose value the file does not keep are read too
        formulas = openpyxl.load_workbook(data.open() if isinstance(data, Spool) else io.BytesIO(data),
                                          read_only=True, data_only=False)[ws.title]
        values = _with_formulas(values, formulas.iter_rows(values_only=True))
    all_rows = ((r, [_cell(v) for v in row]) for r, row in enumerate(values, 1))
    _, header = next(((r, row) for r, row in all_rows if any(row)), (0, []))
    rows = ((r, row) for r, row in all_rows if any(c for c in row))
    return ([h or "" for h in header], rows,
            lambda r, i, name: {"at": f"{ws.title}!{get_column_letter(i + 1)}{r} ({name})", "line": r,
                                "column": i + 1})


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _has_formulas(data: Content) -> bool:
    """Whether any worksheet of the workbook holds a formula: a scan of its XML for the formula
    element, so that a workbook without formulas (the usual review sheet) is parsed once."""
    try:
        with zipfile.ZipFile(data.open() if isinstance(data, Spool) else io.BytesIO(data)) as book:
            for name in book.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml") and _scan(book, name):
                    return True
    except (OSError, zipfile.BadZipFile):
        return False  # openpyxl opened it: nothing more to learn here
    return False


def _scan(book: zipfile.ZipFile, name: str) -> bool:
    tail = b""
    with book.open(name) as part:
        while chunk := part.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]  # a tag cut between two chunks
    return False


def _with_formulas(values: Iterator[tuple[object, ...]], formulas: Iterator[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
    """The cells' values, with a formula's text where the file keeps no value for it (openpyxl's
    data-only reading gives None there, as for an empty cell); `formulas`: the same rows as written."""
    for row, written in zip_longest(values, formulas, fillvalue=()):
        yield tuple(_formula_text(f) if v is None and f is not None else v
                    for v, f in zip_longest(row, written))


def _formula_text(written: object) -> object:
    """A formula as its text ("=SUM(C2:C4)"; an array formula keeps it in `.text`); None for anything else."""
    text = getattr(written, "text", written)
    return text if isinstance(text, str) and text.startswith("=") else None
