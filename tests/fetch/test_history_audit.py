"""RG03 `outcomes.prespecified` end to end: `fetch --history` from the loopback replay server, then
`batch` and `check` over the fetch folder (and `check --as-registered`)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from pytest_httpserver import HTTPServer

from auditor import batch
from auditor.engine import profiles
from tests.conftest import run_cli
from tests.fetch.replay import Registry, hand_made, study_id
from tests.fetch.test_fetch import fetch


def _primary(study: dict[str, Any], measure: str, time_frame: str) -> dict[str, Any]:
    changed = copy.deepcopy(study)
    changed["protocolSection"]["outcomesModule"]["primaryOutcomes"] = [{"measure": measure, "timeFrame": time_frame}]
    return changed


@pytest.fixture
def fetched(server: HTTPServer, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fetch folder of five studies (each starting 2019-03) with version history for four."""
    switched, steady, edited, late, bare = hand_made(5)
    pain = "Pain intensity (NRS 0-10)"
    for s in (switched, steady, edited, late, bare):
        s["protocolSection"]["outcomesModule"]["primaryOutcomes"] = [{"measure": pain, "timeFrame": "12 months"}]
    edited_now = _primary(edited, "pain intensity  (NRS 0–10).", "12 Months")  # only case/spacing/punctuation
    reg = Registry([switched, steady, edited_now, late, bare], histories={
        study_id(switched): [("2019-01-10", _primary(switched, "Disability (ODI)", "12 months")),
                             ("2020-06-01", switched)],
        study_id(steady): [("2019-02-01", steady), ("2021-01-01", steady)],
        study_id(edited): [("2019-02-01", edited), ("2021-01-01", edited_now)],
        study_id(late): [("2019-05-02", late)],  # first registered after the start
    })
    api = reg.install(server)
    out = tmp_path / "f"
    result = fetch(api, out, "query.cond=x", "--history")
    assert result.exit_code == 0, result.output
    names = {"switched": study_id(switched), "steady": study_id(steady), "edited": study_id(edited),
             "late": study_id(late), "bare": study_id(bare)}
    return out, names


def _rg03(audits: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a["record"]["trial_id"]: next(f for f in a["findings"] if f["code"] == "RG03") for a in audits}


def test_rg03_in_check_over_a_fetch_folder(fetched: tuple[Path, dict[str, str]]) -> None:
    out, n = fetched
    result = run_cli("check", str(out), "--format", "json")
    audits = orjson.loads(result.stdout)["audits"]
    rg03 = _rg03(audits)
    assert rg03[n["switched"]]["status"] == "not_met"
    assert rg03[n["steady"]]["status"] == "met"
    assert rg03[n["edited"]]["status"] == "met"  # whitespace/case/punctuation edits are no change
    assert rg03[n["late"]]["status"] == "not_met"  # nothing registered before the start
    assert rg03[n["bare"]]["status"] == "unclear"  # no history fetched for it
    facts = {a["record"]["trial_id"]: a["facts"]["registration"] for a in audits}
    assert facts[n["switched"]]["prespecified_primary_outcomes"] == [
        {"measure": "Disability (ODI)", "time_frame": "12 months", "version": 0, "date": "2019-01-10"}]
    assert facts[n["switched"]]["primary_outcomes_changed"] is True
    assert facts[n["bare"]]["primary_outcomes_changed"] is None
    assert facts[n["bare"]]["prespecified_primary_outcomes"] is None
    # the evidence quotes both versions, pointing into the history file's studies
    switched = next(a for a in audits if a["record"]["trial_id"] == n["switched"])
    quotes = switched["evidence"]["registration.primary_outcomes_changed"]
    assert {q["quote"] for q in quotes} == {"Disability (ODI)", "Pain intensity (NRS 0-10)"}
    assert {q["at"].split("#")[1] for q in quotes} == {
        "/at_start/study/protocolSection/outcomesModule/primaryOutcomes/0/measure",
        "/latest/study/protocolSection/outcomesModule/primaryOutcomes/0/measure"}
    assert all(q["at"].split("#")[0].endswith(f".history/{n['switched']}.json") for q in quotes)


def test_rg03_in_a_batch_over_the_fetch_folder(fetched: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    out, n = fetched
    batch.run([str(out)], tmp_path / "audit", profiles.load(), jobs=1)
    findings = batch.load(tmp_path / "audit")["findings"]
    rg03 = findings[findings["code"] == "RG03"].set_index("trial_id")["status"].to_dict()
    assert rg03 == {n["switched"]: "not_met", n["steady"]: "met", n["edited"]: "met", n["late"]: "not_met",
                    n["bare"]: "unclear"}


def test_check_as_registered_audits_the_version_at_the_start(fetched: tuple[Path, dict[str, str]]) -> None:
    out, n = fetched
    history = out / ".history" / f"{n['switched']}.json"
    pages = sorted((out / "pages").rglob("*.json"))
    result = run_cli("check", *map(str, pages), "--as-registered", "--format", "json")
    assert result.exit_code == 2  # the study without history is named, the others audited
    assert n["bare"] in result.stderr and "no version history" in result.stderr
    assert n["late"] in result.stderr and "no version was registered on or before the start" in result.stderr
    audits = {a["record"]["trial_id"]: a for a in orjson.loads(result.stdout)["audits"]}
    assert set(audits) == {n["switched"], n["steady"], n["edited"]}
    old = audits[n["switched"]]
    assert old["record"]["path"] == str(history)
    assert old["facts"]["outcomes"]["pain"]["measured"] is False  # the primary outcome at the start: disability
    quotes = [(q["at"], q["quote"]) for ev in old["evidence"].values() for q in ev]
    assert ("/at_start/study/protocolSection/outcomesModule/primaryOutcomes/0/measure", "Disability (ODI)") in quotes
    assert audits[n["steady"]]["facts"]["outcomes"]["pain"]["measured"] is True
    # the history file read directly gives the latest version; --as-registered the old outcomes
    latest = orjson.loads(run_cli("check", str(history), "--format", "json").stdout)["audits"][0]
    assert _rg03([latest])[n["switched"]]["status"] == "not_met"
    one = run_cli("check", str(history), "--as-registered", "--format", "json")
    audit = orjson.loads(one.stdout)["audits"][0]
    assert _rg03([audit])[n["switched"]]["status"] == "not_met"  # the judgement does not depend on the view
    assert audit["facts"]["outcomes"]["pain"]["measured"] is False  # the old primary outcome was disability


def test_as_registered_without_history_is_exit_2(tmp_path: Path) -> None:
    page = tmp_path / "page.json"
    page.write_bytes(orjson.dumps({"studies": hand_made(1)}))
    result = run_cli("check", str(page), "--as-registered")
    assert result.exit_code == 2
    assert "NCT90000000" in result.stderr and "fetch --history" in result.stderr
