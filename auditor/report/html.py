"""`report.html`: one self-contained page (inline CSS, inline SVG, no network) over a batch run.

The charts come from the summary (aggregates over every trial); the per-trial table embeds the
sample the batch layer picked (at most `limit` trials with their findings, by a hash of their
source so the sample is stable and spread over all inputs), and the page says so when it shows a
sample. The renderer is given its rows: it runs no queries and imports nothing from `batch/`.

Escaping: the template is autoescaped, after `safe.html_value` took control characters out of every
printed value; SVG is built in `charts` with `safe.line` and `escape` on every label; trial data
travels as JSON inside `<script type="application/json">` with `<`, `>`, `&`, U+2028/U+2029 escaped
so record text can neither end the script element nor break the parser; scripts insert it with
`textContent` only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import orjson
from markupsafe import Markup

from auditor.report import charts, safe, trialview
from auditor.report.labels import category, criterion_title, group_title, grouped, legend, registry_link
from auditor.vocabulary import LABEL, SYMBOL

DEFAULT_LIMIT = 2000
COLORS = charts.COLORS

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("auditor.report", "templates"),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True, finalize=safe.html_value)
_ENV.filters["num"] = lambda n: f"{n:,}" if isinstance(n, int) else n


def script_json(value: Any) -> Markup:
    """JSON that is safe inside a <script> element and in any HTML parser state."""
    # C1 and bidi controls, U+2028/U+2029 and the BOM as \\uXXXX (safe.json_document): the same text once parsed.
    # Control characters and bidi overrides leave every string first (safe.data): a script inserts
    # these strings into the page.
    text = safe.json_document(orjson.dumps(safe.data(value)).decode())
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, code)
    return Markup(text)


class _Strings:
    """Interned strings: messages, fix hints and quotes repeat across trials and criteria, so the
    page carries each once and findings refer to them by index (a 2,000-trial page shrinks ~5x)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, text: str | None) -> int:
        return self.index.setdefault(text or "", len(self.index))

    def table(self) -> list[str]:
        return list(self.index)


def _trials(rows: list[dict[str, Any]], codes: list[str], intern: _Strings) -> list[dict[str, Any]]:
    """The batch's sample rows (auditor.batch.summary.sample) in the page's compact shape: each
    finding [code, status, why, fix, [[field, quote, note, same_as], ...]] with texts interned."""
    trials = []
    for row in rows:
        found = [[f["code"], f["status"], intern(f["why"]), intern(f["fix"]),
                  [[intern(q["field"]), intern(q["quote"]), intern(q["note"]), q["same_as"]] for q in f["quotes"]]]
                 for f in trialview.findings(row["findings"], order=codes)]
        trials.append({
            "id": row["trial_id"] or "", "title": row["title"] or "", "registry": row["registry"] or "",
            "url": registry_link(row.get("registry_url")) or "",
            "status": row.get("overall_status") or "", "type": row.get("study_type") or "",
            "sponsor": row.get("sponsor") or "", "countries": row.get("countries") or [],
            "copies": row.get("copies") or 1,
            "source": row["source_path"] + (f"[{row['source_index']}]" if row["source_index"] else ""),
            "year": row["start_year"], "n": row["enrollment"], "fu": row["follow_up_after_treatment_weeks"],
            # null: the arms are not described (unknown), unlike [] (no category recognised)
            "cats": ([category(c) for c in row["intervention_categories"]] if row["intervention_categories"] is not None
                     else [category("unknown")]),
            "gaps": (row["not_met"] or 0) + (row["unclear"] or 0),
            "s": [s or "" for s in row["statuses"]], "f": found})
    return trials


def _groups(criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive criteria of one group, for the table's grouped header."""
    out: list[dict[str, Any]] = []
    for c in criteria:
        group = c.get("group") or str(c.get("name", "")).split(".", 1)[0]
        if out and out[-1]["group"] == group:
            out[-1]["span"] += 1
        else:
            out.append({"group": group, "title": group_title(group), "span": 1})
    for g in out:
        g["short"] = g["title"] if g["span"] > 1 else g["title"][:4] + "."
    return out


def _options(trials: list[dict[str, Any]], key: str) -> list[str]:
    values: set[str] = set()
    for t in trials:
        v = t[key]
        values.update(v if isinstance(v, list) else [v] if v else [])
    return sorted(values)


def render(summary: dict[str, Any], profile: dict[str, Any], run: dict[str, Any], sample: list[dict[str, Any]],
           limit: int = DEFAULT_LIMIT, where: list[str] | None = None) -> str:
    """The page, from the summary document and the sampled trials with their findings (at most
    `limit`, in the order shown); it runs no queries. `where`: the conditions of a subgroup
    (`trial-audit report --where`), which the page states: its numbers are not the whole review's."""
    given = [c["code"] for c in summary["criteria"]]
    criteria = grouped([{**c, "title": c.get("title") or criterion_title(c)} for c in summary["criteria"]])
    codes = [c["code"] for c in criteria]
    # The sample's statuses come in the summary's order of criteria; the page shows them grouped.
    sample = [{**row, "statuses": [row["statuses"][given.index(c)] for c in codes]} for row in sample]
    intern = _Strings()
    trials = _trials(sample, codes, intern)
    dist = summary["distributions"]
    return _ENV.get_template("batch.html.j2").render(
        profile=profile, run=run, summary=summary, store=summary["store"], codes=codes, criteria=criteria,
        groups=_groups(criteria), legend=legend(),
        registries=summary["breakdowns"]["registry"],
        compliance=charts.compliance_svg(criteria),
        enrollment=charts.histogram_svg(dist["enrollment"], "Registered sample size",
                                        "Registered sample size (participants)"),
        follow_up=charts.histogram_svg(dist["follow_up_after_treatment_weeks"], "Follow-up after the end of treatment",
                                       "Latest assessment after the end of treatment (weeks)"),
        gap_rows=charts.gap_rows(summary["gap_map"]), gap_codes=summary["gap_map"]["codes"],
        gap_scale=[charts.gap_color(k / 10)[0] for k in range(11)],
        titles={c["code"]: c["title"] for c in criteria},
        filters={"registry": _options(trials, "registry"), "status": _options(trials, "status"),
                 "type": _options(trials, "type"), "cats": _options(trials, "cats"),
                 "countries": _options(trials, "countries")},
        shown=len(trials), total=summary["store"]["trials"], limit=limit,
        data=script_json({"codes": codes, "titles": [c["title"] for c in criteria], "trials": trials,
                          "strings": intern.table(), "labels": LABEL, "symbols": SYMBOL}),
        colors=COLORS, labels=LABEL, where=where or [])


def write(out_dir: Path, summary: dict[str, Any], profile: dict[str, Any], run: dict[str, Any],
          sample: list[dict[str, Any]], limit: int = DEFAULT_LIMIT, where: list[str] | None = None) -> Path:
    target = out_dir / "report.html"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(render(summary, profile, run, sample, limit, where), encoding="utf-8")
    tmp.replace(target)
    return target
