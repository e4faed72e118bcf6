"""`fetch --history`: the version in force when enrolment started and the latest, beside the
pages, from the internal endpoints resolved beside --api-url; failing soft."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
from pytest_httpserver import HTTPServer

from auditor.fetch.history import in_force_at
from tests.conftest import run_cli
from tests.fetch.replay import Registry, hand_made, study_id
from tests.fetch.test_fetch import FAST, fetch, folder_ids


def _outcome(study: dict, measure: str) -> dict:
    changed = copy.deepcopy(study)
    changed["protocolSection"]["outcomesModule"]["primaryOutcomes"] = [{"measure": measure, "timeFrame": "12 weeks"}]
    return changed


def test_history_keeps_the_version_at_start_and_the_latest(server: HTTPServer, tmp_path: Path) -> None:
    switched, steady, late = hand_made(3)  # each starts 2019-03
    reg = Registry([switched, steady, late], histories={
        study_id(switched): [("2019-01-10", _outcome(switched, "Pain (NRS)")), ("2020-06-01", switched)],
        study_id(steady): [("2019-02-01", steady), ("2021-01-01", steady)],
        study_id(late): [("2019-05-02", late)],  # first registered after the start
    })
    api = reg.install(server)
    out = tmp_path / "f"
    result = fetch(api, out, "query.cond=x", "--history")
    assert result.exit_code == 0, result.output
    docs = {p.stem: orjson.loads(p.read_bytes()) for p in (out / ".history").glob("*.json")}
    a = docs[study_id(switched)]
    assert a["start_date"] == "2019-03-01" and a["at_start"]["version"] == 0 and a["latest"]["version"] == 1
    assert a["at_start"]["study"]["protocolSection"]["outcomesModule"]["primaryOutcomes"][0]["measure"] == "Pain (NRS)"
    assert docs[study_id(steady)]["at_start"]["version"] == 0
    assert docs[study_id(late)]["at_start"] is None
    assert all(path.startswith(("/api/v2/", "/api/int/studies/")) for path, _, _ in reg.log)
    assert "history: 3 studies" in result.output
    # the versions are not read as more records
    assert sorted(folder_ids(out)) == sorted(study_id(s) for s in reg.studies)
    check = run_cli("check", str(out), "--format", "json")
    assert len(orjson.loads(check.stdout)["audits"]) == 3
    # a re-run does not fetch them again
    before = len(reg.log)
    assert fetch(api, out, "query.cond=x", "--history").exit_code == 0
    assert len(reg.log) == before


def test_history_fails_soft(server: HTTPServer, tmp_path: Path) -> None:
    reg = Registry(hand_made(5))  # no history served: every request is a 404
    api = reg.install(server)
    result = run_cli("fetch", "query.cond=x", "--out", str(tmp_path / "f"), "--api-url", api, "--history", *FAST)
    assert result.exit_code == 0, result.output
    assert "history endpoints do not answer" in result.stderr
    assert len([p for p, _, _ in reg.log if "/int/" in p]) == 3  # gave up after three
    # the two studies not tried have no history either: the count says so (it said "3 without")
    assert "history: 0 studies in" in result.stdout and "3 without (see above), 2 not tried" in result.stdout


def test_in_force_at() -> None:
    changes = [{"version": 0, "date": "2019-01-01"}, {"version": 1, "date": "2019-03-01"}, {"version": 2, "date": "2020-01-01"}]
    assert in_force_at(changes, "2019-03-01")["version"] == 1  # on the start day counts
    assert in_force_at(changes, "2018-12-31") is None and in_force_at(changes, None) is None
