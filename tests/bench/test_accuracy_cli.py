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


@pytest.mark.parametrize(("hits", "n", "low", "high"), [
    (28, 34, 0.665, 0.917),  # the held-out part's duration figure of session 6
    (34, 34, 0.898, 1.0),  # 100% on 34 records is not certainty
    (0, 10, 0.0, 0.278),
])
def test_wilson_interval(hits: int, n: int, low: float, high: float) -> None:
    lo, hi = accuracy.wilson(hits, n)
    assert lo == pytest.approx(low, abs=0.001)
    assert hi == pytest.approx(high, abs=0.001)


def test_a_cell_gives_the_interval_only_when_asked() -> None:
    assert accuracy.cell(28, 34, interval=False) == " 28/34     82%"
    assert accuracy.cell(28, 34, interval=True) == " 28/34     82% [66-92]"
