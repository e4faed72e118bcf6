"""Where batch work runs: the executor seam between the runner and the workers.

An executor takes the runner's stream of tasks (one per input file) and hands every resulting chunk
(Arrow tables + the blobs' progress rows) to the writer, which commits them into the DuckDB store in
the parent. Whatever the executor, the chunks are the same (`auditor.batch.worker.Auditor` builds
them), so resume, incremental re-runs and totals do not depend on where the work ran.

- ``local`` (the default): worker processes on this machine (`auditor.batch.pool.Pool`), or the
  parent itself for ``--jobs 1``;
- ``dask``: the tasks of a Dask distributed cluster (`auditor.batch.cluster.DaskExecutor`), given
  the scheduler's address (``--scheduler tcp://HOST:PORT`` or ``TRIAL_AUDIT_DASK_SCHEDULER``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Protocol

from auditor.batch.pool import StopOnInterrupt
from auditor.batch.worker import ChunkSink, Task
from auditor.corrections import Corrections
from auditor.engine.profiles import Profile

EXECUTORS = ("local", "dask")
SCHEDULER_ENV = "TRIAL_AUDIT_DASK_SCHEDULER"


class ExecutorError(Exception):
    """The executor cannot run the batch (no scheduler, no workers, workers of another version)."""


class Executor(Protocol):
    """Runs every task, feeding the writer chunks as they complete (in any order); returns early
    when `stop.requested`. `stop()` releases the workers (always called, also after an error)."""

    def process(self, tasks: Iterator[Task], writer: ChunkSink, stop: StopOnInterrupt, tick: Callable[[], None]) -> None: ...

    def stop(self) -> None: ...


def start(kind: str, profile: Profile, reader: str | None, jobs: int, chunk_size: int,
          corrections: Corrections | None = None, scheduler: str | None = None,
          record_seconds: int | None = None) -> Executor | None:
    """The executor for a run, started (workers forked, or the cluster connected); None: audit in
    the parent (``local`` with one job). `record_seconds`: one record's time budget on every worker
    (None: TRIAL_AUDIT_RECORD_SECONDS as this process reads it)."""
    if kind == "local":
        if jobs <= 1:
            return None
        from auditor.batch.pool import Pool

        return Pool(profile, reader, jobs, chunk_size, corrections, record_seconds)
    if kind == "dask":
        address = scheduler or os.environ.get(SCHEDULER_ENV)
        if not address:
            raise ExecutorError(f"--executor dask needs the scheduler's address: --scheduler tcp://HOST:PORT "
                                f"or {SCHEDULER_ENV}")
        try:
            from auditor.batch.cluster import DaskExecutor
        except ImportError as exc:
            raise ExecutorError(f"--executor dask needs Dask: pip install 'trial-audit[dask]' ({exc})") from None
        return DaskExecutor(address, profile, reader, chunk_size, corrections, record_seconds=record_seconds)
    raise ExecutorError(f"unknown executor {kind!r}; known: {', '.join(EXECUTORS)}")
