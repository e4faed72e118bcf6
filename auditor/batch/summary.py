"""Aggregates over the results store: compliance per criterion, broken down by registry, start year,
enrollment band and intervention category, the review's evidence-gap map, and distributions.

Everything is computed in DuckDB over the `trials` table, so a summary of 100,000 trials costs
a few group-bys, never a Python loop over trials.
"""

from __future__ import annotations

import itertools
from typing import Any

import duckdb
import orjson

from auditor.vocabulary import STATUSES

ENROLLMENT_EDGES = (10, 25, 50, 100, 200, 500, 1000)
FOLLOW_UP_EDGES = (4, 12, 26, 52, 104)
BAND_EDGES = (50, 100, 200, 500)
UNKNOWN = "unknown"


def bins(column: str, edges: tuple[int, ...], unit: str = "") -> tuple[str, list[str]]:
    """A SQL CASE that labels `column` by the half-open intervals between `edges`, and the labels in order."""
    labels = [f"<{edges[0]}{unit}"] + [f"{lo}–{hi - 1}{unit}" for lo, hi in itertools.pairwise(edges)] + [f"≥{edges[-1]}{unit}"]
    whens = " ".join(f"WHEN {column} < {edge} THEN '{label}'" for edge, label in zip(edges, labels))
    return f"CASE WHEN {column} IS NULL THEN '{UNKNOWN}' {whens} ELSE '{labels[-1]}' END", labels + [UNKNOWN]


def _quote(code: str) -> str:
    return '"' + code.replace('"', '""') + '"'


def _dimensions() -> dict[str, tuple[str, list[str] | None]]:
    """Breakdown name -> (SQL expression per trial, fixed label order or None for by-count)."""
    band, band_labels = bins("enrollment", BAND_EDGES)
    return {
        "registry": ("coalesce(registry, 'unknown')", None),
        "start_year": (f"coalesce(CAST(start_year AS VARCHAR), '{UNKNOWN}')", None),
        "enrollment_band": (band, band_labels),
        # A trial with two categories counts in both rows: categories are not exclusive.
        "intervention_category": ("unnest(CASE WHEN coalesce(len(intervention_categories), 0) = 0 "
                                  "THEN ['none'] ELSE intervention_categories END)", None),
    }


def _status_counts() -> dict[str, int]:
    return dict.fromkeys(STATUSES, 0)


def _by_group(con: duckdb.DuckDBPyConnection, expr: str, codes: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """{group label: {"trials": n, "criteria": {code: {status: n}}}} for one breakdown expression."""
    groups: dict[str, dict[str, Any]] = {}
    for label, n in con.execute(f"SELECT g, count(*) FROM (SELECT {expr} AS g FROM trials) GROUP BY g").fetchall():
        groups[str(label)] = {"trials": int(n), "criteria": {c: _status_counts() for c in codes}}
    if not codes:
        return groups
    cols = ", ".join(_quote(c) for c in codes)
    rows = con.execute(f"""
        SELECT g, code, status, count(*) FROM (
            UNPIVOT (SELECT {expr} AS g, {cols} FROM trials) ON {cols} INTO NAME code VALUE status)
        GROUP BY ALL""").fetchall()
    for label, code, status, n in rows:
        if status in STATUSES:
            groups[str(label)]["criteria"][code][status] = int(n)
    return groups


def _ordered(groups: dict[str, dict[str, Any]], order: list[str] | None, numeric: bool = False) -> list[dict[str, Any]]:
    if order is not None:
        keys = [k for k in order if k in groups]
    elif numeric:
        keys = sorted(groups, key=lambda k: (k == UNKNOWN, k))
    else:
        keys = sorted(groups, key=lambda k: (-groups[k]["trials"], k))
    return [{"group": k, **groups[k]} for k in keys]


def _histogram(con: duckdb.DuckDBPyConnection, column: str, edges: tuple[int, ...], unit: str) -> list[dict[str, Any]]:
    expr, labels = bins(column, edges, unit)
    counts = dict(con.execute(f"SELECT {expr} AS b, count(*) FROM trials GROUP BY b").fetchall())
    return [{"bin": label, "count": int(counts.get(label, 0))} for label in labels]


def compute(con: duckdb.DuckDBPyConnection, criteria: list[dict[str, str]],
            gap_map: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
    """The summary document (summary.json) of everything in the store. `gap_map`: the profile's
    evidence-gap-map codes (its research priorities); codes the run does not check are left out of
    the map and listed as missing rather than shown empty."""
    codes = tuple(c["code"] for c in criteria)
    (trials,) = con.execute("SELECT count(*) FROM trials").fetchone()  # type: ignore[misc]
    (errors,) = con.execute("SELECT count(*) FROM errors").fetchone()  # type: ignore[misc]
    overall = _by_group(con, "'all'", codes).get("all", {"criteria": {c: _status_counts() for c in codes}})
    dims = _dimensions()
    breakdowns = {name: _ordered(_by_group(con, expr, codes), order, numeric=name == "start_year")
                  for name, (expr, order) in dims.items()}
    gap_codes = [c for c in gap_map if c in codes]
    return {
        "store": {"trials": int(trials), "errors": int(errors)},
        "criteria": [{**c, **overall["criteria"][c["code"]]} for c in criteria],
        "breakdowns": breakdowns,
        "gap_map": {
            "codes": gap_codes,
            "missing_codes": [c for c in gap_map if c not in codes],
            "rows": [{"category": row["group"], "trials": row["trials"],
                      "cells": {c: row["criteria"][c] for c in gap_codes}}
                     for row in breakdowns["intervention_category"]],
        },
        "distributions": {
            "enrollment": _histogram(con, "enrollment", ENROLLMENT_EDGES, ""),
            "follow_up_after_treatment_weeks": _histogram(con, "follow_up_after_treatment_weeks", FOLLOW_UP_EDGES, " wk"),
        },
    }


def sample(con: duckdb.DuckDBPyConnection, codes: list[str], limit: int) -> list[dict[str, Any]]:
    """Up to `limit` trials with their findings, for report.html's table: hash order spreads the
    sample over the inputs and keeps it stable; rows come back in source order."""
    status_cols = "".join(f", {_quote(c)}" for c in codes)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _sample AS
        SELECT source_path, source_index, trial_id, title, registry, start_year, enrollment,
               follow_up_after_treatment_weeks, intervention_categories, met, not_met, unclear{status_cols}
        FROM trials ORDER BY hash(source_path, source_index), source_path, source_index LIMIT {int(limit)}""")
    trials: dict[tuple[str, int], dict[str, Any]] = {}
    cols = [d[0] for d in con.execute("SELECT * FROM _sample").description]
    for values in con.execute("SELECT * FROM _sample ORDER BY source_path, source_index").fetchall():
        row = dict(zip(cols, values, strict=True))
        row["statuses"] = [row.pop(c) for c in codes]
        row["findings"] = []
        trials[(row["source_path"], row["source_index"])] = row
    found = con.execute("""SELECT f.source_path, f.source_index, f.code, f.status, f.severity, f.message, f.fix, f.evidence
        FROM findings f JOIN _sample s USING (source_path, source_index) ORDER BY f.code""").fetchall()
    for path, index, code, status, severity, message, fix, evidence in found:
        trials[(path, index)]["findings"].append({"code": code, "status": status, "severity": severity,
                                                  "message": message, "fix": fix,
                                                  "evidence": orjson.loads(evidence or "[]")})
    con.execute("DROP TABLE _sample")
    return list(trials.values())
