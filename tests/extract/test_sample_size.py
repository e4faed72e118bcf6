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
