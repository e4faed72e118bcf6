"""Instructions per record of a stage (bench/stage_ir.py) or of derive() (bench/derive_ir.py --warm-all),
as the difference of two cachegrind runs (--rounds 0 and --rounds N), for one or more checkouts.

    python bench/ir_per_record.py --stage feed --rounds 1 --repo /work/main --repo .
    python bench/ir_per_record.py --stage derive-warm --rounds 1
    python bench/ir_per_record.py --stage derive-cold --rounds 1   # as distinct records find the caches

Both runs use TRIAL_AUDIT_CACHE_DIR=off and PYTHONHASHSEED=0. Needs valgrind.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RECORDS = 336  # the real ClinicalTrials.gov v2 studies both scripts run over


def refs(repo: Path, stage: str, rounds: int) -> int:
    derive_modes = {"derive-warm": ["--warm-all"], "derive-cold": ["--warm-all", "--cold"]}
    script = (["bench/derive_ir.py", *derive_modes[stage]] if stage in derive_modes
              else ["bench/stage_ir.py", "--stage", stage])
    env = {**os.environ, "PYTHONPATH": str(repo), "TRIAL_AUDIT_CACHE_DIR": "off", "PYTHONHASHSEED": "0"}
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
           sys.executable, *script, "--rounds", str(rounds)]
    done = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if not found:
        sys.exit(f"no I refs in valgrind's output: {done.stderr[-1000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stage", required=True, help="a stage_ir.py stage, derive-warm, or derive-cold "
                    "(derive-warm with the caches kept across records emptied after each record)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--repo", type=Path, action="append", help="checkout(s) to measure (default: this one)")
    args = ap.parse_args(argv)
    repos = [r.resolve() for r in args.repo or [Path(__file__).resolve().parents[1]]]
    with ThreadPoolExecutor() as pool:  # the runs are independent processes: all at once
        counts = {(repo, n): pool.submit(refs, repo, args.stage, n) for repo in repos for n in (0, args.rounds)}
    for repo in repos:
        per = (counts[repo, args.rounds].result() - counts[repo, 0].result()) / (args.rounds * RECORDS)
        print(f"{args.stage} ({repo}): {per / 1e6:.3f} M instructions per record", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
