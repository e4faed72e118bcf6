"""Acceptance test: `check` on a protocol draft whose comparator arm is still a TODO: the trial's
intervention categories are not known (null, IN01 unclear), not the experimental arm's alone."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

DRAFT = """trial:
  title: Mindfulness for chronic low back pain
design:
  type: interventional
  arms:
    - label: Mindfulness-based stress reduction
      type: experimental
      description: Eight weekly sessions of mindfulness-based stress reduction.
    - label: "TODO: comparator arm"
      type: active_comparator
      description: "TODO: what the comparator arm receives"
"""


def test_a_todo_arm_beside_a_described_one_leaves_the_categories_unknown(tmp_path: Path) -> None:
    path = tmp_path / "protocol.yaml"
    path.write_text(DRAFT, encoding="utf-8")
    result = run_cli("check", str(path), "--select", "IN01", "--format", "json", "--isolated")
    (audit,) = json.loads(result.stdout)["audits"]
    assert audit["facts"]["treatment"]["intervention_categories"] is None
    (finding,) = audit["findings"]
    assert finding["status"] == "unclear"
    assert "does not say what it delivers" in finding["message"]
