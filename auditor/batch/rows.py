"""One record's verdict as table rows (records + findings), in the columns of `auditor.batch.columns`.

Built from the same `pipeline.verdict` as a `check` report, without building one; the worker
cuts the rows into Arrow chunks.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any, cast

import msgspec
import orjson
import pyarrow as pa

from auditor.batch.columns import CATEGORIES, FINDING_COLUMNS, KEY_FACTS
from auditor.engine.profiles import Profile
from auditor.facts import Evidence, lookup
from auditor.identity import record_ids, registry_url
from auditor.model import Text, content_json
from auditor.pipeline import Verdict

# Longer evidence quotes (whole eligibility sections) add nothing to a table cell.
MAX_QUOTE = 2000
FINDING_ORDER = tuple(c.name for c in FINDING_COLUMNS if c.name != "run_id")


_CATEGORY_NAMES = tuple((c, f"category_{c}") for c in CATEGORIES)
# The key facts' paths cut into keys once (lookup splits a path on every call: 19 per record).
_KEY_FACT_KEYS = tuple((col, tuple(path.split(".")), sql) for col, path, sql, _ in KEY_FACTS)


def _fact(facts: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """`lookup(facts, path)` for a path already cut into keys."""
    node: Any = facts
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def coerce(value: Any, sql: str) -> Any:
    """Fit an extracted value to its column type, so one odd value cannot fail a whole chunk."""
    if value is None:
        return None
    try:
        if sql in ("BIGINT", "INTEGER"):
            number = None if isinstance(value, bool) else int(value)
            bound = 1 << (63 if sql == "BIGINT" else 31)
            return number if number is None or -bound <= number < bound else None  # 1e30 fits no column
        if sql == "DOUBLE":
            real = None if isinstance(value, bool) else float(value)
            return real if real is None or math.isfinite(real) else None  # NaN/inf: no value, not a chunk failure
        if sql == "BOOLEAN":
            return value if isinstance(value, bool) else None
        if sql == "VARCHAR[]":
            return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    except (TypeError, ValueError, OverflowError):
        return None
    return str(value)


def table(rows: list[dict[str, Any]] | list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    """Rows as dicts, or as tuples in the schema's column order (the findings: 22 per record)."""
    if isinstance(rows[0], tuple):
        columns = list(zip(*rows))
        return pa.Table.from_arrays([pa.array(col, type=f.type) for col, f in zip(columns, schema)], schema=schema)
    # Column lists first: ~10x faster than Table.from_pylist on these wide rows.
    return pa.Table.from_pydict({name: [row.get(name) for row in rows] for name in schema.names}, schema=schema)


def _values(texts: list[Text]) -> list[str]:
    return list(dict.fromkeys(t.value for t in texts))


def _one(text: Text | None) -> str | None:
    return text.value if text else None


def rows(v: Verdict, profile: Profile, blob_id: str, file_hash: str | None) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """The record's row and its findings' rows (built before anything is appended, so a failure
    leaves no half-recorded record)."""
    record, sheet = v.record, v.sheet
    found, counts = v.judgement
    src = record.source
    title = record.title or record.official_title
    criteria = profile.criteria
    ids = record_ids(record.trial_id, record.secondary_ids)
    start = record.dates.start_parsed
    # Null categories (arms not described) leave every category column null: unknown, not "absent".
    listed = lookup(sheet.facts, "treatment.intervention_categories")
    categories = None if listed is None else set(listed)
    row: dict[str, Any] = {
        "blob_id": blob_id, "source_path": src.path, "source_index": src.index, "format": src.format,
        "registry": record.registry, "trial_id": record.trial_id, "secondary_ids": record.secondary_ids,
        "ids": ids, "last_update": record.dates.last_update_parsed, "title": title.value if title else None,
        "overall_status": _one(record.status), "study_type": _one(record.design.study_type),
        "phases": _values(record.design.phases), "conditions": _values(record.conditions),
        "intervention_names": _values([i.name for i in record.interventions if i.name]),
        "intervention_types": _values([i.type for i in record.interventions if i.type]),
        "sponsor": _one(record.sponsor), "countries": _values(record.countries),
        "start_date": start, "start_year": start.year if start else None,
        "registration_date": record.dates.registered_parsed,
        "completion_date": _one(record.dates.completion), "registry_url": registry_url(ids[0] if ids else None),
        **{col: coerce(_fact(sheet.facts, keys), sql) for col, keys, sql in _KEY_FACT_KEYS},
        **{name: None if categories is None else c in categories for c, name in _CATEGORY_NAMES},
        **cast("dict[str, int]", counts),  # Status keys are column names
        **{c.code: a.status for c, a in zip(criteria, found)},
        "corrected": bool(v.applied),
        "corrections": orjson.dumps([a.as_dict() for a in v.applied]).decode() if v.applied else None,
        "facts_json": orjson.dumps(sheet.facts, option=orjson.OPT_NON_STR_KEYS).decode(),
        # Identity of the record's content wherever it sits: finds the same study in two exports.
        # The reader's digest of the source object where it has one (~3x cheaper than
        # serialising the record), else the normalised record.
        "content_hash": src.digest or digest(content_json(record)),
        "file_hash": file_hash,
    }
    original = v.original_statuses
    set_by_reviewer = {a.correction.key for a in v.applied if a.correction.kind == "status"}
    findings = []
    quoted: dict[int, dict[str, Any]] = {}  # one cell's form of each Evidence: criteria share them
    cells: dict[tuple[int, ...], str] = {}  # and whole evidence lists (FU01 and FU02 read the same facts)
    for i, (c, a) in enumerate(zip(criteria, found)):
        changed = c.code in set_by_reviewer or (original is not None and original[i] != a.status)
        if a.evidence:
            held = tuple(map(id, a.evidence))  # the Evidence objects live as long as the record's sheet
            if (cell := cells.get(held)) is None:
                cell = cells[held] = orjson.dumps([_quoted(e, quoted) for e in a.evidence]).decode()
        else:
            cell = "[]"
        findings.append((blob_id, src.path, src.index, record.trial_id, c.code, c.name, c.group, c.severity,
                         a.status, a.message, a.fix, cell,
                         changed, original[i] if changed and original is not None else None))
    return row, findings


def _quoted(e: Evidence, seen: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Evidence's fields that are not None, the quote cut to MAX_QUOTE."""
    if (cell := seen.get(id(e))) is None:
        # astuple: the fields in one C call, in declaration order (as __struct_fields__ names them)
        cell = seen[id(e)] = {k: val for k, val in zip(_EVIDENCE_FIELDS, msgspec.structs.astuple(e)) if val is not None}
        cell["quote"] = cell["quote"][:MAX_QUOTE]
    return cell


_EVIDENCE_FIELDS = Evidence.__struct_fields__
