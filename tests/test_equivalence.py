"""The optimised per-record path gives, byte for byte, what the plain path gives (issue #16: "keep
every fact byte-identical").

On every real record (TRIAL_AUDIT_REAL_DATA, all formats), the canonical dump of what the batch
keeps of it (the record with each model's set fields, its facts and evidence, every criterion's
status, message, fix, facts and evidence, its records row and findings rows) is compared with the
dump of the plain path of tests/reference.py: every record checked against its declared types
(an int where a float is declared fails too), the ClinicalTrials.gov v2 studies mapped by the plain
JsonMapper, conditions checked by jsonschema,
every fact looked up again where it is read. No stored checksum: an optimisation that changes a
result fails here, naming the record.

Marker `equivalence` (CI runs it with the rest; a quick local run may skip it:
`pytest -m "not equivalence"`).
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest

from auditor.batch.rows import rows
from auditor.engine import profiles
from auditor.errors import InputError
from auditor.extract import derive
from auditor.model import SourceRef, TrialRecord, checked
from auditor.pipeline import Verdict, verdict
from auditor.sources import ctgov_v2, ctrdata, read_paths
from tests import reference
from tests.conftest import FIXTURES, REPO

pytestmark = pytest.mark.equivalence


def state(obj: Any) -> Any:
    """A Struct tree as plain data, with what equality does not compare: the type, the field order
    and each value's own type (1 and 1.0 differ here)."""
    if isinstance(obj, msgspec.Struct):
        names = obj.__struct_fields__
        return {"__model__": type(obj).__name__, "__order__": list(names), **{k: state(getattr(obj, k)) for k in names}}
    if isinstance(obj, (list, tuple)):
        return [state(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): state(v) for k, v in obj.items()}
    if isinstance(obj, (datetime.date, float)):
        return {type(obj).__name__: repr(obj)}
    return obj


def dump(item: TrialRecord | InputError, v: Verdict | None, profile: profiles.Profile) -> bytes:
    if v is None:
        assert isinstance(item, InputError)
        return orjson.dumps({"error": type(item).__name__, "origin": item.origin, "message": item.message,
                             "where": item.where, "line": item.line})
    record_row, finding_rows = rows(v, profile, "blob", "hash")
    doc = {"record": state(v.record), "facts": v.sheet.facts, "facts_state": state(v.sheet.facts),
           "evidence": state(v.sheet.evidence), "counts": v.judgement.counts,
           "findings": [[a.status, a.message, a.fix, state(a.values), state(a.evidence)] for a in v.judgement.assessments],
           "row": state(record_row), "finding_rows": state(finding_rows)}
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def real_inputs(real: Path) -> list[str]:
    return sorted(str(p) for p in real.rglob("*") if p.is_file() and not p.name.startswith("."))


def fast(paths: list[str], profile: profiles.Profile) -> list[bytes]:
    out = []
    for item in read_paths(paths):
        out.append(dump(item, verdict(item, profile) if isinstance(item, TrialRecord) else None, profile))
    return out


def typed(record: TrialRecord) -> None:
    """Every value of the record has its declared type exactly: checked (model.checked) and the
    same after a conversion to the declared types (which would make an int a float)."""
    again = msgspec.convert(msgspec.to_builtins(checked(record), builtin_types=(datetime.date,)), TrialRecord)
    assert state(again) == state(record), record.label


def plain(paths: list[str], profile: profiles.Profile) -> list[bytes]:
    checked = reference.plain_profile(profile)
    out = []
    with reference.validated():
        for item in read_paths(paths):
            if isinstance(item, TrialRecord):
                typed(item)
                sheet = derive(item)
                out.append(dump(item, Verdict(item, sheet, reference.judge(sheet, checked)), profile))
            else:
                out.append(dump(item, None, profile))
    return out


def _differences(a: list[bytes], b: list[bytes]) -> list[str]:
    assert len(a) == len(b), f"{len(a)} items on the optimised path, {len(b)} on the plain path"
    found = []
    for x, y in zip(a, b):
        if x != y:
            doc = orjson.loads(x)
            who = doc.get("record", {}).get("trial_id") or doc.get("origin")
            keys = sorted(k for k, v in doc.items() if orjson.loads(y).get(k) != v) if "record" in doc else ["error"]
            found.append(f"{who}: {', '.join(keys)}")
    return found


@pytest.mark.parametrize("profile_id", profiles.bundled_ids())
def test_every_real_record_dumps_the_same_on_both_paths(real_data: Path, profile_id: str) -> None:
    profile = profiles.load(profile_id)
    paths = real_inputs(real_data)
    optimised, simple = fast(paths, profile), plain(paths, profile)
    assert sum(b'"record"' in x for x in optimised) > 2000  # every real record, not a handful
    assert not _differences(optimised, simple)


def test_a_difference_is_caught(real_data: Path) -> None:
    """The guard can fail: one optimisation gone wrong (a Text built with the wrong pointer)."""
    profile = profiles.load()
    paths = [str(p) for p in sorted((real_data / "ctgov-v2").glob("*.json"))[:2]]
    original = ctgov_v2._text
    ctgov_v2._text = lambda obj, key, at: original(obj, key, at + "/")  # type: ignore[assignment]
    try:
        broken = fast(paths, profile)
    finally:
        ctgov_v2._text = original  # type: ignore[assignment]
    assert _differences(broken, plain(paths, profile))


# Values a registry export may hold where the mapping expects another kind.
_ODD = (None, "", "  ", "x", "12", " 7 ", 0, 3, 2.5, True, False, [], ["a"], [1, None, "b"], {}, {"a": 1},
        [{"a": 1}], [{"date": "2020-01"}])


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        for k, v in node.items():
            found += _paths(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):
            found += _paths(v, (*at, i))
    return found


def _mutated(study: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    doc = orjson.loads(orjson.dumps(study))
    targets = [p for p in _paths(doc) if p]
    for path in rng.sample(targets, min(4, len(targets))):
        node = doc
        for key in path[:-1]:
            node = _child(node, key)
        if _child(node, path[-1]) is not _MISSING:  # an earlier change may have replaced a parent
            node[path[-1]] = rng.choice(_ODD)
    return doc


_MISSING = object()


def _child(node: Any, key: Any) -> Any:
    if isinstance(node, dict):
        return node.get(key, _MISSING)
    if isinstance(node, list) and isinstance(key, int) and key < len(node):
        return node[key]
    return _MISSING


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return state(fn(*args))
    except (TypeError, ValueError, AttributeError) as exc:  # what read_studies turns into a RecordError
        return [type(exc).__name__, str(exc)]


def test_the_v2_mapping_agrees_on_odd_values(real_data: Path) -> None:
    """The v2 mapping, rewritten to read each module once and check only the ids' types, maps what
    the plain JsonMapper maps, also where the values are of unexpected kinds (odd values put in
    at random places of every real study, 20 times each): the same record, or the same error."""
    studies = []
    for path in sorted((real_data / "ctgov-v2").glob("*.json")):
        doc = orjson.loads(path.read_bytes())
        items = doc if isinstance(doc, list) else doc.get("studies", [doc])
        studies += [s for s in items if isinstance(s, dict) and isinstance(s.get("protocolSection"), dict)]
    rng = random.Random(16)
    source = SourceRef(path="x.json", format="ctgov-v2")
    differ = []
    for n, study in enumerate(studies):
        for _ in range(20):
            doc = _mutated(study, rng)
            with reference.validated():
                expected = _outcome(ctgov_v2._map, doc, "/studies/0", source)
            if _outcome(ctgov_v2._map, doc, "/studies/0", source) != expected:
                differ.append(f"study {n}: {orjson.dumps(doc)[:200]!r}")
    assert not differ, differ[:3]


def test_the_ctrdata_sniffer_agrees_with_its_one_pattern_of_old(real_data: Path) -> None:
    heads = [p.read_bytes()[:65536] for p in (*map(Path, real_inputs(real_data)), *FIXTURES.rglob("*"),
                                              *(REPO / "tests" / "sources" / "fixtures").rglob("*"))
             if p.is_file()]
    heads += [b'{"ctrname" : "CTGOV2"}', b'  [ {"isrctn": "1', b'x{"isrctn": "1', b'{"a2_eudract_number":1}',
              b'{"ctrname": "OTHER"}', b'{"queries": [{"query-timestamp"', b"", b"[]"]
    assert sum(reference.ctrdata_sniff(h, "") for h in heads) > 0
    assert [ctrdata.sniff(h, "") for h in heads] == [reference.ctrdata_sniff(h, "") for h in heads]
