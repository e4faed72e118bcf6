"""Extraction on the real ClinicalTrials.gov v2 records (skipped when the data is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import orjson
import pytest

from auditor.extract import derive
from auditor.facts import BLANK, FactSheet
from auditor.model import TrialRecord
from auditor.sources import read_paths
from tests.conftest import real_data_dir

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ctgov() -> list[tuple[Path, TrialRecord, FactSheet]]:
    folder = real_data_dir() / "ctgov-v2"
    if not folder.is_dir():
        pytest.skip(f"real registry data not found at {folder} (set TRIAL_AUDIT_REAL_DATA)")
    out = []
    for path in sorted(folder.glob("*.json")):
        out += [(path, r, derive(r)) for r in read_paths([str(path)]) if isinstance(r, TrialRecord)]
    if not out:
        pytest.skip(f"no ClinicalTrials.gov v2 records under {folder}")
    return out


def _resolve(doc, pointer: str):
    node = doc
    for raw in pointer.strip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def test_every_record_gives_a_valid_facts_document(ctgov):
    validator = jsonschema.Draft202012Validator(json.loads((REPO / "schemas" / "facts.schema.json").read_text()))
    for _path, record, sheet in ctgov:
        facts = sheet.facts
        assert set(facts) == set(BLANK)
        errors = [e.message for e in validator.iter_errors(facts)]
        assert not errors, f"{record.trial_id}: {errors[:3]}"


def test_evidence_quotes_are_exact_substrings_of_the_source(ctgov):
    """Every quote (>= 50 of them from outcome time frames) is a span of the text at its pointer."""
    docs: dict[Path, object] = {}
    checked = outcome_quotes = 0
    for path, record, sheet in ctgov:
        doc = docs.setdefault(path, orjson.loads(path.read_bytes()))
        for fact, items in sheet.evidence.items():
            for ev in items:
                value = _resolve(doc, ev.at)
                source = value if isinstance(value, str) else json.dumps(value)
                assert ev.quote in source or ev.quote == str(value), (record.trial_id, fact, ev.at, ev.quote)
                checked += 1
                outcome_quotes += "/outcomesModule/" in ev.at
    assert outcome_quotes >= 50 and checked >= 500


def test_accuracy_targets_on_dev_labels(real_data: Path):
    labels = real_data.parent / "labels" / "dev-labels.json"
    if not labels.exists():
        pytest.skip(f"no labels at {labels}")
    import sys
    sys.path.insert(0, str(REPO))
    from bench import accuracy

    labelled, records = accuracy.load(labels)
    hits = dict.fromkeys(accuracy.TARGETS, 0)
    for nct, lab in labelled.items():
        pred = accuracy.predicted(derive(records[nct]))
        for k in hits:
            hits[k] += accuracy.agree(accuracy.expected(lab).get(k), pred[k])
    for k, target in accuracy.TARGETS.items():
        assert hits[k] / len(records) >= target, f"{k}: {hits[k]}/{len(records)} below {target:.0%}"
