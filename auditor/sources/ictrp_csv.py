"""WHO ICTRP CSV: the portal/COVID-19 export with a header row, and the full export without one.

- With a header row (``TrialID,Last Refreshed on,Public title,...``) columns are matched by name.
- The full ICTRP export has no header: columns are positional, in the order of the ICTRP field list
  (`specs/ICTRP_export_datafields.txt`, ``FIELDS`` below). Older exports lack the fields added on
  22/05/2020 (Agemin, Agemax, Gender) and 01/11/2018 (Target_size); the column count tells which.
  Such files have no Source_Register column: the register is named from the TrialID prefix.

The field-by-field mapping is shared with the XML export: :mod:`auditor.sources.ictrp`.
``at`` is ``row N, column NAME`` (row 1 is the header when there is one); ``line`` is the physical
line where the row starts (cells may span lines).

A file larger than TRIAL_AUDIT_STREAM_BYTES arrives as a ``spool.Spool`` (`STREAMS`) and is
read row by row from disk: one pass first decides its encoding (UTF-8, else Windows-1252, refused
with the same error as when read whole), then the text is decoded as the rows are read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections.abc import Iterator
from typing import IO, Any

from auditor.errors import InputError, RecordError
from auditor.model import SourceRef, TrialRecord
from auditor.sources import ictrp
from auditor.sources.spool import Content, Spool

NAME = "ictrp-csv"
DESCRIPTION = "WHO ICTRP CSV export (portal CSV with header row, or headerless full export)"
STREAMS = True  # a large export arrives as a spool.Spool: rows are read from disk one by one

FIELDS: tuple[str, ...] = (
    "TrialID", "SecondaryIDs", "public_title", "Scientific_title", "url", "Public_Contact_Firstname",
    "Public_Contact_Lastname", "Public_Contact_Address", "Public_Contact_Email", "Public_Contact_Tel",
    "Public_Contact_Affiliation", "Scientific_Contact_Firstname", "Scientific_Contact_Lastname",
    "Scientific_Contact_Address", "Scientific_Contact_Email", "Scientific_Contact_Tel",
    "Scientific_Contact_Affiliation", "study_type", "study_design", "phase", "Date_registration",
    "Date_enrollement", "Target_size", "Recruitment_status", "Primary_sponsor", "Secondary_sponsors",
    "Source_Support", "Countries", "Conditions", "Interventions", "Agemin", "Agemax", "Gender",
    "Inclusion_Criteria", "Exclusion_Criteria", "Primary_Outcome", "Secondary_Outcomes", "Bridging_flag",
    "Bridged_type", "Childs", "type_enrolment", "Retrospective_flag", "results_actual_enrollment",
    "results_url_link", "results_summary", "results_date_posted", "results_date_first_publication",
    "results_baseline_char", "results_participant_flow", "results_adverse_events", "results_outcome_measures",
    "results_url_protocol", "results_IPD_plan", "results_IPD_description", "results_date_completed",
    "results_yes_no", "Ethics_Status", "Ethics_Approval_Date", "Ethics_Contact_Name", "Ethics_Contact_Address",
    "Ethics_Contact_Phone", "Ethics_Contact_Email",
)
_WITHOUT_AGE = tuple(f for f in FIELDS if f not in ("Agemin", "Agemax", "Gender"))
_WITHOUT_TARGET = tuple(f for f in _WITHOUT_AGE if f != "Target_size")
# Older exports also end before the ethics / results blocks; accept the known prefixes by length.
_LAYOUTS = {len(layout): layout for layout in (FIELDS, _WITHOUT_AGE, _WITHOUT_TARGET)}
_TRIAL_ID = re.compile(r"^\s*(?:NCT\d{8}|ChiCTR|ISRCTN\d|ACTRN\d|EUCTR\d|CTIS\d|IRCT\d|JPRN-|DRKS\d|NTR\d|"
                       r"NL-OMON|NL\d|TCTR\d|KCT\d|CTRI/|PACTR\d|SLCTR/|RBR-|RPCEC\d|PER-|LBCTR\d|ITMCTR\d)")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def sniff(head: bytes, name: str) -> bool:
    first = _first_row(head)
    if not first:
        return False
    names = {ictrp.canonical(cell) for cell in first}
    if "trialid" in names and "public_title" in names:
        return True
    return bool(_TRIAL_ID.match(first[0])) and len(first) in _LAYOUTS


def read(data: Content, origin: str) -> Iterator[TrialRecord | RecordError]:
    with _text(data, origin) as stream:
        reader = csv.reader(stream)
        try:
            first = next(reader)
        except StopIteration:
            raise InputError(origin, "CSV file has no rows") from None
        names = {ictrp.canonical(cell) for cell in first}
        rows: Iterator[list[str]]
        if "trialid" in names:
            header, rows, row_number = [c.strip() for c in first], reader, 1
        elif len(first) in _LAYOUTS:
            header, rows, row_number = list(_LAYOUTS[len(first)]), _chain(first, reader), 0
        else:
            raise InputError(origin, f"CSV has no TrialID header and {len(first)} columns, not an ICTRP "
                                     f"positional layout ({', '.join(map(str, sorted(_LAYOUTS)))} columns)")
        line = reader.line_num if row_number else 0
        for index, row in enumerate(rows):
            row_number += 1
            start_line, line = line + 1, reader.line_num
            where = f"row {row_number}"
            if len(row) != len(header):
                yield RecordError(origin, f"row has {len(row)} columns, the header has {len(header)}", where=where,
                                  line=start_line, index=index, record_id=row[0].strip() if row else None)
                continue
            values = dict(zip(header, row))

            def locate(col: str, w: str = where, ln: int = start_line) -> dict[str, Any]:
                return {"at": f"{w}, column {col}", "line": ln}

            yield ictrp.to_record(values, locate, SourceRef(path=origin, format=NAME, index=index), where)


def decode(data: bytes, origin: str) -> str:
    """UTF-8 (with or without BOM); Windows-1252 exports (older ICTRP downloads) as a fallback."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise InputError(origin, f"CSV is neither UTF-8 nor Windows-1252 text (byte {exc.start})") from None


def _text(data: Content, origin: str) -> IO[str]:
    """The file as text, as `decode` reads it: from memory, or a Spool decoded from disk as it is read."""
    if not isinstance(data, Spool):
        return io.StringIO(decode(data, origin), newline="")
    return io.TextIOWrapper(data.open(), encoding=_encoding(data, origin), newline="")


def _encoding(data: Spool, origin: str) -> str:
    """`decode`'s choice for a Spool, made in one pass over it (two when it is not UTF-8)."""
    for encoding in ("utf-8", "cp1252"):
        decoder, done = codecs.getincrementaldecoder(encoding)(), 0
        try:
            for chunk in data.chunks():
                decoder.decode(chunk)
                done += len(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            if encoding == "cp1252":  # a single-byte code: exc.start is within the chunk
                raise InputError(origin, f"CSV is neither UTF-8 nor Windows-1252 text (byte {done + exc.start})") from None
            continue
        return "utf-8-sig" if encoding == "utf-8" else encoding
    raise AssertionError("unreachable")  # the cp1252 pass returns or raises


def _first_row(head: bytes) -> list[str]:
    if b"\x00" in head[:1024]:
        return []
    text = head.decode("utf-8-sig", "replace")
    try:
        return next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return []


def _chain(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest
