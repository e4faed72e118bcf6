"""Wall time of auditing one record from the command line, start-up included.

    python bench/single_record.py [--runs 10] [PATH]

Prints the median and the fastest of N runs of `python -m auditor check PATH`, and the share of
it spent importing the package (`-X importtime` is not used: it slows the run it measures).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _time(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=str(REPO / "examples" / "registry" / "ctgov-long-follow-up.json"))
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    # .pyc files as an installed package has them (see bench/startup.py).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "auditor")], cwd=REPO,
                   stdout=subprocess.DEVNULL, check=False)
    check = _time([sys.executable, "-m", "auditor", "check", args.path, "--format", "json"], args.runs)
    imports = _time([sys.executable, "-c", "import auditor.cli"], args.runs)
    bare = _time([sys.executable, "-c", "pass"], args.runs)
    print(f"record: {args.path}")
    print(f"check, wall time incl. start-up: median {statistics.median(check) * 1000:.0f} ms, "
          f"best {min(check) * 1000:.0f} ms over {args.runs} runs")
    print(f"  of which python start-up {statistics.median(bare) * 1000:.0f} ms, "
          f"importing auditor.cli {statistics.median(imports) * 1000 - statistics.median(bare) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
