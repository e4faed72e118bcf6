"""Acceptance tests: a reviewer's fact correction reaches the facts computed from it (`check` and
`batch`), so the verdict follows the corrected value and its message does not contradict itself."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import orjson
import pytest

from tests.conftest import run_cli

SHEET = ("NCT ID,Title,Enrollment,Allocation,Masking,Arms,Intervention,Primary outcome,Outcome time frame\n"
         "NCT09400001,CBT for chronic low back pain,120,Randomized,Outcome assessor,CBT; Exercise; Usual care,CBT,"
         "Pain NRS,12 months\n")


def _v2(duration_text: str) -> dict:
    """A ClinicalTrials.gov v2 record: an 8-week programme, assessed at 12 months from baseline."""
    return {"protocolSection": {
        "identificationModule": {"nctId": "NCT09990003", "briefTitle": "App-based CBT for back pain"},
        "statusModule": {"overallStatus": "RECRUITING", "startDateStruct": {"date": "2024-09"}},
        "conditionsModule": {"conditions": ["Low Back Pain"]},
        "designModule": {"studyType": "INTERVENTIONAL", "enrollmentInfo": {"count": 80},
                         "designInfo": {"allocation": "RANDOMIZED", "maskingInfo": {"masking": "NONE"}}},
        "armsInterventionsModule": {"armGroups": [
            {"label": "CBT app", "type": "EXPERIMENTAL", "description": duration_text},
            {"label": "Usual care", "type": "NO_INTERVENTION", "description": "Usual care."}]},
        "outcomesModule": {"primaryOutcomes": [{"measure": "Pain intensity (VAS)", "timeFrame": "Baseline and 8 weeks"}],
                           "secondaryOutcomes": [{"measure": "Oswestry Disability Index", "timeFrame": "12 months"}]}}}


def _check(tmp_path: Path, record: Path, fixes: str, select: str) -> dict:
    path = tmp_path / "c.yaml"
    path.write_text(fixes, encoding="utf-8")
    result = run_cli("check", str(record), "--select", select, "--corrections", str(path), "--format", "json",
                     "--isolated")
    return json.loads(result.stdout)["audits"][0]


@pytest.mark.parametrize(("fact", "value", "per_arm", "message"), [
    ("design.arm_count", 2, 60, "60 participants per arm (>= 50)."),
    ("sample_size.enrollment", 300, 100, "100 participants per arm (>= 50)."),
])
def test_a_corrected_count_changes_the_per_arm_size_computed_from_it(tmp_path: Path, fact: str, value: int,
                                                                     per_arm: int, message: str) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    audit = _check(tmp_path, sheet, f"NCT09400001:\n  facts:\n    {fact}: {{value: {value}, reason: x, by: NU}}\n",
                   "SS01")
    assert audit["facts"]["sample_size"]["per_arm"] == per_arm
    (ss01,) = audit["findings"]
    assert ss01["status"] == "met" and ss01["message"] == message
    # the per-arm size rests on the correction: its evidence quotes it, as the corrected fact's does
    notes = [e["note"] for e in audit["evidence"]["sample_size.per_arm"]]
    assert "set by reviewer: x (NU)" in notes
    assert [e["note"] for e in audit["evidence"][fact]] == ["set by reviewer: x (NU)"]


@pytest.mark.parametrize(("weeks", "after", "status"), [(0, 52, "met"), (2, 50, "not_met")])
def test_a_corrected_treatment_length_changes_the_weeks_after_treatment(tmp_path: Path, weeks: int, after: int,
                                                                        status: str) -> None:
    record = tmp_path / "r.json"
    record.write_bytes(orjson.dumps(_v2("Smartphone CBT programme for 8 weeks.")))
    audit = _check(tmp_path, record, f"NCT09990003:\n  facts:\n    treatment.duration_weeks: "
                                     f"{{value: {weeks}, reason: per the protocol paper, by: NU}}\n", "FU01")
    assert audit["facts"]["follow_up"]["weeks_after_treatment"] == after
    (fu01,) = audit["findings"]
    assert fu01["status"] == status and f"{after} weeks after the end of treatment" in fu01["message"]
    notes = [e["note"] for e in audit["evidence"]["follow_up.weeks_after_treatment"]]
    assert "set by reviewer: per the protocol paper (NU)" in notes and not any("= 8 weeks" in n for n in notes)


def test_batch_recomputes_from_a_corrected_fact_and_keeps_the_audit_trail(tmp_path: Path) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    fixes = tmp_path / "c.yaml"
    fixes.write_text("NCT09400001:\n  facts:\n    design.arm_count: {value: 2, reason: x, by: NU}\n", encoding="utf-8")
    result = run_cli("batch", str(sheet), "--out", str(tmp_path / "out"), "--corrections", str(fixes), "--isolated")
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(tmp_path / "out" / "audit.duckdb"), read_only=True)
    try:
        finding = con.execute("SELECT status, original_status, corrected, message FROM trial_findings "
                              "WHERE code = 'SS01'").fetchone()
        trial = con.execute("SELECT per_arm, corrected, corrections FROM trials").fetchone()
    finally:
        con.close()
    assert finding == ("met", "not_met", True, "60 participants per arm (>= 50).")
    assert trial[:2] == (60, True)
    assert orjson.loads(trial[2]) == [{"kind": "facts", "key": "design.arm_count", "original": 3, "value": 2,
                                       "reason": "x", "by": "NU", "line": 3}]


def _copy(nct: str, updated: str) -> dict:
    """A v2 record stating a shared ISRCTN id, so two NCT records are copies of one trial."""
    doc = _v2("8 weekly sessions of CBT.")
    ident = doc["protocolSection"]["identificationModule"]
    ident["nctId"] = nct
    ident["secondaryIdInfos"] = [{"id": "ISRCTN12345678", "type": "REGISTRY"}]
    doc["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {"date": updated}
    return doc


@pytest.mark.parametrize(("key", "warned"), [("NCT09990011", True), ("NCT09990012", False), ("ISRCTN12345678", False)])
def test_a_correction_keyed_by_a_copy_that_does_not_represent_its_trial_is_named(tmp_path: Path, key: str,
                                                                                  warned: bool) -> None:
    """Keyed by the id of the older copy only, a correction changes that copy and not the trial's row
    (the newer copy represents the trial): exit 2 names the id to key it by; keyed by the trial's id
    or an id every copy states, the trial is corrected and nothing is said."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "old.json").write_bytes(orjson.dumps(_copy("NCT09990011", "2024-01-05")))
    (tmp_path / "in" / "new.json").write_bytes(orjson.dumps(_copy("NCT09990012", "2025-03-01")))
    fixes = tmp_path / "c.yaml"
    fixes.write_text(f"{key}:\n  status:\n    SS04: {{value: met, reason: per the protocol paper, by: RV}}\n",
                     encoding="utf-8")
    result = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--corrections", str(fixes),
                     "--isolated", "--jobs", "1")
    con = duckdb.connect(str(tmp_path / "out" / "audit.duckdb"), read_only=True)
    try:
        trial = con.execute("SELECT trial_key, copies, SS04 FROM trials").fetchall()
    finally:
        con.close()
    assert trial == [("NCT09990012", 2, "unclear" if warned else "met")]
    if warned:
        assert result.exit_code == 2, result.output
        assert ("c.yaml:1: NCT09990011 is stated only by copies that do not represent trial NCT09990012" in result.output
                and "key the entry by NCT09990012" in result.output)
    else:
        assert result.exit_code == 0, result.output
        assert "do not represent" not in result.output
    # F10: keyed by the newer copy's own id, the older copy is not reached (it does not state it): said
    reached_one = "NCT09990012 reaches 1 of the 2 copies of trial NCT09990012" in result.output
    assert reached_one == (key == "NCT09990012"), result.output


def test_a_corrections_edit_that_changes_no_correction_keeps_the_stored_results(tmp_path: Path) -> None:
    """The store is cleared when the corrections change; a comment added below the entries, or a
    template whose entries are all still commented out, changes none, so nothing is audited again."""
    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    fixes = tmp_path / "c.yaml"
    args = ("batch", str(sheet), "--out", str(tmp_path / "out"), "--corrections", str(fixes), "--isolated", "-j", "1")
    fixes.write_text("NCT09400001:\n  facts:\n    design.arm_count: {value: 2, reason: x, by: NU}\n", encoding="utf-8")
    assert run_cli(*args).exit_code == 0
    fixes.write_text(fixes.read_text(encoding="utf-8") + "# SS04 still to check against the protocol paper\n",
                     encoding="utf-8")
    commented = run_cli(*args)
    assert commented.exit_code == 0 and "cleared" not in commented.output, commented.output
    assert "Nothing changed since the last run" in commented.output
    fixes.write_text("NCT09400001:\n  facts:\n    design.arm_count: {value: 3, reason: x, by: NU}\n", encoding="utf-8")
    assert "cleared because the corrections changed" in run_cli(*args).output  # a changed value is a change

    plain = ("batch", str(sheet), "--out", str(tmp_path / "out2"), "--isolated", "-j", "1")
    assert run_cli(*plain).exit_code == 0
    fixes.write_text("NCT09400001:  # CBT for chronic low back pain\n  status:\n"
                     '    # SS04: {value: met, reason: "", by: ""}\n', encoding="utf-8")
    template = run_cli(*plain, "--corrections", str(fixes))
    assert template.exit_code == 0 and "cleared" not in template.output, template.output


def test_a_status_correction_for_a_criterion_not_checked_is_exit_2_in_check_as_in_batch(tmp_path: Path) -> None:
    """`check` applied no status correction for a code the profile lacks and said nothing (exit 1), where
    `batch` refuses it; a criterion that --select left out is named as such."""
    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    fixes = tmp_path / "c.yaml"
    fixes.write_text("NCT09400001:\n  status:\n    SS99: {value: met, reason: x, by: NU}\n", encoding="utf-8")
    unknown = f"trial-audit: {fixes}:3: 'SS99' is not a criterion of profile ho2022-cnslbp"
    left_out = (f"trial-audit: {fixes}:3: 'SS04' is not checked in this run (--select, --ignore or the settings "
                "leave it out): check it, or remove this correction")
    for command in (["check", str(sheet)], ["batch", str(sheet), "--out", str(tmp_path / "out"), "-j", "1"]):
        result = run_cli(*command, "--corrections", str(fixes), "--isolated")
        assert (result.exit_code, result.stderr.strip()) == (2, unknown), command
    fixes.write_text("NCT09400001:\n  status:\n    SS04: {value: met, reason: x, by: NU}\n", encoding="utf-8")
    for command in (["check", str(sheet)], ["batch", str(sheet), "--out", str(tmp_path / "out"), "-j", "1"]):
        result = run_cli(*command, "--corrections", str(fixes), "--isolated", "--select", "FU")
        assert (result.exit_code, result.stderr.strip()) == (2, left_out), command


@pytest.mark.parametrize(("entry", "message"), [
    ("status:\n    SS04: {value: yes, reason: x}", "SS04: status true (YAML reads an unquoted yes, no, on or off as "
     "true or false) is not one of met, not_met, unclear, not_applicable"),
    ("facts:\n    treatment.duration_wks: {value: 8, reason: x}", "'treatment.duration_wks' is not a fact of the Facts "
     "schema (did you mean 'treatment.duration_weeks'? trial-audit schema facts)"),
])
def test_a_mistyped_correction_says_what_was_meant(tmp_path: Path, entry: str, message: str) -> None:
    fixes = tmp_path / "c.yaml"
    fixes.write_text(f"NCT09400001:\n  {entry}\n", encoding="utf-8")
    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    result = run_cli("check", str(sheet), "--corrections", str(fixes), "--isolated")
    assert (result.exit_code, result.stderr.strip()) == (2, f"trial-audit: {fixes}:3: {message}")
