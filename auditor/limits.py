"""Limits and tuning knobs read from `TRIAL_AUDIT_*` environment variables, validated in one place.

`check_environment()` runs before any command does its work (auditor/cli/__init__.py), so a bad
value is one line and exit 2, never a traceback at import time of the module that reads it.
"""

from __future__ import annotations

import os
import re

from auditor.errors import InputError

# name -> (default, minimum) for whole-number settings.
INTEGERS: dict[str, tuple[int, int]] = {
    "TRIAL_AUDIT_MAX_FILE_BYTES": (1 << 30, 1),  # one file, one archive member, one decompressed gzip
    "TRIAL_AUDIT_MAX_ARCHIVE_BYTES": (4 << 30, 1),  # everything unpacked from one input, all nesting levels
    "TRIAL_AUDIT_MAX_ARCHIVE_MEMBERS": (1_000_000, 1),  # members of one input, all nesting levels
    "TRIAL_AUDIT_MAX_ARCHIVE_DEPTH": (8, 1),  # archives inside archives
    "TRIAL_AUDIT_STREAM_BYTES": (64 << 20, 1),  # larger content stays on disk, read piece by piece
    "TRIAL_AUDIT_RECORD_SECONDS": (60, 1),  # time budget of one record in `batch`
    "TRIAL_AUDIT_COMMIT_ROWS": (5000, 1),
    "TRIAL_AUDIT_CHUNK_ROWS": (250, 1),
    "TRIAL_AUDIT_DASK_FILES": (32, 1),  # input files per Dask task
}
# DuckDB memory settings: a number and a unit, nothing else reaches its SET statement.
SIZES: dict[str, str] = {"TRIAL_AUDIT_DUCKDB_MEMORY": "256MB", "TRIAL_AUDIT_DUCKDB_EXPORT_MEMORY": "512MB"}
_SIZE = re.compile(r"\d{1,12}(\.\d{1,3})?\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)
_MAX_INT = 1 << 62


def env_int(name: str) -> int:
    """The whole-number setting `name`; InputError (naming the variable) for a bad value."""
    default, minimum = INTEGERS[name]
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    text = raw.strip().replace("_", "")
    if not text.isdigit() or len(text) > 19 or not minimum <= int(text) <= _MAX_INT:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise InputError(name, f"environment variable must be a whole number >= {minimum}, not {shown!r}")
    return int(text)


def check_environment() -> None:
    """Every `TRIAL_AUDIT_*` setting with a fixed form, checked; the first bad one raises InputError."""
    for name in INTEGERS:
        env_int(name)
    for name in SIZES:
        raw = os.environ.get(name)
        if raw is not None and not _SIZE.fullmatch(raw.strip()):
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            raise InputError(name, f"environment variable must be a size such as '512MB', not {shown!r}")
