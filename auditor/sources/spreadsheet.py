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
punctuation; in `sheet_columns`, with the mapping's loading and matching) is used. A mapped column
that is missing from the sheet is an error (a typo in the mapping must not silently leave a fact
unknown).

| TrialRecord | target key | default column names |
|---|---|---|
| trial_id | trial_id | NCT ID, Trial ID, TrialID, Registration number, Registry ID |
| registry | registry | Registry (else the mapping's ``registry_name``, else the registry the trial id belongs to, "NCT..." -> ClinicalTrials.gov; else "unknown") |
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
``Sheet!C5 (NAME)`` (XLSX); the sheet is read as a table (header, rows, cell locations) by
`sheet_tables`, and here each row becomes a record. A row whose mapped cell holds an error value
(``#VALUE!``) or a formula whose value the file does not keep (``=SUM(C2:C4)``) is reported, naming
the file, the cell and its column, and not audited (read as empty, the fact would silently be unknown).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from auditor import identity
from auditor.errors import RecordError
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
from auditor.sources import fields
from auditor.sources.sheet_columns import (
    DEFAULT_LOOKUP,
    MAPPING_ENV,
    custom_columns,
    load_mapping,
    mapped_columns,
    norm,
)
from auditor.sources.sheet_tables import csv_table, ragged, unreadable, xlsx_table
from auditor.sources.spool import Content

NAME = "spreadsheet"
DESCRIPTION = "reviewer extraction sheet (CSV or XLSX), columns from TRIAL_AUDIT_COLUMN_MAP or common names"
STREAMS = True  # a large sheet arrives as a spool.Spool: rows are read from disk one by one

def sniff(head: bytes, name: str) -> bool:
    if head[:4] == b"PK\x03\x04":
        return name.lower().endswith((".xlsx", ".xlsm")) or b"xl/" in head
    if b"\x00" in head[:1024] or head.lstrip()[:1] in (b"{", b"[", b"<"):
        return False
    line = head.decode("utf-8-sig", "replace").splitlines()[0] if head.strip() else ""
    cells = {norm(c) for c in re.split(r"[,;\t]", line)}
    if {"trialid", "public title"} <= cells:  # an ICTRP export, not a review sheet
        return False
    custom = custom_columns()
    known = {c for c in cells if c in DEFAULT_LOOKUP or c in custom}
    return len(known) >= 2


def read(data: Content, origin: str) -> Iterator[TrialRecord | RecordError]:
    yield from read_sheet(data, origin, mapping=None)


def read_sheet(data: Content, origin: str, mapping: dict[str, Any] | None = None) -> Iterator[TrialRecord | RecordError]:
    """Records of one sheet; ``mapping`` overrides ``TRIAL_AUDIT_COLUMN_MAP`` and the defaults."""
    if mapping is None and os.environ.get(MAPPING_ENV):
        mapping = load_mapping(os.environ[MAPPING_ENV])
    mapping = mapping or {}
    header, rows, locate = xlsx_table(data, origin, mapping.get("sheet")) if data[:4] == b"PK\x03\x04" \
        else csv_table(data, origin)
    columns = mapped_columns(header, mapping, origin)
    separators = str(mapping.get("separator", ";")) + "\n"
    strict = data[:4] != b"PK\x03\x04"  # CSV: a row must fit its header; XLSX cells cannot shift
    for index, (row_number, row) in enumerate(rows):
        if strict and (why := ragged(row, len(header))):
            yield RecordError(origin, why, where=f"row {row_number}", line=locate(row_number, 0, "")["line"],
                              index=index)
            continue
        if problem := _unreadable(origin, row, row_number, columns, header, locate, index):
            yield problem
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
                          mapping.get("registry_name"))
        except (TypeError, ValueError) as exc:
            yield RecordError(origin, f"cannot map row: {exc}", where=where, index=index,
                              record_id=sheet.value("trial_id"))


def _unreadable(origin: str, row: list[str | None], row_number: int, columns: dict[str, int], header: list[str],
                locate: Any, index: int) -> RecordError | None:
    """A row with a mapped cell that holds no value (an error value, a formula without its value) is
    not audited: read as empty, the fact would be silently unknown ("the target enrollment is not
    stated"). The error names the first such cell (sheet, cell, column) and the others."""
    bad = [(i, why) for i in sorted(set(columns.values())) if i < len(row) and (why := unreadable(row[i]))]
    if not bad:
        return None
    (first, why), more = bad[0], [locate(row_number, i, header[i])["at"] for i, _ in bad[1:]]
    where = locate(row_number, first, header[first])
    also = f" (also unreadable: {', '.join(more)})" if more else ""
    ident = columns.get("trial_id")
    record_id = fields.clean(row[ident]) if ident is not None and ident < len(row) and ident not in dict(bad) else None
    return RecordError(origin, f"cell {why}{also}", where=where["at"], line=where["line"], index=index,
                       record_id=record_id)


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


def _record(row: _Row, source: SourceRef, registry: str | None) -> TrialRecord:
    masking = row.text("design.masking")
    who = row.items("design.who_masked")
    count = row.cells.get("enrollment.count")
    kind = row.cells.get("enrollment.type")
    posted = (row.value("results.posted") or "").lower() in ("yes", "true", "1", "y")
    return TrialRecord(
        source=source,
        # A sheet is no registry: without a stated one, the trial id says where the trial is registered.
        registry=row.value("registry") or (str(registry) if registry else None)
        or identity.registry_of(row.value("trial_id")) or "unknown",
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
