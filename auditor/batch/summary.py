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

from auditor.batch.trials import register_sql
from auditor.report.labels import category, criterion_title
from auditor.vocabulary import STATUSES, applicable

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
        # One group per register, as the headline counts them; each group lists its sources.
        "registry": (f"coalesce({_register_sql()}, 'unknown')", None),
        "start_year": (f"coalesce(CAST(start_year AS VARCHAR), '{UNKNOWN}')", None),
        "enrollment_band": (band, band_labels),
        # A trial with two categories counts in both rows: categories are not exclusive. Null (the arms
        # are not described) is not known, unlike [] (described, no category recognised): its own row.
        "intervention_category": (f"unnest(CASE WHEN intervention_categories IS NULL THEN ['{UNKNOWN}'] "
                                  "WHEN len(intervention_categories) = 0 THEN ['none'] ELSE intervention_categories END)",
                                  None),
    }


def _register_sql() -> str:
    # The summary is also rendered from stores whose `trials` view predates its `register` column.
    return register_sql("registry")


def _register_sources(con: duckdb.DuckDBPyConnection, groups: list[dict[str, Any]], source: str) -> None:
    """Give each register group of the registry breakdown its `sources`: where its trials were read
    ("ClinicalTrials.gov" itself, or "ICTRP"), with the registry column's value and the trials of each."""
    rows = con.execute(f"SELECT coalesce({_register_sql()}, 'unknown') AS g, registry, count(*) AS n FROM {source} "
                       "GROUP BY ALL ORDER BY n DESC, registry").fetchall()
    by_group: dict[str, list[dict[str, Any]]] = {}
    for group, registry, n in rows:
        name = "ICTRP" if registry and registry.startswith("ICTRP:") else (registry or UNKNOWN)
        by_group.setdefault(str(group), []).append({"source": name, "registry": registry, "trials": int(n)})
    for row in groups:
        row["sources"] = by_group.get(row["group"], [])


def _status_counts() -> dict[str, int]:
    return dict.fromkeys(STATUSES, 0)


def _by_group(con: duckdb.DuckDBPyConnection, expr: str, codes: tuple[str, ...],
              source: str = "trials") -> dict[str, dict[str, Any]]:
    """{group label: {"trials": n, "criteria": {code: {status: n}}}} for one breakdown expression."""
    groups: dict[str, dict[str, Any]] = {}
    for label, n in con.execute(f"SELECT g, count(*) FROM (SELECT {expr} AS g FROM {source}) GROUP BY g").fetchall():
        groups[str(label)] = {"trials": int(n), "criteria": {c: _status_counts() for c in codes}}
    if not codes:
        return groups
    cols = ", ".join(_quote(c) for c in codes)
    rows = con.execute(f"""
        SELECT g, code, status, count(*) FROM (
            UNPIVOT (SELECT {expr} AS g, {cols} FROM {source}) ON {cols} INTO NAME code VALUE status)
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
        keys = sorted(groups, key=lambda k: (k == UNKNOWN, -groups[k]["trials"], k))
    return [{"group": k, **groups[k]} for k in keys]


def _histogram(con: duckdb.DuckDBPyConnection, column: str, edges: tuple[int, ...], unit: str,
               source: str = "trials") -> list[dict[str, Any]]:
    expr, labels = bins(column, edges, unit)
    counts = dict(con.execute(f"SELECT {expr} AS b, count(*) FROM {source} GROUP BY b").fetchall())
    return [{"bin": label, "count": int(counts.get(label, 0))} for label in labels]


def compute(con: duckdb.DuckDBPyConnection, criteria: list[dict[str, str]],
            gap_map: tuple[str, ...] | list[str] = (), source: str = "trials") -> dict[str, Any]:
    """The summary document (summary.json) of everything in the store. `gap_map`: the profile's
    evidence-gap-map codes (its research priorities); codes the run does not check are left out of
    the map and listed as missing rather than shown empty. `source`: the trials, or a subgroup of
    them (`trial-audit report --where`)."""
    codes = tuple(c["code"] for c in criteria)
    (trials, records, conflicting) = con.execute(  # type: ignore[misc]
        f"SELECT (SELECT count(*) FROM {source}), (SELECT sum(copies) FROM {source}), "
        f"(SELECT count(DISTINCT trial_key) FROM conflicts WHERE trial_key IN (SELECT trial_key FROM {source}))").fetchone()
    (errors,) = con.execute("SELECT count(*) FROM errors").fetchone()  # type: ignore[misc]
    overall = _by_group(con, "'all'", codes, source).get("all", {"criteria": {c: _status_counts() for c in codes}})
    dims = _dimensions()
    breakdowns = {name: _ordered(_by_group(con, expr, codes, source), order, numeric=name == "start_year")
                  for name, (expr, order) in dims.items()}
    _register_sources(con, breakdowns["registry"], source)
    gap_codes = [c for c in gap_map if c in codes]
    (registries, first, last, undated) = con.execute(  # type: ignore[misc]
        f"SELECT count(DISTINCT {_register_sql()}), min(start_year), max(start_year), count(*) FILTER (start_year IS NULL) "
        f"FROM {source}").fetchone()
    return {
        # Counts are of trials: copies of one trial (shared registry ids) are merged into one.
        "store": {"trials": int(trials), "records": int(records or 0), "copies_merged": int(records or 0) - int(trials),
                  "trials_with_conflicts": int(conflicting), "errors": int(errors), "registries": int(registries),
                  "start_years": {"first": first, "last": last, "unknown": int(undated)}},
        "criteria": [_criterion(c, overall["criteria"][c["code"]]) for c in criteria],
        "breakdowns": breakdowns,
        "gap_map": {
            "codes": gap_codes,
            "missing_codes": [c for c in gap_map if c not in codes],
            "rows": [{"category": row["group"], "name": category(row["group"]), "trials": row["trials"],
                      "cells": {c: row["criteria"][c] for c in gap_codes}}
                     for row in breakdowns["intervention_category"]],
        },
        "distributions": {
            "enrollment": _histogram(con, "enrollment", ENROLLMENT_EDGES, "", source),
            "follow_up_after_treatment_weeks": _histogram(con, "follow_up_after_treatment_weeks", FOLLOW_UP_EDGES,
                                                          " wk", source),
        },
    }


def _criterion(crit: dict[str, str], counts: dict[str, int]) -> dict[str, Any]:
    """A criterion's counts over trials, the trials it applies to, its title in words and its group."""
    name = crit.get("name", "")
    return {**crit, "title": criterion_title(crit), "group": crit.get("group") or name.split(".", 1)[0],
            **counts, "applicable": applicable(counts)}


def sample(con: duckdb.DuckDBPyConnection, codes: list[str], limit: int, source: str = "trials") -> list[dict[str, Any]]:
    """Up to `limit` trials with their findings, for report.html's table: hash order spreads the
    sample over the inputs and keeps it stable; rows come back in source order."""
    status_cols = "".join(f", {_quote(c)}" for c in codes)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _sample AS
        SELECT trial_key, copies, blob_id, source_path, source_index, trial_id, title, registry, registry_url,
               overall_status, study_type, sponsor, countries, start_year, enrollment,
               follow_up_after_treatment_weeks, intervention_categories, met, not_met, unclear{status_cols}
        FROM {source} ORDER BY hash(trial_key), trial_key LIMIT {int(limit)}""")
    trials: dict[str, dict[str, Any]] = {}
    cols = [d[0] for d in con.execute("SELECT * FROM _sample").description]
    for values in con.execute("SELECT * FROM _sample ORDER BY source_path, source_index, trial_key").fetchall():
        row = dict(zip(cols, values, strict=True))
        row["statuses"] = [row.pop(c) for c in codes]
        row["findings"] = []
        trials[row["trial_key"]] = row
    found = con.execute("""SELECT s.trial_key, f.code, f.name, f.status, f.severity, f.message, f.fix, f.evidence
        FROM findings f JOIN _sample s USING (blob_id, source_index) ORDER BY f.code""").fetchall()
    for key, code, name, status, severity, message, fix, evidence in found:
        trials[key]["findings"].append({"code": code, "name": name, "status": status, "severity": severity,
                                                  "message": message, "fix": fix,
                                                  "evidence": orjson.loads(evidence or "[]")})
    con.execute("DROP TABLE _sample")
    return list(trials.values())
