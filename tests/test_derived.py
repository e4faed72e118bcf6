"""auditor.derived: the cache of derived rule data never changes an answer, and is trusted only when
it was written by the same code (a stale, corrupt or foreign file is ignored and replaced)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor import derived
from tests.conftest import EXAMPLES, REPO


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("TRIAL_AUDIT_CACHE_DIR", str(tmp_path))
    derived.save()  # whatever this process computed so far goes to the folder it was meant for
    derived.reset()
    yield tmp_path
    derived.reset()


def _file(folder: Path) -> Path:
    (found,) = folder.glob("derived-*.json")
    return found


def test_an_answer_is_kept_and_read_back(cache: Path) -> None:
    calls = []

    def compute(x: int) -> tuple[int, ...]:
        calls.append(x)
        return (x, x + 1)

    assert derived.memo("t", "k", compute, 1) == [1, 2]  # as JSON reads it back, kept or not
    derived.save()
    derived.reset()
    assert derived.memo("t", "k", compute, 1) == [1, 2]
    assert calls == [1]


def test_a_kept_answer_keeps_its_key_order(cache: Path) -> None:
    """A rule file's mappings are ordered (categories are tried in file order): reading the answer
    back from the file gives the keys in the order computed, not sorted."""
    value = {"zeta": 1, "alpha": {"y": 2, "b": 3}}
    assert list(derived.memo("t", "order", lambda: value)) == ["zeta", "alpha"]
    derived.save()
    derived.reset()
    back = derived.memo("t", "order", lambda: pytest.fail("computed again"))
    assert list(back) == ["zeta", "alpha"] and list(back["alpha"]) == ["y", "b"]


def test_derived_facts_are_the_same_with_the_cache_off_cold_and_warm(tmp_path: Path) -> None:
    """Every fact and evidence of the real ClinicalTrials.gov records (or the bundled examples)
    is the same whether the derived rule data was computed in this process or read back."""
    script = (
        "import glob, json, sys\n"
        "from auditor.sources import read_paths\n"
        "from auditor.model import TrialRecord\n"
        "from auditor.extract import derive\n"
        "paths = sorted(glob.glob(sys.argv[1] + '/ctgov-v2/*.json'))[:120] or sorted(glob.glob(sys.argv[2] + '/**/*.*', recursive=True))\n"
        "out = [[r.trial_id, derive(r).facts] for r in read_paths(paths) if isinstance(r, TrialRecord)]\n"
        "print(json.dumps(out, default=str))\n")
    real = os.environ.get("TRIAL_AUDIT_REAL_DATA", str(REPO.parent / "shared" / "data" / "real"))

    def run(cache: str) -> str:
        env = {**os.environ, "TRIAL_AUDIT_CACHE_DIR": cache}
        done = subprocess.run([sys.executable, "-c", script, real, str(EXAMPLES)], cwd=REPO, env=env,
                              capture_output=True, text=True, check=True)
        return done.stdout

    plain = run("off")
    assert len(plain) > 100
    assert run(str(tmp_path)) == plain  # cold: computes and writes the file
    assert run(str(tmp_path)) == plain  # warm: reads it


@pytest.mark.parametrize("damage", ["truncated", "digest", "fingerprint", "not json", "entries"])
def test_a_damaged_or_foreign_file_is_not_trusted(cache: Path, damage: str) -> None:
    derived.memo("t", "k", lambda: "right")
    derived.save()
    path = _file(cache)
    doc = json.loads(path.read_text())
    doc["entries"]["t"]["k"] = "wrong"
    if damage == "truncated":
        text = path.read_text().replace('"right"', '"wrong"')[:-20]
    elif damage == "digest":
        text = json.dumps(doc)  # an edited entry: the digest no longer matches
    elif damage == "fingerprint":
        doc["fingerprint"] = "0" * 64
        doc["digest"] = derived._digest(doc["entries"])
        text = json.dumps(doc)
    elif damage == "not json":
        text = "\x00\x01"
    else:
        doc["entries"] = {"t": ["wrong"]}
        doc["digest"] = derived._digest(doc["entries"])
        text = json.dumps(doc)
    path.write_text(text)
    derived.reset()
    assert derived.memo("t", "k", lambda: "right") == "right"


def test_the_fingerprint_covers_the_extract_code_and_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "extract"
    shutil.copytree(Path(derived.__file__).parent / "extract", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(derived, "_EXTRACT", copy)
    seen = []
    for edit in ("rules/units.yaml", "regex_shape.py", "lexicon.yaml", "duration/courses.py", "timeframes/points.py"):
        derived.reset()
        seen.append(derived.fingerprint())
        with (copy / edit).open("a") as fh:
            fh.write("\n# edited\n")
    derived.reset()
    seen.append(derived.fingerprint())
    derived.reset()
    assert len(set(seen)) == len(seen)


def test_failures_and_unkeyable_inputs_are_not_kept(cache: Path) -> None:
    def boom() -> None:
        raise ValueError("bad pattern")

    with pytest.raises(ValueError):
        derived.memo("t", "k", boom)
    assert derived.memo("t", "k", lambda: "ok") == "ok"
    assert derived.memo("v", "x", lambda: False, keep=bool) is False
    assert derived.memo("v", "x", lambda: True, keep=bool) is True  # the False was not kept
    assert derived.memo("u", {1: "int key"}, lambda: "computed") == "computed"
    assert derived.memo("u", {1: "int key"}, lambda: "again") == "again"
    assert derived.memo("u", {"1": "int key"}, lambda: "str key") == "str key"  # never shared with {1: ...}


def test_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAL_AUDIT_CACHE_DIR", "off")
    derived.reset()
    try:
        assert derived.cache_dir() is None
        assert derived.memo("t", "k", lambda: 1) == 1
        derived.save()
    finally:
        derived.reset()


def test_an_unwritable_folder_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TRIAL_AUDIT_CACHE_DIR", str(blocker / "cache"))
    derived.reset()
    try:
        assert derived.memo("t", "k", lambda: 1) == 1
        derived.save()
    finally:
        derived.reset()


@pytest.mark.parametrize("path", sorted(str(p.relative_to(REPO)) for p in (EXAMPLES / "protocols").glob("*.yaml"))
                         + ["examples/registry/ctgov-long-follow-up.json"])
def test_check_gives_the_same_output_without_cache_cold_and_warm(tmp_path: Path, path: str) -> None:
    def run(cache: str) -> tuple[int, str, str]:
        env = {**os.environ, "TRIAL_AUDIT_CACHE_DIR": cache}
        done = subprocess.run([sys.executable, "-m", "auditor", "check", path, "--format", "json"], cwd=REPO, env=env,
                              capture_output=True, text=True, check=False)
        return done.returncode, done.stdout, done.stderr

    plain = run("off")
    assert run(str(tmp_path)) == plain  # cold: computes and writes the file
    assert list(tmp_path.glob("derived-*.json"))
    assert run(str(tmp_path)) == plain  # warm: reads it
