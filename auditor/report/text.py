"""Terminal report: one line per criterion, then details of the gaps with quotes and fixes."""

from __future__ import annotations

from auditor.engine.profiles import Profile
from auditor.findings import Report, TrialAudit
from auditor.report import safe
from auditor.report.common import counts_line, detailed, heading, location, missing_field, quote, totals_line
from auditor.vocabulary import SYMBOL


def _audit(audit: TrialAudit, out: list[str], profile: Profile) -> None:
    out.append(heading(audit))
    width = max((len(f.name) for f in audit.findings), default=0)
    for f in audit.findings:
        out.append(f"  {SYMBOL[f.status]} {f.code} {f.name:<{width}}  {f.severity:<7}  {f.message}")
    gaps = detailed(audit.findings)
    if gaps:
        out.append("")
        out.append("  Details")
    for f in gaps:
        out.append(f"  {SYMBOL[f.status]} {f.code} {f.name} ({f.severity}, {f.status.replace('_', ' ')})")
        out.append(f"      {f.message}")
        for ev in f.evidence[:5]:
            out.append(f"      at {location(ev)}: {quote(ev)}")
        if missing := missing_field(audit, f, profile):
            out.append(f"      {missing}")
        if len(f.evidence) > 5:
            out.append(f"      … and {len(f.evidence) - 5} more quotes (see --format json)")
        if f.fix:
            out.append(f"      fix: {f.fix}")
    out.append(f"  {counts_line(audit)}")
    out.append("")


class Stream:
    """The report piece by piece: `head()`, `audit(a)` for each record as it is audited, then
    `tail(report)` (the errors and totals; `report.audits` is not read). `render` is the three joined."""

    def __init__(self, profile: Profile):
        self.profile = profile

    def head(self) -> str:
        return _lines([f"profile {self.profile.id} {self.profile.version or ''}".rstrip(), ""])

    def audit(self, audit: TrialAudit) -> str:
        out: list[str] = []
        _audit(audit, out, self.profile)
        return _lines(out)

    def tail(self, report: Report) -> str:
        return _lines([f"error: {problem.origin}: {problem.message}" for problem in report.errors] + [totals_line(report)])


def _lines(out: list[str]) -> str:
    # Registry text (titles, quotes, file names) cannot break a line or reach the terminal raw.
    return "".join(safe.line(item) + "\n" for item in out)


def render(report: Report, profile: Profile) -> str:
    stream = Stream(profile)
    return stream.head() + "".join(stream.audit(a) for a in report.audits) + stream.tail(report)
