"""The results store: atomic chunks, profile identity, run bookkeeping, exports."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from auditor.batch.columns import ERROR_COLUMNS, arrow_schema, record_columns, without_run_id
from auditor.batch.store import Store

CODES = ("FU01", "QL01")
COUNTS = {"seen": 1, "audited": 1, "failed": 0, "skipped": 0}


def _no_run_id(cols) -> pa.Schema:
    return arrow_schema(without_run_id(cols))


def trial_table(path: str, index: int = 0, **values: object) -> pa.Table:
    """A record of blob `path` (the tests use the path as the blob id)."""
    nct = f"NCT{abs(hash(path)) % 10**4:04d}{index:04d}"
    row = {"blob_id": path, "source_path": path, "source_index": index, "registry": "ClinicalTrials.gov",
           "trial_id": nct, "ids": [nct], "intervention_categories": ["mindfulness", "drug"], "FU01": "met",
           "QL01": "unclear", **values}
    return pa.Table.from_pylist([row], schema=_no_run_id(record_columns(CODES))).append_column(
        "run_id", pa.array([1], pa.int32()))


def blob(path: str, file_hash: str, items: int, complete: bool) -> tuple[str, str, str, int, str, int, bool]:
    return (path, path, "", 0, file_hash, items, complete)


def test_chunk_commits_rows_files_and_counts_together(tmp_path: Path) -> None:
    store = Store(tmp_path, CODES, "id-1")
    run = store.start_run("p", "1", "0.1", {})
    store.commit_chunk(run, [trial_table("/a.json")], [], [], [blob("/a.json", "h1", 1, True)], [], COUNTS)
    assert store.file_states()["/a.json"]["/a.json"].complete
    assert store.con.execute("SELECT seen, audited FROM runs").fetchone() == (1, 1)


def test_a_failing_chunk_leaves_nothing_behind(tmp_path: Path) -> None:
    store = Store(tmp_path, CODES, "id-1")
    run = store.start_run("p", "1", "0.1", {})
    bad = pa.table({"source_path": ["/b.json"], "no_such_column": [1]})
    with pytest.raises(duckdb.Error):  # trials go in first, then the findings insert fails
        store.commit_chunk(run, [trial_table("/a.json")], [bad], [], [blob("/a.json", "h1", 1, True)], [], COUNTS)
    assert store.con.execute("SELECT count(*) FROM records").fetchone() == (0,)
    assert store.file_states() == {}
    assert store.con.execute("SELECT seen FROM runs").fetchone() == (0,)


def test_replacing_a_file_drops_its_old_rows_in_the_same_transaction(tmp_path: Path) -> None:
    store = Store(tmp_path, CODES, "id-1")
    run = store.start_run("p", "1", "0.1", {})
    store.commit_chunk(run, [trial_table("/a.json", 0), trial_table("/a.json", 1), trial_table("/b.json")], [], [],
                       [blob("/a.json", "h1", 2, True), blob("/b.json", "h2", 1, True)], [], COUNTS)
    store.commit_chunk(run, [trial_table("/a.json", 0, trial_id="NEW")], [], [], [blob("/a.json", "h3", 1, True)],
                       ["/a.json"], COUNTS)
    rows = store.con.execute("SELECT source_path, trial_id FROM records ORDER BY ALL").fetchall()
    assert [r[0] for r in rows] == ["/a.json", "/b.json"] and rows[0][1] == "NEW"
    assert store.file_states()["/a.json"]["/a.json"].file_hash == "h3"


def test_profile_change_clears_results_but_keeps_run_history(tmp_path: Path) -> None:
    store = Store(tmp_path, CODES, "id-1")
    run = store.start_run("p", "1", "0.1", {})
    store.commit_chunk(run, [trial_table("/a.json")], [], [], [blob("/a.json", "h1", 1, True)], [], COUNTS)
    store.close()
    same = Store(tmp_path, CODES, "id-1")
    assert same.reset_reason is None and len(same.file_states()) == 1
    # the first run never ended: a new open knows nobody is running it any more
    assert same.con.execute("SELECT status FROM runs").fetchone() == ("aborted",)
    same.close()
    other = Store(tmp_path, CODES + ("AE01",), "id-2")
    assert other.reset_reason and other.file_states() == {}
    assert "AE01" in [r[0] for r in other.con.execute("DESCRIBE records").fetchall()]
    assert other.con.execute("SELECT count(*) FROM runs").fetchone() == (1,)


def test_export_writes_sorted_csv_with_joined_lists_and_parquet_twins(tmp_path: Path) -> None:
    store = Store(tmp_path, CODES, "id-1")
    run = store.start_run("p", "1", "0.1", {})
    errors = pa.Table.from_pylist([{"blob_id": "/c.txt", "source_path": "/c.txt", "reason": "unknown input format"}],
                                  schema=_no_run_id(ERROR_COLUMNS)).append_column("run_id", pa.array([1], pa.int32()))
    store.commit_chunk(run, [trial_table("/b.json"), trial_table("/a.json")], [], [errors], [], [], COUNTS)
    store.finish({"/a.json", "/b.json", "/c.txt"})
    written = store.export(tmp_path)
    assert {p.name for p in written} == {f"{t}.{e}" for t in ("trials", "records", "findings", "conflicts", "errors")
                                         for e in ("csv", "parquet")}
    csv = duckdb.sql(f"SELECT source_path, intervention_categories FROM '{tmp_path / 'records.csv'}'").fetchall()
    assert csv == [("/a.json", "mindfulness;drug"), ("/b.json", "mindfulness;drug")]
    parquet = duckdb.sql(f"SELECT intervention_categories FROM '{tmp_path / 'trials.parquet'}'").fetchall()
    assert parquet[0] == (["mindfulness", "drug"],)
    assert not list(tmp_path.glob("*.tmp"))


def test_export_is_skipped_while_the_tables_are_unchanged(tmp_path: Path) -> None:
    store = Store(tmp_path, CODES, "id-1")
    run = store.start_run("p", "1", "0.1", {})
    store.commit_chunk(run, [trial_table("/a.json")], [], [], [blob("/a.json", "h1", 1, True)], [], COUNTS)
    store.export(tmp_path)
    marker = tmp_path / "trials.csv"
    marker.write_text("left alone", encoding="utf-8")
    store.commit_chunk(run, [], [], [], [], [], COUNTS)  # counters only: no result rows changed
    store.export(tmp_path)
    assert marker.read_text(encoding="utf-8") == "left alone"
    store.commit_chunk(run, [trial_table("/b.json")], [], [], [blob("/b.json", "h2", 1, True)], [], COUNTS)
    store.finish({"/a.json", "/b.json"})
    store.export(tmp_path)
    assert marker.read_text(encoding="utf-8").count("\n") == 3  # header + two trials


def test_files_keeps_one_row_per_blob_however_often_its_progress_is_committed(tmp_path: Path) -> None:
    store = Store(tmp_path, CODES, "id-1")
    run = store.start_run("p", "1", "0.1", {})
    progress = [blob("/a.json", "h1", n, n == 3) for n in range(4)]  # several chunks in one commit
    store.commit_chunk(run, [], [], [], progress, [], COUNTS)
    store.commit_chunk(run, [], [], [], progress[:2], [], COUNTS)  # an older row arriving later still replaces
    assert store.con.execute("SELECT count(*) FROM files").fetchone() == (1,)
    same_name = [("z1", "/z.zip", "m.json", 0, "h1", 1, True), ("z2", "/z.zip", "m.json", 1, "h2", 1, True)]
    store.commit_chunk(run, [], [], [], same_name, [], COUNTS)
    assert set(store.file_states()["/z.zip"]) == {"z1", "z2"}


def test_finishing_a_run_drops_blobs_it_did_not_meet_and_links_trials(tmp_path: Path) -> None:
    store = Store(tmp_path, CODES, "id-1")
    run = store.start_run("p", "1", "0.1", {})
    copy = trial_table("/b.json", 0, trial_id="EUCTR2020-001234-56-DE", ids=["EUCTR2020-001234-56", "NCT00000001"],
                       format="ictrp-xml", FU01="not_met")
    store.commit_chunk(run, [trial_table("/a.json", 0, trial_id="NCT00000001", ids=["NCT00000001"]), copy,
                             trial_table("/gone.json")], [], [],
                       [blob("/a.json", "h1", 1, True), blob("/b.json", "h2", 1, True), blob("/gone.json", "h3", 1, True)],
                       [], COUNTS)
    store.finish({"/a.json", "/b.json"})
    assert store.con.execute("SELECT count(*) FROM records").fetchone() == (2,)
    assert set(store.file_states()) == {"/a.json", "/b.json"}
    assert store.con.execute("SELECT trial_key, copies, source_path FROM trials").fetchall() == [
        ("NCT00000001", 2, "/a.json")]  # the registry's own record before the ICTRP copy
    assert store.con.execute("SELECT DISTINCT field, kind FROM conflicts").fetchall() == [("FU01", "status")]
