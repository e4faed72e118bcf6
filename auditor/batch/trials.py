"""Records -> trials: link the copies of one trial, pick the record that represents it, list where
copies disagree.

Linking: records that share a canonical registry id (`records.ids`, from `auditor.identity`) are one
trial, transitively (an ICTRP copy naming `NCT01234567` among its secondary ids joins the
ClinicalTrials.gov record of that id, and whatever else shares an id with either).

The preferred record (the one `trials` shows), first rule that decides:
1. the registry's own record before an aggregator's copy: registry formats (ctgov-v2, ctgov-xml,
   ctgov-classic, protocol files, EU CTR / CTIS / ISRCTN readers) before WHO ICTRP exports
   (ictrp-xml, ictrp-csv), and those before a review team's spreadsheet;
2. the most recently updated (`records.last_update`; a record without a date comes last);
3. then, so that equal inputs always give the same choice: source path, position, blob id.

`trial_key` is the preferred record's primary canonical id (records without any id are a trial of
their own, keyed `record:<blob_id>:<index>`). Everything here runs in the parent after a completed run.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa

from auditor.batch.columns import (
    CONFLICT_COLUMNS,
    KEY_FACTS,
    LINK_COLUMNS,
    Columns,
    arrow_schema,
)
from auditor.identity import OWN_READER_NAMES

# Copies made by someone other than the registry rank after its own record: ICTRP and ctrdata re-distribute
# registry records, a spreadsheet is a review team's extraction.
AGGREGATOR_RANK = {"ictrp-xml": 1, "ictrp-csv": 1, "ctrdata": 1, "ctrdata-db": 1, "spreadsheet": 2}
SCREENING_COMPARED = ("overall_status", "study_type", "start_date", "completion_date", "sponsor")
# Copies that say the same thing in their registries' own forms do not conflict: "Active, not
# recruiting" = "ACTIVE_NOT_RECRUITING" (case and punctuation aside), "September 2025" = "2025-09"
# (dates compared by month, the precision registries share).
_DATES = ("start_date", "completion_date")
_DATE_FORMATS = "['%Y-%m-%d', '%Y-%m', '%B %Y', '%B %d, %Y', '%d %B %Y', '%d/%m/%Y', '%Y/%m/%d']"
_COMPARED_AS = (f"CASE WHEN field IN {_DATES!r} THEN coalesce(strftime(try_strptime(value, {_DATE_FORMATS}), '%Y-%m'), value) "
                f"WHEN field IN {tuple(c for c in SCREENING_COMPARED if c not in _DATES)!r} "
                "THEN lower(regexp_replace(value, '[^A-Za-z0-9]+', '', 'g')) ELSE value END")
_VIEWS = ("trials", "trial_findings")


def register_sql(column: str = "registry") -> str:
    """The register a `registry` value names, one name per register: ICTRP's copy of a
    ClinicalTrials.gov record ("ICTRP:ClinicalTrials.gov") is from the same register as the registry's
    own record ("ClinicalTrials.gov"). The `trials` view's `register` column and the summary's registry
    groups are this expression, so `--where "register = '...'"` selects a group's trials."""
    inner = f"substr({column}, 7)"
    names = " ".join(f"WHEN {inner} = '{long}' THEN '{short}'" for long, short in OWN_READER_NAMES.items())
    return f"CASE WHEN {column} LIKE 'ICTRP:%' THEN (CASE {names} ELSE {inner} END) ELSE {column} END"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create(con: duckdb.DuckDBPyConnection, record_cols: Columns, codes: tuple[str, ...]) -> None:
    """The links and conflicts tables and the trials / trial_findings views (inside a transaction)."""
    for name, cols in (("links", LINK_COLUMNS), ("conflicts", CONFLICT_COLUMNS)):
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} (" + ", ".join(f'"{c.name}" {c.sql}' for c in cols) + ")")
    con.execute("""CREATE OR REPLACE VIEW trials AS
        SELECT l.trial_key, l.copies, l.linked_ids, """ + register_sql("r.registry") + """ AS register, r.*
        FROM records r JOIN links l USING (blob_id, source_index)
        WHERE l.preferred""")
    con.execute("""CREATE OR REPLACE VIEW trial_findings AS
        SELECT l.trial_key, f.* FROM findings f JOIN links l USING (blob_id, source_index) WHERE l.preferred""")


def drop(con: duckdb.DuckDBPyConnection) -> None:
    views = {v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    for name in _VIEWS:
        if name in views:
            con.execute(f"DROP VIEW {name}")
    for name in ("links", "conflicts"):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def _rank(fmt: str | None, updated: date | None, path: str, index: int, blob: str) -> tuple[object, ...]:
    return (AGGREGATOR_RANK.get(fmt or "", 0), -(updated.toordinal() if updated else 0), path, index, blob)


def link(con: duckdb.DuckDBPyConnection, record_cols: Columns, codes: tuple[str, ...]) -> None:
    """Recompute links and conflicts from the records (inside the caller's transaction)."""
    rows = con.execute("SELECT blob_id, source_index, ids, format, last_update, source_path FROM records").fetchall()
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, (_, _, ids, *_rest) in enumerate(rows):
        for canonical in ids or ():
            j = first.setdefault(canonical, i)
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(find(i), []).append(i)
    out: dict[str, list[object]] = {c.name: [] for c in LINK_COLUMNS}
    for members in groups.values():
        best = min(members, key=lambda i: _rank(rows[i][3], rows[i][4], rows[i][5], rows[i][1], rows[i][0]))
        blob, index, ids = rows[best][0], rows[best][1], rows[best][2]
        key = ids[0] if ids else f"record:{blob}:{index}"
        linked = sorted({c for i in members for c in rows[i][2] or ()})
        for i in members:
            for name, value in zip(out, (rows[i][0], rows[i][1], key, i == best, len(members), linked), strict=True):
                out[name].append(value)
    con.execute("DELETE FROM links")
    if rows:
        con.register("_links", pa.table(out, schema=arrow_schema(LINK_COLUMNS)))
        con.execute("INSERT INTO links BY NAME SELECT * FROM _links")
        con.unregister("_links")
    _conflicts(con, record_cols, codes)


def _conflicts(con: duckdb.DuckDBPyConnection, record_cols: Columns, codes: tuple[str, ...]) -> None:
    kinds = {**{col: "fact" for col, *_ in KEY_FACTS}, **dict.fromkeys(codes, "status"),
             **dict.fromkeys(SCREENING_COMPARED, "screening")}
    sql_type = {c.name: c.sql for c in record_cols}
    # Nulls become chr(0) before UNPIVOT (which drops nulls) and come back as nulls after it.
    cast = ", ".join(f"coalesce(array_to_string(r.{_quote(c)}, ';'), chr(0)) AS {_quote(c)}"
                     if sql_type[c] == "VARCHAR[]" else f"coalesce(CAST(r.{_quote(c)} AS VARCHAR), chr(0)) AS {_quote(c)}"
                     for c in kinds)
    on = ", ".join(_quote(c) for c in kinds)
    kind = "CASE " + " ".join(f"WHEN field = '{c}' THEN '{k}'" for c, k in kinds.items()) + " END"
    con.execute("DELETE FROM conflicts")
    con.execute(f"""INSERT INTO conflicts BY NAME
        WITH copies AS (
            SELECT l.trial_key, l.preferred, r.blob_id, r.source_path, r.source_index, r.format, {cast}
            FROM records r JOIN links l USING (blob_id, source_index) WHERE l.copies > 1),
        long AS (FROM (UNPIVOT copies ON {on} INTO NAME field VALUE value)),
        differ AS (SELECT trial_key, field FROM long GROUP BY ALL HAVING count(DISTINCT {_COMPARED_AS}) > 1)
        SELECT trial_key, field, {kind} AS kind, blob_id, source_path, source_index, format, preferred,
               nullif(value, chr(0)) AS value
        FROM long JOIN differ USING (trial_key, field)""")
