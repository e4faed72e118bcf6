"""Extraction accuracy against the expert labels (../shared/data/labels/dev-labels.json).

    python bench/accuracy.py [--labels PATH] [--quiet] [--split] [--interval]

With --split the labels are divided by the SHA-256 of the NCT id, read as an integer h: h even is
`dev` (developed on since session 3), h % 4 == 1 is `dev-2` (the first half of the old held-out
half, opened for development in session 4 after its figure had been reported), h % 4 == 3 is
`held-out` (never studied: only its figure is read). Agreement is printed for each part and only the
disagreements of `dev` and `dev-2` are listed, so rules are developed on three quarters and checked
on the fourth. The split is a property of the id alone: adding labels never moves a record.

Runs `auditor.extract.derive` on every labelled record (read through `auditor.sources.read_paths`),
prints per-fact agreement (numbers within 1 week agree; lists compare as sets; null only equals
null) and then every disagreement with the labeller's note, so a reader can judge who is right.
With --interval each cell also gives the Wilson 95% interval of the agreement: on 34 records one
record is 3 points, and 82% there means anything from ~66% to ~92%, so a change of a few points on
a part settles nothing by itself.
Data: env var TRIAL_AUDIT_REAL_DATA (default: <repo>/../shared/data/real); labels are in the
sibling `labels` folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.engine import assess, profiles  # noqa: E402
from auditor.extract import derive, interventions  # noqa: E402
from auditor.facts import FactSheet  # noqa: E402
from auditor.model import TrialRecord  # noqa: E402
from auditor.sources import read_paths  # noqa: E402


def real_data() -> Path:
    return Path(os.environ.get("TRIAL_AUDIT_REAL_DATA", ROOT.parent / "shared" / "data" / "real"))


# Regression floors on the whole label set, held by tests/extract/test_real.py: raised as the rules
# improve, never lowered to make a change pass. The aim for every fact is >= 95%.
TARGETS = {  # one fact a line, so that changes to different facts merge
    "enrollment": 0.95,
    "enrollment_type": 0.95,
    "randomized": 0.95,
    "arm_count": 0.95,
    "hrqol_instruments": 0.96,
    "safety_planned": 0.98,
    "ae_results_posted": 0.95,
    "treatment_duration_weeks": 0.93,
    "max_followup_weeks_from_baseline": 0.97,
    "followup_weeks_after_treatment": 0.90,
    "followup_over_12m_after_treatment": 0.94,
    "psych_categories": 0.93,
    "intervention_categories": 0.77,
    "chronic_lbp_12w": 0.98,
    "psych_with_physio": 0.99,
    "FU01_verdict": 0.94,
}

# The categories the profile's psychological criteria read (IN01, IN02); compared as a set per record.
# They are the categories flagged `psychological: true` in auditor/extract/rules/interventions.yaml.
PSYCH = set(interventions.PSYCHOLOGICAL)
FU01 = profiles.load().criterion("FU01")


SPLIT = ("dev", "dev-2", "held-out")


def half(nct: str) -> str:
    """The part of the split a record belongs to (see the module docstring)."""
    h = int(hashlib.sha256(nct.encode()).hexdigest(), 16)
    return "dev" if h % 2 == 0 else "dev-2" if h % 4 == 1 else "held-out"


def group(label: dict[str, Any]) -> str:
    return "behavioural" if "digital" in label.get("file", "") else "back-pain"


def expected(label: dict[str, Any]) -> dict[str, Any]:
    """The label, plus the comparisons derived from it (psychological categories, FU01 verdict)."""
    over = label.get("followup_over_12m_after_treatment")
    return {**label, "psych_categories": sorted(PSYCH & set(label.get("intervention_categories") or [])),
            "FU01_verdict": "met" if over is True else "not_met" if over is False else "unclear"}


# The columns that show one fact of the Facts document as it is, by that fact's path.
FACT_PATHS: dict[str, str] = {
    "enrollment": "sample_size.enrollment",
    "enrollment_type": "sample_size.enrollment_type",
    "randomized": "design.randomized",
    "arm_count": "design.arm_count",
    "treatment_duration_weeks": "treatment.duration_weeks",
    "max_followup_weeks_from_baseline": "follow_up.max_weeks_from_baseline",
    "followup_weeks_after_treatment": "follow_up.weeks_after_treatment",
    "hrqol_instruments": "outcomes.hrqol.instruments",
    "safety_planned": "outcomes.safety.planned",
    "ae_results_posted": "results.adverse_events_reported",
    "intervention_categories": "treatment.intervention_categories",
    "psych_with_physio": "treatment.psych_with_physio",
    "chronic_lbp_12w": "population.chronic_lbp_12w",
}


def predicted(sheet: FactSheet) -> dict[str, Any]:
    value = {column: sheet.get(path) for column, path in FACT_PATHS.items()}
    after, from_base = value["followup_weeks_after_treatment"], value["max_followup_weeks_from_baseline"]
    # Settled even without the exact number: nothing can be 52 weeks after treatment when the
    # latest assessment is under 52 weeks from baseline.
    over12 = after >= 52 if after is not None else (False if from_base is not None and from_base < 52 else None)
    derived = {
        "followup_over_12m_after_treatment": over12,
        "psych_categories": sorted(PSYCH & set(value["intervention_categories"] or [])),
        "FU01_verdict": assess(FU01, sheet).status if FU01 else None,
    }
    order = [*list(FACT_PATHS)[:7], "followup_over_12m_after_treatment", *list(FACT_PATHS)[7:],
             "psych_categories", "FU01_verdict"]
    return {column: value[column] if column in value else derived[column] for column in order}


def fact_column(name: str) -> str | None:
    """The column of `name`: a column's own name or the path of the fact it shows
    (`treatment.duration_weeks`), as docs/extending.md names facts; None when unknown."""
    if name in predicted(FactSheet()):
        return name
    return next((column for column, path in FACT_PATHS.items() if path == name), None)


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


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of `hits` agreements in `n` records (95% for z = 1.96): unlike
    p +- z*se it stays inside [0, 1] and is not empty at 0% or 100%."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half_width = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half_width), min(1.0, centre + half_width)


def cell(hits: int, n: int, interval: bool) -> str:
    text = f"{hits:>3}/{n:<3} {hits / n if n else 0:>6.0%}"
    if interval:
        lo, hi = wilson(hits, n)
        text += f" [{lo * 100:.0f}-{hi * 100:.0f}]"
    return text


def load(labels_path: Path) -> tuple[dict[str, Any], dict[str, TrialRecord]]:
    labels = json.loads(labels_path.read_text("utf-8"))
    files = sorted({str(real_data() / "ctgov-v2" / v["file"]) for v in labels.values()})
    records = {r.trial_id: r for r in read_paths(files) if isinstance(r, TrialRecord) and r.trial_id in labels}
    return labels, records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", type=Path, default=None)
    ap.add_argument("--quiet", action="store_true", help="table only, no disagreements")
    ap.add_argument("--split", action="store_true", help="report dev, dev-2 and held-out apart")
    ap.add_argument("--interval", action="store_true", help="add the Wilson 95%% interval to each cell")
    ap.add_argument("--fact", action="append", default=[], help="list disagreements of this fact only")
    args = ap.parse_args(argv)
    fields = list(predicted(FactSheet()).keys())
    wanted = {name: fact_column(name) for name in args.fact}
    unknown = [name for name, column in wanted.items() if column is None]
    if unknown:
        print(f"unknown fact {unknown[0]!r}: give a column ({', '.join(fields)}) or a fact path such as "
              "treatment.duration_weeks", file=sys.stderr)
        return 2
    labels_path = args.labels or real_data().parent / "labels" / "dev-labels.json"
    if not labels_path.exists():
        print(f"no labels at {labels_path} (set TRIAL_AUDIT_REAL_DATA)", file=sys.stderr)
        return 2
    labels, records = load(labels_path)
    missing = sorted(set(labels) - set(records))
    columns = list(SPLIT) if args.split else ["all"]
    columns += ["back-pain", "behavioural"]
    hits = {c: dict.fromkeys(fields, 0) for c in columns}
    sizes = dict.fromkeys(columns, 0)
    misses: list[tuple[str, str, Any, Any, str]] = []
    for nct, raw in sorted(labels.items()):
        if nct not in records:
            continue
        lab, pred = expected(raw), predicted(derive(records[nct]))
        where = [half(nct) if args.split else "all", group(raw)]
        for c in where:
            sizes[c] += 1
        for k in fields:
            if agree(lab.get(k), pred[k]):
                for c in where:
                    hits[c][k] += 1
            elif not args.split or half(nct) != "held-out":
                misses.append((k, nct, lab.get(k), pred[k], lab.get("evidence", "")))
    print(f"{len(records)} labelled records" + (f" ({len(missing)} not found: {', '.join(missing)})" if missing else ""))
    width = 25 if args.interval else 17
    print(f"{'fact':36} " + " ".join(f"{c + ' n=' + str(sizes[c]):>{width}}" for c in columns))
    for k in fields:
        cells = [cell(hits[c][k], sizes[c], args.interval) for c in columns]
        print(f"{k:36} " + " ".join(f"{text:>{width}}" for text in cells))
    if not args.quiet:
        print("\ndisagreements (fact, record, label, extracted)" + (" on dev and dev-2:" if args.split else ":"))
        for k, nct, lab, val, note in sorted(misses):
            if wanted and k not in wanted.values():
                continue
            print(f"- {k} {nct}: label={lab!r} extracted={val!r}\n    label note: {note[:400]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
