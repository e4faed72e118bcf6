"""A version names one behaviour: code changed since the tag of the current version means the version
must move on (v0.2.0 and a later HEAD both said 'version 0.2.0' but behaved differently), and the
changelog has a section for the current version."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest

from tests.conftest import REPO

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def test_the_changelog_has_a_section_for_this_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(VERSION)}\b", changelog, re.M), f"CHANGELOG.md: no '## {VERSION}' section"


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)


def test_the_code_of_a_released_version_is_the_code_of_its_tag() -> None:
    tag = f"v{VERSION}"
    if _git("rev-parse", "--verify", "--quiet", f"{tag}^{{commit}}").returncode != 0:
        pytest.skip(f"{tag} is not tagged (yet): this version is not released")
    changed = _git("diff", "--name-only", tag, "--", "auditor", "schemas", "pyproject.toml").stdout.split()
    assert not changed, (f"the package changed since {tag} ({', '.join(changed[:5])}...) but still says version "
                         f"{VERSION}: bump the version in pyproject.toml and auditor/__init__.py, add it to CHANGELOG.md")
