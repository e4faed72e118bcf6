"""Acceptance tests: the `check` command on the bundled examples and on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from auditor.resources import load_schema
from tests.conftest import EXAMPLES, FIXTURES, REPO, run_cli

EXPECTED = yaml.safe_load((EXAMPLES / "expected.yaml").read_text())
CASES = [(name, spec) for group in EXPECTED.values() for name, spec in group.items()]


@pytest.mark.parametrize("name, spec", CASES, ids=[c[0] for c in CASES])
def test_examples_give_their_expected_statuses(name: str, spec: dict) -> None:
    result = run_cli("check", str(EXAMPLES / name), "--format", "json")
    report = json.loads(result.stdout)
    jsonschema.validate(report, load_schema("report"))
    statuses = {f["code"]: f["status"] for f in report["audits"][0]["findings"]}
    wrong = {code: (statuses[code], want) for code, want in spec["statuses"].items() if statuses[code] != want}
    assert not wrong, f"(got, expected): {wrong}"
    assert result.exit_code == spec["exit"]


def test_every_example_is_listed_in_expected_yaml() -> None:
    on_disk = {str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".json")}
    assert on_disk - {"expected.yaml"} == {name for name, _ in CASES}


@pytest.mark.parametrize("fixture, message", [
    ("broken.yaml", "not valid YAML/JSON"),
    ("truncated.json", "not valid JSON"),
    ("empty.json", "file is empty"),
    ("binary.bin", "binary data"),
    ("wrong-shape.json", "unknown input format"),
    ("wrong-types.yaml", "`allocation` is “random”: did you mean `randomised`?"),
])
def test_bad_input_is_exit_2_with_one_line_naming_the_file(fixture: str, message: str) -> None:
    path = FIXTURES / "invalid" / fixture
    result = run_cli("check", str(path))
    assert result.exit_code == 2
    first = result.stderr.strip().splitlines()[0]
    assert str(path) in first and message in first
    assert "Traceback" not in result.stderr


def test_protocol_schema_errors_name_each_field_and_line() -> None:
    path = FIXTURES / "invalid" / "wrong-types.yaml"
    lines = run_cli("check", str(path)).stderr.strip().splitlines()
    assert any(line.startswith(f"trial-audit: {path}:4:3: `allocation`") for line in lines)
    assert any(line.startswith(f"trial-audit: {path}:7:7: `sessions` must be a whole number") for line in lines)
    assert any(line.startswith(f"trial-audit: {path}:9:3: `target` must be at least 1") for line in lines)
    assert any(f"{path}:13:21: `from` is “last visit”" in line for line in lines)
    assert lines[-1] == f"trial-audit: {path} could not be audited: 4 problem(s) in the file (listed above); fix them and run again"


@pytest.mark.parametrize("content", [None, b"\xff\xfe\x00binary\x00", b"trial: [unclosed\n"], ids=["missing", "binary", "yaml"])
def test_one_unreadable_input_is_one_line_on_stderr_and_exit_2(tmp_path: Path, content: bytes | None) -> None:
    """Issue 15, bullet 4: no report header, no totals, no repeat: one line, exit 2."""
    path = tmp_path / "protocol.yaml"
    if content is not None:
        path.write_bytes(content)
    result = run_cli("check", "--isolated", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"trial-audit: {path}")


def test_missing_path_is_exit_2() -> None:
    result = run_cli("check", "no/such/file.json")
    assert result.exit_code == 2
    assert "no/such/file.json: no such file or folder" in result.stderr


def test_good_records_are_still_reported_beside_a_bad_file() -> None:
    result = run_cli("check", str(EXAMPLES / "protocols" / "complete.yaml"), str(FIXTURES / "invalid" / "empty.json"),
                     "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 2
    assert report["totals"] == {**report["totals"], "records": 2, "audited": 1, "failed": 1}


def test_stdin_is_read_with_dash() -> None:
    data = (EXAMPLES / "registry" / "ctgov-short-follow-up.json").read_bytes()
    result = run_cli("check", "-", "--format", "json", input=data)
    assert json.loads(result.stdout)["audits"][0]["record"]["trial_id"] == "NCT09990003"


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_reports_are_deterministic(fmt: str) -> None:
    args = ("check", str(EXAMPLES / "protocols"), str(EXAMPLES / "registry"), "--format", fmt)
    assert run_cli(*args).stdout == run_cli(*args).stdout


def test_text_report_has_one_line_per_criterion_then_details() -> None:
    out = run_cli("check", str(EXAMPLES / "protocols" / "gappy.yaml")).stdout
    assert "✗ FU01 follow-up.long-term" in out
    assert "Details" in out and "fix:" in out
    assert "at line 40, `weeks` of time_points item 3: “26”" in out  # protocol evidence: line and field as written
    # A missing field has nothing to quote: the report says where it belongs instead.
    assert "at line 29: `sample_size.calculation` is not in the file; add `calculation` under `sample_size`" in out
    assert "missing: the file has no `safety` section; add it" in out  # no section to point at: no "line 1"
    assert "at line 31: `outcomes` is here but lacks what the criterion needs" in out


def test_fail_on_levels() -> None:
    path = str(EXAMPLES / "registry" / "ctgov-long-follow-up.json")
    assert run_cli("check", path, "--fail-on", "error").exit_code == 0
    assert run_cli("check", path, "--fail-on", "warning").exit_code == 1
    assert run_cli("check", str(EXAMPLES / "protocols" / "gappy.yaml"), "--fail-on", "never").exit_code == 0


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    result = run_cli("check", str(EXAMPLES / "protocols" / "gappy.yaml"), "--format", "markdown", "-o", str(out))
    assert result.stdout == "" and out.read_text().startswith("# trial-audit report")


def test_profiles_explain_schema_formats() -> None:
    assert "ho2022-cnslbp" in run_cli("profiles").stdout
    explain = run_cli("explain", "FU01")
    assert explain.exit_code == 0 and "Ho 2022" in explain.stdout and "met_when" in explain.stdout
    assert run_cli("explain", "ZZ99").exit_code == 2
    schema = json.loads(run_cli("schema", "protocol").stdout)
    assert schema["title"] == "trial-audit protocol file"
    assert "ctgov-v2" in run_cli("formats").stdout


def test_python_dash_m_entry_point() -> None:
    result = subprocess.run([sys.executable, "-m", "auditor", "--version"], capture_output=True, text=True, cwd=REPO, check=False)
    assert result.returncode == 0 and "trial-audit" in result.stdout


def test_an_extractor_bug_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.pipeline

    def broken(record, profile):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(auditor.pipeline, "audit", broken)
    result = run_cli("check", str(EXAMPLES / "protocols" / "minimal.yaml"))
    assert result.exit_code == 2
    assert "minimal.yaml: audit failed: ZeroDivisionError: division by zero" in result.stderr


def test_check_applies_corrections_and_refuses_a_trial_not_in_the_inputs(tmp_path: Path) -> None:
    """`check --corrections` applies a reviewer's correction after extraction, as `batch` does."""
    import json
    import subprocess
    import sys

    from tests.conftest import REPO

    record = REPO / "examples" / "registry" / "ctgov-short-follow-up.json"
    trial = json.loads(record.read_text("utf-8"))["protocolSection"]["identificationModule"]["nctId"]

    def run(text: str) -> subprocess.CompletedProcess[str]:
        fixes = tmp_path / "corrections.yaml"
        fixes.write_text(text, encoding="utf-8")
        return subprocess.run([sys.executable, "-m", "auditor", "check", str(record), "--format", "json",
                               "--corrections", str(fixes), "--isolated"], check=False, capture_output=True, text=True)

    plain = subprocess.run([sys.executable, "-m", "auditor", "check", str(record), "--format", "json", "--isolated"], check=False,
                           capture_output=True, text=True)
    status = {f["code"]: f["status"] for f in json.loads(plain.stdout)["audits"][0]["findings"]}
    assert status["SC01"] != "met"
    fixed = run(f'{trial}:\n  status:\n    SC01: {{value: met, reason: "pain > 3 months per the protocol paper", by: EH}}\n')
    findings = {f["code"]: f for f in json.loads(fixed.stdout)["audits"][0]["findings"]}
    assert findings["SC01"]["status"] == "met"
    assert any("set by reviewer" in (e.get("note") or "") for e in findings["SC01"]["evidence"])
    assert {c: f["status"] for c, f in findings.items() if c != "SC01"} == {c: s for c, s in status.items() if c != "SC01"}
    wrong = run('NCT00000000:\n  status:\n    SC01: {value: met, reason: "x", by: EH}\n')
    assert wrong.returncode == 2
    assert "NCT00000000 is not in the inputs" in wrong.stderr and "corrections.yaml:1" in wrong.stderr


def test_explain_takes_a_group_or_code_prefix_and_suggests_a_near_code() -> None:
    """As `--select`/`--ignore` do, `explain` takes a group (follow-up) or code prefix (FU): every
    criterion in it; a near miss (FU1, long-term) is exit 2 with the criterion it probably means."""
    group = run_cli("explain", "follow-up")
    assert group.exit_code == 0, group.stderr
    assert [line.split()[0] for line in group.stdout.splitlines() if line.startswith("FU")][:3] == ["FU01", "FU02", "FU03"]
    assert run_cli("explain", "FU").stdout == group.stdout
    for near, meant in (("FU1", "FU01"), ("long-term", "follow-up.long-term or hrqol.long-term"), ("QL3", "QL03")):
        result = run_cli("explain", near)
        assert result.exit_code == 2
        assert f"did you mean {meant}?" in result.stderr, result.stderr


def test_a_reader_that_closes_the_pipe_gets_no_error_line(tmp_path: Path) -> None:
    """T17: `check ... | head -1` printed "cannot write the report: Broken pipe"; now quiet, as Unix
    tools are, with exit 2 (the report was not delivered whole)."""
    inputs = [str(p) for p in sorted((EXAMPLES / "registry").glob("*.json"))] * 20
    proc = subprocess.Popen([sys.executable, "-m", "auditor", "check", *inputs, "--format", "json"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10)
    proc.stdout.close()  # what `head` does once it has its lines
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 2
    assert stderr == ""


def test_markdown_keeps_the_field_names_code_spans_and_escapes_the_rest() -> None:
    """T22: evidence lines read ``line 83, \\`weeks\\` of time\\_points``: GitHub showed the backticks."""
    result = run_cli("check", *[str(p) for p in sorted((EXAMPLES / "protocols").glob("*.yaml"))], "--format", "markdown")
    lines = [line for line in result.stdout.splitlines() if line.startswith("- line ")]
    assert any(", `weeks` of time\\_points item " in line for line in lines), lines
    assert not any("\\`" in line for line in lines)


def test_a_file_named_twice_is_audited_once_as_batch_does(tmp_path: Path) -> None:
    """`check folder/ folder/a.json` (overlapping inputs) reported a.json's records twice."""
    import orjson

    from tests.batch.data import study

    (tmp_path / "in").mkdir()
    for n in range(2):
        (tmp_path / "in" / f"NCT9000000{n}.json").write_bytes(orjson.dumps(study(f"NCT9000000{n}")))
    one = str(tmp_path / "in" / "NCT90000000.json")
    result = run_cli("check", str(tmp_path / "in"), one, str(tmp_path / "in" / "." / "NCT90000000.json"),
                     "--format", "json", "--isolated")
    assert json.loads(result.stdout)["totals"]["records"] == 2, result.stdout[-300:]
