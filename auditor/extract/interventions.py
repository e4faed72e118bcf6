"""Ho 2022 intervention categories per arm (CRITERIA.md vocabulary) and psych-with-physio.

Each arm is read together with the interventions assigned to it (ctgov armGroupLabels /
interventionNames). The phrase rules, which categories are psychological and the mapping of the
registry's intervention types (DRUG, DEVICE, ...) are data: `rules/interventions.yaml` (see
docs/rules/interventions.md). This module holds the mechanism that applies them. Acceptance and
commitment therapy is filed under mindfulness, as Ho 2022 does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from auditor.extract import rules
from auditor.extract.text import (
    TriggerIndex,
    ascii_lower,
    belongs,
    compile_fast,
    evidence,
    trigger_words,
)
from auditor.facts import Evidence, FactSheet
from auditor.model import Text, TrialRecord

_DATA = rules.load("interventions")
_WHERE = "rules/interventions.yaml"


def _alt(patterns: list[str], case_sensitive: bool = False) -> str:
    """One alternation of rule phrases, each from the start of a word."""
    body = r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"
    return f"(?-i:{body})" if case_sensitive else body


def _compile(patterns: list[str], where: str, acronyms: list[str] | None = None) -> re.Pattern[str] | None:
    parts = ([_alt(patterns)] if patterns else []) + ([_alt(acronyms, True)] if acronyms else [])
    if not parts:
        return None
    pattern = "|".join(parts)
    try:
        return compile_fast(pattern, re.IGNORECASE)
    except re.error as exc:
        raise rules.RuleError(f"{_WHERE} {where}: bad pattern {pattern!r}: {exc}") from exc


@dataclass(frozen=True)
class _Rule:
    """One tier of one category's phrases: strong (`phrases`, `acronyms`), weak or context."""
    name: str  # unique key for the trigger index
    category: str
    tier: str  # "strong", "weak", "context"
    pattern: re.Pattern[str]

    def triggers(self) -> tuple[str, ...] | None:
        """The words a match starts with. The case-sensitive acronyms are read case-insensitively
        here: every match of "CBT" starts with "cbt" in the lower-cased text."""
        return trigger_words(re.compile(self.pattern.pattern.replace("(?-i:", "(?:"), re.IGNORECASE))


@dataclass(frozen=True)
class _Category:
    psychological: bool
    exceptions: re.Pattern[str] | None
    weak_yields_to: frozenset[str]
    weak_is_psychological: bool


def _load() -> tuple[list[_Rule], dict[str, _Category]]:
    found: list[_Rule] = []
    cats: dict[str, _Category] = {}
    for cat, raw in _DATA["categories"].items():
        spec = raw or {}
        cats[cat] = _Category(bool(spec.get("psychological")),
                              _compile(spec.get("exceptions") or [], f"{cat}.exceptions"),
                              frozenset(spec.get("weak_yields_to") or ()),
                              bool(spec.get("psychological")) and spec.get("weak_is_psychological", True))
        for tier, patterns, acronyms in (("strong", spec.get("phrases") or [], spec.get("acronyms") or []),
                                         ("weak", spec.get("weak_phrases") or [], []),
                                         ("context", spec.get("context_phrases") or [], [])):
            pattern = _compile(patterns, f"{cat}.{tier}", acronyms)
            if pattern is not None:
                found.append(_Rule(f"{cat}/{tier}", cat, tier, pattern))
    return found, cats


_RULES, CATEGORIES = _load()
# Words every match of a rule starts with (from the rule phrases): one pass over a text tells where
# each rule can match.
_TRIGGERS = TriggerIndex({r.name: r.triggers() for r in _RULES})
# The categories the profile's psychological criteria read (bench/accuracy.py compares these).
PSYCHOLOGICAL = frozenset(c for c, spec in CATEGORIES.items() if spec.psychological)
_TYPE: dict[str, str] = {k.upper(): v for k, v in _DATA["registry_types"].items()}
_WEAK_TYPES = frozenset(t.upper() for t in _DATA.get("weak_registry_types") or ())


def _phrases(key: str) -> re.Pattern[str]:
    pattern = _compile(_DATA[key], key)
    if pattern is None:
        raise rules.RuleError(f"{_WHERE}: {key} is empty")
    return pattern


_PAIN_CONTEXT = _phrases("pain_context")
_PHYSIO_DEVICE = _phrases("physio_devices")
_INACTIVE = _phrases("inactive")
_USUAL_CARE = _phrases("usual_care")
_DIGITAL = _phrases("digital")
_ACTIVE_TYPES = {"EXPERIMENTAL", "ACTIVE_COMPARATOR"}
# Arms whose content is by design not the tested programme: they inherit nothing from the summary.
_NOT_TESTED_TYPES = {"SHAM_COMPARATOR", "PLACEBO_COMPARATOR", "NO_INTERVENTION", "ACTIVE_COMPARATOR"}
_PHYSIO = "physiotherapy_exercise"


@dataclass
class ArmCategories:
    categories: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    psych_with_physio: bool = False
    # The two texts that make psych_with_physio true (the psychological component, then the
    # physiotherapy / exercise of the same arm); empty when it is false.
    psych_with_physio_evidence: list[Evidence] = field(default_factory=list)


@dataclass
class _Hit:
    """A category found in an arm: its evidence and the tier of the phrase that found it."""
    evidence: Evidence
    tier: str


Unit = tuple[list[Text], Text | None]


def derive(record: TrialRecord) -> ArmCategories:
    result = ArmCategories()
    # In a pain trial, "education" is about the pain even when the arm does not say so.
    pain_trial = any(_PAIN_CONTEXT.search(t.value) for t in [*record.conditions, record.title] if t is not None)
    groups = _groups(record)
    for arm_type, units in groups:
        hits = _arm_hits(units, pain_trial)
        _usual_care(units, hits)
        single = len(groups) == 1
        if single or (not PSYCHOLOGICAL & hits.keys() and _tested_digitally(arm_type, units)):
            _inherit(record, hits, pain_trial, include_description=single)
        _drop_weak(hits)
        all_texts = [t for texts, _ in units for t in texts]
        # A "Control group" / "usual care" arm is no intervention category, unless the registry calls
        # it an active comparator (e.g. patient education as control): then it is "other".
        inactive = arm_type == "NO_INTERVENTION" or \
            (any(_INACTIVE.search(t.value) for t in all_texts) and arm_type not in _ACTIVE_TYPES)
        if not hits and all_texts and not inactive:
            hits["other"] = _Hit(Evidence.of(all_texts[0], quote=all_texts[0].value[:100],
                                             note="no category rule matched -> other"), "strong")
        for cat, hit in hits.items():
            if cat not in result.categories:
                result.categories.append(cat)
                result.evidence.append(hit.evidence)
        if not result.psych_with_physio:
            _psych_with_physio(hits, result)
    return result


def _arm_hits(units: list[Unit], pain_trial: bool) -> dict[str, _Hit]:
    """Every category one arm's texts and intervention types show, with the first evidence of each."""
    hits: dict[str, _Hit] = {}
    for texts, kind in units:
        found = _text_hits(texts, pain_trial)
        typed = _TYPE.get(kind.value.upper()) if kind is not None else None
        # A modality a physiotherapist delivers is physiotherapy even when filed as DEVICE.
        if typed == "device" and any(_PHYSIO_DEVICE.search(t.value) for t in texts):
            typed = _PHYSIO
        weak_type = kind is not None and kind.value.upper() in _WEAK_TYPES
        if kind is not None and typed and typed not in found and not (weak_type and (found or hits)):
            found[typed] = _Hit(Evidence.of(kind, note=f"intervention type {kind.value} -> {typed}"), "strong")
        for cat, hit in found.items():
            if cat not in hits or (hits[cat].tier != "strong" and hit.tier == "strong"):
                hits[cat] = hit
    return hits


def _text_hits(texts: list[Text], pain_trial: bool) -> dict[str, _Hit]:
    found: dict[str, _Hit] = {}
    for text in texts:
        starts = _TRIGGERS.starts(ascii_lower(text.value))
        for rule in _RULES:
            if rule.category in found and (found[rule.category].tier == "strong" or rule.tier != "strong"):
                continue
            if rule.tier == "context" and not pain_trial and not _PAIN_CONTEXT.search(text.value):
                continue  # "patient education" about sleep or substance use is not pain education
            for m in _TRIGGERS.finditer(rule.name, rule.pattern, text.value, starts):
                if _excepted(rule.category, text.value, m):
                    continue
                found[rule.category] = _Hit(evidence(text, m.start(), m.end(), f"'{m.group()}' -> {rule.category}",
                                                     limit=100), rule.tier)
                break
    return found


def _excepted(category: str, value: str, m: re.Match[str]) -> bool:
    """Whether the match lies inside one of the category's exceptions (a longer phrase that means
    something else)."""
    exceptions = CATEGORIES[category].exceptions
    if exceptions is None:
        return False
    lo = max(0, m.start() - 80)
    return any(e.start() + lo < m.end() and e.end() + lo > m.start()
               for e in exceptions.finditer(value[lo:m.end() + 120]))


def _usual_care(units: list[Unit], hits: dict[str, _Hit]) -> None:
    """An arm that delivers only undescribed usual care ("treatment as usual only") is "other".
    (Beside a named treatment, usual care is background the labels do not count.)"""
    if hits:
        return
    for texts, _ in units:
        for text in texts:
            if m := _USUAL_CARE.search(text.value):
                hits["other"] = _Hit(evidence(text, m.start(), m.end(), f"'{m.group()}' -> other (usual care)",
                                              limit=100), "strong")
                return


def _tested_digitally(arm_type: str, units: list[Unit]) -> bool:
    """An arm that tests a digital programme (not a sham, placebo or comparator)."""
    if arm_type in _NOT_TESTED_TYPES:
        return False
    return any(_DIGITAL.search(t.value) for texts, _ in units for t in texts)


def _inherit(record: TrialRecord, hits: dict[str, _Hit], pain_trial: bool, include_description: bool) -> None:
    """The psychological categories the title, summary or keywords name for the programme."""
    texts = [t for t in (record.title, record.official_title, record.summary) if t is not None] + list(record.keywords)
    if include_description and record.description is not None:
        texts.append(record.description)
    for cat, hit in _text_hits(texts, pain_trial).items():
        if cat not in hits and (CATEGORIES[cat].psychological or (include_description and cat == _PHYSIO)):
            note = f"{hit.evidence.note} (what the record says the arm's programme delivers)"
            hits[cat] = _Hit(hit.evidence.model_copy(update={"note": note}), hit.tier)


def _drop_weak(hits: dict[str, _Hit]) -> None:
    """An ambiguous phrase yields to the category that explains it: bare "exercises" in a relaxation
    programme are relaxation exercises; "behavioural therapy" beside cognitive techniques is CBT."""
    for cat in [c for c, hit in hits.items() if hit.tier == "weak"]:
        if CATEGORIES[cat].weak_yields_to & hits.keys():
            del hits[cat]


def _psych_with_physio(hits: dict[str, _Hit], result: ArmCategories) -> None:
    """A psychological component co-delivered with physiotherapy / exercise in this arm."""
    if _PHYSIO not in hits:
        return
    for cat, hit in hits.items():
        # Pain education that does not reconceptualise pain ("back school", "patient education") is
        # not the psychological component.
        spec = CATEGORIES[cat]
        if spec.psychological and (hit.tier == "strong" or (hit.tier == "weak" and spec.weak_is_psychological)):
            result.psych_with_physio = True
            result.psych_with_physio_evidence = [hit.evidence, hits[_PHYSIO].evidence]
            return


def _groups(record: TrialRecord) -> list[tuple[str, list[Unit]]]:
    """Per arm: its type and (texts, intervention type) units - the arm's own text, then each
    intervention in it. Interventions with no arm (records without arm groups) form one group each."""
    groups: list[tuple[str, list[Unit]]] = []
    for arm in record.arms:
        arm_type = arm.type.value.upper() if arm.type is not None else ""
        # The arm's own unit carries the arm type (EXPERIMENTAL, ...), which maps to no category.
        units: list[Unit] = [([t for t in (arm.label, arm.description) if t is not None] + list(arm.components),
                              arm.type)]
        for iv in record.interventions:
            if belongs(iv, arm):
                units.append(([t for t in (iv.name, iv.description) if t is not None] + list(iv.other_names), iv.type))
        groups.append((arm_type, units))
    if not record.arms:
        for iv in record.interventions:
            groups.append(("", [([t for t in (iv.name, iv.description) if t is not None], iv.type)]))
    return groups


def rule_data() -> dict[str, Any]:
    """The parsed rule file (for tools that report on the vocabulary)."""
    return _DATA


WRITES = ("treatment.intervention_categories", "treatment.psych_with_physio")
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    cats = derive(record)
    sheet.set("treatment.intervention_categories", cats.categories, cats.evidence)
    sheet.set("treatment.psych_with_physio", cats.psych_with_physio,
              cats.psych_with_physio_evidence if cats.psych_with_physio else None)
