"""Names a reader of a paper understands: intervention categories and criteria in words (codes stay
beside them), registry links that are well-formed or absent, and the status legend.

Only wording lives here; what a status is, or which trials count, is decided elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from auditor.vocabulary import LABEL, STATUSES, SYMBOL

CATEGORY_NAMES: dict[str, str] = {
    "pain_education": "Pain education",
    "behavioural_therapy": "Behavioural therapy",
    "cognitive_behavioural_therapy": "Cognitive behavioural therapy",
    "mindfulness": "Mindfulness",
    "counselling": "Counselling",
    "cognitive_functional_therapy": "Cognitive functional therapy",
    "biofeedback": "Biofeedback",
    "relaxation": "Relaxation",
    "physiotherapy_exercise": "Physiotherapy / exercise",
    "drug": "Drug",
    "device": "Device",
    "procedure_surgery": "Procedure / surgery",
    "other": "Other intervention",
    "none": "No category recognised",
    "unknown": "Unknown: arms not described",
}

# Short titles of the bundled profiles' criteria (the profile's dotted `name` stays the id beside it).
CRITERION_TITLES: dict[str, str] = {
    "SC01": "Chronic LBP ≥ 12 weeks", "SC02": "Randomised", "RG02": "Assessor blinded",
    "SS01": "≥ 50 per arm", "SS02": "≥ 100 per arm", "SS03": "≥ 400 in total", "SS04": "Sample-size calculation",
    "FU01": "Follow-up ≥ 12 months after treatment", "FU02": "Follow-up > 12 months", "FU03": "Specific time frames",
    "QL01": "HRQoL measured", "QL02": "SF-12 or PROMIS-GH-10", "QL03": "HRQoL at long-term follow-up",
    "QL04": "HRQoL reported with results",
    "AE01": "Adverse events planned", "AE02": "AE method and time frame", "AE03": "AEs reported with results",
    "CO01": "Pain intensity", "CO02": "Physical function",
    "IN01": "Priority intervention type", "IN02": "Psychological + physiotherapy",
    "RG01": "Registered before enrolment",
}
GROUP_NAMES: dict[str, str] = {
    "scope": "Scope", "design": "Design", "sample-size": "Sample size", "follow-up": "Follow-up",
    "hrqol": "Quality of life", "safety": "Safety", "outcomes": "Outcomes", "intervention": "Intervention",
    "registration": "Registration",
}
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[^\s\"'<>`\\]*)?")


def category(cat: str) -> str:
    return CATEGORY_NAMES.get(cat) or cat.replace("_", " ").capitalize()


def criterion_title(crit: Mapping[str, Any]) -> str:
    """`FU01` -> "Follow-up ≥ 12 months after treatment"; a criterion of another profile: its name in words."""
    code, name = str(crit.get("code", "")), str(crit.get("name") or "")
    if code in CRITERION_TITLES:
        return CRITERION_TITLES[code]
    tail = name.split(".", 1)[-1] if "." in name else name
    return tail.replace("-", " ").capitalize() or code


def group_title(group: str) -> str:
    return GROUP_NAMES.get(group) or group.replace("-", " ").capitalize()


def registry_link(url: str | None) -> str | None:
    """The record's page on its registry when `url` is a plain http(s) address, else None (no link)."""
    if not url:
        return None
    url = url.strip()
    # Printable ASCII only: no control or bidi character can hide in an address shown or followed.
    return url if url.isascii() and url.isprintable() and _URL.fullmatch(url) else None


def grouped(criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Criteria ordered by group (scope, design, sample size, ... as in GROUP_NAMES), keeping their order within it."""
    order = list(GROUP_NAMES)

    def group(c: Mapping[str, Any]) -> str:
        return str(c.get("group") or str(c.get("name", "")).split(".", 1)[0])

    return sorted(criteria, key=lambda c: order.index(group(c)) if group(c) in order else len(order))


def legend() -> list[dict[str, str]]:
    return [{"status": s, "symbol": SYMBOL[s], "label": LABEL[s]} for s in STATUSES]
