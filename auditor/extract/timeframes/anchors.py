"""Anchor phrases of a time-frame text and which quantity each belongs to.

The vocabularies (relation words x event words) and phrase patterns are data:
rules/timeframe_anchors.yaml (see docs/rules/timeframe_anchors.md).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from auditor.extract import rules
from auditor.extract.text import NUM_RE, PLUS_MINUS, TriggerIndex, ascii_lower, compile_fast, trigger_words
from auditor.extract.timeframes.quantities import Qty
from auditor.extract.timeframes.spans import Spans, free

ANCHORS = ("baseline", "treatment_start", "end_of_treatment", "procedure", "unknown")

RULES = rules.load("timeframe_anchors")
MACROS = {name: "(?:" + "|".join(RULES[name]) + ")"
                  for name in ("treatment_events", "procedure_events", "baseline_events", "after_words")}


def _anchor_rules(section: str) -> list[tuple[re.Pattern[str], str]]:
    """(pattern, anchor) per entry of a section of timeframe_anchors.yaml, in file order."""
    out: list[tuple[re.Pattern[str], str]] = []
    for i, entry in enumerate(RULES[section]):
        where = f"timeframe_anchors.yaml {section}[{i}]"
        if entry["anchor"] not in (*ANCHORS, "before"):
            raise rules.RuleError(f"{where}: unknown anchor {entry['anchor']!r}")
        try:
            out.append((compile_fast(rules.expand(entry["pattern"], MACROS, where), re.IGNORECASE), entry["anchor"]))
        except re.error as exc:
            raise rules.RuleError(f"{where}: {exc}") from exc
    return out


# (regex, anchor); order matters only for overlaps: earlier wins.
_ANCHOR_PHRASES = _anchor_rules("anchor_phrases")
# Word-only time points (no number): 0 weeks from baseline, or 0 weeks after the end of treatment.
_MARKERS = _anchor_rules("markers") + _anchor_rules("discharge_markers")
PHRASES = _ANCHOR_PHRASES + _MARKERS
# Markers flagged `moment: true` name when the assessment is although they are no number ("at
# discharge"): a time frame of such markers is specific (FU03) like "Baseline".
MOMENTS = frozenset(len(_ANCHOR_PHRASES) + i for i, entry in enumerate(RULES["markers"] + RULES["discharge_markers"])
                    if entry.get("moment"))
# Index ranges of PHRASES: the anchor phrases, then the markers.
ANCHOR_RANGE = (0, len(_ANCHOR_PHRASES))
MARKER_RANGE = (len(_ANCHOR_PHRASES), len(PHRASES))

# Where the anchor and marker patterns can match a text, from their trigger words, in one pass: most
# time frames ("Baseline, 6 weeks, 12 months") contain none of "after", "post", "from", ...
PHRASE_INDEX = TriggerIndex({str(i): trigger_words(p) for i, (p, _) in enumerate(PHRASES)})
_ALWAYS = sorted(int(name) for name in PHRASE_INDEX.always)


def names_end(text: str) -> bool:
    """Whether an end-of-treatment phrase occurs in `text` (its patterns alone, tried only where their
    trigger words are: a cheap test before reading a text's time points, which most descriptions'
    sentences do not need)."""
    return any(PHRASES[i][1] == "end_of_treatment" and PHRASES[i][0].search(text)
               for i in possible(PHRASE_INDEX.starts(ascii_lower(text))))


def possible(starts: dict[str, list[int]] | None) -> list[int]:
    """Indices into PHRASES of the patterns whose trigger words the text contains, in order."""
    if starts is None:
        return list(range(len(PHRASES)))
    return sorted([int(name) for name in starts] + _ALWAYS)


def matches(candidates: list[int], lo: int, hi: int, text: str,
            starts: dict[str, list[int]] | None) -> Iterator[tuple[int, list[re.Match[str]], str]]:
    """(index, matches, anchor) per pattern of PHRASES[lo:hi] that may match and does, in pattern order."""
    for i in candidates[bisect_left(candidates, lo):bisect_left(candidates, hi)]:  # candidates are sorted
        pattern, anchor = PHRASES[i]
        if found := list(PHRASE_INDEX.finditer(str(i), pattern, text, starts)):
            yield i, found, anchor


def anchors(text: str, starts: dict[str, list[int]] | None, candidates: list[int]) -> list[tuple[int, int, str]]:
    """(start, end, anchor) of every anchor phrase, disjoint (earlier patterns win overlaps), sorted."""
    found: list[tuple[int, int, str]] = []
    kept: list[Spans] = []  # per pattern, the matches kept
    for _, found_by, anchor in matches(candidates, *ANCHOR_RANGE, text, starts):
        mine = Spans()
        for m in found_by:
            if free(kept, m.start(), m.end()):
                found.append((m.start(), m.end(), anchor))
                mine.append(m.start(), m.end())
        kept.append(mine)
    found.sort()
    return found


_LIST_GAP = compile_fast(r"^[\s,&/-]*(?:\([^()]{0,25}\))?[\s,&/-]*(?:(?:and|or|then)\b)?[\s,&/-]*$", re.IGNORECASE)
# Between a quantity and its anchor: a short label "(T2)", a tolerance "± 60 days", a frequency
# that continues the list ("12 month, annually post-operatively") or "in the" ("1 month in the
# post-operative period").
_AFTER_GAP = compile_fast(rf"^[\s,\-:)]*(?:\((?:[^()]{{0,25}})\)\s*)?(?:{PLUS_MINUS}\s*\d+\s*[a-z]*\s*)?"
                          r"(?:(?:annually|yearly|thereafter)[\s,]*)?(?:in\s+the\s+)?$", re.IGNORECASE)
# "8 weeks (post-injection)": an anchor in brackets right after its quantity. Only for events that
# date a time point (procedure, baseline): "Week 12 (post-treatment)" names the post-treatment
# visit and dates it from baseline (timeframes.same_visit), it is not 12 weeks after treatment.
_BRACKET_GAP = compile_fast(r"^\s*\(\s*$")
_BRACKETED = frozenset(("procedure", "baseline"))
_BEFORE_GAP = compile_fast(r"^[\s:,\-]*(?:at|on|in|last)?[\s(]*$", re.IGNORECASE)


def attach(text: str, qtys: list[Qty], found: list[tuple[int, int, str]]) -> None:
    """Give each quantity its anchor: the phrase that follows it closely, else the anchor of the
    next quantity of its list, else a procedure phrase just before it."""
    # The anchors are disjoint and sorted, so their starts and their ends are both in order.
    starts = [a[0] for a in found]
    ends = [a[1] for a in found]
    # Right to left, so a list inherits the anchor written after its last member.
    for i in range(len(qtys) - 1, -1, -1):
        q = qtys[i]
        nxt_q = qtys[i + 1] if i + 1 < len(qtys) else None
        k = bisect_left(starts, q.end)  # the first anchor that starts at or after the quantity's end
        nxt_a = found[k] if k < len(found) else None
        if nxt_a and (nxt_q is None or nxt_a[0] < nxt_q.start) and _follows(text, q, nxt_a):
            q.anchor, q.anchor_start, q.anchor_end = nxt_a[2], nxt_a[0], nxt_a[1]
            continue
        # (not into a list that starts anew: "Week 0, 2, 4, 8 and week 4 after the end of intake")
        if nxt_q and nxt_q.anchor and not nxt_q.restarts and _LIST_GAP.match(text[q.end:nxt_q.start]) and \
                (nxt_a is None or nxt_a[0] >= nxt_q.start) and not _names_visit(text[q.end:nxt_q.start]):
            q.anchor, q.anchor_start, q.anchor_end = nxt_q.anchor, nxt_q.anchor_start, nxt_q.anchor_end
            continue
    # Then left to right for a procedure anchor written just before ("postoperative day 1", "post-op
    # at 6 weeks"). Not for end of treatment: "Post-treatment at Week 8" / "Post Treatment (Week 5)"
    # name the post-treatment visit and date it from baseline.
    for i, q in enumerate(qtys):
        if q.anchor:
            continue
        k = bisect_right(ends, q.start)  # found[:k] end at or before the quantity
        prev = found[k - 1] if k else None
        if prev and prev[2] == "procedure" and _BEFORE_GAP.match(text[prev[1]:q.start]) \
                and (i == 0 or qtys[i - 1].end <= prev[0]):
            q.anchor, q.anchor_start, q.anchor_end = prev[2], prev[0], prev[1]
        elif i and (p := qtys[i - 1]).anchor and p.anchor_start is not None and p.anchor_start < p.start \
                and _LIST_GAP.match(text[p.end:q.start]):
            # "post-op (3 month (± 1 month) and 12 months ...)": the list goes on under the same anchor.
            q.anchor, q.anchor_start, q.anchor_end = p.anchor, p.anchor_start, p.anchor_end


def _names_visit(gap: str) -> bool:
    """The words between two times of a list name the first one's visit in brackets ("Week 12 (EOT)
    and 4 weeks post-EOT", "Day 0 (baseline), 3 and 6 months after surgery"): that time is the visit
    it names, dated from baseline, and does not take the next time's anchor."""
    return "(" in gap and any(p.search(gap) for p, _ in _MARKERS)


_VISIT_BEFORE_ANCHOR = compile_fast(RULES["visit_before_anchor"], re.IGNORECASE)


def _follows(text: str, q: Qty, anchor: tuple[int, int, str]) -> bool:
    """The anchor phrase follows the quantity closely enough to be its anchor (with a visit noun
    between: "12-month follow-up after the intervention", rules' visit_before_anchor)."""
    gap = _gap(text, q.end, anchor[0])
    return bool(_AFTER_GAP.match(gap) or (anchor[2] in _BRACKETED and _BRACKET_GAP.match(gap))
                or (_VISIT_BEFORE_ANCHOR.match(gap) and NUM_RE.match(text, q.start)))


def _gap(text: str, start: int, end: int) -> str:
    # "3 months (T2) after surgery", "12 weeks - post intervention": tolerate short labels in between.
    return text[start:end] if end - start <= 30 else "x"
