"""Instrument lexicon: aliases, spelling variants, versions, negation of harms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.extract import instruments

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "cases" / "instruments.yaml").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['category']}:{c['text'][:40]}" for c in CASES])
def test_lexicon_case(case: dict[str, Any]) -> None:
    found = [h.name for h in instruments.find(case["category"], case["text"])]
    if case["category"] == "hrqol":
        assert found == case["finds"]  # exactly these: a disability or pain scale is no HRQoL instrument
    else:
        assert set(case["finds"]) <= set(found)


def test_eq_vas_is_not_pain_vas():
    assert "VAS" not in [h.name for h in instruments.find("pain", "EQ VAS")]
    assert "VAS" not in [h.name for h in instruments.find("pain", "EQ-VAS score")]


@pytest.mark.parametrize("text,planned", [
    ("Number of participants with adverse events", True),
    ("Incidence of treatment-emergent adverse events (TEAEs)", True),
    ("Side effects", True), ("Postoperative complications", True), ("Simulator sickness", True),
    ("No adverse events are expected from this intervention.", False),
    ("Adverse events are not expected.", False),
    ("The intervention has no known side effects.", False),
    ("Pain intensity", False),
    ("Safety of each digital product", True),
    ("Perception of psychological safety within the company", False),
])
def test_harms_negation(text: str, planned: bool):
    assert (instruments.harms(text) is not None) is planned
