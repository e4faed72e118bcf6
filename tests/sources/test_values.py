"""Shared value rules: dates, numbers, masked roles, list splitting, registry markup."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.model import Text
from auditor.sources import dates, fields


@pytest.mark.parametrize("text, expected", [
    ("2015-08-03", (date(2015, 8, 3), "day")), ("2015-08", (date(2015, 8, 1), "month")),
    ("2015", (date(2015, 1, 1), "year")), ("20240408", (date(2024, 4, 8), "day")),
    ("08/04/2024", (date(2024, 4, 8), "day")), ("08-04-2024", (date(2024, 4, 8), "day")),
    ("2016/12/06", (date(2016, 12, 6), "day")), ("August 2015", (date(2015, 8, 1), "month")),
    ("August 3, 2015", (date(2015, 8, 3), "day")), ("3 August 2015", (date(2015, 8, 3), "day")),
    (" April 25, 2024\n   ", (date(2024, 4, 25), "day")), ("not a date", (None, None)), ("2020-02-30", (None, None)),
])
def test_registry_dates(text, expected):
    assert dates.parse_iso(text) == expected


@pytest.mark.parametrize("text, value, kept", [
    ("120", 120, None), ("1,200", 1200, "1,200"), ("120 ; Group A: 60", 120, "120 ; Group A: 60"),
    ("60 (30 per arm)", 60, "60 (30 per arm)"), ("Case series:100;", None, None), ("NULL", None, None),
    ("approx. 100", 100, "approx. 100"), ("about 200", 200, "about 200"), ("~60", 60, "~60"),
    ("=1+1", None, None), ("abc 20", None, None), ("", None, None),
])
def test_numbers_only_from_leading_totals(text, value, kept):
    number = fields.number(text, "/x")
    assert (number.value if number else None) == value
    assert (number.text if number else None) == kept


def test_enrollment_types_and_roles():
    assert fields.enrollment_type("Anticipated", "/x").value == "ESTIMATED"
    assert fields.enrollment_type("Actual", "/x").value == "ACTUAL"
    assert fields.enrollment_type("unusual", "/x").value == "unusual"
    masking = Text(value="Quadruple (Participant, Care Provider, Investigator, Outcomes Assessor)", at="/m")
    assert [t.value for t in fields.who_masked(masking)] == ["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR",
                                                             "OUTCOMES_ASSESSOR"]
    assert fields.who_masked(Text(value="None (Open Label)", at="/m")) == []


def test_split_and_markup():
    assert fields.split_list("a; b (c; d);; e;") == ["a", "b (c; d)", "e"]
    assert fields.split_list("a (b; c") == ["a (b", "c"]  # unbalanced: plain split
    assert fields.strip_markup("<p>One<br /><br>Two &amp; three</p><br>") == "One\n\nTwo & three"
    assert fields.clean("  NULL ") is None and fields.clean("\n    ") is None


@pytest.mark.parametrize("doc", [
    b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY e SYSTEM "file:///etc/passwd">]><clinical_study>&e;</clinical_study>',
    b'<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><clinical_study>&b;</clinical_study>',
])
def test_legacy_xml_with_entities_is_refused(doc):
    from auditor.errors import InputError
    from auditor.sources import read_blob

    with pytest.raises(InputError, match="refused unsafe XML"):
        list(read_blob(doc, "hostile.xml"))


@pytest.mark.parametrize("value, codes", [
    ("Phase 3", ["PHASE3"]), ("PHASE3", ["PHASE3"]), ("Phase III", ["PHASE3"]), ("Phase 2/Phase 3", ["PHASE2", "PHASE3"]),
    ("Phase II/III", ["PHASE2", "PHASE3"]), ("Phase1/Phase2", ["PHASE1", "PHASE2"]), ("Early Phase 1", ["EARLY_PHASE1"]),
    ("N/A", ["NA"]), ("Not Applicable", ["NA"]), ("Therapeutic exploratory (Phase II)", ["PHASE2"]),
    ("Human pharmacology (Phase I): no\nTherapeutic exploratory (Phase II): yes\n"
     "Therapeutic confirmatory - (Phase III): yes\nTherapeutic use (Phase IV): no", ["PHASE2", "PHASE3"]),
    ("Retrospective study", ["Retrospective study"]), ("0", ["0"]),
])
def test_phases_are_ctgov_codes_where_the_source_says_so(value, codes):
    from auditor.model import Text
    from auditor.sources import fields
    assert [p.value for p in fields.phases(Text(value=value, at="/phase"))] == codes


@pytest.mark.parametrize("value, codes", [
    ("4", ["PHASE4"]), ("0", ["0"]), ("1-2", ["PHASE1", "PHASE2"]), (" 3\n ", ["PHASE3"]),
    ("Phase 0", ["EARLY_PHASE1"]), ("5", ["5"]), ("Retrospective study", ["Retrospective study"]),
])
def test_bare_numbers_are_phases_where_the_field_numbers_phases(value, codes):
    """ICTRP's Phase field: ChiCTR's, JPRN's and NL-OMON's phases are bare numbers ("4"); ChiCTR's "0"
    is no Phase 0 (kept)."""
    from auditor.model import Text
    from auditor.sources import fields
    got = fields.phases(Text(value=value, at="/phase"), bare_numbers=True)
    assert [p.value for p in got] == codes
    assert all(p.original == value for p in got if p.value != value)
