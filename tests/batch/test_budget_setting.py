"""TRIAL_AUDIT_RECORD_SECONDS: read by the parent when a run starts and handed to every worker; a
bad value is an error naming the variable, never a silent fall-back to the default."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from auditor import batch
from auditor.batch import worker
from auditor.batch.worker import Auditor, Task
from auditor.engine import profiles
from auditor.errors import InputError
from tests.batch.data import write_corpus


@pytest.fixture(scope="module")
def profile() -> profiles.Profile:
    return profiles.load()


@pytest.mark.parametrize("bad", ["0", "soon", "-5", "1.5"])
def test_a_bad_budget_is_an_error_naming_the_variable(tmp_path: Path, profile, monkeypatch: pytest.MonkeyPatch,
                                                      bad: str) -> None:
    monkeypatch.setenv("TRIAL_AUDIT_RECORD_SECONDS", bad)
    with pytest.raises(InputError) as raised:
        Auditor(profile, None)  # a worker built without the run's budget reads the variable itself
    assert raised.value.origin == "TRIAL_AUDIT_RECORD_SECONDS"
    write_corpus(tmp_path / "in", files=1, per_file=1)
    for jobs in (1, 2):
        with pytest.raises(InputError) as raised:
            batch.run([str(tmp_path / "in")], tmp_path / f"out{jobs}", profile, jobs=jobs)
        assert raised.value.origin == "TRIAL_AUDIT_RECORD_SECONDS"
        assert not (tmp_path / f"out{jobs}" / "audit.duckdb").exists()  # refused before any work


def test_the_budget_given_to_an_auditor_wins_over_its_environment(tmp_path: Path, profile,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a Dask worker whose environment says something else: the run's budget applies."""
    write_corpus(tmp_path / "in", files=1, per_file=2)
    monkeypatch.setenv("TRIAL_AUDIT_RECORD_SECONDS", "not a number")
    original = worker.verdict

    def slow(record: Any, *rest: Any) -> Any:
        end = time.monotonic() + 3
        while time.monotonic() < end:  # in Python, so the budget's exception can arrive
            pass
        return original(record, *rest)

    monkeypatch.setattr(worker, "verdict", slow)
    auditor = Auditor(profile, None, record_seconds=1)
    (path,) = (tmp_path / "in").rglob("*.json")
    for _ in auditor.feed(Task(str(path))):
        pass
    chunk = auditor.flush()
    assert (chunk.audited, chunk.failed) == (0, 2)
    assert chunk.errors is not None
    assert all("audit took longer than 1 s" in r for r in chunk.errors.column("reason").to_pylist())
