"""Instruction counts of `derive()`, which load on the machine does not change (timings here vary by
tens of per cent between runs of the same code).

    valgrind --tool=cachegrind --cache-sim=no python bench/derive_ir.py --rounds 2
    valgrind --tool=cachegrind --cache-sim=no python bench/derive_ir.py --rounds 0

Reads the real ClinicalTrials.gov v2 studies once, runs derive() on the first (first use compiles
the rules), then `--rounds` times over all of them. The difference of the two runs' "I refs" is
derive()'s instructions for rounds x records calls. Set TRIAL_AUDIT_CACHE_DIR=off for both runs.

Patterns compile on first use, so the first round also compiles every rule the first record did not
use (~27% of the figure at the end of session 5). `--warm-all` derives every record once before the
rounds instead: the difference is then steady-state derive() alone, what a long batch pays per record.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.extract import derive  # noqa: E402
from bench.derive_speed import real_records  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--warm-all", action="store_true", help="derive every record once before the rounds")
    args = ap.parse_args(argv)
    records = real_records()
    if records is None:
        return 2
    for record in records if args.warm_all else records[:1]:
        derive(record)
    for _ in range(args.rounds):
        for record in records:
            derive(record)
    print(f"derive(): {len(records)} records x {args.rounds} rounds")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
