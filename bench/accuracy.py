"""Extraction accuracy against the expert labels (../shared/data/labels/dev-labels.json).

    python bench/accuracy.py [--labels PATH] [--quiet]

Runs `auditor.extract.derive` on every labelled record (read through `auditor.sources.read_paths`),
prints per-fact agreement (numbers within 1 week agree; lists compare as sets; null only equals
null) and then every disagreement with the labeller's note, so a reader can judge who is right.
Data: env var TRIAL_AUDIT_REAL_DATA (default: <repo>/../shared/data/real); labels are in the
sibling `labels` folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.extract import derive  # noqa: E402
from auditor.facts import FactSheet  # noqa: E402
from auditor.model import TrialRecord  # noqa: E402
from auditor.sources import read_paths  # noqa: E402

TARGETS = {"enrollment": 0.9, "enrollment_type": 0.9, "randomized": 0.9, "arm_count": 0.9,
           "hrqol_instruments": 0.9, "safety_planned": 0.9, "ae_results_posted": 0.9,
           "treatment_duration_weeks": 0.8, "max_followup_weeks_from_baseline": 0.8,
           "followup_weeks_after_treatment": 0.8}


def real_data() -> Path:
    return Path(os.environ.get("TRIAL_AUDIT_REAL_DATA", ROOT.parent / "shared" / "data" / "real"))


def predicted(sheet: FactSheet) -> dict[str, Any]:
    f = sheet.get
    after, from_base = f("follow_up.weeks_after_treatment"), f("follow_up.max_weeks_from_baseline")
    # Settled even without the exact number: nothing can be 52 weeks after treatment when the
    # latest assessment is under 52 weeks from baseline.
    over12 = after >= 52 if after is not None else (False if from_base is not None and from_base < 52 else None)
    return {
        "enrollment": f("sample_size.enrollment"),
        "enrollment_type": f("sample_size.enrollment_type"),
        "randomized": f("design.randomized"),
        "arm_count": f("design.arm_count"),
        "treatment_duration_weeks": f("treatment.duration_weeks"),
        "max_followup_weeks_from_baseline": from_base,
        "followup_weeks_after_treatment": after,
        "followup_over_12m_after_treatment": over12,
        "hrqol_instruments": f("outcomes.hrqol.instruments"),
        "safety_planned": f("outcomes.safety.planned"),
        "ae_results_posted": f("results.adverse_events_reported"),
        "intervention_categories": f("treatment.intervention_categories"),
        "psych_with_physio": f("treatment.psych_with_physio"),
        "chronic_lbp_12w": f("population.chronic_lbp_12w"),
    }


def agree(label: Any, value: Any) -> bool:
    if isinstance(label, list) or isinstance(value, list):
        return set(label or []) == set(value or [])
    if label is None or value is None:
        return label is None and value is None
    if isinstance(label, bool) or isinstance(value, bool):
        return label is value
    if isinstance(label, (int, float)) and isinstance(value, (int, float)):
        return abs(label - value) <= 1.0
    return label == value


def load(labels_path: Path) -> tuple[dict[str, Any], dict[str, TrialRecord]]:
    labels = json.loads(labels_path.read_text("utf-8"))
    files = sorted({str(real_data() / "ctgov-v2" / v["file"]) for v in labels.values()})
    records = {r.trial_id: r for r in read_paths(files) if isinstance(r, TrialRecord) and r.trial_id in labels}
    return labels, records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", type=Path, default=None)
    ap.add_argument("--quiet", action="store_true", help="table only, no disagreements")
    args = ap.parse_args(argv)
    labels_path = args.labels or real_data().parent / "labels" / "dev-labels.json"
    if not labels_path.exists():
        print(f"no labels at {labels_path} (set TRIAL_AUDIT_REAL_DATA)", file=sys.stderr)
        return 2
    labels, records = load(labels_path)
    missing = sorted(set(labels) - set(records))
    fields = list(predicted(FactSheet()).keys())
    hits = {k: 0 for k in fields}
    misses: list[tuple[str, str, Any, Any, str]] = []
    for nct, lab in sorted(labels.items()):
        if nct not in records:
            continue
        pred = predicted(derive(records[nct]))
        for k in fields:
            if agree(lab.get(k), pred[k]):
                hits[k] += 1
            else:
                misses.append((k, nct, lab.get(k), pred[k], lab.get("evidence", "")))
    n = len(records)
    print(f"{n} labelled records" + (f" ({len(missing)} not found: {', '.join(missing)})" if missing else ""))
    print(f"{'fact':36} {'agree':>7} {'pct':>6}  target")
    for k in fields:
        pct = hits[k] / n if n else 0.0
        target = TARGETS.get(k)
        flag = "" if target is None else (f">= {target:.0%} ok" if pct >= target else f">= {target:.0%} MISSED")
        print(f"{k:36} {hits[k]:>3}/{n:<3} {pct:>6.0%}  {flag}")
    if not args.quiet:
        print("\ndisagreements (fact, record, label, extracted):")
        for k, nct, lab, val, note in sorted(misses):
            print(f"- {k} {nct}: label={lab!r} extracted={val!r}\n    label note: {note[:300]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
