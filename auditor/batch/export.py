"""The batch tables as files: trials/findings/errors as Parquet and CSV, sorted so that equal stores
give equal files.

Sorting 2 million findings is most of the cost, so each table is sorted once, into its Parquet
file (after the run the workers have exited, so the sort gets two DuckDB threads), and the CSVs are
then copied from those files, in their order, on a thread of their own: an in-memory DuckDB that
reads the Parquet files while the caller writes the summary and the HTML page (at 100,000 trials the
findings CSV alone is ~900 MB and 2 s). A file appears under its name only when it is complete.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import duckdb

from auditor.report import safe

# name -> (what is exported, its order): the review's trials and their findings, every record,
# the conflicts between copies, the errors.
TABLES = {
    "trials": ("trials", "trial_key"),
    "findings": ("trial_findings", "trial_key, code"),
    "records": ("records", "source_path, source_index, blob_id"),
    "conflicts": ("conflicts", "trial_key, field, source_path, source_index, blob_id"),
    "errors": ("errors", "source_path, source_index, blob_id"),
}
# Exports run after the workers have exited, so the sort may use more memory than the run: under
# 256 MB it spills most of 2 million findings to disk (10 s at 100,000 trials instead of 4 s).
EXPORT_MEMORY_LIMIT = os.environ.get("TRIAL_AUDIT_DUCKDB_EXPORT_MEMORY", "512MB")
SORT_THREADS = min(2, os.cpu_count() or 1)

Columns = Sequence[Sequence[str]]  # auditor.batch.columns.Col: name, sql type, meaning


class Export:
    """An export under way; `wait()` returns the files once all are in place."""

    def __init__(self, files: list[Path], thread: threading.Thread | None = None,
                 failure: list[BaseException] | None = None, on_done: Callable[[], None] | None = None):
        self.files, self._thread, self._failure, self._on_done = files, thread, failure or [], on_done

    def wait(self) -> list[Path]:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            if self._failure:
                raise self._failure[0]
            if self._on_done is not None:
                self._on_done()
        return self.files


def files(out_dir: Path) -> list[Path]:
    return [out_dir / f"{name}.{ext}" for name in TABLES for ext in ("csv", "parquet")]


def start(con: duckdb.DuckDBPyConnection, columns: Mapping[str, Columns], out_dir: Path,
          on_done: Callable[[], None], restore_memory_limit: str) -> Export:
    """Write the sorted Parquet files now and start the CSV copies; `on_done` runs in `wait()`."""
    con.execute(f"SET memory_limit = '{EXPORT_MEMORY_LIMIT}'")
    con.execute(f"SET threads = {SORT_THREADS}")
    con.execute("SET preserve_insertion_order = true")
    try:
        for name, (source, order) in TABLES.items():
            parquet = out_dir / f"{name}.parquet"
            tmp = _tmp(parquet)
            con.execute(f"COPY (SELECT * FROM {source} ORDER BY {order}) TO '{_sql_str(tmp)}' (FORMAT PARQUET)")
            tmp.replace(parquet)
    finally:
        con.execute("SET threads = 1")
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"SET memory_limit = '{restore_memory_limit}'")
    failure: list[BaseException] = []
    # Not a daemon: when the run is interrupted (Ctrl-C, SIGTERM) while the copies are under way, the
    # interpreter waits for them at exit. A daemon thread is stopped inside DuckDB's C++ code, which
    # aborts the process ("terminate called ...", exit -6 for 130) and leaves CSVs of the previous run
    # beside the new Parquet files. The copies take seconds (~2 s for 900 MB of findings).
    thread = threading.Thread(target=_csvs, args=(columns, out_dir, failure), name="csv-export", daemon=False)
    thread.start()
    return Export(files(out_dir), thread, failure, on_done)


def _csvs(columns: Mapping[str, Columns], out_dir: Path, failure: list[BaseException]) -> None:
    try:
        con = duckdb.connect(config={"threads": 1, "preserve_insertion_order": True})  # one thread keeps it fast
        try:
            for name in TABLES:
                # CSV has no list type: lists become `a;b` so spreadsheets and R read them as text.
                # Text cells are neutralised against formula injection (OWASP; auditor.report.safe).
                select = ", ".join(_csv_column(c, t) for c, t, *_ in columns[name])
                csv = out_dir / f"{name}.csv"
                con.execute(f"COPY (SELECT {select} FROM read_parquet('{_sql_str(out_dir / f'{name}.parquet')}')) "
                            f"TO '{_sql_str(_tmp(csv))}' (FORMAT CSV, HEADER)")
                _tmp(csv).replace(csv)
        finally:
            con.close()
    except BaseException as exc:  # noqa: BLE001 - handed to wait(), which raises it on the caller's thread
        failure.append(exc)


def remove_leftovers(out_dir: Path) -> None:
    """Half-written exports of a run that was killed while exporting."""
    for name in TABLES:
        for ext in ("csv", "parquet"):
            _tmp(out_dir / f"{name}.{ext}").unlink(missing_ok=True)


def _csv_column(name: str, sql_type: str) -> str:
    """One column of a CSV export: lists joined with `;`, text neutralised against formulas."""
    column = f'"{name}"'
    if sql_type == "VARCHAR[]":
        return f"{safe.csv_sql(f'array_to_string({column}, chr(59))')} AS {column}"
    if sql_type == "VARCHAR":
        return f"{safe.csv_sql(column)} AS {column}"
    return column


def _tmp(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")
