"""Design facts: randomisation, number of arms, outcome-assessor masking.

- randomized: allocation enum (RANDOMIZED / NON_RANDOMIZED / NA = single group), else a single-group
  intervention model (legacy XML gives no allocation for one group), a labelled answer
  ("Randomised: no", as EU CTR and CTIS give it) or prose ("Randomized controlled trial", "non-randomised").
- arm_count: registered arms; else the arm count a registry field states (EU CTR E.8.2.4); else a
  single-arm title ("Open-Label, Single-Arm Study"); else prose ("randomised to one of two groups");
  else the number of interventions.
- assessor_blinded: whoMasked lists the outcomes assessor; masking NONE -> False; a masked
  design that names other roles only -> False; masking prose that names the assessor
  ("assessor-blinded") or masks all four roles ("quadruple-blind": participant, care provider,
  investigator, outcomes assessor) -> True. "Single/double/triple-blind" alone leaves open who is
  masked: unknown, not True.
"""

from __future__ import annotations

import re

from auditor.extract.text import WORDS, compile_fast, evidence
from auditor.facts import Evidence, FactSheet
from auditor.model import TrialRecord

_NONRANDOM = compile_fast(r"\bnon[\s-]?randomi[sz]ed|\bnot\s+randomi[sz]ed|\bsingle[\s-]?(?:arm|group)|\bno\s+"
                        r"randomi[sz]ation|\bnon[\s-]?random", re.I)
# A labelled answer, as EU CTR / CTIS design sections give it ("Controlled: yes Randomised: no Open: yes").
_ANSWER = compile_fast(r"\brandomi[sz](?:ed|ation)\s*:\s*(?P<a>yes|no)\b", re.I)
# The label with no yes/no after it: left blank ("Randomised: " then the next label or line) or
# "Information not present in EudraCT". The register's own answer is missing, so the label's word
# "Randomised" says nothing about the design (a blank form is not a randomised trial). The next label
# is one of the EU CTR E.8.1 design questions, which ICTRP copies on one line or one per line.
_UNANSWERED = compile_fast(r"\brandomi[sz](?:ed|ation)\s*:[ \t]*(?:$|\n|information\s+not\s+(?:present|available)|"
                           r"not\s+(?:given|stated|available|applicable)\b|"
                           r"(?:E\.8\.1\.\d\s+)?(?:open|controlled|single\s+blind|double\s+blind|parallel\s+group|"
                           r"cross\s+over|other)\s*:)", re.I | re.M)
_RANDOM = compile_fast(r"\brandomi[sz]ed|\brandomi[sz]ation|\brandomly\s+(?:assigned|allocated)|\bRCT\b", re.I)
_ASSESSOR = compile_fast(r"\b(?:assessor|evaluator|rater|examiner|outcome\s+assessor)s?[\s-]+(?:blind|mask)|"
                       r"\b(?:blind|mask)\w*[\s(:,-]+(?:the\s+)?(?:outcomes?\s+)?(?:assessor|evaluator|rater|examiner)s?|"
                       r"\bassessor[\s-]blind|\bquadruple[\s-]blind", re.I)
_OPEN = compile_fast(r"^\s*(?:open|none|no\s+masking|unblinded|not\s+blinded)\b|masking\s+not\s+used|open[\s-]label",
                   re.I)
_ONE_ARM = compile_fast(r"\b(?:single|one)[\s-]+(?:arm|group)(?:ed)?\b(?![\s-]+(?:of|per|each)\b)", re.I)
_GROUPS = compile_fast(r"\b(?:randomi[sz]ed|randomly\s+(?:assigned|allocated)|allocated|assigned|divided)\s+"
                     r"(?:\w+\s+){0,3}?(?:to|into)\s+(?:one\s+of\s+)?(?P<n>two|three|four|five|six|2|3|4|5|6)\s+"
                     r"(?:\w+\s+)?(?:groups|arms)", re.I)
# "to compare standardized chiropractic treatment (spinal manipulation) to back surgery": two groups.
_COMPARE_TWO = compile_fast(r"\bcompar\w*\s+(?:the\s+)?(?:(?:clinical\s+)?(?:efficacy|effectiveness|effects?|outcomes?)\s+"
                          r"of\s+)?[^.;:]{3,120}?\s+(?:to|with|versus|vs\.?|against)\s+[^.;:]{3,120}?(?:[.;:]|$)|"
                          r"\b\w[\w\s-]{2,60}\s+(?:versus|vs\.?)\s+\w", re.I)
# The structured intervention model of a one-group study: API v2 SINGLE_GROUP, legacy XML and the
# classic API "Single Group Assignment", ICTRP "Single group".
_SINGLE_MODEL = re.compile(r"\s*single[\s_-]*group\b", re.I)
_VERSUS = compile_fast(r"\b(?:versus|vs\.?)(?!\w)", re.I)


def randomized(record: TrialRecord) -> tuple[bool | None, list[Evidence]]:
    alloc = record.design.allocation
    if alloc is not None:
        value = alloc.value.strip()
        upper = value.upper().replace("-", "_").replace(" ", "_")
        if upper in ("RANDOMIZED", "RANDOMISED"):
            return True, [Evidence.of(alloc, note="allocation: randomized")]
        if upper in ("NON_RANDOMIZED", "NON_RANDOMISED", "NA", "N/A"):
            return False, [Evidence.of(alloc, note="single group (no allocation)" if upper in ("NA", "N/A")
                                       else "allocation: non-randomized")]
        if m := _ANSWER.search(value):
            return m.group("a").lower() == "yes", [evidence(alloc, m.start(), m.end(), "randomised: " + m.group("a").lower())]
        if not _UNANSWERED.search(value):
            if m := _NONRANDOM.search(value):
                return False, [evidence(alloc, m.start(), m.end(), "non-randomised allocation")]
            if m := _RANDOM.search(value):
                return True, [evidence(alloc, m.start(), m.end(), "randomised allocation")]
    # Legacy CT.gov XML and some exports leave out the allocation of a single-group study (API v2
    # writes NA there): with one group nobody is allocated, so the structured model settles it.
    model = record.design.intervention_model
    if model is not None and _SINGLE_MODEL.match(model.value):
        return False, [Evidence.of(model, note="single group assignment (no allocation)")]
    for text in (record.design.description, record.official_title, record.title):
        if text is None:
            continue
        if m := _ANSWER.search(text.value):
            return m.group("a").lower() == "yes", [evidence(text, m.start(), m.end(), "randomised: " + m.group("a").lower())]
        if _UNANSWERED.search(text.value):
            continue  # a blank design form: only the titles may still say how allocation was done
        if m := _NONRANDOM.search(text.value):
            return False, [evidence(text, m.start(), m.end(), "non-randomised design stated")]
        if m := _RANDOM.search(text.value):
            return True, [evidence(text, m.start(), m.end(), "randomised design stated")]
    return None, []


def arm_count(record: TrialRecord) -> tuple[int | None, list[Evidence]]:
    if record.arms:
        labels = [a.label for a in record.arms if a.label is not None]
        where = "in the protocol file" if record.source.format == "protocol" else "registered"
        return len(record.arms), [Evidence.of(labels[0], note=f"{len(record.arms)} arms {where}")] if labels else []
    stated = record.design.arm_count
    if stated is not None and stated.value >= 1:  # the register's own field; 0 is no answer
        arms = int(stated.value)
        return arms, [Evidence.of(stated, note=f"{arms} arms stated by the registry")]
    for text in (record.title, record.official_title):
        if text is not None and (m := _ONE_ARM.search(text.value)):
            return 1, [evidence(text, m.start(), m.end(), "single-arm design stated")]
    for text in (record.design.description, record.summary, record.description):
        if text is not None and (m := _GROUPS.search(text.value)):
            n = m.group("n").lower()
            count = int(n) if n.isdigit() else int(WORDS[n])
            return count, [evidence(text, m.start(), m.end(), f"{count} groups stated")]
    if record.interventions and (record.design.intervention_model is None
                                 or "SINGLE" not in record.design.intervention_model.value.upper()):
        names = [iv.name for iv in record.interventions if iv.name is not None]
        if len(names) >= 2:
            return len(names), [Evidence.of(names[0], note=f"no arm groups: {len(names)} interventions counted")]
    if randomized(record)[0]:
        for text in (record.summary, record.title, record.official_title):
            if text is not None and (m := _COMPARE_TWO.search(text.value)):
                n = 1 + max(1, len(_VERSUS.findall(m.group())))
                return n, [evidence(text, m.start(), m.end(), f"no arm groups: a comparison of {n} treatments stated")]
    return None, []


def assessor_blinded(record: TrialRecord) -> tuple[bool | None, list[Evidence]]:
    d = record.design
    for who in d.who_masked:
        if "ASSESSOR" in who.value.upper():
            return True, [Evidence.of(who, note="outcome assessor masked")]
    # An explicit assessor statement wins over a general one ("open-label, assessor-blinded").
    for text in (d.masking, d.description, record.official_title, record.title):
        if text is not None and (m := _ASSESSOR.search(text.value)):
            return True, [evidence(text, m.start(), m.end(), "assessor masking stated")]
    if d.masking is not None:
        value = d.masking.value.strip().upper()
        if value in ("NONE", "NONE (OPEN LABEL)", "OPEN", "OPEN LABEL") or _OPEN.search(d.masking.value):
            return False, [Evidence.of(d.masking, note="no masking (open label)")]
        if d.who_masked:
            return False, [Evidence.of(d.who_masked[0], note="masked roles do not include the outcome assessor")]
    return None, []


WRITES = ("design.randomized", "design.arm_count", "design.assessor_blinded")
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    sheet.set("design.randomized", *randomized(record))
    sheet.set("design.arm_count", *arm_count(record))
    sheet.set("design.assessor_blinded", *assessor_blinded(record))
