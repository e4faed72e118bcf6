"""The one definition of the batch tables' columns: shared by the worker (which builds Arrow tables),
the store (which creates the DuckDB tables), the exports and the codebook (`docs/tables.md`,
written by `trial-audit report --codebook` and held equal to this module by a test). No DuckDB
import here, so a worker never loads it.

To add a column: define it here (a key fact: KEY_FACTS; a record field: SCREENING), fill it in
`auditor.batch.rows`, regenerate docs/tables.md; docs/architecture.md says where the rest goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import pyarrow as pa

from auditor.resources import load_schema
from auditor.vocabulary import STATUSES


class Col(NamedTuple):
    name: str
    sql: str
    doc: str


Columns = tuple[Col, ...]

# (column, dotted fact path, SQL type, meaning): the derived facts a reviewer filters and plots on.
KEY_FACTS: tuple[tuple[str, str, str, str], ...] = (
    ("enrollment", "sample_size.enrollment", "BIGINT", "registered enrollment (actual if reported, else anticipated)"),
    ("enrollment_type", "sample_size.enrollment_type", "VARCHAR", "ACTUAL or ESTIMATED"),
    ("per_arm", "sample_size.per_arm", "DOUBLE", "enrollment / randomised arms"),
    ("sample_size_calculation", "sample_size.calculation_reported", "BOOLEAN", "a sample-size calculation is stated"),
    ("randomized", "design.randomized", "BOOLEAN", "allocation is randomised"),
    ("arm_count", "design.arm_count", "INTEGER", "number of arms"),
    ("assessor_blinded", "design.assessor_blinded", "BOOLEAN", "outcome assessor masked"),
    ("treatment_weeks", "treatment.duration_weeks", "DOUBLE", "length of the longest active treatment period"),
    ("intervention_categories", "treatment.intervention_categories", "VARCHAR[]", "Ho 2022 intervention categories"),
    ("psych_with_physio", "treatment.psych_with_physio", "BOOLEAN",
     "a psychological component co-delivered with physiotherapy/exercise in one arm"),
    ("follow_up_weeks", "follow_up.max_weeks_from_baseline", "DOUBLE", "latest assessment, weeks from baseline"),
    ("follow_up_after_treatment_weeks", "follow_up.weeks_after_treatment", "DOUBLE",
     "latest assessment, weeks after the end of treatment"),
    ("hrqol_instruments", "outcomes.hrqol.instruments", "VARCHAR[]", "validated HRQoL instruments registered"),
    ("safety_planned", "outcomes.safety.planned", "BOOLEAN", "adverse events registered as an outcome or collected"),
    ("results_posted", "results.posted", "BOOLEAN", "the record carries results"),
    ("low_back_pain", "population.low_back_pain", "BOOLEAN", "the trial is about low back pain"),
    ("chronic_lbp_12w", "population.chronic_lbp_12w", "BOOLEAN", "eligibility requires LBP of >= 12 weeks"),
    ("registration_days_after_start", "registration.days_after_start", "INTEGER",
     "days from the start of enrolment to registration: negative = registered before the first participant "
     "was enrolled; against a start given as a month or year, the smallest lateness the dates allow (from "
     "the period's last day); null when a date is missing or unreadable, or the start period contains the "
     "registration date"),
    ("registered_prospectively", "registration.prospective", "BOOLEAN",
     "registered on or before the start of enrolment (the usual marker of a prospectively registered trial)"),
)
FACT_PATHS = {col: path for col, path, _, _ in KEY_FACTS}

CATEGORIES: tuple[str, ...] = tuple(
    load_schema("facts")["properties"]["treatment"]["properties"]["intervention_categories"]["items"]["enum"])
CATEGORY_COLUMNS = tuple(Col(f"category_{c}", "BOOLEAN", f"intervention category `{c}` is among "
                             "intervention_categories (null when that is null)") for c in CATEGORIES)

_LIST = "a list (DuckDB list; `;`-joined in CSV)"
_ID_COLUMNS: Columns = (
    Col("blob_id", "VARCHAR", "identity of the blob the record came from (files.blob_id)"),
    Col("source_path", "VARCHAR", "the file, or archive member, the record came from (for people)"),
    Col("source_index", "INTEGER", "0-based position of the record in its blob"),
    Col("format", "VARCHAR", "the reader that read it (ctgov-v2, ictrp-xml, ...)"),
    Col("registry", "VARCHAR", "the registry the record names (ClinicalTrials.gov, ICTRP:ISRCTN, ...)"),
    Col("trial_id", "VARCHAR", "the record's primary id, as stated"),
    Col("secondary_ids", "VARCHAR[]", f"secondary ids as stated, {_LIST}"),
    Col("ids", "VARCHAR[]", "the record's canonical registry ids, primary first (auditor.identity)"),
    Col("last_update", "DATE", "when the registry last updated the record, where stated"),
    Col("title", "VARCHAR", "brief title (else the official title)"),
)
SCREENING: Columns = (
    Col("overall_status", "VARCHAR", "recruitment status as the registry gives it"),
    Col("study_type", "VARCHAR", "study type as the registry gives it"),
    Col("phases", "VARCHAR[]", f"phases, {_LIST}"),
    Col("conditions", "VARCHAR[]", f"conditions, {_LIST}"),
    Col("intervention_names", "VARCHAR[]", f"intervention names, {_LIST}"),
    Col("intervention_types", "VARCHAR[]", f"intervention types (DRUG, BEHAVIORAL, ...), {_LIST}"),
    Col("sponsor", "VARCHAR", "lead sponsor, where stated"),
    Col("countries", "VARCHAR[]", f"countries of recruitment, {_LIST}"),
    Col("start_date", "DATE", "start of enrolment (first day of the stated month or year)"),
    Col("start_year", "INTEGER", "year of start_date"),
    Col("registration_date", "DATE", "when the trial was registered (first submitted or registered, as the "
                                     "registry dates it); compare with start_date"),
    Col("completion_date", "VARCHAR", "completion date as stated"),
    Col("registry_url", "VARCHAR", "the record's page in its registry (ICTRP portal for other registries)"),
)
_COUNT_COLUMNS = tuple(Col(s, "INTEGER", f"criteria with status {s}") for s in STATUSES)
_TAIL_COLUMNS: Columns = (
    Col("corrected", "BOOLEAN", "a reviewer's correction (corrections.yaml) changed a fact or status"),
    Col("corrections", "VARCHAR", "JSON: per corrected fact or status, the extracted value, the value set, reason, by"),
    Col("facts_json", "VARCHAR", "the Facts document (schemas/facts.schema.json) as JSON"),
    Col("content_hash", "VARCHAR", "hash of the record's content (the same study has it wherever it sits)"),
    Col("file_hash", "VARCHAR", "hash of the blob's bytes"),
    Col("run_id", "INTEGER", "the run that wrote the row"),
)

FINDING_COLUMNS: Columns = (
    Col("blob_id", "VARCHAR", "the record's blob (records.blob_id)"),
    Col("source_path", "VARCHAR", "the record's file or archive member"),
    Col("source_index", "INTEGER", "the record's position in its blob"),
    Col("trial_id", "VARCHAR", "the record's primary id"),
    Col("code", "VARCHAR", "criterion code (FU01, ...)"), Col("name", "VARCHAR", "criterion name"),
    Col("criterion_group", "VARCHAR", "criterion group"), Col("severity", "VARCHAR", "error, warning or info"),
    Col("status", "VARCHAR", "met, not_met, unclear or not_applicable"), Col("message", "VARCHAR", "the verdict in words"),
    Col("fix", "VARCHAR", "what to add to the record"),
    Col("evidence", "VARCHAR", "JSON list of quotes: at (pointer/XPath), quote, line, note"),
    Col("corrected", "BOOLEAN", "the status was set by a reviewer (corrections.yaml)"),
    Col("original_status", "VARCHAR", "the status before a reviewer's correction (null when not corrected)"),
    Col("run_id", "INTEGER", "the run that wrote the row"),
)
ERROR_COLUMNS: Columns = (
    Col("blob_id", "VARCHAR", "the blob that could not be read (files.blob_id)"),
    Col("source_path", "VARCHAR", "the file or archive member"), Col("source_index", "INTEGER", "record position, if any"),
    Col("record_id", "VARCHAR", "the record's id, when known"), Col("location", "VARCHAR", "where in the file"),
    Col("line", "INTEGER", "line in the file, when known"), Col("reason", "VARCHAR", "what went wrong"),
    Col("file_hash", "VARCHAR", "hash of the blob's bytes"), Col("run_id", "INTEGER", "the run that wrote the row"),
)
FILE_COLUMNS: Columns = (
    Col("blob_id", "VARCHAR", "hash of (input_path, member, member_dup): the blob's identity"),
    Col("input_path", "VARCHAR", "the input file on disk (absolute), or <stdin>"),
    Col("member", "VARCHAR", "the blob inside it: archive member path ('' for the file or its gzip content)"),
    Col("member_dup", "INTEGER", "how many earlier blobs of the same file have the same member name"),
    Col("file_hash", "VARCHAR", "hash of the blob's bytes"),
    Col("items", "INTEGER", "records + record errors of the blob committed so far"),
    Col("complete", "BOOLEAN", "every item of the blob is committed"),
    Col("run_id", "INTEGER", "the run that wrote the row"),
)
LINK_COLUMNS: Columns = (
    Col("blob_id", "VARCHAR", "the record's blob"), Col("source_index", "INTEGER", "the record's position in its blob"),
    Col("trial_key", "VARCHAR", "the trial the record belongs to: the preferred record's primary canonical id"),
    Col("preferred", "BOOLEAN", "this record represents the trial in `trials`"),
    Col("copies", "INTEGER", "records of the trial in the inputs"),
    Col("linked_ids", "VARCHAR[]", "every canonical id of the trial's records"),
)
CONFLICT_COLUMNS: Columns = (
    Col("trial_key", "VARCHAR", "the trial (trials.trial_key)"),
    Col("field", "VARCHAR", "the column on which its copies disagree"),
    Col("kind", "VARCHAR", "fact, status or screening"),
    Col("blob_id", "VARCHAR", "one copy's blob"), Col("source_path", "VARCHAR", "one copy's file"),
    Col("source_index", "INTEGER", "its position"), Col("format", "VARCHAR", "its reader"),
    Col("preferred", "BOOLEAN", "this copy is the one `trials` shows"),
    Col("value", "VARCHAR", "the copy's value, as text (lists `;`-joined)"),
)
TRIAL_EXTRA: Columns = (LINK_COLUMNS[2], LINK_COLUMNS[4], LINK_COLUMNS[5], Col(
    "register", "VARCHAR", "the register the trial is from, one name per register (ICTRP:ClinicalTrials.gov is "
    "ClinicalTrials.gov): the summary's registry groups; `registry` is the record's own naming"))  # trials = these + the record's columns
RUN_COUNTS = ("seen", "audited", "failed", "skipped")

_ARROW = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
          "BOOLEAN": pa.bool_(), "VARCHAR[]": pa.list_(pa.string()), "DATE": pa.date32()}


def record_columns(codes: tuple[str, ...]) -> Columns:
    """The records table's columns for a profile with these criterion codes."""
    facts = tuple(Col(col, sql, f"fact `{path}`: {doc}") for col, path, sql, doc in KEY_FACTS)
    statuses = tuple(Col(c, "VARCHAR", f"status of criterion {c}") for c in codes)
    return _ID_COLUMNS + SCREENING + facts + CATEGORY_COLUMNS + _COUNT_COLUMNS + statuses + _TAIL_COLUMNS


def arrow_schema(columns: Columns) -> pa.Schema:
    return pa.schema([(c.name, _ARROW[c.sql]) for c in columns])


def without_run_id(columns: Columns) -> Columns:
    return tuple(c for c in columns if c.name != "run_id")  # the parent stamps the run id on insert


@dataclass
class FileState:
    file_hash: str
    items: int
    complete: bool
