"""Ho 2022 intervention categories per arm (CRITERIA.md vocabulary) and psych-with-physio.

Each arm is read together with the interventions assigned to it (ctgov armGroupLabels /
interventionNames). Category rules are keyword rules on that text plus the registry's
intervention type (DRUG, DEVICE, PROCEDURE, ...). Acceptance and commitment therapy is filed
under mindfulness, as Ho 2022 does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.extract.text import evidence
from auditor.facts import Evidence
from auditor.model import Arm, Intervention, Text, TrialRecord

_RULES: list[tuple[str, re.Pattern[str]]] = [(c, re.compile(p, re.I)) for c, p in (
    ("cognitive_functional_therapy", r"\bcognitive[\s-]+functional\s+therap|\bCFT\b"),
    ("cognitive_behavioural_therapy", r"\bcognitive[\s-]+behavio(?:u)?r|\bCBT(?:-?I)?\b|\bcognitive\s+therap|"
                                      r"\bcognitive\s+restructuring|\bproblem[\s-]solving\s+therap"),
    ("mindfulness", r"\bmindful|\bMBSR\b|\bMBCT\b|\bmeditat|\bacceptance\s+and\s+commitment|\bACT\b(?!ive)"),
    ("behavioural_therapy", r"\boperant|\bgraded\s+(?:activity|exposure)|\bbehavio(?:u)?ral\s+(?:activation|therap|"
                            r"treatment|intervention)|\bcontingency\s+management|\bexposure\s+therap"),
    ("counselling", r"\bcounsel|\bmotivational\s+interview|\bhealth\s+coach|\bcoaching\b|\bsupportive\s+(?:therap|"
                    r"communication)|\bpsychotherap"),
    ("pain_education", r"\bpain\s+(?:neuro\w*\s+|biology\s+|science\s+)?education|\bneuroscience\s+education|"
                       r"\bexplain(?:ing)?\s+pain|\bPNE\b|\bback\s+school|\b(?:patient|health|disease|fibromyalgia|"
                       r"spine|back)\s+education|\beducation(?:al)?\s+(?:session|program|booklet|class|module)|"
                       r"\bpsycho-?education"),
    ("biofeedback", r"\bbiofeedback|\bneurofeedback"),
    ("relaxation", r"\brelaxation|\bguided\s+imagery|\bbreathing\s+(?:exercise|technique)|\bhypno"),
    ("physiotherapy_exercise", r"\bphysiotherap|\bphysical\s+therap|\bexercis|\bMcKenzie|\bmanual\s+therap|"
                               r"\bmobili[sz]ation|\bstabili[sz]ation|\bcore\s+(?:stability|strength)|\bpilates|"
                               r"\bstretching|\brehabilitation|\bwalking\s+(?:program|exercise)|\bstrengthening|"
                               r"\bTENS\b|\bhot\s?pack|\binterferential|\bkinesio|\bmassage|\bSNAGs?\b"),
    ("device", r"\b(?:mobile\s+)?app\b|\bapplication\b(?=.{0,40}(?:smartphone|mobile|tablet|phone))|\bvirtual\s+reality|"
               r"\bVR\b|\bdigital\s+therapeutic|\bsmartphone|\btablet\b|\blaser\b|\bstimulat(?:or|ion)\s+device|"
               r"\bneurostimulat|\bspinal\s+cord\s+stimulat|\bbrace\b|\borthosis|\bwearable|\bsoftware"),
    ("drug", r"\b(?:mg|milligram|NSAID|opioid|steroid|corticosteroid|analgesic|injection\s+of|intradiscal\s+"
             r"(?:injection|administration)|stem\s+cell|platelet[\s-]rich|PRP\b|drug|medication|tablet[s]?\s+of|"
             r"capsule|pharmac)"),
    ("procedure_surgery", r"\bsurg|\bdiscectomy|\blaminectomy|\blaminotomy|\bfusion\b|\barthroplasty|\bforaminotomy|"
                          r"\bdecompression|\bsequestrectomy|\bendoscopic|\bneurotomy|\bablation|\bvertebroplasty|"
                          r"\bkyphoplasty|\bimplant|\bepidural|\bnerve\s+block|\bneuroplasty|\boperation"),
)]
_TYPE = {"DRUG": "drug", "BIOLOGICAL": "drug", "DEVICE": "device", "PROCEDURE": "procedure_surgery",
         "RADIATION": "procedure_surgery", "GENETIC": "drug", "COMBINATION_PRODUCT": "drug"}
_PSYCH = {"behavioural_therapy", "cognitive_behavioural_therapy", "mindfulness", "counselling",
          "cognitive_functional_therapy", "relaxation", "biofeedback"}
# Strong pain education (reconceptualising pain) counts as psychological; general "education" does not.
_PNE = re.compile(r"\bpain\s+(?:neuro\w*|biology|science)\s+education|\bneuroscience\s+education|\bexplain(?:ing)?"
                  r"\s+pain|\bPNE\b|\bpain\s+education", re.I)
_INACTIVE = re.compile(r"^\s*(?:usual\s+care|treatment\s+as\s+usual|TAU|wait[\s-]?list(?:\s+control)?|no\s+"
                       r"(?:intervention|treatment)|standard\s+care|control)\s*$", re.I)


@dataclass
class ArmCategories:
    categories: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    psych_with_physio: bool = False


def derive(record: TrialRecord) -> ArmCategories:
    result = ArmCategories()
    groups = _groups(record)
    for texts, types in groups:
        cats: dict[str, Evidence] = {}
        for t in types:
            cat = _TYPE.get(t.value.upper())
            if cat and cat not in cats:
                cats[cat] = Evidence.of(t, note=f"intervention type {t.value} -> {cat}")
        pne = None
        for text in texts:
            for cat, pattern in _RULES:
                if cat in cats:
                    continue
                m = pattern.search(text.value)
                if m:
                    cats[cat] = evidence(text, m.start(), m.end(), f"'{m.group()}' -> {cat}", limit=100)
            pne = pne or _PNE.search(text.value)
        if not cats and texts and not all(_INACTIVE.match(t.value) for t in texts):
            cats["other"] = Evidence.of(texts[0], quote=texts[0].value[:100], note="no category rule matched -> other")
        for cat, ev in cats.items():
            if cat not in result.categories:
                result.categories.append(cat)
                result.evidence.append(ev)
        if "physiotherapy_exercise" in cats and (_PSYCH & cats.keys() or pne):
            result.psych_with_physio = True
            result.evidence.append(cats["physiotherapy_exercise"])
    return result


def _groups(record: TrialRecord) -> list[tuple[list[Text], list[Text]]]:
    """(texts, intervention types) per arm; interventions with no arm form their own group."""
    used: set[int] = set()
    groups = []
    for arm in record.arms:
        if arm.type is not None and arm.type.value.upper() == "NO_INTERVENTION":
            continue
        texts = [t for t in (arm.label, arm.description) if t is not None] + list(arm.components)
        types: list[Text] = []
        for i, iv in enumerate(record.interventions):
            if _belongs(iv, arm):
                used.add(i)
                texts += [t for t in (iv.name, iv.description) if t is not None] + list(iv.other_names)
                types += [iv.type] if iv.type is not None else []
        groups.append((texts, types))
    for i, iv in enumerate(record.interventions):
        if i not in used and not record.arms:
            groups.append(([t for t in (iv.name, iv.description) if t is not None], [iv.type] if iv.type else []))
    return groups


def _belongs(iv: Intervention, arm: Arm) -> bool:
    label = arm.label.value.strip().lower() if arm.label else None
    if label and any(a.value.strip().lower() == label for a in iv.arm_labels):
        return True
    if iv.name is not None:
        name = iv.name.value.strip().lower()
        return any(n.value.split(":", 1)[-1].strip().lower() == name for n in arm.intervention_names)
    return False
