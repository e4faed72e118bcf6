"""`figures/`: each chart of the batch report as an SVG file, with a CSV of the numbers it draws, for
a manuscript. The numbers are the summary's (summary.json); nothing is computed here but shares.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from auditor.report import charts
from auditor.report.labels import criterion_title

FOLDER = "figures"


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
    return out.getvalue()


def gap_map_rows(gap_map: dict[str, Any]) -> list[dict[str, Any]]:
    """Long format: one row per intervention category x gap-map criterion."""
    return [{"category": row["category"], "category_name": row["name"], "trials": row["trials"], "code": cell["code"],
             "met": cell["met"], "not_met": cell["not_met"], "unclear": cell["unclear"],
             "applicable": cell["applicable"], "not_applicable": cell["not_applicable"],
             "met_share": None if cell["share"] is None else round(cell["share"], 4)}
            for row in charts.gap_rows(gap_map) for cell in row["cells"]]


def figures(summary: dict[str, Any]) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """name -> (SVG text, the CSV's rows)."""
    crit = summary["criteria"]
    titles = {c["code"]: criterion_title(c) for c in crit}
    dist = summary["distributions"]
    return {
        "compliance": (str(charts.compliance_svg(crit)), charts.compliance_rows(crit)),
        "gap_map": (str(charts.gap_map_svg(summary["gap_map"], titles)), gap_map_rows(summary["gap_map"])),
        "enrollment": (str(charts.histogram_svg(dist["enrollment"], "Registered sample size",
                                                "Registered sample size (participants)")),
                       [{"bin": b["bin"], "trials": b["count"]} for b in dist["enrollment"]]),
        "follow_up": (str(charts.histogram_svg(dist["follow_up_after_treatment_weeks"],
                                               "Follow-up after the end of treatment",
                                               "Latest assessment after the end of treatment (weeks)")),
                      [{"bin": b["bin"], "trials": b["count"]} for b in dist["follow_up_after_treatment_weeks"]]),
    }


def write(out_dir: Path, summary: dict[str, Any]) -> list[Path]:
    folder = out_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (svg, rows) in figures(summary).items():
        for ext, text in (("svg", '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"), ("csv", _csv(rows))):
            target = folder / f"{name}.{ext}"
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written
