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


@pytest.mark.parametrize("data", [b'{"a": 1', b"{", b"[", b'  [{"nctId": "NCT01234567"},'])
def test_a_truncated_json_file_of_any_shape_is_broken_json_not_an_unknown_format(data: bytes) -> None:
    with pytest.raises(InputError, match="not valid JSON") as err:
        list(read_blob(data, "cut.json"))
    assert "unknown input format" not in str(err.value)


def test_valid_json_of_no_known_shape_is_still_an_unknown_format() -> None:
    with pytest.raises(InputError, match=r"unknown input format \(a JSON object\)"):
        list(read_blob(b'{"a": 1}', "other.json"))
