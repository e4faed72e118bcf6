"""The batch results store: one DuckDB file, written by the parent process only.

Tables (every column is described in docs/tables.md, generated from `auditor.batch.columns`)
- ``runs``: one row per `batch` invocation (profile, options, start/end, totals, status).
- ``records``: one row per audited record: ids (as stated and canonical), screening columns, key
  facts, one status column per criterion code, the facts document as JSON, ``blob_id`` (the blob it
  came from) and ``content_hash`` (the record itself: for JSON sources the study object, so the same
  study has the same hash in a file of its own and inside an API page).
- ``trials`` (a view): one row per trial, its preferred record's columns (`auditor.batch.trials`),
  with ``trial_key``, ``copies`` and ``linked_ids``; ``trial_findings`` (a view): their findings.
- ``links``: record -> trial; ``conflicts``: the facts and statuses on which copies disagree.
- ``findings``: record x criterion: status, severity, message, fix, evidence (JSON).
- ``errors``: one row per record or file that could not be read (or audited), with the reason.
- ``files``: one row per input blob (a file, its gzip content or an archive member), identified by
  (input_path, member, member_dup), with its content hash and how many of its items (records +
  record errors) are committed; this is what makes re-runs incremental.
- ``meta``: the profile identity the results belong to, and whether the CSV/Parquet exports
  are behind the tables (set in the transaction that changes rows, cleared after an export).

Incremental unit: the *blob*. Hashing the raw bytes is cheap (BLAKE2, ~1 GB/s) and lets an
unchanged file be skipped without parsing it; a changed file is re-audited as a whole. Results
belong to one profile identity (a hash of the resolved profile, the corrections and the tool
version): when it changes every record has to be re-audited anyway, so the result tables are cleared.

A run reflects its inputs: when a run completes, the rows of blobs it did not meet (files no longer
named, archive members removed) are deleted, so the tables describe exactly the latest inputs.

Crash safety: every chunk of results is written in one transaction together with the ``files``
progress rows and the run counters, so after Ctrl-C or SIGKILL the store holds exactly the
committed chunks and the next run resumes after them. No primary keys: DuckDB's unique-index
checks on delete+insert within one transaction are a known pain point; ``files`` is kept at one
row per blob by deleting a blob's row before inserting its new one, in the same transaction.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from auditor.batch import export as files_export
from auditor.batch import trials as trial_links
from auditor.batch.columns import (
    CONFLICT_COLUMNS,
    ERROR_COLUMNS,
    FILE_COLUMNS,
    FINDING_COLUMNS,
    LINK_COLUMNS,
    RUN_COUNTS,
    TRIAL_EXTRA,
    Columns,
    FileState,
    arrow_schema,
    record_columns,
)

if TYPE_CHECKING:
    import pandas as pd

DB_NAME = "audit.duckdb"
SCHEMA_VERSION = "2"  # 2: records + trials view, blob ids
# DuckDB's buffer pool defaults to 80% of RAM and keeps written blocks cached, so the parent would
# grow with the store; a cap keeps a 100,000-trial run flat (DuckDB evicts or spills past it).
MEMORY_LIMIT = os.environ.get("TRIAL_AUDIT_DUCKDB_MEMORY", "256MB")

_HOLDER = re.compile(r"Conflicting lock is held in .*\(PID (\d+)\)")


def open_problem(exc: duckdb.Error) -> str:
    """Why the store cannot be opened, in words that say what to do: DuckDB's lock
    error (another process has the file open for writing: a running batch) names that process."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "Could not set lock" in first:
        holder = _HOLDER.search(first)
        who = f"another process (PID {holder[1]})" if holder else "another process"
        return f"{who} holds the results store, most likely a batch still writing to it: run this again when it has finished"
    return f"cannot open the results store: {first}"


def _ddl(name: str, columns: Columns | tuple[tuple[str, str], ...]) -> str:
    return f"CREATE TABLE IF NOT EXISTS {name} (" + ", ".join(f'"{c[0]}" {c[1]}' for c in columns) + ")"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def remove_temp(db: Path) -> None:
    """DuckDB's spill folder (`audit.duckdb.tmp/`): removed on close, and on open after a kill."""
    shutil.rmtree(db.with_name(db.name + ".tmp"), ignore_errors=True)


# What stored results depend on (runner.profile_identity), each part hashed apart so that a cleared store can say which
# changed; the words after each name finish "Stored results were cleared because ...".
IDENTITY_PARTS = {"criteria": "the profile or the criteria selected (or their severities) changed",
                  "corrections": "the corrections changed", "extraction": "the extraction rules changed",
                  "tool": "the tool version changed"}


def changed_parts(before: str | None, now: str) -> str:
    """Which of the identity's parts (IDENTITY_PARTS) changed, in words; a store written by
    a version without parts gets the general reason."""
    old = dict(p.split("=", 1) for p in (before or "").split(";") if "=" in p)
    new = dict(p.split("=", 1) for p in now.split(";") if "=" in p)
    changed = [IDENTITY_PARTS[k] for k in IDENTITY_PARTS if k in old and old.get(k) != new.get(k)]
    if not changed or set(old) != set(new):
        return "the profile, the corrections, the extraction rules or the tool version changed"
    return " and ".join(changed)


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
        remove_temp(self.path)  # we hold the store's lock: what is there was left by a killed run
        files_export.remove_leftovers(out_dir)
        self.record_cols = record_columns(codes)
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
            self.reset_reason = changed_parts(meta.get("identity"), self.identity) \
                if meta.get("identity") != self.identity \
                else "the store layout changed"
            self.clear()
        con.execute("BEGIN")
        con.execute("DELETE FROM meta WHERE key <> 'stale'")
        con.executemany("INSERT INTO meta VALUES (?, ?)", list(wanted.items()))
        if "stale" not in meta:
            con.execute("INSERT INTO meta VALUES ('stale', '1')")
        for name, cols in self._tables().items():
            con.execute(_ddl(name, cols))
        trial_links.create(con, self.record_cols, self.codes)
        con.execute("COMMIT")

    def _tables(self) -> dict[str, Columns]:
        return {"records": self.record_cols, "findings": FINDING_COLUMNS, "errors": ERROR_COLUMNS, "files": FILE_COLUMNS}

    def clear(self) -> None:
        """Drop every result (not the run history): used for --force and profile changes."""
        con = self.con
        con.execute("BEGIN")
        trial_links.drop(con)
        for name in (*self._tables(), "trials"):  # "trials": a table in stores of layout 1
            con.execute(f"DROP TABLE IF EXISTS {name}")
        for name, cols in self._tables().items():
            con.execute(_ddl(name, cols))
        trial_links.create(con, self.record_cols, self.codes)
        con.execute("UPDATE meta SET value = '1' WHERE key = 'stale'")
        con.execute("COMMIT")

    def file_states(self) -> dict[str, dict[str, FileState]]:
        """What is already committed: per input path, its blobs' states by blob id (one small row per blob)."""
        rows = self.con.execute("SELECT input_path, blob_id, file_hash, items, complete FROM files").fetchall()
        states: dict[str, dict[str, FileState]] = {}
        for path, blob_id, h, items, done in rows:
            states.setdefault(path, {})[blob_id] = FileState(h, items, done)
        return states

    def start_run(self, profile_id: str, profile_version: str | None, tool_version: str, options: dict[str, Any]) -> int:
        (last,) = self.con.execute("SELECT coalesce(max(run_id), 0) FROM runs").fetchone()  # type: ignore[misc]
        run_id = int(last) + 1
        self.con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'running', 0, 0, 0, 0)",
                         [run_id, profile_id, profile_version, self.identity, tool_version,
                          json.dumps(options, sort_keys=True), _now()])
        return run_id

    def commit_chunk(self, run_id: int, trials: list[pa.Table], findings: list[pa.Table], errors: list[pa.Table],
                     files: list[tuple[str, str, str, int, str | None, int, bool]], replace: list[str],
                     counts: dict[str, int]) -> None:
        """Write one chunk atomically: rows, file progress and the run's counters, or nothing. The
        tables' rows get `run_id` unless they have that column already. `files`: (blob_id, input_path, member, member_dup, hash, items, complete), the last row of
        a blob wins; `replace`: blob ids whose earlier rows go."""
        con = self.con
        con.execute("BEGIN")
        try:
            if replace:  # blobs whose content changed (or that became unreadable): their old rows go
                self._delete_blobs(pa.array(replace, pa.string()), keep=False)
            for name, tables in (("records", trials), ("findings", findings), ("errors", errors)):
                if tables:
                    chunk = pa.concat_tables(tables)
                    con.register("_chunk", chunk)
                    # Tables from the workers carry no run_id: DuckDB adds the constant column (as
                    # a Python list per table it cost the parent more than the INSERT itself).
                    stamp = "" if "run_id" in chunk.schema.names else ", ?::INTEGER AS run_id"
                    con.execute(f"INSERT INTO {name} BY NAME SELECT *{stamp} FROM _chunk", [run_id] if stamp else [])
                    con.unregister("_chunk")
            latest = {f[0]: f for f in files if f[4] is not None}  # one row per blob: the latest progress
            if latest:
                names = [c.name for c in FILE_COLUMNS]
                table = pa.Table.from_pylist([dict(zip(names, (*f, run_id), strict=True)) for f in latest.values()],
                                             schema=arrow_schema(FILE_COLUMNS))
                con.register("_files", table)
                con.execute("DELETE FROM files WHERE blob_id IN (SELECT blob_id FROM _files)")
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

    def _delete_blobs(self, blob_ids: pa.Array, keep: bool) -> int:
        """Delete the rows of these blobs (keep=False) or of every other blob (keep=True), inside
        the caller's transaction; returns how many rows went."""
        self.con.register("_blobs", pa.table({"b": blob_ids}))
        test = "NOT IN" if keep else "IN"
        deleted = 0
        for name in ("records", "findings", "errors", "files"):
            (n,) = self.con.execute(f"DELETE FROM {name} WHERE blob_id {test} (SELECT b FROM _blobs)").fetchone()  # type: ignore[misc]
            deleted += int(n)
        self.con.unregister("_blobs")
        return deleted

    def finish(self, seen: set[str]) -> None:
        """After a completed run: drop the rows of blobs the run did not meet (its inputs are the
        review), then link the records into trials and list the conflicts between copies."""
        con = self.con
        con.execute("BEGIN")
        try:
            if self._delete_blobs(pa.array(sorted(seen), pa.string()), keep=True):
                con.execute("UPDATE meta SET value = '1' WHERE key = 'stale'")
            trial_links.link(con, self.record_cols, self.codes)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def canonical_ids(self) -> set[str]:
        """Every canonical id of the stored records."""
        return {i for (i,) in self.con.execute("SELECT DISTINCT unnest(ids) FROM records").fetchall()}

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
        return files_export.start(self.con, self.export_columns(), out_dir, self._mark_exported, MEMORY_LIMIT)

    def export_columns(self) -> dict[str, Columns]:
        """The columns of every exported table (and of the codebook)."""
        return {"trials": TRIAL_EXTRA + self.record_cols, "findings": (LINK_COLUMNS[2], *FINDING_COLUMNS),
                "records": self.record_cols, "conflicts": CONFLICT_COLUMNS, "errors": ERROR_COLUMNS}

    def _mark_exported(self) -> None:
        self.con.execute("UPDATE meta SET value = '0' WHERE key = 'stale'")

    def close(self) -> None:
        self.con.close()
        remove_temp(self.path)


def load(out_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The batch tables of a results folder as pandas DataFrames, for notebooks: the exported tables
    (`auditor.batch.export.TABLES`: trials, findings = the trials' findings with `trial_key`, records,
    conflicts, errors), with the exports' definitions and order, plus `runs`.

    Reads the DuckDB store; when another run holds its lock, reads the Parquet twins of the last
    export instead (the same tables, as that export left them) and warns, as they have no `runs`.
    """
    import warnings

    import pandas as pd  # only notebooks need it; keeps `batch` start-up light

    out = Path(out_dir)
    try:
        con = duckdb.connect(str(out / DB_NAME), read_only=True)
    except duckdb.Error as exc:
        warnings.warn(f"{out / DB_NAME}: cannot open the store ({str(exc).splitlines()[0]}): reading the Parquet files "
                      "of the last export, without the runs table", stacklevel=2)
        return {name: pd.read_parquet(out / f"{name}.parquet") for name in files_export.TABLES}
    try:
        tables = {name: con.execute(f"SELECT * FROM {source} ORDER BY {order}").df()
                  for name, (source, order) in files_export.TABLES.items()}
        return {**tables, "runs": con.execute("SELECT * FROM runs ORDER BY run_id").df()}
    finally:
        con.close()
