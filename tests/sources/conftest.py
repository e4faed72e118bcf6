"""Helpers for reader tests: fixture paths, the real-data folder, and reading into records/errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.model import TrialRecord
from auditor.sources import read_paths

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO_ROOT = HERE.parents[1]


def real_root() -> Path:
    """`TRIAL_AUDIT_REAL_DATA`, else ``../shared/data/real`` beside the repository root."""
    return Path(os.environ.get("TRIAL_AUDIT_REAL_DATA", REPO_ROOT / "../shared/data/real")).resolve()


@pytest.fixture
def real() -> Path:
    root = real_root()
    if not root.is_dir():
        pytest.skip(f"real registry data not found at {root} (set TRIAL_AUDIT_REAL_DATA)")
    return root


def read_all(*paths: str | Path) -> tuple[list[TrialRecord], list[InputError]]:
    """Every record and every error (file-level or record-level) from the given inputs."""
    records: list[TrialRecord] = []
    errors: list[InputError] = []
    for item in read_paths([str(p) for p in paths]):
        (records if isinstance(item, TrialRecord) else errors).append(item)
    return records, errors


def read_one(path: str | Path) -> TrialRecord:
    records, errors = read_all(path)
    assert not errors, [e.one_line() for e in errors]
    assert len(records) == 1
    return records[0]
