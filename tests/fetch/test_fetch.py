"""`trial-audit fetch` against a loopback replay of the v2 API: every study exactly once across
pages and retries, a manifest, no repeat of a finished fetch, updates that supersede older copies,
and a folder that `batch` audits."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from pytest_httpserver import HTTPServer

from auditor import batch
from auditor.engine import profiles
from auditor.fetch.folder import MANIFEST
from tests.conftest import run_cli
from tests.fetch.replay import Registry, hand_made, study_id

FAST = ("--rate", "0", "--backoff", "0.01", "--timeout", "5")


def fetch(api: str, out: Path, *args: str):
    return run_cli("fetch", *args, "--out", str(out), "--api-url", api, *FAST)


def folder_ids(out: Path) -> list[str]:
    """Every study id in the folder's page files, with repeats."""
    ids = []
    for page in sorted((out / "pages").rglob("*.json")):
        ids += [study_id(s) for s in orjson.loads(page.read_bytes())["studies"]]
    return ids


def manifest(out: Path) -> dict[str, Any]:
    return orjson.loads((out / MANIFEST).read_bytes())


def test_fetch_pages_with_tokens_and_writes_a_manifest(server: HTTPServer, tmp_path: Path) -> None:
    reg = Registry(hand_made(7), empty_after=1)
    api = reg.install(server)
    out = tmp_path / "f"
    result = fetch(api, out, "query.cond=low back pain", "--page-size", "2")
    assert result.exit_code == 0, result.output
    assert sorted(folder_ids(out)) == [study_id(s) for s in reg.studies]
    doc = manifest(out)
    assert doc["query"] == {"query.cond": "low back pain"} and doc["studies"] == 7
    (round_,) = doc["rounds"]
    assert round_["apiVersion"] == "2.0.5" and round_["dataTimestamp"] == "2026-01-15T09:00:00"
    assert round_["count"] == 7 and round_["status"] == "complete" and round_["started"] and round_["finished"]
    # 4 pages of studies and the empty one in the middle, which is listed but not written
    assert [p["studies"] for p in round_["pages"]] == [2, 2, 0, 2, 1]
    assert round_["pages"][2]["file"] is None
    requests = reg.studies_requests()
    assert requests[0]["countTotal"] == "true" and "pageToken" not in requests[0]
    assert all(r["query.cond"] == "low back pain" and r["pageSize"] == "2" for r in requests)
    tokens = [r["pageToken"] for r in requests[1:]]
    assert len(tokens) == 4 and len({len(t) for t in tokens}) > 1  # tokens of changing length were followed
    assert "5 pages" in result.output and "holds 7 studies" in result.output



def test_an_update_with_nothing_new_says_one_page(server: HTTPServer, tmp_path: Path) -> None:
    api = Registry(hand_made(2)).install(server)
    assert fetch(api, tmp_path / "f", "query.cond=x").exit_code == 0
    update = run_cli("fetch", "--update", str(tmp_path / "f"), "--api-url", api, *FAST, "--since", "2099-01-01")
    assert update.exit_code == 0, update.output
    assert "0 studies in 1 page (" in update.output, update.output


def test_retries_429_with_retry_after_503_and_a_dropped_connection(server: HTTPServer, tmp_path: Path) -> None:
    reg = Registry(hand_made(6), faults={(0, 1): "503", (1, 1): "429", (2, 1): "drop", (2, 2): "503"})
    api = reg.install(server)
    out = tmp_path / "f"
    result = fetch(api, out, "query.term=pain", "--page-size", "2")
    assert result.exit_code == 0, result.output
    ids = folder_ids(out)
    assert len(ids) == len(set(ids)) == 6
    times = [(q.get("pageToken"), t) for path, q, t in reg.log if path.endswith("/studies")]
    assert len(times) == 3 + 4  # three pages, four retries
    second = [t for tok, t in times if tok == reg.studies_requests()[2].get("pageToken")]
    assert second[1] - second[0] >= 0.95  # Retry-After: 1 was honoured (the backoff alone is 0.01 s)
    assert "HTTP 429" in result.output and "HTTP 503" in result.output  # retries are reported


def test_a_finished_fetch_is_not_repeated(server: HTTPServer, tmp_path: Path) -> None:
    reg = Registry(hand_made(3))
    api = reg.install(server)
    out = tmp_path / "f"
    assert fetch(api, out, "query.cond=back pain").exit_code == 0
    before = len(reg.log)
    again = fetch(api, out, "query.cond=back pain")
    assert again.exit_code == 0 and "already complete" in again.output
    assert len(reg.log) == before  # not a single request


def test_update_fetches_changes_since_the_last_fetch_and_supersedes(server: HTTPServer, tmp_path: Path) -> None:
    reg = Registry(hand_made(5), data_timestamp="2026-01-15T09:00:00")
    api = reg.install(server)
    out = tmp_path / "f"
    assert fetch(api, out, "query.cond=back pain", "filter.advanced=AREA[Phase]PHASE2", "--page-size", "2").exit_code == 0
    first = batch.run([str(out)], tmp_path / "audit", profiles.load(), jobs=1)  # audited before the update
    assert first.totals.audited == 5
    for i in (1, 4):  # two studies change after the first fetch
        s = reg.studies[i]["protocolSection"]
        s["identificationModule"]["briefTitle"] = f"Updated study {i}"
        s["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2026-02-01"
    reg.data_timestamp = "2026-02-10T09:00:00"
    result = run_cli("fetch", "--update", str(out), "--api-url", api, *FAST)
    assert result.exit_code == 0, result.output
    last = reg.studies_requests()[-1]
    assert last["filter.advanced"] == "(AREA[Phase]PHASE2) AND (AREA[LastUpdatePostDate]RANGE[2026-01-15,MAX])"
    ids = folder_ids(out)
    assert sorted(ids) == sorted(study_id(s) for s in reg.studies)  # each study once
    doc = manifest(out)
    assert [r["since"] for r in doc["rounds"]] == [None, "2026-01-15"] and doc["rounds"][1]["superseded"] == 2
    titles = {study_id(s): s["protocolSection"]["identificationModule"]["briefTitle"]
              for p in (out / "pages").rglob("*.json") for s in orjson.loads(p.read_bytes())["studies"]}
    assert titles[study_id(reg.studies[1])] == "Updated study 1" and titles[study_id(reg.studies[4])] == "Updated study 4"
    # a batch over the folder counts each study once, with its newest copy
    outcome = batch.run([str(out)], tmp_path / "audit", profiles.load(), jobs=1)
    assert outcome.totals.failed == 0
    trials = batch.load(tmp_path / "audit")["trials"]
    assert sorted(trials["trial_id"]) == sorted(ids)
    assert "Updated study 4" in set(trials["title"])


def test_since_on_a_new_folder_filters_by_last_update(server: HTTPServer, tmp_path: Path) -> None:
    reg = Registry(hand_made(3))
    reg.studies[2]["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2026-03-01"
    api = reg.install(server)
    out = tmp_path / "f"
    assert fetch(api, out, "query.cond=back pain", "--since", "2026-02-01").exit_code == 0
    assert folder_ids(out) == [study_id(reg.studies[2])]
    assert manifest(out)["rounds"][0]["since"] == "2026-02-01"


def test_a_study_repeated_across_pages_is_kept_once(server: HTTPServer, tmp_path: Path) -> None:
    studies = hand_made(4)
    reg = Registry(studies + [studies[0]])  # the registry moved a study while we paged
    api = reg.install(server)
    out = tmp_path / "f"
    assert fetch(api, out, "query.cond=x", "--page-size", "2").exit_code == 0
    assert sorted(folder_ids(out)) == sorted(study_id(s) for s in studies)


def test_batch_reads_a_fetch_folder_like_any_input(server: HTTPServer, tmp_path: Path) -> None:
    reg = Registry(hand_made(5))
    api = reg.install(server)
    out = tmp_path / "f"
    assert fetch(api, out, "query.cond=x", "--page-size", "2").exit_code == 0
    result = run_cli("check", str(out), "--format", "json")
    assert result.exit_code in (0, 1), result.output
    assert len(orjson.loads(result.stdout)["audits"]) == 5  # the manifest is not read as a record
    outcome = batch.run([str(out)], tmp_path / "audit", profiles.load(), jobs=1)
    assert outcome.totals.as_dict() == {"seen": 5, "audited": 5, "failed": 0, "skipped": 0}


@pytest.mark.parametrize(("args", "message"), [
    (("query.cond=pain", "format=csv"), "'format' is not accepted"),
    (("cond=pain",), "did you mean 'query.cond'"),
    (("https://clinicaltrials.gov/search?cond=pain&lat=1",), "'lat' is not supported"),
    (("low back pain",), "expected NAME=VALUE"),
    (("query.cond=pain", "--since", "1 May"), "--since '1 May'"),
])
def test_bad_queries_are_one_line_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("fetch", *args, "--out", str(tmp_path / "f"), "--api-url", "http://127.0.0.1:9/api/v2")
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unreachable_server_is_exit_2(tmp_path: Path) -> None:
    start = time.monotonic()
    result = run_cli("fetch", "query.cond=pain", "--out", str(tmp_path / "f"),
                     "--api-url", "http://127.0.0.1:9/api/v2", "--retries", "1", *FAST)
    assert result.exit_code == 2 and "cannot reach http://127.0.0.1:9/api/v2/version" in result.stderr
    assert time.monotonic() - start < 10


def test_a_refused_query_quotes_the_server(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/api/v2/version").respond_with_json({"apiVersion": "2.0.5"})
    server.expect_request("/api/v2/studies").respond_with_data("unknown area Foo", status=400)
    result = fetch(server.url_for("/api/v2"), tmp_path / "f", "filter.advanced=AREA[Foo]x")
    assert result.exit_code == 2 and "HTTP 400: unknown area Foo" in result.stderr


def test_another_query_into_the_same_folder_is_refused(server: HTTPServer, tmp_path: Path) -> None:
    api = Registry(hand_made(2)).install(server)
    out = tmp_path / "f"
    assert fetch(api, out, "query.cond=a").exit_code == 0
    result = fetch(api, out, "query.cond=b")
    assert result.exit_code == 2 and "holds a fetch of another query" in result.stderr


def test_count_only(server: HTTPServer) -> None:
    reg = Registry(hand_made(4))
    result = run_cli("fetch", "query.cond=x", "--count", "--api-url", reg.install(server), *FAST)
    assert result.exit_code == 0 and result.stdout.strip() == "4"


def test_batch_fetch_fetches_then_audits_and_a_rerun_only_updates(server: HTTPServer, tmp_path: Path) -> None:
    """`batch --fetch QUERY --out DIR`: one command fetches into DIR/fetch and audits it; run again, it
    fetches only the changes (an update round) and re-audits nothing that did not change."""
    import duckdb

    reg = Registry(hand_made(5))
    api = reg.install(server)
    out = tmp_path / "audit"
    args = ("batch", "--fetch", "query.cond=x", "--api-url", api, "--out", str(out), "--jobs", "1")
    first = run_cli(*args)
    assert first.exit_code in (0, 1), first.output
    assert sorted(set(folder_ids(out / "fetch"))) == sorted(study_id(s) for s in hand_made(5))
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM trials").fetchone() == (5,)
    con.close()
    again = run_cli(*args)
    assert again.exit_code in (0, 1), again.output
    assert len(manifest(out / "fetch")["rounds"]) == 2  # the second run was an update round
    assert "0 audited" in again.output or "= 0 audited" in again.output
    other = run_cli("batch", "--fetch", "query.cond=y", "--api-url", api, "--out", str(out))
    assert other.exit_code == 2 and "holds the fetch of another query" in other.stderr


def test_batch_fetch_does_not_tell_its_user_to_run_batch(server: HTTPServer, tmp_path: Path) -> None:
    """`fetch` ends with "Audit them with: trial-audit batch FOLDER"; inside `batch --fetch`, which is
    that audit, the hint is left out."""
    api = Registry(hand_made(3)).install(server)
    alone = fetch(api, tmp_path / "f", "query.cond=x")
    assert alone.exit_code == 0 and f"Audit them with: trial-audit batch {tmp_path / 'f'}" in alone.output
    both = run_cli("batch", "--fetch", "query.cond=x", "--api-url", api, "--out", str(tmp_path / "audit"), "--jobs", "1")
    assert both.exit_code == 0, both.output
    assert "holds 3 studies." in both.output and "Audit them with" not in both.output
