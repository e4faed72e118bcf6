"""Acceptance test: the registry headline of `batch` (summary.json, report.html) and the list and
breakdown beside it group the same way: one register, whether read directly or through ICTRP."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.batch.data import with_ictrp_copies
from tests.conftest import run_cli


def test_the_registry_list_and_breakdown_group_registers_as_the_headline_counts_them(tmp_path: Path) -> None:
    # ICTRP's copies: one ClinicalTrials.gov trial (NCT09000002), one ANZCTR trial
    inputs = with_ictrp_copies(tmp_path / "in", "NCT98000001", "NCT98000003")
    result = run_cli("batch", str(inputs), "--out", str(tmp_path / "out"), "--isolated")
    assert result.exit_code == 0, result.output
    doc = orjson.loads((tmp_path / "out" / "summary.json").read_bytes())
    groups = {g["group"]: g for g in doc["breakdowns"]["registry"]}
    assert doc["store"]["registries"] == len(groups) == 2
    assert {name: g["trials"] for name, g in groups.items()} == {"ClinicalTrials.gov": 3, "ANZCTR": 1}
    assert [(s["source"], s["registry"], s["trials"]) for s in groups["ClinicalTrials.gov"]["sources"]] == [
        ("ClinicalTrials.gov", "ClinicalTrials.gov", 2), ("ICTRP", "ICTRP:ClinicalTrials.gov", 1)]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<b>2</b>registries" in html
    assert ("Registries: ClinicalTrials.gov (3; 2 sources: ClinicalTrials.gov 2, ICTRP 1), ANZCTR (1, via ICTRP)."
            in html)


def test_report_where_register_selects_the_trials_of_a_registry_group(tmp_path: Path) -> None:
    """F21: `registry` is the record's own naming (ICTRP:ClinicalTrials.gov for ICTRP's copies), so
    `--where registry = ...` selected fewer trials than the summary's group; `register` is the group."""
    inputs = with_ictrp_copies(tmp_path / "in", "NCT98000001", "NCT98000003")
    out = tmp_path / "out"
    assert run_cli("batch", str(inputs), "--out", str(out), "--isolated").exit_code == 0
    groups = {g["group"]: g["trials"] for g in orjson.loads((out / "summary.json").read_bytes())["breakdowns"]["registry"]}
    for name, trials in groups.items():
        result = run_cli("report", str(out), "--where", f"register = '{name}'", "--out", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert orjson.loads((tmp_path / name / "summary.json").read_bytes())["store"]["trials"] == trials
    header = (out / "trials.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:5] == ["trial_key", "copies", "linked_ids", "register", "blob_id"]
