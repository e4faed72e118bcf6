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

The real studies are only 336, so the rounds derive the same records again, and so does
batch_bench.py, whose corpus repeats them under new ids: a cache kept across records (the bounded
`functools.lru_cache`s keyed on texts) then hits on every text, which a corpus of distinct records
would not. `--cold` empties those caches after every record, as distinct records would find them;
the truth for a real registry, where short texts such as "12 weeks" do repeat, lies between the two.
Since 0.5.1 derive() itself empties every bounded text cache after each record
(auditor/extract/record_cache.py), so on such a checkout `--cold` and the default agree; `--cold`
stays for A/B runs against older checkouts (`ir_per_record.py --repo OLD --repo NEW`).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import auditor.extract  # noqa: E402
from auditor.extract import derive  # noqa: E402
from bench.derive_speed import real_records  # noqa: E402


def text_caches() -> list[Callable[[], None]]:
    """`cache_clear` of every bounded functools cache in auditor.extract: those are keyed on texts
    (the unbounded ones hold rules and characters, which every record shares)."""
    found: dict[int, Callable[[], None]] = {}
    for info in pkgutil.walk_packages(auditor.extract.__path__, "auditor.extract."):
        for value in vars(importlib.import_module(info.name)).values():
            cache_info = getattr(value, "cache_info", None)
            if callable(cache_info) and cache_info().maxsize is not None:
                found[id(value)] = value.cache_clear
    return list(found.values())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--warm-all", action="store_true", help="derive every record once before the rounds")
    ap.add_argument("--cold", action="store_true", help="empty the caches kept across records after each record")
    args = ap.parse_args(argv)
    records = real_records()
    if records is None:
        return 2
    for record in records if args.warm_all else records[:1]:
        derive(record)
    clears = text_caches() if args.cold else []
    for _ in range(args.rounds):
        for record in records:
            derive(record)
            for clear in clears:
                clear()
    print(f"derive(): {len(records)} records x {args.rounds} rounds")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
