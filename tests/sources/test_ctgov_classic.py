"""Classic ClinicalTrials.gov FullStudiesResponse JSON, and its agreement with the legacy XML."""

from __future__ import annotations

import msgspec
import pytest

from auditor.errors import InputError, RecordError
from auditor.sources import read_blob
from tests.sources.conftest import FIXTURES, read_one


def test_maps_like_the_legacy_xml_of_the_same_study():
    classic = read_one(FIXTURES / "classic.json")
    xml = read_one(FIXTURES / "ctgov_legacy.xml")
    assert classic.source.format == "ctgov-classic"
    assert classic.enrollment.count.at == \
        "/FullStudiesResponse/FullStudies/0/Study/ProtocolSection/DesignModule/EnrollmentInfo/EnrollmentCount"
    dump = lambda r: {k: v for k, v in msgspec.to_builtins(r).items() if k != "source"}  # noqa: E731
    strip_at = lambda d: ({k: strip_at(v) for k, v in d.items() if k not in ("at", "line", "column", "original")}  # noqa: E731
                          if isinstance(d, dict) else [strip_at(v) for v in d] if isinstance(d, list) else d)
    a, b = strip_at(dump(classic)), strip_at(dump(xml))
    # The XML's masking is one text "Double (Participant, Outcomes Assessor)"; classic splits it.
    for key in ("trial_id", "secondary_ids", "title", "official_title", "acronym", "status", "conditions",
                "keywords", "eligibility", "enrollment", "interventions", "outcomes"):
        assert a[key] == b[key], key
    assert a["design"]["who_masked"] == b["design"]["who_masked"]
    # The codes agree; each quotes its own source's words.
    assert "Outcomes Assessor" in [t.original for t in xml.design.who_masked]
    assert a["design"]["allocation"] == b["design"]["allocation"]
    assert a["dates"]["start_parsed"] == b["dates"]["start_parsed"]
    assert a["dates"]["registered_parsed"] == b["dates"]["registered_parsed"]
    assert [x["label"] for x in a["arms"]] == [x["label"] for x in b["arms"]]
    assert a["results"]["adverse_event_groups"] == b["results"]["adverse_event_groups"]
    assert a["results"]["adverse_event_terms"] == b["results"]["adverse_event_terms"] == 1


def test_single_study_object_and_array_are_accepted():
    page = (FIXTURES / "classic.json").read_bytes()
    import orjson
    entry = orjson.loads(page)["FullStudiesResponse"]["FullStudies"][0]
    (one,) = list(read_blob(orjson.dumps(entry), "one.json"))
    assert one.trial_id == "NCT09000001"
    items = list(read_blob(orjson.dumps([entry, {"Study": {}}]), "many.json", reader_name="ctgov-classic"))
    assert items[0].trial_id == "NCT09000001"
    assert isinstance(items[1], RecordError) and "/1" in items[1].one_line()


def test_unrelated_json_is_an_input_error():
    with pytest.raises(InputError):
        list(read_blob(b'{"ProtocolSection": 1}', "x.json", reader_name="ctgov-classic"))


def test_a_study_whose_id_is_not_text_is_a_record_error_not_a_crash():
    import orjson

    page = orjson.loads((FIXTURES / "classic.json").read_bytes())
    page["FullStudiesResponse"]["FullStudies"][0]["Study"]["ProtocolSection"]["IdentificationModule"]["NCTId"] = 12345678
    (result,) = list(read_blob(orjson.dumps(page), "bad.json"))
    assert isinstance(result, RecordError) and "trial_id" in result.message
