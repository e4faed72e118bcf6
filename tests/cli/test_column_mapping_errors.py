"""Acceptance tests: a mistake in a column-mapping file (TRIAL_AUDIT_COLUMN_MAP) names the mapping
file and line, and offers the nearest name ("did you mean 'title'?")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

SHEET = "Registration no.,Study,N\nNCT09600001,Yoga for back pain,100\n"


@pytest.mark.parametrize(("mapping", "message"), [
    ("columns:\n  trial_id: Registration no.\n  titel: Study\n",
     "column mapping {map}:3: unknown target 'titel'; did you mean 'title'? known: trial_id, registry, title"),
    ("columns:\n  trial_id: Registration no.\n  title: Studdy\n",
     "column mapping {map}:3: title -> 'Studdy', but the sheet has no such column; did you mean 'Study'?"),
    ("trial_id: Registration no.\ntitel: Study\n",  # the flat form, without `columns:`
     "column mapping {map}:2: unknown key 'titel'; did you mean 'title'?"),
    ("columns:\n  trial_id: Registration no.\nseperator: ','\n",
     "column mapping {map}:3: unknown key 'seperator'; did you mean 'separator'?"),
])
def test_a_mapping_mistake_names_the_file_and_line_and_the_nearest_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                        mapping: str, message: str) -> None:
    sheet = tmp_path / "m.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    path = tmp_path / "map2.yaml"
    path.write_text(mapping, encoding="utf-8")
    monkeypatch.setenv("TRIAL_AUDIT_COLUMN_MAP", str(path))
    result = run_cli("check", str(sheet), "--input-format", "spreadsheet", "--isolated")
    assert result.exit_code == 2
    assert f"{sheet}: " + message.format(map=path) in result.stderr
