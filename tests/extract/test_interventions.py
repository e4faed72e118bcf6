"""Ho 2022 intervention categories per arm and psych-with-physio."""

from __future__ import annotations

import pytest

from auditor.extract import interventions
from tests.extract.helpers import record


def cats(description: str, iv_type: str | None = None, iv_name: str = "X") -> list[str]:
    ivs = [{"name": iv_name, "type": iv_type, "arms": ["A"]}] if iv_type else []
    return interventions.derive(record(arms=[{"label": "A", "type": "EXPERIMENTAL", "description": description}],
                                       interventions=ivs)).categories


@pytest.mark.parametrize("text,expected", [
    ("Group cognitive behavioural therapy", "cognitive_behavioural_therapy"),
    ("Pain neuroscience education", "pain_education"),
    ("Mindfulness-based stress reduction (MBSR)", "mindfulness"),
    ("Acceptance and commitment therapy", "mindfulness"),
    ("Graded activity with operant conditioning", "behavioural_therapy"),
    ("Motivational interviewing by a health coach", "counselling"),
    ("Cognitive functional therapy", "cognitive_functional_therapy"),
    ("EMG biofeedback", "biofeedback"),
    ("Progressive muscle relaxation", "relaxation"),
    ("Supervised core stabilization exercise by a physiotherapist", "physiotherapy_exercise"),
    ("Lumbar microdiscectomy", "procedure_surgery"),
])
def test_category(text: str, expected: str):
    assert expected in cats(text)


def test_cbt_is_not_also_behavioural():
    assert "behavioural_therapy" not in cats("Cognitive behavioral therapy")


def test_relaxation_exercise_is_not_physical_exercise():
    assert cats("Progressive relaxation exercise") == ["relaxation"]


def test_surgery_named_as_context_is_not_surgery():
    assert "procedure_surgery" not in cats("Education sessions after microdiscectomy, designed by surgeons")


def test_registry_type_counts():
    assert "drug" in cats("Rexlemestrocel-L", "DRUG")
    assert cats("Physical therapy", "DEVICE", "TENS") == ["physiotherapy_exercise"]


def test_psych_with_physio_in_one_arm():
    rec = record(arms=[{"label": "A", "type": "EXPERIMENTAL", "description": "Exercise therapy plus pain neuroscience education"}])
    assert interventions.derive(rec).psych_with_physio is True
    rec = record(arms=[{"label": "A", "type": "EXPERIMENTAL", "description": "Exercise therapy"},
                       {"label": "B", "type": "EXPERIMENTAL", "description": "Cognitive behavioural therapy"}])
    assert interventions.derive(rec).psych_with_physio is False


def test_other_named_care_and_digital_delivery():
    assert "other" in cats("Standardized chiropractic spinal manipulation")
    assert "device" in cats("Digital cognitive behavioral therapy for insomnia")


def test_generic_education_needs_a_pain_context():
    assert "pain_education" not in cats("Patient education about sleep hygiene")
    assert "pain_education" in cats("Patient education session with a back care booklet")


def test_control_arm_is_no_category_but_active_education_control_is_other():
    rec = record(arms=[{"label": "Relaxation", "type": "EXPERIMENTAL", "description": "Progressive relaxation exercises"},
                       {"label": "Control group", "type": "OTHER", "description": "Routine care"}])
    result = interventions.derive(rec)
    assert result.categories == ["relaxation"] and result.psych_with_physio is False
    rec = record(arms=[{"label": "Control", "type": "ACTIVE_COMPARATOR", "description": "Sleep hygiene leaflet (control)"}])
    assert interventions.derive(rec).categories == ["other"]
