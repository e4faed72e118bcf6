"""How a batch run reports progress: the CLI's progress bar implements ProgressSink, tests ignore it."""

from __future__ import annotations

from typing import Protocol


class ProgressSink(Protocol):
    """Anything with Progress's methods (the CLI's bar lives where `batch` is not imported)."""

    def start(self, total_bytes: int) -> None: ...

    def update(self, records: int, done_bytes: int) -> None: ...


class Progress:
    """What `run` reports as it goes when nobody watches: nothing."""

    def start(self, total_bytes: int) -> None:
        pass

    def update(self, records: int, done_bytes: int) -> None:
        pass
