"""Inputs as (origin, content): a missing file, a broken archive, an empty folder."""

from __future__ import annotations

from tests.sources.conftest import read_all


def test_missing_file_and_broken_zip(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    _, errors = read_all(tmp_path / "nope.json", bad)
    assert [e.one_line().split(": ", 1)[1].split(":")[0] for e in errors] == ["no such file or folder",
                                                                             "broken zip archive"]


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    _, errors = read_all(tmp_path / "empty")
    assert "folder contains no files" in errors[0].one_line()
