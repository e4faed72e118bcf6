"""Ho 2022 intervention categories per arm (CRITERIA.md vocabulary) and psych-with-physio.

Each arm is read together with the interventions assigned to it (ctgov armGroupLabels /
interventionNames). The phrase rules, which categories are psychological and the mapping of the
registry's intervention types (DRUG, DEVICE, ...) are data: `rules/interventions.yaml` (see
docs/rules/interventions.md). This package holds the mechanism that applies them:

- `ruledata`: the rule file compiled, and one Aho-Corasick trigger index over all its phrase lists;
- `scan`: one pass over one text (each text of a record is scanned once);
- `arms`: per arm, what its texts and registry types show; psych-with-physio;
- `inherit`: what an arm takes from the record's own texts (the therapy a digital programme's summary
  names, what a single-arm trial's title names, a programme the record calls a regulated device).

Speed: every phrase list of the rule file (category tiers and the auxiliary lists such as
`digital` or `inactive`) is one named pattern of the single trigger index, so each text is passed
over once and only the patterns whose trigger words occur are tried, at those positions.
"""

from __future__ import annotations

from auditor.extract.interventions.arms import ArmCategories, arm_groups, derive
from auditor.extract.interventions.ruledata import CATEGORIES, PSYCHOLOGICAL
from auditor.facts import FactSheet
from auditor.model import TrialRecord

__all__ = ["CATEGORIES", "PSYCHOLOGICAL", "READS", "WRITES", "ArmCategories", "derive", "extract"]

WRITES = ("treatment.intervention_categories", "treatment.psych_with_physio")
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    cats = derive(record)
    if _undescribed(record):
        # An arm (or the record) that says nothing of what it delivers - a draft's TODO arm, a file
        # without arms - leaves the trial's categories unknown: they are the union over its arms, and
        # that arm may deliver any of them, so a list of the described arms' categories would say
        # "none of the others" without support (null, also beside described arms). Psych-with-physio
        # is "some arm co-delivers": a described arm that shows it settles it; otherwise null.
        sheet.set("treatment.intervention_categories", None)
        if cats.psych_with_physio:
            sheet.set("treatment.psych_with_physio", True, cats.psych_with_physio_evidence)
        else:
            sheet.set("treatment.psych_with_physio", None)
        return
    sheet.set("treatment.intervention_categories", cats.categories, cats.evidence)
    sheet.set("treatment.psych_with_physio", cats.psych_with_physio,
              cats.psych_with_physio_evidence if cats.psych_with_physio else None)


def _undescribed(record: TrialRecord) -> bool:
    """The record names no arm or intervention, or one of its arms has no text at all (no label,
    description or component, and no intervention assigned to it)."""
    groups = arm_groups(record)
    return not groups or any(not any(texts for texts, _ in units) for _, _, units in groups)
