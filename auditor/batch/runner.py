"""`batch`: stream many inputs through parallel workers into the results store, then write tables,
summary and HTML overview.

Memory stays flat: the parent walks the inputs lazily (one directory listing at a time) and queues
file paths for the workers, which read, hash and audit one file at a time (file bytes never pass
through the parent); it receives result chunks of ~250 records through a bounded queue and commits
them every ~5,000 records or 5 seconds. The only things that grow with the input are one small row
per input file (what the store already holds, for the unchanged-file check) and the set of paths
seen in this run: tens of MB at 100,000 files.

Accounting: every record (or unreadable file) is counted exactly once as audited, failed to read,
or skipped (unchanged since an earlier run, or committed before an interruption), so
seen = audited + failed + skipped, in the terminal, in summary.json and in the `runs` table.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import orjson

from auditor import __version__, limits
from auditor.batch import executors, review
from auditor.batch.columns import FileState
from auditor.batch.pool import StopOnInterrupt
from auditor.batch.progress import Progress, ProgressSink
from auditor.batch.store import DB_NAME, IDENTITY_PARTS, Store, open_problem
from auditor.batch.worker import Auditor, Chunk, Task, quiet_collector, restore_collector
from auditor.corrections import Corrections
from auditor.engine.profiles import Profile
from auditor.errors import InputError
from auditor.report import html
from auditor.sources import containers

# Records per transaction: few enough to lose little on a crash (a few seconds of work), many
# enough to be fast: per 20,000 records, COMMIT + INSERT cost the parent 1.3 s in transactions of
# 2,000 records and 0.85 s in transactions of ~6,000 (and the parent shares the cores with the
# workers). The environment overrides (TRIAL_AUDIT_COMMIT_ROWS, TRIAL_AUDIT_CHUNK_ROWS: records per
# worker -> parent message) exist for tests that need many small commits (and for tuning); they are
# read when a run starts (auditor.limits), so a bad value is one line naming it, not an import error.
COMMIT_SECONDS = 5.0
# TRIAL_AUDIT_COMMIT_LOG: when set, one line per committed transaction (running totals) is appended
# to that file: a cheap way to watch a long run from outside while DuckDB's lock keeps other readers out.
COMMIT_LOG_ENV = "TRIAL_AUDIT_COMMIT_LOG"


class BatchError(Exception):
    """The batch could not run at all (unwritable out dir, store locked by another run, ...)."""


@dataclass
class Totals:
    seen: int = 0
    audited: int = 0
    failed: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"seen": self.seen, "audited": self.audited, "failed": self.failed, "skipped": self.skipped}


@dataclass
class Outcome:
    run_id: int
    totals: Totals
    status: str  # completed | interrupted
    seconds: float
    reset_reason: str | None = None
    files: list[Path] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    correction_errors: list[InputError] = field(default_factory=list)  # corrections for trials not in the inputs


def profile_identity(profile: Profile, corrections: Corrections | None = None) -> str:
    """Hash of the resolved profile (parents merged, criteria selected, severities overridden), the
    reviewer's corrections, the tool version and the extraction rules and code (`derived.fingerprint`:
    a changed rule file changes facts even when the version number stays): what results depend on.
    Written `part=hash;...` (IDENTITY_PARTS), so the store can name the part that changed."""
    from auditor import derived

    parts = {"criteria": {"id": profile.id, "version": profile.version,
                          "criteria": [[c.code, c.name, c.group, c.severity, c.facts, c.messages, c.conditions, c.fix]
                                       for c in profile.criteria]},
             "corrections": corrections.digest if corrections is not None and corrections.digest else None,
             "extraction": derived.fingerprint(), "tool": __version__}
    return ";".join(f"{name}={_digest(parts[name])}" for name in IDENTITY_PARTS)


def _digest(value: Any) -> str:
    return hashlib.blake2b(orjson.dumps(value, option=orjson.OPT_SORT_KEYS), digest_size=8).hexdigest()


def disk_inputs(inputs: Iterable[str], skip: Iterable[Path] = ()) -> Iterator[tuple[str, int]]:
    """(path, bytes on disk) per input file; folders expanded (by the one walker, which leaves out
    `skip`: the results folder), paths made absolute so that a re-run from another working
    directory finds its earlier results."""
    skip = tuple(skip)
    for raw in inputs:
        if containers.remote.is_url(raw):  # s3://, gs://, file://: the object, or the files under a prefix
            yield from containers.url_inputs(raw)
            continue
        path = Path(raw)
        if path.is_dir() and containers.results_folder(path):
            yield str(path.resolve()), 0  # containers names it in its error: its tables are no records
            continue
        if raw == "-" or not path.is_dir():
            # A pipe (`batch <(cmd)`, /dev/fd/N) is named as given: resolved it is "pipe:[N]", no file.
            named = raw == "-" or not path.exists() or not path.is_file()
            yield (raw if named else str(path.resolve())), _size(path)
            continue
        empty = True
        for file in containers.walk(path.resolve(), skip):
            empty = False
            yield str(file), _size(file)
        if empty:
            yield str(path.resolve()), 0  # containers names the empty folder in its error


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class Writer:
    """Collects chunks and commits them in transactions of about `commit_rows` records."""

    def __init__(self, store: Store, run_id: int, commit_rows: int | None = None):
        self.store, self.run_id = store, run_id
        self.commit_rows = commit_rows or limits.env_int("TRIAL_AUDIT_COMMIT_ROWS")
        self.commit_log = os.environ.get(COMMIT_LOG_ENV) or None
        self.totals = Totals()
        self._reset()
        self.last_commit = time.monotonic()

        self.seen: set[str] = set()  # every blob met in this run: what the finished store keeps

    def _reset(self) -> None:
        self.chunks: list[Chunk] = []
        self.replace: list[str] = []
        self.rows = 0

    def add(self, chunk: Chunk) -> None:
        self.chunks.append(chunk)
        self.replace += chunk.replace
        self.seen.update(chunk.seen)
        self.rows += chunk.audited + chunk.failed
        self.totals.seen += chunk.audited + chunk.failed + chunk.skipped
        self.totals.audited += chunk.audited
        self.totals.failed += chunk.failed
        self.totals.skipped += chunk.skipped
        if self.rows >= self.commit_rows or time.monotonic() - self.last_commit >= COMMIT_SECONDS:
            self.commit()

    def commit(self) -> None:
        self.store.commit_chunk(
            self.run_id, trials=[c.trials for c in self.chunks if c.trials is not None],
            findings=[c.findings for c in self.chunks if c.findings is not None],
            errors=[c.errors for c in self.chunks if c.errors is not None],
            files=[f for c in self.chunks for f in c.files], replace=self.replace, counts=self.totals.as_dict())
        self._reset()
        self.last_commit = time.monotonic()
        if self.commit_log:
            with open(self.commit_log, "a", encoding="utf-8") as log:
                log.write(orjson.dumps(self.totals.as_dict()).decode() + "\n")


def _tasks(inputs: Iterable[str], by_file: dict[str, dict[str, FileState]], advance: Callable[[int], None],
           skip: tuple[Path, ...] = ()) -> Iterator[Task]:
    """One task per input file, with what the store holds for the blobs in it (the file itself, its
    gzip content, or its archive members, by blob id): the worker that reads it decides what is unchanged."""
    seen: set[str] = set()
    for path, size in disk_inputs(inputs, skip):
        if path in seen:
            continue  # the same file named twice: its records are already accounted for
        seen.add(path)
        if path == "-":
            try:
                data: bytes | InputError = containers.read_stdin()
            except InputError as err:
                data = err
            task = Task(containers.STDIN, data, by_file.pop(containers.STDIN, {}))
        else:
            # The store keys blobs by the printable name (containers.origin_name), as the worker writes it.
            task = Task(path, known=by_file.pop(containers.origin_name(path), {}))
        yield task
        advance(size)


def run(inputs: list[str], out_dir: Path, profile: Profile, *, jobs: int, force: bool = False,
        reader: str | None = None, progress: ProgressSink | None = None, html_limit: int = html.DEFAULT_LIMIT,
        chunk_size: int | None = None, corrections: Corrections | None = None,
        options: dict[str, Any] | None = None, executor: str = "local", scheduler: str | None = None) -> Outcome:
    """Audit everything under `inputs` into `out_dir` (resumable, incremental) and write the tables,
    summary.json and report.html when the run completes. `options`: the settings the run was
    configured with, kept in `runs.options`. `executor`: where the audits run (`auditor.batch.executors`:
    local worker processes, or a Dask cluster at `scheduler`). A bad TRIAL_AUDIT_* setting raises
    InputError naming it, before any work."""
    progress = progress or Progress()
    chunk_size = chunk_size or limits.env_int("TRIAL_AUDIT_CHUNK_ROWS")
    commit_rows = limits.env_int("TRIAL_AUDIT_COMMIT_ROWS")
    record_seconds = limits.env_int("TRIAL_AUDIT_RECORD_SECONDS")  # handed to every worker, Dask ones too
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BatchError(f"{out_dir}: cannot write there: {exc.strerror or exc}") from None
    if corrections is not None:
        corrections.check_codes(tuple(c.code for c in profile.criteria))
    # Fork workers before the database and the progress thread exist: a forked child then holds
    # no copy of a DuckDB handle or of a lock some thread owned.
    try:
        pool = executors.start(executor, profile, reader, jobs, chunk_size, corrections, scheduler, record_seconds)
    except executors.ExecutorError as exc:
        raise BatchError(str(exc)) from None
    try:
        store = Store(out_dir, tuple(c.code for c in profile.criteria), profile_identity(profile, corrections))
    except duckdb.Error as exc:
        if pool:
            pool.stop()
        raise BatchError(f"{out_dir / DB_NAME}: {open_problem(exc)}") from None
    started = time.monotonic()
    run_id: int | None = None
    try:
        if force:
            store.clear()
        run_id = store.start_run(profile.id, profile.version, __version__,
                                 {"inputs": inputs, "jobs": jobs, "force": force, "reader": reader,
                                  **({"executor": executor} if executor != "local" else {}),
                                  "corrections": corrections.origin if corrections else None, **(options or {})})
        writer = Writer(store, run_id, commit_rows)
        inline = Auditor(profile, reader, chunk_size, corrections, record_seconds) if pool is None else None
        skip = (out_dir,)
        progress.start(sum(size for _, size in disk_inputs(inputs, skip)))
        done_bytes = 0

        def tick() -> None:  # records seen so far, counting those an inline auditor has not flushed
            pending = inline.pending.audited + inline.pending.failed + inline.pending.skipped if inline else 0
            progress.update(writer.totals.seen + pending, done_bytes)

        def advance(size: int) -> None:
            nonlocal done_bytes
            done_bytes += size
            tick()

        tasks = _tasks(inputs, store.file_states(), advance, skip)
        with StopOnInterrupt() as stop:
            try:
                if inline is not None:
                    _inline(tasks, inline, writer, stop)
                else:
                    assert pool is not None
                    pool.process(tasks, writer, stop, tick)
            except executors.ExecutorError as exc:
                raise BatchError(str(exc)) from None
            finally:
                if pool:
                    pool.stop()
            writer.commit()  # what reached the parent is whole chunks: keep it
            status = "interrupted" if stop.requested else "completed"
            if status == "completed":
                store.finish(writer.seen)
            store.end_run(run_id, status)
        outcome = Outcome(run_id, writer.totals, status, time.monotonic() - started, store.reset_reason)
        if status == "completed":
            if corrections is not None:
                outcome.correction_errors = corrections.unmatched(store.canonical_ids())
            # summary.json and report.html are cheap and carry this run's totals: always rewritten.
            tables = store.start_export(out_dir)  # the CSVs are written while the summary and the page are
            summary_files = _write_summary(out_dir, store, profile, outcome, html_limit)
            outcome.files = tables.wait() + summary_files
        return outcome
    except BaseException:
        if run_id is not None:  # a dead worker, a full disk, a bug: never leave the run "running"
            _mark_failed(store, run_id)
        raise
    finally:
        store.close()


def _mark_failed(store: Store, run_id: int) -> None:
    try:
        (status,) = store.con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()  # type: ignore[misc]
        if status == "running":
            store.end_run(run_id, "failed")
    except duckdb.Error:
        pass  # the store itself failed; the next run marks the run aborted


def _inline(tasks: Iterator[Task], auditor: Auditor, writer: Writer, stop: StopOnInterrupt) -> None:
    """--jobs 1: the same chunks, produced in this process (no pickling, easy to profile), with the
    collector tuned as in a worker process."""
    before = quiet_collector()
    try:
        for task in tasks:
            for chunk in auditor.feed(task):
                writer.add(chunk)
            if stop.requested:
                return
        if auditor.has_pending:
            writer.add(auditor.flush())
    finally:
        restore_collector(before)


def _write_summary(out_dir: Path, store: Store, profile: Profile, outcome: Outcome, html_limit: int) -> list[Path]:
    criteria = [{"code": c.code, "name": c.name, "severity": c.severity} for c in profile.criteria]
    prof = {"id": profile.id, "title": profile.title, "version": profile.version, "citation": profile.citation}
    run_info = {"run_id": outcome.run_id, "status": outcome.status, "seconds": round(outcome.seconds, 3),
                "tool_version": __version__, "totals": outcome.totals.as_dict(), "reset_reason": outcome.reset_reason}
    outcome.summary, files = review.write(out_dir, store.con, {"profile": prof, "run": run_info}, criteria,
                                          profile.gap_map, html_limit)
    return files
