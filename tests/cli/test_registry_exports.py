"""Acceptance tests: `check` on small ICTRP / EU CTR / CTIS / ctrdata exports written here.

Each test writes the few fields a finding depends on, in the shape the register's export uses,
and reads the JSON report: the facts and the finding of the selected criterion.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from tests.conftest import run_cli

# The WHO ICTRP portal CSV header (2020 field set).
ICTRP_COLUMNS = [
    "TrialID", "Last Refreshed on", "Public title", "Scientific title", "Acronym", "Primary sponsor",
    "Date registration", "Date registration3", "Export date", "Source Register", "web address",
    "Recruitment Status", "other records", "Inclusion agemin", "Inclusion agemax", "Inclusion gender",
    "Date enrollement", "Target size", "Study type", "Study design", "Phase", "Countries",
    "Inclusion Criteria", "Exclusion Criteria", "Condition", "Intervention", "Primary outcome",
    "results date posted", "results url link", "results yes no",
]


def ictrp_csv(tmp_path: Path, *rows: dict[str, str]) -> Path:
    path = tmp_path / "ictrp.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=ICTRP_COLUMNS, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        for i, row in enumerate(rows):
            base = {"TrialID": f"EUCTR2020-00000{i}-11-FR", "Public title": "A trial", "Date registration": "01/03/2020",
                    "Date registration3": "20200301", "Source Register": "EU Clinical Trials Register",
                    "Recruitment Status": "Recruiting", "Date enrollement": "2020-03-05", "Target size": "40",
                    "Study type": "Interventional clinical trial of medicinal product"}
            writer.writerow(base | row)
    return path


def audit(path: Path, select: str) -> list[dict[str, Any]]:
    result = run_cli("check", str(path), "--select", select, "--format", "json")
    return json.loads(result.stdout)["audits"]


def finding(audit_: dict[str, Any], code: str) -> dict[str, Any]:
    return next(f for f in audit_["findings"] if f["code"] == code)


def test_a_blank_eu_randomised_answer_is_unclear_not_randomised(tmp_path: Path) -> None:
    blank = "Controlled: no<br>Randomised: <br>Open: <br>Single blind: <br>Double blind: <br>"
    absent = "Controlled: yes<br>Randomised: Information not present in EudraCT<br>Open: yes<br>"
    said_no = "Controlled: yes<br>Randomised: no<br>Open: yes<br>"
    audits = audit(ictrp_csv(tmp_path, {"Study design": blank}, {"Study design": absent},
                             {"Study design": said_no}), "SC02")
    assert [a["facts"]["design"]["randomized"] for a in audits] == [None, None, False]
    assert [finding(a, "SC02")["status"] for a in audits] == ["unclear", "unclear", "not_met"]


def test_ictrp_results_flag_without_content_leaves_results_facts_unclear(tmp_path: Path) -> None:
    row = {"Source Register": "ClinicalTrials.gov", "TrialID": "NCT09000010", "results yes no": "Yes",
           "results date posted": "2022-01-05", "Primary outcome": "Quality of life (EQ-5D-5L) at 12 weeks"}
    (one,) = audit(ictrp_csv(tmp_path, row), "AE03,QL04")
    assert one["facts"]["results"] == {"posted": True, "adverse_events_reported": None, "hrqol_reported": None}
    for code in ("AE03", "QL04"):
        assert finding(one, code)["status"] == "unclear"
        assert "holds no results content" in finding(one, code)["message"]


def test_chictr_target_size_reads_the_number_after_each_colon(tmp_path: Path) -> None:
    rows = [{"TrialID": f"ChiCTR200000000{i}", "Source Register": "ChiCTR", "Target size": size}
            for i, size in enumerate(["Target condition:3000;Difficult condition:0", "4 groups:2800;",
                                      "1 the critical group :8;2 the severe group:8;3 controls:8;"])]
    audits = audit(ictrp_csv(tmp_path, *rows), "SS01,SS03")
    assert [(a["facts"]["sample_size"]["enrollment"], a["facts"]["sample_size"]["per_arm"]) for a in audits] == [
        (3000, 3000), (2800, 700), (24, 8)]
    assert [finding(a, "SS01")["status"] for a in audits] == ["met", "met", "not_met"]


def test_the_registry_arm_count_wins_over_counted_interventions(tmp_path: Path) -> None:
    stated = {"Study design": "Controlled: yes<br>Randomised: yes<br>Number of treatment arms in the trial: 2<br>",
              "Intervention": "Product Name: Masitinib;Product Name: Placebo;Product Name: Riluzole"}
    single = {"Scientific title": "A Phase 2, Open-Label, Single-Arm Study of X", "Source Register": "CTIS",
              "Intervention": "X;Y;Z"}
    audits = audit(ictrp_csv(tmp_path, stated, single), "SS01")
    assert [a["facts"]["design"]["arm_count"] for a in audits] == [2, 1]


def test_unreadable_values_are_quoted_not_called_missing(tmp_path: Path) -> None:
    row = {"Date registration": "31/02/2020", "Date registration3": "", "Target size": "lots"}
    (one,) = audit(ictrp_csv(tmp_path, row), "RG01,SS03")
    for code, field, value, says in (("RG01", "Date registration", "31/02/2020", "not a readable date"),
                                     ("SS03", "Target size", "lots", "not stated as a number")):
        f = finding(one, code)
        assert f["status"] == "unclear" and says in f["message"]
        assert f"“{value}”" in f["message"]  # the message names the unreadable value itself
        assert [(e["quote"], field in e["at"]) for e in f["evidence"]] == [(value, True)]
        assert value in f["evidence"][0]["note"]


def test_a_missing_value_is_not_quoted(tmp_path: Path) -> None:
    row = {"Date registration": "", "Date registration3": "", "Target size": ""}
    (one,) = audit(ictrp_csv(tmp_path, row), "RG01,SS03")
    assert finding(one, "RG01")["message"].startswith("The registration or start date is missing")
    assert finding(one, "SS03")["message"] == "The target enrollment is not stated as a number."
