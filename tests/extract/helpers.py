"""Build small TrialRecords for extractor tests (no files involved)."""

from __future__ import annotations

from typing import Any

from auditor.model import Arm, Design, Intervention, Number, Outcome, SourceRef, Text, TrialRecord


def t(value: str, at: str = "/x") -> Text:
    return Text(value=value, at=at)


def record(arms: list[dict[str, Any]] | None = None, interventions: list[dict[str, Any]] | None = None,
           outcomes: list[dict[str, Any]] | None = None, **fields: Any) -> TrialRecord:
    def arm(i: int, a: dict[str, Any]) -> Arm:
        return Arm(label=t(a["label"], f"/arms/{i}/label") if "label" in a else None,
                   type=t(a["type"], f"/arms/{i}/type") if "type" in a else None,
                   description=t(a["description"], f"/arms/{i}/description") if "description" in a else None,
                   duration_weeks=Number(value=a["weeks"], at=f"/arms/{i}/duration_weeks") if "weeks" in a else None)

    def iv(i: int, d: dict[str, Any]) -> Intervention:
        return Intervention(name=t(d["name"], f"/iv/{i}/name"), type=t(d["type"], f"/iv/{i}/type") if "type" in d else None,
                            description=t(d["description"], f"/iv/{i}/description") if "description" in d else None,
                            arm_labels=[t(x) for x in d.get("arms", [])])

    def out(i: int, o: dict[str, Any]) -> Outcome:
        return Outcome(kind=o.get("kind", "primary"), measure=t(o["measure"], f"/out/{i}/measure"),
                       description=t(o["description"], f"/out/{i}/description") if "description" in o else None,
                       time_frame=t(o["time_frame"], f"/out/{i}/timeFrame") if o.get("time_frame") is not None else None)

    design = fields.pop("design", None) or Design()
    for key in ("summary", "description", "eligibility", "title"):
        if isinstance(fields.get(key), str):
            fields[key] = t(fields[key], f"/{key}")
    if "conditions" in fields:
        fields["conditions"] = [t(c, f"/conditions/{i}") for i, c in enumerate(fields["conditions"])]
    return TrialRecord(source=SourceRef(path="test.json", format="test"), registry=fields.pop("registry", "test"),
                       design=design, arms=[arm(i, a) for i, a in enumerate(arms or [])],
                       interventions=[iv(i, d) for i, d in enumerate(interventions or [])],
                       outcomes=[out(i, o) for i, o in enumerate(outcomes or [])], **fields)
