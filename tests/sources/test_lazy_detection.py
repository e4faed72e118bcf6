"""Detection imports a reader only when its cheap pre-test passes; it picks the reader the full
order of sniffs picks, for every file: each pre-test is implied by its reader's sniff."""

from __future__ import annotations

import importlib
import random
import subprocess
import sys
from pathlib import Path

import pytest

from auditor import sources
from auditor.errors import InputError
from auditor.vocabulary import READER_NAMES
from tests.conftest import REPO, real_data_dir

_SKIP = {"__pycache__", ".venv", ".git", "node_modules"}


def _heads() -> list[tuple[str, bytes]]:
    """The first 64 KiB of every file in the repository's tests and examples (all formats), the
    real registry data when present, and variants (leading space, truncations). Only what reaches
    detection: read_blob refuses empty files and turns a BOM into plain UTF-8 first."""
    out: list[tuple[str, bytes]] = []
    roots = [REPO / "tests", REPO / "examples"]
    if real_data_dir().is_dir():
        roots.append(real_data_dir())
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not _SKIP & set(p.parts)):
            with path.open("rb") as fh:
                head = fh.read(65536)
            out.append((path.name, head))
    rng = random.Random(3)
    for name, head in list(out):
        out.append((name, b"  \n" + head))
        out.append((name, head[: rng.randint(1, max(1, len(head)))]))
    return [(name, head) for name, head in out if head.strip()]


HEADS = _heads()


def _eager(head: bytes, name: str) -> str | None:
    """The reader the plain order of sniffs picks (every reader imported)."""
    try:
        for reader_name in READER_NAMES:
            if sources.READERS[reader_name].sniff(head, name):
                return reader_name
    except Exception as exc:  # noqa: BLE001 - a sniff that fails on odd bytes must fail the same way
        return type(exc).__name__
    return None


def test_the_order_and_names_are_the_readers() -> None:
    assert list(sources.READERS) == list(READER_NAMES)
    for name, module, _ in sources._ORDER:
        assert name == importlib.import_module(f"auditor.sources.{module}").NAME


@pytest.mark.parametrize("reader_name", READER_NAMES)
def test_a_sniff_accepts_only_what_its_pre_test_lets_through(reader_name: str) -> None:
    may = next(test for name, _, test in sources._ORDER if name == reader_name)
    if may is None:
        pytest.skip("always sniffed")
    reader = sources.READERS[reader_name]
    accepted = [name for name, head in HEADS if reader.sniff(head, name) and not may(head)]
    assert accepted == []


def test_detection_picks_what_the_full_order_picks() -> None:
    assert len(HEADS) > 100
    for name, head in HEADS:
        try:
            picked = sources.detect(head, name).NAME
        except InputError:
            picked = None
        except Exception as exc:  # noqa: BLE001 - see _eager
            picked = type(exc).__name__
        assert picked == _eager(head, name), name


def test_a_protocol_check_imports_no_registry_reader_it_does_not_need() -> None:
    code = ("import sys\nfrom auditor.sources import read_paths\nlist(read_paths(['examples/protocols/complete.yaml']))\n"
            "print(sorted(m for m in sys.modules if m.startswith('auditor.sources.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    loaded = done.stdout
    for skipped in ("ctrdata_db", "ctrdata", "ctgov_classic", "ctgov_xml", "ctis", "euctr_text", "ictrp_xml"):
        assert f"'auditor.sources.{skipped}'" not in loaded, loaded
    assert "'auditor.sources.protocol'" in loaded


def test_every_fixture_format_is_still_detected(tmp_path: Path) -> None:
    fixtures = REPO / "tests" / "sources" / "fixtures"
    expected = {"classic.json": "ctgov-classic", "ctgov_legacy.xml": "ctgov-xml", "ictrp_2024.xml": "ictrp-xml",
                "ictrp_header.csv": "ictrp-csv", "v2_study.json": "ctgov-v2"}
    for file, reader in expected.items():
        data = (fixtures / file).read_bytes()
        assert reader == sources.detect(data[:65536], file).NAME
