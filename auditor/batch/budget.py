"""A time budget for one record in the batch worker: past it, the record becomes an error row.

SIGALRM with an interval timer: the handler raises `OverBudget` between two Python bytecodes, so a
record stuck in Python code (an extractor on 40,000 time points) is stopped; a single call into C
that never returns is not. Outside the main thread, or where SIGALRM does not exist, no limit.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


class OverBudget(Exception):
    """The record used up its time budget."""


def _alarm(signum: int, frame: Any) -> None:
    raise OverBudget


class limit:
    """At most `seconds` for the body (<= 0: no limit); the previous SIGALRM handler is restored after.

    Entered once a record: a class rather than a generator, and the handler swapped with the C
    function under `signal.signal`, whose conversion of a Python handler to the Handlers enum
    (a ValueError caught, twice a record) cost more than the rest (~30 us a record)."""

    __slots__ = ("armed", "previous", "seconds")

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.armed = False
        self.previous: Any = None

    def __enter__(self) -> None:
        if self.seconds <= 0 or not _TIMER or threading.current_thread() is not threading.main_thread():
            return
        self.previous = _swap(signal.SIGALRM, _alarm)
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            self.armed = False
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
            finally:
                _swap(signal.SIGALRM, self.previous)


_TIMER = hasattr(signal, "setitimer")
try:
    from _signal import signal as _swap  # what signal.signal calls, without the enum round trip
except ImportError:  # pragma: no cover - an interpreter without CPython's _signal
    _swap = signal.signal
