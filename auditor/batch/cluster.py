"""`--executor dask`: the batch's tasks on a Dask distributed cluster.

The parent walks the inputs as for the local pool and submits them in batches of FILES_PER_TASK
input files (`Client.submit`, at most a few batches per worker thread in flight, so neither side runs
far ahead); each task audits its files with the same `Auditor` as a local worker and returns its
chunks (Arrow tables + progress rows); `as_completed` streams them back and the parent's writer
commits them into the DuckDB store, exactly as for local workers.

Workers must see the inputs: URLs (s3://, gs://) or a shared file system, and run the same
trial-audit version as the parent (checked when connecting: results depend on it).

Failures: a task whose worker dies is run again by the scheduler (up to its
``distributed.scheduler.allowed-failures``); a batch that keeps killing workers (`KilledWorker`) is
split into one task per file, and a file that still kills its worker becomes an error row
("the worker auditing this file died"), never an endless retry. Other task errors end the run
(it can be resumed).
"""

from __future__ import annotations

import contextlib
import pickle
import uuid
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

import cloudpickle
from distributed import Client, WorkerPlugin, as_completed
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker

from auditor import __version__, limits
from auditor.batch.pool import StopOnInterrupt
from auditor.batch.worker import Auditor, BlobKey, Chunk, ChunkSink, Task
from auditor.corrections import Corrections
from auditor.engine.profiles import Profile
from auditor.errors import InputError

FILES_PER_TASK: int | None = None  # None: TRIAL_AUDIT_DASK_FILES (default 32), read when a run starts
TASKS_PER_THREAD = 3  # batches in flight per worker thread: one running, the next ones queued
CONNECT_SECONDS = 30


# What the tasks of a run share (profile, corrections), by run token, on each worker: set up by the
# run's worker plugin, which the scheduler also gives to workers that join (or restart) later.
_SHARED: dict[str, tuple[Profile, Corrections | None]] = {}


class RunSettings(WorkerPlugin):  # type: ignore[misc]
    """Carries a run's profile (with its compiled validators) and corrections to every worker, once."""

    def __init__(self, token: str, payload: bytes):
        self.token, self.payload = token, payload
        self.name = f"trial-audit-{token}"

    def setup(self, worker: Any) -> None:
        _SHARED[self.token] = pickle.loads(self.payload)

    def teardown(self, worker: Any) -> None:
        _SHARED.pop(self.token, None)


def audit_batch(tasks: list[Task], token: str, reader: str | None, chunk_size: int,
                record_seconds: int) -> list[Chunk]:
    """The task a Dask worker runs: audit a batch of input files into chunks (worker side), each
    record within the parent's `record_seconds` (the worker's own environment does not decide it)."""
    profile, corrections = _SHARED[token]
    auditor = Auditor(profile, reader, chunk_size, corrections, record_seconds)
    chunks = [chunk for task in tasks for chunk in auditor.feed(task)]
    if auditor.has_pending:
        chunks.append(auditor.flush())
    return chunks


def lost_file(task: Task, reason: str, profile: Profile, chunk_size: int) -> Chunk:
    """The chunk for an input file no worker could audit: one error row for the file (its blobs and
    earlier rows replaced), its progress row without a hash, so the next run looks at it again."""
    auditor = Auditor(profile, None, chunk_size, record_seconds=0)  # audits nothing: no budget read
    origin = task.path
    key = BlobKey(origin, "", 0)
    blob_id = key.blob_id
    pending = auditor.pending
    pending.seen.append(blob_id)
    pending.replace.append(blob_id)
    auditor._error(InputError(origin, reason), blob_id, None, index=None)  # the worker's own error-row builder
    pending.files[blob_id] = (blob_id, *key, None, 1, True)
    return auditor.flush()


def tool_version() -> str:
    """Run on every worker when connecting."""
    return __version__


def _batches(tasks: Iterator[Task], size: int) -> Iterator[list[Task]]:
    while batch := list(islice(tasks, size)):
        yield batch


class DaskExecutor:
    """Implements auditor.batch.executors.Executor on a `distributed.Client`."""

    def __init__(self, address: str, profile: Profile, reader: str | None, chunk_size: int,
                 corrections: Corrections | None = None, files_per_task: int | None = None,
                 record_seconds: int | None = None):
        from auditor.batch.executors import ExecutorError

        self.profile, self.reader, self.chunk_size = profile, reader, chunk_size
        self.record_seconds = limits.env_int("TRIAL_AUDIT_RECORD_SECONDS") if record_seconds is None else record_seconds
        self.files_per_task = max(1, files_per_task or FILES_PER_TASK or limits.env_int("TRIAL_AUDIT_DASK_FILES"))
        try:
            self.client: Any = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        try:
            self.client.wait_for_workers(1, timeout=CONNECT_SECONDS)
            versions = self.client.run(tool_version)
        except (OSError, TimeoutError) as exc:
            self.stop()
            raise ExecutorError(f"the Dask cluster at {address} has no workers ready: {exc}") from None
        other = {addr: v for addr, v in versions.items() if v != __version__}
        if other:
            self.stop()
            addr, version = next(iter(other.items()))
            raise ExecutorError(f"Dask worker {addr} runs trial-audit {version}, this is {__version__}; "
                                "install the same version on every worker")
        # The profile (validators compiled) and the corrections travel to each worker once, in a
        # plugin rather than scattered data: a restarted worker gets the plugin again, not the data.
        self.token = uuid.uuid4().hex
        self.plugin = RunSettings(self.token, cloudpickle.dumps((profile, corrections)))
        self.client.register_plugin(self.plugin)

    def _threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def _submit(self, batch: list[Task]) -> Any:
        return self.client.submit(audit_batch, batch, self.token, self.reader, self.chunk_size, self.record_seconds,
                                  pure=False)

    def process(self, tasks: Iterator[Task], writer: ChunkSink, stop: StopOnInterrupt, tick: Callable[[], None]) -> None:
        from auditor.batch.executors import ExecutorError

        batches = _batches(tasks, self.files_per_task)
        inflight: dict[str, list[Task]] = {}
        done = as_completed([], with_results=False, loop=self.client.loop)
        self._done = done

        def submit(batch: list[Task]) -> None:
            future = self._submit(batch)
            inflight[future.key] = batch
            done.add(future)

        for batch in islice(batches, TASKS_PER_THREAD * self._threads()):
            submit(batch)
        for future in done:
            batch = inflight.pop(future.key)
            try:
                chunks = future.result()
            except KilledWorker:
                if len(batch) > 1:  # one of its files may be the culprit: try them one by one
                    for task in batch:
                        submit([task])
                    continue
                chunks = [lost_file(batch[0], "the worker auditing this file died (again after retries); "
                                    "it may be too large or crash the reader", self.profile, self.chunk_size)]
            except FutureCancelledError:
                raise ExecutorError("the Dask cluster cancelled a task (was the scheduler restarted?); "
                                    "run the same command again to resume") from None
            except (OSError, TimeoutError) as exc:
                raise ExecutorError(f"lost the Dask scheduler: {exc}; run the same command again to resume") from None
            except Exception as exc:  # a task's own error (readers and audits guard theirs): end the run
                raise ExecutorError(f"a Dask task failed: {type(exc).__name__}: {exc}; "
                                    "run the same command again to resume") from exc
            finally:
                future.release()
            for chunk in chunks:
                writer.add(chunk)
                tick()
            if stop.requested:
                return
            for batch in islice(batches, max(0, TASKS_PER_THREAD * self._threads() - len(inflight))):
                submit(batch)

    def stop(self) -> None:
        done = getattr(self, "_done", None)
        if done is not None:
            for future in done.futures:
                future.cancel()
        with contextlib.suppress(OSError, TimeoutError, ValueError):
            if hasattr(self, "plugin"):
                self.client.unregister_worker_plugin(self.plugin.name)
        with contextlib.suppress(OSError, TimeoutError):
            self.client.close(timeout=10)

