"""JSON report: the Report tree as is, valid against schemas/report.schema.json."""

from __future__ import annotations

import msgspec
import orjson

from auditor.engine.profiles import Profile
from auditor.findings import ProfileInfo, Report, Totals, TrialAudit, as_data
from auditor.report import safe

_AUDITS = '\n  "audits": []'  # the top-level key as OPT_INDENT_2 writes an empty list


def _split(report: Report) -> tuple[str, str]:
    """The document of a report without audits, cut where its audits go."""
    text = orjson.dumps(as_data(msgspec.structs.replace(report, audits=[])), option=orjson.OPT_INDENT_2).decode()
    at = text.index(_AUDITS) + len(_AUDITS) - 1
    return text[:at], text[at + 1:]


class Stream:
    """The document piece by piece (see auditor.report.text.Stream), byte for byte what `render`
    writes: the audits array is written one audit at a time, each indented as in the whole tree."""

    def __init__(self, profile: Profile, fail_on: str = "error"):
        skeleton = Report(profile=ProfileInfo(id=profile.id, title=profile.title, version=profile.version,
                                              citation=profile.citation), fail_on=fail_on, audits=[],  # type: ignore[arg-type]
                          totals=Totals(records=0, audited=0, failed=0, findings={}, gaps_at_fail_level=0))
        self.prefix = _split(skeleton)[0]
        self.count = 0

    def head(self) -> str:
        return safe.json_document(self.prefix)

    def audit(self, audit: TrialAudit) -> str:
        body = orjson.dumps(as_data(audit), option=orjson.OPT_INDENT_2).decode().replace("\n", "\n    ")
        self.count += 1
        return safe.json_document(("\n    " if self.count == 1 else ",\n    ") + body)

    def tail(self, report: Report) -> str:
        return safe.json_document(("\n  ]" if self.count else "]") + _split(report)[1]) + "\n"


def render(report: Report, profile: Profile) -> str:
    return safe.json_document(orjson.dumps(as_data(report), option=orjson.OPT_INDENT_2).decode()) + "\n"
