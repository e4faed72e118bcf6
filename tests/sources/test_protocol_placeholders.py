"""The template's TODO placeholders are fields not yet written: they map to nothing, so no fact is
derived from them (a draft's gaps are `unclear`, not judged on the placeholder's words)."""

from __future__ import annotations

from auditor.extract import derive
from auditor.sources import read_blob

DRAFT = b"""\
trial:
  title: "TODO: scientific title"
population:
  condition: chronic non-specific low back pain
  eligibility: "TODO: inclusion and exclusion criteria"
design:
  type: interventional
  arms:
    - label: "TODO: experimental arm"
      type: experimental
      description: "  TODO what participants receive"
outcomes:
  - measure: "TODO: primary outcome"
    primary: true
"""


def test_placeholders_map_to_nothing_and_decide_no_fact() -> None:
    (record,) = list(read_blob(DRAFT, "draft.yaml"))
    assert record.title is None and record.eligibility is None
    assert record.arms[0].label is None and record.arms[0].description is None
    assert record.outcomes[0].measure is None
    assert record.conditions[0].value == "chronic non-specific low back pain"
    facts = derive(record).facts
    assert facts["population"]["chronic_lbp_12w"] is None  # not "false: no pain-duration requirement"


def test_a_value_that_only_mentions_todo_later_is_the_trialists_text() -> None:
    text = DRAFT.replace(b'"TODO: inclusion and exclusion criteria"', b'"Adults; TODO: add exclusions"')
    (record,) = list(read_blob(text, "draft.yaml"))
    assert record.eligibility is not None and record.eligibility.value == "Adults; TODO: add exclusions"


def test_a_stated_minimum_that_contradicts_the_eligibility_text_is_unclear_quoting_both() -> None:
    text = DRAFT.replace(b'"TODO: inclusion and exclusion criteria"', b'"low back pain for at least 3 months"')
    contradicted = text.replace(b"design:", b"  min_pain_duration_weeks: 3\ndesign:")
    (record,) = list(read_blob(contradicted, "draft.yaml"))
    sheet = derive(record)
    assert sheet.facts["population"]["chronic_lbp_12w"] is None
    quotes = [e.quote for e in sheet.evidence["population.chronic_lbp_12w"]]
    assert quotes[0] == "3" and "at least 3 months" in quotes[1]
    agreeing = text.replace(b"design:", b"  min_pain_duration_weeks: 13\ndesign:")
    (record,) = list(read_blob(agreeing, "draft.yaml"))
    assert derive(record).facts["population"]["chronic_lbp_12w"] is True


def test_a_duplicate_key_is_reported_at_its_line_like_every_other_problem() -> None:
    import pytest

    from auditor.errors import InputError

    with pytest.raises(InputError) as err:
        list(read_blob(b"trial:\n  title: x\noutcomes: []\noutcomes: []\n", "dup.yaml"))
    # ... and says what to do (session 9: it said only "duplicate key 'outcomes'").
    assert err.value.one_line() == ("dup.yaml:4:1: not valid YAML/JSON: `outcomes` is given twice (first at line 3): "
                                    "keep one, with what both hold")
