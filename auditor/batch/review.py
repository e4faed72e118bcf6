"""What a reviewer does with a finished store, without re-auditing: render summary.json and
report.html (for all trials or a subgroup, `trial-audit report DIR --where ...`), write a
corrections template listing the unclear findings (`trial-audit corrections template DIR`), and
the checks `batch` makes of a finished run for its console: how many records the last run held, and
which corrections reach only copies that do not represent their trial."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import orjson

from auditor.batch import summary
from auditor.batch.store import DB_NAME, open_problem
from auditor.batch.trials import register_sql
from auditor.errors import InputError
from auditor.report import figures, html, safe

if TYPE_CHECKING:
    from auditor.corrections import Corrections

SUMMARY = "summary.json"
UNNAMED = "record:"  # the trial_key of a record without any registry id (auditor.batch.trials)


def write(out_dir: Path, con: duckdb.DuckDBPyConnection, head: dict[str, Any], criteria: list[dict[str, str]],
          gap_map: list[str] | tuple[str, ...], html_limit: int, source: str = "trials") -> tuple[dict[str, Any], list[Path]]:
    """summary.json and report.html of the trials in `source`; `head`: the profile and run the
    document starts with (and, for a subgroup, its filters)."""
    doc = summary.compute(con, criteria, gap_map, source)
    full = {**head, **doc}
    target = out_dir / SUMMARY
    target.write_bytes(orjson.dumps(full, option=orjson.OPT_INDENT_2))
    rows = summary.sample(con, [c["code"] for c in criteria], html_limit, source)
    page = html.write(out_dir, doc, head["profile"], head["run"], rows, html_limit, head.get("where"))
    return full, [target, page, *figures.write(out_dir, doc)]


def _open(store_dir: Path) -> tuple[duckdb.DuckDBPyConnection, dict[str, Any]]:
    db, doc = store_dir / DB_NAME, store_dir / SUMMARY
    if not db.is_file() or not doc.is_file():
        raise InputError(str(store_dir), "not a results folder of a completed `trial-audit batch` run")
    try:
        # `report --where` runs the reviewer's SQL: it may read the store, never other files.
        con = duckdb.connect(str(db), read_only=True, config={"enable_external_access": False})
    except duckdb.Error as exc:
        raise InputError(str(db), open_problem(exc)) from None
    return con, orjson.loads(doc.read_bytes())


def report(store_dir: Path, to_dir: Path, where: list[str], html_limit: int) -> dict[str, Any]:
    """Re-render from the store; `where`: SQL conditions over the `trials` view's columns (the
    screening columns, key facts, statuses; facts_json for any other fact), all of which must hold."""
    con, last = _open(store_dir)
    try:
        condition = " AND ".join(f"({w})" for w in where) or "true"
        try:
            # A store written before the `register` column gets it here, so the README's condition works.
            columns = {row[0] for row in con.execute("SELECT column_name FROM (DESCRIBE trials)").fetchall()}
            register = "" if "register" in columns else f", {register_sql()} AS register"
            con.execute(f"CREATE TEMP VIEW subgroup AS SELECT * FROM (SELECT *{register} FROM trials) WHERE {condition}")
            con.execute("SELECT count(*) FROM subgroup").fetchone()
        except duckdb.Error as exc:
            raise InputError("--where", str(exc).splitlines()[0] + _column_hint(con, str(exc))) from None
        criteria = [{k: c[k] for k in ("code", "name", "severity")} for c in last["criteria"]]
        gap_map = last["gap_map"]["codes"] + last["gap_map"]["missing_codes"]
        head = {"profile": last["profile"], "run": last["run"], "where": where}
        to_dir.mkdir(parents=True, exist_ok=True)
        doc, _ = write(to_dir, con, head, criteria, gap_map, html_limit, "subgroup")
        return doc
    finally:
        con.close()


def _column_hint(con: duckdb.DuckDBPyConnection, error: str) -> str:
    """For a misspelt column, the closest columns of the `trials` view (there are dozens)."""
    import difflib
    import re

    missing = re.search(r'column "([^"]+)" not found', error)
    if not missing:
        return ""
    columns = [row[0] for row in con.execute("SELECT column_name FROM (DESCRIBE trials)").fetchall()]
    close = difflib.get_close_matches(missing.group(1), columns, n=3, cutoff=0.5)
    shown = close or columns[:12]
    return (f"; did you mean {', '.join(shown)}?" if close
            else f"; columns include {', '.join(shown)}, ... (the whole list: `DESCRIBE trials` in audit.duckdb)")


def corrections_template(store_dir: Path) -> str:
    """A corrections.yaml listing every unclear finding of the trials, each entry commented out."""
    con, last = _open(store_dir)
    try:
        rows = con.execute("""SELECT t.trial_key, t.title, f.code, f.name, f.message FROM trial_findings f
            JOIN trials t USING (trial_key) WHERE f.status = 'unclear' ORDER BY t.trial_key, f.code""").fetchall()
    finally:
        con.close()
    lines = [f"# Corrections for {_comment(str(store_dir))} (profile {_comment(last['profile']['id'])}, run {last['run']['run_id']}):",
             "# the unclear findings. Uncomment an entry, set value (met / not_met / not_applicable),",
             "# give the reason and your initials; facts can be corrected too, e.g.",
             "#   facts:",
             "#     treatment.duration_weeks: {value: 8, reason: \"per the protocol paper\", by: EH}",
             "# Use it with: trial-audit batch ... --corrections corrections.yaml", ""]
    current = None
    for key, title, code, name, message in rows:
        # A record that states no registry id is keyed by its position (trials.py): no corrections
        # entry can name it, so its unclear findings are listed as comments only.
        unnamed = key.startswith(UNNAMED)
        if key != current:
            current = key
            lines += [""] + ([f"# {_comment(key)}: {_comment(title)}", "# (states no registry id, so no corrections entry can name it: "
                              "add the id to the record to correct it here)"] if unnamed else
                             [f"{safe.json_document(orjson.dumps(key).decode())}:  # {_comment(title)}", "  status:"])
        lines += [f"#   {code} {name}: {_comment(message)}" if unnamed else
                  f"    # {code}: {{value: met, reason: \"\", by: \"\"}}  # {name}: {_comment(message)}"]
    return "\n".join(lines) + "\n"


def _comment(text: str | None) -> str:
    """Registry text (or a folder name) inside a YAML comment: one printable line (YAML refuses
    control characters anywhere in the stream, and a line break would end the comment)."""
    return " ".join(safe.line(text or "").split())[:160]


def stored_records(out_dir: Path) -> int | None:
    """The records of the last completed run, from its summary.json (None without one)."""
    try:
        return int(orjson.loads((out_dir / SUMMARY).read_bytes())["store"]["records"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def misplaced_corrections(out_dir: Path, corrections: Corrections) -> tuple[list[str], list[str]]:
    """(errors, notes) about what the corrections reached (a correction reaches the records that state
    its id, not every copy: auditor/corrections.py says why). Errors: an id that only copies not
    representing their trial state (an ICTRP copy's secondary id, say): applied to those copies, it
    leaves the trial's row, the summary and the report as extracted, so the reviewer is told the id to
    key it by. Notes: an id the trial's own record states but some of its copies do not: the trial is
    corrected, those copies keep their extracted values (and their rows in `conflicts`)."""
    lines: dict[str, int] = {}
    for c in corrections.items:
        lines.setdefault(c.trial, c.trial_line or c.line)
    if not lines:
        return [], []
    with duckdb.connect(str(out_dir / DB_NAME), read_only=True) as con:
        rows = con.execute("""SELECT k.id, l.trial_key, bool_or(l.preferred), count(*), any_value(l.copies)
            FROM (SELECT unnest(?::VARCHAR[]) AS id) k
            JOIN records r ON list_contains(r.ids, k.id) JOIN links l USING (blob_id, source_index)
            GROUP BY k.id, l.trial_key ORDER BY k.id, l.trial_key""", [list(lines)]).fetchall()
    where = corrections.origin
    errors = [f"{where}:{lines[ident]}: {ident} is stated only by copies that do not represent trial {key}: those "
              f"copies were corrected, the trial's row, summary and report were not; key the entry by {key}"
              for ident, key, preferred, _, _ in rows if not preferred]
    notes = [f"{where}:{lines[ident]}: {ident} reaches {stated} of the {copies} copies of trial {key} (the others do "
             "not state it): the trial's row, summary and report are corrected, the other copies keep their "
             "extracted values and show in conflicts" for ident, key, preferred, stated, copies in rows
             if preferred and stated < copies]
    return errors, notes
