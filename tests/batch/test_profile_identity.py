"""Stored results are kept only for the same profile, corrections, tool version and extraction rules."""

from __future__ import annotations

import pytest

from auditor import derived
from auditor.batch.runner import profile_identity
from auditor.engine import profiles


def test_a_change_of_the_extraction_rules_changes_the_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = profiles.load()
    before = profile_identity(profile)
    assert profile_identity(profile) == before
    monkeypatch.setattr(derived, "fingerprint", lambda: "another rule file")
    assert profile_identity(profile) != before
