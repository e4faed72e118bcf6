"""ctrdata's stored documents and databases (SQLite with JSON text or JSONB, DuckDB): built in the
test, then the real demo database and its decoded rows (``TRIAL_AUDIT_REAL_DATA``; skipped without
it). Counts come from plain sqlite3 / json, never from the readers."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from auditor.errors import InputError, RecordError
from auditor.model import TrialRecord
from auditor.sources import ctrdata_db, detect, jsonb, read_blob

from .conftest import FIXTURES, read_all
from .test_euro import audit

EURO = FIXTURES / "euro"
EUCTR_DOC = {"x5_trial_status": "Completed", "ctrname": "EUCTR", "a1_member_state_concerned": "Italy - AIFA",
             "a2_eudract_number": "2019-000111-22", "a3_full_title_of_the_trial": "A randomised trial",
             "e51_primary_end_points": "Pain", "e511_timepoints_of_evaluation_of_this_end_point": "week 12",
             "e811_randomised": "Yes", "f422_in_the_whole_clinical_trial": "80",
             "dimp": [{"_dimp": "1", "d12_and_d13_imp_role": "Test", "d31_product_name": "Examplinib"}]}
META = {"queries": [{"query-timestamp": "2026-01-01 10:00:00", "query-register": "EUCTR", "query-records": 1}]}


def _jsonb(value) -> bytes:
    """A small JSONB encoder (SQLite's documented format) for test blobs."""
    def element(kind: int, payload: bytes) -> bytes:
        size = len(payload)
        if size <= 11:
            return bytes([size << 4 | kind]) + payload
        return bytes([12 << 4 | kind, size]) + payload if size < 256 else \
            bytes([14 << 4 | kind]) + size.to_bytes(4, "big") + payload
    if value is None or isinstance(value, bool):
        return element({None: 0, True: 1, False: 2}[value], b"")
    if isinstance(value, int):
        return element(3, str(value).encode())
    if isinstance(value, str):
        return element(8, json.dumps(value, ensure_ascii=False)[1:-1].encode())
    if isinstance(value, list):
        return element(11, b"".join(_jsonb(v) for v in value))
    return element(12, b"".join(_jsonb(k) + _jsonb(v) for k, v in value.items()))


def _sqlite(path: Path, rows: list[tuple[str, object]]) -> Path:
    con = sqlite3.connect(path)
    con.execute('CREATE TABLE "my_trials" ( _id TEXT PRIMARY_KEY NOT NULL,  json JSON)')
    con.executemany("INSERT INTO my_trials VALUES (?, ?)", rows)
    con.commit()
    con.close()
    return path


def _rows() -> list[tuple[str, object]]:
    isrctn = json.loads((EURO / "isrctn_ctrdata.json").read_text())
    ctis = json.loads((EURO / "ctis_search_two.json").read_text())["data"][0] | {"ctrname": "CTIS"}
    return [("meta-info", json.dumps(META)), ("2019-000111-22-IT", json.dumps(EUCTR_DOC)),
            ("12345678", json.dumps(isrctn)), (ctis["ctNumber"], json.dumps(ctis))]


def test_jsonb_decoder_round_trip():
    doc = {"a": [1, True, None, "tab\there", {"é": "x" * 300}], "b": False}
    assert jsonb.decode(_jsonb(doc)) == doc
    with pytest.raises(jsonb.NotJsonb):
        jsonb.decode(b"\x0d")  # reserved type


def test_sqlite_collection_with_json_text(tmp_path):
    db = _sqlite(tmp_path / "my_trials.sqlite", _rows())
    assert detect(db.read_bytes()[:64], str(db)).NAME == "ctrdata-db"
    records, errors = read_all(db)
    expected = sqlite3.connect(db).execute("SELECT count(*) FROM my_trials WHERE _id <> 'meta-info'").fetchone()[0]
    assert not errors and len(records) == expected == 3
    eu, isrctn, ctis = records
    assert (eu.trial_id, eu.secondary_ids[0], eu.registry) == ("2019-000111-22", "EUCTR2019-000111-22-IT", "EU CTR")
    assert eu.outcomes[0].time_frame.at == "/my_trials/2019-000111-22-IT/e511_timepoints_of_evaluation_of_this_end_point"
    assert isrctn.trial_id == "ISRCTN12345678" and ctis.trial_id == "2024-512345-11-00"
    assert len(audit(db)["audits"]) == 3


def test_sqlite_collection_with_jsonb_blobs(tmp_path):
    rows = [(i, _jsonb(json.loads(doc))) for i, doc in _rows()]  # type: ignore[arg-type]
    db = _sqlite(tmp_path / "jsonb.sqlite", rows + [("broken", b"\x0d\x00")])
    records, errors = read_all(db)
    assert [r.trial_id for r in records] == ["2019-000111-22", "ISRCTN12345678", "2024-512345-11-00"]
    assert len(errors) == 1 and isinstance(errors[0], RecordError) and "'broken'" in errors[0].one_line()
    assert next(iter(ctrdata_db.read_database(db))).trial_id == "2019-000111-22"  # opened in place, same records


def test_duckdb_collection(tmp_path):
    path = tmp_path / "trials.duckdb"
    con = duckdb.connect(str(path))
    con.execute('CREATE TABLE my_trials ("_id" VARCHAR PRIMARY KEY, "json" JSON)')
    con.executemany("INSERT INTO my_trials VALUES (?, ?)", [(i, d) for i, d in _rows()])
    con.close()
    records, errors = read_all(path)
    assert not errors and [r.trial_id for r in records] == ["2019-000111-22", "ISRCTN12345678", "2024-512345-11-00"]


def test_database_without_a_collection_is_one_clear_error(tmp_path):
    db = tmp_path / "other.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(InputError) as info:
        list(read_blob(db.read_bytes(), str(db)))
    line = info.value.one_line()
    assert str(db) in line and "_id and json" in line and "\n" not in line


# --- real data ----------------------------------------------------------------------------------

def test_real_demo_database(real):
    db = real / "ctrdata-demo" / "demo.sqlite"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    row_ids = [i for (i,) in con.execute("SELECT _id FROM my_trials WHERE _id <> 'meta-info' ORDER BY rowid")]
    records, errors = read_all(db)
    assert not errors and len(records) == len(row_ids) == 25
    expected = [f"ISRCTN{i}" if i.isdigit() else ("-".join(i.split("-")[:3]) if i.count("-") == 3 and
                                                  not i.split("-")[1].startswith("5") else i) for i in row_ids]
    assert [r.trial_id for r in records] == expected
    assert Counter(r.registry for r in records) == {"ISRCTN": 9, "ClinicalTrials.gov": 8, "CTIS": 4, "EU CTR": 4}
    report = audit(db)
    assert len(report["audits"]) == 25 and report["totals"]["failed"] == 0


def test_real_jsonb_rows_decode_to_the_decoded_documents(real):
    con = sqlite3.connect(f"file:{real / 'ctrdata-demo' / 'demo.sqlite'}?mode=ro", uri=True)
    decoded = [json.loads(p.read_bytes()) for p in sorted((real / "ctrdata-demo" / "decoded").glob("*.json"))]
    blobs = [jsonb.decode(blob) for (blob,) in con.execute("SELECT json FROM my_trials")]
    assert len(blobs) == len(decoded) and all(b in decoded for b in blobs)


def test_real_decoded_documents(real):
    folder = real / "ctrdata-demo" / "decoded"
    docs = {p.name: json.loads(p.read_bytes()) for p in sorted(folder.glob("*.json"))}
    by_register = Counter(d["ctrname"] for d in docs.values() if "ctrname" in d)
    assert by_register == {"ISRCTN": 9, "CTGOV2": 5, "EUCTR": 4, "CTIS": 4, "CTGOV": 3}
    records, errors = read_all(folder)
    assert len(records) == sum(by_register.values())
    assert not errors  # META_meta-info.json is ctrdata's bookkeeping: no records, no error
    by_file = {Path(r.source.path).name: r for r in records if isinstance(r, TrialRecord)}
    for name, record in by_file.items():
        row_id = name.split("_", 1)[1].removesuffix(".json")
        assert record.trial_id == ids_of(row_id), name
    for name in docs:
        if name.startswith("EUCTR"):
            row_id = name[6:-5]
            assert by_file[name].secondary_ids[0] == f"EUCTR{row_id}"  # the member-state copy
    report = audit(folder)
    assert len(report["audits"]) == 25


def ids_of(row_id: str) -> str:
    if row_id.isdigit():
        return f"ISRCTN{row_id}"
    parts = row_id.split("-")
    return "-".join(parts[:3]) if len(parts) == 4 and not parts[1].startswith("5") else row_id
