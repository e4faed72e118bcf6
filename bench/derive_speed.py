"""Time `derive()` per record on the real ClinicalTrials.gov v2 studies (../shared/data/real/ctgov-v2).

    python bench/derive_speed.py [--rounds 5]

Prints the minimum and median ms per record over the rounds (records are read once, outside the
timing). Compare two commits by running this on each, interleaved, several times: this VM's timings
wander by about 5 % from run to run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.extract import derive  # noqa: E402
from auditor.model import TrialRecord  # noqa: E402
from auditor.sources import read_paths  # noqa: E402


def real_records() -> list[TrialRecord] | None:
    """The real ClinicalTrials.gov v2 studies (TRIAL_AUDIT_REAL_DATA), or None (said on stderr)."""
    real = Path(os.environ.get("TRIAL_AUDIT_REAL_DATA", ROOT.parent / "shared" / "data" / "real"))
    files = sorted(str(p) for p in (real / "ctgov-v2").glob("*.json"))
    if not files:
        print(f"no ClinicalTrials.gov v2 files under {real} (set TRIAL_AUDIT_REAL_DATA)", file=sys.stderr)
        return None
    return [r for r in read_paths(files) if isinstance(r, TrialRecord)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    records = real_records()
    if records is None:
        return 2
    derive(records[0])  # first use compiles the rules: not part of the per-record figure
    times, cpu = [], []
    for _ in range(args.rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        for record in records:
            derive(record)
        times.append((time.perf_counter() - start) / len(records) * 1000)
        cpu.append((time.process_time() - start_cpu) / len(records) * 1000)
    # CPU time is the steadier figure when other processes compete for the cores.
    print(f"derive(): {len(records)} records, wall min {min(times):.3f} / median {statistics.median(times):.3f} ms/record, "
          f"CPU min {min(cpu):.3f} ms/record, over {args.rounds} rounds")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
