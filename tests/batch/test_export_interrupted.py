"""An interrupted run must not leave the CSV copies half-made, or abort: they were written on a daemon
thread, which the interpreter kills at exit while DuckDB is inside its C++ code ("terminate called
after throwing an instance of ''", exit -6 instead of 130, seen after SIGTERM during the export)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from auditor import batch
from auditor.batch.export import TABLES
from auditor.engine import profiles
from tests.batch.data import write_corpus
from tests.conftest import REPO

SCRIPT = """
import sys
from pathlib import Path
from auditor.batch import export
from auditor.batch.store import Store
from auditor.engine import profiles
out = Path(sys.argv[1])
store = Store(out, tuple(c.code for c in profiles.load().criteria), "unused")
for f in out.glob("*.csv"):
    f.unlink()
export.start(store.con, store.export_columns(), out, lambda: None, "1GB")
raise SystemExit(130)  # interrupted as soon as the CSV copies started
"""


def test_the_csv_copies_finish_when_the_run_is_interrupted_during_the_export(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", files=20, per_file=40)
    batch.run([str(tmp_path / "in")], tmp_path / "out", profiles.load(), jobs=1)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "out")], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 130, done.stderr[-2000:]
    assert "terminate called" not in done.stderr
    for name in TABLES:
        with (tmp_path / "out" / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
            rows = sum(1 for _ in csv.reader(fh)) - 1
        assert rows == pq.read_metadata(tmp_path / "out" / f"{name}.parquet").num_rows, name
