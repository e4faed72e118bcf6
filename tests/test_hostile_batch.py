"""Issue 11: a batch over a folder mixing every hostile class with good records completes, reconciles
its totals, and changes nothing on a second run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from auditor import batch
from auditor.engine import profiles
from auditor.sources import sizes
from tests.hostile import HOSTILE_TEXTS, IDENTITY_STUDIES, hostile_folder


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sizes, "MAX_ARCHIVE_MEMBERS", 100)  # fanout.zip has 300
    monkeypatch.setattr(sizes, "MAX_ARCHIVE_BYTES", 4 << 20)  # bomb.json.gz expands to 8 MiB


def _count(out: Path, table: str) -> int:
    with duckdb.connect(str(out / "audit.duckdb"), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]


@pytest.mark.parametrize("jobs", [1, 2])
def test_hostile_folder_batch_completes_reconciles_and_is_stable(tmp_path: Path, limits: None, jobs: int) -> None:
    inputs = hostile_folder(tmp_path / "in")
    out = tmp_path / "out"
    profile = profiles.load()
    first = batch.run([str(inputs)], out, profile, jobs=jobs)
    t = first.totals
    assert first.status == "completed"
    assert t.seen == t.audited + t.failed + t.skipped
    assert t.audited >= 3 + len(HOSTILE_TEXTS) + 6 and t.failed >= 10
    with duckdb.connect(str(out / "audit.duckdb"), read_only=True) as con:
        reasons = dict(con.execute("SELECT source_path, reason FROM errors").fetchall())
    text = "\n".join(f"{k}: {v}" for k, v in reasons.items())
    for expected in ("nested more than", "members in all", "expands to more than", "cells, the header has",
                     "symbolic link loop", "not valid JSON", "unknown encoding"):
        assert expected in text, expected
    with duckdb.connect(str(out / "audit.duckdb"), read_only=True) as con:
        ids = {r[0] for r in con.execute("SELECT trial_id FROM records WHERE source_path LIKE '%/identity/%'").fetchall()}
        dups = con.execute("SELECT member, member_dup FROM files WHERE input_path LIKE '%dup!members.zip' "
                           "ORDER BY member, member_dup").fetchall()
    assert ids == set(IDENTITY_STUDIES)  # none lost to a name clash
    assert dups == [("in!side.json", 0), ("same.json", 0), ("same.json", 1)]
    rows = {name: _count(out, name) for name in ("trials", "findings", "records", "conflicts", "errors", "files")}
    second = batch.run([str(inputs)], out, profile, jobs=jobs)
    assert second.status == "completed"
    assert second.totals.audited == 0 and second.totals.seen == second.totals.skipped + second.totals.failed
    assert {name: _count(out, name) for name in rows} == rows
    trials_csv = (out / "trials.csv").read_text(encoding="utf-8")
    assert "\n=HYPERLINK" not in trials_csv and ",=HYPERLINK" not in trials_csv and "'=HYPERLINK" in trials_csv
    assert "\\xff\\xfe" in trials_csv  # the non-UTF-8 file name, escaped
    for name in ("trials", "findings", "records", "conflicts", "errors"):  # every CSV export: no cell is a formula
        csv = (out / f"{name}.csv").read_text(encoding="utf-8")
        assert "\n=HYPERLINK" not in csv and ",=HYPERLINK" not in csv and ',"=HYPERLINK' not in csv, name
