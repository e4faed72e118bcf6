"""GitHub Actions annotations: escaping, lines on the protocol file, automatic choice in Actions."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from auditor.cli import main
from auditor.report.github import escape_data, escape_property
from tests.conftest import EXAMPLES, FIXTURES, run_cli

GAPPY = EXAMPLES / "protocols" / "gappy.yaml"
ANNOTATION = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<data>.*)$")


def annotations(stdout: str) -> dict[str, dict[str, str]]:
    """Annotations by criterion code (parsed back with the runner's unescaping)."""
    out = {}
    for line in stdout.splitlines():
        match = ANNOTATION.match(line)
        if not match:
            continue
        props = dict(p.split("=", 1) for p in match.group("props").split(","))
        props = {k: unescape(v) for k, v in props.items()}
        props["level"], props["data"] = match.group(1), unescape(match.group("data"))
        out[props["title"].split()[0]] = props
    return out


def unescape(text: str) -> str:
    for code, char in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        text = text.replace(code, char)
    return text


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_escaping_follows_the_workflow_command_rules() -> None:
    assert escape_data("50% of\r\nall: a, b") == "50%25 of%0D%0Aall: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert unescape(escape_property("x,y: 100%\nz")) == "x,y: 100%\nz"


def test_gappy_protocol_annotations_point_at_the_right_lines() -> None:
    result = run_cli("check", "--isolated", "--format", "github", str(GAPPY))
    assert result.exit_code == 1
    found = annotations(result.stdout)
    assert found["SS01"]["line"] == str(line_of(GAPPY, "target: 60"))
    assert found["SS01"]["level"] == "error"
    assert found["RG01"]["line"] == str(line_of(GAPPY, "date: 2026-05-20"))
    assert found["FU03"]["line"] == str(line_of(GAPPY, "time_frame: end of study"))
    assert found["SC01"]["line"] == str(line_of(GAPPY, "min_pain_duration_weeks: 6"))
    # Missing fields: the section's key line, or line 1 when the section is missing too; said so.
    assert found["SS04"]["line"] == str(line_of(GAPPY, "sample_size:"))
    assert "`sample_size.calculation` is not in the file" in found["SS04"]["data"]
    assert found["AE01"]["line"] == "1" and "the file has no `safety` section" in found["AE01"]["data"]
    for code, props in found.items():
        assert props["file"] == str(GAPPY)
        assert int(props["col"]) >= 1
        assert "Fix: " in props["data"], code  # every gap says what to add
    levels = {"SS03": "notice", "SS02": "warning", "FU01": "error"}
    assert {code: found[code]["level"] for code in levels} == levels


def test_one_annotation_per_gap_and_nothing_for_met_criteria() -> None:
    stdout = run_cli("check", "--isolated", "--format", "github", str(GAPPY)).stdout
    report = json.loads(run_cli("check", "--isolated", "--format", "json", str(GAPPY)).stdout)
    gaps = {f["code"] for f in report["audits"][0]["findings"] if f["status"] in ("not_met", "unclear")}
    assert set(annotations(stdout)) == gaps
    errors_only = run_cli("check", "--isolated", "--format", "github", "--min-severity", "error", str(GAPPY)).stdout
    assert {a["level"] for a in annotations(errors_only).values()} == {"error"}


def test_registry_annotation_names_the_field_instead_of_a_line() -> None:
    path = EXAMPLES / "registry" / "ctgov-short-follow-up.json"
    found = annotations(run_cli("check", "--isolated", "--format", "github", str(path)).stdout)
    rg01 = found["RG01"]
    assert "line" not in rg01
    assert "At /protocolSection/" in rg01["data"]


def test_schema_violations_are_annotated_each_on_its_line() -> None:
    path = FIXTURES / "invalid" / "wrong-types.yaml"
    result = run_cli("check", "--isolated", "--format", "github", str(path))
    assert result.exit_code == 2
    errors = [ANNOTATION.match(line) for line in result.stdout.splitlines() if line.startswith("::error")]
    lines = [dict(p.split("=", 1) for p in m.group("props").split(","))["line"] for m in errors if m]
    assert lines == ["4", "7", "9", "13"]


def test_github_format_is_picked_in_github_actions() -> None:
    runner = CliRunner()
    auto = runner.invoke(main, ["check", "--isolated", str(GAPPY)], env={"GITHUB_ACTIONS": "true"})
    assert auto.stdout.startswith("::")
    explicit = runner.invoke(main, ["check", "--isolated", "--format", "text", str(GAPPY)], env={"GITHUB_ACTIONS": "true"})
    assert not explicit.stdout.startswith("::")
    local = runner.invoke(main, ["check", "--isolated", str(GAPPY)], env={"GITHUB_ACTIONS": None})
    assert not local.stdout.startswith("::")


def test_json_protocol_files_get_lines_too(tmp_path: Path) -> None:
    from auditor.sources import yamlpos

    doc, _ = yamlpos.load(GAPPY.read_text())
    path = tmp_path / "protocol.json"
    path.write_text(json.dumps(doc, indent=2))
    found = annotations(run_cli("check", "--isolated", "--format", "github", str(path)).stdout)
    assert found["SS01"]["line"] == str(line_of(path, '"target": 60'))
    assert found["SS04"]["line"] == str(line_of(path, '"sample_size": {'))
    assert found["FU03"]["line"] == str(line_of(path, '"time_frame": "end of study"'))


def test_the_job_summary_gets_the_markdown_report(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    CliRunner().invoke(main, ["check", "--isolated", "--format", "github", str(GAPPY)],
                       env={"GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text()
    assert text.startswith("earlier step\n# trial-audit report") and "SS04" in text


def test_the_job_summary_lists_every_problem_of_an_invalid_protocol_file(tmp_path: Path) -> None:
    path = FIXTURES / "invalid" / "wrong-types.yaml"
    summary = tmp_path / "summary.md"
    result = CliRunner().invoke(main, ["check", "--isolated", str(path)],
                                env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 2
    listed = [line for line in summary.read_text(encoding="utf-8").splitlines() if line.startswith("- `")]
    assert [re.match(r"- `[^`]*wrong-types\.yaml:(\d+):\d+`", line)[1] for line in listed] == ["4", "7", "9", "13"]
