"""Damaged files (cut, bytes flipped, markup injected) give InputErrors or records, never a crash.

A deterministic mutation run over the bundled examples and reader fixtures: each mutated blob is
read and every record it still yields is audited end to end.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from auditor.engine import profiles
from auditor.errors import InputError
from auditor.model import TrialRecord
from auditor.pipeline import audit
from auditor.sources import read_blob
from tests.conftest import EXAMPLES, FIXTURES

SEEDS = [p for p in sorted(EXAMPLES.rglob("*")) + sorted((FIXTURES.parent / "sources" / "fixtures").glob("*"))
         if p.is_file() and p.suffix in (".json", ".yaml", ".yml", ".xml", ".csv")]
INSERTS = [b"\x00", b'"', b"{", b"<", b"\n  - ", b": ", b"&a", b"*a", b"\xff\xfe",
           b'<!DOCTYPE x [<!ENTITY a "b">]>', b"\n---\n", b"]]]]"]


def _mutants(data: bytes, rng: random.Random, count: int) -> list[bytes]:
    out = []
    for _ in range(count):
        d = bytearray(data)
        op = rng.choice(("cut", "flip", "insert", "double"))
        if op == "cut" and len(d) > 2:
            d = d[: rng.randrange(1, len(d))]
        elif op == "flip" and d:
            for _ in range(rng.randint(1, 5)):
                d[rng.randrange(len(d))] = rng.randrange(256)
        elif op == "insert":
            i = rng.randrange(len(d) + 1)
            d[i:i] = rng.choice(INSERTS)
        else:
            d = d + d
        out.append(bytes(d))
    return out


@pytest.mark.parametrize("seed_file", SEEDS, ids=[p.name for p in SEEDS])
def test_mutated_inputs_never_crash(seed_file: Path) -> None:
    profile = profiles.load()
    rng = random.Random(seed_file.name)
    for blob in _mutants(seed_file.read_bytes(), rng, 25):
        try:
            for item in read_blob(blob, seed_file.name):
                if isinstance(item, TrialRecord):
                    audit(item, profile)
        except InputError:
            pass
