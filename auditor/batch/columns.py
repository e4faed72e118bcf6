"""The batch tables' columns, shared by the worker (which builds Arrow tables) and the store (which
creates the DuckDB tables): no DuckDB import here, so a worker never loads it.

To add a column to the trials table, add it here (a key fact: KEY_FACTS) and fill it in
`auditor.batch.worker.Auditor._rows`; docs/architecture.md says where the rest goes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from auditor.vocabulary import STATUSES

# (column, dotted fact path, SQL type): the facts a reviewer filters and plots on.
KEY_FACTS: tuple[tuple[str, str, str], ...] = (
    ("enrollment", "sample_size.enrollment", "BIGINT"),
    ("enrollment_type", "sample_size.enrollment_type", "VARCHAR"),
    ("per_arm", "sample_size.per_arm", "DOUBLE"),
    ("sample_size_calculation", "sample_size.calculation_reported", "BOOLEAN"),
    ("randomized", "design.randomized", "BOOLEAN"),
    ("arm_count", "design.arm_count", "INTEGER"),
    ("assessor_blinded", "design.assessor_blinded", "BOOLEAN"),
    ("treatment_weeks", "treatment.duration_weeks", "DOUBLE"),
    ("intervention_categories", "treatment.intervention_categories", "VARCHAR[]"),
    ("psych_with_physio", "treatment.psych_with_physio", "BOOLEAN"),
    ("follow_up_weeks", "follow_up.max_weeks_from_baseline", "DOUBLE"),
    ("follow_up_after_treatment_weeks", "follow_up.weeks_after_treatment", "DOUBLE"),
    ("hrqol_instruments", "outcomes.hrqol.instruments", "VARCHAR[]"),
    ("safety_planned", "outcomes.safety.planned", "BOOLEAN"),
    ("results_posted", "results.posted", "BOOLEAN"),
    ("chronic_lbp_12w", "population.chronic_lbp_12w", "BOOLEAN"),
    ("registered_prospectively", "registration.prospective", "BOOLEAN"),
)

_ID_COLUMNS = (("source_path", "VARCHAR"), ("source_index", "INTEGER"), ("format", "VARCHAR"),
               ("registry", "VARCHAR"), ("trial_id", "VARCHAR"), ("secondary_ids", "VARCHAR[]"),
               ("title", "VARCHAR"), ("overall_status", "VARCHAR"), ("start_year", "INTEGER"))
_COUNT_COLUMNS = tuple((s, "INTEGER") for s in STATUSES)
_TAIL_COLUMNS = (("facts_json", "VARCHAR"), ("content_hash", "VARCHAR"), ("file_hash", "VARCHAR"),
                 ("run_id", "INTEGER"))

FINDING_COLUMNS = (("source_path", "VARCHAR"), ("source_index", "INTEGER"), ("trial_id", "VARCHAR"),
                   ("code", "VARCHAR"), ("name", "VARCHAR"), ("criterion_group", "VARCHAR"),
                   ("severity", "VARCHAR"), ("status", "VARCHAR"), ("message", "VARCHAR"),
                   ("fix", "VARCHAR"), ("evidence", "VARCHAR"), ("run_id", "INTEGER"))
ERROR_COLUMNS = (("source_path", "VARCHAR"), ("source_index", "INTEGER"), ("record_id", "VARCHAR"),
                 ("location", "VARCHAR"), ("line", "INTEGER"), ("reason", "VARCHAR"),
                 ("file_hash", "VARCHAR"), ("run_id", "INTEGER"))
FILE_COLUMNS = (("source_path", "VARCHAR"), ("file_hash", "VARCHAR"), ("items", "INTEGER"),
                ("complete", "BOOLEAN"), ("run_id", "INTEGER"))
RUN_COUNTS = ("seen", "audited", "failed", "skipped")

_ARROW = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
          "BOOLEAN": pa.bool_(), "VARCHAR[]": pa.list_(pa.string())}


def trial_columns(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The trials table's columns for a profile with these criterion codes."""
    facts = tuple((col, sql) for col, _, sql in KEY_FACTS)
    return _ID_COLUMNS + facts + _COUNT_COLUMNS + tuple((c, "VARCHAR") for c in codes) + _TAIL_COLUMNS


def arrow_schema(columns: tuple[tuple[str, str], ...]) -> pa.Schema:
    return pa.schema([(name, _ARROW[sql]) for name, sql in columns])


@dataclass
class FileState:
    file_hash: str
    items: int
    complete: bool
