"""Instruction counts of one stage of the batch path (read + map, derive, judge, rows, Arrow chunks,
the parent's store inserts; `feed`: the worker's whole path per file, whose excess over the stages
is the per-file work) over the real ClinicalTrials.gov v2 studies, which load on the machine does
not change (timings here vary by tens of per cent between runs of the same code).

    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        python bench/stage_ir.py --stage judge --rounds 2     # and the same with --rounds 0

The difference of the two runs' "I refs", divided by rounds x records, is the stage's instructions
per record. Set TRIAL_AUDIT_CACHE_DIR=off and PYTHONHASHSEED=0 for both runs. The setup (reading,
deriving what the stage needs) runs once and is the same in both runs; the stage runs once before
the counted rounds (first use compiles patterns and fills caches).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from bench.batch_bench import real_studies  # noqa: E402

STAGES = ("read", "derive", "judge", "rows", "table", "store", "feed")


def blobs() -> list[tuple[str, bytes]]:
    """Each study as the bench's per-study file would hold it (same origin naming)."""
    out = []
    for i, study in enumerate(real_studies()):
        ident = dict(study["protocolSection"].get("identificationModule") or {})
        ident["nctId"] = f"NCT9{i:07d}"
        out.append((f"/corpus/d0000/NCT9{i:07d}.json",
                    orjson.dumps({**study, "protocolSection": {**study["protocolSection"], "identificationModule": ident}})))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stage", choices=STAGES, required=True)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)

    import gc

    from auditor.batch import rows as row_builder
    from auditor.batch.worker import Auditor, Task, quiet_collector
    from auditor.engine import judge, profiles
    from auditor.extract import derive
    from auditor.model import TrialRecord
    from auditor.pipeline import Verdict
    from auditor.sources import read_blob

    data = blobs()
    profile = profiles.load()
    auditor = Auditor(profile, None)

    def read() -> list[TrialRecord]:
        return [r for origin, blob in data for r in read_blob(blob, origin) if isinstance(r, TrialRecord)]

    records = read()
    sheets = [derive(r) for r in records] if args.stage not in ("read", "feed") else []
    verdicts = [Verdict(r, s, judge(s, profile)) for r, s in zip(records, sheets)]
    built = [row_builder.rows(v, profile, f"blob{i}", "hash") for i, v in enumerate(verdicts)]

    def tables() -> list[Any]:
        chunks = []
        for i in range(0, len(built), 250):
            auditor.pending.trials = [t for t, _ in built[i:i + 250]]
            auditor.pending.findings = [f for _, fs in built[i:i + 250] for f in fs]
            auditor.pending.audited = len(auditor.pending.trials)
            chunks.append(auditor.flush())
        return chunks

    stage: Any
    if args.stage == "read":
        stage = read
    elif args.stage == "derive":
        stage = lambda: [derive(r) for r in records]  # noqa: E731
    elif args.stage == "feed":
        folder = Path(tempfile.mkdtemp(prefix="stage-ir-"))
        for origin, blob in data:
            (folder / Path(origin).name).write_bytes(blob)
        paths = sorted(str(p) for p in folder.iterdir())

        def stage() -> None:  # the whole worker path: expand, hash, read, audit, rows, chunks
            whole = Auditor(profile, None)
            for path in paths:
                for _ in whole.feed(Task(path)):
                    pass
            whole.flush()
    elif args.stage == "judge":
        stage = lambda: [Verdict(r, s, judge(s, profile)) for r, s in zip(records, sheets)]  # noqa: E731
    elif args.stage == "rows":
        stage = lambda: [row_builder.rows(v, profile, f"blob{i}", "hash") for i, v in enumerate(verdicts)]  # noqa: E731
    elif args.stage == "table":
        stage = tables
    else:
        from auditor.batch.runner import Writer, profile_identity
        from auditor.batch.store import Store

        chunks = tables()
        out = Path(tempfile.mkdtemp(prefix="stage-ir-"))
        store = Store(out, tuple(c.code for c in profile.criteria), profile_identity(profile))
        run_id = store.start_run(profile.id, profile.version, "bench", {})
        writer = Writer(store, run_id, commit_rows=10**9)

        def stage() -> None:
            for chunk in chunks:
                writer.add(chunk)
            writer.commit()

    quiet_collector()
    gc.collect()
    stage()
    for _ in range(args.rounds):
        stage()
    print(f"{args.stage}: {len(records)} records x {args.rounds} rounds")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
