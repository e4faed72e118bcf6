"""Reviewer extraction sheets (CSV or XLSX): one trial per row, columns named by the review team.

A systematic review's extraction sheet is audited like a registry: each row becomes a TrialRecord.
Which column holds what comes from a *column mapping*: a YAML/JSON file (path in the environment
variable ``TRIAL_AUDIT_COLUMN_MAP``, or ``read_sheet(..., mapping=...)``) of the form::

    columns:                      # TrialRecord target: column header (or a list of candidates)
      trial_id: "Registration no."
      enrollment.count: "N randomised"
      outcomes.primary.measure: "Primary outcome"
      outcomes.primary.time_frame: "Primary outcome timing"
    sheet: Extraction             # XLSX only; default: the first sheet
    separator: ";"                # splits list cells (arms, interventions, outcomes); newlines always do
    registry_name: "review sheet" # registry name when no column gives it

Without a mapping, ``DEFAULT_COLUMNS`` (common header names, matched ignoring case, spaces and
punctuation) is used. A mapped column that is missing from the sheet is an error (a typo in the
mapping must not silently leave a fact unknown).

| TrialRecord | target key | default column names |
|---|---|---|
| trial_id | trial_id | NCT ID, Trial ID, TrialID, Registration number, Registry ID |
| registry | registry | Registry (else the mapping's ``registry_name``, else "spreadsheet") |
| title, official_title, acronym | title, official_title, acronym | Title / Official title, Scientific title / Acronym |
| status | status | Status, Recruitment status, Overall status |
| conditions, keywords | conditions, keywords (lists) | Condition(s) / Keywords |
| summary, eligibility | summary, eligibility | Summary, Brief summary / Eligibility, Eligibility criteria, Inclusion criteria |
| design.* | design.study_type, allocation, intervention_model, masking, who_masked (list, API v2 role names), phases (list), description | Study type, Allocation, Randomisation, Intervention model, Masking, Blinding, Who masked, Phase, Design |
| enrollment.count / type | enrollment.count / enrollment.type | Enrollment, Sample size, Target size / Enrollment type |
| arms[] | arms (list of labels) | Arms, Arm groups, Groups |
| interventions[] | interventions (list of names) | Intervention(s) |
| outcomes[] | outcomes.{primary,secondary}.{measure,time_frame} | Primary outcome, Outcome, Outcome measure / Outcome time frame, Time frame; Secondary outcome(s) / Secondary outcome time frame |
| dates.start / registered | dates.start / dates.registered | Start date / Registration date, First submitted |
| results.posted | results.posted (yes/true/1) | Results posted |

Outcome lists: a measure cell with several items (``;`` or one per line) and a time-frame cell with
as many items are paired in order; otherwise the time-frame cell applies to every measure when it is
a single item, else each side stays whole (one Outcome). ``at`` is ``row N, column NAME`` (CSV) or
``Sheet!C5 (NAME)`` (XLSX).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import yaml

from auditor.errors import InputError, RecordError
from auditor.model import (
    Arm,
    Design,
    Enrollment,
    Intervention,
    Outcome,
    OutcomeKind,
    Results,
    SourceRef,
    Text,
    TrialRecord,
)
from auditor.sources import fields, ictrp_csv
from auditor.sources.spool import Content, Spool

NAME = "spreadsheet"
DESCRIPTION = "reviewer extraction sheet (CSV or XLSX), columns from TRIAL_AUDIT_COLUMN_MAP or common names"
STREAMS = True  # a large sheet arrives as a spool.Spool: rows are read from disk one by one
MAPPING_ENV = "TRIAL_AUDIT_COLUMN_MAP"

DEFAULT_COLUMNS: dict[str, list[str]] = {
    "trial_id": ["NCT ID", "NCT", "NCT number", "Trial ID", "TrialID", "Registration number", "Registry ID",
                 "Registration ID", "Study ID"],
    "registry": ["Registry"],
    "title": ["Title", "Brief title", "Study title", "Public title"],
    "official_title": ["Official title", "Scientific title"],
    "acronym": ["Acronym"],
    "status": ["Status", "Recruitment status", "Overall status"],
    "conditions": ["Condition", "Conditions"],
    "keywords": ["Keywords"],
    "summary": ["Summary", "Brief summary"],
    "eligibility": ["Eligibility", "Eligibility criteria", "Inclusion criteria"],
    "design.study_type": ["Study type"],
    "design.allocation": ["Allocation", "Randomisation", "Randomization"],
    "design.intervention_model": ["Intervention model"],
    "design.masking": ["Masking", "Blinding"],
    "design.who_masked": ["Who masked", "Masked roles"],
    "design.phases": ["Phase", "Phases"],
    "design.description": ["Design", "Study design"],
    "enrollment.count": ["Enrollment", "Enrolment", "Sample size", "Target size", "Target sample size"],
    "enrollment.type": ["Enrollment type", "Enrolment type"],
    "arms": ["Arms", "Arm groups", "Groups"],
    "interventions": ["Intervention", "Interventions"],
    "outcomes.primary.measure": ["Primary outcome", "Primary outcomes", "Outcome", "Outcome measure",
                                 "Primary outcome measure"],
    "outcomes.primary.time_frame": ["Outcome time frame", "Time frame", "Primary outcome time frame",
                                    "Timepoint", "Time points"],
    "outcomes.secondary.measure": ["Secondary outcome", "Secondary outcomes", "Secondary outcome measure"],
    "outcomes.secondary.time_frame": ["Secondary outcome time frame"],
    "dates.start": ["Start date", "Study start"],
    "dates.registered": ["Registration date", "Date registered", "First submitted"],
    "results.posted": ["Results posted", "Has results"],
}
_LISTS = {"conditions", "keywords", "design.who_masked", "design.phases", "arms", "interventions"}


def _norm(header: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(header or "").lower()).strip()


_DEFAULT_LOOKUP = {_norm(name): key for key, names in DEFAULT_COLUMNS.items() for name in names}


def sniff(head: bytes, name: str) -> bool:
    if head[:4] == b"PK\x03\x04":
        return name.lower().endswith((".xlsx", ".xlsm")) or b"xl/" in head
    if b"\x00" in head[:1024] or head.lstrip()[:1] in (b"{", b"[", b"<"):
        return False
    line = head.decode("utf-8-sig", "replace").splitlines()[0] if head.strip() else ""
    cells = {_norm(c) for c in re.split(r"[,;\t]", line)}
    if {"trialid", "public title"} <= cells:  # an ICTRP export, not a review sheet
        return False
    custom = _custom_columns()
    known = {c for c in cells if c in _DEFAULT_LOOKUP or c in custom}
    return len(known) >= 2


def read(data: Content, origin: str) -> Iterator[TrialRecord | RecordError]:
    yield from read_sheet(data, origin, mapping=None)


def load_mapping(path: str | Path) -> dict[str, Any]:
    """A column-mapping file (YAML or JSON) as a dict, or an InputError naming the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        doc = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"cannot read column mapping: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(str(path), "column mapping must be a mapping of target: column")
    return doc


def read_sheet(data: Content, origin: str, mapping: dict[str, Any] | None = None) -> Iterator[TrialRecord | RecordError]:
    """Records of one sheet; ``mapping`` overrides ``TRIAL_AUDIT_COLUMN_MAP`` and the defaults."""
    if mapping is None and os.environ.get(MAPPING_ENV):
        mapping = load_mapping(os.environ[MAPPING_ENV])
    mapping = mapping or {}
    header, rows, locate = _xlsx(data, origin, mapping.get("sheet")) if data[:4] == b"PK\x03\x04" \
        else _csv(data, origin)
    columns = _columns(header, mapping, origin)
    separators = str(mapping.get("separator", ";")) + "\n"
    strict = data[:4] != b"PK\x03\x04"  # CSV: a row must fit its header; XLSX cells cannot shift
    for index, (row_number, row) in enumerate(rows):
        if strict and (why := ragged(row, len(header))):
            yield RecordError(origin, why, where=f"row {row_number}", line=locate(row_number, 0, "")["line"],
                              index=index)
            continue
        cells = {key: (row[i] if i < len(row) else None, locate(row_number, i, header[i]))
                 for key, i in columns.items()}
        sheet = _Row(cells, separators)
        where = f"row {row_number}"
        if sheet.value("trial_id") is None and sheet.value("title") is None:
            yield RecordError(origin, "row has neither a trial id nor a title", where=where, index=index)
            continue
        try:
            yield _record(sheet, SourceRef(path=origin, format=NAME, index=index),
                          str(mapping.get("registry_name", "spreadsheet")))
        except (TypeError, ValueError) as exc:
            yield RecordError(origin, f"cannot map row: {exc}", where=where, index=index,
                              record_id=sheet.value("trial_id"))


def _custom_columns() -> set[str]:
    path = os.environ.get(MAPPING_ENV)
    if not path:
        return set()
    try:
        doc = load_mapping(path)
    except InputError:
        return set()
    cols = doc.get("columns", doc)
    return {_norm(c) for v in cols.values() for c in (v if isinstance(v, list) else [v])} if isinstance(cols, dict) else set()


def _columns(header: list[str], mapping: dict[str, Any], origin: str) -> dict[str, int]:
    """Target key -> column index, from the mapping's ``columns`` (all must exist) or the defaults."""
    position = {_norm(h): i for i, h in reversed(list(enumerate(header))) if _norm(h)}
    explicit = mapping.get("columns", {k: v for k, v in mapping.items() if "." in k or k in DEFAULT_COLUMNS})
    columns: dict[str, int] = {}
    for key, names in explicit.items():
        if key not in DEFAULT_COLUMNS:
            raise InputError(origin, f"column mapping: unknown target {key!r}; known: {', '.join(DEFAULT_COLUMNS)}")
        found = [position[_norm(n)] for n in (names if isinstance(names, list) else [names]) if _norm(n) in position]
        if not found:
            raise InputError(origin, f"column mapping: {key} -> {names!r}, but the sheet has no such column")
        columns[key] = found[0]
    for norm, i in position.items():
        key = _DEFAULT_LOOKUP.get(norm)
        if key and key not in columns:
            columns[key] = i
    if "trial_id" not in columns and "title" not in columns:
        raise InputError(origin, "sheet has no trial id or title column (expected e.g. 'NCT ID' or 'Title'; "
                                 f"set {MAPPING_ENV} to a column mapping file)")
    return columns


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
    extra = row[width:]
    if len(row) < width:
        return f"row has {len(row)} cells, the header has {width}: a quote or delimiter is out of place"
    if any(c.strip() for c in extra):
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


def _csv(data: Content, origin: str):
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


def _xlsx(data: Content, origin: str, sheet: str | None):
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


class _Row:
    def __init__(self, cells: dict[str, tuple[str | None, dict[str, Any]]], separators: str):
        self.cells = cells
        self.separators = separators

    def value(self, key: str) -> str | None:
        return fields.clean(self.cells[key][0]) if key in self.cells else None

    def text(self, key: str) -> Text | None:
        return fields.text(self.cells[key][0], **self.cells[key][1]) if key in self.cells else None

    def items(self, key: str) -> list[Text]:
        whole = self.text(key)
        if whole is None:
            return []
        where = self.cells[key][1]
        return [Text(value=v, **where) for v in fields.split_list(whole.value, self.separators)]


def _record(row: _Row, source: SourceRef, registry: str) -> TrialRecord:
    masking = row.text("design.masking")
    who = row.items("design.who_masked")
    count = row.cells.get("enrollment.count")
    kind = row.cells.get("enrollment.type")
    posted = (row.value("results.posted") or "").lower() in ("yes", "true", "1", "y")
    return TrialRecord(
        source=source,
        registry=row.value("registry") or registry,
        trial_id=row.value("trial_id"),
        title=row.text("title"), official_title=row.text("official_title"), acronym=row.value("acronym"),
        status=row.text("status"), conditions=row.items("conditions"), keywords=row.items("keywords"),
        summary=row.text("summary"), eligibility=row.text("eligibility"),
        design=Design(study_type=row.text("design.study_type"), allocation=row.text("design.allocation"),
                      intervention_model=row.text("design.intervention_model"), masking=masking,
                      who_masked=[Text(value=fields.role(t.value), at=t.at, line=t.line) for t in who]
                      or fields.who_masked(masking),
                      phases=row.items("design.phases"), description=row.text("design.description")),
        enrollment=Enrollment(count=fields.number(count[0], **count[1]) if count else None,
                              type=fields.enrollment_type(kind[0], **kind[1]) if kind else None),
        arms=[Arm(label=t) for t in row.items("arms")],
        interventions=[Intervention(name=t) for t in row.items("interventions")],
        outcomes=_outcomes(row, "primary") + _outcomes(row, "secondary"),
        dates=fields.dated(start=row.text("dates.start"), registered=row.text("dates.registered")),
        results=Results(posted=posted, posted_at=row.cells["results.posted"][1]["at"] if posted else None),
    )


def _outcomes(row: _Row, kind: OutcomeKind) -> list[Outcome]:
    measures = row.items(f"outcomes.{kind}.measure")
    frames = row.items(f"outcomes.{kind}.time_frame")
    if not measures:
        return [Outcome(kind=kind, time_frame=row.text(f"outcomes.{kind}.time_frame"))] if frames else []
    if len(frames) == len(measures):
        return [Outcome(kind=kind, measure=m, time_frame=t) for m, t in zip(measures, frames)]
    if len(frames) <= 1:
        return [Outcome(kind=kind, measure=m, time_frame=frames[0] if frames else None) for m in measures]
    return [Outcome(kind=kind, measure=row.text(f"outcomes.{kind}.measure"),
                    time_frame=row.text(f"outcomes.{kind}.time_frame"))]
