"""Detection looks at structure, not words: files that merely mention a format are not read as it."""

from __future__ import annotations

import pytest

from auditor.errors import InputError
from auditor.sources import detect, read_blob


def test_v2_field_list_that_names_protocol_section_is_not_a_study() -> None:
    metadata = b'[{"name": "protocolSection", "piece": "ProtocolSection", "children": []}]'
    with pytest.raises(InputError, match="unknown input format \\(a JSON array\\)"):
        detect(metadata, "metadata.json")


def test_truncated_v2_study_is_detected_and_reported_as_broken_json() -> None:
    with pytest.raises(InputError, match="not valid JSON"):
        list(read_blob(b'{"protocolSection": ', "cut.json"))


def test_yaml_without_a_trial_section_names_its_keys() -> None:
    with pytest.raises(InputError, match="no top-level `trial:` section \\(top-level keys: openapi, info\\)"):
        list(read_blob(b"openapi: 3.0.3\ninfo: {title: x}\n", "api.yaml"))
