"""The worker side of `batch`: input file paths in, column-oriented chunks of result rows out.

A worker reads one input file at a time (never the corpus), hashes it, skips it when the store
already holds it unchanged, audits its records otherwise, and hands back
Arrow tables of at most ~`chunk_size` records, so a 100,000-study API export streams out in pieces
and the parent only concatenates and inserts. Workers never touch the database.
"""

from __future__ import annotations

import gc
import hashlib
import math
import os
import queue
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import orjson
import pyarrow as pa

from auditor.batch import budget
from auditor.batch.columns import ERROR_COLUMNS, FINDING_COLUMNS, KEY_FACTS, FileState, arrow_schema, trial_columns
from auditor.engine.profiles import Profile
from auditor.errors import InputError, RecordError
from auditor.facts import lookup
from auditor.model import TrialRecord
from auditor.pipeline import Verdict, verdict
from auditor.sources import containers, read_blob

# One record's time budget: a pathological record becomes an error row instead of stalling a worker.
RECORD_SECONDS = containers.setting("TRIAL_AUDIT_RECORD_SECONDS")
# Longer evidence quotes (whole eligibility sections) add nothing to a table cell.
MAX_QUOTE = 2000


@dataclass
class Task:
    """One input file. The worker reads it (and, for archives, its members) itself, so file bytes
    never pass through the parent; only standard input arrives as `data` (or the error reading it)."""

    path: str
    data: bytes | InputError | None = None
    known: dict[str, FileState] = field(default_factory=dict)  # the store's state of this file's blobs


class ChunkSink(Protocol):
    """Where chunks go: the parent's writer (auditor.batch.runner.Writer), which the pool feeds
    without importing the orchestration that owns it."""

    def add(self, chunk: Chunk) -> None: ...


@dataclass
class Chunk:
    trials: pa.Table | None
    findings: pa.Table | None
    errors: pa.Table | None
    files: list[tuple[str, str | None, int, bool]]  # (origin, hash, items done, complete)
    audited: int = 0
    failed: int = 0
    skipped: int = 0  # items committed by an earlier run and unchanged since
    replace: list[str] = field(default_factory=list)  # blobs whose earlier rows this chunk supersedes


def _without_run_id(columns: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(c for c in columns if c[0] != "run_id")  # the parent stamps the run id on insert


def _coerce(value: Any, sql: str) -> Any:
    """Fit an extracted value to its column type, so one odd value cannot fail a whole chunk."""
    if value is None:
        return None
    try:
        if sql in ("BIGINT", "INTEGER"):
            number = None if isinstance(value, bool) else int(value)
            bound = 1 << (63 if sql == "BIGINT" else 31)
            return number if number is None or -bound <= number < bound else None  # 1e30 fits no column
        if sql == "DOUBLE":
            real = None if isinstance(value, bool) else float(value)
            return real if real is None or math.isfinite(real) else None
        if sql == "BOOLEAN":
            return value if isinstance(value, bool) else None
        if sql == "VARCHAR[]":
            return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    except (TypeError, ValueError, OverflowError):
        return None
    return str(value)


def _table(rows: list[dict[str, Any]] | list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    """Rows as dicts, or as tuples in the schema's column order (the findings: 22 per record)."""
    if isinstance(rows[0], tuple):
        columns = list(zip(*rows))
        return pa.Table.from_arrays([pa.array(col, type=f.type) for col, f in zip(columns, schema)], schema=schema)
    # Column lists first: ~10x faster than Table.from_pylist on these wide rows.
    return pa.Table.from_pydict({name: [row.get(name) for row in rows] for name in schema.names}, schema=schema)


_FINDING_ORDER = ("source_path", "source_index", "trial_id", "code", "name", "criterion_group", "severity", "status",
                  "message", "fix", "evidence")


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class _Pending:
    trials: list[dict[str, Any]] = field(default_factory=list)
    findings: list[tuple[Any, ...]] = field(default_factory=list)  # in _FINDING_ORDER
    errors: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, tuple[str | None, int, bool]] = field(default_factory=dict)
    audited: int = 0
    failed: int = 0
    skipped: int = 0
    replace: list[str] = field(default_factory=list)


class Auditor:
    """Audits blobs into rows and cuts them into chunks; the same code runs inline for --jobs 1."""

    def __init__(self, profile: Profile, reader: str | None, chunk_size: int = 250):
        self.profile = profile
        self.reader = reader
        self.chunk_size = chunk_size
        self.codes = tuple(c.code for c in profile.criteria)
        self.schemas = {name: arrow_schema(_without_run_id(cols)) for name, cols in
                        (("trials", trial_columns(self.codes)), ("findings", FINDING_COLUMNS), ("errors", ERROR_COLUMNS))}
        assert self.schemas["findings"].names == list(_FINDING_ORDER), "finding rows are built in column order"
        self.pending = _Pending()

    @property
    def has_pending(self) -> bool:
        p = self.pending
        return bool(p.files or p.errors or p.skipped or p.replace)

    def _full(self) -> bool:
        # Skipped items cost nothing to send; flushing them now and then keeps the progress bar moving.
        p = self.pending
        return len(p.trials) + len(p.errors) >= self.chunk_size or p.skipped >= 20 * self.chunk_size

    def feed(self, task: Task) -> Iterator[Chunk]:
        """Audit one input file, yielding a chunk whenever enough rows have piled up."""
        if isinstance(task.data, InputError):
            blobs: Iterator[tuple[str, bytes | InputError]] = iter([(task.path, task.data)])
        elif task.data is not None:
            blobs = containers.expand_bytes(task.path, task.data)
        else:
            blobs = containers.expand([task.path])
        for origin, data in blobs:
            if isinstance(data, InputError):  # unreadable before any content: replaces what it held
                self.pending.replace.append(origin)
                self._error(data, None, index=None)
            else:
                yield from self._blob(origin, data, task.known.get(origin))
            if self._full():
                yield self.flush()

    def _blob(self, origin: str, data: bytes, known: FileState | None) -> Iterator[Chunk]:
        """The records of one blob; an unchanged one is skipped (or resumed where a run stopped)."""
        file_hash = _digest(data)
        start = 0
        if known is not None and known.file_hash == file_hash:
            self.pending.skipped += known.items
            if known.complete:
                return
            start = known.items  # committed by an interrupted run: read past them, do not audit
        elif known is not None:
            self.pending.replace.append(origin)
        done = start
        self._progress(origin, file_hash, done, complete=False)
        try:
            for position, item in enumerate(read_blob(data, origin, self.reader)):
                if position < start:
                    continue
                self._item(item, file_hash)
                done = position + 1
                self._progress(origin, file_hash, done, complete=False)
                if self._full():
                    yield self.flush()
                    self._progress(origin, file_hash, done, complete=False)
        except InputError as err:  # the file (or its rest) cannot be read: one error row, counted once
            self._error(err, file_hash, index=None if done == 0 else done)
            done += 1
        except Exception as exc:  # noqa: BLE001 - a reader bug must not end the batch; the file is reported instead
            self._error(InputError(origin, f"reader failed: {type(exc).__name__}: {exc}"), file_hash,
                        index=None if done == 0 else done)
            done += 1
        self._progress(origin, file_hash, done, complete=True)

    def _progress(self, origin: str, file_hash: str, done: int, complete: bool) -> None:
        self.pending.files[origin] = (file_hash, done, complete)

    def _item(self, item: TrialRecord | RecordError, file_hash: str | None) -> None:
        if isinstance(item, RecordError):
            self._error(item, file_hash, index=item.index)
            return
        try:
            with budget.limit(RECORD_SECONDS):
                trial, findings = self._rows(verdict(item, self.profile), file_hash)
        except budget.OverBudget:
            err = RecordError(item.source.path, f"audit took longer than {RECORD_SECONDS} s "
                              "(set TRIAL_AUDIT_RECORD_SECONDS to allow more)",
                              index=item.source.index, record_id=item.trial_id)
            self._error(err, file_hash, index=item.source.index)
            return
        except Exception as exc:  # noqa: BLE001 - an extractor bug on one record: record it, go on with the batch
            err = RecordError(item.source.path, f"audit failed: {type(exc).__name__}: {str(exc)[:500]}",
                              index=item.source.index, record_id=item.trial_id)
            self._error(err, file_hash, index=item.source.index)
            return
        self.pending.trials.append(trial)
        self.pending.findings.extend(findings)
        self.pending.audited += 1

    def _rows(self, v: Verdict, file_hash: str | None) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
        """The trial's row and its findings' rows (built before anything is appended, so a failure
        leaves no half-recorded trial). The same verdict as a `check` report's, without building one."""
        record, sheet = v.record, v.sheet
        found, counts = v.judgement
        src = record.source
        title = record.title or record.official_title
        criteria = self.profile.criteria
        row: dict[str, Any] = {
            "source_path": src.path, "source_index": src.index, "format": src.format, "registry": record.registry,
            "trial_id": record.trial_id, "secondary_ids": record.secondary_ids,
            "title": title.value if title else None,
            "overall_status": record.status.value if record.status else None,
            "start_year": record.dates.start_parsed.year if record.dates.start_parsed else None,
            **{col: _coerce(lookup(sheet.facts, path), sql) for col, path, sql in KEY_FACTS},
            **cast("dict[str, int]", counts),  # Status keys are column names
            **{c.code: a.status for c, a in zip(criteria, found)},
            "facts_json": orjson.dumps(sheet.facts, option=orjson.OPT_NON_STR_KEYS).decode(),
            # Identity of the record's content wherever it sits: finds the same study in two exports.
            # The reader's digest of the source object where it has one (~3x cheaper than
            # serialising the record), else the normalised record.
            "content_hash": src.digest or _digest(record.model_dump_json(exclude={"source"}).encode()),
            "file_hash": file_hash,
        }
        findings = []
        for c, a in zip(criteria, found):
            # Evidence's fields, as model_dump() gives them, without its cost (a frozen model's __dict__).
            evidence = [{k: v for k, v in e.__dict__.items() if v is not None} for e in a.evidence]
            for ev in evidence:
                ev["quote"] = ev["quote"][:MAX_QUOTE]
            findings.append((src.path, src.index, record.trial_id, c.code, c.name, c.group, c.severity, a.status,
                             a.message, a.fix, orjson.dumps(evidence).decode()))
        return row, findings

    def _error(self, err: InputError, file_hash: str | None, index: int | None) -> None:
        self.pending.errors.append({
            "source_path": err.origin, "source_index": index,
            "record_id": err.record_id if isinstance(err, RecordError) else None,
            "location": err.where, "line": err.line, "reason": err.message, "file_hash": file_hash})
        self.pending.failed += 1

    def flush(self) -> Chunk:
        p = self.pending
        tables = {name: _table(rows, self.schemas[name]) if rows else None
                  for name, rows in (("trials", p.trials), ("findings", p.findings), ("errors", p.errors))}
        chunk = Chunk(trials=tables["trials"], findings=tables["findings"], errors=tables["errors"],
                      files=[(o, h, n, c) for o, (h, n, c) in p.files.items()], audited=p.audited, failed=p.failed,
                      skipped=p.skipped, replace=p.replace)
        self.pending = _Pending()
        return chunk


DONE = "done"


def worker_main(tasks: Any, results: Any, profile: Profile, reader: str | None, chunk_size: int, parent: int) -> None:
    """Process entry point: serve tasks until the parent sends None (or disappears)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's terminate() ends us (cli.batch redirects its own)
    # Auditing allocates many short-lived objects and few cycles: park what the fork inherited
    # (profile, validators, modules) outside the collector and collect young objects less often.
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    auditor = Auditor(profile, reader, chunk_size)

    def put(item: Any) -> None:
        while True:
            try:
                results.put(item, timeout=1.0)
                return
            except queue.Full:
                _exit_if_orphaned(results, parent)

    while True:
        try:
            message = tasks.get(timeout=0.05 if auditor.has_pending else 1.0)
        except queue.Empty:
            # Idle: hand over what we have so the parent can commit it, then check the parent lives.
            if auditor.has_pending:
                put(auditor.flush())
            _exit_if_orphaned(results, parent)
            continue
        if message is None:
            if auditor.has_pending:
                put(auditor.flush())
            put(DONE)
            return
        for task in message:
            for chunk in auditor.feed(task):
                put(chunk)


def _exit_if_orphaned(results: Any, parent: int) -> None:
    """After a SIGKILL of the parent nobody reads our queue: leave instead of hanging forever."""
    if os.getppid() != parent:
        results.cancel_join_thread()
        os._exit(0)
