"""Record-level facts the registry states in structured fields: study type, registry, results posted."""

from __future__ import annotations

from auditor.facts import Evidence, FactSheet
from auditor.model import TrialRecord

WRITES = ("study.type", "study.registry", "results.posted")
READS: tuple[str, ...] = ()

_STUDY_TYPES = {"INTERVENTIONAL": "interventional", "OBSERVATIONAL": "observational",
                "EXPANDED_ACCESS": "expanded_access"}


def study_type(record: TrialRecord) -> tuple[str | None, Evidence | None]:
    st = record.design.study_type
    if st is None:
        return None, None
    kind = _STUDY_TYPES.get(st.value.strip().upper().replace(" ", "_"))
    if kind is None:  # registries that spell it out ("Interventional study", "Observational [Patient registry]")
        low = st.value.lower()
        kind = ("interventional" if "interv" in low else "observational" if "observ" in low
                else "expanded_access" if "expanded" in low else None)
    return kind, Evidence.of(st, note=f"study type {kind}") if kind else None


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    kind, ev = study_type(record)
    sheet.set("study.type", kind, ev)
    sheet.set("study.registry", record.registry)
    sheet.set("results.posted", record.results.posted)
