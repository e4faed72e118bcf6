"""The pre-commit hook definition: its `entry` audits protocol files with the right exit codes."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import EXAMPLES, REPO

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
HOOK = next(h for h in HOOKS if h["id"] == "trial-audit")


def entry_command() -> list[str]:
    """The hook's entry as pre-commit would run it: the installed console script, or (in a
    checkout without it on PATH) the same CLI through `python -m auditor`."""
    argv = shlex.split(HOOK["entry"])
    assert argv[0] == "trial-audit"
    script = shutil.which("trial-audit") or shutil.which("trial-audit", path=str(Path(sys.executable).parent))
    return [script, *argv[1:]] if script else [sys.executable, "-m", "auditor", *argv[1:]]


def run_hook(*files: Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([*entry_command(), *HOOK.get("args", []), *map(str, files)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_hook_definition_is_complete() -> None:
    assert HOOK["language"] == "python"
    assert HOOK["entry"].split()[:2] == ["trial-audit", "check"]
    assert HOOK.get("pass_filenames", True) is True
    files = re.compile(HOOK["files"])
    for name in ("examples/protocols/gappy.yaml", "protocol.yml", "docs/trial-protocol.json", "protocols/a/b.yaml",
                 "PROTOCOL.YAML", "Protocols/Trial.Yml"):
        assert files.search(name), name
    for name in (".github/workflows/ci.yml", "pyproject.toml", "data/records.json", "protocol.yaml.bak"):
        assert not files.search(name), name


def test_hook_entry_fails_on_the_gappy_protocol_and_passes_a_complete_one(tmp_path: Path) -> None:
    gappy = run_hook(EXAMPLES / "protocols" / "gappy.yaml", cwd=tmp_path)
    assert gappy.returncode == 1, gappy.stderr
    assert "FU01" in gappy.stdout
    complete = run_hook(EXAMPLES / "protocols" / "complete.yaml", cwd=tmp_path)
    assert complete.returncode == 0, complete.stdout + complete.stderr


def test_hook_entry_reports_an_invalid_protocol_as_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "protocol.yaml"
    broken.write_text("trial:\n  title: x\ndesign:\n  allocation: random\n")
    result = run_hook(broken, cwd=tmp_path)
    assert result.returncode == 2
    assert f"{broken}:4" in result.stderr
