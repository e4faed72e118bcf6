"""Randomisation read from the structured allocation, a labelled answer, or design prose."""

from __future__ import annotations

import pytest

from auditor.extract import design
from auditor.model import Design
from tests.extract.helpers import record, t


@pytest.mark.parametrize("allocation,description,expected", [
    ("RANDOMIZED", None, True),
    ("NA", None, False),
    # EU CTR / CTIS design sections answer each design question with yes/no.
    (None, "Controlled: yes\nRandomised: no\nOpen: yes\nSingle blind: no", False),
    (None, "Controlled: yes Randomised: yes Open: no Double blind: yes", True),
    ("Randomized: No", None, False),
    # A blank or "not present" answer is no answer: the label's own word is not a randomised design.
    (None, "Controlled: no\nRandomised: \nOpen: \nSingle blind: ", None),
    (None, "Controlled: yes Randomised: Open: no", None),
    ("Randomised: Information not present in EudraCT", "E.8.1.1 Randomised: Information not present in EudraCT",
     None),
    (None, "Allocation: Randomized. Intervention model: Parallel Assignment.", True),
    (None, "A non-randomised, single-arm feasibility study.", False),
    (None, "Intervention model: Parallel Assignment. Masking: None (Open Label).", None),
])
def test_randomized(allocation: str | None, description: str | None, expected: bool | None) -> None:
    d = Design(allocation=t(allocation, "/allocation") if allocation else None,
               description=t(description, "/design") if description else None)
    value, evidence = design.randomized(record(design=d))
    assert value is expected
    assert bool(evidence) is (expected is not None)


@pytest.mark.parametrize("model,allocation,expected", [
    ("Single Group Assignment", None, False),  # legacy CT.gov XML: no <allocation> for one group
    ("SINGLE_GROUP", None, False),
    ("Single group", None, False),
    ("Single Group Assignment", "Randomized", True),  # a stated allocation comes first
    ("Parallel Assignment", None, None),
    ("Crossover Assignment", None, None),
])
def test_a_single_group_model_without_allocation_is_not_randomised(model: str, allocation: str | None,
                                                                   expected: bool | None) -> None:
    d = Design(intervention_model=t(model, "/intervention_model"),
               allocation=t(allocation, "/allocation") if allocation else None)
    value, evidence = design.randomized(record(design=d))
    assert value is expected
    if expected is False:
        assert evidence[0].quote == model and evidence[0].at == "/intervention_model"


def test_arm_count_prefers_the_registry_field_then_a_single_arm_title() -> None:
    from auditor.model import Number
    ivs = [{"name": "A"}, {"name": "B"}, {"name": "C"}]
    stated = record(interventions=ivs, design=Design(arm_count=Number(value=2, at="E.8.2.4")))
    assert design.arm_count(stated)[0] == 2
    zero = record(interventions=ivs, design=Design(arm_count=Number(value=0, at="E.8.2.4")))
    assert design.arm_count(zero)[0] == 3  # 0 answers nothing: the interventions are counted
    single = record(interventions=ivs)
    single.title = t("A Phase 2, Open-Label, Single-Arm, Sequential-Panel Study", "/title")
    assert design.arm_count(single)[0] == 1
    center = record(interventions=ivs)
    center.title = t("A single-center trial", "/title")
    assert design.arm_count(center)[0] == 3
