"""gzip and zip around any reader's files: members, nesting, a broken member."""

from __future__ import annotations

import gzip
import io
import zipfile

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


def test_zip_inside_gzip(tmp_path):
    path = tmp_path / "bundle.zip.gz"
    path.write_bytes(gzip.compress(_zip({"s.xml": (FIXTURES / "ctgov_legacy.xml").read_bytes()})))
    records, _ = read_all(path)
    assert [r.trial_id for r in records] == ["NCT09000001"]
