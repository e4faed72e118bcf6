"""Markdown report: a table per record and the gaps with quotes, for issues, PRs and wikis."""

from __future__ import annotations

from auditor.engine.profiles import Profile
from auditor.findings import InputProblem, Report, TrialAudit
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


class Stream:
    """The report piece by piece (see auditor.report.text.Stream)."""

    def __init__(self, profile: Profile):
        self.profile = profile

    def head(self) -> str:
        profile = self.profile
        return _lines(["# trial-audit report", "",
                       f"Profile: **{_cell(profile.title)}** (`{safe.code(profile.id)}` {_cell(profile.version or '')})".rstrip(), ""])

    def audit(self, audit: TrialAudit) -> str:
        out = [f"## {_cell(heading(audit))}", "", "| | code | criterion | severity | status | finding |",
               "|---|---|---|---|---|---|"]
        for f in audit.findings:
            out.append(f"| {SYMBOL[f.status]} | {_cell(f.code)} | {_cell(f.name)} | {f.severity} | {LABEL[f.status]} | {_cell(f.message)} |")
        out += ["", counts_line(audit), ""]
        for f in detailed(audit.findings):
            out.append(f"### {_cell(f.code)} {_cell(f.name)} ({f.severity}, {LABEL[f.status]})")
            out += ["", _cell(f.message), ""]
            # Where a quote is, in the tool's words with field names as code; the quote is record text.
            out += [f"- {safe.markdown_with_code(location(ev))}: {_cell(quote(ev))}" for ev in f.evidence[:5]]
            if missing := missing_field(audit, f, self.profile):
                out.append(f"- {safe.markdown_with_code(missing)}")
            if f.fix:
                out += ["", f"**Fix:** {_cell(f.fix)}"]
            out.append("")
        return _lines(out)

    def tail(self, report: Report) -> str:
        out: list[str] = []
        if report.errors:
            out += ["## Inputs that could not be read", ""]
            for p in report.errors:
                # An invalid protocol file: every problem on its own line, as the terminal shows them.
                problems = p.violations or [p]
                out += [f"- `{safe.code(_place(v))}`: {_cell(v.message)}" for v in problems]
            out.append("")
        out.append(totals_line(report))
        return _lines(out)


def _place(problem: InputProblem) -> str:
    """`file:line:column` (as editors and the terminal report write it), or the file alone."""
    return problem.origin + "".join(f":{n}" for n in (problem.line, problem.column) if n is not None)


def _lines(out: list[str]) -> str:
    return "".join(item + "\n" for item in out)


def render(report: Report, profile: Profile) -> str:
    stream = Stream(profile)
    return stream.head() + "".join(stream.audit(a) for a in report.audits) + stream.tail(report)
