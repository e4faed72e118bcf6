"""Table test: real time frames and the time points read from them (timeframes_cases.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.extract import timeframes

_DATA = yaml.safe_load((Path(__file__).parent / "timeframes_cases.yaml").read_text("utf-8"))
# rules/other_languages.yaml: times with another language's unit word (cases/other_languages.yaml).
_OTHER = yaml.safe_load((Path(__file__).parent / "cases" / "other_languages.yaml").read_text("utf-8"))["cases"]
CASES = _DATA["cases"] + _DATA["constructed"] + _OTHER


def _expected(case: dict) -> list[tuple[float, str]]:
    out = []
    for item in case["points"]:
        weeks, anchor = str(item).split()
        out.append((float(weeks), anchor))
    return out


def test_table_has_at_least_200_real_cases():
    assert len(_DATA["cases"]) >= 200
    texts = [c["text"] for c in CASES]
    assert len(texts) == len(set(texts)), "duplicate case"


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:60] for c in CASES])
def test_time_frame(case: dict):
    text = case["text"]
    points = timeframes.parse(text)
    got = [(round(p.weeks, 2), p.anchor) for p in points]
    want = _expected(case)
    assert len(got) == len(want), f"{text!r}: got {got}, want {want}"
    for (gw, ga), (ww, wa) in zip(got, want):
        assert ga == wa and abs(gw - ww) <= 0.011, f"{text!r}: got {got}, want {want}"
    assert timeframes.specific(text) is case.get("specific", bool(want))
    for p in points:  # every point quotes a real span of its text
        assert 0 <= p.start < p.end <= len(text)
        assert p.anchor in timeframes.ANCHORS


def test_unreadable_returns_empty():
    for text in (None, "", "   ", "end of study", "Through study completion", "December 31，2024", "1-"):
        assert timeframes.parse(text) == []
        assert timeframes.specific(text) is False


def test_anchor_not_stated_is_flagged():
    (point,) = timeframes.parse("12 months")
    assert point.anchor == "baseline" and point.stated is False
    (point,) = timeframes.parse("12 months after randomisation")
    assert point.stated is True


def test_end_of_treatment_dated_from_baseline():
    for text, weeks in (("Change from Baseline to Post-treatment at Week 8", 8), ("Post Treatment (Week 5)", 5),
                        ("Baseline, Week 4, Week 8 (End of Treatment), Week 12 (Follow-up)", 8),
                        ("Post-treatment (8 weeks from baseline)", 8),
                        ("Duration of therapy (up to 6 months)", 26),
                        ("Baseline and upon completion of the intervention (week 8)", 8),
                        ("End of treatment visit (Week 12)", 12), ("after the treatment period (week 12)", 12),
                        ("assessed before treatment, through treatment completion, an average of 1 week and during follow-up 3 months after treatment", 1)):
        point = timeframes.end_of_treatment_at(text)
        assert point is not None and point.weeks == weeks, text
    assert timeframes.end_of_treatment_at("12 weeks") is None
    # A visit during the treatment is not its end.
    assert timeframes.end_of_treatment_at("Baseline, week 4 (during treatment), week 12 and week 26") is None


def test_time_after_the_end_with_the_span_from_baseline_in_brackets_is_one_visit():
    # "14 weeks after the last dose of blinded study drug (up to 128 weeks)": the bracket restates
    # the visit from baseline (rules/timeframe_anchors.yaml restated_total).
    for text in ("From Day 1 up to 14 weeks after the last dose of blinded study drug (up to 128 weeks)",
                 "up to 30 days after the last dose of study drug administration (up to approximately 320 weeks)"):
        points = timeframes.parse(text)
        pairs = timeframes.same_visit(text, points)
        assert [(points[i].anchor, points[j].anchor) for i, j in pairs] == [("baseline", "end_of_treatment")], text
    # Not a span that is shorter than the time after the end, nor one after other words.
    for text in ("6 months after the last dose (up to 4 weeks)", "30 days after the last dose, then yearly (up to 5 years)"):
        assert timeframes.same_visit(text, timeframes.parse(text)) == [], text


def _generated(n: int, item: str, sep: str = ", ") -> str:
    return sep.join(item.format(i % 300 + 1) for i in range(n))


@pytest.mark.parametrize("item, tail, anchor", [("Day {}", "", "baseline"),
                                                ("{} days", " after surgery", "procedure"),
                                                ("{}", " days after the end of treatment", "end_of_treatment")])
def test_40k_point_time_frame_is_read_whole(item: str, tail: str, anchor: str):
    # Issue 11: reading was quadratic in the number of time points (40,000 took 30 s). Every point
    # is read, each with the list's anchor.
    text = _generated(40_000, item) + tail
    points = timeframes.parse(text)
    assert [round(p.weeks * 7) for p in points] == [i % 300 + 1 for i in range(40_000)]
    assert {p.anchor for p in points} == {anchor}


def test_long_number_list_without_unit_is_not_a_time():
    # A list of bare numbers names no time (and must not be re-read from every number).
    assert timeframes.parse(_generated(40_000, "{}")) == []
    text = _generated(40_000, "{}") + " weeks, 3 days"
    points = timeframes.parse(text)
    assert len(points) == 40_001 and points[-1].weeks == round(3 / 7, 2)
