"""Output formats: each module renders a finished Report; none of them decides anything.

To add a format, add a module with a `render(report: Report, profile: Profile) -> str` function
and list it in REPORTERS and in `auditor.vocabulary.OUTPUT_FORMATS` (what `--format` accepts).
"""

from __future__ import annotations

from collections.abc import Callable

from auditor import vocabulary
from auditor.engine.profiles import Profile
from auditor.findings import Report
from auditor.report import github, json_report, markdown, record_html, sarif, text

Renderer = Callable[[Report, Profile], str]

REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "markdown": markdown.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
    "html": record_html.render,
}

# Formats that annotate gaps one by one and take `min_severity` (the lowest severity shown).
ANNOTATING = vocabulary.ANNOTATING
