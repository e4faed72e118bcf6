"""Project configuration: discovery, precedence (defaults < file < command line), validation,
selection and per-path settings acting on the Profile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor.engine import profiles, selection
from tests.conftest import EXAMPLES, run_cli

GAPPY = EXAMPLES / "protocols" / "gappy.yaml"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A trial repository with the gappy protocol in protocols/ and a copy in drafts/."""
    for folder in ("protocols", "drafts"):
        (tmp_path / folder).mkdir()
        shutil.copy(GAPPY, tmp_path / folder / "gappy.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def origins(stdout: str) -> dict[str, tuple[str, str]]:
    """`key = value  # origin` lines of `trial-audit config` as {key: (value, origin)}."""
    out = {}
    for line in stdout.splitlines():
        if " = " in line and "#" in line and not line.startswith("#"):
            key, rest = line.split(" = ", 1)
            value, origin = rest.rsplit("# ", 1)
            out[key.strip()] = (value.strip(), origin.strip())
    return out


def findings(stdout: str) -> dict[str, dict[str, str]]:
    report = json.loads(stdout)
    return {a["record"]["path"]: {f["code"]: f for f in a["findings"]} for a in report["audits"]}


def test_precedence_defaults_then_pyproject_then_command_line(project: Path) -> None:
    # Only the SS04 gap (warning) is checked, so the fail level decides the exit code.
    assert run_cli("check", "protocols/gappy.yaml", "--select", "SS04").exit_code == 0  # default fail-on error
    write(project / "pyproject.toml", '[project]\nname = "x"\n\n[tool.trial-audit]\nfail-on = "warning"\nselect = ["SS04"]\n')
    assert run_cli("check", "protocols/gappy.yaml").exit_code == 1  # pyproject: fail-on warning
    assert run_cli("check", "protocols/gappy.yaml", "--fail-on", "error").exit_code == 0  # CLI wins
    shown = origins(run_cli("config", "--profile", "trial-basics").stdout)
    assert shown["fail-on"] == ('"warning"', f"{project / 'pyproject.toml'} [tool.trial-audit]")
    assert shown["select"][1].endswith("[tool.trial-audit]")
    assert shown["profile"] == ('"trial-basics"', "command line (--profile)")
    assert shown["min-severity"] == ('"info"', "default")


def test_cli_select_replaces_the_configured_one(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.trial-audit]\nselect = ["SS04"]\n')
    codes = set(findings(run_cli("check", "protocols/gappy.yaml", "--format", "json").stdout)["protocols/gappy.yaml"])
    assert codes == {"SS04"}
    result = run_cli("check", "protocols/gappy.yaml", "--format", "json", "--select", "follow-up,QL01")
    assert set(findings(result.stdout)["protocols/gappy.yaml"]) == {"FU01", "FU02", "FU03", "QL01"}


def test_a_selection_that_leaves_no_criterion_is_exit_2_not_a_pass(project: Path) -> None:
    # A pre-commit hook whose selection ignores everything would pass every file.
    result = run_cli("check", "protocols/gappy.yaml", "--select", "AE01", "--ignore", "AE01")
    assert result.exit_code == 2 and "leaves no criterion" in result.stderr and "--ignore" in result.stderr
    write(project / ".trial-audit.toml", 'ignore = ["all"]\n')
    result = run_cli("check", "protocols/gappy.yaml")
    assert result.exit_code == 2 and ".trial-audit.toml" in result.stderr


def test_standalone_file_is_found_walking_up_and_beats_pyproject(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / "pyproject.toml", '[tool.trial-audit]\nfail-on = "info"\n')
    write(project / ".trial-audit.toml", 'fail-on = "never"\nignore = ["IN"]\n')
    monkeypatch.chdir(project / "drafts")
    shown = origins(run_cli("config").stdout)
    assert shown["fail-on"] == ('"never"', str(project / ".trial-audit.toml"))
    assert run_cli("check", "gappy.yaml").exit_code == 0
    assert run_cli("check", "--isolated", "gappy.yaml").exit_code == 1  # --isolated: no file
    other = write(project / "strict.toml", 'fail-on = "info"\n')
    assert origins(run_cli("config", "--config", str(other)).stdout)["fail-on"][1] == str(other)


def test_a_pyproject_table_in_the_standalone_file_says_where_its_keys_go(project: Path) -> None:
    """T15: `[tool.trial-audit]` copied into .trial-audit.toml gave "unknown configuration key 'tool'"."""
    write(project / ".trial-audit.toml", '[tool.trial-audit]\nfail-on = "never"\n')
    result = run_cli("config")
    assert result.exit_code == 2
    assert "in .trial-audit.toml the keys stand at the top level" in result.stderr
    assert "unknown configuration key" not in result.stderr


@pytest.mark.parametrize("text, named", [
    ('[tool.trial-audit]\nfail_on = "warning"\n', "'fail_on'; did you mean 'fail-on'?"),
    ('[tool.trial-audit]\nignore = ["FU99"]\n', "'FU99'"),
    ('[tool.trial-audit]\nseverity = { SS04 = "fatal" }\n', "'fatal' is not one of"),
    ('[tool.trial-audit]\nseverity = { XX01 = "error" }\n', "'XX01'"),
    ('[tool.trial-audit]\n[[tool.trial-audit.per-path]]\npath = ["*.yaml"]\n', "'path'; did you mean 'paths'?"),
    ('[tool.trial-audit]\n[[tool.trial-audit.per-path]]\npaths = ["*.yaml"]\nignore = ["nope"]\n', "'nope'"),
    ('[tool.trial-audit\n', "not valid TOML"),
])
def test_a_mistake_in_the_file_is_exit_2_naming_it(project: Path, text: str, named: str) -> None:
    write(project / "pyproject.toml", text)
    for command in (["check", "protocols/gappy.yaml"], ["config"]):
        result = run_cli(*command)
        assert result.exit_code == 2
        assert named in result.stderr and "pyproject.toml" in result.stderr
        assert "Traceback" not in result.stderr


def test_unknown_code_on_the_command_line_is_exit_2(project: Path) -> None:
    result = run_cli("check", "protocols/gappy.yaml", "--ignore", "QL09")
    assert result.exit_code == 2 and "--ignore" in result.stderr and "'QL09'" in result.stderr
    assert run_cli("check", "protocols/gappy.yaml", "--severity", "SS04").exit_code == 2


def test_severity_overrides_change_findings_and_exit(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.trial-audit]\nselect = ["SS04"]\nseverity = { SS04 = "error" }\n')
    result = run_cli("check", "protocols/gappy.yaml", "--format", "json")
    assert findings(result.stdout)["protocols/gappy.yaml"]["SS04"]["severity"] == "error"
    assert result.exit_code == 1
    assert run_cli("check", "protocols/gappy.yaml", "--severity", "SS04=info").exit_code == 0  # CLI wins


def test_per_path_settings_apply_only_to_matching_files(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.trial-audit]\nignore = ["IN"]\n\n'
                                      '[[tool.trial-audit.per-path]]\npaths = ["drafts/*.yaml"]\n'
                                      'ignore = ["sample-size"]\nseverity = { AE01 = "warning" }\n')
    result = run_cli("check", "protocols/gappy.yaml", "drafts/gappy.yaml", "--format", "json")
    by_path = findings(result.stdout)
    protocol, draft = by_path["protocols/gappy.yaml"], by_path["drafts/gappy.yaml"]
    assert "SS04" in protocol and not any(code.startswith("SS") for code in draft)
    assert not any(code.startswith("IN") for code in protocol | draft)
    assert protocol["AE01"]["severity"] == "error" and draft["AE01"]["severity"] == "warning"
    # A folder argument is matched file by file.
    assert "SS04" not in findings(run_cli("check", "drafts", "--format", "json").stdout)["drafts/gappy.yaml"]


def test_filtered_profile_by_code_name_group_and_prefix() -> None:
    base = profiles.load()
    codes = lambda p: {c.code for c in p.criteria}  # noqa: E731
    assert codes(selection.filtered(base, ["FU01", "hrqol.measured"], [], {})) == {"FU01", "QL01"}
    assert codes(selection.filtered(base, ["safety"], ["AE03"], {})) == {"AE01", "AE02"}
    assert codes(selection.filtered(base, ["SS"], [], {})) == {"SS01", "SS02", "SS03", "SS04"}
    assert codes(selection.filtered(base, [], ["ALL"], {})) == set()
    overridden = selection.filtered(base, [], [], {"follow-up": "info", "FU01": "error"})
    assert {c.code: c.severity for c in overridden.criteria if c.group == "follow-up"} == \
        {"FU01": "error", "FU02": "info", "FU03": "info"}
    assert base.criterion("FU02").severity == "warning"  # the loaded profile is untouched


def test_a_profile_path_in_the_file_is_relative_to_the_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "profiles").mkdir()
    write(project / "profiles" / "mine.json",
          '{"id": "mine", "title": "Mine", "extends": "trial-basics", "remove": ["RG01"], "criteria": []}\n')
    write(project / ".trial-audit.toml", 'profile = "profiles/mine.json"\n')
    monkeypatch.chdir(project / "drafts")
    result = run_cli("check", "gappy.yaml", "--format", "json")
    assert json.loads(result.stdout)["profile"]["id"] == "mine"
    assert "RG01" not in findings(result.stdout)["gappy.yaml"]
