"""The charts of the batch report as standalone SVG (inline in the page, and files under `figures/`),
and the rows of numbers each one draws (its CSV).

Compliance bars are shares of the trials a criterion applies to, so the drawn widths and the printed
percentages are the same numbers; trials it does not apply to (n/a) are a count beside the bar. The
gap map's colour runs from pale (met by most) to dark red (met by few): the gaps stand out.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from auditor.report.labels import category, criterion_title
from auditor.vocabulary import LABEL, SYMBOL, Status, applicable

COLORS = {"met": "#2e7d32", "not_met": "#c62828", "unclear": "#f9a825", "not_applicable": "#9e9e9e"}
SHOWN: tuple[Status, ...] = ("met", "not_met", "unclear")  # the shares drawn; n/a is stated as a count
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
_STYLE = (f"<style>text{{font-family:{FONT};fill:#212121}}.lbl{{font-size:12px}}.num{{font-size:11px}}"
          ".tick{{font-size:10px;fill:#424242}}.axis{{font-size:12px;font-weight:bold}}.in{{font-size:10px;fill:#fff}}"
          "</style>").replace("{{", "{").replace("}}", "}")


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(label)}" '
                  f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">'
                  f'<title>{escape(label)}</title>{_STYLE}{"".join(body)}</svg>')


def pct(n: int, of: int) -> str:
    return f"{n / of:.0%}" if of else "–"


def compliance_rows(criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per criterion: the counts, the trials it applies to and the shares among them (the CSV)."""
    rows = []
    for c in criteria:
        n = applicable(c)
        rows.append({"code": c["code"], "criterion": criterion_title(c), "name": c.get("name", ""),
                     "met": c["met"], "not_met": c["not_met"], "unclear": c["unclear"], "applicable": n,
                     "not_applicable": c["not_applicable"],
                     **{f"{s}_share": (round(c[s] / n, 4) if n else None) for s in SHOWN}})
    return rows


def compliance_svg(criteria: list[dict[str, Any]]) -> Markup:
    """One bar per criterion: met / not met / unclear shares of the trials it applies to; n/a beside it."""
    width, label_w, bar_w, row_h, top = 980, 330, 470, 24, 8
    body: list[str] = []
    for i, row in enumerate(compliance_rows(criteria)):
        y = top + i * row_h
        body.append(f'<text x="0" y="{y + 14}" class="lbl"><tspan font-weight="bold">{escape(row["code"])}</tspan> '
                    f'{escape(row["criterion"])}</text>')
        n, x = row["applicable"], float(label_w)
        if not n:
            body.append(f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="{row_h - 8}" fill="#eeeeee"/>'
                        f'<text x="{label_w + 6}" y="{y + 14}" class="num">applies to no trial</text>')
        for status in SHOWN if n else ():
            w = bar_w * row[status] / n
            if w > 0:
                body.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 8}" fill="{COLORS[status]}">'
                            f'<title>{escape(row["code"])}: {row[status]} of {n} {LABEL[status]} '
                            f'({pct(row[status], n)})</title></rect>')
                if w >= 34:
                    color = "#212121" if status == "unclear" else "#fff"
                    body.append(f'<text x="{x + w / 2:.1f}" y="{y + 13}" class="in" text-anchor="middle" '
                                f'style="fill:{color}">{pct(row[status], n)}</text>')
            x += w
        na = f" · n/a {row['not_applicable']:,}" if row["not_applicable"] else ""
        body.append(f'<text x="{label_w + bar_w + 8}" y="{y + 14}" class="num">{pct(row["met"], n)} met of '
                    f'{n:,}{na}</text>')
    legend_y = top + len(criteria) * row_h + 16
    for j, status in enumerate(SHOWN):
        body.append(f'<rect x="{label_w + j * 120}" y="{legend_y - 10}" width="12" height="12" fill="{COLORS[status]}"/>'
                    f'<text x="{label_w + j * 120 + 16}" y="{legend_y}" class="lbl">{SYMBOL[status]} {LABEL[status]}</text>')
    body.append(f'<text x="{label_w}" y="{legend_y + 20}" class="tick">Share of the trials each criterion applies '
                f'to; n/a: trials it does not apply to (not in the share)</text>')
    return _svg(width, legend_y + 28, "Compliance per criterion", body)


def histogram_svg(bins: list[dict[str, Any]], title: str, x_title: str, y_title: str = "Trials") -> Markup:
    width, height, left, bottom, top = 560, 300, 56, 56, 16
    plot_h, plot_w = height - bottom - top, width - left - 12
    peak = max((b["count"] for b in bins), default=0) or 1
    bar_w = plot_w / max(len(bins), 1)
    body = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#616161"/>',
            f'<text x="{left - 6}" y="{top + 4}" class="tick" text-anchor="end">{peak:,}</text>',
            f'<text x="{left - 6}" y="{top + plot_h}" class="tick" text-anchor="end">0</text>']
    for i, b in enumerate(bins):
        h = plot_h * b["count"] / peak
        x = left + i * bar_w
        fill = "#bdbdbd" if b["bin"] == "unknown" else "#1565c0"
        body.append(f'<rect x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
                    f'fill="{fill}"><title>{escape(b["bin"])}: {b["count"]:,} trials</title></rect>'
                    f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 4:.1f}" class="num" '
                    f'text-anchor="middle">{b["count"]:,}</text>'
                    f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" class="tick" '
                    f'text-anchor="middle">{escape(b["bin"])}</text>')
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 12}" y2="{top + plot_h}" stroke="#616161"/>'
                f'<text x="{left + plot_w / 2:.1f}" y="{height - 12}" class="axis" text-anchor="middle">'
                f'{escape(x_title)}</text>'
                f'<text transform="translate(14 {top + plot_h / 2:.1f}) rotate(-90)" class="axis" '
                f'text-anchor="middle">{escape(y_title)}</text>')
    return _svg(width, height, title, body)


def gap_color(frac: float | None) -> tuple[str, str]:
    """(cell background, text colour): pale when most trials meet the priority, dark red when few do."""
    if frac is None:
        return "#f5f5f5", "#616161"
    gap = 1 - frac
    lo, hi = (255, 243, 224), (183, 28, 28)  # pale cream -> dark red
    rgb = tuple(round(a + (b - a) * gap) for a, b in zip(lo, hi, strict=True))
    return "#" + "".join(f"{v:02x}" for v in rgb), ("#fff" if gap > 0.55 else "#212121")


def gap_rows(gap_map: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the evidence-gap map with, per cell, the counts, the met share and its colours."""
    rows = []
    for row in gap_map["rows"]:
        cells = []
        for code in gap_map["codes"]:
            counts = row["cells"][code]
            n = applicable(counts)
            frac = counts["met"] / n if n else None
            bg, fg = gap_color(frac)
            cells.append({"code": code, "met": counts["met"], "not_met": counts["not_met"], "unclear": counts["unclear"],
                          "applicable": n, "not_applicable": counts["not_applicable"], "share": frac,
                          "pct": pct(counts["met"], n), "bg": bg, "fg": fg})
        rows.append({"category": row["category"], "name": category(row["category"]), "trials": row["trials"],
                     "cells": cells})
    return rows


def gap_map_svg(gap_map: dict[str, Any], titles: dict[str, str]) -> Markup:
    rows, codes = gap_rows(gap_map), gap_map["codes"]
    label_w, cell_w, cell_h, head = 250, 150, 40, 46
    width = label_w + cell_w * len(codes) + 10
    body = [f'<text x="0" y="{head - 10}" class="axis">Intervention category (trials)</text>']
    for j, code in enumerate(codes):
        x = label_w + j * cell_w + cell_w / 2
        body.append(f'<text x="{x:.0f}" y="{head - 24}" class="axis" text-anchor="middle">{escape(code)}</text>'
                    f'<text x="{x:.0f}" y="{head - 10}" class="tick" text-anchor="middle">'
                    f'{escape(titles.get(code, "")[:26])}</text>')
    for i, row in enumerate(rows):
        y = head + i * cell_h
        body.append(f'<text x="0" y="{y + 24}" class="lbl">{escape(row["name"])} ({row["trials"]:,})</text>')
        for j, cell in enumerate(row["cells"]):
            x = label_w + j * cell_w
            body.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{cell["bg"]}"/>'
                        f'<text x="{x + cell_w / 2}" y="{y + 18}" class="lbl" text-anchor="middle" '
                        f'style="fill:{cell["fg"]}">{cell["met"]:,} / {cell["applicable"]:,} ({cell["pct"]})</text>'
                        f'<text x="{x + cell_w / 2}" y="{y + 32}" class="tick" text-anchor="middle" '
                        f'style="fill:{cell["fg"]}">{cell["unclear"]:,} unclear</text>')
    y = head + len(rows) * cell_h + 14
    for k in range(11):
        bg, _ = gap_color(k / 10)
        body.append(f'<rect x="{label_w + k * 20}" y="{y}" width="20" height="12" fill="{bg}"/>')
    body.append(f'<text x="{label_w - 6}" y="{y + 10}" class="tick" text-anchor="end">0% met (gap)</text>'
                f'<text x="{label_w + 226}" y="{y + 10}" class="tick">100% met</text>'
                f'<text x="0" y="{y + 32}" class="tick">Cell: trials meeting the priority / trials it applies to '
                f'(share met); a trial with several categories counts in each.</text>')
    return _svg(width, y + 40, "Evidence-gap map", body)
