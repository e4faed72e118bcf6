"""Ho 2022 intervention categories per arm (CRITERIA.md vocabulary) and psych-with-physio.

Each arm is read together with the interventions assigned to it (ctgov armGroupLabels /
interventionNames). The phrase rules, which categories are psychological and the mapping of the
registry's intervention types (DRUG, DEVICE, ...) are data: `rules/interventions.yaml` (see
docs/rules/interventions.md). This module holds the mechanism that applies them. Acceptance and
commitment therapy is filed under mindfulness, as Ho 2022 does.

Speed: every phrase list of the rule file (category tiers and the auxiliary lists such as
`digital` or `inactive`) is one named pattern of a single Aho-Corasick trigger index, so each text
is passed over once and only the patterns whose trigger words occur are tried, at those positions.
A text is scanned once per record (interventions shared by several arms, the summary read for
several arms), and Evidence objects are built only for the hits that are reported.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field

from auditor.extract import rules
from auditor.extract.fast_patterns import lazy_compile
from auditor.extract.text import (
    TriggerIndex,
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


def _triggers(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """The words a match starts with. The case-sensitive acronyms are read case-insensitively
    here: every match of "CBT" starts with "cbt" in the lower-cased text."""
    return trigger_words(lazy_compile(pattern.pattern.replace("(?-i:", "(?:"), re.IGNORECASE))


@dataclass(frozen=True)
class _Rule:
    """One tier of one category's phrases: strong (`phrases`, `acronyms`), weak or context; or one
    of the auxiliary phrase lists (category None, tier = the list's name)."""
    name: str  # unique key for the trigger index
    category: str | None
    tier: str  # "strong", "weak", "context", or an auxiliary list's name
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Category:
    psychological: bool
    exceptions: re.Pattern[str] | None
    weak_yields_to: frozenset[str]
    weak_is_psychological: bool


# The auxiliary phrase lists of the rule file (see the comments there).
_AUX = ("pain_context", "physio_devices", "inactive", "usual_care", "digital", "cognitive_training")
# A name in `weak_yields_to` that is no category: the arm names cognitive training.
_COGNITIVE_TRAINING = "cognitive_training"


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
    for key in _AUX:
        pattern = _compile(_DATA.get(key) or [], key)
        if pattern is None:
            raise rules.RuleError(f"{_WHERE}: {key} is empty")
        found.append(_Rule(key, None, key, pattern))
    return found, cats


_RULES, CATEGORIES = _load()
_RULE_BY_NAME = {r.name: r for r in _RULES}
_AUX_RULES = [r for r in _RULES if r.category is None]
_PAIN_CONTEXT = next(r.pattern for r in _AUX_RULES if r.tier == "pain_context")
# Words every match of a rule starts with (from the rule phrases): one pass over a text tells where
# each rule can match.
_TRIGGERS = TriggerIndex({r.name: _triggers(r.pattern) for r in _RULES})
# The categories the profile's psychological criteria read (bench/accuracy.py compares these).
PSYCHOLOGICAL = frozenset(c for c, spec in CATEGORIES.items() if spec.psychological)
_TYPE: dict[str, str] = {k.upper(): v for k, v in _DATA["registry_types"].items()}
_WEAK_TYPES = frozenset(t.upper() for t in _DATA.get("weak_registry_types") or ())
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


@dataclass(frozen=True)
class _Hit:
    """A category found in an arm: where, the tier of the phrase that found it, and the note.
    The Evidence is built only for the hits that are reported."""
    tier: str
    note: str
    text: Text | None = None  # None: the hit is the registry type itself (`source`)
    start: int = 0
    end: int = 0
    source: Text | None = None

    def evidence(self) -> Evidence:
        if self.text is None:
            assert self.source is not None
            return Evidence.of(self.source, quote=self.source.value[:100] if self.tier == "default" else None,
                               note=self.note)
        return evidence(self.text, self.start, self.end, self.note, limit=100)

    def noted(self, suffix: str) -> _Hit:
        return _Hit(self.tier, f"{self.note}{suffix}", self.text, self.start, self.end, self.source)


@dataclass(frozen=True)
class _Scan:
    """What one text holds: per category its first strong, weak and context match, and which
    auxiliary lists match (with the first usual-care match)."""
    strong: dict[str, _Hit]
    weak: dict[str, _Hit]
    context: dict[str, _Hit]
    aux: frozenset[str]
    usual_care: _Hit | None

    def resolved(self, pain_trial: bool) -> dict[str, _Hit]:
        """Per category (in the rule file's order) the strong hit, else the weak one, else (in a
        pain context) the context one."""
        context = self.context if pain_trial or "pain_context" in self.aux else {}
        if not (self.strong or self.weak or context):
            return {}
        out: dict[str, _Hit] = {}
        for cat in CATEGORIES:
            hit = self.strong.get(cat) or self.weak.get(cat) or context.get(cat)
            if hit is not None:
                out[cat] = hit
        return out


Unit = tuple[list[Text], Text | None]

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@functools.cache
def _fold(char: str) -> str:
    """The ASCII letter a non-ASCII character matches under re.IGNORECASE (the long s is "s", the
    Kelvin sign "k"), else NUL, which starts no trigger word."""
    for letter in string.ascii_lowercase:
        if re.fullmatch(letter, char, re.IGNORECASE):
            return letter
    return "\x00"


def _lowered(value: str) -> str:
    """The text lower-cased for the trigger index, one character for one, so positions agree.
    Non-ASCII text is folded, not skipped: a registry text with one accented letter or "greater or equal" sign would otherwise
    run every pattern over the whole text."""
    if value.isascii():
        return value.lower()
    return _NON_ASCII.sub(lambda m: _fold(m.group()), value).lower()


class _Scanner:
    """Scans each text of one record once."""

    def __init__(self) -> None:
        self._done: dict[int, _Scan] = {}

    def scan(self, text: Text) -> _Scan:
        key = id(text)
        if key not in self._done:
            self._done[key] = _scan(text)
        return self._done[key]

    def hits(self, texts: list[Text], pain_trial: bool) -> dict[str, _Hit]:
        """Per category over `texts` in order: the first strong hit, else the first other one."""
        found: dict[str, _Hit] = {}
        for text in texts:
            for cat, hit in self.scan(text).resolved(pain_trial).items():
                if cat not in found or (found[cat].tier != "strong" and hit.tier == "strong"):
                    found[cat] = hit
        return found

    def any_aux(self, texts: list[Text], name: str) -> bool:
        return any(name in self.scan(t).aux for t in texts)


def _scan(text: Text) -> _Scan:
    value = text.value
    starts = _TRIGGERS.starts(_lowered(value)) or {}
    tiers: dict[str, dict[str, _Hit]] = {"strong": {}, "weak": {}, "context": {}}
    aux: set[str] = set()
    usual: _Hit | None = None
    # Each (tier, category) and each auxiliary list is one rule, so the order they run in does not
    # matter (Scan.resolved orders the categories).
    for name in starts.keys() | _TRIGGERS.always if _TRIGGERS.always else starts:
        rule = _RULE_BY_NAME[name]
        for m in _TRIGGERS.finditer(rule.name, rule.pattern, value, starts):
            if rule.category is None:
                aux.add(rule.tier)
                if rule.tier == "usual_care":
                    usual = _Hit("strong", f"'{m.group()}' -> other (usual care)", text, m.start(), m.end())
                break
            if _excepted(rule.category, value, m):
                continue
            tiers[rule.tier][rule.category] = _Hit(rule.tier, f"'{m.group()}' -> {rule.category}",
                                                   text, m.start(), m.end())
            break
    return _Scan(tiers["strong"], tiers["weak"], tiers["context"], frozenset(aux), usual)


def _excepted(category: str, value: str, m: re.Match[str]) -> bool:
    """Whether the match lies inside one of the category's exceptions (a longer phrase that means
    something else)."""
    exceptions = CATEGORIES[category].exceptions
    if exceptions is None:
        return False
    lo = max(0, m.start() - 80)
    return any(e.start() + lo < m.end() and e.end() + lo > m.start()
               for e in exceptions.finditer(value[lo:m.end() + 120]))


def derive(record: TrialRecord) -> ArmCategories:
    result = ArmCategories()
    scanner = _Scanner()
    # In a pain trial, "education" is about the pain even when the arm does not say so.
    pain_trial = any(scanner.any_aux([t], "pain_context") for t in [*record.conditions, record.title] if t is not None)
    groups = _groups(record)
    for arm_type, units in groups:
        hits = _arm_hits(scanner, units, pain_trial)
        _usual_care(scanner, units, hits)
        single = len(groups) == 1
        if single or (_tested_digitally(scanner, arm_type, units)
                      and not PSYCHOLOGICAL & _own_hits(scanner, units, pain_trial).keys()):
            _inherit(scanner, record, hits, pain_trial, include_description=single)
        all_texts = [t for texts, _ in units for t in texts]
        _drop_weak(hits, scanner.any_aux(all_texts, _COGNITIVE_TRAINING))
        # A "Control group" / "usual care" arm is no intervention category, unless the registry calls
        # it an active comparator (e.g. patient education as control): then it is "other".
        inactive = arm_type == "NO_INTERVENTION" or \
            (scanner.any_aux(all_texts, "inactive") and arm_type not in _ACTIVE_TYPES)
        if not hits and all_texts and not inactive:
            hits["other"] = _Hit("default", "no category rule matched -> other", source=all_texts[0])
        for cat, hit in hits.items():
            if cat not in result.categories:
                result.categories.append(cat)
                result.evidence.append(hit.evidence())
        if not result.psych_with_physio:
            _psych_with_physio(hits, result)
    return result


def _arm_hits(scanner: _Scanner, units: list[Unit], pain_trial: bool) -> dict[str, _Hit]:
    """Every category one arm's texts and intervention types show, with the first evidence of each."""
    hits: dict[str, _Hit] = {}
    for texts, kind in units:
        found = scanner.hits(texts, pain_trial)
        typed = _TYPE.get(kind.value.upper()) if kind is not None else None
        # A modality a physiotherapist delivers is physiotherapy even when filed as DEVICE.
        if typed == "device" and scanner.any_aux(texts, "physio_devices"):
            typed = _PHYSIO
        weak_type = kind is not None and kind.value.upper() in _WEAK_TYPES
        if kind is not None and typed and typed not in found and not (weak_type and (found or hits)):
            found[typed] = _Hit("strong", f"intervention type {kind.value} -> {typed}", source=kind)
        for cat, hit in found.items():
            if cat not in hits or (hits[cat].tier != "strong" and hit.tier == "strong"):
                hits[cat] = hit
    return hits


def _own_hits(scanner: _Scanner, units: list[Unit], pain_trial: bool) -> dict[str, _Hit]:
    """The categories of the arm's own text and of its digitally delivered interventions: what the
    tested programme itself is said to deliver (not the usual care given beside it)."""
    texts = list(units[0][0])
    for unit_texts, _ in units[1:]:
        if scanner.any_aux(unit_texts, "digital"):
            texts += unit_texts
    return scanner.hits(texts, pain_trial)


def _usual_care(scanner: _Scanner, units: list[Unit], hits: dict[str, _Hit]) -> None:
    """An arm that delivers only undescribed usual care ("treatment as usual only") is "other".
    (Beside a named treatment, usual care is background the labels do not count.)"""
    if hits:
        return
    for texts, _ in units:
        for text in texts:
            if (usual := scanner.scan(text).usual_care) is not None:
                hits["other"] = usual
                return


def _tested_digitally(scanner: _Scanner, arm_type: str, units: list[Unit]) -> bool:
    """An arm that tests a digital programme (not a sham, placebo or comparator)."""
    if arm_type in _NOT_TESTED_TYPES:
        return False
    return any(scanner.any_aux(texts, "digital") for texts, _ in units)


def _inherit(scanner: _Scanner, record: TrialRecord, hits: dict[str, _Hit], pain_trial: bool,
             include_description: bool) -> None:
    """The psychological categories the title, summary or keywords name for the programme. When
    they name none, a strong phrase of the detailed description ("RiSolve is a digital therapeutic
    device intended to provide ... cognitive behavioral therapy") says what it delivers."""
    texts = [t for t in (record.title, record.official_title, record.summary) if t is not None] + list(record.keywords)
    if include_description and record.description is not None:
        texts.append(record.description)
    found = scanner.hits(texts, pain_trial)
    if not include_description and record.description is not None and not PSYCHOLOGICAL & found.keys():
        found = {c: h for c, h in scanner.hits([record.description], pain_trial).items() if h.tier == "strong"}
    for cat, hit in found.items():
        if cat not in hits and (CATEGORIES[cat].psychological or (include_description and cat == _PHYSIO)):
            hits[cat] = hit.noted(" (what the record says the arm's programme delivers)")


def _drop_weak(hits: dict[str, _Hit], cognitive_training: bool) -> None:
    """An ambiguous phrase yields to the category that explains it: bare "exercises" in a relaxation
    programme are relaxation exercises; "behavioural therapy" beside cognitive techniques is CBT;
    in a cognitive-training app both are the training (see `cognitive_training` in the rule file)."""
    present = hits.keys() | ({_COGNITIVE_TRAINING} if cognitive_training else set())
    for cat in [c for c, hit in hits.items() if hit.tier == "weak"]:
        if CATEGORIES[cat].weak_yields_to & present:
            del hits[cat]


def _psych_with_physio(hits: dict[str, _Hit], result: ArmCategories) -> None:
    """A psychological component co-delivered with physiotherapy / exercise in this arm."""
    if _PHYSIO not in hits:
        return
    for cat, hit in hits.items():
        # Pain education that does not reconceptualise pain ("back school", "patient education") is
        # not the psychological component.
        spec = CATEGORIES[cat]
        if spec.psychological and (hit.tier in ("strong", "default") or
                                   (hit.tier == "weak" and spec.weak_is_psychological)):
            result.psych_with_physio = True
            result.psych_with_physio_evidence = [hit.evidence(), hits[_PHYSIO].evidence()]
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


WRITES = ("treatment.intervention_categories", "treatment.psych_with_physio")
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    cats = derive(record)
    sheet.set("treatment.intervention_categories", cats.categories, cats.evidence)
    sheet.set("treatment.psych_with_physio", cats.psych_with_physio,
              cats.psych_with_physio_evidence if cats.psych_with_physio else None)
