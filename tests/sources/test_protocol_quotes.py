"""A protocol file's evidence quotes what the trialist wrote, not the code the reader made of it."""

from __future__ import annotations

from auditor.extract import derive
from auditor.sources import read_blob

PROTOCOL = b"""\
trial:
  title: CBT for chronic low back pain
design:
  type: interventional
  masking:
    participants: false
    outcome_assessors: true
sample_size:
  target: 120
"""


def test_masking_is_quoted_by_the_files_lines() -> None:
    (record,) = list(read_blob(PROTOCOL, "p.yaml"))
    assert record.design.who_masked[0].value == "OUTCOMES_ASSESSOR"  # the code extractors read
    sheet = derive(record)
    (evidence,) = sheet.evidence["design.assessor_blinded"]
    assert (evidence.quote, evidence.line) == ("outcome_assessors: true", 7)
    assert PROTOCOL.decode().splitlines()[evidence.line - 1].strip() == evidence.quote


def test_a_mapped_block_quotes_its_lines_and_a_plain_value_has_no_original() -> None:
    (record,) = list(read_blob(PROTOCOL, "p.yaml"))
    assert record.design.masking.value == "MASKED"
    assert record.design.masking.original == "masking:\nparticipants: false\noutcome_assessors: true"
    assert record.design.study_type.original == "type: interventional"
    assert record.title.original is None  # the file's own text: nothing to add


def test_no_quote_is_made_up_for_an_inferred_code_and_comments_are_left_out() -> None:
    (record,) = list(read_blob(PROTOCOL.replace(b"outcome_assessors: true", b"outcome_assessors: true  # blinded"),
                               "p.yaml"))
    assert record.enrollment.type.value == "ESTIMATED" and record.enrollment.type.original is None
    assert record.design.who_masked[0].original == "outcome_assessors: true"
