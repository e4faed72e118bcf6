"""`trial-audit check RECORD --format html`: the batch page's per-trial view as a standalone page (no
script, no network), for a trialist to share. One block per record; every text is
cleaned of control characters (`safe.html_value`) and autoescaped.
"""

from __future__ import annotations

from typing import Any

import jinja2
import msgspec

from auditor.engine.profiles import Profile
from auditor.findings import Report, TrialAudit
from auditor.identity import record_ids, registry_url
from auditor.report import charts, safe, trialview
from auditor.report.common import totals_line, trial_name
from auditor.report.labels import category, grouped, legend, registry_link
from auditor.vocabulary import LABEL, STATUSES

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("auditor.report", "templates"),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True, finalize=safe.html_value)


def _trial(audit: TrialAudit, order: list[str]) -> dict[str, Any]:
    rec = audit.record
    ids = record_ids(rec.trial_id, [])
    found = [{"code": f.code, "name": f.name, "severity": f.severity, "status": f.status, "message": f.message,
              "fix": f.fix, "evidence": msgspec.to_builtins(f.evidence)} for f in audit.findings]
    treatment = audit.facts.get("treatment") or {}
    return {"name": trial_name(audit), "title": rec.title or "", "registry": rec.registry,
            "url": registry_link(registry_url(ids[0] if ids else None)),
            "source": rec.path if rec.index == 0 else f"{rec.path} #{rec.index + 1}",
            "cats": [category(c) for c in treatment.get("intervention_categories") or []],
            "counts": [(LABEL[s], audit.counts[s], s) for s in STATUSES],
            "findings": trialview.findings(found, order=order)}


class Stream:
    """The page needs every record before its first line (the title names them all): it keeps one
    compact row per record (what the page shows of it), not the audits, and renders at the end."""

    def __init__(self, profile: Profile):
        self.profile = profile
        crit = [{"code": c.code, "name": c.name, "group": c.group} for c in profile.criteria]
        self.order = [c["code"] for c in grouped(crit)]
        self.trials: list[dict[str, Any]] = []

    def head(self) -> str:
        return ""

    def audit(self, audit: TrialAudit) -> str:
        self.trials.append(_trial(audit, self.order))
        return ""

    def tail(self, report: Report) -> str:
        return _ENV.get_template("record.html.j2").render(
            profile=self.profile, trials=self.trials, errors=report.errors, totals=totals_line(report), legend=legend(),
            colors=charts.COLORS, version=report.tool.get("version", ""))


def render(report: Report, profile: Profile) -> str:
    stream = Stream(profile)
    return stream.head() + "".join(stream.audit(a) for a in report.audits) + stream.tail(report)
