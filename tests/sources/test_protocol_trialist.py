"""Mistakes a trialist made writing a first protocol file (session 8, a new-user run): each is
reported in words that say what to write, and none invents a second problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli


def problems(tmp_path: Path, text: str, name: str = "protocol.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", "--isolated", str(path))
    assert result.exit_code == 2, result.stdout
    assert "Traceback" not in result.stderr
    return [line.removeprefix(f"trial-audit: {path}") for line in result.stderr.splitlines()]


HEAD = """\
trial:
  title: ACT with physiotherapy for chronic low back pain
design:
  arms:
    - {label: ACT, duration_weeks: 8}
"""


def test_a_malformed_time_point_is_one_problem_not_also_an_early_latest_assessment(tmp_path: Path) -> None:
    lines = problems(tmp_path, HEAD + """\
outcomes:
  - measure: Disability
    time_points:
      - {weeks: 0}
      - {months: 12}
""")
    assert not any("latest assessment" in line for line in lines), lines
    # One line for the item: the one that says to write its months as weeks (session 9: the item's
    # "needs the field `weeks`" said the same thing less helpfully, on a second line).
    assert [line for line in lines if "`time_points` item `2`" in line] == [
        ":10:10: unknown field `months` in `time_points` item `2`: time points are in weeks; write `weeks: 52` "
        "(12 months is about 52 weeks)"], lines
    assert (":10:10: unknown field `months` in `time_points` item `2`: time points are in weeks; "
            "write `weeks: 52` (12 months is about 52 weeks)") in lines, lines


def test_the_cross_field_check_still_runs_on_well_formed_time_points(tmp_path: Path) -> None:
    lines = problems(tmp_path, HEAD + """\
outcomes:
  - measure: Disability
    time_points: [{weeks: 0}, {weeks: 4}]
""")
    assert any("the latest assessment (4 weeks from baseline)" in line for line in lines), lines


def test_a_list_or_section_of_the_wrong_shape_shows_the_schemas_example(tmp_path: Path) -> None:
    lines = problems(tmp_path, HEAD + """\
sample_size:
  target: 300
  per_arm: 150
outcomes:
  - measure: Pain
    time_points: [0, 12]
""")
    assert ":8:3: `per_arm` must be a list, e.g. [150, 150], not 150" in lines, lines
    assert (":11:19: `time_points` item `1` must be a section with fields under it, "
            "e.g. {weeks: 52, from: end_of_treatment}, not 0") in lines, lines


def test_a_percentage_given_for_a_fraction_says_the_fraction(tmp_path: Path) -> None:
    lines = problems(tmp_path, HEAD + """\
sample_size:
  power: 90%
  attrition: 20
""")
    assert ":7:3: `power` must be a number, e.g. 0.9, not “90%” (90% is 0.9)" in lines, lines
    assert ":8:3: `attrition` must be at most 1, e.g. 0.15, not 20 (20% is 0.2)" in lines, lines


def test_an_unquoted_no_read_as_false_says_to_quote_it(tmp_path: Path) -> None:
    lines = problems(tmp_path, "trial:\n  title: x\n  acronym: NO\n")
    assert lines[0].startswith(":3:3: `acronym` must be text, e.g. BACKFIT, not false: YAML reads an unquoted "), lines
    assert "double quotes" in lines[0]


def test_a_number_where_text_belongs_says_to_quote_it(tmp_path: Path) -> None:
    lines = problems(tmp_path, "trial:\n  title: x\nregistration:\n  id: 12345678\n")
    assert lines[0] == ":4:3: `id` must be text, e.g. NCT01234567, not 12345678: YAML reads it as a number; " \
                       "put the value in double quotes", lines


@pytest.mark.parametrize("field, value, suggestion", [
    ("from", "randomisation", "baseline"),
    ("from", "EOT", "end_of_treatment"),
    ("from", "post-treatment", "end_of_treatment"),
    ("domain", "quality of life", "hrqol"),
    ("domain", "Pain intensity", "pain"),
    ("domain", "Disability", "function"),
    ("domain", "adverse events", "safety"),
])
def test_the_words_trialists_use_for_a_value_suggest_the_allowed_one(
        tmp_path: Path, field: str, value: str, suggestion: str) -> None:
    point = f"{{weeks: 52, from: {value}}}" if field == "from" else "{weeks: 52, from: end_of_treatment}"
    domain = f"\n    domain: {value}" if field == "domain" else ""
    lines = problems(tmp_path, HEAD + f"outcomes:\n  - measure: M{domain}\n    time_points: [{point}]\n")
    assert any(f"`{field}` is “{value}”: did you mean `{suggestion}`?" in line for line in lines), lines


@pytest.mark.parametrize("text, where, words", [
    ("trial:\n  title: ACT-Back: a randomised trial\n", ":2:18:", "put the whole value in double quotes"),
    ("trial:\n\ttitle: x\n", ":2:1:", "replace the tab with spaces"),
    ("trial:\n  title:\tx\n", ":2:9:", "replace the tab with spaces"),
    ("trial:\n  title: \"ACT-Back\n  acronym: x\n\n", ":2:10:", "the quote opened at line 2 is not closed"),
    ("trial:\n  title: x\n  acronym\n  status: planned\n", ":3:3:", "line 3 has no `:` after its field name"),
    ("trial:\n  title: x\ndesign:\n  arms:\n    - label: a\n      components: [exercise\n      sessions: 8\n",
     ":7:15:", "the list opened with `[` at line 6 is not closed"),
    ("trial:\n  title: x\n  acronym: y\n   status: planned\n", ":4:10:", "indented more than the field above it"),
    ("trial:\n  title: x\ndesign:\n  arms:\n    - label: a\n   sessions: 8\n", ":6:4:",
     "not indented like the fields around it"),
    ("---\ntrial: {title: A}\n---\ntrial: {title: B}\n", ":3:1:", "a protocol file is one document"),
    ('{"trial": {"title": "x",, "acronym": "y"}}\n', ":1:25:", "a comma with nothing after it"),
])
def test_a_yaml_syntax_error_says_what_to_do_at_its_line_and_column(
        tmp_path: Path, text: str, where: str, words: str) -> None:
    lines = problems(tmp_path, text, "protocol.json" if text.startswith("{") else "protocol.yaml")
    assert len(lines) == 1, lines  # a file that cannot be read at all: one line
    assert lines[0].startswith(where) and words in lines[0], lines
    assert "not valid " in lines[0]


def test_a_file_saved_in_windows_1252_says_where_and_to_save_it_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "protocol.yaml"
    path.write_bytes("trial:\n  title: Rygsmærter og ACT\n".encode("cp1252"))
    result = run_cli("check", "--isolated", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"trial-audit: {path}:2:15: not UTF-8 text: a character saved in another "
                                     "encoding (“æ” in Windows-1252?); save the file as UTF-8")
