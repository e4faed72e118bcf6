"""`--executor dask`: the same tables as local workers, on a loopback LocalCluster (2 worker
processes), also when a worker is killed mid-run, and a poison input becomes an error row.

One cluster for the module (starting one costs a few seconds); small inputs."""

from __future__ import annotations

import gzip
import logging
import os
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

import dask  # noqa: E402

from auditor import batch  # noqa: E402
from auditor.batch import cluster as dask_executor  # noqa: E402
from auditor.batch.worker import Chunk, Task  # noqa: E402
from auditor.engine import profiles  # noqa: E402
from tests.batch.data import study, write_corpus  # noqa: E402
from tests.batch.test_runner import tables  # noqa: E402
from tests.conftest import real_data_dir, run_cli  # noqa: E402


@pytest.fixture(scope="module")
def profile() -> profiles.Profile:
    return profiles.load()


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    # A task survives one death of its worker (the kill test); a second makes it a KilledWorker
    # (the poison test). Saturation 1.0: a worker holds only the task it runs, so a death counts
    # against that task alone.
    config = {"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0}
    with dask.config.set(config), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0",
            silence_logs=logging.CRITICAL) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def small_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask_executor, "FILES_PER_TASK", 2)  # many tasks from a small corpus


def own_corpus(root: Path) -> Path:
    """Pages, an archive, a gzip file and unreadable inputs: every path through the worker."""
    write_corpus(root, files=6, per_file=3)
    (root / "broken.json").write_text('{"studies": [', encoding="utf-8")
    with zipfile.ZipFile(root / "pages.zip", "w") as archive:
        archive.writestr("one.json", b'{"studies": [' + _dumps(study("NCT91000001")) + b"]}")
        archive.writestr("two.json", _dumps(study("NCT91000002", enrollment=300)))
    (root / "gz.json.gz").write_bytes(gzip.compress(_dumps(study("NCT91000003"))))
    return root


def _dumps(doc: Any) -> bytes:
    import orjson

    return orjson.dumps(doc)


def assert_same_tables(a: Path, b: Path) -> None:
    """As tests.batch.test_runner's, in a total order: rows that tie on the store's sort keys (two
    conflicts of one trial and field from one file) arrive in whatever order the workers finished."""
    left, right = tables(a), tables(b)
    for name in left:
        x, y = (df.loc[df.astype(str).sort_values(list(df.columns)).index].reset_index(drop=True)
                for df in (left[name], right[name]))
        pd.testing.assert_frame_equal(x, y, check_dtype=False, obj=name)


def dask_run(inputs: list[str], out: Path, profile: profiles.Profile, scheduler: str, **kw: Any) -> batch.Outcome:
    return batch.run(inputs, out, profile, jobs=2, executor="dask", scheduler=scheduler, **kw)


def test_dask_gives_the_local_tables_and_resumes_incrementally(tmp_path: Path, profile, scheduler, small_tasks) -> None:
    inputs = [str(own_corpus(tmp_path / "in"))]
    local = batch.run(inputs, tmp_path / "local", profile, jobs=1)
    remote = dask_run(inputs, tmp_path / "dask", profile, scheduler, chunk_size=4)
    assert remote.status == "completed"
    assert remote.totals.as_dict() == local.totals.as_dict()
    assert_same_tables(tmp_path / "local", tmp_path / "dask")
    # An incremental re-run through the cluster: everything unchanged, then one changed file.
    again = dask_run(inputs, tmp_path / "dask", profile, scheduler)
    assert (again.totals.skipped, again.totals.audited) == (local.totals.seen, 0)
    (tmp_path / "in" / "b" / "page0.json").write_bytes(b'{"studies": [' + _dumps(study("NCT93000001")) + b"]}")
    changed = dask_run(inputs, tmp_path / "dask", profile, scheduler)
    assert changed.totals.audited == 1
    batch.run(inputs, tmp_path / "local2", profile, jobs=1)
    assert_same_tables(tmp_path / "local2", tmp_path / "dask")


# The real records of three registries' formats (CT.gov API v2, WHO ICTRP XML and CSV, EU CTR):
# every reader path that matters here, at a quarter of the time of the whole real-data folder.
REAL_FOLDERS = ("ctgov-v2", "ictrp", "euctr")


def test_real_data_through_the_cluster_gives_the_local_tables(tmp_path: Path, profile, scheduler) -> None:
    real = real_data_dir()
    if not real.is_dir():
        pytest.skip(f"real registry data not found at {real} (set TRIAL_AUDIT_REAL_DATA)")
    inputs = [str(real / name) for name in REAL_FOLDERS]
    local = batch.run(inputs, tmp_path / "local", profile, jobs=2)
    outcome = dask_run(inputs, tmp_path / "dask", profile, scheduler)
    assert outcome.status == "completed" and outcome.totals.audited > 300
    assert outcome.totals.as_dict() == local.totals.as_dict()
    assert_same_tables(tmp_path / "local", tmp_path / "dask")


class KillOneWorker:
    """A progress sink that SIGKILLs a busy Dask worker process when the first results arrive."""

    def __init__(self, scheduler: str):
        self.client = distributed.Client(scheduler, set_as_default=False)
        self.killed: int | None = None

    def start(self, total_bytes: int) -> None:
        pass

    def update(self, records: int, done_bytes: int) -> None:
        if self.killed is None and records > 0:
            busy = [addr for addr, keys in self.client.processing().items() if keys]
            if busy:  # one that is auditing a batch now: the scheduler has to run that batch again
                pid = self.client.run(os.getpid, workers=busy[:1])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                self.killed = pid

    def stop(self) -> None:
        pass


def test_a_worker_killed_mid_run_changes_nothing(tmp_path: Path, profile, scheduler, small_tasks) -> None:
    inputs = own_corpus(tmp_path / "in")
    write_corpus(inputs / "more", files=24, per_file=2, prefix="NCT8")  # a dozen more tasks
    local = batch.run([str(inputs)], tmp_path / "local", profile, jobs=1)
    killer = KillOneWorker(scheduler)
    try:
        outcome = dask_run([str(inputs)], tmp_path / "dask", profile, scheduler, progress=killer)
        killer.client.wait_for_workers(2, timeout=60)  # the nanny restarts it for the next tests
    finally:
        killer.client.close()
    assert killer.killed is not None
    assert outcome.status == "completed" and outcome.totals.as_dict() == local.totals.as_dict()
    assert_same_tables(tmp_path / "local", tmp_path / "dask")


def poisonous(tasks: list[Task], *args: Any) -> list[Chunk]:
    """The task function, except that a file named poison* kills the worker running it."""
    if any(Path(t.path).name.startswith("poison") for t in tasks):
        os._exit(1)
    return dask_executor.audit_batch(tasks, *args)


def test_a_poison_input_becomes_an_error_row(tmp_path: Path, profile, scheduler, small_tasks,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = own_corpus(tmp_path / "in")
    batch.run([str(inputs)], tmp_path / "local", profile, jobs=1)
    (inputs / "a" / "poison.json").write_bytes(_dumps(study("NCT94000001")))
    monkeypatch.setattr(dask_executor, "audit_batch", poisonous)
    outcome = dask_run([str(inputs)], tmp_path / "dask", profile, scheduler)
    assert outcome.status == "completed"
    errors = batch.load(tmp_path / "dask")["errors"]
    poison = errors[errors.source_path.str.endswith("poison.json")]
    assert len(poison) == 1 and "worker auditing this file died" in poison.reason.item()
    left, right = tables(tmp_path / "local"), tables(tmp_path / "dask")
    for name in ("trials", "records", "findings"):
        assert left[name].equals(right[name]), name
    assert len(right["errors"]) == len(left["errors"]) + 1


STUCK = "NCT95000002"


def stuck_record(tasks: list[Task], *args: Any) -> list[Chunk]:
    """The task function (on a Dask worker thread, where SIGALRM cannot act) with one record whose
    audit spins in Python for a minute; the record budget is the one the parent hands over."""
    import threading
    import time

    from auditor.batch import worker

    assert threading.current_thread() is not threading.main_thread()
    original = worker.verdict

    def spin(record: Any, *rest: Any) -> Any:
        if record.trial_id == STUCK:
            end = time.monotonic() + 60
            while time.monotonic() < end:
                pass
        return original(record, *rest)

    worker.verdict = spin
    try:
        return dask_executor.audit_batch(tasks, *args)
    finally:
        worker.verdict = original


def test_the_record_budget_acts_on_dask_worker_threads(tmp_path: Path, profile, scheduler,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """An over-budget record on a Dask worker thread becomes an error row and the task goes on. The
    budget (8 s: a cold worker on a busy machine takes a second for its first record) is set in the
    parent's environment only: the workers, started before, get it with their tasks."""
    import time

    import orjson

    monkeypatch.setenv("TRIAL_AUDIT_RECORD_SECONDS", "8")
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "page.json").write_bytes(orjson.dumps({"studies": [study(f"NCT9500000{i}") for i in (1, 2, 3)]}))
    monkeypatch.setattr(dask_executor, "audit_batch", stuck_record)
    start = time.monotonic()
    outcome = dask_run([str(inputs)], tmp_path / "dask", profile, scheduler)
    assert time.monotonic() - start < 45  # the minute-long record was stopped, not waited for
    assert outcome.status == "completed"
    store = batch.load(tmp_path / "dask")
    assert outcome.totals.as_dict() == {"seen": 3, "audited": 2, "failed": 1, "skipped": 0}
    assert set(store["trials"].trial_id) == {"NCT95000001", "NCT95000003"}
    (reason,) = store["errors"].reason
    assert "audit took longer than 8 s" in reason and store["errors"].record_id.item() == STUCK


def test_cli_needs_a_scheduler_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIAL_AUDIT_DASK_SCHEDULER", raising=False)
    write_corpus(tmp_path / "in", files=1, per_file=1)
    result = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--executor", "dask")
    assert result.exit_code == 2
    assert "--scheduler tcp://HOST:PORT or TRIAL_AUDIT_DASK_SCHEDULER" in result.output


def test_cli_runs_on_the_cluster_named_by_the_environment(tmp_path: Path, scheduler,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAL_AUDIT_DASK_SCHEDULER", scheduler)
    write_corpus(tmp_path / "in", files=2, per_file=2)
    result = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--executor", "dask")
    assert result.exit_code == 0, result.output
    assert "4 records seen = 4 audited" in result.output
    assert batch.load(tmp_path / "out")["runs"].options.str.contains('"executor": "dask"').all()


def test_an_unreachable_scheduler_is_one_clear_error(tmp_path: Path, profile, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(dask_executor, "CONNECT_SECONDS", 1)
    write_corpus(tmp_path / "in", files=1, per_file=1)
    with pytest.raises(batch.BatchError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"):
        dask_run([str(tmp_path / "in")], tmp_path / "out", profile, f"tcp://127.0.0.1:{port}")
    assert not (tmp_path / "out" / "audit.duckdb").exists()  # nothing started
