"""Fixtures for the fetch tests: a threaded loopback HTTP server and studies to replay."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from pytest_httpserver import HTTPServer

from tests.fetch.replay import study_id


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    try:
        yield srv
    finally:
        srv.clear()
        if srv.is_running():
            srv.stop()


@pytest.fixture
def real_studies(real_data: Path) -> list[dict[str, Any]]:
    """Every distinct real v2 study in the shared data (pages, arrays and single studies)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((real_data / "ctgov-v2").glob("*.json")):
        doc = orjson.loads(path.read_bytes())
        studies = doc if isinstance(doc, list) else doc.get("studies", [doc])
        for s in studies:
            if isinstance(s, dict) and "protocolSection" in s:
                found.setdefault(study_id(s), s)
    return [found[k] for k in sorted(found)]
