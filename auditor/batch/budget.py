"""A time budget for one record in the batch worker: past it, the record becomes an error row.

SIGALRM with an interval timer: the handler raises `OverBudget` between two Python bytecodes, so a
record stuck in Python code (an extractor on 40,000 time points) is stopped; a single call into C
that never returns is not. Outside the main thread, or where SIGALRM does not exist, no limit.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class OverBudget(Exception):
    """The record used up its time budget."""


def _alarm(signum: int, frame: Any) -> None:
    raise OverBudget


@contextmanager
def limit(seconds: float) -> Iterator[None]:
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
