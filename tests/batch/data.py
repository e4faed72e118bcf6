"""Small synthetic ClinicalTrials.gov v2 corpora for the batch tests (no real data needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson


def study(nct: str, title: str = "Cognitive behavioural therapy for chronic low back pain",
          enrollment: int = 120, start: str = "2019-03") -> dict[str, Any]:
    return {"protocolSection": {
        "identificationModule": {"nctId": nct, "briefTitle": title},
        "statusModule": {"overallStatus": "COMPLETED", "startDateStruct": {"date": start, "type": "ACTUAL"},
                         "studyFirstSubmitDate": "2019-01-02"},
        "conditionsModule": {"conditions": ["Chronic Low Back Pain"]},
        "designModule": {"studyType": "INTERVENTIONAL", "enrollmentInfo": {"count": enrollment, "type": "ACTUAL"},
                         "designInfo": {"allocation": "RANDOMIZED", "maskingInfo": {"masking": "SINGLE",
                                                                                      "whoMasked": ["OUTCOMES_ASSESSOR"]}}},
        "armsInterventionsModule": {
            "armGroups": [{"label": "CBT", "type": "EXPERIMENTAL", "description": "8 weekly sessions of CBT",
                           "interventionNames": ["Behavioral: CBT"]},
                          {"label": "Usual care", "type": "ACTIVE_COMPARATOR", "interventionNames": ["Other: usual care"]}],
            "interventions": [{"type": "BEHAVIORAL", "name": "CBT", "description": "Cognitive behavioural therapy, 8 weeks",
                               "armGroupLabels": ["CBT"]},
                              {"type": "OTHER", "name": "usual care", "armGroupLabels": ["Usual care"]}]},
        "outcomesModule": {"primaryOutcomes": [{"measure": "Pain intensity (NRS 0-10)", "timeFrame": "Baseline, 8 weeks, 12 months"}],
                           "secondaryOutcomes": [{"measure": "SF-36", "timeFrame": "12 months"},
                                                 {"measure": "Adverse events", "timeFrame": "12 months"}]},
        "eligibilityModule": {"eligibilityCriteria": "Inclusion: low back pain for at least 12 weeks"},
    }}


def write_corpus(root: Path, files: int = 6, per_file: int = 3, prefix: str = "NCT9") -> int:
    """`files` API-page files of `per_file` studies each, in two folders; returns the record count."""
    n = 0
    for f in range(files):
        folder = root / ("a" if f % 2 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        studies = [study(f"{prefix}{f:03d}{i:04d}", enrollment=40 + 30 * i + f) for i in range(per_file)]
        (folder / f"page{f}.json").write_bytes(orjson.dumps({"studies": studies}))
        n += per_file
    return n


# ICTRP's export of two trials: a copy of ClinicalTrials.gov's NCT09000002 and an ANZCTR trial.
ICTRP_COPIES = Path(__file__).resolve().parents[1] / "sources" / "fixtures" / "ictrp_header.csv"


def with_ictrp_copies(root: Path, *ncts: str) -> Path:
    """A folder `root` of ClinicalTrials.gov studies `ncts` (one API page) beside ICTRP_COPIES:
    registry groups and trials of several records."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "a.json").write_bytes(orjson.dumps({"studies": [study(nct) for nct in ncts]}))
    (root / "ictrp.csv").write_bytes(ICTRP_COPIES.read_bytes())
    return root
