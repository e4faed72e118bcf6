"""A review sheet as a table: its header, its rows (numbered as the sheet numbers them) and where
each cell is (`locate(row, index, column name)` -> Text location). CSV (RFC 4180, `;` or tab when a
sample says so; UTF-8, else Windows-1252) and XLSX (openpyxl, imported only for a workbook)."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO

from auditor.errors import InputError
from auditor.sources import ictrp_csv
from auditor.sources.spool import Content, Spool

SNIFF_CHARS = 65536
DELIMITERS = (",", ";", "\t")


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
    all_rows = ((r, [_cell(v) for v in row]) for r, row in enumerate(ws.iter_rows(values_only=True), 1))
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
