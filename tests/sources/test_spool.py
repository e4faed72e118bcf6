"""Standard input as content (the Spool itself: tests/test_hostile_memory.py)."""

from __future__ import annotations

import io
import sys

from auditor.sources import read_paths
from tests.sources.conftest import FIXTURES


def test_stdin(monkeypatch):
    data = (FIXTURES / "ictrp_header.csv").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    items = list(read_paths(["-"]))
    assert [i.trial_id for i in items] == ["NCT09000002", "ACTRN12620000001"]
    assert items[0].source.path == "<stdin>"
