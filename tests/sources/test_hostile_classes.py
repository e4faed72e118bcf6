"""Issue 11: one generated test per class of hostile input, through the readers and `check`."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
import orjson
import pytest

from auditor.errors import InputError, RecordError
from auditor.model import TrialRecord
from auditor.sources import jsonmap, read_blob, read_paths, sizes
from tests.batch.data import study
from tests.conftest import run_cli
from tests.hostile import broken_documents, csv_dialects, fan_out_zip, file_names, gzip_bomb, huge_numbers, nested_zip


def _items(path: Path) -> list:
    return list(read_paths([str(path)]))


@pytest.mark.parametrize("depth", [1, 7, 8, 50, 600])
def test_nested_archives_stop_at_the_depth_limit(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.zip"
    path.write_bytes(nested_zip(depth, orjson.dumps(study("NCT90000001"))))
    (item,) = _items(path)
    if depth <= sizes.MAX_ARCHIVE_DEPTH:
        assert isinstance(item, TrialRecord)
    else:
        assert isinstance(item, InputError) and "nested more than" in item.message


@pytest.mark.parametrize("members, limit, refused", [(5, 10, False), (50, 10, True)])
def test_archive_fan_out_is_budgeted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, members: int, limit: int,
                                     refused: bool) -> None:
    monkeypatch.setattr(sizes, "MAX_ARCHIVE_MEMBERS", limit)
    path = tmp_path / "fan.zip"
    path.write_bytes(fan_out_zip(members, orjson.dumps(study("NCT90000001"))))
    items = _items(path)
    assert (len(items) == 1 and "members in all" in items[0].message) if refused else len(items) == members


def test_expansion_budget_holds_across_members_and_nesting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sizes, "MAX_ARCHIVE_BYTES", 1 << 20)
    inner = fan_out_zip(3, gzip_bomb(600_000))  # three members of 600 kB each inside a zip inside a zip
    path = tmp_path / "budget.zip"
    path.write_bytes(nested_zip(2, inner, "inner.zip"))
    errors = [i for i in _items(path) if isinstance(i, InputError)]
    assert any("expands to more than" in e.message for e in errors)


def test_file_names_with_separators_and_non_utf8_bytes(tmp_path: Path) -> None:
    written = file_names(tmp_path)
    items = _items(tmp_path)
    assert len(items) == len(written) and all(isinstance(i, TrialRecord) for i in items)
    for item in items:
        item.source.path.encode("utf-8")  # printable and writable: no lone surrogates
    assert any("\\xff\\xfe" in i.source.path for i in items)
    result = run_cli("check", str(tmp_path), "--format", "json")
    assert result.exit_code in (0, 1) and orjson.loads(result.stdout)


def test_csv_dialects_and_ragged_rows() -> None:
    sheets = csv_dialects()
    titles = {}
    for name, data in sheets.items():
        items = list(read_blob(data, name))
        titles[name] = [(i.trial_id, i.title.value if i.title else None) if isinstance(i, TrialRecord) else i
                        for i in items]
    assert titles["rfc4180.csv"] == [("NCT90000001", 'Pain, "chronic" and CBT'), ("NCT90000002", "Two\nlines")]
    assert titles["semicolon.csv"] == [("NCT90000003", "CBT, mindfulness")]
    assert titles["tab.tsv"] == [("NCT90000004", "CBT")]
    assert titles["bom.csv"] == [("NCT90000005", "CBT")]
    assert titles["utf16.csv"] == [("NCT90000006", "CBT é")]
    ragged = titles["ragged.csv"]
    assert ragged and all(isinstance(i, RecordError) and "header has 3" in i.message for i in ragged)


def test_huge_numbers_are_an_error_line_or_a_value(tmp_path: Path) -> None:
    for name, data in huge_numbers().items():
        (tmp_path / name).write_bytes(data)
    result = run_cli("check", str(tmp_path / "digits.yaml"))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert all(line.startswith("trial-audit: ") for line in result.stderr.strip().splitlines())
    result = run_cli("check", str(tmp_path / "huge_enrollment.json"))
    assert result.exit_code in (0, 1)


def test_broken_documents_are_one_line_each(tmp_path: Path) -> None:
    for name, data in broken_documents().items():
        (tmp_path / name).write_bytes(data)
        result = run_cli("check", str(tmp_path / name))
        assert result.exit_code == 2, name
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, name


def test_links_loops_and_unreadable_folders_are_error_lines(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_bytes(orjson.dumps(study("NCT90000001")))
    (tmp_path / "loop").symlink_to(tmp_path)
    (tmp_path / "dangling.json").symlink_to(tmp_path / "missing")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.json").write_bytes(b"{}")
    locked.chmod(0)
    try:
        messages = [i.message for i in _items(tmp_path) if isinstance(i, InputError)]
    finally:
        locked.chmod(0o755)
    assert any("symbolic link loop" in m for m in messages)
    assert any("no such file" in m for m in messages)
    if os.geteuid() != 0:  # root reads any folder
        assert any("permission denied" in m for m in messages)


def test_streamed_json_array_gives_the_same_records(monkeypatch: pytest.MonkeyPatch) -> None:
    data = orjson.dumps([study(f"NCT9{i:07d}", enrollment=10 + i) for i in range(20)] + [{"x": 1}])
    whole = [msgspec.to_builtins(i) if isinstance(i, TrialRecord) else i.one_line() for i in read_blob(data, "a.json")]
    monkeypatch.setattr(jsonmap, "STREAM_BYTES", 0)
    assert jsonmap.streamed(data, "a.json") is not None
    streamed = [msgspec.to_builtins(i) if isinstance(i, TrialRecord) else i.one_line() for i in read_blob(data, "a.json")]
    assert streamed == whole


def test_bad_environment_values_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("TRIAL_AUDIT_MAX_FILE_BYTES", "lots"), ("TRIAL_AUDIT_DUCKDB_MEMORY", "1GB'; DROP")):
        monkeypatch.setenv(name, value)
        result = run_cli("formats")
        assert result.exit_code == 2 and name in result.stderr and len(result.stderr.strip().splitlines()) == 1
        monkeypatch.delenv(name)
