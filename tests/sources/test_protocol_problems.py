"""Issue 15, bullet 1: every problem of a protocol file on one line, at the line and column of the
offending key or value, in words a trialist can act on, then a line that says it was not audited."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import run_cli

# Written for this test: the mistakes a trialist made writing a CBT + physiotherapy protocol.
PROTOCOL = """\
trial:
  acronym: BACK-CBT
  title: CBT with physiotherapy for chronic low back pain
registration:
  date: 2026-13-01
  planned_start: 2026-02-30
design:
  allocation: randomized-ish
  masking:
    outcome_assesors: true
  arms:
    - label: CBT + physio
      duraton_weeks: 12
    - label: Physio
      sessions: eight
sample_size:
  target: 300
  per_arm: [150, 140]
outcomes:
  - measure: Pain intensity
    timeframe: 12 months
    time_points:
      - weeks: "12 months"
saftey:
  definition: Any untoward medical occurrence
"""


def check(tmp_path: Path, text: str) -> tuple[int, list[str], str]:
    path = tmp_path / "protocol.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", "--isolated", str(path))
    return result.exit_code, result.stderr.splitlines(), result.stdout


def test_each_problem_on_one_line_at_its_key_or_value(tmp_path: Path) -> None:
    code, lines, stdout = check(tmp_path, PROTOCOL)
    assert code == 2 and stdout == ""
    origin = str(tmp_path / "protocol.yaml")
    got = [line.removeprefix(f"trial-audit: {origin}") for line in lines]
    expected = [
        ":5:3: `date` is 2026-13-01, which is not a real date (there is no month 13)",
        ":6:3: `planned_start` is 2026-02-30, which is not a real date (February 2026 has 28 days)",
        ":8:3: `allocation` is “randomized-ish”: did you mean `randomized`?",
        ":10:5: unknown field `outcome_assesors` — did you mean `outcome_assessors`?",
        ":13:7: unknown field `duraton_weeks` — did you mean `duration_weeks`?",
        ":15:7: `sessions` must be a whole number of sessions, e.g. 8, not “eight”",
        ":18:3: `per_arm` adds up to 290 participants but `target` is 300",
        ":21:5: unknown field `timeframe` — did you mean `time_frame`?",
        ":23:9: `weeks` must be a number of weeks since the time point's `from` (baseline unless given), "
        "not “12 months” (12 months is about 52 weeks)",
        ":24:1: unknown field `saftey` — did you mean `safety`?",
    ]
    for want in expected:
        assert any(line.startswith(want) for line in got), (want, got)
    assert len(got) == len(expected) + 1  # one line per problem, then the summary
    assert got[-1] == " could not be audited: 10 problem(s) in the file (listed above); fix them and run again"
    for line in lines[:-1]:
        assert re.match(rf"trial-audit: {re.escape(origin)}:\d+:\d+: ", line), line
        assert "/design" not in line and "Additional properties" not in line and "is not of type" not in line
    assert not any("Traceback" in line for line in lines)


def test_cross_field_consistency(tmp_path: Path) -> None:
    protocol = """\
trial:
  title: Pain education and exercise
design:
  allocation: randomised
  arms:
    - label: PNE + exercise
      duration_weeks: 26
    - label: Exercise
      duration_weeks: 26
    - label: Usual care
sample_size:
  target: 300
  per_arm: [150, 150]
outcomes:
  - measure: Pain
    time_points:
      - {weeks: 0}
      - {weeks: 12}
"""
    code, lines, _ = check(tmp_path, protocol)
    assert code == 2
    text = "\n".join(lines)
    assert ":13:3: `per_arm` gives 2 arm size(s) but `design.arms` lists 3 arm(s)" in text
    assert "adds up to" not in text  # 150 + 150 is the target
    assert (":18:10: the latest assessment (12 weeks from baseline) comes before the end of treatment of arm "
            "`PNE + exercise` (26 weeks)") in text


def test_a_consistent_file_is_audited(tmp_path: Path) -> None:
    protocol_ok = """\
trial:
  acronym: FINE
  title: Consistent
registration:
  date: 2024-02-29
  planned_start: 2024-03
design:
  allocation: randomised
  arms:
    - {label: A, duration_weeks: 12}
    - {label: B, duration_weeks: 12}
sample_size:
  target: 300
  per_arm: [150, 150]
outcomes:
  - measure: Pain
    time_points:
      - {weeks: 0}
      - {weeks: 52, from: end_of_treatment}
"""
    code, lines, stdout = check(tmp_path, protocol_ok)
    assert code in (0, 1), lines
    assert lines == [] and "FINE" in stdout


def test_a_date_that_is_no_date_says_how_to_write_it(tmp_path: Path) -> None:
    code, lines, _ = check(tmp_path, "trial:\n  title: x\nregistration:\n  date: March 2026\n")
    assert code == 2
    assert lines[0].endswith(":4:3: `date` must be a date written YYYY-MM-DD, e.g. 2025-01-10, not “March 2026”")
