"""Wording shared by the human-readable formats."""

from __future__ import annotations

import re

from auditor.engine.profiles import Profile
from auditor.facts import Evidence
from auditor.findings import Finding, Report, TrialAudit
from auditor.report.locate import dotted, locate
from auditor.vocabulary import LABEL, SEVERITIES, SYMBOL

MAX_QUOTE = 240


def trial_name(audit: TrialAudit) -> str:
    """The trial as a reader knows it: its id, else its acronym, else "trial in FILE"."""
    rec = audit.record
    return rec.trial_id or rec.acronym or f"trial in {rec.path}"


def heading(audit: TrialAudit) -> str:
    rec = audit.record
    ident = trial_name(audit)
    where = rec.path if rec.index == 0 else f"{rec.path} #{rec.index + 1}"
    title = f"  {rec.title}" if rec.title else ""
    return f"{ident}{title}  [{rec.registry}, {where}]"


def field_label(at: str) -> str:
    """A JSON pointer or XPath as the field's name in its file: `timeFrame` of primaryOutcomes item 1."""
    parts = [p for p in at.replace("~1", "/").strip("/").split("/") if p]
    named: list[tuple[str, int | None]] = []
    for part in parts:
        m = re.fullmatch(r"(.*?)\[(\d+)\]", part)  # XPath step with a position
        if part.isdigit() and named:
            named[-1] = (named[-1][0], int(part) + 1)
        elif m:
            named.append((m.group(1), int(m.group(2))))
        else:
            named.append((part.lstrip("@"), None))
    if not named:
        return "the record"
    name, item = named[-1]
    own = f"`{name}` item {item}" if item else f"`{name}`"
    owner = next(((n, i) for n, i in reversed(named[:-1]) if i), None)
    return own + (f" of {owner[0]} item {owner[1]}" if owner else "")


def location(ev: Evidence) -> str:
    """Where a quote is, in words: the line and the field as written, never a pointer."""
    return f"line {ev.line}, {field_label(ev.at)}" if ev.line is not None else field_label(ev.at)


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
        parts.append(f"{t.failed} could not be audited")
    parts.append(", ".join(f"{t.findings[s]} {LABEL[s]}" for s in SYMBOL))
    level = "never fails" if report.fail_on == "never" else f"{t.gaps_at_fail_level} gap(s) at --fail-on {report.fail_on}"
    if t.failed:  # "0 gap(s)" must not read like a pass when an input was not audited at all
        level += f" · NOT A PASS: {t.failed} input{'s' if t.failed != 1 else ''} could not be audited (exit 2)"
    return " · ".join(parts) + f" · {level}"


def missing_field(audit: TrialAudit, finding: Finding, profile: Profile) -> str | None:
    """For a protocol-file gap with nothing to quote: the line where the missing field belongs."""
    if finding.evidence or audit.record.format != "protocol":
        return None
    where = locate(audit, finding, profile.criterion(finding.code))
    if where.line is None:
        return None
    if where.missing and not where.section:  # no section to point at: no line either ("at line 1" misleads)
        return f"missing: {where.note}"
    note = where.note or (f"`{dotted(where.pointer)}` is here but lacks what the criterion needs"
                          if where.pointer else "nothing in the file answers this")
    return f"at line {where.line}: {note}"
