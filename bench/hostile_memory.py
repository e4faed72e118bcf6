"""Peak memory of single hostile inputs (issue 11): prints one line per case, asserts nothing.

    python bench/hostile_memory.py [--mb 300] [--csv-rows 100000]

Each case runs `trial-audit` in a fresh process and reports that process tree's peak resident set
(ru_maxrss of the waited-for children): a website JSON array of about --mb MB through `check` and
through `batch --jobs 1`, a small gzip bomb that expands past the file limit, a file over the size
limit, and a CSV of --csv-rows rows through `check`. Inputs are built in a temporary folder.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import orjson

from tests.batch.data import study

CLI = [sys.executable, "-m", "auditor"]


def measure(label: str, args: list[str], env: dict[str, str] | None = None) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    proc = subprocess.run(CLI + args, capture_output=True, env={**os.environ, **(env or {})}, check=False)
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    note = "" if peak > before else " (below an earlier case's peak: run it alone)"
    last = (proc.stderr.decode(errors="replace").strip().splitlines() or [""])[-1][:100]
    print(f"{label:<44} exit {proc.returncode}  peak {peak / 1024:8.0f} MiB  {seconds:6.1f} s{note}  {last}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=300, help="size of the JSON array download")
    parser.add_argument("--csv-rows", type=int, default=100_000)
    parser.add_argument("--only", default=None, help="run one case: json-check, json-batch, bomb, big, csv")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        one = orjson.dumps(study("NCT90000000"))
        count = opts.mb * (1 << 20) // len(one)
        array = root / "download.json"
        with array.open("wb") as fh:
            fh.write(b"[")
            for i in range(count):
                fh.write((b"," if i else b"") + orjson.dumps(study(f"NCT9{i:07d}")))
            fh.write(b"]")
        bomb = root / "bomb.json.gz"
        with gzip.open(bomb, "wb", compresslevel=9) as gz:
            for _ in range(1200):
                gz.write(b" " * (1 << 20))
        big = root / "big.json"
        with big.open("wb") as fh:
            fh.truncate(5 << 30)  # sparse: 5 GB on paper, nothing on disk
        csv_path = root / "sheet.csv"
        with csv_path.open("w", encoding="utf-8") as fh:
            fh.write("NCT ID,Title,Enrollment,Primary outcome,Primary outcome time frame\n")
            for i in range(opts.csv_rows):
                fh.write(f'NCT9{i:07d},"CBT for chronic low back pain, trial {i}",{40 + i % 300},Pain NRS,12 months\n')
        print(f"inputs: {array.stat().st_size / 1e6:.0f} MB JSON array of {count:,} studies; "
              f"{bomb.stat().st_size / 1e6:.1f} MB gzip of 1.2 GB; sparse 5 GB file; {opts.csv_rows:,}-row CSV")
        cases = {
            "json-check": (f"check: {opts.mb} MB JSON array", ["check", str(array), "--format", "json", "-o",
                                                             str(root / "r.json")]),
            "json-batch": (f"batch --jobs 1: {opts.mb} MB JSON array", ["batch", str(array), "--out",
                                                                       str(root / "out"), "--jobs", "1"]),
            "bomb": ("check: gzip bomb (refused)", ["check", str(bomb)]),
            "big": ("check: 5 GB file (refused)", ["check", str(big)]),
            "csv": (f"check: {opts.csv_rows:,}-row CSV", ["check", str(csv_path), "-o", str(root / "r.txt")]),
        }
        for key, (label, args) in cases.items():
            if opts.only in (None, key):
                measure(label, args)


if __name__ == "__main__":
    main()
