"""EU CTR full text, CTIS JSON and ISRCTN (as ctrdata stores it): hand-written fixtures, then every
real record (``TRIAL_AUDIT_REAL_DATA``; skipped without it), counted independently of the readers
(regexes over the text, ``json``), and audited end to end."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from auditor.sources import detect, ids
from tests.conftest import run_cli

from .conftest import FIXTURES, read_all

EURO = FIXTURES / "euro"


def audit(path: Path | str) -> dict:
    """`trial-audit check PATH --format json`: must audit (exit 0 or 1), never refuse."""
    result = run_cli("check", str(path), "--format", "json")
    assert result.exit_code in (0, 1), result.output[-500:]
    return json.loads(result.stdout)


# --- hand-written fixtures (run on a fresh clone) ---------------------------------------------

def test_euctr_text_member_states_are_copies_of_one_trial():
    records, errors = read_all(EURO / "euctr_two_copies.txt")
    assert not errors and len(records) == 2
    de, es = records
    assert de.trial_id == es.trial_id == "2020-001234-56" and de.registry == "EU CTR"
    assert de.secondary_ids == ["EUCTR2020-001234-56-DE", "BACK-01"] and es.secondary_ids[0] == "EUCTR2020-001234-56-ES"
    assert de.official_title.value.startswith("A randomised trial")  # English kept, (de) copy not appended
    assert de.eligibility.value.endswith("Age 18 to 65 years\n\n1. Surgery") and de.eligibility.at == "E.3 | E.4"
    primary = next(o for o in de.outcomes if o.kind == "primary")
    assert primary.measure.value == "Pain intensity (NRS)" and primary.measure.at == "E.5.1"
    assert primary.time_frame.value == "12 weeks and 12 months" and primary.time_frame.line is not None
    assert de.design.allocation.value == "Randomised: Yes" and de.design.masking.value == "Double blind"
    assert "Randomised: Yes\nOpen: No" in de.design.description.value
    assert [(p.value, p.original) for p in de.design.phases] == [("PHASE3", "Therapeutic confirmatory (Phase III)")]
    assert de.enrollment.count.value == 120 and de.enrollment.type.value == "ESTIMATED"
    assert [i.name.value for i in de.interventions] == ["Examplinib", "Ibuprofen"]
    assert de.dates.registered_parsed.isoformat() == "2020-03-02" and de.status.value == "Ongoing"
    assert (de.design.arm_count.value, de.design.arm_count.at) == (2, "E.8.2.4")


def test_euctr_text_facts_point_at_sections():
    report = audit(EURO / "euctr_two_copies.txt")
    assert [a["record"]["trial_id"] for a in report["audits"]] == ["2020-001234-56"] * 2
    facts = report["audits"][0]["facts"]
    assert facts["design"]["randomized"] is True
    assert facts["follow_up"]["max_weeks_from_baseline"] >= 52


def test_ctis_search_response():
    records, errors = read_all(EURO / "ctis_search_two.json")
    assert not errors and [r.trial_id for r in records] == ["2024-512345-11-00", "2024-598765-22-01"]
    first = records[0]
    assert first.registry == "CTIS" and first.secondary_ids == ["EXB-1"] and first.enrollment.count.value == 200
    assert [(o.kind, o.measure.value) for o in first.outcomes] == [("primary", "Pain at 26 weeks"),
                                                                     ("other", "Adverse events up to 52 weeks")]
    assert records[1].results.posted and records[1].enrollment.count is None


def test_isrctn_as_ctrdata_stores_it():
    records, errors = read_all(EURO / "isrctn_ctrdata.json")
    assert not errors and len(records) == 1
    r = records[0]
    assert r.trial_id == "ISRCTN12345678" and r.registry == "ISRCTN" and r.source.format == "ctrdata"
    assert r.secondary_ids == ["NCT01234567", "BS-01"]  # "Nil known" dropped, repeats once
    assert [o.kind for o in r.outcomes] == ["primary", "primary", "secondary"]
    assert r.design.description.value.startswith("Interventional single-blind randomised")
    assert r.enrollment.count.value == 150 and r.enrollment.type.value == "ESTIMATED"
    assert r.conditions[0].value == "Chronic low back pain" and r.dates.start_parsed.isoformat() == "2019-01-01"


def test_id_normalisation():
    assert ids.normalise("EUCTR2021-000037-14-ES") == "2021-000037-14"
    assert ids.normalise("2023-505613-24-00") == "2023-505613-24-00"
    assert ids.normalise("ISRCTN 96912679") == ids.normalise("96912679") == "ISRCTN96912679"
    assert ids.normalise("Nil known") is None and ids.normalise("nct01727609") == "NCT01727609"
    assert ids.member_state_code("Greece - EOF") == "GR"


# --- real data ----------------------------------------------------------------------------------

def test_real_euctr_text_every_member_state_record(real):
    path = next((real / "euctr").glob("*.txt"))
    text = path.read_text(encoding="utf-8")
    blocks = len(re.findall(r"^Summary\n+EudraCT Number:", text, re.MULTILINE))
    copies = re.findall(r"^Link: \S+/trial/(\d{4}-\d{6}-\d{2})/([A-Z]{2}|3RD)/", text, re.MULTILINE)
    assert blocks == len(copies) == 10 and len({n for n, _ in copies}) == 2
    assert detect(path.read_bytes()[:65536], str(path)).NAME == "euctr-text"
    records, errors = read_all(path)
    assert not errors and len(records) == blocks
    assert [(r.trial_id, r.secondary_ids[0]) for r in records] == [(n, f"EUCTR{n}-{c}") for n, c in copies]
    assert Counter(r.trial_id for r in records) == Counter(n for n, _ in copies)
    assert all(any(o.kind == "primary" and o.time_frame for o in r.outcomes) for r in records)  # E.5.1 + E.5.1.1
    report = audit(path)
    assert len(report["audits"]) == blocks and report["totals"]["failed"] == 0
    # E.8.1.1 "Randomised: No" for 2022-002568-62, "Yes" for 2021-002179-21; read, not guessed
    randomised = {a["record"]["trial_id"]: a["facts"]["design"]["randomized"] for a in report["audits"]}
    assert randomised == {"2022-002568-62": False, "2021-002179-21": True}


def test_real_ctis_search_response(real):
    path = next((real / "ctis").glob("*.json"))
    expected = [d["ctNumber"] for d in json.loads(path.read_bytes())["data"]]
    records, errors = read_all(path)
    assert not errors and [r.trial_id for r in records] == expected
    assert len(audit(path)["audits"]) == len(expected)


def test_countries_are_mapped_from_each_registers_own_field():
    from auditor.model import SourceRef
    from auditor.sources import ctis, euctr, isrctn
    ref = SourceRef(path="x", format="t")
    de, es = read_all(EURO / "euctr_two_copies.txt")[0]
    assert [c.value for c in de.countries][:1] == ["Germany"] and es.countries[0].value == "Spain"
    stored = euctr.Fields.from_json({"a2_eudract_number": "2020-001234-56", "a1_member_state_concerned": "France - ANSM",
                                     "e863_trial_sites_planned_in": "United Kingdom France Germany"}, "")
    assert [c.value for c in euctr.to_record(stored, ref).countries] == ["France", "United Kingdom", "Germany"]
    doc = {"isrctn": "ISRCTN12345678", "participants": {"recruitmentCountries": {"country": ["England", "Wales"]}}}
    assert [c.value for c in isrctn.to_record(doc, "", ref).countries] == ["England", "Wales"]
    trial = {"ctNumber": "2023-505613-24-00", "trialCountries": ["France:2", "Poland:4"]}
    assert [c.value for c in ctis.to_record(trial, "", ref).countries] == ["France", "Poland"]


def test_an_eu_ctr_trial_with_results_has_its_actual_enrollment():
    from auditor.model import SourceRef
    from auditor.sources import euctr
    doc = {"a2_eudract_number": "2022-000099-20", "f422_in_the_whole_clinical_trial": "28860",
           "trialInformation": {"countrySubjectCounts": {"countrySubjectCount": [
               {"country": "Germany", "subjects": "2177"}, {"country": "France", "subjects": "1789"},
               {"country": "United Kingdom", "subjects": "4091"}]}}}
    r = euctr.to_record(euctr.Fields.from_json(doc, ""), SourceRef(path="x", format="t"), results_doc=doc)
    assert (r.enrollment.count.value, r.enrollment.type.value) == (8057, "ACTUAL")
    planned = euctr.to_record(euctr.Fields.from_json(doc, ""), SourceRef(path="x", format="t"))
    assert (planned.enrollment.count.value, planned.enrollment.type.value) == (28860, "ESTIMATED")
