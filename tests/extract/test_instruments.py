"""Instrument lexicon: aliases, spelling variants, versions, negation of harms."""

from __future__ import annotations

import pytest

from auditor.extract import instruments

HRQOL = [
    ("SF-36", ["SF-36"]), ("SF 36", ["SF-36"]), ("sf36", ["SF-36"]), ("Short Form-36", ["SF-36"]),
    ("SF-36v2 health survey", ["SF-36"]), ("RAND-36", ["SF-36"]), ("36-Item Short Form Survey", ["SF-36"]),
    ("SF-12", ["SF-12"]), ("12-Item Short Form Survey (SF-12)", ["SF-12"]), ("VR-12", ["VR-12"]),
    ("SF-6D utility", ["SF-6D"]),
    ("EQ-5D-5L", ["EQ-5D-5L"]), ("EuroQol 5 dimensions", ["EQ-5D"]), ("Euroqol-5D", ["EQ-5D"]),
    ("EQ-5D-3L index", ["EQ-5D-3L"]), ("EQ VAS", ["EQ-5D"]),
    ("EQ-5D index: five dimensions with five severity levels", ["EQ-5D-5L"]),
    ("PROMIS-29 profile", ["PROMIS-29"]), ("PROMIS Global Health", ["PROMIS-GH"]), ("PROMIS Global-10", ["PROMIS-GH"]),
    ("PROMIS Pediatric Global Health Scale", ["PROMIS-GH"]), ("AQoL-8D", ["AQoL"]),
    ("World Health Organization Quality of Life (WHOQOL-BREF) Scale", ["WHOQOL-BREF"]),
    ("Nottingham Health Profile", ["NHP"]), ("15D instrument", ["15D"]), ("Health Utilities Index Mark 3", ["HUI"]),
    ("HUI3 utility", ["HUI"]), ("Assessed by Dr Li Hui", []),
    ("Oswestry Disability Index", []), ("Quality of Life Scale (QOLS)", []), ("numeric rating scale", []),
]


@pytest.mark.parametrize("text,names", HRQOL)
def test_hrqol(text: str, names: list[str]):
    assert [h.name for h in instruments.find("hrqol", text)] == names


@pytest.mark.parametrize("text,name", [
    ("Oswestry Disability Index (ODI)", "ODI"), ("Roland-Morris Disability Questionnaire", "RMDQ"),
    ("RMDQ-24", "RMDQ"), ("Quebec Back Pain Disability Scale", "QBPDS"), ("Patient-Specific Functional Scale", "PSFS"),
    ("PROMIS Physical Function", "PROMIS Physical Function"),
])
def test_function(text: str, name: str):
    assert name in [h.name for h in instruments.find("function", text)]


@pytest.mark.parametrize("text,name", [
    ("Numeric Rating Scale (NRS) for pain", "NRS"), ("NPRS", "NRS"), ("Visual Analogue Scale", "VAS"),
    ("VAS back pain", "VAS"), ("Brief Pain Inventory", "BPI"),
])
def test_pain(text: str, name: str):
    assert name in [h.name for h in instruments.find("pain", text)]


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
