"""Instrument lexicon (data in lexicon.yaml) and matching on outcome text.

Aliases match case-insensitively with flexible separators between letter and digit runs, so
"SF-36", "SF 36", "sf36" and "Short Form-36" are one instrument. Harms terms (rules/harms.yaml,
applied by extract/safety/) honour negation ("no adverse events are expected" is not a plan to collect them).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from importlib import resources

import yaml

from auditor import derived
from auditor.extract import regex_shape
from auditor.extract.fast_patterns import ascii_pattern, compile_fast, source_of
from auditor.extract.prefilter import anchored, lower_cached, occurrences
from auditor.extract.record_cache import per_record

_SEP = r"[\s\-_./:()]{0,3}"
_WORDS = compile_fast(r"[a-z]+|[0-9]+")  # the word tokens of a lower-cased text (`words`)
_TOKEN = compile_fast(r"[a-z]+|[0-9]+(?:\.[0-9]+)?", re.IGNORECASE)


def _alias_pattern(alias: str) -> str:
    tokens = _TOKEN.findall(alias)
    if not tokens:
        raise ValueError(f"empty alias {alias!r}")
    body = _SEP.join(re.escape(t) for t in tokens)
    # A trailing version marker ("SF-36v2", "SF 12 version 2") stays part of the same instrument.
    return rf"(?<![a-z0-9]){body}(?:{_SEP}v(?:ersion)?{_SEP}\d(?:\.\d)?)?(?![a-z0-9])"


_LB = "(?<![a-z0-9])"


def _combine(parts: list[str]) -> str:
    """One pattern for an entry's alternatives that matches exactly like "|".join(parts).

    Case-insensitive alternatives are tried one by one at every position, each with its own
    look-behind (~200 ns per character for the harms entry). When every part starts with the same
    look-behind it is tested once, before the alternatives; alternatives that start with different
    letters cannot match at the same position, so grouping them by first letter (order kept within
    a group) lets one look-ahead per group skip the rest."""
    flat = "|".join(f"(?:{p})" for p in parts)
    if not parts or not all(p.startswith(_LB) for p in parts):
        return flat
    rest = [p[len(_LB):] for p in parts]
    keys: list[str] = []
    for r in rest:
        alts = regex_shape.parse(r)
        first = regex_shape.first_chars([("alt", alts)]) if alts is not None else None
        letters = {c.lower() for c in first[0]} if first is not None and not first[1] else set()
        if len(letters) != 1 or not next(iter(letters)).isascii() or not next(iter(letters)).isalnum():
            return _LB + "(?:" + "|".join(f"(?:{r})" for r in rest) + ")"
        keys.append(letters.pop())
    groups: dict[str, list[str]] = {}
    for key, r in zip(keys, rest):
        groups.setdefault(key, []).append(r)
    return _LB + "(?:" + "|".join(f"(?={k})(?:" + "|".join(f"(?:{r})" for r in g) + ")" for k, g in groups.items()) + ")"


@dataclass(frozen=True)
class Entry:
    category: str
    name: str
    pattern: re.Pattern[str]
    subsumes: tuple[str, ...]
    triggers: frozenset[str]  # first words of the aliases: the entry's regex runs only when one occurs
    # ... and only when all the words of one alias occur (or a `triggers` word of its patterns)
    requires: tuple[frozenset[str], ...]

    @functools.cached_property
    def anchors(self) -> tuple[str, ...] | None:
        """Lower-case words every match starts with, read off the pattern (None: not known, the text
        is scanned whole). Read on first use: start-up stays cheap."""
        return _anchor_words(source_of(self.pattern)[0])

    @property
    def anchored(self) -> bool:
        return self.anchors is not None


@dataclass(frozen=True)
class Hit:
    category: str
    name: str
    start: int
    end: int


_LEADING = re.compile(r"[a-z]+|[0-9]+")


def _anchor_words(source: str) -> tuple[str, ...] | None:
    """The first letter or digit run of every literal prefix of the pattern `source` (so every match
    starts with one of them), or None when a match may start otherwise or the pattern is not analysed.

    A case-sensitive part ("(?-i:NHP)") is read like the rest: its matches are looked for in the
    lower-cased text and the pattern itself then tests the case."""
    alts = regex_shape.parse(source.replace("(?-i:", "(?:"))
    if alts is None:
        return None
    words: set[str] = set()
    for prefix, _ in regex_shape.literal_starts(alts, limit=16):
        m = _LEADING.match(prefix.lower())
        if m is None:
            return None
        words.add(m.group())
    # a word that starts with another one adds no position: keep the shortest
    return tuple(sorted(w for w in words if not any(w != v and w.startswith(v) for v in words)))


def _load() -> dict[str, list[Entry]]:
    # libyaml when present: the pure-Python loader costs ~40 ms of every start-up.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load(resources.files("auditor.extract").joinpath("lexicon.yaml").read_text("utf-8"), Loader=loader)
    out: dict[str, list[Entry]] = {}
    for category, items in raw.items():
        entries = []
        for name, spec in items.items():
            parts = [_alias_pattern(a) for a in spec.get("aliases", [])] + list(spec.get("patterns", []))
            triggers = {_TOKEN.findall(a)[0].lower() for a in spec.get("aliases", [])}
            triggers |= {t.lower() for t in spec.get("triggers", [])}
            requires = {frozenset(_WORDS.findall(a.lower())) for a in spec.get("aliases", [])}
            requires |= {frozenset([t.lower()]) for t in spec.get("triggers", [])}
            pattern = compile_fast(derived.memo("instruments._combine", parts, _combine, parts), re.IGNORECASE)
            entries.append(Entry(category, name, pattern, tuple(spec.get("subsumes", [])), frozenset(triggers),
                                 tuple(requires)))
        out[category] = entries
    return out


LEXICON: dict[str, list[Entry]] = _load()  # loaded once at import, never per record
# trigger word -> indexes of the entries it can start, per category (an inverted index).
_INDEX: dict[str, dict[str, list[int]]] = {}
for _cat, _entries in LEXICON.items():
    _INDEX[_cat] = {}
    for _i, _e in enumerate(_entries):
        for _w in _e.triggers:
            _INDEX[_cat].setdefault(_w, []).append(_i)
_KEYS = {cat: frozenset(index) for cat, index in _INDEX.items()}
# trigger word -> (category, entry index) pairs, across categories: one look-up per text for all
_BY_WORD: dict[str, list[tuple[str, int]]] = {}
for _cat, _index in _INDEX.items():
    for _w, _ids in _index.items():
        _BY_WORD.setdefault(_w, []).extend((_cat, _i) for _i in _ids)
_ALL_KEYS = frozenset(_BY_WORD)
# The same, with each entry's `requires` beside it (read for every trigger word a text holds).
_BY_WORD_REQUIRES: dict[str, list[tuple[str, int, tuple[frozenset[str], ...]]]] = {
    w: [(cat, i, LEXICON[cat][i].requires) for cat, i in pairs] for w, pairs in _BY_WORD.items()}
_SUBSUMES = {cat: {e.name: e.subsumes for e in entries} for cat, entries in LEXICON.items()}


# ASCII characters to themselves when a letter (digit), else a space: the letter runs and the digit
# runs of an ASCII text are the words of its two translations (str.split), what _WORDS finds.
_LETTERS_ONLY = "".join(c if "a" <= c <= "z" else " " for c in map(chr, range(128)))
_DIGITS_ONLY = "".join(c if "0" <= c <= "9" else " " for c in map(chr, range(128)))


@per_record(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    # A cheap pre-filter: one tokenisation per text instead of ~100 alias regexes at every position.
    low = lower_cached(text)  # the cached lower-casing when ASCII
    if low is None:
        return frozenset(_WORDS.findall(text.lower()))
    # Two translations and splits cost ~30% less than the regex's findall on the outcome texts.
    return frozenset(low.translate(_LETTERS_ONLY).split() + low.translate(_DIGITS_ONLY).split())

words = _words  # the lower-case word tokens of a text, cached per record (the safety package gates its rules on them)

_NEG_BEFORE = compile_fast(r"\b(?:no|not|none|without|free of|absence of|never|nor|neither|zero)\b[^.;:]{0,40}$", re.IGNORECASE)
_NEG_AFTER = compile_fast(r"^[^.;]{0,40}\b(?:(?:is|are|were|was|be)\s+not\s+(?:expected|anticipated|likely|foreseen|"
                        r"known|reported)|unlikely|not expected|not anticipated)", re.IGNORECASE)


def scan(text: str, categories: Collection[str]) -> dict[str, list[Hit]]:
    """`mentions` of each of `categories` named in `text` (a category with none is left out): one
    word look-up for all of them, as an outcome is read for HRQoL, pain and function at once."""
    if not text:
        return {}
    words = _words(text)
    present = _ALL_KEYS & words
    if not present:
        return {}
    todo: dict[str, set[int]] = {}
    for w in present:
        for cat, i, requires in _BY_WORD_REQUIRES[w]:
            if cat not in categories:
                continue
            ids = todo.get(cat)
            if ids is not None and i in ids:
                continue  # already wanted through another of its trigger words
            for r in requires:  # a plain loop: any() over a generator costs more per entry
                if r <= words:
                    if ids is None:
                        todo[cat] = {i}
                    else:
                        ids.add(i)
                    break
    out: dict[str, list[Hit]] = {}
    for cat, ids in todo.items():
        if hits := _mentions(cat, text, sorted(ids)):
            out[cat] = hits
    return out


def mentions(category: str, text: str) -> list[Hit]:
    """Every mention of an instrument of one category in `text`, in text order.

    A name that a more specific one found in the same text subsumes is dropped ("EQ-5D" where the
    text names the "EQ-5D-5L"), so each hit names the most specific version."""
    return scan(text, (category,)).get(category, [])


def _mentions(category: str, text: str, ids: list[int]) -> list[Hit]:
    """The mentions of the entries `ids` (ascending) of `category` in `text`."""
    entries = LEXICON[category]
    hits: list[Hit] = []
    for i in ids:
        name = entries[i].name
        hits.extend(Hit(category, name, m.start(), m.end()) for m in _finditer(entries[i], text))
    if len(hits) < 2:
        return hits
    names = {h.name for h in hits}
    if len(names) > 1:  # an entry never subsumes itself
        drop = {s for n in names for s in _SUBSUMES[category][n]}
        hits = [h for h in hits if h.name not in drop]
    return sorted(hits, key=lambda h: h.start)


def find(category: str, text: str) -> list[Hit]:
    """Instruments of one category named in `text`: the first mention of each, most specific
    version only, in text order (`mentions` gives every mention)."""
    seen: set[str] = set()
    first: list[Hit] = []
    for h in mentions(category, text):
        if h.name not in seen:
            seen.add(h.name)
            first.append(h)
    return first


def _finditer(entry: Entry, text: str) -> Iterator[re.Match[str]]:
    """entry.pattern.finditer(text), trying only where an anchor word starts when the entry has them.

    An anchored entry's match starts with one of its anchor words, so in ASCII text (where
    re.IGNORECASE is lower-casing) its matches are found by a few anchored tries at the anchor
    occurrences, in order, instead of a scan of the whole text."""
    anchors = entry.anchors
    low = lower_cached(text) if anchors is not None else None
    if low is None or anchors is None:
        return (ascii_pattern(entry.pattern) if text.isascii() else entry.pattern).finditer(text)
    return anchored(entry.pattern, text, occurrences(low, anchors))


def negated(text: str, start: int, end: int) -> bool:
    """The term at [start, end) is negated ("no adverse events are expected")."""
    return bool(_NEG_BEFORE.search(text[max(0, start - 60):start]) or _NEG_AFTER.match(text[end:end + 60]))


def harms(text: str) -> Hit | None:
    """The first non-negated harms term in `text`.

    The harms vocabulary is rules/harms.yaml, applied by extract/safety/; this stays for callers of the
    lexicon API."""
    # imported late: safety imports `negated` from this module
    from auditor.extract import safety

    m = safety.harm_term(text)
    return Hit("harms", "adverse events", m.start(), m.end()) if m else None


def names(category: str) -> list[str]:
    return [e.name for e in LEXICON[category]]
