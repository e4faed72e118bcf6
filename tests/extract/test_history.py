"""registration.prespecified_primary_outcomes / primary_outcomes_changed from TrialRecord.history,
and the ctgov-v2 reader's side: finding `.history/` beside a fetch folder, reading history files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from auditor.extract import history
from auditor.facts import FactSheet
from auditor.model import History, Outcome, RegisteredVersion
from auditor.sources import ctgov_v2, read_paths
from tests.batch.data import study
from tests.extract.helpers import record, t


def _version(n: int, date: str, *outcomes: tuple[str, str | None]) -> RegisteredVersion:
    where = "h.json#/at_start" if n == 0 else "h.json#/latest"
    return RegisteredVersion(version=n, date=date, primary_outcomes=[
        Outcome(kind="primary", measure=t(m, f"{where}/study/o/{i}/measure"),
                time_frame=t(tf, f"{where}/study/o/{i}/timeFrame") if tf else None)
        for i, (m, tf) in enumerate(outcomes)])


def _facts(at_start: RegisteredVersion | None, latest: RegisteredVersion, start: str = "2019-03-01",
           precision: str = "day", first: RegisteredVersion | None = None) -> FactSheet:
    rec = record()
    rec.history = History(path="h.json", start_date=start, start_precision=precision,  # type: ignore[arg-type]
                          first=first or at_start or latest, at_start=at_start, latest=latest)
    sheet = FactSheet()
    history.extract(rec, sheet)
    return sheet


def _changed(before: list[tuple[str, str | None]], after: list[tuple[str, str | None]]) -> bool | None:
    sheet = _facts(_version(0, "2019-01-10", *before), _version(1, "2020-01-01", *after))
    value: bool | None = sheet.get("registration.primary_outcomes_changed")
    return value


CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "cases" / "outcome_comparison.yaml").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["why"][:40] for c in CASES])
def test_outcome_comparison_case(case: dict[str, Any]) -> None:
    """An edit of case, spacing, punctuation or spelling is no change; another measure, instrument or
    time frame is (RG03)."""
    assert _changed([tuple(case["before"])], [tuple(case["after"])]) is case["changed"]


def test_order_does_not_matter_but_an_added_outcome_does() -> None:
    a, b = ("Pain", "12 weeks"), ("Function", "12 weeks")
    assert _changed([a, b], [b, a]) is False
    assert _changed([a], [a, b]) is True


def test_the_prespecified_outcomes_carry_their_version_and_the_evidence_both_versions() -> None:
    sheet = _facts(_version(0, "2019-01-10", ("Pain", "12 weeks")), _version(2, "2021-01-01", ("Function", None)))
    assert sheet.get("registration.prespecified_primary_outcomes") == [
        {"measure": "Pain", "time_frame": "12 weeks", "version": 0, "date": "2019-01-10"}]
    ev = sheet.evidence["registration.primary_outcomes_changed"]
    assert [(e.at, e.quote) for e in ev] == [("h.json#/at_start/study/o/0/measure", "Pain"),
                                             ("h.json#/latest/study/o/0/measure", "Function")]
    assert "v0 of 2019-01-10" in (ev[0].note or "") and "v2 of 2021-01-01" in (ev[1].note or "")


def test_nothing_registered_before_the_start() -> None:
    late = _version(0, "2019-05-02", ("Pain", "12 weeks"))
    sheet = _facts(None, late)
    assert sheet.get("registration.prespecified_primary_outcomes") is None
    assert sheet.get("registration.primary_outcomes_changed") is True
    # a start given as a month: a first version inside that month may have come first
    inside = _facts(None, _version(0, "2019-03-20", ("Pain", None)), precision="month")
    assert inside.get("registration.primary_outcomes_changed") is None


def test_no_history_or_no_outcomes_at_the_start() -> None:
    sheet = FactSheet()
    history.extract(record(), sheet)
    assert sheet.get("registration.primary_outcomes_changed") is None
    assert sheet.get("registration.prespecified_primary_outcomes") is None
    assert _changed([], []) is None
    assert _changed([], [("Pain", None)]) is True


def _history_doc(nct: str, old: dict, new: dict) -> dict:
    return {"nctId": nct, "fetched": "2026-01-01T00:00:00Z", "start_date": "2019-03-01",
            "changes": [{"version": 0, "date": "2019-01-10"}, {"version": 1, "date": "2020-01-01"}],
            "at_start": {"version": 0, "date": "2019-01-10", "study": old},
            "latest": {"version": 1, "date": "2020-01-01", "study": new}}


def test_the_reader_finds_history_only_in_a_fetch_folder(tmp_path: Path) -> None:
    s = study("NCT90000001")
    old = orjson.loads(orjson.dumps(s))
    old["protocolSection"]["outcomesModule"]["primaryOutcomes"][0]["measure"] = "Disability (ODI)"
    page = tmp_path / "f" / "pages" / "round-001" / "page-00001.json"
    page.parent.mkdir(parents=True)
    page.write_bytes(orjson.dumps({"studies": [s]}))
    (tmp_path / "f" / ".history").mkdir()
    (tmp_path / "f" / ".history" / "NCT90000001.json").write_bytes(orjson.dumps(_history_doc("NCT90000001", old, s)))
    [without] = list(read_paths([str(page)]))
    assert getattr(without, "history", 1) is None  # no manifest: not a fetch folder
    (tmp_path / "f" / "trial-audit-fetch.json").write_bytes(b"{}")
    [rec] = list(read_paths([str(page)]))
    assert rec.history is not None and rec.history.at_start is not None  # type: ignore[union-attr]
    assert rec.history.at_start.primary_outcomes[0].measure.value == "Disability (ODI)"  # type: ignore[union-attr]
    old_rec = ctgov_v2.as_registered(rec)  # type: ignore[arg-type]
    assert old_rec.outcomes[0].measure.value == "Disability (ODI)"  # type: ignore[union-attr]
    # a broken history file is ignored, not an error
    (tmp_path / "f" / ".history" / "NCT90000001.json").write_bytes(b"{not json")
    [again] = list(read_paths([str(page)]))
    assert again.history is None  # type: ignore[union-attr]


def test_one_version_as_the_endpoint_answers_it(tmp_path: Path) -> None:
    path = tmp_path / "v.json"
    path.write_bytes(orjson.dumps({"studyVersion": 3, "study": study("NCT90000002")}))
    [rec] = list(read_paths([str(path)]))
    assert rec.trial_id == "NCT90000002" and rec.outcomes[0].measure.at.startswith("/study/")  # type: ignore[union-attr]

