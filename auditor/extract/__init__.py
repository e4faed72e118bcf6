"""Facts from a TrialRecord: `derive(record) -> FactSheet` fills every key of schemas/facts.schema.json.

One module per kind of fact. Each extractor module declares the facts it writes (`WRITES`) and the
facts it reads (`READS`), and exposes `extract(record, sheet)`; this module only runs them, in an
order the declarations imply (a module runs after the writers of every fact it reads). Every fact
has exactly one writer (tests/extract/test_contract.py). Extractors read the record and the facts
they declare, never files (apart from their rule data, loaded once). Unknown stays None.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from auditor.extract import (
    design,
    duration,
    followup,
    history,
    instruments,
    interventions,
    outcomes,
    population,
    record_cache,
    registration,
    safety,
    sample_size,
    study,
)
from auditor.facts import Evidence, FactSheet
from auditor.model import TrialRecord

EXTRACTORS: tuple[ModuleType, ...] = (study, design, sample_size, duration, interventions, followup, outcomes,
                                      safety, population, registration, history)


class ContractError(RuntimeError):
    """Extractor declarations that cannot be run: a fact with two writers, none, or a cycle."""


def run_order(modules: tuple[ModuleType, ...]) -> tuple[ModuleType, ...]:
    """The modules in an order where every fact is written before it is read (stable otherwise)."""
    writer: dict[str, ModuleType] = {}
    for m in modules:
        for fact in m.WRITES:
            if fact in writer:
                raise ContractError(f"{fact} is written by {writer[fact].__name__} and {m.__name__}")
            writer[fact] = m
    done: list[ModuleType] = []
    visiting: set[str] = set()

    def visit(m: ModuleType) -> None:
        if m in done:
            return
        if m.__name__ in visiting:
            raise ContractError(f"extractors read each other's facts in a cycle through {m.__name__}")
        visiting.add(m.__name__)
        for fact in m.READS:
            if fact not in writer:
                raise ContractError(f"{m.__name__} reads {fact}, which no extractor writes")
            visit(writer[fact])
        visiting.discard(m.__name__)
        done.append(m)

    for m in modules:
        visit(m)
    return tuple(done)


ORDER = run_order(EXTRACTORS)

@dataclass
class _Corrected(FactSheet):
    """A FactSheet whose corrected facts hold the reviewer's value and evidence from the start: the
    writer's own set() of such a fact is ignored, so every fact computed from it, in a later module
    or in the same one (per-arm size from enrollment), reads the corrected value and quotes it."""

    fixed: Mapping[str, tuple[Any, Evidence]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.settle()

    def set(self, path: str, value: Any, evidence: list[Evidence] | Evidence | None = None) -> None:
        if path not in self.fixed:
            super().set(path, value, evidence)

    def settle(self) -> None:
        """Put every corrected fact in place (a copy: an extractor may extend a list it reads)."""
        for path, (value, ev) in self.fixed.items():
            super().set(path, copy.deepcopy(value))
            self.evidence[path] = [ev]


def derive(record: TrialRecord, corrections: Mapping[str, tuple[Any, Evidence]] | None = None) -> FactSheet:
    """The facts of `record`. `corrections` (fact path -> value and evidence, a reviewer's) take
    effect where the fact is written, so every extractor that reads a corrected fact sees it."""
    sheet = _Corrected(fixed=corrections) if corrections else FactSheet()
    try:
        for module in ORDER:
            module.extract(record, sheet)
    finally:
        record_cache.clear()  # the text caches live for one record (see record_cache)
    if isinstance(sheet, _Corrected):
        sheet.settle()  # an extractor that edited a corrected fact's evidence in place does not win
    return sheet


__all__ = ["EXTRACTORS", "ORDER", "derive", "instruments", "run_order"]
