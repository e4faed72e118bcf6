"""The rule file `rules/interventions.yaml` compiled: one pattern per (category, tier) and per
auxiliary phrase list, the category flags, the registry-type mapping, and the one Aho-Corasick
trigger index over all of them (see docs/rules/interventions.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.extract import rules
from auditor.extract.fast_patterns import lazy_compile
from auditor.extract.text import TriggerIndex, compile_fast, trigger_words

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
class Rule:
    """One tier of one category's phrases: strong (`phrases`, `acronyms`), weak or context; or one
    of the auxiliary phrase lists (category None, tier = the list's name)."""
    name: str  # unique key for the trigger index
    category: str | None
    tier: str  # "strong", "weak", "context", or an auxiliary list's name
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Category:
    psychological: bool
    exceptions: re.Pattern[str] | None
    weak_yields_to: frozenset[str]
    weak_is_psychological: bool


# The auxiliary phrase lists of the rule file (see the comments there).
AUX = ("pain_context", "physio_devices", "inactive", "usual_care", "placebo", "digital", "cognitive_training",
       "regulated_device", "other_devices", "guided_procedure")
# A name in `weak_yields_to` that is no category: the arm names cognitive training.
COGNITIVE_TRAINING = "cognitive_training"


def _shared_phrases() -> dict[str, list[str]]:
    """Per category the phrases of the `shared` lists that name it (an implanted cage is both a
    device and the surgery that places it)."""
    out: dict[str, list[str]] = {}
    for name, shared in (_DATA.get("shared") or {}).items():
        for cat in shared["categories"]:
            if cat not in _DATA["categories"]:
                raise rules.RuleError(f"{_WHERE} shared.{name}: unknown category {cat!r}")
            out.setdefault(cat, []).extend(shared["phrases"])
    return out


def _load() -> tuple[list[Rule], dict[str, Category]]:
    found: list[Rule] = []
    cats: dict[str, Category] = {}
    shared = _shared_phrases()
    for cat, raw in _DATA["categories"].items():
        spec = dict(raw or {})
        spec["phrases"] = (spec.get("phrases") or []) + shared.get(cat, [])
        cats[cat] = Category(bool(spec.get("psychological")),
                             _compile(spec.get("exceptions") or [], f"{cat}.exceptions"),
                             frozenset(spec.get("weak_yields_to") or ()),
                             bool(spec.get("psychological")) and spec.get("weak_is_psychological", True))
        for tier, patterns, acronyms in (("strong", spec.get("phrases") or [], spec.get("acronyms") or []),
                                         ("weak", spec.get("weak_phrases") or [], []),
                                         ("context", spec.get("context_phrases") or [], [])):
            pattern = _compile(patterns, f"{cat}.{tier}", acronyms)
            if pattern is not None:
                found.append(Rule(f"{cat}/{tier}", cat, tier, pattern))
    for key in AUX:
        pattern = _compile(_DATA.get(key) or [], key)
        if pattern is None:
            raise rules.RuleError(f"{_WHERE}: {key} is empty")
        found.append(Rule(key, None, key, pattern))
    return found, cats


RULES, CATEGORIES = _load()
# Read only in the few registered interventions that name no category, so not part of the index.
ASSESSMENT = _compile(_DATA.get("assessment") or [], "assessment")
# Read only in the titles of single-arm trials: a title that compares names no one arm's treatment.
TITLE_COMPARISON = _compile(_DATA.get("title_comparison") or [], "title_comparison")


def _device_filed_as() -> dict[str, str]:
    """`device_filed_as`: auxiliary list -> the category an intervention filed as DEVICE delivers when
    its texts match the list (in the file's order, the first match wins)."""
    found: dict[str, str] = {}
    for name, cat in (_DATA.get("device_filed_as") or {}).items():
        if name not in AUX or cat not in CATEGORIES:
            raise rules.RuleError(f"{_WHERE} device_filed_as: {name!r} -> {cat!r} needs an auxiliary list and a category")
        found[name] = cat
    return found


DEVICE_FILED_AS = _device_filed_as()
RULE_BY_NAME = {r.name: r for r in RULES}
# Words every match of a rule starts with (from the rule phrases): one pass over a text tells where
# each rule can match.
TRIGGERS = TriggerIndex({r.name: _triggers(r.pattern) for r in RULES})
# The categories the profile's psychological criteria read (bench/accuracy.py compares these).
PSYCHOLOGICAL = frozenset(c for c, spec in CATEGORIES.items() if spec.psychological)
PHYSIO = "physiotherapy_exercise"
# The record's own texts (title, summary, keywords, detailed description, conditions) are read only
# for what an arm takes from them (the psychological categories, physiotherapy for a single arm, a
# regulated medical device for a digital arm) and for the pain context: a smaller index over the long texts.
RECORD_TRIGGERS = TriggerIndex({r.name: _triggers(r.pattern) for r in RULES
                                if r.tier in ("pain_context", "regulated_device")
                                or (r.category is not None and (r.category in PSYCHOLOGICAL or r.category == PHYSIO))})
_MAX_AUXILIARIES = 3  # "not yet have been offered": at most three between a cue and its verb


def _negation() -> re.Pattern[str] | None:
    """A negation cue, then at most `negation_words` words, up to the end of the text before a match
    (searched in the clause before each category match; see `negation` in the rule file)."""
    cues = _DATA.get("negation") or []
    if not cues:
        return None
    words = int(_DATA.get("negation_words", 4))
    exceptions = _DATA.get("negation_exceptions") or []
    breaks = _DATA.get("negation_breaks") or []
    verbs = _DATA.get("negation_verbs") or []
    auxiliaries = _DATA.get("negation_auxiliaries") or []
    # A word, possibly closing a list item or a bracket ("coaching, CBT"; "no (digital) CBT"); not
    # one that starts a new predicate (`negation_breaks`), nor a verb of delivery (`negation_verbs`:
    # those may stand only first, after auxiliaries: "will not be offered CBT").
    excluded = [*breaks, *verbs]
    word = (rf"(?!(?:{'|'.join(excluded)})\b)" if excluded else "") + r"[\w'/-]+[,)]?"
    sep = r"[\s(\"]+"
    lead = ""
    if verbs:
        aux = rf"(?:(?:{'|'.join(auxiliaries)})\b{sep}){{0,{_MAX_AUXILIARIES}}}" if auxiliaries else ""
        lead = rf"(?:{aux}(?:{'|'.join(verbs)})\b[,)]?{sep})?"
    skip = rf"(?!{_alt(exceptions)})" if exceptions else ""
    pattern = rf"\b{skip}(?:{'|'.join(f'(?:{c})' for c in cues)}){sep}{lead}(?:{word}{sep}){{0,{words}}}$"
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise rules.RuleError(f"{_WHERE} negation: bad pattern {pattern!r}: {exc}") from exc


NEGATION = _negation()
# How many words before a match the quick test must look at for a cue: the words a cue may skip,
# the auxiliaries and the verb that may follow it, and two more (a two-word cue, a word cut by the
# look-back). Derived from the pattern's own bounds, so the test never misses a cue it would match.
NEGATION_WORDS_BACK = int(_DATA.get("negation_words", 4)) + _MAX_AUXILIARIES + 1 + 2


def _negation_first_words() -> frozenset[str]:
    """The literal first word of every negation cue: a clause whose last few words hold none of
    them is not searched with `NEGATION` at all."""
    found = set()
    for cue in _DATA.get("negation") or []:
        word = re.match(r"[a-z]+", cue)
        if word is None:
            raise rules.RuleError(f"{_WHERE} negation: {cue!r} must start with a literal lower-case word")
        found.add(word.group())
    return frozenset(found)


NEGATION_FIRST_WORDS = _negation_first_words()


def _comparator_labels() -> tuple[re.Pattern[str], ...]:
    """`comparator_labels.words` as whole words anywhere in an arm label; `comparator_labels.whole` as the
    whole label (with an optional "group", "arm" or "only")."""
    spec = _DATA.get("comparator_labels") or {}
    found: list[re.Pattern[str]] = []
    if spec.get("words"):
        found.append(re.compile(r"\b" + _alt(spec["words"]) + r"\b", re.IGNORECASE))
    if spec.get("whole"):
        found.append(re.compile(r"^\s*" + _alt(spec["whole"]) + r"(?:\s+(?:group|arm|only|alone))?\s*$", re.IGNORECASE))
    return tuple(found)


# Read once per arm label, only for the arms that could take categories from the summary.
COMPARATOR_LABELS = _comparator_labels()
TYPE: dict[str, str] = {k.upper(): v for k, v in _DATA["registry_types"].items()}
# A weak registry type -> the categories whose text hits it yields to.
WEAK_TYPES: dict[str, frozenset[str]] = {k.upper(): frozenset(v or ()) for k, v in
                                         (_DATA.get("weak_registry_types") or {}).items()}
