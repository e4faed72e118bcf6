"""Which column of a review sheet holds what: the default header names, a team's mapping file, and
the header matched against them (ignoring case, spaces and punctuation). The mapping file's form
and the table of defaults: auditor/sources/spreadsheet.py."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

from auditor.errors import InputError

MAPPING_ENV = "TRIAL_AUDIT_COLUMN_MAP"

DEFAULT_COLUMNS: dict[str, list[str]] = {
    "trial_id": ["NCT ID", "NCT", "NCT number", "Trial ID", "TrialID", "Registration number", "Registry ID",
                 "Registration ID", "Study ID"],
    "registry": ["Registry"],
    "title": ["Title", "Brief title", "Study title", "Public title"],
    "official_title": ["Official title", "Scientific title"],
    "acronym": ["Acronym"],
    "status": ["Status", "Recruitment status", "Overall status"],
    "conditions": ["Condition", "Conditions"],
    "keywords": ["Keywords"],
    "summary": ["Summary", "Brief summary"],
    "eligibility": ["Eligibility", "Eligibility criteria", "Inclusion criteria"],
    "design.study_type": ["Study type"],
    "design.allocation": ["Allocation", "Randomisation", "Randomization"],
    "design.intervention_model": ["Intervention model"],
    "design.masking": ["Masking", "Blinding"],
    "design.who_masked": ["Who masked", "Masked roles"],
    "design.phases": ["Phase", "Phases"],
    "design.description": ["Design", "Study design"],
    "enrollment.count": ["Enrollment", "Enrolment", "Sample size", "Target size", "Target sample size"],
    "enrollment.type": ["Enrollment type", "Enrolment type"],
    "arms": ["Arms", "Arm groups", "Groups"],
    "interventions": ["Intervention", "Interventions"],
    "outcomes.primary.measure": ["Primary outcome", "Primary outcomes", "Outcome", "Outcome measure",
                                 "Primary outcome measure"],
    "outcomes.primary.time_frame": ["Outcome time frame", "Time frame", "Primary outcome time frame",
                                    "Timepoint", "Time points"],
    "outcomes.secondary.measure": ["Secondary outcome", "Secondary outcomes", "Secondary outcome measure"],
    "outcomes.secondary.time_frame": ["Secondary outcome time frame"],
    "dates.start": ["Start date", "Study start"],
    "dates.registered": ["Registration date", "Date registered", "First submitted"],
    "results.posted": ["Results posted", "Has results"],
}


# The mapping file's keys besides its targets (auditor/sources/spreadsheet.py describes them).
SETTINGS = ("columns", "sheet", "separator", "registry_name")


def norm(header: object) -> str:
    """A header as it is matched: lower case, runs of anything but letters and digits one space."""
    return re.sub(r"[^a-z0-9]+", " ", str(header or "").lower()).strip()


DEFAULT_LOOKUP = {norm(name): key for key, names in DEFAULT_COLUMNS.items() for name in names}


class MappingFile(dict[str, Any]):
    """A column mapping read from a file: the dict, and the file it came from (a mistake in it is
    reported as `file:line`)."""

    origin: str = ""


def load_mapping(path: str | Path) -> dict[str, Any]:
    """A column-mapping file (YAML or JSON) as a dict, or an InputError naming the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        doc = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"cannot read column mapping: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(str(path), "column mapping must be a mapping of target: column")
    out = MappingFile(doc)
    out.origin = str(path)
    return out


def _where(mapping: dict[str, Any], pointer: str) -> str:
    """'column mapping FILE:LINE' for a mapping read from a file (the line found again only now,
    on the error path), else 'column mapping'."""
    origin = getattr(mapping, "origin", "")
    if not origin:
        return "column mapping"
    from auditor.sources import yamlpos  # only for a mistake: a plain read does not need positions

    try:
        _, positions = yamlpos.load(Path(origin).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        positions = {}
    line = positions.get(pointer, (None, None))[0]
    return f"column mapping {origin}" + (f":{line}" if line else "")


def _did_you_mean(word: str, choices: list[str]) -> str:
    import difflib  # only for a misspelt name: not at start-up

    close = difflib.get_close_matches(word, choices, n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def custom_columns() -> set[str]:
    """The header names (normalised) of the mapping file TRIAL_AUDIT_COLUMN_MAP names, for sniffing;
    none when it is unset or unreadable (reading the sheet then says why)."""
    path = os.environ.get(MAPPING_ENV)
    if not path:
        return set()
    try:
        doc = load_mapping(path)
    except InputError:
        return set()
    cols = doc.get("columns", doc)
    return {norm(c) for v in cols.values() for c in (v if isinstance(v, list) else [v])} if isinstance(cols, dict) else set()


def mapped_columns(header: list[str], mapping: dict[str, Any], origin: str) -> dict[str, int]:
    """Target key -> column index, from the mapping's ``columns`` (all must exist) or the defaults."""
    position = {norm(h): i for i, h in reversed(list(enumerate(header))) if norm(h)}
    explicit = mapping.get("columns", {k: v for k, v in mapping.items() if "." in k or k in DEFAULT_COLUMNS})
    at = "/columns/" if "columns" in mapping else "/"
    known = [*SETTINGS, *(() if "columns" in mapping else DEFAULT_COLUMNS)]
    for name in mapping:  # a misspelt setting ("seperator") or target ("titel") is never ignored
        if name not in known and "." not in name:
            raise InputError(origin, f"{_where(mapping, '/' + name)}: unknown key {name!r}; "
                                     f"{_did_you_mean(name, known)}known: {', '.join(known)}")
    columns: dict[str, int] = {}
    for key, names in explicit.items():
        if key not in DEFAULT_COLUMNS:
            raise InputError(origin, f"{_where(mapping, at + key)}: unknown target {key!r}; "
                                     f"{_did_you_mean(key, list(DEFAULT_COLUMNS))}known: {', '.join(DEFAULT_COLUMNS)}")
        wanted = names if isinstance(names, list) else [names]
        found = [position[norm(n)] for n in wanted if norm(n) in position]
        if not found:
            hint = _did_you_mean(str(wanted[0]), [str(h) for h in header]) if wanted else ""
            raise InputError(origin, f"{_where(mapping, at + key)}: {key} -> {names!r}, but the sheet has no such "
                                     f"column" + (f"; {hint.strip()}" if hint else ""))
        columns[key] = found[0]
    for normed, i in position.items():
        key = DEFAULT_LOOKUP.get(normed)
        if key and key not in columns:
            columns[key] = i
    if "trial_id" not in columns and "title" not in columns:
        raise InputError(origin, "sheet has no trial id or title column (expected e.g. 'NCT ID' or 'Title'; "
                                 f"set {MAPPING_ENV} to a column mapping file)")
    return columns
