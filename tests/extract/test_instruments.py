"""Instrument lexicon: aliases, spelling variants, versions, negation of harms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.extract import instruments, outcomes
from auditor.facts import FactSheet
from tests.extract.helpers import record

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


MENTION_CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "cases" / "instrument_mentions.yaml").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", MENTION_CASES, ids=[c["why"][:50] for c in MENTION_CASES])
def test_mention_case(case: dict[str, Any]) -> None:
    sheet = FactSheet()
    rec = record(outcomes=case["outcomes"])
    outcomes.derive(rec, sheet, None)
    assert sheet.get("outcomes.hrqol.instruments") == case["hrqol"]
    quoted = {e.note.split(" (")[0]: e for e in sheet.evidence.get("outcomes.hrqol.instruments", [])}
    measures = {o.measure.at: o.measure.value for o in rec.outcomes if o.measure is not None}
    for name, measure in case.get("quotes", {}).items():
        assert measures[quoted[name].at] == measure


def test_mentions_lists_every_mention_find_the_first() -> None:
    text = "EQ-5D-5L at baseline; the EQ-5D-5L and its EQ VAS at 12 months"
    assert [(h.name, h.start) for h in instruments.mentions("hrqol", text)] == [("EQ-5D-5L", 0), ("EQ-5D-5L", 26)]
    assert [(h.name, h.start) for h in instruments.find("hrqol", text)] == [("EQ-5D-5L", 0)]
