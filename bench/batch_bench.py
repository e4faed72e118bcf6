"""Batch throughput and memory on a large ClinicalTrials.gov v2 corpus.

Builds >= 100,000 records by re-identifying the real studies (new NCT ids, same content) into a temp
folder (per-study JSON files in folders of 1,000, or API-page files of 100 studies), then runs
`python -m auditor batch` with 1 and 2 worker processes and reports records/s, peak memory of the
whole process tree (parent + workers, sampled with psutil) and the ratio to plain orjson parsing
of the same files.

    python bench/batch_bench.py                       # 100,000 records, jobs 1 and 2
    python bench/batch_bench.py --records 10000 --jobs 2 --layout pages
    python bench/batch_bench.py --records 2000 --cprofile   # where one process spends its time
    python bench/batch_bench.py --records 20000 --executor local,dask   # local pool vs a Dask LocalCluster

CPU is user + system of the batch process and its workers; `parent ms/rec` is the batch process's
own share (the part of jobs > 1 that competes with the workers for the cores).

`--executor dask` starts a loopback `LocalCluster` with one single-threaded worker process per job
(or uses `--scheduler tcp://HOST:PORT`) and runs `batch --executor dask` against it; its peak memory
adds the cluster's worker processes (not the scheduler, which runs inside this script).

Real data: TRIAL_AUDIT_REAL_DATA (default ../shared/data/real beside the checkout).
Targets (issue #5): >= 1,000 records/s with 2 jobs, peak memory < 1 GB.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
REAL = Path(os.environ.get("TRIAL_AUDIT_REAL_DATA", REPO.parent / "shared" / "data" / "real"))


def real_studies() -> list[dict[str, Any]]:
    """Every study in the real ctgov-v2 folder (single studies, API pages and arrays)."""
    studies = []
    for path in sorted((REAL / "ctgov-v2").glob("*.json")):
        doc = orjson.loads(path.read_bytes())
        items = doc if isinstance(doc, list) else doc.get("studies", [doc]) if isinstance(doc, dict) else []
        studies += [s for s in items if isinstance(s, dict) and isinstance(s.get("protocolSection"), dict)]
    return studies


def build_corpus(root: Path, records: int, layout: str) -> int:
    """Write `records` re-identified studies; returns bytes written."""
    base = real_studies()
    if not base:
        sys.exit(f"no ClinicalTrials.gov v2 studies under {REAL / 'ctgov-v2'} (set TRIAL_AUDIT_REAL_DATA)")
    written = 0
    page: list[bytes] = []
    for i in range(records):
        study = base[i % len(base)]
        ident = dict(study["protocolSection"].get("identificationModule") or {})
        ident["nctId"] = f"NCT9{i:07d}"
        blob = orjson.dumps({**study, "protocolSection": {**study["protocolSection"], "identificationModule": ident}})
        folder = root / f"d{i // 1000:04d}"
        if layout == "files":
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"NCT9{i:07d}.json").write_bytes(blob)
            written += len(blob)
        else:
            page.append(blob)
            if len(page) == 100 or i == records - 1:
                folder.mkdir(parents=True, exist_ok=True)
                data = b'{"studies":[' + b",".join(page) + b"]}"
                (folder / f"page{i // 100:05d}.json").write_bytes(data)
                written += len(data)
                page = []
    return written


def parse_baseline(root: Path) -> tuple[int, float]:
    """Records and seconds to read and orjson-parse every file: the floor any reader sits on."""
    started, n = time.perf_counter(), 0
    for path in root.rglob("*.json"):
        doc = orjson.loads(path.read_bytes())
        n += len(doc["studies"]) if "studies" in doc else 1
    return n, time.perf_counter() - started


def run_batch(corpus: Path, out: Path, jobs: int, scheduler: str | None = None, repo: Path = REPO) -> dict[str, Any]:
    """One `trial-audit batch` in a subprocess; peak RSS of its process tree sampled every 100 ms
    (with `scheduler`: on that Dask cluster, and this script's other children, the local cluster's
    workers, count too)."""
    import psutil

    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "auditor", "batch", str(corpus), "--out", str(out), "--jobs", str(jobs)]
    cmd += ["--executor", "dask", "--scheduler", scheduler] if scheduler else []
    env = {**os.environ, "PYTHONPATH": str(repo)}
    started, cpu = time.perf_counter(), os.times()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root, peak = psutil.Process(proc.pid), 0
    parent_cpu = 0.0  # the batch process's own CPU, last seen alive (100 ms samples)
    while proc.poll() is None:
        try:
            tree = psutil.Process().children(recursive=True) if scheduler else [root] + root.children(recursive=True)
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            times = root.cpu_times()
            parent_cpu = times.user + times.system
        except psutil.Error:
            pass
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    stdout, stderr = proc.communicate()
    done = os.times()
    cpu_seconds = (done.children_user - cpu.children_user) + (done.children_system - cpu.children_system)
    if proc.returncode != 0:
        sys.exit(f"batch failed ({proc.returncode}): {stderr[-2000:]}")
    line = next((ln for ln in stdout.splitlines() if " records seen = " in ln), "")
    return {"jobs": jobs, "seconds": seconds, "cpu": cpu_seconds, "parent_cpu": min(parent_cpu, cpu_seconds),
            "peak_mb": peak / 2**20, "totals": line.strip()}


def stages(repo: Path, rounds: int) -> None:
    """CPU ms per record of each stage of the per-record path, in this process, on the real
    ClinicalTrials.gov v2 studies written one per file (the corpus `--layout files` builds): parse
    (orjson alone, for scale), read (parse + map into the model), derive, judge, rows, table (Arrow
    chunks); then the whole worker path (`Auditor.feed`: expand, hash, read, audit, rows, chunks),
    whose excess over the stages is the per-file work. Each stage over every record, best of `rounds`."""
    sys.path.insert(0, str(repo))
    from auditor.batch import rows as row_builder
    from auditor.batch.worker import Auditor, Task
    from auditor.engine import judge, profiles
    from auditor.extract import derive
    from auditor.model import TrialRecord
    from auditor.pipeline import Verdict
    from auditor.sources import read_blob

    work = Path(tempfile.mkdtemp(prefix="bench-stages-"))
    try:
        build_corpus(work, len(real_studies()), "files")
        paths = sorted(str(p) for p in work.rglob("*.json"))
        blobs = [(p, Path(p).read_bytes()) for p in paths]
        profile = profiles.load()
        auditor = Auditor(profile, None)
        best: dict[str, float] = {}

        def timed(name: str, fn: Any) -> Any:
            start = time.process_time()
            out = fn()
            best[name] = min(best.get(name, float("inf")), time.process_time() - start)
            return out

        def tables(built: list[Any]) -> None:
            for i in range(0, len(built), 250):
                auditor.pending.trials = [t for t, _ in built[i:i + 250]]
                auditor.pending.findings = [f for _, fs in built[i:i + 250] for f in fs]
                auditor.flush()

        def feed() -> None:
            whole = Auditor(profile, None)
            for path in paths:
                for _ in whole.feed(Task(path)):
                    pass
            whole.flush()

        import gc

        gc.freeze()  # as worker_main does
        gc.set_threshold(50_000, 50, 100)
        n = 0
        for _ in range(rounds):
            timed("feed", feed)  # first: nothing of the other stages alive for the collector to walk
            timed("parse", lambda: [orjson.loads(data) for _, data in blobs])
            records = timed("read", lambda: [r for origin, data in blobs for r in read_blob(data, origin)
                                             if isinstance(r, TrialRecord)])
            n = len(records)
            sheets = timed("derive", lambda: [derive(r) for r in records])  # noqa: B023
            verdicts = timed("judge", lambda: [Verdict(r, s, judge(s, profile)) for r, s in zip(records, sheets)])  # noqa: B023
            built = timed("rows", lambda: [row_builder.rows(v, profile, "blob", "hash") for v in verdicts])  # noqa: B023
            timed("table", lambda: tables(built))  # noqa: B023
            records, sheets, verdicts, built = [], [], [], []  # nothing alive for the next round's feed
        per = {k: 1000 * v / n for k, v in best.items()}
        per["feed"] = per.pop("feed")
        staged = per["read"] + per["derive"] + per["judge"] + per["rows"] + per["table"]
        outside = per["feed"] - per["derive"]
        print(f"stages ({repo}): {n} records, CPU ms/record, best of {rounds}: "
              + "  ".join(f"{k} {v:.3f}" for k, v in per.items())
              + f"  | per-file {per['feed'] - staged:.3f}  outside derive {outside:.3f}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cprofile(corpus: Path, limit: int) -> None:
    """Profile one in-process audit of the first `limit` files: time per package area."""
    sys.path.insert(0, str(REPO))
    from auditor import batch
    from auditor.engine import profiles

    files = sorted(corpus.rglob("*.json"))[:limit]
    sub = Path(tempfile.mkdtemp(prefix="bench-prof-"))
    for f in files:
        (sub / f.name).write_bytes(f.read_bytes())
    prof = cProfile.Profile()
    prof.enable()
    outcome = batch.run([str(sub)], sub / "out", profiles.load(), jobs=1)
    prof.disable()
    stats = pstats.Stats(prof)
    areas: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        key = next((a for a in ("auditor/extract", "auditor/engine", "auditor/sources", "auditor/batch",
                                "auditor/store", "auditor/summary", "auditor/report", "jsonschema", "duckdb",
                                "pyarrow", "msgspec", "re/") if a in filename), "other")
        areas[key] = areas.get(key, 0.0) + tottime
    total = sum(areas.values())
    print(f"\ncProfile of {outcome.totals.audited} records in one process ({outcome.seconds:.1f}s wall):")
    for key, secs in sorted(areas.items(), key=lambda kv: -kv[1]):
        print(f"  {key:<18} {secs:7.2f}s  {100 * secs / total:5.1f}%  {1000 * secs / max(outcome.totals.audited, 1):6.2f} ms/record")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(12)
    print(out.getvalue())
    shutil.rmtree(sub, ignore_errors=True)


@contextlib.contextmanager
def _cluster(executor: str, jobs: int, scheduler: str | None) -> Iterator[str | None]:
    """None for the local executor; else the scheduler's address (a LocalCluster of `jobs` workers,
    started and warmed up before the clock starts, unless one is given)."""
    if executor == "local":
        yield None
        return
    if executor != "dask":
        sys.exit(f"unknown executor {executor!r} (local, dask)")
    if scheduler:
        yield scheduler
        return
    import logging

    from distributed import LocalCluster

    with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--layout", choices=("files", "pages"), default="files")
    parser.add_argument("--jobs", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--workdir", type=Path, help="where to build the corpus (default: a temp dir, removed after)")
    parser.add_argument("--executor", default="local", help="comma-separated: local, dask")
    parser.add_argument("--scheduler", help="a running Dask scheduler (default: a LocalCluster of --jobs workers)")
    parser.add_argument("--cprofile", action="store_true", help="also profile 1,000 files in one process")
    parser.add_argument("--stages", type=int, metavar="ROUNDS",
                        help="only time each stage of the per-record path in this process (CPU, real files)")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout to measure (A/B against another branch)")
    args = parser.parse_args()
    if args.stages:
        stages(args.repo, args.stages)
        return

    work = args.workdir or Path(tempfile.mkdtemp(prefix="trial-audit-bench-"))
    corpus = work / "corpus"
    try:
        if not corpus.exists():
            t = time.perf_counter()
            size = build_corpus(corpus, args.records, args.layout)
            print(f"corpus: {args.records:,} records, {size / 2**20:,.0f} MiB as {args.layout} in {corpus} "
                  f"(built in {time.perf_counter() - t:.0f}s)")
        n, secs = parse_baseline(corpus)
        parse_rate = n / secs
        print(f"baseline: orjson parse of {n:,} records: {secs:.1f}s = {parse_rate:,.0f} records/s")
        print(f"{'executor':>8} {'jobs':>4} {'seconds':>9} {'records/s':>10} {'peak MiB':>9} {'x parse':>8} "
              f"{'CPU s':>7} {'CPU ms/rec':>10} {'parent ms/rec':>13}")
        for executor in args.executor.split(","):
            for jobs in (int(j) for j in args.jobs.split(",")):
                with _cluster(executor, jobs, args.scheduler) as scheduler:
                    r = run_batch(corpus, work / f"out-{executor}-{jobs}", jobs, scheduler, args.repo)
                rate = n / r["seconds"]
                print(f"{executor:>8} {jobs:>4} {r['seconds']:>9.1f} {rate:>10,.0f} {r['peak_mb']:>9,.0f} "
                      f"{parse_rate / rate:>7.1f}x {r['cpu']:>7.1f} {1000 * r['cpu'] / n:>10.2f} "
                      f"{1000 * r['parent_cpu'] / n:>13.2f}   [{r['totals']}]",
                      flush=True)
        if args.cprofile:
            cprofile(corpus, 1000)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
