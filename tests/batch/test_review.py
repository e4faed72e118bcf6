"""The reviewer's workflow: corrections with an audit trail, the codebook, configuration in batch,
subgroup reports (issue 12 items 3-6)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import orjson
import pytest

from auditor import batch, corrections
from auditor.batch import codebook
from auditor.batch.store import Store
from auditor.engine import profiles
from auditor.errors import InputError
from tests.batch.data import study
from tests.conftest import REPO, run_cli


@pytest.fixture(scope="module")
def profile() -> profiles.Profile:
    return profiles.load()


def _inputs(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    short = study("NCT98000002", enrollment=40)
    (root / "p.json").write_bytes(orjson.dumps({"studies": [study("NCT98000001"), short, study("NCT98000003")]}))
    return root


def _statuses(out: Path) -> dict[tuple[str, str], str]:
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    try:
        return {(t, c): s for t, c, s in con.execute("SELECT trial_key, code, status FROM trial_findings").fetchall()}
    finally:
        con.close()


def test_a_corrections_file_flips_the_statuses_it_should_and_nothing_else(tmp_path: Path, profile) -> None:
    inputs = _inputs(tmp_path / "in")
    batch.run([str(inputs)], tmp_path / "plain", profile, jobs=1)
    before = _statuses(tmp_path / "plain")
    assert before[("NCT98000001", "SS04")] == "unclear" and before[("NCT98000002", "SS03")] == "not_met"
    fixes = tmp_path / "corrections.yaml"
    fixes.write_text("""\
nct 98000001:
  status:
    SS04: {value: met, reason: "calculation in the protocol paper", by: EH}
NCT98000002:
  facts:
    sample_size.enrollment: {value: 450, reason: "450 randomised per the results paper", by: EH}
""", encoding="utf-8")
    fixed = corrections.load(fixes)
    outcome = batch.run([str(inputs)], tmp_path / "fixed", profile, jobs=2, corrections=fixed)
    assert outcome.correction_errors == []
    after = _statuses(tmp_path / "fixed")
    changed = {k for k in before if before[k] != after[k]}
    # SS03 reads the corrected enrollment; SS01/SS02 read per_arm, computed from it (225 per arm)
    expected = {("NCT98000001", "SS04"), ("NCT98000002", "SS01"), ("NCT98000002", "SS02"), ("NCT98000002", "SS03")}
    assert changed == expected and {after[k] for k in expected} == {"met"}
    con = duckdb.connect(str(tmp_path / "fixed" / "audit.duckdb"), read_only=True)
    rows = con.execute("SELECT trial_key, code, corrected, original_status, evidence FROM trial_findings "
                       "WHERE corrected ORDER BY ALL").fetchall()
    assert [(r[0], r[1], r[3]) for r in rows] == sorted((t, c, before[(t, c)]) for t, c in expected)
    assert all("set by reviewer: " in r[4] for r in rows)
    record = con.execute("SELECT enrollment, corrected, corrections FROM trials WHERE trial_key = 'NCT98000002'").fetchone()
    con.close()
    assert record[0] == 450 and record[1] is True
    assert orjson.loads(record[2])[0] | {"line": 0} == {"kind": "facts", "key": "sample_size.enrollment", "original": 40,
                                                        "value": 450, "reason": "450 randomised per the results paper",
                                                        "by": "EH", "line": 0}


@pytest.mark.parametrize(("text", "line", "message"), [
    ("NCT98000001:\n  facts:\n    treatment.weeks: {value: 8, reason: r}\n", 3, "not a fact of the Facts schema"),
    ("NCT98000001:\n  facts:\n    treatment.duration_weeks: {value: eight, reason: r}\n", 3, "is not of type"),
    ("NCT98000001:\n  status:\n    SS04: {value: yes, reason: r}\n", 3, "is not one of"),
    ("NCT98000001:\n  status:\n    SS04: {value: met}\n", 3, "expected {value"),
    ("NCT98000001:\n  verdicts: {}\n", 1, "expected a trial id"),
    # The template's blanks, uncommented and not filled in: no verdict without why and who.
    ('NCT98000001:\n  status:\n    SS04: {value: met, reason: "", by: ""}\n', 3, "`reason` is empty"),
    ('NCT98000001:\n  status:\n    SS04: {value: met, reason: "  "}\n', 3, "`reason` is empty"),
    ('NCT98000001:\n  status:\n    SS04: {value: met, reason: "per the paper", by: ""}\n', 3, "`by` is empty"),
])
def test_a_bad_correction_is_an_error_naming_its_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        corrections.load(path)
    assert caught.value.line == line and message in caught.value.message


def test_corrections_for_trials_not_in_the_inputs_or_unknown_codes_fail_naming_the_line(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in")
    path = tmp_path / "c.yaml"
    path.write_text("NCT98000001:\n  status:\n    SS04: {value: met, reason: r}\n"
                    "NCT00000009:\n  status:\n    SS04: {value: met, reason: r}\n", encoding="utf-8")
    result = run_cli("batch", str(inputs), "--out", str(tmp_path / "out"), "-j", "1", "--isolated",
                     "--corrections", str(path))
    assert result.exit_code == 2
    assert f"{path}:4: NCT00000009 is not in the inputs: this correction was not applied" in result.output
    path.write_text("NCT98000001:\n  status:\n    ZZ99: {value: met, reason: r}\n", encoding="utf-8")
    result = run_cli("batch", str(inputs), "--out", str(tmp_path / "out"), "-j", "1", "--isolated",
                     "--corrections", str(path))
    assert result.exit_code == 2 and f"{path}:3: 'ZZ99' is not a criterion of profile ho2022-cnslbp" in result.output


def test_the_corrections_template_lists_the_unclear_findings_and_loads_as_is(tmp_path: Path, profile) -> None:
    inputs = _inputs(tmp_path / "in")
    batch.run([str(inputs)], tmp_path / "out", profile, jobs=1)
    result = run_cli("corrections", "template", str(tmp_path / "out"), "-o", str(tmp_path / "c.yaml"))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "c.yaml").read_text(encoding="utf-8")
    unclear = {k for k, s in _statuses(tmp_path / "out").items() if s == "unclear"}
    assert unclear and all(f"# {code}: {{value: met" in text for _, code in unclear)
    assert corrections.load(tmp_path / "c.yaml").items == []  # nothing is corrected until a reviewer says so
    filled = text.replace("    # SS04: {value: met, reason: \"\", by: \"\"}", "    SS04: {value: met, reason: \"x\", by: EH}", 1)
    assert [c.key for c in corrections.load_text(filled, "c.yaml").items] == ["SS04"]


def test_the_codebook_matches_the_tables(tmp_path: Path, profile) -> None:
    assert (REPO / "docs" / "tables.md").read_text(encoding="utf-8") == codebook.render(), \
        "regenerate: python -m auditor.batch.codebook > docs/tables.md"
    _inputs(tmp_path / "in")
    batch.run([str(tmp_path / "in")], tmp_path / "out", profile, jobs=1)
    store = Store(tmp_path / "out", tuple(c.code for c in profile.criteria), "unused")
    try:
        codes = {c.code for c in profile.criteria}
        for name in ("trials", "records", "findings", "conflicts", "links", "errors", "files"):
            actual = [r[0] for r in store.con.execute(f"DESCRIBE {name}").fetchall() if r[0] not in codes]
            documented = [c.name for c in codebook._columns(name) if c.name != "<CODE>"]
            if name == "trials":  # the view: its own columns, then every column of records
                documented += [c.name for c in codebook._columns("records") if c.name != "<CODE>"]
            assert actual == documented, name
    finally:
        store.close()


def test_batch_honours_ignore_in_pyproject_and_a_profile_change_re_judges(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in")
    (tmp_path / "pyproject.toml").write_text('[tool.trial-audit]\nignore = ["SS03"]\n', encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert run_cli("batch", str(inputs), "--out", "out", "-j", "1").exit_code == 0
        header = (tmp_path / "out" / "trials.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        assert "SS03" not in header and "SS02" in header
        again = run_cli("batch", str(inputs), "--out", "out", "-j", "1", "--select", "SS", "--severity", "SS01=error")
        assert again.exit_code == 0 and "cleared because the profile or the criteria selected" in " ".join(again.output.split())
        header = (tmp_path / "out" / "trials.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        # --select replaces the configured select; the configured ignore still holds (as in check)
        assert {"SS01", "SS02", "SS04"} <= set(header) and "SS03" not in header and "FU01" not in header
        assert run_cli("batch", str(inputs), "--out", "out", "--ignore", "XX99").exit_code == 2
    finally:
        os.chdir(cwd)


def test_report_renders_a_subgroup_from_the_store_without_re_auditing(tmp_path: Path, profile) -> None:
    inputs = _inputs(tmp_path / "in")
    old = study("NCT98000009", start="2009-05")
    (inputs / "old.json").write_bytes(orjson.dumps(old))
    batch.run([str(inputs)], tmp_path / "out", profile, jobs=1)
    runs = len(batch.load(tmp_path / "out")["runs"])
    result = run_cli("report", str(tmp_path / "out"), "--where", "start_year >= 2015", "--where", "low_back_pain")
    assert result.exit_code == 0, result.output
    doc = orjson.loads((tmp_path / "out" / "subgroup" / "summary.json").read_bytes())
    assert doc["store"]["trials"] == 3 and doc["where"] == ["start_year >= 2015", "low_back_pain"]
    assert (tmp_path / "out" / "subgroup" / "report.html").stat().st_size > 0
    assert len(batch.load(tmp_path / "out")["runs"]) == runs
    bad = run_cli("report", str(tmp_path / "out"), "--where", "no_such_column > 1")
    assert bad.exit_code == 2 and "--where" in bad.output
    typo = run_cli("report", str(tmp_path / "out"), "--where", "start_yr > 1")
    assert typo.exit_code == 2 and "did you mean start_year" in typo.output
    nothing = run_cli("report", str(tmp_path / "out"), "--where", "FU01 = 'Met'")
    assert nothing.exit_code == 0 and "no trial matches --where" in nothing.output and "'not_met'" in nothing.output


def test_screening_columns_are_plain_columns(tmp_path: Path, profile) -> None:
    one = study("NCT98000011")
    one["protocolSection"]["sponsorCollaboratorsModule"] = {"leadSponsor": {"name": "Uni X"}}
    one["protocolSection"]["contactsLocationsModule"] = {"locations": [{"country": "Norway"}, {"country": "Norway"},
                                                                       {"country": "Denmark"}]}
    one["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {"date": "2021-06-01"}
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "one.json").write_bytes(orjson.dumps(one))
    batch.run([str(tmp_path / "in")], tmp_path / "out", profile, jobs=1)
    row = batch.load(tmp_path / "out")["trials"].iloc[0]
    assert (row.sponsor, list(row.countries), list(row.conditions)) == ("Uni X", ["Norway", "Denmark"],
                                                                       ["Chronic Low Back Pain"])
    assert list(row.intervention_types) == ["BEHAVIORAL", "OTHER"] and row.study_type == "INTERVENTIONAL"
    assert row.registry_url == "https://clinicaltrials.gov/study/NCT98000011" and str(row.last_update)[:10] == "2021-06-01"
    assert bool(row.low_back_pain) and str(row.start_date)[:7] == "2019-03"
    header = (tmp_path / "out" / "trials.csv").read_text(encoding="utf-8").splitlines()
    assert "Norway;Denmark" in header[1]


def test_a_where_condition_cannot_read_other_files(tmp_path: Path, profile) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n", encoding="utf-8")
    batch.run([str(_inputs(tmp_path / "in"))], tmp_path / "out", profile, jobs=1)
    result = run_cli("report", str(tmp_path / "out"), "--where", f"exists(select * from read_csv('{secret}'))")
    assert result.exit_code == 2 and "--where" in result.output and "disabled" in result.output
    assert not (tmp_path / "out" / "subgroup" / "summary.json").exists()


def test_the_template_writes_no_entry_for_a_record_without_registry_ids(tmp_path: Path, profile) -> None:
    """A record stating no id is the trial `record:<blob>:<index>`; an entry of that key, once uncommented,
    was refused ("RECORD:...:0 is not in the inputs"). Its unclear findings are comments only; every
    entry the template offers loads and applies."""
    inputs = _inputs(tmp_path / "in")
    anonymous = study("NCT00000000", title="A trial without any id")
    del anonymous["protocolSection"]["identificationModule"]["nctId"]
    (inputs / "anonymous.json").write_bytes(orjson.dumps(anonymous))
    batch.run([str(inputs)], tmp_path / "out", profile, jobs=1)
    text = run_cli("corrections", "template", str(tmp_path / "out")).output
    assert "# record:" in text and "A trial without any id" in text and '"record:' not in text
    filled = tmp_path / "c.yaml"
    filled.write_text(text.replace('    # ', '    ').replace('reason: ""', 'reason: "x"').replace('by: ""', 'by: EH'),
                      encoding="utf-8")
    result = run_cli("batch", str(inputs), "--out", str(tmp_path / "out"), "--corrections", str(filled), "--jobs", "1")
    assert result.exit_code == 0, result.output
