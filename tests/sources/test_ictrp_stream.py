"""Issue 11, memory: an ICTRP XML or CSV export larger than TRIAL_AUDIT_STREAM_BYTES is read from
disk (a spool.Spool, `STREAMS`) and gives exactly what reading it whole gives: the same records
with the same `at` locations and line numbers, the same record errors and the same file error at
the same point. Checked on the real ICTRP exports and on generated files that hit the edge cases
(chunk boundaries, line endings, encodings, broken and hostile files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.errors import InputError
from auditor.model import TrialRecord
from auditor.sources import ictrp_csv, read_blob, read_paths, sizes, spool
from tests.sources.conftest import FIXTURES, real_root

ROOT = "Trials_downloaded_from_ICTRP"


def _dump(items: Any) -> list[Any]:
    """Every item as plain data, and the file's InputError (if any) as the last item."""
    out: list[Any] = []
    try:
        for item in items:
            out.append(msgspec.to_builtins(item) if isinstance(item, TrialRecord) else ("error", item.one_line()))
    except InputError as err:
        out.append(("file error", err.one_line()))
    return out


def _both(path: Path, monkeypatch: pytest.MonkeyPatch, reader: str | None = None) -> tuple[list[Any], list[Any]]:
    """(read whole from bytes, read streamed from a Spool of the file) for one file."""
    whole = _dump(read_blob(path.read_bytes(), str(path), reader))
    with monkeypatch.context() as m:
        def refused(self: spool.Spool) -> bytes:
            raise AssertionError("a streaming reader read the Spool whole")

        m.setattr(spool.Spool, "read_all", refused)
        streamed = _dump(read_blob(spool.Spool(path, path.stat().st_size), str(path), reader))
    return whole, streamed


def _real_files() -> list[Any]:
    folder = real_root() / "ictrp"
    found = sorted([*folder.glob("*.xml"), *folder.glob("*.csv")]) if folder.is_dir() else []
    return found or [pytest.param(None, marks=pytest.mark.skip(
        reason=f"real ICTRP exports not found at {folder} (set TRIAL_AUDIT_REAL_DATA)"))]


@pytest.mark.parametrize("path", _real_files(), ids=lambda p: p.name if p else "no-real-data")
def test_real_exports_read_the_same_streamed_as_whole(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, streamed = _both(path, monkeypatch)
    assert sum(isinstance(i, dict) for i in whole) > 10
    assert streamed == whole


def test_fixtures_read_the_same_streamed_as_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ictrp_2020.xml", "ictrp_2024.xml", "ictrp_header.csv", "ictrp_positional.csv", "entity_bomb.xml"):
        whole, streamed = _both(FIXTURES / name, monkeypatch)
        assert whole and streamed == whole, name


def _trial(i: int, *, trial_id: bool = True) -> str:
    ident = f"<TrialID>ChiCTR2{i:09d}</TrialID>" if trial_id else "<TrialID>  </TrialID>"
    return (f"<Trial>{ident}<Public_title>Exercise &amp; back pain {i}</Public_title>"
            f"<Scientific_title><![CDATA[Trial <{i}> of exercise]]></Scientific_title>"
            f"<Target_size>{20 + i % 300}</Target_size><Condition>back pain</Condition><Condition>sciatica</Condition>"
            f"<Primary_outcome>pain intensity at 12 weeks;disability;</Primary_outcome>"
            f"<Inclusion_Criteria>{'x' * (i % 700)}</Inclusion_Criteria></Trial>\n")


XML_CASES = {
    "many": f"<?xml version='1.0' encoding='UTF-8'?>\n<!-- export -->\n<{ROOT}>\n"
            + "".join(_trial(i, trial_id=i % 97 != 5) for i in range(3000)) + f"<Note>not a trial</Note></{ROOT}>\n",
    "bom": f"\ufeff<?xml version='1.0'?><{ROOT}>" + "".join(_trial(i) for i in range(5)) + f"</{ROOT}>",
    "truncated": f"<{ROOT}>" + "".join(_trial(i) for i in range(2000)) + "<Trial><TrialID>Chi",
    "mismatched": f"<{ROOT}>" + "".join(_trial(i) for i in range(50)) + "<Trial><TrialID>x</Public_title></Trial>"
                  + f"</{ROOT}>",
    "no trials": f"<{ROOT}><Other/></{ROOT}>",
    "external entity": f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><{ROOT}>'
                       f"<Trial><TrialID>NCT09000001</TrialID><Public_title>&e;</Public_title></Trial></{ROOT}>",
}


@pytest.mark.parametrize("case", sorted(XML_CASES))
def test_generated_xml_reads_the_same_streamed_as_whole(case: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(XML_CASES[case].encode("utf-8"))
    whole, streamed = _both(path, monkeypatch, "ictrp-xml")
    assert streamed == whole
    assert whole[-1][0] == "file error" if case in ("truncated", "mismatched", "no trials", "external entity") \
        else isinstance(whole[-1], dict)


HEADER = ("TrialID,Public title,Scientific title,Target size,Study design,Condition,Primary outcome,"
          "Inclusion Criteria\n")


def _row(i: int, newline: str = "\n") -> str:
    cells = [f"NCT9{i:07d}", f"Caf\u00e9 trial {i}", f'"Exercise, ""quoted"" {i}"', str(20 + i % 300),
             "Allocation: Randomized. Masking: None", "back pain;sciatica",
             f'"pain intensity{newline}at 12 weeks"' if i % 3 == 0 else "pain", "y" * (i % 900)]
    return ",".join(cells) + newline


def _csv_cases() -> dict[str, tuple[str, str]]:
    rows = "".join(_row(i) for i in range(3000))
    positional = "".join(",".join([f"ISRCTN1{i:07d}", "", f"Back school {i}"] + [""] * 55) + "\n" for i in range(50))
    return {
        "lf": (HEADER + rows, "utf-8"),
        "crlf": (HEADER.replace("\n", "\r\n") + "".join(_row(i, "\r\n") for i in range(3000)), "utf-8"),
        "cr": (HEADER.replace("\n", "\r") + "".join(_row(i, "\r") for i in range(500)), "utf-8"),
        "bom": ("\ufeff" + HEADER + rows[:20000], "utf-8"),
        "cp1252": (HEADER + rows, "cp1252"),
        "ragged": (HEADER + rows[:5000] + "NCT90000001,short row\n\n,,,,,,,\n" + rows[:3000] + 'NCT9,"unterminated',
                   "utf-8"),
        "positional": (positional, "utf-8"),
        "no layout": ("a,b,c\n1,2,3\n", "utf-8"),
        "nul": (HEADER + rows[:4000] + "NCT9\x00,x\n", "utf-8"),
    }


@pytest.mark.parametrize("case", sorted(_csv_cases()))
def test_generated_csv_reads_the_same_streamed_as_whole(case: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    text, encoding = _csv_cases()[case]
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    whole, streamed = _both(path, monkeypatch, "ictrp-csv")
    assert streamed == whole
    assert any(isinstance(i, dict) for i in whole) or "no TrialID header" in whole[-1][1]


def test_csv_that_is_neither_utf8_nor_cp1252_is_refused_at_the_same_byte(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The undefined byte lies past the first chunk the encoding pass reads."""
    data = (HEADER + "".join(_row(i) for i in range(3000))).encode("cp1252")
    assert len(data) > (1 << 20) + 100
    data = data[:(1 << 20) + 50] + b"\x81" + data[(1 << 20) + 50:]
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    whole, streamed = _both(path, monkeypatch)
    assert streamed == whole == [("file error", f"{path}: CSV is neither UTF-8 nor Windows-1252 text "
                                                f"(byte {(1 << 20) + 50})")]


def test_a_large_export_reaches_the_reader_as_a_spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xml, csv = tmp_path / "export.xml", tmp_path / "export.csv"
    xml.write_text(XML_CASES["many"], encoding="utf-8")
    csv.write_text(_csv_cases()["crlf"][0], encoding="utf-8")
    whole = [_dump(read_paths([str(p)])) for p in (xml, csv)]
    seen: list[type] = []
    original = ictrp_csv._text

    def spy(data: spool.Content, origin: str) -> Any:
        seen.append(type(data))
        return original(data, origin)

    monkeypatch.setattr(ictrp_csv, "_text", spy)
    monkeypatch.setattr(sizes, "STREAM_BYTES", 1000)
    monkeypatch.setattr(spool.Spool, "read_all", lambda self: pytest.fail("read whole"))
    assert [_dump(read_paths([str(p)])) for p in (xml, csv)] == whole
    assert seen == [spool.Spool]
