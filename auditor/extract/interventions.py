"""Ho 2022 intervention categories per arm (CRITERIA.md vocabulary) and psych-with-physio.

Each arm is read together with the interventions assigned to it (ctgov armGroupLabels /
interventionNames). Category rules are keyword rules on that text plus the registry's
intervention type (DRUG, DEVICE, PROCEDURE, ...). Acceptance and commitment therapy is filed
under mindfulness, as Ho 2022 does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.extract.text import Guarded, TriggerIndex, ascii_lower, belongs, compile_fast, evidence, trigger_words
from auditor.facts import Evidence, FactSheet
from auditor.model import Text, TrialRecord

_RULES: list[tuple[str, re.Pattern[str]]] = [(c, compile_fast(p, re.I)) for c, p in (
    ("cognitive_functional_therapy", r"\bcognitive[\s-]+functional\s+therap|\bCFT\b"),
    ("cognitive_behavioural_therapy", r"\bcognitive[\s-]+behavio(?:u)?r|\bCBT(?:-?I)?\b|\bcognitive\s+therap|"
                                      r"\bcognitive\s+restructuring|\bproblem[\s-]solving\s+therap"),
    ("mindfulness", r"\bmindful|\bMBSR\b|\bMBCT\b|\bmeditat|\bacceptance\s+and\s+commitment|\bACT\b(?!ive)"),
    # Not the "behavioral" of "cognitive behavioral therapy".
    ("behavioural_therapy", r"\boperant|\bgraded\s+(?:activity|exposure)|\bbehavio(?<!cognitive behavio)(?<!cognitive-behavio)(?:u)?ral"
                            r"\s+(?:activation|therap|treatment|intervention)|\bcontingency\s+management|"
                            r"\bexposure\s+therap"),
    ("counselling", r"\bcounsel(?<!education/counsel)(?<!education / counsel)(?<!education and counsel)|\bmotivational\s+interview|\bhealth\s+coach|\bcoaching\b|\bsupportive\s+(?:therap|"
                    r"communication)"),
    # General psycho-education (about depression, substance use) is not pain education: it stays "other".
    ("pain_education", r"\bpain\s+(?:neuro\w*\s+|biology\s+|science\s+)?education|\bneuroscience\s+education|"
                       r"\bexplain(?:ing)?\s+pain|\bPNE\b|\bback\s+school|\b(?:patient|health|disease|fibromyalgia|"
                       r"spine|back)\s+education|\beducation\s*/\s*counsel|\beducation(?:al)?\s+(?:session|program|booklet|class|module)"),
    ("biofeedback", r"\bbiofeedback|\bneurofeedback"),
    # Named non-psychological, non-physiotherapy care (Ho 2022 has no node for it).
    ("other", r"\bchiropract|\bspinal\s+manipulati|\bosteopath|\bacupunct|\bdry\s+needl|\bherbal|\bhomeopath|"
              r"\bcupping|\bmoxibustion"),
    # Not the "relaxation technique" of kinesio taping.
    ("relaxation", r"\brelaxation(?<!KT relaxation)(?<!\) relaxation)(?<!taping relaxation)|\bguided\s+imagery|\bbreathing\s+(?:exercise|technique)|\bhypno"),
    # "relaxation exercise", "memory task exercises" are not physical exercise; "early postoperative
    # mobilization" is not manual therapy.
    ("physiotherapy_exercise", r"\bphysiotherap|\bphysical\s+therap|\bexercis(?<!relaxation exercis)(?<!breathing exercis)"
                               r"(?<!cognitive exercis)(?<!memory exercis)(?<!mental exercis)(?<!mindfulness exercis)"
                               r"(?<!\) exercis)|\bMcKenzie|"
                               r"\bmanual\s+therap|\b(?:joint|spinal|neural|lumbar|manual)\s+mobili[sz]ation|"
                               r"\bmobili[sz]ation\s+(?:technique|therap|exercise)|\bstabili[sz]ation\s+(?:exercise|"
                               r"training)|\bcore\s+(?:stability|strength)|\bpilates|\bstretching|\bphysical\s+"
                               r"rehabilitation|\bwalking\s+(?:program|exercise)|\bstrengthening|\bTENS\b|\bhot\s?pack|"
                               r"\binterferential|\bkinesio|\bmassage|\bSNAGs?\b"),
    ("device", r"\b(?:mobile\s+)?app\b|\bdigital\s+(?:cognitive|CBT|intervention|program|therap|health|treatment)|"
               r"\binternet[\s-](?:based|delivered)|\bweb[\s-](?:based|delivered)|\bapplication\b(?=.{0,40}(?:smartphone|mobile|tablet|phone))|\bvirtual\s+reality|"
               r"\bVR\b|\bdigital\s+therapeutic|\bsmartphone|\btablet\b|\blaser\b|\bstimulat(?:or|ion)\s+device|"
               r"\bneurostimulat|\bspinal\s+cord\s+stimulat|\bbrace\b|\borthosis|\bwearable|\bsoftware"),
    ("drug", r"\b(?:mg|milligram|NSAIDs?|opioids?|steroids?|corticosteroids?|injection\s+of|intradiscal\s+"
             r"(?:injection|administration)|stem\s+cells?|platelet[\s-]rich|PRP|medications?|tablets?\s+of|"
             r"capsules?|placebo\s+(?:pill|tablet|capsule|injection))\b"),
    ("procedure_surgery", r"\bsurg(?:ery|eries|ical)\b|\b(?:micro)?dis[ck]ectomy|\blaminectomy|\blaminotomy|\bfusion\b|\barthroplasty|\bforaminotomy|"
                          r"\bdecompression|\bsequestrectomy|\bendoscopic|\bneurotomy|\bablation|\bvertebroplasty|"
                          r"\bkyphoplasty|\bimplant|\bepidural|\bnerve\s+block|\bneuroplasty|\boperation|\btransplant|"
                          r"\bplexus\s+block|\bregional\s+an(?:a)?esthesia"),
)]
# Words every match of a rule starts with: one pass over a text tells where each rule can match.
_TRIGGERS = TriggerIndex({cat: trigger_words(pattern) for cat, pattern in _RULES})
_TYPE = {"DRUG": "drug", "BIOLOGICAL": "drug", "DEVICE": "device", "PROCEDURE": "procedure_surgery",
         "RADIATION": "other", "GENETIC": "drug", "COMBINATION_PRODUCT": "drug"}
_PSYCH = {"behavioural_therapy", "cognitive_behavioural_therapy", "mindfulness", "counselling",
          "cognitive_functional_therapy", "relaxation", "biofeedback"}
# Strong pain education (reconceptualising pain) counts as psychological; general "education" does not.
_PNE = Guarded(compile_fast(r"\bpain\s+(?:neuro\w*|biology|science)\s+education|\bneuroscience\s+education|\bexplain(?:ing)?"
                  r"\s+pain|\bPNE\b|\bpain\s+education", re.I), "education", "explain", "pne")
_ACTIVE_TYPES = {"EXPERIMENTAL", "ACTIVE_COMPARATOR"}
_INACTIVE = compile_fast(r"\b(?:usual\s+care|treatment\s+as\s+usual|TAU|wait[\s-]?list|waiting\s+list|no\s+"
                       r"(?:intervention|treatment)|standard\s+care|routine\s+care|control)\b", re.I)


@dataclass
class ArmCategories:
    categories: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    psych_with_physio: bool = False


_GENERIC_EDUCATION = compile_fast(r"(?:patient|health|disease|education)", re.I)
_PAIN_CONTEXT = compile_fast(r"\b(?:pain|back|spin\w*|lumbar|fibromyalgia|musculoskeletal|neck|sciatica|arthritis|"
                           r"disc|posture|ergonomic)", re.I)
# Physiotherapist-delivered modalities that registries file as DEVICE.
_PHYSIO_DEVICE = compile_fast(r"\b(?:TENS|ultrasound|diathermy|hot\s?pack|heat|interferential|traction|shock\s?wave|"
                            r"electrotherap|electrical\s+stimulation|kinesio|taping)", re.I)
# "post-microdiscectomy education": a surgery named as context is not the arm's treatment.
_CONTEXT_BEFORE = compile_fast(r"\b(?:after|following|post|before|prior\s+to|since|undergone|underwent|had)[\s-]*"
                             r"(?:the\s+|a\s+)?(?:[\w-]+\s+){0,2}$", re.I)


def derive(record: TrialRecord) -> ArmCategories:
    result = ArmCategories()
    # In a back-pain trial, "education" is about the back even when the arm does not say so.
    pain_trial = any(_PAIN_CONTEXT.search(t.value) for t in [*record.conditions, record.title] if t is not None)
    for units in _groups(record):
        cats: dict[str, Evidence] = {}
        pne = None
        for texts, kind in units:
            # cat -> its evidence, or the match to quote (built only if the arm has no evidence for cat yet)
            found: dict[str, Evidence | tuple[Text, re.Match[str]]] = {}
            for text in texts:
                starts = _TRIGGERS.starts(ascii_lower(text.value))
                for cat, pattern in _RULES:
                    if cat in found:
                        continue
                    for m in _TRIGGERS.finditer(cat, pattern, text.value, starts):
                        if cat == "procedure_surgery" and \
                                _CONTEXT_BEFORE.search(text.value[max(0, m.start() - 25):m.start()]):
                            continue
                        if cat == "pain_education" and _GENERIC_EDUCATION.match(m.group()) and \
                                not pain_trial and not _PAIN_CONTEXT.search(text.value):
                            continue  # "patient education" about sleep or substance use is not pain education
                        found[cat] = (text, m)
                        break
                pne = pne or _PNE.search(text.value)
            typed = _TYPE.get(kind.value.upper()) if kind is not None else None
            # The registry's intervention type: DRUG/BIOLOGICAL and DEVICE are reliable; PROCEDURE is also
            # used for physiotherapy, so it counts only when no text rule says what the procedure is.
            if typed == "device" and any(_PHYSIO_DEVICE.search(t.value) for t in texts):
                typed = "physiotherapy_exercise"
            if kind is not None and typed and typed not in found and (typed != "procedure_surgery" or not (found or cats)):
                found[typed] = Evidence.of(kind, note=f"intervention type {kind.value} -> {typed}")
            for cat, ev in found.items():
                if cat not in cats:
                    cats[cat] = ev if isinstance(ev, Evidence) else \
                        evidence(ev[0], ev[1].start(), ev[1].end(), f"'{ev[1].group()}' -> {cat}", limit=100)
        all_texts = [t for texts, _ in units for t in texts]
        arm_type = (units[0][1].value.upper() if units[0][1] is not None else "")
        # A "Control group" / "usual care" arm is no intervention category, unless the registry calls
        # it an active comparator (e.g. patient education as control): then it is "other".
        inactive = any(_INACTIVE.search(t.value) for t in all_texts) and arm_type not in _ACTIVE_TYPES
        if not cats and all_texts and not inactive:
            cats["other"] = Evidence.of(all_texts[0], quote=all_texts[0].value[:100], note="no category rule matched -> other")
        for cat, ev in cats.items():
            if cat not in result.categories:
                result.categories.append(cat)
                result.evidence.append(ev)
        if "relaxation" in cats and "physiotherapy_exercise" in cats and \
                (cats["physiotherapy_exercise"].note or "").startswith("'exercis"):
            del cats["physiotherapy_exercise"]  # the "exercise" is the relaxation exercise itself
        if "physiotherapy_exercise" in cats and (_PSYCH & cats.keys() or pne):
            result.psych_with_physio = True
            result.evidence.append(cats["physiotherapy_exercise"])
    return result


Unit = tuple[list[Text], Text | None]


def _groups(record: TrialRecord) -> list[list[Unit]]:
    """Per arm: (texts, intervention type) units - the arm's own text, then each intervention in it.
    Interventions with no arm (records without arm groups) form one group each."""
    groups: list[list[Unit]] = []
    for arm in record.arms:
        if arm.type is not None and arm.type.value.upper() == "NO_INTERVENTION":
            continue
        # The arm's own unit carries the arm type (EXPERIMENTAL, ...), which maps to no category.
        units: list[Unit] = [([t for t in (arm.label, arm.description) if t is not None] + list(arm.components),
                              arm.type)]
        for iv in record.interventions:
            if belongs(iv, arm):
                units.append(([t for t in (iv.name, iv.description) if t is not None] + list(iv.other_names), iv.type))
        groups.append(units)
    if not record.arms:
        for iv in record.interventions:
            groups.append([([t for t in (iv.name, iv.description) if t is not None], iv.type)])
    return groups


WRITES = ("treatment.intervention_categories", "treatment.psych_with_physio")
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    cats = derive(record)
    sheet.set("treatment.intervention_categories", cats.categories, cats.evidence)
    sheet.set("treatment.psych_with_physio", cats.psych_with_physio, cats.evidence[-1:] if cats.psych_with_physio else None)
