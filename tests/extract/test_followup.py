"""Follow-up after treatment (auditor/extract/followup.py): what the figure rests on."""

from __future__ import annotations

import msgspec

from auditor.extract import derive, followup
from tests.extract.helpers import record


def _outcomes(*frames: str) -> list[dict[str, str]]:
    return [{"measure": "Pain", "time_frame": tf} for tf in frames]


def test_figure_from_the_duration_is_flagged_and_rests_on_its_evidence():
    rec = record(arms=[{"label": "A", "type": "EXPERIMENTAL", "description": "Exercise twice a week for 6 weeks."}],
                 outcomes=_outcomes("Baseline, 6 weeks, 12 months"))
    fu = followup.compute(rec.outcomes, 6.0)
    assert fu.after_treatment == 46 and fu.from_duration
    sheet = derive(rec)
    quotes = [e.quote for e in sheet.evidence["follow_up.weeks_after_treatment"]]
    assert any("for 6 weeks" in (q or "") for q in quotes)  # the duration's evidence is added


def test_figure_stated_from_the_end_of_treatment_is_not_flagged():
    rec = record(outcomes=_outcomes("12 months after the end of treatment"))
    fu = followup.compute(rec.outcomes, 6.0)
    assert fu.after_treatment == 52 and not fu.from_duration


def test_a_note_saying_minus_does_not_decide():
    # The flag is structured: an evidence note is never parsed for it.
    fu = followup.compute(record(outcomes=_outcomes("12 months after the end of treatment")).outcomes, 6.0)
    fu.after_evidence[0] = msgspec.structs.replace(fu.after_evidence[0], note="6 minus 2")
    assert not fu.from_duration


def test_recruitment_period_is_not_an_assessment():
    rec = record(outcomes=_outcomes("From first to last participant approached (up to 20 months)", "6 months"))
    assert followup.compute(rec.outcomes, None).max_from_baseline == 26


def test_schedule_in_the_description_is_not_cut_at_a_decimal_point():
    rec = record(description="The primary outcome is a 2.5 points decrease on the VAS 3 months after treatment.",
                 outcomes=[{"measure": "VAS"}])
    fu = followup.compute(rec.outcomes, 0.0, rec)
    assert fu.after_treatment == 13


def test_times_named_in_the_measure_of_an_outcome_without_time_frame():
    # What counts as a time in an outcome's own text is judged here, not by the registry reader.
    rec = record(outcomes=[{"measure": "Viral clearance at day 3"}, {"measure": "Mortality at weeks 2"},
                           {"measure": "6-minute walk distance"}, {"measure": "Change from baseline in EQ-5D"}])
    fu = followup.compute(rec.outcomes, None)
    assert fu.max_from_baseline == 2
    specific, unspecific, _ = followup.specificity(rec)
    assert specific is False and unspecific == ["(no time frame) 6-minute walk distance",
                                                "(no time frame) Change from baseline in EQ-5D"]


def test_a_visit_dated_from_baseline_and_from_the_end_of_treatment():
    # "12-months (6-months after completing the trial)": the late visit is 26 weeks after treatment
    # even when the duration is not stated; the other visits are earlier.
    rec = record(outcomes=_outcomes("6-months", "Baseline, 3-months and 6-months", "12-months (6-months after completing the trial)."))
    fu = followup.compute(rec.outcomes, None)
    assert (fu.max_from_baseline, fu.after_treatment, fu.from_duration) == (52, 26, False)


def test_at_discharge_dated_in_days_is_the_end_of_treatment():
    rec = record(outcomes=_outcomes("Change from baseline compared to same values at discharge (mean value 8 days)"))
    assert followup.compute(rec.outcomes, None).after_treatment == 0


def test_reassessment_schedule_in_the_description():
    rec = record(description="A baseline assessment will be performed. Reassessment will be completed at 6, 12, 26 and 52 weeks.",
                 outcomes=[{"measure": "VAS"}])
    assert followup.compute(rec.outcomes, None, rec).max_from_baseline == 52


def test_time_frame_that_gives_the_treatment_period_is_the_end_of_treatment():
    # "Up to 8 weeks through the duration of treatment": the last assessment is at the end of
    # treatment, so it is 0 weeks after it even where the treatment duration was not read.
    for tf in ("Up to 8 weeks through the duration of treatment", "Duration of therapy (up to 8 weeks)"):
        fu = followup.compute(record(outcomes=_outcomes(tf)).outcomes, None)
        assert fu.after_treatment == 0 and fu.max_from_baseline == 8, tf


def test_anchor_of_one_outcome_is_not_carried_to_another():
    # One outcome dates its visit from the 2nd treatment, the others give bare months: each time
    # frame keeps its own anchor (the bare "12 months" is from baseline).
    rec = record(outcomes=_outcomes("3-months after 2nd treatment", "Baseline, 1-month, 3-months, 6 months, 12 months"))
    fu = followup.compute(rec.outcomes, 4.0)
    assert fu.after_treatment == 48 and fu.max_from_baseline == 52


def test_end_of_treatment_point_later_than_every_baseline_point_leaves_the_latest_unknown():
    # "Before intervention" + "4 weeks after the last session" (or "3 weeks" + "one month after
    # treatment") with the treatment length unknown: the last visit is at least 4 weeks from
    # baseline, so the latest point from baseline is not 0 (or 3) but unknown; the weeks after
    # treatment are still read.
    for frames in (("Before intervention and four weeks after the last session",),
                   ("3 weeks", "One month after treatment")):
        fu = followup.compute(record(outcomes=_outcomes(*frames)).outcomes, None)
        assert fu.max_from_baseline is None and fu.after_treatment is not None, frames
    # With the duration known, the end-of-treatment point becomes a time from baseline.
    fu = followup.compute(record(outcomes=_outcomes("3 weeks", "One month after treatment")).outcomes, 2.0)
    assert fu.max_from_baseline == 6.33
    # An end-of-treatment point no later than a baseline point leaves the latest as read.
    fu = followup.compute(record(outcomes=_outcomes("12 months", "1 month after treatment")).outcomes, None)
    assert fu.max_from_baseline == 52


def test_point_dated_from_an_unplaced_event_later_than_every_placed_point_leaves_the_latest_unknown():
    # "study day 49" and "18-22 months corrected gestational age": the neurodevelopmental visit is
    # at that age, not 95 weeks after baseline, but it is surely later than day 49: the latest
    # assessment (and the weeks after treatment) are unknown rather than day 49.
    fu = followup.compute(record(outcomes=_outcomes("study day 49", "18-22 months corrected gestational age")).outcomes, 6.0)
    assert fu.max_from_baseline is None and fu.after_treatment is None
    # An unplaced point earlier than a placed one does not matter.
    fu = followup.compute(record(outcomes=_outcomes("12 months", "6 weeks postpartum")).outcomes, 6.0)
    assert fu.max_from_baseline == 52 and fu.after_treatment == 46


def test_time_after_the_second_dose_is_after_the_end_of_a_two_dose_course():
    # "Two doses 4 weeks apart"; "12 months after the second vaccination": 52 weeks after the end
    # of the course, 56 from baseline (read before as 52 from baseline, 48 after).
    fu = followup.compute(record(outcomes=_outcomes("Day 28", "12 months after the second vaccination")).outcomes, 4.0)
    assert fu.after_treatment == 52 and fu.max_from_baseline == 56


def _protocol(time_frame: str, weeks: list[float], anchor: str = "baseline", extra: str = "") -> bytes:
    points = "".join(f"      - {{weeks: {w:g}, from: {anchor}}}\n" for w in weeks)
    return (f"trial:\n  title: Exercise for chronic low back pain\noutcomes:\n  - measure: Pain intensity\n"
            f"    primary: true\n    time_frame: {time_frame}\n    time_points:\n{points}{extra}").encode()


def _sheet(blob: bytes):
    from auditor.sources import read_blob

    (rec,) = list(read_blob(blob, "protocol.yaml"))
    return derive(rec)


def test_time_points_that_contradict_their_time_frame_leave_the_latest_unclear_quoting_both():
    sheet = _sheet(_protocol("baseline, 6 and 12 months", [6, 12]))
    assert sheet.facts["follow_up"]["max_weeks_from_baseline"] is None
    quotes = [(e.quote, e.note) for e in sheet.evidence["follow_up.max_weeks_from_baseline"]]
    assert quotes[0][0] == "12" and "disagree with its time frame" in quotes[0][1]
    assert "12 months" in quotes[1][0] and "disagrees with its time points" in quotes[1][1]


def test_time_points_that_agree_with_their_time_frame_are_the_figure():
    # 6 months written as 24 weeks, 12 months as 52: the same visits.
    sheet = _sheet(_protocol("baseline, 6 and 12 months", [0, 24, 52]))
    assert sheet.facts["follow_up"]["max_weeks_from_baseline"] == 52
    assert "disagree" not in (sheet.evidence["follow_up.max_weeks_from_baseline"][0].note or "")
    # A time frame that names no time cannot contradict the points.
    assert _sheet(_protocol("until the end of the study", [6, 12])).facts["follow_up"]["max_weeks_from_baseline"] == 12


def test_a_contradiction_that_does_not_change_the_figure_leaves_it():
    other = "  - measure: Disability\n    time_frame: 104 weeks\n    time_points:\n      - {weeks: 104, from: baseline}\n"
    sheet = _sheet(_protocol("baseline, 6 and 12 months", [6, 12], extra=other))
    assert sheet.facts["follow_up"]["max_weeks_from_baseline"] == 104


def test_two_outcomes_that_contradict_their_time_frames_alike_do_not_hide_each_other():
    # Pain and HRQoL both "Baseline, 3, 6 and 12 months" (from baseline) with points at 52 weeks
    # after the end of an 8-week treatment: each outcome's text alone left the other's points at
    # 60 weeks, so FU01 read met while QL03 (the HRQoL outcome alone) was unclear.
    arm = "design:\n  arms:\n    - label: A\n      components: [exercise]\n      duration_weeks: 8\n"
    hrqol = ("  - measure: Quality of life\n    domain: hrqol\n    instrument: EQ-5D-5L\n"
             "    time_frame: Baseline, 3, 6 and 12 months\n    time_points:\n"
             "      - {weeks: 0}\n      - {weeks: 52, from: end_of_treatment}\n")
    blob = _protocol("Baseline, 3, 6 and 12 months", [0], extra="      - {weeks: 52, from: end_of_treatment}\n" + hrqol)
    sheet = _sheet(blob + arm.encode())
    assert sheet.facts["follow_up"]["weeks_after_treatment"] is None
    assert sheet.facts["outcomes"]["hrqol"]["weeks_after_treatment"] is None
    notes = [e.note or "" for e in sheet.evidence["follow_up.weeks_after_treatment"]]
    assert any("disagree with its time frame" in n for n in notes) and any("disagrees with its time points" in n for n in notes)
    # The pain outcome's text agreeing with its points settles the latest time (52 weeks after
    # treatment whichever HRQoL reading holds); the HRQoL fact stays unclear.
    agree = blob.replace(b"Baseline, 3, 6 and 12 months\n    time_points:\n      - {weeks: 0, from",
                         b"Baseline and 12 months after treatment\n    time_points:\n      - {weeks: 0, from")
    facts = _sheet(agree + arm.encode()).facts
    assert facts["follow_up"]["weeks_after_treatment"] == 52 and facts["outcomes"]["hrqol"]["weeks_after_treatment"] is None


def test_an_anchor_that_contradicts_the_time_frame_leaves_the_time_after_treatment_unclear():
    arm = "design:\n  arms:\n    - label: Exercise\n      description: Exercise therapy.\n      duration_weeks: 8\n"
    blob = _protocol("52 weeks after the end of treatment", [52]) + arm.encode()
    sheet = _sheet(blob)
    assert sheet.facts["follow_up"]["weeks_after_treatment"] is None
    assert sheet.facts["follow_up"]["max_weeks_from_baseline"] is None


def test_time_after_the_last_dose_with_the_span_from_baseline_in_brackets_is_one_visit():
    # "up to 30 days after the last dose of study drug (up to 320 weeks)": the bracket restates the
    # visit from baseline, so it is 30 days after treatment, and the treatment (length not stated
    # elsewhere) ended at 316 weeks: "Baseline up to Week 285" is before it (was: unknown).
    frames = ("From the start of study treatment up to 30 days after the last dose of study drug administration (up to 320 weeks)",
              "Baseline (within 6 months prior to first dose) up to Week 285")
    fu = followup.compute(record(outcomes=_outcomes(*frames)).outcomes, None)
    assert (fu.max_from_baseline, fu.after_treatment, fu.from_duration) == (320, 4.29, False)
    assert "dated from the end of treatment" in (fu.after_evidence[0].note or "")
    # With the treatment length known the visit is still 14 weeks after it, not 128 - 104.
    fu = followup.compute(record(outcomes=_outcomes("From Day 1 up to 14 weeks after the last dose of study drug (up to 128 weeks)")).outcomes, 104.0)
    assert (fu.max_from_baseline, fu.after_treatment) == (128, 14)
    # A bare bracket may restate the treatment's length, not the span from baseline: with 8 weeks of
    # treatment, "4 weeks after the end of treatment (8 weeks)" is at 12 weeks (was read as 8).
    fu = followup.compute(record(outcomes=_outcomes("4 weeks after the end of treatment (8 weeks)")).outcomes, 8.0)
    assert (fu.max_from_baseline, fu.after_treatment) == (12, 4)
    # A bracket after other words is another span ("then yearly (up to 5 years)"): not the same visit.
    fu = followup.compute(record(outcomes=_outcomes("30 days after the last dose, then yearly (up to 5 years)")).outcomes, None)
    assert fu.after_treatment is None and fu.max_from_baseline == 260


def test_the_end_of_treatment_dated_by_one_visit_places_the_other_baseline_points():
    # "Week 8 (End of Treatment)" and "Week 20" with the treatment length unread: 12 weeks after.
    fu = followup.compute(record(outcomes=_outcomes("Week 8 (End of Treatment)", "Week 20")).outcomes, None)
    assert fu.after_treatment == 12 and not fu.from_duration
    # Two visits that date the end differently (two phases): the points stay unplaced.
    fu = followup.compute(record(outcomes=_outcomes("Week 8 (End of Treatment)", "Week 30 (end of treatment)", "Week 40")).outcomes, None)
    assert fu.after_treatment is None


def test_how_long_a_state_lasts_is_no_assessment_time():
    # "returned to normal temperature for at least 72 hours": with no other time named, the latest
    # assessment is unknown (it was read as 3 days, and 0 weeks after a 1-week treatment).
    rec = record(outcomes=[{"measure": "Time to fever subsidence: normal temperature for at least 72 hours"},
                           {"measure": "Time to clinical improvement: hospital discharge or NEWS2<2 for 24 hours"}])
    fu = followup.compute(rec.outcomes, 1.0)
    assert fu.max_from_baseline is None and fu.after_treatment is None


def test_an_instrument_name_with_its_abbreviation_in_brackets_is_no_time():
    # "EuroQOL (EQ)-5D-5L": the 5 is glued to the name by a hyphen after the bracket, as in "EQ-5D"
    # (it was read as 5 days, the only time of an ICTRP record).
    rec = record(outcomes=[{"measure": "Polyneuropathy only: Change from Baseline in EuroQOL (EQ)-5D-5L"}])
    assert followup.compute(rec.outcomes, None).max_from_baseline is None


def test_the_end_dated_by_a_visit_places_the_points_after_treatment_from_baseline():
    # "Week 8 (End of Treatment)" and "12 weeks after treatment", the length unread: 20 from baseline
    # (it was unknown: the end-of-treatment point could not be placed).
    fu = followup.compute(record(outcomes=_outcomes("Week 8 (End of Treatment)", "12 weeks after treatment")).outcomes, None)
    assert (fu.max_from_baseline, fu.after_treatment) == (20, 12)


def _dated_by(summary: str) -> followup.FollowUp:
    """Follow-up of 8 weeks of treatment, time frame "Baseline, 4 weeks, 8 weeks, 6 months and 12
    months", beside `summary`."""
    rec = record(summary=summary, outcomes=_outcomes("Baseline, 4 weeks, 8 weeks, 6 months and 12 months"))
    return followup.compute(rec.outcomes, 8.0, rec)


def test_times_the_description_dates_from_the_end_of_treatment():
    # "Baseline, 4 weeks, 8 weeks, 6 months and 12 months" with "assessed at 6 and 12 months after
    # study completion" in the summary: the late visits are after the 8-week treatment (a dev record's
    # convention: the time frame lists the times, the summary says from when).
    fu = _dated_by("The treatment lasts eight weeks. They will also be assessed at 6 and 12 months after study completion.")
    assert (fu.max_from_baseline, fu.after_treatment) == (60, 52)
    assert "the description dates it" in (fu.after_evidence[0].note or "")
    # A time the description dates from baseline as well is left as the time frame gives it.
    both = record(summary="Follow-up at 12 months after randomisation and 12 months after the end of treatment.",
                  outcomes=_outcomes("Baseline, 12 months"))
    assert followup.compute(both.outcomes, 8.0, both).after_treatment == 44
    # Without a description the time frame's times are from baseline.
    plain = record(outcomes=_outcomes("Baseline, 4 weeks, 8 weeks, 6 months and 12 months"))
    assert followup.compute(plain.outcomes, 8.0, plain).after_treatment == 44


def test_description_with_a_number_glued_to_and_dates_the_times():
    # "6 and12 months" (a missing space, kept by the registry) is read as "6 and 12 months"
    # (text.unglued), so the description dates the 12-month visit from the end of treatment too;
    # the quote is the record's own text.
    fu = _dated_by("The treatment lasts eight weeks. They will also be assessed at 6 and12 months after study completion.")
    assert (fu.max_from_baseline, fu.after_treatment) == (60, 52)
    assert "6 and12 months after study completion" in (fu.after_evidence[0].note or "")


def test_description_time_after_a_post_intervention_marker_does_not_undo_its_dating():
    # The description dates 6 and 12 months from the end of treatment and elsewhere names the same
    # times after "post-intervention" with no anchor of their own ("post-intervention follow up
    # surveys at 6- and 12-months"): that does not date them from baseline, so the visits stay after
    # the treatment. The same times with no anchor and no end named before them ("Follow-up at 6
    # and 12 months") are from baseline by registry convention, and the time frame stays as written.
    summary = "Participants will also be assessed at 6 and 12 months after study completion."
    tf = _outcomes("Baseline, 4 weeks, 8 weeks, 6 months and 12 months")
    rec = record(summary=summary, description="There will also be post-intervention follow up surveys at 6- and 12-months.",
                 outcomes=tf)
    assert followup.compute(rec.outcomes, 8.0, rec).after_treatment == 52
    for other in ("Follow-up surveys at 6 and 12 months.", "Follow-up at 6 and 12 months after randomisation."):
        rec = record(summary=summary, description=other, outcomes=tf)
        assert followup.compute(rec.outcomes, 8.0, rec).after_treatment == 44, other


def test_a_visit_at_the_treatments_length_is_not_redated_by_the_same_number_after_the_end():
    # 12 weeks of treatment, time frame "Baseline, Week 12", summary "followed up 12 weeks after the
    # end of treatment": the registered Week-12 visit is the end of treatment (0 after it), the
    # description's 12 weeks after the end is another, unregistered visit (found by a review).
    summary = "Participants will be followed up 12 weeks after the end of treatment."
    rec = record(summary=summary, outcomes=_outcomes("Baseline, Week 12"))
    fu = followup.compute(rec.outcomes, 12.0, rec)
    assert (fu.max_from_baseline, fu.after_treatment) == (12, 0)


def test_a_sentence_about_reporting_the_results_dates_no_visit():
    # "Outcomes will be reported within 12 months after study completion" is about publishing, not an
    # assessment: the time frame's 12 months stay from baseline (rules: not_schedule_words).
    tf = _outcomes("Baseline, 12 months")
    for summary in ("Outcomes will be reported within 12 months after study completion.",
                    "Results will be published 12 months after the end of treatment in a peer-reviewed journal."):
        rec = record(summary=summary, outcomes=tf)
        assert followup.compute(rec.outcomes, 8.0, rec).after_treatment == 44, summary
    # An assessment sentence still dates it.
    rec = record(summary="Outcomes will be assessed 12 months after the end of treatment.", outcomes=tf)
    assert followup.compute(rec.outcomes, 8.0, rec).after_treatment == 52


def test_followed_for_and_follow_patients_at_are_schedules_but_followed_by_and_the_study_length_are_not():
    # Descriptions without outcome time frames: "followed for N months (after X)" and "follow
    # patients at ..." give the assessment schedule (rules: schedule_words); "followed by" orders
    # periods, and the anticipated duration of the whole study (recruitment included) is no visit
    # (not_schedule_words).
    def latest(description: str, weeks: float | None = None) -> tuple[float | None, float | None]:
        rec = record(description=description, outcomes=[])
        fu = followup.compute(rec.outcomes, weeks, rec)
        return fu.max_from_baseline, fu.after_treatment

    assert latest("We will follow patients at 6 weeks and 3, 6 and 12 months.")[0] == 52
    assert latest("Patients will be followed for 6 months.")[0] == 26
    assert latest("Participants exercise for 8 weeks, followed by a home programme of 4 weeks.")[0] is None
    assert latest("Subjects will be followed for 2 years, with the anticipated duration of the study "
                  "being approximately 5 years.") == (None, None)
    # Funding and the staff's experience are no visits either.
    assert latest("The council has funded a 4-year project (2016-2019) to develop and evaluate the app.") == (None, None)
    assert latest("The psychologist, whose practice for 15 years has been the evaluation of back pain, "
                  "assesses every patient.") == (None, None)
    # A reporting deadline is no visit.
    assert latest("Serious adverse events will be reported to the sponsor and the ethics committee "
                  "within 24 hours.") == (None, None)
    # Statistics quoted from earlier data for the sample size are no schedule of this trial.
    assert latest("Sample size: earlier data (pre-treatment = 5.8, SD = 2.1; follow-up 6 months = 3.0, "
                  "SD = 2.2) give 40 per group.") == (None, None)
    assert latest("Participants are assessed at baseline and 12 weeks.")[0] == 12


def test_a_schedule_sentence_opening_with_the_end_of_treatment_dates_its_times_from_it():
    # "After completion of study treatment, patients are followed up at 3 and 6 months" (a common
    # sponsor template): the times are after the end, not from baseline; a time with its own anchor
    # keeps it, and an end named later in the sentence dates nothing before it.
    def fu(description: str, weeks: float | None) -> tuple[float | None, float | None]:
        rec = record(description=description, outcomes=[])
        out = followup.compute(rec.outcomes, weeks, rec)
        return out.max_from_baseline, out.after_treatment

    assert fu("After completion of study treatment, patients are followed up at 3 and 6 months.", 8.0) == (34, 26)
    assert fu("Following the intervention, participants are followed for 3 months.", None) == (None, 13)
    assert fu("After the end of treatment, patients are followed up for 12 months from baseline.", 8.0) == (52, 44)
    assert fu("Patients are assessed at 3 and 6 months and after the end of treatment.", 8.0) == (26, 18)


def test_data_collection_and_endpoint_wording_is_an_assessment_schedule():
    # "Data will be collected at ...", "three points of data collection (...)", "Primary endpoint:
    # ... to Week 10" (schedule_words).
    for description, latest in (("Data will be collected at baseline, 6 weeks and 20 weeks.", 20),
                                ("There will be three points of data collection (baseline, 6 weeks, 12 weeks).", 12),
                                ("Primary endpoint: change in pain from baseline to Week 10.", 10),
                                ("We will conduct telephone interviews at baseline, 3 and 6 months post-randomization.", 26)):
        rec = record(description=description, outcomes=[])
        assert followup.compute(rec.outcomes, None, rec).max_from_baseline == latest, description


def test_a_description_that_assesses_only_before_and_after_treatment_has_no_follow_up_after_it():
    # "Measures administered pre- and post-intervention": the last assessment is at the end of
    # treatment (0 weeks after it), from baseline the treatment's length when it is known.
    for weeks, want in ((8.0, (8, 0)), (None, (None, 0))):
        rec = record(description="Measures that will be administered pre- and post-intervention include the BPI.", outcomes=[])
        fu = followup.compute(rec.outcomes, weeks, rec)
        assert (fu.max_from_baseline, fu.after_treatment) == want, weeks


def _latest_in_description(description: str) -> float | None:
    """The latest assessment from baseline of a record whose only schedule is its description."""
    rec = record(description=description, outcomes=[])
    return followup.compute(rec.outcomes, None, rec).max_from_baseline


def test_a_sentence_reporting_an_earlier_study_dates_no_visit_of_this_trial():
    # A finding of earlier studies cited in the background (a citation, a reference number, earlier
    # studies, "reported that") is another study's schedule (rules/harms.yaml background_sentence);
    # a sentence of this trial's plan that cites a method is still its schedule (plan_words).
    assert _latest_in_description("Lee et al reported that over 80% of patients were satisfied with a 2-year follow-up (8).") is None
    assert _latest_in_description("That trial showed that pain was lower at 6 months.") is None
    assert _latest_in_description("Questionnaires are completed at baseline, 3 and 6 months, similar to previous studies.") == 26
    assert _latest_in_description("In a pilot trial, pain was lower at 6 months [12].") is None
    assert _latest_in_description("The investigators will also assess the biomarkers at baseline and after six weeks (138, 139).") == 6
    assert _latest_in_description("(1) Baseline assessment; (2) assessment at 12 weeks.") == 12
    assert _latest_in_description("Participants are assessed at baseline and 6 months, as in previous studies of this app.") == 26


def test_a_time_from_baseline_or_randomisation_and_surveys_are_assessment_times():
    # schedule_words: "post-baseline", "post-randomization", surveys, re-tests.
    assert _latest_in_description("It is hypothesized that at 3, 6, and 12 months post-baseline, the intervention group will have less pain.") == 52
    assert _latest_in_description("Surveys will be mailed to participants at 3 and 6 months.") == 26
    assert _latest_in_description("Our group has conducted a retrospective one-year survey of this patient group.") is None


def test_a_repeat_interval_is_no_visit_and_leaves_an_open_latest_unknown():
    # "every 3 months" says how often, not when the last assessment is (interval_before): the latest
    # is unknown unless another time lies later; an interval shorter than a day is within one session.
    def latest(*frames: str) -> float | None:
        rec = record(outcomes=_outcomes(*frames))
        return followup.compute(rec.outcomes, 8, rec).max_from_baseline

    assert latest("every 3 months") is None
    assert latest("Every 4 weeks up to 24 weeks") == 24
    assert latest("every 3 months", "Through study completion, an average of 1 year") == 52
    assert latest("Every 6 months for as long as you allow", "30 days") is None
    assert latest("Blood pressure every 5 minutes during surgery", "24 hours") == 0.14


def test_follow_ups_listed_after_the_end_count_from_it_where_from_baseline_they_would_precede_it():
    # "post-treatment, 1-month follow-up" after 8 weeks of treatment: the follow-up comes after the
    # treatment, so the record's follow-ups count from its end (followup_latest._listed_after);
    # a later one keeps the registry convention (from baseline).
    def latest(frame: str, weeks: float = 8) -> tuple[float | None, float | None]:
        rec = record(outcomes=_outcomes(frame))
        fu = followup.compute(rec.outcomes, weeks, rec)
        return fu.max_from_baseline, fu.after_treatment

    assert latest("baseline, mid-treatment, post-treatment, 1-month follow-up") == (12.33, 4.33)
    assert latest("Baseline, post-treatment (week 8), 1 month follow up") == (12.33, 4.33)
    assert latest("pre- and post-treatment, and at 1, 3, and 6 months follow-up") == (34.0, 26.0)
    assert latest("Pre-treatment, post-treatment and 6-month follow-up") == (26.0, 18.0)
    assert latest("Post-treatment at Week 8") == (8.0, 0.0)
    # (found in review) a time frame that dates the end itself is compared with that end: both
    # follow-ups lie after 3 months, so they stay from baseline whatever the arm's length
    assert latest("Baseline, post-intervention (3 months), 6-month follow-up, 12-month follow-up", 52)[0] == 52


def test_contacting_participants_and_recording_for_a_time_are_assessment_times():
    # schedule_words: "follow them for", "will be called", "contacted", "recorded for".
    assert _latest_in_description("Participants receive CBT and we will follow them for 12 months.") == 52
    assert _latest_in_description("Two days and one week postoperative patients will be called and asked about complications.") == 1
    assert _latest_in_description("All groups are contacted after 6 months and 12 months.") == 52
    assert _latest_in_description("Pulse oximetry data will be recorded for 24 hours postoperatively.") == 0.14
    assert _latest_in_description("Participants listen to pre-recorded 15-20 minute guided meditations.") is None
    assert _latest_in_description("The drug, also called Elspar, is given once a week for 30 weeks.") is None
