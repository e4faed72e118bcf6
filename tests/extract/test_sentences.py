"""The sentence around a match is found from breaks computed once per text (a scan from the text's
start for every match made long dosing tables quadratic): the same sentences as a plain scan."""

from __future__ import annotations

import pytest

from auditor.extract.duration import reading

TEXTS = [
    "Day 1-3: 500 mg BID; Day 4-5: 250 mg BID.\nThen rest. Assessed at week 12.",
    "CBT for 8 weeks.\n\nFollow-up at 6 months; phone call on day 7 and day 14. End",
    "no break at all in this text day1-day2-day3",
    "ends with a break.\n",
    "",
]


def _plain_before(value: str, start: int) -> str:
    return value[max((m.end() for m in reading._SENTENCE_END.finditer(value, 0, start)), default=0):start]


@pytest.mark.parametrize("text", TEXTS)
def test_sentences_match_a_plain_scan_at_every_position(text: str) -> None:
    for start in range(len(text) + 1):
        assert reading._sentence_before(text, start) == _plain_before(text, start)
        for end in range(start, len(text) + 1):
            lo = start - len(_plain_before(text, start))
            stop = reading._SENTENCE_END.search(text, end)
            assert reading._sentence(text, start, end) == text[lo:stop.start() if stop else len(text)]
