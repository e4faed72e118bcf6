"""JSON report: the Report tree as is, valid against schemas/report.schema.json."""

from __future__ import annotations

import orjson

from auditor.engine.profiles import Profile
from auditor.findings import Report
from auditor.report import safe


def render(report: Report, profile: Profile) -> str:
    return safe.json_document(orjson.dumps(report.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode()) + "\n"
