"""Sentences that report an earlier study, cited in the background of a summary or description
("Lee et al reported that over 80% ... with a 2-year follow-up (8)"): their times and lengths are
another study's, not this trial's schedule or course. The words are data (rules/harms.yaml
background_sentence and plan_words), shared by every reader of prose."""

from __future__ import annotations

import re

from auditor.extract import rules
from auditor.extract.text import compile_fast

_RULES = rules.load("harms")
_CUE = compile_fast(r"\b(?:" + "|".join(_RULES["background_sentence"]) + ")", re.IGNORECASE)
_PLAN = compile_fast(r"\b" + rules.alternation(_RULES["plan_words"]) + r"\b", re.IGNORECASE)


def reports_earlier_study(sentence: str) -> bool:
    """A background cue (a citation "et al", a reference in square brackets, "reported that") and
    no word of this trial's plan ("The investigators will also extract the blood samples at baseline
    and after six weeks (138, 139)" cites a method, and is the schedule)."""
    # The plan words first: most sentences of a registry's plan hold "will", one quick search.
    return not _PLAN.search(sentence) and bool(_CUE.search(sentence))
