"""The codebook of the batch tables (docs/tables.md), generated from `auditor.batch.columns`:
`python -m auditor.batch.codebook > docs/tables.md` (a test keeps the file equal to this output)."""

from __future__ import annotations

from auditor.batch.columns import (
    CONFLICT_COLUMNS,
    ERROR_COLUMNS,
    FILE_COLUMNS,
    FINDING_COLUMNS,
    LINK_COLUMNS,
    TRIAL_EXTRA,
    Columns,
    record_columns,
)
from auditor.batch.trials import __doc__ as PREFERRED_RULE

CODES_NOTE = ("one VARCHAR column per criterion code of the profile (FU01, QL01, ...): its status "
              "(met, not_met, unclear, not_applicable)")

TABLES: tuple[tuple[str, str], ...] = (
    ("trials", "view: one row per trial, its preferred record's columns (all of `records`' columns follow these)"),
    ("records", "one row per record of the inputs named in the latest run (copies of one trial included)"),
    ("findings", "record × criterion; `trial_findings` (view, and findings.csv) holds those of the trials, "
                 "with `trial_key`: the long-format file for R / tidyverse (`readr::read_csv`)"),
    ("conflicts", "one row per copy and column where copies of one trial disagree"),
    ("links", "record → trial"),
    ("errors", "every record or file that could not be read or audited"),
    ("files", "one row per input blob (file, gzip content, archive member): what makes re-runs incremental"),
)


def _columns(name: str) -> Columns:
    placeholder = ("<CODE>",)
    return {"trials": TRIAL_EXTRA, "records": record_columns(placeholder), "findings": FINDING_COLUMNS,
            "conflicts": CONFLICT_COLUMNS, "links": LINK_COLUMNS, "errors": ERROR_COLUMNS,
            "files": FILE_COLUMNS}[name]


def render() -> str:
    out = ["# Batch tables: codebook", "",
           "Generated from `auditor/batch/columns.py` by `python -m auditor.batch.codebook > docs/tables.md`; "
           "a test keeps them equal. Every table is in `audit.duckdb`; trials, records, findings, conflicts "
           "and errors are also written as CSV (lists `;`-joined) and Parquet (lists as lists).", "",
           "## Which record represents a trial", "", (PREFERRED_RULE or "").strip(), ""]
    for name, what in TABLES:
        out += [f"## `{name}`", "", what, "", "| column | type | meaning |", "|---|---|---|"]
        for col in _columns(name):
            if col.name == "<CODE>":
                out.append(f"| *criterion code* | VARCHAR | {CODES_NOTE} |")
            else:
                out.append(f"| `{col.name}` | {col.sql} | {col.doc.replace('|', '/')} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")
