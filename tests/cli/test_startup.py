"""Commands that read no record start without the extract pipeline, the readers or the renderers."""

from __future__ import annotations

import subprocess
import sys

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
