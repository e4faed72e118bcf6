"""A trialist's first protocol files (session 9, a new-user run): JSON as editors and Python write
it is read as JSON, and a file that is no protocol says so in words, not in Python's type names."""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from tests.conftest import REPO, run_cli

COMPLETE = yaml.safe_load((REPO / "examples" / "protocols" / "complete.yaml").read_text(encoding="utf-8"))


def _as_json(**dumps: object) -> str:
    return json.dumps(COMPLETE, default=str, **dumps)  # type: ignore[arg-type]


def test_json_indented_with_tabs_is_read(tmp_path: Path) -> None:
    # VS Code, Notepad++ and json.dump(indent="\t") write it; JSON allows tabs between tokens.
    path = tmp_path / "protocol.json"
    path.write_text(_as_json(indent="\t"), encoding="utf-8")
    result = run_cli("check", str(path), "--isolated")
    assert (result.exit_code, result.stderr) == (0, "")


def test_json_escapes_of_a_character_beyond_the_bmp_are_that_character(tmp_path: Path) -> None:
    # json.dump writes "😀" as "\\ud83d\\ude00" (ensure_ascii): one character, two escapes.
    COMPLETE_TITLED = {**COMPLETE, "trial": {**COMPLETE["trial"], "title": "Back on track 😀 trial"}}
    path = tmp_path / "protocol.json"
    path.write_text(json.dumps(COMPLETE_TITLED, default=str), encoding="utf-8")
    assert "\\ud83d\\ude00" in path.read_text(encoding="utf-8")
    result = run_cli("check", str(path), "--isolated", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (audit,) = json.loads(result.stdout)["audits"]
    assert audit["record"]["title"] == "Back on track 😀 trial"


def test_a_lone_surrogate_escape_is_a_problem_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "protocol.yaml"
    path.write_text('trial:\n  title: "Back pain \\ud83d trial"\n', encoding="utf-8")
    result = run_cli("check", str(path), "--isolated")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"trial-audit: {path}:2:10: not valid YAML/JSON: “\\ud83d” is half of a character (a UTF-16 "
        "surrogate escape without its pair): write the character itself, or both of its escapes")


def test_a_file_of_comments_only_says_it_holds_no_fields(tmp_path: Path) -> None:
    path = tmp_path / "protocol.yaml"
    path.write_text("# to be written\n", encoding="utf-8")
    result = run_cli("check", str(path), "--isolated")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"trial-audit: {path}: holds no fields (only comments or blank lines); "
                                     "`trial-audit init FILE` writes a template to start from")


def test_a_list_or_a_word_is_not_a_protocol_file_in_words(tmp_path: Path) -> None:
    for text, what in (("- a\n- b\n", "a list"), ("hello\n", "a single value")):
        path = tmp_path / "protocol.yaml"
        path.write_text(text, encoding="utf-8")
        result = run_cli("check", str(path), "--isolated")
        assert result.exit_code == 2
        assert result.stderr.strip() == (f"trial-audit: {path}: a protocol file is a mapping of sections "
                                         f"(`trial:`, `design:`, ...), not {what}; `trial-audit init FILE` writes a "
                                         "template to start from")


def test_a_huge_json_protocol_is_too_large_not_invalid_and_refused_before_parsing(tmp_path: Path) -> None:
    big = {**COMPLETE, "outcomes": COMPLETE["outcomes"] * 20_000}  # ~28 MB: minutes of YAML parsing
    path = tmp_path / "protocol.json"
    path.write_text(json.dumps(big, default=str), encoding="utf-8")
    started = time.perf_counter()
    result = run_cli("check", str(path), "--isolated")
    assert time.perf_counter() - started < 5
    assert result.exit_code == 2
    size = path.stat().st_size / 1e6
    assert result.stderr.strip() == (f"trial-audit: {path}: too large for a protocol file: {size:.1f} MB (a "
                                     "protocol file is a few kB; the limit is 2 MiB)")


def test_a_json_protocol_of_too_many_values_says_so_not_invalid(tmp_path: Path) -> None:
    path = tmp_path / "protocol.json"
    path.write_text(json.dumps({"trial": {"title": "x", "secondary_ids": [0] * 250_000}}), encoding="utf-8")
    result = run_cli("check", str(path), "--isolated")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"trial-audit: {path}: too large for a protocol file: more than 200000 "
                                     "values; a protocol file has hundreds")


def _without_trial(tmp_path: Path, name: str, rename: str | None) -> tuple[Path, list[str]]:
    doc = {(rename if k == "trial" else k): v for k, v in COMPLETE.items() if rename or k != "trial"}
    path = tmp_path / name
    path.write_text(json.dumps(doc, default=str, indent=2) if name.endswith(".json") else yaml.safe_dump(doc, sort_keys=False),
                    encoding="utf-8")
    result = run_cli("check", str(path), "--isolated")
    assert result.exit_code == 2
    return path, result.stderr.strip().splitlines()


def test_a_misspelt_trial_section_is_named_at_its_line_in_yaml_and_json(tmp_path: Path) -> None:
    path, lines = _without_trial(tmp_path, "protocol.yaml", "trail")
    assert lines == [f"trial-audit: {path}:1:1: `trail` at the top: did you mean `trial`?"]
    path, lines = _without_trial(tmp_path, "protocol.json", "Trial")
    assert lines == [f"trial-audit: {path}:2:3: `Trial` at the top: did you mean `trial`?"]


def test_a_protocol_without_its_trial_section_says_to_add_it_in_yaml_and_json(tmp_path: Path) -> None:
    for name in ("protocol.yaml", "protocol.json"):
        path, lines = _without_trial(tmp_path, name, None)
        assert lines == [f"trial-audit: {path}: no `trial` section, which every protocol file has (the trial's "
                         "`title` and `status`): add it at the top; `trial-audit init FILE` writes a template"]


def test_a_time_point_in_months_is_one_problem_not_also_a_missing_weeks(tmp_path: Path) -> None:
    path = tmp_path / "protocol.yaml"
    path.write_text("trial:\n  title: ACT for chronic low back pain\noutcomes:\n  - measure: Pain\n"
                    "    time_points:\n      - {weeks: 0}\n      - {months: 3}\n", encoding="utf-8")
    result = run_cli("check", str(path), "--isolated")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"trial-audit: {path}:7:10: unknown field `months` in `time_points` item `2`: time points are in weeks; "
        "write `weeks: 13` (3 months is about 13 weeks)",
        f"trial-audit: {path} could not be audited: 1 problem(s) in the file (listed above); fix them and run again"]


def test_an_empty_list_or_text_says_to_fill_it_in(tmp_path: Path) -> None:
    path = tmp_path / "protocol.yaml"
    path.write_text('trial:\n  title: ""\ndesign:\n  arms: []\n', encoding="utf-8")
    result = run_cli("check", str(path), "--isolated")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:2] == [f"trial-audit: {path}:2:3: `title` must not be empty: fill it in",
                                              f"trial-audit: {path}:4:3: `arms` must not be empty: fill it in"]
