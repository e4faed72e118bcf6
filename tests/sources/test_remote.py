"""Inputs by URL (fsspec): file:// and a loopback S3 (moto's server on 127.0.0.1, never the
internet) give the records, archives, hashes and incremental re-runs of the same local files."""

from __future__ import annotations

import gzip
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pandas as pd
import pytest

from auditor import batch
from auditor.engine import profiles
from auditor.sources import containers, read_paths, remote
from tests.batch.data import study, write_corpus
from tests.batch.test_runner import tables
from tests.conftest import run_cli

fsspec = pytest.importorskip("fsspec")

BUCKET = "registry"


@pytest.fixture(scope="module")
def profile() -> profiles.Profile:
    return profiles.load()


def corpus(root: Path) -> Path:
    write_corpus(root, files=4, per_file=2)
    with zipfile.ZipFile(root / "pages.zip", "w") as archive:
        archive.writestr("one.json", orjson.dumps(study("NCT91000001")))
        archive.writestr("__MACOSX/._one.json", b"litter")
    (root / "gz.json.gz").write_bytes(gzip.compress(orjson.dumps(study("NCT91000002"))))
    (root / "broken.json").write_text('{"studies": [', encoding="utf-8")
    (root / ".hidden.json").write_bytes(orjson.dumps(study("NCT91000003")))
    results = root / "old-results"
    results.mkdir()
    (results / "audit.duckdb").write_bytes(b"")  # a results folder: never an input
    (results / "trials.json").write_bytes(orjson.dumps(study("NCT91000004")))
    return root


def same_but_paths(local: Path, other: Path, local_prefix: str, url_prefix: str) -> None:
    """The tables agree except for the input's name (and the blob ids made from it)."""
    left, right = tables(local), tables(other)
    for name in ("trials", "records", "findings", "errors"):
        a, b = left[name], right[name].copy()
        for col in ("source_path", "preferred_source"):
            if col in b.columns:
                b[col] = b[col].str.replace(url_prefix, local_prefix, regex=False)
        drop = [c for c in a.columns if c in ("blob_id", "reason")]
        pd.testing.assert_frame_equal(a.drop(columns=drop), b.drop(columns=drop), check_dtype=False, obj=name)


def test_is_url() -> None:
    assert remote.is_url("s3://bucket/key") and remote.is_url("file:///tmp/x") and remote.is_url("gs://b/")
    assert not remote.is_url("/tmp/x") and not remote.is_url("C:\\data\\x.json") and not remote.is_url("-")


def test_file_urls_are_the_local_files(tmp_path: Path, profile) -> None:
    root = corpus(tmp_path / "in").resolve()
    url = root.as_uri()
    assert [u for u, _ in containers.url_inputs(url)] == [
        (root / p).as_uri() for p in ("a/page1.json", "a/page3.json", "b/page0.json", "b/page2.json",
                                      "broken.json", "gz.json.gz", "pages.zip")]
    batch.run([str(root)], tmp_path / "local", profile, jobs=1)
    outcome = batch.run([url], tmp_path / "url", profile, jobs=1)
    assert outcome.totals.as_dict() == {"seen": 11, "audited": 10, "failed": 1, "skipped": 0}
    same_but_paths(tmp_path / "local", tmp_path / "url", str(root), url)
    missing = [e for e in read_paths([url + "/nope.json", url + "/empty/"]) if not hasattr(e, "trial_id")]
    assert [e.message for e in missing] == ["no such file or object", "no such file or object"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    """A moto S3 server on loopback; fsspec's s3 settings point at it for this module."""
    pytest.importorskip("s3fs")
    server_mod = pytest.importorskip("moto.server")
    port = _free_port()
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as patch:
        # Made-up credentials for the fake service: nothing here can reach a real account.
        for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                            ("AWS_DEFAULT_REGION", "us-east-1")):
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        patch.setitem(fsspec.config.conf, "s3", {"endpoint_url": endpoint})
        import s3fs

        s3fs.S3FileSystem.clear_instance_cache()
        try:
            s3fs.S3FileSystem().mkdir(BUCKET)
            yield endpoint
        finally:
            s3fs.S3FileSystem.clear_instance_cache()
            server.stop()


def test_s3_inputs_are_audited_as_the_local_files(tmp_path: Path, profile, s3: str) -> None:
    import s3fs

    root = corpus(tmp_path / "in").resolve()
    fs = s3fs.S3FileSystem()
    fs.put(str(root) + "/", f"{BUCKET}/in/", recursive=True)
    url = f"s3://{BUCKET}/in"
    assert len(list(containers.url_inputs(url))) == 7

    local = batch.run([str(root)], tmp_path / "local", profile, jobs=1)
    first = batch.run([url], tmp_path / "s3", profile, jobs=2)
    assert first.totals.as_dict() == local.totals.as_dict()
    same_but_paths(tmp_path / "local", tmp_path / "s3", str(root), url)
    # The same hashes as local files: an unchanged object is skipped, a changed one re-audited.
    again = batch.run([url], tmp_path / "s3", profile, jobs=1)
    assert (again.totals.skipped, again.totals.audited) == (local.totals.seen, 0)
    fs.pipe(f"{BUCKET}/in/a/page1.json", orjson.dumps(study("NCT95000001")))
    changed = batch.run([url], tmp_path / "s3", profile, jobs=1)
    assert (changed.totals.audited, changed.totals.skipped) == (1, local.totals.seen - 2)
    assert "NCT95000001" in set(batch.load(tmp_path / "s3")["records"].trial_id)


def test_check_reads_an_s3_object_and_names_a_missing_one(tmp_path: Path, s3: str) -> None:
    import s3fs

    s3fs.S3FileSystem().pipe(f"{BUCKET}/one/NCT96000001.json", orjson.dumps(study("NCT96000001")))
    local = tmp_path / "NCT96000001.json"
    local.write_bytes(orjson.dumps(study("NCT96000001")))
    from_s3 = run_cli("check", f"s3://{BUCKET}/one/NCT96000001.json", "--format", "json")
    from_disk = run_cli("check", str(local), "--format", "json")
    assert from_s3.exit_code == from_disk.exit_code == 1
    assert from_s3.output.replace(f"s3://{BUCKET}/one/", "") == from_disk.output.replace(str(tmp_path) + "/", "")
    missing = run_cli("check", f"s3://{BUCKET}/one/nope.json")
    assert missing.exit_code == 2 and "nope.json" in missing.output and "no such file" in missing.output
