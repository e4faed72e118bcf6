"""Per arm: the categories its texts, its interventions and their registry types show, and what it
takes from the record's own texts (`inherit`); psych-with-physio."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.extract.interventions.inherit import inherit, regulated_device, title_names
from auditor.extract.interventions.ruledata import (
    ASSESSMENT,
    CATEGORIES,
    COGNITIVE_TRAINING,
    COMPARATOR_LABELS,
    DEVICE_FILED_AS,
    PHYSIO,
    PSYCHOLOGICAL,
    RULE_BY_NAME,
    TYPE,
    WEAK_TYPES,
)
from auditor.extract.interventions.scan import Hit, Scanner
from auditor.extract.text import belongs
from auditor.facts import Evidence
from auditor.model import Text, TrialRecord

_ACTIVE_TYPES = {"EXPERIMENTAL", "ACTIVE_COMPARATOR"}
_DIGITAL = RULE_BY_NAME["digital"].pattern
_NEAR = 2  # words either side of a product's name in which a digital word makes it the digital product
# Arms whose content is by design not the tested programme: they inherit nothing from the summary.
_NOT_TESTED_TYPES = {"SHAM_COMPARATOR", "PLACEBO_COMPARATOR", "NO_INTERVENTION", "ACTIVE_COMPARATOR"}


@dataclass
class ArmCategories:
    categories: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    psych_with_physio: bool = False
    # The two texts that make psych_with_physio true (the psychological component, then the
    # physiotherapy / exercise of the same arm); empty when it is false.
    psych_with_physio_evidence: list[Evidence] = field(default_factory=list)


Unit = tuple[list[Text], Text | None]
# A registered intervention that names no category (its texts; its general-education hit, if any).
Unnamed = tuple[list[Text], Hit | None]


def derive(record: TrialRecord) -> ArmCategories:
    result = ArmCategories()
    scanner = Scanner()
    # In a pain trial, "education" is about the pain even when the arm does not say so.
    pain_trial = any(scanner.any_aux([t], "pain_context", record_level=True)
                     for t in [*record.conditions, record.title] if t is not None)
    groups = arm_groups(record)
    for arm_type, label, units in groups:
        hits, unnamed = _arm_hits(scanner, units, pain_trial)
        _usual_care(scanner, units, hits)
        single = len(groups) == 1
        all_texts = [t for texts, _ in units for t in texts]
        digital = _tested_digitally(scanner, arm_type, label, units)
        if single or (digital and not PSYCHOLOGICAL & _own_hits(scanner, units, pain_trial).keys()):
            inherit(scanner, record, hits, pain_trial, include_description=single)
        if single:
            title_names(scanner, record, hits, pain_trial)
        if digital and "device" not in hits:
            regulated_device(scanner, record, all_texts, hits)
        _drop_weak(hits, scanner.any_aux(all_texts, COGNITIVE_TRAINING))
        # A "Control group" / "usual care" arm is no intervention category, unless the registry calls
        # it an active comparator (e.g. patient education as control): then it is "other".
        inactive = arm_type == "NO_INTERVENTION" or \
            (scanner.any_aux(all_texts, "inactive") and arm_type not in _ACTIVE_TYPES)
        if not hits and all_texts and not inactive:
            hits["other"] = Hit("default", "no category rule matched -> other", source=all_texts[0])
        elif unnamed and "other" not in hits:
            _unnamed_intervention(scanner, unnamed, hits, units[0][0])
        for cat, hit in hits.items():
            if cat not in result.categories:
                result.categories.append(cat)
                result.evidence.append(hit.evidence())
        if not result.psych_with_physio:
            _psych_with_physio(hits, result)
    return result


def _arm_hits(scanner: Scanner, units: list[Unit], pain_trial: bool) -> tuple[dict[str, Hit], list[Unnamed]]:
    """Every category one arm's texts and intervention types show, with the first evidence of each;
    and the texts of the registered interventions that show none (no phrase; a type that maps to no
    category: BEHAVIORAL, OTHER, COMBINATION_PRODUCT)."""
    hits: dict[str, Hit] = {}
    unnamed: list[Unnamed] = []
    for i, (texts, kind) in enumerate(units):
        found = scanner.hits(texts, pain_trial)
        typed = TYPE.get(kind.value.upper()) if kind is not None else None
        type_hit = Hit("strong", f"intervention type {kind.value} -> {typed}", source=kind) \
            if kind is not None and typed else None
        # A DEVICE filing whose own text names care of another kind is that care, quoted from the text:
        # a physiotherapist's modality, acupuncture needles, an image-guided injection (`device_filed_as`).
        if typed == "device" and (filed := _device_filed_as(scanner, texts)) is not None:
            typed, type_hit = filed
        # A weak type (PROCEDURE) yields to a text that says the arm is other care (physiotherapy
        # filed as PROCEDURE), not to the drug it injects.
        yields = WEAK_TYPES.get(kind.value.upper(), frozenset()) if kind is not None else frozenset()
        # A placebo is what it imitates: "Placebo" filed as DEVICE whose text names "75 mg" capsules.
        imitates = any(h.tier == "strong" for h in found.values()) and scanner.any_aux(texts, "placebo")
        if typed and type_hit is not None and typed not in found and not imitates \
                and not (yields & (found.keys() | hits.keys())):
            found[typed] = type_hit
        # (An intervention that names only general education is one of its own, e.g. the
        # "Psychoeducation" comparator, even where the arm's text also names the CBT it crosses over to.)
        education_only = found.keys() == {"other"} and found["other"].tier == "weak"
        if i and texts and typed is None and (not found or education_only):
            unnamed.append((texts, found.get("other")))
        for cat, hit in found.items():
            if cat not in hits or (hits[cat].tier != "strong" and hit.tier == "strong"):
                hits[cat] = hit
    return hits, unnamed


def _device_filed_as(scanner: Scanner, texts: list[Text]) -> tuple[str, Hit] | None:
    """The category an intervention filed as DEVICE delivers when its own texts match a list of
    `device_filed_as` (the first list in the file's order), with that match as evidence."""
    for name, category in DEVICE_FILED_AS.items():
        for text in texts:
            if (hit := scanner.scan(text).reported.get(name)) is not None:
                return category, hit
    return None


def _unnamed_intervention(scanner: Scanner, unnamed: list[Unnamed], hits: dict[str, Hit], arm_texts: list[Text]) -> None:
    """A registered intervention that no rule names, beside named ones in its arm, is "other"
    (an amniotic patch beside the discectomy, "hot compression" beside the drug, a psychoeducation
    programme). Not so: usual care or a control beside the treatment (background the labels do not
    count), a placebo or sham (it is what it imitates), an assessment registered as an intervention
    ("Survey Administration", "CT radiographic assessment"), or the digital programme whose psychological
    content the summary names (the arm has taken it) or the arm's own text names as a digital product
    ("Digital CBT for insomnia delivered by the Sleepio app" beside the registered "Sleepio"; not a
    registered "Psychoeducation", which is education of its own, nor "hot compression" named beside an
    online course)."""
    digital_psych = bool(PSYCHOLOGICAL & hits.keys())
    for texts, education in unnamed:
        if any(scanner.any_aux(texts, name) for name in ("usual_care", "inactive", "placebo")) \
                or (ASSESSMENT is not None and any(ASSESSMENT.search(t.value) for t in texts)):
            continue
        if digital_psych and scanner.any_aux(texts, "digital"):
            continue
        if digital_psych and education is None and _named_as_digital(texts[0].value, arm_texts):
            continue
        hits["other"] = education or Hit("default", "registered intervention no category rule names -> other",
                                         source=texts[0])
        return


def _named_as_digital(name: str, texts: list[Text]) -> bool:
    """Whether the intervention's name (its first text) stands as a whole word or phrase in one of the
    texts with a `digital` word at most two words before or after it ("the Sleepio app", "app Kaia"):
    the product that delivers the arm's programme, not something given beside it."""
    needle = name.strip()
    if not needle:
        return False
    for text in texts:
        for m in re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", text.value, re.IGNORECASE):
            around = " ".join([*text.value[:m.start()].split()[-_NEAR:], *text.value[m.end():].split()[:_NEAR]])
            if _DIGITAL.search(around):
                return True
    return False


def _own_hits(scanner: Scanner, units: list[Unit], pain_trial: bool) -> dict[str, Hit]:
    """The categories of the arm's own text and of its digitally delivered interventions: what the
    tested programme itself is said to deliver (not the usual care given beside it)."""
    texts = list(units[0][0])
    for unit_texts, _ in units[1:]:
        if scanner.any_aux(unit_texts, "digital"):
            texts += unit_texts
    return scanner.hits(texts, pain_trial)


def _usual_care(scanner: Scanner, units: list[Unit], hits: dict[str, Hit]) -> None:
    """An arm that delivers only undescribed usual care ("treatment as usual only") is "other".
    (Beside a named treatment, usual care is background the labels do not count.)"""
    if hits:
        return
    for texts, _ in units:
        for text in texts:
            if (usual := scanner.scan(text).reported.get("usual_care")) is not None:
                hits["other"] = usual
                return


def _tested_digitally(scanner: Scanner, arm_type: str, label: Text | None, units: list[Unit]) -> bool:
    """An arm that tests a digital programme (not a sham, placebo or comparator)."""
    if arm_type in _NOT_TESTED_TYPES or (arm_type != "EXPERIMENTAL" and _comparator_label(label)):
        return False
    return any(scanner.any_aux(texts, "digital") for texts, _ in units)


def _comparator_label(label: Text | None) -> bool:
    """An arm not filed as EXPERIMENTAL whose label (not its description) names it a comparator:
    "Digital Therapeutic B - Sham", "Educational Control (ED001) ...", "Standard of Care" (see
    `comparator_labels`)."""
    return label is not None and any(p.search(label.value) for p in COMPARATOR_LABELS)


def _drop_weak(hits: dict[str, Hit], cognitive_training: bool) -> None:
    """An ambiguous phrase yields to the category that explains it: bare "exercises" in a relaxation
    programme are relaxation exercises; "behavioural therapy" beside cognitive techniques is CBT;
    in a cognitive-training app both are the training (see `cognitive_training` in the rule file)."""
    present = hits.keys() | ({COGNITIVE_TRAINING} if cognitive_training else set())
    for cat in [c for c, hit in hits.items() if hit.tier == "weak"]:
        if CATEGORIES[cat].weak_yields_to & present:
            del hits[cat]


def _psych_with_physio(hits: dict[str, Hit], result: ArmCategories) -> None:
    """A psychological component co-delivered with physiotherapy / exercise in this arm."""
    if PHYSIO not in hits:
        return
    for cat, hit in hits.items():
        # Pain education that does not reconceptualise pain ("back school", "patient education") is
        # not the psychological component.
        spec = CATEGORIES[cat]
        if spec.psychological and (hit.tier in ("strong", "default") or
                                   (hit.tier == "weak" and spec.weak_is_psychological)):
            result.psych_with_physio = True
            result.psych_with_physio_evidence = [hit.evidence(), hits[PHYSIO].evidence()]
            return


def arm_groups(record: TrialRecord) -> list[tuple[str, Text | None, list[Unit]]]:
    """Per arm: its type, its label and (texts, intervention type) units - the arm's own text, then each
    intervention in it. Interventions with no arm (records without arm groups) form one group each."""
    groups: list[tuple[str, Text | None, list[Unit]]] = []
    for arm in record.arms:
        arm_type = arm.type.value.upper() if arm.type is not None else ""
        # The arm's own unit carries the arm type (EXPERIMENTAL, ...), which maps to no category.
        units: list[Unit] = [([t for t in (arm.label, arm.description) if t is not None], arm.type)]
        # A protocol file's components are registered interventions of the arm, one unit each: a
        # component no rule names is then "other" beside the named ones, not silently dropped.
        units += [([component], None) for component in arm.components]
        for iv in record.interventions:
            if belongs(iv, arm):
                units.append(([t for t in (iv.name, iv.description) if t is not None] + list(iv.other_names), iv.type))
        groups.append((arm_type, arm.label, units))
    if not record.arms:
        for iv in record.interventions:
            groups.append(("", None, [([t for t in (iv.name, iv.description) if t is not None], iv.type)]))
    return groups
