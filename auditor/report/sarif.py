"""SARIF 2.1.0: the profile's criteria as rules, one result per gap, for code-scanning dashboards.

Protocol files get physical locations with a line and column; registry records get the file as
artifact plus a logical location (trial id + JSON pointer/XPath), because their JSON/XML has no
line a person edits. Inputs that could not be read are tool execution notifications, not results:
they are not findings about the trial, and a rule id for them would not be a profile criterion.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from auditor import __version__
from auditor.engine.profiles import Criterion, Profile
from auditor.findings import Finding, Report, TrialAudit
from auditor.report import safe
from auditor.report.locate import Location, add_hint, locate, problem_location
from auditor.vocabulary import LABEL, SEVERITIES

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _first_sentence(text: str, limit: int = 200) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", " ".join(text.split()))
    sentence = match.group(1) if match else " ".join(text.split())
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def rule(crit: Criterion) -> dict[str, Any]:
    help_lines = [crit.recommendation, f"Source: {crit.source}"] + ([f"Fix: {crit.fix}"] if crit.fix else [])
    help_md = [crit.recommendation, "", f"**Source:** {crit.source}"] + (["", f"**Fix:** {crit.fix}"] if crit.fix else [])
    return {
        "id": crit.code,
        "name": crit.name,
        "shortDescription": {"text": f"{crit.name}: {_first_sentence(crit.recommendation) or crit.name}"},
        "fullDescription": {"text": crit.recommendation or crit.name},
        "help": {"text": "\n".join(help_lines), "markdown": "\n".join(help_md)},
        "defaultConfiguration": {"level": LEVEL[crit.severity]},
        "properties": {"group": crit.group, "severity": crit.severity, "facts": list(crit.facts),
                       "tags": [crit.group]},
    }


def artifact_uri(path: str) -> str:
    """A URI reference for a file: relative paths stay relative (to the checkout), with '/'."""
    candidate = Path(safe.surrogates(path))  # a non-UTF-8 file name cannot be percent-encoded as is
    if candidate.is_absolute():
        return candidate.as_uri()
    return quote(candidate.as_posix(), safe="/!-._~")


def _location(where: Location, trial_id: str | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(where.path)}}
    if where.line:
        physical["region"] = {"startLine": where.line, **({"startColumn": where.column} if where.column else {})}
    loc: dict[str, Any] = {"physicalLocation": physical}
    if where.pointer or trial_id:
        name = where.pointer or "/"
        loc["logicalLocations"] = [{"name": name.rstrip("/").rpartition("/")[2] or name,
                                    "fullyQualifiedName": f"{trial_id or ''}{where.pointer or ''}",
                                    "kind": "element" if where.pointer else "module"}]
    if where.note:
        loc["message"] = {"text": safe.text(where.note)}
    return loc


def _result(audit: TrialAudit, finding: Finding, index: int, profile: Profile) -> dict[str, Any]:
    where = locate(audit, finding, profile.criterion(finding.code))
    rec = audit.record
    text = f"{finding.code} {finding.name} ({LABEL[finding.status]}): {finding.message}"
    hint = add_hint(finding, where)
    if hint:
        text += f" Fix: {hint}"
    # Stable across edits that move lines: the record and the criterion identify the gap.
    key = f"{rec.path}\0{rec.index}\0{rec.trial_id or ''}\0{finding.code}".encode()
    # "unclear" is a gap too (the record leaves it open): kind "review" would force level "none"
    # (SARIF 3.27.10) and hide its severity, so both gap statuses are "fail"; status says which.
    return {
        "ruleId": finding.code,
        "ruleIndex": index,
        "kind": "fail",
        "level": LEVEL[finding.severity],
        "message": {"text": safe.text(text)},
        "locations": [_location(where, rec.trial_id)],
        "partialFingerprints": {"trialAudit/v1": hashlib.sha256(key).hexdigest()[:32]},
        "properties": {
            "status": finding.status,
            "trialId": rec.trial_id,
            "registry": rec.registry,
            "evidence": [ev.model_dump(exclude_none=True) for ev in finding.evidence[:5]],
        },
    }


def render(report: Report, profile: Profile, min_severity: str = "info") -> str:
    index = {crit.code: i for i, crit in enumerate(profile.criteria)}
    shown = SEVERITIES[: SEVERITIES.index(min_severity) + 1]  # type: ignore[arg-type]
    results = [_result(audit, f, index[f.code], profile) for audit in report.audits for f in audit.findings
               if f.is_gap and f.severity in shown and f.code in index]
    notifications = [{"level": "error", "message": {"text": safe.text(p.message)},
                      "locations": [_location(problem_location(p), p.record_id)]} for p in report.errors]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "trial-audit", "version": __version__,
                            "rules": [rule(c) for c in profile.criteria]}},
        "invocations": [{"executionSuccessful": not report.errors,
                         "toolExecutionNotifications": notifications}],
        "results": results,
        "properties": {"profile": report.profile.model_dump(exclude_none=True), "failOn": report.fail_on,
                       "totals": report.totals.model_dump()},
    }
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return safe.json_document(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()) + "\n"
