"""A fetch killed mid-way (SIGKILL of a real process) resumes where it stopped, without
duplicates and without asking again for the pages it already has; and real studies replayed
through the loopback API come out exactly once and audit like the originals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from pytest_httpserver import HTTPServer

from auditor import batch
from auditor.engine import profiles
from auditor.fetch.folder import MANIFEST
from tests.conftest import REPO, run_cli
from tests.fetch.replay import Registry, hand_made, study_id
from tests.fetch.test_fetch import FAST, fetch, folder_ids


def _kill_during_page(reg: Registry, api: str, out: Path, page: int, *query: str) -> None:
    """Start `trial-audit fetch` in a process of its own and SIGKILL it while `page` is in flight."""
    reg.hold = page
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "auditor", "fetch", *query, "--out", str(out), "--api-url", api,
                             "--page-size", "2", *FAST], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert reg.reached.wait(60), proc.stderr.read().decode() if proc.poll() is not None and proc.stderr else ""
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        reg.hold = None
        reg.release.set()


def test_a_killed_fetch_resumes_without_duplicates(server: HTTPServer, tmp_path: Path) -> None:
    reg = Registry(hand_made(9))
    api = reg.install(server)
    out = tmp_path / "f"
    _kill_during_page(reg, api, out, 3, "query.cond=low back pain")
    doc = orjson.loads((out / MANIFEST).read_bytes())
    (round_,) = doc["rounds"]
    assert round_["status"] == "paging" and len(round_["pages"]) == 3  # pages 0-2 were kept
    assert len(folder_ids(out)) == 6
    asked = len(reg.studies_requests())
    result = fetch(api, out, "query.cond=low back pain", "--page-size", "2")
    assert result.exit_code == 0, result.output
    assert "fetch resumed and complete" in result.output
    ids = folder_ids(out)
    assert len(ids) == len(set(ids)) == 9
    resumed = reg.studies_requests()[asked:]
    assert "countTotal" not in resumed[0] and resumed[0]["pageToken"]  # went on from page 3, not from the start
    assert len(resumed) == 2  # pages 3 and 4 only
    done = orjson.loads((out / MANIFEST).read_bytes())["rounds"][0]
    assert done["status"] == "complete" and [p["page"] for p in done["pages"]] == [1, 2, 3, 4, 5]


def _real_page_size(studies: list[dict[str, Any]]) -> int:
    return max(1, len(studies) // 4 + 1)  # four pages or so, whatever the real set holds


def test_real_studies_replayed_come_out_exactly_once_and_audit(server: HTTPServer, tmp_path: Path,
                                                               real_studies: list[dict[str, Any]]) -> None:
    size = _real_page_size(real_studies)
    reg = Registry(real_studies, empty_after=1, faults={(1, 1): "429", (2, 1): "drop", (3, 1): "503"},
                   retry_after="0")
    api = reg.install(server)
    out = tmp_path / "f"
    result = fetch(api, out, "https://clinicaltrials.gov/search?cond=low%20back%20pain&intr=exercise",
                   "--page-size", str(size))
    assert result.exit_code == 0, result.output
    assert reg.studies_requests()[0]["query.cond"] == "low back pain"
    assert reg.studies_requests()[0]["query.intr"] == "exercise"
    ids = folder_ids(out)
    assert len(ids) == len(set(ids)) == len(real_studies)
    outcome = batch.run([str(out)], tmp_path / "audit", profiles.load(), jobs=1)
    assert outcome.totals.seen == len(real_studies)
    assert outcome.totals.audited + outcome.totals.failed == len(real_studies)
    # the same studies audited straight from a page file of their own give the same verdicts
    direct = tmp_path / "direct"
    direct.mkdir()
    (direct / "all.json").write_bytes(orjson.dumps({"studies": real_studies}))
    batch.run([str(direct)], tmp_path / "audit-direct", profiles.load(), jobs=1)
    fetched = batch.load(tmp_path / "audit")["trials"].set_index("trial_id").sort_index()
    original = batch.load(tmp_path / "audit-direct")["trials"].set_index("trial_id").sort_index()
    codes = [c.code for c in profiles.load().criteria]
    assert fetched[codes].equals(original[codes])


@pytest.mark.parametrize("page", [0, 2])
def test_killed_on_any_page_then_resumed_gives_every_real_study_once(server: HTTPServer, tmp_path: Path,
                                                                     real_studies: list[dict[str, Any]],
                                                                     page: int) -> None:
    reg = Registry(real_studies[:9])
    api = reg.install(server)
    out = tmp_path / "f"
    _kill_during_page(reg, api, out, page, "query.cond=back")
    assert fetch(api, out, "query.cond=back", "--page-size", "2").exit_code == 0
    assert sorted(folder_ids(out)) == sorted(study_id(s) for s in real_studies[:9])


def test_an_update_after_a_killed_fetch_first_finishes_it(server: HTTPServer, tmp_path: Path) -> None:
    reg = Registry(hand_made(6))
    api = reg.install(server)
    out = tmp_path / "f"
    _kill_during_page(reg, api, out, 1, "query.cond=back")
    result = run_cli("fetch", "--update", str(out), "--api-url", api, "--page-size", "2", *FAST)
    assert result.exit_code == 0, result.output
    rounds = orjson.loads((out / MANIFEST).read_bytes())["rounds"]
    assert [r["status"] for r in rounds] == ["complete", "complete"] and rounds[1]["since"] == "2026-01-15"
    assert sorted(folder_ids(out)) == sorted(study_id(s) for s in reg.studies)


def test_a_second_fetch_into_a_folder_being_fetched_is_refused(server: HTTPServer, tmp_path: Path) -> None:
    """Two fetches at once would each save the manifest they read (the later save drops the other's
    pages, which `batch` then reads unlisted); the second is refused, the first finishes."""
    reg = Registry(hand_made(7))
    api = reg.install(server)
    out = tmp_path / "f"
    reg.hold = 2
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    first = subprocess.Popen([sys.executable, "-m", "auditor", "fetch", "query.cond=low back pain", "--out", str(out),
                              "--api-url", api, "--page-size", "2", *FAST], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        assert reg.reached.wait(60), first.stderr.read().decode() if first.poll() is not None and first.stderr else ""
        asked = len(reg.studies_requests())
        for args in (("query.cond=low back pain", "--page-size", "2"), ("--update", str(out))):
            second = run_cli("fetch", *args, "--out", str(out), "--api-url", api, *FAST) if args[0] != "--update" \
                else run_cli("fetch", *args, "--api-url", api, *FAST)
            assert second.exit_code == 2, second.output
            assert "another `trial-audit fetch` is writing this folder" in second.output
        assert len(reg.studies_requests()) == asked  # the refused fetches asked nothing
    finally:
        reg.hold = None
        reg.release.set()
    first.wait(60)
    assert first.returncode == 0, first.stderr.read().decode() if first.stderr else ""
    ids = folder_ids(out)
    assert len(ids) == len(set(ids)) == 7
    assert orjson.loads((out / MANIFEST).read_bytes())["rounds"][0]["status"] == "complete"
