"""Commands that read no record start without the extract pipeline, the readers or the renderers; a
`check` imports only its own command module, and for a valid protocol file no jsonschema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

HEAVY = ("auditor.extract", "auditor.sources", "auditor.report", "auditor.pipeline", "auditor.batch.runner",
         "duckdb", "pyarrow", "pandas", "rich")
PROBE = """
import sys
from auditor.cli import main
try:
    main({args!r}, standalone_mode=False)
finally:
    loaded = sorted(m for m in {heavy!r} if m in sys.modules)
    print("LOADED", loaded, file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["schema", "facts"], ["profiles"], ["explain", "FU01"], ["config", "--isolated"],
                                  ["init", "--help"], ["--help"], ["check", "--help"], ["batch", "--help"]])
def test_command_does_not_import_the_pipeline(args: list[str]) -> None:
    code = PROBE.format(args=args, heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stderr, result.stderr


def test_formats_loads_the_readers_only() -> None:
    code = PROBE.format(args=["formats"], heavy=("auditor.extract", "auditor.report", "auditor.pipeline"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False)
    assert "LOADED []" in result.stderr, result.stderr


def test_cli_default_profile_is_the_engine_default() -> None:
    from auditor.cli.check import DEFAULT_PROFILE
    from auditor.engine.profiles import DEFAULT_PROFILE as ENGINE_DEFAULT

    assert DEFAULT_PROFILE == ENGINE_DEFAULT


def test_check_of_a_protocol_imports_neither_other_commands_nor_jsonschema() -> None:
    unwanted = ("auditor.cli.batch", "auditor.cli.fetch", "auditor.cli.info", "auditor.cli.review", "auditor.batch",
                "auditor.fetch", "auditor.report.html", "auditor.report.sarif", "jsonschema", "referencing", "rich")
    code = PROBE.format(args=["check", "examples/protocols/complete.yaml"], heavy=unwanted)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stderr, result.stderr


def test_an_invalid_protocol_still_gets_jsonschema_wording(tmp_path: Path) -> None:
    bad = tmp_path / "protocol.yaml"
    text = (REPO / "examples" / "protocols" / "complete.yaml").read_text(encoding="utf-8")
    bad.write_text(text + "\nextra_section: 1\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "auditor", "check", str(bad)], capture_output=True, text=True,
                            cwd=REPO, check=False)
    assert result.returncode == 2
    assert "unknown field `extra_section`" in result.stderr


def test_help_lists_every_command_once_and_unknown_names_get_suggestions() -> None:
    from auditor.cli import COMMANDS

    result = subprocess.run([sys.executable, "-m", "auditor", "--help"], capture_output=True, text=True, cwd=REPO,
                            check=False)
    listed = [line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert listed == sorted(COMMANDS)
    wrong = subprocess.run([sys.executable, "-m", "auditor", "chek"], capture_output=True, text=True, cwd=REPO,
                           check=False)
    assert "Did you mean one of: 'check', 'schema'?" in wrong.stderr
