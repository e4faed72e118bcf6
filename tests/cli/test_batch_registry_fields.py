"""`trial-audit batch` screening columns read alike from every registry: phases as ClinicalTrials.gov
codes (ICTRP's bare numbers, legacy XML's words), jRCT's own page, every E.8.6.3 country of a
ctrdata EU CTR document."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import orjson

from tests.conftest import REPO, run_cli

FIXTURES = REPO / "tests" / "sources" / "fixtures"


def _trial(trial_id: str, register: str, phase: str) -> str:
    return (f"<Trial><TrialID>{trial_id}</TrialID><Public_title>Trial {trial_id}</Public_title>"
            f"<Source_Register>{register}</Source_Register><Date_registration>2020-02-17</Date_registration>"
            f"<Phase>{phase}\n    </Phase></Trial>")


def _records(tmp_path: Path) -> dict[str, tuple]:
    result = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "1", "--isolated")
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(tmp_path / "out" / "audit.duckdb"), read_only=True)
    return {r[0]: r[1:] for r in con.execute("SELECT trial_id, phases, registry_url, countries FROM records").fetchall()}


def test_phases_registry_pages_and_countries_are_read_alike_across_registries(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    trials = [_trial("ChiCTR2000000004", "ChiCTR", "4"), _trial("ChiCTR2000000000", "ChiCTR", "0"),
              _trial("ChiCTR2000000012", "ChiCTR", "1-2"), _trial("JPRN-jRCTs031190226", "JPRN", "3"),
              _trial("ChiCTR2000000099", "ChiCTR", "Retrospective study")]
    (inputs / "ictrp.xml").write_text("<?xml version='1.0' encoding='UTF-8' ?><Trials_downloaded_from_ICTRP>"
                                      + "".join(trials) + "</Trials_downloaded_from_ICTRP>", encoding="utf-8")
    shutil.copy(FIXTURES / "ctgov_legacy.xml", inputs / "legacy.xml")  # <phase>Phase 2/Phase 3</phase>
    euctr = {"ctrname": "EUCTR", "a2_eudract_number": "2019-000111-22", "a1_member_state_concerned": "Spain - AEMPS",
             "a3_full_title_of_the_trial": "A randomised trial",
             "e863_trial_sites_planned_in": "Argentina Canada Korea, Republic of Russian Federation Spain United States"}
    (inputs / "euctr.json").write_bytes(orjson.dumps(euctr))
    got = _records(tmp_path)
    assert got["ChiCTR2000000004"][0] == ["PHASE4"]
    assert got["ChiCTR2000000000"][0] == ["0"]  # ChiCTR's "0" is no sign of Phase 0: kept as given
    assert got["ChiCTR2000000012"][0] == ["PHASE1", "PHASE2"]
    assert got["JPRN-jRCTs031190226"][0] == ["PHASE3"]
    assert got["ChiCTR2000000099"][0] == ["Retrospective study"]  # no phase: kept as given
    legacy = next(v for k, v in got.items() if k.startswith("NCT"))
    assert legacy[0] == ["PHASE2", "PHASE3"]
    assert got["JPRN-jRCTs031190226"][1] == "https://jrct.niph.go.jp/latest-detail/jRCTs031190226"
    assert got["2019-000111-22"][2] == ["Spain", "Argentina", "Canada", "Korea, Republic of", "Russian Federation",
                                        "United States"]
