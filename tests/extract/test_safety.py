"""Table test of the harms rules (cases/harms.yaml) and checks of the rule data (rules/harms.yaml)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.extract import rules, safety
from auditor.extract.prefilter import lower_cached
from auditor.extract.safety import matching, patterns
from auditor.model import Text, TrialRecord
from auditor.sources import read_paths
from tests.conftest import real_data_dir
from tests.extract.helpers import record

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "cases" / "harms.yaml").read_text("utf-8"))["cases"]
RULES = rules.load("harms")


def _record(case: dict[str, Any]) -> TrialRecord:
    if "record" in case:
        return record(**case["record"])
    outcome = {"measure": case["outcome"]}
    if "description" in case:
        outcome["description"] = case["description"]
    return record(outcomes=[outcome])


def _id(case: dict[str, Any]) -> str:
    return str(case.get("outcome") or case["why"])[:60]


def test_cases_are_distinct():
    keys = [yaml.safe_dump(c.get("record") or [c.get("outcome"), c.get("description")]) for c in CASES]
    assert len(keys) == len(set(keys)), "duplicate case"
    assert all("why" in c and "planned" in c for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_case(case: dict[str, Any]):
    s = safety.derive(_record(case))
    assert s.planned is case["planned"], [e.quote for e in s.planned_evidence]
    if s.planned:
        assert s.planned_evidence and all(e.quote for e in s.planned_evidence)
    if "method" in case:
        assert s.method == case["method"]
    if "time_frame_stated" in case:
        assert s.time_frame_stated is case["time_frame_stated"]


# --- the rule data ------------------------------------------------------------------------------

@pytest.mark.parametrize("phrase", RULES["terms"])
def test_every_term_is_a_harms_outcome(phrase: str):
    assert safety.harm_term(phrase) is not None
    assert safety.harm_term(f"Number of participants with {phrase.lower()}s") is not None  # plural


@pytest.mark.parametrize("phrase", RULES["named_effects"])
def test_every_named_effect_counts_in_a_measure(phrase: str):
    assert safety.derive(record(outcomes=[{"measure": f"Incidence of {phrase}"}])).planned
    assert not safety.derive(record(outcomes=[{"measure": f"Change in {phrase}"}])).planned
    assert not safety.derive(record(conditions=[phrase], outcomes=[{"measure": f"Incidence of {phrase}"}])).planned


@pytest.mark.parametrize("phrase", RULES["exceptions"])
def test_exceptions_are_not_harms(phrase: str):
    assert safety.harm_term(phrase) is None
    assert not safety.derive(record(summary=f"We will evaluate {phrase}.", outcomes=[{"measure": "Pain"}])).planned


def test_prose_rules_contain_an_aim_term():
    """Prose is searched only near aim terms, so every prose rule must contain one."""
    for pattern in RULES["aims"] + RULES["collection_statements"]:
        assert "{harm}" in pattern or "safety" in pattern or "{safe}" in pattern, pattern


def test_unknown_macro_is_an_error():
    with pytest.raises(rules.RuleError):
        rules.compile_rule("{nonsense} safety", {"harm": "x"}, "test")


# --- the searches find what a full scan finds -------------------------------------------------

@pytest.fixture(scope="module")
def texts() -> list[str]:
    found = {"İstanbul ſafety of the device", "Adverse events will be recorded.", "SIDE-EFFECTS"}
    folder = real_data_dir() / "ctgov-v2"
    if folder.is_dir():
        for r in read_paths([str(folder)]):
            if isinstance(r, TrialRecord):
                for t in (r.title, r.official_title, r.summary, r.description,
                          *(x for o in r.outcomes for x in (o.measure, o.description)),
                          *(iv.description for iv in r.interventions), *(a.description for a in r.arms)):
                    if isinstance(t, Text):
                        found.add(t.value)
    return sorted(found)


def test_outcome_rules_tried_at_their_words_find_what_a_scan_finds(texts: list[str]):
    for t in texts:
        for pattern, starts in ((patterns.OUTCOME, patterns.OUTCOME_STARTS), (patterns.NAMED, patterns.NAMED_STARTS)):
            assert [m.span() for m in matching.anchored_words(pattern, starts, t)] == \
                [m.span() for m in pattern.finditer(t)], t[:200]
        lower_cached.cache_clear()


def test_prose_rules_tried_near_aim_terms_find_what_a_scan_finds(texts: list[str]):
    for t in texts:
        terms = matching.aim_terms(t)
        for kind, pattern in patterns.PROSE.items():
            near = {m.span() for m in matching.near(kind, t, terms)}
            assert {m.span() for m in pattern.finditer(t)} <= near, t[:200]
        lower_cached.cache_clear()


def test_instruments_harms_delegates_to_the_rules():
    from auditor.extract import instruments

    hit = instruments.harms("Number of participants with adverse events")
    assert hit is not None and re.fullmatch(r"adverse events", "Number of participants with adverse events"[hit.start:hit.end])
    assert instruments.harms("Pain intensity") is None
