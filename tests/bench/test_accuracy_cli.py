"""bench/accuracy.py names facts as the table does or by their path in the Facts document."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO))
from bench import accuracy


@pytest.mark.parametrize(("name", "column"), [
    ("treatment_duration_weeks", "treatment_duration_weeks"),
    ("treatment.duration_weeks", "treatment_duration_weeks"),
    ("follow_up.weeks_after_treatment", "followup_weeks_after_treatment"),
    ("population.chronic_lbp_12w", "chronic_lbp_12w"),
    ("FU01_verdict", "FU01_verdict"),
    ("treatment.duration", None),
    ("nonsense", None),
])
def test_fact_column(name: str, column: str | None) -> None:
    assert accuracy.fact_column(name) == column


def test_an_unknown_fact_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    # Checked before any labels are read: the labels path need not exist.
    assert accuracy.main(["--fact", "nonsense", "--labels", str(REPO / "no-such-labels.json")]) == 2
    assert "unknown fact 'nonsense'" in capsys.readouterr().err
