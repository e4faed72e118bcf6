"""Ho 2022 intervention categories per arm and psych-with-physio: every case of
cases/interventions.yaml, plus the rule file's structure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.extract import interventions, rules
from auditor.extract.interventions import ruledata
from tests.extract.helpers import record

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "cases" / "interventions.yaml")
                                             .read_text("utf-8"))["cases"]
VOCABULARY = {"pain_education", "behavioural_therapy", "cognitive_behavioural_therapy", "mindfulness", "counselling",
              "cognitive_functional_therapy", "biofeedback", "relaxation", "physiotherapy_exercise", "drug", "device",
              "procedure_surgery", "other"}


def _record(case: dict[str, Any]):
    arms = case.get("arms") or [{"label": "A", "type": "EXPERIMENTAL", "description": case["arm"]}]
    ivs = [{"name": case.get("name", "X"), "type": case["type"], "arms": [arms[0]["label"]]}] if "type" in case else []
    extra = {k: case[k] for k in ("summary", "description", "title", "conditions") if k in case}
    return record(arms=arms, interventions=ivs, **extra)


@pytest.mark.parametrize("case", CASES, ids=[(c.get("arm") or c["why"])[:60] for c in CASES])
def test_case(case: dict[str, Any]):
    result = interventions.derive(_record(case))
    got = set(result.categories)
    assert set(case.get("has", [])) <= got, f"{case}: got {result.categories}"
    assert not set(case.get("lacks", [])) & got, f"{case}: got {result.categories}"
    if "exactly" in case:
        assert got == set(case["exactly"]), f"{case}: got {result.categories}"
    if "psych_with_physio" in case:
        assert result.psych_with_physio is case["psych_with_physio"]
        assert bool(result.psych_with_physio_evidence) is case["psych_with_physio"]
    assert len(result.evidence) == len(result.categories)


def test_cases_are_unique_and_name_known_categories():
    keys = [yaml.safe_dump(c, sort_keys=True) for c in CASES]
    assert len(keys) == len(set(keys))
    for c in CASES:
        assert set(c.get("has", []) + c.get("lacks", []) + c.get("exactly", [])) <= VOCABULARY, c


def test_rule_file_uses_the_criteria_vocabulary():
    data = rules.load("interventions")
    assert set(data["categories"]) == VOCABULARY
    assert set(data["registry_types"].values()) <= VOCABULARY
    for spec in data["categories"].values():
        # `cognitive_training` is no category: the arm names cognitive training (see the rule file).
        assert set(spec.get("weak_yields_to") or []) <= VOCABULARY | {"cognitive_training"}
    # The psychological categories the profile and the accuracy bench read.
    expected = {"behavioural_therapy", "cognitive_behavioural_therapy", "mindfulness", "counselling",
                "cognitive_functional_therapy", "relaxation", "biofeedback", "pain_education"}
    assert expected == interventions.PSYCHOLOGICAL


def test_psych_with_physio_evidence_quotes_both_parts():
    rec = record(arms=[{"label": "A", "type": "EXPERIMENTAL", "description": "Exercise therapy plus pain neuroscience education"}])
    result = interventions.derive(rec)
    psych, physio = result.psych_with_physio_evidence
    assert "pain_education" in (psych.note or "") and "physiotherapy_exercise" in (physio.note or "")


def test_every_rule_has_trigger_words():
    """A phrase the trigger index cannot read (a character class at its start, say) makes its whole
    rule run over every text: spell such phrases as alternations."""
    assert not ruledata.TRIGGERS.always, sorted(ruledata.TRIGGERS.always)
    assert not ruledata.RECORD_TRIGGERS.always, sorted(ruledata.RECORD_TRIGGERS.always)


def test_a_protocol_component_no_rule_names_is_other_beside_the_named_ones() -> None:
    from auditor.extract import derive
    from auditor.sources import read_blob

    protocol = b"""\
trial:
  title: Two psychological treatments with exercise for chronic low back pain
design:
  arms:
    - label: A
      components: [pain reprocessing therapy, exercise therapy]
    - label: B
      components: [emotional awareness and expression therapy, exercise therapy]
"""
    (record,) = list(read_blob(protocol, "p.yaml"))
    sheet = derive(record)
    categories = sheet.get("treatment.intervention_categories")
    assert sorted(categories) == ["other", "pain_education", "physiotherapy_exercise"]
    other = sheet.evidence["treatment.intervention_categories"][categories.index("other")]
    assert (other.quote, other.line) == ("emotional awareness and expression therapy", 8)


def _facts(rec) -> tuple[Any, Any]:
    from auditor.extract import derive

    treatment = derive(rec).facts["treatment"]
    return treatment["intervention_categories"], treatment["psych_with_physio"]


def test_arms_that_say_nothing_of_what_they_deliver_leave_the_categories_not_stated():
    # A draft's arms (only their types; the TODO texts map to nothing), or no arm at all: null, not "no category".
    assert _facts(record(arms=[{"type": "EXPERIMENTAL"}, {"type": "ACTIVE_COMPARATOR"}])) == (None, None)
    assert _facts(record(title="Cognitive behavioural therapy for chronic low back pain")) == (None, None)
    # A waiting list is no category, but beside an arm that says nothing it settles nothing either.
    assert _facts(record(arms=[{"type": "EXPERIMENTAL"}, {"label": "Waiting list", "type": "NO_INTERVENTION"}])) == (None, None)


def test_an_undescribed_arm_beside_described_ones_leaves_the_categories_not_stated():
    # The categories are the union over the arms: the TODO comparator may deliver any of them, so the
    # described arm's list alone would say "no drug, no CBT, ..." without support.
    partly = record(arms=[{"type": "EXPERIMENTAL", "description": "Mindfulness-based stress reduction"},
                          {"type": "ACTIVE_COMPARATOR"}])
    assert _facts(partly) == (None, None)
    # "Some arm co-delivers a psychological component with exercise" is settled by the arm that does.
    both = record(arms=[{"type": "EXPERIMENTAL", "description": "Cognitive behavioural therapy with a graded exercise programme"},
                        {"type": "ACTIVE_COMPARATOR"}])
    assert _facts(both) == (None, True)


def test_described_arms_keep_their_categories_or_settled_none():
    described = record(arms=[{"type": "EXPERIMENTAL", "description": "Mindfulness-based stress reduction"},
                             {"label": "Usual care", "type": "ACTIVE_COMPARATOR"}])
    assert "mindfulness" in _facts(described)[0]  # what is known is stated
    assert _facts(record(arms=[{"label": "No intervention", "type": "NO_INTERVENTION"}])) == ([], False)
