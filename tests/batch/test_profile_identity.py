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


def test_a_cleared_store_names_the_part_that_changed() -> None:
    from auditor.batch.store import changed_parts
    from auditor.engine.selection import filtered

    profile = profiles.load()
    before = profile_identity(profile)
    fewer = profile_identity(filtered(profile, [], ["IN01"], {}))
    assert changed_parts(before, fewer) == "the profile or the criteria selected (or their severities) changed"
    # a store written before the identity had parts gets the general reason
    assert "the corrections" in changed_parts("0123456789abcdef", before)


def test_an_extraction_change_is_named_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.batch.store import changed_parts

    profile = profiles.load()
    before = profile_identity(profile)
    monkeypatch.setattr(derived, "fingerprint", lambda: "another rule file")
    assert changed_parts(before, profile_identity(profile)) == "the extraction rules changed"
