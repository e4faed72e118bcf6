"""SARIF 2.1.0: the profile's criteria as rules, one result per gap, for code-scanning dashboards.

Protocol files get physical locations with a line and column; registry records get the file as
artifact plus a logical location (trial id + JSON pointer/XPath), because their JSON/XML has no
line a person edits. Artifact URIs are relative to the repository root (`uriBaseId` `%SRCROOT%`,
declared in `originalUriBaseIds`), so code scanning finds `protocol.yaml` whichever folder `check`
ran in. Inputs that could not be audited are results of two extra rules (`protocol-file`: a problem
in a protocol file, at its line; `unreadable-input`), so code scanning shows an alert for them, and
tool execution notifications as well.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import msgspec
import orjson

from auditor import __version__
from auditor.engine.profiles import Criterion, Profile
from auditor.findings import Finding, Report, TrialAudit
from auditor.report import safe
from auditor.report.locate import Location, add_hint, locate, problem_location
from auditor.vocabulary import LABEL, SEVERITIES

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"
INPUT_RULES: list[dict[str, Any]] = [
    {"id": "protocol-file", "name": "input.protocol-file",
     "shortDescription": {"text": "The protocol file has a problem that stops the audit."},
     "fullDescription": {"text": "A field, value or date of the protocol file is wrong or inconsistent, so the file "
                                 "could not be audited. The message says what to change."},
     "help": {"text": "Fix the field at the line shown, then run trial-audit check again."},
     "defaultConfiguration": {"level": "error"}, "properties": {"tags": ["input"]}},
    {"id": "unreadable-input", "name": "input.unreadable",
     "shortDescription": {"text": "The input could not be read."},
     "fullDescription": {"text": "The file is missing, not text, not valid YAML/JSON/XML, or in no known format."},
     "help": {"text": "Check the path and the file's format (trial-audit formats)."},
     "defaultConfiguration": {"level": "error"}, "properties": {"tags": ["input"]}},
]


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


def source_root() -> Path:
    """The repository root: $GITHUB_WORKSPACE in GitHub Actions, else the nearest folder above the
    current one with a `.git`, else the current folder."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        return Path(workspace).resolve()
    here = Path.cwd().resolve()
    return next((p for p in (here, *here.parents) if (p / ".git").exists()), here)


def artifact_location(path: str, root: Path | None = None) -> dict[str, str]:
    """The file relative to the repository root (uriBaseId %SRCROOT%); a file outside it (or
    stdin) keeps an absolute URI (or its name)."""
    path = safe.surrogates(path)  # a non-UTF-8 file name cannot be percent-encoded as is
    if path in ("-", "<stdin>"):
        return {"uri": quote(path, safe="<>-")}
    root = root or source_root()
    absolute = Path(path).resolve()
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix(), safe="/!-._~"), "uriBaseId": SRCROOT}


def _location(where: Location, trial_id: str | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(where.path)}
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
            "evidence": [_without_none(ev) for ev in finding.evidence[:5]],
        },
    }


def _without_none(item: msgspec.Struct) -> dict[str, Any]:
    """A Struct's fields, those that are None left out."""
    return {k: v for k, v in msgspec.to_builtins(item).items() if v is not None}


class Stream:
    """The log piece by piece (see auditor.report.text.Stream): the run's results are written gap
    by gap as records are audited; the invocation (which needs the errors) and the totals follow them."""

    def __init__(self, profile: Profile, min_severity: str = "info"):
        self.profile = profile
        self.index = {crit.code: i for i, crit in enumerate(profile.criteria)}
        self.shown = SEVERITIES[: SEVERITIES.index(min_severity) + 1]  # type: ignore[arg-type]
        self.count = 0

    def head(self) -> str:
        run = {"tool": {"driver": {"name": "trial-audit", "version": __version__,
                                   "rules": [rule(c) for c in self.profile.criteria] + INPUT_RULES}},
               "originalUriBaseIds": {SRCROOT: {"uri": source_root().as_uri() + "/"}}}
        text = _dumps({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]})
        # Open the run again after its last key, at the results array.
        return text[: text.rindex("\n    }\n  ]\n}")] + ',\n      "results": ['

    def _results(self, results: list[dict[str, Any]]) -> str:
        out = []
        for result in results:
            out.append(("\n        " if self.count == 0 else ",\n        ") + _dumps(result).replace("\n", "\n        "))
            self.count += 1
        return "".join(out)

    def audit(self, audit: TrialAudit) -> str:
        return self._results([_result(audit, f, self.index[f.code], self.profile) for f in audit.findings
                              if f.is_gap and f.severity in self.shown and f.code in self.index])

    def tail(self, report: Report) -> str:
        notifications = [{"level": "error", "message": {"text": safe.text(p.message)},
                          "locations": [_location(problem_location(p), p.record_id)]} for p in report.errors]
        first_input_rule = len(self.profile.criteria)
        results = []
        for p in report.errors:
            where = problem_location(p)
            which = 0 if where.line is not None else 1  # a line: a problem in a protocol file
            results.append({"ruleId": INPUT_RULES[which]["id"], "ruleIndex": first_input_rule + which, "kind": "fail",
                            "level": "error", "message": {"text": safe.text(f"{p.message} (the file could not be audited)")},
                            "locations": [_location(Location(where.path, where.line, where.column), p.record_id)]})
        text = self._results(results) + ("\n      ]" if self.count else "]")
        rest = {"invocations": [{"executionSuccessful": not report.errors, "toolExecutionNotifications": notifications}],
                "properties": {"profile": _without_none(report.profile), "failOn": report.fail_on,
                               "totals": msgspec.to_builtins(report.totals)}}
        for key, value in rest.items():
            text += f',\n      "{key}": ' + _dumps(value).replace("\n", "\n      ")
        return safe.json_document(text) + "\n    }\n  ]\n}\n"


def _dumps(value: Any) -> str:
    return safe.json_document(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


def render(report: Report, profile: Profile, min_severity: str = "info") -> str:
    stream = Stream(profile, min_severity)
    return stream.head() + "".join(stream.audit(a) for a in report.audits) + stream.tail(report)
