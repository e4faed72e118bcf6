"""Acceptance tests: a reviewer's own profile with a mistake in a criterion's condition is exit 2 with
one line naming the profile, the criterion and what to change, before any record is audited; found
by a first-time trialist run (session 9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

PROTOCOL = "examples/protocols/complete.yaml"


def _check(tmp_path: Path, met_when: dict) -> tuple[int, list[str]]:
    profile = {"id": "mine", "title": "Mine", "extends": "ho2022-cnslbp",
               "criteria": [{"code": "FU01", "met_when": met_when}]}
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    result = run_cli("check", PROTOCOL, "--profile", str(path), "--isolated")
    return result.exit_code, result.stderr.strip().splitlines()


@pytest.mark.parametrize(("met_when", "says"), [
    # A misspelt fact would never be in the Facts document, so the criterion silently never held.
    ({"follow_up.weeks_after_treatmnt": {"minimum": 26}},
     "criterion FU01 met_when names unknown fact 'follow_up.weeks_after_treatmnt'; "
     "did you mean 'follow_up.weeks_after_treatment'?"),
    ({"anyOf": [{"design.randomised": {"const": True}}]},
     "criterion FU01 met_when names unknown fact 'design.randomised'; did you mean 'design.randomized'?"),
    # A key that is neither a fact path nor a JSON Schema keyword is ignored by JSON Schema, so the
    # condition held for every record.
    ({"weeks_after_treatment": {"minimum": 26}},
     "criterion FU01 met_when: `weeks_after_treatment` is neither a fact nor a JSON Schema keyword; "
     "name a fact with its group: `follow_up.weeks_after_treatment` or `outcomes.hrqol.weeks_after_treatment`"),
    ({"weeks": {"minimum": 26}},
     "criterion FU01 met_when: `weeks` is neither a fact nor a JSON Schema keyword; name a fact as "
     "`group.fact` (`trial-audit schema facts` lists them)"),
    ({"follow_up": {"minimum": 26}},
     "criterion FU01 met_when: `follow_up` is a group of facts, not a fact: name one of its facts "
     "(`follow_up.max_weeks_from_baseline`, `follow_up.weeks_after_treatment`, `follow_up.time_frames_specific`, "
     "`follow_up.unspecific_time_frames`)"),
    ({"follow_up.weeks_after_treatment": {"minimun": 26}},
     "criterion FU01 met_when: `minimun` is not a JSON Schema keyword; did you mean `minimum`?"),
])
def test_a_condition_naming_no_fact_is_exit_2_naming_the_key(tmp_path: Path, met_when: dict, says: str) -> None:
    code, lines = _check(tmp_path, met_when)
    assert code == 2
    assert lines == [f"trial-audit: {tmp_path / 'mine.json'}: {says}"]


def test_a_ref_that_resolves_nowhere_names_the_profile_not_the_record(tmp_path: Path) -> None:
    code, lines = _check(tmp_path, {"$ref": "#/$defs/long"})
    assert code == 2
    assert lines == [f"trial-audit: {tmp_path / 'mine.json'}: criterion FU01 met_when: `$ref` "
                     "“#/$defs/long” points at nothing in the condition; write the schema in place"]


def test_a_ref_that_resolves_is_kept(tmp_path: Path) -> None:
    code, lines = _check(tmp_path, {"$defs": {"long": {"type": "number", "minimum": 52}},
                                    "properties": {"follow_up": {"properties": {
                                        "weeks_after_treatment": {"$ref": "#/$defs/long"}}}}})
    assert (code, lines) == (0, [])


def _overlapping(tmp_path: Path) -> Path:
    # The README's pitfall: a new threshold in met_when only, beside the parent's not_met_when
    # (exclusiveMaximum 52): 26 to 51 weeks satisfy both, and are judged met.
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"id": "mine", "title": "Mine", "extends": "ho2022-cnslbp", "criteria": [
        {"code": "FU01", "met_when": {"follow_up.weeks_after_treatment": {"type": "number", "minimum": 26}}}]}),
        encoding="utf-8")
    return path


OVERLAP = ("criterion FU01: met_when and not_met_when both hold when follow_up.weeks_after_treatment = 26; such a "
           "record is judged met (met_when is tried first), so make the two conditions exclusive (an extending "
           "profile that changes a threshold changes it in both)")


@pytest.mark.parametrize("command", [["check", PROTOCOL], ["explain", "FU01"], ["batch", PROTOCOL, "--out", "OUT"]])
def test_overlapping_met_when_and_not_met_when_warn_naming_the_facts(tmp_path: Path, command: list[str]) -> None:
    path = _overlapping(tmp_path)
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    result = run_cli(*args, "--profile", str(path), *(["--isolated", "--jobs", "1"] if "batch" in args else
                                                      ["--isolated"] if "check" in args else []))
    assert result.exit_code == 0, result.output
    assert f"trial-audit: warning: {path}: {OVERLAP}" in result.stderr.splitlines()


def test_bundled_profiles_have_no_overlapping_conditions() -> None:
    from auditor.engine import profiles

    for ref in profiles.bundled_ids():
        assert profiles.load(ref).warnings == (), ref


@pytest.mark.parametrize("name", ["mine.json", "mine.yaml"])
def test_a_profile_saved_with_a_byte_order_mark_loads(tmp_path: Path, name: str) -> None:
    # Windows Notepad saves UTF-8 with a BOM; protocol files already accept it.
    path = tmp_path / name
    path.write_text(json.dumps({"id": "mine", "title": "Mine", "extends": "ho2022-cnslbp", "criteria": []}),
                    encoding="utf-8-sig")
    result = run_cli("check", PROTOCOL, "--profile", str(path), "--isolated")
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_profile_not_in_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_bytes("id: mine\ntitle: Profil élève\nextends: ho2022-cnslbp\ncriteria: []\n".encode("latin-1"))
    result = run_cli("check", PROTOCOL, "--profile", str(path), "--isolated")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"trial-audit: {path}: profile is not UTF-8 text (line 2); save it as UTF-8"


def test_a_misspelt_key_of_a_criterion_lists_the_keys_allowed_there(tmp_path: Path) -> None:
    # The key itself is not echoed (a profile may name any file: its content stays out of messages),
    # but the keys the profile format allows there are the schema's, so they are listed.
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"id": "mine", "title": "Mine", "extends": "ho2022-cnslbp",
                                "criteria": [{"code": "FU01", "met_whn": {}}]}), encoding="utf-8")
    result = run_cli("check", PROTOCOL, "--profile", str(path), "--isolated")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"trial-audit: {path} (/criteria/0): invalid profile: has a key the profile format does "
                           "not know; the keys allowed here are applies_when, code, ")
    assert "met_when, " in line and "met_whn" not in line


@pytest.mark.parametrize("name", ["mine.json", "mine.yaml"])
def test_an_empty_profile_file_says_it_is_empty(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("\n", encoding="utf-8")
    result = run_cli("check", PROTOCOL, "--profile", str(path), "--isolated")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"trial-audit: {path}: profile file is empty; `trial-audit schema profile` "
                                     "describes what it holds")
