"""Markdown report: a table per record and the gaps with quotes, for issues, PRs and wikis."""

from __future__ import annotations

from auditor.engine.profiles import Profile
from auditor.findings import Report
from auditor.report import safe
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
    """Registry text: one line, HTML and markdown escaped (a title cannot inject markup)."""
    return safe.markdown(text)


def render(report: Report, profile: Profile) -> str:
    out = ["# trial-audit report", "", f"Profile: **{_cell(profile.title)}** (`{safe.code(profile.id)}` {_cell(profile.version or '')})".rstrip(), ""]
    for audit in report.audits:
        out += [f"## {_cell(heading(audit))}", "", "| | code | criterion | severity | status | finding |",
                "|---|---|---|---|---|---|"]
        for f in audit.findings:
            out.append(f"| {SYMBOL[f.status]} | {_cell(f.code)} | {_cell(f.name)} | {f.severity} | {LABEL[f.status]} | {_cell(f.message)} |")
        out += ["", counts_line(audit), ""]
        for f in detailed(audit.findings):
            out.append(f"### {_cell(f.code)} {_cell(f.name)} ({f.severity}, {LABEL[f.status]})")
            out += ["", _cell(f.message), ""]
            out += [f"- {_cell(location(ev))}: {_cell(quote(ev))}" for ev in f.evidence[:5]]
            if missing := missing_field(audit, f, profile):
                out.append(f"- {safe.line(missing)}")
            if f.fix:
                out += ["", f"**Fix:** {_cell(f.fix)}"]
            out.append("")
    if report.errors:
        out += ["## Inputs that could not be read", ""]
        out += [f"- `{safe.code(p.origin)}`: {_cell(p.message)}" for p in report.errors]
        out.append("")
    out.append(totals_line(report))
    return "\n".join(out) + "\n"
