"""Population facts: is the trial about low back pain, and does eligibility require >= 12 weeks of it.

chronic_lbp_12w: protocol `min_pain_duration_weeks` wins; else the eligibility text's duration
criteria near pain/symptom words ("pain for at least 3 months", "> 12 weeks", "persistent for 6
months", "NIH Task Force definition of chronic LBP", exclusion "symptoms < 3 months"). A stated
minimum under 12 weeks -> False; no duration criterion -> None (the record does not say).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.extract.instruments import negated
from auditor.extract.text import compile_fast, NUM, evidence, number, unit_of, weeks
from auditor.facts import Evidence, FactSheet
from auditor.model import Text, TrialRecord

_LBP = compile_fast(r"\b(?:low(?:er)?[\s-]+back|lumbar(?!\s+(?:puncture|drain|plexus|catheter|cistern))|lumbosacral|lumbago|LBP|CLBP|back\s+pain|backache|sciatica|"
                  r"lumbo-?sacral|lumbo-?pelvic)", re.I)
# Spine conditions that are low back conditions unless the text places them elsewhere (cervical disc
# herniation is neck, not low back).
_SPINE = compile_fast(r"\b(?:radiculopathy|dis[ck]\s+herniation|herniated\s+(?:intervertebral\s+)?dis[ck]|spinal\s+stenosis|"
                    r"degenerative\s+dis[ck]|discogenic|spondylolisthesis|intervertebral\s+dis[ck])", re.I)
_NOT_LOW = compile_fast(r"\b(?:cervical|neck|thoracic|cervico)", re.I)
_PAIN = (r"(?:pain|LBP|CLBP|symptoms?|sciatica|radiculopathy|complaints?|conservative\s+(?:treatment|care|therapy|"
         r"management)|non-?operative\s+(?:treatment|care)|backache|lumbago)")
_QTY = rf"(?P<n>{NUM})\s*-?\s*(?P<u>weeks?|wks?|months?|mos?|years?|yrs?)\b"
_COMPARE = (r"(?:for\s+|of\s+|lasting\s+|duration\s+(?:of\s+)?|persist\w*\s+(?:for\s+)?|present\s+(?:for\s+)?)?"
            r"(?:at\s+least|a\s+minimum\s+of|minimum(?:\s+of)?|min\.?|more\s+than|greater\s+than|longer\s+than|over|"
            r">\s*=?|≥|=>|>=|no\s+less\s+than|not\s+less\s+than|exceeding|in\s+excess\s+of|past|last|previous|"
            r"the\s+past|for|of|lasting|persisting\s+for)\s*")
_INCL = (compile_fast(rf"{_PAIN}[^.;\n]{{0,80}}?{_COMPARE}{_QTY}", re.I),
         compile_fast(rf"{_QTY}[^.;\n]{{0,20}}?(?:of|with|duration)\s+(?:\w+\s+){{0,3}}?{_PAIN}", re.I))
_LESS = compile_fast(rf"{_PAIN}[^.;\n]{{0,60}}?(?:<|less\s+than|shorter\s+than|under|fewer\s+than)\s*{_QTY}", re.I)
_NIH = compile_fast(r"NIH\s+(?:Task\s+Force|research\s+task\s+force|RTF)|Research\s+Task\s+Force", re.I)
# "acute and chronic lumbopelvic pain", "acute disc herniation": acute cases are eligible, so the
# trial does not require chronic pain.
_ACUTE = compile_fast(rf"\b(?<!non-)(?<!non )(?:sub-?)?acute\b(?:\s+(?:and|or|to)\s+(?:sub-?acute|chronic))?[^.;\n]{{0,40}}?{_PAIN}|"
                    rf"\b(?<!non-)(?<!non )(?:sub-?)?acute\s+(?:\w+\s+){{0,2}}(?:dis[ck]\s+)?(?:herniation|prolapse)", re.I)
# Between the pain word and its duration: another dated thing ("pain is secondary to HNP: MRI within the
# last 2 months") means the duration is not the pain's.
_OTHER_DATED = compile_fast(r"\b(?:MRI|imaging|scan|X-?ray|CT|surgery|injection|operation|medication|drug|visit|"
                          r"pregnan|delivery|birth|fracture)", re.I)
_UPPER = compile_fast(r"(?:up\s+to|within(?:\s+the\s+(?:last|past))?|less\s+than|fewer\s+than|shorter\s+than|<|≤|<=|"
                    r"no\s+more\s+than|not\s+more\s+than|maximum(?:\s+of)?|max\.?|under|not\s+exceeding)\s*$", re.I)
_SENTENCE = compile_fast(r"[^.;\n]+")
_ELIGIBILITY_WORDS = compile_fast(r"\b(?:must\s+have|eligible|inclusion|included|enrol\w*|recruit\w*|patients\s+with)\b",
                                re.I)
_EXCLUSION = compile_fast(r"exclusion\s+criteria|\bexclusions?\s*:", re.I)


@dataclass
class Population:
    low_back_pain: bool = False
    lbp_evidence: list[Evidence] = field(default_factory=list)
    chronic_12w: bool | None = None
    chronic_evidence: list[Evidence] = field(default_factory=list)


def derive(record: TrialRecord) -> Population:
    result = Population()
    texts = [t for t in [*record.conditions, *record.keywords, record.title, record.official_title] if t is not None]
    for text in texts:
        if m := _LBP.search(text.value):
            result.low_back_pain = True
            result.lbp_evidence = [evidence(text, m.start(), m.end(), "about low back pain / lumbar spine")]
            break
    else:
        if not any(_NOT_LOW.search(t.value) for t in texts):
            for text in texts:
                if m := _SPINE.search(text.value):
                    result.low_back_pain = True
                    result.lbp_evidence = [evidence(text, m.start(), m.end(), "spine condition, not cervical/thoracic")]
                    break
    if record.pain_duration_weeks is not None:
        n = record.pain_duration_weeks
        result.chronic_12w = n.value >= 12
        result.chronic_evidence = [Evidence.of(n, note=f"minimum pain duration {n.value:g} weeks")]
        return result
    if not result.low_back_pain:
        return result
    if record.eligibility is not None:
        result.chronic_12w, result.chronic_evidence = _from_eligibility(record.eligibility)
    if result.chronic_12w is None:
        # "Patients must have a single-level acute disc herniation" stated in the description.
        for prose in (t for t in (record.summary, record.description) if t is not None):
            for sentence in _SENTENCE.finditer(prose.value):
                if not _ELIGIBILITY_WORDS.search(sentence.group()):
                    continue
                for m in _ACUTE.finditer(prose.value, sentence.start(), sentence.end()):
                    if not negated(prose.value, m.start(), m.end()):
                        result.chronic_12w = False
                        result.chronic_evidence = [evidence(prose, m.start(), m.end(),
                                                            "acute condition required: chronicity not required")]
                        return result
    return result


def _from_eligibility(text: Text) -> tuple[bool | None, list[Evidence]]:
    value = text.value
    cut = _EXCLUSION.search(value)
    inclusion_end = cut.start() if cut else len(value)
    if m := _NIH.search(value[:inclusion_end]):
        return True, [evidence(text, m.start(), m.end(), "NIH Task Force definition of chronic LBP: >= 3 months")]
    shortest: tuple[float, re.Match[str]] | None = None
    for pattern in _INCL:
        for m in pattern.finditer(value, 0, inclusion_end):
            w = weeks(number(m.group("n")), unit_of(m.group("u")))
            if _OTHER_DATED.search(value, m.start(), m.start("n")):
                continue
            if _UPPER.search(value[max(0, m.start("n") - 25):m.start("n")]):
                # "up to 3 months from the beginning of symptoms": a maximum, so recent pain is eligible.
                return False, [evidence(text, m.start(), m.end(), f"pain of at most {w:g} weeks is eligible: "
                                                                  f"chronicity not required")]
            if shortest is None or w < shortest[0]:
                shortest = (w, m)
    if shortest is not None:
        w, m = shortest
        ok = w >= 12
        return ok, [evidence(text, m.start(), m.end(), f"required duration {w:g} weeks ({'>=' if ok else '<'} 12)")]
    for m in _ACUTE.finditer(value, 0, inclusion_end):
        if not negated(value, m.start(), m.end()):  # "do not have any other acute disease"
            return False, [evidence(text, m.start(), m.end(), "acute pain is eligible: chronicity not required")]
    if cut:
        for m in _LESS.finditer(value, inclusion_end):
            w = weeks(number(m.group("n")), unit_of(m.group("u")))
            return w >= 12, [evidence(text, m.start(), m.end(),
                                      f"excluded when shorter than {w:g} weeks -> requires >= {w:g} weeks")]
    return None, []


WRITES = ("population.low_back_pain", "population.chronic_lbp_12w")
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    pop = derive(record)
    sheet.set("population.low_back_pain", pop.low_back_pain, pop.lbp_evidence)
    sheet.set("population.chronic_lbp_12w", pop.chronic_12w, pop.chronic_evidence)
