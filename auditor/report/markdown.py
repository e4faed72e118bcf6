"""Markdown report: a table per record and the gaps with quotes, for issues, PRs and wikis."""

from __future__ import annotations

from auditor.engine.profiles import Profile
from auditor.findings import Report
from auditor.report.common import (
    counts_line,
    detailed,
    heading,
    location,
    missing_field,
    quote,
    totals_line,
)
from auditor.vocabulary import LABEL, SYMBOL


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(report: Report, profile: Profile) -> str:
    out = ["# trial-audit report", "", f"Profile: **{profile.title}** (`{profile.id}` {profile.version or ''})".rstrip(), ""]
    for audit in report.audits:
        out += [f"## {_cell(heading(audit))}", "", "| | code | criterion | severity | status | finding |",
                "|---|---|---|---|---|---|"]
        for f in audit.findings:
            out.append(f"| {SYMBOL[f.status]} | {f.code} | {f.name} | {f.severity} | {LABEL[f.status]} | {_cell(f.message)} |")
        out += ["", counts_line(audit), ""]
        for f in detailed(audit.findings):
            out.append(f"### {f.code} {f.name} ({f.severity}, {LABEL[f.status]})")
            out += ["", _cell(f.message), ""]
            out += [f"- {location(ev)}: {_cell(quote(ev))}" for ev in f.evidence[:5]]
            if missing := missing_field(audit, f, profile):
                out.append(f"- {missing}")
            if f.fix:
                out += ["", f"**Fix:** {_cell(f.fix)}"]
            out.append("")
    if report.errors:
        out += ["## Inputs that could not be read", ""]
        out += [f"- `{p.origin}`: {_cell(p.message)}" for p in report.errors]
        out.append("")
    out.append(totals_line(report))
    return "\n".join(out) + "\n"
