"""GitHub Actions workflow commands: one `::error|warning|notice` annotation per gap.

GitHub shows these on the pull request's changed lines. Properties and data are escaped as the
runner expects (`%`, CR and LF everywhere; also `:` and `,` in properties), otherwise a message
with a newline is cut and a path with a comma breaks the `file=` property.
"""

from __future__ import annotations

from auditor.engine.profiles import Profile
from auditor.findings import Finding, Report, TrialAudit
from auditor.report import safe
from auditor.report.common import totals_line
from auditor.report.locate import Location, add_hint, locate, problem_location
from auditor.vocabulary import LABEL, SEVERITIES

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    text = safe.text(text)  # no terminal escapes or other control characters in the job log
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, where: Location, title: str, message: str) -> str:
    props = [f"file={escape_property(where.path)}"]
    if where.line:
        props.append(f"line={where.line}")
        if where.column:
            props.append(f"col={where.column}")
    props.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def _annotation(audit: TrialAudit, finding: Finding, profile: Profile) -> str:
    where = locate(audit, finding, profile.criterion(finding.code))
    lines = [finding.message]
    if where.pointer and where.line is None:  # registry record: the line is unknown, name the field
        lines.append(f"At {where.pointer}" + (f" in {audit.record.trial_id}" if audit.record.trial_id else ""))
    if where.note:
        lines.append(where.note + ".")
    hint = add_hint(finding, where)
    if hint:
        lines.append(f"Fix: {hint}")
    title = f"{finding.code} {finding.name} ({LABEL[finding.status]})"
    return command(COMMAND[finding.severity], where, title, "\n".join(lines))


class Stream:
    """The annotations piece by piece (see auditor.report.text.Stream)."""

    def __init__(self, profile: Profile, min_severity: str = "info"):
        self.profile = profile
        self.shown = SEVERITIES[: SEVERITIES.index(min_severity) + 1]  # type: ignore[arg-type]

    def head(self) -> str:
        return ""

    def audit(self, audit: TrialAudit) -> str:
        return "".join(_annotation(audit, f, self.profile) + "\n" for f in audit.findings
                       if f.is_gap and f.severity in self.shown)

    def tail(self, report: Report) -> str:
        out = [command("error", problem_location(p), "trial-audit: protocol file problem" if p.line is not None
                       else "trial-audit: input could not be read", p.message) for p in report.errors]
        out.append(totals_line(report))  # a plain line: shown in the job log, not as an annotation
        return "".join(item + "\n" for item in out)


def render(report: Report, profile: Profile, min_severity: str = "info") -> str:
    stream = Stream(profile, min_severity)
    return stream.head() + "".join(stream.audit(a) for a in report.audits) + stream.tail(report)
