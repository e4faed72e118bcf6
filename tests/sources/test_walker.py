"""The folder walker: nested folders, hidden files left out."""

from __future__ import annotations

from tests.sources.conftest import FIXTURES, read_all


def test_nested_folder_mixes_formats(tmp_path):
    (tmp_path / "xml" / "deep").mkdir(parents=True)
    (tmp_path / "xml" / "deep" / "study.xml").write_bytes((FIXTURES / "ctgov_legacy.xml").read_bytes())
    (tmp_path / "ictrp.xml").write_bytes((FIXTURES / "ictrp_2024.xml").read_bytes())
    (tmp_path / "classic.json").write_bytes((FIXTURES / "classic.json").read_bytes())
    (tmp_path / ".hidden").write_bytes(b"ignored")
    records, errors = read_all(tmp_path)
    assert not errors
    assert sorted(r.source.format for r in records) == ["ctgov-classic", "ctgov-xml", "ictrp-xml", "ictrp-xml"]
