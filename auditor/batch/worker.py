"""The worker side of `batch`: input file paths in, column-oriented chunks of result rows out.

A worker reads one input file at a time (never the corpus), hashes it, skips it when the store
already holds it unchanged, audits its records otherwise, and hands back
Arrow tables of at most ~`chunk_size` records, so a 100,000-study API export streams out in pieces
and the parent only concatenates and inserts. Workers never touch the database.
"""

from __future__ import annotations

import gc
import os
import queue
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import orjson
import pyarrow as pa

from auditor import limits
from auditor.batch import budget
from auditor.batch import rows as row_builder
from auditor.batch.columns import (
    ERROR_COLUMNS,
    FINDING_COLUMNS,
    FileState,
    arrow_schema,
    record_columns,
    without_run_id,
)
from auditor.corrections import Corrections
from auditor.engine.profiles import Profile
from auditor.errors import InputError, RecordError
from auditor.model import TrialRecord
from auditor.pipeline import verdict
from auditor.sources import containers, read_blob

# One record's time budget (a pathological record becomes an error row instead of stalling a
# worker): TRIAL_AUDIT_RECORD_SECONDS, read by the parent when a run starts and handed to every
# Auditor, so a Dask worker whose environment differs (or holds a bad value) uses the run's budget.
RECORD_SECONDS_ENV = "TRIAL_AUDIT_RECORD_SECONDS"


@dataclass
class Task:
    """One input file. The worker reads it (and, for archives, its members) itself, so file bytes
    never pass through the parent; only standard input arrives as `data` (or the error reading it)."""

    path: str
    data: bytes | InputError | None = None
    known: dict[str, FileState] = field(default_factory=dict)  # the store's state of this file's blobs, by blob_id


class ChunkSink(Protocol):
    """Where chunks go: the parent's writer (auditor.batch.runner.Writer), which the pool feeds
    without importing the orchestration that owns it."""

    def add(self, chunk: Chunk) -> None: ...


class BlobKey(NamedTuple):
    """A blob's structured identity: the input file, the member inside it, and how many earlier
    blobs of that file had the same member name (a zip may hold two members of one name)."""

    input_path: str
    member: str
    dup: int

    @property
    def blob_id(self) -> str:
        return row_builder.digest(orjson.dumps(list(self)))


# (blob_id, input_path, member, member_dup, file_hash, items done, complete)
FileRow = tuple[str, str, str, int, str | None, int, bool]


@dataclass
class Chunk:
    trials: pa.Table | None
    findings: pa.Table | None
    errors: pa.Table | None
    files: list[FileRow]
    audited: int = 0
    failed: int = 0
    skipped: int = 0  # items committed by an earlier run and unchanged since
    replace: list[str] = field(default_factory=list)  # blob ids whose earlier rows this chunk supersedes
    seen: list[str] = field(default_factory=list)  # every blob id met, unchanged ones included


def member_of(path: str, origin: str) -> str:
    """The part of a blob's origin inside its input file ('' for the file or its gzip content)."""
    for base in (path, path.removesuffix(".gz")):
        if origin == base:
            return ""
        if origin.startswith(base + "!"):
            return origin[len(base) + 1:]
    return origin


@dataclass
class _Pending:
    trials: list[dict[str, Any]] = field(default_factory=list)
    findings: list[tuple[Any, ...]] = field(default_factory=list)  # in FINDING_ORDER
    errors: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, FileRow] = field(default_factory=dict)
    audited: int = 0
    failed: int = 0
    skipped: int = 0
    replace: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)


class Auditor:
    """Audits blobs into rows and cuts them into chunks; the same code runs inline for --jobs 1."""

    def __init__(self, profile: Profile, reader: str | None, chunk_size: int = 250,
                 corrections: Corrections | None = None, record_seconds: int | None = None):
        """`record_seconds`: one record's time budget; None reads TRIAL_AUDIT_RECORD_SECONDS here
        (InputError naming it for a bad value, never a silent default)."""
        self.profile = profile
        self.record_seconds = limits.env_int(RECORD_SECONDS_ENV) if record_seconds is None else record_seconds
        self.reader = reader
        self.chunk_size = chunk_size
        self.corrections = corrections
        self.codes = tuple(c.code for c in profile.criteria)
        self.schemas = {name: arrow_schema(without_run_id(cols)) for name, cols in
                        (("trials", record_columns(self.codes)), ("findings", FINDING_COLUMNS), ("errors", ERROR_COLUMNS))}
        assert tuple(self.schemas["findings"].names) == row_builder.FINDING_ORDER, "finding rows are built in column order"
        self.pending = _Pending()

    @property
    def has_pending(self) -> bool:
        p = self.pending
        return bool(p.files or p.errors or p.skipped or p.replace or p.seen)

    def _full(self) -> bool:
        # Skipped items cost nothing to send; flushing them now and then keeps the progress bar moving.
        p = self.pending
        return len(p.trials) + len(p.errors) >= self.chunk_size or p.skipped >= 20 * self.chunk_size

    def feed(self, task: Task) -> Iterator[Chunk]:
        """Audit one input file, yielding a chunk whenever enough rows have piled up."""
        if isinstance(task.data, InputError):
            blobs: Iterator[tuple[str, containers.Content | InputError]] = iter([(containers.origin_name(task.path), task.data)])
        elif task.data is not None:
            blobs = containers.expand_bytes(task.path, task.data)
        else:
            blobs = containers.expand([task.path])
        # Stored (files.input_path, records.source_path) under the printable name the origins carry:
        # a name with undecodable bytes is `\xNN` text, which UTF-8 tables and orjson accept.
        input_path = containers.origin_name(task.path)
        names: dict[str, int] = {}
        for origin, data in blobs:
            member = member_of(input_path, origin)
            key = BlobKey(input_path, member, names.get(member, 0))
            names[member] = key.dup + 1
            blob_id = key.blob_id
            self.pending.seen.append(blob_id)
            if isinstance(data, InputError):  # unreadable before any content: replaces what it held
                self.pending.replace.append(blob_id)
                self._error(data, blob_id, None, index=None)
            else:
                yield from self._blob(key, origin, data, task.known.get(blob_id))
            if self._full():
                yield self.flush()

    def _blob(self, key: BlobKey, origin: str, data: containers.Content, known: FileState | None) -> Iterator[Chunk]:
        """The records of one blob; an unchanged one is skipped (or resumed where a run stopped).
        `origin` names the blob for people (and for detection by name); `key` identifies it."""
        file_hash = containers.digest(data)  # a Spool (a large file) is hashed in pieces
        blob_id = key.blob_id
        start = 0
        if known is not None and known.file_hash == file_hash:
            self.pending.skipped += known.items
            if known.complete:
                return
            start = known.items  # committed by an interrupted run: read past them, do not audit
        elif known is not None:
            self.pending.replace.append(blob_id)
        done = start

        def progress(complete: bool) -> None:
            self.pending.files[blob_id] = (blob_id, *key, file_hash, done, complete)

        progress(False)
        try:
            for position, item in enumerate(read_blob(data, origin, self.reader)):
                if position < start:
                    continue
                self._item(item, blob_id, file_hash)
                done = position + 1
                progress(False)
                if self._full():
                    yield self.flush()
                    progress(False)
        except InputError as err:  # the file (or its rest) cannot be read: one error row, counted once
            self._error(err, blob_id, file_hash, index=None if done == 0 else done)
            done += 1
        except Exception as exc:  # noqa: BLE001 - a reader bug must not end the batch; the file is reported instead
            self._error(InputError(origin, f"reader failed: {type(exc).__name__}: {exc}"), blob_id, file_hash,
                        index=None if done == 0 else done)
            done += 1
        progress(True)

    def _item(self, item: TrialRecord | RecordError, blob_id: str, file_hash: str | None) -> None:
        if isinstance(item, RecordError):
            self._error(item, blob_id, file_hash, index=item.index)
            return
        try:
            with budget.limit(self.record_seconds):
                trial, findings = row_builder.rows(verdict(item, self.profile, self.corrections), self.profile,
                                                   blob_id, file_hash)
        except budget.OverBudget:
            err = RecordError(item.source.path, f"audit took longer than {self.record_seconds} s "
                              "(set TRIAL_AUDIT_RECORD_SECONDS to allow more)",
                              index=item.source.index, record_id=item.trial_id)
            self._error(err, blob_id, file_hash, index=item.source.index)
            return
        except Exception as exc:  # noqa: BLE001 - an extractor bug on one record: record it, go on with the batch
            err = RecordError(item.source.path, f"audit failed: {type(exc).__name__}: {str(exc)[:500]}",
                              index=item.source.index, record_id=item.trial_id)
            self._error(err, blob_id, file_hash, index=item.source.index)
            return
        self.pending.trials.append(trial)
        self.pending.findings.extend(findings)
        self.pending.audited += 1

    def _error(self, err: InputError, blob_id: str, file_hash: str | None, index: int | None) -> None:
        self.pending.errors.append({
            "blob_id": blob_id, "source_path": err.origin, "source_index": index,
            "record_id": err.record_id if isinstance(err, RecordError) else None,
            "location": err.where, "line": err.line, "reason": err.message, "file_hash": file_hash})
        self.pending.failed += 1

    def flush(self) -> Chunk:
        p = self.pending
        tables = {name: row_builder.table(rows, self.schemas[name]) if rows else None
                  for name, rows in (("trials", p.trials), ("findings", p.findings), ("errors", p.errors))}
        chunk = Chunk(trials=tables["trials"], findings=tables["findings"], errors=tables["errors"],
                      files=list(p.files.values()), audited=p.audited, failed=p.failed,
                      skipped=p.skipped, replace=p.replace, seen=p.seen)
        self.pending = _Pending()
        return chunk


DONE = "done"
GC_THRESHOLD = (50_000, 50, 100)


def quiet_collector() -> tuple[int, ...]:
    """Auditing allocates many short-lived objects and few cycles: park what exists now (profile,
    validators, modules, for a worker what the fork inherited) outside the collector and collect
    young objects less often. With the default thresholds a --jobs 1 run spent ~0.3 ms a record
    in the collector, mostly in full collections walking those long-lived objects. Returns what
    `restore_collector` needs: the thresholds before and whether anything was frozen already."""
    before = (*gc.get_threshold(), gc.get_freeze_count())
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    return before


def restore_collector(before: tuple[int, ...]) -> None:
    """Undo `quiet_collector` (the inline auditor runs in a caller's process that may go on). What
    the caller had frozen itself stays frozen: then ours stays too (gc cannot unfreeze a part)."""
    *threshold, frozen_before = before
    gc.set_threshold(*threshold)
    if frozen_before == 0:
        gc.unfreeze()


def worker_main(tasks: Any, results: Any, profile: Profile, reader: str | None, chunk_size: int, parent: int,
                corrections: Corrections | None = None, record_seconds: int | None = None) -> None:
    """Process entry point: serve tasks until the parent sends None (or disappears)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's terminate() ends us (cli.batch redirects its own)
    quiet_collector()
    auditor = Auditor(profile, reader, chunk_size, corrections, record_seconds)

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
