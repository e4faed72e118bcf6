"""Batch runs: totals that reconcile, incremental re-runs, resume after SIGKILL, equal results for
any number of workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pandas as pd
import pytest

from auditor import batch
from auditor.engine import profiles
from auditor.errors import InputError
from auditor.model import TrialRecord
from auditor.sources import read_paths
from tests.batch.data import study, write_corpus
from tests.conftest import REPO


@pytest.fixture(scope="module")
def profile() -> profiles.Profile:
    return profiles.load()


def tables(out: Path) -> dict[str, pd.DataFrame]:
    """The result tables without what legitimately differs between runs (run ids)."""
    loaded = batch.load(out)
    return {name: df.drop(columns=["run_id"], errors="ignore").reset_index(drop=True)
            for name, df in loaded.items() if name in ("trials", "records", "findings", "conflicts", "errors")}


def assert_same_tables(a: Path, b: Path) -> None:
    left, right = tables(a), tables(b)
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], check_dtype=False, obj=name)


def test_real_data_totals_reconcile_with_an_independent_count(real_data: Path, tmp_path: Path, profile) -> None:
    records = errors = 0
    for item in read_paths([str(real_data)]):
        if isinstance(item, TrialRecord):
            records += 1
        else:
            assert isinstance(item, InputError)
            errors += 1
    outcome = batch.run([str(real_data)], tmp_path / "out", profile, jobs=2)
    t = outcome.totals
    assert outcome.status == "completed"
    assert t.seen == records + errors
    assert t.seen == t.audited + t.failed + t.skipped and t.skipped == 0
    loaded = batch.load(tmp_path / "out")
    audit_failures = int(loaded["errors"]["reason"].str.startswith("audit failed").sum())
    assert t.audited == records - audit_failures == len(loaded["records"])
    assert t.failed == errors + audit_failures == len(loaded["errors"])
    run = loaded["runs"].iloc[-1]
    assert (run.seen, run.audited, run.failed, run.skipped, run.status) == (t.seen, t.audited, t.failed, 0, "completed")
    assert len(loaded["findings"]) == len(loaded["trials"]) * len(profile.criteria)  # the trials' findings
    for name in ("trials.csv", "trials.parquet", "findings.csv", "findings.parquet", "records.csv", "conflicts.csv",
                 "summary.json", "report.html"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    summary = orjson.loads((tmp_path / "out" / "summary.json").read_bytes())
    assert summary["run"]["totals"] == t.as_dict()
    assert summary["store"]["records"] == t.audited
    assert summary["store"]["trials"] + summary["store"]["copies_merged"] == t.audited
    for crit in summary["criteria"]:  # counts of trials, not of records
        assert sum(crit[s] for s in ("met", "not_met", "unclear", "not_applicable")) == summary["store"]["trials"]


def test_second_run_is_incremental_and_changed_files_are_reaudited(tmp_path: Path, profile) -> None:
    n = write_corpus(tmp_path / "in")
    first = batch.run([str(tmp_path / "in")], tmp_path / "out", profile, jobs=1)
    assert (first.totals.seen, first.totals.audited) == (n, n)
    second = batch.run([str(tmp_path / "in")], tmp_path / "out", profile, jobs=1)
    assert (second.totals.seen, second.totals.audited, second.totals.skipped) == (n, 0, n)
    changed = tmp_path / "in" / "a" / "page1.json"
    changed.write_bytes(orjson.dumps({"studies": [study("NCT90019999", enrollment=999)]}))
    third = batch.run([str(tmp_path / "in")], tmp_path / "out", profile, jobs=1)
    assert (third.totals.audited, third.totals.skipped, third.totals.seen) == (1, n - 3, n - 2)
    trials = batch.load(tmp_path / "out")["trials"]
    assert len(trials) == n - 2  # the file's three old records are gone, its one new record is in
    assert trials.loc[trials.source_path == str(changed.resolve()), "trial_id"].tolist() == ["NCT90019999"]
    forced = batch.run([str(tmp_path / "in")], tmp_path / "out", profile, jobs=1, force=True)
    assert (forced.totals.audited, forced.totals.skipped) == (n - 2, 0)


def _page(*ncts: str) -> bytes:
    return orjson.dumps({"studies": [study(n) for n in ncts]})


def test_archive_members_and_gzip_files_are_incremental_per_blob(tmp_path: Path, profile) -> None:
    """Workers read archives themselves: each member is its own unit of re-use and replacement."""
    import gzip
    import zipfile

    inputs = tmp_path / "in"
    inputs.mkdir()
    archive = inputs / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("one.json", _page("NCT91000001", "NCT91000002"))
        zf.writestr("two.json", _page("NCT91000003"))
    (inputs / "three.json.gz").write_bytes(gzip.compress(_page("NCT91000004", "NCT91000005")))
    first = batch.run([str(inputs)], tmp_path / "out", profile, jobs=2)
    assert (first.totals.seen, first.totals.audited) == (5, 5)
    again = batch.run([str(inputs)], tmp_path / "out", profile, jobs=2)
    assert (again.totals.seen, again.totals.audited, again.totals.skipped) == (5, 0, 5)

    with zipfile.ZipFile(archive, "w") as zf:  # one member changes, the other stays as it was
        zf.writestr("one.json", _page("NCT91000001", "NCT91000002"))
        zf.writestr("two.json", _page("NCT91000009", "NCT91000010"))
    third = batch.run([str(inputs)], tmp_path / "out", profile, jobs=2)
    assert (third.totals.seen, third.totals.audited, third.totals.skipped) == (6, 2, 4)
    trials = batch.load(tmp_path / "out")["records"]
    assert sorted(trials.trial_id) == ["NCT91000001", "NCT91000002", "NCT91000004", "NCT91000005",
                                       "NCT91000009", "NCT91000010"]
    assert trials.loc[trials.trial_id == "NCT91000009", "source_path"].item() == f"{archive.resolve()}!two.json"


def test_one_and_two_workers_give_the_same_tables(tmp_path: Path, profile) -> None:
    write_corpus(tmp_path / "in", files=5, per_file=4)
    (tmp_path / "in" / "broken.json").write_text('{"studies": [', encoding="utf-8")
    batch.run([str(tmp_path / "in")], tmp_path / "one", profile, jobs=1)
    batch.run([str(tmp_path / "in")], tmp_path / "two", profile, jobs=2, chunk_size=3)
    assert_same_tables(tmp_path / "one", tmp_path / "two")


def test_unreadable_inputs_become_error_rows_and_the_run_completes(tmp_path: Path, profile) -> None:
    write_corpus(tmp_path / "in", files=1, per_file=2)
    (tmp_path / "in" / "garbage.bin").write_bytes(b"\x00\x01\x02")
    (tmp_path / "in" / "empty.json").write_bytes(b"")
    (tmp_path / "in" / "page_with_bad_study.json").write_bytes(orjson.dumps({"studies": [study("NCT1"), {"x": 1}]}))
    missing = str(tmp_path / "nope.json")
    outcome = batch.run([str(tmp_path / "in"), missing], tmp_path / "out", profile, jobs=2)
    t = outcome.totals
    assert outcome.status == "completed"
    assert (t.seen, t.audited, t.failed) == (7, 3, 4)
    errors = batch.load(tmp_path / "out")["errors"]
    assert sorted(Path(p).name for p in errors.source_path) == ["empty.json", "garbage.bin", "nope.json",
                                                                 "page_with_bad_study.json"]
    again = batch.run([str(tmp_path / "in"), missing], tmp_path / "out", profile, jobs=1)
    # unreadable content is unchanged content: skipped; a missing file is looked at again
    assert (again.totals.skipped, again.totals.failed, again.totals.seen) == (6, 1, 7)
    assert len(batch.load(tmp_path / "out")["errors"]) == 4


def _batch_cmd(inputs: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "auditor", "batch", str(inputs), "--out", str(out), "--jobs", "2"]


def test_sigkill_mid_run_then_resume_gives_the_uninterrupted_tables(real_data: Path, tmp_path: Path, profile) -> None:
    inputs = real_data / "ctgov-v2"
    log = tmp_path / "commits.log"
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRIAL_AUDIT_COMMIT_ROWS": "10", "TRIAL_AUDIT_CHUNK_ROWS": "5",
           "TRIAL_AUDIT_COMMIT_LOG": str(log)}
    proc = subprocess.Popen(_batch_cmd(inputs, tmp_path / "killed"), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and len(log.read_text().splitlines()) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, f"run ended before it could be killed: {proc.stderr.read().decode()[-500:]}"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    committed = orjson.loads(log.read_text().splitlines()[-1])
    assert 0 < committed["seen"] < 336

    resumed = subprocess.run(_batch_cmd(inputs, tmp_path / "killed"), env={**env, "TRIAL_AUDIT_COMMIT_LOG": ""},
                             capture_output=True, text=True, timeout=300, check=False)
    assert resumed.returncode == 0, resumed.stderr
    runs = batch.load(tmp_path / "killed")["runs"]
    assert runs.status.tolist() == ["aborted", "completed"]
    last = runs.iloc[-1]
    assert last.skipped >= committed["seen"] and last.seen == last.audited + last.failed + last.skipped == 336

    batch.run([str(inputs)], tmp_path / "whole", profile, jobs=2)
    assert_same_tables(tmp_path / "killed", tmp_path / "whole")


def test_cli_exit_codes_and_messages(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    write_corpus(tmp_path / "in", files=2, per_file=2)
    (tmp_path / "in" / "notes.txt").write_text("not a trial", encoding="utf-8")
    first = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert first.exit_code == 0, first.output
    assert "5 records seen = 4 audited + 1 failed to read + 0 unchanged" in first.output.replace("\n", " ")
    second = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert second.exit_code == 0 and "Nothing changed since the last run" in second.output
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert run_cli("batch", str(tmp_path / "in"), "--out", str(blocker / "sub")).exit_code == 2
    assert run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "o2"), "--profile", "nope").exit_code == 2
    assert run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "o3"), "--jobs", "0").exit_code == 2


def test_ctrl_c_stops_cleanly_with_exit_130_and_the_next_run_resumes(real_data: Path, tmp_path: Path) -> None:
    inputs = real_data / "ctgov-v2"
    log = tmp_path / "commits.log"
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRIAL_AUDIT_COMMIT_ROWS": "10", "TRIAL_AUDIT_CHUNK_ROWS": "5",
           "TRIAL_AUDIT_COMMIT_LOG": str(log)}
    proc = subprocess.Popen(_batch_cmd(inputs, tmp_path / "out"), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and len(log.read_text().splitlines()) >= 2:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, stdout
    assert "Interrupted" in stdout and "run the same command again" in stdout
    runs = batch.load(tmp_path / "out")["runs"]
    first = runs.iloc[0]
    assert first.status == "interrupted" and first.seen == first.audited + first.failed > 0
    again = subprocess.run(_batch_cmd(inputs, tmp_path / "out"), env={**env, "TRIAL_AUDIT_COMMIT_LOG": ""},
                           capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    last = batch.load(tmp_path / "out")["runs"].iloc[-1]
    assert last.skipped == first.seen and last.seen == 336


def test_the_same_study_has_the_same_content_hash_wherever_it_sits(tmp_path: Path, profile) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "single.json").write_bytes(orjson.dumps(study("NCT92000001")))
    (inputs / "page.json").write_bytes(orjson.dumps({"studies": [study("NCT92000002"), study("NCT92000001")]}))
    batch.run([str(inputs)], tmp_path / "out", profile, jobs=1)
    trials = batch.load(tmp_path / "out")["records"]
    hashes = trials.groupby("trial_id").content_hash.agg(set)
    assert len(hashes["NCT92000001"]) == 1 and hashes["NCT92000001"] != hashes["NCT92000002"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_standard_input_is_one_more_input_and_incremental_too(tmp_path: Path, jobs: str) -> None:
    """Only the parent can read stdin: its bytes travel to the worker, and its blob is remembered."""
    from tests.conftest import run_cli

    data = orjson.dumps({"studies": [study("NCT93000001"), study("NCT93000002")]})
    first = run_cli("batch", "-", "--out", str(tmp_path / "out"), "--jobs", jobs, input=data)
    assert first.exit_code == 0 and "2 records seen = 2 audited" in first.output.replace("\n", " "), first.output
    again = run_cli("batch", "-", "--out", str(tmp_path / "out"), "--jobs", jobs, input=data)
    assert again.exit_code == 0 and "Nothing changed since the last run" in again.output
    trials = batch.load(tmp_path / "out")["trials"]
    assert set(trials.source_path) == {"<stdin>"} and len(trials) == 2
