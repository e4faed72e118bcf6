"""CPU per record of the worker's whole path (`Auditor.feed` over one file per study) by audit
window: records audited one at a time through every stage (window 1) against a window of records
taken stage by stage (auditor.batch.stages), interleaved round by round in one process so that
the machine's load falls on all of them alike.

    python bench/stage_order.py --windows 1,16,64 --rounds 6

The instructions are the same whatever the window (bench/stage_ir.py --stage feed); what changes is
how much of each stage's code and data is still in the CPU caches, which only timing shows.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stage_ir import blobs  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", default="1,64")
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args(argv)

    from auditor.batch.worker import Auditor, Task, quiet_collector
    from auditor.engine import profiles

    folder = Path(tempfile.mkdtemp(prefix="stage-order-"))
    try:
        for origin, blob in blobs():
            (folder / Path(origin).name).write_bytes(blob)
        paths = sorted(str(p) for p in folder.iterdir())
        profile = profiles.load()
        windows = [int(w) for w in args.windows.split(",")]

        def feed(window: int) -> float:
            auditor = Auditor(profile, None, window=window)
            started = time.process_time()
            for path in paths:
                for _ in auditor.feed(Task(path)):
                    pass
            auditor.flush()
            return time.process_time() - started

        quiet_collector()
        for w in windows:
            feed(w)  # first use: patterns compiled, caches filled
        times: dict[int, list[float]] = {w: [] for w in windows}
        for _ in range(args.rounds):
            for w in windows:
                times[w].append(1000 * feed(w) / len(paths))
        base = min(times[windows[0]])
        for w in windows:
            print(f"window {w:>4}: CPU ms/record best {min(times[w]):.3f} ({min(times[w]) / base - 1:+.1%} against "
                  f"window {windows[0]})  rounds " + " ".join(f"{t:.3f}" for t in times[w]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
