"""Trial identity in the store: one row per trial across copies and registries, a run reflects its
inputs, and blob identities never collide (issue 12 item 1-2, issue 11 "records lost or duplicated")."""

from __future__ import annotations

import gzip
import re
import zipfile
from pathlib import Path

import duckdb
import orjson
import pytest

from auditor import batch
from auditor.batch import pool
from auditor.engine import profiles
from tests.batch.data import study


@pytest.fixture(scope="module")
def profile() -> profiles.Profile:
    return profiles.load()


def _page(*ncts: str, **changes: int) -> bytes:
    return orjson.dumps({"studies": [study(n, **changes) for n in ncts]})


def _query(out: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _row_counts(out: Path) -> dict[str, int]:
    return {t: _query(out, f"SELECT count(*) FROM {t}")[0][0] for t in ("records", "findings", "errors", "files")}


# An independent count: the test's own reading of the ids the records state (not auditor.identity),
# and connected components by breadth-first search (not union-find).
_ID = re.compile(r"NCT\d{8}|ISRCTN\d{8}|ACTRN\d{14}|DRKS\d{8}|CHICTR[-A-Z]*\d{8,10}|(?<!\d)(?:19|20)\d\d-\d{6}-\d\d"
                 r"(?:-\d\d)?|CTRI/\d{4}/\d+/\d+|IRCT\d+N?\d*|UMIN\d{9}|JRCT\w?\d{10}|KCT\d{7}|PACTR\d{15,16}|"
                 r"NTR\d{1,5}|NL\d{4,5}|NL-OMON\d+|TCTR\d{11}|RBR-\w+|RPCEC\d{8}|PER-\d{3}-\d\d|SLCTR/\d{4}/\d{3}|"
                 r"LBCTR\d{10}|ITMCTR\d+|JAPICCTI-\d{6}")


def _independent_trial_count(out: Path) -> int:
    records = _query(out, "SELECT trial_id, secondary_ids FROM records")
    ids_of = []
    for trial_id, secondary in records:
        primary = re.sub(r"\s", "", (trial_id or "").upper())
        found = set(_ID.findall(primary)) or ({primary} if primary else set())
        for text in secondary or []:
            found |= set(_ID.findall(re.sub(r"(?<=[A-Z])\s+(?=\d)", "", text.upper())))
        ids_of.append(found)
    by_id: dict[str, list[int]] = {}
    for i, ids in enumerate(ids_of):
        for x in ids:
            by_id.setdefault(x, []).append(i)
    seen, components = set(), 0
    for start in range(len(records)):
        if start in seen:
            continue
        components += 1
        todo = [start]
        seen.add(start)
        while todo:
            for x in ids_of[todo.pop()]:
                for j in by_id[x]:
                    if j not in seen:
                        seen.add(j)
                        todo.append(j)
    return components


def test_all_real_data_counts_each_trial_once_and_lists_the_ictrp_conflicts(real_data: Path, tmp_path: Path,
                                                                            profile) -> None:
    out = tmp_path / "out"
    outcome = batch.run([str(real_data)], out, profile, jobs=2)
    store = outcome.summary["store"]
    assert store["trials"] == _independent_trial_count(out) == _query(out, "SELECT count(*) FROM trials")[0][0]
    assert store["trials"] + store["copies_merged"] == store["records"] == outcome.totals.audited
    assert _query(out, "SELECT count(DISTINCT trial_key) FROM trials")[0][0] == store["trials"]
    # the ICTRP CSV and XML exports share hundreds of trials; where their copies disagree it is listed
    both = _query(out, """SELECT count(*) FROM (SELECT trial_key FROM conflicts GROUP BY 1
                          HAVING bool_or(format = 'ictrp-csv') AND bool_or(format = 'ictrp-xml'))""")[0][0]
    assert both > 0
    fields = {f for (f,) in _query(out, "SELECT DISTINCT field FROM conflicts")}
    assert {"enrollment", "FU01"} <= fields
    csv = (out / "trials.csv").read_text(encoding="utf-8").count("\n") - 1
    assert csv >= store["trials"]  # one row per trial (a title may hold a newline)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"<b>{store['copies_merged']:,}</b>copies merged ({store['records']:,} records read)" in html


def test_a_second_run_with_one_input_removed_no_longer_counts_its_trials(real_data: Path, tmp_path: Path,
                                                                          profile) -> None:
    out = tmp_path / "out"
    ictrp, ctgov = real_data / "ictrp", real_data / "ctgov-v2"
    both = batch.run([str(ictrp), str(ctgov)], out, profile, jobs=2)
    alone = batch.run([str(ctgov)], tmp_path / "alone", profile, jobs=2)
    again = batch.run([str(ctgov)], out, profile, jobs=2)
    assert both.summary["store"]["trials"] > again.summary["store"]["trials"] == alone.summary["store"]["trials"]
    assert again.totals.audited == 0  # nothing re-read: the ICTRP rows are only dropped
    assert _query(out, "SELECT count(*) FROM records WHERE format LIKE 'ictrp%'") == [(0,)]
    assert _query(out, "SELECT count(*) FROM files WHERE input_path LIKE '%/ictrp/%'") == [(0,)]


def test_overlapping_exports_and_a_re_download_under_a_new_name_add_no_trials(tmp_path: Path, profile) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "export-1.json").write_bytes(_page(*(f"NCT940000{i:02d}" for i in range(6))))
    (inputs / "export-2.json").write_bytes(_page(*(f"NCT940000{i:02d}" for i in range(3, 9))))
    first = batch.run([str(inputs)], tmp_path / "out", profile, jobs=1)
    assert (first.summary["store"]["records"], first.summary["store"]["trials"]) == (12, 9)
    (inputs / "export-1 (1).json").write_bytes((inputs / "export-1.json").read_bytes())
    second = batch.run([str(inputs)], tmp_path / "out", profile, jobs=1)
    assert (second.summary["store"]["records"], second.summary["store"]["trials"]) == (18, 9)
    copies = dict(_query(tmp_path / "out", "SELECT trial_key, copies FROM trials"))
    assert copies["NCT94000000"] == 2 and copies["NCT94000004"] == 3 and copies["NCT94000008"] == 1


def test_copies_are_linked_transitively_through_secondary_ids(tmp_path: Path, profile) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    a, b = study("NCT95000001"), study("NCT95000002", enrollment=300)
    a["protocolSection"]["identificationModule"]["secondaryIdInfos"] = [{"id": "EudraCT 2019-000111-22"}]
    b["protocolSection"]["identificationModule"]["secondaryIdInfos"] = [{"id": "2019-000111-22"}, {"id": "ABC-1"}]
    c = study("NCT95000003")
    c["protocolSection"]["identificationModule"]["secondaryIdInfos"] = [{"id": "ABC-1"}]  # a sponsor's number
    (inputs / "p.json").write_bytes(orjson.dumps({"studies": [a, b, c]}))
    outcome = batch.run([str(inputs)], tmp_path / "out", profile, jobs=1)
    assert outcome.summary["store"]["trials"] == 2
    linked = _query(tmp_path / "out", "SELECT linked_ids FROM trials WHERE copies = 2")[0][0]
    assert linked == ["EUCTR2019-000111-22", "NCT95000001", "NCT95000002"]
    assert ("enrollment", "fact") in _query(tmp_path / "out", "SELECT DISTINCT field, kind FROM conflicts")


def test_blob_identities_never_collide_and_unchanged_reruns_add_no_row(tmp_path: Path, profile) -> None:
    """Names with `!`, two zip members of one name, `x.json` beside `x.json.gz`, a zip inside a zip."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "wow!.json").write_bytes(_page("NCT96000001"))
    (inputs / "a!b!c.json").write_bytes(_page("NCT96000002"))
    (inputs / "x.json").write_bytes(_page("NCT96000003"))
    (inputs / "x.json.gz").write_bytes(gzip.compress(_page("NCT96000004")))
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("m!.json", _page("NCT96000005"))
    with (pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(inputs / "z.zip", "w") as zf):
        zf.writestr("same.json", _page("NCT96000006"))
        zf.writestr("same.json", _page("NCT96000007"))
        zf.write(inner, "nested.zip")
    first = batch.run([str(inputs)], tmp_path / "out", profile, jobs=2)
    assert (first.totals.seen, first.totals.audited) == (7, 7)
    rows = _row_counts(tmp_path / "out")
    assert rows["records"] == 7 and rows["files"] == 7
    for _ in range(2):
        again = batch.run([str(inputs)], tmp_path / "out", profile, jobs=2)
        assert (again.totals.seen, again.totals.audited, again.totals.skipped) == (7, 0, 7)
        assert _row_counts(tmp_path / "out") == rows
    members = _query(tmp_path / "out", "SELECT member, member_dup FROM files WHERE input_path LIKE '%z.zip' ORDER BY ALL")
    assert members == [("nested.zip!m!.json", 0), ("same.json", 0), ("same.json", 1)]


def test_a_run_whose_worker_died_is_marked_failed(tmp_path: Path, profile, monkeypatch) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "p.json").write_bytes(_page("NCT97000001"))

    def die(*_args: object) -> None:
        raise pool.WorkerDied("a worker process died (exit code -9); run the same command again to resume")

    monkeypatch.setattr(pool.Pool, "process", die)
    with pytest.raises(pool.WorkerDied):
        batch.run([str(inputs)], tmp_path / "out", profile, jobs=2)
    assert _query(tmp_path / "out", "SELECT status FROM runs") == [("failed",)]
    monkeypatch.undo()
    assert batch.run([str(inputs)], tmp_path / "out", profile, jobs=2).status == "completed"


def test_leftovers_of_a_kill_during_export_are_removed(tmp_path: Path, profile) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / "p.json").write_bytes(_page("NCT97000002"))
    batch.run([str(inputs)], out, profile, jobs=1)
    (out / "audit.duckdb.tmp").mkdir()  # what DuckDB's spilling and a half-written export leave after SIGKILL
    (out / "audit.duckdb.tmp" / "duckdb_temp_storage-0.tmp").write_bytes(b"x")
    (out / "findings.csv.tmp").write_bytes(b"half")
    batch.run([str(inputs)], out, profile, jobs=1)
    assert not (out / "audit.duckdb.tmp").exists() and not list(out.glob("*.tmp"))


def test_eu_ctr_member_state_copies_count_as_one_trial_each(tmp_path: Path, profile: profiles.Profile) -> None:
    """The EU CTR download holds 10 member-state records of 2 EudraCT numbers: 10 records, 2 trials."""
    from tests.conftest import real_data_dir

    folder = real_data_dir() / "euctr"
    if not folder.is_dir():
        pytest.skip(f"no EU CTR data at {folder}")
    text = "".join(p.read_text("utf-8", errors="replace") for p in sorted(folder.iterdir()) if p.is_file())
    numbers = re.findall(r"EudraCT Number:\s*(\d{4}-\d{6}-\d{2})", text)  # one per member-state record
    batch.run([str(folder)], tmp_path / "out", profile, jobs=1)
    assert _query(tmp_path / "out", "SELECT count(*) FROM records") == [(len(numbers),)]
    copies = _query(tmp_path / "out", "SELECT trial_id, copies FROM trials ORDER BY 1")
    assert copies == sorted((n, numbers.count(n)) for n in set(numbers))
    assert len(copies) == 2


def test_copies_that_say_the_same_in_their_own_forms_do_not_conflict(tmp_path: Path, profile) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    one, other = study("NCT94100001", start="2025-09"), study("NCT94100001", start="September 2025", enrollment=80)
    one["protocolSection"]["statusModule"]["overallStatus"] = "ACTIVE_NOT_RECRUITING"
    other["protocolSection"]["statusModule"]["overallStatus"] = "Active, not recruiting"
    other["protocolSection"]["designModule"]["studyType"] = "Interventional"
    (inputs / "one.json").write_bytes(orjson.dumps(one))
    (inputs / "other.json").write_bytes(orjson.dumps(other))
    batch.run([str(inputs)], tmp_path / "out", profile, jobs=1)
    fields = {f for (f,) in _query(tmp_path / "out", "SELECT DISTINCT field FROM conflicts")}
    assert "enrollment" in fields  # 120 vs 80 is a disagreement
    assert not fields & {"overall_status", "study_type", "start_date"}, fields
