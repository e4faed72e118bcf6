"""`trial-audit batch` tables hold what a reviewer filters on: the registration date and how it
stands to the start, and intervention categories that stay unknown when the arms are undescribed."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import duckdb
import orjson

from tests.batch.data import study
from tests.conftest import run_cli


def _batch(tmp_path: Path, studies: list[dict]) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.json").write_bytes(orjson.dumps({"studies": studies}))
    result = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert result.exit_code == 0, result.output
    return tmp_path / "out"


def test_the_records_say_when_a_trial_was_registered_and_how_long_before_or_after_its_start(tmp_path: Path) -> None:
    early, late = study("NCT90000001", start="2019-03-15"), study("NCT90000002", start="2018-06-01")
    out = _batch(tmp_path, [early, late])  # both registered 2019-01-02
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT trial_id, registration_date, registration_days_after_start, registered_prospectively "
        "FROM trials ORDER BY trial_id").fetchall()}
    assert got == {"NCT90000001": (datetime.date(2019, 1, 2), -72, True),
                   "NCT90000002": (datetime.date(2019, 1, 2), 215, False)}
    with (out / "trials.csv").open(encoding="utf-8") as f:
        rows = {r["trial_id"]: r for r in csv.DictReader(f)}
    assert rows["NCT90000001"]["registration_date"] == "2019-01-02"
    assert rows["NCT90000001"]["registration_days_after_start"] == "-72"


def test_categories_of_undescribed_arms_are_unknown_not_false(tmp_path: Path) -> None:
    described, bare = study("NCT90000001"), study("NCT90000002")
    del bare["protocolSection"]["armsInterventionsModule"]
    out = _batch(tmp_path, [described, bare])
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    got = dict(con.execute("SELECT trial_id, [category_cognitive_behavioural_therapy, category_drug] "
                           "FROM records").fetchall())
    assert got["NCT90000001"] == [True, False]
    assert got["NCT90000002"] == [None, None]  # NULL in DuckDB
    with (out / "records.csv").open(encoding="utf-8") as f:
        rows = {r["trial_id"]: r for r in csv.DictReader(f)}
    assert rows["NCT90000002"]["category_drug"] == ""  # an empty cell in the CSV
    assert rows["NCT90000001"]["category_drug"] == "false"
