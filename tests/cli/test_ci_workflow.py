"""Issue 15, bullet 3: the documented GitHub Actions workflow runs, SARIF from a subfolder points at
the protocol relative to the repository root and validates, the job summary is written, the
pre-commit hook matches only protocol files, and the version agrees everywhere it is pinned."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLES, REPO, run_cli
from tests.report.test_sarif import sarif_validator  # noqa: F401 - a fixture

WORKFLOW_FILE = REPO / "docs" / "ci" / "trial-audit.yml"
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]

# Written for this test: a protocol with gaps (short follow-up, small arms), valid otherwise.
GAPPY = """\
trial:
  acronym: PILOT-CBT
  title: CBT pilot for chronic low back pain
design:
  allocation: randomised
  arms:
    - {label: CBT, duration_weeks: 8}
    - {label: Usual care, duration_weeks: 8}
sample_size:
  target: 40
  per_arm: [20, 20]
outcomes:
  - measure: Pain intensity
    primary: true
    domain: pain
    instrument: NRS
    time_points:
      - {weeks: 0}
      - {weeks: 12}
"""


def workflow() -> dict[Any, Any]:
    doc: dict[Any, Any] = yaml.safe_load(WORKFLOW_FILE.read_text())
    return doc


def _shim_bin(tmp: Path) -> Path:
    """`python -m pip install ...` without a network: a shim that checks the pin and succeeds, then
    the real trial-audit of this checkout. Everything else goes to the real interpreter."""
    shim = tmp / "shim-bin"
    shim.mkdir()
    python = shim / "python"
    python.write_text(f"""#!/bin/sh
if [ "$1 $2 $3" = "-m pip install" ]; then
  echo "$4" > "{tmp}/pip-install-args"
  exit 0
fi
exec "{sys.executable}" "$@"
""")
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    script = shutil.which("trial-audit", path=str(Path(sys.executable).parent)) or shutil.which("trial-audit")
    assert script, "the trial-audit console script is installed with the package"
    (shim / "trial-audit").symlink_to(script)
    return shim


def run_workflow(repo: Path, tmp: Path) -> list[tuple[str, int | None]]:
    """Run the job's `run:` steps in order as GitHub does: bash -e, the workflow's env, GITHUB_*
    variables, and a failed step skips the rest except steps with `if: always()`. `uses:` steps
    (checkout, setup-python, upload) need GitHub and are skipped (None)."""
    doc = workflow()
    summary = tmp / "step-summary.md"
    env = {**os.environ, **{k: str(v) for k, v in doc.get("env", {}).items()}, "GITHUB_ACTIONS": "true",
           "GITHUB_WORKSPACE": str(repo), "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": f"{_shim_bin(tmp)}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(REPO)}
    failed = False
    outcome: list[tuple[str, int | None]] = []
    for step in next(iter(doc["jobs"].values()))["steps"]:
        name = step.get("name") or step.get("uses", "")
        runs = "always()" in str(step.get("if", "")) or not failed
        if "run" not in step or not runs:
            outcome.append((name, None))
            continue
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=repo,
                              env=env, capture_output=True, text=True, timeout=300, check=False)
        outcome.append((name, proc.returncode))
        failed = failed or proc.returncode != 0
    return outcome


def make_repo(tmp_path: Path, protocol: str) -> Path:
    repo = tmp_path / "trial-repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "docs").mkdir()
    (repo / "protocol.yaml").write_text(protocol, encoding="utf-8")
    return repo


def test_the_workflow_is_valid_and_uploads_sarif_even_after_a_failed_audit() -> None:
    doc = workflow()
    assert doc["permissions"]["security-events"] == "write"
    steps = doc["jobs"]["audit"]["steps"]
    by_name = {s.get("name"): s for s in steps}
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload["if"] == "always()" and upload["with"]["sarif_file"] == "trial-audit.sarif"
    assert by_name["Write SARIF for code scanning"]["if"] == "always()"
    assert "--format github" in by_name["Audit the protocol"]["run"]


def test_the_workflow_steps_run_on_a_gappy_protocol(tmp_path: Path, sarif_validator) -> None:  # noqa: F811
    repo = make_repo(tmp_path, GAPPY)
    outcome = dict(run_workflow(repo, tmp_path))
    assert outcome["Install trial-audit"] == 0
    assert (tmp_path / "pip-install-args").read_text().strip().endswith(f"@v{VERSION}")
    assert outcome["Audit the protocol"] == 1  # gaps fail the job ...
    assert outcome["Write SARIF for code scanning"] == 0  # ... and SARIF is still written (if: always())
    doc = json.loads((repo / "trial-audit.sarif").read_text())
    assert not list(sarif_validator.iter_errors(doc))
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": "protocol.yaml", "uriBaseId": "%SRCROOT%"}
    summary = (tmp_path / "step-summary.md").read_text()
    assert summary.startswith("# trial-audit report") and "PILOT-CBT" in summary and "FU01" in summary


def test_the_workflow_steps_pass_a_complete_protocol(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, (EXAMPLES / "protocols" / "complete.yaml").read_text())
    outcome = run_workflow(repo, tmp_path)
    assert [code for _, code in outcome if code is not None] == [0, 0, 0]


def test_sarif_from_a_subfolder_points_at_the_protocol_from_the_repository_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sarif_validator) -> None:  # noqa: F811
    repo = make_repo(tmp_path, GAPPY + "saftey: {}\n")  # one schema error besides the gaps of a valid twin
    (repo / "ok").mkdir()
    (repo / "ok" / "protocol.yaml").write_text(GAPPY)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(repo / "docs")
    result = run_cli("check", "--isolated", "--format", "sarif", "../protocol.yaml", "../ok/protocol.yaml")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert not list(sarif_validator.iter_errors(doc))
    run = doc["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"protocol.yaml", "ok/protocol.yaml"}  # not "../protocol.yaml"
    problem = next(r for r in run["results"] if r["ruleId"] == "protocol-file")
    assert problem["locations"][0]["physicalLocation"]["region"] == {"startLine": 20, "startColumn": 1}
    assert "did you mean `safety`" in problem["message"]["text"]


def test_the_job_summary_gets_the_markdown_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "protocol.yaml"
    path.write_text(GAPPY)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run_cli("check", "--isolated", "--format", "github", str(path))
    assert result.exit_code == 1 and "::error file=" in result.stdout
    text = summary.read_text()
    assert text.startswith("earlier step\n# trial-audit report") and "## PILOT-CBT" in text  # appended


def test_the_pre_commit_hook_matches_only_protocol_files() -> None:
    hook = next(h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text()) if h["id"] == "trial-audit")
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])

    def runs_on(name: str) -> bool:  # pre-commit: `files` searches, `exclude` removes
        return bool(files.search(name)) and not exclude.search(name)

    for name in ("protocol.yaml", "protocol.json", "protocols/back-cbt.yml", "study/trial-protocol.yaml"):
        assert runs_on(name), name
    for name in ("protocol.schema.json", "protocols/protocol.schema.json", ".pre-commit-config.yaml",
                 "pyproject.toml", ".github/workflows/trial-audit.yml"):
        assert not runs_on(name), name


def test_the_version_agrees_with_every_pin() -> None:
    import auditor

    assert auditor.__version__ == VERSION
    tag = f"v{VERSION}"
    readme, ci = (REPO / "README.md").read_text(), (REPO / "docs" / "ci.md").read_text()
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text()
    for name, text in (("README.md", readme), ("docs/ci.md", ci), (".pre-commit-hooks.yaml", hooks)):
        pins = set(re.findall(r"rev: (v[0-9.]+)", text))
        assert pins == {tag}, (name, pins)
    assert set(re.findall(r"trial-audit@(v[0-9.]+)", WORKFLOW_FILE.read_text())) == {tag}
    tags = subprocess.run(["git", "tag", "--list", "v*"], cwd=REPO, capture_output=True, text=True, check=False).stdout.split()
    if tags:  # once released: the newest tag is this version or older
        assert tag in tags or all(_key(t) < _key(tag) for t in tags), tags


def _key(tag: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", tag))


@pytest.mark.parametrize("fmt, on_stdout", [
    ("text", None), ("json", '"errors"'), ("sarif", "unreadable-input"), ("github", "::error file="),
    ("markdown", "could not be read"),
])
def test_an_unreadable_file_is_one_line_on_stderr_and_what_docs_ci_says_on_stdout(
        tmp_path: Path, fmt: str, on_stdout: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = run_cli("check", "--isolated", "--format", fmt, "missing-protocol.yaml")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["trial-audit: missing-protocol.yaml: no such file or folder"]
    assert (result.stdout == "") if on_stdout is None else (on_stdout in result.stdout), result.stdout
    doc = " ".join((REPO / "docs" / "ci.md").read_text(encoding="utf-8").split())
    assert "is exactly one line on stderr and exit 2. The text report then prints nothing on stdout" in doc
    assert "nothing on stdout, and exit 2" not in doc


def test_both_settings_examples_of_docs_ci_are_read_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/ci.md's pyproject.toml block and its .trial-audit.toml block: the same effective settings
    (a trialist copying the [tool.trial-audit] block into .trial-audit.toml got exit 2)."""
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, re.S)
    pyproject = next(b for b in blocks if b.startswith("[tool.trial-audit]"))
    dotfile = next(b for b in blocks if b.startswith("# .trial-audit.toml"))
    outputs = []
    for name, body in (("pyproject.toml", pyproject), (".trial-audit.toml", dotfile)):
        folder = tmp_path / name.strip(".")
        folder.mkdir()
        (folder / name).write_text(body, encoding="utf-8")
        monkeypatch.chdir(folder)
        result = run_cli("config")
        assert result.exit_code == 0, result.stderr
        outputs.append(re.sub(r"#.*", "", result.stdout))
    assert outputs[0] == outputs[1] and 'ignore = ["SS01", "SS02", "SS03"]' in outputs[0]
