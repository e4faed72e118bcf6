"""Sample-size facts: a registry that states only per-group targets (ChiCTR) has their sum as its
target enrollment, quoting each group; a registered total always wins."""

from __future__ import annotations

from auditor.extract import derive
from auditor.sources import read_paths
from tests.sources.conftest import FIXTURES


def test_per_group_targets_without_a_total_add_up_to_the_target_enrollment() -> None:
    records = {r.trial_id: r for r in read_paths([str(FIXTURES / "ictrp_2020.xml")]) if hasattr(r, "trial_id")}
    sheet = derive(records["ChiCTR2000000001"])
    assert sheet.facts["sample_size"]["enrollment"] == 60
    assert sheet.facts["sample_size"]["per_arm"] == 30
    quotes = [e.quote for e in sheet.evidence["sample_size.enrollment"]]
    assert quotes == ["Experimental group:30", "Control group:30"]


def test_a_registered_total_is_not_replaced_by_the_groups() -> None:
    for record in read_paths([str(FIXTURES / "ictrp_2020.xml")]):
        if not hasattr(record, "enrollment") or record.enrollment.count is None:
            continue
        assert derive(record).facts["sample_size"]["enrollment"] == int(record.enrollment.count.value)


def _ictrp(target: str) -> dict:
    from auditor.model import SourceRef
    from auditor.sources import ictrp
    record = ictrp.to_record({"TrialID": "ChiCTR1", "Target size": target}, lambda f: {"at": f},
                             SourceRef(path="x", format="t"), "/")
    return derive(record).facts["sample_size"]


def test_a_zero_group_of_a_template_is_no_arm() -> None:
    # ChiCTR's diagnostic template lists "Difficult condition" even when it recruits no one.
    assert _ictrp("Target condition:3000;Difficult condition:0") == {
        "enrollment": 3000, "enrollment_type": None, "per_arm": 3000, "calculation_reported": None}


def test_one_target_for_counted_groups_is_shared_by_them() -> None:
    facts = _ictrp("4 groups:2800;")
    assert (facts["enrollment"], facts["per_arm"]) == (2800, 700)


def test_numbered_groups_are_not_a_total() -> None:
    facts = _ictrp("1 the critical group :8;2 the severe group:8;3 the control group:8;4 controls:8;")
    assert (facts["enrollment"], facts["per_arm"]) == (32, 8)
