"""Every record of every real registry file is read, counted independently of the readers.

Real files live outside the repository (`TRIAL_AUDIT_REAL_DATA`, default ``../shared/data/real``);
these tests skip cleanly without them. Independent counts use plain regexes, the csv module and
``len`` of JSON arrays, never the readers' own parsing.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.model import TrialRecord
from auditor.sources import detect, read_blob
from tests.sources.conftest import read_all, real_root

EXPECTED_READER = {"ctgov-v2": "ctgov-v2", "ctgov-xml": "ctgov-xml", "ctgov-classic-json": "ctgov-classic"}
ICTRP_READER = {".xml": "ictrp-xml", ".csv": "ictrp-csv"}


def _files(folder: str, pattern: str = "*") -> list[Path]:
    root = real_root() / folder
    return sorted(p for p in root.glob(pattern) if p.is_file()) if root.is_dir() else []


def _ids(path: Path | None) -> str:
    return path.name if path else "no-real-data"


def _json_count(path: Path) -> int:
    doc = json.loads(path.read_bytes())
    if isinstance(doc, list):
        return len(doc)
    if "FullStudiesResponse" in doc:
        return len(doc["FullStudiesResponse"]["FullStudies"])
    return len(doc["studies"]) if "studies" in doc else 1


def _independent_count(path: Path) -> int:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    if path.suffix == ".json":
        return _json_count(path)
    if path.suffix == ".csv":
        return len(list(csv.reader(text.splitlines(keepends=True)))) - 1  # header row
    if "<Trials_downloaded_from_ICTRP" in text:
        return len(re.findall(r"<Trial>", text))
    return len(re.findall(r"<clinical_study[\s>]", text))


REAL_FILES = _files("ctgov-v2", "*.json") + _files("ctgov-xml", "*.xml") + \
    _files("ctgov-classic-json", "*.json") + _files("ictrp", "*.xml") + _files("ictrp", "*.csv")
# Without the real data, one clearly explained skip instead of pytest's "empty parameter set".
CASES = REAL_FILES or [pytest.param(None, marks=pytest.mark.skip(
    reason=f"real registry data not found at {real_root()} (set TRIAL_AUDIT_REAL_DATA)"))]


@pytest.mark.parametrize("path", CASES, ids=_ids)
def test_every_record_is_read(real, path):
    records, errors = read_all(path)
    expected = _independent_count(path)
    if path.name == "covid_search_rss.xml":
        assert expected == 0 and records == []
        assert len(errors) == 1 and "RSS search feed" in errors[0].one_line()
        return
    assert expected > 0
    assert not errors, [e.one_line() for e in errors[:3]]
    assert len(records) == expected
    assert all(r.trial_id for r in records)


@pytest.mark.parametrize("path", CASES, ids=_ids)
def test_detection_picks_the_right_reader(real, path):
    folder = path.parent.name
    expected = ICTRP_READER[path.suffix] if folder == "ictrp" else EXPECTED_READER[folder]
    assert expected == detect(path.read_bytes()[:65536], str(path)).NAME


def test_totals_match_the_provenance_file(real):
    by_format: dict[str, int] = {}
    for path in REAL_FILES:
        for record in read_all(path)[0]:
            by_format[record.source.format] = by_format.get(record.source.format, 0) + 1
    # SOURCES.md: 67 legacy studies, 103 classic, 578 + 95 ICTRP XML, 927 ICTRP CSV rows
    assert by_format["ctgov-xml"] == 67 and by_format["ctgov-classic"] == 103
    assert by_format["ictrp-xml"] == 578 + 95 and by_format["ictrp-csv"] == 927


@pytest.mark.parametrize("name", ["SOURCES.md", "specs/ICTRP_export_datafields.txt"])  # euctr/ is read now (issue 18)
def test_unknown_formats_say_what_they_look_like(real, name):
    path = real / name
    if path.is_dir():
        path = next(p for p in sorted(path.iterdir()) if p.is_file())
    with pytest.raises(InputError) as info:
        list(read_blob(path.read_bytes(), str(path)))
    line = info.value.one_line()
    assert "unknown input format (text); known formats:" in line and "ictrp-xml" in line and "\n" not in line


def test_largest_exports_read_completely(real):
    """Every record of the largest exports is read (their speed is measured in bench/, not here):
    578 ICTRP XML trials, 927 portal CSV rows, 100 classic-API studies (SOURCES.md)."""
    paths = [real / "ictrp" / "ICTRP-Results_18Mar2020.xml", real / "ictrp" / "COVID19-927-trials_7Apr2020.csv",
             real / "ctgov-classic-json" / "covid-19-search.json"]
    counts = [sum(1 for item in read_blob(p.read_bytes(), str(p)) if isinstance(item, TrialRecord)) for p in paths]
    assert counts == [578, 927, 100]
