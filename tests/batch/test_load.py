"""`auditor.batch.load()` gives the same tables whether it reads the store or, while another run holds
the store's lock, the Parquet files of the last export (F17: `findings` was record x criterion from the
store, trial x criterion from the Parquet fallback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor import batch
from auditor.batch.store import DB_NAME
from tests.batch.data import with_ictrp_copies
from tests.conftest import run_cli

HOLD = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"


def test_load_returns_the_same_tables_from_the_store_and_from_the_parquet_fallback(tmp_path: Path) -> None:
    # ICTRP's copy of NCT09000002: two records, one trial, so record and trial findings differ in number
    inputs = with_ictrp_copies(tmp_path / "in", "NCT09000002", "NCT98000003")
    out = tmp_path / "out"
    assert run_cli("batch", str(inputs), "--out", str(out), "--isolated").exit_code == 0
    from_store = batch.load(out)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out / DB_NAME)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.warns(UserWarning, match="without the runs table"):
            from_files = batch.load(out)
    finally:
        holder.kill()
        holder.wait()
    assert set(from_store) - {"runs"} == set(from_files)
    trials = len(from_store["trials"])
    assert len(from_store["records"]) > trials  # the copy is there
    for name, frame in from_files.items():
        assert list(frame.columns) == list(from_store[name].columns), name
        assert len(frame) == len(from_store[name]), name
    assert len(from_store["findings"]) == trials * from_store["findings"].code.nunique()
    assert from_store["findings"].trial_key.tolist() == from_files["findings"].trial_key.tolist()
