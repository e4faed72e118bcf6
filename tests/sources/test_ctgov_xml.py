"""Legacy ClinicalTrials.gov XML: field mapping, XPaths, normalised vocabulary, RSS rejection."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.errors import InputError
from auditor.sources import ctgov_xml, read_blob
from tests.sources.conftest import FIXTURES, read_all, read_one


def test_maps_fields_with_xpaths():
    r = read_one(FIXTURES / "ctgov_legacy.xml")
    assert r.source.format == "ctgov-xml" and r.registry == "ClinicalTrials.gov"
    assert r.trial_id == "NCT09000001" and r.acronym == "GRACE"
    assert r.secondary_ids == ["LBP-01", "2015-000001-11"]
    assert r.summary.value == "Adults with chronic low back pain receive\ngraded activity or usual care."
    assert r.eligibility.value.startswith("Inclusion Criteria:")
    assert [k.value for k in r.keywords] == ["back pain", "CBT"]
    first = r.outcomes[0]
    assert (first.kind, first.measure.value, first.time_frame.value) == ("primary", "Pain intensity (NRS)",
                                                                         "12 months after randomisation")
    assert first.time_frame.at == "/clinical_study/primary_outcome[1]/time_frame"
    assert r.outcomes[1].kind == "secondary" and r.outcomes[1].description is None


def test_design_enrollment_and_dates_are_normalised_where_the_contract_says():
    r = read_one(FIXTURES / "ctgov_legacy.xml")
    assert r.design.allocation.value == "Randomized"  # text kept as the registry wrote it
    assert r.design.masking.value == "Double (Participant, Outcomes Assessor)"
    assert [w.value for w in r.design.who_masked] == ["PARTICIPANT", "OUTCOMES_ASSESSOR"]
    assert [(p.value, p.original) for p in r.design.phases] == [("PHASE2", "Phase 2/Phase 3"), ("PHASE3", "Phase 2/Phase 3")]
    assert r.enrollment.count.value == 120 and r.enrollment.type.value == "ESTIMATED"
    assert r.enrollment.type.at == "/clinical_study/enrollment/@type"
    assert r.dates.start_parsed == date(2015, 8, 3) and r.dates.start_precision == "day"
    assert r.dates.start_type.value == "Actual"
    assert r.dates.registered_parsed == date(2015, 7, 29)


def test_arms_get_the_interventions_that_name_them():
    r = read_one(FIXTURES / "ctgov_legacy.xml")
    assert [(a.label.value, a.type.value) for a in r.arms] == [("Graded activity", "Experimental"),
                                                              ("Usual care", "Active Comparator")]
    assert [n.value for n in r.arms[0].intervention_names] == ["Graded activity with CBT"]
    assert r.arms[1].intervention_names == []
    assert r.interventions[0].other_names[0].value == "GA-CBT"


def test_results_adverse_event_counts_per_group():
    res = read_one(FIXTURES / "ctgov_legacy.xml").results
    assert res.posted and res.posted_at == "/clinical_study/clinical_results"
    assert [t.value for t in res.outcome_titles] == ["Pain intensity (NRS)"]
    groups = [(g.title.value, g.serious_affected.value, g.other_affected.value, g.at_risk.value)
              for g in res.adverse_event_groups]
    assert groups == [("Graded activity", 1, 10, 60), ("Usual care", 2, 7, 60)]
    assert res.adverse_event_terms == 1  # "Fall"; the Total rows are not terms
    assert res.adverse_events_time_frame.value == "12 months"


def test_month_precision_start_date():
    data = (FIXTURES / "ctgov_legacy.xml").read_bytes().replace(b'<start_date type="Actual">August 3, 2015',
                                                                 b"<start_date>August 2015")
    (r,) = list(read_blob(data, "x.xml"))
    assert r.dates.start_parsed == date(2015, 8, 1) and r.dates.start_precision == "month"
    assert r.dates.start_type is None


def test_rss_feed_is_rejected_saying_what_it_is():
    records, errors = read_all(FIXTURES / "ctgov_rss.xml")
    assert records == [] and len(errors) == 1
    line = errors[0].one_line()
    assert "RSS search feed (2 study links), not study records" in line and "\n" not in line


def test_other_xml_root_is_an_input_error():
    with pytest.raises(InputError, match="not <clinical_study>"):
        list(ctgov_xml.read(b"<clinical_studies><clinical_study/></clinical_studies>", "x.xml"))


def test_broken_xml_is_one_line_input_error():
    with pytest.raises(InputError, match="not well-formed XML"):
        list(read_blob(b"<clinical_study><brief_title>x</clinical_study>", "bad.xml"))


def test_pre_2017_design_line_gives_labelled_values():
    data = (FIXTURES / "ctgov_legacy.xml").read_bytes()
    start, end = data.index(b"<study_design_info>"), data.index(b"</study_design_info>") + len(b"</study_design_info>")
    old = (b"<study_design>Allocation: Randomized, Endpoint Classification: Efficacy Study, Intervention Model: "
           b"Parallel Assignment, Masking: Double Blind (Subject, Outcomes Assessor), Primary Purpose: Treatment"
           b"</study_design>")
    (r,) = list(read_blob(data[:start] + old + data[end:], "old.xml"))
    assert r.design.allocation.value == "Randomized" and r.design.allocation.at == "/clinical_study/study_design"
    assert r.design.intervention_model.value == "Parallel Assignment"
    assert r.design.masking.value == "Double Blind (Subject, Outcomes Assessor)"
    assert [w.value for w in r.design.who_masked] == ["PARTICIPANT", "OUTCOMES_ASSESSOR"]
    assert r.design.description.value.startswith("Allocation: Randomized, Endpoint")
