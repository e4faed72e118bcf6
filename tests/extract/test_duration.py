"""Treatment duration from arm / intervention / description text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.extract import duration
from tests.extract.helpers import record

# (arm description, expected weeks or None); each phrase is the kind registries use.
ARM_PHRASES = [
    ("Participants attend 8 weekly sessions of group CBT.", 8),
    ("A 12-week program of supervised exercise.", 12),
    ("Exercise therapy twice a week for 6 weeks.", 6),
    ("Physiotherapy two sessions per week for a period of 4 weeks.", 4),
    ("10 physiotherapy sessions over a two week period.", 2),
    ("Participants receive 12 sessions, twice a week.", 6),
    ("3 sessions per week over the course of eight weeks.", 8),
    ("Education sessions twice a week for three months.", 13),
    ("One hour per day, 6 days per week for 12 weeks.", 12),
    ("The app is used daily during 9 weeks.", 9),
    ("A single intradiscal injection on Day 0.", 0),
    ("One session of 60 minutes.", 0),
    ("Transforaminal endoscopic lumbar discectomy", 0),
    ("Patients will be followed for 12 months.", None),
    ("Usual care as provided by the general practitioner.", None),
    ("Postoperative walking initiated 2 weeks following surgery.", None),
]


@pytest.mark.parametrize("text,weeks", ARM_PHRASES)
def test_arm_phrase(text: str, weeks: float | None):
    found = duration.derive(record(arms=[{"label": "A", "type": "EXPERIMENTAL", "description": text}]))
    if weeks is None:
        assert found is None
    else:
        assert found is not None and abs(found.weeks - weeks) <= 0.5, found
        assert found.evidence.quote in text  # evidence quotes the text it rests on


def test_longest_arm_wins():
    rec = record(arms=[{"label": "A", "type": "EXPERIMENTAL", "description": "Yoga for 8 weeks."},
                       {"label": "B", "type": "ACTIVE_COMPARATOR", "description": "A 12-week exercise program."}])
    assert duration.derive(rec).weeks == 12


def test_protocol_duration_wins():
    rec = record(arms=[{"label": "A", "description": "for 6 weeks", "weeks": 10}])
    assert duration.derive(rec).weeks == 10


def test_surgery_vs_unknown_course_is_unknown():
    # Surgery (0 weeks) against a non-surgical course of unstated length: the longest is unknown.
    rec = record(arms=[{"label": "Surgery", "type": "ACTIVE_COMPARATOR", "description": "Discectomy"},
                       {"label": "Non-surgical", "type": "ACTIVE_COMPARATOR",
                        "description": "Physical therapy, education and NSAIDs"}])
    assert duration.derive(rec) is None


def test_single_dose_in_summary():
    rec = record(arms=[{"label": "Cells", "type": "EXPERIMENTAL", "description": "Autologous cells."}],
                 summary="A randomized study using a single dose.")
    assert duration.derive(rec).weeks == 0


def test_time_frame_dates_end_of_treatment():
    rec = record(arms=[{"label": "App", "type": "EXPERIMENTAL", "description": "Use the app."}],
                 outcomes=[{"measure": "PHQ-9", "time_frame": "Change from Baseline to Post-treatment at Week 8"}])
    assert duration.derive(rec).weeks == 8


def test_follow_up_is_not_treatment_in_summary():
    rec = record(summary="Participants will be followed for 12 months after a 6-week program.")
    assert duration.derive(rec).weeks == 6


def test_repeated_injections_are_not_one_off():
    text = "Placebo as a loading dose on Day 1 followed by a single injection qw from Week 1 to Week 15."
    found = duration.derive(record(arms=[{"label": "A", "type": "PLACEBO_COMPARATOR", "description": text}]))
    assert found is not None and found.weeks == 15


def test_from_day_to_week():
    found = duration.derive(record(arms=[{"label": "A", "type": "EXPERIMENTAL",
                                          "description": "App exercises from Day 1 up to Week 6."}]))
    assert found.weeks == 6


def test_clauses_find_what_a_whole_scan_finds() -> None:
    """_clauses_with: the number-led patterns scan only the clauses with a unit / session word."""
    from auditor.extract.text import lowered
    from auditor.model import Text, TrialRecord
    from auditor.sources import read_paths
    from tests.conftest import real_data_dir

    filler = "Participants will be screened and consented by the study team before randomisation. " * 6
    texts = [filler + "They attend a 12-week program. Then 1.5 weeks. of rest; 8 weekly sessions follow.",
             filler + "Treatment lasts 12\n. weeks of therapy. For 6 weeks. " + filler + "Ten sessions twice a week.",
             filler + "Twice a week, for 6 weeks; then weeks 7-10, 3 months of therapy, monthly; 12,5 weeks," + filler]
    folder = real_data_dir() / "ctgov-v2"
    if folder.is_dir():
        texts += [t.value for r in read_paths([str(folder)]) if isinstance(r, TrialRecord)
                  for t in (r.summary, r.description) if isinstance(t, Text)]
    for value in texts:
        low = lowered(value)
        for pattern, hint in [*((p, duration._UNIT_HINT) for p, _ in duration._COURSE_PATTERNS),
                              (duration._SESSIONS, duration._SESSION_HINT)]:
            spans = duration._clauses_with(low, hint)
            found = [m.span() for start, end in spans for m in pattern.finditer(low, start, end)]
            assert found == [m.span() for m in pattern.finditer(low)], value[:200]


# The rule families' case files: one case per phrasing (tests/extract/cases/*.yaml).
_CASES = Path(__file__).parent / "cases"
FAMILY_CASES = [(family, case) for family in ("treatment_periods", "one_off")
                for case in yaml.safe_load((_CASES / f"{family}.yaml").read_text("utf-8"))["cases"]]


def _case_record(case: dict[str, Any]):
    arms = []
    if "arm" in case:
        arm = {"label": case.get("label", "A"), "type": "EXPERIMENTAL", "description": case["arm"]}
        arms.append(arm)
    if "comparator" in case:  # a second arm: {label, type, description}
        arms.append({"label": "B", "type": "ACTIVE_COMPARATOR", **case["comparator"]})
    outcomes = [{"measure": "Outcome", "time_frame": tf} for tf in case.get("time_frames", [])]
    outcomes += [{"measure": "Outcome", "description": d} for d in case.get("outcome_descriptions", [])]
    return record(arms=arms, summary=case.get("summary"), description=case.get("description"),
                  outcomes=outcomes, title=case.get("title"), interventions=case.get("interventions"))


@pytest.mark.parametrize("family,case", FAMILY_CASES,
                         ids=[f"{f}:{c.get('arm') or c.get('summary')}"[:70] for f, c in FAMILY_CASES])
def test_rule_case(family: str, case: dict[str, Any]) -> None:
    if case.get("gap"):  # a phrasing the rules do not read yet: expected to fail until they do
        try:
            _check_case(case)
        except AssertionError:
            pytest.xfail(case["gap"])
        pytest.fail(f"now read: remove its 'gap' mark ({case['gap']})")
    _check_case(case)


def _check_case(case: dict[str, Any]) -> None:
    found = duration.derive(_case_record(case))
    want = case["weeks"]
    if want is None:
        assert found is None, f"{case['why']}: got {found}"
        return
    assert found is not None and abs(found.weeks - want) <= 0.5, f"{case['why']}: got {found}"
    source = " ".join(str(case.get(k, "")) for k in ("arm", "summary", "description", "label", "comparator",
                                                     "time_frames", "outcome_descriptions", "title"))
    assert found.evidence.quote and found.evidence.quote in source  # quotes the text it rests on


def test_case_files_have_a_reason_for_every_case() -> None:
    for family, case in FAMILY_CASES:
        assert case.get("why"), (family, case)
