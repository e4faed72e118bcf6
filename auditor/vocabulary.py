"""The words every layer shares, defined once: statuses, severities, fail levels and their labels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Status = Literal["met", "not_met", "unclear", "not_applicable"]
Severity = Literal["error", "warning", "info"]
FailOn = Literal["error", "warning", "info", "never"]

STATUSES: tuple[Status, ...] = ("met", "not_met", "unclear", "not_applicable")
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
FAIL_LEVELS: tuple[FailOn, ...] = ("error", "warning", "info", "never")
GAPS: tuple[Status, ...] = ("not_met", "unclear")  # a gap: the record does not show the criterion met

LABEL: dict[Status, str] = {"met": "met", "not_met": "not met", "unclear": "unclear", "not_applicable": "n/a"}
SYMBOL: dict[Status, str] = {"met": "✓", "not_met": "✗", "unclear": "?", "not_applicable": "–"}


def fails(severity: str, fail_on: str) -> bool:
    """Whether a gap of this severity counts against `--fail-on`."""
    if fail_on == "never":
        return False
    return SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)  # type: ignore[arg-type]


def applicable(counts: Mapping[str, int]) -> int:
    """How many of these status counts are of records the criterion applies to."""
    return sum(counts[s] for s in STATUSES if s != "not_applicable")


def share(counts: Mapping[str, int], status: str = "met") -> float | None:
    """Share of trials with `status` among those the criterion applies to."""
    n = applicable(counts)
    return counts[status] / n if n else None

# The names command-line options accept, known without importing the readers or renderers (start-up
# time); tests/test_vocabulary.py holds them equal to auditor.sources.READERS and auditor.report.REPORTERS.
READER_NAMES: tuple[str, ...] = ("ctrdata-db", "ctrdata", "ctgov-v2", "ctgov-classic", "ctgov-xml", "ctis",
                                 "euctr-text", "ictrp-xml", "ictrp-csv", "spreadsheet", "protocol")
OUTPUT_FORMATS: tuple[str, ...] = ("text", "markdown", "json", "sarif", "github", "html")
ANNOTATING: frozenset[str] = frozenset({"sarif", "github"})  # formats that annotate gaps and take min_severity
