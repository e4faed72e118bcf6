"""A ctrdata database as an input: SQLite or DuckDB files whose collection tables hold one JSON
document per trial record, read without exporting them first.

ctrdata (through nodbi) keeps a collection as a table with the columns ``_id`` (the record id) and
``json`` (the document). Every table with both columns is read; each row is one record, mapped by
:func:`auditor.sources.ctrdata.map_document`. The row ``_id = 'meta-info'`` is ctrdata's bookkeeping
(the queries that filled the collection) and is skipped. Record pointers start at the row:
``/my_trials/2016-004489-24-DE/e51_primary_end_points``.

How the ``json`` column is read:

| database | column holds | read with |
|---|---|---|
| SQLite | JSON text | Python's sqlite3 |
| SQLite | SQLite JSONB blobs (ctrdata with SQLite >= 3.45) | SQLite's own ``json()`` when Python's sqlite3 is >= 3.45, else :mod:`auditor.sources.jsonb` (the documented JSONB format, decoded in Python) |
| DuckDB | JSON (text) | the duckdb Python package (a dependency); the file is opened read-only |

PostgreSQL and MongoDB collections are servers, not files: export them (``nodbi::docdb_get``) or read
them with ctrdata. A DuckDB database written by a newer DuckDB than the installed package is refused
with an error naming the file and the package to upgrade.

Detected by the file header: ``SQLite format 3`` or DuckDB's ``DUCK`` magic at byte 8.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from auditor.errors import InputError, RecordError
from auditor.model import SourceRef, TrialRecord
from auditor.sources import ctrdata, jsonb

NAME = "ctrdata-db"
DESCRIPTION = "ctrdata database file (SQLite, incl. JSONB, or DuckDB): every _id/json collection table"
META_ID = "meta-info"
SQLITE_MAGIC = b"SQLite format 3\x00"
_SQLITE_HAS_JSONB = sqlite3.sqlite_version_info >= (3, 45, 0)

Row = tuple[str, str, Any]  # table, _id, json value (text, JSONB bytes or None)


def sniff(head: bytes, name: str) -> bool:
    return head.startswith(SQLITE_MAGIC) or head[8:12] == b"DUCK"


def read(data: bytes, origin: str) -> Iterator[TrialRecord | RecordError]:
    """The records of a database given as bytes (a file read by the folder walker, an archive member)."""
    if data.startswith(SQLITE_MAGIC):
        con = sqlite3.connect(":memory:")
        try:
            con.deserialize(data)
        except sqlite3.DatabaseError as exc:
            raise InputError(origin, f"not a readable SQLite database: {exc}") from None
        yield from _records(_sqlite_rows(con, origin), origin)
        return
    with tempfile.TemporaryDirectory(prefix="trial-audit-") as tmp:  # DuckDB opens files only
        path = Path(tmp) / "collection.duckdb"
        path.write_bytes(data)
        yield from _records(_duckdb_rows(str(path), origin), origin)


def read_database(path: str | os.PathLike[str]) -> Iterator[TrialRecord | RecordError]:
    """The records of a database file, opened in place (read-only; no copy in memory)."""
    origin = str(path)
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        try:
            con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise InputError(origin, f"cannot open SQLite database: {exc}") from None
        yield from _records(_sqlite_rows(con, origin), origin)
    elif head[8:12] == b"DUCK":
        yield from _records(_duckdb_rows(origin, origin), origin)
    else:
        raise InputError(origin, "not a SQLite or DuckDB database file")


def _sqlite_rows(con: sqlite3.Connection, origin: str) -> Iterator[Row]:
    try:
        tables = [name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        collections = [t for t in tables if {"_id", "json"} <= {c[1] for c in con.execute(f'PRAGMA table_info("{_q(t)}")')}]
        if not collections:
            raise InputError(origin, f"SQLite database without a ctrdata collection (a table with _id and json columns); "
                                     f"tables: {', '.join(tables) or 'none'}")
        column = "CASE WHEN typeof(json) = 'blob' THEN json(json) ELSE json END" if _SQLITE_HAS_JSONB else "json"
        for table in collections:
            for row_id, value in con.execute(f'SELECT _id, {column} FROM "{_q(table)}" ORDER BY rowid'):
                yield table, str(row_id), value
    except sqlite3.Error as exc:
        raise InputError(origin, f"cannot read SQLite database: {exc}") from None
    finally:
        con.close()


def _duckdb_rows(path: str, origin: str) -> Iterator[Row]:
    try:
        import duckdb
    except ImportError:
        raise InputError(origin, "reading a DuckDB database needs the duckdb Python package (pip install duckdb)") from None
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error as exc:
        raise InputError(origin, f"cannot open DuckDB database ({str(exc).splitlines()[0]}); a file written by a newer "
                                 f"DuckDB needs a newer duckdb package (pip install -U duckdb)") from None
    try:
        cols = con.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns").fetchall()
        names: dict[tuple[str, str], set[str]] = {}
        for schema, table, column in cols:
            names.setdefault((schema, table), set()).add(column)
        collections = sorted(k for k, v in names.items() if {"_id", "json"} <= v)
        if not collections:
            raise InputError(origin, "DuckDB database without a ctrdata collection (a table with _id and json columns)")
        for schema, table in collections:
            query = f'SELECT "_id", CAST("json" AS VARCHAR) FROM "{_q(schema)}"."{_q(table)}"'
            for row_id, value in con.execute(query).fetchall():
                yield table, str(row_id), value
    except duckdb.Error as exc:
        raise InputError(origin, f"cannot read DuckDB database: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()


def _q(name: str) -> str:
    return name.replace('"', '""')


def _records(rows: Iterator[Row], origin: str) -> Iterator[TrialRecord | RecordError]:
    index = -1
    for table, row_id, value in rows:
        if row_id == META_ID:
            continue
        index += 1
        base = f"/{table}/{row_id}"
        try:
            doc = _document(value)
        except ValueError as exc:
            yield RecordError(origin, f"row {row_id!r} of table {table!r}: {exc}", where=base, index=index,
                              record_id=row_id)
            continue
        source = SourceRef(path=origin, format=NAME, index=index, digest=ctrdata.study_digest(doc))
        try:
            yield ctrdata.map_document(doc, base, source, row_id=row_id)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            yield RecordError(origin, f"cannot map row {row_id!r}: {exc}", where=base, index=index, record_id=row_id)


def _document(value: Any) -> Any:
    """The JSON document of one row's json value."""
    if value is None:
        raise ValueError("the json column is empty")
    if isinstance(value, bytes):
        if value.lstrip()[:1] in (b"{", b"["):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        try:
            return jsonb.decode(value)
        except jsonb.NotJsonb as exc:
            raise ValueError(f"the json column holds a blob that is neither JSON text nor SQLite JSONB ({exc})") from None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"the json column is not valid JSON: {exc}") from None
