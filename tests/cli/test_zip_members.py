"""Acceptance tests: a zip member whose path climbs out of the archive (`..`) or is absolute is
refused as an error naming archive and member, never dropped in silence; an archive with nothing
to audit is exit 2, as an empty folder is."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.conftest import REPO, run_cli

STUDY = (REPO / "tests" / "sources" / "fixtures" / "v2_study.json").read_bytes()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def test_a_zip_of_only_a_traversing_member_is_an_error_not_a_silent_pass(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "only_trav.zip", {"../NCT09000003.json": STUDY})
    result = run_cli("check", str(archive), "--isolated")
    assert result.exit_code == 2
    assert f"{archive}!../NCT09000003.json: unsafe path in archive: refused" in result.stderr


def test_unsafe_members_are_refused_one_by_one_and_the_safe_one_is_audited(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "trav.zip", {"../x.json": STUDY, "/abs/y.json": STUDY, "ok/z.json": STUDY,
                                           "a/../../../../tmp/pwned.json": STUDY})
    result = run_cli("check", str(archive), "--isolated")
    assert result.exit_code == 2
    assert f"[ClinicalTrials.gov, {archive}!ok/z.json]" in result.stdout
    for member in ("../x.json", "/abs/y.json", "a/../../../../tmp/pwned.json"):
        assert f"{archive}!{member}: unsafe path in archive: refused" in result.stderr
    assert "1 record audited · 3 could not be audited" in result.stdout


def test_hidden_members_are_skipped_but_an_archive_of_only_them_is_exit_2(tmp_path: Path) -> None:
    litter = {".NCT1.json": STUDY, "__MACOSX/NCT2.json": STUDY, "a/.DS_Store": b"\x00"}
    with_study = run_cli("check", str(_zip(tmp_path / "mixed.zip", {**litter, "s.json": STUDY})), "--isolated")
    assert with_study.exit_code in (0, 1) and with_study.stderr == ""
    assert "1 record audited" in with_study.stdout and "could not be audited" not in with_study.stdout
    only = run_cli("check", str(_zip(tmp_path / "hidden.zip", litter)), "--isolated")
    assert only.exit_code == 2
    assert "hidden.zip: archive has no input files: its 3 member(s) are hidden or system files" in only.stderr


def test_batch_counts_a_refused_member_as_a_record_that_failed(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "only_trav.zip", {"../NCT09000003.json": STUDY})
    result = run_cli("batch", str(archive), "--out", str(tmp_path / "out"), "--isolated")
    assert "1 records seen = 0 audited + 1 failed to read" in result.output
    errors = (tmp_path / "out" / "errors.csv").read_text(encoding="utf-8")
    assert "only_trav.zip!../NCT09000003.json" in errors and "unsafe path in archive: refused" in errors
