"""Folders, zip archives, gzip and stdin around any reader's files."""

from __future__ import annotations

import gzip
import io
import sys
import zipfile

from auditor.sources import read_paths
from tests.sources.conftest import FIXTURES, read_all


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_zip_of_per_study_files_with_a_bad_member(tmp_path):
    archive = tmp_path / "studies.zip"
    archive.write_bytes(_zip({
        "a/NCT09000003.json": (FIXTURES / "v2_study.json").read_bytes(),
        "b/broken.json": b'{"protocolSection": {',
        "c/NCT09000001.xml": (FIXTURES / "ctgov_legacy.xml").read_bytes(),
        "__MACOSX/._junk": b"\x00\x01",
    }))
    records, errors = read_all(archive)
    assert sorted(r.trial_id for r in records) == ["NCT09000001", "NCT09000003"]
    (err,) = errors
    assert err.origin == f"{archive}!b/broken.json" and "not valid JSON" in err.one_line()
    assert records[0].source.path == f"{archive}!a/NCT09000003.json"


def test_gzipped_json(tmp_path):
    path = tmp_path / "NCT09000003.json.gz"
    path.write_bytes(gzip.compress((FIXTURES / "v2_study.json").read_bytes()))
    records, errors = read_all(path)
    assert not errors and records[0].source.path == str(tmp_path / "NCT09000003.json")


def test_nested_folder_mixes_formats(tmp_path):
    (tmp_path / "xml" / "deep").mkdir(parents=True)
    (tmp_path / "xml" / "deep" / "study.xml").write_bytes((FIXTURES / "ctgov_legacy.xml").read_bytes())
    (tmp_path / "ictrp.xml").write_bytes((FIXTURES / "ictrp_2024.xml").read_bytes())
    (tmp_path / "classic.json").write_bytes((FIXTURES / "classic.json").read_bytes())
    (tmp_path / ".hidden").write_bytes(b"ignored")
    records, errors = read_all(tmp_path)
    assert not errors
    assert sorted(r.source.format for r in records) == ["ctgov-classic", "ctgov-xml", "ictrp-xml", "ictrp-xml"]


def test_zip_inside_gzip_and_empty_folder(tmp_path):
    path = tmp_path / "bundle.zip.gz"
    path.write_bytes(gzip.compress(_zip({"s.xml": (FIXTURES / "ctgov_legacy.xml").read_bytes()})))
    records, _ = read_all(path)
    assert [r.trial_id for r in records] == ["NCT09000001"]
    (tmp_path / "empty").mkdir()
    _, errors = read_all(tmp_path / "empty")
    assert "folder contains no files" in errors[0].one_line()


def test_stdin(monkeypatch):
    data = (FIXTURES / "ictrp_header.csv").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    items = list(read_paths(["-"]))
    assert [i.trial_id for i in items] == ["NCT09000002", "ACTRN12620000001"]
    assert items[0].source.path == "<stdin>"


def test_missing_file_and_broken_zip(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    _, errors = read_all(tmp_path / "nope.json", bad)
    assert [e.one_line().split(": ", 1)[1].split(":")[0] for e in errors] == ["no such file or folder",
                                                                             "broken zip archive"]
