"""Population facts: is the trial about back pain, and does eligibility require >= 12 weeks of it.

The vocabularies and phrase rules are data: `rules/eligibility.yaml` (docs/rules/eligibility.md).

chronic_lbp_12w (labels README): only for back-pain trials with eligibility criteria.
- protocol `min_pain_duration_weeks` wins;
- the NIH Task Force definition of chronic LBP -> true;
- every duration the criteria set for the pain, or for the failed conservative care for it, is a
  floor on how long the pain has lasted; floors are all required, so the largest counts: >= 12
  weeks -> true, below -> false. Inclusion "pain for at least 3 months", "failed 6 months of
  conservative care"; exclusion "symptoms < 3 months" (excluded when shorter = a floor); an upper
  bound only ("back pain for less than 3 months", "onset within 6 months") admits recent pain;
- "any duration" or acute / subacute pain eligible -> false;
- "chronic" pain without a duration -> null (the record does not say how long);
- a duration written with another language's unit word ("i mindst 3 måneder"; rules/
  other_languages.yaml) -> null: a duration the rules cannot read is no "no requirement";
- no pain-duration requirement at all -> false.

The eligibility patterns run case-sensitively on the lower-cased text (text.lowered keeps every
offset), so one Aho-Corasick pass over it finds where each pattern's trigger words (read off the
pattern: prefilter.trigger_words) start, and each pattern is tried only there.

- `patterns`: the rule file compiled (with the unit spellings of units.yaml), and the trigger index;
- `back_pain`: low_back_pain, from the conditions, keywords and titles;
- `scan`: the eligibility text lower-cased and indexed once (Scan);
- `pain_duration`: chronic_lbp_12w from the eligibility text (Task Force, floors, acute, chronic);
- here: derive() (a protocol's stated minimum wins) and the extractor contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from auditor.extract.population.back_pain import about_back_pain
from auditor.extract.population.pain_duration import from_eligibility, stated_floor
from auditor.facts import Evidence, FactSheet
from auditor.model import TrialRecord


@dataclass
class Population:
    low_back_pain: bool = False
    lbp_evidence: list[Evidence] = field(default_factory=list)
    chronic_12w: bool | None = None
    chronic_evidence: list[Evidence] = field(default_factory=list)


def derive(record: TrialRecord) -> Population:
    result = Population()
    result.low_back_pain, result.lbp_evidence = about_back_pain(record)
    if record.pain_duration_weeks is not None:
        n = record.pain_duration_weeks
        result.chronic_12w = n.value >= 12
        result.chronic_evidence = [Evidence.of(n, note=f"minimum pain duration {n.value:g} weeks")]
        # A file whose number and eligibility text disagree about chronicity ("3" weeks beside
        # "pain for at least 3 months") does not say which holds: unclear, quoting both.
        text = record.eligibility
        if text is not None and (floor := stated_floor(text)) is not None and floor[0] != result.chronic_12w:
            result.chronic_12w = None
            result.chronic_evidence += [msgspec.structs.replace(e, note=f"{e.note}; disagrees with the stated "
                                                                          f"minimum of {n.value:g} weeks")
                                        for e in floor[1]]
        return result
    if result.low_back_pain and record.eligibility is not None and record.eligibility.value.strip():
        result.chronic_12w, result.chronic_evidence = from_eligibility(record.eligibility)
    return result


# The extractor contract (auditor/extract/__init__.py): the facts this module writes and reads.
WRITES = ("population.low_back_pain", "population.chronic_lbp_12w")
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    pop = derive(record)
    sheet.set("population.low_back_pain", pop.low_back_pain, pop.lbp_evidence)
    sheet.set("population.chronic_lbp_12w", pop.chronic_12w, pop.chronic_evidence)
