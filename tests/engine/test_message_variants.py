"""Issue 15, bullet 2: messages from facts in plain language (a variant per case, profile data),
no "unknown" placeholders, no internal pointers or fact ids in the text format, the trial named
by its id or acronym, a missing section said as such, and each quote once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.engine import profiles
from auditor.engine.evaluate import assess
from auditor.facts import FactSheet
from tests.conftest import EXAMPLES, run_cli

# Written for this test: registered 45 days before the start, an acronym but no id, a safety
# section without a time frame, arms without sizes or target, no long follow-up.
PROTOCOL = """\
trial:
  acronym: BACK-CBT
  title: CBT with physiotherapy for chronic low back pain
registration:
  date: 2026-01-15
  planned_start: 2026-03-01
design:
  allocation: randomised
  arms:
    - label: CBT + physiotherapy
      components: [cognitive behavioural therapy, exercise therapy]
      duration_weeks: 10
    - label: Physiotherapy
      components: [exercise therapy]
      duration_weeks: 10
outcomes:
  - measure: Pain intensity
    primary: true
    domain: pain
    instrument: NRS 0-10
    time_points:
      - {weeks: 0}
      - {weeks: 26}
safety:
  collection_method: systematic
"""
FACT_ID = re.compile(r"\b(follow_up|sample_size|outcomes|registration|treatment|design|population)\.[a-z_]+")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("trialist") / "protocol.yaml"
    path.write_text(PROTOCOL, encoding="utf-8")
    result = run_cli("check", "--isolated", str(path))
    assert result.exit_code == 1, result.stderr
    return result.stdout


def test_messages_say_what_is_known_in_words(report: str) -> None:
    assert "Registered 45 days before enrolment started." in report  # not "(-45 days after start)"
    assert "AE collection is systematic, but no time frame is stated." in report  # not "(unknown) ... (stated: no)"
    assert "Neither the target enrollment nor the number of arms is stated." not in report  # arms are given
    assert "2 arms, but the target enrollment is not stated." in report  # not "unknown per arm in unknown arms"
    # Vocabulary ids as words: not cognitive_behavioural_therapy, physiotherapy_exercise.
    assert "Interventions (cognitive behavioural therapy, physiotherapy exercise) are not among" in report


def test_no_placeholders_pointers_or_fact_ids_in_the_text_format(report: str) -> None:
    assert "unknown" not in report.lower()
    pointer = re.compile(r"/(trial|design|outcomes|sample_size|safety|registration|population|protocolSection)\b")
    assert not pointer.search(report), pointer.search(report)
    text = re.sub(r"`[^`]*`", "", report)  # fields as written in the file (`design.masking`) are fine
    for crit in profiles.load().criteria:  # criterion names (design.randomised) are the report's columns
        text = text.replace(f" {crit.name} ", " ").replace(f" {crit.name}\n", "\n")
    assert not FACT_ID.search(text), FACT_ID.search(text)
    # Messages and fixes (evidence notes come from the extractors, which still name categories by id).
    said = [line for line in report.splitlines() if not line.strip().startswith("at ")]
    assert not any("_therapy" in line or "_exercise" in line for line in said)


def test_the_trial_is_named_by_its_acronym(report: str) -> None:
    heading = report.splitlines()[2]
    assert heading.startswith("BACK-CBT  CBT with physiotherapy") and "(no trial id)" not in report


def test_a_missing_section_is_not_at_line_1_and_quotes_appear_once(report: str) -> None:
    assert "missing: the file has no `sample_size` section; add it" in report
    assert "at line 1:" not in report
    fu01 = report[report.index("✗ FU01 follow-up.long-term (error"):].split("\n  ✗ ")[0]
    quotes = [line for line in fu01.splitlines() if line.strip().startswith("at line")]
    assert len(quotes) == len({q.split(":")[0] for q in quotes}), fu01  # each place once


@pytest.mark.parametrize("path", sorted((EXAMPLES / "protocols").glob("*.yaml")) + sorted((EXAMPLES / "registry").glob("*.json")),
                         ids=lambda p: p.name)
def test_no_example_report_says_unknown(path: Path) -> None:
    out = run_cli("check", "--isolated", str(path)).stdout
    assert "unknown" not in out.lower() and "(no trial id)" not in out


def test_every_criterion_has_a_fitting_message_on_a_blank_record() -> None:
    """With nothing known, every criterion still says something without a placeholder."""
    for profile_id in profiles.bundled_ids():
        for crit in profiles.load(profile_id).criteria:
            a = assess(crit, FactSheet())
            assert "unknown" not in a.message.lower() and "{" not in a.message, (crit.code, a.message)
            assert a.fix is None or ("unknown" not in a.fix.lower() and "{" not in a.fix), (crit.code, a.fix)


@pytest.mark.parametrize(("count", "message"), [
    (0, "No outcomes are stated, so no HRQoL instrument either."),
    (1, "The one outcome is not a validated HRQoL instrument."),
    (3, "No validated HRQoL instrument among the 3 outcomes."),
])
def test_the_hrqol_message_counts_outcomes_in_words(count: int, message: str) -> None:
    crit = next(c for c in profiles.load().criteria if c.code == "QL01")
    sheet = FactSheet()
    sheet.set("outcomes.count", count, [])
    assert assess(crit, sheet).message == message


@pytest.mark.parametrize(("after", "message"), [
    (0, "No assessment after the end of treatment: the latest is 16 weeks from baseline, at or before the end of "
        "26 weeks of treatment."),
    (4, "Latest assessment is 4 weeks after the end of treatment (16 weeks from baseline); needs >= 52."),
])
def test_follow_up_that_ends_within_treatment_is_not_worded_as_0_weeks_after_it(after: float, message: str) -> None:
    crit = next(c for c in profiles.load().criteria if c.code == "FU01")
    sheet = FactSheet()
    for path, value in (("follow_up.weeks_after_treatment", after), ("follow_up.max_weeks_from_baseline", 16),
                        ("treatment.duration_weeks", 26 if after == 0 else 12)):
        sheet.set(path, value, [])
    assert assess(crit, sheet).message == message


def test_the_priority_message_does_not_call_every_category_a_priority() -> None:
    crit = next(c for c in profiles.load().criteria if c.code == "IN01")
    sheet = FactSheet()
    sheet.set("treatment.intervention_categories", ["mindfulness", "physiotherapy_exercise"], [])
    message = assess(crit, sheet).message
    assert message.startswith("Tests a priority intervention (behavioural therapy, mindfulness or counselling)")
    assert "its categories: mindfulness, physiotherapy exercise" in message


def test_registration_inside_a_month_precise_start_quotes_both_dates(tmp_path: Path) -> None:
    """Finding F1 of a new-user run: RG01 said "(see the quoted dates)" and quoted none."""
    import orjson

    from tests.batch.data import study

    record = study("NCT09000001", start="2019-01")  # registered 2019-01-02: inside the start month
    path = tmp_path / "NCT09000001.json"
    path.write_bytes(orjson.dumps(record))
    result = run_cli("check", str(path), "--format", "json")
    finding = next(f for f in orjson.loads(result.output)["audits"][0]["findings"] if f["code"] == "RG01")
    assert finding["status"] == "unclear"
    quotes = {ev["quote"] for ev in finding["evidence"]}
    assert quotes == {"2019-01-02", "2019-01"}


def test_a_quoted_value_is_cut_at_a_whole_word_with_an_ellipsis() -> None:
    from auditor.engine.messages import Known
    from auditor.facts import Evidence

    quote = "Approximately two hundred participants will be recruited from the clinical monitoring units"
    known = Known({}, {"sample_size.enrollment": [Evidence(at="/x", quote=quote)]})
    assert known.quoted("sample_size.enrollment") == ("“Approximately two hundred participants will be recruited "
                                                       "from the clinical…”")
