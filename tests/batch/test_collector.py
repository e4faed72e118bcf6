"""The inline auditor (--jobs 1) tunes the collector for a run and gives the caller's back."""

from __future__ import annotations

import gc

from auditor.batch.worker import quiet_collector, restore_collector


def test_thresholds_and_an_unfrozen_heap_come_back() -> None:
    threshold = gc.get_threshold()
    gc.unfreeze()
    before = quiet_collector()
    assert gc.get_freeze_count() > 0
    restore_collector(before)
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0


def test_what_the_caller_froze_stays_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        restore_collector(quiet_collector())
        assert gc.get_freeze_count() >= frozen > 0
    finally:
        gc.unfreeze()
