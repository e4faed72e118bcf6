"""What an arm takes from the record's own texts (title, official title, summary, keywords, detailed
description) rather than from its own: the psychological content a digital programme is said to
deliver, what the title of a single-arm trial names, and a programme the record calls a regulated
medical device. Each category taken is quoted from the record text that names it."""

from __future__ import annotations

from auditor.extract.interventions.ruledata import CATEGORIES, PHYSIO, PSYCHOLOGICAL, TITLE_COMPARISON
from auditor.extract.interventions.scan import Hit, Scanner
from auditor.model import Text, TrialRecord


def inherit(scanner: Scanner, record: TrialRecord, hits: dict[str, Hit], pain_trial: bool,
            include_description: bool) -> None:
    """The psychological categories the title, summary or keywords name for the programme. When
    they name none, a strong phrase of the detailed description ("RiSolve is a digital therapeutic
    device intended to provide ... cognitive behavioral therapy") says what it delivers. The only arm
    of a trial (`include_description`) does not read a title that compares treatments (see `title_names`)."""
    titles = [t for t in (record.title, record.official_title) if t is not None]
    if include_description and _compares(titles):
        titles = []
    texts = [*titles, *([record.summary] if record.summary is not None else []), *record.keywords]
    if include_description and record.description is not None:
        texts.append(record.description)
    found = scanner.hits(texts, pain_trial, record_level=True)
    if not include_description and record.description is not None and not PSYCHOLOGICAL & found.keys():
        found = {c: h for c, h in scanner.hits([record.description], pain_trial, record_level=True).items()
                 if h.tier == "strong"}
    for cat, hit in found.items():
        if cat not in hits and (CATEGORIES[cat].psychological or (include_description and cat == PHYSIO)):
            hits[cat] = hit.noted(" (what the record says the arm's programme delivers)")


def title_names(scanner: Scanner, record: TrialRecord, hits: dict[str, Hit], pain_trial: bool) -> None:
    """The only arm of a trial delivers what its title names ("... of i-FACTOR+ Matrix Bone Graft
    Device" for "All patients ... will be treated with i-FACTOR"). Not a drug: titles name medication
    as an outcome ("Long-term Effectiveness and Medication Changes After Use of ..."), and a drug an
    arm takes is registered as one. Not from a title that compares treatments ("Lumbar Brace Versus
    Fusion Surgery", `title_comparison`): it names two, and does not say which the one arm delivers."""
    titles = [t for t in (record.title, record.official_title) if t is not None]
    if _compares(titles):
        return
    for cat, hit in scanner.hits(titles, pain_trial).items():
        if cat not in hits and hit.tier == "strong" and cat != "drug":
            hits[cat] = hit.noted(" (the title names what the only arm delivers)")


def regulated_device(scanner: Scanner, record: TrialRecord, arm_texts: list[Text], hits: dict[str, Hit]) -> None:
    """A digital programme filed as BEHAVIORAL or OTHER is the programme it delivers, unless the arm or
    the record calls it a regulated medical device ("FDA-authorized reSET digital therapeutics",
    "Vitala is a ... CE-marked MDR class 1 medical device", "adverse device effects (ADEs)"): then it is
    also a device, as a DEVICE filing would make it (see `regulated_device` in the rule file)."""
    record_texts = [t for t in (record.title, record.official_title, record.summary, record.description) if t is not None]
    for texts, record_level in ((arm_texts, False), (record_texts, True)):
        for text in texts:
            if (hit := scanner.scan(text, record_level).reported.get("regulated_device")) is not None:
                hits["device"] = hit
                return


def _compares(titles: list[Text]) -> bool:
    """Whether a title compares treatments ("Lumbar Brace Versus Fusion Surgery", `title_comparison`)."""
    return TITLE_COMPARISON is not None and any(TITLE_COMPARISON.search(t.value) for t in titles)
