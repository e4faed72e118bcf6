"""Parallel plumbing for `batch`: worker processes behind bounded queues, and a polite Ctrl-C."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
from collections.abc import Callable, Iterator
from typing import Any

from auditor.batch.worker import DONE, ChunkSink, Task, worker_main
from auditor.corrections import Corrections
from auditor.engine.profiles import Profile


class WorkerDied(Exception):
    """A worker process ended abnormally (killed, out of memory); the run can be resumed."""


class StopOnInterrupt:
    """First Ctrl-C asks for a clean stop (commit what arrived, mark the run interrupted); a second
    one raises as usual. A flag instead of KeyboardInterrupt, so counters never tear mid-update."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def __enter__(self) -> StopOnInterrupt:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread (e.g. called from a notebook worker thread)
            self._previous = None
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


# Paths queued ahead of the workers: enough that they keep busy while the parent commits a
# transaction. Tasks are paths, not file contents, so the queue's memory does not depend on file sizes.
# They travel in messages of TASKS_PER_MESSAGE: one queue operation per study file costs the parent
# more than the rest of its work on that file.
QUEUE_MESSAGES = 8  # per worker
TASKS_PER_MESSAGE = 16


class Pool:
    """Worker processes fed through bounded queues, so neither side can run far ahead."""

    def __init__(self, profile: Profile, reader: str | None, jobs: int, chunk_size: int,
                 corrections: Corrections | None = None, record_seconds: int | None = None):
        ctx = mp.get_context("fork")  # profile with compiled validators is inherited, not pickled
        self.tasks: Any = ctx.Queue(maxsize=QUEUE_MESSAGES * jobs)
        self.results: Any = ctx.Queue(maxsize=4 * jobs)
        self.procs = [ctx.Process(target=worker_main, daemon=True,
                                  args=(self.tasks, self.results, profile, reader, chunk_size, os.getpid(), corrections,
                                        record_seconds))
                      for _ in range(jobs)]
        for proc in self.procs:
            proc.start()
        self.finished = 0

    def process(self, tasks: Iterator[Task], writer: ChunkSink, stop: StopOnInterrupt, tick: Callable[[], None]) -> None:
        message: list[Task] = []
        for task in tasks:
            message.append(task)
            if len(message) == TASKS_PER_MESSAGE:
                self._put(message, writer, tick)
                message = []
            if stop.requested:
                return
        if message:
            self._put(message, writer, tick)
        for _ in self.procs:
            self._put(None, writer, tick)
        while self.finished < len(self.procs) and not stop.requested:
            self._drain(writer, tick, block=True)

    def _put(self, item: list[Task] | None, writer: ChunkSink, tick: Callable[[], None]) -> None:
        while True:
            try:
                self.tasks.put(item, timeout=0.05)
                break
            except queue.Full:
                self._drain(writer, tick, block=False)
        self._drain(writer, tick, block=False)

    def _drain(self, writer: ChunkSink, tick: Callable[[], None], block: bool) -> None:
        while True:
            try:
                item = self.results.get(timeout=0.5) if block else self.results.get_nowait()
            except queue.Empty:
                dead = [p.exitcode for p in self.procs if p.exitcode not in (None, 0)]
                if dead:
                    raise WorkerDied(f"a worker process died (exit code {dead[0]}); "
                                     "run the same command again to resume") from None
                return
            if isinstance(item, str) and item == DONE:
                self.finished += 1
            else:
                writer.add(item)
                tick()
            block = False  # after one blocking wait, take whatever else is ready and return

    def stop(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self.procs:
            proc.join(timeout=5)
        self.tasks.cancel_join_thread()
        self.results.cancel_join_thread()
