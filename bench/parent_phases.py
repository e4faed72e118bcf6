"""Where the batch parent spends its CPU: one `batch.run` in this process (the parent), each phase
timed in CPU seconds of this process (its DuckDB threads included) and wall seconds; the workers'
CPU from os.times() once they are joined.

    python bench/parent_phases.py CORPUS_DIR [--jobs 2]

CORPUS_DIR: a folder of study files, e.g. the one `batch_bench.py --workdir DIR` leaves in DIR/corpus.
Phases: commits (Store.commit_chunk: concat + DuckDB inserts), finish (stale rows, links, conflicts),
export (sorted Parquet files; the CSV thread's share lands in `wait`), summary (summary.json +
report.html), wait (the CSV thread), and `rest` (queues, unpickling chunks, progress, walking inputs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)

    from auditor.batch import export, runner
    from auditor.batch.progress import Progress
    from auditor.batch.store import Store
    from auditor.engine import profiles

    spent: dict[str, list[float]] = {}

    def timed(owner: Any, name: str, phase: str) -> None:
        fn: Callable[..., Any] = getattr(owner, name)

        def wrapper(*a: Any, **k: Any) -> Any:
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                got = spent.setdefault(phase, [0.0, 0.0, 0])  # type: ignore[list-item]
                got[0] += time.process_time() - cpu
                got[1] += time.perf_counter() - wall
                got[2] += 1

        setattr(owner, name, wrapper)

    timed(Store, "commit_chunk", "commits")
    timed(Store, "finish", "finish")
    timed(Store, "start_export", "export")
    timed(runner, "_write_summary", "summary")
    timed(export.Export, "wait", "wait")

    class Quiet(Progress):
        def start(self, total: int) -> None: ...
        def update(self, records: int, done: int) -> None: ...
        def finish(self) -> None: ...

    out = Path(tempfile.mkdtemp(prefix="parent-phases-"))
    try:
        before, cpu, wall = os.times(), time.process_time(), time.perf_counter()
        outcome = runner.run([str(args.corpus)], out, profiles.load(), jobs=args.jobs, progress=Quiet())
        total_cpu, total_wall = time.process_time() - cpu, time.perf_counter() - wall
        after = os.times()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    n = max(outcome.totals.audited, 1)
    workers = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    print(f"{n} records, jobs {args.jobs}: wall {total_wall:.1f}s = {n / total_wall:,.0f} rec/s; "
          f"parent CPU {total_cpu:.2f}s ({1000 * total_cpu / n:.3f} ms/rec), workers {workers:.1f}s "
          f"({1000 * workers / n:.3f} ms/rec)")
    accounted = 0.0
    for phase, (c, w, calls) in spent.items():
        accounted += c
        print(f"  {phase:<8} CPU {c:7.2f}s {1000 * c / n:6.3f} ms/rec  wall {w:7.2f}s  ({int(calls)} calls)")
    rest = total_cpu - accounted
    print(f"  {'rest':<8} CPU {rest:7.2f}s {1000 * rest / n:6.3f} ms/rec")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
