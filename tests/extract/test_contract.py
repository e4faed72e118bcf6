"""The extractor contract: every fact has exactly one writer, which declares what it writes and reads."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from auditor.extract import EXTRACTORS, ORDER, ContractError, derive, run_order
from auditor.facts import BLANK, FactSheet
from auditor.resources import load_schema
from tests.extract.helpers import record


def _leaves(schema: dict[str, Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for key, sub in schema.get("properties", {}).items():
        path = prefix + key
        out += _leaves(sub, path + ".") if sub.get("type") == "object" and "properties" in sub else [path]
    return out


def test_every_fact_of_the_schema_has_exactly_one_writer() -> None:
    facts = _leaves(load_schema("facts"))
    writes = [fact for m in EXTRACTORS for fact in m.WRITES]
    assert sorted(writes) == sorted(facts)  # no fact twice, none missing, none that the schema lacks


def test_readers_run_after_the_writers_of_what_they_read() -> None:
    seen: set[str] = set()
    for m in ORDER:
        assert set(m.READS) <= seen, m.__name__
        seen |= set(m.WRITES)


class _Recording(FactSheet):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[str] = []

    def set(self, path: str, value: Any, evidence: Any = None) -> None:
        self.written.append(path)
        super().set(path, value, evidence)


@pytest.mark.parametrize("module", EXTRACTORS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_an_extractor_writes_what_it_declares(module: ModuleType) -> None:
    rec = record(arms=[{"label": "CBT", "type": "EXPERIMENTAL", "description": "8 weekly sessions of CBT"}],
                 outcomes=[{"measure": "SF-36 and adverse events", "time_frame": "Baseline, 8 weeks, 12 months"}],
                 eligibility="Inclusion: chronic low back pain for at least 3 months", conditions=["Low Back Pain"])
    sheet = _Recording()
    for m in ORDER:  # facts this module reads are there first
        if m is module:
            break
        m.extract(rec, sheet)
    sheet.written.clear()
    module.extract(rec, sheet)
    assert set(sheet.written) <= set(module.WRITES)
    assert set(module.WRITES) <= set(sheet.written)  # every declared fact is set (None when unknown)


def test_bad_declarations_are_refused() -> None:
    def fake(name: str, writes: tuple[str, ...], reads: tuple[str, ...] = ()) -> ModuleType:
        m = ModuleType(name)
        m.WRITES, m.READS = writes, reads  # type: ignore[attr-defined]
        return m
    with pytest.raises(ContractError, match="written by"):
        run_order((fake("a", ("x",)), fake("b", ("x",))))
    with pytest.raises(ContractError, match="no extractor writes"):
        run_order((fake("a", ("x",), ("y",)),))
    with pytest.raises(ContractError, match="cycle"):
        run_order((fake("a", ("x",), ("y",)), fake("b", ("y",), ("x",))))
    a, b = fake("a", ("x",), ("y",)), fake("b", ("y",))
    assert run_order((a, b)) == (b, a)


def test_derive_fills_the_blank_document() -> None:
    assert derive(record()).facts.keys() == BLANK.keys()
