"""Shared test helpers: repository paths, real-data location, and a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from auditor.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
FIXTURES = REPO / "tests" / "fixtures"


def real_data_dir() -> Path:
    return Path(os.environ.get("TRIAL_AUDIT_REAL_DATA", REPO.parent / "shared" / "data" / "real")).resolve()


@pytest.fixture
def real_data() -> Path:
    path = real_data_dir()
    if not path.is_dir():
        pytest.skip(f"real registry data not found at {path} (set TRIAL_AUDIT_REAL_DATA)")
    return path


def run_cli(*args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
