"""Safety facts: are harms planned, how and when are they collected; do posted results count them.

planned: a registered outcome about adverse events / side effects / complications / safety
(negation-aware), a protocol safety section, or a stated safety aim or AE collection in the
title/summary/description ("to evaluate the efficacy and safety", "adverse events will be recorded").

The vocabulary lives in rules/harms.yaml (docs/rules/harms.md); this module holds the mechanism:
one trigger-indexed pattern per rule kind, tried only where one of its rule words starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import ahocorasick_rs

from auditor.extract import instruments, rules, timeframes
from auditor.extract.instruments import negated
from auditor.extract.prefilter import anchored, lower_cached, occurrences, trigger_words
from auditor.extract.text import compile_fast, evidence
from auditor.facts import Evidence, FactSheet
from auditor.model import Outcome, Text, TrialRecord

_RULES: dict[str, Any] = rules.load("harms")
_EDGE_L, _EDGE_R = r"(?<![a-z0-9])", r"(?![a-z0-9])"
_TOKEN = re.compile(r"[a-z]+|[0-9]+")  # the tokens of instruments._words


def _words(phrases: list[str]) -> str:
    """Whole-word alternation of `phrases`, each with an optional plural ("complication(s)")."""
    return f"{_EDGE_L}{rules.alternation(phrases)}(?:e?s)?{_EDGE_R}"


def _first_tokens(phrases: list[str], where: str) -> set[str]:
    """The lower-case word every match of `_words(phrases)` starts with (with its plurals when the
    phrase is one word): the trigger words, read off the rule data."""
    out: set[str] = set()
    for phrase in phrases:
        tokens = _TOKEN.findall(phrase.lower())
        if not tokens or not phrase.lower().startswith(tokens[0]):
            raise rules.RuleError(f"{where}: phrase {phrase!r} must start with a letter or digit")
        out.add(tokens[0])
        if len(tokens) == 1:
            out |= {tokens[0] + "s", tokens[0] + "es"}
    return out


def _compile(parts: list[str], where: str) -> re.Pattern[str]:
    pattern = "|".join(f"(?:{p})" for p in parts)
    return compile_fast(rules.compile_rule(pattern, _MACROS, where).pattern, re.IGNORECASE)


_MACROS = {"harm": _words(_RULES["aim_terms"]), "verb": _words(_RULES["aim_verbs"]),
           "collected": _words(_RULES["collected"])}
# Outcome harms: the terms and the regular expressions for what a list cannot say.
_OUTCOME = _compile([_words(_RULES["terms"])] + [_EDGE_L + p["pattern"] for p in _RULES["patterns"]],
                    "harms.yaml terms/patterns")
_OUTCOME_STARTS = frozenset(_first_tokens(_RULES["terms"], "harms.yaml terms")
                            | {w.lower() for p in _RULES["patterns"] for w in p["starts_with"]})
_NAMED = _compile([_words(_RULES["named_effects"])], "harms.yaml named_effects")
_NAMED_STARTS = frozenset(_first_tokens(_RULES["named_effects"], "harms.yaml named_effects"))
_EXPECTATION = _compile([_words(_RULES["outcome_negation_words"])], "harms.yaml outcome_negation_words")
_RELIEF = _compile([_words(_RULES["relief_words"])], "harms.yaml relief_words")
_EXCEPTION = _compile([_words(_RULES["exceptions"])], "harms.yaml exceptions")
# Prose: aims (title, summary, description), collection statements (also arms and interventions),
# and a title naming safety. Each contains an aim term, so prose is searched only near one.
_AIM = _compile([_EDGE_L + p for p in _RULES["aims"]], "harms.yaml aims")
_COLLECTION = _compile([_EDGE_L + p for p in _RULES["collection_statements"]], "harms.yaml collection_statements")
_TITLE = _compile([_words(_RULES["title_terms"])], "harms.yaml title_terms")
_BACKGROUND = _compile(_RULES["background_before"], "harms.yaml background_before")
_SYSTEMATIC = _compile([_words(_RULES["collection"]["systematic"]["phrases"])], "harms.yaml collection.systematic")
_SPONTANEOUS = _compile([_words(_RULES["collection"]["spontaneous"]["phrases"])], "harms.yaml collection.spontaneous")
_AIM_TERM = _compile([_MACROS["harm"], _words(_RULES["title_terms"])], "harms.yaml aim_terms")
# A prose match contains an aim term and starts at most this many characters before it ("to
# evaluate the long-term clinical safety", "participants will be closely monitored for any adverse").
_BEFORE = 100
_EXCEPTION_REACH = 40  # an exception phrase starts at most this far before the harms word it holds


class _Words:
    """Where any of `words` (lower case) starts in a folded text: one Aho-Corasick pass."""

    def __init__(self, words: Iterable[str]):
        self.words = sorted(set(words))
        self.longest = max(len(w) for w in self.words)
        self._automaton = ahocorasick_rs.AhoCorasick(self.words)

    def starts(self, folded: str) -> list[int]:
        return sorted({start for _, start, _ in self._automaton.find_matches_as_indexes(folded, overlapping=True)})


def _trigger_words(pattern: re.Pattern[str], where: str) -> tuple[str, ...]:
    words = trigger_words(pattern)
    if words is None:
        raise rules.RuleError(f"{where}: every match must start with a literal word (its trigger)")
    return words


_AIM_TERMS = _Words(_first_tokens(_RULES["aim_terms"] + _RULES["title_terms"], "harms.yaml aim_terms"))
_PROSE = {"aim": _AIM, "collection": _COLLECTION, "title": _TITLE}
# Where each kind's matches can start (its first words, read off the compiled rules), looked up in
# the short stretch before an aim term; and the first words of the exception phrases.
_STARTS = {kind: _Words(_trigger_words(p, f"harms.yaml {kind}")) for kind, p in _PROSE.items()}
_EXCEPTION_STARTS = _Words(_first_tokens(_RULES["exceptions"], "harms.yaml exceptions"))


@lru_cache(maxsize=256)
def _folded(text: str) -> str:
    """`text` lower-cased position for position, with the four characters re.IGNORECASE also
    matches ASCII letters with (Unicode simple case mappings) folded: a trigger-word look-up in it
    finds every place a rule can match. Emptied by derive() for each record."""
    low = lower_cached(text)
    if low is not None:
        return low
    low = text.lower()
    if len(low) != len(text):  # "İ" lower-cases to two characters
        return text.translate(_FOLD_WIDE)
    return low.replace("\u017f", "s").replace("\u0131", "i")


_FOLD_WIDE = str.maketrans({"\u0130": "i", **{chr(c): chr(c + 32) for c in range(65, 91)},
                            "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _anchored(pattern: re.Pattern[str], starts: frozenset[str], text: str) -> list[re.Match[str]]:
    """pattern.finditer(text) for a pattern whose matches start with one of the words `starts`:
    tried only where those words occur (short outcome texts; the words of ASCII texts are
    tokenised once per record by instruments.words)."""
    if text.isascii():  # the usual case: a word-set test, on words other extractors tokenised too
        present = starts & instruments.words(text)
        if not present:
            return []
        low = lower_cached(text) or text.lower()
    else:
        low = _folded(text)
        present = starts.intersection(_TOKEN.findall(low))
    return list(anchored(pattern, text, occurrences(low, present)))


def _aim_terms(text: str) -> list[re.Match[str]]:
    """Where the aim terms of `text` are."""
    return list(anchored(_AIM_TERM, text, _AIM_TERMS.starts(_folded(text))))


def _at_words(words: _Words, pattern: re.Pattern[str], text: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
    """Matches of `pattern` starting in text[lo:hi] where one of its trigger words starts (the
    stretch is short: slicing and one Aho-Corasick pass beat a scan with pos/endpos)."""
    for at in words.starts(_folded(text)[lo:hi + words.longest]):  # a trigger word may run past hi
        if lo + at < hi and (m := pattern.match(text, lo + at)):
            yield m


def _near(kind: str, text: str, terms: list[re.Match[str]]) -> Iterator[re.Match[str]]:
    """_PROSE[kind].finditer(text) for a prose pattern whose matches contain an aim term, tried only
    shortly before each aim term (a long description is not scanned whole)."""
    tried: set[int] = set()
    for term in terms:
        for m in _at_words(_STARTS[kind], _PROSE[kind], text, max(0, term.start() - _BEFORE), term.start() + 1):
            if m.start() not in tried:
                tried.add(m.start())
                yield m


def _excepted(text: str, start: int, end: int) -> bool:
    """The span lies inside an exception phrase ("psychological safety", "self-harm")."""
    matches = _at_words(_EXCEPTION_STARTS, _EXCEPTION, text, max(0, start - _EXCEPTION_REACH), start + 1)
    return any(m.start() <= start and end <= m.end() for m in matches)


def _background(text: str, m: re.Match[str]) -> bool:
    """The words before the match in its sentence report an earlier finding ("has demonstrated the")."""
    head = text[max(0, m.start() - 120):m.start()]
    head = re.split(r"[.;:\n]", head)[-1]
    return bool(_BACKGROUND.search(head))


def _valid_outcome(text: str, matches: Iterable[re.Match[str]]) -> re.Match[str] | None:
    """The first harms term of an outcome text that is not an exception, nor negated as an
    expectation ("no adverse events are expected"; "no major AEs" in a composite still counts)."""
    for m in matches:
        if _excepted(text, m.start(), m.end()):
            continue
        if negated(text, m.start(), m.end()) and _EXPECTATION.search(text, max(0, m.start() - 60), m.end() + 60):
            continue
        return m
    return None


def _valid_prose(text: str, matches: Iterable[re.Match[str]]) -> re.Match[str] | None:
    """The first prose match that is not negated, not a past finding, and whose aim terms are not
    all inside exception phrases ("to evaluate psychological safety")."""
    for m in matches:
        if negated(text, m.start(), m.end()) or _background(text, m):
            continue
        terms = ((m.start() + t.start(), m.start() + t.end()) for t in _AIM_TERM.finditer(m.group(0)))
        if any(not _excepted(text, a, b) for a, b in terms):
            return m
    return None


def _prose_first(text: str, *kinds: str) -> re.Match[str] | None:
    """The first valid match in prose of the rule kinds named, tried in that order."""
    terms = _aim_terms(text)
    if not terms:
        return None
    for kind in kinds:
        if m := _valid_prose(text, _near(kind, text, terms)):
            return m
    return None


def harm_term(text: str) -> re.Match[str] | None:
    """The first harms term of an outcome text ("Number of participants with adverse events")."""
    return _valid_outcome(text, _anchored(_OUTCOME, _OUTCOME_STARTS, text)) if text else None


def _treated(record: TrialRecord) -> str:
    """The record's conditions and keywords, lower-cased: a symptom named there is being treated."""
    return " ".join(t.value for t in (*record.conditions, *record.keywords)).lower()


def _named_effect(measure: Text, record: TrialRecord) -> re.Match[str] | None:
    """A named side effect counted in the outcome's measure ("Postoperative nausea and vomiting")."""
    m = _valid_outcome(measure.value, _anchored(_NAMED, _NAMED_STARTS, measure.value))
    if m is None or _RELIEF.search(measure.value) or m.group(0).lower().rstrip("s") in _treated(record):
        return None
    return m


def _harms_evidence(o: Outcome, record: TrialRecord) -> Evidence | None:
    if o.domain is not None and o.domain.value.lower() in ("safety", "harms", "adverse_events"):
        return Evidence.of(o.domain, note="safety outcome")
    for text in (o.measure, o.instrument, o.description):
        if text is not None and (hit := harm_term(text.value)):
            return evidence(text, hit.start(), hit.end(), "harms outcome registered", limit=120)
    if o.measure is not None and (hit := _named_effect(o.measure, record)):
        return evidence(o.measure, hit.start(), hit.end(), "named side effect registered", limit=120)
    return None


def _prose_aim(record: TrialRecord) -> Evidence | None:
    """A stated safety aim or AE collection in the record's prose."""
    titles = [t for t in (record.title, record.official_title) if t is not None]
    for text in titles:
        if m := _prose_first(text.value, "title"):
            return evidence(text, m.start(), m.end(), "safety named in the title")
    narrative = titles + [t for t in (record.summary, record.description) if t is not None]
    for text in narrative:
        if m := _prose_first(text.value, "aim", "collection"):
            return evidence(text, m.start(), m.end(), "stated safety aim / AE collection")
    others = [t for a in record.arms for t in (a.description,) if t is not None]
    others += [t for iv in record.interventions for t in (iv.description,) if t is not None]
    for text in others:
        if m := _prose_first(text.value, "collection"):
            return evidence(text, m.start(), m.end(), "AE collection stated")
    return None


@dataclass
class Safety:
    planned: bool = False
    planned_evidence: list[Evidence] = field(default_factory=list)
    method: str | None = None
    method_evidence: list[Evidence] = field(default_factory=list)
    time_frame_stated: bool = False
    time_frame_evidence: list[Evidence] = field(default_factory=list)


def derive(record: TrialRecord) -> Safety:
    _folded.cache_clear()  # texts are keys: kept across records it would grow with the corpus
    s = Safety()
    plan = record.safety
    for field_ in (plan.definition, plan.collection_method, plan.time_frame, plan.assessed_by):
        if field_ is not None:
            s.planned = True
            s.planned_evidence.append(Evidence.of(field_, note="protocol safety section"))
            break
    harm_outcomes = []
    for o in record.outcomes:
        ev = _harms_evidence(o, record)
        if ev is not None:
            harm_outcomes.append(o)
            if len(s.planned_evidence) < 3:
                s.planned_evidence.append(ev)
            s.planned = True
    if not s.planned and (ev := _prose_aim(record)) is not None:
        s.planned = True
        s.planned_evidence.append(ev)

    if plan.time_frame is not None:
        s.time_frame_stated = True
        s.time_frame_evidence.append(Evidence.of(plan.time_frame, note="AE collection time frame"))
    else:
        for o in harm_outcomes:
            if o.time_points or (o.time_frame is not None and timeframes.specific(o.time_frame.value)) or \
                    (o.time_frame is None and o.measure is not None and timeframes.named_times(o.measure.value)):
                s.time_frame_stated = True
                if o.time_frame is not None:
                    s.time_frame_evidence.append(Evidence.of(o.time_frame, note="time frame of the harms outcome"))
                break
    _method(s, record, harm_outcomes)
    return s


def _method(s: Safety, record: TrialRecord, harm_outcomes: list[Outcome]) -> None:
    """Systematic (asked at fixed times) and/or spontaneous (volunteered) AE collection."""
    plan = record.safety
    method_texts = [t for t in (plan.collection_method, plan.definition, plan.assessed_by) if t is not None]
    method_texts += [t for o in harm_outcomes for t in (o.description,) if t is not None]
    systematic = spontaneous = None
    for text in method_texts:
        systematic = systematic or ((text, match) if (match := _SYSTEMATIC.search(text.value)) else None)
        spontaneous = spontaneous or ((text, match) if (match := _SPONTANEOUS.search(text.value)) else None)
    if systematic and spontaneous:
        s.method = "both"
    elif systematic or spontaneous:
        s.method = "systematic" if systematic else "spontaneous"
    for found, label in ((systematic, "systematic"), (spontaneous, "spontaneous")):
        if found:
            s.method_evidence.append(evidence(found[0], found[1].start(), found[1].end(), f"{label} AE collection"))


def ae_results(record: TrialRecord) -> tuple[bool | None, list[Evidence]]:
    """Results carry AE counts for at least one group with participants at risk (None: no results)."""
    res = record.results
    if not res.posted:
        return None, []
    for g in res.adverse_event_groups:
        if g.at_risk is not None and g.at_risk.value > 0:
            return True, [Evidence.of(g.at_risk, note="adverse-event group with participants at risk")]
    for g in res.adverse_event_groups:  # counts without an at-risk number still are counts
        for n in (g.serious_affected, g.other_affected):
            if n is not None and n.value > 0:
                return True, [Evidence.of(n, note="participants affected by adverse events")]
    if res.adverse_events_description is not None:
        return False, [Evidence.of(res.adverse_events_description, quote=res.adverse_events_description.value[:160],
                                   note="results posted without adverse-event counts")]
    return False, []


WRITES = ("outcomes.safety.planned", "outcomes.safety.collection_method", "outcomes.safety.time_frame_stated",
          "results.adverse_events_reported")
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    s = derive(record)
    sheet.set("outcomes.safety.planned", s.planned, s.planned_evidence)
    sheet.set("outcomes.safety.collection_method", s.method, s.method_evidence)
    sheet.set("outcomes.safety.time_frame_stated", s.time_frame_stated, s.time_frame_evidence)
    sheet.set("results.adverse_events_reported", *ae_results(record))
