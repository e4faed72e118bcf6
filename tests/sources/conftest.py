"""Helpers for reader tests: fixture paths, the real-data folder, and reading into records/errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.model import TrialRecord
from auditor.sources import read_paths
from tests.conftest import real_data_dir

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO_ROOT = HERE.parents[1]


def real_root() -> Path:
    return real_data_dir()


@pytest.fixture
def real(real_data: Path) -> Path:
    return real_data


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
