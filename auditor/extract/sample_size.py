"""Sample-size facts: registered enrollment and its type, per-arm size, and whether a sample-size
calculation is stated (a protocol sample-size section, or power / alpha / effect size / sample size
calculation wording in the description, summary or eligibility text)."""

from __future__ import annotations

import re

from auditor.extract.text import NUM, Guarded, compile_fast, evidence, number, shortened
from auditor.facts import Evidence, FactSheet
from auditor.model import TrialRecord

_CALC = Guarded(compile_fast(r"\bsample\s+size\s+(?:was|is|has\s+been|will\s+be)?\s*(?:calculat|estimat|determin|comput|based)|"
                   r"\bpower\s+(?:analysis|calculation)|\b\d{2}\s*%\s+power|\bpower\s+of\s+\d|\bstatistical\s+power|"
                   r"\balpha\s*(?:level\s*)?(?:of\s*)?=?\s*0?\.0\d|\bα\s*=|\beffect\s+size\s+of|\bG\*?\s?Power|"
                   r"\bsample\s+size\s+(?:calculation|estimation|determination)s?", re.I),
                # what each alternative contains ("G*Power", "90% power": power)
                "power", "alpha", "α", r"sample\s+size", r"effect\s+size")

# One target for several groups, the label saying how many ("4 groups:2800;"): the target is the
# total, to be shared by that many groups, not the size of one arm.
_GROUPS_LABEL = compile_fast(rf"^\s*(?P<n>{NUM})\s+(?:\w+\s+)?(?:groups|arms|cohorts)\b", re.I)


def calculation(record: TrialRecord) -> tuple[bool | None, list[Evidence]]:
    plan = record.sample_size
    for item in (plan.calculation, plan.power, plan.alpha, plan.effect_size, plan.standard_deviation):
        if item is not None:
            return True, [Evidence.of(item, note="protocol sample-size calculation")]
    texts = [t for t in (record.description, record.summary, record.eligibility, record.design.description) if t]
    for text in texts:
        if m := _CALC.search(text.value):
            return True, [evidence(text, m.start(), m.end(), "sample-size calculation stated")]
    if record.description is None and record.registry != "protocol":
        return None, []  # a registry entry without a description has nowhere to state one
    return False, []


def enrollment(record: TrialRecord, sheet: FactSheet) -> None:
    """The registered total; without one, the sum of the per-group targets a registry states
    instead (ChiCTR's "survival group:200;died:200;" is a target of 400)."""
    count, groups = record.enrollment.count, record.enrollment.per_arm
    if count is not None:
        # A protocol file states the planned target; a registry, the registered enrollment.
        note = "target enrollment" if record.source.format == "protocol" else "registered enrollment"
        sheet.set("sample_size.enrollment", int(count.value), Evidence.of(count, note=note))
    elif len(groups) > 1:
        total = int(sum(n.value for n in groups))
        sheet.set("sample_size.enrollment", total,
                  [Evidence.of(n, note=f"per-group target; {total} in all") for n in groups])
    elif (unread := record.enrollment.unread) is not None:  # given, but not as a number: unknown, not absent
        sheet.set("sample_size.enrollment", None,
                  Evidence.of(unread, note=f"target size is not a number: {unread.at} is “{shortened(unread.value, 80)}”"))
    else:
        sheet.set("sample_size.enrollment", None)
    etype = record.enrollment.type
    value = None
    if etype is not None:
        upper = etype.value.strip().upper()
        value = ("ACTUAL" if upper.startswith("ACTUAL")
                 else "ESTIMATED" if upper[:4] in ("ESTI", "ANTI", "EXPE", "TARG") else None)
    sheet.set("sample_size.enrollment_type", value,
              Evidence.of(etype, note=f"enrollment type {value}") if etype is not None and value else None)


def per_arm(record: TrialRecord, sheet: FactSheet) -> None:
    """Stated per-arm targets win (the smallest); else enrollment / arms. A target of 0 is a group the
    registry's form lists but the trial does not recruit (ChiCTR's diagnostic template "Target
    condition:200;Difficult condition:0"), not an arm of 0 participants."""
    stated = [n for n in record.enrollment.per_arm if n.value > 0]
    if len(stated) == 1 and stated[0].text and (m := _GROUPS_LABEL.search(stated[0].text)) and number(m.group("n")) > 1:
        shared = int(number(m.group("n")))
        sheet.set("sample_size.per_arm", round(stated[0].value / shared, 1),
                  Evidence.of(stated[0], note=f"one target for {shared} groups"))
        return
    if stated:
        low = min(stated, key=lambda n: n.value)
        sheet.set("sample_size.per_arm", low.value, Evidence.of(low, note="smallest stated per-arm target"))
        return
    total, arms = sheet.get("sample_size.enrollment"), sheet.get("design.arm_count")
    if total is not None and arms:
        sheet.set("sample_size.per_arm", round(total / arms, 1),
                  sheet.evidence.get("sample_size.enrollment", [])[:1] + sheet.evidence.get("design.arm_count", [])[:1])
    else:
        sheet.set("sample_size.per_arm", None)


WRITES = ("sample_size.enrollment", "sample_size.enrollment_type", "sample_size.per_arm",
          "sample_size.calculation_reported")
READS = ("design.arm_count",)


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    enrollment(record, sheet)
    sheet.set("sample_size.calculation_reported", *calculation(record))
    per_arm(record, sheet)
