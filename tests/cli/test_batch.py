"""`trial-audit batch` on the console: the run's summary names what it could not read."""

from __future__ import annotations

from pathlib import Path

from tests.batch.data import write_corpus
from tests.conftest import run_cli


def test_the_summary_names_the_first_unreadable_inputs_and_counts_the_rest(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", files=1, per_file=1)
    for n in range(7):
        (tmp_path / "in" / f"broken{n}.json").write_text('{"protocolSection": ', encoding="utf-8")
    (tmp_path / "in" / "empty.json").write_text("", encoding="utf-8")
    result = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert result.exit_code == 0, result.output  # unreadable records are rows, not a failed run
    lines = [line.strip() for line in result.output.splitlines() if line.strip().startswith("could not read")]
    assert len(lines) == 5
    assert lines[0].startswith(f"could not read {tmp_path / 'in' / 'broken0.json'}: not valid JSON")
    assert f"8 failed to read; 3 more: every one with its reason in {tmp_path / 'out' / 'errors.csv'}" \
        in result.output.replace("\n", " ")


def test_a_clean_run_lists_no_failures(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", files=1, per_file=2)
    result = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "could not read" not in result.output and "failed to read:" not in result.output


def test_an_incremental_run_still_says_which_unchanged_inputs_cannot_be_read(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", files=1, per_file=1)
    (tmp_path / "in" / "broken.json").write_text('{"protocolSection": ', encoding="utf-8")
    args = ("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "1")
    run_cli(*args)
    again = run_cli(*args)
    assert again.exit_code == 0, again.output
    assert "0 failed to read" in again.output
    assert "1 unchanged input(s) still cannot be read" in " ".join(again.output.split())
    (tmp_path / "in" / "broken.json").unlink()
    fixed = run_cli(*args)
    assert "still cannot be read" not in fixed.output


def test_batch_and_report_accept_the_same_html_limit(tmp_path: Path) -> None:
    """`report` re-renders what `batch` wrote: one range for --html-limit (report allowed 1,000,000 where
    batch stops at 100,000, a page no browser opens)."""
    from click.testing import CliRunner

    from auditor.cli import main

    (tmp_path / "in").mkdir()
    for args in (["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out")], ["report", str(tmp_path / "in")]):
        result = CliRunner().invoke(main, [*args, "--html-limit", "200000"])
        assert result.exit_code == 2 and "--html-limit" in result.output and "0<=x<=100000" in result.output, result.output


def test_a_run_over_fewer_inputs_says_what_it_dropped_not_that_nothing_changed(tmp_path: Path) -> None:
    """A run reflects its inputs: naming one folder of two drops the other's records, which the console
    said was "Nothing changed since the last run"."""
    write_corpus(tmp_path / "in", files=4, per_file=3)  # in/a and in/b, 6 records each
    out = ("--out", str(tmp_path / "out"), "--jobs", "1")
    assert run_cli("batch", str(tmp_path / "in"), *out).exit_code == 0
    fewer = run_cli("batch", str(tmp_path / "in" / "a"), *out)
    assert fewer.exit_code == 0, fewer.output
    text = " ".join(fewer.output.split())
    assert "Compliance (6 trials" in text and "Nothing changed" not in text
    assert "No input changed, but 6 records of inputs not named in this run were dropped" in text
    again = run_cli("batch", str(tmp_path / "in" / "a"), *out)
    assert "Nothing changed since the last run" in " ".join(again.output.split())


def test_a_misspelt_input_path_is_exit_2_and_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """A run reflects its inputs, so a path that does not exist (a typo) would have emptied the store
    with exit 0 and a report of 0 trials; it is a bad argument, refused before the store is touched."""
    write_corpus(tmp_path / "in", files=2, per_file=1)
    args = ("--out", str(tmp_path / "out"), "--jobs", "1")
    assert run_cli("batch", str(tmp_path / "in"), *args).exit_code == 0
    before = (tmp_path / "out" / "trials.csv").read_bytes()
    typo = run_cli("batch", str(tmp_path / "inn"), *args)
    assert typo.exit_code == 2, typo.output
    assert typo.stderr.strip().splitlines() == [
        f"trial-audit: {tmp_path / 'inn'}: no such file or folder; nothing was audited and {tmp_path / 'out'} "
        "is unchanged"]
    assert (tmp_path / "out" / "trials.csv").read_bytes() == before
    again = run_cli("batch", str(tmp_path / "in"), *args)
    assert "Nothing changed since the last run" in again.output, again.output


def test_a_store_another_process_holds_says_who_and_what_to_do(tmp_path: Path) -> None:
    """`report`, `corrections template` and `batch` on a store a running batch holds: one line that says
    another process (by its id) holds it and to run again once it has finished, not DuckDB's lock text."""
    import subprocess
    import sys

    write_corpus(tmp_path / "in", files=1, per_file=1)
    out = tmp_path / "out"
    assert run_cli("batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "1").exit_code == 0
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(out / "audit.duckdb")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        for args in (["report", str(out)], ["corrections", "template", str(out)],
                     ["batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "1"]):
            result = run_cli(*args)
            assert result.exit_code == 2, (args, result.output)
            assert result.stderr.strip() == (
                f"trial-audit: {out / 'audit.duckdb'}: another process (PID {holder.pid}) holds the results "
                "store, most likely a batch still writing to it: run this again when it has finished"), args
    finally:
        holder.kill()
        holder.wait()


def test_results_written_into_the_input_folder_are_refused(tmp_path: Path) -> None:
    """`batch lbp/ --out lbp/`: the second run read its own trials.csv, findings.csv, ... as records (a
    fetched folder of 100 studies became 2,600 records). A results folder inside an input stays fine."""
    write_corpus(tmp_path / "in", files=2, per_file=1)
    same = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "in" / "."), "--jobs", "1")
    assert same.exit_code == 2, same.output
    assert same.stderr.strip() == (f"trial-audit: --out {tmp_path / 'in'} is also an input folder: the results would "
                                   "be read as records by the next run; give another folder (e.g. "
                                   f"{tmp_path / 'in' / 'audit'})")
    assert not (tmp_path / "in" / "audit.duckdb").exists()
    inside = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "in" / "audit"), "--jobs", "1")
    assert inside.exit_code == 0, inside.output



def test_check_of_a_results_folder_is_one_error_not_its_tables_read_as_records(tmp_path: Path) -> None:
    """`check audit/` read trials.csv, findings.csv, ... as review sheets: a results folder is left out
    when met inside an input, and now also when named."""
    write_corpus(tmp_path / "in", files=2, per_file=1)
    assert run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "audit"), "--jobs", "1").exit_code == 0
    check = run_cli("check", str(tmp_path / "audit"), "--isolated")
    assert (check.exit_code, check.stderr.strip()) == (2, f"trial-audit: {tmp_path / 'audit'}: a trial-audit batch "
                                                          "results folder: its tables are the audit's results, not "
                                                          "records; name the folders of the records instead")


def test_batch_of_a_results_folder_is_one_error_row_not_its_tables_read_as_records(tmp_path: Path) -> None:
    """`batch audit/ --out audit2/` audited audit/'s findings.csv rows as trials (2 trials became 50 records)."""
    write_corpus(tmp_path / "in", files=2, per_file=1)
    assert run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "audit"), "--jobs", "1").exit_code == 0
    again = run_cli("batch", str(tmp_path / "audit"), "--out", str(tmp_path / "audit2"), "--jobs", "1")
    assert again.exit_code == 0, again.output
    flat = " ".join(again.output.split())
    assert "1 records seen = 0 audited + 1 failed to read" in flat, again.output
    assert f"could not read {tmp_path / 'audit'}: a trial-audit batch results folder" in flat
