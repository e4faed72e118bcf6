"""JSON report: the Report tree as is, valid against schemas/report.schema.json."""

from __future__ import annotations

import orjson

from auditor.engine.profiles import Profile
from auditor.findings import Report


def render(report: Report, profile: Profile) -> str:
    return orjson.dumps(report.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode() + "\n"
