"""One pass of the rule file over one text: per category its first strong, weak and context match,
and which auxiliary lists match. A record's texts are each scanned once (an intervention shared by
several arms, the summary read for several arms), and Evidence is built only for reported hits."""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field

from auditor.extract.interventions.ruledata import (
    CATEGORIES,
    DEVICE_FILED_AS,
    NEGATION,
    NEGATION_FIRST_WORDS,
    NEGATION_WORDS_BACK,
    RECORD_TRIGGERS,
    RULE_BY_NAME,
    TRIGGERS,
)
from auditor.extract.prefilter import TriggerIndex
from auditor.extract.text import evidence, opening
from auditor.facts import Evidence
from auditor.model import Text


@dataclass(frozen=True)
class Hit:
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
            return Evidence.of(self.source, quote=opening(self.source.value, 100) if self.tier == "default" else None,
                               note=self.note)
        return evidence(self.text, self.start, self.end, self.note, limit=100)

    def noted(self, suffix: str) -> Hit:
        return Hit(self.tier, f"{self.note}{suffix}", self.text, self.start, self.end, self.source)


@dataclass(frozen=True)
class Scan:
    """What one text holds: per category its first strong, weak and context match, and which
    auxiliary lists match (with the first match of those whose match is reported: `REPORTED`)."""
    strong: dict[str, Hit]
    weak: dict[str, Hit]
    context: dict[str, Hit]
    aux: frozenset[str]
    reported: dict[str, Hit]
    # resolved() per pain_trial flag: a text is read for several arms.
    _resolved: dict[bool, dict[str, Hit]] = field(default_factory=dict, compare=False, repr=False)

    def resolved(self, pain_trial: bool) -> dict[str, Hit]:
        """Per category (in the rule file's order) the strong hit, else the weak one, else (in a
        pain context) the context one. (The caller must not change the dict.)"""
        if not (self.strong or self.weak or self.context):
            return _NONE
        done = self._resolved.get(pain_trial)
        if done is None:
            context = self.context if pain_trial or "pain_context" in self.aux else {}
            done = {}
            for cat in CATEGORIES:
                hit = self.strong.get(cat) or self.weak.get(cat) or context.get(cat)
                if hit is not None:
                    done[cat] = hit
            self._resolved[pain_trial] = done
        return done


_NONE: dict[str, Hit] = {}
# The auxiliary lists whose first match is evidence of a category (the note it carries): undescribed
# usual care is "other"; a programme the record calls a regulated medical device is a "device"; what
# an intervention filed as DEVICE delivers when its text names other care (`device_filed_as`).
REPORTED = {"usual_care": "other (usual care)", "regulated_device": "device (the programme is a regulated medical device)",
            **{name: f"{cat} (what the intervention filed as DEVICE delivers)" for name, cat in DEVICE_FILED_AS.items()}}


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
    Non-ASCII text is folded, not skipped: a registry text with one accented letter or "greater or
    equal" sign would otherwise run every pattern over the whole text."""
    if value.isascii():
        return value.lower()
    return _NON_ASCII.sub(lambda m: _fold(m.group()), value).lower()


class Scanner:
    """Scans each text of one record once. `record_level` texts (the record's title, summary,
    description, conditions) are scanned with the smaller index of what an arm takes from them."""

    def __init__(self) -> None:
        # By identity (Text is a mutable Struct, not hashable); the Text is kept beside its scan so
        # its id cannot be reused by a later, short-lived Text of the same record.
        self._arm: dict[int, tuple[Text, Scan]] = {}
        self._record: dict[int, tuple[Text, Scan]] = {}

    def scan(self, text: Text, record_level: bool = False) -> Scan:
        done = self._record if record_level else self._arm
        found = done.get(id(text))
        if found is None or found[0] is not text:
            found = done[id(text)] = (text, _scan(text, RECORD_TRIGGERS if record_level else TRIGGERS))
        return found[1]

    def hits(self, texts: list[Text], pain_trial: bool, record_level: bool = False) -> dict[str, Hit]:
        """Per category over `texts` in order: the first strong hit, else the first other one."""
        found: dict[str, Hit] = {}
        for text in texts:
            for cat, hit in self.scan(text, record_level).resolved(pain_trial).items():
                if cat not in found or (found[cat].tier != "strong" and hit.tier == "strong"):
                    found[cat] = hit
        return found

    def any_aux(self, texts: list[Text], name: str, record_level: bool = False) -> bool:
        return any(name in self.scan(t, record_level).aux for t in texts)


def _scan(text: Text, triggers: TriggerIndex) -> Scan:
    value = text.value
    starts = triggers.starts(_lowered(value)) or {}
    tiers: dict[str, dict[str, Hit]] = {"strong": {}, "weak": {}, "context": {}}
    aux: set[str] = set()
    reported: dict[str, Hit] = {}
    # Each (tier, category) and each auxiliary list is one rule, so the order they run in does not
    # matter (Scan.resolved orders the categories).
    for name in starts.keys() | triggers.always if triggers.always else starts:
        rule = RULE_BY_NAME[name]
        for m in triggers.finditer(rule.name, rule.pattern, value, starts):
            if rule.category is None:
                if rule.tier in REPORTED:
                    # Evidence of a category, so named as absent it is none, as a category's phrase
                    # ("the app is not a medical device").
                    if _negated(value, m.start()):
                        continue
                    reported[rule.tier] = Hit("strong", f"'{m.group()}' -> {REPORTED[rule.tier]}", text, m.start(), m.end())
                aux.add(rule.tier)
                break
            if _excepted(rule.category, value, m) or _negated(value, m.start()):
                continue
            tiers[rule.tier][rule.category] = Hit(rule.tier, f"'{m.group()}' -> {rule.category}",
                                                  text, m.start(), m.end())
            break
    return Scan(tiers["strong"], tiers["weak"], tiers["context"], frozenset(aux), reported)


def _excepted(category: str, value: str, m: re.Match[str]) -> bool:
    """Whether the match lies inside one of the category's exceptions (a longer phrase that means
    something else)."""
    exceptions = CATEGORIES[category].exceptions
    if exceptions is None:
        return False
    lo = max(0, m.start() - 80)
    return any(e.start() + lo < m.end() and e.end() + lo > m.start()
               for e in exceptions.finditer(value[lo:m.end() + 120]))


# Characters that end the clause a negation cue must stand in.
_CLAUSE_END = ".;:?!\n"
_LOOK_BACK = 100
# Brackets, commas and quotes around the words before a match ("without (CBT", "coaching, CBT").
_TO_SPACE = str.maketrans(dict.fromkeys('(),"', " "))


def _negated(value: str, start: int) -> bool:
    """Whether a negation cue stands before the match in its clause ("not including the cognitive
    behavioral therapy", "without any counsellor contact"): the therapy is named as absent."""
    if NEGATION is None or start == 0:
        return False
    before = value[max(0, start - _LOOK_BACK):start]
    # Most matches have no cue word close before them: a set test on the last words, not a regex
    # search (as many words as the pattern can reach back, NEGATION_WORDS_BACK).
    if NEGATION_FIRST_WORDS.isdisjoint(before.lower().translate(_TO_SPACE).split()[-NEGATION_WORDS_BACK:]):
        return False
    before = before[max(before.rfind(c) for c in _CLAUSE_END) + 1:]
    return NEGATION.search(before) is not None
