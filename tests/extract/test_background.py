"""Sentences that report an earlier study (auditor/extract/background.py)."""

from __future__ import annotations

import pytest

from auditor.extract.background import reports_earlier_study


@pytest.mark.parametrize("sentence", [
    "Lee et al reported that over 80% of patients were satisfied with a 2-year follow-up (8).",
    "Smith et al. found a 20% drop in pain over two years.",
    "That trial showed that supportive text messaging improved symptoms of depression.",
    "Pain fell by half at 12 months [3, 5].",
])
def test_a_cited_finding_is_background(sentence: str) -> None:
    assert reports_earlier_study(sentence)


@pytest.mark.parametrize("sentence", [
    "The investigators will also assess the biomarkers at baseline and after six weeks (138, 139).",
    "OBJECTIVES: To assess the effect of the diet during 2 years on the risk of recurrence (1).",
    "(1) Baseline assessment; (2) assessment at 12 weeks.",
    "Participants are assessed at baseline and 6 months, as in previous studies of this app.",
    "Most of the previous study assessments are repeated at Months 4, 8, and 12.",
    "Patients were assessed at 3, 6 and 12 months.",
    # (found in review: a trial's own design sentences)
    "Questionnaires at baseline, 3 and 6 months, similar to previous studies.",
    "Participants receive 8 weeks of app-based exercise therapy (1).",
    "Patients whose MRI revealed a lumbar disc herniation undergo physiotherapy for 6 weeks.",
    "Participants who reported that their pain lasted at least 3 months are randomized to yoga.",
])
def test_this_trials_plan_is_not_background(sentence: str) -> None:
    assert not reports_earlier_study(sentence)
