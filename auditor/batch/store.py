"""The batch results store: one DuckDB file, written by the parent process only.

Tables
- ``runs``: one row per `batch` invocation (profile, options, start/end, totals, status).
- ``trials``: one row per audited record: ids, source path/index, key facts as columns, one status
  column per criterion code, the facts document as JSON, ``file_hash`` (the blob it came from) and
  ``content_hash`` (the record itself: for JSON sources the study object, so the same study has the
  same hash in a file of its own and inside an API page; for other formats the normalised record).
- ``findings``: trial x criterion: status, severity, message, fix, evidence (JSON).
- ``errors``: one row per record or file that could not be read (or audited), with the reason.
- ``files``: per input blob (a file or an archive member) its content hash and how many of its
  items (records + record errors) are committed; this is what makes re-runs incremental.
- ``meta``: the profile identity the results belong to, and whether the CSV/Parquet exports
  are behind the tables (set in the transaction that changes rows, cleared after an export).

Incremental unit: the *file blob*. Hashing the raw bytes is cheap (BLAKE2, ~1 GB/s) and lets an
unchanged file be skipped without parsing it; a changed file is re-audited as a whole. Results
belong to one profile identity (a hash of the resolved profile plus the tool version): when it
changes every record has to be re-audited anyway, so the result tables are cleared.

Crash safety: every chunk of results is written in one transaction together with the ``files``
progress rows and the run counters, so after Ctrl-C or SIGKILL the store holds exactly the
committed chunks and the next run resumes after them. No primary keys: DuckDB's unique-index
checks on delete+insert within one transaction are a known pain point, and lookups by path are
only needed for the few files that changed.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from auditor.batch import export as files_export
from auditor.batch.columns import (
    ERROR_COLUMNS,
    FILE_COLUMNS,
    FINDING_COLUMNS,
    RUN_COUNTS,
    FileState,
    arrow_schema,
    trial_columns,
)

if TYPE_CHECKING:
    import pandas as pd

DB_NAME = "audit.duckdb"
SCHEMA_VERSION = "1"
# DuckDB's buffer pool defaults to 80% of RAM and keeps written blocks cached, so the parent would
# grow with the store; a cap keeps a 100,000-trial run flat (DuckDB evicts or spills past it).
MEMORY_LIMIT = os.environ.get("TRIAL_AUDIT_DUCKDB_MEMORY", "256MB")

def _ddl(name: str, columns: tuple[tuple[str, str], ...]) -> str:
    return f"CREATE TABLE IF NOT EXISTS {name} (" + ", ".join(f'"{c}" {t}' for c, t in columns) + ")"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """The parent's handle on the results database; every write goes through `commit_chunk`."""

    def __init__(self, out_dir: Path, codes: tuple[str, ...], identity: str):
        self.path = out_dir / DB_NAME
        self.codes = codes
        self.identity = identity
        # One DuckDB thread: while auditing the workers need the cores, and a sort per thread would
        # break the memory cap when exporting 2 million findings (one thread stays under it).
        self.con = duckdb.connect(str(self.path), config={"memory_limit": MEMORY_LIMIT, "threads": 1,
                                                          "preserve_insertion_order": False})
        self.trial_cols = trial_columns(codes)
        self.reset_reason: str | None = None
        self._setup()

    def _setup(self) -> None:
        con = self.con
        con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)")
        con.execute(_ddl("runs", (("run_id", "INTEGER"), ("profile_id", "VARCHAR"), ("profile_version", "VARCHAR"),
                                  ("profile_hash", "VARCHAR"), ("tool_version", "VARCHAR"), ("options", "VARCHAR"),
                                  ("started_at", "TIMESTAMP"), ("ended_at", "TIMESTAMP"), ("status", "VARCHAR"))
                         + tuple((c, "BIGINT") for c in RUN_COUNTS)))
        # A run still marked running cannot be alive: DuckDB's file lock admits one writer.
        con.execute("UPDATE runs SET status = 'aborted' WHERE status = 'running'")
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        wanted = {"identity": self.identity, "schema": SCHEMA_VERSION, "codes": ",".join(self.codes)}
        if meta and {k: meta.get(k) for k in wanted} != wanted:
            self.reset_reason = "the profile or tool version changed" if meta.get("identity") != self.identity \
                else "the store layout changed"
            self.clear()
        con.execute("BEGIN")
        con.execute("DELETE FROM meta WHERE key <> 'stale'")
        con.executemany("INSERT INTO meta VALUES (?, ?)", list(wanted.items()))
        if "stale" not in meta:
            con.execute("INSERT INTO meta VALUES ('stale', '1')")
        for name, cols in self._tables().items():
            con.execute(_ddl(name, cols))
        con.execute("COMMIT")

    def _tables(self) -> dict[str, tuple[tuple[str, str], ...]]:
        return {"trials": self.trial_cols, "findings": FINDING_COLUMNS, "errors": ERROR_COLUMNS, "files": FILE_COLUMNS}

    def clear(self) -> None:
        """Drop every result (not the run history): used for --force and profile changes."""
        self.con.execute("BEGIN")
        for name in self._tables():
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        for name, cols in self._tables().items():
            self.con.execute(_ddl(name, cols))
        self.con.execute("UPDATE meta SET value = '1' WHERE key = 'stale'")
        self.con.execute("COMMIT")

    def file_states(self) -> dict[str, FileState]:
        """What is already committed, by source path (one small row per input blob)."""
        rows = self.con.execute("SELECT source_path, file_hash, items, complete FROM files").fetchall()
        return {path: FileState(h, items, done) for path, h, items, done in rows}

    def start_run(self, profile_id: str, profile_version: str | None, tool_version: str, options: dict[str, Any]) -> int:
        (last,) = self.con.execute("SELECT coalesce(max(run_id), 0) FROM runs").fetchone()  # type: ignore[misc]
        run_id = int(last) + 1
        self.con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'running', 0, 0, 0, 0)",
                         [run_id, profile_id, profile_version, self.identity, tool_version,
                          json.dumps(options, sort_keys=True), _now()])
        return run_id

    def commit_chunk(self, run_id: int, trials: list[pa.Table], findings: list[pa.Table], errors: list[pa.Table],
                     files: list[tuple[str, str | None, int, bool]], replace: list[str],
                     counts: dict[str, int]) -> None:
        """Write one chunk atomically: rows, file progress and the run's counters, or nothing."""
        con = self.con
        con.execute("BEGIN")
        try:
            if replace:  # files whose content changed (or that became unreadable): their old rows go
                con.register("_replace", pa.table({"p": pa.array(replace, pa.string())}))
                for name in ("trials", "findings", "errors", "files"):
                    con.execute(f"DELETE FROM {name} WHERE source_path IN (SELECT p FROM _replace)")
                con.unregister("_replace")
            for name, tables in (("trials", trials), ("findings", findings), ("errors", errors)):
                if tables:
                    con.register("_chunk", pa.concat_tables(tables))
                    con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _chunk")
                    con.unregister("_chunk")
            hashed = [f for f in files if f[1] is not None]
            if hashed:
                table = pa.Table.from_pylist(
                    [{"source_path": p, "file_hash": h, "items": n, "complete": done, "run_id": run_id}
                     for p, h, n, done in hashed], schema=arrow_schema(FILE_COLUMNS))
                con.register("_files", table)
                con.execute("DELETE FROM files WHERE source_path IN (SELECT source_path FROM _files)")
                con.execute("INSERT INTO files BY NAME SELECT * FROM _files")
                con.unregister("_files")
            if replace or trials or findings or errors:
                con.execute("UPDATE meta SET value = '1' WHERE key = 'stale'")
            con.execute("UPDATE runs SET " + ", ".join(f"{c} = ?" for c in RUN_COUNTS) + " WHERE run_id = ?",
                        [counts[c] for c in RUN_COUNTS] + [run_id])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def end_run(self, run_id: int, status: str) -> None:
        self.con.execute("UPDATE runs SET ended_at = ?, status = ? WHERE run_id = ?", [_now(), status, run_id])

    def export(self, out_dir: Path) -> list[Path]:
        """Write the tables as CSV and Parquet (see `start_export`) and return the files."""
        return self.start_export(out_dir).wait()

    def start_export(self, out_dir: Path) -> files_export.Export:
        """Start writing the tables unless the files on disk already match the store (nothing changed
        since the last export: at 100,000 trials the CSVs are ~1 GB, so a no-op re-run should not
        rewrite them). The Parquet files are written now, the CSVs while the caller goes on."""
        paths = files_export.files(out_dir)
        (stale,) = self.con.execute("SELECT value FROM meta WHERE key = 'stale'").fetchone()  # type: ignore[misc]
        if stale == "0" and all(p.is_file() for p in paths):
            return files_export.Export(paths)
        return files_export.start(self.con, self._tables(), out_dir, self._mark_exported, MEMORY_LIMIT)

    def _mark_exported(self) -> None:
        self.con.execute("UPDATE meta SET value = '0' WHERE key = 'stale'")

    def close(self) -> None:
        self.con.close()


def load(out_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The batch tables of a results folder as pandas DataFrames, for notebooks.

    Reads the DuckDB store (trials, findings, errors, runs); when another run holds its lock, falls
    back to the Parquet twins of the last completed run.
    """
    import pandas as pd  # only notebooks need it; keeps `batch` start-up light

    out = Path(out_dir)
    try:
        con = duckdb.connect(str(out / DB_NAME), read_only=True)
    except duckdb.Error:
        return {p.stem: pd.read_parquet(p) for p in sorted(out.glob("*.parquet"))}
    try:
        order = {"trials": "source_path, source_index", "findings": "source_path, source_index, code",
                 "errors": "source_path, source_index", "runs": "run_id"}
        return {name: con.execute(f"SELECT * FROM {name} ORDER BY {o}").df() for name, o in order.items()}
    finally:
        con.close()
