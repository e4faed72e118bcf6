"""A time budget for one record in the batch worker: past it, the record becomes an error row.

In a process's main thread (local workers, `--jobs 1`): SIGALRM with an interval timer, whose
handler raises `OverBudget`. Elsewhere (the threads of a Dask worker, where a signal handler cannot
run, or where SIGALRM does not exist): one watchdog thread per process keeps the deadlines of the
records being audited and, when one passes, raises `OverBudget` in the thread auditing it
(`PyThreadState_SetAsyncExc`). Either way the exception arrives between two Python bytecodes, so a
record stuck in Python code (an extractor on 40,000 time points) is stopped and the worker goes on
with the next record; a single call into C that never returns is not stopped.
"""

from __future__ import annotations

import ctypes
import heapq
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


class OverBudget(Exception):
    """The record used up its time budget."""


def _alarm(signum: int, frame: Any) -> None:
    raise OverBudget


@contextmanager
def limit(seconds: float) -> Iterator[None]:
    if seconds <= 0:
        yield
        return
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        with _WATCHDOG.watch(seconds):
            yield
        return
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(order=True)
class _Deadline:
    at: float
    thread: int = field(compare=False)
    fired: bool = field(default=False, compare=False)
    done: bool = field(default=False, compare=False)


def _raise_in(thread: int, exc: type[BaseException] | None) -> None:
    """Raise `exc` in another thread at its next bytecode; None withdraws one not yet raised."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(exc) if exc else None)


class Watchdog:
    """Deadlines of the records audited in threads; a daemon thread fires each one that passes."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._heap: list[_Deadline] = []
        self._thread: threading.Thread | None = None

    @contextmanager
    def watch(self, seconds: float) -> Iterator[None]:
        deadline = _Deadline(time.monotonic() + seconds, threading.get_ident())
        with self._lock:
            heapq.heappush(self._heap, deadline)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="trial-audit-budget", daemon=True)
                self._thread.start()
            self._lock.notify()
        try:
            yield
        finally:
            self._end(deadline)

    def _end(self, deadline: _Deadline) -> None:
        # Under the lock the watchdog cannot fire this deadline any more. If it already fired and the
        # exception is still pending, withdraw it and raise here: it must not surface after the block.
        with self._lock:
            deadline.done = True
            if deadline.fired:
                _raise_in(deadline.thread, None)
                raise OverBudget

    def _run(self) -> None:
        with self._lock:
            while True:
                while self._heap and self._heap[0].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._lock.wait(timeout=60)
                    if not self._heap:
                        self._thread = None  # idle for a minute: a new watch starts another
                        return
                    continue
                wait = self._heap[0].at - time.monotonic()
                if wait > 0:
                    self._lock.wait(timeout=wait)
                    continue
                deadline = heapq.heappop(self._heap)
                deadline.fired = True
                _raise_in(deadline.thread, OverBudget)


_WATCHDOG = Watchdog()
