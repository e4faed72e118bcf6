"""`report.html`: one self-contained page (inline CSS, inline SVG, no network) over a batch run.

The charts come from the summary (aggregates over every trial); the per-trial table embeds the
sample the batch layer picked (at most `limit` trials with their findings, by a hash of their
source so the sample is stable and spread over all inputs), and the page says so when it shows a
sample. The renderer is given its rows: it runs no queries and imports nothing from `batch/`.

Escaping: the template is autoescaped; SVG is built here with `escape` on every label; trial data
travels as JSON inside `<script type="application/json">` with `<`, `>`, `&`, U+2028/U+2029 escaped
so record text can neither end the script element nor break the parser; scripts insert it with
`textContent` only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import orjson
from markupsafe import Markup, escape

from auditor.vocabulary import LABEL, STATUSES, applicable, share

DEFAULT_LIMIT = 2000
QUOTE_CHARS = 400  # in the page; the store keeps the full quotes
COLORS = {"met": "#2e7d32", "not_met": "#c62828", "unclear": "#f9a825", "not_applicable": "#9e9e9e"}

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("auditor.report", "templates"),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True)
_ENV.filters["num"] = lambda n: f"{n:,}" if isinstance(n, int) else n


def script_json(value: Any) -> Markup:
    """JSON that is safe inside a <script> element and in any HTML parser state."""
    text = orjson.dumps(value).decode()
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return Markup(text)


def compliance_svg(criteria: list[dict[str, Any]]) -> Markup:
    """One stacked bar per criterion: shares of met / not met / unclear / n.a. among all trials."""
    width, label_w, row_h = 760, 300, 26
    parts = [f'<svg class="chart" role="img" aria-label="Compliance per criterion" viewBox="0 0 {width} '
             f'{row_h * len(criteria) + 30}" width="100%">']
    for i, crit in enumerate(criteria):
        y = i * row_h + 4
        total = sum(crit[s] for s in STATUSES) or 1
        met = share(crit)
        parts.append(f'<text x="0" y="{y + 15}" class="lbl">{escape(crit["code"])} {escape(crit.get("name", ""))}</text>')
        x = float(label_w)
        for status in STATUSES:
            w = (width - label_w - 60) * crit[status] / total
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 8}" fill="{COLORS[status]}">'
                             f'<title>{escape(crit["code"])}: {crit[status]} {LABEL[status]}</title></rect>')
            x += w
        pct = "–" if met is None else f"{met:.0%}"
        parts.append(f'<text x="{width - 52}" y="{y + 15}" class="num">{pct}</text>')
    legend_y = row_h * len(criteria) + 22
    for j, status in enumerate(STATUSES):
        parts.append(f'<rect x="{label_w + j * 110}" y="{legend_y - 10}" width="12" height="12" fill="{COLORS[status]}"/>'
                     f'<text x="{label_w + j * 110 + 16}" y="{legend_y}" class="lbl">{LABEL[status]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram_svg(bins: list[dict[str, Any]], title: str) -> Markup:
    width, height, pad = 560, 220, 30
    peak = max((b["count"] for b in bins), default=0) or 1
    bar_w = (width - 2 * pad) / max(len(bins), 1)
    parts = [f'<svg class="chart hist" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height + 40}" width="100%">']
    for i, b in enumerate(bins):
        h = (height - pad) * b["count"] / peak
        x = pad + i * bar_w
        fill = "#bdbdbd" if b["bin"] == "unknown" else "#1565c0"
        parts.append(f'<rect x="{x + 2:.1f}" y="{height - h:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" fill="{fill}">'
                     f'<title>{escape(b["bin"])}: {b["count"]}</title></rect>'
                     f'<text x="{x + bar_w / 2:.1f}" y="{height - h - 4:.1f}" class="num" text-anchor="middle">{b["count"]}</text>'
                     f'<text x="{x + bar_w / 2:.1f}" y="{height + 16}" class="tick" text-anchor="middle">{escape(b["bin"])}</text>')
    parts.append(f'<line x1="{pad}" y1="{height}" x2="{width - pad}" y2="{height}" stroke="#444"/></svg>')
    return Markup("".join(parts))


class _Strings:
    """Interned strings: messages, fix hints and quotes repeat across trials and criteria, so the
    page carries each once and findings refer to them by index (a 2,000-trial page shrinks ~5x)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, text: str | None) -> int:
        return self.index.setdefault(text or "", len(self.index))

    def table(self) -> list[str]:
        return list(self.index)


def _trials(rows: list[dict[str, Any]], intern: _Strings) -> list[dict[str, Any]]:
    """The batch's sample rows (auditor.batch.summary.sample) in the page's compact shape."""
    trials = []
    for row in rows:
        found = [[f["code"], f["status"], f["severity"], intern(f["message"]), intern(f["fix"]),
                  [[intern(e.get("at")), intern(e.get("quote", "")[:QUOTE_CHARS])] for e in f["evidence"]]]
                 for f in row["findings"]]
        trials.append({
            "id": row["trial_id"] or "", "title": row["title"] or "", "registry": row["registry"] or "",
            "source": row["source_path"] + (f"[{row['source_index']}]" if row["source_index"] else ""),
            "year": row["start_year"], "n": row["enrollment"], "fu": row["follow_up_after_treatment_weeks"],
            "cats": row["intervention_categories"] or [], "gaps": (row["not_met"] or 0) + (row["unclear"] or 0),
            "s": [s or "" for s in row["statuses"]], "f": found})
    return trials


def _gap_cells(gap_map: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the evidence-gap matrix with the met share per cell, for shading."""
    rows = []
    for row in gap_map["rows"]:
        cells = []
        for code in gap_map["codes"]:
            counts = row["cells"][code]
            frac = share(counts)
            cells.append({"met": counts["met"], "applicable": applicable(counts), "unclear": counts["unclear"],
                          "frac": frac, "alpha": 0.08 + 0.8 * frac if frac is not None else 0})
        rows.append({"category": row["category"], "trials": row["trials"], "cells": cells})
    return rows


def render(summary: dict[str, Any], profile: dict[str, Any], run: dict[str, Any], sample: list[dict[str, Any]],
           limit: int = DEFAULT_LIMIT) -> str:
    """The page, from the summary document and the sampled trials with their findings (at most
    `limit`, in the order shown); it runs no queries."""
    codes = [c["code"] for c in summary["criteria"]]
    intern = _Strings()
    trials = _trials(sample, intern)
    return _ENV.get_template("batch.html.j2").render(
        profile=profile, run=run, summary=summary, codes=codes, criteria=summary["criteria"],
        compliance=compliance_svg(summary["criteria"]),
        enrollment=histogram_svg(summary["distributions"]["enrollment"], "Registered sample size"),
        follow_up=histogram_svg(summary["distributions"]["follow_up_after_treatment_weeks"],
                                "Follow-up after the end of treatment (weeks)"),
        gap_rows=_gap_cells(summary["gap_map"]), gap_codes=summary["gap_map"]["codes"],
        gap_names={c["code"]: c.get("name", "") for c in summary["criteria"]},
        shown=len(trials), total=summary["store"]["trials"], limit=limit,
        data=script_json({"codes": codes, "trials": trials, "strings": intern.table(), "labels": LABEL}),
        colors=COLORS, labels=LABEL)


def write(out_dir: Path, summary: dict[str, Any], profile: dict[str, Any], run: dict[str, Any],
          sample: list[dict[str, Any]], limit: int = DEFAULT_LIMIT) -> Path:
    target = out_dir / "report.html"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(render(summary, profile, run, sample, limit), encoding="utf-8")
    tmp.replace(target)
    return target
