"""population.low_back_pain: the conditions, keywords or titles name low back pain or a lumbar
spine condition (not a cervical/thoracic one), and no title is about another body site's pain."""

from __future__ import annotations

import re

from auditor.extract.population.patterns import LBP, OTHER_SITE, SPINE, UPPER_SPINE
from auditor.extract.text import evidence
from auditor.facts import Evidence
from auditor.model import Text, TrialRecord


def about_back_pain(record: TrialRecord) -> tuple[bool, list[Evidence]]:
    titles = [t for t in (record.title, record.official_title) if t is not None]
    texts = [*record.conditions, *record.keywords, *titles]
    hit = _first(LBP, texts, "about low back pain / lumbar spine")
    if hit is None and not any(UPPER_SPINE.search(t.value) for t in texts):
        hit = _first(SPINE, texts, "spine condition, not cervical/thoracic")
    if hit is None:
        return False, []
    source, _ = hit
    # A title about another body site's pain outweighs a stray "Low Back Pain" condition tag.
    if (source not in titles and not any(LBP.search(t.value) or SPINE.search(t.value) for t in titles)
            and (other := _first(OTHER_SITE, titles, "the title names another body site: not a back-pain trial"))):
        return False, [other[1]]
    return True, [hit[1]]


def _first(pattern: re.Pattern[str], texts: list[Text], note: str) -> tuple[Text, Evidence] | None:
    for text in texts:
        if m := pattern.search(text.value):
            return text, evidence(text, m.start(), m.end(), note)
    return None
