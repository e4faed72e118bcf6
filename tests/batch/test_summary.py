"""summary.json: counts that add up in every breakdown, the evidence-gap map, histograms."""

from __future__ import annotations

from pathlib import Path

import duckdb
import orjson

from auditor import batch
from auditor.batch.summary import _dimensions, bins
from auditor.engine import profiles
from auditor.vocabulary import STATUSES
from tests.batch.data import study, write_corpus
from tests.conftest import run_cli


def test_bins_label_half_open_intervals() -> None:
    expr, labels = bins("x", (10, 50))
    assert labels == ["<10", "10–49", "≥50", "unknown"]
    got = duckdb.sql(f"SELECT {expr} FROM (VALUES (9), (10), (49), (50), (NULL)) t(x)").fetchall()
    assert [g[0] for g in got] == ["<10", "10–49", "10–49", "≥50", "unknown"]


def test_breakdowns_add_up_and_gap_map_covers_the_priorities(tmp_path: Path) -> None:
    n = write_corpus(tmp_path / "in", files=4, per_file=3)
    drug = study("NCT80000001", title="Duloxetine for back pain")
    drug["protocolSection"]["armsInterventionsModule"] = {
        "interventions": [{"type": "DRUG", "name": "Duloxetine"}]}
    (tmp_path / "in" / "drug.json").write_bytes(orjson.dumps(drug))
    batch.run([str(tmp_path / "in")], tmp_path / "out", profiles.load(), jobs=1)
    doc = orjson.loads((tmp_path / "out" / "summary.json").read_bytes())
    trials = n + 1
    assert doc["store"]["trials"] == trials
    for crit in doc["criteria"]:
        assert sum(crit[s] for s in STATUSES) == trials
    for name in ("registry", "start_year", "enrollment_band"):  # exclusive groups: they partition the trials
        assert sum(g["trials"] for g in doc["breakdowns"][name]) == trials, name
        for group in doc["breakdowns"][name]:
            for counts in group["criteria"].values():
                assert sum(counts.values()) == group["trials"]
    categories = {g["group"] for g in doc["breakdowns"]["intervention_category"]}
    assert "drug" in categories
    gap = doc["gap_map"]
    assert set(gap["codes"]) | set(gap["missing_codes"]) == set(profiles.load().gap_map) == {"FU01", "QL01", "AE01", "SS02"}
    assert [r["category"] for r in gap["rows"]] == [g["group"] for g in doc["breakdowns"]["intervention_category"]]
    assert sum(b["count"] for b in doc["distributions"]["enrollment"]) == trials
    assert sum(b["count"] for b in doc["distributions"]["follow_up_after_treatment_weeks"]) == trials


def test_the_registry_headline_counts_a_register_once_whether_read_directly_or_through_ictrp() -> None:
    from auditor.batch.summary import _register_sql

    rows = duckdb.connect().execute(
        f"SELECT count(DISTINCT {_register_sql()}) FROM (VALUES ('ClinicalTrials.gov'), ('ICTRP:ClinicalTrials.gov'), "
        "('EU CTR'), ('ICTRP:EU Clinical Trials Register'), ('CTIS'), ('ICTRP:Clinical Trials Information System'), "
        "('ICTRP:ChiCTR'), (NULL)) AS t(registry)").fetchone()
    assert rows == (4,)  # ClinicalTrials.gov, EU CTR, CTIS, ChiCTR; an unknown registry is no register


def test_trials_whose_arms_are_not_described_are_their_own_unknown_category_not_none(tmp_path: Path) -> None:
    """Null categories (arms not described: not known) were counted as "none" (no category recognised)."""
    (tmp_path / "in").mkdir()
    described, undescribed = study("NCT80000011"), study("NCT80000012")
    undescribed["protocolSection"].pop("armsInterventionsModule")
    (tmp_path / "in" / "a.json").write_bytes(orjson.dumps({"studies": [undescribed, described]}))
    result = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--isolated")
    assert result.exit_code == 0, result.output
    doc = orjson.loads((tmp_path / "out" / "summary.json").read_bytes())
    rows = [(g["group"], g["trials"]) for g in doc["breakdowns"]["intervention_category"]]
    assert rows[-1] == ("unknown", 1) and "none" not in dict(rows)
    assert doc["gap_map"]["rows"][-1]["name"] == "Unknown: arms not described"
    expr = _dimensions()["intervention_category"][0]
    got = duckdb.sql(f"SELECT {expr} FROM (VALUES (NULL), ([]::VARCHAR[]), (['drug'])) t(intervention_categories)")
    assert [g[0] for g in got.fetchall()] == ["unknown", "none", "drug"]
