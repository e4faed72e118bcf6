"""The harms rules (rules/harms.yaml) compiled: one pattern per rule kind, with the words its
matches start with (read off the rule data), so each is tried only where one of them starts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import ahocorasick_rs

from auditor.extract import rules
from auditor.extract.prefilter import trigger_words
from auditor.extract.text import compile_fast

_RULES: dict[str, Any] = rules.load("harms")
_EDGE_L, _EDGE_R = r"(?<![a-z0-9])", r"(?![a-z0-9])"
TOKEN = re.compile(r"[a-z]+|[0-9]+")  # the tokens of instruments._words


def _words(phrases: list[str]) -> str:
    """Whole-word alternation of `phrases`, each with an optional plural ("complication(s)")."""
    return f"{_EDGE_L}{rules.alternation(phrases)}(?:e?s)?{_EDGE_R}"


def _first_tokens(phrases: list[str], where: str) -> set[str]:
    """The lower-case word every match of `_words(phrases)` starts with (with its plurals when the
    phrase is one word): the trigger words, read off the rule data."""
    out: set[str] = set()
    for phrase in phrases:
        tokens = TOKEN.findall(phrase.lower())
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
           "collected": _words(_RULES["collected"]), "safe": _words(_RULES["aim_adjectives"]),
           # "incidence and severity of": a short list of measure words before the harm's words
           "measures": rf"(?:{_words(_RULES['measure_words'])}\s*(?:,|and|&|or|/)\s*(?:the\s+)?){{0,3}}"}
# Outcome harms: the terms and the regular expressions for what a list cannot say.
OUTCOME = _compile([_words(_RULES["terms"])] + [_EDGE_L + p["pattern"] for p in _RULES["patterns"]],
                   "harms.yaml terms/patterns")
OUTCOME_STARTS = frozenset(_first_tokens(_RULES["terms"], "harms.yaml terms")
                           | {w.lower() for p in _RULES["patterns"] for w in p["starts_with"]})
NAMED = _compile([_words(_RULES["named_effects"])], "harms.yaml named_effects")
NAMED_STARTS = frozenset(_first_tokens(_RULES["named_effects"], "harms.yaml named_effects"))
EXPECTATION = _compile([_words(_RULES["outcome_negation_words"])], "harms.yaml outcome_negation_words")
RELIEF = _compile([_words(_RULES["relief_words"])], "harms.yaml relief_words")
EXCEPTION = _compile([_words(_RULES["exceptions"])], "harms.yaml exceptions")
# Prose: aims (title, summary, description), collection statements (also arms and interventions),
# and a title naming safety. Each contains an aim term, so prose is searched only near one.
AIM = _compile([_EDGE_L + p for p in _RULES["aims"]], "harms.yaml aims")
COLLECTION = _compile([_EDGE_L + p for p in _RULES["collection_statements"]], "harms.yaml collection_statements")
TITLE = _compile([_words(_RULES["title_terms"])], "harms.yaml title_terms")
BACKGROUND = _compile(_RULES["background_before"], "harms.yaml background_before")
SYSTEMATIC = _compile([_words(_RULES["collection"]["systematic"]["phrases"])], "harms.yaml collection.systematic")
SPONTANEOUS = _compile([_words(_RULES["collection"]["spontaneous"]["phrases"])], "harms.yaml collection.spontaneous")
AIM_TERM = _compile([_MACROS["harm"], _words(_RULES["title_terms"]), _MACROS["safe"]], "harms.yaml aim_terms")
# A prose match contains an aim term and starts at most this many characters before it ("to
# evaluate the long-term clinical safety", "participants will be closely monitored for any adverse").
BEFORE = 100
EXCEPTION_REACH = 40  # an exception phrase starts at most this far before the harms word it holds


class Words:
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


AIM_TERMS = Words(_first_tokens(_RULES["aim_terms"] + _RULES["title_terms"] + _RULES["aim_adjectives"],
                                "harms.yaml aim_terms"))
PROSE = {"aim": AIM, "collection": COLLECTION, "title": TITLE}
# Where each kind's matches can start (its first words, read off the compiled rules), looked up in
# the short stretch before an aim term; and the first words of the exception phrases.
STARTS = {kind: Words(_trigger_words(p, f"harms.yaml {kind}")) for kind, p in PROSE.items()}
EXCEPTION_STARTS = Words(_first_tokens(_RULES["exceptions"], "harms.yaml exceptions"))
