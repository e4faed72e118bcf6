"""Peak memory of single hostile inputs (issue 11): prints one line per case, asserts nothing.

    python bench/hostile_memory.py [--mb 900] [--csv-rows 100000] [--ictrp-mb 500] [--only CASE] [--cap-mb 4000]
                                   [--repo PATH]

Each case runs `trial-audit` in a fresh process and reports that process's peak resident set
(ru_maxrss of exactly that child, from wait4): a website download (one JSON array of about --mb MB,
pretty-printed as the website writes it) through `check` and through `batch --jobs 1`, a small gzip
bomb that expands past the file limit, a file over the size limit, and a CSV extraction sheet of
--csv-rows rows through `check`, and a WHO ICTRP XML and CSV export of about --ictrp-mb MB each
(copies of one small record padded in a dropped field, tests.hostile.write_ictrp) through `check`.
Inputs are built in a temporary folder: the JSON array from the real ClinicalTrials.gov records
under $TRIAL_AUDIT_REAL_DATA/ctgov-v2 (default /work/shared/data/real), each copy re-identified (a
new NCT number), or from a synthetic study when they are absent.

A case whose resident set passes --cap-mb is stopped (the machine is shared) and reported as
"> CAP". --repo runs another checkout's code (e.g. an export of an older commit) for a before/after.
"""

from __future__ import annotations

import argparse
import gzip
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import orjson

from tests.batch.data import study
from tests.hostile import write_ictrp

REAL = Path(os.environ.get("TRIAL_AUDIT_REAL_DATA", "/work/shared/data/real"))
CASES = ("json-check", "json-batch", "bomb", "big", "csv", "ictrp-xml", "ictrp-csv")


def real_studies() -> list[dict[str, Any]]:
    """The distinct ClinicalTrials.gov v2 studies of the real-data folder (none when it is absent)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((REAL / "ctgov-v2").glob("*.json")):
        try:
            doc = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        items = doc if isinstance(doc, list) else doc.get("studies", [doc]) if isinstance(doc, dict) else []
        for item in items:
            nct = ((item.get("protocolSection") or {}).get("identificationModule") or {}).get("nctId") \
                if isinstance(item, dict) else None
            if nct:
                found.setdefault(nct, item)
    return list(found.values())


def reidentified(studies: list[dict[str, Any]]) -> Iterator[bytes]:
    """The studies over and over, each copy with a new NCT number (pretty-printed, as downloaded)."""
    n = 0
    while True:
        for item in studies:
            ident = item["protocolSection"]["identificationModule"]
            copy = {**item, "protocolSection": {**item["protocolSection"],
                                                "identificationModule": {**ident, "nctId": f"NCT9{n:07d}"}}}
            n += 1
            yield orjson.dumps(copy, option=orjson.OPT_INDENT_2)


def write_array(path: Path, megabytes: int) -> tuple[int, str]:
    studies = real_studies()
    source = "real records, re-identified" if studies else "a synthetic study"
    items = reidentified(studies) if studies else (orjson.dumps(study(f"NCT9{i:07d}")) for i in range(10**9))
    target, size, count = megabytes * (1 << 20), 2, 0
    with path.open("wb") as fh:
        fh.write(b"[\n")
        for item in items:
            if size >= target:
                break
            piece = (b",\n" if count else b"") + item
            fh.write(piece)
            size += len(piece)
            count += 1
        fh.write(b"\n]\n")
    return count, source


def measure(label: str, args: list[str], repo: Path | None, cap_mb: int) -> None:
    env = dict(os.environ)
    if repo is not None:
        env["PYTHONPATH"] = str(repo)
    start = time.monotonic()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "auditor", *args], stdout=subprocess.DEVNULL, stderr=err,
                                env=env, cwd=repo or None)
        stopped = threading.Event()

        def watch() -> None:  # the machine is shared: a case past the cap is stopped, not waited for
            status = Path(f"/proc/{proc.pid}/status")
            while proc.poll() is None:
                try:
                    rss = next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmRSS"))
                except (OSError, StopIteration, ValueError):
                    rss = 0
                if rss > cap_mb * 1024:
                    stopped.set()
                    proc.send_signal(signal.SIGKILL)
                    return
                time.sleep(0.2)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        watcher.join()
        err.seek(0)
        last = (err.read().decode(errors="replace").strip().splitlines() or [""])[-1][:100]
    seconds = time.monotonic() - start
    peak = f"> {cap_mb:,} MiB (stopped)" if stopped.is_set() else f"{usage.ru_maxrss / 1024:,.0f} MiB"
    print(f"{label:<46} exit {proc.returncode:>3}  peak {peak:>22}  {seconds:7.1f} s  {last}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=900, help="size of the JSON array download")
    parser.add_argument("--csv-rows", type=int, default=100_000)
    parser.add_argument("--ictrp-mb", type=int, default=500, help="size of each ICTRP export (XML, CSV)")
    parser.add_argument("--only", default=None, help=f"run these cases, comma-separated: {', '.join(CASES)}")
    parser.add_argument("--cap-mb", type=int, default=4000, help="stop a case whose resident set passes this")
    parser.add_argument("--repo", type=Path, default=None, help="run the trial-audit code of this checkout")
    opts = parser.parse_args()
    only = set(opts.only.split(",")) if opts.only else set(CASES)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        array = root / "download.json"
        count, source = write_array(array, opts.mb) if only & {"json-check", "json-batch"} else (0, "")
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
        ictrp: dict[str, Path] = {}
        for suffix in ("xml", "csv"):
            if f"ictrp-{suffix}" in only:
                ictrp[suffix] = root / f"ICTRP-export.{suffix}"
                write_ictrp(ictrp[suffix], opts.ictrp_mb * 100)  # ~10.5 KB a record
                print(f"ICTRP {suffix.upper()}: {ictrp[suffix].stat().st_size / 1e6:,.0f} MB, {opts.ictrp_mb * 100:,} trials")
        if count:
            print(f"JSON array: {array.stat().st_size / 1e6:,.0f} MB, {count:,} studies ({source})")
        print(f"gzip bomb: {bomb.stat().st_size / 1e6:.1f} MB expanding to 1.26 GB; sparse 5 GB file; "
              f"{opts.csv_rows:,}-row CSV of {csv_path.stat().st_size / 1e6:.1f} MB; code: {opts.repo or 'this checkout'}",
              flush=True)
        cases = {
            "json-check": (f"check --format json: {opts.mb} MB JSON array", ["check", str(array), "--format", "json",
                                                                            "-o", str(root / "r.json")]),
            "json-batch": (f"batch --jobs 1: {opts.mb} MB JSON array", ["batch", str(array), "--out", str(root / "out"),
                                                                       "--jobs", "1"]),
            "bomb": ("check: gzip bomb (refused)", ["check", str(bomb)]),
            "big": ("check: 5 GB file (refused)", ["check", str(big)]),
            "csv": (f"check: {opts.csv_rows:,}-row CSV (text report)", ["check", str(csv_path), "-o", str(root / "r.txt")]),
            **{f"ictrp-{suffix}": (f"check: {opts.ictrp_mb} MB ICTRP {suffix.upper()} (text report)",
                                   ["check", str(path), "-o", str(root / "r.txt")]) for suffix, path in ictrp.items()},
        }
        for key, (label, args) in cases.items():
            if key in only:
                measure(label, args, opts.repo, opts.cap_mb)
                for leftover in (root / "r.json", root / "r.txt"):
                    leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
