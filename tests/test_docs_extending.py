"""docs/extending.md's worked examples do what the page says: one change in a rule file plus one case.

Each example marks where its lines go with a comment `<!-- edit: FILE KEY -->` (KEY is a dotted path
into the YAML document, `.` its top; `+= VALUE` gives the value inline, otherwise it is the next
```yaml block). Applied to copies of the project: with only the cases added, every example's case
fails (the tool does not know the phrasing yet); with the rule changes too, the case files' tests
all pass. So the page cannot drift from the rule files it teaches.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

pytestmark = pytest.mark.examples

DOC = REPO / "docs" / "extending.md"
_EDIT = re.compile(r"<!-- edit: (?P<file>\S+) (?P<key>\S+)(?: \+= (?P<value>.+?))? -->")
_FENCE = re.compile(r"```yaml\n(?P<body>.*?)```", re.S)

# The tests that run each case file (a case file without an entry here is an error, not a skip).
CASE_TESTS = {
    "tests/extract/cases/units.yaml": "tests/extract/test_units.py",
    "tests/extract/cases/treatment_periods.yaml": "tests/extract/test_duration.py",
    "tests/extract/cases/one_off.yaml": "tests/extract/test_duration.py",
    "tests/extract/timeframes_cases.yaml": "tests/extract/test_timeframes.py",
    "tests/extract/cases/eligibility.yaml": "tests/extract/test_population.py",
    "tests/extract/cases/interventions.yaml": "tests/extract/test_interventions.py",
    "tests/extract/cases/harms.yaml": "tests/extract/test_safety.py",
    "tests/extract/cases/instruments.yaml": "tests/extract/test_instruments.py",
    "tests/extract/cases/outcome_comparison.yaml": "tests/extract/test_history.py",
}


def edits() -> list[tuple[str, str, Any]]:
    """(file, key, value) of every marked change, in the page's order."""
    text = DOC.read_text("utf-8")
    found = []
    for m in _EDIT.finditer(text):
        if m["value"] is not None:
            value = yaml.safe_load(m["value"])
        else:
            fence = _FENCE.search(text, m.end())
            assert fence, f"docs/extending.md: no ```yaml block after {m[0]}"
            value = yaml.safe_load(fence["body"])
        found.append((m["file"], m["key"], value))
    return found


def apply(root: Path, file: str, key: str, value: Any) -> None:
    """Add `value` at `key` of the YAML file (a list is extended, a mapping updated). The copy loses
    its comments, which the tool does not read."""
    path = root / file
    doc = yaml.safe_load(path.read_text("utf-8"))
    target = doc
    for part in [] if key == "." else key.split("."):
        target = target[part]
    if isinstance(target, list):
        target.extend(value if isinstance(value, list) else [value])
    else:
        assert isinstance(target, dict) and isinstance(value, dict), f"{file} {key}: cannot add {value!r}"
        target.update(value)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")


def copy_of_project(root: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("auditor", "schemas", "tests"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def failures(root: Path, modules: list[str]) -> Counter[str]:
    """Failed tests per module when `modules` run in the copy at `root` (its own `auditor` first)."""
    env = {**os.environ, "PYTHONPATH": str(root), "TRIAL_AUDIT_CACHE_DIR": "off"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", *modules],
                         check=False, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    failed = Counter(line.split("::")[0].removeprefix("FAILED ") for line in run.stdout.splitlines()
                     if line.startswith("FAILED "))
    if run.returncode not in (0, 1) or (run.returncode == 1 and not failed):
        pytest.fail(f"pytest in the copy did not run the tests:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return failed


def test_every_example_marks_a_rule_change_and_a_case() -> None:
    marked = edits()
    cases = [file for file, _, _ in marked if file.startswith("tests/")]
    rules = [file for file, _, _ in marked if file.startswith("auditor/")]
    assert len(cases) >= 9 and len(rules) == len(cases)
    assert set(cases) <= set(CASE_TESTS), "a case file the page edits has no entry in CASE_TESTS"
    assert all((REPO / file).is_file() for file, _, _ in marked)


def test_each_case_fails_before_its_rule_change_and_passes_after(tmp_path: Path) -> None:
    marked = edits()
    case_edits = [e for e in marked if e[0].startswith("tests/")]
    modules = sorted({CASE_TESTS[file] for file, _, _ in case_edits})
    expected = Counter(CASE_TESTS[file] for file, _, _ in case_edits)

    before = copy_of_project(tmp_path / "cases-only")
    for edit in case_edits:
        apply(before, *edit)
    failed = failures(before, modules)
    assert all(failed[module] >= n for module, n in expected.items()), (
        f"an example's case already passes without its rule change: failures {dict(failed)}, "
        f"examples {dict(expected)}")

    after = copy_of_project(tmp_path / "with-rules")
    for edit in marked:
        apply(after, *edit)
    assert failures(after, modules) == Counter()
