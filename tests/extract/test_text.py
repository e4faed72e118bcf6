"""Shortened record text in evidence and messages ends at a whole word (finding F12 of a new-user run:
"clinical monitorin.")."""

from __future__ import annotations

import pytest

from auditor.extract.text import opening, shortened

LONG = "Number of participants with adverse events identified through clinical monitoring of vital signs"


@pytest.mark.parametrize("limit", [20, 40, 66, 80])
def test_an_opening_is_an_exact_substring_that_ends_at_a_whole_word(limit: int) -> None:
    head = opening(LONG, limit)
    assert LONG.startswith(head) and len(head) <= limit
    assert LONG[len(head)] == " "  # the next character starts a new word


def test_short_text_is_kept_whole_and_only_a_cut_gets_an_ellipsis() -> None:
    assert opening("Pain at 12 weeks", 80) == shortened("Pain at 12 weeks", 80) == "Pain at 12 weeks"
    assert shortened(LONG, 66) == "Number of participants with adverse events identified through…"


def test_one_long_word_is_cut_rather_than_lost() -> None:
    assert opening("x" * 100, 40) == "x" * 40
