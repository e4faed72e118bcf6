"""Every category decided from a text quotes that text and its location: a DEVICE filing that its text
turns into other care, what the title of a single-arm trial names, a regulated device the record names."""

from __future__ import annotations

import pytest

from auditor.extract import interventions
from tests.extract.helpers import record


def _device(name: str) -> list[dict[str, object]]:
    return [{"name": name, "type": "DEVICE", "arms": ["A"]}]


@pytest.mark.parametrize(("name", "category", "quoted"), [
    ("Electroacupuncture at 2 Hz", "other", "Electroacupuncture"),
    ("Ultrasound-guided facet joint injection", "procedure_surgery", "Ultrasound-guided facet joint injection"),
    ("Shortwave diathermy, 20 minutes", "physiotherapy_exercise", "diathermy"),
])
def test_a_device_filing_turned_into_other_care_quotes_the_text(name: str, category: str, quoted: str) -> None:
    result = interventions.derive(record(arms=[{"label": "A", "type": "EXPERIMENTAL"}], interventions=_device(name)))
    assert result.categories == [category]
    (evidence,) = result.evidence
    # The intervention's text, not its type ("/iv/0/type", quote "DEVICE").
    assert evidence.at == "/iv/0/name" and quoted in (evidence.quote or ""), evidence


def test_what_the_title_names_is_quoted_from_the_title() -> None:
    rec = record(arms=[{"label": "A", "type": "EXPERIMENTAL", "description": "All patients are treated with X-FACTOR"}],
                 title="Outcomes of X-FACTOR Matrix Bone Graft Device")
    result = interventions.derive(rec)
    by_category = dict(zip(result.categories, result.evidence, strict=True))
    assert by_category["device"].at == "/title" and "Bone Graft" in (by_category["device"].quote or "")


def test_a_regulated_device_is_quoted_from_the_record_text_that_names_it() -> None:
    rec = record(arms=[{"label": "A", "type": "EXPERIMENTAL", "description": "Participants use the app daily"}],
                 interventions=[{"name": "Sleep app", "type": "BEHAVIORAL", "arms": ["A"]}],
                 summary="A trial of the app. The app has been cleared by the FDA for insomnia.")
    result = interventions.derive(rec)
    by_category = dict(zip(result.categories, result.evidence, strict=True))
    assert by_category["device"].at == "/summary" and "cleared by the FDA" in (by_category["device"].quote or "")
