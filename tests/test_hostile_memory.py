"""Issue 11, memory: large inputs are read record by record, `check` keeps no audit, bad
TRIAL_AUDIT_* values are one line at use. Behaviour, not timings (bench/hostile_memory.py measures
the peaks): a generated input is read under an address-space limit (resource.setrlimit) smaller
than itself, in a subprocess."""

from __future__ import annotations

import gc
import gzip
import os
import subprocess
import sys
import textwrap
import weakref
import zipfile
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest

from auditor import limits
from auditor.findings import TrialAudit
from auditor.model import TrialRecord
from auditor.sources import containers, read_blob, read_paths, sizes, spool
from tests.batch.data import study, write_corpus
from tests.conftest import REPO, run_cli
from tests.hostile import write_ictrp


def _studies(count: int, text_kb: int = 0) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        item = study(f"NCT9{i:07d}", enrollment=20 + i)
        if text_kb:
            item["protocolSection"]["descriptionModule"] = {"detailedDescription": f"Trial {i}. " + "x" * (text_kb << 10)}
        out.append(item)
    return out


def _write_array(path: Path, count: int, text_kb: int = 0, indent: bool = False) -> None:
    option = orjson.OPT_INDENT_2 if indent else 0
    with path.open("wb") as fh:
        fh.write(b"[\n")
        for i, item in enumerate(_studies(count, text_kb)):
            fh.write((b",\n" if i else b"") + orjson.dumps(item, option=option))
        fh.write(b"\n]\n")


def _dump(items: list[Any]) -> list[Any]:
    return [msgspec.to_builtins(i) if isinstance(i, TrialRecord) else i.one_line() for i in items]


BOUNDED = textwrap.dedent("""
    import resource, sys
    from auditor.sources import read_paths
    list(read_paths([sys.argv[1]]))  # load the readers (and ijson) before the limit
    vm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmSize")) * 1024
    cap = vm + int(sys.argv[3]) * (1 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    items = list(1 if hasattr(r, "trial_id") else r.one_line() for r in read_paths([sys.argv[2]]))
    print(sum(1 for i in items if i == 1), [i for i in items if i != 1])
""")


def _bounded(small: Path, big: Path, headroom_mb: int, stream_bytes: int = 1 << 20,
             stdin: bool = False) -> subprocess.CompletedProcess[str]:
    """`big` read under the allowance (as "-" from standard input with `stdin`)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRIAL_AUDIT_STREAM_BYTES": str(stream_bytes)}
    with big.open("rb") as fh:
        return subprocess.run([sys.executable, "-c", BOUNDED, str(small), "-" if stdin else str(big), str(headroom_mb)],
                              env=env, stdin=fh if stdin else subprocess.DEVNULL, capture_output=True, text=True,
                              check=False, timeout=600)


@pytest.mark.parametrize("wrap", ["plain", "gzip", "zip"])
def test_a_json_array_larger_than_the_memory_limit_is_read_study_by_study(tmp_path: Path, wrap: str) -> None:
    """80 MB of studies under a 40 MB allowance: read from disk (or from the temporary file a
    gzip or zip member is unpacked to), never held whole."""
    small, big = tmp_path / "small.json", tmp_path / "download.json"
    _write_array(small, 2)
    _write_array(big, 800, text_kb=100, indent=True)
    assert big.stat().st_size > 80_000_000
    if wrap == "gzip":
        big.with_suffix(".json.gz").write_bytes(gzip.compress(big.read_bytes(), compresslevel=1))
        big.unlink()
        big = big.with_suffix(".json.gz")
    elif wrap == "zip":
        with zipfile.ZipFile(tmp_path / "download.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.write(big, "studies/download.json")
        big.unlink()
        big = tmp_path / "download.zip"
    result = _bounded(small, big, headroom_mb=40)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "800 []"
    # the same read with the file in memory needs more than the allowance
    whole = _bounded(small, big, headroom_mb=40, stream_bytes=1 << 30)
    assert whole.returncode != 0 or whole.stdout.strip() != "800 []"
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob(f"trial-audit-*{os.getpid()}*"))


def test_a_json_array_piped_to_standard_input_is_spooled_and_read_study_by_study(tmp_path: Path) -> None:
    """`check -` on a large pipe: past TRIAL_AUDIT_STREAM_BYTES the rest goes to a temporary file
    as it arrives, so the pipe is never held whole."""
    small, big = tmp_path / "small.json", tmp_path / "download.json"
    _write_array(small, 2)
    _write_array(big, 800, text_kb=100, indent=True)
    result = _bounded(small, big, headroom_mb=40, stdin=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "800 []"
    whole = _bounded(small, big, headroom_mb=40, stream_bytes=1 << 30, stdin=True)
    assert whole.returncode != 0 or whole.stdout.strip() != "800 []"


@pytest.mark.parametrize("stream_bytes", [1 << 20, 100])
def test_a_pipe_gives_the_facts_and_findings_the_file_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              stream_bytes: int) -> None:
    """Held as bytes (small) or spooled (past STREAM_BYTES): the same audits as the file on disk."""
    path = tmp_path / "a.json"
    path.write_bytes(orjson.dumps(_studies(3)))
    monkeypatch.setattr(sizes, "STREAM_BYTES", stream_bytes)

    def audits(*args: str, data: bytes | None = None) -> list[Any]:
        result = run_cli("check", *args, "--format", "json", input=data)
        return [(a["facts"], a["findings"]) for a in orjson.loads(result.output)["audits"]]

    from_file = audits(str(path))
    assert len(from_file) == 3
    assert audits("-", data=path.read_bytes()) == from_file


def test_a_large_csv_sheet_is_read_row_by_row(tmp_path: Path) -> None:
    small, big = tmp_path / "small.csv", tmp_path / "sheet.csv"
    header = "NCT ID;Title;Enrollment;Summary\n"
    small.write_text(header + "NCT90000001;A trial;20;x\n", encoding="utf-8")
    with big.open("w", encoding="cp1252") as fh:  # Windows-1252: decoded as it is read
        fh.write(header)
        for i in range(1500):
            fh.write(f'NCT9{i:07d};"Caf\xe9 trial {i}; ""quoted""";{20 + i};{"y" * 40_000}\n')
    assert big.stat().st_size > 55 << 20
    result = _bounded(small, big, headroom_mb=30)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "1500 []"


@pytest.mark.parametrize("suffix", [".xml", ".csv"])
def test_a_large_ictrp_export_is_read_trial_by_trial(tmp_path: Path, suffix: str) -> None:
    """80 MB of ICTRP trials under a 40 MB allowance: the XML parsed from disk with defusedxml's
    iterparse (each <Trial> dropped once mapped), the CSV decoded from disk row by row."""
    small, big = tmp_path / f"small{suffix}", tmp_path / f"export{suffix}"
    write_ictrp(small, 2)
    write_ictrp(big, 8000)
    assert big.stat().st_size > 80_000_000
    result = _bounded(small, big, headroom_mb=40)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "8000 []"
    whole = _bounded(small, big, headroom_mb=40, stream_bytes=1 << 30)  # in memory: more than the allowance
    assert whole.returncode != 0 or whole.stdout.strip() != "8000 []"


def test_a_spool_gives_the_records_and_hash_of_the_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\xef\xbb\xbf" + orjson.dumps(_studies(30) + [{"x": 1}])  # a UTF-8 byte-order mark too
    path = tmp_path / "a.json"
    path.write_bytes(data)
    whole = _dump(list(read_paths([str(path)])))
    monkeypatch.setattr(sizes, "STREAM_BYTES", 100)
    [(_origin, content)] = list(containers.expand([str(path)]))
    assert isinstance(content, spool.Spool) and len(content) == len(data) and content[:3] == data[:3]
    assert spool.digest(content) == spool.digest(data)
    assert _dump(list(read_paths([str(path)]))) == whole
    blank = tmp_path / "blank.json"
    blank.write_bytes(b" \n" * 200)
    [err] = list(read_paths([str(blank)]))
    assert "file is empty" in err.one_line()


def test_unpacked_spools_are_removed_when_the_reader_moves_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sizes, "STREAM_BYTES", 100)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    page = orjson.dumps({"studies": _studies(5)})
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "p.json.gz").write_bytes(gzip.compress(page))
    with zipfile.ZipFile(tmp_path / "in" / "p.zip", "w") as archive:
        archive.writestr("a.json", page)
        archive.writestr("b.json", b"{broken")
    seen = []
    for item in read_paths([str(tmp_path / "in")]):
        seen.append(item)
        assert len(list((tmp_path / "tmp").iterdir())) <= 1  # one member's spool at a time
    assert sum(isinstance(i, TrialRecord) for i in seen) == 10 and len(seen) == 11
    assert not list((tmp_path / "tmp").iterdir())


def test_batch_is_unchanged_whether_files_are_spooled_or_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor import batch
    from auditor.engine import profiles

    write_corpus(tmp_path / "in", files=3, per_file=4)
    with gzip.open(tmp_path / "in" / "more.json.gz", "wb") as gz:
        gz.write(orjson.dumps({"studies": _studies(3)}))
    profile = profiles.load()
    first = batch.run([str(tmp_path / "in")], tmp_path / "out", profile, jobs=1)
    monkeypatch.setattr(sizes, "STREAM_BYTES", 10)
    again = batch.run([str(tmp_path / "in")], tmp_path / "out", profile, jobs=1)
    assert first.totals.audited == 15 and again.totals.as_dict() == {"seen": 15, "audited": 0, "failed": 0, "skipped": 15}


def test_check_keeps_no_audit_once_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` writes each record's report as it is audited: at most a couple of audits are alive."""
    import auditor.pipeline

    _write_array(tmp_path / "a.json", 20)
    original, refs, most = auditor.pipeline.audit, [], [0]

    def counting(record: TrialRecord, profile: Any) -> TrialAudit:
        most[0] = max(most[0], sum(ref() is not None for ref in refs))
        result = original(record, profile)
        refs.append(weakref.ref(result))
        return result

    monkeypatch.setattr(auditor.pipeline, "audit", counting)
    gc.collect()  # what is garbage before: the audits go by reference counting
    for fmt in ("text", "json", "sarif"):
        most[0] = 0
        refs.clear()
        result = run_cli("check", str(tmp_path / "a.json"), "--format", fmt, "-o", str(tmp_path / f"r.{fmt}"), "--isolated")
        assert result.exit_code in (0, 1), result.stderr
        assert most[0] <= 2, fmt
    report = orjson.loads((tmp_path / "r.json").read_bytes())
    assert len(report["audits"]) == 20 and report["totals"]["audited"] == 20


def test_check_output_is_written_beside_and_renamed(tmp_path: Path) -> None:
    """The -o file appears whole: it is written as a hidden .tmp (which no input walk reads)."""
    folder = tmp_path / "in"
    write_corpus(folder, files=2, per_file=2)
    target = folder / "report.json"
    for _ in range(2):  # the second run's input folder holds the first run's report
        result = run_cli("check", str(folder), "--format", "json", "-o", str(target), "--isolated")
        assert result.exit_code in (1, 2)
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert orjson.loads(target.read_bytes())["totals"]["audited"] == 4
    missing = run_cli("check", str(folder), "-o", str(tmp_path / "nope" / "r.txt"), "--isolated")
    assert missing.exit_code == 2 and "cannot write the report" in missing.stderr


def test_bad_settings_never_fail_an_import() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), **dict.fromkeys(limits.INTEGERS, "12x")}
    imported = subprocess.run([sys.executable, "-c", "import auditor.batch.runner, auditor.batch.worker, "
                               "auditor.batch.cluster, auditor.sources, auditor.cli"], env=env, capture_output=True,
                              text=True, check=False)
    assert imported.returncode == 0, imported.stderr


@pytest.mark.parametrize("name", sorted(limits.INTEGERS))
def test_a_bad_whole_number_setting_is_one_line(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every whole-number TRIAL_AUDIT_* setting: `check` and `batch` name the variable in one line, exit 2."""
    write_corpus(tmp_path / "in", files=1, per_file=1)
    monkeypatch.setenv(name, "12x")
    for args in (["check", str(tmp_path / "in")], ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out")]):
        result = run_cli(*args)
        assert result.exit_code == 2 and name in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["TRIAL_AUDIT_COMMIT_ROWS", "TRIAL_AUDIT_CHUNK_ROWS"])
def test_the_python_api_reads_batch_settings_when_a_run_starts(name: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor import batch
    from auditor.engine import profiles
    from auditor.errors import InputError

    write_corpus(tmp_path / "in", files=1, per_file=1)
    monkeypatch.setenv(name, "-3")
    with pytest.raises(InputError, match=name):
        batch.run([str(tmp_path / "in")], tmp_path / "out", profiles.load(), jobs=1)
    monkeypatch.setenv(name, "1")
    assert batch.run([str(tmp_path / "in")], tmp_path / "out", profiles.load(), jobs=1).totals.audited == 1


def test_streamed_reader_reads_the_same_records_as_the_whole_file(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    items = _studies(25) + [{"x": 1}]
    for doc in (items, {"studies": items}):
        data = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
        path = tmp_path / "x.json"
        path.write_bytes(data)
        whole = _dump(list(read_blob(data, str(path))))
        monkeypatch.setattr(sizes, "STREAM_BYTES", 10)
        assert _dump(list(read_paths([str(path)]))) == whole
        monkeypatch.undo()


def test_an_interrupted_check_leaves_no_half_written_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.pipeline

    _write_array(tmp_path / "a.json", 5)
    original, calls = auditor.pipeline.audit, []

    def interrupted(record: TrialRecord, profile: Any) -> TrialAudit:
        calls.append(record.trial_id)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(record, profile)

    monkeypatch.setattr(auditor.pipeline, "audit", interrupted)
    target = tmp_path / "out" / "r.json"
    target.parent.mkdir()
    target.write_text("earlier report\n", encoding="utf-8")
    result = run_cli("check", str(tmp_path / "a.json"), "--format", "json", "-o", str(target), "--isolated")
    assert result.exit_code != 0 and len(calls) == 3
    assert [p.name for p in target.parent.iterdir()] == ["r.json"]
    assert target.read_text(encoding="utf-8") == "earlier report\n"
