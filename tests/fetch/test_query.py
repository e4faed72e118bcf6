"""QUERY arguments and pasted website URLs -> API parameters; Retry-After parsing."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from auditor.fetch import folder
from auditor.fetch.client import Client, Settings, retry_after_seconds
from auditor.fetch.errors import FetchError
from auditor.fetch.query import parse, with_since
from tests.fetch.replay import hand_made, study_id


def test_api_parameters_pass_through_sorted() -> None:
    assert parse(["query.cond=low back pain", "filter.overallStatus=COMPLETED|TERMINATED"]) == {
        "filter.overallStatus": "COMPLETED|TERMINATED", "query.cond": "low back pain"}


def test_a_website_url_is_translated() -> None:
    url = ("https://clinicaltrials.gov/search?cond=Low%20Back%20Pain&intr=Cognitive%20Behavioral%20Therapy"
           "&aggFilters=status:com,studyType:int&start=2015-01-01_&lastUpdPost=_2025-12-31&page=2&viewType=Table")
    assert parse([url]) == {
        "aggFilters": "status:com,studyType:int",
        "filter.advanced": "(AREA[StartDate]RANGE[2015-01-01,MAX]) AND (AREA[LastUpdatePostDate]RANGE[MIN,2025-12-31])",
        "query.cond": "Low Back Pain", "query.intr": "Cognitive Behavioral Therapy"}


def test_an_api_url_is_read_as_api_parameters() -> None:
    assert parse(["https://clinicaltrials.gov/api/v2/studies?query.term=yoga"]) == {"query.term": "yoga"}


@pytest.mark.parametrize(("arg", "message"), [
    ("https://clinicaltrials.gov/search?cond=x&dist=50mi", "'dist' is not supported"),
    ("https://example.org/search?cond=x", "not a clinicaltrials.gov search URL"),
    ("https://clinicaltrials.gov/search?start=2020", "expected FROM_TO dates"),
    ("fields=NCTId", "the audit needs whole studies"),
    ("pageToken=abc", "pages by itself"),
    ("query.nope=1", "unknown API parameter 'query.nope'"),
    ("query.cnd=back pain", "unknown API parameter 'query.cnd' (did you mean 'query.cond'?)"),
    ("filter.overallstatus=COMPLETED", "(did you mean 'filter.overallStatus'?)"),
    ("cond=back pain", "(did you mean 'query.cond'?)"),
])
def test_unsupported_parameters_are_refused_by_name(arg: str, message: str) -> None:
    with pytest.raises(FetchError, match=re.escape(message)):
        parse([arg])


def test_the_same_parameter_twice_with_different_values_is_refused() -> None:
    with pytest.raises(FetchError, match="given twice"):
        parse(["query.cond=a", "query.cond=b"])


def test_since_adds_a_last_update_range() -> None:
    assert with_since({"query.cond": "x"}, "2026-01-01") == {
        "query.cond": "x", "filter.advanced": "AREA[LastUpdatePostDate]RANGE[2026-01-01,MAX]"}


def test_retry_after_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_history_endpoints_resolve_beside_the_api_url() -> None:
    with Client(Settings(api_url="http://127.0.0.1:1/api/v2/")) as client:
        assert client.url("../int/studies/NCT1?history=true") == "http://127.0.0.1:1/api/int/studies/NCT1?history=true"


def test_supersede_is_idempotent_and_keeps_earlier_pages_whole(tmp_path: Path) -> None:
    old, new = hand_made(3), hand_made(3)
    new[1]["protocolSection"]["identificationModule"]["briefTitle"] = "newer"
    doc = {"rounds": [{"pages": [{"file": "a.json", "studies": 3}]},
                      {"pages": [{"file": "b.json", "studies": 1}, {"file": "c.json", "studies": 2}]}]}
    (tmp_path / "a.json").write_bytes(orjson.dumps({"studies": old}))
    (tmp_path / "b.json").write_bytes(orjson.dumps({"studies": [new[1]]}))
    (tmp_path / "c.json").write_bytes(orjson.dumps({"studies": [new[1], hand_made(4)[3]]}))
    assert folder.supersede(tmp_path, doc) == 2
    assert folder.supersede(tmp_path, doc) == 0
    a = orjson.loads((tmp_path / "a.json").read_bytes())["studies"]
    assert [study_id(s) for s in a] == [study_id(s) for s in old] and a[1]["protocolSection"][
        "identificationModule"]["briefTitle"] == "newer"
    assert not (tmp_path / "b.json").exists() and doc["rounds"][1]["pages"][0]["file"] is None
    assert [p["studies"] for r in doc["rounds"] for p in r["pages"]] == [3, 0, 1]


def test_a_pasted_study_page_url_says_how_to_fetch_that_study() -> None:
    """A study's page is not a search: it said 'no query: give API parameters ... or a search URL'."""
    with pytest.raises(FetchError, match=re.escape(
            "URL 'https://clinicaltrials.gov/study/NCT01234567?tab=table' is a study's page, not a search: "
            "give 'filter.ids=NCT01234567' to fetch that study")):
        parse(["https://clinicaltrials.gov/study/NCT01234567?tab=table"])
