"""Wording shared by the human-readable formats."""

from __future__ import annotations

from auditor.engine.profiles import Profile
from auditor.facts import Evidence
from auditor.findings import Finding, Report, TrialAudit
from auditor.report.locate import dotted, locate
from auditor.vocabulary import LABEL, SEVERITIES, SYMBOL

MAX_QUOTE = 240


def heading(audit: TrialAudit) -> str:
    rec = audit.record
    ident = rec.trial_id or "(no trial id)"
    where = rec.path if rec.index == 0 else f"{rec.path} #{rec.index + 1}"
    title = f"  {rec.title}" if rec.title else ""
    return f"{ident}{title}  [{rec.registry}, {where}]"


def location(ev: Evidence) -> str:
    return f"{ev.at} (line {ev.line})" if ev.line is not None else ev.at


def quote(ev: Evidence) -> str:
    text = " ".join(ev.quote.split())
    if len(text) > MAX_QUOTE:
        text = text[: MAX_QUOTE - 1] + "…"
    return f"“{text}”" + (f" — {ev.note}" if ev.note else "")


def counts_line(audit: TrialAudit) -> str:
    return ", ".join(f"{audit.counts[s]} {LABEL[s]}" for s in SYMBOL)


def detailed(findings: list[Finding]) -> list[Finding]:
    """The findings worth explaining: the gaps, most severe first."""
    return sorted((f for f in findings if f.is_gap), key=lambda f: (SEVERITIES.index(f.severity), f.code))


def totals_line(report: Report) -> str:
    t = report.totals
    parts = [f"{t.audited} record{'s' if t.audited != 1 else ''} audited"]
    if t.failed:
        parts.append(f"{t.failed} could not be read")
    parts.append(", ".join(f"{t.findings[s]} {LABEL[s]}" for s in SYMBOL))
    level = "never fails" if report.fail_on == "never" else f"{t.gaps_at_fail_level} gap(s) at --fail-on {report.fail_on}"
    return " · ".join(parts) + f" · {level}"


def missing_field(audit: TrialAudit, finding: Finding, profile: Profile) -> str | None:
    """For a protocol-file gap with nothing to quote: the line where the missing field belongs."""
    if finding.evidence or audit.record.format != "protocol":
        return None
    where = locate(audit, finding, profile.criterion(finding.code))
    if where.line is None:
        return None
    note = where.note or (f"`{dotted(where.pointer)}` is here but lacks what the criterion needs"
                          if where.pointer else "nothing in the file answers this")
    return f"at line {where.line}: {note}"
